"""Searching the OR-Tools model: from scratch, or from a PyVRP skeleton (read, repaired, polished).

The model is built once (`OrtoolsModel`); the
functions here close it with search parameters, run the search within a time limit and read the
routes back.  Times are seconds; deadlines are ``time.monotonic()`` values.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from logistics.core.plan import RouteResult
from logistics.core.shares import (
    CHECK_ONLY_MIN_S,
    MIN_SEARCH_S,
    POLISH_STALL_MIN_S,
    POLISH_STALL_PER_ORDER_S,
    READ_LIMIT_BASE_S,
    READ_LIMIT_MAX_S,
    READ_LIMIT_PER_ORDER_S,
    SEED_CHOICE_SHARE,
    SEED_READ_BASE_S,
    SEED_READ_PER_BUILD_S,
    SEED_REPAIR_SHARE,
)
from logistics.engine.solvers.arrays import COST_SCALE, SolverData
from logistics.engine.solvers.ortools.breaks import read_breaks
from logistics.engine.solvers.ortools.model import OrtoolsModel
from logistics.engine.solvers.ortools.seed import load_seed

__all__ = [
    "FIRST_SOLUTION",
    "METAHEURISTIC",
    "OrtoolsResult",
    "SearchLog",
    "SearchSettings",
    "polish",
    "polish_stall_s",
    "search",
    "seed_read_s",
]

FIRST_SOLUTION = {
    "parallel_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "path_cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "christofides": routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
    "all_unperformed": routing_enums_pb2.FirstSolutionStrategy.ALL_UNPERFORMED,
}
METAHEURISTIC = {
    "guided_local_search": routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH,
    "simulated_annealing": routing_enums_pb2.LocalSearchMetaheuristic.SIMULATED_ANNEALING,
    "tabu_search": routing_enums_pb2.LocalSearchMetaheuristic.TABU_SEARCH,
    "greedy_descent": routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT,
}

# OR-Tools' insertion-heuristic LNS operators can run for many seconds past the time limit on a few hundred
# orders (the limit is checked between neighbours, not inside the heuristic); the polish leaves them out.
_SLOW_OPERATORS = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    "use_global_cheapest_insertion_expensive_chain_lns",
    "use_local_cheapest_insertion_expensive_chain_lns",
    "use_global_cheapest_insertion_close_nodes_lns",
    "use_local_cheapest_insertion_close_nodes_lns",
)


@dataclass
class OrtoolsResult:
    """What a search found.

    Parameters
    ----------
    routes
        The used vehicles' routes.
    dropped
        Order indices left out (their reasons come from `logistics.engine.reasons.explain`).
    objective
        The solver's objective in cost units, required orders' penalties included; None without a
        solution.
    status
        OR-Tools' routing status in lower case, or ``no_vehicles`` / ``out_of_time_building`` /
        ``seed_checked``.
    history
        (seconds since the search started, objective in plan units) per improving solution.
    build_s, search_s
        Seconds spent building the model and searching it.
    """

    routes: list[RouteResult]
    dropped: list[int]
    objective: int | None
    status: str
    history: list[tuple[float, float]] = field(default_factory=list)
    build_s: float = 0.0
    search_s: float = 0.0


@dataclass(frozen=True)
class SearchSettings:
    """How OR-Tools searches, beside the time: the ``solve`` options that only OR-Tools reads.

    Parameters
    ----------
    first_solution
        A key of `FIRST_SOLUTION` (adjusted by ``OrtoolsModel.first_solution_for``).
    metaheuristic
        A key of `METAHEURISTIC`.
    solution_limit
        Stop after this many improving solutions (``iterations``: reproducible runs), or None.
    progress
        Called as ``progress(elapsed_s, best_cost)`` on every improving solution.
    log
        OR-Tools' own search log.
    stop_early
        Let the search from a PyVRP seed end once it has converged (`polish_stall_s`); only when
        ``solution_limit`` is None.
    """

    first_solution: str = "parallel_cheapest_insertion"
    metaheuristic: str = "guided_local_search"
    solution_limit: int | None = None
    progress: Callable[[float, float], None] | None = None
    log: bool = False
    stop_early: bool = True


@dataclass
class SearchLog:
    """What the search reports while it runs: its improvements, and whether it ended on a stall.

    Parameters
    ----------
    history
        (seconds since the search started, objective in plan units) per improving solution.
    stalled
        The search was ended because it found nothing better for its stall span.
    """

    history: list[tuple[float, float]] = field(default_factory=list)
    stalled: bool = False


def record_history(
    model: OrtoolsModel,
    t0: float,
    progress: Callable[[float, float], None] | None = None,
    stall_s: float | None = None,
) -> SearchLog:
    """A log that every improving solution of the coming search appends (seconds since ``t0``, objective).

    The objective is in the units of ``kpis["objective"]`` (¥, or matrix distance for
    ``objective='distance'``); ``progress`` hears the same.  Register before the model is closed.

    Parameters
    ----------
    model
        The built model.
    t0
        ``time.perf_counter()`` at the start of the search.
    progress
        Called on every improvement.
    stall_s
        End the search at the first solution found this many seconds after the last improvement
        (None: search to the limit); see `polish_stall_s`.

    Returns
    -------
    SearchLog
        Filled as the search runs.
    """
    r = model.routing
    unit = 1 if model.data.problem.objective == "distance" else COST_SCALE
    log = SearchLog()
    history = log.history

    def on_solution() -> None:
        c = r.CostVar().Max() / unit
        now = time.perf_counter() - t0
        if not history or c < history[-1][1]:
            history.append((now, c))
            if progress is not None:
                progress(history[-1][0], c)
        elif stall_s is not None and now - history[-1][0] > stall_s:
            log.stalled = True
            r.solver().FinishCurrentSearch()  # converged: the best solution so far is the answer

    r.AddAtSolutionCallback(on_solution)
    return log


def _parameters(model: OrtoolsModel, settings: SearchSettings) -> Any:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = FIRST_SOLUTION[model.first_solution_for(settings.first_solution)]
    params.local_search_metaheuristic = METAHEURISTIC[settings.metaheuristic]
    params.log_search = settings.log
    return params


def search(
    model: OrtoolsModel,
    time_limit: float,
    settings: SearchSettings | None = None,
    *,
    initial: list[list[int]] | None = None,
) -> OrtoolsResult:
    """OR-Tools' own search on the model, from its first-solution heuristic or from ``initial``.

    Parameters
    ----------
    model
        The built model (closed here; search a model once).
    time_limit
        Seconds from the call, closing the model included.
    settings
        Strategy, metaheuristic, solution limit, progress and log.
    initial
        Order indices per vehicle to start from; a seed that cannot be read is searched without.

    Returns
    -------
    OrtoolsResult
        Every order left out when the model has no vehicle or was not built in time.
    """
    settings = settings or SearchSettings()
    r, d = model.routing, model.data
    if r is None:  # no vehicle, or no time left to build: every order left out, at the disjunctions' price
        obj = sum(
            int(model.costs.required_penalty) if d.required[i] else 0 if i in _paired(d) else int(d.penalty[i])
            for i in range(d.n_orders)
        )
        status = "out_of_time_building" if model.out_of_time else "no_vehicles"
        return OrtoolsResult([], list(range(d.n_orders)), obj, status, [], model.build_s, 0.0)
    params = _parameters(model, settings)
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    if settings.solution_limit is not None:
        params.solution_limit = int(settings.solution_limit)
    t0 = time.perf_counter()
    history = record_history(model, t0, settings.progress).history
    r.CloseModelWithParameters(params)
    # closing the model takes time on big instances: the search gets what is left of the budget
    left = time_limit - (time.perf_counter() - t0)
    params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
    solution = None
    if initial is not None:
        start = r.ReadAssignmentFromRoutes(model.initial_routes(initial), True)
        if start is not None:
            solution = r.SolveFromAssignmentWithParameters(start, params)
    if solution is None:
        left = time_limit - (time.perf_counter() - t0)
        if initial is None or left > MIN_SEARCH_S:
            # a seed that could not be read, or was searched without result: what is left, not a new budget
            params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
            solution = r.SolveWithParameters(params)
    return result(model, solution, history, time.perf_counter() - t0)


def _paired(d: SolverData) -> set[int]:
    return {di for _, di in d.pairs}


def polish_stall_s(n_orders: int) -> float:
    """Seconds without a better solution after which the search from a PyVRP seed has converged.

    PyVRP has done the heavy search by then; OR-Tools repairs what PyVRP relaxed and prices the
    cold chain exactly, and its improvements come early (see ``POLISH_STALL_MIN_S``).  Only
    time-bound runs stop on a stall, so runs bounded by ``iterations`` stay reproducible.

    Parameters
    ----------
    n_orders
        Orders of the problem.

    Returns
    -------
    float
        ``max(POLISH_STALL_MIN_S, POLISH_STALL_PER_ORDER_S * n_orders)``.
    """
    return max(POLISH_STALL_MIN_S, POLISH_STALL_PER_ORDER_S * max(int(n_orders), 0))


def polish(
    model: OrtoolsModel,
    time_limit: float,
    initial: list[list[int]],
    settings: SearchSettings,
    *,
    check_only: bool = False,
    walk_checks_all: bool = False,
    others: Sequence[list[list[int]]] = (),
) -> tuple[OrtoolsResult, dict[str, Any]]:
    """OR-Tools' search on the full model from PyVRP's routes (repaired when the model rejects them).

    Parameters
    ----------
    model
        The built model (closed here).
    time_limit
        Seconds from the call, closing the model and reading the seed included.
    initial
        Order indices per vehicle (PyVRP's skeleton).
    settings
        Strategy, metaheuristic, solution limit, progress and log.
    check_only
        When the routes load as they are, return them (one solution: the seed with the schedule
        the model's finalizers choose) instead of searching: PyVRP modelled the problem exactly,
        and a search after it gains < 0.05 %.  A seed that needed repair is searched from anyway.
    walk_checks_all
        The earliest-start walk checks every rule of the fleet (`logistics.engine.construct.constructible`):
        a seed it accepts whole that the model still refuses ran out of time reading (seen with the
        driving rule's rests), and neither another read nor OR-Tools' own first solution would
        come sooner; the search then ends at once, status ``seed_unread``, for the caller to keep
        the walked routes.
    others
        The portfolio's other skeletons (`EngineResult.others`).  Unless ``check_only``, each is
        read too, while the reads take under ``SEED_CHOICE_SHARE`` of the time, and the search
        starts from the seed the full model prices lowest: PyVRP's model leaves out freshness,
        shelf lives and the rests, and on the Yanhu cold-chain day its cheapest skeleton was
        measured to cost 5 % more on the full model than the other seed's.  ``meta["seed_chosen"]`` is the index in
        ``[initial, *others]`` and ``meta["seed_objectives"]`` what each read cost (plan units).

    Returns
    -------
    (OrtoolsResult, dict)
        The result and the seed's meta (see `load_seed`).
    """
    r, d = model.routing, model.data
    t0 = time.perf_counter()
    repair_until = time.monotonic() + max(SEED_REPAIR_SHARE * time_limit, read_limit_s(d.n_orders))
    params = _parameters(model, settings)
    for name in _SLOW_OPERATORS:
        if hasattr(params.local_search_operators, name):
            setattr(params.local_search_operators, name, 3)  # BOOL_FALSE
    no_limit = params.solution_limit
    # the model keeps the limits it is closed with for reading routes: without a solution limit, restoring
    # the seed goes on looking for a cheaper schedule of the same routes until the time limit (measured: all
    # of 20 s on the Yanhu day), so the seed is read with a limit of one solution; and with time enough to
    # finish a read even when the polish has next to none (an exact skeleton): a read cut short looks like
    # a rejected seed (measured: a 303-order part on a loaded machine lost every order that way)
    params.solution_limit = 1
    params.time_limit.FromMilliseconds(int(1000 * max(time_limit, read_limit_s(d.n_orders))))
    stall = polish_stall_s(d.n_orders) if settings.stop_early and settings.solution_limit is None else None
    log = record_history(model, t0, settings.progress, stall)
    r.CloseModelWithParameters(params)
    start, meta = load_seed(model, initial, deadline=repair_until, walk_checks_all=walk_checks_all)
    if start is None and meta.get("seed_repair") == "read out of time":
        res = result(model, None, log.history, time.perf_counter() - t0)
        return replace(res, status="seed_unread"), meta
    if others and not check_only and start is not None:
        reads_until = t0 + SEED_CHOICE_SHARE * time_limit
        start, meta = _cheapest_seed(model, (start, meta), others, reads_until, repair_until, walk_checks_all)
    left = time_limit - (time.perf_counter() - t0)
    params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
    params.solution_limit = no_limit if settings.solution_limit is None else int(settings.solution_limit)
    checked = check_only and start is not None and not meta.get("seed_repaired")
    if checked:
        params.solution_limit = 1
        params.time_limit.FromSeconds(max(CHECK_ONLY_MIN_S, int(time_limit) + 1))  # restoring must not be cut short
    solution = None
    if start is not None:
        solution = r.SolveFromAssignmentWithParameters(start, params)
        if solution is None:  # out of time before the search's own first solution: keep the seed as read
            solution = start
    else:
        solution = r.SolveWithParameters(params)
    res = result(model, solution, log.history, time.perf_counter() - t0)
    if log.stalled and res.routes is not None and res.objective is not None:
        res.status = "success"  # OR-Tools calls a search ended early "partial"; this one converged
        meta["stopped"] = "converged"
    if checked and solution is not None:
        res.status = "seed_checked"  # OR-Tools read and checked PyVRP's routes; it did not search
    return res, meta


def _cheapest_seed(
    model: OrtoolsModel,
    first: tuple[Any, dict[str, Any]],
    others: Sequence[list[list[int]]],
    reads_until: float,
    repair_until: float,
    walk_checks_all: bool,
) -> tuple[Any, dict[str, Any]]:
    """Of the loaded ``first`` seed and ``others``, the assignment with the lowest full-model objective.

    A seed is read only while the reads so far leave time before ``reads_until`` (a
    ``time.perf_counter()`` value) for one more as long as the slowest so far; one the model
    cannot read is passed over.  The meta is the chosen seed's, with ``seed_chosen`` and
    ``seed_objectives`` (None for a seed not read).
    """
    (best, best_meta), chosen = first, 0
    objectives: list[float | None] = [best_meta.get("seed_objective")]
    slowest = 0.0
    for k, routes in enumerate(others, 1):
        t = time.perf_counter()
        if t + slowest > reads_until:
            objectives.append(None)
            continue
        start, meta = load_seed(model, routes, deadline=repair_until, walk_checks_all=walk_checks_all)
        slowest = max(slowest, time.perf_counter() - t)
        objectives.append(meta.get("seed_objective") if start is not None else None)
        if start is not None and start.ObjectiveValue() < best.ObjectiveValue():
            best, best_meta, chosen = start, meta, k
    return best, best_meta | {"seed_chosen": chosen, "seed_objectives": objectives}


def seed_read_s(model: OrtoolsModel) -> float:
    """Seconds to close the built model and read and finalise a seed in it (measured; see core.shares).

    Parameters
    ----------
    model
        The built model; its build time predicts the read.

    Returns
    -------
    float
        Seconds the caller keeps back from PyVRP for OR-Tools to read its routes.
    """
    return SEED_READ_BASE_S + SEED_READ_PER_BUILD_S * model.build_s


def read_limit_s(n_orders: int) -> float:
    """Time allowed for reading a seed (it ends at the first complete assignment: ~0.01-0.2 s when it loads).

    Parameters
    ----------
    n_orders
        Orders of the problem.

    Returns
    -------
    float
        Seconds (see ``READ_LIMIT_*`` in [logistics.core.shares][]).
    """
    return min(READ_LIMIT_MAX_S, READ_LIMIT_BASE_S + READ_LIMIT_PER_ORDER_S * n_orders)


def result(model: OrtoolsModel, solution: Any, history: list[tuple[float, float]], search_s: float) -> OrtoolsResult:
    """The routes of ``solution`` (None: every order unserved) with the routing model's search status.

    Parameters
    ----------
    model
        The searched model.
    solution
        An assignment, or None.
    history
        From `record_history`.
    search_s
        Seconds the search took.

    Returns
    -------
    OrtoolsResult
        Routes, dropped orders, objective and status.
    """
    try:
        status = routing_enums_pb2.RoutingSearchStatus.Value.Name(model.routing.status())
        status = status.removeprefix("ROUTING_").lower()
    except (AttributeError, ValueError):
        status = str(model.routing.status())
    if solution is None:
        return OrtoolsResult([], list(range(model.data.n_orders)), None, status, history, model.build_s, search_s)
    return _read(model, solution, status, history, search_s)


def _read(
    model: OrtoolsModel, sol: Any, status: str, history: list[tuple[float, float]], search_s: float
) -> OrtoolsResult:
    r, d, mgr, tdim = model.routing, model.data, model.manager, model.time
    routes = []
    served = set()
    for v in range(d.n_vehicles):
        idx = r.Start(v)
        depart = sol.Value(tdim.CumulVar(idx))
        orders, starts = [], []
        reloads: list[tuple[int, int]] = []  # (orders served before it, start of the reload)
        idx = sol.Value(r.NextVar(idx))
        while not r.IsEnd(idx):
            node = mgr.IndexToNode(idx)
            if node < d.n_orders:
                orders.append(node)
                starts.append(sol.Value(tdim.CumulVar(idx)))
                served.add(node)
            elif not orders and model.is_loading_node(node):
                depart = sol.Value(tdim.CumulVar(idx))  # the vehicle leaves after its last loading
            elif model.is_reload_node(node):
                reloads.append((len(orders), sol.Value(tdim.CumulVar(idx))))
            idx = sol.Value(r.NextVar(idx))
        if orders:
            arrive = sol.Value(tdim.CumulVar(idx))
            brk = read_breaks(sol, model.break_vars.get(v, []), depart, arrive)
            kept = tuple(x for x in reloads if x[0] < len(orders))  # a reload after the last order loads nothing
            routes.append(
                RouteResult(
                    vehicle=v, orders=orders, starts=starts, depart=depart, arrive=arrive, breaks=brk, reloads=kept
                )
            )
    dropped = [i for i in range(d.n_orders) if i not in served]
    return OrtoolsResult(routes, dropped, sol.ObjectiveValue(), status, history, model.build_s, search_s)
