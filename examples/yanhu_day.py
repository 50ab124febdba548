"""Plan one harvest-season day for Yanhu District and write the results.

    python examples/yanhu_day.py [OUT_DIR]          (default: out/yanhu_day)

Groceries go down from the district logistics park to villages in chilled and
frozen compartments; apples, pears and dates come up to the hub's cold store.
The script solves the day, checks the plan with the independent validator,
prints the KPIs and writes routes.geojson, stops.csv, unserved.csv, kpis.json,
plan.json, map.html and timeline.png.

Environment: COLDROUTE_EXAMPLE_TIME (seconds of search, default 20),
COLDROUTE_EXAMPLE_OFFLINE=1 for a map that needs no network.
"""

from __future__ import annotations

import os
import sys

import logistics
from logistics.app.run import run_problem
from logistics.core.options import SolveOptions

TIME_LIMIT = float(os.environ.get("COLDROUTE_EXAMPLE_TIME", "20"))
OFFLINE = os.environ.get("COLDROUTE_EXAMPLE_OFFLINE", "") not in ("", "0")


def main(out_dir: str = "out/yanhu_day") -> int:
    problem = logistics.yanhu_demo(seed=0)
    kinds = {}
    for o in problem.orders:
        kinds[o.kind] = kinds.get(o.kind, 0) + 1
    print(
        f"{problem.name}: {len(problem.orders)} orders ({kinds.get('delivery', 0)} deliveries, "
        f"{kinds.get('pickup', 0)} pickups), {sum(vt.count for vt in problem.fleet)} vehicles "
        f"in {len(problem.fleet)} types; searching {TIME_LIMIT:g} s"
    )

    result = run_problem(
        problem, out_dir, SolveOptions(time_limit=TIME_LIMIT, seed=0), name="yanhu-day", offline=OFFLINE
    )
    plan = result.plan
    violations = logistics.validate(problem, plan)
    if violations:
        print("the plan is infeasible:", *violations, sep="\n  ")
        return 1

    k = plan.kpis
    print(plan.summary())
    for key, label, unit in [
        ("distance_km", "distance", "km"),
        ("duration_h", "vehicle hours", "h"),
        ("cost", "total cost", "¥"),
        ("refrigeration_cost", "refrigeration", "¥"),
        ("quality_loss", "freshness loss", "¥"),
        ("co2_kg", "CO2", "kg"),
    ]:
        print(f"  {label:<15} {k[key]:>12,.2f} {unit}")
    if len(plan.unserved):
        print("unserved:")
        for oid, reason in zip(plan.unserved["order_id"], plan.unserved["reason"]):
            print(f"  {oid}: {reason}")
    print(f"results in {result.out_dir} (open map.html in a browser)")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
