"""Reading VROOM input, section by section: checked values, places, vehicles, tasks and the fleet.

[logistics.formats.vroom.read_vroom][] calls these in order; each step raises a
[ProblemError][logistics.core.errors.ProblemError] whose field is the JSON path of the offending value
(``jobs[3].time_windows[0][1]``), because a VROOM user fixes their document, not our model.
The mapping itself is described in [logistics.formats.vroom][].
"""

# size: about 590 lines of code; the rest are the numpydoc sections of each reading step

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from logistics.core.errors import ProblemError
from logistics.core.model import Compartment, Order, VehicleType
from logistics.core.units import DAY
from logistics.formats.vroom_values import (
    JOB_KEYS,
    MAX_PENALTY_BASE,
    OPEN,
    SHIFT_THRESHOLD,
    SHIPMENT_KEYS,
    STEP_KEYS,
    VEHICLE_KEYS,
    ZONES_BY_DIM,
    _amounts,
    _coords,
    _Err,
    _int,
    _matrix,
    _num,
    _record_id,
    _windows,
)
from networks import TravelMatrix, great_circle_matrix

# --------------------------------------------------------------------------- sections of the input


def check_sections(raw: dict[str, Any], err: _Err) -> tuple[list[Any], list[Any], list[Any], list[str]]:
    """The three arrays checked, and one warning per key we ignore.

    So a user learns what VROOM would have done that we do not.

    Parameters
    ----------
    raw
        The input document.
    err
        Builds `ProblemError`s that name the document and the JSON path.

    Returns
    -------
    tuple of (list, list, list, list of str)
        ``(jobs, shipments, vehicles, warnings)``.

    Raises
    ------
    ProblemError
        ``jobs`` or ``shipments`` is not an array, or there are no vehicles.
    """
    warnings: list[str] = []
    jobs = raw.get("jobs", []) or []
    shipments = raw.get("shipments", []) or []
    vehicles = raw.get("vehicles")
    for key, val in (("jobs", jobs), ("shipments", shipments)):
        if not isinstance(val, list):
            raise err(key, "expected an array")
    if not isinstance(vehicles, list) or not vehicles:
        raise err("vehicles", "expected a non-empty array of vehicles")
    for key in sorted(set(raw) - {"jobs", "shipments", "vehicles", "matrices", "matrix", "options", "description"}):
        warnings.append(f"top-level key {key!r} is not supported and was ignored")

    unknown: dict[str, None] = {}
    for section, items, known in (
        ("jobs", jobs, JOB_KEYS),
        ("shipments", shipments, SHIPMENT_KEYS),
        ("vehicles", vehicles, VEHICLE_KEYS),
    ):
        for item in items:
            if isinstance(item, dict):
                for key in item:
                    if key not in known:
                        unknown.setdefault(f"{section}[].{key}")
    for s in shipments:
        for step in ("pickup", "delivery"):
            if isinstance(s, dict) and isinstance(s.get(step), dict):
                for key in s[step]:
                    if key not in STEP_KEYS:
                        unknown.setdefault(f"shipments[].{step}.{key}")
    warnings.extend(f"{k} is not supported and was ignored" for k in unknown)
    return jobs, shipments, vehicles, warnings


