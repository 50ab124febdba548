"""How long a route of each vehicle can be on duty, and which drivers' rules that lets bind.

Modelling the continuous-driving rule costs search quality (optional rest intervals on every
vehicle): on a 1-order instance OR-Tools kept a costlier vehicle within 30 iterations.  Most
small days cannot keep a vehicle on duty for 4 hours at all, so each engine asks `duty_plan`
first: a vehicle type whose longest possible route stays within the limit gets that limit as a
plain route-duration cap instead of rests, exact and free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logistics.core.breaks import rests_needed
from logistics.engine.solvers.arrays import SolverData, horizon

__all__ = ["Duty", "duty_plan"]


@dataclass(frozen=True)
class Duty:
    """One vehicle type's longest route and how its breaks and driving rule are modelled.

    Attributes
    ----------
    span
        Longest route, seconds: shift, ``max_duration``, horizon and (`duty_plan`) what the
        day's orders can fill.
    rests
        Optional rests of the driving rule each vehicle needs (0: none).
    cap
        The route-duration cap to set, seconds (``max_duration``, or the driving limit when it
        holds without rests); ``None`` = none.
    """

    span: int
    rests: int
    cap: int | None


def duty_plan(data: SolverData) -> list[Duty]:
    """Per vehicle type (index into the fleet), its `Duty`.

    The orders' bound is every order's service, the longest arc into every order and back to a
    depot, and the longest wait any window can force (latest opening minus the shift's start).

    Parameters
    ----------
    data
        The solver arrays.

    Returns
    -------
    list of Duty
        One per vehicle type of ``data.problem.fleet``.
    """
    p = data.problem
    n = data.n_orders
    H = horizon(data)
    opens = max((w[0][0] for w in data.windows[:n] if w), default=0)
    out = []
    for t, vt in enumerate(p.fleet):
        span = min(H, vt.max_duration if vt.max_duration is not None else H, vt.shift[1] - vt.shift[0])
        if n and vt.count:
            dur = data.duration[t]
            fill = int(data.service[:n].sum()) + int(dur[:, :n].max(axis=0).sum()) + int(dur[:n, n:].max(initial=0))
            span = min(span, fill + max(0, opens - vt.shift[0]))
        rests = rests_needed(vt.max_driving_h, span)
        cap = vt.max_duration
        if vt.max_driving_h is not None and not rests:
            limit = int(np.floor(vt.max_driving_h * 3600))
            cap = limit if cap is None else min(int(cap), limit)
        out.append(Duty(span=int(span), rests=rests, cap=None if cap is None else int(cap)))
    return out
