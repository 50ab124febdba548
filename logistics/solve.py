"""``solve(problem)``: the one call that turns a Problem into a Plan.

The time limit covers the whole call, model building included.  Engines:
``"ortools"`` (the full model), ``"auto"`` (a routing skeleton from PyVRP's
hybrid genetic search where the problem fits its model, repaired and polished
by OR-Tools on the full model), ``"pyvrp"`` (alias of auto with most time
given to PyVRP).
"""
from __future__ import annotations

import time
from typing import Callable

from .build_plan import build_plan
from .errors import ProblemError
from .model import Problem
from .plan import Plan
from .reasons import explain
from .solvers import arrays
from .solvers.ortools import OrtoolsModel, cost_arrays

ENGINES = ("auto", "ortools", "pyvrp")


def solve(problem: Problem, time_limit: float = 10.0, seed: int = 0, *, engine: str = "auto",
          progress: Callable[[float, float], None] | None = None, iterations: int | None = None,
          first_solution: str = "parallel_cheapest_insertion", metaheuristic: str = "guided_local_search",
          log: bool = False, decompose: bool | None = None, max_part: int = 400) -> Plan:
    """Plan routes for ``problem`` within ``time_limit`` seconds (whole call).

    ``iterations`` makes the run reproducible regardless of machine speed: the
    search stops after that many improving solutions (OR-Tools) / iterations
    (PyVRP) unless the time limit comes first.  ``progress(elapsed_s, best_cost)``
    is called whenever the best cost improves.  ``decompose`` splits the day into
    parts of at most ``max_part`` orders solved in parallel (default: when there
    are more than 2·max_part orders).
    """
    t0 = time.perf_counter()
    if not isinstance(problem, Problem):
        raise ProblemError(f"solve() needs a logistics.Problem, got {type(problem).__name__}", record="problem",
                           field="problem")
    if engine not in ENGINES:
        raise ProblemError(f"engine {engine!r} is not one of {', '.join(ENGINES)}", record="solve", field="engine")
    if not (time_limit > 0):
        raise ProblemError(f"time_limit must be positive, got {time_limit}", record="solve", field="time_limit")
    deadline = t0 + float(time_limit)
    if decompose or (decompose is None and len(problem.orders) > 2 * max_part):
        from .decompose import solve_decomposed

        return solve_decomposed(problem, time_limit, seed, engine=engine, iterations=iterations,
                                max_orders=max_part, t0=t0)
    data = arrays.build(problem)
    costs = cost_arrays(data)
    reserve = min(0.5, 0.05 * time_limit) + 0.01 * data.n_orders / 100
    meta = {"engine": engine, "seed": seed, "time_limit": time_limit, "problem": problem.name,
            "objective_kind": problem.objective, "day": problem.day}
    initial = None
    if data.n_orders == 0:
        plan = build_plan(problem, data, [], {}, meta | {"status": "empty", "elapsed_s": time.perf_counter() - t0})
        plan.kpis["objective"] = 0.0
        return plan
    if engine in ("auto", "pyvrp"):
        t1 = time.perf_counter()
        initial, pv_meta = _pyvrp_skeleton(data, costs, deadline - reserve, seed, engine, iterations, t0)
        meta.update(pv_meta)
        meta["pyvrp_s"] = round(time.perf_counter() - t1, 4)
    model = OrtoolsModel(data, costs)
    remaining = deadline - time.perf_counter() - reserve
    res = model.search(max(0.05, remaining), initial=initial, first_solution=first_solution,
                       metaheuristic=metaheuristic, solution_limit=iterations, progress=progress, log=log)
    t2 = time.perf_counter()
    reasons = explain(data, res.routes, res.dropped, costs, deadline=deadline - reserve / 2)
    meta["reasons_s"] = round(time.perf_counter() - t2, 4)
    scale = 1 if problem.objective == "distance" else arrays.COST_SCALE
    meta.update({"status": res.status, "build_s": round(res.build_s, 4), "search_s": round(res.search_s, 4),
                 "history": [[round(t, 3), c] for t, c in res.history]})
    plan = build_plan(problem, data, res.routes, reasons, meta)
    _route_objectives(plan, data, costs, res.routes, scale)
    if res.objective is not None:
        # the solver's linear objective, without the artificial penalty of required orders left out
        req_dropped = sum(1 for i in res.dropped if data.required[i])
        plan.kpis["objective"] = round((res.objective - req_dropped * costs.required_penalty) / scale, 4)
    plan.meta["elapsed_s"] = round(time.perf_counter() - t0, 4)
    return plan


def _pyvrp_skeleton(data, costs, deadline, seed, engine, iterations, t0):
    """Routes from PyVRP to seed OR-Tools, or None when it does not apply."""
    try:
        from .solvers.pyvrp_engine import solve_pyvrp_portfolio
    except ImportError:
        return None, {"skeleton": "unavailable"}
    budget = deadline - time.perf_counter()
    share = 0.85 if engine == "pyvrp" else 0.6
    if budget < 1.0:
        return None, {"skeleton": "skipped: too little time"}
    res = solve_pyvrp_portfolio(data, costs, budget * share, seed=seed, iterations=iterations)
    if res is None:
        return None, {"skeleton": "not applicable"}
    return res.routes, {"skeleton": "pyvrp", "skeleton_cost": res.cost, "relaxed": res.relaxed}


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
