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

from logistics.core.units import DAY
from logistics.formats.vroom_sections import Places
from logistics.formats.vroom_values import (
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
    max_duration
        Longest route, seconds, or ``None``.
    max_distance
        Longest route, metres, or ``None``.
    path
        JSON path of the vehicle, for errors.
    breaks
        The vehicle's VROOM ``breaks`` as (VROOM id, (start, end) after the offset, service seconds).
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
    max_duration: int | None
    max_distance: int | None
    path: str
    breaks: tuple[tuple[int, tuple[int, int], int], ...] = ()


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


def _breaks(
    spec: Any, path: str, offset: int, err: _Err, warnings: list[str]
) -> tuple[tuple[int, tuple[int, int], int], ...]:
    """A vehicle's VROOM breaks: one time window each (several would need a choice the model lacks)."""
    if not isinstance(spec, list):
        raise err(f"{path}.breaks", "expected an array of breaks")
    out = []
    for k, b in enumerate(spec):
        bp = f"{path}.breaks[{k}]"
        if not isinstance(b, dict) or "id" not in b:
            raise err(bp, "expected a break with an id")
        tws = b.get("time_windows", [[offset, offset + 2 * DAY]])  # none: any time of the horizon
        if not isinstance(tws, list) or len(tws) != 1:
            raise err(f"{bp}.time_windows", "one time window per break is supported")
        tw = _vehicle_window({"time_window": tws[0]}, f"{bp}.time_windows[0]", offset, err)
        assert tw is not None
        if "max_load" in b:
            warnings.append(f"{bp}.max_load is not supported and was ignored")
        out.append((_int(b["id"], err, f"{bp}.id"), tw, _int(b.get("service", 0), err, f"{bp}.service")))
    return tuple(out)


def _skills(obj: dict[str, Any], path: str, err: _Err) -> set[int]:
    sk = obj.get("skills", [])
    if not isinstance(sk, list):
        raise err(f"{path}.skills", "expected an array of integers")
    return {_int(s, err, f"{path}.skills[{k}]") for k, s in enumerate(sk)}


def read_vehicles(
    vehicles: list[Any], places: Places, offset: int, err: _Err, warnings: list[str]
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
    warnings
        The translation's warnings so far; appended to.

    Returns
    -------
    tuple of (dict, list of VehicleSpec)
        Info by vehicle type name, and the checked vehicles.

    Raises
    ------
    ProblemError
        A vehicle field is invalid (duplicate id, bad window, costs, ...).
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
        if "per_task_hour" in costs:
            warnings.append(f"{path}.costs.per_task_hour is not supported and was ignored")
        tw = _vehicle_window(v, path, offset, err)
        speed = _num(v.get("speed_factor", 1.0), err, f"{path}.speed_factor")
        if speed <= 0:
            raise err(f"{path}.speed_factor", "must be positive")
        for key in ("max_tasks", "steps"):
            if key in v:
                warnings.append(f"{path}.{key} is not supported and was ignored")
        max_duration = _int(v["max_travel_time"], err, f"{path}.max_travel_time") if "max_travel_time" in v else None
        if max_duration is not None:
            warnings.append(
                f"{path}.max_travel_time bounds the whole route duration (service and waiting "
                f"included), stricter than VROOM"
            )
        max_distance = _int(v["max_distance"], err, f"{path}.max_distance") if "max_distance" in v else None
        skills = _skills(v, path, err)
        name = f"v{vid}"
        brk = _breaks(v.get("breaks", []), path, offset, err, warnings)
        vinfo[name] = {
            "id": vid,
            "start": start,
            "end": end,
            "fixed": fixed,
            "per_hour": per_hour,
            "per_km": per_km,
            "skills": skills,
            "description": v.get("description"),
            "path": path,
            "breaks": [
                (int(b["id"]), b.get("time_windows", [[offset, offset + 2 * DAY]])[0]) for b in v.get("breaks", [])
            ],
        }
        specs.append(
            VehicleSpec(
                name,
                cap,
                start,
                end,
                fixed,
                per_hour,
                per_km,
                tw,
                speed,
                max_duration,
                max_distance,
                path,
                brk,
            )
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
            "location": list(coords[nid]) if nid in coords else None,
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
            info.update(priority=pr, kind=kind, path=path)
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
                info.update(priority=pr, kind=step, path=spath)
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
                )
                steps[step] = (info, kw)
            if self._no_vehicle(skills):
                for step in ("pickup", "delivery"):
                    self.unassignable.append(dict(steps[step][0], reason=f"no vehicle has the skills {sorted(skills)}"))
                continue
            for step, other in (("pickup", "delivery"), ("delivery", "pickup")):
                info, kw = steps[step]
                kw["pair"] = steps[other][1]["id"]
                self.tasks[kw["id"]] = info
                self.order_kw.append(kw)
