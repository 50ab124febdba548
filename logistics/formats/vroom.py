"""VROOM interoperability: read VROOM's JSON input as a Problem, write a Plan as VROOM's output.

``read_vroom(path_or_dict)`` returns a [VroomInput][logistics.formats.vroom_write.VroomInput] (the Problem plus the
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

import time
from typing import Any

from logistics.core.errors import ProblemError
from logistics.core.model import Order, Product, VehicleType
from logistics.core.problem import Problem
from logistics.formats.vroom_build import build_fleet, build_orders, horizon_and_penalty, travel_matrix
from logistics.formats.vroom_read import Tasks, read_vehicles
from logistics.formats.vroom_sections import Places, check_sections, dimensions, read_matrices, time_offset
from logistics.formats.vroom_values import OPEN, ZONES_BY_DIM, _Err, free_costs, load_document
from logistics.formats.vroom_write import VroomInput, error_output, plan_to_vroom, unassigned_reasons

__all__ = ["OPEN", "ZONES_BY_DIM", "VroomInput", "error_output", "plan_to_vroom", "read_vroom", "unassigned_reasons"]


# --------------------------------------------------------------------------- reading


def read_vroom(
    source: Any, *, name: str | None = None, where: str | None = None, plan_mode: bool = False
) -> VroomInput:
    """Translate a VROOM input (path, JSON text or dict) into a [VroomInput][logistics.formats.vroom_write.VroomInput].

    Parameters
    ----------
    source
        A path to a VROOM JSON file, the JSON text, or the parsed mapping.
    name
        The problem's name (default ``"vroom"``).
    where
        How errors name the document (default: the file name).
    plan_mode
        Plan mode (``-c``): vehicles' ``steps`` are accepted (see ``logistics.formats.vroom_plan``).

    Returns
    -------
    VroomInput
        The problem and what [plan_to_vroom][logistics.formats.vroom_write.plan_to_vroom] needs to answer
        in VROOM's terms.

    Raises
    ------
    ProblemError
        The input is invalid, or uses a VROOM field that is not supported; ``field`` is the JSON
        path of the offending value.
    """
    t0 = time.perf_counter()
    raw, where = load_document(source, where)
    err = _Err(where)
    jobs, shipments, vehicles, notes = check_sections(raw, err, plan_mode=plan_mode)
    durations, distances = read_matrices(raw, vehicles, err)
    places = Places(err, durations.shape[0] if durations is not None else 0)
    dims = dimensions(jobs, shipments, vehicles, err)
    nd = max(dims, 1)
    products = {
        f"dim{k}": Product(f"dim{k}", zone=ZONES_BY_DIM[k], carriers=(ZONES_BY_DIM[k],), unit="unit") for k in range(nd)
    }
    offset = time_offset(jobs, shipments, vehicles)
    vinfo, specs = read_vehicles(vehicles, places, offset, err)
    tasks = Tasks(err, places, vinfo, offset, nd)
    tasks.read_jobs(jobs)
    tasks.read_shipments(shipments)
    has_distances = distances is not None or durations is None
    if not has_distances:
        for vt in specs:
            if vt.per_km:
                raise err(f"{vt.path}.costs.per_km", "a cost per km needs a distances matrix (matrices.*.distances)")
    _check_setups(tasks, vinfo, err)
    if durations is None:
        notes.append("no matrix: travel from great-circle distances x 1.3 at 45 km/h (VROOM asks a routing engine)")
    needs_open = any(vi["start"] is None or vi["end"] is None for vi in vinfo.values())
    matrix = travel_matrix(durations, distances, places, needs_open, err)
    horizon, base, step = horizon_and_penalty(tasks.order_kw, specs, matrix)
    top = max((kw["priority"] for kw in tasks.order_kw), default=0)
    if top and step < len(tasks.order_kw) + 1:
        notes.append("costs are very large: priorities rank plans approximately (capped penalties)")
    fleet = build_fleet(specs, tasks.totals, horizon, err)
    orders = build_orders(tasks.order_kw, horizon, base, step, err)
    meta = {"coords": places.coords, "source": "vroom", "time_offset": offset}
    problem = _problem(orders, fleet, products, matrix, name or "vroom", meta, tasks, vinfo, err)
    return VroomInput(
        problem=problem,
        raw=raw,
        tasks=tasks.tasks,
        vehicles=vinfo,
        dims=dims,
        offset=offset,
        unassignable=tasks.unassignable,
        notes=notes,
        loading_ms=int(round((time.perf_counter() - t0) * 1000)),
        has_distances=has_distances,
        where=where,
    )


def _check_setups(tasks: Tasks, vinfo: dict[str, dict[str, Any]], err: _Err) -> None:
    """A setup time is exact when its task's place is nobody else's; else it is refused.

    VROOM skips ``setup`` for a task done at the place the vehicle already is; our orders carry
    one service time, which is exact when no other task or vehicle start shares the place.
    """
    shared: dict[str, int] = {}
    for kw in tasks.order_kw:
        shared[kw["node_id"]] = shared.get(kw["node_id"], 0) + 1
    for vi in vinfo.values():
        if vi["start"] is not None:
            shared[vi["start"]] = shared.get(vi["start"], 0) + 1
    for kw in tasks.order_kw:
        info = tasks.tasks.get(kw["id"])
        if info is not None and info["setup"] and shared[kw["node_id"]] > 1:
            raise err(
                f"{info['path']}.setup",
                "a setup time at a place shared with another task or a vehicle start is not supported "
                "(VROOM skips it when the vehicle is already there)",
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
