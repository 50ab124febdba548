"""Drivers' rules on a three-tier day: every leg keeps its breaks and rests, the tier validator checks them.

The demo fleets' continuous-driving limit is shortened to 2 h so that trunk and last-mile routes
need rests on a small day; the handling time (10 min) is shorter than the 20-minute rest, so the
one truck, which drives both waves, must wait its rest at the hub.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

import logistics as L
from logistics.check.tiers import validate_tiers
from logistics.core.breaks import needs_breaks
from logistics.planners import tiers as T

LIMIT_H = 2.0


@pytest.fixture(scope="module")
def ruled():
    net = T.demo_network(stations=3, villages_per_station=5, near_hub=2, seed=3)
    orders = T.demo_orders(net, seed=3)
    trunk, vans = T.demo_fleets(trunk=1, vans=2)  # one truck: it drives both waves
    trunk = [replace(vt, max_driving_h=LIMIT_H) for vt in trunk]
    vans = [replace(vt, max_driving_h=LIMIT_H) for vt in vans]
    tp = T.plan_tiers(
        net,
        orders,
        trunk,
        vans,
        products=T.DEMO_PRODUCTS,
        time_limit=8,
        seed=0,
        iterations=60,
        handling_s=600,
        engine="ortools",
        workers=1,
    )
    return tp


def _routes(plan: L.Plan):
    for vid, g in plan.stops.groupby("vehicle", sort=False):
        yield str(vid), g.sort_values("seq")


def test_every_leg_keeps_the_rule_and_the_tiered_plan_validates(ruled):
    assert validate_tiers(ruled, legs=True) == []
    assert ruled.kpis["served"] > 0
    # long routes exist on both tiers and carry their rests (the re-timing kept the solver's break stops)
    tiers_with_rests = set(ruled.stops.loc[ruled.stops["kind"] == "break", "tier"])
    assert {"trunk", "last_mile"} <= tiers_with_rests
    for name, problem, plan in ruled.legs():
        types = dict(problem.vehicles())
        for vid, g in _routes(plan):
            vt = types[vid]
            assert vt.max_driving_h == LIMIT_H  # the legs carry the rule of the fleets given
            depart, back = int(g["departure"].iloc[0]), int(g["arrival"].iloc[-1])
            if needs_breaks(vt.breaks, vt.max_driving_h, depart, back):
                assert (g["kind"] == "break").any(), f"{name} {vid}"


def test_a_truck_of_both_waves_rests_at_the_hub_between_them(ruled):
    st = ruled.trunk.stops
    ends = st[(st["wave"] == "out") & (st["kind"] == "end")].set_index("vehicle")["arrival"]
    starts = st[(st["wave"] == "in") & (st["kind"] == "start")]
    both = [(str(v).split("/in#")[0], int(d)) for v, d in zip(starts["vehicle"], starts["departure"])]
    both = [(t, d) for t, d in both if t in ends.index]
    assert both, "no truck drives both waves on this day"
    for truck, depart in both:
        assert depart - int(ends[truck]) >= 20 * 60  # the rest, longer than the 10-minute handling


def test_the_tier_validator_reads_the_day_of_a_truck_across_both_waves(ruled):
    st = ruled.trunk.stops
    ends = st[(st["wave"] == "out") & (st["kind"] == "end")].set_index("vehicle")["arrival"]
    inbound = [str(v) for v in st.loc[(st["wave"] == "in") & (st["kind"] == "start"), "vehicle"]]
    vid = next(v for v in inbound if v.split("/in#")[0] in ends.index)
    bad = copy.copy(ruled)
    rows = st["vehicle"] == vid
    shift = int(st.loc[rows & (st["kind"] == "start"), "departure"].iloc[0]) - int(ends[vid.split("/in#")[0]]) - 60
    moved = st.copy()
    for c in ("arrival", "start", "departure"):
        moved.loc[rows, c] = moved.loc[rows, c] - shift
    moved = moved[~(rows & (moved["kind"] == "break"))]  # and no rest on the way in
    bad.trunk = L.Plan(moved, ruled.trunk.unserved, dict(ruled.trunk.kpis), ruled.trunk.routes, dict(ruled.trunk.meta))
    kinds = {v.kind for v in validate_tiers(bad, legs=True)}
    assert "driving_time" in kinds
    # the truck's two routes together are longer than the limit: one minute at the hub is no rest
    found = [v for v in validate_tiers(bad, legs=True) if v.kind == "driving_time"]
    assert any("across the waves" in v.message for v in found)


def test_retiming_keeps_a_route_that_owes_a_rest_as_the_solver_timed_it(ruled):
    for name, problem, plan in ruled.legs():
        if name == "trunk":
            continue
        again = T.retime_earliest(problem, plan)
        assert L.validate(problem, again) == []
        types = dict(problem.vehicles())
        for vid, g in _routes(again):
            vt = types[vid]
            if needs_breaks(vt.breaks, vt.max_driving_h, int(g["departure"].iloc[0]), int(g["arrival"].iloc[-1])):
                # not re-timed: the solver's route with its break stops, as it was
                before = plan.stops[plan.stops["vehicle"] == vid].sort_values("seq")
                assert list(g["kind"]) == list(before["kind"]) and list(g["start"]) == list(before["start"])


def test_dropping_a_stop_keeps_the_breaks_of_its_route(ruled):
    for name, problem, plan in ruled.legs():
        if name == "trunk":
            continue
        with_breaks = plan.stops[plan.stops["kind"] == "break"]["vehicle"].unique()
        for vid in with_breaks:
            served = plan.stops[(plan.stops["vehicle"] == vid) & plan.stops["order_id"].notna()]
            if len(served) < 2:
                continue
            oid = str(served["order_id"].iloc[-1])
            dropped = T.drop_stops(problem, plan, {oid: "dropped in a test"})
            assert L.validate(problem, dropped) == []
            assert oid in set(dropped.unserved["order_id"])
            assert (dropped.stops["kind"] == "break").sum() == (plan.stops["kind"] == "break").sum()
            return
    pytest.fail("no last-mile route with a break and two stops")
