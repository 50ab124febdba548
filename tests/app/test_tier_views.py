"""map.html and timeline.png of a three-tier day: layers per tier, throughput, hand-overs, escaping."""

from __future__ import annotations

import dataclasses
import html
import re

import numpy as np
import pytest

from logistics.app.tier_views import (
    TIERS,
    handovers,
    node_throughput,
    tier_map,
    tier_timeline,
    write_tier_map,
    write_tier_timeline,
)
from logistics.core.model import Order
from logistics.planners.tiers import plan_tiers
from logistics.planners.tiers.demo import DEMO_PRODUCTS, demo_fleets, demo_network, demo_orders
from networks import Network

pytest.importorskip("folium")
pytest.importorskip("matplotlib")

HOSTILE = "</script><img src=x onerror=alert(1)>`${1}`"


@pytest.fixture(scope="module")
def tp():
    base = demo_network(3, 5, 2)
    nodes = base.nodes.copy()
    nodes.loc["st1", "name"] = HOSTILE
    net = Network(nodes, name="demo-hostile")
    orders = demo_orders(net)
    # one order no van can carry: it stays unserved with a reason naming its leg
    orders.append(Order("huge-v002", {"meat": 90_000.0}, node_id="v002", time_windows=((8 * 3600, 18 * 3600),)))
    trunk, vans = demo_fleets()
    plan = plan_tiers(net, orders, trunk, vans, products=DEMO_PRODUCTS, time_limit=3, seed=0, workers=1)
    assert plan.validate(legs=True) == []
    assert len(plan.transfers) > 0 and "huge-v002" in set(plan.unserved["order_id"])
    return plan


@pytest.fixture(scope="module")
def page(tp, tmp_path_factory):
    path = write_tier_map(tp, tmp_path_factory.mktemp("tiermap") / "map.html", offline=True)
    return path.read_text(encoding="utf-8")


def _expected_throughput(tp):
    qty = {o.id: sum(o.quantities.values()) for o in tp.orders}
    kind = {o.id: o.kind for o in tp.orders}
    out = {}
    for s, g in tp.transfers.groupby("station"):
        down = g[g["direction"] == "down"]["order_id"]
        up = g[g["direction"] == "up"]["order_id"]
        out[str(s)] = (len(down), sum(qty[o] for o in down), len(up), sum(qty[o] for o in up))
    direct = list(tp.direct.served_ids) if tp.direct is not None else []
    down = list(tp.transfers[tp.transfers["direction"] == "down"]["order_id"]) + [
        o for o in direct if kind[o] == "delivery"
    ]
    up = list(tp.transfers[tp.transfers["direction"] == "up"]["order_id"]) + [o for o in direct if kind[o] == "pickup"]
    out[tp.hub] = (len(down), sum(qty[o] for o in down), len(up), sum(qty[o] for o in up))
    return out


def test_one_layer_per_tier_with_a_line_per_route(tp, page):
    for tier in TIERS:
        vehicles = tp.stops[tp.stops["tier"] == tier]["vehicle"].nunique()
        assert page.count(f'"className": "coldroute-tier-{tier}"') == vehicles
    # each tier is its own entry of the layer control
    for label in ("Trunk: hub", "Last mile: stations", "Direct: hub"):
        assert page.count(label) == 1
    assert tp.stops["tier"].nunique() == 3  # the fixture has all three tiers


def test_throughput_markers_match_the_transfers(tp, page):
    found = {
        html.unescape(m.group(1)): (int(m.group(3)), float(m.group(4)), int(m.group(5)), float(m.group(6)))
        for m in re.finditer(
            r"data-node='([^']*)' data-role='(\w+)' data-orders-down='(\d+)' data-goods-down='([\d.e+]+)' "
            r"data-orders-up='(\d+)' data-produce-up='([\d.e+]+)'",
            page,
        )
    }
    expected = _expected_throughput(tp)
    assert set(found) == set(expected) | (set(tp.problems["trunk"].network.stations.index) - set(expected))
    for node, (nd, gd, nu, pu) in expected.items():
        assert found[node][0] == nd and found[node][2] == nu
        assert found[node][1] == pytest.approx(gd) and found[node][3] == pytest.approx(pu)
    assert expected[tp.hub][0] > 0 and expected[tp.hub][3] > 0  # goods went down and produce came up
    frame = node_throughput(tp)
    assert frame.loc[tp.hub, "goods_down"] == pytest.approx(expected[tp.hub][1])


def test_handover_popups_list_every_trunk_to_van_pair(tp, page):
    t = tp.transfers
    pairs = t.groupby(["station", "direction", "trunk_vehicle", "last_mile_vehicle"]).size()
    assert page.count("class='coldroute-handover'") == len(pairs) == len(handovers(tp))
    for (_, _, truck, van), _n in pairs.items():
        assert html.escape(truck) in page and html.escape(van) in page
    worst = int(t["wait_at_station"].max())
    assert f"{worst // 3600} h {worst % 3600 // 60:02d} min" in page


def test_user_strings_are_escaped_and_the_page_is_offline(tp, page):
    assert HOSTILE not in page
    assert "<img src=x" not in page and "</script><img" not in page
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{1}&#96;" in page
    assert "huge-v002" in page and "coldroute-unserved" in page
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?://", page)


def test_online_map_has_tiles(tp):
    m = tier_map(tp, offline=False)
    assert "tile.openstreetmap" in m.get_root().render()


def test_timeline_png_is_written(tp, tmp_path):
    path = write_tier_timeline(tp, tmp_path / "timeline.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000


def test_timeline_draws_one_segment_per_handover_joining_truck_and_van(tp):
    fig = tier_timeline(tp)
    ax = fig.axes[0]
    row = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    truck = dict(zip(tp.stops["vehicle"], tp.stops["physical_vehicle"]))
    drawn = sorted(
        (tuple(np.round(ln.get_xdata(), 6)), tuple(ln.get_ydata())) for ln in ax.lines if ln.get_gid() == "handover"
    )
    expected = set()
    for r in tp.transfers.itertuples():
        down = r.direction == "down"
        t_truck = r.trunk_arrival if down else r.trunk_departure
        t_van = r.last_mile_departure if down else r.last_mile_arrival
        expected.add(
            (
                (round(t_truck / 3600, 6), round(t_van / 3600, 6)),
                (row[truck[r.trunk_vehicle]], row[r.last_mile_vehicle]),
            )
        )
    assert drawn == sorted(expected)
    # the groups are labelled trunk first, then last mile, then direct
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["trunk", "last mile", "direct"]


def test_a_day_with_nothing_planned_still_draws(tp, tmp_path):
    empty = dataclasses.replace(
        tp, stops=tp.stops.iloc[0:0], routes=tp.routes.iloc[0:0], transfers=tp.transfers.iloc[0:0], last_mile={}
    )
    assert handovers(empty).empty
    thr = node_throughput(empty)
    assert (thr[["orders_down", "goods_down", "orders_up", "produce_up"]] == 0).all().all()
    page = write_tier_map(empty, tmp_path / "map.html", offline=True).read_text(encoding="utf-8")
    assert page.count('"className": "coldroute-tier-') == 0 and "coldroute-station" in page
    fig = tier_timeline(empty)
    assert [t.get_text() for t in fig.axes[0].texts] == ["no routes"]
    assert write_tier_timeline(empty, tmp_path / "t.png").stat().st_size > 1000
