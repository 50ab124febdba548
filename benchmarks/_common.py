"""Shared helpers of the benchmark scripts: where the data is, which files a set holds, tables.

The data folder is ``--data DIR``, else ``$COLDROUTE_DATA``, else ``../shared/data``
relative to the repository.  Benchmark scripts put the repository on ``sys.path``
so they run from a checkout without installing.
"""

from __future__ import annotations

import fnmatch
import math
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# set name -> (folder under the data dir, glob of instance files)
SETS: dict[str, tuple[str, str]] = {
    "solomon": ("solomon", "*.txt"),
    "homberger": ("homberger", "*.txt"),
    "homberger-200": ("homberger", "*_2_*.txt"),
    "homberger-400": ("homberger", "*_4_*.txt"),
    "homberger-1000": ("homberger", "*_10_*.txt"),
    "cvrplib": ("cvrplib", "*/*.vrp"),
    "cvrplib-X": ("cvrplib/X", "*.vrp"),
    "cvrplib-A": ("cvrplib/A", "*.vrp"),
    "cvrplib-B": ("cvrplib/B", "*.vrp"),
    "cvrplib-E": ("cvrplib/E", "*.vrp"),
    "cvrplib-P": ("cvrplib/P", "*.vrp"),
    "lilim": ("lilim", "*.txt"),
    "lilim-100": ("lilim", "l*[0-9][0-9][0-9].txt"),
    "lilim-200": ("lilim", "*_2_*.txt"),
    "lilim-400": ("lilim", "*_4_*.txt"),
    "mdvrp": ("mdvrp", "*.txt"),
}
ALIASES = {
    "x": "cvrplib-X",
    "a": "cvrplib-A",
    "b": "cvrplib-B",
    "e": "cvrplib-E",
    "p": "cvrplib-P",
    "cordeau": "mdvrp",
    "li-lim": "lilim",
    "gehring-homberger": "homberger",
}


def data_dir(arg: str | os.PathLike | None = None) -> Path:
    """The benchmark data folder: the argument, ``$COLDROUTE_DATA`` or ``../shared/data``."""
    if arg:
        return Path(arg).expanduser().resolve()
    env = os.environ.get("COLDROUTE_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return (REPO.parent / "shared" / "data").resolve()


def resolve_set(name: str, data: Path) -> tuple[str, list[Path]]:
    """(canonical set name, sorted instance files) for a set name or a folder path."""
    key = name
    lowered = {k.lower(): k for k in SETS}
    if key.lower() in ALIASES:
        key = ALIASES[key.lower()]
    elif (key.lower().startswith("cvrplib-") and key.lower() in lowered) or key.lower() in lowered:
        key = lowered[key.lower()]
    if key in SETS:
        folder, pattern = SETS[key]
        root = data / folder
        if not root.is_dir():
            raise SystemExit(f"set {name!r}: folder {root} not found (give --data DIR or set COLDROUTE_DATA)")
        files = sorted(p for p in root.glob(pattern) if p.is_file())
        return key, _natural(files)
    path = Path(name)
    if not path.is_absolute() and not path.exists():
        path = data / name
    if path.is_dir():
        files = [
            p
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in (".txt", ".vrp") and p.name.lower() not in ("readme.txt",)
        ]
        return path.name, _natural(files)
    if path.is_file():
        return path.parent.name, [path]
    raise SystemExit(f"unknown set {name!r}; use one of {', '.join(SETS)} or a folder")


def _natural(files: Iterable[Path]) -> list[Path]:
    import re

    def key(p: Path):
        return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", p.stem)]

    return sorted(files, key=key)


def select(files: Sequence[Path], names: Sequence[str], limit: int | None = None) -> list[Path]:
    """Files whose stem matches one of ``names`` (case-insensitive, shell patterns allowed)."""
    if not names:
        out = list(files)
    else:
        out = []
        for n in names:
            stem = Path(n).stem if Path(n).suffix.lower() in (".txt", ".vrp") else n
            hits = [f for f in files if fnmatch.fnmatch(f.stem.lower(), stem.lower())]
            if not hits:
                raise SystemExit(f"instance {n!r} is not in the set (e.g. {', '.join(f.stem for f in files[:5])})")
            out.extend(h for h in hits if h not in out)
    return out[:limit] if limit else out


def gap(cost: float | None, bks: float | None) -> float | None:
    """Percentage gap of ``cost`` above ``bks`` (None when either is unknown)."""
    if cost is None or bks is None or not bks:
        return None
    return 100.0 * (cost - bks) / bks


def mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(vals) / len(vals) if vals else None


def fmt(x: Any, digits: int = 2) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        if math.isinf(x):
            return "inf"
        return f"{x:,.{digits}f}"
    return str(x)


def table(rows: list[dict[str, Any]], columns: list[tuple[str, str, int]]) -> str:
    """A plain-text table; ``columns`` are (key, header, digits)."""
    cells = [[h for _, h, _ in columns]]
    for r in rows:
        cells.append([fmt(r.get(k), d) for k, _, d in columns])
    widths = [max(len(c[i]) for c in cells) for i in range(len(columns))]
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(c, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
