"""Shared parts of the classic-instance readers.

Line scanning with positions for error messages, format detection, Euclidean matrices in each
format's convention, best-known solution lookup and the Problem the readers build.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from logistics.core.errors import ProblemError
from logistics.core.model import Compartment, VehicleType
from logistics.core.problem import Problem
from logistics.core.units import DAY, Zone

FORMATS = ("solomon", "vrplib", "lilim", "cordeau")
_ALIASES = {
    "homberger": "solomon",
    "gehring-homberger": "solomon",
    "vrptw": "solomon",
    "cvrplib": "vrplib",
    "cvrp": "vrplib",
    "tsplib": "vrplib",
    "li-lim": "lilim",
    "pdptw": "lilim",
    "mdvrp": "cordeau",
}
_DEFAULTS = {"solomon": (10, "floor"), "lilim": (100, "round"), "cordeau": (100, "round")}
BKS_COLUMNS = {"solomon": "distance_dimacs", "vrplib": "bks", "lilim": "distance", "cordeau": "bks"}


# --------------------------------------------------------------------------- helpers


def _canonical(fmt: str) -> str:
    f = str(fmt).lower().strip()
    f = _ALIASES.get(f, f)
    if f not in FORMATS:
        raise ProblemError(
            f"unknown instance format {fmt!r}; use one of {', '.join(FORMATS)}", record=fmt, field="format"
        )
    return f


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise ProblemError(f"{path}: cannot read ({e})", record=str(path), field="path") from e
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _is_num(x: str) -> bool:
    try:
        return math.isfinite(float(x))
    except ValueError:
        return False


def _is_int(x: str) -> bool:
    try:
        int(x)
        return True
    except ValueError:
        return False


def _all_numbers(fields: Iterable[str]) -> bool:
    return all(_is_num(x) for x in fields)


class _Lines:
    """Numbered non-blank lines of a file, for parsers that report line and field."""

    def __init__(self, path: Path):
        self.path = path
        self.rows = [(no, ln.strip()) for no, ln in enumerate(_read_lines(path), 1) if ln.strip()]

    def error(self, no: int | None, field: str, msg: str) -> ProblemError:
        where = f"{self.path.name}, line {no}" if no is not None else self.path.name
        return ProblemError(
            f"{where}: {field}: {msg}", record=f"{self.path.name}:{no}" if no else self.path.name, field=field
        )

    def numbers(
        self, no: int, text: str, names: list[str], *, min_fields: int | None = None, ints: Iterable[str] = ()
    ) -> dict[str, float]:
        parts = text.split()
        need = len(names) if min_fields is None else min_fields
        if len(parts) < need or (min_fields is None and len(parts) != len(names)):
            raise self.error(
                no,
                names[len(parts)] if len(parts) < len(names) else "row",
                f"expected {len(names)} fields ({' '.join(names)}), got {len(parts)}: {text[:60]!r}",
            )
        out = {}
        ints = set(ints)
        for name, x in zip(names, parts):
            try:
                v = float(x)
            except ValueError:
                raise self.error(no, name, f"{x!r} is not a number") from None
            if not math.isfinite(v):
                raise self.error(no, name, f"{x!r} is not a finite number")
            if name in ints and not v.is_integer():
                raise self.error(no, name, f"{x!r} is not an integer")
            out[name] = v
        return out


def _euclid_matrix(xy: np.ndarray, scale: int, rounding: str, speed: float = 1.0) -> np.ndarray:
    """Integer arc lengths: scale × Euclidean distance, rounded down, to nearest or up.

    Integer coordinates use exact integer square roots, so truncation never
    suffers from floating-point error.
    """
    xy = np.asarray(xy, dtype=float)
    dx = xy[:, None, 0] - xy[None, :, 0]
    dy = xy[:, None, 1] - xy[None, :, 1]
    if np.all(xy == np.round(xy)) and speed == 1.0 and np.abs(xy).max(initial=0) < 1e6:
        s2 = (np.rint(dx).astype(np.int64) ** 2 + np.rint(dy).astype(np.int64) ** 2) * (scale * scale)
        if rounding == "floor":
            f = np.floor(np.sqrt(s2.astype(float))).astype(np.int64)
            f -= f * f > s2
            f += (f + 1) * (f + 1) <= s2
            return f
        if rounding == "ceil":
            f = np.floor(np.sqrt(s2.astype(float))).astype(np.int64)
            f -= f * f > s2
            f += (f + 1) * (f + 1) <= s2
            return f + (f * f < s2)
        # nearest: floor(d + 0.5) = largest f with (2f - 1)^2 <= 4 s2
        f = np.floor(np.sqrt(s2.astype(float)) + 0.5).astype(np.int64)
        f -= ((2 * f - 1) ** 2 > 4 * s2) & (f > 0)
        f += (2 * f + 1) ** 2 <= 4 * s2
        return f
    d = np.sqrt(dx * dx + dy * dy) * scale / speed
    if rounding == "floor":
        return np.floor(d + 1e-9).astype(np.int64)
    if rounding == "ceil":
        return np.ceil(d - 1e-9).astype(np.int64)
    return np.floor(d + 0.5).astype(np.int64)


def _horizon(dist: np.ndarray, service: Iterable[int]) -> int:
    """An upper bound on any route's duration: the longest arc out of every node plus all service."""
    return int(max(DAY, int(dist.max(axis=1).sum()) + int(sum(service))))


