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
    plan = L.solve(p, time_limit=4, decompose=True, iterations=200)
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
