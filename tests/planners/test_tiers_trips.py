"""Three tiers with vans of several trips: reloads at the station, the tier rules read each trip's times."""

from __future__ import annotations

from dataclasses import replace

import logistics as L
from logistics.check.tiers import assert_tiers_valid
from logistics.core.model import Compartment
from logistics.core.plan import trip_times
from logistics.core.units import Zone
from logistics.planners import tiers as T


def test_vans_of_two_trips_reload_and_the_tiered_plan_validates():
    net = T.demo_network(stations=2, villages_per_station=6, near_hub=1, seed=3)
    orders = T.demo_orders(net, seed=3)
    trunk, vans = T.demo_fleets(trunk=2, vans=1)
    # one small van per depot that may go out twice
    small = (Compartment(Zone.CHILLED, 250), Compartment(Zone.AMBIENT, 350))
    # without the driving rule: with its rests OR-Tools alone finds no second trip in 6 s on this day,
    # and this test is about the trips (the rule on tier legs is tested in test_tier_breaks.py)
    vans = [replace(vans[0], compartments=small, max_trips=2, reload_min=20, max_driving_h=None)]
    tp = T.plan_tiers(
        net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=6, seed=0, engine="ortools", workers=1
    )
    for name, problem, plan in tp.legs():
        assert L.validate(problem, plan) == [], name
    assert_tiers_valid(tp, legs=False)
    reloads = [p.stops[p.stops["kind"] == "reload"] for p in tp.last_mile.values()]
    assert sum(len(r) for r in reloads) >= 1
    # an order of a second trip leaves when its reload ends, not at the route's start
    for plan in tp.last_mile.values():
        times = trip_times(plan.stops)
        st = plan.stops.sort_values(["vehicle", "seq"])
        for vid, g in st.groupby("vehicle"):
            kinds = list(g["kind"])
            if "reload" not in kinds:
                continue
            r = g[g["kind"] == "reload"].iloc[0]
            after = g[(g["seq"] > r["seq"]) & g["kind"].isin(["delivery", "pickup"])]
            assert all(times[str(o)][0] == float(r["departure"]) for o in after["order_id"])
