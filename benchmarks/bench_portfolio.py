"""The portfolio engine on the classic suites: logistics.solve vs plain OR-Tools vs PyVRP alone.

    python benchmarks/bench_portfolio.py --time-limit T [--sets solomon,homberger-200,homberger-400,x]
                                         [--sample K] [--engine auto] [--seed S] [--data DIR]

For every instance of every set, in one run and at the same wall time ``T``:
``logistics.solve(problem, engine=E)`` (validated with ``logistics.validate``),
the plain OR-Tools model of ``benchmarks/baseline.py`` (parallel cheapest
insertion + guided local search) and PyVRP alone (``bench_classic.solve_pyvrp_alone``:
a ``pyvrp.Model`` of the same instance, one seed).  Sets:

* ``solomon``: the 100-customer VRPTW set, gaps to the distance-only DIMACS values;
* ``homberger-200`` / ``homberger-400``: Gehring & Homberger, likewise;
* ``x``: CVRPLIB X with 100 to 400 customers (``X-n101`` .. ``X-n401``), integer ``nint`` values.

``--sample K`` keeps every K-th instance of each set (sorted by name, so every
class C1, C2, R1, R2, RC1, RC2 and every size band stays represented).  Prints
per-instance rows and a summary per set, then one table with the mean gaps
and the ratios of mean gaps (plain OR-Tools / coldroute and PyVRP alone /
coldroute, over the instances both solved: above 1 means coldroute is closer
to the best-known values), the load average while each set ran, and as its
last line one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import data_dir, resolve_set, table
from bench_classic import columns, print_summary, run_rows, summarise

SETS = {
    "solomon": "solomon",
    "homberger-200": "homberger-200",
    "homberger-400": "homberger-400",
    "x": "cvrplib-X",
}


def _customers(path: Path) -> int | None:
    m = re.match(r"X-n(\d+)-", path.stem)
    return int(m.group(1)) - 1 if m else None


def instances(key: str, data: Path, sample: int = 1) -> tuple[str, list[Path]]:
    """The files of one suite set, every ``sample``-th one."""
    name, files = resolve_set(SETS[key], data)
    if key == "x":
        files = [f for f in files if (_customers(f) or 0) >= 100 and (_customers(f) or 10**9) <= 400]
    return name, files[:: max(1, sample)]


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance and solver")
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, from {', '.join(SETS)}")
    ap.add_argument("--sample", type=int, default=1, help="keep every K-th instance of each set")
    ap.add_argument("--limit", type=int, default=None, help="at most N instances per set")
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=None)
    a = ap.parse_args(argv)

    data = data_dir(a.data)
    keys = [k.strip() for k in a.sets.split(",") if k.strip()]
    unknown = [k for k in keys if k not in SETS]
    if unknown:
        print(f"unknown set(s) {', '.join(unknown)}; use {', '.join(SETS)}", file=sys.stderr)
        return 2
    print(
        f"portfolio benchmark: {', '.join(keys)}; {a.time_limit:g} s per instance and solver, seed {a.seed}, "
        f"engine {a.engine}, every {a.sample}. instance; {os.cpu_count()} cores",
        flush=True,
    )
    summaries, all_rows = [], []
    t_start = time.time()
    for key in keys:
        try:
            name, files = instances(key, data, a.sample)
        except SystemExit as e:  # the set's folder is missing
            print(f"\n== {key}: skipped ({e})", flush=True)
            continue
        files = files[: a.limit] if a.limit else files
        if not files:
            continue
        load0 = _load()
        print(f"\n== {key}: {len(files)} instance(s), load average {load0}", flush=True)
        rows = run_rows(files, a.time_limit, a.seed, True, True, a.engine)
        load1 = _load()
        print(table(rows, columns(True, True)))
        s = summarise(rows, key, a.time_limit, a.seed, True, True, a.engine)
        s["load_average"] = [load0, load1]
        print()
        print_summary(s, True, True)
        summaries.append(s)
        for r in rows:
            all_rows.append({**r, "set": key})

    overall = summarise(all_rows, "all", a.time_limit, a.seed, True, True, a.engine)
    rows = [{**s, "set": s["set"]} for s in summaries] + [overall]
    cols = [
        ("set", "set", 0),
        ("instances", "n", 0),
        ("mean_gap_pct", "coldroute gap %", 3),
        ("baseline_mean_gap_pct", "OR-Tools gap %", 3),
        ("pyvrp_mean_gap_pct", "PyVRP gap %", 3),
        ("gap_ratio_baseline_over_coldroute", "OR-Tools/ours", 2),
        ("gap_ratio_pyvrp_over_coldroute", "PyVRP/ours", 2),
        ("pyvrp_wins", "better", 0),
        ("pyvrp_losses", "worse", 0),
        ("mean_time_s", "time s", 2),
        ("violations", "viol", 0),
    ]
    print(
        f"\nsummary at {a.time_limit:g} s per instance (better/worse: coldroute vs PyVRP alone), "
        f"{(time.time() - t_start) / 60:.1f} min"
    )
    print(table([{k: (str(v) if isinstance(v, str) else v) for k, v in r.items()} for r in rows], cols))
    print(
        "load average per set: "
        + ", ".join(f"{s['set']} {s['load_average'][0]}–{s['load_average'][1]}" for s in summaries)
    )
    out = {
        "benchmark": "bench_portfolio",
        "time_limit": a.time_limit,
        "seed": a.seed,
        "engine": a.engine,
        "sample": a.sample,
        "cpu_count": os.cpu_count(),
        "sets": {s["set"]: {k: v for k, v in s.items() if not k.endswith("gaps")} for s in summaries},
        "overall": {k: v for k, v in overall.items() if not k.endswith("gaps")},
        "gaps": {r["instance"]: [r.get("gap"), r.get("base_gap"), r.get("pv_gap")] for r in all_rows},
    }
    out["gaps"] = {k: [None if g is None else round(g, 3) for g in v] for k, v in out["gaps"].items()}
    print(json.dumps(out, separators=(", ", ": ")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
