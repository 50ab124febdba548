"""Where a 2E-CVRP plan starts: customers to satellites, and the freighter splits to try.

The tiered planner of [solve_2evrp][logistics.planners.twoechelon.solve_2evrp] plans
from an assignment of customers to satellites.  This module makes those
assignments: nearest satellite repaired to the freighter limits
([assign_customers][logistics.planners.twoechelon_starts.assign_customers]), one
multi-depot solve of every satellite's freighters
([mdvrp_assignment][logistics.planners.twoechelon_starts.mdvrp_assignment]), and one
multi-depot solve per split of the freighters over the satellites
([freighter_splits][logistics.planners.twoechelon_starts.freighter_splits],
[split_starts][logistics.planners.twoechelon_starts.split_starts]), which sees the
overall freighter limit that binds on Set2 and Set3.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from logistics.core.costs import CostModel
from logistics.core.model import GOODS, Compartment, Order, VehicleType
from logistics.core.options import SolveOptions, resolve_options
from logistics.core.problem import Problem
from logistics.core.shares import (
    MAX_SPLIT_SATELLITES,
    MAX_SPLITS,
    SPLIT_FINALISTS,
    SPLIT_FLOOR_S,
    SPLIT_SCREEN_CAP_S,
    SPLIT_SCREEN_ITERATIONS,
    SPLIT_SCREEN_SHARE,
)
from logistics.core.twoechelon import SCALE, TwoEchelonInstance
from logistics.core.units import Zone
from logistics.engine.solve import solve
from logistics.planners.tiers import Layout
from networks import TravelMatrix

#: Freighter routes as (satellite, node ids from the satellite back to it).
Routes = list[tuple[str, list[str]]]

__all__ = [
    "Routes",
    "assign_customers",
    "customer_orders",
    "freighter_splits",
    "freighter_type",
    "layout_of",
    "mdvrp_assignment",
    "split_starts",
    "zero_costs",
]


def assign_customers(
    inst: TwoEchelonInstance, start: dict[str, str] | None = None
) -> tuple[dict[str, str], dict[str, int]]:
    """Customers to satellites (``start``, else the nearest; then greedy repair) and freighters per satellite.

    Repair: while the satellites need more freighters than allowed (``ceil(freight /
    capacity)`` each, at most ``cf_per_satellite``, at most ``cf_count`` overall),
    empty one freighter's worth from the satellite where moving customers to
    satellites with room costs the least extra distance.  Spare freighters go to
    the fullest satellites.

    Parameters
    ----------
    inst
        The instance.
    start
        Customer → satellite to start from (unknown ids ignored); default the nearest satellite.

    Returns
    -------
    tuple of dict
        Customer → satellite, and satellite → number of freighters.
    """
    ids = inst.ids()
    k = inst.n_satellites
    d = inst.distance()
    sat_ix = list(range(1, k + 1))
    cix = list(range(k + 1, k + 1 + inst.n_customers))
    Q = inst.cf_capacity
    dem = {ids[i]: float(inst.demand[i - k - 1]) for i in cix}
    dist = {(ids[s], ids[c]): float(d[s, c]) for s in sat_ix for c in cix}
    sats = [ids[s] for s in sat_ix]
    assign = {ids[c]: min(sats, key=lambda s: (dist[(s, ids[c])], s)) for c in cix}
    if start is not None:
        assign.update({c: s for c, s in start.items() if c in assign and s in sats})

    def load(s: str) -> float:
        return sum(dem[c] for c, x in assign.items() if x == s)

    def need(s: str) -> int:
        return math.ceil(load(s) / Q - 1e-9)

    for _ in range(inst.n_customers * 4):
        needs = {s: need(s) for s in sats}
        over = sum(needs.values()) > inst.cf_count or any(n > inst.cf_per_satellite for n in needs.values())
        if not over:
            break
        best = None
        for s in sats:
            if needs[s] == 0:
                continue
            excess = load(s) - (needs[s] - 1) * Q
            room = {t: min(needs[t], inst.cf_per_satellite) * Q - load(t) for t in sats if t != s}
            moves, extra, moved = [], 0.0, 0.0
            cands = sorted(
                (min(((dist[(t, c)] - dist[(s, c)]), t) for t in room), c) for c, x in assign.items() if x == s
            )
            for (delta, _), c in cands:
                if moved >= excess - 1e-9:
                    break
                opts = [(dist[(t, c)] - dist[(s, c)], t) for t in room if room[t] >= dem[c] - 1e-9]
                if not opts:
                    continue
                dd, t = min(opts)
                room[t] -= dem[c]
                moves.append((c, t))
                extra += dd
                moved += dem[c]
            if moved >= excess - 1e-9 and (best is None or extra < best[0]):
                best = (extra, moves)
        if best is None:
            break
        for c, t in best[1]:
            assign[c] = t
    counts = {s: min(inst.cf_per_satellite, max(0, need(s))) for s in sats}
    spare = inst.cf_count - sum(counts.values())
    while spare > 0:
        open_ = [s for s in sats if counts[s] < inst.cf_per_satellite and load(s) > 0]
        if not open_:
            break
        s = max(open_, key=lambda s: (load(s) / max(counts[s], 1) / Q, s))
        counts[s] += 1
        spare -= 1
    return assign, counts


def layout_of(inst: TwoEchelonInstance, assign: dict[str, str]) -> Layout:
    """The instance as a tier layout: depot ``D`` the hub, satellites ``S<k>`` stations, customers villages.

    Parameters
    ----------
    inst
        The instance.
    assign
        Customer → satellite (the villages' stations).

    Returns
    -------
    Layout
        Distances scaled by ``SCALE`` and rounded; durations zero.
    """
    ids = inst.ids()
    d = np.rint(inst.distance() * SCALE).astype(np.int64)
    tm = TravelMatrix(tuple(ids), d, np.zeros_like(d), synthetic=False, source=f"euclidean x{SCALE} ({inst.name})")
    xy = inst.xy()
    coords = {k: (float(x), float(y)) for k, (x, y) in zip(ids, xy)}
    stations = tuple(f"S{k + 1}" for k in range(inst.n_satellites))
    return Layout(hub="D", stations=stations, parent=dict(assign), matrix=tm, coords=coords)


def zero_costs() -> CostModel:
    """Distance and fixed costs only: no fuel, carbon, refrigeration or window terms.

    Returns
    -------
    CostModel
        The cost model of every 2E-CVRP leg.
    """
    return CostModel(
        diesel_price=0.0,
        carbon_price=0.0,
        reefer_drive_per_h=0.0,
        reefer_door_per_h=0.0,
        early_per_h=0.0,
        late_per_h=0.0,
    )


def customer_orders(inst: TwoEchelonInstance) -> list[Order]:
    """One order per customer, ``c<j>`` at node ``c<j>``, its demand as goods.

    Parameters
    ----------
    inst
        The instance.

    Returns
    -------
    list of Order
        In customer order.
    """
    return [Order(f"c{j + 1}", {"goods": float(inst.demand[j])}, node_id=f"c{j + 1}") for j in range(inst.n_customers)]


def freighter_type(inst: TwoEchelonInstance, name: str, satellite: str, count: int) -> VehicleType:
    """``count`` city freighters of the instance based at ``satellite``.

    Parameters
    ----------
    inst
        The instance (capacity, costs).
    name
        Name of the vehicle type.
    satellite
        Where they start and end.
    count
        How many.

    Returns
    -------
    VehicleType
        One ambient compartment of the freighter capacity.
    """
    return VehicleType(
        name,
        count,
        (Compartment(Zone.AMBIENT, inst.cf_capacity),),
        start_depot=satellite,
        cost_per_km=inst.cf_cost,
        fixed_cost=inst.cf_fixed,
        refrigerated=False,
        max_driving_h=None,  # a benchmark instance has no drivers' rules
    )


def mdvrp_assignment(
    inst: TwoEchelonInstance,
    time_limit: float | None = None,
    seed: int | None = None,
    iterations: int | None = None,
    *,
    options: SolveOptions | None = None,
    engine: str | None = None,
) -> dict[str, str]:
    """Customers to satellites as a multi-depot VRP of the second level assigns them.

    Nearest-satellite assignment ignores how customers group into freighter
    routes; solving the city freighters of all satellites as one multi-depot
    problem (each satellite its ``cf_per_satellite`` freighters) lets the
    routing decide which satellite serves whom.  The trunk is left out, so this
    is one start among others, not the answer.

    Parameters
    ----------
    inst
        The instance.
    options
        Time limit, seed, engine and iterations of the one solve.
    time_limit, seed, iterations, engine
        Shortcuts for the fields of ``options``.

    Returns
    -------
    dict
        Customer id → satellite id, for every customer the solve served.
    """
    opts = resolve_options(options, time_limit=time_limit, seed=seed, iterations=iterations, engine=engine)
    counts = {f"S{k + 1}": inst.cf_per_satellite for k in range(inst.n_satellites)}
    return _second_level(inst, counts, opts)[0]


def _second_level(
    inst: TwoEchelonInstance, counts: dict[str, int], options: SolveOptions
) -> tuple[dict[str, str], float, Routes]:
    """One multi-depot solve of the city freighters, ``counts[s]`` of them at satellite ``s``.

    Returns customer -> satellite for the customers served, the exact cost of the routes and the routes.
    """
    layout = layout_of(inst, {})
    fleet = [freighter_type(inst, f"cf@{s}", s, n) for s, n in counts.items() if n > 0]
    problem = Problem(
        tuple(customer_orders(inst)),
        tuple(fleet),
        matrix=layout.matrix,
        products={"goods": GOODS},
        costs=zero_costs(),
        strict=False,
        name=f"{inst.name} second level",
    )
    plan = solve(problem, options=options)
    pos = {k: i for i, k in enumerate(inst.ids())}
    d = inst.distance()
    assign: dict[str, str] = {}
    cost = 0.0
    routes: Routes = []
    for _, g in plan.stops.groupby("vehicle", sort=True):
        g = g.sort_values("seq")
        nodes = [str(x) for x in g["node_id"]]
        served = [str(x) for x in g["order_id"].dropna()]
        if not served:
            continue
        assign.update(dict.fromkeys(served, nodes[0]))
        cost += inst.cf_fixed + inst.cf_cost * sum(float(d[pos[a], pos[b]]) for a, b in zip(nodes, nodes[1:]))
        routes.append((nodes[0], nodes))
    return assign, cost, routes


def _vectors(k: int, top: int, most: int) -> Iterator[tuple[int, ...]]:
    """Every ``k``-tuple of counts in ``0..top`` summing to at most ``most``."""
    if k == 0:
        yield ()
        return
    for first in range(min(top, most) + 1):
        for rest in _vectors(k - 1, top, most - first):
            yield (first, *rest)


def freighter_splits(
    inst: TwoEchelonInstance, near: dict[str, int] | None = None, limit: int = MAX_SPLITS
) -> list[dict[str, int]]:
    """Ways to spread the city freighters over the satellites worth a multi-depot solve each.

    How many freighters each satellite gets decides most of a plan's cost when the
    fleet is tight (Set2/Set3: 4 or 5 freighters for 3.7-4.9 loads of freight), and
    an unconstrained multi-depot solve cannot see the overall limit.  Every split
    with enough capacity for the freight, at most ``cf_per_satellite`` per satellite
    and ``cf_count`` in all, is a candidate; the ``limit`` closest to ``near`` (the
    nearest-satellite counts) are kept, ties in tuple order.

    Parameters
    ----------
    inst
        The instance.
    near
        Satellite -> freighters to rank the splits by (default: those of
        [assign_customers][logistics.planners.twoechelon_starts.assign_customers]).
    limit
        Most splits returned.

    Returns
    -------
    list of dict
        Satellite -> number of freighters, closest first; empty above
        ``MAX_SPLIT_SATELLITES`` satellites.
    """
    k = inst.n_satellites
    if k > MAX_SPLIT_SATELLITES or limit <= 0:
        return []
    sats = [f"S{i + 1}" for i in range(k)]
    near = near if near is not None else assign_customers(inst)[1]
    least = max(1, math.ceil(float(inst.demand.sum()) / inst.cf_capacity - 1e-9))
    vecs = [v for v in _vectors(k, min(inst.cf_per_satellite, inst.cf_count), inst.cf_count) if sum(v) >= least]
    vecs.sort(key=lambda v: (sum(abs(n - near.get(s, 0)) for s, n in zip(sats, v)), v))
    return [dict(zip(sats, v)) for v in vecs[:limit]]


def split_starts(
    inst: TwoEchelonInstance, splits: list[dict[str, int]], options: SolveOptions, finalists: int = SPLIT_FINALISTS
) -> list[tuple[float, dict[str, int], dict[str, str], Routes]]:
    """Solve the city freighters as a multi-depot problem per split; the cheapest ``finalists`` again, longer.

    Every split gets a short solve to rank it: ``SPLIT_SCREEN_ITERATIONS`` iterations
    in one process, within ``SPLIT_SCREEN_SHARE`` of the time shared evenly but at
    least ``SPLIT_SCREEN_CAP_S`` each, so that the ranking does not depend on the
    machine's load.  The ``finalists`` best are solved again with the rest of the
    time (the better of the two solves is kept), since on Set2a a 0.6 s solve of the
    right split is 8 % above what a 1 s one reaches.  The rank adds to the freighters'
    cost what trucks would pay to bring each satellite its freight on out-and-back
    trips shared by load (``2 d(depot, s) load / truck capacity``): enough to rank
    splits, not a plan.

    Parameters
    ----------
    inst
        The instance.
    splits
        Satellite -> freighters, as
        [freighter_splits][logistics.planners.twoechelon_starts.freighter_splits] gives them.
    options
        Time limit for all the solves together, seed and engine.
    finalists
        How many splits are solved again and returned.

    Returns
    -------
    list of tuple
        ``(estimate, split, customer -> satellite, freighter routes)``, cheapest first, for the
        finalists whose solve served every customer.
    """
    budget = options.budget()
    screen = options.time_limit * SPLIT_SCREEN_SHARE if len(splits) > finalists else 0.0
    ranked = []  # (estimate, order, split, assignment, routes) of each ranking solve
    for i, counts in enumerate(splits if screen else []):
        limit = max((screen - budget.elapsed()) / (len(splits) - i), SPLIT_SCREEN_CAP_S)
        quick = options.merged(time_limit=limit, iterations=SPLIT_SCREEN_ITERATIONS, workers=1)
        found = _split_estimate(inst, counts, quick)
        if found is not None:
            ranked.append((found[0], i, counts, found[1], found[2]))
    ranked.sort(key=lambda t: (t[0], t[1]))
    chosen = ranked if screen else [(math.inf, i, counts, {}, []) for i, counts in enumerate(splits)]
    out = []
    for i, (est, _, counts, assign, routes) in enumerate(chosen[:finalists]):
        limit = max(budget.left() / (min(finalists, len(chosen)) - i), SPLIT_FLOOR_S)
        found = _split_estimate(inst, counts, options.merged(time_limit=limit))
        if found is not None and found[0] < est:  # a short re-solve can end above the ranking solve
            est, assign, routes = found
        if assign:
            out.append((est, i, counts, assign, routes))
    out.sort(key=lambda t: (t[0], t[1]))
    return [(est, counts, assign, routes) for est, _, counts, assign, routes in out]


def _split_estimate(
    inst: TwoEchelonInstance, counts: dict[str, int], options: SolveOptions
) -> tuple[float, dict[str, str], Routes] | None:
    """Estimated cost, customer -> satellite and routes of one split's solve; None if it left customers out."""
    assign, cost, routes = _second_level(inst, counts, options)
    if len(assign) < inst.n_customers:
        return None
    pos = {k: i for i, k in enumerate(inst.ids())}
    d = inst.distance()
    trunk = sum(
        2.0 * float(d[pos["D"], pos[s]]) * float(inst.demand[int(c[1:]) - 1]) / inst.truck_capacity
        for c, s in assign.items()
    )
    return cost + inst.truck_cost * trunk, assign, routes
