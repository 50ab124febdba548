"""The source of a problem's travel times: road graph, OpenStreetMap, generated roads, matrix, straight lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import grid_matrix, van

import logistics as L
from logistics.core.travel_source import travel_source
from networks import read_network

NETWORK = Path(__file__).parent.parent / "data" / "jobs" / "network.geojson"


@pytest.fixture(scope="module")
def net():
    return read_network(NETWORK)


def problem_on(network):
    orders = [L.Order("a", {"goods": 1}, node_id="st-beixiang"), L.Order("b", {"goods": 1}, lon=111.031, lat=35.071)]
    return L.Problem(orders, [van(start_depot="hub")], network=network)


def test_straight_lines_are_an_estimate_that_says_how_it_was_made(net):
    src = travel_source(problem_on(net.with_roads(None)))
    assert src.kind == "straight-line estimate" and src.estimated
    assert "x1.3" in src.detail and "45 km/h" in src.detail
    assert src.to_dict()["label"].startswith("straight-line estimate (great-circle x1.3 @ 45 km/h")


def test_road_graphs_by_origin(net):
    generated = net.with_synthetic_roads().roads
    src = travel_source(problem_on(net.with_roads(generated)))
    assert (src.kind, src.estimated) == ("synthetic road graph", True) and "an estimate" in src.label
    surveyed = generated.copy()
    surveyed.graph["synthetic"] = False
    src = travel_source(problem_on(net.with_roads(surveyed)))
    assert (src.kind, src.estimated) == ("road graph", False) and src.detail.startswith("road graph")
    osm = surveyed.copy()
    osm.graph["source"] = "OpenStreetMap: yanhu.osm.pbf (driving)"
    src = travel_source(problem_on(net.with_roads(osm)))
    assert (src.kind, src.estimated) == ("OpenStreetMap", False) and "yanhu.osm.pbf" in src.label


def test_a_given_matrix_is_a_matrix():
    tm = grid_matrix(3)
    problem = L.Problem([L.Order("o", {"goods": 1}, node_id="c0")], [van()], matrix=tm)
    assert travel_source(problem).kind == "matrix"
    named = problem.replace(meta={"matrix_file": "day.npz"})
    assert travel_source(named).to_dict() == {
        "kind": "matrix",
        "detail": "file day.npz",
        "estimated": False,
        "label": "matrix (file day.npz)",
    }
