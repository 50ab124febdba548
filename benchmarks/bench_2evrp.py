"""Two-echelon VRP: the tiered planner on 2E-CVRP instances, with gaps to published best-known values.

    python benchmarks/bench_2evrp.py [INSTANCE ...] [--time-limit T] [--data DIR] [--limit N]
                                     [--seed S] [--workers W] [--bks FILE] [--compare]

INSTANCE names are file stems (``Set2a_E-n22-k4-s10-14``) or shell patterns
(``'Set2a_*'``); none means ``Set2a_E-n22-k4-s10-14`` plus the first instances of
sets 2b, 3, 5 and 6b.  Data: ``--data DIR``, else ``$COLDROUTE_DATA``, else
``../shared/data`` relative to the repository (folder ``2evrp``).

Each instance is read with :func:`logistics.formats.twoechelon.read_2evrp` and solved
with :func:`logistics.planners.twoechelon.solve_2evrp` (trucks from the depot to the
satellites, city freighters from the satellites; customers start at the
nearest satellite and the boundary pass re-balances them).  The cost is
recomputed from exact Euclidean distances and the solution checked with
``check_2evrp``.

Best-known values come from ``benchmarks/data/2evrp_bks.csv`` (``--bks FILE``
for another), one row per instance with its source and its kind (``published``:
a published result table; ``working-data``: an author's unpublished working
sheet, weaker evidence); instances without a row show ``-`` for the gap.  Every
value is the total unrounded Euclidean distance (cost per distance 1, no fixed
or handling cost in Set2 and Set3), which is what ``solution_cost`` computes for
these instances, printed as the source prints it: ``euclid-2dp`` to two
decimals (the cost is compared as it is), ``euclid-1dp-trunc`` truncated to one
decimal (the cost is truncated the same way before the gap is taken, so a plan
at the value has gap 0).  A row with another convention is refused rather than
compared.  After the per-instance table come the mean and largest gap per set
(Set2a, Set3, ...) over the instances that have a best-known value, then the
same per family (Set2 = Set2a + Set2b + Set2c) and per kind of source; the last
line printed is one JSON object with the headline figures.

``--compare`` also runs the previous default starts (nearest satellite and one
unconstrained multi-depot solve, ``BASELINE_STARTS``) on each instance right
before the default, so load hits both alike, and reports both gaps and the
ratio of costs per instance and per set.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import data_dir, fmt, gap, mean, select, table

from logistics.formats.twoechelon import read_2evrp
from logistics.planners.twoechelon import solve_2evrp

#: The starts ``solve_2evrp`` used before the freighter-split starts: the ``--compare`` baseline.
BASELINE_STARTS = ("nearest", "mdvrp")

DEFAULT = ["Set2a_E-n22-k4-s10-14", "Set2b_E-n51-k5-s2-17", "Set3_E-n22-k4-s13-14", "Set5_100-5-1", "Set6b_A-n101-4"]

#: The best-known values shipped with the benchmarks, with their sources.
BKS_FILE = Path(__file__).resolve().parent / "data" / "2evrp_bks.csv"
BKS_COLUMNS = ("instance", "bks", "optimal", "source", "convention", "looked_up", "kind")
#: Conventions the costs of ``solution_cost`` can be compared with (see `compared_cost`).
CONVENTIONS = {
    "euclid-2dp": "unrounded Euclidean distances, cost printed to two decimals",
    "euclid-1dp-trunc": "unrounded Euclidean distances, cost truncated to one decimal",
}
#: What kind of source a value was read in.
KINDS = {
    "published": "a published result table",
    "working-data": "an author's unpublished working sheet (weaker evidence than a published table)",
}


@dataclass(frozen=True)
class BestKnown:
    """One row of the best-known file: the value, whether it is proven optimal, where it was found."""

    instance: str
    bks: float
    optimal: bool
    source: str
    convention: str
    looked_up: str
    kind: str = "published"


def compared_cost(cost: float, convention: str) -> float:
    """``cost`` as a value of ``convention`` prints it, so that a plan at the value has gap 0.

    Parameters
    ----------
    cost
        The plan's unrounded cost (`solution_cost`).
    convention
        One of ``CONVENTIONS``.

    Returns
    -------
    float
        The cost truncated to one decimal for ``euclid-1dp-trunc``, as it is otherwise.
    """
    if convention == "euclid-1dp-trunc":
        return math.floor(cost * 10 + 1e-9) / 10
    return cost


def load_bks(path: str | Path = BKS_FILE) -> dict[str, BestKnown]:
    """Read the best-known file; a bad row is an error naming its line and field, never skipped.

    Parameters
    ----------
    path
        CSV with the columns of ``BKS_COLUMNS``.

    Returns
    -------
    dict
        Instance name (file stem) -> its row.

    Raises
    ------
    ValueError
        A column is missing, a value is not positive, ``optimal`` is not yes/no, the
        source is empty, the convention unknown, the date not ``YYYY-MM-DD`` or an
        instance named twice.
    """
    out: dict[str, BestKnown] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in BKS_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            out_row = _bks_row(row, f"{path}:{line}")
            if out_row.instance in out:
                raise ValueError(f"{path}:{line}: instance {out_row.instance!r} is named twice")
            out[out_row.instance] = out_row
    return out


def _bks_row(row: dict[str, str], where: str) -> BestKnown:
    def field(name: str) -> str:
        value = (row.get(name) or "").strip()
        if not value:
            raise ValueError(f"{where}: field {name!r} is empty")
        return value

    try:
        bks = float(field("bks"))
    except ValueError as exc:
        raise ValueError(f"{where}: field 'bks': {exc}") from None
    if not bks > 0:
        raise ValueError(f"{where}: field 'bks' must be positive, got {bks}")
    optimal = field("optimal").lower()
    if optimal not in ("yes", "no"):
        raise ValueError(f"{where}: field 'optimal' must be yes or no, got {optimal!r}")
    convention = field("convention")
    if convention not in CONVENTIONS:
        raise ValueError(f"{where}: field 'convention' {convention!r} is not one of {', '.join(CONVENTIONS)}")
    looked_up = field("looked_up")
    try:
        dt.date.fromisoformat(looked_up)
    except ValueError:
        raise ValueError(f"{where}: field 'looked_up' must be a date YYYY-MM-DD, got {looked_up!r}") from None
    kind = field("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: field 'kind' {kind!r} is not one of {', '.join(KINDS)}")
    return BestKnown(field("instance"), bks, optimal == "yes", field("source"), convention, looked_up, kind)


def set_of(name: str) -> str:
    """The benchmark set of an instance file stem (``Set2a_E-n22-k4-s10-14`` -> ``Set2a``)."""
    return name.split("_", 1)[0]


def family_of(name: str) -> str:
    """The family of a set (``Set2a`` -> ``Set2``; ``Set6b`` -> ``Set6``): digits after ``Set`` only."""
    digits = "".join(ch for ch in name[3:] if ch.isdigit())
    return f"Set{digits}" if name.startswith("Set") and digits else name


def per_set(rows: list[dict], key: str = "set") -> list[dict]:
    """Per set (or family, ``key="family"``): instances, how many have a best-known value, gaps over those.

    With ``--compare`` rows also carry ``base_gap_pct`` and ``ratio`` (cost / baseline cost),
    summarised the same way over the same instances.
    """
    out = []
    for name in sorted({r[key] for r in rows}):
        mine = [r for r in rows if r[key] == name]
        gaps = [r["gap_pct"] for r in mine if r["gap_pct"] is not None]
        base = [r["base_gap_pct"] for r in mine if r.get("base_gap_pct") is not None]
        ratios = [r["ratio"] for r in mine if r.get("ratio") is not None]
        out.append(
            {
                "set": name,
                "instances": len(mine),
                "with_bks": len(gaps),
                "mean_gap_pct": round(mean(gaps), 3) if gaps else None,
                "max_gap_pct": round(max(gaps), 3) if gaps else None,
                "base_mean_gap_pct": round(mean(base), 3) if base else None,
                "mean_ratio": round(mean(ratios), 4) if ratios else None,
                "feasible": sum(1 for r in mine if r["violations"] == 0 and r["unserved"] == 0),
                "mean_seconds": round(mean([r["seconds"] for r in mine]) or 0.0, 2),
            }
        )
    return out


def run_one(inst, args, best: dict[str, BestKnown], starts: tuple[str, ...] | None) -> dict:
    """Solve one instance with the given starts (None: the default) and measure it."""
    t0 = time.perf_counter()
    sol = solve_2evrp(inst, time_limit=args.time_limit, seed=args.seed, workers=args.workers, starts=starts)
    secs = time.perf_counter() - t0
    viol = sol.violations()
    known = best.get(inst.name)
    bks = known.bks if known else None
    return {
        "instance": inst.name,
        "set": set_of(inst.name),
        "family": family_of(set_of(inst.name)),
        "customers": inst.n_customers,
        "satellites": inst.n_satellites,
        "cost": round(sol.cost, 4),
        "bks": bks,
        "optimal": None if known is None else ("yes" if known.optimal else "no"),
        "kind": None if known is None else known.kind,
        # an infeasible or incomplete plan has no gap: its cost is not comparable
        "gap_pct": gap(compared_cost(sol.cost, known.convention), bks)
        if known and not viol and not sol.unserved
        else None,
        "trucks": len(sol.first_level),
        "freighters": len(sol.second_level),
        "unserved": len(sol.unserved),
        "violations": len(viol),
        "seconds": round(secs, 2),
        "start": sol.meta.get("start"),
        "starts": " / ".join(f"{k} {v:,.2f}" for k, v in sol.meta.get("starts", {}).items()),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instances", nargs="*")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--data", default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--bks", default=str(BKS_FILE), help="best-known values (CSV, see benchmarks/data/README.md)")
    ap.add_argument("--compare", action="store_true", help=f"also run starts {BASELINE_STARTS} before the default")
    args = ap.parse_args(argv)
    root = data_dir(args.data) / "2evrp"
    if not root.is_dir():
        raise SystemExit(f"folder {root} not found (give --data DIR or set COLDROUTE_DATA)")
    try:
        best = load_bks(args.bks)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"best-known file: {exc}") from None
    files = sorted(root.glob("*.dat"))
    names = args.instances or [n for n in DEFAULT if (root / f"{n}.dat").exists()]
    chosen = select(files, names, args.limit)
    rows = []
    columns = COLUMNS_COMPARE if args.compare else COLUMNS
    for f in chosen:
        inst = read_2evrp(f)
        row = {}
        if args.compare:  # the baseline first, right beside the default on the same instance
            base = run_one(inst, args, best, BASELINE_STARTS)
            row = {
                "base_cost": base["cost"],
                "base_gap_pct": base["gap_pct"],
                "base_seconds": base["seconds"],
                "base_ok": base["violations"] == 0 and base["unserved"] == 0,
            }
        row = run_one(inst, args, best, None) | row
        if args.compare:
            row["ratio"] = round(row["cost"] / row["base_cost"], 4) if row["base_ok"] else None
        rows.append(row)
        print(table(rows[-1:], columns).splitlines()[-1] if len(rows) > 1 else table(rows, columns), flush=True)
    print()
    print(table(rows, columns))
    sets = per_set(rows)
    families = per_set(rows, "family")
    kinds = per_set([r for r in rows if r["kind"] is not None], "kind")
    set_columns = SET_COLUMNS_COMPARE if args.compare else SET_COLUMNS
    print()
    print(table(sets, set_columns))
    print()
    print(table(families, set_columns))
    print()
    print(table(kinds, set_columns))
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    summary = {
        "benchmark": "2evrp",
        "time_limit": args.time_limit,
        "seed": args.seed,
        "workers": args.workers,
        "bks_file": str(args.bks),
        "instances": len(rows),
        "feasible": sum(1 for r in rows if r["violations"] == 0 and r["unserved"] == 0),
        "with_bks": len(gaps),
        "mean_gap_pct": round(mean(gaps), 3) if gaps else None,
        "compare": BASELINE_STARTS if args.compare else None,
        "per_set": {s["set"]: {k: v for k, v in s.items() if k != "set"} for s in sets},
        "per_family": {s["set"]: {k: v for k, v in s.items() if k != "set"} for s in families},
        "per_kind": {s["set"]: {k: v for k, v in s.items() if k != "set"} for s in kinds},
        "gaps": {r["instance"]: round(r["gap_pct"], 3) for r in rows if r["gap_pct"] is not None},
        "costs": {r["instance"]: r["cost"] for r in rows},
        "base_costs": {r["instance"]: r["base_cost"] for r in rows} if args.compare else None,
    }
    print(
        f"\nmean gap where known: {fmt(summary['mean_gap_pct'], 3)} %  ({len(gaps)} of {len(rows)} instance(s) with a "
        f"best-known value in {Path(args.bks).name}); feasible {summary['feasible']}/{len(rows)}"
    )
    print(json.dumps(summary, ensure_ascii=False))
    return summary


COLUMNS = [
    ("instance", "instance", 0),
    ("customers", "n", 0),
    ("satellites", "sat", 0),
    ("cost", "cost", 2),
    ("bks", "best known", 2),
    ("optimal", "opt", 0),
    ("kind", "source kind", 0),
    ("gap_pct", "gap %", 2),
    ("trucks", "trucks", 0),
    ("freighters", "cf", 0),
    ("unserved", "unserved", 0),
    ("violations", "viol", 0),
    ("seconds", "s", 1),
    ("start", "best start", 0),
    ("starts", "cost per start", 0),
]

COLUMNS_COMPARE = [
    *COLUMNS[:8],
    ("base_cost", "previous starts", 2),
    ("base_gap_pct", "previous gap %", 2),
    ("ratio", "cost ratio", 4),
    *COLUMNS[8:13],
    ("base_seconds", "previous s", 1),
    *COLUMNS[13:],
]

SET_COLUMNS = [
    ("set", "set", 0),
    ("instances", "instances", 0),
    ("with_bks", "with best known", 0),
    ("mean_gap_pct", "mean gap %", 2),
    ("max_gap_pct", "max gap %", 2),
    ("feasible", "feasible", 0),
    ("mean_seconds", "mean s", 1),
]

SET_COLUMNS_COMPARE = [
    *SET_COLUMNS[:5],
    ("base_mean_gap_pct", "previous mean gap %", 2),
    ("mean_ratio", "mean cost ratio", 4),
    *SET_COLUMNS[5:],
]

if __name__ == "__main__":
    main()
