"""VROOM interoperability: read VROOM's JSON input as a Problem, write a Plan as VROOM's output.

``read_vroom(path_or_dict)`` returns a [VroomInput][logistics.formats.vroom.VroomInput] (the Problem plus the
bookkeeping to translate back); ``plan_to_vroom(vin, plan)`` gives the VROOM
output document; ``logistics.app.vroom.solve_vroom(...)`` does both around [logistics.solve][].
The mapping and its limits are documented in ``docs/vroom.md``; in short:

* every VROOM vehicle becomes a vehicle type ``v<id>`` with one vehicle;
  ``capacity`` dimensions become compartments (at most four dimensions, one per
  temperature zone, each dimension a product ``dim<k>`` that rides only its own
  compartment); ``costs`` map to fixed / per-hour / per-km costs;
* a job becomes an optional `Order` ``job:<id>`` (VROOM may leave any
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

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from logistics.core.errors import ProblemError
from logistics.core.model import Order, Product, VehicleType
from logistics.core.plan import Plan
from logistics.core.problem import Problem
from logistics.formats.vroom_build import build_fleet, build_orders, horizon_and_penalty, travel_matrix
from logistics.formats.vroom_read import Tasks, read_vehicles
from logistics.formats.vroom_sections import Places, check_sections, dimensions, read_matrices, time_offset
from logistics.formats.vroom_values import OPEN, ZONES_BY_DIM, _Err, free_costs, load_document

__all__ = ["OPEN", "ZONES_BY_DIM", "VroomInput", "error_output", "plan_to_vroom", "read_vroom"]


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
    warnings
        What VROOM would have done that this translation does not (ignored keys, ...).
    loading_ms
        Milliseconds spent reading, reported in the output's summary.
    """

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


def read_vroom(source: Any, *, name: str | None = None, where: str | None = None) -> VroomInput:
    """Translate a VROOM input (path, JSON text or dict) into a [VroomInput][logistics.formats.vroom.VroomInput].

    Parameters
    ----------
    source
        A path to a VROOM JSON file, the JSON text, or the parsed mapping.
    name
        The problem's name (default ``"vroom"``).
    where
        How errors name the document (default: the file name).

    Returns
    -------
    VroomInput
        The problem and what [plan_to_vroom][logistics.formats.vroom.plan_to_vroom] needs to answer in VROOM's terms.

    Raises
    ------
    ProblemError
        The input is invalid; ``field`` is the JSON path of the offending value.
    """
    t0 = time.perf_counter()
    raw, where = load_document(source, where)
    err = _Err(where)
    jobs, shipments, vehicles, warnings = check_sections(raw, err)
    durations, distances = read_matrices(raw, vehicles, err, warnings)
    places = Places(err, durations.shape[0] if durations is not None else 0)
    dims = dimensions(jobs, shipments, vehicles, err)
    nd = max(dims, 1)
    products = {
        f"dim{k}": Product(f"dim{k}", zone=ZONES_BY_DIM[k], carriers=(ZONES_BY_DIM[k],), unit="unit") for k in range(nd)
    }
    offset = time_offset(jobs, shipments, vehicles)
    vinfo, specs = read_vehicles(vehicles, places, offset, err, warnings)
    tasks = Tasks(err, places, vinfo, offset, nd)
    tasks.read_jobs(jobs)
    tasks.read_shipments(shipments)
    needs_open = any(vi["start"] is None or vi["end"] is None for vi in vinfo.values())
    matrix = travel_matrix(durations, distances, places, needs_open, err, warnings)
    horizon, base = horizon_and_penalty(tasks.order_kw, specs, matrix, warnings)
    fleet = build_fleet(specs, tasks.totals, horizon, err)
    orders = build_orders(tasks.order_kw, horizon, base, err)
    meta = {"coords": places.coords, "source": "vroom", "time_offset": offset, "warnings": list(warnings)}
    problem = _problem(orders, fleet, products, matrix, name or "vroom", meta, tasks, vinfo, err)
    return VroomInput(
        problem=problem,
        raw=raw,
        tasks=tasks.tasks,
        vehicles=vinfo,
        dims=dims,
        offset=offset,
        unassignable=tasks.unassignable,
        warnings=warnings,
        loading_ms=int(round((time.perf_counter() - t0) * 1000)),
    )


