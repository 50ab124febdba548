"""Gaps to best-known solutions on classic VRP sets: coldroute against plain OR-Tools.

    python benchmarks/bench_classic.py SET --time-limit T [INSTANCE ...] [--data DIR]
                                       [--baseline/--no-baseline] [--limit N] [--seed S]

SET is ``solomon``, ``homberger`` (``homberger-200``/``-400``), ``cvrplib-X`` (``-A``,
``-B``, ``-E``, ``-P``, or ``cvrplib`` for all), ``lilim`` (``lilim-100``/``-200``/``-400``),
``mdvrp``, or a folder.  INSTANCE names are file stems (``c101``, ``X-n101-k25``) or
shell patterns (``'r1*'``); none means the whole set.  Data: ``--data DIR``, else
``$COLDROUTE_DATA``, else ``../shared/data`` relative to the repository.

For each instance the script runs ``logistics.solve(problem, time_limit=T, seed=S)``
and (unless ``--no-baseline``) the plain OR-Tools model of ``benchmarks/baseline.py``
with the same time limit, validates every plan with ``logistics.validate``, and prints
one row: cost in instance units (matrix distance divided by ``meta["scale"]``), the
best-known value, gaps in percent, run times, violations and unserved orders.  Then
the means and the ratio of mean gaps (baseline / coldroute; above 1 means coldroute
is closer to the best-known values).  The last line printed is one JSON object with
the headline figures.

Gaps follow each set's convention (see the data READMEs): Solomon/Homberger against
the distance-only DIMACS values (arcs truncated to 0.1), CVRPLIB against integer
``nint`` values, Li & Lim and Cordeau against exact-distance values (their best-known
Li & Lim values minimise vehicles first, so distance-only gaps can be negative).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmark helpers, also when imported
from _common import data_dir, fmt, gap, mean, resolve_set, select, table  # noqa: E402  (puts the repo on sys.path)


def plan_distance(plan) -> int:
    """Total distance of a plan in matrix units, summed from its stops."""
    s = plan.stops
    if s is None or len(s) == 0:
        return 0
    return int(round(float(s["travel_distance"].fillna(0).sum())))


def run_instance(path: Path, time_limit: float, seed: int, baseline: bool) -> dict:
    from logistics import read_instance, solve, validate

    problem = read_instance(path)
    scale = float(problem.meta.get("scale", 1) or 1)
    best = problem.meta.get("bks")
    row: dict = {"instance": path.stem, "n": len(problem.orders), "bks": best}
    t = time.perf_counter()
    try:
        plan = solve(problem, time_limit=time_limit, seed=seed)
        row["time"] = time.perf_counter() - t
        row["cost"] = plan_distance(plan) / scale
        row["vehicles"] = plan.stops["vehicle"].nunique() if len(plan.stops) else 0
        row["unserved"] = len(plan.unserved)
        vs = validate(problem, plan)
        row["violations"] = len(vs)
        if vs:
            row["first_violation"] = str(vs[0])
        row["gap"] = gap(row["cost"], best) if row["unserved"] == 0 else None
    except Exception as e:  # keep benchmarking the other instances
        row.update(time=time.perf_counter() - t, cost=None, gap=None, error=f"{type(e).__name__}: {e}")
    if baseline:
        from baseline import solve_baseline

        r = solve_baseline(problem, time_limit)
        row["base_time"] = r.elapsed_s
        row["base_cost"] = None if r.distance is None else r.distance / scale
        row["base_vehicles"] = r.vehicles
        row["base_gap"] = gap(row["base_cost"], best)
    return row


def summarise(rows: list[dict], set_name: str, time_limit: float, seed: int, baseline: bool) -> dict:
    ours = mean(r.get("gap") for r in rows)
    base = mean(r.get("base_gap") for r in rows) if baseline else None
    # mean gaps over the instances both runs solved, so the ratio compares like with like
    both = [r for r in rows if r.get("gap") is not None and r.get("base_gap") is not None]
    ours_b = mean(r["gap"] for r in both)
    base_b = mean(r["base_gap"] for r in both)
    if ours_b is None or base_b is None:
        ratio = None
    elif ours_b < 1e-9:  # coldroute at (or below) the best-known values on average
        ratio = math.inf if base_b > 1e-9 else 1.0
    else:
        ratio = max(base_b, 0.0) / ours_b
    return {
        "set": set_name, "time_limit": time_limit, "seed": seed, "instances": len(rows),
        "solved": sum(1 for r in rows if r.get("cost") is not None),
        "mean_gap_pct": _round(ours), "baseline_mean_gap_pct": _round(base),
        "gap_ratio_baseline_over_coldroute": None if ratio is None else (
            "inf" if math.isinf(ratio) else round(ratio, 3)),
        "mean_time_s": _round(mean(r.get("time") for r in rows)),
        "baseline_mean_time_s": _round(mean(r.get("base_time") for r in rows)) if baseline else None,
        "violations": sum(r.get("violations", 0) or 0 for r in rows),
        "unserved": sum(r.get("unserved", 0) or 0 for r in rows),
        "errors": sum(1 for r in rows if "error" in r),
        "wins": sum(1 for r in both if r["gap"] < r["base_gap"] - 1e-9) if baseline else None,
        "losses": sum(1 for r in both if r["gap"] > r["base_gap"] + 1e-9) if baseline else None,
        "gaps": {r["instance"]: _round(r.get("gap"), 3) for r in rows},
    }


def _round(x, digits: int = 4):
    return None if x is None else round(float(x), digits)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Gaps to best-known solutions: coldroute vs plain OR-Tools.")
    ap.add_argument("set", help="solomon, homberger, cvrplib-X, cvrplib-E, lilim, mdvrp, ... or a folder")
    ap.add_argument("instances", nargs="*", help="instance names or patterns (default: the whole set)")
    ap.add_argument("--time-limit", type=float, default=5.0, help="seconds per instance and solver")
    ap.add_argument("--data", default=None, help="benchmark data folder (default $COLDROUTE_DATA or "
                    "../shared/data)")
    ap.add_argument("--baseline", dest="baseline", action="store_true", default=True,
                    help="also run plain OR-Tools (default)")
    ap.add_argument("--no-baseline", dest="baseline", action="store_false")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="run at most N instances")
    a = ap.parse_intermixed_args(argv)

    set_name, files = resolve_set(a.set, data_dir(a.data))
    files = select(files, a.instances, a.limit)
    if not files:
        print(f"no instances in {set_name}", file=sys.stderr)
        return 2
    print(f"{set_name}: {len(files)} instance(s), time limit {a.time_limit:g} s, seed {a.seed}"
          f"{', baseline: plain OR-Tools' if a.baseline else ''}", flush=True)
    rows = []
    for f in files:
        r = run_instance(f, a.time_limit, a.seed, a.baseline)
        rows.append(r)
        line = (f"  {r['instance']}: cost {fmt(r.get('cost'))} gap {fmt(r.get('gap'))}% "
                f"({fmt(r.get('time'), 1)} s)")
        if a.baseline:
            line += f" | baseline {fmt(r.get('base_cost'))} gap {fmt(r.get('base_gap'))}%"
        if r.get("violations"):
            line += f" | {r['violations']} violation(s): {r.get('first_violation')}"
        if r.get("error"):
            line += f" | error: {r['error']}"
        print(line, file=sys.stderr, flush=True)

    cols = [("instance", "instance", 0), ("n", "n", 0), ("bks", "bks", 2), ("cost", "cost", 2),
            ("gap", "gap %", 2), ("time", "time s", 1), ("vehicles", "veh", 0), ("unserved", "unserved", 0),
            ("violations", "viol", 0)]
    if a.baseline:
        cols += [("base_cost", "baseline", 2), ("base_gap", "base gap %", 2), ("base_time", "base s", 1),
                 ("base_vehicles", "base veh", 0)]
    print()
    print(table(rows, cols))
    s = summarise(rows, set_name, a.time_limit, a.seed, a.baseline)
    print()
    print(f"mean gap: coldroute {fmt(s['mean_gap_pct'], 3)}%"
          + (f", plain OR-Tools {fmt(s['baseline_mean_gap_pct'], 3)}%" if a.baseline else ""))
    if a.baseline:
        print(f"ratio of mean gaps (baseline / coldroute, same instances): "
              f"{fmt(s['gap_ratio_baseline_over_coldroute'], 2)}; "
              f"coldroute better on {s['wins']}, worse on {s['losses']} of {len(rows)}")
    print(f"mean time: coldroute {fmt(s['mean_time_s'], 2)} s"
          + (f", plain OR-Tools {fmt(s['baseline_mean_time_s'], 2)} s" if a.baseline else ""))
    print(f"violations: {s['violations']}, unserved orders: {s['unserved']}, errors: {s['errors']}")
    print(json.dumps(s, separators=(", ", ": ")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
