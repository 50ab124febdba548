"""A week of village service on the Yanhu network: service days chosen by clustering against round-robin.

The week's standing demand is the demo day (``yanhu_demo``: 120 villages with a delivery, 50 with
produce), each order one visit's goods.  The calendar is generated (seeded, estimated, not from a
source): remote townships' villages (more than 25 min from the hub) get 1 visit a week, the
others 1 to 3, a fifth of the villages only on Tue/Thu/Sat, a tenth with the first visit by Wednesday.
Monday to Saturday are planned, each day with ``logistics.solve`` at ``--day-limit`` seconds:

* ``round_robin``: the baseline, days handed out in turn, each day planned independently;
* ``cluster``: villages near each other on the same days, loads balanced (no moves);
* ``cluster+moves``: then ``--swaps`` passes of moves kept when they lower the travel proxy.

Every day's plan goes through ``logistics.validate``.  Costs are the week's (yuan).

    python benchmarks/bench_week.py                 # seed 0, 5 s a day
    python benchmarks/bench_week.py --seeds 0 1 --day-limit 3

The last line is one JSON object: the rows and the headline (cost and km against round-robin).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import numpy as np
from _common import table

import logistics as L
from logistics.core.calendar import ServiceRule
from logistics.core.options import SolveOptions
from logistics.planners.week import assign_days, plan_week

REMOTE_S = 25 * 60


def calendar(problem: L.Problem, seed: int) -> dict[str, ServiceRule]:
    """A generated calendar (see the module docstring), one rule per village."""
    rng = np.random.default_rng(seed)
    m = problem.travel_matrix
    hub = m.index("hub")
    rules = {}
    for node in sorted({o.location for o in problem.orders}):
        remote = m.duration[hub, m.index(node)] > REMOTE_S
        freq = 1 if remote else int(rng.choice([1, 1, 2, 3]))
        days = ("Tue", "Thu", "Sat") if rng.random() < 0.2 else None
        by = "Wed" if freq == 1 and rng.random() < 0.1 else None
        rules[node] = ServiceRule(frequency=freq, days=days, by=by)
    return rules


def run(seed: int, day_limit: float, swaps: int) -> list[dict[str, Any]]:
    problem = L.yanhu_demo(seed)
    rules = calendar(problem, seed)
    opts = SolveOptions(time_limit=day_limit, seed=seed)
    rows = []
    for name, strategy, n_swaps in (
        ("round_robin", "round_robin", 0),
        ("cluster", "cluster", 0),
        ("cluster+moves", "cluster", swaps),
    ):
        t0 = time.perf_counter()
        assign_days(problem, rules, strategy=strategy, swaps=n_swaps)
        assign_s = time.perf_counter() - t0
        week = plan_week(problem, rules, strategy=strategy, swaps=n_swaps, options=opts)
        violations = sum(len(L.validate(week.problems[d], p)) for d, p in week.plans.items())
        k = week.kpis
        loads = [len(pr.orders) for pr in week.problems.values()]
        rows.append(
            {
                "seed": seed,
                "variant": name,
                "assign_s": round(assign_s, 2),
                "proxy": k["proxy"],
                "cost": k["cost"],
                "km": k["distance_km"],
                "vehicle_days": k["vehicles"],
                "visits": k["served"] + k["unserved"],
                "unserved": k["unserved"],
                "stops_min_max": f"{min(loads)}-{max(loads)}",
                "moves": week.meta["moves"],
                "violations": violations,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    base = rows[0]
    for r in rows:
        r["cost_vs_rr_pct"] = round(100 * (r["cost"] - base["cost"]) / base["cost"], 2)
        r["km_vs_rr_pct"] = round(100 * (r["km"] - base["km"]) / base["km"], 2)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--day-limit", type=float, default=5.0)
    ap.add_argument("--swaps", type=int, default=3)
    a = ap.parse_args()
    rows = []
    for seed in a.seeds:
        rows += run(seed, a.day_limit, a.swaps)
    cols = [
        ("seed", "seed", 0),
        ("variant", "variant", 0),
        ("assign_s", "days s", 2),
        ("proxy", "proxy", 0),
        ("cost", "week cost ¥", 2),
        ("cost_vs_rr_pct", "vs RR %", 2),
        ("km", "km", 1),
        ("km_vs_rr_pct", "km vs RR %", 2),
        ("vehicle_days", "vehicle-days", 0),
        ("visits", "visits", 0),
        ("unserved", "unserved", 0),
        ("stops_min_max", "stops/day", 0),
        ("moves", "moves", 0),
        ("violations", "viol", 0),
    ]
    print(table(rows, cols))
    best = [r for r in rows if r["variant"] == "cluster+moves"]
    headline = {
        "benchmark": "bench_week",
        "day_limit_s": a.day_limit,
        "load": os.getloadavg()[0],
        "mean_cost_vs_round_robin_pct": round(sum(r["cost_vs_rr_pct"] for r in best) / len(best), 2),
        "mean_km_vs_round_robin_pct": round(sum(r["km_vs_rr_pct"] for r in best) / len(best), 2),
        "violations": sum(r["violations"] for r in rows),
        "rows": rows,
    }
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
