"""Station cold stores and opening hours in the tier planner and the tier validator; settings as one object."""

from __future__ import annotations

import pytest

import logistics as L
from logistics.check.tiers import assert_tiers_valid, validate_tiers
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


def _cold(o, products=T.DEMO_PRODUCTS):
    return sum(x for p, x in o.quantities.items() if products[p].zone != L.Zone.AMBIENT)


def _held_peak(tp, station):
    """The most a station's cold store holds at once, from the transfers and the stops (independent of both)."""
    by_id = {o.id: o for o in tp.orders}
    t = tp.transfers[tp.transfers["station"] == station]
    trunk = tp.trunk.stops.set_index("order_id")
    events = []
    for r in t.itertuples():
        q = _cold(by_id[r.order_id], tp.products)
        if r.direction == "down":
            a, b = float(trunk.at[r.trunk_order, "start"]), float(r.last_mile_departure)
        else:
            a, b = float(r.last_mile_arrival), float(trunk.at[r.trunk_order, "departure"])
        events += [(a, 1, q), (b, 0, -q)]
    level = top = 0.0
    for _, _, dq in sorted(events):
        level += dq
        top = max(top, level)
    return top


def test_cold_store_capacity_limits_deliveries_with_the_reason(demo):
    net, orders, trunk, vans = demo
    s = T.TierSettings(products=T.DEMO_PRODUCTS, cold_store_capacity={"st1": 100.0, "st2": 0.0}, direct_from_hub=False)
    tp = T.plan_tiers(net, orders, trunk, vans, settings=s, time_limit=4, **FAST)
    assert_tiers_valid(tp)
    parent = net.villages["parent"]
    out = tp.unserved.set_index("order_id")["reason"]
    # every delivery with refrigerated goods for st2 stays at the hub, with the reason
    st2 = [o for o in orders if o.kind == "delivery" and parent[o.node_id] == "st2" and _cold(o) > 0]
    assert st2 and all("cold store of station st2" in out[o.id] for o in st2)
    # st1 takes what fits and no more
    assert 0 < _held_peak(tp, "st1") <= 100.0
    assert any("cold store of station st1" in r for r in out)
    assert tp.meta["cold_store_capacity"] == {"st1": 100.0, "st2": 0.0}


def test_cold_store_capacity_limits_produce_waiting_for_the_trunk(demo):
    net, orders, trunk, vans = demo
    parent = net.villages["parent"]
    down = sum(_cold(o) for o in orders if o.kind == "delivery" and parent[o.node_id] == "st2")
    up = [o for o in orders if o.kind == "pickup" and parent[o.node_id] == "st2"]
    cap = max(down, min(_cold(o) for o in up))  # every delivery, but not all the produce at once
    assert sum(_cold(o) for o in up) > cap
    s = T.TierSettings(products=T.DEMO_PRODUCTS, cold_store_capacity={"st2": cap}, direct_from_hub=False)
    tp = T.plan_tiers(net, orders, trunk, vans, settings=s, time_limit=4, **FAST)
    assert_tiers_valid(tp)
    assert _held_peak(tp, "st2") <= cap
    t = tp.transfers
    assert (t[(t["station"] == "st2") & (t["direction"] == "up")]).shape[0] >= 1
    left = tp.unserved[tp.unserved["reason"].str.contains("cold store of station st2")]
    assert len(left) >= 1 and set(left["order_id"]) <= {o.id for o in up}
    # what is left out is off the vans' routes
    assert not set(left["order_id"]) & set(tp.stops["order_id"].dropna())


def test_opening_hours_are_kept(demo):
    net, orders, trunk, vans = demo
    hours = {"st1": (10 * 3600, 17 * 3600), "st3": (7 * 3600, 16 * 3600)}
    s = T.TierSettings(products=T.DEMO_PRODUCTS, opening_hours=hours, direct_from_hub=False)
    tp = T.plan_tiers(net, orders, trunk, vans, settings=s, time_limit=4, **FAST)
    assert_tiers_valid(tp)
    for st, (a, b) in hours.items():
        ts = tp.trunk.stops[(tp.trunk.stops["node_id"] == st) & tp.trunk.stops["kind"].isin(["delivery", "pickup"])]
        assert len(ts) and (ts["start"] >= a).all() and (ts["departure"] <= b).all()
        lm = tp.last_mile[st].stops
        assert (lm[lm["kind"] == "start"]["departure"] >= a).all()
        assert (lm[lm["kind"] == "end"]["arrival"] <= b).all()
    # the station opening at 10:00 holds its vans back
    assert tp.last_mile["st1"].stops.query("kind == 'start'")["departure"].min() >= 10 * 3600


def test_validator_flags_an_overfull_cold_store_and_hours_not_kept(demo):
    net, orders, trunk, vans = demo
    s = T.TierSettings(products=T.DEMO_PRODUCTS, direct_from_hub=False)
    tp = T.plan_tiers(net, orders, trunk, vans, settings=s, time_limit=4, **FAST)
    assert validate_tiers(tp) == []
    peak = _held_peak(tp, "st1")
    assert peak > 0
    tp.meta["cold_store_capacity"] = {"st1": peak - 1.0}
    kinds = [v.kind for v in validate_tiers(tp)]
    assert kinds.count("cold_store") == 1
    tp.meta["cold_store_capacity"] = {"st1": peak}
    assert validate_tiers(tp) == []
    first = int(tp.trunk.stops.query("node_id == 'st1'")["start"].min())
    tp.meta["opening_hours"] = {"st1": (first + 60, 23 * 3600)}
    vs = validate_tiers(tp)
    assert vs and {v.kind for v in vs} == {"opening_hours"}
    assert any(v.vehicle is not None and "trunk stop at st1" in v.message for v in vs)
    tp.meta["opening_hours"] = {"st1": (0, 8 * 3600)}
    assert any("van leaves st1" in v.message for v in validate_tiers(tp))


def test_plan_scenario_plans_the_scenario_and_keeps_its_meta(demo):
    net, orders, trunk, vans = demo
    s = T.TierSettings(products=T.DEMO_PRODUCTS, cold_store_capacity={"st1": 500.0}, rebalance=False)
    sc = T.TierScenario(net, tuple(orders), tuple(trunk), vans, s, meta={"basis": {"source": "test"}})
    opts = L.SolveOptions(time_limit=20, seed=0, iterations=20, **FAST)
    tp = T.plan_scenario(sc, opts)
    assert validate_tiers(tp) == []
    assert tp.meta["scenario"] == {"basis": {"source": "test"}}
    assert tp.meta["cold_store_capacity"] == {"st1": 500.0}
    ref = T.plan_tiers(net, orders, trunk, vans, settings=s, options=opts)
    assert tp.kpis["cost"] == ref.kpis["cost"]
    assert L.plan_scenario is T.plan_scenario and L.TierScenario is T.TierScenario
