"""Reference costs of the Yanhu cold-chain day and three-tier day, and the gap of short runs to them.

    python benchmarks/bench_reference.py long [--runs coldchain:auto:0:300 tiers:pyvrp:0:180 ...]
    python benchmarks/bench_reference.py gap [--seeds 0 1 2] [--coldchain-limit 30] [--tiers-limit 60]

``long`` runs each ``day:engine:seed:seconds`` in turn with ``stop_early=False`` (search to the
limit; the tier planner then gives every trunk and last-mile solve its whole phase instead of a
size-scaled cap), validates each plan, writes it to ``benchmarks/results/reference/`` and keeps
the cheapest per day in ``benchmarks/results/reference.json`` (cost, engine, seed, seconds, plan
file; a cheaper plan found later, by either mode, replaces it).  Days: ``coldchain`` is
``logistics.yanhu_demo(0)`` solved by ``logistics.solve``; ``tiers`` is
``logistics.yanhu_tier_day(0)`` planned by ``plan_scenario``.  Cost is ``kpis["cost"]`` (¥,
the exact cold-chain cost model, optional orders left out at their penalty); a plan that
leaves a required order out is never a reference.

``gap`` runs each day at its target limit (default options, as a user would) for each seed and
prints the gap to the reference; for the tier day also where the time went
(``meta["phase_elapsed_s"]``, ``meta["leg_elapsed_s"]``).  Both modes end with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import logistics as L  # noqa: E402
from logistics.app.run_tiers import read_tiered_plan  # noqa: E402
from logistics.core.options import SolveOptions  # noqa: E402
from logistics.planners.tiers import plan_scenario  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
REFERENCE = RESULTS / "reference.json"
PLANS = RESULTS / "reference"
DEFAULT_RUNS = (
    "coldchain:auto:0:300",
    "coldchain:auto:1:300",
    "coldchain:pyvrp:0:240",
    "coldchain:ortools:0:120",
    "tiers:auto:0:240",
    "tiers:auto:1:240",
    "tiers:pyvrp:0:180",
    "tiers:ortools:0:120",
)
DAY_SEED = 0  # both days are the seed-0 day; the run's seed is the solver's


def run(day: str, opts: SolveOptions) -> tuple[Any, dict[str, Any]]:
    """Plan one day with ``opts``; the plan and a row of figures (validated)."""
    t0 = time.perf_counter()
    if day == "coldchain":
        problem = L.yanhu_demo(DAY_SEED)
        plan = L.solve(problem, opts)
        elapsed = time.perf_counter() - t0
        violations = L.validate(problem, plan)
        required_left = int(plan.kpis.get("required_unserved", 0) or 0)
        # where the time went: PyVRP's skeleton (seeds run, its objective) and OR-Tools' polish from it
        keys = (
            "skeleton_seeds",
            "skeleton_rounds",
            "skeleton_cost",
            "skeleton_stopped",
            "pyvrp_s",
            "search_s",
            "stopped",
        )
        extra: dict[str, Any] = {k: plan.meta.get(k) for k in keys}
        extra |= {"objective": plan.kpis.get("objective"), "history": plan.meta.get("history")}
    elif day == "tiers":
        tp = plan_scenario(L.yanhu_tier_day(DAY_SEED), opts)
        elapsed = time.perf_counter() - t0
        violations = tp.validate(legs=True)
        plan = tp
        required_left = sum(1 for o in tp.orders if o.required and o.id in set(tp.unserved["order_id"]))
        extra = {
            "phase_elapsed_s": tp.meta.get("phase_elapsed_s"),
            "leg_elapsed_s": tp.meta.get("leg_elapsed_s"),
            "phase_limits_s": tp.meta.get("phase_limits_s"),
            "tier_cost": {t: tp.kpis.get(f"{t}_cost") for t in ("trunk", "last_mile", "direct")},
        }
    else:
        raise SystemExit(f"unknown day {day!r} (coldchain or tiers)")
    row = {
        "day": day,
        "engine": opts.engine,
        "seed": opts.seed,
        "time_limit": opts.time_limit,
        "stop_early": opts.stop_early,
        "elapsed_s": round(elapsed, 2),
        "cost": round(float(plan.kpis["cost"]), 2),
        "served": int(plan.kpis.get("served", 0)),
        "unserved": int(plan.kpis.get("unserved", 0)),
        "required_unserved": required_left,
        "vehicles": int(plan.kpis.get("vehicles", 0)),
        "violations": len(violations),
        "load_average": round(os.getloadavg()[0], 2),
        **extra,
    }
    return plan, row


def _reference() -> dict[str, Any]:
    return json.loads(REFERENCE.read_text()) if REFERENCE.exists() else {}


def _valid_now(day: str, entry: dict[str, Any]) -> bool:
    """Whether a stored reference plan still validates against the day as the library builds it now.

    A rule that becomes a default (the driving rule did) can make the cheapest plan of before
    invalid; such a plan is no reference for the day of now.
    """
    path = REPO / entry["plan"]
    if day == "coldchain":
        return not L.validate(L.yanhu_demo(DAY_SEED), L.Plan.from_dict(json.loads(path.read_text())))
    # read as `coldroute validate` reads a tiered plan: the day's stations' cold stores and hours included
    return not read_tiered_plan(path, L.yanhu_tier_day(DAY_SEED)).validate(legs=True)


def _keep_if_best(plan: Any, row: dict[str, Any], ref: dict[str, Any]) -> bool:
    """Write the plan and make it the day's reference if it is valid, serves every required order and is cheaper.

    A reference whose plan no longer validates (`_valid_now`) is moved to ``ref["superseded"]``.
    """
    if row["violations"] or row["required_unserved"]:
        return False
    best = ref.get(row["day"])
    if best is not None and not _valid_now(row["day"], best):
        ref.setdefault("superseded", {})[row["day"]] = dict(best, superseded="its plan no longer validates")
        best = None
    if best is not None and best["cost"] <= row["cost"]:
        return False
    PLANS.mkdir(parents=True, exist_ok=True)
    name = f"{row['day']}-{row['engine']}-seed{row['seed']}-{row['time_limit']:g}s.json"
    text = json.dumps(plan.to_dict(), default=str) if hasattr(plan, "to_dict") else plan.to_json()
    written = PLANS / name
    written.write_text(text)
    ref[row["day"]] = {
        "cost": row["cost"],
        "engine": row["engine"],
        "seed": row["seed"],
        "time_limit": row["time_limit"],
        "stop_early": row["stop_early"],
        "elapsed_s": row["elapsed_s"],
        "served": row["served"],
        "plan": str(written.relative_to(REPO)) if written.is_relative_to(REPO) else str(written),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "day_seed": DAY_SEED,
    }
    REFERENCE.write_text(json.dumps(ref, indent=1) + "\n")
    return True


def long_runs(specs: list[str]) -> list[dict[str, Any]]:
    """The long runs, each kept as the reference if it is the best so far."""
    rows = []
    for spec in specs:
        day, engine, seed, seconds = spec.split(":")
        opts = SolveOptions(time_limit=float(seconds), seed=int(seed), engine=engine, stop_early=False)
        plan, row = run(day, opts)
        row["kept"] = _keep_if_best(plan, row, _reference())
        print(json.dumps({k: v for k, v in row.items() if k != "history"}), flush=True)
        rows.append(row)
    return rows


def gaps(seeds: list[int], limits: dict[str, float]) -> list[dict[str, Any]]:
    """Each day at its target limit per seed, against the reference."""
    rows = []
    for seed in seeds:
        for day, limit in limits.items():
            plan, row = run(day, SolveOptions(time_limit=limit, seed=seed))
            row["kept"] = _keep_if_best(plan, row, _reference())
            print(json.dumps({k: v for k, v in row.items() if k not in ("history", "gap_pct")}), flush=True)
            rows.append(row)
    final = _reference()  # gaps against the best plan seen, this run's included
    for row in rows:
        ref = final.get(row["day"])
        row["reference"] = ref["cost"] if ref else None
        row["gap_pct"] = round(100 * (row["cost"] - ref["cost"]) / ref["cost"], 3) if ref else None
    print(
        f"\n{'day':<10}{'seed':>5}{'limit s':>9}{'elapsed s':>10}{'cost':>12}{'reference':>12}{'gap %':>8}{'viol':>6}"
    )
    for r in rows:
        print(
            f"{r['day']:<10}{r['seed']:>5}{r['time_limit']:>9g}{r['elapsed_s']:>10.1f}{r['cost']:>12,.2f}"
            f"{(r['reference'] or 0):>12,.2f}{(r['gap_pct'] if r['gap_pct'] is not None else float('nan')):>8.2f}"
            f"{r['violations']:>6}"
        )
    for r in rows:
        if r["day"] == "tiers":
            print(f"\ntiers seed {r['seed']}: phases {r['phase_elapsed_s']}\n  last-mile solves {r['leg_elapsed_s']}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["long", "gap"])
    ap.add_argument("--runs", nargs="+", default=list(DEFAULT_RUNS), help="day:engine:seed:seconds (long)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="solver seeds (gap)")
    ap.add_argument("--coldchain-limit", type=float, default=30.0)
    ap.add_argument("--tiers-limit", type=float, default=60.0)
    ap.add_argument("--days", nargs="+", default=["coldchain", "tiers"], help="days to run (gap)")
    a = ap.parse_args(argv)
    print(f"{a.mode}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}", flush=True)
    if a.mode == "long":
        rows = long_runs(a.runs)
    else:
        limits = {"coldchain": a.coldchain_limit, "tiers": a.tiers_limit}
        rows = gaps(a.seeds, {d: limits[d] for d in a.days})
    print(json.dumps({"benchmark": f"bench_reference {a.mode}", "reference": _reference(), "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
