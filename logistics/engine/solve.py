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
from logistics.core.options import ENGINES, Budget, SolveOptions, resolve_options
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
from logistics.engine.solvers.seeds import RELOAD
from logistics.engine.whole import WholeTooBig, solve_whole

__all__ = ["ENGINES", "choose_policy", "initial_routes", "solve", "whole_build_s"]

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
    max_part: int | None = None,
    initial: Any = None,
    warm_pyvrp: bool | float = True,
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
    decompose, max_part
        Shortcuts for ``SolveOptions.decompose`` and ``SolveOptions.max_part``: split the day into
        parts of at most ``max_part`` orders solved in parallel.  Default (None): `choose_policy`
        solves days of up to ``DECOMPOSE_FACTOR * max_part`` orders whole and decides larger ones
        from the estimated build time of the full model (`whole_build_s`); a build that overruns
        ``WHOLE_BUILD_GIVEUP_SHARE`` of the limit is given up for decomposition; solving whole is
        never worse where it builds in time (measured by benchmarks/bench_decompose.py,
        docs/performance.md).  ``False`` with a model
        estimated to need more than ``WHOLE_REFUSE_SHARE`` of the limit raises `ProblemError`
        naming the limit.
    initial, warm_pyvrp
        A plan to start from (`initial_routes`; a decomposed day ignores it), and whether PyVRP starts
        from it (else from scratch); OR-Tools reads and repairs the cheaper routes and searches from there.
        A share between 0 and 1 runs PyVRP from scratch for that share of its time, then from the
        cheaper of its routes and the plan's (a start that may trail PyVRP's own search, as VROOM's).

    Returns
    -------
    Plan
        ``plan.meta["status"]`` says how the search ended: OR-Tools' routing status in lower case
        (``success``, ``partial_success_local_optimum_not_reached`` when stopped by the time or
        solution limit, ``fail``, ...); ``seed_checked`` when PyVRP models the problem exactly and
        OR-Tools only read and checked its routes; ``seed_unread`` when the model could not read
        routes the earliest-start walk keeps in time; ``constructed`` for a plan made without the
        model (``meta["constructed"]`` says why); ``empty`` for a problem without orders;
        ``success`` for a decomposed day (each part's status in ``meta["parts"]``).
        ``meta["kept"] == "walked seed"`` when PyVRP's routes as the walk keeps them served more,
        for less, than what OR-Tools returned (``meta["kept_instead"]``).
        ``meta["policy"]`` says why a large day was solved whole or decomposed.
        ``meta["skeleton_stopped"]`` is ``converged`` when PyVRP's search ended on its stall span
        before the limit (``stop_early``), and ``meta["stopped"]`` is ``converged`` when OR-Tools'
        search from it did.
    """
    if isinstance(time_limit, SolveOptions) and options is None:
        options, time_limit = time_limit, None
    try:
        opts = resolve_options(
            options,
            time_limit=time_limit,
            seed=seed,
            engine=engine,
            iterations=iterations,
            log=log,
            decompose=decompose,
            max_part=max_part,
        )
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
    if opts.decompose:
        plan = solve_decomposed(problem, opts, budget, max_orders=opts.max_part)
        plan.meta["policy"] = {"chosen": "decomposed", "why": "decompose=True"}
        return plan
    settings = SearchSettings(
        first_solution=first_solution,
        metaheuristic=metaheuristic,
        solution_limit=opts.iterations,
        progress=progress,
        log=opts.log,
        stop_early=opts.stop_early,
    )
    if not isinstance(warm_pyvrp, bool) and not 0.0 < warm_pyvrp < 1.0:
        raise ProblemError(
            f"warm_pyvrp must be True, False or a share between 0 and 1, got {warm_pyvrp!r}",
            record="solve",
            field="warm_pyvrp",
        )
    warm: dict[str, Any] = {"warm_pyvrp": warm_pyvrp}
    warm["initial"] = None if initial is None else initial_routes(problem, initial)
    if choose_policy(len(problem.orders), None, budget.limit, opts)[0] == "whole":  # not worth an estimate
        return solve_whole(problem, opts, budget, settings, **warm)
    return _solve_large(problem, opts, budget, settings, warm)


def _solve_large(
    problem: Problem, opts: SolveOptions, budget: Budget, settings: SearchSettings, warm: dict[str, Any]
) -> Plan:
    """A day of more than ``DECOMPOSE_FACTOR * max_part`` orders: whole or decomposed as `choose_policy` says."""
    estimate, data = whole_build_s(problem, budget.limit)
    chosen, why = choose_policy(len(problem.orders), estimate, budget.limit, opts)
    policy = {"whole_build_estimate_s": round(estimate, 2), "whole_build_share": round(estimate / budget.limit, 3)}
    if chosen == "refuse":
        raise ProblemError(
            f"time_limit={budget.limit:g} s is too short to solve {len(problem.orders)} orders whole "
            f"(decompose=False): building the model alone is estimated at {estimate:.0f} s; give at least "
            f"{estimate / WHOLE_REFUSE_SHARE:.0f} s or let solve decompose the day",
            record="solve",
            field="time_limit",
        )
    if chosen == "whole" and opts.decompose is False:
        plan = solve_whole(problem, opts, budget, settings, data=data, **warm)
        plan.meta["policy"] = policy | {"chosen": "whole", "why": why}
        return plan
    if chosen == "whole" and data is not None:
        try:
            giveup = WHOLE_BUILD_GIVEUP_SHARE * budget.limit
            plan = solve_whole(problem, opts, budget, settings, data=data, build_limit_s=giveup, **warm)
        except WholeTooBig:
            why = f"the whole model was not built in {WHOLE_BUILD_GIVEUP_SHARE:g} of the limit"
        else:
            plan.meta["policy"] = policy | {"chosen": "whole", "why": why}
            return plan
    plan = solve_decomposed(problem, opts, budget, max_orders=opts.max_part)
    plan.meta["policy"] = policy | {"chosen": "decomposed", "why": why}
    return plan


def choose_policy(
    n_orders: int, estimate_s: float | None, limit: float, options: SolveOptions | None = None
) -> tuple[str, str]:
    """Whole search or decomposition for a day larger than one part, from its estimated build time.

    Measured (benchmarks/bench_decompose.py, docs/performance.md): where the full model builds in
    a fraction of the limit, one search over the whole day beats the parts at equal time on
    classic and cold-chain days alike, because nothing can move between parts; only where the
    build eats the limit (cold-chain days of thousands of stops, whose model registers many
    matrices) does the whole search give no plan in time, and the parts win.  The build time is
    what decides, not the order count: a 1,000-customer classic day builds in 0.2 s, a Yanhu day of
    the same size in ~7-12 s.  Days of at most ``DECOMPOSE_FACTOR * max_part`` orders are solved
    whole without an estimate: at the short limits where their build could matter, the parts'
    own floor (merge, worker start, a minimum per part) does not fit either, and decomposition
    refuses the limit.

    Parameters
    ----------
    n_orders
        Orders of the day.
    estimate_s
        Estimated seconds to build the full model (`whole_build_s`); None when not estimated
        (the answer is then ``"estimate"`` where the estimate would decide).
    limit
        The call's time limit (s).
    options
        ``decompose`` (None lets the size and the estimate decide; ``False`` asks for the whole
        search, refused when the build alone would take more than ``WHOLE_REFUSE_SHARE`` of the
        limit; ``True`` always decomposes) and ``max_part``.

    Returns
    -------
    tuple of str
        ``("whole" | "decomposed" | "refuse" | "estimate", why)``.
    """
    opts = options or SolveOptions()
    decompose = opts.decompose
    if decompose is True:
        return "decomposed", "decompose=True"
    if n_orders <= DECOMPOSE_FACTOR * opts.max_part:
        return "whole", f"at most {DECOMPOSE_FACTOR} x max_part orders"
    if estimate_s is None:
        return "estimate", "the estimated build time decides"
    share = estimate_s / limit if limit > 0 else float("inf")
    if decompose is False:
        if share > WHOLE_REFUSE_SHARE:
            return "refuse", f"decompose=False, but the build needs more than {WHOLE_REFUSE_SHARE:g} of the limit"
        return "whole", "decompose=False"
    if share <= WHOLE_BUILD_SHARE:
        return "whole", "the whole model fits in the limit"
    return "decomposed", f"building the whole model needs more than {WHOLE_BUILD_SHARE:g} of the limit"


def whole_build_s(problem: Problem, limit: float) -> tuple[float, SolverData | None]:
    """Estimated seconds to build ``problem``'s full OR-Tools model, from its size alone (deterministic).

    ``BUILD_S_PER_CELL`` per cell of the transit matrices the model registers (`build_cells`).  When
    even the two matrices every model has per vehicle type (arc costs and times over the orders and
    every vehicle's start and end) already rule out solving whole (more than ``WHOLE_BUILD_SHARE`` of
    the limit), the solver arrays are not built (measured: 3-5 s of a 8 s limit spent on them for a
    5,000-order day that was then decomposed; 40 s and 4.3 GB at a 20 s limit on a busy machine when
    the bound counted one type and no vehicle nodes) and that lower bound is returned.  Otherwise
    the exact count comes from the arrays without their travel matrices (``arrays.build(...,
    matrices=False)``), and the matrices are added only when the estimate leaves solving whole
    open: a day that is decomposed anyway never holds them (4.3 GB for 5,000 stops at 120 s,
    832 MB for 2,000 from 20 s, when they were built before every estimate).

    Parameters
    ----------
    problem
        The day.
    limit
        The call's time limit (s).

    Returns
    -------
    tuple
        Seconds, and the solver arrays when the estimate is within ``WHOLE_BUILD_SHARE`` of the limit
        (None otherwise; a whole search asked for with ``decompose=False`` then builds its own).
    """
    fleet = [vt for vt in problem.fleet if vt.count > 0]
    nodes = len(problem.orders) + 2 * sum(vt.count for vt in fleet)  # what build_cells counts at least
    lower = BUILD_S_PER_CELL * 2 * max(1, len(fleet)) * nodes**2
    if lower > WHOLE_BUILD_SHARE * limit:
        return lower, None
    shape = arrays.build(problem, matrices=False)
    estimate = BUILD_S_PER_CELL * build_cells(shape)
    if estimate > WHOLE_BUILD_SHARE * limit:
        return estimate, None
    return estimate, arrays.add_matrices(shape)


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
        One list per vehicle of ``problem.vehicles()``, in visit order, a reload row as
        `logistics.engine.solvers.seeds.RELOAD` (the model keeps the reloads the vehicle's
        ``max_trips`` allows); orders or vehicles the problem does not have, and an order listed
        twice, are left out.

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
        g = g.sort_values("seq")
        kinds = g["kind"] if "kind" in g.columns else [None] * len(g)
        for oid, kind in zip(g["order_id"], kinds):
            if kind == "reload":  # a return to the depot between two trips
                routes[k].append(RELOAD)
                continue
            i = index.get(str(oid)) if oid is not None and oid == oid else None
            if i is not None and i not in seen:
                seen.add(i)
                routes[k].append(i)
    return routes
