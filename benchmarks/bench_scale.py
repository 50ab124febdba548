"""Large days: 2,000 and 5,000 stops on the Yanhu network within their time limits.

    python benchmarks/bench_scale.py [--sizes 2000 5000] [--limits 60 120] [--engine auto] [--seed 0]

Each size runs in a fresh interpreter (so that peak memory is that size's
own): ``logistics.yanhu_day(stops)`` builds the day (travel matrix
included), ``logistics.solve`` plans it with the given limit (above 800 orders
the day is decomposed when its whole model would not build in a quarter of the
limit: ``meta["policy"]``) and ``logistics.validate`` checks the
plan.  One row per size: the day's build time, the solver's model-build time
(summed over the parts of a decomposed day), total elapsed against the limit,
peak memory (``resource.getrusage``: this process and, separately, the largest
child process: decomposition workers and PyVRP's second seed), served and
unserved orders, cost, and validator violations.  The last line is one JSON
object with every row.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_SIZES = (2000, 5000)
DEFAULT_LIMITS = (60.0, 120.0)


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # Linux: kilobytes


def run_one(stops: int, time_limit: float, engine: str, seed: int) -> dict:
    """Build, solve and validate one day in this process."""
    import logistics as L

    t0 = time.perf_counter()
    from logistics.app.scenarios import yanhu_day

    problem = yanhu_day(stops, seed=seed)
    day_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    plan = L.solve(problem, time_limit=time_limit, seed=seed, engine=engine)
    elapsed = time.perf_counter() - t1
    t2 = time.perf_counter()
    violations = L.validate(problem, plan)
    validate_s = time.perf_counter() - t2
    m = plan.meta
    parts = m.get("parts") or []
    build_s = sum(p.get("build_s", 0.0) or 0.0 for p in parts) if parts else m.get("build_s")
    return {
        "stops": stops,
        "time_limit": time_limit,
        "engine": engine,
        "seed": seed,
        "vehicles_available": sum(vt.count for vt in problem.fleet),
        "day_build_s": round(day_s, 2),
        "model_build_s": None if build_s is None else round(build_s, 3),
        "elapsed_s": round(elapsed, 2),
        "within_limit": elapsed <= time_limit,
        "overrun_pct": round(100.0 * max(0.0, elapsed - time_limit) / time_limit, 2),
        "policy": m.get("policy"),
        "parts": m.get("decomposed"),
        "part_sizes": m.get("part_sizes"),
        "part_time_limit": m.get("part_time_limit"),
        "merge_s": m.get("merge_s"),
        "part_unserved": [q.get("unserved") for q in parts] or None,
        "part_status": [q.get("status") for q in parts] or None,
        "part_meta": parts or None,
        "served": int(plan.kpis.get("served", 0)),
        "unserved": int(plan.kpis.get("unserved", 0)),
        "vehicles": int(plan.kpis.get("vehicles", 0)),
        "cost": round(float(plan.kpis.get("cost", 0.0)), 2),
        "distance_km": round(float(plan.kpis.get("distance_km", 0.0)), 1),
        "violations": len(violations),
        "first_violation": str(violations[0]) if violations else None,
        "validate_s": round(validate_s, 2),
        "peak_rss_mb": round(_peak_mb(resource.RUSAGE_SELF), 1),
        "peak_rss_children_mb": round(_peak_mb(resource.RUSAGE_CHILDREN), 1),
        "load_average": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    ap.add_argument(
        "--limits",
        type=float,
        nargs="+",
        default=None,
        help="one per size (default 60 s for 2,000 stops, 120 s for 5,000, else 30 s per 1,000)",
    )
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # child mode: one size, JSON out
    a = ap.parse_args(argv)

    if a.one:
        print(json.dumps(run_one(a.sizes[0], a.limits[0], a.engine, a.seed)))
        return 0
    limits = a.limits or [dict(zip(DEFAULT_SIZES, DEFAULT_LIMITS)).get(n, max(10.0, 30.0 * n / 1000)) for n in a.sizes]
    if len(limits) != len(a.sizes):
        ap.error("give one limit per size")
    print(
        f"scale benchmark: Yanhu days of {', '.join(map(str, a.sizes))} stops, limits "
        f"{', '.join(f'{x:g}' for x in limits)} s, engine {a.engine}, seed {a.seed}, {os.cpu_count()} cores",
        flush=True,
    )
    rows = []
    for n, limit in zip(a.sizes, limits):
        load0 = round(os.getloadavg()[0], 2)
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--one",
            "--sizes",
            str(n),
            "--limits",
            str(limit),
            "--engine",
            a.engine,
            "--seed",
            str(a.seed),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0 or not out.stdout.strip():
            row = {"stops": n, "time_limit": limit, "error": (out.stderr.strip().splitlines() or ["?"])[-1]}
        else:
            row = json.loads(out.stdout.strip().splitlines()[-1])
        row["load_average_start"] = load0
        rows.append(row)
        print(f"  {n} stops: {json.dumps(row)}", file=sys.stderr, flush=True)

    cols = [
        ("stops", "stops"),
        ("time_limit", "limit s"),
        ("elapsed_s", "elapsed s"),
        ("day_build_s", "day build s"),
        ("model_build_s", "model build s"),
        ("parts", "parts"),
        ("peak_rss_mb", "peak MB"),
        ("peak_rss_children_mb", "child peak MB"),
        ("served", "served"),
        ("unserved", "unserved"),
        ("vehicles", "vehicles"),
        ("cost", "cost"),
        ("violations", "violations"),
        ("load_average_start", "load"),
    ]
    cells = [[h for _, h in cols]] + [
        ["-" if r.get(k) is None else (f"{r[k]:,.2f}" if isinstance(r[k], float) else str(r[k])) for k, _ in cols]
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(cols))]
    print()
    for j, c in enumerate(cells):
        print("  ".join(v.rjust(w) for v, w in zip(c, widths)))
        if j == 0:
            print("  ".join("-" * w for w in widths))
    for r in rows:
        if r.get("error"):
            print(f"{r['stops']} stops failed: {r['error']}")
        elif r.get("first_violation"):
            print(f"{r['stops']} stops, first violation: {r['first_violation']}")
    print(
        json.dumps(
            {"benchmark": "bench_scale", "engine": a.engine, "seed": a.seed, "cpu_count": os.cpu_count(), "rows": rows}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
