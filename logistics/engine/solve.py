"""``solve(problem)``: the one call that turns a Problem into a Plan.

The time limit covers the whole call, model building included.  Engines:
``"ortools"`` (the full model), ``"auto"`` (a routing skeleton from PyVRP's
iterated local search where the problem fits its model, repaired and polished
by OR-Tools on the full model), ``"pyvrp"`` (auto with more of the time given
to PyVRP where its model relaxes something).

Time split of ``"auto"`` (measured, see docs/performance.md):

* PyVRP models the problem exactly (classic VRPTW/CVRP, cold-chain days
  without shelf life, soft windows or freshness costs): PyVRP gets all the
  time but what OR-Tools needs to build the full model and read the routes
  into it, which checks every constraint; there is no OR-Tools search (after
  PyVRP it gains < 0.05 % and its first descent ignores short time limits);
* PyVRP relaxes something (``EngineResult.relaxed``): PyVRP gets
  ``RELAXED_SHARE`` of the budget (``PYVRP_ENGINE_SHARE`` for ``"pyvrp"``),
  OR-Tools the rest to repair and optimise on the full model.

PyVRP runs a second seed in a second process when a core is free (see
``solve_pyvrp_portfolio``).  OR-Tools always starts from PyVRP's routes: a
seed the full model rejects (say, a route that breaks a shelf life PyVRP
ignores) is repaired first by dropping the orders that break its routes,
which the search then reinserts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from logistics.core.errors import ProblemError
from logistics.core.plan import Plan
from logistics.core.problem import Problem
from logistics.engine.build_plan import build_plan
from logistics.engine.reasons import explain
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools import (
    FIRST_SOLUTION,
    METAHEURISTIC,
    OrtoolsModel,
    OrtoolsResult,
    cost_arrays,
)

ENGINES = ("auto", "ortools", "pyvrp")

RELAXED_SHARE = 0.7  # PyVRP's share of the budget when its model relaxes something (engine "auto")
PYVRP_ENGINE_SHARE = 0.85  # the same for engine "pyvrp"
MIN_SKELETON_S = 0.5  # below this budget OR-Tools alone


def solve(
    problem: Problem,
    time_limit: float = 10.0,
    seed: int = 0,
    *,
    engine: str = "auto",
    progress: Callable[[float, float], None] | None = None,
    iterations: int | None = None,
    first_solution: str = "parallel_cheapest_insertion",
    metaheuristic: str = "guided_local_search",
    log: bool = False,
    decompose: bool | None = None,
    max_part: int = 400,
) -> Plan:
    """Plan routes for ``problem`` within ``time_limit`` seconds (whole call).

    ``iterations`` makes the run reproducible regardless of machine speed: the
    search stops after that many improving solutions (OR-Tools) / iterations
    (PyVRP) unless the time limit comes first.  ``progress(elapsed_s, best_cost)``
    is called whenever the best cost improves.  ``decompose`` splits the day into
    parts of at most ``max_part`` orders solved in parallel (default: when there
    are more than 2·max_part orders).

    ``plan.meta["status"]`` says how the search ended: OR-Tools' routing
    status in lower case (``success``, ``partial_success_local_optimum_not_reached``
    when stopped by the time or solution limit, ``fail``, ...);
    ``seed_checked`` when PyVRP models the problem exactly and OR-Tools only
    read and checked its routes; ``empty`` for a problem without orders;
    ``success`` for a decomposed day (each part's status in ``meta["parts"]``).
    """
    t0 = time.perf_counter()
    if not isinstance(problem, Problem):
        raise ProblemError(
            f"solve() needs a logistics.Problem, got {type(problem).__name__}", record="problem", field="problem"
        )
    if engine not in ENGINES:
        raise ProblemError(f"engine {engine!r} is not one of {', '.join(ENGINES)}", record="solve", field="engine")
    if not (time_limit > 0):
        raise ProblemError(f"time_limit must be positive, got {time_limit}", record="solve", field="time_limit")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not (0 <= seed < 2**31 - 1):
        # PyVRP takes a 32-bit seed (and runs seed + 1 beside it)
        raise ProblemError(f"seed must be an integer from 0 to {2**31 - 2}, got {seed!r}", record="solve", field="seed")
    deadline = t0 + float(time_limit)
    if decompose or (decompose is None and len(problem.orders) > 2 * max_part):
        from logistics.engine.decompose import solve_decomposed

        return solve_decomposed(
            problem, time_limit, seed, engine=engine, iterations=iterations, max_orders=max_part, t0=t0
        )
    data = arrays.build(problem)
    costs = cost_arrays(data)
    # what follows the search (reasons, plan frames, KPIs): measured ~0.1 s at 100 orders, ~0.2 s at 400
    reserve = min(0.15 * time_limit, 0.1 + 0.0006 * data.n_orders)
    meta = {
        "engine": engine,
        "seed": seed,
        "time_limit": time_limit,
        "problem": problem.name,
        "objective_kind": problem.objective,
        "day": problem.day,
    }
    initial = None
    if data.n_orders == 0:
        plan = build_plan(problem, data, [], {}, meta | {"status": "empty", "elapsed_s": time.perf_counter() - t0})
        plan.kpis["objective"] = 0.0
        return plan
    # the full model first: PyVRP then gets what is left once building it has been paid for
    model = OrtoolsModel(data, costs, deadline=deadline - reserve)
    if engine in ("auto", "pyvrp") and model.routing is not None:
        t1 = time.perf_counter()
        initial, pv_meta = _pyvrp_skeleton(
            data, costs, deadline - reserve - _seed_read_s(model), seed, engine, iterations, t0
        )
        meta.update(pv_meta)
        meta["pyvrp_s"] = round(time.perf_counter() - t1, 4)
    remaining = deadline - time.perf_counter() - reserve
    if initial is None or model.routing is None:
        res = model.search(
            max(0.05, remaining),
            first_solution=first_solution,
            metaheuristic=metaheuristic,
            solution_limit=iterations,
            progress=progress,
            log=log,
        )
    else:
        res, seed_meta = _polish(
            model,
            max(0.05, remaining),
            initial,
            first_solution=first_solution,
            metaheuristic=metaheuristic,
            solution_limit=iterations,
            progress=progress,
            log=log,
            check_only=bool(meta.get("exact") and meta.get("skeleton_feasible")),
        )
        meta.update(seed_meta)
    t2 = time.perf_counter()
    reasons = explain(data, res.routes, res.dropped, costs, deadline=deadline - reserve / 2)
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
    plan = build_plan(problem, data, res.routes, reasons, meta)
    _route_objectives(plan, data, costs, res.routes, scale)
    if res.objective is not None:
        # the solver's linear objective, without the artificial penalty of required orders left out
        req_dropped = sum(1 for i in res.dropped if data.required[i])
        plan.kpis["objective"] = round((res.objective - req_dropped * costs.required_penalty) / scale, 4)
    plan.meta["elapsed_s"] = round(time.perf_counter() - t0, 4)
    return plan


def _pyvrp_skeleton(data, costs, deadline, seed, engine, iterations, t0):
    """Routes from PyVRP to seed OR-Tools, or None when it does not apply.

    ``deadline`` (perf_counter) is when the search as a whole has to end,
    less what OR-Tools needs to read the routes into the (already built) full
    model (``_seed_read_s``).  OR-Tools' part is ``1 - RELAXED_SHARE`` of the
    budget when PyVRP's model relaxes something, else nothing.
    """
    try:
        from logistics.engine.solvers.pyvrp_engine import solve_pyvrp_portfolio
    except ImportError:
        return None, {"skeleton": "unavailable"}
    budget = deadline - time.perf_counter()
    if budget < MIN_SKELETON_S:
        return None, {"skeleton": "skipped: too little time"}
    share = PYVRP_ENGINE_SHARE if engine == "pyvrp" else RELAXED_SHARE
    relaxed_s = budget * share
    exact_s = budget
    res = solve_pyvrp_portfolio(data, costs, relaxed_s, seed=seed, iterations=iterations, exact_time_limit=exact_s)
    if res is None:
        return None, {"skeleton": "not applicable"}
    from logistics.engine.solvers.pyvrp_engine import models_exactly

    return res.routes, {
        "skeleton": "pyvrp",
        "skeleton_cost": res.cost,
        "skeleton_seed": res.seed,
        "skeleton_feasible": res.feasible,
        "relaxed": res.relaxed,
        "exact": models_exactly(res.relaxed, data, costs),
        "skeleton_violations": len(res.violations),
    }


def _route_objectives(plan: Plan, data, costs, routes, scale: int) -> None:
    """Each route's share of the solver's linear objective, beside its exact cost in ``plan.routes``."""
    if not len(plan.routes):
        return
    vids = data.vehicle_ids
    t_min = min(vt.shift[0] for vt in data.problem.fleet)
    obj = {}
    for rr in routes:
        t = int(data.vehicle_type[rr.vehicle])
        seq = [int(data.starts[rr.vehicle])] + list(rr.orders) + [int(data.ends[rr.vehicle])]
        c = int(sum(costs.arc[t][a, b] for a, b in zip(seq, seq[1:]))) + int(costs.fixed[t])
        c += int(costs.span_per_s[t]) * (rr.arrive - rr.depart)
        for i, st in zip(rr.orders, rr.starts):
            c += int(costs.decay_per_s[i]) * max(0, st - t_min)
            o = data.problem.orders[i]
            if o.soft and costs.late_per_s:
                c += costs.late_per_s * max(0, st - data.windows[i][-1][1])
        obj[vids[rr.vehicle]] = round(c / scale, 4)
    plan.routes["objective"] = plan.routes["vehicle"].map(obj)


def _seed_read_s(model: OrtoolsModel) -> float:
    """Seconds to close the built model and read and finalise a seed in it.

    Measured against the build time: 0.03 s after a 0.1 s build (Homberger
    400), 0.15 s after 0.25 s (Yanhu demo day), 0.38 s after 0.48 s (a
    381-order part of a 2,000-stop Yanhu day).
    """
    return 0.05 + 0.8 * model.build_s


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


def _polish(
    model: OrtoolsModel,
    time_limit: float,
    initial: list[list[int]],
    *,
    first_solution: str,
    metaheuristic: str,
    solution_limit: int | None,
    progress,
    log: bool,
    check_only: bool = False,
) -> tuple[OrtoolsResult, dict]:
    """OR-Tools' search on the full model from PyVRP's routes (repaired when the model rejects them).

    ``check_only``: when the routes load as they are, return them (one
    solution: the seed with the schedule the model's finalizers choose)
    instead of searching; a seed that needed repair is searched from anyway.
    """
    from ortools.constraint_solver import pywrapcp

    r, d = model.routing, model.data
    t0 = time.perf_counter()
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = FIRST_SOLUTION[model.first_solution_for(first_solution)]
    params.local_search_metaheuristic = METAHEURISTIC[metaheuristic]
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
    params.time_limit.FromMilliseconds(int(1000 * max(time_limit, _read_limit_s(d.n_orders))))
    params.log_search = log
    history = model.record_history(t0, progress)
    r.CloseModelWithParameters(params)
    start, meta = load_seed(model, initial, deadline=t0 + max(0.5 * time_limit, _read_limit_s(d.n_orders)))
    left = time_limit - (time.perf_counter() - t0)
    params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
    params.solution_limit = no_limit if solution_limit is None else int(solution_limit)
    checked = check_only and start is not None and not meta.get("seed_repaired")
    if checked:
        params.solution_limit = 1
        params.time_limit.FromSeconds(max(5, int(time_limit) + 1))  # restoring the seed must not be cut short
    solution = None
    if start is not None:
        solution = r.SolveFromAssignmentWithParameters(start, params)
        if solution is None:  # out of time before the search's own first solution: keep the seed as read
            solution = start
    else:
        solution = r.SolveWithParameters(params)
    res = model.result(solution, history, time.perf_counter() - t0)
    if checked and solution is not None:
        res.status = "seed_checked"  # OR-Tools read and checked PyVRP's routes; it did not search
    return res, meta


def _read_limit_s(n_orders: int) -> float:
    """Time allowed for reading a seed (it ends at the first complete assignment: ~0.01-0.2 s when it loads)."""
    return min(5.0, 0.5 + 0.003 * n_orders)


def load_seed(model: OrtoolsModel, routes: list[list[int]], deadline: float | None = None):
    """An assignment of the closed ``model`` from order sequences per vehicle, repairing them if needed.

    Returns ``(assignment or None, meta)``.  When the full model rejects the
    routes, each route is cut back to the orders it can keep: first by
    simulating it (:func:`logistics.reasons._simulate`: loads, windows,
    shift, shelf life), then, should the model still refuse, by loading it
    alone order by order (until ``deadline``, perf_counter; after it the
    remaining orders of a refused route are dropped).  Dropped orders are left
    unperformed for the search to insert again.  ``meta``: ``seed_loaded``,
    ``seed_repaired`` (orders dropped), ``seed_objective`` (the loaded seed's
    objective in plan units, for comparisons).
    """
    from logistics.engine.reasons import _simulate

    r, d = model.routing, model.data
    unit = 1 if d.problem.objective == "distance" else arrays.COST_SCALE
    routes = [list(map(int, seq)) for seq in routes] + [[] for _ in range(d.n_vehicles - len(routes))]

    def read(rs):
        return r.ReadAssignmentFromRoutes(model.initial_routes(rs), True)

    def done(a, rs, dropped, how):
        meta = {"seed_loaded": a is not None, "seed_repaired": len(dropped)}
        if how:
            meta["seed_repair"] = how
            meta["seed_dropped"] = [d.problem.orders[i].id for i in sorted(dropped)]
        if a is not None:
            meta["seed_objective"] = _plan_objective(a.ObjectiveValue(), d, model.costs, rs, unit)
        return a, meta

    a = read(routes)
    if a is not None:
        return done(a, routes, [], None)
    dropped: list[int] = []
    fixed = []
    for v, seq in enumerate(routes):
        if not seq or _simulate(d, v, seq)[0] is None:
            fixed.append(seq)
            continue
        keep: list[int] = []
        for i in seq:  # greedy prefix: keep an order when the route so far (and back to the depot) still works
            if _simulate(d, v, keep + [i])[0] is None:
                keep.append(i)
            else:
                dropped.append(i)
        fixed.append(keep)
    a = read(fixed)
    if a is not None:
        return done(a, fixed, dropped, "simulate")
    # the model refuses something the simulation does not see: load route by route, order by order
    final = [[] for _ in fixed]
    for v, seq in enumerate(fixed):
        if not seq:
            continue
        if deadline is not None and time.perf_counter() > deadline:  # each read costs ~0.05 s at 800 orders
            dropped.extend(seq)
            continue
        alone = [[] for _ in fixed]
        alone[v] = seq
        if read(alone) is not None:
            final[v] = seq
            continue
        keep = []
        for i in seq:
            if deadline is not None and time.perf_counter() > deadline:
                dropped.append(i)
                continue
            alone[v] = keep + [i]
            if read(alone) is not None:
                keep.append(i)
            else:
                dropped.append(i)
        final[v] = keep
    return done(read(final), final, dropped, "model")


def _plan_objective(value: int, data, costs, routes: list[list[int]], unit: int) -> float:
    """A seed's OR-Tools objective in the units of ``kpis["objective"]`` (required orders' penalty left out)."""
    served = {i for seq in routes for i in seq}
    missing = sum(1 for i in range(data.n_orders) if data.required[i] and i not in served)
    return round((float(value) - missing * costs.required_penalty) / unit, 4)
