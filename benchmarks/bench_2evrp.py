"""Two-echelon VRP: the tiered planner on 2E-CVRP instances, with gaps where a best-known value is known.

    python benchmarks/bench_2evrp.py [INSTANCE ...] [--time-limit T] [--data DIR] [--limit N]
                                     [--seed S] [--workers W]

INSTANCE names are file stems (``Set2a_E-n22-k4-s10-14``) or shell patterns
(``'Set2a_*'``); none means ``Set2a_E-n22-k4-s10-14`` plus the first instances of
sets 2b, 3, 5 and 6b.  Data: ``--data DIR``, else ``$COLDROUTE_DATA``, else
``../shared/data`` relative to the repository (folder ``2evrp``).

Each instance is read with :func:`logistics.planners.twoechelon.read_2evrp` and solved
with :func:`logistics.planners.twoechelon.solve_2evrp` (trucks from the depot to the
satellites, city freighters from the satellites; customers start at the
nearest satellite and the boundary pass re-balances them).  The cost is
recomputed from exact Euclidean distances and the solution checked with
``check_2evrp``.  The stored data has one best-known value
(Set2a_E-n22-k4-s10-14 = 371.49); other rows show ``-`` for the gap.  The last
line printed is one JSON object with the headline figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import data_dir, fmt, gap, mean, select, table

from logistics.formats.twoechelon import read_2evrp
from logistics.planners.twoechelon import solve_2evrp

DEFAULT = ["Set2a_E-n22-k4-s10-14", "Set2b_E-n51-k5-s2-17", "Set3_E-n22-k4-s13-14", "Set5_100-5-1", "Set6b_A-n101-4"]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instances", nargs="*")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--data", default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    root = data_dir(args.data) / "2evrp"
    if not root.is_dir():
        raise SystemExit(f"folder {root} not found (give --data DIR or set COLDROUTE_DATA)")
    files = sorted(root.glob("*.dat"))
    names = args.instances or [n for n in DEFAULT if (root / f"{n}.dat").exists()]
    chosen = select(files, names, args.limit)
    rows = []
    for f in chosen:
        inst = read_2evrp(f)
        t0 = time.perf_counter()
        sol = solve_2evrp(inst, time_limit=args.time_limit, seed=args.seed, workers=args.workers)
        secs = time.perf_counter() - t0
        viol = sol.violations()
        rows.append(
            {
                "instance": inst.name,
                "customers": inst.n_customers,
                "satellites": inst.n_satellites,
                "cost": round(sol.cost, 2),
                "bks": inst.best_known,
                "gap_pct": gap(sol.cost, inst.best_known),
                "trucks": len(sol.first_level),
                "freighters": len(sol.second_level),
                "unserved": len(sol.unserved),
                "violations": len(viol),
                "seconds": round(secs, 2),
                "start": sol.meta.get("start"),
                "starts": " / ".join(f"{k} {v:,.2f}" for k, v in sol.meta.get("starts", {}).items()),
            }
        )
        print(table(rows[-1:], COLUMNS).splitlines()[-1] if len(rows) > 1 else table(rows, COLUMNS), flush=True)
    print()
    print(table(rows, COLUMNS))
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    summary = {
        "benchmark": "2evrp",
        "time_limit": args.time_limit,
        "instances": len(rows),
        "feasible": sum(1 for r in rows if r["violations"] == 0),
        "mean_gap_pct": round(mean(gaps), 3) if gaps else None,
        "gaps": {r["instance"]: round(r["gap_pct"], 3) for r in rows if r["gap_pct"] is not None},
        "costs": {r["instance"]: r["cost"] for r in rows},
    }
    print(
        f"\nmean gap where known: {fmt(summary['mean_gap_pct'])} %  ({len(gaps)} instance(s) with a best-known "
        f"value); feasible {summary['feasible']}/{len(rows)}"
    )
    print(json.dumps(summary, ensure_ascii=False))
    return summary


COLUMNS = [
    ("instance", "instance", 0),
    ("customers", "n", 0),
    ("satellites", "sat", 0),
    ("cost", "cost", 2),
    ("bks", "best known", 2),
    ("gap_pct", "gap %", 2),
    ("trucks", "trucks", 0),
    ("freighters", "cf", 0),
    ("unserved", "unserved", 0),
    ("violations", "viol", 0),
    ("seconds", "s", 1),
    ("start", "best start", 0),
    ("starts", "cost per start", 0),
]

if __name__ == "__main__":
    main()
