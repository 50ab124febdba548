"""Drivers' breaks in the timeline and the map popups."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pandas as pd
import pytest
from helpers import check, line_matrix

import logistics as L
from logistics.app import plots
from logistics.core import maps


@pytest.fixture(scope="module")
def plan_with_lunch() -> L.Plan:
    pos = {"D": 0.0, **{f"v{k}": 20_000.0 * k for k in range(1, 6)}}
    orders = [L.Order(f"o{k}", {"goods": 10}, node_id=f"v{k}", service=600) for k in range(1, 6)]
    lunch = L.Break(("11:30", "13:00"), 1800, name="lunch")
    van = L.VehicleType(
        "van",
        1,
        (L.Compartment("ambient", 100),),
        start_depot="D",
        shift=("07:00", "16:00"),
        breaks=(lunch,),
        max_driving_h=4,
    )
    p = L.Problem(orders, [van], matrix=line_matrix(pos))
    plan = L.solve(p, time_limit=2, engine="ortools", seed=0, iterations=30)
    check(p, plan)
    assert (plan.stops["kind"] == "break").any()
    return plan


def test_the_timeline_draws_each_break_in_its_colour_and_no_driving_over_it(plan_with_lunch):
    fig = plots.timeline(plan_with_lunch)
    want = mcolors.to_rgba(plots.SEGMENT_COLORS["break"])
    brk = [c for c in fig.axes[0].collections if tuple(c.get_facecolor()[0]) == want]
    rows = plan_with_lunch.stops[plan_with_lunch.stops["kind"] == "break"]
    assert len(brk) == 1 and len(brk[0].get_paths()) == len(rows)
    drive = mcolors.to_rgba(plots.SEGMENT_COLORS["driving"])
    bars = next(c for c in fig.axes[0].collections if tuple(c.get_facecolor()[0]) == drive)
    spans = [(p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in bars.get_paths()]
    for r in rows.itertuples():
        a, b = r.start / 3600, (r.start + r.service) / 3600
        assert all(hi <= a + 1e-9 or lo >= b - 1e-9 for lo, hi in spans)  # driving never overlaps a break


def test_the_popup_of_the_stop_a_leg_leaves_lists_its_breaks():
    row = pd.Series(
        {
            "vehicle": "van#1",
            "seq": 3,
            "kind": "delivery",
            "order_id": "<o>",
            "node_id": "v1",
            "arrival": 40000,
            "start": 40000,
            "departure": 40600,
            "wait": 0,
            "service": 600,
            "late": 0,
            "load": 5.0,
        }
    )
    brk = pd.DataFrame([{"start": 41400, "departure": 43200, "service": 1800}])
    text = maps.stop_popup(row, None, {}, brk)
    assert "then a break 11:30–12:00 (30 min) on the way" in text and "&lt;o&gt;" in text
    assert "then a break" not in maps.stop_popup(row, None, {})
