"""Re-planning a day whose fleet keeps drivers' rules: breaks taken stay, the rest of the day keeps the rules."""

from __future__ import annotations

import dataclasses

import pytest

import logistics
from logistics.core.breaks import CN_MAX_DRIVING_H
from logistics.core.events import Breakdown, Delay
from logistics.core.options import SolveOptions
from logistics.core.units import parse_clock
from logistics.planners.replan import replan

AT = parse_clock("11:00")
FAST = SolveOptions(time_limit=2.0, seed=0, workers=1)
LUNCH = logistics.Break(("11:30", "13:00"), 1800, name="lunch")


@pytest.fixture(scope="module")
def day():
    p = logistics.yanhu_demo(seed=1, deliveries=40, pickups=12, roads=False)
    fleet = [dataclasses.replace(vt, max_driving_h=CN_MAX_DRIVING_H, breaks=(LUNCH,)) for vt in p.fleet]
    p = dataclasses.replace(p, fleet=fleet)
    plan = logistics.solve(p, SolveOptions(time_limit=3.0, seed=0, workers=1))
    assert logistics.validate(p, plan) == []
    assert (plan.stops["kind"] == "break").any()
    return p, plan


def _busy(plan) -> str:
    s = plan.stops[plan.stops["kind"].isin(["delivery", "pickup"])]
    for vid, g in s.groupby("vehicle"):
        if (g["arrival"] < AT).any() and (g["arrival"] > AT).any():
            return str(vid)
    raise AssertionError("no vehicle on the road at 11:00")


def _past_breaks(plan, at):
    b = plan.stops[(plan.stops["kind"] == "break") & (plan.stops["departure"] <= at)]
    return sorted(zip(b["vehicle"], b["start"], b["service"]))


@pytest.mark.parametrize("event", ["breakdown", "delay"])
def test_replanned_day_keeps_the_breaks_taken_and_the_rules(day, event):
    problem, plan = day
    vid = _busy(plan)
    ev = Breakdown(vid) if event == "breakdown" else Delay(vid, 45)
    r = replan(problem, plan, "11:00", [ev], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    kept = set(_past_breaks(r.plan, AT))
    assert set(_past_breaks(plan, AT)) <= kept
    if event == "delay":  # a 45-minute hold is a rest of at least 20 min, shown as a break stop
        held = r.plan.stops[(r.plan.stops["vehicle"] == vid) & (r.plan.stops["kind"] == "break")]
        assert (held["service"] == 45 * 60).any()