def _meta(
    path: Path, fmt: str, name: str, scale: int, rounding: str, n_vehicles: int, capacity: float, **extra: Any
) -> dict[str, Any]:
    col = BKS_COLUMNS[fmt]
    try:
        value = bks(path, col)
    except KeyError:
        value = None
    return {
        "format": fmt,
        "instance": path.stem,
        "name": name,
        "scale": scale,
        "rounding": rounding,
        "bks": value,
        "bks_kind": col if value is not None else None,
        "path": str(path),
        "vehicles": n_vehicles,
        "capacity": capacity,
        **extra,
    }


def _ambient_type(
    name: str, count: int, capacity: float, depot: str, shift: tuple[int, int], max_duration: int | None = None
) -> VehicleType:
    return VehicleType(
        name=name,
        count=int(count),
        compartments=(Compartment(Zone.AMBIENT, float(capacity), name="ambient"),),
        start_depot=depot,
        end_depot=depot,
        shift=shift,
        max_duration=max_duration,
        max_driving_h=None,  # a benchmark instance has no drivers' rules
    )


def _make_problem(lines: _Lines, **kw: Any) -> Problem:
    try:
        return Problem(**kw)
    except ProblemError as e:
        raise ProblemError(f"{lines.path.name}: {e}", record=e.record, field=e.field) from e


def bks(path: str | Path, column: str | None = None) -> float | None:
    """Best-known value of the instance at ``path`` from a ``bks.csv`` beside it (or one folder up).

    The column defaults by the file's format: Solomon/Homberger ``distance_dimacs``
    (distance-only, DIMACS truncation), CVRPLIB ``bks``, Li & Lim ``distance``
    (hierarchical), Cordeau ``bks``.

    Parameters
    ----------
    path
        The instance file; its stem is looked up (case-insensitively) in the ``instance`` column.
    column
        The ``bks.csv`` column to read instead of the format's default.

    Returns
    -------
    float or None
        The value; ``None`` when there is no bks.csv, no row, or an empty cell.

    Raises
    ------
    KeyError
        ``column`` was given and the bks.csv has no such column.
    """
    path = Path(path)
    stem = path.stem.lower()
    for folder in (path.parent, path.parent.parent):
        f = folder / "bks.csv"
        if not f.is_file():
            continue
        with f.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if not rows:
            continue
        cols = list(rows[0].keys())
        col = column
        if col is None:
            try:
                col = BKS_COLUMNS[detect_format(path)] if path.is_file() else None
            except ProblemError:
                col = None
            if col not in cols:
                col = next((c for c in ("distance_dimacs", "bks", "distance") if c in cols), None)
        if col is None or col not in cols:
            if column is not None:
                raise KeyError(f"{f}: no column {column!r} (columns: {', '.join(cols)})")
            return None
        for r in rows:
            if str(r.get("instance", "")).strip().lower() == stem:
                v = str(r.get(col, "")).strip()
                try:
                    return float(v)
                except ValueError:
                    return None
    return None


def detect_format(path: str | Path) -> str:
    """The format of an instance file, from its extension and first lines.

    Parameters
    ----------
    path
        The instance file.

    Returns
    -------
    str
        ``"solomon"``, ``"vrplib"``, ``"lilim"`` or ``"cordeau"``.

    Raises
    ------
    ProblemError
        The file is empty or its first lines match no format (field ``format``): pass
        ``format=`` to `read_instance`.
    """
    path = Path(path)
    if path.suffix.lower() in (".vrp", ".vrplib"):
        return "vrplib"
    lines = [ln for ln in _read_lines(path)[:12]]
    nonblank = [ln.strip() for ln in lines if ln.strip()]
    if not nonblank:
        raise ProblemError(f"{path.name}: the file is empty", record=str(path), field="format")
    upper = [ln.upper() for ln in nonblank]
    if any(u.startswith("VEHICLE") for u in upper[:3]) and any(u.startswith("CUSTOMER") for u in upper):
        return "solomon"
    if any(re.match(r"^(NAME|DIMENSION|TYPE|CAPACITY|EDGE_WEIGHT_TYPE)\s*:", u) for u in upper):
        return "vrplib"
    first = nonblank[0].split()
    if _all_numbers(first):
        if len(first) == 3 and len(nonblank) > 1 and len(nonblank[1].split()) == 9:
            return "lilim"
        if len(first) == 4 and all(_is_int(x) for x in first):
            t = int(first[3])
            if t >= 1 and len(nonblank) > t and all(len(nonblank[k].split()) == 2 for k in range(1, 1 + min(t, 8))):
                return "cordeau"
    raise ProblemError(
        f"{path.name}: cannot tell the instance format from line 1 ({nonblank[0][:60]!r}); "
        f"give format= one of {', '.join(FORMATS)}",
        record=str(path),
        field="format",
    )
