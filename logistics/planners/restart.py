"""Where each vehicle stands at the re-planning time: its fixed past, its position, time and load.

The model (docs/replan.md):

* a stop whose arrival is before the re-planning time ``at`` has been made (or is in progress) and
  stays exactly as planned; so does the stop a vehicle is driving to at ``at``: a vehicle between
  two stops reaches the next one and serves it, and restarts from there when it leaves (the
  position it reaches next, at the time it can go on).  Should that next order be cancelled, the
  vehicle turns back: it restarts from its last stop at ``at`` plus the time it has driven since
  (conservative: going back never takes longer than the way it came);
* a vehicle that has not left its depot by ``at`` is a spare: every order it was to serve is free
  to go to any vehicle;
* goods on board of a vehicle that has left stay on it: its undelivered deliveries ride no other
  vehicle, and a moving vehicle takes no new delivery (it cannot reload on the road); it may
  take pickups;
* several trips: a reload whose arrival is before ``at`` has been made and stays as planned; a
  vehicle at its depot reloading at ``at`` restarts there when the reload ends, free for any order;
  only the deliveries of a vehicle's current trip are on board (those of its later trips are still
  at the depot, free to go to any vehicle), and only the produce of its current trip takes room.  A
  vehicle restarts with the trips it has left (``max_trips`` less the reloads made), reloading at its
  home depot; on the road, its first trip delivers what it has on board and nothing else;
* a vehicle out of service from a time makes the stops it reaches before then, and no more; its
  route ends there (the end row is the tow back to the depot).  Its undelivered goods are lost to
  the day, unless the event says when they are back at the depot, after which a spare at that
  depot may take them; their shelf life keeps counting from when they first left the depot.

Times are seconds from midnight; loads are in the products' units, per compartment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from logistics.core.breaks import breaks_left
from logistics.core.events import Breakdown, Delay
from logistics.core.model import Order, VehicleType
from logistics.core.problem import Problem
from logistics.core.units import fmt_clock

__all__ = ["VehicleState", "breaks_before_leaving", "breaks_on_the_way_back", "vehicle_states"]

#: States of a vehicle at the re-planning time.
STATES = {
    "depot": "has not left its depot: a spare, free for any order",
    "reloading": "at its depot between two trips: restarts there when the reload ends, free for any order",
    "at_stop": "serving a stop at the re-planning time; restarts when it leaves",
    "en_route": "driving to its next stop; serves it and restarts from there",
    "turned_back": "its next stop was cancelled on the way; restarts from its last stop",
    "done": "has served its last stop and is on its way back (or back): no more work today",
    "broken": "out of service: its route ends at its last stop made",
    "unavailable": "out of service before it left its depot",
}


@dataclass
class VehicleState:
    """One vehicle at the re-planning time.

    Attributes
    ----------
    vid, index, vt
        Vehicle id, its index in ``problem.vehicles()`` and its type.
    state
        One of `STATES`.
    fixed
        (order id, service start) of the stops kept as planned, in visit order.
    depart
        When it left its start depot (``None`` for a spare).
    node, time
        Where and from when it can go on (for a spare: its depot and the earliest departure).
    end_by
        Latest return to its end depot (its shift, route duration, the shelf life of goods picked up,
        a breakdown to come).
    distance_left
        Metres it may still drive (``None`` = unlimited).
    on_board
        Undelivered orders whose goods ride it (they stay on it), and for each the time its goods'
        shelf life started (leaving the depot, or the pickup of a pair).
    dead_load
        Goods on board that no remaining order of the sub-problem stands for (produce picked up,
        cancelled deliveries), per compartment: they take room until the end depot.
    lost
        Orders whose goods are on a broken vehicle and cannot be served, with the reason.
    recovered
        Orders whose goods come back to the depot, with when they are there and when their shelf
        life started.
    past_breaks
        (start, length, name) of the drivers' breaks taken before it restarts.
    reloads
        (orders of ``fixed`` before it, start) of the reloads made, in route order.
    trips_left
        Trips the rest of its day may make (its current one included): ``max_trips`` less the
        reloads made; 1 on the road when it cannot reload at home (a home depot that is neither where
        it stands nor its end depot).
    """

    vid: str
    index: int
    vt: VehicleType
    state: str
    fixed: list[tuple[str, int]] = field(default_factory=list)
    depart: int | None = None
    node: str = ""
    time: int = 0
    end_by: int = 0
    distance_left: int | None = None
    on_board: dict[str, int] = field(default_factory=dict)
    dead_load: np.ndarray | None = None
    lost: dict[str, str] = field(default_factory=dict)
    recovered: dict[str, tuple[int, int]] = field(default_factory=dict)
    past_breaks: list[tuple[int, int, str]] = field(default_factory=list)
    reloads: list[tuple[int, int]] = field(default_factory=list)
    trips_left: int = 1

    @property
    def restarts(self) -> bool:
        """Whether it takes part in the re-planned rest of the day."""
        going = ("depot", "reloading", "at_stop", "en_route", "turned_back")
        return self.state in going and self.time <= self.end_by

    @property
    def at_home(self) -> bool:
        """Whether it restarts at its depot with nothing on board (a spare, or reloading)."""
        return self.state in ("depot", "reloading")


def _loads(problem: Problem, o: Order, vt: VehicleType) -> np.ndarray:
    """The goods of ``o`` per compartment of ``vt`` (it rode the vehicle, so they fit its compartments)."""
    return np.asarray(problem.compartment_loads(o, vt) or [0.0] * len(vt.compartments), dtype=float)


def _fits(o: Order | None, start: int, max_late_s: int) -> bool:
    """Whether ``o`` is still wanted with its planned ``start`` inside its windows as they now are."""
    if o is None:
        return False
    late = max_late_s if o.soft else 0
    return any(a <= start <= b + late for a, b in o.time_windows)


def _rows(stops: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Each vehicle's stop rows as records, in visit order."""
    out: dict[str, list[dict[str, Any]]] = {}
    for vid, g in stops.groupby("vehicle", sort=False):
        out[str(vid)] = [{str(c): v for c, v in r.items()} for r in g.sort_values("seq").to_dict(orient="records")]
    return out


