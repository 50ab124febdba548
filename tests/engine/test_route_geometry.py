"""Route geometry: along the road paths driven where the network has roads, straight lines where not."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString

import logistics
from logistics.core.problem import Problem
from logistics.planners.tiers import plan_tiers
from logistics.planners.tiers.demo import DEMO_PRODUCTS, demo_fleets, demo_network, demo_orders
from networks.compiled import compile_roads
from networks.geo import metric_crs
from networks.paths import route_line, route_lines
from networks.roads import road_graph


def _grid_roads(net, step=0.01):
    """A road grid over the network's area: every 0.01 degrees, each block side bent at its middle."""
    b = net.nodes.total_bounds
    xs = np.arange(b[0] - 0.02, b[2] + 0.02 + step, step)
    ys = np.arange(b[1] - 0.02, b[3] + 0.02 + step, step)
    lines, cls = [], []
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            major = i % 4 == 0 or j % 4 == 0
            if i + 1 < len(xs):
                lines.append(LineString([(x, y), (x + step / 2, y + step / 10), (x + step, y)]))
                cls.append("primary" if j % 4 == 0 else "track")
            if j + 1 < len(ys):
                lines.append(LineString([(x, y), (x + step / 10, y + step / 2), (x, y + step)]))
                cls.append("primary" if i % 4 == 0 else "track")
            del major
    frame = gpd.GeoDataFrame({"highway": cls}, geometry=lines, crs="EPSG:4326")
    return road_graph(frame, speeds={"primary": 60.0, "track": 25.0})


@pytest.fixture(scope="module")
def road_net():
    net = demo_network(2, 4, 1, seed=3)
    net = net.with_roads(_grid_roads(net))
    assert net.roads.number_of_nodes() > 10 * len(net.nodes)
    return net


def _single(net):
    orders = [o for o in demo_orders(net, seed=1) if o.kind == "delivery"]
    _, vans = demo_fleets(vans=3)
    problem = Problem(tuple(orders), tuple(vans), products=DEMO_PRODUCTS, network=net)
    plan = logistics.solve(problem, time_limit=2, seed=0, engine="ortools")
    assert logistics.validate(problem, plan) == []
    return plan


def _check_follows_roads(net, routes, stops):
    comp = compile_roads(net.roads)
    vertex = {(round(x, 9), round(y, 9)): i for i, (x, y) in enumerate(zip(comp.lon, comp.lat))}
    edges = set(zip(comp.src.tolist(), comp.dst.tolist()))
    crs = metric_crs(comp.lon, comp.lat)
    for vid, geom in zip(routes["vehicle"], routes.geometry):
        g = stops[stops["vehicle"] == vid].sort_values("seq")
        at_stops = {(round(x, 9), round(y, 9)) for x, y in zip(g["lon"], g["lat"])}
        coords = [(round(x, 9), round(y, 9)) for x, y in geom.coords]
        on_road = [vertex.get(c) for c in coords]
        # every point of the line is a stop or a road vertex, and it bends at many more of them than stops
        assert all(c in at_stops or v is not None for c, v in zip(coords, on_road))
        assert sum(v is not None and c not in at_stops for c, v in zip(coords, on_road)) > len(g)
        # consecutive road vertices are joined by a road of the graph
        for a, b in zip(on_road[:-1], on_road[1:]):
            if a is not None and b is not None and a != b:
                assert (a, b) in edges
        # the line is the path the plan was costed on: its length is the route's travel distance
        length = float(gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(crs).length.iloc[0])
        assert length == pytest.approx(float(g["travel_distance"].sum()), rel=0.01)


def test_single_tier_routes_follow_the_road_graph(road_net):
    plan = _single(road_net)
    assert len(plan.routes) >= 1
    _check_follows_roads(road_net, plan.routes, plan.stops)


def test_without_roads_routes_are_straight_between_stops():
    net = demo_network(2, 4, 1, seed=3)
    plan = _single(net)
    for vid, geom in zip(plan.routes["vehicle"], plan.routes.geometry):
        g = plan.stops[plan.stops["vehicle"] == vid].sort_values("seq")
        assert np.allclose(np.asarray(geom.coords), np.column_stack([g["lon"], g["lat"]]))


def test_tiered_routes_follow_the_road_graph(road_net):
    trunk, vans = demo_fleets()
    tp = plan_tiers(
        road_net, demo_orders(road_net), trunk, vans, products=DEMO_PRODUCTS, time_limit=3, seed=0, workers=1
    )
    assert tp.validate(legs=True) == []
    assert set(tp.routes["tier"]) >= {"trunk", "last_mile"}
    _check_follows_roads(road_net, tp.routes, tp.stops)


def test_batched_lines_equal_one_route_at_a_time(road_net):
    rng = np.random.default_rng(5)
    b = road_net.nodes.total_bounds
    routes = [(rng.uniform(b[0], b[2], 6), rng.uniform(b[1], b[3], 6)) for _ in range(4)]
    routes.append((routes[0][0][:1], routes[0][1][:1]))  # a single stop
    many = route_lines(road_net.roads, routes)
    one = [route_line(road_net.roads, lon, lat) for lon, lat in routes]
    assert [g.wkb for g in many] == [g.wkb for g in one]
    assert many[-1].length == 0 and all(len(g.coords) > 6 for g in many[:-1])
    assert route_lines(None, routes[:1])[0].equals(LineString(np.column_stack(routes[0])))
