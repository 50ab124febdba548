"""Re-planning during the day: the plan made in the morning, the events since, the rest of the day.

``replan(problem, plan, at="13:00", events=[...])`` keeps the stops already made, restarts every
vehicle from where it stands (`logistics.planners.restart`: its position, time, load and the shelf
life its goods have used), plans the rest of the day as a new `Problem` solved from the old plan (a
warm start), and splices the two.  The spliced plan is checked by the independent validator against
the day as it now stands (the updated problem: the original fleet, the orders after the events).

The rest of the day as a problem (a sub-problem; docs/replan.md):

* each vehicle that goes on is a vehicle type of its own (named by its vehicle id) starting at its
  restart position and time, ending at its depot by its shift, route duration and the shelf life of
  produce on board; its compartments shrink by the goods on board that no remaining order stands
  for; its fixed cost is paid already (0);
* its undelivered goods are orders forced onto it (``vehicle_types``), their time windows cut at
  the moment their shelf life runs out (counted from when they left the depot, waiting included)
  and their shelf life shortened by the time already spent;
* deliveries not on board (new orders, orders of spares, orders left out before, goods recovered
  from a broken-down vehicle) may ride vehicles still at a depot (or reloading there), and vehicles
  on the road with a trip left, after their next reload (``VehicleType.on_board``); pickups may
  ride any vehicle;
* several trips: each vehicle keeps the reloads it has made and restarts with the trips it has left
  (``max_trips`` less those reloads), reloading at its home depot (``VehicleType.reload_depot``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from logistics.core.breaks import breaks_left
from logistics.core.errors import ProblemError
from logistics.core.events import Breakdown, Cancel, Delay, Event, NewOrder, NewWindows
from logistics.core.model import Compartment, Order, OrderKind, VehicleType
from logistics.core.options import SolveOptions
from logistics.core.plan import Plan, RouteResult, empty_routes
from logistics.core.problem import Problem
from logistics.core.units import fmt_clock, parse_clock
from logistics.engine.build_plan import build_plan
from logistics.engine.solve import solve
from logistics.formats.events_file import events_from_records
from logistics.planners.restart import VehicleState, breaks_before_leaving, breaks_on_the_way_back, vehicle_states

__all__ = ["CHANGE_COLUMNS", "Replan", "apply_events", "replan"]

#: Columns of `Replan.changes`.
CHANGE_COLUMNS = [
    "order_id",
    "change",
    "vehicle_before",
    "vehicle_after",
    "start_before",
    "start_after",
    "reason",
]
#: Seconds of the call kept for splicing and building the day's plan after the search (measured: 0.2 s
#: for the 170-order Yanhu day on road geometry, three times that for a loaded machine: at load 11 on
#: two cores a 5 s re-plan with 0.4 s kept took up to 5.4 s; the rest of the time limit goes to the search).
SPLICE_RESERVE_S = 0.6
#: Least search time of the rest of the day, seconds, however little the limit leaves.
MIN_REST_S = 0.5
#: A new service start this much earlier or later than planned is reported as ``retimed`` (seconds).
RETIME_TOL_S = 60


@dataclass
class Replan:
    """The rest of the day, re-planned.

    Attributes
    ----------
    plan
        The whole day's plan: the fixed past and the new rest, one route per vehicle.  It validates
        against ``problem``.
    problem
        The day after the events: the original fleet, the orders still wanted (new ones added,
        cancelled ones gone, changed windows applied).
    changes
        One row per order whose fate changed (columns `CHANGE_COLUMNS`): ``change`` is ``moved``
        (another vehicle), ``retimed`` (same vehicle, a start more than `RETIME_TOL_S` away),
        ``unserved`` (served before, not now; ``reason`` says why), ``served`` (left out before,
        served now), ``new``, ``new_unserved``, ``cancelled`` or ``ignored`` (an event about an order
        already served).  Starts are seconds from midnight.
    vehicles
        One row per vehicle: ``state`` at the re-planning time (see
        [logistics.planners.restart][]), ``node_id`` and ``time`` it restarts from, ``on_board``
        (deliveries riding it), ``fixed`` (stops kept).
    sub_problem
        The rest of the day as a problem of its own (for inspection), or ``None`` when nothing was left.
    """

    plan: Plan
    problem: Problem
    changes: pd.DataFrame
    vehicles: pd.DataFrame
    sub_problem: Problem | None = None


def _events(events: Iterable[Any]) -> list[Event]:
    """Events as objects; mappings are read like an events file's records."""
    out: list[Event] = []
    raw: list[Mapping[str, Any]] = []
    for e in events:
        if isinstance(e, Mapping):
            raw.append(e)
        elif isinstance(e, (NewOrder, Cancel, Breakdown, Delay, NewWindows)):
            out.append(e)
        else:
            raise ProblemError(f"not an event: {e!r}", record="events", field="events")
    return out + events_from_records(raw, "events") if raw else out