def vehicle_states(
    problem: Problem,
    stops: pd.DataFrame,
    at: int,
    breakdowns: dict[str, Breakdown],
    delays: dict[str, Delay],
    cancelled: set[str],
    wanted: Mapping[str, Order],
    max_late_s: int = 0,
) -> list[VehicleState]:
    """The state of every vehicle of the fleet at ``at`` (see the module docstring for the model).

    Parameters
    ----------
    problem
        The problem the plan was made for (its orders give the goods already on board).
    stops
        The plan's stop rows.
    at
        The re-planning time, seconds from midnight.
    breakdowns, delays
        Events by vehicle id.
    cancelled
        Ids of cancelled orders.
    wanted
        The orders after the events, by id: a vehicle on its way to a stop serves it only when the
        order is still wanted at that time (not cancelled, its planned start inside its windows as
        they now are; a soft window stretched by ``max_late_s``).
    max_late_s
        How late a soft window may be served.

    Returns
    -------
    list of VehicleState
        In the order of ``problem.vehicles()``.
    """
    rows = _rows(stops)
    out = []
    for k, (vid, vt) in enumerate(problem.vehicles()):
        bd = breakdowns.get(vid)
        t_out = None if bd is None else (bd.at if bd.at is not None else at)
        st = _state(problem, vid, k, vt, rows.get(vid, []), at, t_out, bd, cancelled, (wanted, max_late_s))
        if vid in delays and st.state not in ("done", "broken", "unavailable"):
            held = int(round(delays[vid].minutes * 60))
            rests = vt.max_driving_h is not None and held >= vt.min_rest_min * 60
            meals = _breaks_while_held(vt, st.past_breaks, st.time, held) if st.depart is not None else []
            st.past_breaks += meals
            free = st.time + held - max([st.time] + [s + d for s, d, _ in meals])
            if st.depart is not None and rests and free >= vt.min_rest_min * 60:  # held still: the driver rests
                st.past_breaks.append((st.time + held - free, free, "held"))
            st.time += held
        out.append(st)
    return out


