"""Solving many small problems: one solve with an engine fallback, and a batch in worker processes.

The tier planner and the carrier comparison solve one problem per station (and per carrier);
those are independent, so [solve_many][logistics.planners.tiers.solving.solve_many] runs them through
[logistics.engine.parallel.run_tasks][] (fresh worker interpreters, results in input order)
and gives each the same seed: the plans do not depend on the number of workers or on which
worker finishes first.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Mapping
from typing import TypeVar

from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions, resolve_options
from logistics.core.plan import Plan
from logistics.core.problem import Problem
from logistics.core.shares import (
    MIN_SEARCH_S,
    SIZE_LIMIT_FLOOR_S,
    SIZE_LIMIT_PER_ORDER_S,
    SOLVE_MANY_FLOOR_S,
    SOLVE_MANY_WORKER_START_S,
)
from logistics.engine.parallel import WorkerPool, run_tasks, worker_count
from logistics.engine.solve import solve

__all__ = ["size_limit", "solve_many", "solve_one", "trunk_limit"]

K = TypeVar("K", bound=Hashable)


def solve_one(
    problem: Problem, limit: float, seed: int, engine: str, iterations: int | None, stop_early: bool = True
) -> Plan:
    """``solve``; if an engine other than OR-Tools fails on the model, OR-Tools alone (noted in ``meta``).

    A station's problem must not sink the whole day because one engine cannot model it; the
    fallback keeps the rest of the search time.  A top-level function, so worker processes can
    run it.

    Parameters
    ----------
    problem
        The problem to solve.
    limit
        Seconds for this solve (the fallback gets what is left, at least ``SOLVE_MANY_FLOOR_S``).
    seed, engine, iterations, stop_early
        As for [logistics.solve][] (``stop_early`` as in [SolveOptions][logistics.core.options.SolveOptions]).

    Returns
    -------
    Plan
        The plan; ``meta["engine_fallback"]`` says why OR-Tools took over, if it did.
    """
    t0 = time.perf_counter()
    opts = SolveOptions(time_limit=limit, seed=seed, engine=engine, iterations=iterations, stop_early=stop_early)
    try:
        return solve(problem, opts)
    except (ValueError, RuntimeError) as e:
        if engine == "ortools" or isinstance(e, ProblemError):
            raise
        left = max(SOLVE_MANY_FLOOR_S, limit - (time.perf_counter() - t0))
        plan = solve(problem, opts.merged(time_limit=left, engine="ortools"))
        plan.meta["engine_fallback"] = f"{engine} failed ({e}); solved with ortools"
        return plan


def size_limit(problem: Problem) -> float:
    """Enough search time for a problem of this size (small sub-problems converge in well under a second).

    Parameters
    ----------
    problem
        The problem.

    Returns
    -------
    float
        ``SIZE_LIMIT_PER_ORDER_S`` per order, at least ``SIZE_LIMIT_FLOOR_S`` (see [logistics.core.shares][]).
    """
    return max(SIZE_LIMIT_FLOOR_S, SIZE_LIMIT_PER_ORDER_S * len(problem.orders))


def trunk_limit(problem: Problem, limit: float, options: SolveOptions) -> float:
    """Seconds for one trunk solve: `size_limit` of its size, or the phase's whole ``limit`` without ``stop_early``.

    A trunk wave of a dozen chunks converges in well under its size's limit, so a normal run keeps the
    rest for the last mile; a run told to search to the limit (long reference runs) gets it all.

    Parameters
    ----------
    problem
        The trunk wave's problem.
    limit
        The phase's seconds.
    options
        The planning call's options (``stop_early``).

    Returns
    -------
    float
        Seconds.
    """
    return min(limit, size_limit(problem)) if options.stop_early else limit


def solve_many(
    problems: Mapping[K, Problem],
    time_limit: float | None = None,
    *,
    options: SolveOptions | None = None,
    seed: int | None = None,
    engine: str | None = None,
    iterations: int | None = None,
    workers: int | None = None,
    cap: bool = False,
    pool: WorkerPool | None = None,
) -> dict[K, Plan]:
    """Solve independent problems, in parallel processes when ``workers`` > 1; results keyed as given.

    ``time_limit`` is the wall-clock budget for the whole batch: with ``k``
    problems on ``w`` workers each gets ``time_limit / ceil(k / w)`` (at least
    ``MIN_SEARCH_S``).  Results do not depend on the completion order.

    Parameters
    ----------
    problems
        Key → problem; the result has the same keys in the same order.
    time_limit
        Seconds for the whole batch; default ``options.time_limit``.
    options
        Seed, engine, iterations and workers (``None``: every core); the keyword shortcuts
        override its fields.
    seed, engine, iterations, workers
        Shortcuts for the fields of ``options``.
    cap
        No problem gets more than `size_limit` of its size
        (short trial solves; with ``options.stop_early`` off, only where the caller asks for trials).
    pool
        Warm workers to use (a planner's rounds share one); None starts and stops fresh ones.

    Returns
    -------
    dict
        Key → plan.

    Notes
    -----
    The workers run without a deadline: a solve that overruns its limit (OR-Tools looking for a
    first solution) makes the batch late rather than failing it.
    """
    opts = resolve_options(
        options, time_limit=time_limit, seed=seed, engine=engine, iterations=iterations, workers=workers
    )
    keys = list(problems)
    if not keys:
        return {}
    w = worker_count(opts.workers, len(keys))
    rounds = math.ceil(len(keys) / w)
    # the batch keeps its limit: many rounds share it (MIN_SEARCH_S each at least, not SOLVE_MANY_FLOOR_S)
    per = max(MIN_SEARCH_S, opts.time_limit / rounds)
    args = [
        (
            problems[k],
            min(per, size_limit(problems[k])) if cap else per,
            opts.seed,
            opts.engine,
            opts.iterations,
            opts.stop_early,
        )
        for k in keys
    ]
    warm = pool is not None and pool.live() >= min(w, len(keys))
    processes = _processes([a[1] for a in args], w, warm)
    plans = run_tasks(solve_one, args, workers=processes, deadline=None, raise_errors=True, pool=pool)
    return dict(zip(keys, plans))


def _processes(limits: list[float], workers: int, warm: bool = False) -> int:
    """``workers``, or 1 when starting worker interpreters would cost more time than it saves.

    Short batches (the re-balancing trials: two depots for a fraction of a second each) finish
    sooner in this process than a fresh interpreter takes to start; the plans are the same
    either way, since every problem is solved with the same seed and limit.  Warm workers
    (``warm``) cost no start.
    """
    if workers <= 1:
        return 1
    here = sum(limits)
    there = (0.0 if warm else SOLVE_MANY_WORKER_START_S) + math.ceil(len(limits) / workers) * max(limits)
    return workers if there < here else 1
