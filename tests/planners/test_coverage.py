"""Coverage analytics: reach within T hours of the hub's departure, service days per week, map layer."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

import logistics as L
from logistics.planners import coverage as C
from logistics.planners import tiers as T


@pytest.fixture(scope="module")
def setup():
    net = T.demo_network(stations=2, villages_per_station=4, near_hub=2, seed=4)
    orders = T.demo_orders(net, seed=4)
    trunk, vans = T.demo_fleets(trunk=2, vans=2)
    tp = T.plan_tiers(
        net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=4, engine="ortools", workers=1, rebalance=False
    )
    for name, problem, plan in tp.legs():
        assert L.validate(problem, plan) == [], name
    assert tp.validate() == []
    return net, tp, trunk, vans


def test_reach_times_from_a_tiered_plan(setup):
    net, tp, _, _ = setup
    r = C.reach_times(tp, net)
    assert len(r) == len(net.villages) and r["visited"].all()
    t0 = r.attrs["hub_departure"]
    assert t0 == tp.stops[(tp.stops["kind"] == "start") & (tp.stops["node_id"] == "hub")]["departure"].min()
    v = r.iloc[0]
    first = tp.stops[(tp.stops["node_id"] == v["village"]) & tp.stops["kind"].isin(["delivery", "pickup"])]["start"]
    assert v["hours"] == pytest.approx((first.min() - t0) / 3600)
    assert (r["hours"] > 0).all()


def test_potential_reach_is_a_lower_bound(setup):
    net, tp, trunk, vans = setup
    pot = C.potential_reach(net, trunk_fleet=trunk, last_mile_fleet=vans, handling_s=tp.handling_s, direct=True)
    tm = net.travel_matrix()
    v, s = pot.iloc[0]["village"], pot.iloc[0]["station"]
    d = tm.duration
    via = (d[tm.index("hub"), tm.index(s)] * trunk[0].speed_factor + tp.handling_s + d[tm.index(s), tm.index(v)]) / 3600
    assert pot.iloc[0]["hours_via_station"] == pytest.approx(via)
    plan = C.reach_times(tp, net).set_index("village")["hours"]
    assert (pot.set_index("village")["hours"] <= plan + 1e-9).all()


def test_service_days_from_plans_and_rules(setup):
    net, tp, _, _ = setup
    week = [tp, None, tp, None, tp, None, None]
    sd = C.service_days(week, net).set_index("village")
    assert (sd["days_per_week"] == 3).all() and set(sd["weekdays"]) == {"Mon,Wed,Fri"}
    by_name = C.service_days({"Tue": tp, "Sat": tp}, net).set_index("village")
    assert (by_name["weekdays"] == "Tue,Sat").all()
    v = net.villages.index[0]
    rule = {"default": 2, "st1": 5, v: ["mon", "Thu"]}
    sd = C.service_days(rule, net).set_index("village")
    assert sd.at[v, "weekdays"] == "Mon,Thu"
    st2 = net.villages[net.villages["parent"] == "st2"].index
    st1 = [x for x in net.villages[net.villages["parent"] == "st1"].index if x != v]
    assert (sd.loc[st2, "days_per_week"] == 2).all() and (sd.loc[st1, "days_per_week"] == 5).all()
    sd = C.service_days(lambda village, station: 7 if station == "st1" else 1, net).set_index("village")
    assert sd.loc[st1, "weekdays"].eq("Mon,Tue,Wed,Thu,Fri,Sat,Sun").all()
    with pytest.raises(ValueError, match="not a weekday"):
        C.service_days({"default": ["Someday"]}, net)


def test_coverage_frame_per_station(setup):
    net, tp, _, _ = setup
    f = C.coverage(tp, net, hours=(1, 3, 12), schedule={"default": 3, "st2": 1})
    assert list(f.index) == ["st1", "st2", "all"]
    assert f.at["all", "villages"] == len(net.villages)
    assert (f["within_1h"] <= f["within_3h"]).all() and (f["within_3h"] <= f["within_12h"]).all()
    assert f.at["all", "within_12h"] == 1.0
    assert f.at["st2", "mean_days_per_week"] == 1 and f.at["st1", "share_at_least_3_days"] == 1.0
    pot = C.coverage(None, net, hours=(1,), handling_s=0, direct=True)
    assert pot.at["all", "within_1h"] >= f.at["all", "within_1h"]
    with pytest.raises(ValueError, match="township"):
        C.coverage(tp, net, by="township")


def test_map_layer_and_folium(setup):
    net, tp, _, _ = setup
    layer = C.coverage_layer(tp, net, hours=(4,), schedule=[tp] * 5 + [None, None])
    assert isinstance(layer, gpd.GeoDataFrame) and layer.crs == "EPSG:4326"
    assert len(layer) == len(net.villages) and {"hours", "within_4h", "days_per_week"} <= set(layer.columns)
    assert np.allclose(layer.geometry.x.to_numpy(), net.nodes.geometry.x.reindex(layer["village"]).to_numpy())
    fg = C.folium_layer(layer, "days_per_week")
    import folium

    assert isinstance(fg, folium.FeatureGroup) and len(fg._children) == len(layer)


def test_folium_layer_escapes_village_and_station_names(setup):
    net, tp, _, _ = setup
    layer = C.coverage_layer(tp, net, hours=(4,)).head(2).copy()
    layer["village"] = ["</script><script>window.pwned=1</script>", "`${alert(1)}`"]
    layer["station"] = ['"><img src=x onerror=alert(1)>', "\\u2028"]
    fg = C.folium_layer(layer, "hours")
    tips = [child._children for child in fg._children.values()]
    html = " ".join(str(t.text) for kids in tips for t in kids.values() if hasattr(t, "text"))
    assert "<script>" not in html and "<img" not in html and "${" not in html and "`" not in html
    assert "&lt;/script&gt;" in html