def _breaks_while_held(
    vt: VehicleType, taken: list[tuple[int, int, str]], t0: int, held: int
) -> list[tuple[int, int, str]]:
    """The type's breaks its driver takes while the vehicle is held from ``t0`` for ``held`` seconds.

    A break not yet taken whose window closes during the hold, and that fits in it, is taken there
    as early as it may start (else it would be owed and impossible once the vehicle restarts); one
    whose window is still open after the hold is left to the rest of the day.
    """
    out = []
    t = t0
    for b in sorted(vt.breaks, key=lambda b: b.window):
        if any(b.window[0] <= s <= b.window[1] and d >= b.duration for s, d, _ in taken):
            continue
        start = max(t, b.window[0])
        closes = b.window[1] < t0 + held  # else it may still be taken after the hold
        if closes and start <= b.window[1] and start + b.duration <= t0 + held:
            out.append((start, b.duration, b.name))
            t = start + b.duration
    return out


def _state(
    problem: Problem,
    vid: str,
    k: int,
    vt: VehicleType,
    recs: list[dict[str, Any]],
    at: int,
    t_out: int | None,
    bd: Breakdown | None,
    cancelled: set[str],
    wanted: tuple[Mapping[str, Order], int],
) -> VehicleState:
    """One vehicle's state from its planned rows."""
    broken_now = t_out is not None and t_out <= at
    cut = t_out if broken_now and t_out is not None else at
    end_by = vt.shift[1] if t_out is None or broken_now else min(vt.shift[1], t_out)
    dead = np.zeros(len(vt.compartments))
    dep0 = int(recs[0]["departure"]) if recs else None
    if dep0 is None or dep0 >= cut:  # never left: a spare (or out of service before leaving)
        state = "unavailable" if broken_now else "depot"
        return VehicleState(
            vid,
            k,
            vt,
            state,
            node=vt.start_depot,
            time=max(vt.shift[0], at),
            end_by=end_by,
            dead_load=dead,
            trips_left=vt.max_trips,
        )
    orders = [r for r in recs if str(r["kind"]) in ("delivery", "pickup")]
    reload_rows = [r for r in recs if str(r["kind"]) == "reload"]
    made = [r for r in reload_rows if int(r["arrival"]) < cut]
    fixed = [r for r in orders if int(r["arrival"]) < cut]
    rest = orders[len(fixed) :]
    if not broken_now:
        made += _driving_to_reload(recs, fixed, made, at)
    # the last thing it did was a reload: it stands at its depot (reloading, or on its way out)
    reloaded = bool(made) and (not fixed or int(made[-1]["seq"]) > int(fixed[-1]["seq"]))
    last_dep = int(made[-1]["departure"]) if reloaded else int(fixed[-1]["departure"]) if fixed else dep0
    if broken_now:
        state = "broken"
    elif reloaded and last_dep > at:
        state = "reloading"
    elif not rest:
        state = "at_stop" if last_dep > at else "done"
    elif last_dep > at:
        state = "at_stop"
    elif _fits(wanted[0].get(str(rest[0]["order_id"])), int(rest[0]["start"]), wanted[1]):
        state = "en_route"
        fixed.append(rest.pop(0))
        last_dep = int(fixed[-1]["departure"])
        reloaded = False
    else:
        state = "turned_back"
    node = vt.reloads_at if reloaded else str(fixed[-1]["node_id"]) if fixed else vt.start_depot
    # a break begun before the cut is part of the past: taken whole (the driver rests at ``at``)
    begun = [r for r in recs if str(r["kind"]) == "break" and last_dep <= int(r["start"]) < cut]
    time = last_dep if state != "turned_back" else _way_back(at, last_dep, begun)
    if vt.max_duration is not None:
        end_by = min(end_by, dep0 + vt.max_duration)
    driven = sum(int(r.get("travel_distance", 0) or 0) for r in fixed + made)
    left = vt.max_trips - len(made)
    if state != "reloading" and vt.reloads_at not in (node, vt.end_depot or vt.start_depot):
        left = 1  # on the road, it could reload only where it stands or where it ends
    st = VehicleState(
        vid,
        k,
        vt,
        state,
        fixed=[(str(r["order_id"]), int(r["start"])) for r in fixed],
        depart=dep0,
        node=node,
        time=time,
        end_by=end_by,
        distance_left=None if vt.max_distance is None else max(0, vt.max_distance - driven),
        dead_load=dead,
        past_breaks=[
            (int(r["start"]), int(r["service"]), "break")
            for r in recs
            if str(r["kind"]) == "break" and (int(r["departure"]) <= time or r in begun)
        ],
        reloads=[(sum(1 for f in fixed if int(f["seq"]) < int(r["seq"])), int(r["start"])) for r in made],
        trips_left=max(1, left),
    )
    # the current trip: from the last reload made to the next one planned
    since = int(made[-1]["seq"]) if made else -1
    until = min((int(r["seq"]) for r in reload_rows if int(r["seq"]) > since), default=None)
    trip_start = int(made[-1]["departure"]) if made else dep0
    now = [r for r in fixed if int(r["seq"]) > since]
    ahead = [r for r in rest if until is None or int(r["seq"]) < until]
    if state != "reloading":
        _goods(problem, st, now, ahead, cancelled, bd, cut, trip_start)
    return st


