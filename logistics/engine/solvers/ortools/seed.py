"""Reading PyVRP's routes into the OR-Tools model, and repairing them when the model refuses them.

A seed the full model rejects (a route that breaks a shelf life or the driving rule PyVRP does not
model) is cut back by the earliest-start walk of [logistics.engine.reasons][], the orders cut are
put back where the walk fits them, and only then, should the model still refuse, is each route
read alone order by order.  [logistics.engine.solvers.ortools.search.polish][] searches from the
result.
"""

from __future__ import annotations

import time
from typing import Any

from logistics.engine.reasons import cut_back, partners, reinsert
from logistics.engine.solvers.arrays import COST_SCALE, SolverData
from logistics.engine.solvers.ortools.costs import CostArrays
from logistics.engine.solvers.ortools.model import OrtoolsModel
from logistics.engine.solvers.seeds import RELOAD, orders_of
from logistics.engine.walk import simulate

__all__ = ["load_seed", "whole_pairs"]


def load_seed(
    model: OrtoolsModel, routes: list[list[int]], deadline: float | None = None, walk_checks_all: bool = False
) -> tuple[Any, dict[str, Any]]:
    """An assignment of the closed ``model`` from order sequences per vehicle, repairing them if needed.

    When the full model rejects the routes (or, on a model of several trips, the simulation refuses
    one: reading it could take the whole read limit), each route is cut back to the orders it can keep
    (`logistics.engine.reasons.cut_back`), the orders cut are put back where the simulation finds
    them a place (`logistics.engine.reasons.reinsert`), and should the model still refuse, each
    route is loaded alone order by order (until ``deadline``; after it the remaining orders of a
    refused route are dropped).  Dropped orders are left for the search to insert again.

    A pickup-delivery pair is kept or dropped whole: a pair the routes serve in part (one side
    only, the two on different vehicles, or the delivery first) is dropped before reading, and a
    repair that drops one side drops the other.  The model does not tie the two sides' activity
    (except for shelf-limited pairs, see ``OrtoolsModel.first_solution_for``), so it accepts a
    seed with a lone pickup, and the search from it may keep it (a ``pair`` violation).

    Parameters
    ----------
    model
        The built and closed model.
    routes
        Order indices per vehicle (trips: the orders the simulation drops are put back where it fits).
    deadline
        ``time.monotonic()`` after which a refused route is not repaired order by order (a read: ~0.05 s at 800).
    walk_checks_all
        As for `polish`: routes the walk accepts whole are not read again (``seed_repair``
        ``"read out of time"``, no assignment).

    Returns
    -------
    (assignment or None, dict)
        ``meta``: ``seed_loaded``, ``seed_repaired`` (orders taken out of their routes),
        ``seed_repair``, ``seed_dropped`` (left out) and ``seed_reinserted`` (put back elsewhere)
        when repaired, ``seed_objective`` (the loaded seed's objective in plan
        units, for comparisons).
    """
    d = model.data
    routes = [list(map(int, seq)) for seq in routes] + [[] for _ in range(d.n_vehicles - len(routes))]
    partner = partners(d)
    routes, dropped = whole_pairs(routes, d.pairs)
    # trips: a route the simulation refuses is repaired first (reading it took all of a 4 s limit)
    doomed = model.trips and any(seq and simulate(d, v, seq)[0] for v, seq in enumerate(routes))
    if not doomed and (a := _read_routes(model, routes)) is not None:
        return _seed_loaded(model, a, routes, dropped, "pairs" if dropped else None)
    fixed, cut = cut_back(d, routes, partner)
    if walk_checks_all and not doomed and not cut:  # the model refused routes that hold: its read ran out of time
        return None, {"seed_loaded": False, "seed_repaired": 0, "seed_repair": "read out of time"}
    dropped.extend(cut)
    out = len(dropped)
    dropped = reinsert(d, fixed, dropped, model.costs, deadline)  # the search is slow at it
    back = out - len(dropped)
    a = _read_routes(model, fixed)
    if a is not None:
        return _seed_loaded(model, a, fixed, dropped, "simulate", back)
    final = _repair_by_model(model, fixed, dropped, deadline, partner)
    return _seed_loaded(model, _read_routes(model, final), final, dropped, "model", back)


