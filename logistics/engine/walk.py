"""The earliest-start walk: whether one vehicle can drive a sequence of orders, and when.

One walk serves the explanations of left-out orders (`logistics.engine.reasons`), the repair of
PyVRP seeds the full model rejects, the constructed first plan (`logistics.engine.construct`) and
the exact descent (`logistics.engine.descent`), so all of them agree on what a route can hold.
It checks loads, windows, shift and duty, shelf life, time out of refrigeration and the driving
rule's rests; `departures` adds the schedule that leaves as late as the route's waits allow.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from logistics.core.plan import RouteResult
from logistics.engine.solvers.arrays import SolverData, loaded_elsewhere, reload_node
from logistics.engine.solvers.duty import duty_of
from logistics.engine.solvers.seeds import split_trips

__all__ = ["Walked", "departures", "rest_walk", "simulate", "walk", "walked_route"]

#: A walk's answer: what breaks (None when the route holds), departure, service starts, return, rests' starts.
Walked = tuple[str | None, int, list[int], int, list[int]]


def simulate(data: SolverData, v: int, seq: list[int]) -> tuple[str | None, int]:
    """Earliest-start schedule of ``seq`` on vehicle ``v``: (None, span) if feasible, else (what breaks, 0).

    Used to explain left-out orders and to repair PyVRP seeds the full model rejects, so both agree
    on what a route can hold.  The driving rule is kept greedily: a wait at a stop of at least
    ``min_rest_min`` is remembered and taken as the rest once the stretch would otherwise end past
    ``max_driving_h``, else a rest is taken at a stop's departure when the next stop (or the
    return) would; should that fail, the route is walked again with rests at departures only; at
    most the rests the OR-Tools model gives the vehicle (`logistics.engine.solvers.duty`).  A
    schedule found this way is one the model accepts; the model may find others.

    Parameters
    ----------
    data
        The solver arrays of the problem.
    v
        Vehicle index.
    seq
        Order indices in visit order; `logistics.engine.solvers.seeds.RELOAD` between two trips (a
        return to the start depot that unloads the trip's pickups and loads the next trip's
        deliveries, in the type's ``reload_min``).

    Returns
    -------
    (str or None, int)
        What breaks (loads, windows, shift, shelf life or time out of refrigeration on this vehicle,
        more trips than ``max_trips``, a pair split between two trips) or None, and the route's span
        when feasible.
    """
    why, depart, _, end = walk(data, v, seq)
    return (None, end - depart) if why is None else (why, 0)


def walk(data: SolverData, v: int, seq: list[int]) -> tuple[str | None, int, list[int], int]:
    """The earliest-start schedule behind `simulate`: what breaks (or None), departure, service starts, return.

    One walk serves the explanations, the seed repair, the constructed first plan
    (`logistics.engine.construct`) and the exact descent, so all of them agree on what a route can hold.

    Parameters
    ----------
    data
        The solver arrays of the problem.
    v
        Vehicle index.
    seq
        Order indices in visit order, `logistics.engine.solvers.seeds.RELOAD` between trips (as for
        `simulate`).

    Returns
    -------
    (str or None, int, list of int, int)
        What breaks (None when feasible), the departure from the start depot, the service start at
        each order (as far as the walk got) and the arrival at the end depot (0 when infeasible).
    """
    return rest_walk(data, v, seq)[:4]


def rest_walk(
    data: SolverData, v: int, seq: list[int], not_before: int | None = None, loads_hold: bool = False
) -> Walked:
    """`walk`, and the start of each rest of the driving rule it took (``min_rest_min`` each).

    A rest taken in a wait at a stop ends at the stop's service start; one taken at a stop's
    departure starts there.  Either fits on the leg before the next stop, where a plan's break
    stop goes (`logistics.engine.build_plan`).

    Parameters
    ----------
    data, v, seq
        As for `walk`.
    not_before
        The earliest the vehicle may leave its depot (None: its shift's start); see `departures`.
    loads_hold
        The caller has checked that no stop overloads the vehicle (one trip), so the walk need not.

    Returns
    -------
    (str or None, int, list of int, int, list of int)
        `walk`'s answer and the rests' starts, seconds, in time order (empty when infeasible).
    """
    t = int(data.vehicle_type[v])
    rule = _Rule(data, t)
    first = _walk(data, v, seq, rule, not_before, loads_hold)
    if first[0] is None or not duty_of(data)[t].rests:
        return (*first, sorted(rule.taken) if first[0] is None else [])
    # the rests taken as late as they can be instead (a rest at a stop's departure, not in an earlier wait)
    late_rule = _Rule(data, t, waits=False)
    late = _walk(data, v, seq, late_rule, not_before, loads_hold)
    return (*late, sorted(late_rule.taken)) if late[0] is None else (*first, [])


def _walk(
    data: SolverData, v: int, seq: list[int], rule: _Rule, not_before: int | None = None, loads_hold: bool = False
) -> tuple[str | None, int, list[int], int]:
    """`walk` with the driving rule kept the way ``rule`` keeps it, leaving no earlier than ``not_before``."""
    p = data.problem
    t = int(data.vehicle_type[v])
    vt = p.fleet[t]
    starts: list[int] = []
    trips = split_trips(seq)
    if len(trips) > vt.max_trips:
        return f"more than {vt.max_trips} trip(s)", vt.shift[0], starts, 0
    if any(loaded_elsewhere(p, p.orders[i], vt) for i in trips[0]):
        return "a delivery it does not have on board before its first reload", vt.shift[0], starts, 0
    if vt.on_board and any(p.orders[i].id in vt.on_board for trip in trips[1:] for i in trip):
        return "goods on board not delivered on its first trip", vt.shift[0], starts, 0
    trip_of = {i: k for k, trip in enumerate(trips) for i in trip}
    if any(trip_of.get(a, -1) != trip_of.get(b, -1) for a, b in data.pairs if a in trip_of or b in trip_of):
        return "a pair split between two trips", vt.shift[0], starts, 0
    dur = data.duration[t]
    depot = reload_node(data, v)
    clock, prev = vt.shift[0] if not_before is None else max(vt.shift[0], not_before), depot
    depart: int | None = None  # the route's departure: set at its first order (leave later instead of waiting)
    picked: list[tuple[int, int]] = []  # (pickup done, order) of the trip, checked at the trip's end
    pickup_of = {di: pi for pi, di in data.pairs}
    picked_at: dict[int, int] = {}  # order -> service start, for the pairs' ride limit
    for k, trip in enumerate(trips):
        trip_depart = depart
        if k:  # back to the depot: the trip's pickups are unloaded, the next trip's deliveries loaded
            clock += int(dur[prev, depot])
            bad = _late_pickups(data, t, picked, clock)
            if bad:
                return bad, _or_shift(depart, vt), starts, 0
            clock += int(round(vt.reload_min * 60))
            picked, prev, trip_depart = [], depot, clock
        for i, overload in zip(trip, [None] * len(trip) if loads_hold else _overloads(data, t, trip)):
            arr = clock + int(dur[prev, i])
            start = _window_start(data, i, arr)
            if start is None:
                return "time windows or shift", _or_shift(depart, vt), starts, 0
            done = start + int(data.service[i])
            if trip_depart is None:
                depart = trip_depart = start - int(dur[prev, i])
                rule.since = depart
            elif rule.binds(arr, start, done):  # a rest at the last stop's departure
                arr = clock + rule.rest + int(dur[prev, i])
                start = _window_start(data, i, arr)
                if start is None:
                    return "time windows or shift", _or_shift(depart, vt), starts, 0
                done = start + int(data.service[i])
                if not rule.take(clock + rule.rest, arr, start, done):
                    return "drivers' rests", _or_shift(depart, vt), starts, 0
            starts.append(start)
            bad = _ride_limit(data, t, i, start - trip_depart) or overload
            mate, life = pickup_of.get(i), int(data.ride[t, i])
            if not bad and mate is not None and life >= 0 and start - picked_at.get(mate, start) > life:
                bad = _limit_name(data, t, i)  # a pair's goods from its pickup's start (the validator's count)
            if bad:
                return bad, _or_shift(depart, vt), starts, 0
            picked_at[i] = start
            if p.orders[i].kind == "pickup" and p.orders[i].pair is None and data.ride[t, i] >= 0:
                picked.append((start + int(data.service[i]), i))
            clock, prev = start + int(data.service[i]), i
    end = clock + int(dur[prev, int(data.ends[v])])
    if depart is not None and rule.binds(end, end, end):
        end += rule.rest
        if not rule.take(clock + rule.rest, end, end, end):
            return "drivers' rests", depart, starts, 0
    depart = _or_shift(depart, vt)
    if end > vt.shift[1] or (vt.max_duration is not None and end - depart > vt.max_duration):
        return "time windows or shift", depart, starts, 0
    if rule.cap is not None and end - depart > rule.cap:
        return "drivers' rests", depart, starts, 0
    bad = _late_pickups(data, t, picked, end)
    return (bad, depart, starts, 0) if bad else (None, depart, starts, end)


def _or_shift(depart: int | None, vt: Any) -> int:
    """The departure, or the shift's start for a route that has not left yet."""
    return vt.shift[0] if depart is None else depart


def _window_start(data: SolverData, i: int, arr: int) -> int | None:
    """The earliest service start of order ``i`` reached at ``arr`` (soft windows: within the lateness allowed)."""
    o = data.problem.orders[i]
    soft_late = int(data.problem.costs.max_lateness_h * 3600) if data.problem.objective == "cost" else 0
    for a, b in data.windows[i]:
        if arr <= b + (soft_late if o.soft else 0):
            return max(arr, a)
    return None


def _ride_limit(data: SolverData, t: int, i: int, age: int) -> str | None:
    """The ride limit an unpaired delivery ``i`` breaks when served ``age`` s after its trip left, or None."""
    o = data.problem.orders[i]
    if o.kind == "delivery" and o.pair is None and data.ride[t, i] >= 0 and age > data.ride[t, i]:
        return _limit_name(data, t, i)
    return None


def _overloads(data: SolverData, t: int, trip: list[int]) -> list[str | None]:
    """What each stop of a trip breaks in the loads (before or after its service), or None.

    The trip leaves with its unpaired deliveries on board.  One pass of array sums per trip rather
    than a few small-array checks per stop (the walk's slowest step when the descent prices
    thousands of routes); the walk reads each stop's answer when it gets there, so a window broken
    earlier is still the reason it gives.
    """
    if not trip:
        return []
    cap, total = data.capacity[t], data.total_capacity[t]
    demand = data.demand[t][:, trip]
    after = data.delivered[t][:, trip].sum(axis=1)[:, None] + np.cumsum(demand, axis=1)
    before = after - demand
    bad_before = (before > cap[:, None]).any(axis=0) | (before.sum(axis=0) > total)
    bad_after = (after > cap[:, None]).any(axis=0) | (after < 0).any(axis=0) | (after.sum(axis=0) > total)
    if not (bad_before.any() or bad_after.any()):
        return [None] * len(trip)
    vt = data.problem.fleet[t]
    return [
        _cap_name(vt, before[:, k], cap) if bad_before[k] else _cap_name(vt, after[:, k], cap) if bad_after[k] else None
        for k in range(len(trip))
    ]


def _late_pickups(data: SolverData, t: int, picked: list[tuple[int, int]], end: int) -> str | None:
    """A ride limit the trip's pickups break by ``end`` (its arrival at the depot), or None."""
    for t0, i in picked:
        if end - t0 > data.ride[t, i]:
            return _limit_name(data, t, i)
    return None


class _Rule:
    """The continuous-driving rule along one simulated route: when the stretch began, rests left."""

    def __init__(self, data: SolverData, t: int, waits: bool = True) -> None:
        vt = data.problem.fleet[t]
        duty = duty_of(data)[t]
        self.limit = None if vt.max_driving_h is None or not duty.rests else int(vt.max_driving_h * 3600)
        self.cap = duty.cap if vt.max_driving_h is not None and not duty.rests else None
        self.rest = int(round(vt.min_rest_min * 60))
        self.left = duty.rests
        self.since = 0
        self.wait: tuple[int, int] | None = None  # the latest wait long enough for a rest (arrival, start)
        self.taken: list[int] = []  # the start of each rest taken
        self.waits = waits  # whether a wait may be the rest (else rests are taken at departures only)

    def binds(self, arr: int, start: int, done: int) -> bool:
        """Whether the stretch ends past the limit at ``done``, a wait of a rest taken as one only once it must.

        A long enough wait is remembered and taken as the rest only when the stretch would end past the
        limit: taken eagerly, an early wait used up a long route's one rest (44 orders of a demo seed cut).
        """
        if self.limit is None:
            return False
        if start - arr >= self.rest and self.waits:
            self.wait = (arr, start)
        over = done - self.since > self.limit
        if over and self.wait is not None and self.left > 0:
            # the rest as late in the wait as the stretch before it allows: it must begin within the limit
            rest_at = min(self.wait[1] - self.rest, self.since + self.limit)
            if rest_at >= self.wait[0] and done - (rest_at + self.rest) <= self.limit:
                self.left -= 1
                self.taken.append(rest_at)
                self.since, self.wait = rest_at + self.rest, None
                return False
        return over

    def take(self, rested: int, arr: int, start: int, done: int) -> bool:
        """A rest ending at ``rested``; whether the stretch to ``done`` then keeps the limit."""
        if self.limit is None or self.left <= 0:
            return False
        self.left -= 1
        self.taken.append(rested - self.rest)
        self.since, self.wait = rested, None  # an earlier wait is behind the rest now
        return not self.binds(arr, start, done)


def _limit_name(data: SolverData, t: int, i: int) -> str:
    """The limit that bounds order ``i``'s ride on vehicle type ``t``, in words."""
    return "shelf life" if data.ride[t, i] == data.shelf[i] else "time out of refrigeration"


def _cap_name(vt: Any, load: Any, cap: Any) -> str:
    for k, c in enumerate(vt.compartments):
        if load[k] > cap[k]:
            return f"{c.name} compartment full"
    return "capacity"


def departures(data: SolverData, v: int, seq: list[int]) -> Iterator[Walked]:
    """The walk's schedules of ``seq`` on vehicle ``v`` worth pricing: each one that holds.

    The walk leaves the depot as late as the first window allows and then serves every stop as
    early as it can, so a wait later on (a window that opens late) is paid for in duty and
    duration.  OR-Tools' schedule of the same route may leave later and arrive at the first stop
    after its window opens; on the Yanhu cold-chain day three of nine OR-Tools routes broke the
    8-hour duty or the driving rule when walked from the early departure.  The second schedule
    therefore leaves later by the route's forward slack (Savelsbergh): the waits before each stop,
    bounded by how far that stop's window still lets it slide, and by the route's waits in all.
    A later departure is cheaper in hours, refrigeration and the freshness of the goods on board,
    but may leave no wait long enough for a rest, so the caller prices both.

    Parameters
    ----------
    data, v, seq
        As for `walk` (one trip: no `logistics.engine.solvers.seeds.RELOAD`).

    Yields
    ------
    Walked
        `rest_walk`'s answer for each schedule that holds: the early one, then the late one.
    """
    if any(_overloads(data, int(data.vehicle_type[v]), seq)):  # too much on board at any departure
        return
    first = rest_walk(data, v, seq, loads_hold=True)
    if first[0] is None:
        yield first
    dur = data.duration[int(data.vehicle_type[v])]
    prev, clock, waited = int(data.starts[v]), first[1], 0
    slack: int | None = None
    for i in seq:
        arrive = clock + int(dur[prev, i])
        start = max(arrive, data.windows[i][0][0])
        waited += start - arrive
        room = waited + data.windows[i][-1][1] - start
        slack = room if slack is None else min(slack, room)
        clock, prev = start + int(data.service[i]), i
    delay = 0 if slack is None else min(waited, slack)
    if delay > 0:
        late = rest_walk(data, v, seq, first[1] + delay, loads_hold=True)
        if late[0] is None:
            yield late


def walked_route(data: SolverData, v: int, seq: list[int], walked: Walked) -> RouteResult:
    """A walk that holds, as vehicle ``v``'s route: its schedule, the driving rule's rests as breaks.

    Parameters
    ----------
    data
        The solver arrays of the problem.
    v, seq
        The vehicle and its orders, as walked.
    walked
        `rest_walk`'s (or `departures`') answer for them, one that holds.

    Returns
    -------
    RouteResult
        Each rest a break of ``min_rest_min``, where a plan's break stop goes.
    """
    _, depart, starts, end, rests = walked
    rest_s = int(round(data.problem.fleet[int(data.vehicle_type[v])].min_rest_min * 60))
    breaks = tuple((r, rest_s, "rest") for r in rests)
    return RouteResult(vehicle=v, orders=list(seq), starts=list(starts), depart=depart, arrive=end, breaks=breaks)
