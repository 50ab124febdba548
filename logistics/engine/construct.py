"""A first feasible plan without OR-Tools' model: PyVRP's routes, cut back to what a route can hold.

Building OR-Tools' full model is the slow step of a short search on a large problem: a 361-order
hub part of the 5,000-stop Yanhu day registers 18 transit matrices over ~900 routing nodes, 0.3 s
on a quiet machine and 1.2–2.5 s on a busy one, before any route exists.  A 5,000-stop day in 16
parts pays that 16 times, so at a 10 s limit every hub part ran out of time building and left all
its orders out (docs/performance.md, "Large days").

`construct_routes` plans such a problem without the model: PyVRP's iterated local search (its
model relaxes shelf life and a few other rules), each route cut back by the earliest-start walk
of [logistics.engine.walk][] (`walk`: loads, windows, shift, duty, shelf life and time out of
refrigeration) until it holds, and scheduled by the same walk.  What the walk does not check
(breaks, several trips, distance, task and driving limits) makes a problem not `constructible`;
those always get the full model.  [logistics.engine.whole.solve_whole][] uses it when the model
is estimated to need more than ``CONSTRUCT_BUILD_SHARE`` of the search's time, is not built
within ``CONSTRUCT_MODEL_SHARE`` of it, or leaves too little time for PyVRP's skeleton; never with
engine ``"ortools"``, a warm start or ``iterations`` (those choices depend on the clock, and a run
with ``iterations`` must give the same plan on any machine).  Such a plan has
``meta["status"] == "constructed"`` and ``meta["constructed"]`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logistics.core.options import Budget, SolveOptions
from logistics.core.plan import RouteResult
from logistics.engine.reasons import cut_back
from logistics.engine.solvers.arrays import SolverData
from logistics.engine.solvers.ortools.costs import CostArrays
from logistics.engine.solvers.ortools.seed import whole_pairs
from logistics.engine.solvers.pyvrp.portfolio import solve_pyvrp_portfolio
from logistics.engine.walk import rest_walk, walked_route

__all__ = ["Constructed", "construct_routes", "constructible", "walked_routes"]


@dataclass
class Constructed:
    """Routes planned without OR-Tools' model.

    Parameters
    ----------
    sequences
        Order indices per vehicle (every vehicle of the problem, empty when unused).
    routes
        The used vehicles' scheduled routes (earliest starts, leaving the depot as late as the first
        window allows).
    dropped
        Order indices left out: by PyVRP, or cut from a route the walk rejected.
    meta
        ``skeleton_cost``, ``skeleton_seed``, ``skeleton_iterations``, ``relaxed`` and ``construct_cut``
        (orders cut from PyVRP's routes).
    """

    sequences: list[list[int]]
    routes: list[RouteResult]
    dropped: list[int]
    meta: dict[str, Any]


def constructible(data: SolverData) -> bool:
    """Whether the walk checks every rule of the problem's fleet, so a constructed plan is valid.

    Parameters
    ----------
    data
        The solver arrays.

    Returns
    -------
    bool
        False when a vehicle type with vehicles has breaks, several trips, a distance, task or
        travel-time limit.  The driving rule does not prevent it: the walk takes its rests
        (`logistics.engine.walk.rest_walk`), and the constructed routes carry them as breaks.
    """
    for vt in data.problem.fleet:
        if vt.count <= 0:
            continue
        if vt.breaks or vt.max_trips > 1:
            return False
        if any(getattr(vt, f) is not None for f in ("max_distance", "max_tasks", "max_travel_time")):
            return False
    return data.n_orders > 0 and data.n_vehicles > 0


def construct_routes(data: SolverData, costs: CostArrays, budget: Budget, options: SolveOptions) -> Constructed | None:
    """PyVRP's routes within ``budget``, cut back and scheduled by the walk: a plan that holds, fast.

    Parameters
    ----------
    data
        The solver arrays of a `constructible` problem.
    costs
        The OR-Tools engine's cost arrays (PyVRP optimises the same objective).
    budget
        PyVRP's time (one seed in this process: a short search has no time to start a second).
    options
        Seed, iterations and ``stop_early``.

    Returns
    -------
    Constructed or None
        None when PyVRP has nothing to route.
    """
    res = solve_pyvrp_portfolio(
        data, costs, budget, seed=options.seed, iterations=options.iterations, workers=1, stop_early=options.stop_early
    )
    if res is None:
        return None
    walked = walked_routes(data, [list(r) for r in res.routes])
    meta = {
        "skeleton_cost": res.cost,
        "skeleton_seed": res.seed,
        "skeleton_iterations": res.iterations,
        "relaxed": res.relaxed,
        "construct_cut": walked.meta["construct_cut"],
    }
    return Constructed(sequences=walked.sequences, routes=walked.routes, dropped=walked.dropped, meta=meta)


def walked_routes(data: SolverData, sequences: list[list[int]]) -> Constructed:
    """Order sequences per vehicle made into routes that hold: pairs whole, cut back and scheduled by the walk.

    The second half of `construct_routes`, and the fallback when OR-Tools' model lost orders a
    PyVRP skeleton could keep (`logistics.engine.whole.search_whole`).

    Parameters
    ----------
    data
        The solver arrays of a `constructible` problem.
    sequences
        Order indices per vehicle (every vehicle of the problem, or a prefix of them).

    Returns
    -------
    Constructed
        The routes, with the driving rule's rests as breaks; ``meta["construct_cut"]`` counts the
        orders taken out.
    """
    seqs = [list(seq) for seq in sequences] + [[] for _ in range(data.n_vehicles - len(sequences))]
    # a type that may not carry an order never keeps it (PyVRP's model already says so; the walk does not check)
    banned = [i for v, seq in enumerate(seqs) for i in seq if not data.allowed[int(data.vehicle_type[v]), i]]
    seqs = [[i for i in seq if data.allowed[int(data.vehicle_type[v]), i]] for v, seq in enumerate(seqs)]
    seqs, split = whole_pairs(seqs, data.pairs)
    seqs, cut = cut_back(data, seqs)
    routes = []
    for v, seq in enumerate(seqs):
        if not seq:
            continue
        walked = rest_walk(data, v, seq)
        assert walked[0] is None, "cut_back leaves only routes the walk accepts"
        routes.append(walked_route(data, v, seq, walked))
    served = {i for seq in seqs for i in seq}
    left = sorted(set(range(data.n_orders)) - served)
    meta = {"construct_cut": len(cut) + len(split) + len(banned)}
    return Constructed(sequences=seqs, routes=routes, dropped=left, meta=meta)
