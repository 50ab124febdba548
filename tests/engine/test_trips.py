"""Several trips per vehicle: reloads at the start depot, capacity and shelf life per trip, validated."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import check, line_matrix

import logistics as L

POS = {"D": 0.0, **{f"v{k}": 5_000.0 * k for k in range(1, 5)}}


def day(max_trips: int, cap: float = 100.0, shelf_h: float | None = None, reload_min: float = 20) -> L.Problem:
    """One van, four villages out to 20 km (10 m/s), 40 units each."""
    milk = L.Product("milk", "chilled", shelf_life_h=shelf_h)
    orders = [L.Order(f"o{k}", {"milk": 40}, node_id=f"v{k}", service=600, penalty=1e5) for k in range(1, 5)]
    van = L.VehicleType(
        "van",
        1,
        (L.Compartment("chilled", cap),),
        start_depot="D",
        cost_per_km=1.0,
        shift=("07:00", "16:00"),
        max_trips=max_trips,
        reload_min=reload_min,
    )
    return L.Problem(orders, [van], products=[milk], matrix=line_matrix(POS))


def trips_of(plan: L.Plan) -> list[list[str]]:
    """Order ids per trip, in route order."""
    out: list[list[str]] = [[]]
    for r in plan.stops.sort_values("seq").itertuples():
        if r.kind == "reload":
            out.append([])
        elif r.kind == "delivery":
            out[-1].append(r.order_id)
    return out


@pytest.mark.parametrize("engine", ["ortools", "auto"])
def test_a_second_trip_serves_what_one_load_cannot(engine):
    one = day(max_trips=1)
    plan1 = L.solve(one, time_limit=2, engine=engine, seed=0, iterations=30)
    check(one, plan1)
    assert plan1.kpis["served"] == 2  # 100 units of capacity, 40 each
    two = day(max_trips=2)
    plan2 = L.solve(two, time_limit=2, engine=engine, seed=0, iterations=30)
    check(two, plan2)
    assert plan2.kpis["served"] == 4
    reloads = plan2.stops[plan2.stops["kind"] == "reload"]
    assert len(reloads) == 1 and (reloads["node_id"] == "D").all() and reloads["order_id"].isna().all()
    assert (reloads["departure"] - reloads["start"] == 20 * 60).all()  # the reload time
    assert all(len(t) <= 2 for t in trips_of(plan2))  # two orders of 40 per trip of 100


def test_shelf_life_counts_per_trip():
    # ample capacity; a 1 h shelf life: one trip cannot reach every village in time, two can
    one = day(max_trips=1, cap=1000, shelf_h=1.0)
    plan1 = L.solve(one, time_limit=2, engine="ortools", seed=0, iterations=30)
    check(one, plan1)
    assert plan1.kpis["served"] < 4
    two = dataclasses.replace(one, fleet=[dataclasses.replace(one.fleet[0], max_trips=2)])
    plan2 = L.solve(two, time_limit=2, engine="ortools", seed=0, iterations=30)
    check(two, plan2)
    assert plan2.kpis["served"] == 4
    assert len(trips_of(plan2)) == 2


def test_removing_a_reload_breaks_capacity_and_too_many_trips_are_reported():
    two = day(max_trips=2)
    plan = L.solve(two, time_limit=2, engine="ortools", seed=0, iterations=30)
    check(two, plan)
    st = plan.stops
    merged = st[st["kind"] != "reload"].copy()
    merged["seq"] = range(len(merged))
    bad = dataclasses.replace(plan, stops=merged)
    assert "capacity" in {v.kind for v in L.validate(two, bad)}
    one_trip = day(max_trips=1)
    assert "trips" in {v.kind for v in L.validate(one_trip, plan)}  # the same plan for a one-trip van
    away = st.copy()
    away.loc[away["kind"] == "reload", "node_id"] = "v1"
    assert "trips" in {v.kind for v in L.validate(two, dataclasses.replace(plan, stops=away))}
    short = st.copy()
    short.loc[short["kind"] == "reload", "departure"] -= 60  # a reload shorter than reload_min
    assert "timing" in {v.kind for v in L.validate(two, dataclasses.replace(plan, stops=short))}
