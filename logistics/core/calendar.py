"""Service calendars: how many days a week an order (a village's demand) is served, and on which days.

Weekdays are 0 (Monday) to 6 (Sunday); names (``"Mon"``, ``"monday"``, ``"周一"``) are accepted.
[logistics.planners.week][] plans a week from them; [logistics.formats.calendar_file][] reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from logistics.core.errors import ProblemError

__all__ = ["WEEKDAYS", "ServiceRule", "weekday"]

#: Weekday names, Monday first (the index is the weekday number).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def weekday(value: Any, record: str = "calendar", field: str = "days") -> int:
    """A weekday as 0 (Monday) to 6 from ``"Mon"``, ``"monday"``, ``"周一"`` or 0-6.

    Parameters
    ----------
    value
        The day.
    record, field
        For the error.

    Returns
    -------
    int

    Raises
    ------
    ProblemError
        Not a weekday.
    """
    zh = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= int(value) <= 6:
        return int(value)
    text = str(value).strip()
    if text in zh:
        return zh.index(text)
    low = text.lower()
    for k, name in enumerate(full):
        if len(low) >= 3 and name.startswith(low):
            return k
    raise ProblemError(f"{record}: {field}: {value!r} is not a weekday (Mon..Sun or 0-6)", record=record, field=field)


@dataclass(frozen=True)
class ServiceRule:
    """How often and when an order (a village's demand) is served in the week.

    Attributes
    ----------
    frequency
        Visits a week (1 to 7).
    days
        Weekdays it may be served (0 = Monday; names accepted); ``None`` = every planning day.
    by
        Latest weekday of the first visit (a delivery-by day); ``None`` = no limit.

    Raises
    ------
    ProblemError
        A frequency out of range or a day that is not a weekday.
    """

    frequency: int = 1
    days: tuple[int, ...] | None = None
    by: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.frequency, bool) or not isinstance(self.frequency, (int, np.integer)):
            raise ProblemError(
                f"frequency must be a whole number, got {self.frequency!r}", record="calendar", field="frequency"
            )
        if not 1 <= int(self.frequency) <= 7:
            raise ProblemError(
                f"frequency must be 1 to 7 days a week, got {self.frequency}", record="calendar", field="frequency"
            )
        if self.days is not None:
            object.__setattr__(self, "days", tuple(sorted({weekday(d) for d in self.days})))
        if self.by is not None:
            object.__setattr__(self, "by", weekday(self.by, field="by"))
