"""Travel matrices on road graphs (scipy csgraph), the great-circle fallback, caching, route lines."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

import networks.paths as paths
from networks import (
    NetworkError,
    TravelMatrix,
    UnreachableError,
    great_circle_matrix,
    points_travel_matrix,
    road_graph,
    route_line,
)
from networks.matrix import haversine_m
from networks.roads import compile_roads, snap


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COLDROUTE_CACHE", str(tmp_path / "cache"))


# P --slow direct road (4 km, 20 km/h)-- Q ;  P -- fast trunk via R (≈5.7 km, 80 km/h) -- Q
P, Q, R = (111.00, 35.00), (111.044, 35.00), (111.022, 35.02)
S = (111.022, 34.98)  # reachable from Q only, one-way Q -> S -> P


def layer():
    geoms = [LineString([P, Q]), LineString([P, R]), LineString([R, Q]), LineString([Q, S]), LineString([S, P])]
    return gpd.GeoDataFrame(
        {"highway": ["track", "trunk", "trunk", "primary", "primary"], "oneway": [None, None, None, "yes", "yes"]},
        geometry=geoms,
        crs="EPSG:4326",
    )


def speeds():
    return {"track": 20.0, "trunk": 80.0, "primary": 40.0}


def pts():
    arr = np.array([P, Q, R, S])
    return ["p", "q", "r", "s"], arr[:, 0], arr[:, 1]


def nx_reference(g, lon, lat):
    """Fastest travel times and the length of those paths, with networkx (for checking)."""
    s = snap(g, lon, lat, max_distance_m=None)
    n = len(lon)
    dur = np.zeros((n, n))
    dist = np.zeros((n, n))
    simple = nx.DiGraph()
    for u, v, d in g.edges(data=True):
        if not simple.has_edge(u, v) or simple[u][v]["travel_time"] > d["travel_time"]:
            simple.add_edge(u, v, travel_time=d["travel_time"], length=d["length"])
    for i in range(n):
        t, path = nx.single_source_dijkstra(simple, s.node[i], weight="travel_time")
        for j in range(n):
            if i == j:
                continue
            p = path[s.node[j]]
            dur[i, j] = t[s.node[j]]
            dist[i, j] = sum(simple[a][b]["length"] for a, b in zip(p[:-1], p[1:]))
    return dur, dist


def test_fastest_path_and_its_distance():
    g = road_graph(layer(), speeds=speeds())
    ids, lon, lat = pts()
    tm = points_travel_matrix(ids, lon, lat, roads=g, cache=False)
    assert isinstance(tm, TravelMatrix) and tm.distance.dtype == np.int64 and tm.duration.dtype == np.int64
    assert not tm.synthetic
    dur, dist = nx_reference(g, lon, lat)
    np.testing.assert_allclose(tm.duration, dur, atol=1.0)
    np.testing.assert_allclose(tm.distance, dist, atol=1.0)
    # p -> q goes the long fast way round, not the short slow track
    direct = haversine_m(P[0], P[1], Q[0], Q[1])
    assert tm.distance[0, 1] > 1.2 * direct
    assert tm.duration[0, 1] < direct / (20 / 3.6)


def test_asymmetric_with_oneway():
    g = road_graph(layer(), speeds=speeds())
    ids, lon, lat = pts()
    tm = points_travel_matrix(ids, lon, lat, roads=g, cache=False)
    q, s = tm.index("q"), tm.index("s")
    assert tm.duration[q, s] != tm.duration[s, q]
    assert not np.array_equal(tm.duration, tm.duration.T)
    assert (np.diag(tm.duration) == 0).all() and (np.diag(tm.distance) == 0).all()


def test_access_leg_added_at_access_speed():
    g = road_graph(layer(), speeds=speeds())
    ids, lon, lat = pts()
    base = points_travel_matrix(ids, lon, lat, roads=g, cache=False)
    off_lat = lat.copy()
    off_lat[0] += 0.003  # ≈333 m north of P
    tm = points_travel_matrix(ids, lon, off_lat, roads=g, cache=False, access_speed_kmh=10.0)
    extra = haversine_m(lon[0], off_lat[0], lon[0], lat[0])
    assert tm.distance[0, 1] - base.distance[0, 1] == pytest.approx(extra, abs=3)
    assert tm.duration[0, 1] - base.duration[0, 1] == pytest.approx(extra / (10 / 3.6), abs=2)
    assert tm.distance[1, 0] - base.distance[1, 0] == pytest.approx(extra, abs=3)


def test_points_on_the_same_vertex():
    g = road_graph(layer(), speeds=speeds())
    tm = points_travel_matrix(["a", "b"], [P[0], P[0] + 0.0005], [P[1], P[1]], roads=g, cache=False)
    gap = haversine_m(P[0], P[1], P[0] + 0.0005, P[1])
    assert tm.distance[0, 1] == pytest.approx(gap, abs=2) and tm.distance[1, 0] == tm.distance[0, 1]


def test_unreachable_pairs_named():
    lines = layer()
    lines = lines.iloc[:3]  # S is no longer on any road ...
    extra = gpd.GeoDataFrame(
        {"highway": ["primary"]}, geometry=[LineString([(111.2, 35.0), (111.21, 35.0)])], crs="EPSG:4326"
    )
    g = road_graph(
        gpd.GeoDataFrame(
            {"highway": list(lines["highway"]) + ["primary"], "oneway": [None] * 4},
            geometry=list(lines.geometry) + list(extra.geometry),
            crs="EPSG:4326",
        )
    )
    with pytest.raises(UnreachableError) as ei:
        points_travel_matrix(["p", "island"], [P[0], 111.205], [P[1], 35.0], roads=g, cache=False)
    e = ei.value
    assert set(e.pairs) == {("p", "island"), ("island", "p")}
    assert "'p' -> 'island'" in str(e) and isinstance(e, NetworkError)
    tm = points_travel_matrix(
        ["p", "island"], [P[0], 111.205], [P[1], 35.0], roads=g, cache=False, component="largest", max_snap_m=None
    )
    assert np.isfinite(tm.duration).all()


def test_snapping_too_far_raises():
    g = road_graph(layer(), speeds=speeds())
    with pytest.raises(NetworkError) as ei:
        points_travel_matrix(["p", "faraway"], [P[0], 111.3], [P[1], 35.3], roads=g, cache=False, max_snap_m=1000)
    assert ei.value.record == "faraway" and ei.value.field == "geometry"
    tm = points_travel_matrix(["p", "faraway"], [P[0], 111.3], [P[1], 35.3], roads=g, cache=False, max_snap_m=None)
    assert tm.distance[0, 1] > 40_000


def test_bad_inputs():
    g = road_graph(layer(), speeds=speeds())
    with pytest.raises(NetworkError) as ei:
        points_travel_matrix(["a", "a"], [P[0], Q[0]], [P[1], Q[1]], roads=g, cache=False)
    assert ei.value.record == "a"
    with pytest.raises(NetworkError) as ei:
        points_travel_matrix(["a", "b"], [P[0], Q[0]], [P[1], 123.0], roads=g, cache=False)
    assert ei.value.record == "b" and ei.value.field == "lat"
    with pytest.raises(NetworkError):
        points_travel_matrix(["a"], [P[0], Q[0]], [P[1], Q[1]], roads=g, cache=False)
    with pytest.raises(NetworkError):
        points_travel_matrix(["a"], [P[0]], [P[1]], roads=g, cache=False, access_speed_kmh=0)


def test_great_circle_fallback():
    tm = points_travel_matrix(["a", "b"], [111.0, 111.1], [35.0, 35.0])
    d = haversine_m(111.0, 35.0, 111.1, 35.0)
    assert tm.synthetic and tm.distance[0, 1] == round(1.3 * d)
    assert tm.duration[0, 1] == round(1.3 * d / (45 / 3.6))
    tm2 = great_circle_matrix(["a", "b"], [111.0, 111.1], [35.0, 35.0], detour=1.0, speed_kmh=36)
    assert tm2.duration[0, 1] == round(d / 10)
    with pytest.raises(NetworkError):
        great_circle_matrix(["a"], [111.0], [35.0], detour=0.5)


def test_cache_hit_skips_computation(tmp_path, monkeypatch):
    g = road_graph(layer(), speeds=speeds())
    ids, lon, lat = pts()
    first = points_travel_matrix(ids, lon, lat, roads=g)
    files = list((tmp_path / "cache").glob("matrix-*.npz"))
    assert len(files) == 1

    def boom(*a, **k):
        raise AssertionError("should come from the cache")

    monkeypatch.setattr(paths, "_lex_dijkstra", boom)
    again = points_travel_matrix(ids, lon, lat, roads=g)
    np.testing.assert_array_equal(again.duration, first.duration)
    assert again.ids == first.ids
    with pytest.raises(AssertionError):
        points_travel_matrix(ids, lon, lat, roads=g, cache=False)
    with pytest.raises(AssertionError):  # another graph is another key
        points_travel_matrix(ids, lon, lat, roads=road_graph(layer()))
    with pytest.raises(AssertionError):  # other options too
        points_travel_matrix(ids, lon, lat, roads=g, access_speed_kmh=5)


def test_cache_dir_argument_and_no_cache(tmp_path):
    g = road_graph(layer(), speeds=speeds())
    ids, lon, lat = pts()
    points_travel_matrix(ids, lon, lat, roads=g, cache=tmp_path / "mine")
    assert len(list((tmp_path / "mine").glob("*.npz"))) == 1
    points_travel_matrix(ids, lon, lat, roads=g, cache=False)
    assert not (tmp_path / "cache").exists()
    assert paths.cache_dir() == tmp_path / "cache"


def test_lexicographic_encoding_breaks_time_ties_by_length():
    # two routes a -> b with exactly equal travel times: the shorter one wins
    a, b, c1, c2 = (111.0, 35.0), (111.02, 35.0), (111.01, 35.002), (111.01, 35.01)
    geoms = [LineString([a, c1]), LineString([c1, b]), LineString([a, c2]), LineString([c2, b])]
    lines = gpd.GeoDataFrame({"highway": ["primary"] * 4}, geometry=geoms, crs="EPSG:4326")
    g0 = road_graph(lines)
    lengths = {d["road"]: d["length"] for _, _, d in g0.edges(data=True)}
    lines["speed_kmh"] = [lengths[i] * 0.036 for i in range(4)]  # every segment takes 100 s
    g = road_graph(lines)
    tm = points_travel_matrix(["a", "b"], [a[0], b[0]], [a[1], b[1]], roads=g, cache=False)
    assert tm.duration[0, 1] == 200
    assert tm.distance[0, 1] == pytest.approx(lengths[0] + lengths[1], abs=1)
    assert lengths[0] + lengths[1] < lengths[2] + lengths[3] - 100
    mat, ls, ts, shift = compile_roads(g).lex()
    assert mat.data.max() < 2**52 and ts >= 1 and ls >= 1


def test_route_line_follows_roads():
    g = road_graph(layer(), speeds=speeds())
    line = route_line(g, [P[0], Q[0]], [P[1], Q[1]])
    assert isinstance(line, LineString)
    coords = [tuple(np.round(c, 6)) for c in line.coords]
    assert coords == [P, R, Q]  # the fast way round
    back = route_line(g, [Q[0], P[0], Q[0]], [Q[1], P[1], Q[1]])
    assert len(back.coords) >= 5
    straight = route_line(None, [P[0], Q[0], S[0]], [P[1], Q[1], S[1]])
    assert [tuple(c) for c in straight.coords] == [P, Q, S]
    one = route_line(g, [P[0]], [P[1]])
    assert one.length == 0
    off = route_line(g, [P[0], Q[0] + 0.001], [P[1] + 0.001, Q[1]])
    assert tuple(np.round(off.coords[0], 6)) == (P[0], P[1] + 0.001)
    assert shapely.get_num_coordinates(off) == 5
    with pytest.raises(NetworkError):
        route_line(g, [], [])


def test_route_line_unreachable():
    g = road_graph(gpd.GeoDataFrame({"oneway": ["yes"]}, geometry=[LineString([P, Q])], crs="EPSG:4326"))
    route_line(g, [P[0], Q[0]], [P[1], Q[1]])
    with pytest.raises(UnreachableError):
        route_line(g, [Q[0], P[0]], [Q[1], P[1]])


def test_many_points_match_networkx():
    rng = np.random.default_rng(3)
    n = 12
    xs = 111.0 + np.arange(n) * 0.01
    ys = 35.0 + np.arange(n) * 0.01
    geoms, cls, ow = [], [], []
    for i in range(n):
        for j in range(n):
            if i + 1 < n:
                geoms.append(LineString([(xs[i], ys[j]), (xs[i + 1], ys[j])]))
                cls.append(rng.choice(["primary", "residential", "tertiary"]))
                ow.append(rng.choice([None, None, None, "yes", "-1"]))
            if j + 1 < n:
                geoms.append(LineString([(xs[i], ys[j]), (xs[i], ys[j + 1])]))
                cls.append(rng.choice(["primary", "residential", "tertiary"]))
                ow.append(None)
    g = road_graph(gpd.GeoDataFrame({"highway": cls, "oneway": ow}, geometry=geoms, crs="EPSG:4326"))
    lon = rng.uniform(xs[0], xs[-1], 30)
    lat = rng.uniform(ys[0], ys[-1], 30)
    tm = points_travel_matrix(list(range(30)), lon, lat, roads=g, cache=False, max_snap_m=None)
    dur, dist = nx_reference(g, lon, lat)
    s = snap(g, lon, lat, max_distance_m=None)
    acc = s.distance_m[:, None] + s.distance_m[None, :]
    np.fill_diagonal(acc, 0)
    np.testing.assert_allclose(tm.duration, dur + acc / (15 / 3.6), atol=1.0)
    np.testing.assert_allclose(tm.distance, dist + acc, atol=1.0)


def curvy_layer(seed=5, n=6, shape_points=8):
    """A street grid whose streets carry shape points (degree-2 vertices), some one-way."""
    rng = np.random.default_rng(seed)
    geoms, cls, ow = [], [], []
    for i in range(n):
        for j in range(n):
            for di, dj in ((1, 0), (0, 1)):
                if i + di >= n or j + dj >= n:
                    continue
                t = np.linspace(0, 1, shape_points + 2)
                x = 111.0 + 0.01 * (i + di * t) + (0.0008 * np.sin(np.pi * t) * dj)
                y = 35.0 + 0.01 * (j + dj * t) + (0.0008 * np.sin(np.pi * t) * di)
                geoms.append(LineString(np.column_stack([x, y])))
                cls.append(rng.choice(["primary", "residential", "tertiary"]))
                ow.append(rng.choice([None, None, None, "yes", "-1"]))
    return gpd.GeoDataFrame({"highway": cls, "oneway": ow}, geometry=geoms, crs="EPSG:4326")


def test_chain_contraction_matches_networkx():
    g = road_graph(curvy_layer())
    comp = compile_roads(g)
    rng = np.random.default_rng(7)
    lon = rng.uniform(111.0, 111.05, 25)
    lat = rng.uniform(35.0, 35.05, 25)
    s = snap(g, lon, lat, max_distance_m=None, component="largest")
    core = paths._core_graph(comp, np.unique(s.vertex))
    assert core is not None and core[0].shape[0] < 0.5 * comp.n  # most vertices were contracted
    tm = points_travel_matrix(list(range(25)), lon, lat, roads=g, cache=False, component="largest", max_snap_m=None)
    sub = g.subgraph(comp.labels[comp.largest_component()].tolist())
    dur, dist = nx_reference(sub, lon, lat)
    acc = s.distance_m[:, None] + s.distance_m[None, :]
    np.fill_diagonal(acc, 0)
    np.testing.assert_allclose(tm.duration, dur + acc / (15 / 3.6), atol=1.0)
    np.testing.assert_allclose(tm.distance, dist + acc, atol=1.0)
    # points snapped into the middle of chains (pinned vertices) work too
    mid = [(d["x"], d["y"]) for n_, d in sub.nodes(data=True)][::9][:15]
    mlon, mlat = np.array(mid).T
    tm2 = points_travel_matrix(list(range(len(mid))), mlon, mlat, roads=sub, cache=False)
    dur2, dist2 = nx_reference(sub, mlon, mlat)
    np.testing.assert_allclose(tm2.duration, dur2, atol=1.0)
    np.testing.assert_allclose(tm2.distance, dist2, atol=1.0)
