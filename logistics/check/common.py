"""What the plan validator's parts share: `Violation`, tolerances, cell readers, the report.

Part of [logistics.check][]: imports ``core`` only, never the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from logistics.core.model import VehicleType
from logistics.core.problem import Problem

__all__ = ["QTY_ABS_TOL", "TIME_TOL", "Report", "Violation", "cell_id", "close", "fmt", "is_missing", "num", "qty_tol"]

TIME_TOL = 1e-6  # times are integers; allow float round-trips only
QTY_ABS_TOL = 1e-3  # loads may be reported from integer milli-units


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``kind`` (see ``KINDS``), a readable message, and where.

    Attributes
    ----------
    kind
        The rule broken, a key of ``KINDS`` (``"capacity"``, ``"time_window"``, ...), so
        callers can count or filter violations without parsing messages.
    message
        What is wrong, with the figures (times as clock times, loads in product units).
    vehicle
        Id of the vehicle whose route breaks the rule, if any.
    order_id
        Id of the order concerned, if any.
    """

    kind: str
    message: str
    vehicle: str | None = None
    order_id: str | None = None

    def __str__(self) -> str:
        where = []
        if self.vehicle is not None:
            where.append(f"vehicle {self.vehicle}")
        if self.order_id is not None:
            where.append(f"order {self.order_id}")
        loc = f" ({', '.join(where)})" if where else ""
        return f"[{self.kind}]{loc} {self.message}"


def is_missing(x: Any) -> bool:
    """Whether a plan cell is empty: ``None``, NaN or a pandas missing value.

    Parameters
    ----------
    x
        A cell value; lists, tuples and dicts are never missing.

    Returns
    -------
    bool
        ``True`` for an empty cell.
    """
    if x is None:
        return True
    if isinstance(x, (float, np.floating)) and math.isnan(x):
        return True
    try:
        return bool(pd.isna(x)) if not isinstance(x, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def cell_id(x: Any) -> str | None:
    """Normalise an id cell: None/NaN -> None, numbers that are whole -> '12', else str.

    Parameters
    ----------
    x
        A cell of an id column (plans read from CSV or JSON may hold ids as floats).

    Returns
    -------
    str or None
        The id as text, or ``None`` for an empty cell.
    """
    if is_missing(x):
        return None
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x)


def num(x: Any) -> float | None:
    """A cell as a number, or ``None`` when it is empty or not numeric.

    Parameters
    ----------
    x
        A cell value.

    Returns
    -------
    float or None
        The number; ``None`` lets the caller report a missing or malformed value.
    """
    if is_missing(x):
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def close(a: float | None, b: float, tol: float = TIME_TOL) -> bool:
    """Whether a reported figure matches the recomputed one within ``tol``.

    Parameters
    ----------
    a
        The plan's figure; ``None`` (missing) never matches.
    b
        The figure recomputed from the problem.
    tol
        Absolute tolerance (seconds for times).

    Returns
    -------
    bool
        ``True`` when ``|a - b| <= tol``.
    """
    return a is not None and abs(a - b) <= tol


def fmt(x: float | None) -> str:
    """A figure for a violation message: whole numbers without decimals.

    Parameters
    ----------
    x
        The figure, or ``None``.

    Returns
    -------
    str
        ``"missing"`` for ``None``, ``"3600"`` for 3600.0, else the shortest ``%g`` form.
    """
    if x is None:
        return "missing"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def qty_tol(x: float) -> float:
    """Tolerance for a load or capacity comparison at quantity ``x``.

    Parameters
    ----------
    x
        The quantity compared (product units).

    Returns
    -------
    float
        ``QTY_ABS_TOL`` plus a relative 1e-9 of ``x``: loads may come back from the solver's
        integer milli-units.
    """
    return QTY_ABS_TOL + 1e-9 * abs(x)


class Report:
    """A problem, the plan being checked, and the violations found so far.

    Parameters
    ----------
    problem
        The problem the plan claims to solve.
    plan
        The plan (only ``stops`` and ``unserved`` are read).
    """

    def __init__(self, problem: Problem, plan: Any) -> None:
        self.p = problem
        self.plan = plan
        self.out: list[Violation] = []
        self.orders = {o.id: o for o in problem.orders}
        # pickup-and-delivery partners, read from either side: a pair written only on the delivery binds too
        self.partner: dict[str, str] = {}
        for o in problem.orders:
            if o.pair is not None and o.pair in self.orders:
                self.partner[o.id] = o.pair
                self.partner.setdefault(o.pair, o.id)
        self.vehicles: dict[str, VehicleType] = dict(problem.vehicles())
        self.m = problem.matrix
        costs = problem.costs
        self.max_late_s = int(round(float(getattr(costs, "max_lateness_h", 0.0) or 0.0) * 3600))
        # where each served order is: order id -> (vehicle, seq, service start)
        self.served_at: dict[str, tuple[str, int, float | None]] = {}
        self._reloads: dict[str, int] = {}  # reload rows seen per vehicle (see check.validator)
        self.trip_of: dict[str, int] = {}  # order id -> reloads before it on its route: its trip, from 0

    def add(self, kind: str, message: str, vehicle: str | None = None, order_id: str | None = None) -> None:
        """Record one violation.

        Parameters
        ----------
        kind
            The rule broken, a key of ``KINDS``.
        message
            What is wrong, in a dispatcher's words.
        vehicle
            The vehicle concerned, if any.
        order_id
            The order concerned, if any.
        """
        self.out.append(Violation(kind, message, vehicle, order_id))
