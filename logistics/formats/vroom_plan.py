"""VROOM's plan mode (``vroom -c``): the violations of the routes that the vehicles' ``steps`` give.

[check_routes][logistics.formats.vroom_plan.check_routes] evaluates the routes with every
constraint soft, and reports VROOM's violations per step, per route and in the summary:
``delay``, ``lead_time``, ``load``, ``skills``, ``precedence``, ``max_tasks``,
``max_travel_time``, ``max_distance``.

Plan mode chooses the start time among the vehicle's working-hours start and the start step's
``service_at`` / ``service_after`` (the one with the least lateness and earliness), and then
serves every task as early as its windows and the steps' ``service_*`` bounds allow.  VROOM
solves a small linear programme for the times instead; the two agree on VROOM's example, and
may differ where moving a start earlier than every given bound would spare delays.
"""

from __future__ import annotations

from typing import Any

from logistics.formats.vroom_values import _Err, _int
from logistics.formats.vroom_write import (
    Step,
    VroomInput,
    merge_violations,
    output_document,
    route_document,
    route_steps,
    schedule,
    task_legs,
)

__all__ = ["check_routes"]


# --------------------------------------------------------------------------- plan mode


def _bounds(step: dict[str, Any], path: str, err: _Err, offset: int) -> tuple[int | None, int | None]:
    """``(after, before)`` from a step's ``service_at`` / ``service_after`` / ``service_before``."""
    get = {
        k: _int(step[k], err, f"{path}.{k}") - offset
        for k in ("service_at", "service_after", "service_before")
        if k in step
    }
    after = get.get("service_at", get.get("service_after"))
    before = get.get("service_at", get.get("service_before"))
    return after, before


def _read_steps(
    vin: VroomInput,
    vi: dict[str, Any],
    lookup: dict[tuple[str, int], dict[str, Any]],
    used: set[tuple[str, int]],
    err: _Err,
) -> tuple[list[dict[str, Any]], list[tuple[int | None, int | None]], tuple[int | None, int | None]]:
    """The tasks a vehicle's ``steps`` name, their hard bounds, and the start step's bounds."""
    path = f"{vi['path']}.steps"
    steps = vi["raw"].get("steps") or []
    if not isinstance(steps, list):
        raise err(path, "expected an array of steps")
    infos, bounds = [], []
    start_bounds: tuple[int | None, int | None] = (None, None)
    for k, st in enumerate(steps):
        spath = f"{path}[{k}]"
        if not isinstance(st, dict) or st.get("type") not in ("start", "end", "job", "pickup", "delivery", "break"):
            raise err(f"{spath}.type", "expected start, job, pickup, delivery or end")
        kind = st["type"]
        if kind == "break":
            raise err(f"{spath}.type", "break steps are not supported")
        if kind in ("start", "end"):
            if kind == "start":
                start_bounds = _bounds(st, spath, err, vin.offset)
            continue
        if "id" not in st:
            raise err(f"{spath}.id", "required for a task step")
        key = (kind, _int(st["id"], err, f"{spath}.id"))
        if key not in lookup:
            raise err(f"{spath}.id", f"no {kind} with id {key[1]}")
        if key in used:
            raise err(f"{spath}.id", f"{kind} {key[1]} appears in more than one step")
        used.add(key)
        infos.append(lookup[key])
        bounds.append(_bounds(st, spath, err, vin.offset))
    return infos, bounds, start_bounds


