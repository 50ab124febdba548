"""PyVRP engine: a fast routing skeleton from PyVRP's iterated local search.

The engine translates :class:`~logistics.solvers.arrays.SolverData` into a
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
  PyVRP shipments (same vehicle, pickup first);
* several time windows of an unpaired order: one client per window in a
  mutually exclusive client group (exactly one of them is visited);
* optional orders: optional clients whose prize is the order's penalty;
* speed factors: per-type duration matrices (routing profiles);
* orders a type cannot carry: that type's profile makes arcs into them longer
  than any feasible route, and its maximum distance excludes such routes.

What is relaxed (listed in :attr:`EngineResult.relaxed`): shelf life, soft
time windows (kept hard), several windows of paired orders (their span) and,
for the cost objective, whatever is not linear in distance and route
duration: with the OR-Tools engine's ``CostArrays`` (arc costs with fuel and
door-open refrigeration, span and fixed costs) only freshness decay and
soft-window lateness are left out; from the fleet alone, only vehicle rates.
Shelf life and relaxed windows are checked on PyVRP's schedule afterwards
(:attr:`EngineResult.violations`).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

if __package__:  # also runs as a bare worker script (see _Worker), which needs only the search half
    from logistics.engine.solvers.arrays import (
        COST_CAP,
        COST_SCALE,
        QTY_SCALE,
        RATE_CAP,
        SolverData,
        cost_units,
    )

__all__ = [
    "EngineResult",
    "PyVRPInstance",
    "build_instance",
    "run_instance",
    "solve_pyvrp",
    "solve_pyvrp_parallel",
    "solve_pyvrp_portfolio",
]

_SCALES = (1, 10, 100, 1000)
_UNREACHABLE = 1 << 40  # matrix entries from here on mean "no way"; PyVRP's own limit is 2**44


def _clip(a: np.ndarray) -> np.ndarray:
    """A fresh int64 matrix with entries capped and a zero diagonal, as PyVRP requires."""
    out = np.minimum(a, _UNREACHABLE).astype(np.int64)
    np.fill_diagonal(out, 0)
    return out


@dataclass
class EngineResult:
    """An engine's routing skeleton.

    ``routes[v]`` lists the order indices vehicle ``v`` visits, in order (empty:
    unused).  ``cost`` is PyVRP's objective in OR-Tools objective units (cost
    units, or distance units for the distance objective), dropped orders'
    penalties included.  ``feasible`` means feasible for the model PyVRP
    solved with every required order served; ``relaxed`` names what that
    model relaxed or encoded approximately and ``violations`` lists checks of
    relaxed constraints that the routes fail (OR-Tools has to repair those).
    """

    routes: list[list[int]]
    cost: float
    feasible: bool
    relaxed: list[str]
    unserved: list[int] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    seed: int = 0
    iterations: int = 0
    runtime: float = 0.0

    @property
    def n_routes(self) -> int:
        return sum(1 for r in self.routes if r)


@dataclass
class PyVRPInstance:
    """A PyVRP model of a SolverData plus what maps its answers back (picklable)."""

    data: Any  # pyvrp.ProblemData
    n_vehicles: int
    client_order: np.ndarray  # PyVRP client index -> order index
    shipment_orders: list[tuple[int, int]]  # PyVRP shipment index -> (pickup order, delivery order)
    type_vehicles: list[list[int]]  # PyVRP vehicle type -> vehicle indices of that fleet type
    required: np.ndarray  # (n_orders,) bool
    scale: int  # PyVRP costs are objective units x scale
    relaxed: list[str]
    span_windows: dict[int, list[tuple[int, int]]]  # orders whose windows were relaxed to their span
    shelf: np.ndarray  # (n_orders,) seconds, -1 unlimited
    order_kind: np.ndarray  # (n_orders,) +1 pickup, -1 delivery, 0 paired
    n_orders: int


# --------------------------------------------------------------------------- build


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
    arc: list  # (T,) None or an (N, N) arc-cost matrix over routing nodes
    prize: np.ndarray  # (n_orders,) per dropped order
    scale: int  # all of the above are objective units x scale
    notes: list[str]


def _as_dict(cost_arrays: Any) -> dict:
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
    arc: list = [None] * T
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
        notes.append("freshness and soft-window lateness costs not modelled")
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
    return _Costs(
        cost_units(fixed * scale, COST_CAP),
        cost_units(per_m * scale, RATE_CAP),
        cost_units(per_s * scale, RATE_CAP),
        arc,
        cost_units(penalty * scale, COST_CAP),
        scale,
        notes,
    )


def build_instance(
    data: SolverData, objective: str | None = None, cost_arrays: Any = None, multi_windows: str = "groups"
) -> PyVRPInstance:
    """The PyVRP model of ``data``.

    ``objective`` defaults to the problem's.  ``cost_arrays`` (cost objective
    only) is the OR-Tools engine's ``CostArrays`` (its arc matrices, span and
    fixed costs are used) or a dict overriding, per fleet type and in objective
    units: ``arc`` ((T, N, N) arc costs over routing nodes), ``fixed_cost``
    (per vehicle used), ``unit_distance_cost`` (per metre),
    ``unit_duration_cost`` (per second of route duration), and ``penalty``
    ((n_orders,) per dropped order).  ``multi_windows``: ``"groups"`` (exact,
    one client per window) or ``"span"``.
    """
    import pyvrp

    problem = data.problem
    objective = objective or problem.objective
    fleet = problem.fleet
    n = data.n_orders
    V = data.n_vehicles
    relaxed: list[str] = []

    # -- locations: distinct depot places first, then one location per order ------------------
    dnodes = np.concatenate([data.starts, data.ends])
    drows = data.loc[dnodes]
    _, first = np.unique(drows, return_index=True)
    first = np.sort(first)
    depot_rows = drows[first]
    depot_nodes = dnodes[first]
    depot_of_row = {int(r): d for d, r in enumerate(depot_rows)}
    nD = len(depot_nodes)
    nodes = np.concatenate([depot_nodes, np.arange(n)])
    order_loc = nD + np.arange(n)
    ix = np.ix_(nodes, nodes)
    base_dist = _clip(data.distance[ix])

    # -- vehicle types ---------------------------------------------------------------------------
    used = [t for t, vt in enumerate(fleet) if vt.count > 0]
    type_vehicles = [[int(v) for v in np.flatnonzero(data.vehicle_type == t)] for t in used]
    costs = _costs(data, objective, cost_arrays)
    prize, scale = costs.prize, costs.scale
    relaxed += costs.notes
    amounts, caps, _ = _load_dimensions(data)

    # routing profiles: one per distinct (arc matrix, speed factor, forbidden orders)
    profiles: dict[tuple, int] = {}
    dist_mats: list[np.ndarray] = []
    dur_mats: list[np.ndarray] = []
    arc_ids: dict[int, int] = {}
    any_forbidden = False
    vtypes = []
    for j, t in enumerate(used):
        vt = fleet[t]
        forbid = ~data.allowed[t]
        a = costs.arc[t]
        if a is None:
            arc_id = -1
        else:
            arc_id = next((u for u in arc_ids if np.array_equal(costs.arc[u], a)), t)
            arc_ids.setdefault(arc_id, arc_id)
        key = (arc_id, vt.speed_factor, forbid.tobytes())
        dist = base_dist if a is None else _clip(a[ix])
        # longer than any route can really be in this profile
        bound = int(np.where(dist < _UNREACHABLE, dist, 0).max(axis=1).sum()) + 1
        if key not in profiles:
            profiles[key] = len(dist_mats)
            if forbid.any():
                any_forbidden = True
                dist = dist.copy()
                cols = order_loc[forbid]
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
        if vt.max_duration is not None:
            kw["shift_duration"] = int(vt.max_duration)
        vtypes.append(
            pyvrp.VehicleType(
                num_available=int(vt.count),
                capacity=[int(c) for c in caps[t]],
                start_depot=depot_of_row[int(data.loc[data.starts[v0]])],
                end_depot=depot_of_row[int(data.loc[data.ends[v0]])],
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
    if any_forbidden:
        relaxed.append("vehicle-order incompatibility as prohibitive arc lengths per vehicle type")

    # -- clients, groups and shipments ----------------------------------------------------------
    orders = problem.orders
    partner = {}
    for p, d in data.pairs:
        partner[p] = d
        partner[d] = p
    clients, client_order, groups = [], [], []
    span_windows: dict[int, list[tuple[int, int]]] = {}
    zeros = [0] * amounts.shape[1]
    for i, o in enumerate(orders):
        if i in partner:
            continue
        amt = [int(a) for a in amounts[i]]
        delivery, pickup = (amt, zeros) if o.kind == "delivery" else (zeros, amt)
        windows = data.windows[i]
        common = dict(
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
    for p, d in data.pairs:
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
    if span_windows:
        relaxed.append("multiple time windows → their span" + (" (paired orders)" if multi_windows == "groups" else ""))
    if (data.shelf >= 0).any():
        relaxed.append("shelf life ignored")
    if any(o.soft for o in orders):
        relaxed.append("soft time windows treated as hard")

    depots = [pyvrp.Depot(location=d, name=str(problem.matrix.ids[int(depot_rows[d])])) for d in range(nD)]
    locations = [pyvrp.Location(0.0, 0.0, name=str(problem.matrix.ids[int(r)])) for r in depot_rows] + [
        pyvrp.Location(0.0, 0.0, name=o.id) for o in orders
    ]
    pdata = pyvrp.ProblemData(locations, clients, depots, vtypes, dist_mats, dur_mats, groups, shipments)
    kind = np.array(
        [0 if i in partner else (1 if o.kind == "pickup" else -1) for i, o in enumerate(orders)], dtype=np.int64
    )
    return PyVRPInstance(
        data=pdata,
        n_vehicles=V,
        client_order=np.asarray(client_order, dtype=np.int64),
        shipment_orders=shipment_orders,
        type_vehicles=type_vehicles,
        required=data.required.copy(),
        scale=scale,
        relaxed=relaxed,
        span_windows=span_windows,
        shelf=data.shelf.copy(),
        order_kind=kind,
        n_orders=n,
    )


# --------------------------------------------------------------------------- solve


def run_instance(
    inst: PyVRPInstance,
    time_limit: float,
    seed: int = 0,
    max_iterations: int | None = None,
    deadline: float | None = None,
    history_length: int | None = None,
) -> EngineResult:
    """Solve a built instance.  ``deadline`` (a ``time.time()`` value) caps the run as well.

    ``history_length``: the late-acceptance history of PyVRP's iterated local
    search (PyVRP's default, 300, when None; see :func:`history_for`).
    """
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    t0 = time.time()
    if deadline is not None:
        time_limit = min(time_limit, deadline - t0)
    time_limit = max(float(time_limit), 0.01)
    stop = MaxRuntime(time_limit)
    if max_iterations is not None:
        stop = MultipleCriteria([MaxIterations(int(max_iterations)), stop])
    with warnings.catch_warnings():  # infeasibility shows in the result; PyVRP's warnings would only be noise
        warnings.simplefilter("ignore")
        kw = {}
        if history_length is not None:
            from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams
            from pyvrp.solve import SolveParams

            kw["params"] = SolveParams(ils=IteratedLocalSearchParams(history_length=int(history_length)))
        res = pyvrp.solve(inst.data, stop, seed=int(seed), collect_stats=False, display=False, **kw)
    out = _to_result(inst, res.best)
    out.seed = int(seed)
    out.iterations = int(res.num_iterations)
    out.runtime = time.time() - t0
    return out


def _to_result(inst: PyVRPInstance, sol) -> EngineResult:
    from pyvrp import ActivityType

    routes: list[list[int]] = [[] for _ in range(inst.n_vehicles)]
    next_free = [0] * len(inst.type_vehicles)
    served = np.zeros(inst.n_orders, dtype=bool)
    starts = {}
    violations: list[str] = []
    for r in sol.routes():
        j = r.vehicle_type()
        v = inst.type_vehicles[j][next_free[j]]
        next_free[j] += 1
        seq = []
        depart = None
        for act in r.schedule():
            if act.type == ActivityType.DEPOT:
                if depart is None:
                    depart = act.end_time
                continue
            if act.type == ActivityType.CLIENT:
                i = int(inst.client_order[act.idx])
            elif act.type == ActivityType.PICKUP:
                i = inst.shipment_orders[act.idx][0]
            else:
                i = inst.shipment_orders[act.idx][1]
            seq.append(i)
            served[i] = True
            starts[i] = (act.start_time, depart, r.end_time())
        routes[v] = seq
    # checks of what the model relaxed, on PyVRP's schedule
    for i, wins in inst.span_windows.items():
        if i in starts and not any(a <= starts[i][0] <= b for a, b in wins):
            violations.append(f"order {i}: service at {starts[i][0]} outside its windows")
    for i in np.flatnonzero(inst.shelf >= 0):
        if i not in starts:
            continue
        s, depart, end = starts[i]
        if inst.order_kind[i] < 0 and s - depart > inst.shelf[i]:
            violations.append(f"order {i}: {s - depart} s from depot exceeds shelf life {inst.shelf[i]} s")
        elif inst.order_kind[i] > 0 and end - s > inst.shelf[i]:
            violations.append(f"order {i}: {end - s} s to the depot exceeds shelf life {inst.shelf[i]} s")
    for p, d in inst.shipment_orders:
        if p in starts and d in starts and inst.shelf[p] >= 0 and starts[d][0] - starts[p][0] > inst.shelf[p]:
            violations.append(f"orders {p}->{d}: transit exceeds shelf life {inst.shelf[p]} s")
    unserved = [int(i) for i in np.flatnonzero(~served)]
    cost = sol.distance_cost() + sol.duration_cost() + sol.fixed_vehicle_cost() + sol.uncollected_prizes()
    feasible = bool(sol.is_feasible() and sol.is_complete() and served[inst.required].all())
    return EngineResult(
        routes=routes,
        cost=cost / inst.scale,
        feasible=feasible,
        relaxed=list(inst.relaxed),
        unserved=unserved,
        violations=violations,
    )


def solve_pyvrp(
    data: SolverData,
    time_limit: float,
    seed: int = 0,
    objective: str = "cost",
    cost_arrays: Any = None,
    max_iterations: int | None = None,
    multi_windows: str = "groups",
) -> EngineResult:
    """Routes for ``data`` from PyVRP in about ``time_limit`` seconds (model building included).

    ``objective``: ``"cost"`` or ``"distance"``; the problem's own objective
    wins when it is ``"distance"``.  ``max_iterations`` additionally bounds the
    search (runs bounded by iterations alone are reproducible for a seed).
    """
    t0 = time.time()
    if data.problem.objective == "distance":
        objective = "distance"
    if data.n_orders == 0:
        return EngineResult(routes=[[] for _ in range(data.n_vehicles)], cost=0.0, feasible=True, relaxed=[], seed=seed)
    inst = build_instance(data, objective, cost_arrays, multi_windows)
    return run_instance(inst, time_limit - (time.time() - t0), seed, max_iterations)


def solve_pyvrp_parallel(
    data: SolverData,
    time_limit: float,
    seeds: Sequence[int] = (0, 1),
    objective: str = "cost",
    cost_arrays: Any = None,
    max_iterations: int | None = None,
    multi_windows: str = "groups",
) -> EngineResult:
    """:func:`solve_pyvrp` with one seed per process; the best result wins.

    The first seed runs in this process, the others in fresh interpreters
    that receive only the pickled PyVRP model, never the Problem.  Fresh interpreters rather than a
    multiprocessing pool: a spawned pool re-imports the caller's main module,
    which runs an unguarded script's top level a second time.  Best: feasible
    first, then lowest cost, then fewest routes, then seed order.
    """
    t0 = time.time()
    deadline = t0 + time_limit
    if data.problem.objective == "distance":
        objective = "distance"
    seeds = [int(s) for s in seeds] or [0]
    if data.n_orders == 0 or len(seeds) == 1:
        return solve_pyvrp(data, time_limit, seeds[0], objective, cost_arrays, max_iterations, multi_windows)
    inst = build_instance(data, objective, cost_arrays, multi_windows)
    payload = pickle.dumps(dict(vars(inst)), protocol=pickle.HIGHEST_PROTOCOL)
    workers = []
    for s in seeds[1:]:
        try:
            workers.append(_Worker(payload, time_limit, s, max_iterations, deadline))
        except OSError:
            pass
    results = [run_instance(inst, time_limit, seeds[0], max_iterations, deadline)]
    for w in workers:
        r = w.result(deadline + 1.0)
        if r is not None:
            results.append(r)
    return min(results, key=lambda r: (not r.feasible, r.cost, r.n_routes, seeds.index(r.seed)))


def solve_pyvrp_portfolio(
    data: SolverData,
    costs: Any,
    time_limit: float,
    seed: int = 0,
    iterations: int | None = None,
    parallel: bool | None = None,
    *,
    exact_time_limit: float | None = None,
) -> EngineResult | None:
    """The skeleton for the portfolio: ``costs`` are the OR-Tools engine's CostArrays.

    ``time_limit`` (seconds from the call, model building included) is
    PyVRP's share when its model relaxes part of the problem;
    ``exact_time_limit`` (default: ``time_limit``) applies instead when it
    models the problem exactly (:func:`models_exactly`), so the caller can
    give PyVRP nearly all the time there and keep a share for OR-Tools where
    it has something to repair.

    Seeds ``seed`` and ``seed + 1`` run in two processes when the run is long
    enough to pay for starting a second interpreter and a second core is
    free (:func:`_spare_core`); with ``iterations`` (reproducible runs) the
    choice follows ``os.cpu_count()`` alone, so that it does not depend on
    the load.  ``parallel`` forces the choice.  Time-bounded runs use a
    late-acceptance history scaled to the run's expected length
    (:func:`history_for`); iteration-bounded ones keep PyVRP's defaults.
    Returns None when there is nothing to route.
    """
    t0 = time.time()
    if data.n_orders == 0 or data.n_vehicles == 0:  # nothing to route (PyVRP needs a vehicle and a depot)
        return None
    objective = "distance" if data.problem.objective == "distance" else "cost"
    inst = build_instance(data, objective, costs)
    limit = time_limit
    if exact_time_limit is not None and models_exactly(inst.relaxed, data, costs):
        limit = exact_time_limit
    deadline = t0 + limit
    if parallel is None:  # with an iteration bound the choice must not depend on the machine's load
        parallel = limit >= _MIN_PARALLEL_S and (
            (os.cpu_count() or 1) >= 2 if iterations is not None else _spare_core()
        )
    seeds = [int(seed), int(seed) + 1] if parallel else [int(seed)]
    # iteration-bounded runs keep PyVRP's own defaults: they reproduce plain PyVRP runs of the same seed
    history = None if iterations is not None else history_for(data.n_orders, deadline - time.time())
    return _run_seeds(inst, deadline, seeds, iterations, history)


_ITERS_PER_S_X_ORDERS = 300_000  # PyVRP iterations per second times orders (measured 70k-600k, Solomon to X)


def history_for(n_orders: int, seconds: float) -> int:
    """The late-acceptance history for a run of about ``seconds`` on ``n_orders`` orders.

    PyVRP's default history of 300 iterations suits long runs; when a run
    can afford only a few dozen iterations per order it keeps accepting worse
    solutions for too long.  Measured at equal iterations (two seeds each, 29
    Solomon, Homberger 200/400 and X 100-400 instances, the iterations ~9 s
    give: 6k-21k): mean gaps 1.02 / 0.85 / 0.86 % for histories 300 / 100 /
    40-50, the gain coming from instances with fewer than ~40 iterations per
    order (400 customers, or routes of many stops) while 200-customer
    instances (55-80 per order) tie; at 3,000 iterations on 400 customers
    (7.5 per order): 3.44 / 2.35 / 1.85 % for 300 / 100 / 40.  So the history
    is four times the expected iterations per order, between 20 and 300; the
    expected iterations are an estimate from the time and the size (not the
    load, so that the choice is reproducible).
    """
    n = max(n_orders, 1)
    expected = _ITERS_PER_S_X_ORDERS * max(seconds, 0.0) / n
    return int(min(300, max(20, round(4 * expected / n))))


_COST_NOTE = "freshness and soft-window lateness costs not modelled"


def models_exactly(relaxed: Sequence[str], data: SolverData, costs: Any = None) -> bool:
    """Whether PyVRP's model of ``data`` is the full model (nothing in ``relaxed`` matters).

    The note that freshness and lateness costs are left out is void when no
    order decays (``costs.decay_per_s`` all zero) and no order has a soft
    window; every other entry of :attr:`EngineResult.relaxed` counts.
    """
    rest = list(relaxed)
    if _COST_NOTE in rest:
        decay = getattr(costs, "decay_per_s", None)
        no_decay = decay is not None and not np.any(decay)
        if no_decay and not any(o.soft for o in data.problem.orders):
            rest.remove(_COST_NOTE)
    return not rest


def _run_seeds(
    inst: PyVRPInstance, deadline: float, seeds: list[int], iterations: int | None, history: int | None = None
) -> EngineResult:
    """Each seed on a built instance until ``deadline`` (``time.time()``); the first here, the others in workers.

    Without an iteration bound a worker that has not answered shortly after
    the deadline is dropped (the caller's time limit wins); with one, the
    run waits for it so that the choice stays reproducible.
    """
    workers = []
    if len(seeds) > 1:
        payload = pickle.dumps(dict(vars(inst)), protocol=pickle.HIGHEST_PROTOCOL)
        for s in seeds[1:]:
            try:
                workers.append(_Worker(payload, deadline - time.time(), s, iterations, deadline, history))
            except OSError:
                pass
    results = [run_instance(inst, deadline - time.time(), seeds[0], iterations, deadline, history)]
    grace = 1.0 if iterations is not None else _WORKER_GRACE_S
    for w in workers:
        r = w.result(deadline + grace)
        if r is not None:
            results.append(r)
    return min(results, key=lambda r: (not r.feasible, r.cost, r.n_routes, seeds.index(r.seed)))


# --------------------------------------------------------------------------- worker processes

_MIN_PARALLEL_S = 2.0  # below this a second interpreter (~0.5 s to import PyVRP) does not pay
_WORKER_GRACE_S = 0.3  # how long past the deadline a worker's answer is awaited
_SAMPLE_S = 0.05  # how long CPU use is sampled before deciding on a second seed
_BUSY_MAX = 0.5  # cores that other processes may keep busy for a second seed to pay


def _spare_core() -> bool:
    """Whether a second seed would have a core to itself: two cores and next to nothing else running.

    A second seed on a busy machine only slows the first (on two cores with
    one other busy process both seeds get ~65 % of a core: measured, worse
    than one seed at full speed).  The test samples ``/proc/stat`` for
    ``_SAMPLE_S`` while this process sleeps, so it sees what others run now
    (the one-minute load average would count this process's own earlier
    runs); without ``/proc/stat`` it falls back to the load average.
    """
    cores = _cores()
    if cores < 2:
        return False
    busy = _busy_cores(_SAMPLE_S)
    if busy is None:
        try:
            busy = os.getloadavg()[0]
        except OSError:
            return True
    return busy <= _BUSY_MAX


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _busy_cores(window: float) -> float | None:
    """Cores busy (not idle, not waiting for I/O) on average over ``window`` seconds, from /proc/stat."""

    def sample():
        with open("/proc/stat") as f:
            vals = [int(x) for x in f.readline().split()[1:]]
        return sum(vals[:8]), vals[3] + (vals[4] if len(vals) > 4 else 0)

    try:
        total0, idle0 = sample()
        time.sleep(window)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    dt = total1 - total0
    if dt <= 0:
        return None
    return (os.cpu_count() or 1) * (1.0 - (idle1 - idle0) / dt)


class _Worker:
    """One seed in a fresh interpreter; the pickled model goes in on stdin, the result comes back on stdout.

    The interpreter runs this file as an isolated script (``python -I``): it
    imports PyVRP and numpy only, not the package, which matters on a busy
    machine; model and result travel as plain field dicts.
    """

    def __init__(
        self,
        payload: bytes,
        time_limit: float,
        seed: int,
        max_iterations: int | None,
        deadline: float,
        history_length: int | None = None,
    ):
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        header = pickle.dumps(
            (time_limit, seed, max_iterations, deadline, history_length), protocol=pickle.HIGHEST_PROTOCOL
        )
        self._writer = threading.Thread(target=self._feed, args=(header + payload,), daemon=True)
        self._writer.start()

    def _feed(self, blob: bytes) -> None:
        try:
            self.proc.stdin.write(blob)
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    def result(self, wait_until: float) -> EngineResult | None:
        self._writer.join(timeout=max(0.5, wait_until - time.time()))
        try:
            if self._writer.is_alive():
                raise subprocess.TimeoutExpired(self.proc.args, 0)
            self.proc.stdin = None  # written and closed by the feeding thread
            out, _ = self.proc.communicate(timeout=max(0.5, wait_until - time.time()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            return None
        if self.proc.returncode != 0 or not out:
            return None
        try:
            return EngineResult(**pickle.loads(out))
        except Exception:
            return None


def _worker_main() -> None:
    stdin = sys.stdin.buffer
    time_limit, seed, max_iterations, deadline, history_length = pickle.load(stdin)
    inst = PyVRPInstance(**pickle.load(stdin))
    res = run_instance(inst, time_limit, seed, max_iterations, deadline, history_length)
    sys.stdout.buffer.write(pickle.dumps(dict(vars(res)), protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _worker_main()
