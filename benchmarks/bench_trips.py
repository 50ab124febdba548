"""Several trips per vehicle on the Yanhu day: vehicles, cost and orders served with and without reloads.

    python benchmarks/bench_trips.py [--time-limit T] [--seed S] [--iterations N] [--reload-min M]

Solves the deliveries of ``yanhu_demo(seed, pickups=0)`` (several trips are modelled on days of
unpaired deliveries; with pickups on the day every vehicle makes one trip) with engine ``auto``
three ways: the full fleet (21 vehicles) with one trip each, a small fleet (two large hub
reefers and one vehicle of every other type: 7 vehicles whose space is less than the day's
goods) with one trip each, and the same small fleet with ``max_trips=2`` and a reload of
``--reload-min`` minutes at the depot.  Every plan is checked by ``logistics.validate``.  Prints a
table, then one JSON object with the headline figures as the last line.
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

#: The small fleet: two large hub reefers and one of every other type, 20,000 units of space for the
#: day's 22,164 (one trip each cannot carry the day).
SMALL = {"reefer_hub_large": 2}


def cases(seed: int, reload_min: float) -> dict[str, logistics.Problem]:
    """The full fleet, and the small fleet with one and with two trips."""
    base = yanhu_demo(seed, pickups=0)

    def small(trips: int) -> logistics.Problem:
        vts = [
            dataclasses.replace(vt, count=min(vt.count, SMALL.get(vt.name, 1)), max_trips=trips, reload_min=reload_min)
            for vt in base.fleet
        ]
        return dataclasses.replace(base, fleet=vts)

    return {"full fleet, 1 trip": base, "small fleet, 1 trip": small(1), "small fleet, 2 trips": small(2)}


def run(time_limit: float, seed: int, iterations: int | None, reload_min: float) -> list[dict]:
    """One row per case: fleet size, vehicles used, cost, served, reloads, violations, seconds."""
    rows = []
    for name, p in cases(seed, reload_min).items():
        t0 = time.perf_counter()
        plan = logistics.solve(p, time_limit=time_limit, seed=seed, iterations=iterations)
        rows.append(
            {
                "case": name,
                "fleet": sum(vt.count for vt in p.fleet),
                "vehicles": plan.kpis["vehicles"],
                "cost": plan.kpis["cost"],
                "served": plan.kpis["served"],
                "unserved": plan.kpis["unserved"],
                "reloads": int((plan.stops["kind"] == "reload").sum()),
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
    ap.add_argument("--reload-min", type=float, default=30.0)
    a = ap.parse_args(argv)
    rows = run(a.time_limit, a.seed, a.iterations, a.reload_min)
    cols = [("case", "case", 0), ("fleet", "fleet", 0), ("vehicles", "vehicles used", 0), ("cost", "cost ¥", 2)]
    cols += [("served", "served", 0), ("unserved", "unserved", 0), ("reloads", "reloads", 0)]
    print(table(rows, cols + [("violations", "violations", 0), ("seconds", "s", 1)]))
    print(
        json.dumps(
            {
                "benchmark": "trips",
                "time_limit_s": a.time_limit,
                "seed": a.seed,
                "reload_min": a.reload_min,
                "cases": [r["case"] for r in rows],
                "vehicles": [r["vehicles"] for r in rows],
                "cost": [round(r["cost"], 2) for r in rows],
                "served": [r["served"] for r in rows],
                "reloads": [r["reloads"] for r in rows],
                "violations": sum(r["violations"] for r in rows),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