def _route_checks(
    vi: dict[str, Any], infos: list[dict[str, Any]], steps: list[Step], travel: int, dist: int
) -> list[dict[str, Any]]:
    """Load, skills and precedence per step (added to the steps) and the route limits (returned)."""
    cap = vi["capacity"]
    seen_pickups: set[int] = set()
    delivered: set[int] = set()
    first = 1
    if cap is not None and any(q > c for q, c in zip(steps[0].load, cap)):
        steps[0].violations.append({"cause": "load"})
    for k, info in enumerate(infos):
        st = steps[first + k]
        if cap is not None and any(q > c for q, c in zip(st.load, cap)):
            st.violations.append({"cause": "load"})
        if not info["skills"] <= vi["skills"]:
            st.violations.append({"cause": "skills"})
        if info["type"] == "pickup":
            seen_pickups.add(info["id"])
            if info["pair_id"] not in {i["id"] for i in infos[k + 1 :] if i["type"] == "delivery"}:
                st.violations.append({"cause": "precedence"})
        elif info["type"] == "delivery":
            delivered.add(info["id"])
            if info["pair_id"] not in seen_pickups:
                st.violations.append({"cause": "precedence"})
    extra = []
    if vi["max_tasks"] is not None and len(infos) > vi["max_tasks"]:
        extra.append({"cause": "max_tasks"})
    if vi["max_travel_time"] is not None and travel > vi["max_travel_time"]:
        extra.append({"cause": "max_travel_time"})
    if vi["max_distance"] is not None and dist > vi["max_distance"]:
        extra.append({"cause": "max_distance"})
    return extra


def _plan_route(
    vin: VroomInput,
    vi: dict[str, Any],
    infos: list[dict[str, Any]],
    bounds: list[tuple[int | None, int | None]],
    start_bounds: tuple[int | None, int | None],
) -> dict[str, Any]:
    """One given route, timed and checked."""
    legs, dists = task_legs(vin, vi, [*infos, None])
    for leg, (after, before) in zip(legs, bounds):
        leg.after, leg.before = after, before
    tw0 = vi["tw"][0] if vi["tw"] is not None else 0
    cands = {tw0}
    cands |= {b for b in start_bounds if b is not None}
    if start_bounds[0] is not None:
        cands = {max(c, start_bounds[0]) for c in cands}
    if start_bounds[1] is not None:
        cands = {min(c, start_bounds[1]) for c in cands}

    def badness(s: int) -> tuple[int, int]:
        _, _, dl, ld = schedule(s, legs, shift_start=False)
        return sum(dl) + sum(ld) + max(0, tw0 - s), -s

    start = min(sorted(cands), key=badness)
    arrivals, waits, delays, leads = schedule(start, legs, shift_start=start == tw0 and start_bounds == (None, None))
    depart = arrivals[0] - legs[0].travel
    viol: list[list[dict[str, Any]]] = []
    for dl, ld in zip(delays, leads):
        v = []
        if ld:
            v.append({"cause": "lead_time", "duration": ld})
        if dl:
            v.append({"cause": "delay", "duration": dl})
        viol.append(v)
    start_viol = [{"cause": "lead_time", "duration": tw0 - depart}] if vi["tw"] is not None and depart < tw0 else []
    steps = route_steps(vin, vi, infos, legs, dists, depart, arrivals, waits, viol, start_viol)
    extra = _route_checks(vi, infos, steps, sum(leg.travel for leg in legs), sum(dists))
    return route_document(vin, vi, steps, extra)


def check_routes(vin: VroomInput) -> dict[str, Any]:
    """Plan mode: the routes of the vehicles' ``steps``, timed, with every violation VROOM reports.

    Parameters
    ----------
    vin
        The input, read with ``plan_mode=True``.

    Returns
    -------
    dict
        VROOM's output document; tasks no step names are ``unassigned``.

    Raises
    ------
    ProblemError
        A step is malformed, names an unknown task or names one task twice (field: its JSON path).
    """
    err = _Err(vin.where)
    lookup = {(i["type"], i["id"]): i for i in [*vin.tasks.values(), *vin.unassignable]}
    used: set[tuple[str, int]] = set()
    routes = []
    for vi in vin.vehicles.values():
        infos, bounds, start_bounds = _read_steps(vin, vi, lookup, used, err)
        if infos:
            routes.append(_plan_route(vin, vi, infos, bounds, start_bounds))
    unassigned = []
    for key, info in lookup.items():
        if key not in used:
            u: dict[str, Any] = {"id": info["id"], "type": info["type"]}
            if info.get("description") is not None:
                u["description"] = info["description"]
            unassigned.append(u)
    doc = output_document(vin, routes, unassigned, 0)
    doc["summary"]["violations"] = merge_violations([v for r in routes for v in r["violations"]])
    return doc