def apply_events(
    problem: Problem, events: Sequence[Event], served: set[str]
) -> tuple[Problem, set[str], list[dict[str, Any]]]:
    """The day after the order events: new orders in, cancelled out, windows changed.

    Parameters
    ----------
    problem
        The day as planned.
    events
        The events (vehicle events are checked here, applied by the restart).
    served
        Ids of the orders already served (events about them are ignored and reported).

    Returns
    -------
    tuple
        The updated problem, the ids of cancelled orders, and the ``ignored`` change rows.

    Raises
    ------
    ProblemError
        An event names an unknown order or vehicle, or a new order's id is taken.
    """
    by_id = dict(problem.order_index)
    vids = {vid for vid, _ in problem.vehicles()}
    cancelled: set[str] = set()
    ignored: list[dict[str, Any]] = []
    for e in events:
        if isinstance(e, (Breakdown, Delay)):
            if e.vehicle not in vids:
                raise ProblemError(f"event: unknown vehicle {e.vehicle!r}", record=e.vehicle, field="vehicle")
            continue
        if isinstance(e, NewOrder):
            if e.order.id in by_id or e.order.id in cancelled:
                raise ProblemError(f"new order {e.order.id!r}: the id is taken", record=e.order.id, field="id")
            by_id[e.order.id] = e.order
            continue
        oid = e.order_id
        if oid not in by_id:
            raise ProblemError(f"event: unknown order {oid!r}", record=oid, field="order_id")
        if oid in served:
            what = "cancelled" if isinstance(e, Cancel) else "new time windows"
            ignored.append(_row(oid, "ignored", reason=f"{what} after it was served"))
            continue
        if isinstance(e, Cancel):
            cancelled.add(oid)
            del by_id[oid]
        else:
            by_id[oid] = replace(by_id[oid], time_windows=e.time_windows)
    orders = tuple(by_id.values())
    new_places = any(o.location not in problem.travel_matrix for o in orders)
    matrix = None if new_places and problem.network is not None else problem.matrix
    return problem.replace(orders=orders, matrix=matrix), cancelled, ignored


def _row(oid: str, change: str, **kw: Any) -> dict[str, Any]:
    return {"order_id": oid, "change": change} | kw


