"""Cooperative PyVRP seeds: the processes search in rounds of fixed length and share the best between rounds.

Independent seeds (one per core, best kept) waste the cores whose seed fell behind: by the end of
a run only the best seed's search counted.  Here every round starts each seed from the best
solution any seed has found so far, with a fresh random stream per seed and round, so the cores
keep searching around the incumbent.  Rounds end on a fixed number of PyVRP iterations, not on the
clock, so a run bounded by ``iterations`` gives the same plan whatever the machine's load; a
time-bound run does the same rounds until its deadline cuts the last one short.
"""

from __future__ import annotations

import math
import time
from typing import Any

from logistics.core.shares import COOP_MIN_ROUND_ITERS_PER_ORDER, COOP_ROUNDS, ITERS_PER_S_X_ORDERS
from logistics.engine.parallel import TaskFailed, WorkerPool, run_tasks
from logistics.engine.solvers.pyvrp.search import EngineResult, PyVRPInstance, best_of, run_seed

__all__ = ["round_iterations", "round_seed", "run_cooperative"]


def round_iterations(n_orders: int, iterations: int | None, seconds: float) -> int:
    """Iterations of one round: the run's (expected) length over ``COOP_ROUNDS``, never very short.

    Parameters
    ----------
    n_orders
        Orders of the problem.
    iterations
        The run's iteration bound, or None for a time-bound run (its length is then estimated from
        ``seconds`` and the size, never from the machine's speed, so the rounds are reproducible).
    seconds
        The run's time limit.

    Returns
    -------
    int
        At least ``COOP_MIN_ROUND_ITERS_PER_ORDER`` per order (a round must be long enough for the
        late-acceptance search to move away from its start).
    """
    n = max(int(n_orders), 1)
    total = iterations if iterations is not None else ITERS_PER_S_X_ORDERS * max(seconds, 0.0) / n
    return max(math.ceil(total / COOP_ROUNDS), math.ceil(COOP_MIN_ROUND_ITERS_PER_ORDER * n), 1)


def round_seed(seed: int, k: int, rnd: int, processes: int) -> int:
    """PyVRP's seed for process ``k`` in round ``rnd``: round 0 runs ``seed + k``, as independent seeds do.

    Parameters
    ----------
    seed
        The run's seed.
    k
        The process (0 is this one).
    rnd
        The round, from 0.
    processes
        Processes per round.

    Returns
    -------
    int
        A seed below 2**31 that no other process or round of the run uses.
    """
    return (int(seed) + k + rnd * processes) % (2**31 - 1)


def run_cooperative(
    inst: PyVRPInstance,
    deadline: float,
    seeds: list[int],
    iterations: int | None,
    history: int | None,
    *,
    grace: float,
    stall: int | None = None,
    initial: Any = None,
) -> EngineResult:
    """Search ``inst`` with ``len(seeds)`` processes in rounds, each round starting from the best so far.

    Parameters
    ----------
    inst
        The built PyVRP instance.
    deadline
        ``time.monotonic()`` value by which the search ends.
    seeds
        ``seeds[0]`` is the run's seed; one process per entry (the first is this one).
    iterations
        The run's iteration bound (the rounds then add up to exactly that many iterations per
        process), or None to run rounds until the deadline.
    history
        PyVRP's late-acceptance history, or None for its default.
    grace
        Seconds a worker may overrun the deadline before its round's answer is dropped.
    stall
        Stop once the best has not improved for this many iterations per process (None: never).
    initial
        Where the first round starts (a warm start, as `run_instance` takes it), or None.

    Returns
    -------
    EngineResult
        The best result of all rounds (feasible first, then lowest cost, then fewest routes), with
        ``iterations`` the iterations per process in all and ``seeds_run`` the processes.
    """
    procs = len(seeds)
    per_round = round_iterations(inst.n_orders, iterations, deadline - time.monotonic())
    best: EngineResult | None = None
    done = since = 0
    rnd = 0
    with WorkerPool(procs - 1) as pool:
        while (iterations is None or done < iterations) and time.monotonic() < deadline:
            n_it = per_round if iterations is None else min(per_round, iterations - done)
            start = initial if best is None else best.solution
            run_seeds = [round_seed(seeds[0], k, rnd, procs) for k in range(procs)]
            args = [(inst, deadline, s, n_it, history, stall, start) for s in run_seeds]
            results = run_tasks(
                run_seed,
                args,
                workers=procs,
                deadline=deadline,
                grace=grace,
                local_first=True,
                raise_errors=False,
                pool=pool,
            )
            ok = [r for r in results if not isinstance(r, TaskFailed)]
            if not ok:
                if best is None:
                    failed = results[0]
                    assert isinstance(failed, TaskFailed)
                    raise failed.error if failed.error is not None else RuntimeError(failed.reason)
                break
            winner = best_of(ok, run_seeds)
            improved = best is None or (not winner.feasible, winner.cost) < (not best.feasible, best.cost)
            if improved:
                best = winner
            done += n_it
            since = 0 if improved else since + n_it
            rnd += 1
            if stall is not None and since >= stall:
                break
            if all(r.converged for r in ok) and not improved:
                break
    assert best is not None
    best.iterations = done
    best.seeds_run = procs
    return best
