"""``coldroute carriers`` and ``coldroute coverage`` on small jobs: files, columns, values, exit codes."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import logistics
from logistics.app import cli
from logistics.app.run_tiers import plan_job
from logistics.formats.jobfile import read_job
from logistics.planners.carriers import compare_carrier_sharing
from logistics.planners.coverage import coverage

pytest.importorskip("folium")

DATA = Path(__file__).parent.parent / "data" / "jobs"
runner = CliRunner()
VILLAGES = ["v-baizhuang", "v-xiayue", "v-jietan", "v-bx1", "v-bx2"]
CARRIER_COLUMNS = ["row", "scenario", "carrier", "vehicles", "vehicle_km", "cost", "village_visits", "parcels"]
HOSTILE = "</script><img src=x onerror=alert(1)>"


def invoke(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def _job(folder: Path, orders: list[dict], fleet: list[dict], products: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "network.geojson", folder / "network.geojson")
    doc = {
        "name": "parcels",
        "day": "2026-03-02",
        "network": "network.geojson",
        "products": products,
        "orders": orders,
        "fleet": fleet,
        # a fixed search length: the command and the Python call below find the same plans
        "solver": {"time_limit": 2, "seed": 0, "engine": "ortools", "iterations": 5},
    }
    path = folder / "job.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


VAN = {
    "name": "parcel-van",
    "count": 1,
    "start_depot": "hub",
    "compartments": [{"zone": "ambient", "capacity": 800}],
    "fixed_cost": 80,
    "cost_per_km": 0.8,
    "shift": ["07:00", "19:00"],
}


@pytest.fixture(scope="module")
def parcels_job(tmp_path_factory):
    orders = [
        {
            "id": f"{c}-{v}",
            "node_id": v,
            "carrier": c,
            "quantities": {"parcels": 10 + 3 * k},
            "time_windows": [["08:00", "18:00"]],
            "service": 180,
        }
        for k, v in enumerate(VILLAGES)
        for c in ("EMS", "ZTO")
        if not (c == "ZTO" and v == "v-bx2")
    ]
    return _job(
        tmp_path_factory.mktemp("carriers"), orders, [VAN], [{"name": "parcels", "zone": "ambient", "value": 0}]
    )


@pytest.fixture(scope="module")
def day_job(tmp_path_factory):
    orders = [
        {
            "id": f"d-{v}",
            "node_id": v,
            "quantities": {"milk": 20 + 5 * k},
            "time_windows": [["08:00", "18:00"]],
            "service": 300,
        }
        for k, v in enumerate(VILLAGES[:4])
    ]
    fleet = [
        dict(VAN, name="reefer", count=2, compartments=[{"zone": "chilled", "capacity": 800}], shift=["06:00", "20:00"])
    ]
    return _job(
        tmp_path_factory.mktemp("coverage"), orders, fleet, [{"name": "milk", "zone": "chilled", "shelf_life_h": 48}]
    )


def test_carriers_writes_the_comparison_of_the_python_function(parcels_job, tmp_path):
    out = tmp_path / "out"
    r = invoke("carriers", parcels_job, "--out", out, "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["status"] == "ok" and summary["violations"] == []
    frame = pd.read_csv(out / "carriers.csv")
    assert list(frame.columns[: len(CARRIER_COLUMNS)]) == CARRIER_COLUMNS
    jb = read_job(parcels_job)
    expected, extra = compare_carrier_sharing(
        jb.problem.network,
        jb.problem.orders,
        list(jb.problem.fleet),
        options=jb.options,
        products=jb.problem.products,
        costs=jb.problem.costs,
        return_plans=True,
    )
    for key, plan in extra["plans"].items():
        assert logistics.validate(extra["problems"][key], plan) == []
    assert list(frame["row"]) == list(expected.index)
    for col in ("vehicles", "vehicle_km", "cost", "village_visits", "parcels", "served", "unserved"):
        assert frame[col].to_numpy() == pytest.approx(expected[col].to_numpy(dtype=float), nan_ok=True), col
    assert summary["vehicle_km_saved"] == pytest.approx(expected.loc["saving", "vehicle_km"])
    assert summary["cost_saved"] == pytest.approx(expected.loc["saving", "cost"])
    assert set(summary["carriers"]) == {"EMS", "ZTO"}
    assert json.loads((out / "carriers.json").read_text(encoding="utf-8"))["cost_saved"] == summary["cost_saved"]


def test_carriers_table_and_orders_without_a_carrier(parcels_job, day_job, tmp_path):
    r = invoke("carriers", parcels_job, "--out", tmp_path / "a")
    assert r.exit_code == 0 and "shared" in r.stdout and "saving_pct" in r.stdout
    r = invoke("carriers", day_job, "--out", tmp_path / "b")
    assert r.exit_code == 2
    assert "d-v-baizhuang" in r.output and "carrier" in r.output and "Traceback" not in r.output


def test_coverage_writes_the_figures_of_the_python_function(day_job, tmp_path):
    out = tmp_path / "out"
    r = invoke("coverage", day_job, "--out", out, "--hours", 1.5, "--days-per-week", 3, "--offline", "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["by"] == "station" and summary["violations"] == []
    jb = read_job(day_job)
    plan = logistics.solve(jb.problem, options=jb.options)
    assert logistics.validate(jb.problem, plan) == []
    week = [plan, None, plan, None, plan, None, None]  # three days a week, Monday first
    expected = coverage(plan, jb.problem.network, hours=[1.5], schedule=week, by="station")
    frame = pd.read_csv(out / "coverage.csv", index_col="station")
    assert list(frame.columns) == list(expected.columns)
    assert "within_1.5h" in frame.columns and "mean_days_per_week" in frame.columns
    assert list(frame.index) == list(expected.index)
    for col in frame.columns:
        assert frame[col].to_numpy() == pytest.approx(expected[col].to_numpy(dtype=float), nan_ok=True), col
    # villages with an order are served three days a week, the one without none
    villages = pd.read_csv(out / "coverage_villages.csv")
    served = dict(zip(villages["village"], villages["days_per_week"]))
    assert served == {v: (3.0 if v in VILLAGES[:4] else 0.0) for v in VILLAGES}
    page = (out / "coverage.html").read_text(encoding="utf-8")
    assert page.count('"className": "coldroute-coverage-area"') == len(expected) - 1  # one area per station
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?://", page)


def test_coverage_map_escapes_names(day_job, tmp_path):
    folder = tmp_path / "hostile"
    shutil.copytree(day_job.parent, folder)
    net = json.loads((folder / "network.geojson").read_text(encoding="utf-8"))
    for f in net["features"]:
        f["properties"]["name"] = HOSTILE
    (folder / "network.geojson").write_text(json.dumps(net), encoding="utf-8")
    r = invoke("coverage", folder / "job.yaml", "--out", tmp_path / "out", "--offline", "--quiet")
    assert r.exit_code == 0, r.output
    page = (tmp_path / "out" / "coverage.html").read_text(encoding="utf-8")
    assert HOSTILE not in page and html.escape(HOSTILE) in page


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--hours", "0"], "--hours"),
        (["--hours", "nan"], "--hours"),
        (["--days-per-week", "8"], "--days-per-week"),
    ],
)
def test_coverage_bad_options_exit_2_naming_them(day_job, tmp_path, args, field):
    r = invoke("coverage", day_job, "--out", tmp_path / "out", *args)
    assert r.exit_code == 2 and field in r.output and "Traceback" not in r.output


def test_bad_jobs_and_out_folders_exit_2(day_job, tmp_path):
    r = invoke("coverage", "demo:x", "--out", tmp_path / "o", "--json")
    assert r.exit_code == 2 and json.loads(r.stdout)["field"] == "job"
    r = invoke("carriers", tmp_path / "missing.yaml", "--out", tmp_path / "o")
    assert r.exit_code == 2 and "missing.yaml" in r.output
    (tmp_path / "file").write_text("x")
    r = invoke("coverage", day_job, "--out", tmp_path / "file", "--json")
    assert r.exit_code == 2 and json.loads(r.stdout)["field"] == "--out"
    no_net = tmp_path / "nonet.yaml"
    doc = yaml.safe_load(day_job.read_text(encoding="utf-8"))
    doc.pop("network")
    no_net.write_text(yaml.safe_dump(doc), encoding="utf-8")
    r = invoke("coverage", no_net, "--out", tmp_path / "o2", "--json")
    assert r.exit_code == 2 and "network" in r.output and "Traceback" not in r.output


@pytest.mark.slow
def test_demo_scenarios(tmp_path):
    r = invoke("coverage", "demo:1", "--out", tmp_path / "cov", "--time-limit", 3, "--json")
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["by"] == "township" and s["violations"] == [] and s["all"]["villages"] > 100
    assert "yanhu_geo" in s["area_source"]
    r = invoke("carriers", "demo:1", "--out", tmp_path / "car", "--time-limit", 4, "--json")
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["violations"] == [] and s["cost_saved"] > 0


# --------------------------------------------------------------------------- three-tier jobs


@pytest.fixture
def tier_dir(tmp_path):
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    return d


def test_coverage_of_a_three_tier_job(tier_dir, tmp_path):
    job = tier_dir / "tiered.yaml"
    out = tmp_path / "out"
    r = invoke("coverage", job, "--out", out, "--hours", 3, "--days-per-week", 2, "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["violations"] == []
    jb = read_job(job)
    tp = plan_job(jb, jb.options)
    assert tp.validate(legs=True) == []
    week = [tp, None, None, tp, None, None, None]  # two days a week: Monday and Thursday
    expected = coverage(tp, jb.problem.network, hours=[3], schedule=week, by="station")
    frame = pd.read_csv(out / "coverage.csv", index_col="station")
    assert list(frame.columns) == list(expected.columns) and list(frame.index) == list(expected.index)
    for col in frame.columns:
        assert frame[col].to_numpy() == pytest.approx(expected[col].to_numpy(dtype=float), nan_ok=True), col
    assert frame.loc["all", "mean_days_per_week"] == pytest.approx(2.0 * expected.loc["all", "visited_share"])


def test_carriers_on_a_three_tier_job_use_its_last_mile_vans(tier_dir, tmp_path):
    doc = yaml.safe_load((tier_dir / "tiered.yaml").read_text(encoding="utf-8"))
    doc["orders"] = [
        {"id": f"{c}-{v}", "node_id": v, "carrier": c, "quantities": {"rice": 15}, "time_windows": [["08:00", "18:00"]]}
        for v in VILLAGES
        for c in ("EMS", "YTO")
    ]
    job = tier_dir / "tier_parcels.yaml"
    job.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    r = invoke("carriers", job, "--out", out, "--json")
    assert r.exit_code == 0, r.output
    jb = read_job(job)
    expected = compare_carrier_sharing(
        jb.problem.network,
        jb.problem.orders,
        list(jb.tiers.last_mile_fleet),
        options=jb.options,
        products=jb.problem.products,
        costs=jb.problem.costs,
    )
    frame = pd.read_csv(out / "carriers.csv", index_col="row")
    assert frame.loc["shared", "vehicles"] <= frame.loc["separate", "vehicles"]
    for col in ("vehicles", "vehicle_km", "cost", "village_visits"):
        assert frame[col].to_numpy() == pytest.approx(expected[col].to_numpy(dtype=float), nan_ok=True), col
