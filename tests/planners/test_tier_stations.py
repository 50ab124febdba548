"""Station cold stores and opening hours in the tier planner and the tier validator; settings as one object."""

from __future__ import annotations

import pytest

import logistics as L
from logistics.check.tiers import assert_tiers_valid
from logistics.planners import tiers as T

FAST = dict(engine="ortools", workers=1)


@pytest.fixture(scope="module")
def demo():
    net = T.demo_network(stations=3, villages_per_station=5, near_hub=2, seed=3)
    orders = T.demo_orders(net, seed=3)
    trunk, vans = T.demo_fleets(trunk=2, vans=2)
    return net, orders, trunk, vans


def test_settings_object_and_shortcuts_agree(demo):
    net, orders, trunk, vans = demo
    s = T.TierSettings(products=T.DEMO_PRODUCTS, handling_s=900, direct_from_hub=False, rebalance=False)
    a = T.plan_tiers(net, orders, trunk, vans, settings=s, time_limit=20, iterations=20, **FAST)
    b = T.plan_tiers(
        net,
        orders,
        trunk,
        vans,
        products=T.DEMO_PRODUCTS,
        handling_s=900,
        direct_from_hub=False,
        rebalance=False,
        time_limit=20,
        iterations=20,
        **FAST,
    )
    assert_tiers_valid(a)
    assert a.handling_s == b.handling_s == 900
    assert a.kpis["direct_villages"] == 0
    assert a.kpis["cost"] == b.kpis["cost"]
    # a shortcut overrides the settings object's field
    c = T.plan_tiers(net, orders, trunk, vans, settings=s, handling_s=600, time_limit=3, **FAST)
    assert c.handling_s == 600


@pytest.mark.parametrize(
    "field, value, match",
    [
        ("cold_store_capacity", {"nowhere": 10.0}, "not a station"),
        ("cold_store_capacity", {"st1": -1.0}, "must be a number"),
        ("cold_store_capacity", {"st1": "lots"}, "must be a number"),
        ("opening_hours", {"st1": (20 * 3600, 6 * 3600)}, "open < close"),
        ("opening_hours", {"v001": (0, 3600)}, "not a station"),
    ],
)
def test_bad_station_settings_name_the_station_and_field(demo, field, value, match):
    net, orders, trunk, vans = demo
    s = T.TierSettings(products=T.DEMO_PRODUCTS, **{field: value})
    with pytest.raises(L.ProblemError, match=match) as e:
        T.plan_tiers(net, orders, trunk, vans, settings=s, time_limit=2, **FAST)
    assert e.value.field == field
