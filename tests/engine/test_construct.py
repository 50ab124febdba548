"""A constructed first plan (PyVRP's routes cut back by the earliest-start walk) validates, and is used only
where the walk checks every rule of the fleet."""

from __future__ import annotations

from dataclasses import replace

import pytest

import logistics as L
from logistics.core.options import Budget, SolveOptions
from logistics.engine import whole
from logistics.engine.construct import construct_routes, constructible
from logistics.engine.reasons import cut_back, simulate, walk
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from tests.helpers import assert_accounted, line_matrix, van


@pytest.fixture(scope="module")
def demo() -> L.Problem:
    """The Yanhu cold-chain day: shelf lives and soft windows, which PyVRP's model relaxes."""
    return L.yanhu_demo(0)


def test_constructed_routes_hold_and_validate(demo):
    data = arrays.build(demo)
    costs = cost_arrays(data)
    built = construct_routes(data, costs, Budget.start(1.5), SolveOptions(seed=0, workers=1))
    assert built is not None and built.routes
    for rr in built.routes:
        why, depart, starts, end = walk(data, rr.vehicle, rr.orders)
        assert why is None and simulate(data, rr.vehicle, rr.orders) == (None, end - depart)
        assert starts == rr.starts and all(a <= b for a, b in zip(starts, starts[1:]))
    served = {i for rr in built.routes for i in rr.orders}
    assert served.isdisjoint(built.dropped) and len(served) + len(built.dropped) == data.n_orders


def test_solve_constructs_when_the_model_would_not_build_in_time(demo, monkeypatch):
    monkeypatch.setattr(whole, "CONSTRUCT_BUILD_SHARE", 0.0)  # every model "too slow": the construct path
    # the walk places no rests: the day's 8-hour routes need the driving rule's rests, so with the default rule
    # it is not constructible (the full model plans it); the construct path is tested on the day without the rule
    assert not constructible(arrays.build(demo))
    demo = demo.replace(fleet=[replace(vt, max_driving_h=None) for vt in demo.fleet])
    plan = L.solve(demo, SolveOptions(time_limit=3, seed=0, workers=1))
    assert plan.meta["status"] == "constructed" and plan.meta["constructed"]
    assert L.validate(demo, plan) == []
    assert_accounted(demo, plan)
    assert plan.kpis["served"] >= 0.9 * len(demo.orders)
    assert plan.kpis["objective"] > 0


def test_engine_ortools_and_warm_starts_never_construct(demo, monkeypatch):
    monkeypatch.setattr(whole, "CONSTRUCT_BUILD_SHARE", 0.0)
    plan = L.solve(demo, SolveOptions(time_limit=2, seed=0, engine="ortools", workers=1))
    assert plan.meta["status"] != "constructed"
    assert L.validate(demo, plan) == []


def test_fleet_rules_the_walk_does_not_check_keep_the_full_model(monkeypatch):
    tm = line_matrix({"D": 0, "a": 5_000, "b": 9_000, "c": 14_000})
    orders = [L.Order(x, {"goods": 10}, node_id=x, service=300) for x in ("a", "b", "c")]
    ok = L.Problem(orders, [van(2)], matrix=tm)
    trips = L.Problem(orders, [van(2, max_trips=2)], matrix=tm)
    limited = L.Problem(orders, [van(2, max_distance=50_000)], matrix=tm)
    assert constructible(arrays.build(ok))
    assert not constructible(arrays.build(trips)) and not constructible(arrays.build(limited))
    monkeypatch.setattr(whole, "CONSTRUCT_BUILD_SHARE", 0.0)
    for p in (trips, limited):
        plan = L.solve(p, SolveOptions(time_limit=2, seed=0, workers=1))
        assert plan.meta["status"] != "constructed"
        assert L.validate(p, plan) == []
    plan = L.solve(ok, SolveOptions(time_limit=2, seed=0, workers=1))
    assert plan.meta["status"] == "constructed" and L.validate(ok, plan) == []


def test_cut_back_keeps_pairs_whole_and_leaves_routes_the_walk_accepts():
    """P pairs with Q (due by 45 min); on P, x, Q the delivery comes too late: cut both sides, keep x."""
    tm = line_matrix({"D": 0, "c0": 10_000, "c1": 20_000, "c2": 30_000})
    products = [L.Product("box", "ambient", value=0.0, decay_per_h=0.0)]
    orders = [
        L.Order("P", {"box": 5}, node_id="c0", kind="pickup", pair="Q", service=600),
        L.Order("x", {"box": 5}, node_id="c2", time_windows=((0, 4000),), service=600),
        L.Order("Q", {"box": 5}, node_id="c1", kind="delivery", time_windows=((0, 2700),), service=600),
    ]
    p = L.Problem(orders, [van(2, shift=(0, 8 * 3600))], products=products, matrix=tm)
    data = arrays.build(p)
    fixed, dropped = cut_back(data, [[0, 1, 2], []])
    assert sorted(dropped) == [0, 2] and fixed == [[1], []]
    assert all(simulate(data, v, seq)[0] is None for v, seq in enumerate(fixed))


def test_walk_names_what_breaks():
    tm = line_matrix({"D": 0, "a": 10_000})
    late = L.Order("a", {"goods": 1}, node_id="a", time_windows=((0, 100),))
    p = L.Problem([late], [van(1, shift=(0, 8 * 3600))], matrix=tm)
    data = arrays.build(p)
    why, _, starts, end = walk(data, 0, [0])
    assert why == "time windows or shift" and starts == [] and end == 0
    two = [replace(late, id=x, time_windows=((0, 8 * 3600),), quantities={"goods": 60}) for x in ("a", "b")]
    data = arrays.build(L.Problem(two, [van(1, shift=(0, 8 * 3600))], matrix=tm))
    assert walk(data, 0, [0])[0] is None
    assert walk(data, 0, [0, 1])[0] in ("capacity", "ambient compartment full")
