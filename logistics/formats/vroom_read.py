"""Reading VROOM input: vehicles and tasks (jobs and shipments).

[logistics.formats.vroom.read_vroom][] calls these in order; each step raises a
[ProblemError][logistics.core.errors.ProblemError] whose field is the JSON path of the offending value
(``jobs[3].time_windows[0][1]``), because a VROOM user fixes their document, not our model.
The mapping itself is described in [logistics.formats.vroom][].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from logistics.core.breaks import Break
from logistics.formats.vroom_breaks import read_breaks
from logistics.formats.vroom_sections import Places
from logistics.formats.vroom_values import (
    MAX_SPEED_FACTOR,
    _amounts,
    _Err,
    _int,
    _num,
    _record_id,
    _windows,
)


@dataclass(frozen=True)
class VehicleSpec:
    """A VROOM vehicle read and checked, before it becomes a one-vehicle `VehicleType`.

    Attributes
    ----------
    name
        Vehicle type name (from the VROOM id).
    cap
        Capacity per dimension, or ``None`` (unlimited).
    start
        Node id of the start, or ``None`` (an open start).
    end
        Node id of the end, or ``None`` (an open end).
    fixed
        Fixed cost.
    per_hour
        Cost per hour.
    per_km
        Cost per km.
    tw
        Working window, seconds after the offset, or ``None``.
    speed
        VROOM's ``speed_factor`` (2.0 = twice as fast).
    max_travel_time
        Most driving seconds per route (service and waiting excluded), or ``None``.
    max_distance
        Longest route, metres, or ``None``.
    max_tasks
        Most tasks per route, or ``None``.
    path
        JSON path of the vehicle, for errors.
    breaks
        Its breaks (see ``logistics.formats.vroom_breaks``).
    """

    name: str
    cap: list[int] | None
    start: str | None
    end: str | None
    fixed: float
    per_hour: float
    per_km: float
    tw: tuple[int, int] | None
    speed: float
    max_travel_time: int | None
    max_distance: int | None
    max_tasks: int | None
    path: str
    breaks: tuple[Break, ...] = ()


def _vehicle_window(v: dict[str, Any], path: str, offset: int, err: _Err) -> tuple[int, int] | None:
    if "time_window" not in v:
        return None
    w = v["time_window"]
    if not isinstance(w, list) or len(w) != 2:
        raise err(f"{path}.time_window", "expected [start, end]")
    a, b = _int(w[0], err, f"{path}.time_window[0]"), _int(w[1], err, f"{path}.time_window[1]")
    if b < a:
        raise err(f"{path}.time_window", f"ends ({b}) before it starts ({a})")
    tw = (a - offset, b - offset)
    if tw[0] < 0:
        raise err(f"{path}.time_window", "starts before the planning horizon")
    return tw


def _skills(obj: dict[str, Any], path: str, err: _Err) -> set[int]:
    sk = obj.get("skills", [])
    if not isinstance(sk, list):
        raise err(f"{path}.skills", "expected an array of integers")
    return {_int(s, err, f"{path}.skills[{k}]") for k, s in enumerate(sk)}


def read_vehicles(
    vehicles: list[Any], places: Places, offset: int, err: _Err
) -> tuple[dict[str, dict[str, Any]], list[VehicleSpec]]:
    """What the output needs back of each vehicle, and what the fleet is built from.

    Parameters
    ----------
    vehicles
        The ``vehicles`` array.
    places
        Collects the places; the vehicles' starts and ends are added.
    offset
        Seconds subtracted from every time (see `time_offset`).
    err
        Builds `ProblemError`s that name the document and the JSON path.

    Returns
    -------
    tuple of (dict, list of VehicleSpec)
        Info by vehicle type name, and the checked vehicles.

    Raises
    ------
    ProblemError
        A vehicle field is invalid (duplicate id, bad window, costs, ...) or not supported
        (a non-zero ``costs.per_task_hour``).
    """
    vinfo: dict[str, dict[str, Any]] = {}
    specs: list[VehicleSpec] = []
    seen_v: set[int] = set()
    for i, v in enumerate(vehicles):
        path = f"vehicles[{i}]"
        vid = _record_id(v, path, seen_v, "vehicle", err)
        start = places.place(v, path, "start", "start_index", required=False)
        end = places.place(v, path, "end", "end_index", required=False)
        if start is None and end is None:
            raise err(path, "needs a start or an end")
        cap = _amounts(v["capacity"], err, f"{path}.capacity") if "capacity" in v else None
        costs = v.get("costs") or {}
        if not isinstance(costs, dict):
            raise err(f"{path}.costs", "expected {fixed, per_hour, per_km}")
        fixed = _num(costs.get("fixed", 0), err, f"{path}.costs.fixed")
        per_hour = _num(costs.get("per_hour", 3600), err, f"{path}.costs.per_hour")
        per_km = _num(costs.get("per_km", 0), err, f"{path}.costs.per_km")
        if _num(costs.get("per_task_hour", 0), err, f"{path}.costs.per_task_hour"):
            raise err(f"{path}.costs.per_task_hour", "a cost per hour of task time is not supported")
        tw = _vehicle_window(v, path, offset, err)
        speed = _num(v.get("speed_factor", 1.0), err, f"{path}.speed_factor")
        if not 0 < speed <= MAX_SPEED_FACTOR:
            raise err(f"{path}.speed_factor", f"must be in (0, {MAX_SPEED_FACTOR:g}], got {speed:g}")
        limits = {
            key: _int(v[key], err, f"{path}.{key}") if key in v else None
            for key in ("max_travel_time", "max_distance", "max_tasks")
        }
        if "type" in v and not isinstance(v["type"], str):
            raise err(f"{path}.type", "expected a string")
        skills = _skills(v, path, err)
        break_infos, breaks = read_breaks(v, path, tw, offset, err)
        name = f"v{vid}"
        vinfo[name] = {
            "name": name,
            "id": vid,
            "start": start,
            "end": end,
            "fixed": fixed,
            "per_hour": per_hour,
            "per_km": per_km,
            "skills": skills,
            "description": v.get("description"),
            "path": path,
            "type": v.get("type"),
            "capacity": cap,
            "tw": tw,
            "max_tasks": limits["max_tasks"],
            "max_travel_time": limits["max_travel_time"],
            "max_distance": limits["max_distance"],
            "breaks": break_infos,
            "raw": v,
        }
        specs.append(
            VehicleSpec(name, cap, start, end, fixed, per_hour, per_km, tw, speed, path=path, breaks=breaks, **limits)
        )
    return vinfo, specs


@dataclass
class Tasks:
    """Jobs and shipments read into order keyword sets, with what the output needs to name them.

    Parameters
    ----------
    err, places, vinfo, offset, dims
        Error builder, the place registry, the vehicles (for skills), the time offset and the
        number of capacity dimensions (at least 1).
    """

    err: _Err
    places: Places
    vinfo: dict[str, dict[str, Any]]
    offset: int
    dims: int
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    order_kw: list[dict[str, Any]] = field(default_factory=list)
    unassignable: list[dict[str, Any]] = field(default_factory=list)
    totals: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.totals = np.zeros(self.dims)

    # -- fields shared by jobs and shipment steps ---------------------------------------
    def _allowed_types(self, skills: set[int]) -> list[str] | None:
        if not skills:
            return None
        ok = [n for n, vi in self.vinfo.items() if skills <= vi["skills"]]
        return ok if len(ok) < len(self.vinfo) else None

    def _no_vehicle(self, skills: set[int]) -> bool:
        return bool(skills) and not any(skills <= vi["skills"] for vi in self.vinfo.values())

    def _windows(self, obj: dict[str, Any], path: str) -> tuple[tuple[int, int], ...] | None:
        if "time_windows" not in obj:
            return None
        out = []
        for k, (a, b) in enumerate(_windows(obj["time_windows"], self.err, f"{path}.time_windows")):
            if a - self.offset < 0:
                raise self.err(f"{path}.time_windows[{k}]", "starts before the planning horizon")
            out.append((a - self.offset, b - self.offset))
        return tuple(out)

    def _service(self, obj: dict[str, Any], path: str) -> tuple[int, int]:
        setup = _int(obj.get("setup", 0), self.err, f"{path}.setup")
        service = _int(obj.get("service", 0), self.err, f"{path}.service")
        types = {vi["type"] for vi in self.vinfo.values() if vi.get("type") is not None}
        for key, base in (("setup_per_type", setup), ("service_per_type", service)):
            per = obj.get(key, {})
            if not isinstance(per, dict):
                raise self.err(f"{path}.{key}", "expected an object {vehicle type: seconds}")
            for t, x in per.items():
                if _int(x, self.err, f"{path}.{key}.{t}") != base and t in types:
                    raise self.err(
                        f"{path}.{key}.{t}", "times per vehicle type are not supported (differs from the task's own)"
                    )
        return setup, service

    def _priority(self, obj: dict[str, Any], path: str) -> int:
        pr = _int(obj.get("priority", 0), self.err, f"{path}.priority")
        if pr > 100:
            raise self.err(f"{path}.priority", f"must be in [0, 100], got {pr}")
        return pr

    def _info(self, obj: dict[str, Any], kind: str, rid: int, nid: str | None, path: str) -> dict[str, Any]:
        """What the output document repeats of a task (VROOM's own id, place and service)."""
        setup, service = self._service(obj, path)
        coords = self.places.coords
        return {
            "type": "job" if kind == "job" else kind,
            "id": rid,
            "location_index": obj.get("location_index"),
            "node": nid,
            "location": obj.get("location") if nid in coords or nid in self.places.display else None,
            "description": obj.get("description"),
            "setup": setup,
            "service": service,
        }

    @staticmethod
    def _qty(arr: list[int] | None) -> dict[str, float]:
        return {f"dim{k}": float(x) for k, x in enumerate(arr or []) if x}

    def _add(self, amounts: list[int] | None) -> None:
        if amounts:
            self.totals[: len(amounts)] += amounts

    # -- jobs and shipments -------------------------------------------------------------
    def read_jobs(self, jobs: list[Any]) -> None:
        """Each job becomes one optional delivery or pickup order ``job:<id>``.

        Parameters
        ----------
        jobs
            The ``jobs`` array.
        """
        err = self.err
        seen: set[int] = set()
        for i, j in enumerate(jobs):
            path = f"jobs[{i}]"
            jid = _record_id(j, path, seen, "job", err)
            nid = self.places.place(j, path, "location", "location_index")
            info = self._info(j, "job", jid, nid, path)
            delivery = (
                _amounts(j["delivery"], err, f"{path}.delivery")
                if "delivery" in j
                else (_amounts(j["amount"], err, f"{path}.amount") if "amount" in j and "pickup" not in j else None)
            )
            pickup = _amounts(j["pickup"], err, f"{path}.pickup") if "pickup" in j else None
            if any(delivery or []) and any(pickup or []):
                raise err(
                    path,
                    "a job with both delivery and pickup amounts is not supported; split it into a "
                    "delivery job and a pickup job (or a shipment)",
                )
            kind = "pickup" if any(pickup or []) else "delivery"
            amounts = pickup if kind == "pickup" else delivery
            self._add(amounts)
            skills = _skills(j, path, err)
            pr = self._priority(j, path)
            info.update(priority=pr, kind=kind, path=path, amount=amounts or [], skills=skills)
            info["windows"] = list(self._windows(j, path) or [])
            allowed = self._allowed_types(skills)
            if self._no_vehicle(skills):
                self.unassignable.append(dict(info, reason=f"no vehicle has the skills {sorted(skills)}"))
                continue
            oid = f"job:{jid}"
            self.tasks[oid] = info
            self.order_kw.append(
                dict(
                    id=oid,
                    quantities=self._qty(amounts),
                    node_id=nid,
                    kind=kind,
                    time_windows=self._windows(j, path),
                    service=info["setup"] + info["service"],
                    priority=pr,
                    vehicle_types=allowed,
                    path=path,
                    attributes=_description(j),
                )
            )

    def read_shipments(self, shipments: list[Any]) -> None:
        """Each shipment becomes a pickup and a delivery order, paired, optional together.

        Parameters
        ----------
        shipments
            The ``shipments`` array.
        """
        err = self.err
        seen: dict[str, set[int]] = {"pickup": set(), "delivery": set()}
        for i, s in enumerate(shipments):
            path = f"shipments[{i}]"
            if (
                not isinstance(s, dict)
                or not isinstance(s.get("pickup"), dict)
                or not isinstance(s.get("delivery"), dict)
            ):
                raise err(path, "expected an object with pickup and delivery steps")
            amount = _amounts(s["amount"], err, f"{path}.amount") if "amount" in s else None
            self._add(amount)
            skills = _skills(s, path, err)
            pr = self._priority(s, path)
            allowed = self._allowed_types(skills)
            steps: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
            for step in ("pickup", "delivery"):
                st = s[step]
                spath = f"{path}.{step}"
                sid = _record_id(st, spath, seen[step], step, err)
                nid = self.places.place(st, spath, "location", "location_index")
                info = self._info(st, step, sid, nid, spath)
                info.update(priority=pr, kind=step, path=spath, amount=amount or [], skills=skills)
                info["windows"] = list(self._windows(st, spath) or [])
                kw = dict(
                    id=f"{step}:{sid}",
                    quantities=self._qty(amount),
                    node_id=nid,
                    kind=step,
                    time_windows=self._windows(st, spath),
                    service=info["setup"] + info["service"],
                    priority=pr,
                    vehicle_types=allowed,
                    path=spath,
                    attributes=_description(st),
                )
                steps[step] = (info, kw)
            steps["pickup"][0]["pair_id"] = steps["delivery"][0]["id"]
            steps["delivery"][0]["pair_id"] = steps["pickup"][0]["id"]
            if self._no_vehicle(skills):
                for step in ("pickup", "delivery"):
                    self.unassignable.append(dict(steps[step][0], reason=f"no vehicle has the skills {sorted(skills)}"))
                continue
            for step, other in (("pickup", "delivery"), ("delivery", "pickup")):
                info, kw = steps[step]
                kw["pair"] = steps[other][1]["id"]
                self.tasks[kw["id"]] = info
                self.order_kw.append(kw)


def _description(task: dict[str, Any]) -> dict[str, str]:
    """A task's VROOM ``description`` as the order's pass-through column (stops.csv, map popups)."""
    d = task.get("description")
    return {} if d is None else {"description": str(d)}
