"""What happens during a day that a plan made in the morning must answer: the events of re-planning.

Times are seconds from the planning day's midnight (``"11:00"`` strings accepted); vehicle ids are
the plan's (``type#k``).  [logistics.planners.replan][] applies them; a JSON/YAML events file is
read by [logistics.formats.events_file][].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from logistics.core.errors import ProblemError
from logistics.core.model import Order
from logistics.core.units import fmt_clock, parse_clock

__all__ = ["RETURNED_GOODS", "Breakdown", "Cancel", "Delay", "Event", "NewOrder", "NewWindows"]

#: Key of ``Problem.meta`` in a re-planned day: ids of pickups already made whose paired delivery was
#: given up during the day (cancelled, or no longer possible after a breakdown, a delay or the end of
#: the goods' shelf life).  The pair is dissolved in that day's orders: the goods ride back to the
#: depot like produce (unloaded at the vehicle's next reload or its end depot), and being written off,
#: no shelf life or time out of refrigeration is checked on them.
RETURNED_GOODS = "returned_goods"

#: Longest delay or recovery time an event may state, minutes (a day).
MAX_EVENT_MIN = 24 * 60


def _minutes(value: float | None, what: str, record: str, field: str, *, optional: bool) -> None:
    """A duration in minutes from 0 to `MAX_EVENT_MIN` (``None`` allowed when ``optional``)."""
    if value is None and optional:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not (0 <= value <= MAX_EVENT_MIN)
    ):
        raise ProblemError(
            f"{what}: {field} must be a number of minutes from 0 to {MAX_EVENT_MIN}, got {value!r}",
            record=record,
            field=field,
        )


@dataclass(frozen=True)
class NewOrder:
    """An order that came in after the plan was made.

    Attributes
    ----------
    order
        The order; its id must be new to the day.
    """

    order: Order


@dataclass(frozen=True)
class Cancel:
    """An order the customer cancelled.

    Attributes
    ----------
    order_id
        The order; one already served stays served (the change is reported, not applied).  Cancelling
        one order of a pickup-and-delivery pair cancels the pair; when its pickup is already made, the
        goods ride back to the depot (`RETURNED_GOODS`).
    """

    order_id: str


@dataclass(frozen=True)
class Breakdown:
    """A vehicle out of service from a time (a breakdown, or a driver called off).

    Stops it reaches before ``at`` are made; it serves nothing after.  Deliveries whose goods are
    on board are lost to the day unless ``recover_min`` says when the goods are back at the
    vehicle's depot (towed or transshipped), after which a vehicle still at that depot may take them.

    Attributes
    ----------
    vehicle
        The vehicle id (``type#k``).
    at
        When it goes out of service, seconds from midnight; ``None`` = the re-planning time.
    recover_min
        Minutes from ``at`` until its undelivered goods are back at its depot; ``None`` = not recovered.

    Raises
    ------
    ProblemError
        A time or duration out of range.
    """

    vehicle: str
    at: int | None = None
    recover_min: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "vehicle", str(self.vehicle))
        if self.at is not None:
            object.__setattr__(self, "at", parse_clock(self.at, record=self.vehicle, field="at"))
        _minutes(self.recover_min, f"breakdown of {self.vehicle!r}", self.vehicle, "recover_min", optional=True)


@dataclass(frozen=True)
class Delay:
    """A vehicle held up (traffic, a road closed, a slow stop): it restarts ``minutes`` later.

    Attributes
    ----------
    vehicle
        The vehicle id (``type#k``).
    minutes
        How long it is held, from the point where it restarts.

    Raises
    ------
    ProblemError
        A delay out of range.
    """

    vehicle: str
    minutes: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "vehicle", str(self.vehicle))
        _minutes(self.minutes, f"delay of {self.vehicle!r}", self.vehicle, "minutes", optional=False)


@dataclass(frozen=True)
class NewWindows:
    """An order's customer asks for other time windows.

    Attributes
    ----------
    order_id
        The order.
    time_windows
        The new (start, end) pairs, seconds from midnight or ``"HH:MM"``.

    Raises
    ------
    ProblemError
        A window that is not a (start, end) pair of times, or that ends before it starts.
    """

    order_id: str
    time_windows: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        rec = str(self.order_id)
        object.__setattr__(self, "order_id", rec)
        out = []
        for k, w in enumerate(self.time_windows):
            if not isinstance(w, (tuple, list)) or len(w) != 2:
                raise ProblemError(
                    f"order {rec!r}: time window {k} must be (start, end)", record=rec, field=f"time_windows[{k}]"
                )
            a = parse_clock(w[0], record=rec, field=f"time_windows[{k}].start")
            b = parse_clock(w[1], record=rec, field=f"time_windows[{k}].end")
            if b < a:
                raise ProblemError(
                    f"order {rec!r}: time window {k} ends ({fmt_clock(b)}) before it starts ({fmt_clock(a)})",
                    record=rec,
                    field=f"time_windows[{k}]",
                )
            out.append((a, b))
        if not out:
            raise ProblemError(f"order {rec!r}: no time window", record=rec, field="time_windows")
        object.__setattr__(self, "time_windows", tuple(out))


Event = NewOrder | Cancel | Breakdown | Delay | NewWindows
