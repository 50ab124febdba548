"""Drivers' breaks and the continuous-driving rule of a vehicle type.

Two rules keep a plan drivable by people:

* **Breaks** (`Break`): a break of ``duration`` seconds that starts within ``window`` (a lunch
  break from 11:30 to 13:30 lasting 30 min).  A route that is on the road throughout the window
  takes it; a route that ends before the window closes or starts late enough may take it outside
  the route (the driver is off duty then).
* **Continuous driving** (``max_driving_h`` / ``min_rest_min`` on the vehicle type): no more than
  ``max_driving_h`` hours between two rests of at least ``min_rest_min`` minutes.
  `CN_MAX_DRIVING_H` and `CN_MIN_REST_MIN` follow China's Regulations for the Implementation of
  the Road Traffic Safety Law (道路交通安全法实施条例, State Council Decree No. 405 of 2004,
  article 62(7)): no more than 4 hours of continuous driving without a rest of at least 20
  minutes.  Every vehicle type keeps the rule by default; ``max_driving_h=None`` turns it off
  (VROOM input and benchmark instances are read that way: neither format has the rule).

The time counted between rests is the route's whole on-duty time (driving, service and waiting),
not driving alone: stricter than the regulation, so a plan that keeps it keeps the regulation too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from logistics.core.errors import ProblemError
from logistics.core.units import DAY, parse_clock

__all__ = [
    "CN_MAX_DRIVING_H",
    "CN_MIN_REST_MIN",
    "Break",
    "breaks_left",
    "check_driving_rule",
    "check_rules",
    "needs_breaks",
    "parse_breaks",
    "rests_needed",
]

#: Longest continuous driving, hours (Road Traffic Safety Law implementing regulations, art. 62(7), 2004).
CN_MAX_DRIVING_H = 4.0
#: Shortest rest that ends a stretch of continuous driving, minutes (same article).
CN_MIN_REST_MIN = 20.0


@dataclass(frozen=True)
class Break:
    """A break every route of a vehicle type takes: ``duration`` seconds starting within ``window``.

    Attributes
    ----------
    window
        (earliest start, latest start), seconds from midnight or ``"HH:MM"``.
    duration
        Length of the break, seconds or ``"HH:MM"`` (above 0, at most a day).
    name
        Label shown on the plan's break stop.

    Raises
    ------
    ProblemError
        The window is not two times in order, or the duration is out of range.
    """

    window: tuple[int, int]
    duration: int
    name: str = "break"

    def __post_init__(self) -> None:
        rec = self.name
        w = self.window
        if isinstance(w, (str, bytes, Mapping)) or not hasattr(w, "__len__") or len(w) != 2:
            raise ProblemError(f"break {rec!r}: window must be [start, end], got {w!r}", record=rec, field="window")
        a = parse_clock(w[0], record=rec, field="window[0]")
        b = parse_clock(w[1], record=rec, field="window[1]")
        if not (0 <= a <= b <= 2 * DAY):
            raise ProblemError(
                f"break {rec!r}: window must be two times in order within two days, got {w!r}",
                record=rec,
                field="window",
            )
        object.__setattr__(self, "window", (a, b))
        d = self.duration
        if isinstance(d, str):
            d = parse_clock(d, record=rec, field="duration")  # "HH:MM" as a length
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not math.isfinite(d) or not (0 < d <= DAY):
            raise ProblemError(
                f"break {rec!r}: duration must be seconds from 1 to {DAY}, got {d!r}", record=rec, field="duration"
            )
        object.__setattr__(self, "duration", int(round(d)))


def parse_breaks(value: Any, record: object) -> tuple[Break, ...]:
    """A vehicle type's breaks from `Break` objects or mappings (``window``, ``duration``, ``name``).

    Parameters
    ----------
    value
        A list of `Break` or mappings.
    record
        The vehicle type's name, for errors.

    Returns
    -------
    tuple of Break
        The breaks, in the order given.

    Raises
    ------
    ProblemError
        Not a list, or a break is malformed (``field`` is ``breaks[k].<field>``).
    """
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise ProblemError(f"vehicle type {record!r}: breaks must be a list", record=record, field="breaks")
    out: list[Break] = []
    for k, b in enumerate(value):
        if isinstance(b, Break):
            out.append(b)
            continue
        if not isinstance(b, Mapping):
            raise ProblemError(
                f"vehicle type {record!r}: break {k} is not a break ({b!r})", record=record, field=f"breaks[{k}]"
            )
        try:
            out.append(Break(**b))
        except ProblemError as e:
            raise ProblemError(
                f"vehicle type {record!r}: break {k}: {e}", record=record, field=f"breaks[{k}].{e.field}"
            ) from None
        except TypeError as e:  # unknown or missing keys
            raise ProblemError(
                f"vehicle type {record!r}: break {k}: {e}", record=record, field=f"breaks[{k}]"
            ) from None
    return tuple(out)


def check_rules(breaks: Any, max_driving_h: Any, min_rest_min: Any, record: object) -> tuple[Break, ...]:
    """A vehicle type's breaks parsed (`parse_breaks`) and its driving rule checked (`check_driving_rule`).

    Parameters
    ----------
    breaks, max_driving_h, min_rest_min
        The type's fields.
    record
        The vehicle type's name, for errors.

    Returns
    -------
    tuple of Break
        The breaks.

    Raises
    ------
    ProblemError
        A value is out of range (``field`` names it).
    """
    out = parse_breaks(breaks, record)
    check_driving_rule(max_driving_h, min_rest_min, record)
    return out


def check_driving_rule(max_driving_h: Any, min_rest_min: Any, record: object) -> None:
    """The continuous-driving limit is empty (no rule) or positive hours; the rest positive minutes.

    Parameters
    ----------
    max_driving_h
        Hours of continuous on-duty time, or ``None``.
    min_rest_min
        Minutes of the shortest rest.
    record
        The vehicle type's name, for errors.

    Raises
    ------
    ProblemError
        A value is not a finite positive number (``max_driving_h`` at most 24).
    """
    for f, v, hi in (("max_driving_h", max_driving_h, 24.0), ("min_rest_min", min_rest_min, 24 * 60.0)):
        if f == "max_driving_h" and v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 < v <= hi):  # NaN fails too
            raise ProblemError(
                f"vehicle type {record!r}: {f} must be a number above 0 and at most {hi:g}"
                + (" (empty: no limit)" if f == "max_driving_h" else "")
                + f", got {v!r}",
                record=record,
                field=f,
            )


def rests_needed(max_driving_h: float | None, span: float) -> int:
    """Rests of the driving rule a route of at most ``span`` seconds on duty may need.

    Parameters
    ----------
    max_driving_h
        The continuous-driving limit, hours, or ``None``.
    span
        The longest route, seconds, its rests left out (they end stretches, they do not fill them).

    Returns
    -------
    int
        ``ceil(span / limit) - 1`` (0 without a limit): each rest ends one stretch.
    """
    if max_driving_h is None:
        return 0
    return max(0, math.ceil(span / (max_driving_h * 3600)) - 1)


def needs_breaks(breaks: tuple[Break, ...], max_driving_h: float | None, depart: int, arrive: int) -> bool:
    """Whether a route on duty from ``depart`` to ``arrive`` owes a break or a rest on the way.

    A break it can take off duty (its window lets it end before the departure, or start at the
    return) is not owed; the driving rule is owed once the route is longer than its limit.
    Re-timing a planned route (the tier planner's earliest schedule) may drop its breaks only
    when this is false.

    Parameters
    ----------
    breaks, max_driving_h
        The vehicle type's rules.
    depart, arrive
        The route's departure and return, seconds.

    Returns
    -------
    bool
        ``True`` when the route needs a break stop.
    """
    if max_driving_h is not None and arrive - depart > max_driving_h * 3600:
        return True
    return any(not (b.window[0] + b.duration <= depart or b.window[1] >= arrive) for b in breaks)


def breaks_left(
    breaks: tuple[Break, ...],
    max_driving_h: float | None,
    min_rest_min: float,
    taken: list[tuple[int, int, str]],
    now: int,
    on_duty_since: int | None,
) -> tuple[Break, ...]:
    """The breaks a route already under way still owes from ``now`` (re-planning during the day).

    Breaks of the type not yet taken stay (those whose window is over are dropped); when the
    driving rule applies and the driver has been on duty since ``on_duty_since``, a rest of
    ``min_rest_min`` is due before the limit runs out.

    Parameters
    ----------
    breaks, max_driving_h, min_rest_min
        The vehicle type's rules.
    taken
        (start, length, name) of the breaks taken so far.
    now
        When the rest of the route starts, seconds.
    on_duty_since
        Its departure, or ``None`` for a vehicle that has not left (it owes its breaks whole).

    Returns
    -------
    tuple of Break
        The breaks of the rest of the route.
    """
    if on_duty_since is None:
        return tuple(b for b in breaks if b.window[1] >= now)
    free = sorted(taken)
    owed = []
    for b in breaks:
        hit = next((x for x in free if b.window[0] <= x[0] <= b.window[1] and x[1] >= b.duration), None)
        if hit is not None:
            free.remove(hit)
        elif b.window[1] >= now:
            owed.append(b)
    if max_driving_h is not None:
        rest = int(round(min_rest_min * 60))
        since = max([on_duty_since] + [s + d for s, d, _ in taken if d >= rest])
        due = now + max(0, int(max_driving_h * 3600) - (now - since))
        owed.append(Break((now, due), rest, name="rest"))
    return tuple(owed)
