"""What a courier reads in a result folder: their own order columns, and where the travel times came from."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from helpers import check
from typer.testing import CliRunner

from logistics.app import cli
from logistics.app.run import run_job
from logistics.core.plan import Plan
from logistics.formats.jobfile import load_job
from networks import read_network

DATA = Path(__file__).parent.parent / "data" / "jobs"
PHONE = "013812345678"
HOSTILE = "</script><script>alert(1)</script> `${alert(2)}` \\u2028"
ORDERS = (
    "order_id,node_id,qty_goods,customer,address,phone,note\n"
    f'o1,st-beixiang,10,Wang Fang,北相镇 3 号,{PHONE},"{HOSTILE.replace(chr(34), chr(34) * 2)}"\n'
    "o2,v-baizhuang,10,Li Wei,白庄村,0359-1234567,0.50\n"
    "o3,st-dongguo,10,,,,\n"
)


def job(network="network.geojson") -> dict:
    return {
        "name": "courier",
        "network": network,
        "orders": "orders_extra.csv",
        "fleet": [
            {"name": "van", "count": 2, "start_depot": "hub", "compartments": [{"zone": "ambient", "capacity": 100}]}
        ],
        "solver": {"time_limit": 1, "seed": 0, "engine": "ortools"},
    }


@pytest.fixture
def jobdir(tmp_path):
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    (d / "orders_extra.csv").write_text(ORDERS, encoding="utf-8")
    return d


def run(jobdir: Path, out: Path, spec: dict):
    p = jobdir / "job.json"
    p.write_text(json.dumps(spec), encoding="utf-8")
    result = run_job(p, out)
    problem, _ = load_job(p)
    check(problem, result.plan)
    assert result.violations == [] and result.status == "ok"
    return problem, result


def test_order_columns_reach_stops_csv_and_the_map_unchanged_and_escaped(jobdir, tmp_path):
    problem, result = run(jobdir, tmp_path / "out", job())
    assert problem.order("o1").attributes == {
        "customer": "Wang Fang",
        "address": "北相镇 3 号",
        "phone": PHONE,
        "note": HOSTILE,
    }
    assert problem.order("o2").attributes["note"] == "0.50"  # text as written, not the number 0.5
    assert problem.order("o3").attributes is None
    with open(tmp_path / "out" / "stops.csv", encoding="utf-8", newline="") as f:
        rows = {r["order_id"]: r for r in csv.DictReader(f)}
    assert rows["o1"]["phone"] == PHONE and rows["o1"]["customer"] == "Wang Fang"
    assert rows["o1"]["note"] == HOSTILE and rows["o2"]["phone"] == "0359-1234567"
    assert rows["o3"]["customer"] == "" and rows["o2"]["address"] == "白庄村"
    html = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    assert PHONE in html and "Wang Fang" in html
    assert "<script>alert(1)" not in html and "${alert(2)}" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#96;&#36;{alert(2)}&#96;" in html


def test_kpis_name_the_travel_time_source(jobdir, tmp_path):
    _, straight = run(jobdir, tmp_path / "straight", job())
    kpis = json.loads((tmp_path / "straight" / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["travel_time_source"].startswith("straight-line estimate (great-circle x1.3 @ 45 km/h")
    assert kpis["travel_times_estimated"] is True
    plan = json.loads((tmp_path / "straight" / "plan.json").read_text(encoding="utf-8"))
    assert plan["meta"]["travel_times"]["kind"] == "straight-line estimate"
    html = (tmp_path / "straight" / "map.html").read_text(encoding="utf-8")
    assert "coldroute-travel-source" in html and "travel times: straight-line estimate" in html

    read_network(jobdir / "network.geojson").with_synthetic_roads().to_file(jobdir / "roads.gpkg", roads=True)
    _, roads = run(jobdir, tmp_path / "roads", job({"path": "roads.gpkg", "roads": True}))
    kpis = json.loads((tmp_path / "roads" / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["travel_time_source"].startswith("synthetic road graph (road graph ")
    assert kpis["travel_times_estimated"] is True
    assert straight.kpis["distance_km"] != roads.kpis["distance_km"]  # the source changes the figures


def test_the_cli_summary_shows_the_travel_time_source(jobdir, tmp_path):
    p = jobdir / "job.json"
    p.write_text(json.dumps(job()), encoding="utf-8")
    r = CliRunner().invoke(cli.app, ["solve", str(p), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert "travel times" in r.stdout and "straight-line estimate" in r.stdout
    problem, _ = load_job(p)
    check(problem, Plan.from_json(tmp_path / "out" / "plan.json"))


def test_order_columns_reach_unserved_csv(jobdir, tmp_path):
    spec = job()
    spec["fleet"][0].update(count=1, compartments=[{"zone": "ambient", "capacity": 10}])
    p = jobdir / "short.json"
    p.write_text(json.dumps(spec), encoding="utf-8")
    result = run_job(p, tmp_path / "out")
    problem, _ = load_job(p)
    check(problem, result.plan)
    assert result.status == "unserved" and result.kpis["required_unserved"] == 2
    with open(tmp_path / "out" / "unserved.csv", encoding="utf-8", newline="") as f:
        rows = {r["order_id"]: r for r in csv.DictReader(f)}
    assert len(rows) == 2
    for oid, row in rows.items():
        assert row["phone"] == ((problem.order(oid).attributes or {}).get("phone", ""))


def test_geojson_order_properties_are_attributes_too(jobdir):
    features = [
        {
            "type": "Feature",
            "properties": {"order_id": "g1", "qty_goods": 5, "phone": PHONE, "floor": 3, "share": 0.5, "note": None},
            "geometry": {"type": "Point", "coordinates": [111.031, 35.071]},
        }
    ]
    (jobdir / "orders.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    spec = job()
    spec["orders"] = "orders.geojson"
    p = jobdir / "geo.json"
    p.write_text(json.dumps(spec), encoding="utf-8")
    problem, _ = load_job(p)
    assert problem.order("g1").attributes == {"phone": PHONE, "floor": "3", "share": "0.5"}
    assert (problem.order("g1").lon, problem.order("g1").lat) == (111.031, 35.071)
