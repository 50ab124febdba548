"""Drivers' rules: what China's default continuous-driving rule costs, on the Yanhu day and on a long day.

    python benchmarks/bench_breaks.py [--time-limit T] [--seed S] [--long-limit T]

Every vehicle type keeps China's rule by default (4 h on duty, then a rest of 20 min: Road
Traffic Safety Law implementing regulations, art. 62).  Each instance is solved with the rule
off (``max_driving_h=None``) and then on (the default), one right after the other so that the
load of a shared machine hits both alike:

* ``yanhu_demo(seed)`` with engine ``auto`` (the default) and with ``ortools`` alone, at
  ``--time-limit``; and the default plus a 30-minute lunch break starting between 11:30 and 13:00;
* the time to a first plan: ``solve(engine="ortools", iterations=1)`` (OR-Tools stops at its
  first solution) on the Yanhu day and on a long day (270 orders for one van with a 24-hour shift,
  five rests), at most ``--long-limit`` seconds.

Every plan is checked by ``logistics.validate``.  Prints a table, then one JSON object with the
headline figures (the default's cost and time against the rule off) as the last line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import table

import logistics
import networks
from logistics.app.scenarios import yanhu_demo
from logistics.core.breaks import CN_MAX_DRIVING_H

LUNCH = logistics.Break(("11:30", "13:00"), 1800, name="lunch")


def long_day(n: int = 270, seed: int = 7) -> logistics.Problem:
    """``n`` parcels in a 30 km square for one van with a 24-hour shift: every route is long."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 30_000.0, (n + 1, 2))
    d = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)))
    ids = ["D"] + [f"c{i}" for i in range(n)]
    tm = networks.TravelMatrix(ids, d, np.rint(d / 10.0))
    orders = [logistics.Order(f"o{i}", {"goods": 1}, node_id=f"c{i}", service=60) for i in range(n)]
    van = logistics.VehicleType("van", 1, (logistics.Compartment("ambient", 200),), start_depot="D", cost_per_km=1.0)
    return logistics.Problem(orders, [van], matrix=tm, name="long-day", strict=False)


def with_rule(p: logistics.Problem, **kw) -> logistics.Problem:
    """``p`` with every vehicle type changed by ``kw``."""
    return dataclasses.replace(p, fleet=[dataclasses.replace(vt, **kw) for vt in p.fleet])


def one(case: str, p: logistics.Problem, **solve) -> dict:
    """Solve, validate and measure one case."""
    t0 = time.perf_counter()
    plan = logistics.solve(p, seed=0, **solve)
    s = time.perf_counter() - t0
    return {
        "case": case,
        "cost": plan.kpis["cost"],
        "vehicles": plan.kpis["vehicles"],
        "served": plan.kpis["served"],
        "orders": len(p.orders),
        "breaks": int((plan.stops["kind"] == "break").sum()),
        "violations": len(logistics.validate(p, plan)),
        "seconds": s,
        "seed": plan.meta.get("seed_from") or plan.meta.get("skeleton") or "-",
    }


def run(time_limit: float, seed: int, long_limit: float) -> list[dict]:
    """The rows, each pair rule off then on."""
    base = yanhu_demo(seed)
    off, on = with_rule(base, max_driving_h=None), with_rule(base, max_driving_h=CN_MAX_DRIVING_H)
    lunch = with_rule(on, breaks=(LUNCH,))
    long_off = with_rule(long_day(), max_driving_h=None)
    long_on = with_rule(long_day(), max_driving_h=CN_MAX_DRIVING_H)
    return [
        one("Yanhu day, auto, rule off", off, time_limit=time_limit),
        one("Yanhu day, auto, default rule", on, time_limit=time_limit),
        one("Yanhu day, auto, default rule + lunch", lunch, time_limit=time_limit),
        one("Yanhu day, ortools, rule off", off, time_limit=time_limit, engine="ortools"),
        one("Yanhu day, ortools, default rule", on, time_limit=time_limit, engine="ortools"),
        one("Yanhu day, first plan, rule off", off, time_limit=long_limit, engine="ortools", iterations=1),
        one("Yanhu day, first plan, default rule", on, time_limit=long_limit, engine="ortools", iterations=1),
        one("long day, first plan, rule off", long_off, time_limit=long_limit, engine="ortools", iterations=1),
        one("long day, first plan, default rule", long_on, time_limit=long_limit, engine="ortools", iterations=1),
        one("long day, ortools 2 s, rule off", long_off, time_limit=2.0, engine="ortools"),
        one("long day, ortools 2 s, default rule", long_on, time_limit=2.0, engine="ortools"),
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the cases and print the table and the headline JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--long-limit", type=float, default=20.0)
    a = ap.parse_args(argv)
    rows = run(a.time_limit, a.seed, a.long_limit)
    cols = [("case", "case", 0), ("cost", "cost ¥", 2), ("vehicles", "vehicles", 0), ("served", "served", 0)]
    cols += [("orders", "of", 0), ("breaks", "break stops", 0), ("violations", "violations", 0)]
    print(table(rows, cols + [("seconds", "s", 2), ("seed", "OR-Tools seed", 0)]))
    r = {row["case"]: row for row in rows}

    def pct(a: float, b: float) -> float:
        return round(100 * (a / b - 1), 2)

    print(
        json.dumps(
            {
                "benchmark": "breaks",
                "time_limit_s": a.time_limit,
                "seed": a.seed,
                "cost_rule_off": round(r["Yanhu day, auto, rule off"]["cost"], 2),
                "default_rule_cost_pct": pct(
                    r["Yanhu day, auto, default rule"]["cost"], r["Yanhu day, auto, rule off"]["cost"]
                ),
                "lunch_cost_pct": pct(
                    r["Yanhu day, auto, default rule + lunch"]["cost"], r["Yanhu day, auto, rule off"]["cost"]
                ),
                "ortools_default_rule_cost_pct": pct(
                    r["Yanhu day, ortools, default rule"]["cost"], r["Yanhu day, ortools, rule off"]["cost"]
                ),
                "vehicles_off_on": [
                    r["Yanhu day, auto, rule off"]["vehicles"],
                    r["Yanhu day, auto, default rule"]["vehicles"],
                ],
                "first_plan_s_off_on": [
                    round(r["Yanhu day, first plan, rule off"]["seconds"], 2),
                    round(r["Yanhu day, first plan, default rule"]["seconds"], 2),
                ],
                "long_day_first_plan_s_off_on": [
                    round(r["long day, first plan, rule off"]["seconds"], 2),
                    round(r["long day, first plan, default rule"]["seconds"], 2),
                ],
                "long_day_2s_served_off_on": [
                    r["long day, ortools 2 s, rule off"]["served"],
                    r["long day, ortools 2 s, default rule"]["served"],
                ],
                "violations": sum(row["violations"] for row in rows),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
