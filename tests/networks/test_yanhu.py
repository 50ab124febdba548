"""The built-in Yanhu District network: tiers, provenance, layers, synthetic roads, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString

import networks
from networks import Network, connectivity, road_graph
from networks import yanhu_geo as geo
from networks.matrix import haversine_m
from networks.roads import roads_frame
from networks.yanhu import build_yanhu_nodes, data_path, township_table, write_yanhu


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COLDROUTE_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def net() -> Network:
    return networks.yanhu()


@pytest.fixture(scope="module")
def net_roads() -> Network:
    return networks.yanhu(roads=True)


def test_hub_and_stations(net):
    assert isinstance(net, Network) and net.roads is None
    hub = net.hub
    assert list(hub.index) == ["hub"] and hub.at["hub", "name_zh"] == "盐湖区综合物流园区"
    assert hub.at["hub", "cold_store_t"] > 0 and hub.at["hub", "adcode"] == "140802"
    assert net.nodes.loc[net.nodes.index != "hub", "cold_store_t"].isna().all()
    st = net.stations
    assert dict(st["name_zh"]) == {
        "st_sanluli": "三路里运输站",
        "st_beixiang": "北相镇综合运输站",
        "st_dongguo": "东郭镇综合运输站",
        "st_jiezhou": "解州过境物流站",
    }
    assert (st["parent"] == "hub").all()
    # no station's site is published: all estimated, even where the town is known
    assert (st["position_source"] == "estimated").all()
    assert dict(st["township_adcode"]) == {
        "st_jiezhou": "140802100",
        "st_beixiang": "140802102",
        "st_sanluli": "140802104",
        "st_dongguo": "140802106",
    }


def test_default_scope_is_rural(net):
    n = net.nodes
    assert len(n) == 1 + 4 + 9 + 174 and (n["layer"] == "rural").all()
    assert n["kind"].value_counts().to_dict() == {
        "village": 169,
        "township_seat": 9,
        "community": 5,
        "station": 4,
        "hub": 1,
    }
    urban = networks.yanhu(urban=True)
    assert len(urban) == len(n) + 135 and urban.name == "yanhu-urban"
    u = urban.villages[urban.villages["layer"] == "urban"]
    assert u["kind"].value_counts().to_dict() == {"community": 71, "village": 64}
    assert set(u["township_zh"]) == {"中城", "东城", "西城", "南城", "北城", "安邑", "大渠", "姚孟"}
    assert set(urban.villages["parent"]) <= set(urban.stations.index)


def test_provenance_columns(net):
    n = networks.yanhu(urban=True).nodes
    for col in ("name", "name_zh", "committee_zh", "adcode", "township", "name_source", "position_source"):
        assert col in n.columns
    assert set(n["name_source"]) == {"sourced"}
    assert set(n["position_source"]) == {"estimated", "generated"}
    committees = n["kind"].isin(["village", "community"])
    assert (n.loc[committees, "position_source"] == "generated").all()
    assert (n.loc[~committees, "position_source"] == "estimated").all()
    # synthetic: the name or the position is generated
    assert (n["synthetic"] == ((n["name_source"] == "generated") | (n["position_source"] == "generated"))).all()
    assert n["synthetic"].dtype == bool and n.index.is_unique
    assert n.loc[n["tier"] != "hub", "township"].notna().all()
    # no generated names are left
    assert not n["name_zh"].str.contains("生成").any()


def test_township_table_counts():
    t = township_table()
    assert len(t) == 21 and (t["level"] == "subdistrict").sum() == 8
    assert int(t["villages"].sum() + t["communities"].sum()) == 309
    assert int((t["villages"] + t["communities"])[t["layer"] == "rural"].sum()) == 174
    by = (t["villages"] + t["communities"]).set_axis(t["township_zh"])
    assert by["席张"] == 7 and by["王范"] == 7 and by["上王"] == 6 and by["金井"] == 12
    assert set(t["station"].dropna()) == set(networks.yanhu().stations.index)


def test_every_village_hangs_off_a_station(net):
    v = net.villages
    assert set(v["parent"]) == set(net.stations.index)
    for sid, key in [("st_sanluli", "三路里"), ("st_beixiang", "北相"), ("st_dongguo", "东郭"), ("st_jiezhou", "解州")]:
        assert (v.loc[v["township_zh"] == key, "parent"] == sid).all()
    # 席张 (far south-west) goes to 解州, 上王 (north-east) to 三路里
    assert (v.loc[v["township_zh"] == "席张", "parent"] == "st_jiezhou").all()
    assert (v.loc[v["township_zh"] == "上王", "parent"] == "st_sanluli").all()
    # one station per township
    assert (v.groupby("township")["parent"].nunique() == 1).all()


def test_ids_referenced_elsewhere_exist(net):
    # README and examples use these ids
    for nid in ("v_sanluli_01", "v_beixiang_02", "tw_longju", "v_dongguo_03"):
        assert nid in net.nodes.index
    assert net.nodes.at["v_sanluli_01", "committee_zh"] == "三路里村委会"


def test_shipped_file_is_reproducible(tmp_path):
    out = write_yanhu(tmp_path / "yanhu.geojson")
    assert out.read_bytes() == data_path().read_bytes()
    again = build_yanhu_nodes()
    shipped = networks.yanhu(urban=True).nodes
    assert list(again.index) == list(shipped.index)
    assert (again["parent"].fillna("") == shipped["parent"].fillna("")).all()
    assert not build_yanhu_nodes(seed=1).geometry.geom_equals_exact(again.geometry, 1e-9).all()


def test_synthetic_roads(net_roads):
    g = net_roads.roads
    assert g.graph["synthetic"] is True and g.graph["metric_crs"] == "EPSG:32649"
    assert set(net_roads.nodes.index) <= set(g.nodes)
    assert connectivity(g).ok
    classes = {d["road_class"] for *_, d in g.edges(data=True)}
    assert {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified"} <= classes
    f = roads_frame(g)
    for lake in geo.lakes():
        assert not f.geometry.intersects(lake).any()
    tm = net_roads.travel_matrix(["hub", "st_sanluli", "st_jiezhou"])
    assert tm.synthetic
    gx = net_roads.nodes.geometry
    for sid in ("st_sanluli", "st_jiezhou"):
        crow = haversine_m(gx["hub"].x, gx["hub"].y, gx[sid].x, gx[sid].y)
        ratio = tm.distance[0, tm.index(sid)] / crow
        assert 1.2 <= ratio <= 1.8  # round the lakes to 解州
        kmh = tm.distance[0, tm.index(sid)] / tm.duration[0, tm.index(sid)] * 3.6
        assert 45 <= kmh <= 75


def test_full_matrix_and_reassignment(net_roads):
    tm = net_roads.travel_matrix()
    n = len(net_roads)
    assert len(tm) == n == 188
    assert np.isfinite(tm.duration).all() and (tm.duration[~np.eye(n, dtype=bool)] > 0).all()
    new = net_roads.reassign_villages()
    assert set(new.villages["parent"]) <= set(new.stations.index)
    changed = (new.villages["parent"] != net_roads.villages["parent"]).sum()
    assert changed < 90
    st = list(new.stations.index)
    for vid in new.villages.index[::23]:
        best = min(st, key=lambda s: tm.duration[tm.index(s), tm.index(vid)])
        assert new.nodes.at[vid, "parent"] == best


def test_urban_roads_cover_the_urban_layer():
    net = networks.yanhu(roads=True, urban=True)
    assert set(net.nodes.index) <= set(net.roads.nodes)
    assert connectivity(net.roads).ok


def test_user_roads_replace_the_synthetic_graph(net):
    g = net.nodes.geometry
    stations = ["hub", "st_beixiang", "st_sanluli"]
    lines = [LineString([(g[a].x, g[a].y), (g[b].x, g[b].y)]) for a, b in zip(stations[:-1], stations[1:])]
    import geopandas as gpd

    roads = road_graph(gpd.GeoDataFrame({"highway": ["primary", "primary"]}, geometry=lines, crs="EPSG:4326"))
    mine = net.with_roads(roads)
    assert mine.roads is roads and not mine.roads.graph["synthetic"]
    tm = mine.travel_matrix(stations)
    assert not tm.synthetic and tm.distance[0, 2] > tm.distance[0, 1] > 0
