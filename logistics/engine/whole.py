"""One search over a whole problem: OR-Tools' full model, seeded by a PyVRP skeleton where it applies.

[logistics.engine.solve.solve][] runs this on a day that is not decomposed, and
[logistics.engine.decompose][] on each part of one that is, so neither imports the other.

Time split of ``"auto"`` (measured, see docs/performance.md; the shares are named in
[logistics.core.shares][]):

* the full OR-Tools model is built first, so PyVRP gets what is left once building it has been
  paid for; a reserve is kept for reasons and plan building (``REPORT_RESERVE_*``) and for
  reading PyVRP's routes into the model (``SEED_READ_*``);
* PyVRP models the problem exactly (classic VRPTW/CVRP, cold-chain days without shelf life, soft
  windows or freshness costs): PyVRP gets all of that time; OR-Tools only reads its routes, which
  checks every constraint (after PyVRP a search gains < 0.05 % and its first descent ignores short
  time limits);
* PyVRP relaxes something (``EngineResult.relaxed``): PyVRP gets ``RELAXED_SHARE``
  (``PYVRP_ENGINE_SHARE`` for engine ``"pyvrp"``), OR-Tools the rest to repair and optimise;
* where the exact descent applies (`logistics.engine.descent.descends`) and the skeleton has at
  least ``DESCENT_MIN_S_PER_ORDER`` an order, PyVRP gets
  ``DESCENT_RELAXED_SHARE`` of a relaxed day (engine ``"auto"``; in a time-bound run at most
  ``DESCENT_PYVRP_MAX_S_PER_ORDER`` an order), OR-Tools' polish
  ``1 - DESCENT_SHARE`` of the rest and the descent the remainder, ruin-and-recreate rounds
  included once it has converged; where a core is spare the descent runs in two chains
  ([logistics.engine.exact_stage][]).

OR-Tools always starts from PyVRP's routes: a seed the full model rejects (say, a route that breaks
a shelf life PyVRP ignores) is repaired first by dropping the orders that break its routes, which
the search then reinserts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from logistics.core.options import Budget, SolveOptions
from logistics.core.plan import Plan, RouteResult
from logistics.core.problem import Problem
from logistics.core.shares import (
    BUILD_S_PER_CELL,
    CONSTRUCT_BUILD_SHARE,
    CONSTRUCT_MODEL_SHARE,
    DESCENT_PYVRP_MAX_S_PER_ORDER,
    DESCENT_RELAXED_SHARE,
    DESCENT_SHARE,
    MIN_SEARCH_S,
    MIN_SKELETON_S,
    PYVRP_ENGINE_SHARE,
    RELAXED_SHARE,
    REPORT_RESERVE_BASE_S,
    REPORT_RESERVE_PER_ORDER_S,
    REPORT_RESERVE_SHARE,
)
from logistics.engine.build_plan import build_plan
from logistics.engine.construct import construct_routes, constructible, walked_routes
from logistics.engine.exact_stage import chain_worker, descended, descent_applies, linear_objective
from logistics.engine.reasons import explain
from logistics.engine.solvers import arrays
from logistics.engine.solvers.arrays import SolverData
from logistics.engine.solvers.ortools.costs import CostArrays, cost_arrays
from logistics.engine.solvers.ortools.model import OrtoolsModel, build_cells
from logistics.engine.solvers.ortools.search import OrtoolsResult, SearchSettings, polish, search, seed_read_s
from logistics.engine.solvers.pyvrp.portfolio import models_exactly, solve_pyvrp_portfolio
from logistics.engine.solvers.seeds import RELOAD, orders_of

__all__ = [
    "Searched",
    "WholeTooBig",
    "report_reserve_s",
    "rest_free_seed",
    "run_meta",
    "search_whole",
    "seed_cost",
    "solve_whole",
]


def report_reserve_s(time_limit: float, n_orders: int) -> float:
    """Seconds kept back for what follows the search (reasons, plan frames, KPIs).

    Parameters
    ----------
    time_limit
        The whole call's limit.
    n_orders
        Orders of the problem (the reports grow with them).

    Returns
    -------
    float
        ``min(REPORT_RESERVE_SHARE * time_limit, REPORT_RESERVE_BASE_S + REPORT_RESERVE_PER_ORDER_S * n)``.
    """
    return min(REPORT_RESERVE_SHARE * time_limit, REPORT_RESERVE_BASE_S + REPORT_RESERVE_PER_ORDER_S * n_orders)


class WholeTooBig(Exception):
    """The full model could not be built within ``build_limit_s`` (see `solve_whole`)."""


def run_meta(problem: Problem, options: SolveOptions) -> dict[str, Any]:
    """The ``plan.meta`` entries every solve starts with: how it was asked for, and of what.

    Parameters
    ----------
    problem
        The problem solved.
    options
        The options it was solved with.

    Returns
    -------
    dict
        ``engine``, ``seed``, ``time_limit``, ``problem``, ``objective_kind`` and ``day``.
    """
    return {
        "engine": options.engine,
        "seed": options.seed,
        "time_limit": options.time_limit,
        "problem": problem.name,
        "objective_kind": problem.objective,
        "day": problem.day,
    }


def solve_whole(
    problem: Problem,
    options: SolveOptions,
    budget: Budget,
    settings: SearchSettings,
    *,
    data: SolverData | None = None,
    build_limit_s: float | None = None,
    initial: list[list[int]] | None = None,
    warm_pyvrp: bool | float = True,
) -> Plan:
    """Plan ``problem`` in one search within ``budget``.

    Parameters
    ----------
    problem
        A checked problem.
    options
        Engine, seed and iterations (the time is ``budget``'s).
    budget
        The whole call's time, model building and plan building included; started by the caller so
        that its own work counts.
    settings
        OR-Tools' search settings (strategy, metaheuristic, progress, log, solution limit).
    data
        The problem's solver arrays when the caller has built them already.
    build_limit_s
        Give up building the full model after this many seconds and raise `WholeTooBig` (the
        caller then decomposes the day with the time left); None: the build may take the whole
        search time and a model given up leaves every order out.
    initial
        Order indices per vehicle to start from (a warm start, see
        [logistics.engine.solve.initial_routes][]): OR-Tools reads them (repairing what the model
        rejects) and searches from there, unless the PyVRP skeleton (engines ``auto`` and ``pyvrp``),
        whose search starts from them too (unless ``warm_pyvrp`` is False), is cheaper by `seed_cost`;
        ``meta["seed_from"]`` says which seed was used.
    warm_pyvrp
        Whether PyVRP's search starts from ``initial`` (True) or from scratch (False, a competing
        seed); a share ``s`` between 0 and 1 searches from scratch for ``s`` of PyVRP's time, then
        again from the cheaper of its routes and ``initial`` (``meta["restart_from"]``, and
        ``meta["restart_costs"]``: `seed_cost` of ``initial`` and of PyVRP's first routes).

    Returns
    -------
    Plan
        ``plan.meta`` records the budget as it was handed out (``reserve_s`` kept for reports,
        ``skeleton_limit_s`` for PyVRP, ``search_limit_s`` for OR-Tools), the time each step
        took (``build_s``, ``pyvrp_s``, ``search_s``, ``reasons_s``, ``elapsed_s``) and how the
        search ended (``status``; ``constructed`` when the search was too short for the full model, see
        [logistics.engine.construct][]).
    """
    found = search_whole(
        problem,
        options,
        budget,
        settings,
        data=data,
        build_limit_s=build_limit_s,
        initial=initial,
        warm_pyvrp=warm_pyvrp,
    )
    plan = build_plan(problem, found.data, found.routes, found.reasons, found.meta)
    _route_objectives(plan, found.data, found.costs, found.routes, found.scale)
    if found.objective is not None:
        plan.kpis["objective"] = found.objective
    plan.meta["elapsed_s"] = round(budget.elapsed(), 4)
    return plan


@dataclass
class Searched:
    """A search's answer before any plan frame is built: what a decomposed day's part sends back.

    Building a part's plan (stop rows, route geometry, KPIs) cost ~0.2 s per part on a busy
    machine, and the merge rebuilds every frame on the whole day anyway; parts therefore return
    this, and only `solve_whole` (one search over the day) turns it into a [Plan][logistics.core.plan.Plan].

    Parameters
    ----------
    data
        The solver arrays searched.
    routes
        The used vehicles' routes (vehicle and order indices of ``data.problem``).
    reasons
        Order index -> why it was left out, for every order not on a route.
    meta
        Search figures, as `solve_whole` puts them in ``plan.meta`` (``elapsed_s`` up to the end of the search).
    objective
        The solver's objective without the artificial penalty of required orders left out, in the
        problem's cost units; None when the search found none.
    costs
        The OR-Tools engine's cost arrays.
    scale
        Solver cost units per unit of ``objective``.
    """

    data: SolverData
    routes: list[RouteResult]
    reasons: dict[int, str]
    meta: dict[str, Any]
    objective: float | None
    costs: CostArrays
    scale: int


def search_whole(
    problem: Problem,
    options: SolveOptions,
    budget: Budget,
    settings: SearchSettings,
    *,
    data: SolverData | None = None,
    build_limit_s: float | None = None,
    initial: list[list[int]] | None = None,
    warm_pyvrp: bool | float = True,
) -> Searched:
    """`solve_whole`'s search without building the plan: routes, reasons, meta and objective.

    Parameters
    ----------
    problem, options, budget, settings, data, build_limit_s, initial, warm_pyvrp
        As for `solve_whole`.

    Returns
    -------
    Searched
        The routes as the engines give them; ``meta["elapsed_s"]`` is the time up to here.

    Raises
    ------
    WholeTooBig
        The full model was not built within ``build_limit_s``.
    """
    data = arrays.build(problem) if data is None else data
    costs = cost_arrays(data)
    reserve = report_reserve_s(budget.limit, data.n_orders)
    meta: dict[str, Any] = run_meta(problem, options)
    if data.n_orders == 0:
        meta |= {"status": "empty", "elapsed_s": round(budget.elapsed(), 4)}
        return Searched(data, [], {}, meta, 0.0, costs, 1)
    work = budget.sub(budget.left() - reserve)  # the search's part: everything but the reserve
    meta["reserve_s"] = round(reserve, 4)
    # a search too short for the full model gets a constructed plan instead (logistics.engine.construct)
    # (not with ``iterations``: the choice depends on the clock, and such runs must not)
    walks = constructible(data)  # the walk checks every rule of the fleet: its routes are a plan
    fast = build_limit_s is None and initial is None and options.engine != "ortools" and options.iterations is None
    fast = fast and walks
    if fast and _builds_past(data, CONSTRUCT_BUILD_SHARE * work.left()):
        return _constructed(problem, data, costs, options, budget, work, meta, "the model would not build in time")
    # the full model first: PyVRP then gets what is left once building it has been paid for
    cap = build_limit_s if build_limit_s is not None else (CONSTRUCT_MODEL_SHARE * work.left() if fast else None)
    model = OrtoolsModel(data, costs, budget=work if cap is None else work.sub(cap))
    if model.out_of_time and build_limit_s is not None:
        raise WholeTooBig(f"the full model was not built within {build_limit_s:.3g} s")
    if model.out_of_time and fast:
        return _constructed(problem, data, costs, options, budget, work, meta, "the model was not built in time")
    if fast and model.routing is not None and work.left() - seed_read_s(model) < MIN_SKELETON_S:
        # too little time left for PyVRP's skeleton: OR-Tools' own first solution would not come in time either
        return _constructed(problem, data, costs, options, budget, work, meta, "too little time for a skeleton")
    warm = initial
    others: list[list[list[int]]] = []  # the portfolio's other skeletons, for polish to price on the full model
    if options.engine in ("auto", "pyvrp") and model.routing is not None:
        t1 = time.perf_counter()
        skeleton = work.sub(work.left() - seed_read_s(model))
        meta["skeleton_limit_s"] = round(skeleton.limit, 4)
        initial, pv_meta, others = _pyvrp_from(data, costs, skeleton, options, warm, warm_pyvrp)
        meta.update(pv_meta)
        meta["pyvrp_s"] = round(time.perf_counter() - t1, 4)
    if warm is not None:  # the plan given, unless PyVRP's routes are cheaper
        meta["warm_start"] = sum(len(r) for r in warm)
        use_warm = initial is None or seed_cost(data, costs, warm) <= seed_cost(data, costs, initial)
        meta["seed_from"] = "initial" if use_warm else "pyvrp"
        initial = warm if use_warm else initial
        others = [] if use_warm else others
    if initial is None and model.routing is not None and model.has_rests:
        initial, rest_meta = rest_free_seed(data, costs, work.sub(work.left() - seed_read_s(model)), settings)
        meta.update(rest_meta)
    left = max(MIN_SEARCH_S, work.left())
    descent = not meta.get("exact") and model.routing is not None and descent_applies(data, options, work.limit)
    if descent and options.iterations is None:
        left = max(MIN_SEARCH_S, (1 - DESCENT_SHARE) * left)  # the rest is the exact descent's
    meta["search_limit_s"] = round(left, 4)
    with chain_worker(meta, options, descent) as pool:  # a second chain's worker warms up during the polish
        res, initial = _polished(model, left, initial, others, settings, meta, walks)
        if initial is not None and model.routing is not None and walks and res.dropped:
            res = _walked_if_better(data, costs, initial, res, meta)
        if descent and res.routes:
            deadline = None if options.iterations is not None else work.deadline
            res = descended(data, costs, res, meta, options, deadline, pool)
    t2 = time.perf_counter()
    reasons = explain(data, res.routes, res.dropped, costs, deadline=budget.deadline - reserve / 2)
    meta["reasons_s"] = round(time.perf_counter() - t2, 4)
    scale = 1 if problem.objective == "distance" else arrays.COST_SCALE
    meta.update(
        {
            "status": res.status,
            "build_s": round(res.build_s, 4),
            "search_s": round(res.search_s, 4),
            "history": [[round(t, 3), c] for t, c in res.history],
        }
    )
    objective = None
    if res.objective is not None:
        # the solver's linear objective, without the artificial penalty of required orders left out
        req_dropped = sum(1 for i in res.dropped if data.required[i])
        objective = round((res.objective - req_dropped * costs.required_penalty) / scale, 4)
    meta["elapsed_s"] = round(budget.elapsed(), 4)
    return Searched(data, res.routes, reasons, meta, objective, costs, scale)


def _polished(
    model: OrtoolsModel,
    left: float,
    initial: list[list[int]] | None,
    others: list[list[list[int]]],
    settings: SearchSettings,
    meta: dict[str, Any],
    walks: bool,
) -> tuple[OrtoolsResult, list[list[int]] | None]:
    """OR-Tools' search for ``left`` s: its own, or polishing ``initial`` (or the best of ``others``).

    Returns the search's answer and the seed it started from.
    """
    if initial is None or model.routing is None:
        return search(model, left, settings), initial
    if meta.get("seed_from") == "rest_free":  # OR-Tools' own search, from a first solution it could not find
        res, seed_meta = polish(model, left, initial, replace(settings, stop_early=False))
        meta.update(seed_meta)
        return res, initial
    check_only = meta.get("seed_from") != "initial" and bool(meta.get("exact") and meta.get("skeleton_feasible"))
    res, seed_meta = polish(model, left, initial, settings, check_only=check_only, walk_checks_all=walks, others=others)
    meta.update(seed_meta)
    return res, [initial, *others][seed_meta.get("seed_chosen", 0)]


def rest_free_seed(
    data: SolverData, costs: CostArrays, budget: Budget, settings: SearchSettings
) -> tuple[list[list[int]] | None, dict[str, Any]]:
    """A first solution from the model without the driving rule's rests, to seed the full model.

    With optional rests (`logistics.engine.solvers.ortools.breaks`) OR-Tools' first-solution
    heuristics check every insertion against the rests' placement and slow down by up to 300
    times (docs/breaks.md): a short solve found nothing at all.  Without them, and with every
    route shortened by its rests (`logistics.engine.solvers.duty.without_rests`), the first
    solution takes what it takes on a day without the rule; the full model then reads it,
    places the rests (dropping the orders of a route they do not fit for the search to insert
    again) and searches on.

    Parameters
    ----------
    data, costs
        The solver arrays and cost arrays.
    budget
        The first solution's budget: the search's, less what reading the seed into the full model
        takes (`seed_read_s`).  The search ends at its first solution, so it rarely takes much of it.
    settings
        The search settings (their first-solution strategy is used).

    Returns
    -------
    (routes or None, dict)
        Order indices per vehicle (None when no first solution came back), and ``plan.meta``
        entries: ``seed_from`` ``"rest_free"`` and ``rest_free_s``.
    """
    t0 = time.perf_counter()
    model = OrtoolsModel(data, costs, budget=budget, rests=False)
    first = SearchSettings(first_solution=settings.first_solution, solution_limit=1, stop_early=False)
    res = search(model, max(MIN_SEARCH_S, budget.left()), first)
    meta: dict[str, Any] = {"rest_free_s": round(time.perf_counter() - t0, 4)}
    if not any(r.orders for r in res.routes):
        return None, meta | {"rest_free": "no first solution"}
    routes: list[list[int]] = [[] for _ in range(data.n_vehicles)]
    for r in res.routes:
        routes[r.vehicle] = list(r.orders)
    return routes, meta | {"seed_from": "rest_free"}


def _walked_if_better(
    data: SolverData, costs: CostArrays, initial: list[list[int]], res: OrtoolsResult, meta: dict[str, Any]
) -> OrtoolsResult:
    """The seed's routes as the walk keeps them, when they serve more than OR-Tools' answer and cost less.

    Reading a seed into the model with the driving rule's rests can run out of time, and its
    repair then drops whole routes: measured, parts of 361-366 orders of a 2,000- and a
    5,000-stop day lost every order at 10 and 20 s limits while the walk kept all but a few.
    Only a plan that serves more orders and is cheaper by `seed_cost` (arcs, fixed costs,
    left-out orders) replaces the search's: one that left an order out because serving it costs
    more than its penalty is kept.  ``meta["kept"]`` says ``"walked seed"`` when it does.
    """
    walked = walked_routes(data, initial)
    found: list[list[int]] = [[] for _ in range(data.n_vehicles)]
    for r in res.routes:
        found[r.vehicle] = list(r.orders)
    price = seed_cost(data, costs, walked.sequences)
    if len(walked.dropped) >= len(res.dropped) or price >= seed_cost(data, costs, found):
        return res
    meta["kept"] = "walked seed"
    meta["kept_instead"] = {"status": res.status, "left_out": len(res.dropped)}
    return replace(res, routes=walked.routes, dropped=walked.dropped, objective=price)


def _constructed(
    problem: Problem,
    data: SolverData,
    costs: CostArrays,
    options: SolveOptions,
    budget: Budget,
    work: Budget,
    meta: dict[str, Any],
    why: str,
) -> Searched:
    """The answer of `construct_routes` (PyVRP's routes cut back by the walk), with reasons and objective."""
    t1 = time.perf_counter()
    meta["skeleton_limit_s"] = round(max(0.0, work.left()), 4)
    meta["search_limit_s"] = 0.0
    built = construct_routes(data, costs, work.sub(work.left()), options)
    meta["pyvrp_s"] = round(time.perf_counter() - t1, 4)
    routes, dropped = (built.routes, built.dropped) if built is not None else ([], list(range(data.n_orders)))
    meta.update(built.meta if built is not None else {})
    t2 = time.perf_counter()
    reasons = explain(data, routes, dropped, costs, deadline=budget.deadline - report_reserve_s(budget.limit, 0) / 2)
    meta.update(
        {
            "status": "constructed",
            "constructed": why,
            "skeleton": "pyvrp" if built is not None else "not applicable",
            "reasons_s": round(time.perf_counter() - t2, 4),
            "build_s": 0.0,
            "search_s": 0.0,
            "history": [],
        }
    )
    scale = 1 if problem.objective == "distance" else arrays.COST_SCALE
    seqs = built.sequences if built is not None else []
    req = sum(1 for i in dropped if data.required[i])
    # arcs, fixed costs and left-out orders (no spans or freshness: those need OR-Tools' schedule)
    objective = round((seed_cost(data, costs, seqs) - req * costs.required_penalty) / scale, 4)
    meta["elapsed_s"] = round(budget.elapsed(), 4)
    return Searched(data, routes, reasons, meta, objective, costs, scale)


def _builds_past(data: SolverData, seconds: float) -> bool:
    """Whether the full model is estimated to take more than ``seconds`` to build (``BUILD_S_PER_CELL``).

    The two matrices per vehicle type over the routing nodes, a lower bound of `build_cells`, are
    counted first: a hub part of the 5,000-stop day is ruled out by them alone, without the exact
    count's walk over every order and vehicle (0.03 s per part, paid 16 times in one short call).
    """
    types = len(set(data.vehicle_type.tolist()))
    if BUILD_S_PER_CELL * 2 * types * len(data.loc) ** 2 > seconds:
        return True
    return BUILD_S_PER_CELL * build_cells(data) > seconds


def seed_cost(data: SolverData, costs: CostArrays, routes: list[list[int]]) -> int:
    """A seed's price in solver cost units, to choose between seeds: arcs, fixed costs, left-out orders.

    Route spans and freshness are not counted (they need a schedule); leaving out a required order
    costs ``costs.required_penalty``, an optional one its penalty.

    Parameters
    ----------
    data, costs
        The solver arrays and cost arrays.
    routes
        Order indices per vehicle (`logistics.engine.solvers.seeds.RELOAD` between two trips).

    Returns
    -------
    int
    """
    total = 0
    placed: set[int] = set()
    for v, seq in enumerate(routes):
        if not len(seq):
            continue
        t = int(data.vehicle_type[v])
        depot = arrays.reload_node(data, v)
        path = [int(data.starts[v]), *(depot if i == RELOAD else int(i) for i in seq), int(data.ends[v])]
        total += int(sum(int(costs.arc[t][a, b]) for a, b in zip(path, path[1:]))) + int(costs.fixed[t])
        placed.update(orders_of(seq))
    for i in range(data.n_orders):
        if i not in placed:
            total += int(costs.required_penalty) if data.required[i] else int(data.penalty[i])
    return total


def _pyvrp_from(
    data: SolverData,
    costs: CostArrays,
    budget: Budget,
    options: SolveOptions,
    warm: list[list[int]] | None,
    warm_pyvrp: bool | float,
) -> tuple[list[list[int]] | None, dict[str, Any], list[list[list[int]]]]:
    """PyVRP's skeleton from ``warm`` (True), from scratch (False), or restarted (a share).

    With a share ``s``, PyVRP searches from scratch for ``s`` of the time, then again from the
    cheaper (`seed_cost`) of its own routes and ``warm`` for the rest: where its own search
    leads (long routes, loose time windows) it goes on from its routes, where the start given
    leads (tight time windows) it improves that one.  The third item is the other seeds' routes
    (`EngineResult.others`).
    """
    if warm is None or isinstance(warm_pyvrp, bool):
        return _pyvrp_skeleton(data, costs, budget, options, warm if warm_pyvrp else None)
    first, meta, _ = _pyvrp_skeleton(data, costs, budget.sub(float(warm_pyvrp) * budget.left()), options, None)
    given, mine = seed_cost(data, costs, warm), None if first is None else seed_cost(data, costs, first)
    own = mine is not None and mine < given
    costs_of = [given, mine]
    routes, again, others = _pyvrp_skeleton(data, costs, budget, options, first if own else warm)
    restart = {"restart_from": "pyvrp" if own else "initial", "restart_costs": costs_of}
    if routes is None:  # no time left for the second search
        return first, meta | restart | {"restart_from": "none"}, []
    return routes, again | restart, others


def _pyvrp_skeleton(
    data: SolverData, costs: CostArrays, budget: Budget, options: SolveOptions, warm: list[list[int]] | None
) -> tuple[list[list[int]] | None, dict[str, Any], list[list[list[int]]]]:
    """Routes from PyVRP to seed OR-Tools (None when it does not apply), its meta and the other seeds' routes.

    PyVRP's search starts from ``warm`` (the routes of the plan given to `solve`) when there is one.

    ``budget`` ends when the search as a whole has to, less what OR-Tools needs to read the routes
    into the (already built) full model.  OR-Tools' part of it is ``1 - RELAXED_SHARE`` when
    PyVRP's model relaxes something, else nothing.
    """
    if budget.left() < MIN_SKELETON_S:
        return None, {"skeleton": "skipped: too little time"}, []
    share = PYVRP_ENGINE_SHARE if options.engine == "pyvrp" else RELAXED_SHARE
    if options.engine == "auto" and descent_applies(data, options, budget.left()):
        share = DESCENT_RELAXED_SHARE  # the exact descent's seconds pay more than PyVRP's last ones
        if options.iterations is None:  # and past a point, more than any of PyVRP's
            share = min(share, DESCENT_PYVRP_MAX_S_PER_ORDER * data.n_orders / max(budget.left(), 1e-9))
    res = solve_pyvrp_portfolio(
        data,
        costs,
        budget,
        seed=options.seed,
        iterations=options.iterations,
        relaxed_share=share,
        workers=options.workers,
        stop_early=options.stop_early,
        initial=warm,
        cooperative=options.cooperative,
    )
    if res is None:
        return None, {"skeleton": "not applicable"}, []
    return (
        res.routes,
        {
            "skeleton": "pyvrp",
            "skeleton_cost": res.cost,
            "skeleton_seed": res.seed,
            "skeleton_seeds": res.seeds_run,
            "skeleton_rounds": res.rounds,
            "skeleton_feasible": res.feasible,
            "relaxed": res.relaxed,
            "exact": models_exactly(res.relaxed, data, costs),
            "skeleton_violations": len(res.violations),
            "skeleton_stopped": "converged" if res.converged else "limit",
        },
        res.others,
    )


def _route_objectives(plan: Plan, data: SolverData, costs: CostArrays, routes: list[RouteResult], scale: int) -> None:
    """Each route's share of the solver's linear objective, beside its exact cost in ``plan.routes``."""
    if not len(plan.routes):
        return
    vids = data.vehicle_ids
    obj = {vids[rr.vehicle]: round(linear_objective(data, costs, rr) / scale, 4) for rr in routes}
    plan.routes["objective"] = plan.routes["vehicle"].map(obj)
