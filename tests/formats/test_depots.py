"""Depots given by coordinates, in the fleet of a job file and as rows of an orders file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import check

import logistics as L
from logistics import ProblemError
from logistics.formats.jobfile import load_job
from networks import read_network
from networks.matrix import haversine_m

DATA = Path(__file__).parent.parent / "data" / "jobs"
SHOP = {"name": "shop", "lon": 111.0, "lat": 35.03}


@pytest.fixture
def jobdir(tmp_path):
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    return d


def courier_job(**changes) -> dict:
    """A courier's day: no network, a depot and customers by coordinates."""
    job = {
        "name": "courier",
        "fleet": [
            {
                "name": "van",
                "count": 2,
                "start_depot": dict(SHOP),
                "compartments": [{"zone": "ambient", "capacity": 100}],
                "shift": ["08:00", "18:00"],
            }
        ],
        "orders": [
            {"id": f"c{i}", "lon": 111.0 + 0.01 * i, "lat": 35.04 + 0.005 * i, "quantities": {"goods": 10}}
            for i in range(5)
        ],
        "solver": {"time_limit": 1, "seed": 0, "engine": "ortools"},
    }
    job.update(changes)
    return job


def write(d: Path, name: str, job: dict) -> Path:
    p = d / name
    p.write_text(json.dumps(job), encoding="utf-8")
    return p


def solve_and_check(problem, options):
    plan = L.solve(problem, options=options)
    check(problem, plan)
    return plan


def test_a_depot_by_coordinates_needs_no_network_file(jobdir):
    problem, options = load_job(write(jobdir, "courier.json", courier_job()))
    net = problem.network
    assert net is not None and list(net.nodes.index) == ["shop"] and net.hub_id == "shop"
    x, y = net.nodes.geometry["shop"].x, net.nodes.geometry["shop"].y
    assert (x, y) == (SHOP["lon"], SHOP["lat"])
    assert problem.fleet[0].start_depot == "shop" and problem.fleet[0].end_depot == "shop"
    plan = solve_and_check(problem, options)
    assert plan.kpis["served"] == 5
    starts = plan.stops[plan.stops["kind"] == "start"]
    assert set(starts["node_id"]) == {"shop"} and set(starts["lon"]) == {SHOP["lon"]}


def test_unnamed_depots_are_named_and_added_to_the_network(jobdir):
    job = courier_job(network="network.geojson")
    job["fleet"][0]["start_depot"] = {"lon": 111.02, "lat": 35.05}
    job["fleet"].append(dict(job["fleet"][0], name="van-b", start_depot={"lon": 111.02, "lat": 35.05}))
    job["fleet"].append(dict(job["fleet"][0], name="van-c", start_depot={"lon": 110.99, "lat": 35.0}))
    job["orders"][0] = {"id": "c0", "node_id": "st-beixiang", "quantities": {"goods": 10}}
    problem, options = load_job(write(jobdir, "named.json", job))
    assert [v.start_depot for v in problem.fleet] == ["depot", "depot", "depot-2"]
    nodes = problem.network.nodes
    assert {"hub", "st-beixiang", "depot", "depot-2"} <= set(nodes.index)
    assert nodes.at["depot", "tier"] == "hub" and nodes.at["depot", "position_source"] == "job file (coordinates)"
    assert nodes.at["depot", "name_zh"] == "depot" and not nodes.at["depot", "synthetic"]  # placed, not generated
    solve_and_check(problem, options)


def test_depot_rows_of_an_orders_file(jobdir):
    (jobdir / "day.csv").write_text(
        "order_id,kind,lon,lat,qty_goods,customer\n"
        "shop,depot,111.0,35.03,,\n"
        "c1,delivery,111.01,35.04,10,Wang\n"
        "c2,delivery,111.03,35.05,10,Li\n",
        encoding="utf-8",
    )
    job = courier_job(orders="day.csv")
    job["fleet"][0]["start_depot"] = "shop"
    problem, options = load_job(write(jobdir, "rows.json", job))
    assert [o.id for o in problem.orders] == ["c1", "c2"]
    assert problem.network.nodes.geometry["shop"].x == 111.0
    solve_and_check(problem, options)


@pytest.mark.parametrize(
    "mutate, field, words",
    [
        (
            lambda j: j["fleet"].append(dict(j["fleet"][0], name="b", start_depot={**SHOP, "lon": 111.5})),
            "fleet[1].start_depot",
            "already placed",
        ),
        (
            lambda j: j.update(network="network.geojson") or j["fleet"][0].update(start_depot={**SHOP, "name": "hub"}),
            "fleet[0].start_depot",
            "already a node",
        ),
        (
            lambda j: j["fleet"][0].update(start_depot={"name": "shop", "lon": 200, "lat": 35}),
            "fleet[0].start_depot",
            "lon",
        ),
    ],
)
def test_bad_depot_places_name_the_field(jobdir, mutate, field, words):
    job = courier_job()
    mutate(job)
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "bad.json", job))
    assert ei.value.field.startswith(field) and words in str(ei.value), str(ei.value)


def test_a_job_with_no_place_at_all_is_refused(jobdir):
    job = courier_job()
    job["fleet"][0]["start_depot"] = "shop"
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "nowhere.json", job))
    assert ei.value.field == "network" and "depots given by coordinates" in str(ei.value)


def test_with_a_matrix_the_depot_must_be_one_of_its_ids(jobdir):
    ids = ["shop", "c0"]
    (jobdir / "m.json").write_text(
        json.dumps({"ids": ids, "distance": [[0, 900], [900, 0]], "duration": [[0, 120], [120, 0]]}),
        encoding="utf-8",
    )
    job = courier_job(matrix="m.json", orders=[{"id": "o", "node_id": "c0", "quantities": {"goods": 1}}])
    problem, options = load_job(write(jobdir, "m_ok.json", job))
    assert problem.meta["coords"]["shop"] == (SHOP["lon"], SHOP["lat"])
    solve_and_check(problem, options)
    job["fleet"][0]["start_depot"] = {"name": "elsewhere", "lon": 111.0, "lat": 35.0}
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "m_bad.json", job))
    assert ei.value.field == "fleet[0].start_depot" and "not an id of the travel matrix" in str(ei.value)


def test_depots_are_snapped_to_the_road_graph_like_orders(jobdir):
    read_network(jobdir / "network.geojson").with_synthetic_roads().to_file(jobdir / "roads.gpkg", roads=True)
    job = courier_job(network={"path": "roads.gpkg", "roads": True})
    job["fleet"][0]["start_depot"] = {"name": "shop", "lon": 111.031, "lat": 35.071}  # ~140 m from the hub
    job["orders"] = [{"id": "a", "node_id": "st-beixiang", "quantities": {"goods": 10}}]
    problem, options = load_job(write(jobdir, "snap.json", job))
    tm = problem.travel_matrix
    assert tm.source.startswith("road graph") and problem.network.roads is not None
    # the depot reaches the station through the road graph: more than the straight line, plus the access leg
    straight = haversine_m(111.031, 35.071, *problem.network.nodes.geometry["st-beixiang"].coords[0])
    assert tm.distance[tm.index("shop"), tm.index("st-beixiang")] > straight
    solve_and_check(problem, options)
    job["fleet"][0]["start_depot"] = {"name": "far", "lon": 111.5, "lat": 35.5}  # tens of km from any road
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "far.json", job))
    assert ei.value.field == "fleet[0].start_depot" and "from any road" in str(ei.value)