def replan(
    problem: Problem,
    plan: Plan,
    at: int | str,
    events: Iterable[Any] = (),
    options: SolveOptions | None = None,
    *,
    warm_start: bool = True,
) -> Replan:
    """Re-plan the rest of the day at ``at`` after ``events``.

    Parameters
    ----------
    problem
        The day the plan was made for.
    plan
        The plan being run (its ``stops``: vehicle, seq, kind, order_id, node_id, arrival, start,
        departure, travel_distance).
    at
        The re-planning time (seconds from midnight or ``"HH:MM"``).
    events
        [logistics.core.events][] objects, or mappings as in an events file (``{"type": "breakdown",
        "vehicle": "van_s1#1", "at": "11:00"}``, see ``logistics/formats/schemas/events.schema.json``).
    options
        Search settings (default: 5 s, seed 0); the time limit covers the whole call (the search of the
        rest of the day gets what is left after reading the plan, less `SPLICE_RESERVE_S`).
    warm_start
        Start the search from the old plan's routes (``False``: from scratch, for comparisons).

    Returns
    -------
    Replan
        The spliced plan, the updated problem, the changes and each vehicle's state.

    Raises
    ------
    ProblemError
        A bad time, an event naming an unknown order or vehicle, a plan that names vehicles the
        fleet lacks.
    """
    t0 = time.perf_counter()
    t_at = parse_clock(at, record="replan", field="at")
    evs = _events(events)
    opts = options if options is not None else SolveOptions(time_limit=5.0)
    fleet_ids = {vid for vid, _ in problem.vehicles()}
    stops = plan.stops
    unknown = sorted({str(v) for v in stops["vehicle"]} - fleet_ids)
    if unknown:
        raise ProblemError(f"plan: vehicle {unknown[0]!r} is not in the fleet", record=unknown[0], field="vehicle")
    early = stops[stops["kind"].isin(["delivery", "pickup"]) & (stops["arrival"] < t_at)]
    updated, cancelled, ignored = apply_events(problem, evs, set(map(str, early["order_id"])))
    breakdowns = {e.vehicle: e for e in evs if isinstance(e, Breakdown)}
    delays = {e.vehicle: e for e in evs if isinstance(e, Delay)}
    states = vehicle_states(
        problem,
        stops,
        t_at,
        breakdowns,
        delays,
        cancelled,
        updated.order_index,
        int(updated.costs.max_lateness_h * 3600),
    )
    sub, reasons = sub_problem(updated, states, t_at)
    sub_plan = None
    meta: dict[str, Any] = {"problem": updated.name, "day": updated.day, "replanned_at": fmt_clock(t_at)}
    if sub is not None:
        left = max(MIN_REST_S, opts.time_limit - (time.perf_counter() - t0) - SPLICE_RESERVE_S)
        initial = _warm(plan, states, sub) if warm_start else None
        sub_plan = solve(sub, replace(opts, time_limit=left), initial=initial)
        meta |= {"rest_" + k: sub_plan.meta.get(k) for k in ("status", "time_limit", "elapsed_s", "warm_start")}
        for oid, why in zip(sub_plan.unserved["order_id"], sub_plan.unserved["reason"]):
            reasons[str(oid)] = str(why)
    new_plan = splice(updated, states, sub_plan, reasons, meta=meta)
    new_plan.meta["elapsed_s"] = round(time.perf_counter() - t0, 4)
    new_ids = {e.order.id for e in evs if isinstance(e, NewOrder)}
    changes = change_frame(plan, new_plan, cancelled, new_ids, ignored)
    return Replan(new_plan, updated, changes, _vehicle_frame(states), sub)


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
        max_duration=None,
        max_distance=st.distance_left,
        breaks=breaks_left(vt.breaks, vt.max_driving_h, vt.min_rest_min, st.past_breaks, st.time, st.depart),
    )


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
    fleet = {st.vid: _sub_type(st) for st in going}
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
            if st.vid not in fleet:
                reasons[o.id] = f"{st.vid} has no time left to deliver it"
                continue
            f = _forced(updated, o, st.on_board[o.id], st.time, (st.vid,), reasons)
            if f is not None:
                orders.append(f)
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


def _warm(plan: Plan, states: list[VehicleState], sub: Problem) -> Plan:
    """The old plan's rest of each vehicle's route, in the sub-problem's vehicle ids: the warm start.

    Reloads still to come stay in it (a reload already made is part of the fixed past).
    """
    wanted = {o.id for o in sub.orders}
    fixed = {oid for st in states for oid, _ in st.fixed}
    made = {st.vid: len(st.reloads) for st in states}
    names = {vt.name for vt in sub.fleet}
    rows = []
    for vid, g in plan.stops.groupby("vehicle", sort=False):
        if str(vid) not in names:
            continue
        skip = made.get(str(vid), 0)
        seq: list[tuple[str, str | None]] = []
        for kind, x in zip(g.sort_values("seq")["kind"], g.sort_values("seq")["order_id"]):
            if kind == "reload":
                if skip:
                    skip -= 1
                else:
                    seq.append(("reload", None))
            elif x is not None and x == x and str(x) in wanted and str(x) not in fixed:
                seq.append((str(kind), str(x)))
        for k, (kind, oid) in enumerate(seq):
            rows.append({"vehicle": f"{vid}#1", "seq": k + 1, "kind": kind, "order_id": oid})
    stops = pd.DataFrame(rows, columns=["vehicle", "seq", "kind", "order_id"])
    return Plan(stops=stops, unserved=pd.DataFrame(columns=["order_id", "reason"]), kpis={}, routes=empty_routes())


