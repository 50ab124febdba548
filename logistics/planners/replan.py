"""Re-planning during the day: the plan made in the morning, the events since, the rest of the day.

``replan(problem, plan, at="13:00", events=[...])`` keeps the stops already made, restarts every
vehicle from where it stands (`logistics.planners.restart`: its position, time, load and the shelf
life its goods have used), plans the rest of the day as a new `Problem` solved from the old plan (a
warm start), and splices the two.  The spliced plan is checked by the independent validator against
the day as it now stands (the updated problem: the original fleet, the orders after the events).

The rest of the day as a problem is built by [logistics.planners.rest_problem][] (docs/replan.md).

Pairs: a pair whose pickup is made rides on to its delivery on the same vehicle and trip.  When that
delivery cannot be made any more (cancelled, its vehicle out of service, too late for the goods'
shelf life, or left out by the search), the updated problem gives the pair up: both orders lose
their ``pair``, the pickup stays as made and its goods ride back to the depot, listed in
``problem.meta[RETURNED_GOODS]`` (written off: the validator checks no shelf life on them), and the
delivery is unserved with its reason.  Cancelling either order of a pair not yet picked up cancels both.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from logistics.core.errors import ProblemError
from logistics.core.events import RETURNED_GOODS, Breakdown, Cancel, Delay, Event, NewOrder, NewWindows
from logistics.core.model import OrderKind
from logistics.core.options import SolveOptions
from logistics.core.plan import Plan, RouteResult, empty_routes
from logistics.core.problem import Problem
from logistics.core.units import DAY, fmt_clock, parse_clock
from logistics.engine.build_plan import build_plan
from logistics.engine.solve import solve
from logistics.formats.documents import prefixed_error
from logistics.formats.events_file import events_from_records
from logistics.planners.rest_problem import sub_problem
from logistics.planners.restart import VehicleState, breaks_before_leaving, breaks_on_the_way_back, vehicle_states

__all__ = ["CHANGE_COLUMNS", "Replan", "apply_events", "day_end", "replan"]

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
    """Events as objects, in their order; mappings are read like an events file's records."""
    given = list(events)
    for k, e in enumerate(given):
        if not isinstance(e, (Mapping, NewOrder, Cancel, Breakdown, Delay, NewWindows)):
            raise ProblemError(f"events[{k}]: not an event: {e!r}", record=f"events[{k}]", field=f"events[{k}]")
    at = [k for k, e in enumerate(given) if isinstance(e, Mapping)]
    read = iter(events_from_records([given[k] for k in at], "events") if at else [])
    return [next(read) if isinstance(e, Mapping) else e for e in given]


def day_end(problem: Problem) -> int:
    """The latest time of the day a re-planning time or an event may name: midnight, or a later shift end.

    Parameters
    ----------
    problem
        The day as planned.

    Returns
    -------
    int
        Seconds from the day's midnight.
    """
    return max([DAY] + [vt.shift[1] for vt in problem.fleet])


def _in_day(t: int, end: int, record: str, field: str) -> None:
    if not 0 <= t <= end:
        raise ProblemError(
            f"{record}: {field} {fmt_clock(t)} is outside the day (00:00 to {fmt_clock(end)})",
            record=record,
            field=field,
        )


