"""Planners take one SolveOptions; the keyword shortcuts give the same plans; solve_many runs in workers."""

from __future__ import annotations

import pandas as pd
import pytest

import logistics as L
from logistics.check.tiers import assert_tiers_valid
from logistics.core import shares
from logistics.core.options import SolveOptions
from logistics.planners import carriers as C
from logistics.planners import tiers as T
from logistics.planners.tiers.solving import _processes


def valid_tiers(tp: T.TieredPlan) -> None:
    """Every leg passes the independent validator and the tier rules hold."""
    for name, problem, plan in tp.legs():
        assert L.validate(problem, plan) == [], name
    assert_tiers_valid(tp, legs=False)


@pytest.fixture(scope="module")
def demo():
    net = T.demo_network(stations=2, villages_per_station=3, near_hub=1, seed=5)
    orders = T.demo_orders(net, seed=5)
    trunk, vans = T.demo_fleets(trunk=2, vans=2)
    return net, orders, trunk, vans


def test_plan_tiers_options_equal_shortcuts(demo):
    net, orders, trunk, vans = demo
    kw = dict(products=T.DEMO_PRODUCTS, rebalance=False)
    a = T.plan_tiers(net, orders, trunk, vans, time_limit=8, engine="ortools", iterations=20, workers=1, **kw)
    opts = SolveOptions(time_limit=8, engine="ortools", iterations=20, workers=1)
    b = T.plan_tiers(net, orders, trunk, vans, options=opts, **kw)
    cols = ["tier", "leg", "vehicle", "seq", "order_id", "arrival", "start"]
    pd.testing.assert_frame_equal(a.stops[cols], b.stops[cols])
    assert a.meta["time_limit"] == b.meta["time_limit"] == 8.0
    # shortcuts override the options object; without either the default limit is 30 s
    c = T.plan_tiers(net, orders, trunk, vans, options=opts, time_limit=9, **kw)
    assert c.meta["time_limit"] == 9.0 and c.meta["engine"] == "ortools"
    for tp in (a, b, c):
        valid_tiers(tp)


def test_bad_options_are_named_errors(demo):
    net, orders, trunk, vans = demo
    with pytest.raises(L.ProblemError) as e:
        T.plan_tiers(net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=0)
    assert e.value.field == "time_limit"
    with pytest.raises(L.ProblemError):
        T.plan_tiers(net, orders, trunk, vans, products=T.DEMO_PRODUCTS, options={"time_limit": 3})


def test_solve_many_in_worker_processes_keeps_keys_and_plans(demo):
    net, orders, _, vans = demo
    tm = net.travel_matrix()
    problems = {}
    for s in ("st1", "st2"):
        villages = list(net.villages_of(s).index)
        os_ = [o for o in orders if o.node_id in villages and o.kind == "delivery"]
        vt = [L.VehicleType(f"van@{s}", 2, vans[0].compartments, start_depot=s)]
        problems[("leg", s)] = L.Problem(tuple(os_), tuple(vt), products=T.DEMO_PRODUCTS, matrix=tm.sub([s] + villages))
    here = T.solve_many(problems, 4, engine="ortools", iterations=10, workers=1)
    there = T.solve_many(problems, 4, options=SolveOptions(engine="ortools", iterations=10, workers=2))
    assert list(here) == list(there) == list(problems)
    for k in problems:
        cols = ["vehicle", "seq", "order_id", "start"]
        pd.testing.assert_frame_equal(here[k].stops[cols], there[k].stops[cols])
        assert L.validate(problems[k], here[k]) == [] and L.validate(problems[k], there[k]) == []


def test_short_batches_stay_in_this_process():
    assert _processes([0.2, 0.2], 2) == 1  # starting workers would take longer than the solves
    assert _processes([5.0, 5.0], 2) == 2
    assert _processes([5.0, 5.0], 1) == 1


def test_carrier_comparison_takes_options():
    net = T.demo_network(stations=1, villages_per_station=3, near_hub=0, seed=1)
    orders = C.demo_parcels(net, ("EMS", "ZTO"), seed=1, share=0.8)
    opts = SolveOptions(time_limit=4, engine="ortools", iterations=10, workers=1)
    a = C.compare_carrier_sharing(net, orders, C.parcel_van(1), options=opts)
    b = C.compare_carrier_sharing(
        net, orders, C.parcel_van(1), time_limit=4, engine="ortools", iterations=10, workers=1
    )
    pd.testing.assert_frame_equal(a, b)


def test_planner_shares_keep_their_values():
    assert shares.MDVRP_SHARE == 0.25 and shares.MDVRP_ALONE_SHARE == 0.4
    assert shares.SIZE_LIMIT_PER_ORDER_S == 0.06 and shares.SIZE_LIMIT_FLOOR_S == 1.0
    assert shares.SOLVE_MANY_FLOOR_S == 0.2 and T.TRUNK_SLACK == 0.25
