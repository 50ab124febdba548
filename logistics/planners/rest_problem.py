"""The rest of the day as a problem of its own: what re-planning hands the solver.

`sub_problem` turns every vehicle's state at the re-planning time
([logistics.planners.restart][]) and the day after the events into a `Problem` (docs/replan.md):

* each vehicle that goes on is a vehicle type of its own (named by its vehicle id) starting at its
  restart position and time, ending at its depot by its shift, route duration and the shelf life of
  produce on board; its compartments shrink by the goods on board that no remaining order stands
  for (produce picked up, cancelled deliveries, the goods of a pair given up); its fixed cost is
  paid already (0); the breaks it still owes open no earlier than its restart;
* its undelivered goods are orders forced onto it (``vehicle_types``), their time windows cut at
  the moment their shelf life runs out (counted from when they left the depot, or from the pickup of
  a pair, waiting included) and their shelf life shortened by the time already spent; a paired
  delivery whose pickup is made is such an order, unpaired, tied to the vehicle's current trip;
* deliveries not on board (new orders, orders of spares, orders left out before, goods recovered
  from a broken-down vehicle) may ride vehicles still at a depot (or reloading there), and vehicles
  on the road with a trip left, after their next reload (``VehicleType.on_board``); pickups may
  ride any vehicle;
* an order whose goods fit the room left on no vehicle it may ride is left out with its reason (a
  pair with it: a pair goes in whole or not at all);
* several trips: each vehicle keeps the reloads it has made and restarts with the trips it has left
  (``max_trips`` less those reloads), reloading at its home depot (``VehicleType.reload_depot``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from logistics.core.breaks import Break, breaks_left
from logistics.core.model import Compartment, Order, VehicleType
from logistics.core.problem import Problem
from logistics.core.units import fmt_clock
from logistics.planners.restart import VehicleState

__all__ = ["sub_problem"]


def _sub_type(st: VehicleState) -> VehicleType:
    """The vehicle's rest of the day as a vehicle type of its own (named by its vehicle id)."""
    vt = st.vt
    dead = st.dead_load if st.dead_load is not None else np.zeros(len(vt.compartments))
    comps = tuple(
        Compartment(c.zone, max(0.0, c.capacity - float(q)), name=c.name) for c, q in zip(vt.compartments, dead)
    )
    total = None if vt.total_capacity is None else max(0.0, vt.total_capacity - float(dead.sum()))
    home = vt.reloads_at if st.trips_left > 1 else None
    return replace(
        vt,
        name=st.vid,
        count=1,
        compartments=comps,
        start_depot=st.node,
        max_trips=st.trips_left,
        reload_depot=home if home != st.node else None,
        on_board=None if st.at_home else tuple(st.on_board),
        total_capacity=total,
        fixed_cost=vt.fixed_cost if st.state == "depot" else 0.0,
        shift=(st.time, st.end_by),
        max_duration=vt.max_duration if st.depart is None else None,  # on the road: in end_by
        max_distance=st.distance_left,
        breaks=_on_duty_breaks(st),
    )


def _on_duty_breaks(st: VehicleState) -> tuple[Break, ...]:
    """The breaks the rest of its day owes, none opening before the vehicle restarts.

    A vehicle that has left its depot is on duty until it restarts: a break whose window opened
    earlier cannot have been taken before the rest of its route leaves, so its window opens at the
    restart (else the sub-problem would count it as taken off duty, and the whole day misses it).
    """
    vt = st.vt
    owed = breaks_left(vt.breaks, vt.max_driving_h, vt.min_rest_min, st.past_breaks, st.time, st.depart)
    if st.depart is None:
        return tuple(owed)
    return tuple(replace(b, window=(min(max(b.window[0], st.time), b.window[1]), b.window[1])) for b in owed)


def _clip(o: Order, deadline: int, max_late_s: int) -> tuple[tuple[int, int], ...]:
    """``o``'s windows (soft ones stretched by the lateness allowed) ending by ``deadline``."""
    out = []
    for a, b in o.time_windows:
        end = min(b + (max_late_s if o.soft else 0), deadline)
        if a <= end:
            out.append((a, end))
    return tuple(out)


def _forced(
    updated: Problem, o: Order, since: int, restart: int, names: tuple[str, ...], reasons: dict[str, str]
) -> Order | None:
    """``o`` (goods on board since ``since``) for the sub-problem: onto ``names`` only, before its shelf life ends."""
    life = updated.shelf_life_s(o)
    partner = updated.order_index.get(o.pair) if o.pair is not None else None
    if partner is not None:
        lives = [x for x in (life, updated.shelf_life_s(partner)) if x is not None]
        life = min(lives) if lives else None
    if life is None:
        return replace(o, vehicle_types=names, pair=None)
    deadline = since + life
    wins = _clip(o, deadline, int(updated.costs.max_lateness_h * 3600))
    if deadline <= restart or not wins:
        reasons[o.id] = f"its shelf life runs out at {fmt_clock(deadline)}, before it can be reached"
        return None
    return replace(
        o,
        vehicle_types=names,
        pair=None,
        time_windows=wins,
        soft=False,
        shelf_life_h=(deadline - restart) / 3600,
    )


