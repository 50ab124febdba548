"""VROOM interoperability: read VROOM's JSON input as a Problem, write a Plan as VROOM's output.

``read_vroom(path_or_dict)`` returns a :class:`VroomInput` (the Problem plus the
bookkeeping to translate back); ``plan_to_vroom(vin, plan)`` gives the VROOM
output document; ``logistics.app.vroom.solve_vroom(...)`` does both around :func:`logistics.solve`.
The mapping and its limits are documented in ``docs/vroom.md``; in short:

* every VROOM vehicle becomes a vehicle type ``v<id>`` with one vehicle;
  ``capacity`` dimensions become compartments (at most four dimensions, one per
  temperature zone, each dimension a product ``dim<k>`` that rides only its own
  compartment); ``costs`` map to fixed / per-hour / per-km costs;
* a job becomes an optional :class:`Order` ``job:<id>`` (VROOM may leave any
  task unassigned) whose penalty grows with its ``priority``; shipments become
  paired pickup/delivery orders ``pickup:<id>`` / ``delivery:<id>``;
* ``skills`` restrict orders to the vehicle types that have all of them
  (``Order.vehicle_types``); a task no vehicle can serve is reported unassigned;
* a ``matrices`` block (one profile) or the legacy ``matrix`` gives travel times
  (and distances); otherwise coordinates give a great-circle matrix;
* a vehicle without ``start`` (``end``) starts (ends) at a virtual place that is
  zero seconds from everywhere, as VROOM's open routes do.

Times: VROOM times are arbitrary integers; large absolute timestamps are shifted
by an offset inside the problem and shifted back in the output.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.model import Compartment, Order, Product, VehicleType
from logistics.core.problem import Problem
from logistics.core.units import DAY, Zone
from networks import TravelMatrix, great_circle_matrix

__all__ = ["ZONES_BY_DIM", "VroomInput", "error_output", "plan_to_vroom", "read_vroom"]

# Capacity dimension k rides compartments of this zone (one zone per dimension).
ZONES_BY_DIM = (Zone.AMBIENT, Zone.CHILLED, Zone.FRESH, Zone.FROZEN)
OPEN = "vroom:open"  # the virtual place of open route starts/ends
SHIFT_THRESHOLD = 7 * DAY  # times beyond this are treated as absolute timestamps and shifted
MAX_PENALTY_BASE = 1e11  # keeps penalties (x101, x cost scale) inside int64
JOB_KEYS = {
    "id",
    "description",
    "location",
    "location_index",
    "setup",
    "service",
    "delivery",
    "pickup",
    "amount",
    "skills",
    "priority",
    "time_windows",
}
STEP_KEYS = {"id", "description", "location", "location_index", "setup", "service", "time_windows"}
SHIPMENT_KEYS = {"pickup", "delivery", "amount", "skills", "priority"}
# breaks, max_tasks and steps are known but unsupported: they get their own warning per vehicle
VEHICLE_KEYS = {
    "id",
    "profile",
    "description",
    "start",
    "start_index",
    "end",
    "end_index",
    "capacity",
    "costs",
    "skills",
    "time_window",
    "speed_factor",
    "max_travel_time",
    "max_distance",
    "breaks",
    "max_tasks",
    "steps",
}
FREE_COSTS = dict(
    diesel_price=0.0,
    carbon_price=0.0,
    reefer_drive_per_h=0.0,
    reefer_door_per_h=0.0,
    early_per_h=0.0,
    late_per_h=0.0,
    decay_per_h=dict.fromkeys(Zone, 0.0),
)


@dataclass(frozen=True, eq=False)
class VroomInput:
    """A VROOM input translated into a Problem, with what is needed to translate plans back."""

    problem: Problem
    raw: dict[str, Any]
    tasks: dict[str, dict[str, Any]]  # order id -> {type, id, location, location_index, ...}
    vehicles: dict[str, dict[str, Any]]  # vehicle type name -> the VROOM vehicle (+ costs)
    dims: int
    offset: int
    unassignable: list[dict[str, Any]] = field(default_factory=list)  # tasks no vehicle may serve
    warnings: list[str] = field(default_factory=list)
    loading_ms: int = 0


# --------------------------------------------------------------------------- reading


def _load(source: Any, where: str | None) -> tuple[dict[str, Any], str]:
    if isinstance(source, Mapping):
        return dict(source), where or "vroom input"
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text, where = source, where or "vroom input"
    else:
        p = Path(source)
        where = where or p.name
        if not p.is_file():
            raise ProblemError(f"{where}: VROOM input file not found", record=where)
        text = p.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ProblemError(f"{where}: not valid JSON ({e})", record=where) from None
    if not isinstance(data, dict):
        raise ProblemError(f"{where}: a VROOM input is a JSON object", record=where)
    return data, where


class _Err:
    def __init__(self, where: str):
        self.where = where

    def __call__(self, path: str, msg: str) -> ProblemError:
        return ProblemError(f"{self.where}: {path}: {msg}", record=self.where, field=path)


def _record_id(obj: Any, path: str, seen: set[int], what: str, err: _Err) -> int:
    """The integer ``id`` of a VROOM object at ``path``, new among ``seen`` (which it joins)."""
    if not isinstance(obj, dict):
        raise err(path, "expected an object")
    if "id" not in obj:
        raise err(f"{path}.id", "required")
    rid = _int(obj["id"], err, f"{path}.id")
    if rid in seen:
        raise err(f"{path}.id", f"{what} id {rid} appears more than once")
    seen.add(rid)
    return rid


def _int(v: Any, err: _Err, path: str, *, minimum: int | None = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise err(path, f"expected an integer, got {v!r}")
    v = int(v)
    if minimum is not None and v < minimum:
        raise err(path, f"must be >= {minimum}, got {v}")
    return v


def _num(v: Any, err: _Err, path: str, *, minimum: float | None = 0.0) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise err(path, f"expected a number, got {v!r}")
    if minimum is not None and v < minimum:
        raise err(path, f"must be >= {minimum:g}, got {v}")
    return float(v)


def _amounts(v: Any, err: _Err, path: str) -> list[int]:
    if not isinstance(v, list):
        raise err(path, f"expected an array of integers, got {v!r}")
    return [_int(x, err, f"{path}[{k}]") for k, x in enumerate(v)]


def _coords(v: Any, err: _Err, path: str) -> tuple[float, float]:
    if not isinstance(v, list) or len(v) != 2:
        raise err(path, "expected [lon, lat]")
    lon, lat = (_num(x, err, f"{path}[{k}]", minimum=None) for k, x in enumerate(v))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise err(path, f"[{lon}, {lat}] is not a [lon, lat] pair")
    return lon, lat


def _windows(v: Any, err: _Err, path: str) -> list[tuple[int, int]]:
    if not isinstance(v, list) or not v:
        raise err(path, "expected a non-empty array of [start, end] windows")
    out = []
    for k, w in enumerate(v):
        if not isinstance(w, list) or len(w) != 2:
            raise err(f"{path}[{k}]", "expected [start, end]")
        a, b = _int(w[0], err, f"{path}[{k}][0]"), _int(w[1], err, f"{path}[{k}][1]")
        if b < a:
            raise err(f"{path}[{k}]", f"ends ({b}) before it starts ({a})")
        out.append((a, b))
    return out


def read_vroom(source: Any, *, name: str | None = None, where: str | None = None) -> VroomInput:
    """Translate a VROOM input (path, JSON text or dict) into a :class:`VroomInput`."""
    t0 = time.perf_counter()
    raw, where = _load(source, where)
    err = _Err(where)
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

    # -- matrices ------------------------------------------------------------------------
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
    use_index = durations is not None or distances is not None
    n_idx = (durations if durations is not None else distances).shape[0] if use_index else 0
    if durations is None and distances is not None:
        raise err("matrices", "durations are required when distances are given")
    if distances is not None and distances.shape != durations.shape:
        raise err("matrices", f"distances {distances.shape} and durations {durations.shape} differ in size")

    coords: dict[str, tuple[float, float]] = {}
    places: dict[str, tuple[float, float] | None] = {}

    def place(obj: dict, path: str, loc_key: str, idx_key: str, required: bool = True) -> str | None:
        has_idx, has_loc = idx_key in obj, loc_key in obj
        if use_index:
            if not has_idx:
                if not required and not has_loc:
                    return None
                raise err(f"{path}.{idx_key}", "required when a matrix is given")
            k = _int(obj[idx_key], err, f"{path}.{idx_key}")
            if k >= n_idx:
                raise err(f"{path}.{idx_key}", f"{k} is outside the {n_idx}x{n_idx} matrix")
            nid = f"i{k}"
            if has_loc:
                coords[nid] = _coords(obj[loc_key], err, f"{path}.{loc_key}")
            places.setdefault(nid, None)
            return nid
        if not has_loc:
            if not required:
                return None
            raise err(f"{path}.{loc_key}", "required when no matrix is given")
        lon, lat = _coords(obj[loc_key], err, f"{path}.{loc_key}")
        nid = f"{lon:.6f},{lat:.6f}"
        coords[nid] = (lon, lat)
        places[nid] = (lon, lat)
        return nid

    # -- amounts: dimension count ---------------------------------------------------------
    def amount_len(obj: dict, key: str) -> int | None:
        return len(obj[key]) if isinstance(obj, dict) and isinstance(obj.get(key), list) else None

    lens = {n for j in jobs for k in ("delivery", "pickup", "amount") for n in [amount_len(j, k)] if n is not None}
    lens |= {n for s in shipments for n in [amount_len(s, "amount")] if n is not None}
    lens |= {n for v in vehicles for n in [amount_len(v, "capacity")] if n is not None}
    if len(lens) > 1:
        raise err("vehicles", f"amount arrays have different lengths ({sorted(lens)}); VROOM needs one length")
    dims = lens.pop() if lens else 0
    if dims > len(ZONES_BY_DIM):
        raise err("vehicles", f"{dims} capacity dimensions; at most {len(ZONES_BY_DIM)} are supported")
    nd = max(dims, 1)
    products = {
        f"dim{k}": Product(f"dim{k}", zone=ZONES_BY_DIM[k], carriers=(ZONES_BY_DIM[k],), unit="unit") for k in range(nd)
    }

    # -- time offset ----------------------------------------------------------------------
    starts, ends = [], []
    for j in jobs:
        for w in (j.get("time_windows") or []) if isinstance(j, dict) else []:
            if isinstance(w, list) and len(w) == 2 and all(isinstance(x, (int, float)) for x in w):
                starts.append(w[0])
                ends.append(w[1])
    for s in shipments:
        for step in ("pickup", "delivery"):
            st = s.get(step) if isinstance(s, dict) else None
            for w in (st.get("time_windows") or []) if isinstance(st, dict) else []:
                if isinstance(w, list) and len(w) == 2 and all(isinstance(x, (int, float)) for x in w):
                    starts.append(w[0])
                    ends.append(w[1])
    for v in vehicles:
        w = v.get("time_window") if isinstance(v, dict) else None
        if isinstance(w, list) and len(w) == 2 and all(isinstance(x, (int, float)) for x in w):
            starts.append(w[0])
            ends.append(w[1])
    offset = int(min(starts)) if ends and max(ends) > SHIFT_THRESHOLD else 0

    # -- vehicles -------------------------------------------------------------------------
    vinfo: dict[str, dict[str, Any]] = {}
    vtypes_raw = []
    seen_v = set()
    for i, v in enumerate(vehicles):
        path = f"vehicles[{i}]"
        vid = _record_id(v, path, seen_v, "vehicle", err)
        start = place(v, path, "start", "start_index", required=False)
        end = place(v, path, "end", "end_index", required=False)
        if start is None and end is None:
            raise err(path, "needs a start or an end")
        cap = _amounts(v["capacity"], err, f"{path}.capacity") if "capacity" in v else None
        costs = v.get("costs") or {}
        if not isinstance(costs, dict):
            raise err(f"{path}.costs", "expected {fixed, per_hour, per_km}")
        fixed = _num(costs.get("fixed", 0), err, f"{path}.costs.fixed")
        per_hour = _num(costs.get("per_hour", 3600), err, f"{path}.costs.per_hour")
        per_km = _num(costs.get("per_km", 0), err, f"{path}.costs.per_km")
        for key in ("per_task_hour",):
            if key in costs:
                warnings.append(f"{path}.costs.{key} is not supported and was ignored")
        tw = None
        if "time_window" in v:
            w = v["time_window"]
            if not isinstance(w, list) or len(w) != 2:
                raise err(f"{path}.time_window", "expected [start, end]")
            a, b = _int(w[0], err, f"{path}.time_window[0]"), _int(w[1], err, f"{path}.time_window[1]")
            if b < a:
                raise err(f"{path}.time_window", f"ends ({b}) before it starts ({a})")
            tw = (a - offset, b - offset)
            if tw[0] < 0:
                raise err(f"{path}.time_window", "starts before the planning horizon")
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
        skills = v.get("skills", [])
        if not isinstance(skills, list):
            raise err(f"{path}.skills", "expected an array of integers")
        skills = {_int(s, err, f"{path}.skills[{k}]") for k, s in enumerate(skills)}
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
        vtypes_raw.append(
            dict(
                name=name,
                cap=cap,
                start=start,
                end=end,
                fixed=fixed,
                per_hour=per_hour,
                per_km=per_km,
                tw=tw,
                speed=speed,
                max_duration=max_duration,
                max_distance=max_distance,
                path=path,
            )
        )

    # -- tasks ----------------------------------------------------------------------------
    tasks: dict[str, dict[str, Any]] = {}
    order_kw: list[dict[str, Any]] = []
    unassignable: list[dict[str, Any]] = []
    totals = np.zeros(nd)

    def allowed_types(skills: set[int]) -> list[str] | None:
        if not skills:
            return None
        ok = [n for n, vi in vinfo.items() if skills <= vi["skills"]]
        return ok if len(ok) < len(vinfo) else None

    def task_windows(obj: dict, path: str) -> tuple[tuple[int, int], ...] | None:
        if "time_windows" not in obj:
            return None
        out = []
        for k, (a, b) in enumerate(_windows(obj["time_windows"], err, f"{path}.time_windows")):
            if a - offset < 0:
                raise err(f"{path}.time_windows[{k}]", "starts before the planning horizon")
            out.append((a - offset, b - offset))
        return tuple(out)

    def common(obj: dict, path: str) -> tuple[int, int, int]:
        setup = _int(obj.get("setup", 0), err, f"{path}.setup")
        service = _int(obj.get("service", 0), err, f"{path}.service")
        return setup, service, setup + service

    def priority_of(obj: dict, path: str) -> int:
        pr = _int(obj.get("priority", 0), err, f"{path}.priority")
        if pr > 100:
            raise err(f"{path}.priority", f"must be in [0, 100], got {pr}")
        return pr

    def skills_of(obj: dict, path: str) -> set[int]:
        sk = obj.get("skills", [])
        if not isinstance(sk, list):
            raise err(f"{path}.skills", "expected an array of integers")
        return {_int(s, err, f"{path}.skills[{k}]") for k, s in enumerate(sk)}

    def qty(arr: list[int] | None) -> dict[str, float]:
        return {f"dim{k}": float(x) for k, x in enumerate(arr or []) if x}

    seen_j: set[int] = set()
    for i, j in enumerate(jobs):
        path = f"jobs[{i}]"
        jid = _record_id(j, path, seen_j, "job", err)
        nid = place(j, path, "location", "location_index")
        setup, service, total_service = common(j, path)
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
        if amounts:
            totals[: len(amounts)] += amounts
        skills = skills_of(j, path)
        pr = priority_of(j, path)
        oid = f"job:{jid}"
        info = {
            "type": "job",
            "id": jid,
            "location_index": j.get("location_index"),
            "location": list(coords[nid]) if nid in coords else None,
            "description": j.get("description"),
            "setup": setup,
            "service": service,
            "priority": pr,
            "kind": kind,
            "path": path,
        }
        allowed = allowed_types(skills)
        if skills and not any(skills <= vi["skills"] for vi in vinfo.values()):
            unassignable.append(dict(info, reason=f"no vehicle has the skills {sorted(skills)}"))
            continue
        tasks[oid] = info
        order_kw.append(
            dict(
                id=oid,
                quantities=qty(amounts),
                node_id=nid,
                kind=kind,
                time_windows=task_windows(j, path),
                service=total_service,
                priority=pr,
                vehicle_types=allowed,
                path=path,
            )
        )

    seen_p: set[int] = set()
    seen_d: set[int] = set()
    for i, s in enumerate(shipments):
        path = f"shipments[{i}]"
        if not isinstance(s, dict) or not isinstance(s.get("pickup"), dict) or not isinstance(s.get("delivery"), dict):
            raise err(path, "expected an object with pickup and delivery steps")
        amount = _amounts(s["amount"], err, f"{path}.amount") if "amount" in s else None
        if amount:
            totals[: len(amount)] += amount
        skills = skills_of(s, path)
        pr = priority_of(s, path)
        allowed = allowed_types(skills)
        no_vehicle = bool(skills) and not any(skills <= vi["skills"] for vi in vinfo.values())
        ids = {}
        infos = {}
        for step, seen in (("pickup", seen_p), ("delivery", seen_d)):
            st = s[step]
            spath = f"{path}.{step}"
            sid = _record_id(st, spath, seen, step, err)
            nid = place(st, spath, "location", "location_index")
            setup, service, total_service = common(st, spath)
            ids[step] = f"{step}:{sid}"
            infos[step] = (
                {
                    "type": step,
                    "id": sid,
                    "location_index": st.get("location_index"),
                    "location": list(coords[nid]) if nid in coords else None,
                    "description": st.get("description"),
                    "setup": setup,
                    "service": service,
                    "priority": pr,
                    "kind": step,
                    "path": spath,
                },
                dict(
                    id=f"{step}:{sid}",
                    quantities=qty(amount),
                    node_id=nid,
                    kind=step,
                    time_windows=task_windows(st, spath),
                    service=total_service,
                    priority=pr,
                    vehicle_types=allowed,
                    path=spath,
                ),
            )
        if no_vehicle:
            for step in ("pickup", "delivery"):
                unassignable.append(dict(infos[step][0], reason=f"no vehicle has the skills {sorted(skills)}"))
            continue
        for step, other in (("pickup", "delivery"), ("delivery", "pickup")):
            info, kw = infos[step]
            kw["pair"] = ids[other]
            tasks[kw["id"]] = info
            order_kw.append(kw)

    # -- matrix ---------------------------------------------------------------------------
    needs_open = any(vi["start"] is None or vi["end"] is None for vi in vinfo.values())
    if use_index:
        ids = [f"i{k}" for k in range(n_idx)]
        dur = durations.astype(np.int64)
        dist = distances.astype(np.int64) if distances is not None else np.zeros_like(dur)
        if distances is None:
            warnings.append("no distances matrix: distances are reported as 0")
    else:
        ids = list(places)
        if not ids:
            raise err("jobs", "no locations")
        lon = np.array([places[k][0] for k in ids])
        lat = np.array([places[k][1] for k in ids])
        gc = great_circle_matrix(ids, lon, lat)
        dur, dist = gc.duration, gc.distance
        warnings.append(f"no matrix given: travel times from {gc.source} (VROOM would ask a routing engine)")
    if needs_open:
        dur = np.pad(dur, ((0, 1), (0, 1)))
        dist = np.pad(dist, ((0, 1), (0, 1)))
        ids = ids + [OPEN]
    matrix = TravelMatrix(
        tuple(ids), dist, dur, synthetic=not use_index, source="vroom matrices" if use_index else "great-circle"
    )

    # -- horizon, penalties, fleet ------------------------------------------------------------
    tw_ends = [b for kw in order_kw for (_, b) in (kw["time_windows"] or ())]
    tw_ends += [vt["tw"][1] for vt in vtypes_raw if vt["tw"] is not None]
    total_service = sum(kw["service"] for kw in order_kw)
    max_dur = int(dur.max()) if dur.size else 0
    horizon = int(max([DAY] + tw_ends + [total_service + max_dur * (len(order_kw) + 1)]))
    max_dist = int(dist.max()) if dist.size else 0
    base = 1.0
    for vt in vtypes_raw:
        base += vt["fixed"] + vt["per_hour"] * horizon / 3600.0 + vt["per_km"] * max_dist * (len(order_kw) + 1) / 1000
    if base > MAX_PENALTY_BASE:
        warnings.append("costs are very large: priorities are approximated with a capped penalty")
        base = MAX_PENALTY_BASE

    fleet = []
    for vt in vtypes_raw:
        cap = vt["cap"]
        comps = []
        for k in range(nd):
            c = float(cap[k]) if cap is not None and k < len(cap) else float(totals[k] + 1)
            comps.append(Compartment(ZONES_BY_DIM[k], c, name=f"dim{k}"))
        shift = vt["tw"] if vt["tw"] is not None else (0, horizon)
        try:
            fleet.append(
                VehicleType(
                    name=vt["name"],
                    count=1,
                    compartments=tuple(comps),
                    start_depot=vt["start"] or OPEN,
                    end_depot=vt["end"] or OPEN,
                    fixed_cost=vt["fixed"],
                    cost_per_km=vt["per_km"],
                    cost_per_hour=vt["per_hour"],
                    shift=shift,
                    max_duration=vt["max_duration"],
                    max_distance=vt["max_distance"],
                    speed_factor=1.0 / vt["speed"],
                    refrigerated=False,
                )
            )
        except ProblemError as e:
            raise err(f"{vt['path']}", str(e)) from None

    orders = []
    for kw in order_kw:
        path = kw.pop("path")
        pr = kw.pop("priority")
        tws = kw.pop("time_windows") or ((0, horizon),)
        try:
            orders.append(Order(**kw, time_windows=tws, required=False, penalty=round(base * (1 + pr), 4)))
        except ProblemError as e:
            raise err(f"{path}.{e.field}" if e.field else path, str(e)) from None
    try:
        problem = Problem(
            orders=tuple(orders),
            fleet=tuple(fleet),
            products=products,
            matrix=matrix,
            costs=CostModel(**FREE_COSTS),
            objective="cost",
            name=name or "vroom",
            meta={"coords": coords, "source": "vroom", "time_offset": offset, "warnings": list(warnings)},
        )
    except ProblemError as e:
        info = tasks.get(str(e.record))
        if info is not None:
            raise err(f"{info['path']}.{e.field}" if e.field else info["path"], str(e)) from None
        vi = vinfo.get(str(e.record))
        if vi is not None:
            raise err(f"{vi['path']}.{e.field}" if e.field else vi["path"], str(e)) from None
        raise ProblemError(f"{where}: {e}", record=e.record, field=e.field) from None
    return VroomInput(
        problem=problem,
        raw=raw,
        tasks=tasks,
        vehicles=vinfo,
        dims=dims,
        offset=offset,
        unassignable=unassignable,
        warnings=warnings,
        loading_ms=int(round((time.perf_counter() - t0) * 1000)),
    )


def _matrix(v: Any, err: _Err, path: str) -> np.ndarray:
    if not isinstance(v, list) or not v or not all(isinstance(r, list) for r in v):
        raise err(path, "expected a square array of arrays")
    n = len(v)
    for i, r in enumerate(v):
        if len(r) != n:
            raise err(f"{path}[{i}]", f"row has {len(r)} values, expected {n}")
    try:
        a = np.array(v, dtype=float)
    except (TypeError, ValueError):
        raise err(path, "values must be numbers") from None
    if not np.isfinite(a).all() or (a < 0).any():
        i, j = np.argwhere(~np.isfinite(a) | (a < 0))[0]
        raise err(f"{path}[{i}][{j}]", f"{v[i][j]!r} is not a non-negative number")
    return np.rint(a).astype(np.int64)


# --------------------------------------------------------------------------- writing


def _loads(row: Mapping[str, Any], dims: int) -> list[int]:
    out = []
    for k in range(dims):
        v = row.get(f"load_dim{k}")
        out.append(int(round(float(v))) if v is not None and not (isinstance(v, float) and math.isnan(v)) else 0)
    return out


def _place(info_or_node: Any, vin: VroomInput) -> dict[str, Any]:
    """location / location_index keys of a place (as given in the input)."""
    out: dict[str, Any] = {}
    node = info_or_node
    if node is None or node == OPEN:
        return out
    if node in vin.problem.meta.get("coords", {}):
        out["location"] = list(vin.problem.meta["coords"][node])
    if str(node).startswith("i") and str(node)[1:].isdigit():
        out["location_index"] = int(str(node)[1:])
    return out


def plan_to_vroom(vin: VroomInput, plan, *, solving_ms: int | None = None) -> dict[str, Any]:
    """The VROOM output document (code 0) for ``plan``."""
    off = vin.offset
    dims = vin.dims
    routes = []
    tot = {"cost": 0, "setup": 0, "service": 0, "duration": 0, "waiting_time": 0, "priority": 0, "distance": 0}
    tot_delivery = [0] * dims
    tot_pickup = [0] * dims
    stops = plan.stops
    for vid in plan.vehicles_used:
        g = stops[stops["vehicle"] == vid].sort_values("seq")
        vtype = str(g["vehicle_type"].iloc[0])
        vi = vin.vehicles[vtype]
        steps = []
        cum_dur = cum_dist = 0
        r = {"setup": 0, "service": 0, "waiting_time": 0, "priority": 0}
        delivery = [0] * dims
        pickup = [0] * dims
        for row in g.to_dict(orient="records"):
            cum_dur += int(row["travel_duration"])
            cum_dist += int(row["travel_distance"])
            kind = row["kind"]
            load = _loads(row, dims)
            if kind in ("start", "end"):
                node = vi["start"] if kind == "start" else vi["end"]
                if node is None:
                    continue  # open route: VROOM has no start/end step
                step = {
                    "type": kind,
                    **_place(node, vin),
                    "setup": 0,
                    "service": 0,
                    "waiting_time": 0,
                    "load": load,
                    "arrival": int(row["arrival"]) + off,
                    "duration": cum_dur,
                    "distance": cum_dist,
                }
            else:
                info = vin.tasks[str(row["order_id"])]
                step = {
                    "type": info["type"],
                    "id": info["id"],
                    **_place(row["node_id"], vin),
                    "setup": info["setup"],
                    "service": info["service"],
                    "waiting_time": int(row["wait"]),
                    "load": load,
                    "arrival": int(row["arrival"]) + off,
                    "duration": cum_dur,
                    "distance": cum_dist,
                }
                if info.get("description") is not None:
                    step["description"] = info["description"]
                r["setup"] += info["setup"]
                r["service"] += info["service"]
                r["waiting_time"] += int(row["wait"])
                if info["type"] != "delivery":  # a shipment's priority counts once
                    r["priority"] += info["priority"]
                o = vin.problem.order(str(row["order_id"]))
                amounts = [int(round(o.quantities.get(f"dim{k}", 0))) for k in range(dims)]
                target = pickup if o.kind == "pickup" else delivery
                for k in range(dims):
                    target[k] += amounts[k]
            step["violations"] = []
            steps.append(step)
        cost = int(round(vi["fixed"] + vi["per_hour"] * cum_dur / 3600.0 + vi["per_km"] * cum_dist / 1000.0))
        route = {
            "vehicle": vi["id"],
            "cost": cost,
            "delivery": delivery,
            "amount": list(delivery),
            "pickup": pickup,
            "setup": r["setup"],
            "service": r["service"],
            "duration": cum_dur,
            "waiting_time": r["waiting_time"],
            "priority": r["priority"],
            "distance": cum_dist,
            "steps": steps,
            "violations": [],
        }
        if vi.get("description") is not None:
            route["description"] = vi["description"]
        routes.append(route)
        tot["cost"] += cost
        for k in ("setup", "service", "waiting_time", "priority"):
            tot[k] += r[k]
        tot["duration"] += cum_dur
        tot["distance"] += cum_dist
        for k in range(dims):
            tot_delivery[k] += delivery[k]
            tot_pickup[k] += pickup[k]
    unassigned = []
    for oid, reason in zip(plan.unserved["order_id"], plan.unserved["reason"]):
        info = vin.tasks[str(oid)]
        o = vin.problem.order(str(oid))
        unassigned.append(
            {"id": info["id"], "type": info["type"], **_place(o.node_id, vin), "description": str(reason)}
        )
    for info in vin.unassignable:
        u = {"id": info["id"], "type": info["type"], "description": info["reason"]}
        if info.get("location") is not None:
            u["location"] = info["location"]
        if info.get("location_index") is not None:
            u["location_index"] = info["location_index"]
        unassigned.append(u)
    elapsed = plan.meta.get("elapsed_s")
    solving = solving_ms if solving_ms is not None else (int(round(float(elapsed) * 1000)) if elapsed else 0)
    summary = {
        "cost": tot["cost"],
        "routes": len(routes),
        "unassigned": len(unassigned),
        "delivery": tot_delivery,
        "amount": list(tot_delivery),
        "pickup": tot_pickup,
        "setup": tot["setup"],
        "service": tot["service"],
        "duration": tot["duration"],
        "waiting_time": tot["waiting_time"],
        "priority": tot["priority"],
        "distance": tot["distance"],
        "violations": [],
        "computing_times": {"loading": vin.loading_ms, "solving": solving, "routing": 0},
    }
    out = {"code": 0, "summary": summary, "unassigned": unassigned, "routes": routes}
    if vin.warnings:
        out["warnings"] = list(vin.warnings)
    return out


def error_output(exc: BaseException) -> dict[str, Any]:
    """VROOM's error document: code 2 for input errors, 1 otherwise."""
    code = 2 if isinstance(exc, ProblemError) else 1
    return {"code": code, "error": str(exc)}
