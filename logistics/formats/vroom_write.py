"""Writing VROOM's output: routes with their steps, unassigned tasks, the summary and errors.

Solving ([plan_to_vroom][logistics.formats.vroom_write.plan_to_vroom]) and plan mode
(``logistics.formats.vroom_plan``) describe routes the same way, as a list of `Step`s, so
both write the same document: VROOM's output format (docs/API.md of VROOM, "Output").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from logistics.core.errors import ProblemError
from logistics.core.plan import Plan
from logistics.core.problem import Problem
from logistics.formats.vroom_breaks import insert_breaks, place_breaks, time_route

__all__ = [
    "Leg",
    "Step",
    "VroomInput",
    "error_output",
    "merge_violations",
    "output_document",
    "plan_to_vroom",
    "route_document",
    "route_steps",
    "schedule",
    "task_legs",
    "unassigned_entry",
    "unassigned_reasons",
    "vroom_times",
]


@dataclass(frozen=True, eq=False)
class VroomInput:
    """A VROOM input translated into a Problem, with what is needed to translate plans back.

    Attributes
    ----------
    problem
        The problem to solve: every task an optional order (``job:<id>``, ``shipment:<id>``).
    raw
        The input document as read.
    tasks
        Order id → the VROOM task (type, id, location, location index, ...).
    vehicles
        Vehicle type name → the VROOM vehicle (and its costs).
    dims
        Number of amount dimensions (one temperature zone per dimension).
    offset
        Seconds subtracted from every time (timestamps are moved near zero); added back on output.
    unassignable
        Tasks no vehicle may serve, reported as unassigned without solving.
    notes
        What was read but is not VROOM's (skipped keys) or is approximated (travel from
        coordinates), for the command line to print on standard error; never in the output.
    loading_ms
        Milliseconds spent reading, reported in the output's summary.
    has_distances
        Whether distances are known (a distances matrix, or coordinates); VROOM reports
        ``distance`` only then.
    where
        How errors name the document.
    """

    problem: Problem
    raw: dict[str, Any]
    tasks: dict[str, dict[str, Any]]  # order id -> {type, id, location, location_index, ...}
    vehicles: dict[str, dict[str, Any]]  # vehicle type name -> the VROOM vehicle (+ costs)
    dims: int
    offset: int
    unassignable: list[dict[str, Any]] = field(default_factory=list)  # tasks no vehicle may serve
    notes: list[str] = field(default_factory=list)
    loading_ms: int = 0
    has_distances: bool = True
    where: str = "vroom input"


@dataclass
class Step:
    """One step of a route as VROOM reports it, before it is written.

    Attributes
    ----------
    kind
        ``start``, ``end``, ``job``, ``pickup``, ``delivery`` or ``break``.
    info
        The task (see `VroomInput.tasks`) or break, ``None`` for ``start`` and ``end``.
    arrival
        Arrival time, seconds inside the problem (the input's offset is added on output).
    waiting
        Seconds waited before service starts.
    travel
        Driving seconds from the previous step.
    distance
        Metres from the previous step.
    load
        Load per dimension after the step.
    violations
        VROOM violation objects (``{"cause": ..., "duration"?: ...}``) of this step.
    place
        ``location`` / ``location_index`` of a start or end step.
    """

    kind: str
    info: dict[str, Any] | None
    arrival: int
    waiting: int
    travel: int
    distance: int
    load: list[int]
    violations: list[dict[str, Any]] = field(default_factory=list)
    place: dict[str, Any] = field(default_factory=dict)


@dataclass
class Leg:
    """One step to schedule: the drive to it, its action time, its windows and hard bounds.

    Attributes
    ----------
    travel
        Driving seconds from the previous step.
    action
        Setup plus service, seconds.
    windows
        Windows for the start of service (inside the problem's times); empty = any time.
    after
        Earliest start allowed by the step (``service_after`` / ``service_at``), or ``None``.
    before
        Latest start allowed by the step (``service_before`` / ``service_at``), or ``None``.
    """

    travel: int
    action: int
    windows: list[tuple[int, int]]
    after: int | None = None
    before: int | None = None


def _serve(arr: int, leg: Leg) -> tuple[int, int, int]:
    """``(start, delay, lead)`` of a step reached at ``arr``: the first window still open, else late."""
    lo = max(arr, leg.after) if leg.after is not None else arr
    if not leg.windows:
        return lo, 0, 0
    for a, b in leg.windows:
        if b >= lo:
            start = max(lo, a)
            if leg.before is not None and start > leg.before:  # the bound forces service before the window
                start = max(lo, leg.before)
                return start, 0, max(0, a - start)
            return start, 0, 0
    return lo, lo - leg.windows[-1][1], 0


def schedule(start: int, legs: list[Leg], *, shift_start: bool) -> tuple[list[int], list[int], list[int], list[int]]:
    """Arrival, wait, delay and lead time of every leg, serving each as early as allowed.

    Parameters
    ----------
    start
        Departure from the start.
    legs
        The steps after the start, in order (the route's end last, with no action time).
    shift_start
        Move the departure later by the first wait, as far as no earlier window closes: VROOM's
        just-in-time start.

    Returns
    -------
    tuple of four lists of int
        Per leg: arrival, waiting time, delay (late after the last window) and lead time
        (served before a window because of a hard bound).
    """
    t = start
    arrivals, waits, delays, leads, starts = [], [], [], [], []
    for leg in legs:
        arr = t + leg.travel
        st, late, lead = _serve(arr, leg)
        arrivals.append(arr)
        waits.append(st - arr)
        delays.append(late)
        leads.append(lead)
        starts.append(st)
        t = st + leg.action
    if shift_start:
        slack = None
        for k, leg in enumerate(legs):
            if waits[k] > 0:
                room = [
                    max(0, max(b for a, b in lg.windows if a <= starts[j]) - starts[j]) if lg.windows else waits[k]
                    for j, lg in enumerate(legs[:k])
                ]
                bounds = [lg.before - starts[j] for j, lg in enumerate(legs[:k]) if lg.before is not None]
                slack = min([waits[k], *room, *bounds])
                break
            if delays[k] or leads[k]:
                break
        if slack:
            return schedule(start + slack, legs, shift_start=False)
    return arrivals, waits, delays, leads


def _travel(vin: VroomInput, vi: dict[str, Any], a: str | None, b: str | None) -> tuple[int, int]:
    """Driving seconds (speed factor applied, as the solver rounds them) and metres from ``a`` to ``b``."""
    if a is None or b is None:
        return 0, 0
    m = vin.problem.travel_matrix
    i, j = m.index(a), m.index(b)
    sf = next(vt.speed_factor for vt in vin.problem.fleet if vt.name == vi["name"])
    return int(np.rint(float(m.duration[i, j]) * sf)), int(m.distance[i, j])


def task_legs(vin: VroomInput, vi: dict[str, Any], infos: list[dict[str, Any] | None]) -> tuple[list[Leg], list[int]]:
    """The legs of a route through ``infos`` (``None`` = the end), and the metres of each.

    Parameters
    ----------
    vin
        The input read (its matrix and fleet give travel times, speed factors applied).
    vi
        The vehicle; an open start or end adds no travel.
    infos
        Tasks in visit order, ``None`` for the end.

    Returns
    -------
    tuple of (list of Leg, list of int)
        One leg per entry of ``infos``, with the task's windows (the vehicle's for the end),
        and the metres driven to it.
    """
    prev = vi["start"]
    legs, dists = [], []
    for info in infos:
        node = vi["end"] if info is None else info["node"]
        travel, dist = _travel(vin, vi, prev, node)
        if info is None:
            legs.append(Leg(travel, 0, [vi["tw"]] if vi["tw"] is not None else []))
        else:
            legs.append(Leg(travel, info["setup"] + info["service"], list(info.get("windows") or [])))
        dists.append(dist)
        prev = node if node is not None else prev
    return legs, dists


def vroom_times(
    vin: VroomInput,
    vi: dict[str, Any],
    infos: list[dict[str, Any]],
    placed: dict[int, list[dict[str, Any]]] | None = None,
) -> list[Step]:
    """The steps of a solved route with the times VROOM reports.

    Parameters
    ----------
    vin
        The input read.
    vi
        The vehicle.
    infos
        Its tasks in visit order.
    placed
        The vehicle's breaks per leg (leg ``k`` leads to ``infos[k]``, the last to the end).

    Returns
    -------
    list of Step
        Start, the tasks and breaks, end (an open start or end at the first or last task, as
        VROOM reports it); loads per dimension.
    """
    legs, dists = task_legs(vin, vi, [*infos, None])
    t0 = vi["tw"][0] if vi["tw"] is not None else 0
    return _times_with_breaks(vin, vi, infos, legs, dists, t0, placed or {})


def _times_with_breaks(
    vin: VroomInput,
    vi: dict[str, Any],
    infos: list[dict[str, Any]],
    legs: list[Leg],
    dists: list[int],
    t0: int,
    placed: dict[int, list[dict[str, Any]]],
) -> list[Step]:
    """`vroom_times`: VROOM's latest start for the route's earliest end, then each step (break) ASAP."""
    travels = [lg.travel for lg in legs]

    def serve(k: int, arr: int) -> tuple[int, int, int]:
        start, late, _ = _serve(arr, legs[k])
        return start, legs[k].action, late

    depart, arrivals, waits, timed = time_route(t0, travels, serve, placed)
    steps = route_steps(vin, vi, infos, legs, dists, depart, arrivals, waits, [[] for _ in legs])

    def make(bt: Any, prev: Step, travel: int, metres: int) -> Step:
        return Step("break", bt.info, bt.arrival, bt.waiting, travel, metres, list(prev.load))

    return insert_breaks(steps, timed, travels, dists, make)


def route_steps(
    vin: VroomInput,
    vi: dict[str, Any],
    infos: list[dict[str, Any]],
    legs: list[Leg],
    dists: list[int],
    depart: int,
    arrivals: list[int],
    waits: list[int],
    viol: list[list[dict[str, Any]]],
    start_viol: list[dict[str, Any]] | None = None,
) -> list[Step]:
    """Steps with loads: deliveries of jobs are on board at the start, pickups join as they are made.

    Parameters
    ----------
    vin, vi
        The input read and the vehicle.
    infos
        Tasks in visit order.
    legs, dists
        From `task_legs` (the end last).
    depart
        Departure from the start.
    arrivals, waits
        Per leg, from `schedule`.
    viol
        Violations per leg (the end last).
    start_viol
        Violations of the start step.

    Returns
    -------
    list of Step
        Start, tasks, end (an open start or end at the first or last task, as VROOM reports it).
    """
    dims = vin.dims
    load = [0] * dims
    for info in infos:
        if info["type"] == "job" and info["kind"] == "delivery":
            for k, q in enumerate(info["amount"][:dims]):
                load[k] += q
    steps = []
    # VROOM reports a start and an end step on every route: an open one at the first (last) task
    first = _end_place(vi, "start") if vi["start"] is not None else _task_place(infos[0]) if infos else {}
    last = _end_place(vi, "end") if vi["end"] is not None else _task_place(infos[-1]) if infos else {}
    steps.append(Step("start", None, depart, 0, 0, 0, list(load), list(start_viol or []), first))
    for k, info in enumerate(infos):
        sign = 1 if info["kind"] == "pickup" else -1
        for d, q in enumerate(info["amount"][:dims]):
            load[d] += sign * q
        steps.append(Step(info["type"], info, arrivals[k], waits[k], legs[k].travel, dists[k], list(load), viol[k]))
    steps.append(Step("end", None, arrivals[-1], 0, legs[-1].travel, dists[-1], list(load), viol[-1], last))
    return steps


def _end_place(vi: dict[str, Any], kind: str) -> dict[str, Any]:
    """``location`` / ``location_index`` of a vehicle's start or end, as the input gave them."""
    raw = vi.get("raw") or {}
    out: dict[str, Any] = {}
    if kind in raw:
        out["location"] = raw[kind]
    if f"{kind}_index" in raw:
        out["location_index"] = raw[f"{kind}_index"]
    return out


def _task_place(info: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if info.get("location") is not None:
        out["location"] = info["location"]
    if info.get("location_index") is not None:
        out["location_index"] = info["location_index"]
    return out


def merge_violations(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """VROOM's way of summing violations: one entry per cause, durations added.

    Parameters
    ----------
    items
        Violation objects of steps (or routes).

    Returns
    -------
    list of dict
        One object per cause, in first-seen order; ``duration`` summed where present.
    """
    out: dict[str, dict[str, Any]] = {}
    for v in items:
        cur = out.setdefault(v["cause"], {"cause": v["cause"]})
        if "duration" in v:
            cur["duration"] = cur.get("duration", 0) + v["duration"]
    return list(out.values())


def route_document(
    vin: VroomInput, vi: dict[str, Any], steps: list[Step], extra: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One VROOM route: its steps, totals, VROOM's route cost and violations.

    Parameters
    ----------
    vin
        The input read.
    vi
        The vehicle (see `VroomInput.vehicles`).
    steps
        The route's steps in order, start and end included when the vehicle has them.
    extra
        Route-level violations (``max_tasks``, ``max_travel_time``, ``max_distance``).

    Returns
    -------
    dict
        The route object; ``cost`` is ``fixed + per_hour × travel time / 3600 + per_km ×
        distance / 1000``, rounded, as VROOM computes it.
    """
    dims, off = vin.dims, vin.offset
    out_steps = []
    cum_dur = cum_dist = 0
    tot = {"setup": 0, "service": 0, "waiting_time": 0, "priority": 0}
    delivery = [0] * dims
    pickup = [0] * dims
    for st in steps:
        cum_dur += st.travel
        cum_dist += st.distance
        if st.info is None:
            doc: dict[str, Any] = {"type": st.kind, **st.place, "setup": 0, "service": 0}
        elif st.kind == "break":
            doc = {"type": "break", "id": st.info["id"], "setup": 0, "service": st.info["service"]}
            tot["service"] += st.info["service"]
        else:
            info = st.info
            doc = {"type": info["type"], "id": info["id"], **_task_place(info)}
            doc.update(setup=info["setup"], service=info["service"])
            tot["setup"] += info["setup"]
            tot["service"] += info["service"]
            tot["priority"] += info["priority"] if info["type"] != "delivery" else 0  # a shipment's counts once
            target = pickup if info["kind"] == "pickup" else delivery
            for k, q in enumerate((info.get("amount") or [])[:dims]):
                target[k] += q
        doc["waiting_time"] = st.waiting
        if dims:  # VROOM reports loads and amounts only when there are some
            doc["load"] = list(st.load)
        doc.update(arrival=st.arrival + off, duration=cum_dur)
        if vin.has_distances:
            doc["distance"] = cum_dist
        if st.info is not None and st.info.get("description") is not None:
            doc["description"] = st.info["description"]
        doc["violations"] = list(st.violations)
        tot["waiting_time"] += st.waiting
        out_steps.append(doc)
    cost = int(round(vi["fixed"] + vi["per_hour"] * cum_dur / 3600.0 + vi["per_km"] * cum_dist / 1000.0))
    route: dict[str, Any] = {"vehicle": vi["id"], "cost": cost}
    if dims:
        route.update(delivery=delivery, amount=list(delivery), pickup=pickup)
    route.update(
        setup=tot["setup"],
        service=tot["service"],
        duration=cum_dur,
        waiting_time=tot["waiting_time"],
        priority=tot["priority"],
    )
    if vin.has_distances:
        route["distance"] = cum_dist
    if vi.get("description") is not None:
        route["description"] = vi["description"]
    route["steps"] = out_steps
    route["violations"] = merge_violations([v for d in out_steps for v in d["violations"]] + list(extra or []))
    return route


def output_document(
    vin: VroomInput, routes: list[dict[str, Any]], unassigned: list[dict[str, Any]], solving_ms: int
) -> dict[str, Any]:
    """The whole output (code 0): summary, unassigned tasks and routes.

    Parameters
    ----------
    vin
        The input read.
    routes
        Route objects from `route_document`.
    unassigned
        VROOM's unassigned entries.
    solving_ms
        Solving time to report.

    Returns
    -------
    dict
        ``{"code": 0, "summary", "unassigned", "routes"}``.
    """
    dims = vin.dims
    summary: dict[str, Any] = {
        "cost": sum(r["cost"] for r in routes),
        "routes": len(routes),
        "unassigned": len(unassigned),
    }
    if dims:
        summary["delivery"] = [sum(r["delivery"][k] for r in routes) for k in range(dims)]
        summary["amount"] = list(summary["delivery"])
        summary["pickup"] = [sum(r["pickup"][k] for r in routes) for k in range(dims)]
    for key in ("setup", "service", "duration", "waiting_time", "priority"):
        summary[key] = sum(r[key] for r in routes)
    if vin.has_distances:
        summary["distance"] = sum(r["distance"] for r in routes)
    summary["violations"] = merge_violations([v for r in routes for v in r["violations"]])
    summary["computing_times"] = {"loading": vin.loading_ms, "solving": solving_ms, "routing": 0}
    return {"code": 0, "summary": summary, "unassigned": unassigned, "routes": routes}


def unassigned_entry(info: dict[str, Any]) -> dict[str, Any]:
    """VROOM's ``unassigned`` entry of a task: id, type, its own description and place.

    Parameters
    ----------
    info
        The task (see `VroomInput.tasks`).

    Returns
    -------
    dict
        ``{"id", "type", "description"?, "location"?, "location_index"?}``.
    """
    u: dict[str, Any] = {"id": info["id"], "type": info["type"]}
    if info.get("description") is not None:
        u["description"] = info["description"]
    u.update(_task_place(info))
    return u


def plan_to_vroom(vin: VroomInput, plan: Plan, *, solving_ms: int | None = None) -> dict[str, Any]:
    """The VROOM output document (code 0) for ``plan``.

    Parameters
    ----------
    vin
        What ``read_vroom`` made of the input; it maps orders back to VROOM ids and times.
    plan
        A plan of ``vin.problem``.
    solving_ms
        Solving time to report; default the plan's ``elapsed_s``.

    Returns
    -------
    dict
        VROOM's output: ``code``, ``summary``, ``unassigned``, ``routes``.  Why a task was left
        out is not in it (``unassigned[].description`` is the task's own description); it is in
        `unassigned_reasons`.
    """
    stops = plan.stops
    routes = []
    for vid in plan.vehicles_used:
        g = stops[stops["vehicle"] == vid].sort_values("seq")
        vi = vin.vehicles[str(g["vehicle_type"].iloc[0])]
        infos = [
            vin.tasks[str(oid)] for oid, kind in zip(g["order_id"], g["kind"]) if kind not in ("start", "end", "break")
        ]
        routes.append(route_document(vin, vi, vroom_times(vin, vi, infos, place_breaks(vi, g, len(infos)))))
    unassigned = [unassigned_entry(vin.tasks[str(oid)]) for oid in plan.unserved["order_id"]]
    unassigned += [unassigned_entry(info) for info in vin.unassignable]
    elapsed = plan.meta.get("elapsed_s")
    solving = solving_ms if solving_ms is not None else (int(round(float(elapsed) * 1000)) if elapsed else 0)
    return output_document(vin, routes, unassigned, solving)


def unassigned_reasons(vin: VroomInput, plan: Plan) -> list[str]:
    """Why each unassigned task was left out, one line per task, for standard error.

    Parameters
    ----------
    vin
        The input read.
    plan
        A plan of ``vin.problem``.

    Returns
    -------
    list of str
        ``"<type> <id>: <reason>"``.
    """
    out = []
    for oid, reason in zip(plan.unserved["order_id"], plan.unserved["reason"]):
        info = vin.tasks[str(oid)]
        out.append(f"{info['type']} {info['id']}: {reason}")
    out += [f"{info['type']} {info['id']}: {info['reason']}" for info in vin.unassignable]
    return out


def error_output(exc: BaseException) -> dict[str, Any]:
    """VROOM's error document: code 2 for input errors, 1 otherwise.

    Parameters
    ----------
    exc
        The exception raised while reading or solving.

    Returns
    -------
    dict
        ``{"code": ..., "error": message}`` as VROOM writes it, so callers of VROOM can read
        our errors unchanged.
    """
    code = 2 if isinstance(exc, ProblemError) else 1
    return {"code": code, "error": str(exc)}
