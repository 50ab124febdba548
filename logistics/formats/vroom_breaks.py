"""VROOM vehicle ``breaks``: reading them into `Break`s and timing them on a route as VROOM does.

A VROOM break (docs/API.md of VROOM, "Breaks") has an ``id``, ``time_windows`` for its start,
a ``service`` (its length), a ``description`` and a ``max_load``.  A `Break` of the core model
has one window and a positive length, so a break maps exactly when it has one time window and
a positive ``service``; a ``max_load``, several windows, no window or a zero length are refused
naming the field.

VROOM takes every break of a used vehicle inside its route; the core model lets a route that
leaves after a break's window, or returns before its window closes, take it off duty.  The two
agree when the break's window lies inside the vehicle's working hours with room for the break
(window start at or after the hours' start, window end plus length at or before their end): the
route can then start earlier (or end later) and take the break at its start (or end), which is
where the output puts it.  Other windows are refused.

VROOM times a break on the leg it sits on: the vehicle drives as much of the leg as the wait for
the break's window allows, takes the break, and drives the rest (`time_breaks` and `time_route`
mirror ``format_route`` in VROOM's ``src/utils/helpers.cpp``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from logistics.core.breaks import Break
from logistics.core.errors import ProblemError
from logistics.formats.vroom_values import _Err, _int, _windows

__all__ = ["BreakTime", "insert_breaks", "place_breaks", "read_breaks", "time_breaks", "time_route"]


def read_breaks(
    v: dict[str, Any], path: str, tw: tuple[int, int] | None, offset: int, err: _Err
) -> tuple[list[dict[str, Any]], tuple[Break, ...]]:
    """A VROOM vehicle's ``breaks``: what the output names them by, and the core `Break`s.

    Parameters
    ----------
    v
        The vehicle object.
    path
        Its JSON path (``vehicles[i]``).
    tw
        Its working hours inside the problem's times, or ``None`` (the whole horizon).
    offset
        Seconds subtracted from every time.
    err
        Builds `ProblemError`s naming the document and the JSON path.

    Returns
    -------
    tuple of (list of dict, tuple of Break)
        Per break ``{type, id, service, setup, description, window}`` (window inside the
        problem's times), and the breaks, in input order.

    Raises
    ------
    ProblemError
        A break is malformed, repeats an id, or has what the core model cannot express
        exactly (``max_load``, not one time window, no length, a window the working hours
        leave no room around).
    """
    raw = v.get("breaks")
    if raw is None:
        return [], ()
    if not isinstance(raw, list):
        raise err(f"{path}.breaks", "expected an array of breaks")
    infos: list[dict[str, Any]] = []
    out: list[Break] = []
    seen: set[int] = set()
    for k, b in enumerate(raw):
        bp = f"{path}.breaks[{k}]"
        if not isinstance(b, dict):
            raise err(bp, "expected an object")
        if "id" not in b:
            raise err(f"{bp}.id", "required")
        bid = _int(b["id"], err, f"{bp}.id", minimum=None)
        if bid in seen:
            raise err(f"{bp}.id", f"break id {bid} appears more than once for this vehicle")
        seen.add(bid)
        for key in sorted(set(b) - {"id", "time_windows", "service", "description", "max_load"}):
            raise err(f"{bp}.{key}", "is not a key of a VROOM break")
        if "max_load" in b:
            raise err(f"{bp}.max_load", "a load limit on breaks is not supported; remove it")
        if "time_windows" not in b:
            raise err(f"{bp}.time_windows", "required: give exactly one window for the break's start")
        wins = _windows(b["time_windows"], err, f"{bp}.time_windows")
        if len(wins) != 1:
            raise err(f"{bp}.time_windows", f"exactly one window is supported, got {len(wins)}")
        service = _int(b.get("service", 0), err, f"{bp}.service")
        if service <= 0:
            raise err(f"{bp}.service", "a break must last at least 1 second")
        desc = b.get("description")
        if desc is not None and not isinstance(desc, str):
            raise err(f"{bp}.description", "expected a string")
        a, z = wins[0][0] - offset, wins[0][1] - offset
        if a < 0:
            raise err(f"{bp}.time_windows[0]", "starts before the planning horizon")
        if tw is not None and (a < tw[0] or z + service > tw[1]):
            raise err(
                f"{bp}.time_windows[0]",
                "must lie inside the vehicle's time_window with room for the break (start at or after its "
                "start, end plus service at or before its end); VROOM then always takes it on the route",
            )
        try:
            out.append(Break((a, z), service, name=f"break {bid}"))
        except ProblemError as e:
            raise err(f"{bp}.time_windows[0]", str(e)) from None
        infos.append(
            {"type": "break", "id": bid, "service": service, "setup": 0, "description": desc, "window": (a, z)}
        )
    return infos, tuple(out)


@dataclass
class BreakTime:
    """A break placed on a route, timed as VROOM reports it.

    Attributes
    ----------
    leg
        Index of the leg (the step after it) the break sits on.
    info
        The break (see `read_breaks`).
    arrival
        When the vehicle reaches the break.
    waiting
        Seconds waited for the break's window.
    travel
        Driving seconds of the leg done before the break.
    """

    leg: int
    info: dict[str, Any]
    arrival: int
    waiting: int
    travel: int


def time_breaks(
    depart: int, travels: list[int], serve: Any, placed: dict[int, list[dict[str, Any]]]
) -> tuple[list[int], list[int], list[int], list[BreakTime], bool]:
    """Arrival, wait and start of every leg with its breaks, each as early as allowed (VROOM's pass).

    Parameters
    ----------
    depart
        Departure from the start.
    travels
        Driving seconds of each leg.
    serve
        ``serve(k, arrival) -> (start, action, late)``: when leg ``k``'s step starts being
        served, how long it takes, and how late that is after its last window.
    placed
        Breaks per leg index, in the order taken.

    Returns
    -------
    tuple
        Per leg arrival, wait and start; the timed breaks; whether every break starts inside
        its window and no step is late.
    """
    t = depart
    arrivals, waits, starts, timed = [], [], [], []
    ok = True
    for k, travel in enumerate(travels):
        rem = travel
        for info in placed.get(k, []):
            a, z = info["window"]
            if t < a:
                margin = a - t
                if margin <= rem:
                    bt = BreakTime(k, info, a, 0, travel - rem + margin)
                    rem -= margin
                else:
                    bt = BreakTime(k, info, t + rem, a - t - rem, travel)
                    rem = 0
                t = a
            else:
                bt = BreakTime(k, info, t, 0, travel - rem)
            ok = ok and t <= z
            timed.append(bt)
            t += info["service"]
        arr = t + rem
        st, action, late = serve(k, arr)
        ok = ok and not late
        arrivals.append(arr)
        waits.append(st - arr)
        starts.append(st)
        t = st + action
    return arrivals, waits, starts, timed, ok


def place_breaks(vi: dict[str, Any], route: Any, tasks: int) -> dict[int, list[dict[str, Any]]]:
    """The leg each of the vehicle's breaks sits on in a solved route.

    A break row of the plan sits on the leg after the tasks before it; a break the route takes
    off duty goes on the first leg when it fits before the departure, else on the last (before
    the end), where VROOM, whose routes take every break, would take it.

    Parameters
    ----------
    vi
        The vehicle (its ``breaks`` from `read_breaks`).
    route
        The route's stop rows, in order (``kind``, ``start``, ``service``, ``departure``).
    tasks
        Number of tasks on the route.

    Returns
    -------
    dict
        Leg index → the breaks on it, in the order taken.
    """
    free = list(vi.get("breaks") or [])
    placed: dict[int, list[dict[str, Any]]] = {}
    if not free:
        return placed
    leg = 0
    depart = None
    for kind, start, service, departure in zip(route["kind"], route["start"], route["service"], route["departure"]):
        if kind == "start":
            depart = float(departure)
        elif kind == "break":
            hit = next((b for b in free if b["window"][0] <= start <= b["window"][1] and service >= b["service"]), None)
            if hit is not None:
                free.remove(hit)
                placed.setdefault(leg, []).append(hit)
        elif kind != "end":
            leg += 1
    for b in free:  # taken off duty
        k = 0 if depart is not None and b["window"][0] + b["service"] <= depart else tasks
        placed.setdefault(k, []).append(b)
    for k in placed:
        placed[k].sort(key=lambda b: b["window"])
    return placed


def insert_breaks(
    steps: list[Any], timed: list[BreakTime], travels: list[int], dists: list[int], make: Callable[..., Any]
) -> list[Any]:
    """Steps (start, one per leg) with break steps before their legs' steps, the legs split around them.

    Parameters
    ----------
    steps
        The start step, then one step per leg (each with ``travel`` and ``distance``).
    timed
        The timed breaks.
    travels, dists
        Driving seconds and metres of each leg.
    make
        ``make(break_time, previous_step, travel, metres)`` builds a break step.

    Returns
    -------
    list
        The steps; the part of a leg driven before a break is the break's, metres pro rata as
        VROOM reports them.
    """
    out = steps[:1]
    for k, st in enumerate(steps[1:]):
        done = metres = 0
        for bt in (b for b in timed if b.leg == k):
            part = round(bt.travel * dists[k] / travels[k]) - metres if travels[k] else 0
            out.append(make(bt, out[-1], bt.travel - done, part))
            st.travel, st.distance = st.travel - (bt.travel - done), st.distance - part
            done, metres = bt.travel, metres + part
        out.append(st)
    return out


def time_route(
    t0: int, travels: list[int], serve: Any, placed: dict[int, list[dict[str, Any]]]
) -> tuple[int, list[int], list[int], list[BreakTime]]:
    """VROOM's times of a route with breaks: it ends as early as it can and leaves as late as that allows.

    VROOM aims at the earliest end of the route, then computes the latest start that still
    reaches it and times every step as early as possible from there (``format_route`` in
    VROOM's ``src/utils/helpers.cpp``).  Leaving later never makes a step earlier, so that start
    is found by bisection on `time_breaks`.

    Parameters
    ----------
    t0
        Earliest departure (the start of the vehicle's working hours).
    travels
        Per leg, its driving seconds (the end's last).
    serve, placed
        As for `time_breaks`.

    Returns
    -------
    tuple
        Departure; per leg arrival and wait; the timed breaks.
    """
    first = time_breaks(t0, travels, serve, placed)
    end = first[0][-1]
    lo, hi = t0, max(t0, end)
    if first[4]:
        while lo < hi:  # a departure at lo still ends at the earliest end
            mid = (lo + hi + 1) // 2
            got = time_breaks(mid, travels, serve, placed)
            if got[4] and got[0][-1] <= end:
                lo = mid
            else:
                hi = mid - 1
    arrivals, waits, _, timed, _ = time_breaks(lo, travels, serve, placed)
    return lo, arrivals, waits, timed
