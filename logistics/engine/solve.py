"""``solve(problem)``: the one call that turns a Problem into a Plan.

The time limit covers the whole call, model building included.  Engines:
``"ortools"`` (the full model), ``"auto"`` (a routing skeleton from PyVRP's
iterated local search where the problem fits its model, repaired and polished
by OR-Tools on the full model), ``"pyvrp"`` (auto with more of the time given
to PyVRP where its model relaxes something).  How the time is split is
described in `logistics.engine.whole`; large days are cut into parts by
[logistics.engine.decompose][].

PyVRP runs a second seed in a second process when a core is free (see
`solve_pyvrp_portfolio`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logistics.core.errors import ProblemError
from logistics.core.options import ENGINES, SolveOptions, resolve_options
from logistics.core.plan import Plan
from logistics.core.problem import Problem
from logistics.core.shares import (
    BUILD_S_PER_CELL,
    DECOMPOSE_FACTOR,
    WHOLE_BUILD_GIVEUP_SHARE,
    WHOLE_BUILD_SHARE,
    WHOLE_REFUSE_SHARE,
)
from logistics.engine.decompose import solve_decomposed
from logistics.engine.solvers import arrays
from logistics.engine.solvers.arrays import SolverData
from logistics.engine.solvers.ortools.model import build_cells
from logistics.engine.solvers.ortools.search import SearchSettings
from logistics.engine.whole import WholeTooBig, solve_whole

__all__ = ["ENGINES", "initial_routes", "solve", "whole_build_s"]

# PyVRP takes a 32-bit seed and runs seed + 1 beside it
_MAX_SEED = 2**31 - 2


def solve(
    problem: Problem,
    time_limit: float | SolveOptions | None = None,
    seed: int | None = None,
    *,
    options: SolveOptions | None = None,
    engine: str | None = None,
    progress: Callable[[float, float], None] | None = None,
    iterations: int | None = None,
    first_solution: str = "parallel_cheapest_insertion",
    metaheuristic: str = "guided_local_search",
    log: bool | None = None,
    decompose: bool | None = None,
    max_part: int = 400,
    initial: Any = None,
    warm_pyvrp: bool = True,
) -> Plan:
    """Plan routes for ``problem`` within the time limit (the whole call).

    Parameters
    ----------
    problem
        The day to plan.
    time_limit, seed, engine, iterations, log
        A [SolveOptions][logistics.core.options.SolveOptions] passed second (``solve(problem, opts)``) is
        taken as ``options``.  Otherwise shortcuts for the fields of ``options`` (``None`` keeps
        the option's value): seconds for the whole call (default 10), random seed (default 0),
        ``"auto"``, ``"ortools"`` or
        ``"pyvrp"``, and a search length that makes the run reproducible regardless of machine
        speed (the search stops after that many improving solutions (OR-Tools) / iterations
        (PyVRP) unless the time limit comes first).  Bad values raise `ProblemError`
        naming the field.
    options
        One [SolveOptions][logistics.core.options.SolveOptions] for all of the above (and ``workers``:
        processes for decomposed parts and the PyVRP portfolio's second seed; ``workers=1`` keeps
        everything in this process), so callers pass one value through their layers.
    progress
        ``progress(elapsed_s, best_cost)`` is called whenever OR-Tools' best cost improves.
    first_solution, metaheuristic
        OR-Tools' strategy names.
    decompose
        Split the day into parts of at most ``max_part`` orders solved in parallel.  Default: only a
        day of more than ``DECOMPOSE_FACTOR * max_part`` orders whose full model cannot be built in
        ``WHOLE_BUILD_SHARE`` of the limit (estimated from its size, `whole_build_s`), or whose build
        overruns ``WHOLE_BUILD_GIVEUP_SHARE`` of it; solving whole is never worse where it fits
        (docs/performance.md).  ``False`` with a model estimated to need more than
        ``WHOLE_REFUSE_SHARE`` of the limit raises `ProblemError` naming the limit.
    max_part
        The largest part of a decomposed day.
    initial, warm_pyvrp
        A plan to start from (`initial_routes`; not for a decomposed day), and whether PyVRP starts from it
        (else from scratch); OR-Tools reads and repairs the cheaper routes and searches from there.

    Returns
    -------
    Plan
        ``plan.meta["status"]`` says how the search ended: OR-Tools' routing status in lower case
        (``success``, ``partial_success_local_optimum_not_reached`` when stopped by the time or
        solution limit, ``fail``, ...); ``seed_checked`` when PyVRP models the problem exactly and
        OR-Tools only read and checked its routes; ``empty`` for a problem without orders;
        ``success`` for a decomposed day (each part's status in ``meta["parts"]``).
        ``meta["policy"]`` says why a large day was solved whole or decomposed.
        ``meta["skeleton_stopped"]`` is ``converged`` when PyVRP's search ended on its stall span
        before the limit (``stop_early``), and ``meta["stopped"]`` is ``converged`` when OR-Tools'
        search from it did.
    """
    if isinstance(time_limit, SolveOptions) and options is None:
        options, time_limit = time_limit, None
    try:
        opts = resolve_options(options, time_limit=time_limit, seed=seed, engine=engine, iterations=iterations, log=log)
    except ProblemError as e:
        if e.record is None:
            e.record = "solve"  # the offending record is the call itself, as before options existed
        raise
    budget = opts.budget()
    if not isinstance(problem, Problem):
        raise ProblemError(
            f"solve() needs a logistics.Problem, got {type(problem).__name__}", record="problem", field="problem"
        )
    if opts.seed > _MAX_SEED:
        raise ProblemError(
            f"seed must be an integer from 0 to {_MAX_SEED}, got {opts.seed!r}", record="solve", field="seed"
        )
    if decompose:
        return solve_decomposed(problem, opts, budget, max_orders=max_part)
    settings = SearchSettings(
        first_solution=first_solution,
        metaheuristic=metaheuristic,
        solution_limit=opts.iterations,
        progress=progress,
        log=opts.log,
        stop_early=opts.stop_early,
    )
    warm: dict[str, Any] = {"warm_pyvrp": warm_pyvrp}
    warm["initial"] = None if initial is None else initial_routes(problem, initial)
    if len(problem.orders) <= DECOMPOSE_FACTOR * max_part:
        return solve_whole(problem, opts, budget, settings, **warm)
    estimate, data = whole_build_s(problem, budget.limit)
    policy = {"whole_build_estimate_s": round(estimate, 2), "whole_build_share": round(estimate / budget.limit, 3)}
    if decompose is False:
        if estimate > WHOLE_REFUSE_SHARE * budget.limit:
            raise ProblemError(
                f"time_limit={budget.limit:g} s is too short to solve {len(problem.orders)} orders whole "
                f"(decompose=False): building the model alone is estimated at {estimate:.0f} s; give at least "
                f"{estimate / WHOLE_REFUSE_SHARE:.0f} s or let solve decompose the day",
                record="solve",
                field="time_limit",
            )
        plan = solve_whole(problem, opts, budget, settings, data=data, **warm)
        plan.meta["policy"] = policy | {"chosen": "whole", "why": "decompose=False"}
        return plan
    if data is not None and estimate <= WHOLE_BUILD_SHARE * budget.limit:
        try:
            giveup = WHOLE_BUILD_GIVEUP_SHARE * budget.limit
            plan = solve_whole(problem, opts, budget, settings, data=data, build_limit_s=giveup, **warm)
        except WholeTooBig:
            why = f"the whole model was not built in {WHOLE_BUILD_GIVEUP_SHARE:g} of the limit"
        else:
            plan.meta["policy"] = policy | {"chosen": "whole", "why": "the whole model fits in the limit"}
            return plan
    else:
        why = f"building the whole model needs more than {WHOLE_BUILD_SHARE:g} of the limit"
    plan = solve_decomposed(problem, opts, budget, max_orders=max_part)
    plan.meta["policy"] = policy | {"chosen": "decomposed", "why": why}
    return plan


def whole_build_s(problem: Problem, limit: float) -> tuple[float, SolverData | None]:
    """Estimated seconds to build ``problem``'s full OR-Tools model, from its size alone (deterministic).

    ``BUILD_S_PER_CELL`` per cell of the transit matrices the model registers (`build_cells`).  When
    even the two matrices every model has per vehicle type (arc costs and times over the orders and
    every vehicle's start and end) already rule out solving whole (more than ``WHOLE_BUILD_SHARE`` of
    the limit), the solver arrays are not built (measured: 3-5 s of a 8 s limit spent on them for a
    5,000-order day that was then decomposed; 40 s and 4.3 GB at a 20 s limit on a busy machine when
    the bound counted one type and no vehicle nodes) and that lower bound is returned.

    Parameters
    ----------
    problem
        The day.
    limit
        The call's time limit (s).

    Returns
    -------
    tuple
        Seconds, and the solver arrays when they were built (None otherwise).
    """
    fleet = [vt for vt in problem.fleet if vt.count > 0]
    nodes = len(problem.orders) + 2 * sum(vt.count for vt in fleet)  # what build_cells counts at least
    lower = BUILD_S_PER_CELL * 2 * max(1, len(fleet)) * nodes**2
    if lower > WHOLE_BUILD_SHARE * limit:
        return lower, None
    data = arrays.build(problem)
    return BUILD_S_PER_CELL * build_cells(data), data


def initial_routes(problem: Problem, plan: Any) -> list[list[int]]:
    """A plan's routes as order indices per vehicle of ``problem``: the warm start `solve` reads.

    Parameters
    ----------
    problem
        The problem to solve; vehicle ids (``type#k``) and order ids are matched by name.
    plan
        A plan (or any object with a ``stops`` frame holding ``vehicle``, ``seq`` and ``order_id``).

    Returns
    -------
    list of list of int
        One list per vehicle of ``problem.vehicles()``, in visit order; orders or vehicles the problem
        does not have, and an order listed twice, are left out.

    Raises
    ------
    ProblemError
        ``plan`` has no stops frame with those columns.
    """
    stops = getattr(plan, "stops", None)
    if stops is None or not {"vehicle", "seq", "order_id"} <= set(getattr(stops, "columns", ())):
        raise ProblemError(
            "initial must be a plan with a stops frame (vehicle, seq, order_id)", record="solve", field="initial"
        )
    index = {o.id: i for i, o in enumerate(problem.orders)}
    vehicles = {vid: k for k, (vid, _) in enumerate(problem.vehicles())}
    routes: list[list[int]] = [[] for _ in vehicles]
    seen: set[int] = set()
    for vid, g in stops.groupby("vehicle", sort=False):
        k = vehicles.get(str(vid))
        if k is None:
            continue
        for oid in g.sort_values("seq")["order_id"]:
            i = index.get(str(oid)) if oid is not None and oid == oid else None
            if i is not None and i not in seen:
                seen.add(i)
                routes[k].append(i)
    return routes
