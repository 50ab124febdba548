"""Drivers' breaks and the continuous-driving rule: solved by both engines, every plan validated."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import check, line_matrix

import logistics as L
from logistics.core.breaks import CN_MAX_DRIVING_H, CN_MIN_REST_MIN

LUNCH = L.Break(("11:30", "13:00"), 1800, name="lunch")


def long_day(breaks=(LUNCH,), max_driving_h=CN_MAX_DRIVING_H) -> L.Problem:
    """One van, five villages out to 100 km: a route of about 6.5 h on duty (10 m/s)."""
    pos = {"D": 0.0, **{f"v{k}": 20_000.0 * k for k in range(1, 6)}}
    orders = [L.Order(f"o{k}", {"goods": 10}, node_id=f"v{k}", service=600) for k in range(1, 6)]
    van = L.VehicleType(
        "van",
        1,
        (L.Compartment("ambient", 100),),
        start_depot="D",
        cost_per_km=1.0,
        cost_per_hour=10.0,
        shift=("07:00", "16:00"),
        breaks=breaks,
        max_driving_h=max_driving_h,
    )
    return L.Problem(orders, [van], matrix=line_matrix(pos))


def on_duty_stretches(stops, min_rest_s: float) -> list[float]:
    """Seconds on duty between the departure, every break of at least ``min_rest_s`` and the return."""
    st = stops.sort_values("seq")
    t, out = float(st["departure"].iloc[0]), []
    for r in st.itertuples():
        if r.kind == "break" and r.service >= min_rest_s:
            out.append(r.start - t)
            t = r.departure
    out.append(float(st["arrival"].iloc[-1]) - t)
    return out


@pytest.mark.parametrize("engine", ["ortools", "auto"])
def test_a_long_day_takes_its_lunch_and_rests_every_four_hours(engine):
    p = long_day()
    plan = L.solve(p, time_limit=3, engine=engine, seed=0, iterations=50)
    check(p, plan)
    assert plan.kpis["served"] == 5
    breaks = plan.stops[plan.stops["kind"] == "break"]
    lunch = breaks[breaks["service"] >= 1800]
    assert len(lunch) >= 1 and ((lunch["start"] >= 11.5 * 3600) & (lunch["start"] <= 13 * 3600)).any()
    assert max(on_duty_stretches(plan.stops, CN_MIN_REST_MIN * 60)) <= CN_MAX_DRIVING_H * 3600
    # the break rows carry no order and the next stop's arrival counts them
    assert breaks["order_id"].isna().all() and (breaks["departure"] - breaks["start"] == breaks["service"]).all()


def test_the_rule_alone_inserts_rests_and_without_it_there_are_none():
    ruled = long_day(breaks=())
    plan = L.solve(ruled, time_limit=3, engine="ortools", seed=0, iterations=50)
    check(ruled, plan)
    st = plan.stops
    span = st["arrival"].max() - st["departure"].min()
    assert span > 4 * 3600  # the day needs the rule
    assert (st["kind"] == "break").sum() >= 1
    free = long_day(breaks=(), max_driving_h=None)
    plan2 = L.solve(free, time_limit=3, engine="ortools", seed=0, iterations=50)
    check(free, plan2)
    assert (plan2.stops["kind"] == "break").sum() == 0
    # the same plan without its rests breaks the rule the validator applies to the ruled problem
    assert any(v.kind == "driving_time" for v in L.validate(ruled, plan2))


def test_a_short_day_keeps_its_plan_under_the_rule():
    p = long_day(breaks=())
    short = dataclasses.replace(p, orders=p.orders[:1])
    plan = L.solve(short, time_limit=2, engine="ortools", seed=0, iterations=30)
    check(short, plan)
    assert (plan.stops["kind"] == "break").sum() == 0


def test_a_break_the_driver_can_take_after_the_return_is_not_on_the_route():
    p = long_day(breaks=(L.Break(("15:50", "16:00"), 1800),), max_driving_h=None)
    plan = L.solve(p, time_limit=2, engine="ortools", seed=0, iterations=30)
    check(p, plan)
    assert (plan.stops["kind"] == "break").sum() == 0  # every route returns by 16:00, the window's end


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"breaks": [{"window": ["13:00", "12:00"], "duration": 1800}]}, "breaks[0].window"),
        ({"breaks": [{"window": ["12:00", "13:00"], "duration": 0}]}, "breaks[0].duration"),
        ({"breaks": [{"window": ["12:00", "13:00"]}]}, "breaks[0]"),
        ({"breaks": "lunch"}, "breaks"),
        ({"max_driving_h": 0}, "max_driving_h"),
        ({"max_driving_h": float("nan")}, "max_driving_h"),
        ({"min_rest_min": -5}, "min_rest_min"),
    ],
)
def test_bad_break_fields_name_the_field(kw, field):
    with pytest.raises(L.ProblemError) as ei:
        L.VehicleType("van", 1, (L.Compartment("ambient", 10),), start_depot="D", **kw)
    assert ei.value.field == field and ei.value.record == "van", str(ei.value)
