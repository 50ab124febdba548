"""Building the Problem from a read VROOM input: travel matrix, horizon and penalties, fleet and orders."""

from __future__ import annotations

from typing import Any

import numpy as np

from logistics.core.errors import ProblemError
from logistics.core.model import Compartment, Order, VehicleType
from logistics.core.units import DAY, MAX_PENALTY
from logistics.formats.vroom_read import VehicleSpec
from logistics.formats.vroom_sections import Places
from logistics.formats.vroom_values import (
    MAX_PENALTY_BASE,
    OPEN,
    ZONES_BY_DIM,
    _Err,
)
from networks import TravelMatrix, great_circle_matrix

# --------------------------------------------------------------------------- building the problem


def travel_matrix(
    durations: np.ndarray | None,
    distances: np.ndarray | None,
    places: Places,
    needs_open: bool,
    err: _Err,
) -> TravelMatrix:
    """The given matrices, or great-circle travel between the coordinates.

    Parameters
    ----------
    durations
        The given durations (seconds), or ``None``.
    distances
        The given distances (metres), or ``None`` (0 inside; the output then has no distances).
    places
        The places read.
    needs_open
        Add the virtual `OPEN` place (zero travel to and from everywhere), for vehicles
        without a start or an end.
    err
        Builds `ProblemError`s that name the document and the JSON path.

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
    else:
        ids = list(places.places)
        if not ids:
            raise err("jobs", "no locations")
        xy = [places.places[k] for k in ids]
        lon = np.array([p[0] for p in xy if p is not None])
        lat = np.array([p[1] for p in xy if p is not None])
        gc = great_circle_matrix(ids, lon, lat)
        dur, dist = gc.duration, gc.distance
    if needs_open:
        dur = np.pad(dur, ((0, 1), (0, 1)))
        dist = np.pad(dist, ((0, 1), (0, 1)))
        ids = ids + [OPEN]
    given = durations is not None
    return TravelMatrix(
        tuple(ids), dist, dur, synthetic=not given, source="vroom matrices" if given else "great-circle"
    )


def horizon_and_penalty(
    order_kw: list[dict[str, Any]], specs: list[VehicleSpec], matrix: TravelMatrix
) -> tuple[int, float, float]:
    """A horizon long enough for any route, and the penalty weights that give VROOM's ranking of plans.

    VROOM ranks plans by the sum of the priorities served, then the number of tasks served, then
    cost.  A task left out costs ``base × (1 + step × priority)``: ``base`` is above any plan's cost
    and ``step`` above the number of tasks, so one more priority point outweighs any number of
    tasks and one more task any cost.

    Parameters
    ----------
    order_kw
        The orders' fields, before they become `Order`s.
    specs
        The vehicles.
    matrix
        The travel matrix.

    Returns
    -------
    tuple of (int, float, float)
        ``(horizon in seconds, base, step)``; ``step`` is lowered when the penalties would exceed
        what an order accepts (the ranking of priorities is then approximate, see `exact_priorities`).
    """
    dur, dist = matrix.duration, matrix.distance
    tw_ends = [b for kw in order_kw for (_, b) in (kw["time_windows"] or ())]
    tw_ends += [vt.tw[1] for vt in specs if vt.tw is not None]
    tw_ends += [b.window[1] + b.duration for vt in specs for b in vt.breaks]
    total_service = sum(kw["service"] for kw in order_kw)
    max_dur = int(dur.max()) if dur.size else 0
    horizon = int(max([DAY] + tw_ends + [total_service + max_dur * (len(order_kw) + 1)]))
    max_dist = int(dist.max()) if dist.size else 0
    base = 1.0
    legs = len(order_kw) + len(specs)
    for vt in specs:
        base += vt.fixed
    base += max((vt.per_hour * max_dur / 3600.0 + vt.per_km * max_dist / 1000.0 for vt in specs), default=0.0) * legs
    base = min(base, MAX_PENALTY_BASE)
    top = max((kw["priority"] for kw in order_kw), default=0)
    step = float(len(order_kw) + 1)
    if top and base * 2 * (1 + step * top) > MAX_PENALTY:
        step = max(0.0, (MAX_PENALTY / (2 * base) - 1) / top)
    return horizon, base, step


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
                    cost_per_travel_hour=vt.per_hour,
                    shift=shift,
                    max_travel_time=vt.max_travel_time,
                    max_distance=vt.max_distance,
                    max_tasks=vt.max_tasks,
                    breaks=vt.breaks,
                    max_driving_h=None,  # VROOM has no continuous-driving rule
                    speed_factor=1.0 / vt.speed,
                    refrigerated=False,
                )
            )
        except ProblemError as e:
            raise err(f"{vt.path}", str(e)) from None
    return fleet


def build_orders(order_kw: list[dict[str, Any]], horizon: int, base: float, step: float, err: _Err) -> list[Order]:
    """Optional orders whose penalty ranks plans as VROOM does (see `horizon_and_penalty`).

    Parameters
    ----------
    order_kw
        The orders' fields, each with its JSON ``path`` and ``priority``.
    horizon
        Seconds; the window of tasks without one.
    base, step
        Penalty weights from `horizon_and_penalty`: a task left out costs ``base × (1 + step ×
        priority)``; a shipment is two tasks left out together: its pickup carries twice that and
        its delivery nothing, so every engine and the plan's KPIs count the pair's penalty once.
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
        tasks = (2 if kw["kind"] == "pickup" else 0) if kw.get("pair") else 1
        try:
            orders.append(
                Order(**kw, time_windows=tws, required=False, penalty=round(tasks * base * (1 + step * pr), 4))
            )
        except ProblemError as e:
            raise err(f"{path}.{e.field}" if e.field else path, str(e)) from None
    return orders
