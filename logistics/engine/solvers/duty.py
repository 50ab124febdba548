"""How long a route of each vehicle can be on duty, and which drivers' rules that lets bind.

Modelling the continuous-driving rule costs search quality (optional rest intervals on every
vehicle): on a 1-order instance OR-Tools kept a costlier vehicle within 30 iterations.  Most
small days cannot keep a vehicle on duty for 4 hours at all, so each engine asks `duty_plan`
first: a vehicle type whose longest possible route stays within the limit gets that limit as a
plain route-duration cap instead of rests, exact and free.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from logistics.core.breaks import rests_needed
from logistics.core.model import VehicleType
from logistics.engine.solvers.arrays import SolverData, horizon

__all__ = ["Duty", "duty_of", "duty_plan", "without_rests"]

_CACHE: weakref.WeakKeyDictionary[SolverData, list[Duty]] = weakref.WeakKeyDictionary()


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

    A route's span is bounded three ways: the type's shift and ``max_duration``; what the day's
    orders can fill (every order's service, the longest arc into every order and back to a depot,
    each reload, and the longest wait any window can force); and the orders' windows (no route
    needs to leave before the earliest window opening less the longest drive to it, nor to come
    back after the latest close plus service and the longest drive home, plus its breaks).  A
    vehicle type that cannot reach the limit gets it as a plain cap: exact, and cheaper than
    rests by far (measured in docs/breaks.md).

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
    late = int(p.costs.max_lateness_h * 3600) if p.objective == "cost" else 0
    out = []
    for t, vt in enumerate(p.fleet):
        span = min(H, vt.max_duration if vt.max_duration is not None else H, vt.shift[1] - vt.shift[0])
        if n and vt.count:
            dur = data.duration[t]
            into = dur[:, :n].max(axis=0)  # longest drive into each order
            back = dur[:n, n:].max(axis=1) if dur.shape[1] > n else np.zeros(n, dtype=np.int64)
            fill = int(data.service[:n].sum()) + int(into.sum()) + int(back.max(initial=0))
            fill += sum(b.duration for b in vt.breaks)
            if vt.max_trips > 1:  # each reload: its time and one more return and departure
                fill += (vt.max_trips - 1) * (int(round(vt.reload_min * 60)) + int(back.max(initial=0) + into.max()))
            span = min(span, fill + max(0, opens - vt.shift[0]))
            if all(data.windows[:n]):
                first = min(w[0][0] - int(a) for w, a in zip(data.windows[:n], into))
                last = max(
                    w[-1][1] + (late if o.soft else 0) + int(s) + int(b)
                    for w, o, s, b in zip(data.windows[:n], p.orders, data.service[:n], back)
                )
                # a break on the route lengthens it (a lunch taken on the road)
                bounded = min(last, vt.shift[1]) - max(first, vt.shift[0]) + sum(b.duration for b in vt.breaks)
                span = min(span, max(0, bounded))
        rests = rests_needed(vt.max_driving_h, span)
        cap = vt.max_duration
        if vt.max_driving_h is not None and not rests:
            limit = int(np.floor(vt.max_driving_h * 3600))
            cap = limit if cap is None else min(int(cap), limit)
        out.append(Duty(span=int(span), rests=rests, cap=None if cap is None else int(cap)))
    return out


def duty_of(data: SolverData) -> list[Duty]:
    """`duty_plan` of ``data``, computed once per solver arrays (route checks ask for it per route).

    Parameters
    ----------
    data
        The solver arrays.

    Returns
    -------
    list of Duty
        One per vehicle type.
    """
    out = _CACHE.get(data)
    if out is None:
        out = _CACHE[data] = duty_plan(data)
    return out


def without_rests(vt: VehicleType, duty: Duty) -> Duty:
    """The duty of a model without the driving rule's rests, its routes shortened by their length.

    OR-Tools' first solution is slow with rests (measured in docs/breaks.md): up to 300 times on
    long days.  A first solution of the model without them, its routes kept short enough for the
    rests to fit afterwards (as PyVRP's skeleton is), seeds the full model instead.

    Parameters
    ----------
    vt
        The vehicle type.
    duty
        Its duty in the full model (`duty_plan`).

    Returns
    -------
    Duty
        No rests; the cap lowered by the rests' total.
    """
    if not duty.rests:
        return duty
    reserve = duty.rests * int(round(vt.min_rest_min * 60))
    base = duty.cap if duty.cap is not None else duty.span
    return Duty(span=duty.span, rests=0, cap=max(0, base - reserve))