def _driving_to_reload(
    recs: list[dict[str, Any]], fixed: list[dict[str, Any]], made: list[dict[str, Any]], at: int
) -> list[dict[str, Any]]:
    """The reload a vehicle is driving to at ``at`` (as to a stop: it gets there and reloads), if any."""
    done = fixed + made
    last = max(done, key=lambda r: int(r["seq"])) if done else recs[0]
    left = int(last["departure"])
    ahead = [r for r in recs if int(r["seq"]) > int(last["seq"]) and str(r["kind"]) in ("delivery", "pickup", "reload")]
    if ahead and str(ahead[0]["kind"]) == "reload" and left <= at:
        return [ahead[0]]
    return []


def _way_back(at: int, last_dep: int, begun: list[dict[str, Any]]) -> int:
    """When a vehicle that turns back at ``at`` is at its last stop again.

    It drove from ``last_dep`` to ``at`` except while on the breaks it began since (each taken
    whole, so it restarts after one still under way), and drives back as long as it came.
    """
    end = at
    resting = 0
    for r in begun:
        b0, b1 = int(r["start"]), int(r["departure"])
        resting += min(b1, at) - b0
        end = max(end, b1)
    return end + (at - last_dep - resting)


def _goods(
    problem: Problem,
    st: VehicleState,
    fixed: list[dict[str, Any]],
    rest: list[dict[str, Any]],
    cancelled: set[str],
    bd: Breakdown | None,
    cut: int,
    trip_start: int,
) -> None:
    """What rides the vehicle at the restart: deliveries still to make, produce picked up, dead load.

    ``fixed`` and ``rest`` are the rows of its current trip (made and to come); ``trip_start`` is when
    that trip left the depot.
    """
    assert st.dead_load is not None and st.depart is not None
    done_ids = {oid for oid, _ in st.fixed}
    start_of = dict(st.fixed)
    for r in fixed:  # produce picked up and not delivered on this route: room and a deadline to the end depot
        o = problem.order(str(r["order_id"]))
        if o.kind != "pickup" or (o.pair is not None and o.pair in done_ids):
            continue
        if o.pair is None:
            st.dead_load += _loads(problem, o, st.vt)
            life = problem.shelf_life_s(o)
            if life is not None:
                st.end_by = min(st.end_by, start_of[o.id] + life)
    for r in rest:
        o = problem.order(str(r["order_id"]))
        if o.kind != "delivery":
            continue
        if o.pair is not None and o.pair not in done_ids:
            continue  # its pickup is not made: the pair is free
        since = trip_start if o.pair is None else start_of[o.pair]
        if o.id in cancelled:
            if o.pair is None or o.pair in done_ids:
                st.dead_load += _loads(problem, o, st.vt)
            continue
        if st.state != "broken":
            st.on_board[o.id] = since
        elif bd is not None and bd.recover_min is not None and o.pair is None:
            st.recovered[o.id] = (cut + int(round(bd.recover_min * 60)), since)
        else:
            why = "no recovery time given" if o.pair is None else "its pickup rode the same vehicle"
            st.lost[o.id] = f"its goods are on {st.vid}, out of service from {fmt_clock(cut)} ({why})"


