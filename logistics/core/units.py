"""Units, limits and clock helpers: the conventions every layer shares.

Times of day are seconds from the planning day's midnight; quantities are in the unit each
product declares; money in yuan.  Limits keep the solver's int64 arithmetic from overflowing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from enum import Enum

import numpy as np
import pandas as pd

from logistics.core.errors import ProblemError

DAY = 86_400
# Largest amount (product units) of a quantity or a compartment capacity, and largest penalty (¥): the solver
# works in int64 milli-units and cost units, where larger values would overflow.
MAX_AMOUNT = 1e12
MAX_PENALTY = 1e9
MAX_VEHICLES = 10_000  # per vehicle type; the solver's arrays grow with (orders + 2 * vehicles) ** 2


class Zone(str, Enum):
    """Temperature zones, coldest first.

    Attributes
    ----------
    FROZEN
        At or below -18 °C.
    CHILLED
        0-4 °C.
    FRESH
        About 5 °C, fruit and vegetables.
    AMBIENT
        No temperature control.
    """

    FROZEN = "frozen"  # <= -18 °C
    CHILLED = "chilled"  # 0-4 °C
    FRESH = "fresh"  # ~5 °C, fruit and vegetables
    AMBIENT = "ambient"

    @classmethod
    def parse(cls, value: object, *, record: object = None, field: str = "zone") -> Zone:
        """A zone from a `Zone` or its name in any case (``"Chilled"``).

        Parameters
        ----------
        value
            The zone or its name.
        record
            Id of the record being read, for the error.
        field
            Name of the field being read, for the error.

        Returns
        -------
        Zone
            The zone.

        Raises
        ------
        ProblemError
            ``value`` names no zone.
        """
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).lower())
        except ValueError:
            raise ProblemError(
                f"{record!r}: zone {value!r} is not one of frozen, chilled, fresh, ambient", record=record, field=field
            ) from None

    def warmer_than(self, other: Zone) -> bool:
        """Whether a compartment held at this zone is warmer than goods of zone ``other`` need.

        Parameters
        ----------
        other
            The goods' zone.

        Returns
        -------
        bool
            ``True`` when this zone comes after ``other`` in the coldest-first order (the goods are
            out of their refrigeration).
        """
        order = list(Zone)
        return order.index(self) > order.index(other)


# Which compartment zones may carry a product of a zone, most preferred first.
# Frozen goods never leave a frozen compartment; ambient goods may ride cooler.
DEFAULT_CARRIERS: dict[Zone, tuple[Zone, ...]] = {
    Zone.FROZEN: (Zone.FROZEN,),
    Zone.CHILLED: (Zone.CHILLED,),
    Zone.FRESH: (Zone.FRESH, Zone.CHILLED),
    Zone.AMBIENT: (Zone.AMBIENT, Zone.FRESH, Zone.CHILLED),
}


def parse_clock(value: object, *, record: object = None, field: str = "time") -> int:
    """Seconds from midnight from an int/float (seconds), 'HH:MM[:SS]' or a Timestamp.

    Parameters
    ----------
    value
        Seconds (floats are rounded), ``"HH:MM"`` or ``"HH:MM:SS"`` (hours may exceed 23 for
        times past midnight), or a `pandas.Timestamp` (its time of day).
    record
        Id of the record being read, for the error.
    field
        Name of the field being read, for the error.

    Returns
    -------
    int
        Seconds from midnight.

    Raises
    ------
    ProblemError
        ``value`` is not a time, or a non-finite number.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ProblemError(f"{record!r}: {field} is not a finite number ({value})", record=record, field=field)
        return int(round(value))
    if isinstance(value, pd.Timestamp):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,3}):(\d{2})(?::(\d{2}))?\s*", value)
        if m:
            h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            if mi < 60 and s < 60:
                return h * 3600 + mi * 60 + s
    raise ProblemError(f"{record!r}: {field} {value!r} is not a time (seconds or 'HH:MM')", record=record, field=field)


def _len(x: object) -> int | None:
    """len(x), or None for objects without a length (a number where a list was expected)."""
    try:
        return len(x)  # type: ignore[arg-type]
    except TypeError:
        return None


def _numbers(obj: object, fields: Iterable[str], what: str, record: object) -> None:
    """Numeric fields of a frozen dataclass: numbers stay, numeric strings (a CSV cell) become floats,
    anything else is a ProblemError naming the field (None means 'not given' and stays)."""
    for f in fields:
        v = getattr(obj, f)
        if v is None or isinstance(v, (int, float, np.integer, np.floating)):
            continue
        try:
            fv = float(v)
        except (TypeError, ValueError):
            raise ProblemError(f"{what} {record!r}: {f} {v!r} is not a number", record=record, field=f) from None
        object.__setattr__(obj, f, fv)


def fmt_clock(seconds: float) -> str:
    """``HH:MM`` from seconds from midnight, for reports and messages.

    Parameters
    ----------
    seconds
        Seconds from midnight (rounded to whole seconds, then truncated to minutes); negative
        values get a ``-`` sign and hours past 23 are kept (``"25:30"``).

    Returns
    -------
    str
        The clock time.
    """
    s = int(round(seconds))
    sign = "-" if s < 0 else ""
    s = abs(s)
    return f"{sign}{s // 3600:02d}:{(s % 3600) // 60:02d}"


def _text_map(value: object, what: str, rec: object, field: str) -> dict[str, str]:
    """A mapping of names to text, kept exactly as written (no number parsing), or a ProblemError naming ``field``."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ProblemError(f"{what} {rec!r}: {field} must map names to text", record=rec, field=field)
    return dict(value)
