"""Orders from tables: one row per order, as CSV, spreadsheets and GIS layers hold them.

Part of the core model: [Problem.orders_from_frame][logistics.core.problem.Problem.orders_from_frame]
and the file readers call `orders_from_frame`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from logistics.core.errors import ProblemError
from logistics.core.model import Order
from logistics.core.units import DAY, _len

__all__ = ["FLAG_WORDS", "orders_from_frame"]


def orders_from_frame(frame: pd.DataFrame) -> list[Order]:
    """Orders from a DataFrame/GeoDataFrame.

    Columns: ``order_id`` (or index), ``node_id`` or point geometry / ``lon``+``lat``,
    ``kind``, quantities as ``qty_<product>`` columns (or a ``quantities`` dict
    column), ``tw_start``/``tw_end`` (seconds or 'HH:MM') or a ``time_windows``
    list column, ``service``, ``required``, ``penalty``, ``pair``,
    ``shelf_life_h``, ``soft``, ``carrier``, ``vehicle_types`` (a list or a
    ``;``-separated string of fleet type names), ``attributes`` (a mapping of names to text
    per row, carried to the outputs).

    Parameters
    ----------
    frame
        One row per order; empty cells (None or NaN) take the `Order` defaults.  A
        GeoDataFrame in another CRS is reprojected to EPSG:4326 first.

    Returns
    -------
    list of Order
        One order per row, in row order.

    Raises
    ------
    ProblemError
        A cell cannot become an order field (``record`` is the order id, ``field`` the column),
        for example ``time_windows`` that is not a list of pairs, an empty geometry, or a
        ``required``/``soft`` text that is not true/false.
    """
    if "order_id" not in frame.columns:
        frame = frame.reset_index().rename(columns={frame.index.name or "index": "order_id"})
    has_geom = hasattr(frame, "geometry") and "geometry" in frame.columns
    crs = getattr(frame, "crs", None) if has_geom else None
    if isinstance(frame, gpd.GeoDataFrame) and crs is not None and str(crs).upper() not in ("EPSG:4326", "OGC:CRS84"):
        frame = frame.to_crs("EPSG:4326")
    qty_cols = [str(c) for c in frame.columns if str(c).startswith("qty_")]
    orders: list[Order] = []
    # rows as plain dicts: reading cells from a dict is about four times faster than from iterrows' Series
    for row_no, r in enumerate(frame.to_dict("records")):
        rec: Any = r.get("order_id")

        def get(name: str, default: Any = None, r: dict[Any, Any] = r) -> Any:
            return _cell(r, name, default)

        if "quantities" in frame.columns and isinstance(r["quantities"], Mapping):
            q = dict(r["quantities"])
        else:
            q = {c[4:]: r[c] for c in qty_cols if get(c) is not None}
            if not qty_cols and get("demand") is not None:
                q = {"goods": r["demand"]}
        if get("time_windows") is not None:
            try:
                tws = tuple(tuple(w) for w in r["time_windows"])
            except TypeError:  # a number, or a list of numbers
                raise ProblemError(
                    f"order {rec!r} (row {row_no}): time_windows {r['time_windows']!r} is not a list "
                    f"of (start, end) pairs",
                    record=rec,
                    field="time_windows",
                ) from None
        elif get("tw_start") is not None or get("tw_end") is not None:
            tws = ((get("tw_start", 0), get("tw_end", DAY)),)
        else:
            tws = ((0, DAY),)
        lon = get("lon")
        lat = get("lat")
        if has_geom and get("node_id") is None and r["geometry"] is not None:
            if r["geometry"].is_empty:
                raise ProblemError(f"order {rec!r} (row {row_no}): empty geometry", record=rec, field="geometry")
            lon, lat = r["geometry"].x, r["geometry"].y
        orders.append(
            Order(
                id=rec,
                quantities=q,
                node_id=get("node_id"),
                lon=lon,
                lat=lat,
                kind=get("kind", "delivery"),
                time_windows=tws,
                service=get("service", 0),
                required=_flag(get("required", True), rec, "required"),
                penalty=get("penalty"),
                pair=get("pair"),
                shelf_life_h=get("shelf_life_h"),
                soft=_flag(get("soft", False), rec, "soft"),
                carrier=get("carrier"),
                vehicle_types=_vehicle_types(get("vehicle_types")),
                attributes=get("attributes"),
            )
        )
    return orders


def _cell(row: Mapping[Any, Any], name: str, default: Any = None) -> Any:
    """A frame cell, ``default`` when the column is missing or the cell is empty (None or NaN)."""
    v = row.get(name, default)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return default
    return v


def _vehicle_types(value: Any) -> tuple[str, ...] | None:
    """A frame cell of vehicle type names: a list, or 'a;b' text as CSV files hold it."""
    if value is None:
        return None
    if isinstance(value, str):
        names = [v.strip() for v in value.split(";") if v.strip()]
        return tuple(names) if names else None
    if _len(value) is None:
        bad: tuple[str, ...] = value  # not a list: Order names the field
        return bad
    return tuple(str(v) for v in value)


#: Words read as true or false in flag columns (``required``, ``soft``), lower-cased.
FLAG_WORDS = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "t": True,
    "f": False,
    "1": True,
    "0": False,
}


def _flag(value: object, record: object, field: str) -> bool:
    """A frame cell as a boolean: bools and numbers as Python sees them, text as true/false/yes/no/1/0."""
    if isinstance(value, str):
        b = FLAG_WORDS.get(value.strip().lower())
        if b is None:
            raise ProblemError(f"order {record!r}: {field} {value!r} is not true/false", record=record, field=field)
        return b
    if isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        return bool(value)
    raise ProblemError(f"order {record!r}: {field} {value!r} is not true/false", record=record, field=field)