def splice(
    updated: Problem,
    states: list[VehicleState],
    sub_plan: Plan | None,
    reasons: dict[str, str],
    meta: dict[str, Any],
) -> Plan:
    """The whole day: each vehicle's fixed stops, then its route in the sub-problem's plan.

    Times of the rest are the sub-plan's service starts; arrivals are recomputed from the last fixed
    stop (so a vehicle held at its restart point shows the wait at its next stop).

    Parameters
    ----------
    updated
        The day after the events (the plan is built and priced on it).
    states
        Every vehicle's state.
    sub_plan
        The plan of the rest of the day, or ``None``.
    reasons
        Why each order left out is left out.
    meta
        ``plan.meta`` of the result.

    Returns
    -------
    Plan
        Frames and KPIs as `solve` builds them.
    """
    index = {o.id: i for i, o in enumerate(updated.orders)}
    rest: dict[str, tuple[int, list[tuple[str, int]]]] = {}
    rests: dict[str, list[tuple[int, int, str]]] = {}  # drivers' breaks of the rest of the day
    reloads: dict[str, list[tuple[int, int]]] = {}  # reloads of the rest of the day (visits before, start)
    if sub_plan is not None:
        for vid, g in sub_plan.stops.groupby("vehicle", sort=False):
            g = g.sort_values("seq")
            visits = [(str(o), int(s)) for k, o, s in zip(g["kind"], g["order_id"], g["start"]) if k in OrderKind]
            rest[str(vid).rsplit("#", 1)[0]] = (int(g["departure"].iloc[0]), visits)
            kinds = list(g["kind"])
            reloads[str(vid).rsplit("#", 1)[0]] = [
                (sum(1 for x in kinds[:j] if x in OrderKind), int(s))
                for j, (x, s) in enumerate(zip(kinds, g["start"]))
                if x == "reload"
            ]
            b = g[g["kind"] == "break"]
            rests[str(vid).rsplit("#", 1)[0]] = [(int(s), int(d), "break") for s, d in zip(b["start"], b["service"])]
    routes = []
    served: set[str] = set()
    for st in states:
        depart, visits = rest.get(st.vid, (None, []))
        stops = [*st.fixed, *visits]
        if not stops:
            continue
        leave = st.depart if st.depart is not None else depart
        assert leave is not None
        served.update(oid for oid, _ in stops)
        owed = (
            breaks_before_leaving(st, depart, rests.get(st.vid, [])) if visits else breaks_on_the_way_back(updated, st)
        )
        brk = tuple(sorted(st.past_breaks + (owed or [])))
        trips = st.reloads + [(len(st.fixed) + pos, s) for pos, s in reloads.get(st.vid, [])]
        routes.append(
            RouteResult(
                st.index, [index[oid] for oid, _ in stops], [s for _, s in stops], int(leave), 0, brk, tuple(trips)
            )
        )
    why = {
        index[o.id]: reasons.get(o.id, "not served by the re-planned day") for o in updated.orders if o.id not in served
    }
    return build_plan(updated, None, routes, why, dict(meta))


def change_frame(
    before: Plan, after: Plan, cancelled: set[str], new_ids: set[str], ignored: list[dict[str, Any]]
) -> pd.DataFrame:
    """What the re-planning changed, order by order (see `Replan.changes`).

    Parameters
    ----------
    before, after
        The plan being run and the re-planned one.
    cancelled, new_ids
        Ids of the cancelled and the new orders.
    ignored
        Rows for events about orders already served.

    Returns
    -------
    pandas.DataFrame
        Columns `CHANGE_COLUMNS`, one row per changed order, by order id.
    """

    def visits(p: Plan) -> dict[str, tuple[str, int]]:
        s = p.stops[p.stops["kind"].isin(["delivery", "pickup"])]
        return {str(o): (str(v), int(t)) for o, v, t in zip(s["order_id"], s["vehicle"], s["start"])}

    b, a = visits(before), visits(after)
    why = dict(zip(map(str, after.unserved["order_id"]), map(str, after.unserved["reason"])))
    rows = list(ignored)
    for oid in sorted(set(b) | set(a) | set(why) | cancelled):
        vb, tb = b.get(oid, (None, None))
        va, ta = a.get(oid, (None, None))
        if oid in cancelled:
            change = "cancelled"
        elif oid in new_ids:
            change = "new" if va is not None else "new_unserved"
        elif vb is not None and va is None:
            change = "unserved"
        elif vb is None and va is not None:
            change = "served"
        elif vb is not None and va != vb:
            change = "moved"
        elif vb is not None and tb is not None and ta is not None and abs(ta - tb) > RETIME_TOL_S:
            change = "retimed"
        else:
            continue
        rows.append(
            _row(
                oid,
                change,
                vehicle_before=vb,
                vehicle_after=va,
                start_before=tb,
                start_after=ta,
                reason=why.get(oid),
            )
        )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _vehicle_frame(states: list[VehicleState]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "vehicle": st.vid,
                "state": st.state,
                "node_id": st.node,
                "time": st.time,
                "end_by": st.end_by,
                "on_board": len(st.on_board),
                "fixed": len(st.fixed),
            }
            for st in states
        ]
    )
