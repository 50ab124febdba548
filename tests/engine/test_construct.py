"""A constructed first plan (PyVRP's routes cut back by the earliest-start walk) validates, and is used only
where the walk checks every rule of the fleet."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

import logistics as L
import networks
from logistics.core.options import Budget, SolveOptions
from logistics.engine import whole
from logistics.engine.build_plan import build_plan
from logistics.engine.construct import construct_routes, constructible, walked_routes
from logistics.engine.reasons import cut_back, reinsert
from logistics.engine.solvers import arrays
from logistics.engine.solvers.duty import duty_of
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.walk import rest_walk, simulate, walk
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
    # with the default driving rule the constructed routes keep within one 4 h stretch on duty (no rest stops)
    assert constructible(arrays.build(demo))
    plan = L.solve(demo, SolveOptions(time_limit=3, seed=0, workers=1))
    assert plan.meta["status"] == "constructed" and plan.meta["constructed"]
    assert L.validate(demo, plan) == []  # the driving rule included: every stretch ends in a rest
    assert_accounted(demo, plan)
    # routes longer than one stretch carry the walk's rests as break stops of min_rest_min each
    rests = plan.stops[plan.stops["kind"] == "break"]
    assert len(rests) > 0 and (rests["service"] == 20 * 60).all()
    span = plan.stops.groupby("vehicle").agg(out=("departure", "min"), back=("arrival", "max"))
    limit = min(vt.max_driving_h for vt in demo.fleet) * 3600
    assert set(rests["vehicle"]) == set(span.index[(span["back"] - span["out"]) > limit])
    assert plan.kpis["served"] >= 0.5 * len(demo.orders)  # time-bound: a floor, not a figure
    # without the rule the routes may run the whole shift, and serve more
    free = demo.replace(fleet=[replace(vt, max_driving_h=None) for vt in demo.fleet])
    plan = L.solve(free, SolveOptions(time_limit=3, seed=0, workers=1))
    assert plan.meta["status"] == "constructed" and plan.meta["constructed"]
    assert L.validate(free, plan) == []
    assert_accounted(free, plan)
    assert plan.kpis["served"] >= 0.9 * len(free.orders)
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


def _early_wait_day() -> L.Problem:
    """A wait at b long enough for the rest, and a route that can keep the 1 h rule only with a later rest.

    Durations (s): D-a 300, a-b 300, b-c 1380, c-d 2140, d-D 200; b opens at 2000.  Taken at b, the
    one rest leaves c-d-D past the limit; taken at c's departure, every stretch keeps it.
    """
    ids = ["D", "a", "b", "c", "d"]
    dur = np.full((5, 5), 5000.0)
    np.fill_diagonal(dur, 0.0)
    for x, y, s in (("D", "a", 300), ("a", "b", 300), ("b", "c", 1380), ("c", "d", 2140), ("d", "D", 200)):
        dur[ids.index(x), ids.index(y)] = dur[ids.index(y), ids.index(x)] = s
    tm = networks.TravelMatrix(ids, dur * 10, dur)
    opens = {"a": 0, "b": 2000, "c": 0, "d": 0}
    orders = [L.Order(x, {"goods": 1}, node_id=x, service=60, time_windows=((t, 7000),)) for x, t in opens.items()]
    rule = {"max_driving_h": 1.0, "min_rest_min": 20.0}
    return L.Problem(orders, [van(1, shift=(0, 7200), **rule)], matrix=tm)


def test_the_rest_is_taken_where_the_route_needs_it_not_at_the_first_long_wait():
    p = _early_wait_day()
    data = arrays.build(p)
    assert duty_of(data)[0].rests == 1
    why, depart, starts, end = walk(data, 0, [0, 1, 2, 3])
    assert why is None, why
    # a at 300, b at its opening, c on arrival, d after the 20 min rest at c's departure, home at 7,040
    assert (depart, starts, end) == (0, [300, 2000, 3440, 3500 + 1200 + 2140], 3500 + 1200 + 2140 + 60 + 200)
    fixed, cut = cut_back(data, [[0, 1, 2, 3]])
    assert (fixed, cut) == ([[0, 1, 2, 3]], [])
    plan = L.solve(p, SolveOptions(time_limit=2, seed=0, workers=1))
    assert L.validate(p, plan) == [] and plan.kpis["served"] == 4
    assert (plan.stops["kind"] == "break").sum() == 1


def test_reinsert_tries_required_orders_first_and_stops_at_its_deadline():
    tm = line_matrix({"D": 0, "a": 5_000, "b": 9_000})
    orders = [
        L.Order("a", {"goods": 60}, node_id="a", required=False, penalty=10.0),
        L.Order("b", {"goods": 60}, node_id="b"),
    ]
    p = L.Problem(orders, [van(1)], matrix=tm)
    data = arrays.build(p)
    costs = cost_arrays(data)
    routes: list[list[int]] = [[]]
    assert reinsert(data, routes, [0, 1], costs) == [0]  # room for one: the required one goes in
    assert routes == [[1]]
    routes = [[]]
    assert reinsert(data, routes, [0, 1], costs, deadline=time.monotonic() - 1) == [1, 0] and routes == [[]]


def test_a_constructed_route_takes_its_rest_as_a_break_stop(monkeypatch):
    p = _early_wait_day()
    monkeypatch.setattr(whole, "CONSTRUCT_BUILD_SHARE", 0.0)
    plan = L.solve(p, SolveOptions(time_limit=2, seed=0, workers=1))
    assert plan.meta["status"] == "constructed" and plan.kpis["served"] == 4
    assert L.validate(p, plan) == []
    s = plan.stops.sort_values("seq").reset_index(drop=True)
    k = s.index[s["kind"] == "break"]
    assert len(k) == 1 and s.loc[k[0], "service"] == 1200  # the one rest, in either direction of the loop
    assert s.loc[k[0], "start"] == s.loc[k[0] - 1, "departure"]  # taken at a stop's departure (no long wait)


def test_walked_seed_replaces_a_search_that_lost_what_the_seed_kept(demo, monkeypatch):
    """A polish that returns nothing (a seed read out of time) gives way to the walked skeleton."""
    real = whole.polish

    def lost(model, limit, initial, settings, **kw):
        res, meta = real(model, min(limit, 0.5), initial, settings, **kw)
        return replace(res, routes=[], dropped=list(range(model.data.n_orders)), objective=None), meta

    monkeypatch.setattr(whole, "polish", lost)
    plan = L.solve(demo, SolveOptions(time_limit=4, seed=0, workers=1, iterations=200))
    assert plan.meta["kept"] == "walked seed"
    assert plan.meta["kept_instead"]["left_out"] == len(demo.orders)
    assert L.validate(demo, plan) == []
    assert_accounted(demo, plan)
    assert plan.kpis["served"] >= 0.9 * len(demo.orders)
    assert plan.kpis["objective"] > 0


def test_a_rest_in_a_wait_begins_within_the_limit():
    """b is reached at 3,360 s and opens at 5,000 s: the rest must begin by 3,600 s (1 h rule), not end at 5,000 s."""
    ids = ["D", "a", "b"]
    dur = np.array([[0, 300, 300], [300, 0, 3000], [300, 3000, 0]], dtype=float)
    tm = networks.TravelMatrix(ids, dur * 10, dur)
    orders = [
        L.Order("a", {"goods": 1}, node_id="a", service=60, time_windows=((0, 5400),)),
        L.Order("b", {"goods": 1}, node_id="b", service=60, time_windows=((5000, 5400),)),
    ]
    fleet = [van(1, shift=(0, 5400), max_driving_h=1.0, min_rest_min=20.0)]
    p = L.Problem(orders, fleet, matrix=tm)
    data = arrays.build(p)
    why, depart, starts, end, rests = rest_walk(data, 0, [0, 1])
    assert (why, depart, starts, rests) == (None, 0, [300, 5000], [3600])
    route = walked_routes(data, [[0, 1]]).routes[0]
    assert route.breaks == ((3600, 1200, "rest"),)
    plan = build_plan(p, data, [route], {}, {})
    assert L.validate(p, plan) == []