def sub_problem(updated: Problem, states: list[VehicleState], at: int) -> tuple[Problem | None, dict[str, str]]:
    """The rest of the day as a problem of its own (see the module docstring).

    Parameters
    ----------
    updated
        The day after the events.
    states
        Every vehicle's state at ``at``.
    at
        The re-planning time.

    Returns
    -------
    tuple
        The sub-problem (``None`` when no order is left or no vehicle goes on) and the orders
        already known to be unserved, with their reasons.
    """
    reasons: dict[str, str] = {}
    going = [st for st in states if st.restarts]
    ready = max((t for st in states for t, _ in st.recovered.values()), default=None)
    if ready is not None:  # spares wait for the goods brought back
        for st in going:
            if st.state == "depot" and any(st.vt.start_depot == s.vt.end_depot for s in states if s.recovered):
                st.time = max(st.time, ready)
        going = [st for st in states if st.restarts]
    going_ids = {st.vid for st in going}
    done = {oid for st in states for oid, _ in st.fixed}
    on_board = {oid: st for st in states for oid in st.on_board}
    recovered = {oid: (st, t, since) for st in states for oid, (t, since) in st.recovered.items()}
    for st in states:
        reasons.update(st.lost)
    orders: list[Order] = []
    for o in updated.orders:
        if o.id in done or o.id in reasons:
            continue
        if o.id in on_board:
            st = on_board[o.id]
            f = None
            if st.vid not in going_ids:
                reasons[o.id] = f"{st.vid} has no time left to deliver it"
            else:
                f = _forced(updated, o, st.on_board[o.id], st.time, (st.vid,), reasons)
            if f is not None:
                orders.append(f)
            elif o.pair is not None and st.dead_load is not None:  # picked up on the way: its goods ride back
                st.dead_load += np.asarray(updated.compartment_loads(o, st.vt) or 0.0, dtype=float)
            continue
        names = _allowed(o, going, recovered.get(o.id))
        if not names:
            reasons[o.id] = _no_vehicle(o, o.id in recovered)
            continue
        if o.id in recovered:
            src, t, since = recovered[o.id]
            f = _forced(updated, o, since, t, names, reasons)
            if f is not None:
                orders.append(f)
            continue
        orders.append(replace(o, vehicle_types=names))
    fleet = {st.vid: _sub_type(st) for st in going}
    orders = _fitting(updated, orders, fleet, reasons)
    if not orders or not fleet:
        for o in orders:
            reasons.setdefault(o.id, "no vehicle can take it any more today")
        return None, reasons
    sub = Problem(
        orders=tuple(_whole_pairs(orders, reasons)),
        fleet=tuple(fleet.values()),
        products=updated.products,
        matrix=updated.travel_matrix,
        costs=updated.costs,
        objective=updated.objective,
        name=f"{updated.name}-rest",
        day=updated.day,
        strict=False,
    )
    return sub, reasons


def _fitting(
    updated: Problem, orders: list[Order], fleet: Mapping[str, VehicleType], reasons: dict[str, str]
) -> list[Order]:
    """The orders whose goods fit the room left on some vehicle they may ride; the others, with the reason.

    A vehicle's room is what its goods on board leave; a pair that fits none would make the rest of
    the day an invalid problem, an unpaired order would only be left out.
    """
    out = []
    for o in orders:
        names = o.vehicle_types if o.vehicle_types is not None else tuple(fleet)
        fits = False
        for name in names:
            vt = fleet.get(name)
            q = None if vt is None else updated.compartment_loads(o, vt)
            if vt is None or q is None:
                continue
            room = [c.capacity for c in vt.compartments]
            total_ok = vt.total_capacity is None or sum(q) <= vt.total_capacity + 1e-9
            if total_ok and all(a <= b + 1e-9 for a, b in zip(q, room)):
                fits = True
                break
        if fits:
            out.append(o)
        else:
            reasons[o.id] = "its goods fit the room left on no vehicle that may take it"
    return out


def _allowed(o: Order, going: list[VehicleState], recovered: tuple[VehicleState, int, int] | None) -> tuple[str, ...]:
    """Vehicles (sub-problem types) that may take a free order: its own types; deliveries only from a depot."""
    out = []
    for st in going:
        if o.vehicle_types is not None and st.vt.name not in o.vehicle_types:
            continue
        if o.carrier is not None and st.vt.carrier not in (None, o.carrier):
            continue
        needs_depot = o.kind == "delivery" and o.pair is None
        if needs_depot and not st.at_home and st.trips_left < 2:
            continue  # on the road without a trip left: it cannot load it
        if recovered is not None and st.vt.start_depot != recovered[0].vt.end_depot:
            continue
        out.append(st.vid)
    return tuple(out)


def _no_vehicle(o: Order, recovered: bool) -> str:
    if recovered:
        return "its goods are back at the depot, but no vehicle is left there to take them"
    if o.kind == "delivery":
        return "every vehicle that may carry it has left its depot (no spare vehicle left)"
    return "no vehicle that may collect it is still on the road"


def _whole_pairs(orders: list[Order], reasons: dict[str, str]) -> list[Order]:
    """Orders without a pair missing its other half (a pair goes into the sub-problem whole or not at all)."""
    ids = {o.id for o in orders}
    out = []
    for o in orders:
        if o.pair is not None and o.pair not in ids:
            reasons[o.id] = f"its pair {o.pair} cannot be served"
            continue
        out.append(o)
    return out
