"""The PyVRP seed portfolio: one seed here, more in worker processes when a core is free; the best wins.

``SolveOptions.workers`` bounds it: with ``workers=1`` the one seed runs here and no worker starts.

Seeds in other processes run through [logistics.engine.parallel.run_tasks][] (fresh
interpreters that import only `logistics.engine.solvers.pyvrp.search`); the first seed always
runs in this process, a worker that misses the deadline is dropped, and the winner is chosen by
`best_of`, so the choice does not depend on which
process answered first.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from logistics.core.options import Budget
from logistics.core.shares import (
    BUSY_MAX,
    ITERATION_GRACE_S,
    ITERS_PER_S_X_ORDERS,
    MIN_PARALLEL_S,
    PYVRP_STALL_MIN,
    PYVRP_STALL_PER_ORDER_SQ,
    RELAXED_ROUND_MIN_S,
    RELAXED_ROUNDS,
    SAMPLE_S,
    WORKER_GRACE_S,
)
from logistics.engine.parallel import TaskFailed, run_tasks
from logistics.engine.solvers.arrays import SolverData
from logistics.engine.solvers.pyvrp.coop import run_cooperative
from logistics.engine.solvers.pyvrp.model import COST_NOTE, build_instance
from logistics.engine.solvers.pyvrp.search import EngineResult, PyVRPInstance, best_of, run_instance, run_rounds

__all__ = [
    "converges_in_s",
    "history_for",
    "models_exactly",
    "relaxed_rounds",
    "solve_pyvrp",
    "solve_pyvrp_parallel",
    "solve_pyvrp_portfolio",
    "stall_iterations",
]


def solve_pyvrp(
    data: SolverData,
    time_limit: float,
    seed: int = 0,
    objective: str = "cost",
    cost_arrays: Any = None,
    max_iterations: int | None = None,
    multi_windows: str = "groups",
) -> EngineResult:
    """Routes for ``data`` from PyVRP alone, one seed, in about ``time_limit`` seconds (model building included).

    Parameters
    ----------
    data
        The solver arrays of the problem.
    time_limit
        Seconds for the whole call.
    seed
        PyVRP's seed.
    objective
        ``"cost"`` or ``"distance"``; the problem's own objective wins when it is ``"distance"``.
    cost_arrays, multi_windows
        As for `build_instance`.
    max_iterations
        Also bounds the search; runs bounded by iterations alone are reproducible for a seed.

    Returns
    -------
    EngineResult
        The routes found.
    """
    t0 = time.monotonic()
    if data.problem.objective == "distance":
        objective = "distance"
    if data.n_orders == 0:
        return EngineResult(routes=[[] for _ in range(data.n_vehicles)], cost=0.0, feasible=True, relaxed=[], seed=seed)
    inst = build_instance(data, objective, cost_arrays, multi_windows)
    return run_instance(inst, time_limit - (time.monotonic() - t0), seed, max_iterations)


def solve_pyvrp_parallel(
    data: SolverData,
    time_limit: float,
    seeds: Sequence[int] = (0, 1),
    objective: str = "cost",
    cost_arrays: Any = None,
    max_iterations: int | None = None,
    multi_windows: str = "groups",
) -> EngineResult:
    """`solve_pyvrp` with one seed per process; the best result wins.

    Parameters
    ----------
    data, objective, cost_arrays, max_iterations, multi_windows
        As for `solve_pyvrp`.
    time_limit
        Seconds for the whole call; a worker still busy a second after it is dropped.
    seeds
        The first runs in this process, the others in fresh interpreters that receive only the
        pickled PyVRP model, never the Problem.

    Returns
    -------
    EngineResult
        Feasible first, then lowest cost, then fewest routes, then seed order.
    """
    deadline = time.monotonic() + time_limit
    if data.problem.objective == "distance":
        objective = "distance"
    seeds = [int(s) for s in seeds] or [0]
    if data.n_orders == 0 or len(seeds) == 1:
        return solve_pyvrp(data, time_limit, seeds[0], objective, cost_arrays, max_iterations, multi_windows)
    inst = build_instance(data, objective, cost_arrays, multi_windows)
    return _run_seeds(inst, deadline, seeds, max_iterations, None, grace=ITERATION_GRACE_S)


def solve_pyvrp_portfolio(
    data: SolverData,
    costs: Any,
    budget: Budget,
    seed: int = 0,
    iterations: int | None = None,
    parallel: bool | None = None,
    *,
    relaxed_share: float = 1.0,
    workers: int | None = None,
    stop_early: bool = True,
    initial: list[list[int]] | None = None,
    cooperative: bool = False,
) -> EngineResult | None:
    """The skeleton for the portfolio: PyVRP on the OR-Tools engine's linear objective.

    Parameters
    ----------
    data
        The solver arrays of the problem.
    costs
        The OR-Tools engine's ``CostArrays``, so PyVRP optimises what OR-Tools will.
    budget
        PyVRP's time, model building included.  It gets all of it when its model is the full
        model (`models_exactly`) and ``relaxed_share`` of it (taken when the call starts)
        when it relaxes something, so the caller keeps a share for OR-Tools to repair and polish.
    seed
        The first seed; ``seed + 1`` may run beside it in another process (see ``workers``) when
        the run is long enough to pay for starting an interpreter (``MIN_PARALLEL_S``).
    iterations
        An iteration bound (reproducible runs), or None.
    parallel
        Forces the choice of a second seed (``workers`` is then not read).
    relaxed_share
        See ``budget``.
    workers
        ``SolveOptions.workers``: ``1`` runs one seed in this process and starts no worker;
        ``2`` or more allow the second seed, which a time-bound run starts only when a second
        core is free (`_spare_core`) and a run with ``iterations`` always starts, so that the
        plan does not depend on the machine; ``None`` (every core) allows it where there are two
        cores (``os.cpu_count()`` with ``iterations``, `_spare_core` without).
    stop_early
        A time-bound seed stops once it has gone `stall_iterations` without a better solution.
    initial
        Order indices per vehicle every seed starts from (a warm start, see
        [logistics.engine.solvers.pyvrp.search.initial_solution][]), or None.
    cooperative
        With more than one seed, search in rounds that restart every seed from the best found so
        far (`logistics.engine.solvers.pyvrp.coop.run_cooperative`) instead of independent seeds.

    Where PyVRP's model relaxes the problem and no start is given, each process runs its time in
    `relaxed_rounds` rounds of independent seeds (`run_rounds`), and every round's routes reach
    `EngineResult.others` for the full model to price: on such a model a seed settles in its own
    local optimum, and the full model ranks the skeletons otherwise than PyVRP does.

    Returns
    -------
    EngineResult or None
        The best seed's routes; None when there is nothing to route.  Time-bounded runs use a
        late-acceptance history scaled to the run's expected length (`history_for`);
        iteration-bounded ones keep PyVRP's defaults, so they reproduce plain PyVRP runs.
    """
    relaxed = budget.sub(budget.share(relaxed_share))
    if data.n_orders == 0 or data.n_vehicles == 0:  # nothing to route (PyVRP needs a vehicle and a depot)
        return None
    objective = "distance" if data.problem.objective == "distance" else "cost"
    inst = build_instance(data, objective, costs)
    exact = models_exactly(inst.relaxed, data, costs)
    mine = budget if exact else relaxed
    stall = stall_iterations(data.n_orders) if stop_early and iterations is None else None
    if parallel is None:
        parallel = _second_seed(mine.limit, iterations, workers, data.n_orders if stop_early else None)
    seeds = [int(seed), int(seed) + 1] if parallel else [int(seed)]
    coop = cooperative and len(seeds) > 1
    rounds = 1 if exact or initial is not None or coop else relaxed_rounds(mine.left(), iterations)
    # each round is a search of its own: its history suits its share of the time
    history = None if iterations is not None else history_for(data.n_orders, mine.left() / rounds)
    grace = ITERATION_GRACE_S if iterations is not None else WORKER_GRACE_S
    if coop:
        return run_cooperative(
            inst, mine.deadline, seeds, iterations, history, grace=grace, stall=stall, initial=initial
        )
    return _run_seeds(
        inst, mine.deadline, seeds, iterations, history, grace=grace, stall=stall, initial=initial, rounds=rounds
    )


def relaxed_rounds(seconds: float, iterations: int | None) -> int:
    """Rounds of independent seeds per process where PyVRP's model relaxes the problem (`run_rounds`).

    ``RELAXED_ROUNDS``, fewer when a round would get under ``RELAXED_ROUND_MIN_S``; with an
    iteration bound the clock is not read, so that the plan does not depend on the machine.

    Parameters
    ----------
    seconds
        PyVRP's time.
    iterations
        The run's iteration bound, or None.

    Returns
    -------
    int
        At least 1.
    """
    if iterations is not None:
        return RELAXED_ROUNDS if iterations >= RELAXED_ROUNDS else 1
    return int(max(1, min(RELAXED_ROUNDS, seconds // RELAXED_ROUND_MIN_S)))


def stall_iterations(n_orders: int) -> int:
    """Iterations without a better solution after which a time-bound seed stops: it has converged.

    Small jobs converge long before their limit (25 orders: a few dozen iterations, ~0.1 s), and a
    courier waiting for a 25-stop plan should not wait out a 10 s limit for nothing; the span grows
    with the square of the size, as the measured stretches between improvements do, so that a large
    day is never cut short (see ``PYVRP_STALL_PER_ORDER_SQ``).

    Parameters
    ----------
    n_orders
        Orders of the problem.

    Returns
    -------
    int
        ``PYVRP_STALL_MIN + PYVRP_STALL_PER_ORDER_SQ * n_orders**2``, rounded.
    """
    n = max(int(n_orders), 0)
    return PYVRP_STALL_MIN + round(PYVRP_STALL_PER_ORDER_SQ * n * n)


def converges_in_s(n_orders: int) -> float:
    """Expected seconds for a seed to go `stall_iterations` without improvement from its start (a lower bound).

    Parameters
    ----------
    n_orders
        Orders of the problem.

    Returns
    -------
    float
        The stall span at ``ITERS_PER_S_X_ORDERS / n_orders`` iterations per second.
    """
    n = max(int(n_orders), 1)
    return stall_iterations(n) * n / ITERS_PER_S_X_ORDERS


def _second_seed(limit: float, iterations: int | None, workers: int | None, n_orders: int | None = None) -> bool:
    """Whether a second seed runs in another process (see `solve_pyvrp_portfolio`'s ``workers``).

    A time-bound run whose seed is expected to converge well before a fresh interpreter could even
    start (`converges_in_s` under half of ``MIN_PARALLEL_S``) keeps to one seed: the job answers
    sooner and a second seed would only find the same routes.
    """
    if (workers is not None and workers < 2) or limit < MIN_PARALLEL_S:
        return False
    if iterations is not None:  # with an iteration bound the choice must not depend on the machine's load
        return workers is not None or (os.cpu_count() or 1) >= 2
    if n_orders is not None and converges_in_s(n_orders) < MIN_PARALLEL_S / 2:
        return False
    return _spare_core()


def history_for(n_orders: int, seconds: float) -> int:
    """The late-acceptance history for a run of about ``seconds`` on ``n_orders`` orders.

    PyVRP's default history of 300 iterations suits long runs; when a run can afford only a few
    dozen iterations per order it keeps accepting worse solutions for too long.  Measured at equal
    iterations (two seeds each, 29 Solomon, Homberger 200/400 and X 100-400 instances, the
    iterations ~9 s give: 6k-21k): mean gaps 1.02 / 0.85 / 0.86 % for histories 300 / 100 / 40-50,
    the gain coming from instances with fewer than ~40 iterations per order (400 customers, or
    routes of many stops) while 200-customer instances (55-80 per order) tie; at 3,000 iterations
    on 400 customers (7.5 per order): 3.44 / 2.35 / 1.85 % for 300 / 100 / 40.  So the history is
    four times the expected iterations per order, between 20 and 300; the expected iterations are
    an estimate from the time and the size (not the load, so that the choice is reproducible).

    Parameters
    ----------
    n_orders
        Orders of the problem.
    seconds
        The run's time limit.

    Returns
    -------
    int
        The history length.
    """
    n = max(n_orders, 1)
    expected = ITERS_PER_S_X_ORDERS * max(seconds, 0.0) / n
    return int(min(300, max(20, round(4 * expected / n))))


def models_exactly(relaxed: Sequence[str], data: SolverData, costs: Any = None) -> bool:
    """Whether PyVRP's model of ``data`` is the full model, so OR-Tools need not search after it.

    Parameters
    ----------
    relaxed
        `EngineResult.relaxed` of the model.
    data
        The solver arrays of the problem.
    costs
        The OR-Tools engine's ``CostArrays``: the note that freshness and lateness costs are left
        out is void when no order decays (``costs.decay_per_s`` all zero) and no order has a soft
        window; every other entry of ``relaxed`` counts.

    Returns
    -------
    bool
        True when nothing in ``relaxed`` matters.
    """
    rest = list(relaxed)
    if COST_NOTE in rest:
        decay = getattr(costs, "decay_per_s", None)
        no_decay = decay is not None and not np.any(decay)
        if no_decay and not any(o.soft for o in data.problem.orders):
            rest.remove(COST_NOTE)
    return not rest


def _run_seeds(
    inst: PyVRPInstance,
    deadline: float,
    seeds: list[int],
    iterations: int | None,
    history: int | None,
    *,
    grace: float,
    stall: int | None = None,
    initial: list[list[int]] | None = None,
    rounds: int = 1,
) -> EngineResult:
    """Each seed on a built instance until ``deadline`` (monotonic); the first here, the others in workers.

    A worker that has not answered ``grace`` seconds after the deadline is killed and dropped (the
    caller's time limit wins); the grace is longer with an iteration bound, so that the choice
    stays reproducible.  Each process runs ``rounds`` seeds in turn (`run_rounds`); every round's
    routes other than the winner's go to `EngineResult.others`.
    """
    stride = len(seeds)
    args = [(inst, deadline, s, iterations, history, stall, initial, rounds, stride) for s in seeds]
    results = run_tasks(
        run_rounds,
        args,
        workers=len(seeds),
        deadline=deadline,
        grace=grace,
        local_first=True,
        raise_errors=False,
    )
    if isinstance(results[0], TaskFailed):  # the seed of this process fails as a plain call would
        raise results[0].error if results[0].error is not None else RuntimeError(results[0].reason)
    answered = [r for rs in results if not isinstance(rs, TaskFailed) for r in rs]
    order = [s + k * stride for k in range(rounds) for s in seeds]  # ties: round first, then process
    best = best_of(answered, order)
    best.seeds_run = len(seeds)
    rest = sorted((r for r in answered if r is not best), key=lambda r: (not r.feasible, r.cost, order.index(r.seed)))
    best.others = [r.routes for r in rest]
    return best


def _spare_core() -> bool:
    """Whether a second seed would have a core to itself: two cores and next to nothing else running.

    A second seed on a busy machine only slows the first (on two cores with one other busy process
    both seeds get ~65 % of a core: measured, worse than one seed at full speed).  The test samples
    ``/proc/stat`` for ``SAMPLE_S`` while this process sleeps, so it sees what others run now (the
    one-minute load average would count this process's own earlier runs); without ``/proc/stat`` it
    falls back to the load average.
    """
    cores = _cores()
    if cores < 2:
        return False
    busy = _busy_cores(SAMPLE_S)
    if busy is None:
        try:
            busy = os.getloadavg()[0]
        except OSError:
            return True
    return busy <= BUSY_MAX


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _busy_cores(window: float) -> float | None:
    """Cores busy (not idle, not waiting for I/O) on average over ``window`` seconds, from /proc/stat."""

    def sample() -> tuple[int, int]:
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
