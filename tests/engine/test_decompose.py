"""Decomposition of large days: parts, vehicles shared among them, the merged plan."""

from __future__ import annotations

import pytest
from helpers import check, grid_matrix, van

import logistics as L
from logistics.engine.decompose import partition, plan_parts


def small_fleet_day(n: int = 810, vans: int = 2) -> L.Problem:
    tm = grid_matrix(n, seed=7, size=30_000.0)
    orders = [L.Order(f"o{i}", {"goods": 1}, node_id=f"c{i}", service=60) for i in range(n)]
    return L.Problem(orders, [van(vans, cap=200)], matrix=tm, name="small-fleet", strict=False)


def test_partition_never_gives_a_part_no_vehicle_nor_more_vehicles_than_the_fleet():
    p = small_fleet_day()
    assert len(partition(p, 400)) == 3  # three sectors for two vans
    parts = plan_parts(p, 400)
    assert all(sum(part.counts.values()) >= 1 for part in parts)
    assert sum(sum(part.counts.values()) for part in parts) <= 2
    assert sorted(i for part in parts for i in part.orders) == list(range(len(p.orders)))


def test_fewer_vehicles_than_parts_plans_instead_of_crashing():
    # was IndexError in build_plan: a part without vehicles was given one that the merge indexed past the fleet
    p = small_fleet_day()
    # the iteration bound ends it; the limit only caps a busy machine
    plan = L.solve(p, time_limit=10, decompose=True, iterations=200)
    check(p, plan)  # every order served or unserved with a reason, routes valid
    assert plan.meta["decomposed"] <= 2
    assert set(plan.stops["vehicle"].dropna()) <= {"van#1", "van#2"}
    assert plan.kpis["served"] > 0


@pytest.mark.parametrize("vans", [1, 3])
def test_any_fleet_size_is_shared_without_overrun(vans):
    p = small_fleet_day(vans=vans)
    parts = plan_parts(p, 400)
    assert sum(sum(part.counts.values()) for part in parts) <= vans
    assert all(sum(part.counts.values()) >= 1 for part in parts)


def classic_day(n: int = 1000) -> L.Problem:
    tm = grid_matrix(n, seed=3, size=40_000.0)
    orders = [L.Order(f"o{i}", {"goods": 2}, node_id=f"c{i}", service=120) for i in range(n)]
    return L.Problem(orders, [van(n // 10, cap=40)], matrix=tm, name="classic-1000", strict=False)


def test_large_day_is_solved_whole_by_default_where_the_whole_model_fits():
    # 1,000-customer Homberger days were split into parts by default (34-56 % above best-known at 120 s,
    # against 1.5 % solved whole); a day whose model builds in a fraction of the limit is now solved whole
    p = classic_day()
    plan = L.solve(p, time_limit=4, iterations=300)
    check(p, plan)
    assert "decomposed" not in plan.meta
    policy = plan.meta["policy"]
    assert policy["chosen"] == "whole"
    assert policy["whole_build_estimate_s"] <= 0.25 * 4


def test_a_whole_build_that_overruns_falls_back_to_decomposition(monkeypatch):
    import logistics.engine.solve as S

    monkeypatch.setattr(S, "WHOLE_BUILD_GIVEUP_SHARE", 1e-6)  # the build "overruns" at once
    p = classic_day()
    plan = L.solve(p, time_limit=6, iterations=100)
    check(p, plan)
    assert plan.meta["policy"]["chosen"] == "decomposed"
    assert plan.meta["decomposed"] >= 2


def test_decomposition_refuses_a_limit_too_short_for_its_parts_up_front():
    # 20,000 orders with a 5 s limit took 8.0 s: the merge alone needs more than the limit
    import time

    p = small_fleet_day(n=2000, vans=40)
    t0 = time.perf_counter()
    with pytest.raises(L.ProblemError, match=r"time_limit=1 s is too short") as e:
        L.solve(p, time_limit=1)
    assert e.value.field == "time_limit"
    assert time.perf_counter() - t0 < 5  # refused before any part is solved


def test_yanhu_2000_whole_is_refused_when_it_cannot_build_and_decomposed_by_default():
    # solved whole (decompose=False) with 60 s it took 139 s and returned every order unserved
    from logistics.app.scenarios import yanhu_day
    from logistics.engine.solve import whole_build_s

    p = yanhu_day(2000, seed=0)
    estimate, _ = whole_build_s(p, 60.0)
    assert estimate > 0.5 * 60
    with pytest.raises(L.ProblemError, match=r"time_limit=60 s is too short .* whole") as e:
        L.solve(p, time_limit=60, decompose=False)
    assert e.value.field == "time_limit"