def read_matrices(
    raw: dict[str, Any], vehicles: list[Any], err: _Err, warnings: list[str]
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(durations, distances)`` from ``matrices`` (one routing profile) or the legacy ``matrix``.

    Parameters
    ----------
    raw
        The input document.
    vehicles
        The ``vehicles`` array (their ``profile`` picks the matrices).
    err
        Builds `ProblemError`s that name the document and the JSON path.
    warnings
        The translation's warnings so far; appended to.

    Returns
    -------
    tuple of (numpy.ndarray or None, numpy.ndarray or None)
        Durations (seconds) and distances (metres); both ``None`` when places are given by
        coordinates only.

    Raises
    ------
    ProblemError
        A profile has no matrix, profiles disagree, or a matrix is not square and numeric.
    """
    profiles = {str(v.get("profile", "car")) if isinstance(v, dict) else "car" for v in vehicles}
    durations = distances = None
    if "matrices" in raw:
        mats = raw["matrices"]
        if not isinstance(mats, dict) or not mats:
            raise err("matrices", "expected an object {profile: {durations, distances}}")
        missing = sorted(p for p in profiles if p not in mats)
        if missing:
            raise err("matrices", f"no matrix for profile {missing[0]!r}")
        used = [mats[p] for p in sorted(profiles)]
        if len(used) > 1 and any(
            json.dumps(u, sort_keys=True) != json.dumps(used[0], sort_keys=True) for u in used[1:]
        ):
            raise err(
                "vehicles",
                "vehicles use several routing profiles with different matrices; only one profile is supported",
            )
        prof = sorted(profiles)[0]
        block = mats[prof]
        if not isinstance(block, dict):
            raise err(f"matrices.{prof}", "expected {durations, distances}")
        if "costs" in block:
            warnings.append(
                f"matrices.{prof}.costs is not supported: costs come from durations, distances and the vehicles' costs"
            )
        if "durations" in block:
            durations = _matrix(block["durations"], err, f"matrices.{prof}.durations")
        if "distances" in block:
            distances = _matrix(block["distances"], err, f"matrices.{prof}.distances")
        if durations is None and distances is None:
            raise err(f"matrices.{prof}", "needs durations (and optionally distances)")
    elif "matrix" in raw:
        durations = _matrix(raw["matrix"], err, "matrix")
    if durations is None and distances is not None:
        raise err("matrices", "durations are required when distances are given")
    if distances is not None and durations is not None and distances.shape != durations.shape:
        raise err("matrices", f"distances {distances.shape} and durations {durations.shape} differ in size")
    return durations, distances


@dataclass
class Places:
    """Node ids of the places the input names: ``i<k>`` for matrix indices, else ``lon,lat``.

    Parameters
    ----------
    err
        Builds errors that name the field.
    size
        Side of the given matrix; 0 when places are coordinates (no matrix).
    """

    err: _Err
    size: int
    coords: dict[str, tuple[float, float]] = field(default_factory=dict)
    places: dict[str, tuple[float, float] | None] = field(default_factory=dict)

    @property
    def use_index(self) -> bool:
        """Whether places are matrix indices (a matrix was given)."""
        return self.size > 0

    def place(self, obj: dict[str, Any], path: str, loc_key: str, idx_key: str, required: bool = True) -> str | None:
        """The node id of ``obj``'s place (``None`` when optional and absent).

        Parameters
        ----------
        obj
            A job, shipment step or vehicle.
        path
            Its JSON path, for errors.
        loc_key
            Key of its coordinates (``location``, ``start``, ``end``).
        idx_key
            Key of its matrix index (``location_index``, ``start_index``, ``end_index``).
        required
            Whether the place must be given.

        Returns
        -------
        str or None
            ``i<k>`` for matrix index ``k``, or ``"lon,lat"`` (6 decimals) without a matrix.

        Raises
        ------
        ProblemError
            The place is missing when required, or the index is outside the matrix.
        """
        err = self.err
        has_idx, has_loc = idx_key in obj, loc_key in obj
        if self.use_index:
            if not has_idx:
                if not required and not has_loc:
                    return None
                raise err(f"{path}.{idx_key}", "required when a matrix is given")
            k = _int(obj[idx_key], err, f"{path}.{idx_key}")
            if k >= self.size:
                raise err(f"{path}.{idx_key}", f"{k} is outside the {self.size}x{self.size} matrix")
            nid = f"i{k}"
            if has_loc:
                self.coords[nid] = _coords(obj[loc_key], err, f"{path}.{loc_key}")
            self.places.setdefault(nid, None)
            return nid
        if not has_loc:
            if not required:
                return None
            raise err(f"{path}.{loc_key}", "required when no matrix is given")
        lon, lat = _coords(obj[loc_key], err, f"{path}.{loc_key}")
        nid = f"{lon:.6f},{lat:.6f}"
        self.coords[nid] = (lon, lat)
        self.places[nid] = (lon, lat)
        return nid


def _amount_len(obj: Any, key: str) -> int | None:
    return len(obj[key]) if isinstance(obj, dict) and isinstance(obj.get(key), list) else None


def dimensions(jobs: list[Any], shipments: list[Any], vehicles: list[Any], err: _Err) -> int:
    """The one length of every amount array (0 when there are none); one zone per dimension.

    Parameters
    ----------
    jobs
        The ``jobs`` array.
    shipments
        The ``shipments`` array.
    vehicles
        The ``vehicles`` array.
    err
        Builds `ProblemError`s that name the document and the JSON path.

    Returns
    -------
    int
        The number of amount dimensions.

    Raises
    ------
    ProblemError
        The arrays have different lengths, or more dimensions than `ZONES_BY_DIM` has zones.
    """
    lens = {n for j in jobs for k in ("delivery", "pickup", "amount") for n in [_amount_len(j, k)] if n is not None}
    lens |= {n for s in shipments for n in [_amount_len(s, "amount")] if n is not None}
    lens |= {n for v in vehicles for n in [_amount_len(v, "capacity")] if n is not None}
    if len(lens) > 1:
        raise err("vehicles", f"amount arrays have different lengths ({sorted(lens)}); VROOM needs one length")
    dims = lens.pop() if lens else 0
    if dims > len(ZONES_BY_DIM):
        raise err("vehicles", f"{dims} capacity dimensions; at most {len(ZONES_BY_DIM)} are supported")
    return dims


def _is_window(w: Any) -> bool:
    return isinstance(w, list) and len(w) == 2 and all(isinstance(x, (int, float)) for x in w)


def time_offset(jobs: list[Any], shipments: list[Any], vehicles: list[Any]) -> int:
    """Seconds to subtract from every time, so the solver's horizon starts near zero.

    Parameters
    ----------
    jobs
        The ``jobs`` array.
    shipments
        The ``shipments`` array.
    vehicles
        The ``vehicles`` array.

    Returns
    -------
    int
        The earliest window start when times look like timestamps (beyond
        `SHIFT_THRESHOLD`), else 0.
    """
    windows: list[Any] = []
    for j in jobs:
        windows += (j.get("time_windows") or []) if isinstance(j, dict) else []
    for s in shipments:
        for step in ("pickup", "delivery"):
            st = s.get(step) if isinstance(s, dict) else None
            windows += (st.get("time_windows") or []) if isinstance(st, dict) else []
    windows += [v.get("time_window") if isinstance(v, dict) else None for v in vehicles]
    good = [w for w in windows if _is_window(w)]
    if good and max(w[1] for w in good) > SHIFT_THRESHOLD:
        return int(min(w[0] for w in good))
    return 0


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
        for key in ("breaks", "max_tasks", "steps"):
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
        }
        specs.append(
            VehicleSpec(name, cap, start, end, fixed, per_hour, per_km, tw, speed, max_duration, max_distance, path)
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


# --------------------------------------------------------------------------- building the problem


def travel_matrix(
    durations: np.ndarray | None,
    distances: np.ndarray | None,
    places: Places,
    needs_open: bool,
    err: _Err,
    warnings: list[str],
) -> TravelMatrix:
    """The given matrices, or great-circle travel between the coordinates.

    Parameters
    ----------
    durations
        The given durations (seconds), or ``None``.
    distances
        The given distances (metres), or ``None`` (reported as 0, with a warning).
    places
        The places read.
    needs_open
        Add the virtual `OPEN` place (zero travel to and from everywhere), for vehicles
        without a start or an end.
    err
        Builds `ProblemError`s that name the document and the JSON path.
    warnings
        The translation's warnings so far; appended to.

    Returns
    -------
    TravelMatrix
        The matrix; ``synthetic`` when it was computed from coordinates.

    Raises
    ------
    ProblemError
        There are no locations at all.
    """
    if durations is not None:
        ids = [f"i{k}" for k in range(places.size)]
        dur = durations.astype(np.int64)
        dist = distances.astype(np.int64) if distances is not None else np.zeros_like(dur)
        if distances is None:
            warnings.append("no distances matrix: distances are reported as 0")
    else:
        ids = list(places.places)
        if not ids:
            raise err("jobs", "no locations")
        xy = [places.places[k] for k in ids]
        lon = np.array([p[0] for p in xy if p is not None])
        lat = np.array([p[1] for p in xy if p is not None])
        gc = great_circle_matrix(ids, lon, lat)
        dur, dist = gc.duration, gc.distance
        warnings.append(f"no matrix given: travel times from {gc.source} (VROOM would ask a routing engine)")
    if needs_open:
        dur = np.pad(dur, ((0, 1), (0, 1)))
        dist = np.pad(dist, ((0, 1), (0, 1)))
        ids = ids + [OPEN]
    given = durations is not None
    return TravelMatrix(
        tuple(ids), dist, dur, synthetic=not given, source="vroom matrices" if given else "great-circle"
    )


def horizon_and_penalty(
    order_kw: list[dict[str, Any]], specs: list[VehicleSpec], matrix: TravelMatrix, warnings: list[str]
) -> tuple[int, float]:
    """A horizon long enough for any route, and a penalty per unassigned task above any route's cost.

    So priorities order what VROOM would drop.

    Parameters
    ----------
    order_kw
        The orders' fields, before they become `Order`s.
    specs
        The vehicles.
    matrix
        The travel matrix.
    warnings
        The translation's warnings so far; appended to.

    Returns
    -------
    tuple of (int, float)
        ``(horizon in seconds, penalty base)``; the base is capped (with a warning) when costs
        are very large.
    """
    dur, dist = matrix.duration, matrix.distance
    tw_ends = [b for kw in order_kw for (_, b) in (kw["time_windows"] or ())]
    tw_ends += [vt.tw[1] for vt in specs if vt.tw is not None]
    total_service = sum(kw["service"] for kw in order_kw)
    max_dur = int(dur.max()) if dur.size else 0
    horizon = int(max([DAY] + tw_ends + [total_service + max_dur * (len(order_kw) + 1)]))
    max_dist = int(dist.max()) if dist.size else 0
    base = 1.0
    for vt in specs:
        base += vt.fixed + vt.per_hour * horizon / 3600.0 + vt.per_km * max_dist * (len(order_kw) + 1) / 1000
    if base > MAX_PENALTY_BASE:
        warnings.append("costs are very large: priorities are approximated with a capped penalty")
        base = MAX_PENALTY_BASE
    return horizon, base


def build_fleet(specs: list[VehicleSpec], totals: np.ndarray, horizon: int, err: _Err) -> list[VehicleType]:
    """One vehicle type per VROOM vehicle; a dimension without capacity holds every task's amount.

    Parameters
    ----------
    specs
        The vehicles.
    totals
        Sum of every task's amount per dimension.
    horizon
        Seconds; the shift of vehicles without a window.
    err
        Builds `ProblemError`s that name the document and the JSON path.

    Returns
    -------
    list of VehicleType
        One type with ``count=1`` per vehicle.

    Raises
    ------
    ProblemError
        A vehicle is invalid as a `VehicleType` (field: its JSON path).
    """
    fleet = []
    for vt in specs:
        cap = vt.cap
        comps = []
        for k in range(len(totals)):
            c = float(cap[k]) if cap is not None and k < len(cap) else float(totals[k] + 1)
            comps.append(Compartment(ZONES_BY_DIM[k], c, name=f"dim{k}"))
        shift = vt.tw if vt.tw is not None else (0, horizon)
        try:
            fleet.append(
                VehicleType(
                    name=vt.name,
                    count=1,
                    compartments=tuple(comps),
                    start_depot=vt.start or OPEN,
                    end_depot=vt.end or OPEN,
                    fixed_cost=vt.fixed,
                    cost_per_km=vt.per_km,
                    cost_per_hour=vt.per_hour,
                    shift=shift,
                    max_duration=vt.max_duration,
                    max_distance=vt.max_distance,
                    speed_factor=1.0 / vt.speed,
                    refrigerated=False,
                )
            )
        except ProblemError as e:
            raise err(f"{vt.path}", str(e)) from None
    return fleet


def build_orders(order_kw: list[dict[str, Any]], horizon: int, base: float, err: _Err) -> list[Order]:
    """Optional orders whose penalty grows with the VROOM priority.

    Parameters
    ----------
    order_kw
        The orders' fields, each with its JSON ``path`` and ``priority``.
    horizon
        Seconds; the window of tasks without one.
    base
        Penalty base from `horizon_and_penalty`; a task's penalty is ``base × (1 + priority)``.
    err
        Builds `ProblemError`s that name the document and the JSON path.

    Returns
    -------
    list of Order
        The orders, all optional.

    Raises
    ------
    ProblemError
        A task is invalid as an `Order` (field: its JSON path).
    """
    orders = []
    for kw in order_kw:
        kw = dict(kw)
        path = kw.pop("path")
        pr = kw.pop("priority")
        tws = kw.pop("time_windows") or ((0, horizon),)
        try:
            orders.append(Order(**kw, time_windows=tws, required=False, penalty=round(base * (1 + pr), 4)))
        except ProblemError as e:
            raise err(f"{path}.{e.field}" if e.field else path, str(e)) from None
    return orders