def breaks_before_leaving(
    st: VehicleState, depart: int | None, taken: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """The rest of the day's breaks, with those the solver placed before the rest of the route leaves.

    The sub-problem's route starts where the vehicle stands; a break it owes (`breaks_left`) and
    takes there before leaving is no break of the sub-plan's route, so it is put back at the
    vehicle's position, ending as close to the departure as its window allows: the sub-problem counts
    the driver on duty from that departure, and so does the whole day then (a rest taken early and
    followed by a wait would leave the driver on duty longer than the sub-problem saw).

    Parameters
    ----------
    st
        The vehicle's state.
    depart
        When the sub-plan's route leaves the vehicle's position (``None``: it has none).
    taken
        (start, length, name) of the sub-plan route's breaks.

    Returns
    -------
    list of (start, length, name)
        The breaks of the rest of the day.
    """
    vt = st.vt
    if st.depart is None or depart is None:
        return taken
    out = list(taken)
    latest = depart
    owed = breaks_left(vt.breaks, vt.max_driving_h, vt.min_rest_min, st.past_breaks, st.time, st.depart)
    for b in sorted(owed, key=lambda b: (b.duration, b.window[1]), reverse=True):  # a long one may do for a short
        done = any(b.window[0] <= s <= b.window[1] and d >= b.duration for s, d, _ in out)
        start = min(b.window[1], latest - b.duration)
        if not done and start >= max(st.time, b.window[0]):
            out.append((start, b.duration, b.name))
            latest = start
    if vt.max_driving_h is not None:  # a wait of a rest or more before leaving: the driver rests while
        free_from = max([st.time] + [s + d for s, d, _ in out if s < depart])  # waiting, so the clock starts
        if depart - free_from >= vt.min_rest_min * 60:  # at the departure, as the sub-problem counts it
            out.append((free_from, depart - free_from, "rest"))
    return out


def breaks_on_the_way_back(updated: Problem, st: VehicleState) -> list[tuple[int, int, str]]:
    """Breaks a vehicle with nothing left to serve still takes: those whose window closes before it is back.

    Parameters
    ----------
    updated
        The day after the events (its matrix gives the way back).
    st
        The vehicle's state; it goes back to its end depot from ``st.node`` at ``st.time``.

    Returns
    -------
    list of (start, length, name)
        Taken at its position, one after another.
    """
    vt, m = st.vt, updated.matrix
    if st.depart is None or m is None:
        return []
    back = int(round(float(m.duration[m.index(st.node), m.index(vt.end_depot)]) * vt.speed_factor))
    out: list[tuple[int, int, str]] = []
    t = st.time
    owed = breaks_left(vt.breaks, vt.max_driving_h, vt.min_rest_min, st.past_breaks, st.time, st.depart)
    for b in sorted(owed, key=lambda b: b.window):
        start = max(t, b.window[0])
        if start <= b.window[1] < start + back:  # still on the way when its window closes
            out.append((start, b.duration, b.name))
            t = start + b.duration
    return out
