"""Several trips per vehicle on the Yanhu day: vehicles, cost and orders served with and without reloads.

    python benchmarks/bench_trips.py [--time-limit T] [--seed S] [--iterations N] [--reload-min M]

Two days: the deliveries of ``yanhu_demo(seed, pickups=0)`` and the cold-chain day of
``yanhu_demo(seed)`` (120 deliveries and 50 villages' produce picked up for the hub's cold store).
Each is solved with engine ``auto`` four ways, one right after the other: the full fleet (21
vehicles) with one trip each and with ``max_trips=2``, a small fleet (two large hub reefers and
one vehicle of every other type: 7 vehicles whose space is less than the day's goods) with one
trip each and with ``max_trips=2``; two trips come with a reload of ``--reload-min`` minutes at the
depot.  Every plan is checked by ``logistics.validate``.  Prints a table, then one JSON object with
the headline figures as the last line.
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
#: day's 22,164 units of deliveries (one trip each cannot carry the day).
SMALL = {"reefer_hub_large": 2}


def cases(base: logistics.Problem, reload_min: float) -> dict[str, logistics.Problem]:
    """The full and the small fleet, each with one and with two trips per vehicle."""

    def fleet(trips: int, small: bool) -> logistics.Problem:
        vts = [
            dataclasses.replace(
                vt,
                count=min(vt.count, SMALL.get(vt.name, 1)) if small else vt.count,
                max_trips=trips,
                reload_min=reload_min,
            )
            for vt in base.fleet
        ]
        return dataclasses.replace(base, fleet=vts)

    return {
        "full fleet, 1 trip": fleet(1, False),
        "full fleet, 2 trips": fleet(2, False),
        "small fleet, 1 trip": fleet(1, True),
        "small fleet, 2 trips": fleet(2, True),
    }


#: The days measured: deliveries only, and the cold-chain day with produce pickups.
DAYS = {"deliveries": 0, "with pickups": 50}


def run(time_limit: float, seed: int, iterations: int | None, reload_min: float) -> list[dict]:
    """One row per day and case: fleet size, vehicles used, cost, served, reloads, violations, seconds."""
    rows = []
    for day, pickups in DAYS.items():
        for name, p in cases(yanhu_demo(seed, pickups=pickups), reload_min).items():
            t0 = time.perf_counter()
            plan = logistics.solve(p, time_limit=time_limit, seed=seed, iterations=iterations)
            rows.append(
                {
                    "day": day,
                    "case": name,
                    "orders": len(p.orders),
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
    cols = [("day", "day", 0), ("case", "case", 0), ("orders", "orders", 0), ("fleet", "fleet", 0)]
    cols += [("vehicles", "vehicles used", 0), ("cost", "cost ¥", 2), ("served", "served", 0)]
    cols += [("unserved", "unserved", 0), ("reloads", "reloads", 0)]
    print(table(rows, cols + [("violations", "violations", 0), ("seconds", "s", 1)]))
    out: dict = {"benchmark": "trips", "time_limit_s": a.time_limit, "seed": a.seed, "reload_min": a.reload_min}
    out["cases"] = [r["case"] for r in rows if r["day"] == next(iter(DAYS))]
    for day in DAYS:
        mine = [r for r in rows if r["day"] == day]
        out[day] = {
            "vehicles": [r["vehicles"] for r in mine],
            "cost": [round(r["cost"], 2) for r in mine],
            "served": [r["served"] for r in mine],
            "reloads": [r["reloads"] for r in mine],
        }
    out["violations"] = sum(r["violations"] for r in rows)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
