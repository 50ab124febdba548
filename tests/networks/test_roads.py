"""Road graphs from line layers: lengths, speeds, one-ways, snapping, connectivity."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from networks import NetworkError, connectivity, read_roads, road_graph, snap, synthetic_roads
from networks.matrix import haversine_m
from networks.roads import DEFAULT_SPEEDS_KMH, compile_roads, fingerprint, largest_component, metric_crs, roads_frame

# a small road layer in Yanhu: a trunk west-east, a village road north, a one-way loop piece
A, B, C, D = (111.00, 35.05), (111.02, 35.05), (111.04, 35.05), (111.02, 35.07)


def layer(**extra):
    rows = {
        "highway": ["trunk", "trunk", "unclassified", "residential"],
        "oneway": [None, "no", None, "yes"],
        "name": ["G209", "G209", "village road", None],
    }
    rows.update(extra)
    geoms = [LineString([A, B]), LineString([B, C]), LineString([B, D]), LineString([D, C])]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def node_at(g, lonlat):
    for n, d in g.nodes(data=True):
        if abs(d["x"] - lonlat[0]) < 1e-9 and abs(d["y"] - lonlat[1]) < 1e-9:
            return n
    raise AssertionError(lonlat)


def test_graph_form_lengths_and_times():
    g = road_graph(layer())
    assert isinstance(g, nx.MultiDiGraph)
    assert g.graph["metric_crs"] == "EPSG:32649" and g.graph["crs"] == "EPSG:4326"
    assert g.graph["synthetic"] is False
    assert g.number_of_nodes() == 4
    a, b = node_at(g, A), node_at(g, B)
    (d,) = g.get_edge_data(a, b).values()
    assert d["length"] == pytest.approx(haversine_m(A[0], A[1], B[0], B[1]), rel=2e-3)
    assert d["travel_time"] == pytest.approx(d["length"] / (DEFAULT_SPEEDS_KMH["trunk"] / 3.6))
    assert d["road_class"] == "trunk" and d["name"] == "G209" and d["oneway"] is False
    assert g.has_edge(b, a)


def test_oneway_directions():
    g = road_graph(layer(oneway=["yes", "-1", "no", "true"]))
    a, b, c, d = (node_at(g, p) for p in (A, B, C, D))
    assert g.has_edge(a, b) and not g.has_edge(b, a)
    assert g.has_edge(c, b) and not g.has_edge(b, c)
    assert g.has_edge(b, d) and g.has_edge(d, b)
    assert g.has_edge(d, c) and not g.has_edge(c, d)


def test_implied_oneway_motorway_and_roundabout():
    g = road_graph(
        layer(
            highway=["motorway", "primary", "primary", "primary"],
            oneway=[None, None, None, None],
            junction=[None, "roundabout", None, None],
        )
    )
    a, b, c = (node_at(g, p) for p in (A, B, C))
    assert g.has_edge(a, b) and not g.has_edge(b, a)
    assert g.has_edge(b, c) and not g.has_edge(c, b)


def test_speed_overrides():
    g = road_graph(layer(), speeds={"trunk": 36.0})
    a, b = node_at(g, A), node_at(g, B)
    (d,) = g.get_edge_data(a, b).values()
    assert d["travel_time"] == pytest.approx(d["length"] / 10.0)
    g = road_graph(layer(speed_kmh=[72.0, None, None, None]))
    (d,) = g.get_edge_data(node_at(g, A), node_at(g, B)).values()
    assert d["speed_kmh"] == 72.0 and d["travel_time"] == pytest.approx(d["length"] / 20.0)


def test_class_column_choice_and_default():
    lines = layer().rename(columns={"highway": "road_class"})
    g = road_graph(lines)
    assert {d["road_class"] for *_, d in g.edges(data=True)} == {"trunk", "unclassified", "residential"}
    g = road_graph(layer().drop(columns="highway"))
    assert {d["road_class"] for *_, d in g.edges(data=True)} == {"unclassified"}
    with pytest.raises(NetworkError) as ei:
        road_graph(layer(), class_col="kind")
    assert ei.value.field == "kind"


def test_length_column_and_multilines():
    lines = gpd.GeoDataFrame({"length_m": [5000.0]}, geometry=[MultiLineString([[A, B], [B, C]])], crs="EPSG:4326")
    g = road_graph(lines, length_col="length_m")
    total = sum(d["length"] for u, v, d in g.edges(data=True)) / 2
    assert total == pytest.approx(5000.0)
    assert g.number_of_nodes() == 3  # the parts join at B


def test_projected_input_and_metric_crs():
    g = road_graph(layer().to_crs("EPSG:32649"))
    assert node_at(g, B) is not None
    assert metric_crs([24.9], [60.2]) == "EPSG:32635"
    assert metric_crs([-122.3], [37.8]) == "EPSG:32610"
    assert metric_crs([151.2], [-33.9]) == "EPSG:32756"


@pytest.mark.parametrize("geom,fld", [(None, "geometry"), (Point(111, 35), "geometry")])
def test_bad_geometry_named(geom, fld):
    lines = layer()
    lines.loc[2, "geometry"] = geom
    with pytest.raises(NetworkError) as ei:
        road_graph(lines)
    assert ei.value.record == 2 and ei.value.field == fld and "2" in str(ei.value)


@pytest.mark.parametrize("geom", [LineString([A, A]), LineString([A, (A[0] + 1e-9, A[1])])])
def test_a_line_that_collapses_to_a_point_is_left_out_not_the_layer(geom):
    lines = layer()
    lines.loc[2, "geometry"] = geom
    with pytest.warns(UserWarning, match="collapse to a point"):
        g = road_graph(lines)
    assert g.graph["collapsed_roads"] == [2]
    assert g.number_of_edges() > 0 and all(d["road"] != 2 for _, _, d in g.edges(data=True))
    only = layer().iloc[[2]].copy()
    only["geometry"] = [geom]
    with pytest.raises(NetworkError, match="no line of two distinct points"):
        road_graph(only)


def test_bad_values_named():
    with pytest.raises(NetworkError) as ei:
        road_graph(layer(oneway=["sometimes", None, None, None]))
    assert ei.value.record == 0 and ei.value.field == "oneway"
    with pytest.raises(NetworkError) as ei:
        road_graph(layer(speed_kmh=[None, -5.0, None, None]))
    assert ei.value.record == 1 and ei.value.field == "speed_kmh"
    with pytest.raises(NetworkError) as ei:
        road_graph(layer(), speeds={"trunk": 0})
    assert ei.value.record == "trunk" and ei.value.field == "speeds"
    with pytest.raises(NetworkError):
        road_graph(layer().set_crs(None, allow_override=True))
    with pytest.raises(NetworkError):
        road_graph(layer().iloc[:0])


@pytest.mark.parametrize("suffix,driver", [(".gpkg", "GPKG"), (".geojson", "GeoJSON"), (".shp", "ESRI Shapefile")])
def test_read_roads_formats(tmp_path, suffix, driver):
    path = tmp_path / f"roads{suffix}"
    layer().to_file(path, driver=driver)
    g = read_roads(path)
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 7


def test_read_roads_errors(tmp_path):
    with pytest.raises(NetworkError) as ei:
        read_roads(tmp_path / "missing.gpkg")
    assert ei.value.field == "path"
    pts = tmp_path / "points.geojson"
    gpd.GeoDataFrame(geometry=[Point(111, 35)], crs="EPSG:4326").to_file(pts, driver="GeoJSON")
    with pytest.raises(NetworkError) as ei:
        read_roads(pts)
    assert ei.value.field == "geometry"


def test_snap_nearest_vertex_and_report():
    g = road_graph(layer())
    s = snap(g, [111.0001, 111.0395, 111.5], [35.0501, 35.0502, 35.5], ids=["a", "c", "far"], max_distance_m=500)
    assert s.node[0] == node_at(g, A) and s.node[1] == node_at(g, C)
    assert s.distance_m[0] == pytest.approx(haversine_m(111.0001, 35.0501, *A), rel=1e-2)
    far = s.too_far
    assert list(far["id"]) == ["far"] and far["distance_m"].iloc[0] > 40_000
    assert list(s.report.columns) == ["id", "lon", "lat", "node", "distance_m", "too_far"]
    with pytest.raises(NetworkError) as ei:
        s.check()
    assert ei.value.record == "far" and ei.value.field == "geometry" and "far" in str(ei.value)
    assert snap(g, [111.5], [35.5], max_distance_m=None).too_far.empty
    with pytest.raises(NetworkError) as ei:
        snap(g, [200.0], [35.0], ids=["p"])
    assert ei.value.record == "p" and ei.value.field == "lon"


def gap_layer():
    """Two road pieces 2 km apart: a gap in the layer."""
    geoms = [LineString([A, B]), LineString([B, C]), LineString([(111.06, 35.05), (111.08, 35.05)])]
    return gpd.GeoDataFrame({"highway": ["primary"] * 3}, geometry=geoms, crs="EPSG:4326")


def test_connectivity_reports_gap():
    g = road_graph(gap_layer())
    rep = connectivity(g)
    assert not rep.ok
    assert len(rep.components) == 2
    assert rep.components["main"].sum() == 1
    assert set(rep.nodes["issue"]) == {"disconnected"}
    assert len(rep.nodes) == 2 and set(np.round(rep.nodes["lon"], 2)) == {111.06, 111.08}
    with pytest.raises(NetworkError) as ei:
        rep.check()
    assert ei.value.field == "connectivity"
    assert connectivity(road_graph(layer(oneway=[None] * 4))).ok


def test_connectivity_reports_oneway_trap():
    # A <-> B <-> C plus a one-way spur C -> E: E can be reached but cannot get back
    lines = gpd.GeoDataFrame(
        {"oneway": [None, None, "yes"]},
        geometry=[LineString([A, B]), LineString([B, C]), LineString([C, (111.06, 35.05)])],
        crs="EPSG:4326",
    )
    rep = connectivity(road_graph(lines))
    (row,) = rep.nodes.itertuples()
    assert row.issue == "cannot reach main" and row.reached_from_main and not row.reaches_main


def test_snap_to_largest_component():
    g = road_graph(gap_layer())
    s = snap(g, [111.07], [35.05], component="largest")
    assert s.node[0] in {node_at(g, p) for p in (A, B, C)}
    assert snap(g, [111.07], [35.05]).distance_m[0] < snap(g, [111.07], [35.05], component="largest").distance_m[0]
    sub = largest_component(g)
    assert sub.number_of_nodes() == 3
    with pytest.raises(NetworkError):
        snap(g, [111.07], [35.05], component="biggest")


def test_compile_errors_name_edge_and_node():
    g = nx.MultiDiGraph()
    g.add_node("a", x=111.0, y=35.0)
    g.add_node("b", x=111.1, y=35.0)
    g.add_edge("a", "b", length=100.0)
    with pytest.raises(NetworkError) as ei:
        compile_roads(g)
    assert ei.value.record == ("a", "b") and ei.value.field == "travel_time"
    g = nx.MultiDiGraph()
    g.add_node("a", x=111.0)
    with pytest.raises(NetworkError) as ei:
        compile_roads(g)
    assert ei.value.record == "a" and ei.value.field == "y"
    with pytest.raises(NetworkError):
        compile_roads("not a graph")


def test_fingerprint_changes_with_graph():
    g1 = road_graph(layer())
    g2 = road_graph(layer(), speeds={"trunk": 50})
    assert fingerprint(g1) == fingerprint(road_graph(layer()))
    assert fingerprint(g1) != fingerprint(g2)


def test_roads_frame():
    f = roads_frame(road_graph(layer()))
    assert len(f) == 7 and {"u", "v", "length", "travel_time", "road_class"} <= set(f.columns)


def test_synthetic_roads_avoid_barrier_and_stay_connected():
    rng = np.random.default_rng(1)
    lon = 111.0 + rng.random(60) * 0.2
    lat = 35.0 + rng.random(60) * 0.2
    lake = Polygon([(111.06, 35.06), (111.14, 35.06), (111.14, 35.14), (111.06, 35.14)])
    keep = ~np.array([lake.contains(Point(x, y)) for x, y in zip(lon, lat)])
    nodes = gpd.GeoDataFrame(
        {"node_id": [f"n{i}" for i in range(keep.sum())], "tier": "village"},
        geometry=gpd.points_from_xy(lon[keep], lat[keep]),
        crs="EPSG:4326",
    )
    g = synthetic_roads(nodes, barriers=[lake], detour=1.3, max_edge_m=5000)
    assert g.graph["synthetic"] is True
    assert connectivity(g).ok
    for u, v, d in g.edges(data=True):
        seg = LineString([(g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"])])
        assert not seg.intersects(lake)
        straight = haversine_m(g.nodes[u]["x"], g.nodes[u]["y"], g.nodes[v]["x"], g.nodes[v]["y"])
        assert d["length"] == pytest.approx(1.3 * straight, rel=5e-3)
    with pytest.raises(NetworkError):
        synthetic_roads(nodes, detour=0.9)


def test_undirected_graph_is_accepted_both_ways():
    from networks import points_travel_matrix

    g = nx.Graph()
    g.add_node("a", x=111.0, y=35.0)
    g.add_node("b", x=111.01, y=35.0)
    g.add_node("c", x=111.02, y=35.0)
    g.add_edge("a", "b", length=1000.0, travel_time=100.0)
    g.add_edge("b", "c", length=1000.0, travel_time=100.0)
    tm = points_travel_matrix(["a", "c"], [111.0, 111.02], [35.0, 35.0], roads=g, cache=False)
    assert tm.duration[0, 1] == tm.duration[1, 0] == 200
    assert tm.distance[0, 1] == 2000
    assert compile_roads(g) is compile_roads(g)
