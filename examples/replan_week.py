"""A day with a breakdown, then a week with service calendars, on the Yanhu network.

    python examples/replan_week.py [OUT_DIR]          (default: out/replan_week)

The day: the demo day is planned in the morning; at 11:00 the hub reefer with the most stops ahead
breaks down (its goods are back at the hub an hour later), a village cancels its order and a
co-operative calls in produce to collect.  ``logistics.replan`` keeps what was done, restarts every
vehicle where it stands and plans the rest; the changes are printed and written to changes.csv.

The week: the same villages as standing demand, villages within 25 minutes of the hub served twice
a week and the others once (an illustration, not a published timetable), planned Monday to Friday
by ``logistics.plan_week``; the days per week of each village come from ``logistics.coverage``.

Environment: COLDROUTE_EXAMPLE_TIME (seconds of search per solve, default 5).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import logistics
from logistics.core.events import Breakdown, Cancel, NewOrder
from logistics.core.model import Order
from logistics.core.options import SolveOptions
from logistics.planners.coverage import service_days

TIME_LIMIT = float(os.environ.get("COLDROUTE_EXAMPLE_TIME", "5"))


def day(out: Path) -> int:
    problem = logistics.yanhu_demo(seed=0)
    opts = SolveOptions(time_limit=TIME_LIMIT, seed=0)
    morning = logistics.solve(problem, opts)
    print("morning plan:", morning.summary())
    s = morning.stops
    ahead = s[s["kind"].isin(["delivery", "pickup"]) & (s["arrival"] >= 11 * 3600)]
    broken = str(ahead[ahead["vehicle"].str.startswith("reefer_hub")].groupby("vehicle").size().idxmax())
    cancelled = str(ahead[ahead["kind"] == "delivery"]["order_id"].iloc[-1])
    village = problem.order(cancelled).node_id
    produce = Order(
        "CALL-1",
        {"apples": 300},
        node_id=village,
        kind="pickup",
        time_windows=(("13:00", "17:00"),),
        service=900,
        vehicle_types=("reefer_hub_large", "reefer_hub_small"),
    )
    events = [Breakdown(broken, recover_min=60), Cancel(cancelled), NewOrder(produce)]
    r = logistics.replan(problem, morning, "11:00", events, opts)
    violations = logistics.validate(r.problem, r.plan)
    print(f"11:00: {broken} breaks down, {cancelled} cancelled, CALL-1 comes in")
    print("re-planned:", r.plan.summary(), "| violations:", len(violations))
    print(r.changes["change"].value_counts().to_string())
    out.mkdir(parents=True, exist_ok=True)
    r.changes.to_csv(out / "changes.csv", index=False)
    r.plan.to_json(out / "replanned_plan.json")
    return 1 if violations else 0


def week(out: Path) -> int:
    problem = logistics.yanhu_demo(seed=0)
    m = problem.travel_matrix
    hub = m.index("hub")
    rules = {
        o.location: logistics.ServiceRule(frequency=2 if m.duration[hub, m.index(o.location)] < 25 * 60 else 1)
        for o in problem.orders
    }
    weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri")
    opts = SolveOptions(time_limit=TIME_LIMIT, seed=0)
    plans = {}
    for strategy in ("round_robin", "cluster"):
        plans[strategy] = logistics.plan_week(problem, rules, days=weekdays, strategy=strategy, options=opts)
        k = plans[strategy].kpis
        print(f"week ({strategy}): cost ¥{k['cost']:,.0f}, {k['distance_km']:,.0f} km, {k['vehicles']} vehicle-days")
    best = plans["cluster"]
    bad = sum(len(logistics.validate(best.problems[d], p)) for d, p in best.plans.items())
    print(best.day_frame().to_string(index=False))
    days = service_days(best, problem.network)
    served = days[days["days_per_week"] > 0]
    print(f"{len(served)} villages served; days per week: {served['days_per_week'].value_counts().to_dict()}")
    best.assignment.to_csv(out / "week_assignment.csv", index=False)
    return 1 if bad else 0


def main(out_dir: str = "out/replan_week") -> int:
    out = Path(out_dir)
    return day(out) or week(out)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
