"""Drivers' rules on the Yanhu day: cost, vehicles and breaks with and without them.

    python benchmarks/bench_breaks.py [--time-limit T] [--seed S] [--iterations N]

Solves ``yanhu_demo(seed)`` three ways with engine ``auto``: no drivers' rules
(``max_driving_h=None``), the default continuous-driving rule (4 h on duty, 20 min rest:
China's Road Traffic Safety Law implementing regulations, art. 62), and the rule plus a
30-minute lunch break starting between 11:30 and 13:00.  Every plan is checked by
``logistics.validate``.  Prints a table, then one JSON object with the headline figures
(the cost of the rule and of the lunch, per cent of the plan without rules) as the last line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import table

import logistics
from logistics.app.scenarios import yanhu_demo
from logistics.core.breaks import CN_MAX_DRIVING_H

LUNCH = logistics.Break(("11:30", "13:00"), 1800, name="lunch")
CASES = {
    "no rules": {"max_driving_h": None},
    "4 h / 20 min": {"max_driving_h": CN_MAX_DRIVING_H},
    "4 h / 20 min + lunch": {"max_driving_h": CN_MAX_DRIVING_H, "breaks": (LUNCH,)},
}


def run(time_limit: float, seed: int, iterations: int | None) -> list[dict]:
    """One row per case: cost, vehicles, served, breaks placed, violations, seconds."""
    base = yanhu_demo(seed)
    rows = []
    for name, kw in CASES.items():
        p = dataclasses.replace(base, fleet=[dataclasses.replace(vt, **kw) for vt in base.fleet])
        t0 = time.perf_counter()
        plan = logistics.solve(p, time_limit=time_limit, seed=seed, iterations=iterations)
        rows.append(
            {
                "case": name,
                "cost": plan.kpis["cost"],
                "vehicles": plan.kpis["vehicles"],
                "served": plan.kpis["served"],
                "unserved": plan.kpis["unserved"],
                "breaks": int((plan.stops["kind"] == "break").sum()),
                "violations": len(logistics.validate(p, plan)),
                "seconds": time.perf_counter() - t0,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the cases and print the table and the headline JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--iterations", type=int, default=None)
    a = ap.parse_args(argv)
    rows = run(a.time_limit, a.seed, a.iterations)
    cols = [("case", "case", 0), ("cost", "cost ¥", 2), ("vehicles", "vehicles", 0), ("served", "served", 0)]
    cols += [("unserved", "unserved", 0), ("breaks", "breaks", 0), ("violations", "violations", 0)]
    print(table(rows, cols + [("seconds", "s", 1)]))
    free = rows[0]["cost"]
    print(
        json.dumps(
            {
                "benchmark": "breaks",
                "time_limit_s": a.time_limit,
                "seed": a.seed,
                "cost_no_rules": round(free, 2),
                "rule_cost_pct": round(100 * (rows[1]["cost"] / free - 1), 2),
                "rule_and_lunch_cost_pct": round(100 * (rows[2]["cost"] / free - 1), 2),
                "vehicles": [r["vehicles"] for r in rows],
                "violations": sum(r["violations"] for r in rows),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