def _problem(
    orders: list[Order],
    fleet: list[VehicleType],
    products: dict[str, Product],
    matrix: Any,
    name: str,
    meta: dict[str, Any],
    tasks: Tasks,
    vinfo: dict[str, dict[str, Any]],
    err: _Err,
) -> Problem:
    """The Problem, with a model error turned back into the JSON path of the task or vehicle."""
    try:
        return Problem(
            orders=tuple(orders),
            fleet=tuple(fleet),
            products=products,
            matrix=matrix,
            costs=free_costs(),
            objective="cost",
            name=name,
            meta=meta,
        )
    except ProblemError as e:
        info = tasks.tasks.get(str(e.record)) or vinfo.get(str(e.record))
        if info is not None:
            raise err(f"{info['path']}.{e.field}" if e.field else info["path"], str(e)) from None
        raise ProblemError(f"{err.where}: {e}", record=e.record, field=e.field) from None


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


def plan_to_vroom(vin: VroomInput, plan: Plan, *, solving_ms: int | None = None) -> dict[str, Any]:
    """The VROOM output document (code 0) for ``plan``.

    Parameters
    ----------
    vin
        What [read_vroom][logistics.formats.vroom.read_vroom] made of the input; it maps orders back to VROOM ids
        and times.
    plan
        A plan of ``vin.problem``.
    solving_ms
        Solving time to report; default the plan's ``elapsed_s``.

    Returns
    -------
    dict
        VROOM's output: ``code``, ``summary``, ``unassigned``, ``routes`` (and ``warnings``).
    """
    dims = vin.dims
    routes = []
    tot = {"cost": 0, "setup": 0, "service": 0, "duration": 0, "waiting_time": 0, "priority": 0, "distance": 0}
    tot_delivery = [0] * dims
    tot_pickup = [0] * dims
    stops = plan.stops
    for vid in plan.vehicles_used:
        route = _route(vin, stops[stops["vehicle"] == vid].sort_values("seq"))
        routes.append(route)
        for key in tot:
            tot[key] += route[key]
        for k in range(dims):
            tot_delivery[k] += route["delivery"][k]
            tot_pickup[k] += route["pickup"][k]
    unassigned = _unassigned(vin, plan)
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


def _route(vin: VroomInput, g: pd.DataFrame) -> dict[str, Any]:
    """One VROOM route from a vehicle's stops (in visit order), with its steps and totals."""
    off = vin.offset
    dims = vin.dims
    vi = vin.vehicles[str(g["vehicle_type"].iloc[0])]
    steps: list[dict[str, Any]] = []
    cum_dur = cum_dist = 0
    r = {"setup": 0, "service": 0, "waiting_time": 0, "priority": 0}
    delivery = [0] * dims
    pickup = [0] * dims
    free = [(i, (int(w[0]), int(w[1]))) for i, w in vi.get("breaks", [])]  # VROOM breaks not yet placed
    for rec in g.to_dict(orient="records"):
        row = {str(k): v for k, v in rec.items()}
        cum_dur += int(row["travel_duration"])
        cum_dist += int(row["travel_distance"])
        kind = row["kind"]
        load = _loads(row, dims)
        if kind in ("start", "end"):
            node = vi["start"] if kind == "start" else vi["end"]
            if node is None:
                continue  # open route: VROOM has no start/end step
            step: dict[str, Any] = {"type": kind, **_place(node, vin), "setup": 0, "service": 0, "waiting_time": 0}
            description = None
        elif kind == "break":  # the input's break whose window holds its start
            t = int(row["start"]) + off
            bid = next((i for i, (a, b) in free if a <= t <= b), None)
            free = [x for x in free if x[0] != bid]
            step = {"type": "break", "id": bid, "service": int(row["service"]), "setup": 0, "waiting_time": 0}
            description = None
        else:
            info = vin.tasks[str(row["order_id"])]
            step = {
                "type": info["type"],
                "id": info["id"],
                **_place(row["node_id"], vin),
                "setup": info["setup"],
                "service": info["service"],
                "waiting_time": int(row["wait"]),
            }
            description = info.get("description")
            r["setup"] += info["setup"]
            r["service"] += info["service"]
            r["waiting_time"] += int(row["wait"])
            if info["type"] != "delivery":  # a shipment's priority counts once
                r["priority"] += info["priority"]
            o = vin.problem.order(str(row["order_id"]))
            target = pickup if o.kind == "pickup" else delivery
            for k in range(dims):
                target[k] += int(round(o.quantities.get(f"dim{k}", 0)))
        step.update(load=load, arrival=int(row["arrival"]) + off, duration=cum_dur, distance=cum_dist)
        if description is not None:
            step["description"] = description
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
    return route


def _unassigned(vin: VroomInput, plan: Plan) -> list[dict[str, Any]]:
    """Unserved orders and tasks no vehicle may serve, as VROOM's ``unassigned`` entries."""
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
    return unassigned


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
