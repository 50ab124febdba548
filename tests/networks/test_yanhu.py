"""The built-in Yanhu District network: counts, sources, land check, synthetic roads, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

import networks
from networks import Network, connectivity, road_graph
from networks.matrix import haversine_m
from networks.roads import roads_frame
from networks.yanhu import (
    DISTRICT_BOUNDS,
    DONGGUO_VILLAGES,
    SALT_LAKE,
    build_yanhu_nodes,
    data_path,
    on_land,
    township_table,
    write_yanhu,
)


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
    assert hub.at["hub", "cold_store_t"] > 0
    assert net.nodes.loc[net.nodes.index != "hub", "cold_store_t"].isna().all()
    st = net.stations
    assert dict(st["name_zh"]) == {
        "st_sanluli": "三路里运输站",
        "st_beixiang": "北相镇综合运输站",
        "st_dongguo": "东郭镇综合运输站",
        "st_jiezhou": "解州过境物流站",
    }
    assert (st["parent"] == "hub").all()
    assert st.at["st_jiezhou", "position_source"] == "sourced"
    assert st.geometry["st_jiezhou"].y == pytest.approx(34.9124) and st.geometry["st_jiezhou"].x == pytest.approx(
        110.8517
    )
    assert (st.drop("st_jiezhou")["position_source"] == "estimated").all()


def test_village_counts(net):
    v = net.villages
    committees = v[v["kind"] == "village"]
    seats = v[v["kind"] == "township_seat"]
    assert len(committees) == 314
    assert len(seats) == 9
    counts = committees.groupby("township_zh").size()
    assert counts["解州"] == 26 and counts["东郭"] == 10 and counts["三路里"] == 4
    assert counts["泓芝驿"] == 16 and counts["龙居"] == 35
    assert len(counts) == 13
    t = township_table()
    assert t["villages"].sum() == 314
    assert set(t.loc[t["count_source"] == "published", "township_zh"]) == {"解州", "东郭", "三路里", "泓芝驿", "龙居"}


def test_columns_and_sources(net):
    n = net.nodes
    for col in (
        "name",
        "name_zh",
        "tier",
        "parent",
        "kind",
        "township",
        "township_zh",
        "synthetic",
        "position_source",
        "cold_store_t",
    ):
        assert col in n.columns
    v = net.villages
    assert v["township"].notna().all() and v["township_zh"].notna().all()
    assert set(n["position_source"]) == {"sourced", "estimated", "generated"}
    assert (v.loc[v["kind"] == "village", "position_source"] == "generated").all()
    assert n["synthetic"].dtype == bool
    named = v[v["township_zh"] == "东郭"]
    assert set(named["name_zh"]) == {zh for _, zh in DONGGUO_VILLAGES}
    assert not named["synthetic"].any()
    others = v[(v["kind"] == "village") & (v["township_zh"] != "东郭")]
    assert others["synthetic"].all() and len(others) == 304
    assert n.index.is_unique


def test_every_village_hangs_off_a_station(net):
    v = net.villages
    assert set(v["parent"]) <= set(net.stations.index)
    assert set(v["parent"]) == set(net.stations.index)
    # villages of a station's own township belong to that station
    for sid, key in [("st_sanluli", "三路里"), ("st_beixiang", "北相"), ("st_dongguo", "东郭"), ("st_jiezhou", "解州")]:
        assert (v.loc[v["township_zh"] == key, "parent"] == sid).all()
    # nearest-station assignment is sensible: 席张 (far south-west) goes to 解州, 上王 (north-east) to 三路里
    assert (v.loc[v["township_zh"] == "席张", "parent"] == "st_jiezhou").all()
    assert (v.loc[v["township_zh"] == "上王", "parent"] == "st_sanluli").all()


def test_salt_lake_is_not_land(net):
    assert SALT_LAKE.contains(Point(111.00, 35.00))
    assert not SALT_LAKE.contains(Point(111.0070, 35.0267))  # city centre
    assert not on_land([111.0], [35.0])[0] and on_land([111.03], [35.07])[0]
    g = net.nodes.geometry
    assert on_land(g.x.to_numpy(), g.y.to_numpy()).all()
    # and not even on the shore: every village keeps ≥ 250 m off the lake
    dist = [shapely.distance(SALT_LAKE, p) for p in net.villages.geometry]
    assert min(dist) > 0.0025  # ≈ 250 m in degrees at this latitude


def test_villages_near_their_seat_and_inside_the_district(net):
    t = township_table().set_index("township_zh")
    v = net.villages
    d = haversine_m(
        v.geometry.x.to_numpy(),
        v.geometry.y.to_numpy(),
        t.loc[v["township_zh"], "lon"].to_numpy(),
        t.loc[v["township_zh"], "lat"].to_numpy(),
    )
    assert d.max() < 10_000
    x0, y0, x1, y1 = DISTRICT_BOUNDS
    assert v.geometry.x.between(x0, x1).all() and v.geometry.y.between(y0, y1).all()
    # spacing: no two nodes on top of each other
    xy = np.column_stack([v.geometry.x, v.geometry.y])
    from scipy.spatial import cKDTree

    dd, _ = cKDTree(xy * [91_000, 111_000]).query(xy * [91_000, 111_000], k=2)
    assert dd[:, 1].min() > 500


def test_shipped_file_is_reproducible(tmp_path):
    out = write_yanhu(tmp_path / "yanhu.geojson")
    assert out.read_bytes() == data_path().read_bytes()
    again = build_yanhu_nodes()
    shipped = networks.yanhu().nodes
    assert list(again.index) == list(shipped.index)
    assert (again["parent"].fillna("") == shipped["parent"].fillna("")).all()
    assert not build_yanhu_nodes(seed=1).geometry.geom_equals_exact(again.geometry, 1e-9).all()


def test_synthetic_roads(net_roads):
    g = net_roads.roads
    assert g.graph["synthetic"] is True and g.graph["metric_crs"] == "EPSG:32649"
    assert set(g.nodes) == set(net_roads.nodes.index)
    assert connectivity(g).ok
    classes = {d["road_class"] for *_, d in g.edges(data=True)}
    assert {"trunk", "secondary", "tertiary", "unclassified"} <= classes
    f = roads_frame(g)
    assert not f.geometry.intersects(SALT_LAKE).any()
    tm = net_roads.travel_matrix(["hub", "st_sanluli", "st_jiezhou"])
    assert tm.synthetic
    gx = net_roads.nodes.geometry
    for sid in ("st_sanluli", "st_jiezhou"):
        crow = haversine_m(gx["hub"].x, gx["hub"].y, gx[sid].x, gx[sid].y)
        ratio = tm.distance[0, tm.index(sid)] / crow
        assert 1.25 <= ratio <= 1.7  # detour ≈1.3 (more round the lake)
        kmh = tm.distance[0, tm.index(sid)] / tm.duration[0, tm.index(sid)] * 3.6
        assert 45 <= kmh <= 75


def test_full_matrix_and_reassignment(net_roads):
    tm = net_roads.travel_matrix()
    assert len(tm) == len(net_roads) == 328
    assert np.isfinite(tm.duration).all() and (tm.duration[~np.eye(328, dtype=bool)] > 0).all()
    new = net_roads.reassign_villages()
    assert set(new.villages["parent"]) <= set(new.stations.index)
    changed = (new.villages["parent"] != net_roads.villages["parent"]).sum()
    assert 0 < changed < 150
    st = list(new.stations.index)
    for vid in new.villages.index[::37]:
        best = min(st, key=lambda s: tm.duration[tm.index(s), tm.index(vid)])
        assert new.nodes.at[vid, "parent"] == best


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
