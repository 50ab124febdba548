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
    """One broken rule: ``kind`` (see ``KINDS``), a readable message, and where."""

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
    if x is None:
        return True
    if isinstance(x, (float, np.floating)) and math.isnan(x):
        return True
    try:
        return bool(pd.isna(x)) if not isinstance(x, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def cell_id(x: Any) -> str | None:
    """Normalise an id cell: None/NaN -> None, numbers that are whole -> '12', else str."""
    if is_missing(x):
        return None
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x)


def num(x: Any) -> float | None:
    if is_missing(x):
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def close(a: float | None, b: float, tol: float = TIME_TOL) -> bool:
    return a is not None and abs(a - b) <= tol


def fmt(x: float | None) -> str:
    if x is None:
        return "missing"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def qty_tol(x: float) -> float:
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
        self.partner: dict[str, str] = {}
        for o in problem.orders:
            if o.pair is not None:
                self.partner[o.id] = o.pair
                self.partner.setdefault(o.pair, o.id)
        self.vehicles: dict[str, VehicleType] = dict(problem.vehicles())
        self.m = problem.matrix
        costs = problem.costs
        self.max_late_s = int(round(float(getattr(costs, "max_lateness_h", 0.0) or 0.0) * 3600))
        # where each served order is: order id -> (vehicle, seq, service start)
        self.served_at: dict[str, tuple[str, int, float | None]] = {}

    def add(self, kind: str, message: str, vehicle: str | None = None, order_id: str | None = None) -> None:
        """Record one violation."""
        self.out.append(Violation(kind, message, vehicle, order_id))
