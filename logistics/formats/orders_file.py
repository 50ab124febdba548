"""Orders in a job: inline records, or a CSV / GeoJSON / GeoPackage file of orders.

Both give ``(orders, row_of)``: the [Order][logistics.core.model.Order] objects and each order's
row, so an error the model raises later (an unknown product, a window past the shift) can be
reported at ``orders[<row>]`` of the user's file.  Files are read as text first and cleaned per
column (flags, times, windows, quantities) so a bad cell is named by row and column instead of
surfacing as a pandas dtype error.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from logistics.core.errors import ProblemError, ProblemErrors
from logistics.core.frames import FLAG_WORDS
from logistics.core.model import Order
from logistics.core.problem import orders_from_frame
from logistics.formats.documents import MAX_NUMBER, check_input_file, prefixed_error, resolve_path
from logistics.formats.job_checks import ErrorLog

#: Orders read from a file by default: reading costs about 8 s per 100,000 rows, so a larger file
#: would spend the run's time limit before the search starts.  Raise it with ``limits.orders_rows``
#: in the job or ``--max-orders`` on the command line.
MAX_ORDER_ROWS = 50_000
#: Largest orders file read by default (``limits.orders_mb``, ``--max-orders-mb``).
MAX_ORDERS_MB = 64.0


@dataclass(frozen=True)
class ReadLimits:
    """How much of an orders file is read: rows and size (both refused up front when exceeded).

    Parameters
    ----------
    orders_rows
        Most orders a file may hold.
    orders_mb
        Largest file, in MiB.
    """

    orders_rows: int = MAX_ORDER_ROWS
    orders_mb: float = MAX_ORDERS_MB

    def merged(self, spec: Mapping[str, Any] | None) -> ReadLimits:
        """These limits with the fields of ``spec`` (a job's ``limits`` block) that are set.

        Parameters
        ----------
        spec
            ``{"orders_rows": ..., "orders_mb": ...}``; missing or ``None`` fields keep ours.

        Returns
        -------
        ReadLimits
            The combined limits.
        """
        spec = spec or {}
        return ReadLimits(
            orders_rows=int(spec.get("orders_rows") or self.orders_rows),
            orders_mb=float(spec.get("orders_mb") or self.orders_mb),
        )


def _order_kwargs(rec: Mapping[str, Any]) -> dict[str, Any]:
    kw = dict(rec)
    kw["id"] = str(kw["id"])
    kw.setdefault("quantities", {})
    for f in ("node_id", "pair"):
        if kw.get(f) is not None:
            kw[f] = str(kw[f])
    if "time_windows" in kw:
        kw["time_windows"] = tuple(tuple(w) for w in kw["time_windows"])
    return kw


def orders_inline(
    spec: list[Mapping[str, Any]], where: str, *, log: ErrorLog | None = None, rows: list[int] | None = None
) -> tuple[list[Order], dict[str, int]]:
    """Orders written in the job itself, and each order's index in the ``orders`` list.

    Parameters
    ----------
    spec
        The job's ``orders`` list (schema-checked records).
    where
        The job's name, for errors.
    log
        An [ErrorLog][logistics.formats.job_checks.ErrorLog] that keeps each bad order's error
        (the others are still read); ``None`` raises the first.
    rows
        The indices to read (default all): records that failed the schema are left out.

    Returns
    -------
    tuple of (list of Order, dict)
        The orders, and order id to its index (for errors the model raises later).
    """
    orders: list[Order] = []
    row_of: dict[str, int] = {}
    for k in range(len(spec)) if rows is None else rows:
        rec = spec[k]
        try:
            o = Order(**_order_kwargs(rec))
            if o.id in row_of:
                raise ProblemError(
                    f"{where}: orders[{k}].id: order {o.id!r} appears more than once (first at orders[{row_of[o.id]}])",
                    record=o.id,
                    field=f"orders[{k}].id",
                )
        except ProblemError as e:
            err = e if str(e).startswith(f"{where}: orders[{k}]") else prefixed_error(e, where, f"orders[{k}]")
            if log is None:
                raise err from None
            log.add(err)
            continue
        row_of[o.id] = k
        orders.append(o)
    return orders, row_of


# an empty cell leaves the flag at its default
_BOOL: dict[str, bool | None] = {**FLAG_WORDS, "": None}


def _parse_windows_text(text: str) -> list[tuple[Any, ...]]:
    """'08:00-10:00;14:00-16:00' or a JSON list [[a, b], ...]."""
    t = text.strip()
    if t.startswith("["):
        windows = json.loads(t)
        if not all(isinstance(w, list) and len(w) == 2 for w in windows):
            raise ValueError(f"time windows {t[:60]!r} are not a list of [start, end] pairs")
        for w in windows:
            for v in w:
                if not isinstance(v, (int, float, str)) or isinstance(v, bool):
                    raise ValueError(f"time window bound {v!r} is not a time")
                if isinstance(v, (int, float)) and not abs(v) <= MAX_NUMBER:
                    raise ValueError(f"time window bound {v!r} is out of range")
        return [tuple(w) for w in windows]
    out: list[tuple[Any, ...]] = []
    for part in re.split(r"[;|]", t):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\S+?)\s*[-–]\s*(\S+)", part)
        if not m:
            raise ValueError(f"time window {part!r} is not 'start-end'")
        a, b = m.group(1), m.group(2)
        out.append((_whole(a), _whole(b)))
    return out


TEXT_COLUMNS = ("order_id", "id", "node_id", "pair", "carrier", "kind", "time_windows", "tw_start", "tw_end", "service")
#: Columns read as numbers; every other column is read as text.
NUMBER_COLUMNS = ("lon", "lat", "penalty", "shelf_life_h", "demand")
#: Columns that are order fields; any other column is carried along as an order attribute.
ORDER_COLUMNS = frozenset(
    (*TEXT_COLUMNS, *NUMBER_COLUMNS, "required", "soft", "vehicle_types", "quantities", "geometry")
)
#: The ``kind`` of a row that places a depot (by ``lon``/``lat`` or a point) instead of an order.
DEPOT_KIND = "depot"


@dataclass(frozen=True)
class OrdersRead:
    """What an orders file holds: the orders, each order's row, and the depots it places.

    Parameters
    ----------
    orders
        One order per order row, in file order.
    row_of
        Order (and depot) id to its data row, for errors.
    depots
        Depot id to ``(lon, lat)`` from the rows of kind ``depot``.
    """

    orders: list[Order]
    row_of: dict[str, int]
    depots: dict[str, tuple[float, float]] = field(default_factory=dict)


def orders_from_file(
    spec: str, base: Path, where: str, allow_outside: bool, limits: ReadLimits | None = None
) -> tuple[list[Order], dict[str, int]]:
    """Orders from a CSV / GeoJSON / GeoPackage file named by the job's ``orders`` field.

    Parameters
    ----------
    spec
        The file, relative to the job's folder ``base``.
    base, allow_outside
        The job's folder, and whether the file may lie outside it.
    where
        The job's name, for errors.
    limits
        Most rows and bytes read (default `ReadLimits()`); pipes and devices are refused.

    Returns
    -------
    tuple of (list of Order, dict)
        The orders, and order id to its row in the file (errors name ``orders[<row>]``).
    """
    read = read_orders_file(spec, base, where, allow_outside, limits)
    return read.orders, read.row_of


def read_orders_file(
    spec: str,
    base: Path,
    where: str,
    allow_outside: bool,
    limits: ReadLimits | None = None,
    log: ErrorLog | None = None,
) -> OrdersRead:
    """Orders, and depots placed by coordinates, from the file named by the job's ``orders`` field.

    Columns that are not order fields (customer name, address, phone, ...) become each
    order's ``attributes``, as text exactly as written; rows of kind ``depot`` place a depot at
    their ``lon``/``lat`` (or point) under their id, for the fleet's ``start_depot``.

    Parameters
    ----------
    spec
        The file, relative to the job's folder ``base``.
    base, allow_outside
        The job's folder, and whether the file may lie outside it.
    where
        The job's name, for errors.
    limits
        Most rows and bytes read (default `ReadLimits()`).
    log
        Keeps the errors of bad rows, in row order, and the rows that are good are returned;
        ``None`` raises them (one as itself, several as a `ProblemErrors`).

    Returns
    -------
    OrdersRead
        The orders, their rows and the depots.

    Raises
    ------
    ProblemError
        The file cannot be read, or (without ``log``) a cell is invalid; the field is
        ``orders[<row>].<column>``.
    """
    p = resolve_path(base, spec, "orders", allow_outside=allow_outside, where=where)
    frame = _read_frame(p, where, limits or ReadLimits())
    ids = list(frame["order_id"])
    bad = _BadCells()
    for col in ("required", "soft"):
        if col in frame.columns:
            frame[col] = _flags(frame[col], col, ids, p.name, where, bad)
    for col in ("service", "tw_start", "tw_end"):
        if col in frame.columns:
            frame[col] = _times(frame, col, p.name, where, bad)
    if "time_windows" in frame.columns:
        frame["time_windows"] = _windows(frame, p.name, where, bad)
    for col in [str(c) for c in frame.columns if str(c).startswith("qty_")]:
        if frame[col].dtype == object:
            frame[col] = _quantities(frame, col, p.name, where, bad)
    row_of = _rows(frame, p.name, where, bad)
    depot_rows = [r for r, k in enumerate(frame["kind"]) if k == DEPOT_KIND] if "kind" in frame.columns else []
    depots: dict[str, tuple[float, float]] = {}
    for r in depot_rows:
        try:
            depots[str(frame.at[r, "order_id"])] = _depot_point(frame, r, p.name, where)
        except ProblemError as e:
            bad.add(r, e)
    attributes = _attributes(frame)
    if attributes:
        frame["attributes"] = pd.Series([a or None for a in attributes], index=frame.index, dtype=object)
    keep = [r for r in range(len(frame)) if r not in bad.rows and r not in set(depot_rows)]
    orders = _orders_of_rows(frame, keep, row_of, p.name, where, bad)
    if bad.errors:
        err = _file_errors(bad.errors, p.name, where)
        if log is None:
            raise err
        log.add(err)
    return OrdersRead(orders, row_of, depots)


#: Most errors of one orders file listed; the rest are counted.
MAX_FILE_ERRORS = 50


def _orders_of_rows(
    frame: pd.DataFrame, keep: list[int], row_of: dict[str, int], fname: str, where: str, bad: _BadCells
) -> list[Order]:
    """The orders of rows ``keep``: all at once, and row by row only when some row is bad (to name each)."""
    sub = frame if len(keep) == len(frame) else frame.iloc[keep]
    try:
        return orders_from_frame(sub)
    except ProblemError:
        pass
    orders: list[Order] = []
    for r in keep:
        try:
            orders += orders_from_frame(frame.iloc[[r]])
        except ProblemError as e:
            err = prefixed_error(e, where, f"orders[{r}]")
            bad.add(r, ProblemError(f"{err} ({fname} row {r})", record=e.record, field=err.field))
            if len(bad.errors) > MAX_FILE_ERRORS:
                break
    return orders


def _file_errors(errors: list[ProblemError], fname: str, where: str) -> ProblemError:
    """An orders file's errors in row order: one as itself, several together (at most `MAX_FILE_ERRORS`)."""
    errors = sorted(errors, key=lambda e: _row_number(e.field))
    if len(errors) == 1:
        return errors[0]
    shown = errors[:MAX_FILE_ERRORS]
    if len(errors) > MAX_FILE_ERRORS:
        more = f"{where}: orders: {fname}: more rows have errors; fix these first"
        shown.append(ProblemError(more, record=where, field="orders"))
    return ProblemErrors(shown)


def _row_number(field: str | None) -> int:
    m = re.match(r"orders\[(\d+)\]", field or "")
    return int(m.group(1)) if m else -1


def _attributes(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Per row, the cells of the columns that are not order fields, as text (empty cells left out)."""
    extra = [c for c in frame.columns if str(c) not in ORDER_COLUMNS and not str(c).startswith("qty_")]
    if not extra:
        return []
    columns = [(str(c), [_text(v) for v in frame[c].tolist()]) for c in extra]
    return [{name: cells[r] for name, cells in columns if cells[r] != ""} for r in range(len(frame))]


def _text(v: Any) -> str:
    """A cell as the text a user wrote: strings untouched, whole numbers without ``.0``, empty as ``''``."""
    if _missing(v):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _depot_point(frame: pd.DataFrame, row: int, fname: str, where: str) -> tuple[float, float]:
    """``(lon, lat)`` of a depot row, from its point geometry or its ``lon``/``lat`` cells."""
    g = frame.geometry.iat[row] if isinstance(frame, gpd.GeoDataFrame) and "geometry" in frame.columns else None
    cells = [frame[c].iat[row] if c in frame.columns else None for c in ("lon", "lat")]
    if g is not None and not g.is_empty:
        lon, lat = float(g.x), float(g.y)
    else:
        if any(_missing(v) for v in cells):
            fp = f"orders[{row}].lon"
            raise ProblemError(
                f"{where}: {fp}: {fname} row {row}: a depot row needs lon and lat (or a point)",
                record=frame.at[row, "order_id"],
                field=fp,
            )
        lon, lat = float(cells[0]), float(cells[1])  # type: ignore[arg-type]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        fp = f"orders[{row}].lon"
        raise ProblemError(
            f"{where}: {fp}: {fname} row {row}: depot position ({lon}, {lat}) is not a longitude and latitude",
            record=frame.at[row, "order_id"],
            field=fp,
        )
    return lon, lat


def _read_frame(p: Path, where: str, limits: ReadLimits) -> pd.DataFrame:
    """The file as a frame with an ``order_id`` column; id-like columns as text (or ``None``)."""
    suffix = p.suffix.lower()
    check_input_file(p, int(limits.orders_mb * 2**20), what="orders file", where=where, field="orders")
    try:
        if suffix == ".csv":
            header = pd.read_csv(p, nrows=0).columns
            str_cols = {c: str for c in header if c not in NUMBER_COLUMNS and not str(c).startswith("qty_")}
            frame = pd.read_csv(p, dtype=str_cols, keep_default_na=False, na_values=[""], nrows=limits.orders_rows + 1)
        elif suffix in (".geojson", ".gpkg", ".json"):
            frame = gpd.read_file(p, max_features=limits.orders_rows + 1)
        else:
            raise ProblemError(
                f"{where}: orders: {p.name}: orders are a .csv, .geojson or .gpkg file", record=where, field="orders"
            )
    except ProblemError:
        raise
    except Exception as e:
        raise ProblemError(f"{where}: orders: cannot read {p.name}: {e}", record=where, field="orders") from None
    if len(frame) > limits.orders_rows:
        raise ProblemError(
            f"{where}: orders: {p.name} holds more than {limits.orders_rows:,} orders, the reading limit; raise it "
            f"with limits.orders_rows in the job or --max-orders",
            record=where,
            field="orders",
        )
    frame = frame.reset_index(drop=True)
    if "order_id" not in frame.columns and "id" in frame.columns:
        frame = frame.rename(columns={"id": "order_id"})
    if "order_id" not in frame.columns:
        raise ProblemError(f"{where}: orders: {p.name} has no order_id column", record=where, field="orders")
    for col in ("order_id", "node_id", "pair", "kind", "carrier"):
        if col in frame.columns:
            frame[col] = pd.Series(
                [None if _missing(v) else str(v) for v in frame[col]], index=frame.index, dtype=object
            )
    _check_points(frame, p.name, where)
    return frame


def _check_points(frame: pd.DataFrame, fname: str, where: str) -> None:
    """Orders are places: a line or polygon geometry names its row instead of failing later."""
    if not isinstance(frame, gpd.GeoDataFrame) or "geometry" not in frame.columns:
        return
    for row, g in enumerate(frame.geometry):
        if g is not None and not g.is_empty and g.geom_type != "Point":
            fp = f"orders[{row}].geometry"
            raise ProblemError(
                f"{where}: {fp}: {fname} row {row}: a {g.geom_type} geometry; an order is a Point (or give node_id)",
                record=frame.at[row, "order_id"],
                field=fp,
            )


class _BadCells:
    """The bad cells of an orders file: every one is reported, and its row is not read as an order."""

    def __init__(self) -> None:
        self.errors: list[ProblemError] = []
        self.rows: set[int] = set()

    def add(self, row: int, error: ProblemError) -> None:
        self.errors.append(error)
        self.rows.add(row)


def _flags(column: pd.Series, col: str, ids: list[Any], fname: str, where: str, bad: _BadCells) -> pd.Series:
    """true/false/yes/no/1/0 cells as booleans (empty: ``None``); anything else names the row."""
    values: list[Any] = []
    for row, v in enumerate(column):
        if isinstance(v, str):
            b = _BOOL.get(v.strip().lower(), "bad")
            if b == "bad":
                fp = f"orders[{row}].{col}"
                bad.add(
                    row,
                    ProblemError(
                        f"{where}: {fp}: {fname} row {row}: {v!r} is not true/false", record=ids[row], field=fp
                    ),
                )
                b = None
            v = b
        values.append(None if _missing(v) else v)
    return pd.Series(values, index=column.index, dtype=object)


def _times(frame: pd.DataFrame, col: str, fname: str, where: str, bad: _BadCells) -> pd.Series:
    """Whole seconds as integers and GDAL's times of day as seconds; 'HH:MM' text is left for Order."""
    values: list[Any] = []
    for row, v in enumerate(frame[col]):
        if isinstance(v, str) and re.fullmatch(r"\s*\d{1,30}\s*", v):
            v = int(v)
        elif isinstance(v, _dt.time):  # GDAL reads 'HH:MM' in GeoJSON as a time of day
            v = v.hour * 3600 + v.minute * 60 + v.second
        if isinstance(v, (int, float)) and not isinstance(v, bool) and not abs(v) <= MAX_NUMBER and not _missing(v):
            fp = f"orders[{row}].{col}"
            msg = f"{where}: {fp}: {fname} row {row}: {v!r} is out of range"
            bad.add(row, ProblemError(msg, record=frame.at[row, "order_id"], field=fp))
            v = None
        values.append(None if _missing(v) else v)
    return pd.Series(values, index=frame.index, dtype=object)


def _windows(frame: pd.DataFrame, fname: str, where: str, bad: _BadCells) -> pd.Series:
    """``time_windows`` cells ('08:00-10:00;14:00-16:00' or JSON) as lists of pairs."""
    parsed: list[Any] = []
    for row, v in enumerate(frame["time_windows"]):
        if _missing(v):
            parsed.append(None)
            continue
        if isinstance(v, str):
            try:
                parsed.append(_parse_windows_text(v))
            except ValueError as e:
                fp = f"orders[{row}].time_windows"
                bad.add(
                    row,
                    ProblemError(f"{where}: {fp}: {fname} row {row}: {e}", record=frame.at[row, "order_id"], field=fp),
                )
                parsed.append(None)
        else:
            parsed.append(v)
    return pd.Series(parsed, index=frame.index, dtype=object)


def _quantities(frame: pd.DataFrame, col: str, fname: str, where: str, bad: _BadCells) -> pd.Series:
    """A ``qty_<product>`` text column as numbers (empty: NaN); a bad cell names row and product."""
    values: list[float] = []
    for row, v in enumerate(frame[col]):
        if _missing(v):
            values.append(math.nan)
            continue
        try:
            values.append(float(v))
        except (TypeError, ValueError):
            fp = f"orders[{row}].quantities.{col[4:]}"
            msg = f"{where}: {fp}: {fname} row {row}: {v!r} is not a number"
            bad.add(row, ProblemError(msg, record=frame.at[row, "order_id"], field=fp))
            values.append(math.nan)
    return pd.Series(values, index=frame.index, dtype=float)


def _rows(frame: pd.DataFrame, fname: str, where: str, bad: _BadCells) -> dict[str, int]:
    """Order id to its row; a repeated id is an error naming both rows."""
    row_of: dict[str, int] = {}
    for row, rid in enumerate(frame["order_id"]):
        if rid is not None:
            if rid in row_of:
                msg = (
                    f"{where}: orders[{row}].id: order {rid!r} appears more than once "
                    f"({fname} rows {row_of[rid]} and {row})"
                )
                bad.add(row, ProblemError(msg, record=rid, field=f"orders[{row}].id"))
                continue
            row_of[rid] = row
    return row_of


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v.strip() == "")


def _whole(text: str) -> Any:
    """Digits as an int (at most 15 of them: larger is no time); other text is left for Order to parse."""
    return int(text) if text.isdigit() and len(text) <= 15 else text
