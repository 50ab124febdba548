"""VROOM input values checked one by one: integers, amounts, coordinates, windows and matrices.

Every check raises a [ProblemError][logistics.core.errors.ProblemError] naming the document and the JSON
path of the value, so a VROOM user can fix their input without knowing our model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.units import DAY, MAX_PENALTY, Zone
from logistics.formats.documents import MAX_JOB_BYTES, check_input_file, check_numbers, decode_text
from logistics.formats.json_read import parse_json

# --------------------------------------------------------------------------- constants

# Capacity dimension k rides compartments of this zone (one zone per dimension).
ZONES_BY_DIM = (Zone.AMBIENT, Zone.CHILLED, Zone.FRESH, Zone.FROZEN)
OPEN = "vroom:open"  # the virtual place of open route starts/ends
SHIFT_THRESHOLD = 7 * DAY  # times beyond this are treated as absolute timestamps and shifted
# A task left out costs base x (1 + step x priority), twice for a shipment's pair: the base is
# capped so that twice the priority-0 penalty stays well within what an Order accepts (MAX_PENALTY).
MAX_PENALTY_BASE = MAX_PENALTY / 4
#: Largest travel time (s) or distance (m) in a matrix: beyond it the int64 arithmetic of the
#: engines overflows (a week is 604,800 s; the Earth's circumference 4e7 m).
MAX_TRAVEL_VALUE = 1e12
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
    "setup_per_type",
    "service_per_type",
}
STEP_KEYS = {
    "id",
    "description",
    "location",
    "location_index",
    "setup",
    "service",
    "time_windows",
    "setup_per_type",
    "service_per_type",
}
SHIPMENT_KEYS = {"pickup", "delivery", "amount", "skills", "priority"}
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
    "type",
}
#: VROOM's ``speed_factor`` range: (0, MAX_SPEED_FACTOR].
MAX_SPEED_FACTOR = 5.0


def free_costs() -> CostModel:
    """A cost model with no fuel, refrigeration, window or freshness costs.

    VROOM optimises the vehicles' own costs only.  A fresh object per problem, as its decay
    table is a dict.

    Returns
    -------
    CostModel
        The model; vehicle fixed, per-hour and per-km costs still apply.
    """
    return CostModel(
        diesel_price=0.0,
        carbon_price=0.0,
        reefer_drive_per_h=0.0,
        reefer_door_per_h=0.0,
        early_per_h=0.0,
        late_per_h=0.0,
        decay_per_h=dict.fromkeys(Zone, 0.0),
    )


# --------------------------------------------------------------------------- checked values


def load_document(source: Any, where: str | None) -> tuple[dict[str, Any], str]:
    """``(document, where)`` from a mapping, JSON text or a file path; ``where`` names it in errors.

    Parameters
    ----------
    source
        A mapping, JSON text (starting with ``{``) or a path to a JSON file.
    where
        Name for errors; defaults to the file name, or ``"vroom input"``.

    Returns
    -------
    tuple of (dict, str)
        A copy of the document and the name errors use.

    Raises
    ------
    ProblemError
        The file is missing, not JSON, or not a JSON object.
    """
    if isinstance(source, Mapping):
        where = where or "vroom input"
        check_numbers(source, where)
        return dict(source), where
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text, where = source, where or "vroom input"
    else:
        p = Path(source)
        where = where or p.name
        check_input_file(p, MAX_JOB_BYTES, what="VROOM input file", where=where)
        text = decode_text(p.read_bytes(), where)
    data = parse_json(text, where)
    if not isinstance(data, dict):
        raise ProblemError(f"{where}: a VROOM input is a JSON object", record=where)
    return data, where


class _Err:
    """Builds errors that name the document (record) and the JSON path (field)."""

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


def _coords(v: Any, err: _Err, path: str, *, display_only: bool = False) -> tuple[float, float]:
    """``(lon, lat)``; with ``display_only`` (a matrix places the task) any two numbers, as VROOM only echoes them."""
    if not isinstance(v, list) or len(v) != 2:
        raise err(path, "expected [lon, lat]")
    lon, lat = (_num(x, err, f"{path}[{k}]", minimum=None) for k, x in enumerate(v))
    if not display_only and not (-180 <= lon <= 180 and -90 <= lat <= 90):
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
    if (a > MAX_TRAVEL_VALUE).any():
        i, j = np.argwhere(a > MAX_TRAVEL_VALUE)[0]
        raise err(f"{path}[{i}][{j}]", f"{v[i][j]!r} is out of range (at most {MAX_TRAVEL_VALUE:.0e})")
    return np.rint(a).astype(np.int64)
