"""The PyVRP model of a SolverData: a fast routing skeleton from PyVRP's iterated local search.

The engine translates `SolverData` into a
``pyvrp.ProblemData`` built straight from numpy matrices, solves it, and maps
PyVRP's routes back to vehicle indices (order indices per vehicle, in visit
order).  The routes seed the OR-Tools model, which enforces everything PyVRP
cannot express and polishes the result.

What maps exactly:

* depots: one PyVRP depot per distinct start/end place; vehicle types: one per
  fleet type (count, depots, shift, max duration/distance, fixed and unit
  costs in the OR-Tools objective's integer units);
* loads: one load dimension per set of goods that shares a compartment on some
  vehicle type, plus a total dimension for flexible partitions, so compartment
  limits hold exactly on every type; unpaired deliveries/pickups use PyVRP's
  simultaneous pickup-and-delivery semantics; paired pickup-deliveries become
  PyVRP shipments (same vehicle, pickup first); a pair no vehicle can serve
  (`SolverData.dead_pairs`) is left out of the model, both orders unserved;
* several time windows of an unpaired order: one client per window in a
  mutually exclusive client group (exactly one of them is visited);
* optional orders: optional clients whose prize is the order's penalty;
* speed factors: per-type duration matrices (routing profiles);
* orders a type cannot carry: that type's profile makes arcs into them longer
  than any feasible route, and its maximum distance excludes such routes.

What is relaxed (listed in `EngineResult.relaxed`): shelf life and time out
of refrigeration (`SolverData.ride`, which depends on the vehicle type; a type
on which an order's least possible ride is longer than its limit is forbidden
to it, see `_warm_ride_never_fits`), soft time windows (kept hard), VROOM's
``max_tasks`` and ``max_travel_time``, several windows of paired orders (their span), drivers'
breaks and the continuous-driving rule (PyVRP has no breaks; OR-Tools places them) and,
for the cost objective, whatever is not linear in distance and route
duration: with the OR-Tools engine's ``CostArrays`` (arc costs with fuel and
door-open refrigeration, span and fixed costs) only freshness decay and
soft-window lateness are left out; from the fleet alone, only vehicle rates.
Shelf life, time out of refrigeration (with the limit of the type each route
rides) and relaxed windows are checked on PyVRP's schedule afterwards
(`EngineResult.violations`).  PyVRP's routes are only a skeleton: every engine
reads them into the OR-Tools model, which enforces the ride limits exactly and
repairs a route that breaks them, so no plan breaks a limit PyVRP relaxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from logistics.engine.solvers.arrays import COST_CAP, COST_SCALE, QTY_SCALE, RATE_CAP, SolverData, cost_units
from logistics.engine.solvers.duty import duty_plan
from logistics.engine.solvers.pyvrp.search import PyVRPInstance

if TYPE_CHECKING:
    import pyvrp

__all__ = ["COST_NOTE", "build_instance"]

_SCALES = (1, 10, 100, 1000)
_UNREACHABLE = 1 << 40  # matrix entries from here on mean "no way"; PyVRP's own limit is 2**44
#: The note in ``relaxed`` that the freshness and lateness costs are left out (see ``models_exactly``).
COST_NOTE = "freshness and soft-window lateness costs not modelled"


def _clip(a: np.ndarray) -> np.ndarray:
    """A fresh int64 matrix with entries capped and a zero diagonal, as PyVRP requires."""
    out = np.minimum(a, _UNREACHABLE).astype(np.int64)
    np.fill_diagonal(out, 0)
    return out


def _load_dimensions(data: SolverData) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per-order amounts (n, K) and per-type capacities (T, K) of the load dimensions.

    Products that ride the same compartment on every vehicle type form a class;
    every distinct set of classes sharing a compartment on some type becomes a
    dimension.  A type's capacity in a dimension is the compartment's capacity
    where the set is exactly one of its compartments, else the sum of the
    compartments the set touches (an implied, non-binding bound).  A total
    dimension is added when a flexible partition caps the sum.
    """
    problem = data.problem
    fleet = problem.fleet
    T = len(fleet)
    products = list(problem.products.values())
    sig = {p.name: tuple(vt.compartment_for(p) for vt in fleet) for p in products}
    classes = sorted(set(sig.values()), key=lambda s: tuple(-1 if k is None else k for k in s))
    cls_of = {name: classes.index(s) for name, s in sig.items()}
    used_classes = sorted({cls_of[p] for o in problem.orders for p, q in o.quantities.items() if q > 0})
    dims: list[frozenset[int]] = []
    for t, vt in enumerate(fleet):
        if vt.count == 0:
            continue
        for k in range(len(vt.compartments)):
            members = frozenset(c for c in used_classes if classes[c][t] == k)
            if members and members not in dims:
                dims.append(members)
    # a set is implied where a superset's capacity is no larger on every used type
    active = [t for t, vt in enumerate(fleet) if vt.count > 0]

    def cap_of(members: frozenset[int], t: int) -> int:
        touched = {classes[c][t] for c in members if classes[c][t] is not None}
        exact = [k for k in touched if frozenset(c for c in used_classes if classes[c][t] == k) == members]
        return int(data.capacity[t, exact[0]]) if exact else sum(int(data.capacity[t, k]) for k in touched)

    dims = [d for d in dims if not any(e > d and all(cap_of(e, t) <= cap_of(d, t) for t in active) for e in dims)]
    n = data.n_orders
    amount_cls = np.zeros((n, len(classes)), dtype=np.float64)
    for i, o in enumerate(problem.orders):
        for p, q in o.quantities.items():
            amount_cls[i, cls_of[p]] += q
    K = len(dims)
    amounts = np.zeros((n, K), dtype=np.int64)
    caps = np.zeros((T, K), dtype=np.int64)
    names = []
    for d, members in enumerate(dims):
        amounts[:, d] = np.rint(amount_cls[:, sorted(members)].sum(axis=1) * QTY_SCALE)
        zones = sorted({problem.products[p].zone.value for p in problem.products if cls_of[p] in members})
        names.append("+".join(zones))
        for t in range(T):
            caps[t, d] = cap_of(members, t)
    need_total = any(fleet[t].count > 0 and data.total_capacity[t] < data.capacity[t].sum() for t in range(T))
    if need_total or K == 0:
        amounts = np.hstack([amounts, np.rint(amount_cls.sum(axis=1) * QTY_SCALE).astype(np.int64)[:, None]])
        caps = np.hstack([caps, data.total_capacity.astype(np.int64)[:, None]])
        names.append("total")
    # PyVRP's load penalties (excess x weight) overflow int64 on huge loads, and its local search then never
    # ends (seen: 10^12 kg of an order no vehicle can carry).  An amount above every capacity is infeasible
    # however large, so it is cut to the largest capacity + 1; absurd capacities are scaled down.
    if amounts.size:
        lim = caps.max(axis=0, initial=0) + 1
        amounts = np.minimum(amounts, lim[None, :])
        f = np.maximum(1, -(-lim // 2**40))
        amounts, caps = -(-amounts // f[None, :]), caps // f[None, :]
    return amounts, caps, names


@dataclass
class _Costs:
    fixed: np.ndarray  # (T,) per vehicle used
    per_m: np.ndarray  # (T,) per metre (used where arc is None for the type)
    per_s: np.ndarray  # (T,) per second of route duration
    arc: list[np.ndarray | None]  # (T,) None or an (N, N) arc-cost matrix over routing nodes
    prize: np.ndarray  # (n_orders,) per dropped order
    scale: int  # all of the above are objective units x scale / divisor
    notes: list[str]
    divisor: int = 1  # the common divisor taken out of every cost (see common_divisor)


def _as_dict(cost_arrays: Any) -> dict[str, Any]:
    """``cost_arrays`` as a dict: a dict as given, or the OR-Tools engine's CostArrays."""
    if cost_arrays is None:
        return {}
    if isinstance(cost_arrays, dict):
        return dict(cost_arrays)
    out = {}
    for key, attr in (("arc", "arc"), ("unit_duration_cost", "span_per_s"), ("fixed_cost", "fixed")):
        if getattr(cost_arrays, attr, None) is not None:
            out[key] = getattr(cost_arrays, attr)
    out["_partial"] = True  # freshness and lateness terms are not linear in PyVRP's terms
    return out


def _costs(data: SolverData, objective: str, cost_arrays: Any) -> _Costs:
    """PyVRP's integer costs: vehicle rates from the fleet, or ``cost_arrays`` when given.

    Without arc matrices, rates per metre and per second rarely are integers in
    cost units; every cost then carries a common ``scale`` (10, 100, 1000) so
    that the rates round with < 0.1 % error.
    """
    fleet = data.problem.fleet
    T = len(fleet)
    notes: list[str] = []
    ca = _as_dict(cost_arrays)
    penalty = np.asarray(ca.get("penalty", data.penalty), dtype=np.float64)
    if objective == "distance":
        return _Costs(
            np.zeros(T, np.int64),
            np.ones(T, np.int64),
            np.zeros(T, np.int64),
            [None] * T,
            np.rint(penalty).astype(np.int64),
            1,
            notes,
        )
    fixed = np.asarray(ca.get("fixed_cost", [vt.fixed_cost * COST_SCALE for vt in fleet]), float)
    per_m = np.asarray(ca.get("unit_distance_cost", [vt.cost_per_km * COST_SCALE / 1000 for vt in fleet]), float)
    per_s = np.asarray(ca.get("unit_duration_cost", [vt.cost_per_hour * COST_SCALE / 3600 for vt in fleet]), float)
    arc: list[np.ndarray | None] = [None] * T
    if ca.get("arc") is not None:
        arcs = np.asarray(ca["arc"])
        approx = False
        for t, vt in enumerate(fleet):
            if vt.max_distance is None:
                arc[t] = arcs[t]
            else:  # PyVRP's max distance reads the profile's matrix: keep metres, average the rate
                d = data.distance.sum()
                per_m[t] = arcs[t].sum() / d if d > 0 else 0.0
                approx = True
        if approx:
            notes.append("arc costs as an average rate per metre for types with a maximum distance")
    if ca.get("_partial"):
        notes.append(COST_NOTE)
    elif not ca:
        notes.append("cold-chain costs (refrigeration, fuel, freshness) not modelled")
    rates = np.concatenate([per_m[[t for t in range(T) if arc[t] is None]], per_s, fixed, penalty])
    rates = rates[rates > 0]
    scale = _SCALES[-1]
    for f in _SCALES:
        r = rates * f
        if np.all((np.abs(np.rint(r) - r) <= 1e-3 * r) | (np.rint(r) >= 1000)):
            scale = f
            break
    if scale > 1:
        arc = [None if a is None else np.asarray(a, dtype=np.int64) * scale for a in arc]
    out = _Costs(
        cost_units(fixed * scale, COST_CAP),
        cost_units(per_m * scale, RATE_CAP),
        cost_units(per_s * scale, RATE_CAP),
        arc,
        cost_units(penalty * scale, COST_CAP),
        scale,
        notes,
    )
    return _divided(out, common_divisor(out))


def common_divisor(costs: _Costs) -> int:
    """The greatest common divisor of every cost PyVRP sees (arcs, rates, fixed costs, prizes); 1 if none.

    PyVRP's penalties for time warp and excess load live between fixed bounds (``PenaltyParams``:
    0.1 to 100,000 per unit), so they only balance costs of a moderate size.  Costs in the engine's
    integer units (``COST_SCALE`` per yuan, or per second of travel in VROOM mode) are 10,000 times
    larger than PyVRP's own examples: the time-warp penalty then cannot rise above 10 times the
    cost of a second of travel, PyVRP spends its time among infeasible solutions (it warns that a
    penalty reached its bound) and returns worse routes or none that serve every order (measured on
    VROOM's Solomon r102 at 5 s: +0.9 % against VROOM, and 3 orders left out at 1 s; with the
    costs divided by their common divisor: +0.02 %, all served; docs/vroom.md).  Dividing by the
    common divisor changes no ranking of solutions, so the model stays exact.

    Parameters
    ----------
    costs
        PyVRP's integer costs before division.

    Returns
    -------
    int
    """
    parts = [np.asarray(a, dtype=np.int64).ravel() for a in costs.arc if a is not None]
    no_arc = [t for t, a in enumerate(costs.arc) if a is None]
    parts += [costs.fixed, costs.per_s, costs.per_m[no_arc], costs.prize]
    values = np.concatenate([np.asarray(p, dtype=np.int64).ravel() for p in parts])
    values = values[values > 0]
    return int(np.gcd.reduce(values)) if values.size else 1


def _divided(costs: _Costs, g: int) -> _Costs:
    """``costs`` with every cost divided by ``g`` (a common divisor, so exactly) and ``divisor`` set."""
    if g <= 1:
        return costs
    return _Costs(
        costs.fixed // g,
        costs.per_m // g,
        costs.per_s // g,
        [None if a is None else np.asarray(a, dtype=np.int64) // g for a in costs.arc],
        costs.prize // g,
        costs.scale,
        costs.notes,
        divisor=g,
    )


@dataclass
class _Places:
    """PyVRP's locations: distinct depot places first, then one location per order."""

    depot_rows: np.ndarray  # matrix rows of the depots
    depot_of_row: dict[int, int]  # matrix row -> PyVRP depot
    order_loc: np.ndarray  # (n_orders,) PyVRP location of each order
    ix: tuple[np.ndarray, ...]  # np.ix_ over routing nodes in PyVRP's location order
    base_dist: np.ndarray  # distances between PyVRP's locations, clipped


def _places(data: SolverData) -> _Places:
    dnodes = np.concatenate([data.starts, data.ends])
    drows = data.loc[dnodes]
    _, first = np.unique(drows, return_index=True)
    first = np.sort(first)
    depot_rows = drows[first]
    depot_nodes = dnodes[first]
    nodes = np.concatenate([depot_nodes, np.arange(data.n_orders)])
    ix = np.ix_(nodes, nodes)
    return _Places(
        depot_rows=depot_rows,
        depot_of_row={int(r): d for d, r in enumerate(depot_rows)},
        order_loc=len(depot_nodes) + np.arange(data.n_orders),
        ix=ix,
        base_dist=_clip(data.distance[ix]),
    )


def _warm_ride_never_fits(data: SolverData, t: int) -> np.ndarray:
    """(n_orders,) bool: orders whose shortest possible ride on type ``t`` is longer than their limit there.

    The ride limit is relaxed in PyVRP, but a type on which an order's goods ride warmer than their zone
    with a limit below the least ride there is (the drive from the depot to a delivery, a pickup's service
    and drive to the end depot, a pair's pickup service and drive between its two places) cannot carry
    the order in any plan, so it is forbidden like a type without a compartment for it: exact pruning
    that keeps PyVRP from building its routes around such rides.
    """
    out = np.zeros(data.n_orders, dtype=bool)
    vs = np.flatnonzero(data.vehicle_type == t)
    if not len(vs):
        return out
    start, end = int(data.starts[vs[0]]), int(data.ends[vs[0]])  # one depot pair per type
    ride, dur = data.ride[t], data.duration[t]
    warm = (ride >= 0) & ((data.shelf < 0) | (ride < data.shelf))
    mate = {a: b for a, b in data.pairs} | {b: a for a, b in data.pairs}
    pickups = {a for a, _ in data.pairs}
    for i in map(int, np.flatnonzero(warm)):
        if i in mate:
            pi, di = (i, mate[i]) if i in pickups else (mate[i], i)
            least = int(data.service[pi]) + int(dur[pi, di])
        elif data.problem.orders[i].kind == "pickup":
            least = int(data.service[i]) + int(dur[i, end])
        else:
            least = int(dur[start, i])
        out[i] = least > ride[i]
    return out


def _vehicle_types(
    data: SolverData, places: _Places, costs: _Costs, caps: np.ndarray, used: list[int], type_vehicles: list[list[int]]
) -> tuple[list[pyvrp.VehicleType], list[np.ndarray], list[np.ndarray], bool]:
    """PyVRP vehicle types and routing profiles: one profile per distinct (arc matrix, speed, forbidden orders).

    Orders a type cannot carry are made unreachable in its profile: arcs into them longer than any
    feasible route, and a maximum distance below that.  Returns the types, the distance and duration
    matrices per profile, and whether any type forbids an order.
    """
    # deferred: PyVRP takes ~0.5 s to import and engine "ortools" never needs it
    import pyvrp

    fleet = data.problem.fleet
    duty = duty_plan(data)
    ix = places.ix
    profiles: dict[tuple[Any, ...], int] = {}
    dist_mats: list[np.ndarray] = []
    dur_mats: list[np.ndarray] = []
    arc_ids: dict[int, int] = {}
    any_forbidden = False
    vtypes = []
    for j, t in enumerate(used):
        vt = fleet[t]
        forbid = ~data.allowed[t] | _warm_ride_never_fits(data, t)
        a = costs.arc[t]
        if a is None:
            arc_id = -1
        else:
            arc_id = next((u for u in arc_ids if np.array_equal(np.asarray(costs.arc[u]), a)), t)
            arc_ids.setdefault(arc_id, arc_id)
        key = (arc_id, vt.speed_factor, forbid.tobytes())
        dist = places.base_dist if a is None else _clip(a[ix])
        # longer than any route can really be in this profile
        bound = int(np.where(dist < _UNREACHABLE, dist, 0).max(axis=1).sum()) + 1
        if key not in profiles:
            profiles[key] = len(dist_mats)
            if forbid.any():
                any_forbidden = True
                dist = dist.copy()
                cols = places.order_loc[forbid]
                dist[:, cols] += bound
                dist[cols, cols] = 0
            dist_mats.append(dist)
            dur_mats.append(_clip(data.duration[t][ix]))
        v0 = type_vehicles[j][0]
        max_dist = vt.max_distance
        if forbid.any():
            max_dist = bound - 1 if max_dist is None else min(int(max_dist), bound - 1)
        kw: dict[str, Any] = {}
        if max_dist is not None:
            kw["max_distance"] = int(max_dist)
        # no breaks in PyVRP: its routes leave room for them (the breaks themselves are relaxed)
        reserve = sum(b.duration for b in vt.breaks) + duty[t].rests * int(round(vt.min_rest_min * 60))
        cap = duty[t].cap
        if cap is not None or reserve:
            kw["shift_duration"] = max(0, (cap if cap is not None else duty[t].span) - reserve)
        vtypes.append(
            pyvrp.VehicleType(
                num_available=int(vt.count),
                capacity=[int(c) for c in caps[t]],
                start_depot=places.depot_of_row[int(data.loc[data.starts[v0]])],
                end_depot=places.depot_of_row[int(data.loc[data.ends[v0]])],
                fixed_cost=int(costs.fixed[t]),
                tw_early=int(vt.shift[0]),
                tw_late=int(vt.shift[1]),
                unit_distance_cost=1 if a is not None else int(costs.per_m[t]),
                unit_duration_cost=int(costs.per_s[t]),
                profile=profiles[key],
                name=vt.name,
                **kw,
            )
        )
    return vtypes, dist_mats, dur_mats, any_forbidden


@dataclass
class _Visits:
    """PyVRP's clients, client groups and shipments, and what maps them back to orders."""

    clients: list[pyvrp.Client]
    client_order: list[int]
    groups: list[pyvrp.ClientGroup]
    shipments: list[pyvrp.Shipment]
    shipment_orders: list[tuple[int, int]]
    span_windows: dict[int, list[tuple[int, int]]]
    partner: dict[int, int]


def _visits(data: SolverData, places: _Places, amounts: np.ndarray, prize: np.ndarray, multi_windows: str) -> _Visits:
    """Unpaired orders as clients (one per window in a client group when ``multi_windows="groups"``),
    paired pickup-deliveries as shipments."""
    # deferred: PyVRP takes ~0.5 s to import and engine "ortools" never needs it
    import pyvrp

    orders = data.problem.orders
    order_loc = places.order_loc
    partner = {}
    for p, d in data.pairs:
        partner[p] = d
        partner[d] = p
    clients: list[pyvrp.Client] = []
    client_order: list[int] = []
    groups: list[pyvrp.ClientGroup] = []
    span_windows: dict[int, list[tuple[int, int]]] = {}
    zeros = [0] * amounts.shape[1]
    for i, o in enumerate(orders):
        if i in partner:
            continue
        amt = [int(a) for a in amounts[i]]
        delivery, pickup = (amt, zeros) if o.kind == "delivery" else (zeros, amt)
        windows = data.windows[i]
        common: dict[str, Any] = dict(
            location=int(order_loc[i]),
            delivery=delivery,
            pickup=pickup,
            service_duration=int(data.service[i]),
            name=o.id,
        )
        if len(windows) == 1 or multi_windows != "groups":
            if len(windows) > 1:
                span_windows[i] = windows
            clients.append(
                pyvrp.Client(
                    tw_early=int(windows[0][0]),
                    tw_late=int(windows[-1][1]),
                    required=bool(data.required[i]),
                    prize=int(prize[i]),
                    **common,
                )
            )
            client_order.append(i)
        else:
            g = len(groups)
            members = []
            for a, b in windows:
                members.append(len(clients))
                clients.append(
                    pyvrp.Client(
                        tw_early=int(a), tw_late=int(b), required=False, prize=int(prize[i]), group=g, **common
                    )
                )
                client_order.append(i)
            groups.append(pyvrp.ClientGroup(members, required=bool(data.required[i]), name=o.id))
    shipments, shipment_orders = [], []
    dead = set(data.dead_pairs)
    for p, d in data.pairs:
        if (p, d) in dead:
            continue  # no vehicle can serve it (PyVRP would refuse a delivery window closing before the pickup's)
        for i in (p, d):
            if len(data.windows[i]) > 1:
                span_windows[i] = data.windows[i]
        wp, wd = data.windows[p], data.windows[d]
        shipments.append(
            pyvrp.Shipment(
                pickup_location=int(order_loc[p]),
                delivery_location=int(order_loc[d]),
                pickup_tw_early=int(wp[0][0]),
                pickup_tw_late=int(wp[-1][1]),
                pickup_service_duration=int(data.service[p]),
                delivery_tw_early=int(wd[0][0]),
                delivery_tw_late=int(wd[-1][1]),
                delivery_service_duration=int(data.service[d]),
                amount=[int(a) for a in amounts[p]],
                required=bool(data.required[p]),
                prize=int(prize[p]) + int(prize[d]),
                name=f"{orders[p].id}>{orders[d].id}",
            )
        )
        shipment_orders.append((int(p), int(d)))
    return _Visits(clients, client_order, groups, shipments, shipment_orders, span_windows, partner)


def build_instance(
    data: SolverData, objective: str | None = None, cost_arrays: Any = None, multi_windows: str = "groups"
) -> PyVRPInstance:
    """The PyVRP model of ``data``, with what maps PyVRP's answers back to vehicles and orders.

    Parameters
    ----------
    data
        The solver arrays of the problem.
    objective
        ``"cost"`` or ``"distance"``; defaults to the problem's.
    cost_arrays
        Cost objective only: the OR-Tools engine's ``CostArrays`` (its arc matrices, span and fixed
        costs are used, so both engines optimise the same linear objective) or a dict overriding, per
        fleet type and in objective units: ``arc`` ((T, N, N) arc costs over routing nodes),
        ``fixed_cost`` (per vehicle used), ``unit_distance_cost`` (per metre), ``unit_duration_cost``
        (per second of route duration), and ``penalty`` ((n_orders,) per dropped order).
    multi_windows
        ``"groups"`` (exact, one client per window) or ``"span"`` (one client over the windows' span).

    Returns
    -------
    PyVRPInstance
        A picklable model; `PyVRPInstance.relaxed` names what it does not model exactly.
    """
    # deferred: PyVRP takes ~0.5 s to import and engine "ortools" never needs it
    import pyvrp

    problem = data.problem
    objective = objective or problem.objective
    n = data.n_orders
    relaxed: list[str] = []
    places = _places(data)
    used = [t for t, vt in enumerate(problem.fleet) if vt.count > 0]
    type_vehicles = [[int(v) for v in np.flatnonzero(data.vehicle_type == t)] for t in used]
    costs = _costs(data, objective, cost_arrays)
    relaxed += costs.notes
    amounts, caps, _ = _load_dimensions(data)
    vtypes, dist_mats, dur_mats, any_forbidden = _vehicle_types(data, places, costs, caps, used, type_vehicles)
    if any_forbidden:
        relaxed.append("vehicle-order incompatibility as prohibitive arc lengths per vehicle type")
    vis = _visits(data, places, amounts, costs.prize, multi_windows)
    orders = problem.orders
    if vis.span_windows:
        relaxed.append("multiple time windows → their span" + (" (paired orders)" if multi_windows == "groups" else ""))
    if (data.shelf >= 0).any():
        relaxed.append("shelf life ignored")
    if (data.ride != data.shelf).any():
        relaxed.append("time out of refrigeration ignored")
    if any(o.soft for o in orders):
        relaxed.append("soft time windows treated as hard")
    if any(vt.max_tasks is not None or vt.max_travel_time is not None for vt in problem.fleet):
        relaxed.append("max_tasks and max_travel_time left to OR-Tools")
    if any(vt.max_trips > 1 for vt in problem.fleet if vt.count):
        # PyVRP's reload depots would give routes with depot returns that OR-Tools cannot read as a seed:
        # single-trip routes are a valid start, the trips are OR-Tools' (see OrtoolsModel)
        relaxed.append("several trips per vehicle left to OR-Tools")
    duty = duty_plan(data)
    if any((vt.breaks or duty[t].rests) for t, vt in enumerate(problem.fleet) if vt.count):
        relaxed.append("drivers' breaks and the continuous-driving rule ignored")
    assert problem.matrix is not None, "a Problem always has a travel matrix once built"
    ids = problem.matrix.ids
    depots = [pyvrp.Depot(location=d, name=str(ids[int(r)])) for d, r in enumerate(places.depot_rows)]
    locations = [pyvrp.Location(0.0, 0.0, name=str(ids[int(r)])) for r in places.depot_rows] + [
        pyvrp.Location(0.0, 0.0, name=o.id) for o in orders
    ]
    # pyvrp's stubs spell the matrices' shape as int, not a shape tuple
    dists: list[Any] = dist_mats
    durs: list[Any] = dur_mats
    pdata = pyvrp.ProblemData(locations, vis.clients, depots, vtypes, dists, durs, vis.groups, vis.shipments)
    required = data.required.copy()
    for p, d in data.dead_pairs:  # left out by the model: their absence does not make a solution infeasible
        required[p] = required[d] = False
    kind = np.array(
        [0 if i in vis.partner else (1 if o.kind == "pickup" else -1) for i, o in enumerate(orders)], dtype=np.int64
    )
    return PyVRPInstance(
        data=pdata,
        n_vehicles=data.n_vehicles,
        client_order=np.asarray(vis.client_order, dtype=np.int64),
        shipment_orders=vis.shipment_orders,
        type_vehicles=type_vehicles,
        required=required,
        scale=costs.scale,
        divisor=costs.divisor,
        relaxed=relaxed,
        span_windows=vis.span_windows,
        ride=data.ride[used].copy(),
        order_kind=kind,
        n_orders=n,
    )
