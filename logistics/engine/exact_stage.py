"""The last stage of a whole-day search: the exact descent, in two chains where a core is spare.

OR-Tools' polish runs on one core; the PyVRP portfolio before it on two.  The descent that
follows ([logistics.engine.descent][]) would leave the second core idle, so where the portfolio
found one spare (it ran a second seed) a second chain with another seed descends the same routes
in a warm worker, and the cheaper of the two answers is kept.  Chains with different seeds visit
the orders in different orders and ruin different strings, so they end in different plans: on
the Yanhu cold-chain day two chains from one start differed by up to ¥130 after 9.5 s
(docs/performance.md, "Cheaper rounds and two chains").

Runs bounded by ``iterations`` descend once, in this process: the same plan on any machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from logistics.core.options import SolveOptions
from logistics.core.plan import RouteResult
from logistics.core.shares import DESCENT_MIN_S_PER_ORDER
from logistics.engine.descent import Descent, descend, descends
from logistics.engine.parallel import WorkerPool, run_tasks
from logistics.engine.solvers.arrays import SolverData
from logistics.engine.solvers.ortools.costs import CostArrays
from logistics.engine.solvers.ortools.search import OrtoolsResult

__all__ = ["CHAIN_GRACE_S", "chain", "chain_worker", "descended", "descent_applies", "linear_objective"]

#: Seconds the second chain may overrun the deadline to send its routes back before it is given up.
CHAIN_GRACE_S = 0.5


def descent_applies(data: SolverData, options: SolveOptions, seconds: float) -> bool:
    """Whether the exact descent runs: not engine ``ortools``, `descends`, ``DESCENT_MIN_S_PER_ORDER`` an order.

    Parameters
    ----------
    data
        The solver arrays.
    options
        The run's options (engine, iterations).
    seconds
        The search's time.

    Returns
    -------
    bool
        Below ``DESCENT_MIN_S_PER_ORDER`` an order the polish's seconds pay more than the descent's.
    """
    enough = options.iterations is not None or seconds >= DESCENT_MIN_S_PER_ORDER * data.n_orders
    return options.engine != "ortools" and enough and descends(data)


def chain(
    data: SolverData, routes: list[RouteResult], dropped: list[int], deadline: float | None, seed: int
) -> Descent:
    """One chain of the descent: `logistics.engine.descent.descend` with positional arguments, for a worker.

    Parameters
    ----------
    data, routes, dropped, deadline, seed
        As for `logistics.engine.descent.descend`.

    Returns
    -------
    Descent
        The chain's answer.
    """
    return descend(data, routes, dropped, deadline=deadline, seed=seed)


@contextmanager
def chain_worker(meta: dict[str, Any], options: SolveOptions, descent: bool) -> Iterator[WorkerPool | None]:
    """A warm worker for the descent's second chain, where one will run; None elsewhere.

    Started before OR-Tools' polish, the worker imports the solver (about a second) while the
    polish runs, and its chain starts with this process's.  It runs where the descent does, the
    run is time-bound, ``options.workers`` allows a second process, and the PyVRP portfolio found
    a spare core (it ran two seeds).

    Parameters
    ----------
    meta
        The run's figures so far (``skeleton_seeds``).
    options
        The run's options.
    descent
        Whether the descent runs.

    Yields
    ------
    WorkerPool or None
        The pool of one started worker, closed (without waiting) on leaving.
    """
    two = descent and options.iterations is None and options.workers != 1 and meta.get("skeleton_seeds", 1) >= 2
    pool = WorkerPool(1, preload=(__name__,)) if two else None
    try:
        yield pool if pool is not None and pool.take(1) else None
    finally:
        if pool is not None:
            pool.close(wait=False)  # the worker has answered: its interpreter winds down on its own time


def descended(
    data: SolverData,
    costs: CostArrays,
    res: OrtoolsResult,
    meta: dict[str, Any],
    options: SolveOptions,
    deadline: float | None,
    pool: WorkerPool | None = None,
) -> OrtoolsResult:
    """The search's routes after the exact descent, ``meta["descent"]`` its figures.

    The engines' objectives leave out what the plan's cost counts (freshness above all).  The
    descent's routes replace the search's only when they cost less; the objective is then
    recomputed for them.  Given a worker (`chain_worker`), a time-bound run descends in two
    chains, seeds ``options.seed`` here and ``options.seed + 1`` in the worker.

    Parameters
    ----------
    data, costs
        The solver arrays and the OR-Tools engine's cost arrays.
    res
        The polish's answer.
    meta
        The run's figures; ``descent`` is added.
    options
        The run's options (seed).
    deadline
        ``time.monotonic()`` at which to stop; None for a run bounded by iterations.
    pool
        `chain_worker`'s pool, or None for one chain.

    Returns
    -------
    OrtoolsResult
        ``res``, or its routes replaced by the cheaper chain's.
    """
    found = _two_chains(data, res, deadline, options.seed, pool) if pool is not None and deadline else None
    if found is None:
        found = descend(data, res.routes, res.dropped, deadline=deadline, seed=options.seed)
    meta["descent"] = found.meta()
    if found.after >= found.before:
        return res
    objective = sum(linear_objective(data, costs, rr) for rr in found.routes)
    objective += sum(int(costs.required_penalty) if data.required[i] else int(data.penalty[i]) for i in found.dropped)
    return replace(res, routes=found.routes, dropped=list(found.dropped), objective=objective)


def _two_chains(data: SolverData, res: OrtoolsResult, deadline: float, seed: int, pool: WorkerPool) -> Descent | None:
    """The cheaper of two chains, the second on ``pool``'s worker; None when neither answered.

    A worker that fails or overruns ``CHAIN_GRACE_S`` leaves this chain's answer.
    """
    t0 = time.perf_counter()
    args = [(data, res.routes, res.dropped, deadline, seed + k) for k in range(2)]
    found = run_tasks(
        chain, args, workers=2, deadline=deadline, grace=CHAIN_GRACE_S, local_first=True, raise_errors=False, pool=pool
    )
    answers = [f for f in found if isinstance(f, Descent)]
    if not answers:
        return None
    chains = tuple(round(float(f.after), 2) if isinstance(f, Descent) else str(f.reason) for f in found)
    return replace(min(answers, key=lambda f: f.after), seconds=time.perf_counter() - t0, chains=chains)


def linear_objective(data: SolverData, costs: CostArrays, rr: RouteResult) -> int:
    """A scheduled route's price in the solver's linear objective (cost units).

    Parameters
    ----------
    data, costs
        The solver arrays and the OR-Tools engine's cost arrays.
    rr
        The route.

    Returns
    -------
    int
        Arcs, fixed cost, span, freshness from the shift's start, lateness: as OR-Tools counts them.
    """
    t_min = min(vt.shift[0] for vt in data.problem.fleet)
    t = int(data.vehicle_type[rr.vehicle])
    seq = [int(data.starts[rr.vehicle])] + list(rr.orders) + [int(data.ends[rr.vehicle])]
    c = int(sum(costs.arc[t][a, b] for a, b in zip(seq, seq[1:]))) + int(costs.fixed[t])
    c += int(costs.span_per_s[t]) * (rr.arrive - rr.depart)
    for i, st in zip(rr.orders, rr.starts):
        c += int(costs.decay_per_s[i]) * max(0, st - t_min)
        o = data.problem.orders[i]
        if o.soft and costs.late_per_s:
            c += costs.late_per_s * max(0, st - data.windows[i][-1][1])
    return c
