"""How to search: one options object taken by every entry point, and one budget of time.

Every entry point (``solve``, ``plan_tiers``, carriers, 2E-VRP, VROOM, jobs, batches) takes a
[SolveOptions][logistics.core.options.SolveOptions]; keyword shortcuts (``time_limit=5``) remain for convenience
and are folded into one options object by [resolve_options][logistics.core.options.resolve_options].  A
[Budget][logistics.core.options.Budget] turns the time limit into a deadline and hands out named shares of what is
left (see [logistics.core.shares][]).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from logistics.core.errors import ProblemError

ENGINES = ("auto", "ortools", "pyvrp")
MAX_TIME_LIMIT_S = 86_400.0  # a day, as the job schema says: a longer search for one day's plan is a typing mistake
MAX_ITERATIONS = 2**62


@dataclass(frozen=True)
class SolveOptions:
    """How long and how to search: the ``solver`` block of a job file.

    One object carries what every entry point needs, so callers pass one value instead of
    threading five arguments through each layer.

    Parameters
    ----------
    time_limit
        Wall-clock seconds for the whole call, reading and writing excluded.
    seed
        Random seed; the same problem, seed and ``iterations`` give the same plan.
    engine
        ``"auto"`` (PyVRP skeleton, OR-Tools polish), ``"ortools"`` or ``"pyvrp"``.
    iterations
        A fixed search length instead of a time limit, for reproducible runs across
        machines; ``None`` searches until the time limit.
    workers
        Processes for work that splits (tiers, decomposition, batches, the PyVRP portfolio);
        ``None`` uses every core.
    log
        Print the search's progress.
    stop_early
        End a time-bound search once it has converged (no better solution for a span scaled to
        the size; see ``PYVRP_STALL_MIN`` in `logistics.core.shares`), so small jobs answer in a
        fraction of their limit; ``False`` searches to the limit.  Runs bounded by ``iterations``
        never stop early.
    cooperative
        Parallel PyVRP seeds search in rounds that restart each from the best so far
        (`logistics.engine.solvers.pyvrp.coop`); ``False`` (the default: measured no better than
        independent seeds, see docs/performance.md) runs them independently, best kept.
    decompose
        ``None``: a large day is decomposed only where its whole model is too slow to build (see
        `logistics.engine.solve.solve`); ``True`` always splits the day into parts of at most
        ``max_part`` orders; ``False`` never does.
    max_part
        The largest part of a decomposed day (orders).
    """

    time_limit: float = 10.0
    seed: int = 0
    engine: str = "auto"
    iterations: int | None = None
    workers: int | None = None
    log: bool = False
    stop_early: bool = True
    cooperative: bool = False
    decompose: bool | None = None
    max_part: int = 400

    def __post_init__(self) -> None:
        _check_number(self.time_limit, "time_limit", low=0.0, high=MAX_TIME_LIMIT_S, exclusive_low=True)
        _check_int(self.seed, "seed", low=0, high=2**31 - 1)
        if not isinstance(self.engine, str) or self.engine not in ENGINES:
            raise ProblemError(f"engine {self.engine!r} is not one of {', '.join(ENGINES)}", field="engine")
        if self.iterations is not None:
            _check_int(self.iterations, "iterations", low=1, high=MAX_ITERATIONS)
        if self.workers is not None:
            _check_int(self.workers, "workers", low=1, high=1024)
        if not isinstance(self.log, bool):
            raise ProblemError(f"log must be true or false, not {self.log!r}", field="log")
        if not isinstance(self.stop_early, bool):
            raise ProblemError(f"stop_early must be true or false, not {self.stop_early!r}", field="stop_early")
        if not isinstance(self.cooperative, bool):
            raise ProblemError(f"cooperative must be true or false, not {self.cooperative!r}", field="cooperative")
        if self.decompose is not None and not isinstance(self.decompose, bool):
            raise ProblemError(f"decompose must be true, false or null, not {self.decompose!r}", field="decompose")
        _check_int(self.max_part, "max_part", low=2, high=1_000_000)
        object.__setattr__(self, "time_limit", float(self.time_limit))

    def merged(self, **overrides: Any) -> SolveOptions:
        """A copy with the given fields replaced; ``None`` values keep the current field.

        Parameters
        ----------
        **overrides
            Field names of [SolveOptions][logistics.core.options.SolveOptions] and their new values.

        Returns
        -------
        SolveOptions
            A new, checked options object.
        """
        unknown = set(overrides) - {f.name for f in fields(self)}
        if unknown:
            raise ProblemError(f"unknown solve option(s): {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def budget(self) -> Budget:
        """A [Budget][logistics.core.options.Budget] that starts now and ends ``time_limit`` seconds later.

        Returns
        -------
        Budget
            A fresh budget; call this when the work starts, not when the options are made.
        """
        return Budget.start(self.time_limit)


def resolve_options(options: SolveOptions | None = None, **shortcuts: Any) -> SolveOptions:
    """One options object from an optional [SolveOptions][logistics.core.options.SolveOptions] and keyword shortcuts.

    Parameters
    ----------
    options
        The caller's options, or ``None`` for the defaults.
    **shortcuts
        ``time_limit``, ``seed``, ``engine``, ``iterations``, ``workers``, ``log``; ``None``
        values are ignored, so a function can forward its own keyword defaults of ``None``.

    Returns
    -------
    SolveOptions
        ``options`` with the shortcuts applied.
    """
    if options is not None and not isinstance(options, SolveOptions):
        raise ProblemError(f"options must be a SolveOptions, not {type(options).__name__}", field="options")
    return (options or SolveOptions()).merged(**shortcuts)


@dataclass(frozen=True)
class Budget:
    """A deadline on the monotonic clock that hands out shares of the time left.

    Parameters
    ----------
    deadline
        ``time.monotonic()`` value at which the work must be done.
    limit
        The whole budget in seconds, kept for reports.
    """

    deadline: float
    limit: float

    @classmethod
    def start(cls, time_limit: float) -> Budget:
        """A budget of ``time_limit`` seconds from now.

        Parameters
        ----------
        time_limit
            Seconds.

        Returns
        -------
        Budget
            The budget, its deadline on the monotonic clock.
        """
        return cls(time.monotonic() + float(time_limit), float(time_limit))

    def left(self) -> float:
        """Seconds until the deadline (never negative).

        Returns
        -------
        float
            Seconds; 0.0 once the deadline has passed.
        """
        return max(0.0, self.deadline - time.monotonic())

    def elapsed(self) -> float:
        """Seconds since the budget started.

        Returns
        -------
        float
            Seconds; may exceed ``limit`` once the deadline has passed.
        """
        return self.limit - (self.deadline - time.monotonic())

    def expired(self) -> bool:
        """Whether the deadline has passed.

        Returns
        -------
        bool
            ``True`` once ``time.monotonic()`` reaches the deadline.
        """
        return time.monotonic() >= self.deadline

    def share(self, fraction: float, *, floor: float = 0.0) -> float:
        """``fraction`` of the time left, at least ``floor`` seconds but never past the deadline.

        Parameters
        ----------
        fraction
            Share of the remaining time, in (0, 1]; name it in [logistics.core.shares][].
        floor
            Minimum seconds to hand out while any time is left.

        Returns
        -------
        float
            Seconds.
        """
        left = self.left()
        return min(left, max(floor, fraction * left))

    def sub(self, seconds: float) -> Budget:
        """A budget of ``seconds`` from now, cut at this budget's deadline.

        For a phase of the work: the phase cannot overrun the whole.

        Parameters
        ----------
        seconds
            Seconds wanted for the phase.

        Returns
        -------
        Budget
            A budget of at most `left` seconds.
        """
        seconds = min(float(seconds), self.left())
        return Budget(time.monotonic() + seconds, seconds)


def _check_number(value: Any, name: str, *, low: float, high: float, exclusive_low: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProblemError(f"{name} must be a number of seconds, not {value!r}", field=name)
    v = float(value)
    if not math.isfinite(v) or v > high or v < low or (exclusive_low and v <= low):
        raise ProblemError(
            f"{name} must be a finite number above {low:g} and at most {high:g}, not {value!r}", field=name
        )


def _check_int(value: Any, name: str, *, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ProblemError(f"{name} must be a whole number, not {value!r}", field=name)
    if not low <= int(value) <= high:
        raise ProblemError(f"{name} must be between {low} and {high}, not {value!r}", field=name)