def apply_events(
    problem: Problem, events: Sequence[Event], served: set[str]
) -> tuple[Problem, set[str], list[dict[str, Any]]]:
    """The day after the order events: new orders in, cancelled out, windows changed.

    Cancelling one order of a pickup-and-delivery pair cancels both while the pickup is still to be
    made; once it is made, the delivery is cancelled and the goods ride back (see the module docstring).

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
        An event names an unknown order or vehicle, an order an earlier event cancelled, or a time
        outside the day, or a new order's id is taken or its record is invalid; ``field`` is the
        event's (``events[2].order_id``).
    """
    by_id = dict(problem.order_index)
    vids = {vid for vid, _ in problem.vehicles()}
    end = day_end(problem)
    cancelled: set[str] = set()
    ignored: list[dict[str, Any]] = []
    returned: list[str] = []
    new_at: dict[str, int] = {}
    for k, e in enumerate(events):
        if isinstance(e, (Breakdown, Delay)):
            if e.vehicle not in vids:
                raise ProblemError(
                    f"events[{k}]: unknown vehicle {e.vehicle!r} (the plan's vehicles are named type#k)",
                    record=e.vehicle,
                    field=f"events[{k}].vehicle",
                )
            if isinstance(e, Breakdown) and e.at is not None:
                _in_day(e.at, end, e.vehicle, f"events[{k}].at")
            continue
        if isinstance(e, NewOrder):
            if e.order.id in by_id or e.order.id in cancelled:
                raise ProblemError(
                    f"events[{k}]: new order {e.order.id!r}: the id is taken",
                    record=e.order.id,
                    field=f"events[{k}].order.id",
                )
            by_id[e.order.id] = e.order
            new_at[e.order.id] = k
            continue
        oid = e.order_id
        if oid not in by_id:
            why = "cancelled by an earlier event" if oid in cancelled else "unknown"
            raise ProblemError(f"events[{k}]: order {oid!r} is {why}", record=oid, field=f"events[{k}].order_id")
        if oid in served:
            what = "cancelled" if isinstance(e, Cancel) else "new time windows"
            ignored.append(_row(oid, "ignored", reason=f"{what} after it was served"))
            continue
        if isinstance(e, Cancel):
            cancelled.add(oid)
            mate = by_id.pop(oid).pair
            if mate is not None and mate in by_id and mate not in served:  # a pair goes as a whole
                cancelled.add(mate)
                del by_id[mate]
            elif mate is not None and mate in by_id:  # its pickup is made: the goods ride back
                by_id[mate] = replace(by_id[mate], pair=None)
                returned.append(mate)
        else:
            by_id[oid] = replace(by_id[oid], time_windows=e.time_windows)
    orders = tuple(by_id.values())
    new_places = any(o.location not in problem.travel_matrix for o in orders)
    matrix = None if new_places and problem.network is not None else problem.matrix
    try:
        updated = problem.replace(orders=orders, matrix=matrix)
    except ProblemError as e:  # a new order's record: name its event
        which = new_at.get(str(e.record)) if e.record is not None else None
        if which is None:
            raise
        raise prefixed_error(e, "events", f"events[{which}].order") from None
    return _returned(updated, returned) if returned else updated, cancelled, ignored


def _returned(problem: Problem, pickups: Iterable[str]) -> Problem:
    """``problem`` with the pairs of ``pickups`` (made, their deliveries given up) dissolved.

    The goods ride back to the depot like produce; ``meta[RETURNED_GOODS]`` lists the pickups so the
    validator writes them off rather than checking their shelf life.
    """
    ids = set(pickups)
    mates = {problem.order_index[p].pair for p in ids if p in problem.order_index} - {None}
    orders = tuple(replace(o, pair=None) if o.id in ids or o.id in mates else o for o in problem.orders)
    before = list(problem.meta.get(RETURNED_GOODS, ())) if problem.meta else []
    meta = dict(problem.meta or {}) | {RETURNED_GOODS: sorted(set(before) | ids)}
    return problem.replace(orders=orders, meta=meta)


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
        A bad time (or one outside the day, see `day_end`), an event naming an unknown order or
        vehicle (``field`` names the event: ``events[2].order_id``), a plan that names vehicles the
        fleet lacks.
    """
    t0 = time.perf_counter()
    t_at = parse_clock(at, record="replan", field="at")
    _in_day(t_at, day_end(problem), "replan", "at")
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
    served = {oid for st in states for oid, _ in st.fixed}
    if sub_plan is not None:
        served |= set(map(str, sub_plan.stops["order_id"].dropna()))
    given_up = [
        oid
        for oid in sorted(served)
        if updated.order(oid).kind == "pickup" and (mate := updated.order(oid).pair) is not None and mate not in served
    ]
    if given_up:  # pickups made whose deliveries cannot be: the goods ride back (docs/replan.md)
        updated = _returned(updated, given_up)
    new_plan = splice(updated, states, sub_plan, reasons, meta=meta)
    new_plan.meta["elapsed_s"] = round(time.perf_counter() - t0, 4)
    new_ids = {e.order.id for e in evs if isinstance(e, NewOrder)}
    changes = change_frame(plan, new_plan, cancelled, new_ids, ignored)
    return Replan(new_plan, updated, changes, _vehicle_frame(states), sub)


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
