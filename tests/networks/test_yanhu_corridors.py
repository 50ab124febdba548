"""The estimated road skeleton of the built-in Yanhu network: corridors, barriers, calibration."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

import networks
from networks import connectivity, points_travel_matrix
from networks import corridors as cor
from networks import yanhu_geo as geo
from networks.matrix import haversine_m
from networks.roads import roads_frame


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COLDROUTE_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def net():
    return networks.yanhu(roads=True)


def test_corridors_are_estimated_sourced_and_named():
    c = cor.corridors()
    assert {"ring", "g5_north", "yunfeng", "g209", "yunji", "yunyong", "jieyang", "jierui"} <= set(c.index)
    assert (c["position_source"] == "estimated").all()
    assert c["source"].str.len().gt(40).all()
    assert "x:jiezhou" in c.at["ring", "waypoints"]  # the ring's 解州 interchange
    ring = c.geometry["ring"]
    assert ring.coords[0] == ring.coords[-1]  # a loop


def test_corridors_inside_the_outline():
    area = geo.to_metric(geo.outline()).buffer(1000.0)
    for cid, line in cor.corridors().geometry.items():
        assert area.contains(geo.to_metric(line)), cid
    # the corridors that leave the district end on its edge (clipped there)
    c = cor.corridors()
    for cid in ("yunyong", "yunfeng", "g5_north", "jierui"):
        end = shapely.Point(c.geometry[cid].coords[-1])
        assert c.at[cid, "waypoints"][-1] == "edge"
        assert geo.to_metric(geo.outline().exterior).distance(geo.to_metric(end)) < 1.0


def test_no_road_crosses_a_lake_and_only_corridors_cross_the_mountain_edge(net):
    f = roads_frame(net.roads)
    for lake in geo.lakes():
        assert not f.geometry.intersects(lake).any()
    foot = geo.zhongtiao_foot()
    crossing = f[f.geometry.crosses(foot)]
    assert len(crossing) and crossing["corridor"].all()
    assert set(crossing["road_class"]) <= {"secondary", "motorway", "trunk", "primary"}


def test_connected_over_all_nodes_both_layers(net):
    assert connectivity(net.roads).ok and set(net.nodes.index) <= set(net.roads.nodes)
    urban = networks.yanhu(roads=True, urban=True)
    assert connectivity(urban.roads).ok and set(urban.nodes.index) <= set(urban.roads.nodes)


def test_calibration_to_published_distances(net):
    tm = net.travel_matrix(["hub", "st_sanluli", "st_jiezhou"])
    d = tm.distance[0, 1] / 1000
    assert 35 * 0.85 <= d <= 35 * 1.15
    g = net.nodes.geometry
    city = (111.005, 35.030)  # the 中城 seat, standing for the district government (estimated)
    pm = points_travel_matrix(
        ["city", "sanluli", "jiezhou"],
        [city[0], g["st_sanluli"].x, g["st_jiezhou"].x],
        [city[1], g["st_sanluli"].y, g["st_jiezhou"].y],
        roads=net.roads,
        max_snap_m=6000,
        cache=False,
    )
    assert 35 * 0.9 <= pm.distance[0, 1] / 1000 <= 35 * 1.1  # city → 三路里 ≈ 35 km
    assert 25 * 0.9 <= pm.distance[0, 2] / 1000 <= 25 * 1.1  # city → 解州 ≈ 25 km
    assert 25 <= pm.duration[0, 2] / 60 <= 35  # ≈ 30 min


def test_median_detour(net):
    tm = net.travel_matrix()
    g = net.nodes.geometry
    x, y = g.x.to_numpy(), g.y.to_numpy()
    crow = haversine_m(x[:, None], y[:, None], x[None, :], y[None, :])
    far = crow > 5000
    med = float(np.median(tm.distance[far] / crow[far]))
    assert 1.2 <= med <= 1.45


def test_corridor_file_is_reproducible(tmp_path):
    out = cor.write_corridors(tmp_path / "c.geojson")
    assert out.read_bytes() == cor.data_path().read_bytes()