def whole_pairs(routes: list[list[int]], pairs: list[tuple[int, int]]) -> tuple[list[list[int]], list[int]]:
    """``routes`` without the pairs they serve in part (one side, two vehicles, delivery first), and those orders.

    Parameters
    ----------
    routes
        Order indices per vehicle.
    pairs
        (pickup, delivery) order indices.

    Returns
    -------
    (list of list of int, list of int)
        The routes and the orders taken out of them.
    """
    where = {i: (v, k) for v, seq in enumerate(routes) for k, i in enumerate(seq) if i != RELOAD}
    broken: set[int] = set()
    for pi, di in pairs:
        a, b = where.get(pi), where.get(di)
        if (a is None) != (b is None) or (a is not None and b is not None and (a[0] != b[0] or a[1] > b[1])):
            broken |= {pi, di}
    if not broken:
        return routes, []
    return [[i for i in seq if i not in broken] for seq in routes], [i for seq in routes for i in seq if i in broken]


def _repair_by_model(
    model: OrtoolsModel,
    fixed: list[list[int]],
    dropped: list[int],
    deadline: float | None,
    partner: dict[int, int],
) -> list[list[int]]:
    """The model refuses something the simulation does not see: load route by route, order by order.

    A side of a pair whose partner is dropped is dropped too (the route is read again without it).
    """
    final: list[list[int]] = [[] for _ in fixed]
    for v, seq in enumerate(fixed):
        if not seq:
            continue
        if deadline is not None and time.monotonic() > deadline:  # each read costs ~0.05 s at 800 orders
            dropped.extend(orders_of(seq))
            continue
        alone: list[list[int]] = [[] for _ in fixed]
        alone[v] = seq
        if _read_routes(model, alone) is not None:
            final[v] = seq
            continue
        out: set[int] = set()
        while True:
            keep: list[int] = []
            for i in seq:
                if i in out or (deadline is not None and time.monotonic() > deadline):
                    out.add(i)
                    continue
                alone[v] = keep + [i]
                if _read_routes(model, alone) is not None:
                    keep.append(i)
                else:
                    out.add(i)
            lone = {partner[i] for i in out if i in partner} - out
            if not lone:
                break
            out |= lone
            alone[v] = [i for i in keep if i not in out]
            if _read_routes(model, alone) is not None:  # usually: the route without the lone sides still loads
                keep = alone[v]
                break
        dropped.extend(i for i in seq if i in out and i != RELOAD)
        final[v] = keep
    return final


def _read_routes(model: OrtoolsModel, routes: list[list[int]]) -> Any:
    return model.routing.ReadAssignmentFromRoutes(model.initial_routes(routes), True)


def _seed_loaded(
    model: OrtoolsModel, a: Any, routes: list[list[int]], dropped: list[int], how: str | None, reinserted: int = 0
) -> tuple[Any, dict[str, Any]]:
    d = model.data
    meta: dict[str, Any] = {"seed_loaded": a is not None, "seed_repaired": len(dropped) + reinserted}
    if how:
        meta["seed_repair"] = how
        meta["seed_dropped"] = [d.problem.orders[i].id for i in sorted(dropped)]
        meta["seed_reinserted"] = reinserted
    if a is not None:
        unit = 1 if d.problem.objective == "distance" else COST_SCALE
        meta["seed_objective"] = _plan_objective(a.ObjectiveValue(), d, model.costs, routes, unit)
    return a, meta


def _plan_objective(value: int, data: SolverData, costs: CostArrays, routes: list[list[int]], unit: int) -> float:
    """A seed's OR-Tools objective in the units of ``kpis["objective"]`` (required orders' penalty left out)."""
    served = {i for seq in routes for i in seq}
    missing = sum(1 for i in range(data.n_orders) if data.required[i] and i not in served)
    return round((float(value) - missing * costs.required_penalty) / unit, 4)
