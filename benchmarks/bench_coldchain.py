"""Cold-chain objective vs distance-only objective on the Yanhu demo day.

Both plans serve the same orders (all made required, so the comparison is
like for like) and are scored by the same exact cold-chain cost model: what
does optimising for freshness, refrigeration and fuel buy over shortest
routes?  Optionally (``--engines``) also compares the portfolio engine with
plain OR-Tools on the full cold-chain model at equal wall time.

    python benchmarks/bench_coldchain.py --time-limit 30 [--seed 0] [--engines]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import logistics as L

FIGURES = [
    "served",
    "unserved",
    "vehicles",
    "distance_km",
    "duration_h",
    "fuel_l",
    "co2_kg",
    "refrigeration_cost",
    "quality_loss",
    "fuel_cost",
    "window_cost",
    "cost",
]


def like_for_like(problem: L.Problem, objective: str) -> L.Problem:
    orders = [dataclasses.replace(o, required=True, penalty=None) for o in problem.orders]
    return dataclasses.replace(problem, orders=tuple(orders), objective=objective)


def run(problem: L.Problem, time_limit: float, seed: int, engine: str) -> tuple[L.Plan, float, int]:
    t0 = time.perf_counter()
    plan = L.solve(problem, time_limit=time_limit, seed=seed, engine=engine)
    elapsed = time.perf_counter() - t0
    violations = L.validate(problem, plan)
    return plan, elapsed, len(violations)


def table(rows: dict[str, dict], title: str) -> None:
    names = list(rows)
    print(f"\n{title}")
    print(f"{'figure':<20}" + "".join(f"{n:>18}" for n in names))
    for f in FIGURES + ["elapsed_s", "violations"]:
        vals = [rows[n].get(f, float("nan")) for n in names]
        print(f"{f:<20}" + "".join(f"{v:>18,.2f}" if isinstance(v, float) else f"{v:>18}" for v in vals))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--engines", action="store_true", help="also compare portfolio vs plain OR-Tools")
    args = ap.parse_args(argv)

    demo = L.yanhu_demo(args.seed)
    rows = {}
    plans = {}
    for objective in ("cost", "distance"):
        p = like_for_like(demo, objective)
        plan, elapsed, nviol = run(p, args.time_limit, args.seed, args.engine)
        # score both plans with the same exact cold-chain model
        rows[objective] = {**{f: plan.kpis.get(f) for f in FIGURES}, "elapsed_s": elapsed, "violations": nviol}
        plans[objective] = plan
    table(
        rows,
        f"Yanhu demo day (seed {args.seed}), {len(demo.orders)} orders, {args.time_limit:g} s each, "
        f"engine {args.engine}: cold-chain objective vs distance-only",
    )
    c, d = rows["cost"], rows["distance"]
    headline = {
        "benchmark": "bench_coldchain",
        "orders": len(demo.orders),
        "time_limit": args.time_limit,
        "cost_coldchain": round(c["cost"], 2),
        "cost_distance_only": round(d["cost"], 2),
        "cost_saving_pct": round(100 * (d["cost"] - c["cost"]) / d["cost"], 2) if d["cost"] else None,
        "quality_loss_coldchain": round(c["quality_loss"], 2),
        "quality_loss_distance_only": round(d["quality_loss"], 2),
        "co2_coldchain": round(c["co2_kg"], 2),
        "co2_distance_only": round(d["co2_kg"], 2),
        "km_coldchain": round(c["distance_km"], 1),
        "km_distance_only": round(d["distance_km"], 1),
        "violations": c["violations"] + d["violations"],
    }
    if args.engines:
        erows = {}
        for engine in ("ortools", "auto"):
            plan, elapsed, nviol = run(demo, args.time_limit, args.seed, engine)
            erows[engine] = {**{f: plan.kpis.get(f) for f in FIGURES}, "elapsed_s": elapsed, "violations": nviol}
        table(erows, "Full cold-chain model at equal wall time: plain OR-Tools vs portfolio")
        o, a = erows["ortools"]["cost"], erows["auto"]["cost"]
        headline.update(
            {
                "cost_plain_ortools": round(o, 2),
                "cost_portfolio": round(a, 2),
                "portfolio_saving_pct": round(100 * (o - a) / o, 2) if o else None,
            }
        )
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
