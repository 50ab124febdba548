"""Job files: schema, safe loading, field paths in errors, path confinement, atomic result folders."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import numpy as np
import pytest

import logistics
from logistics import ProblemError
from logistics.app.run import MARKER, OUTPUT_FILES, read_marker, run_job, write_outputs
from logistics.core.options import SolveOptions
from logistics.core.plan import Plan
from logistics.formats.documents import job_schema
from logistics.formats.jobfile import load_job, read_job

DATA = Path(__file__).parent.parent / "data" / "jobs"


@pytest.fixture
def jobdir(tmp_path):
    """A copy of the sample job folder that tests may edit."""
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    return d


def small_job(**changes) -> dict:
    """A JSON job with inline orders on the sample network."""
    job = {
        "name": "inline",
        "network": "network.geojson",
        "products": [
            {"name": "milk", "zone": "chilled", "shelf_life_h": 48, "value": 8},
            {"name": "rice", "zone": "ambient"},
        ],
        "fleet": [
            {
                "name": "reefer",
                "count": 2,
                "start_depot": "hub",
                "fixed_cost": 100,
                "cost_per_km": 1,
                "shift": ["06:00", "20:00"],
                "compartments": [{"zone": "chilled", "capacity": 500}, {"zone": "ambient", "capacity": 500}],
            }
        ],
        "orders": [
            {
                "id": "a",
                "node_id": "st-beixiang",
                "quantities": {"milk": 50, "rice": 20},
                "time_windows": [["08:00", "12:00"]],
                "service": 300,
            },
            {
                "id": "b",
                "node_id": "v-baizhuang",
                "quantities": {"milk": 10},
                "time_windows": [[32400, 54000]],
                "service": "00:05",
            },
            {"id": "c", "lon": 111.05, "lat": 35.02, "quantities": {"rice": 30}, "required": False, "penalty": 80},
        ],
        "solver": {"time_limit": 1, "seed": 0, "engine": "ortools"},
    }
    job.update(changes)
    return job


def write(d: Path, name: str, data) -> Path:
    p = d / name
    if name.endswith((".yaml", ".yml")) and isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_text(json.dumps(data), encoding="utf-8")
    return p


def check_plan_file(problem, folder: Path) -> Plan:
    plan = Plan.from_json(folder / "plan.json")
    assert logistics.validate(problem, plan) == []
    return plan


# --------------------------------------------------------------------------- schema


def test_schema_is_valid_and_accepts_the_sample_jobs():
    schema = job_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    import yaml

    data = yaml.safe_load((DATA / "small.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    jsonschema.validate(small_job(), schema)


def test_load_yaml_job_with_csv_orders():
    problem, opts = load_job(DATA / "small.yaml")
    assert opts == SolveOptions(time_limit=2, seed=0, engine="ortools", iterations=None)
    assert problem.name == "small-day" and problem.day == "2026-03-02"
    assert [o.id for o in problem.orders] == [f"o{i}" for i in range(1, 8)]
    o5 = problem.order("o5")
    assert o5.required is False and o5.penalty == 50
    assert o5.time_windows == ((9 * 3600, 15 * 3600),)
    assert problem.order("o7").kind == "pickup"
    assert problem.products["frozen_dumplings"].zone.value == "frozen"
    assert problem.network is not None and "hub" in problem.network
    assert problem.costs.carbon_price == 0.05


def test_load_inline_json_job(jobdir):
    problem, opts = load_job(write(jobdir, "inline.json", small_job()))
    assert opts.time_limit == 1
    b = problem.order("b")
    assert b.service == 300 and b.time_windows == ((32400, 54000),)
    c = problem.order("c")
    assert c.node_id is None and c.lon == 111.05


def test_run_job_writes_every_output_and_a_valid_plan(tmp_path):
    out = tmp_path / "out" / "small"
    res = run_job(DATA / "small.yaml", out, time_limit=1)
    assert res.status == "ok" and res.exit_code == 0 and res.violations == []
    for f in OUTPUT_FILES + (MARKER,):
        assert (out / f).is_file(), f
    marker = read_marker(out)
    assert marker["status"] == "ok" and marker["kpis"]["served"] == res.kpis["served"]
    problem, _ = load_job(DATA / "small.yaml")
    plan = check_plan_file(problem, out)
    assert plan.kpis["served"] + plan.kpis["unserved"] == len(problem.orders)
    import pandas as pd

    stops = pd.read_csv(out / "stops.csv")
    assert {"vehicle", "seq", "arrival_clock", "load_chilled"} <= set(stops.columns)
    gj = json.loads((out / "routes.geojson").read_text(encoding="utf-8"))
    assert any(f["geometry"]["type"] == "LineString" for f in gj["features"])
    assert json.loads((out / "kpis.json").read_text())["cost"] == pytest.approx(res.kpis["cost"])
    # nothing is left behind beside the result folder
    assert sorted(p.name for p in out.parent.iterdir()) == ["small"]


def test_rerun_replaces_the_folder_atomically(tmp_path):
    out = tmp_path / "res"
    assert run_job(DATA / "small.yaml", out, time_limit=0.5, engine="ortools").violations == []
    (out / "stops.csv").write_text("stale", encoding="utf-8")
    assert run_job(DATA / "small.yaml", out, time_limit=0.5, engine="ortools").violations == []
    check_plan_file(load_job(DATA / "small.yaml")[0], out)
    assert (out / "stops.csv").read_text(encoding="utf-8") != "stale"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_refuses_to_replace_a_folder_with_other_files(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(ProblemError, match="holds other files"):
        run_job(DATA / "small.yaml", out, time_limit=0.5)
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_failure_while_writing_leaves_no_partial_folder(tmp_path, monkeypatch):
    problem, _ = load_job(DATA / "small.yaml")
    plan = logistics.solve(problem, time_limit=0.5, engine="ortools")
    assert logistics.validate(problem, plan) == []
    from logistics.app import plots as viz

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(viz, "timeline", boom)
    with pytest.raises(RuntimeError):
        write_outputs(problem, plan, tmp_path / "r")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- errors name the field


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda j: j["orders"][1].update(time_windows=[["08:00"]]), "orders[1].time_windows[0]"),
        (lambda j: j["orders"][1].update(time_windows=[["12:00", "08:00"]]), "orders[1].time_windows[0]"),
        (lambda j: j["orders"][1].update(time_windows=[["10:75", "12:00"]]), "orders[1].time_windows[0].start"),
        (lambda j: j["orders"][2].update(quantities={"caviar": 1}), "orders[2].quantities.caviar"),
        (lambda j: j["orders"][0].update(node_id="atlantis"), "orders[0].node_id"),
        (lambda j: j["orders"][0].update(colour="red"), "orders[0]"),
        (lambda j: j["orders"][2].pop("penalty"), "orders[2].penalty"),
        (lambda j: j["orders"][1].update(id="a"), "orders[1].id"),
        (lambda j: j["fleet"][0].update(start_depot="nowhere"), "fleet[0].start_depot"),
        (lambda j: j["fleet"][0].update(shift=["20:00", "06:00"]), "fleet[0].shift"),
        (lambda j: j["fleet"][0]["compartments"][1].update(zone="tropical"), "fleet[0].compartments[1].zone"),
        (lambda j: j["products"][0].update(zone="frozen", carriers=["chilled"]), "products[0].carriers"),
        (lambda j: j["solver"].update(engine="quantum"), "solver.engine"),
        (lambda j: j["costs"] if j.update(costs={"diesel_price": -1}) else None, "costs.diesel_price"),
    ],
)
def test_errors_point_to_the_field(jobdir, mutate, field):
    job = small_job()
    mutate(job)
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "bad.json", job))
    assert ei.value.field == field, str(ei.value)
    assert field in str(ei.value) and "bad.json" in str(ei.value)


def test_an_order_that_fits_no_vehicle_names_its_row(jobdir):
    job = small_job()
    job["orders"].append({"id": "huge", "node_id": "v-xiayue", "quantities": {"milk": 5000}})
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "big.json", job))
    assert ei.value.field == "orders[3].quantities"
    assert "exceeds" in str(ei.value)


def test_csv_errors_name_the_row(jobdir):
    text = (jobdir / "orders.csv").read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace(",true,", ",perhaps,")  # row 2 (0-based, after the header)
    (jobdir / "orders.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ProblemError) as ei:
        load_job(jobdir / "small.yaml")
    assert ei.value.field == "orders[2].required"
    assert "orders.csv row 2" in str(ei.value)


def test_csv_unknown_node_and_bad_quantity(jobdir):
    csv = (jobdir / "orders.csv").read_text(encoding="utf-8")
    (jobdir / "orders.csv").write_text(csv.replace("v-xiayue", "v-nowhere"), encoding="utf-8")
    with pytest.raises(ProblemError) as ei:
        load_job(jobdir / "small.yaml")
    assert ei.value.field == "orders[3].node_id"
    (jobdir / "orders.csv").write_text(
        csv.replace("o4,v-xiayue,delivery,15", "o4,v-xiayue,delivery,lots"), encoding="utf-8"
    )
    with pytest.raises(ProblemError) as ei:
        load_job(jobdir / "small.yaml")
    assert ei.value.field == "orders[3].quantities.milk"


def test_csv_time_windows_column(jobdir):
    (jobdir / "tw.csv").write_text(
        "order_id,node_id,qty_milk,time_windows,service\nx,v-bx1,10,08:00-10:00;14:00-16:00,120\ny,v-bx2,10,,60\n",
        encoding="utf-8",
    )
    job = small_job(orders="tw.csv")
    problem, _ = load_job(write(jobdir, "tw.json", job))
    assert problem.order("x").time_windows == ((8 * 3600, 10 * 3600), (14 * 3600, 16 * 3600))
    assert problem.order("y").service == 60


def test_yaml_unquoted_times_are_rejected(jobdir):
    text = (
        (jobdir / "small.yaml").read_text(encoding="utf-8").replace('shift: ["06:00", "20:00"]', "shift: [6:00, 20:00]")
    )
    p = write(jobdir, "unquoted.yaml", text)
    with pytest.raises(ProblemError) as ei:
        load_job(p)
    assert ei.value.field == "fleet[0].shift[0]"
    assert "quoted" in str(ei.value)


def test_yaml_cannot_run_code(jobdir, tmp_path):
    marker = tmp_path / "pwned"
    text = (jobdir / "small.yaml").read_text(encoding="utf-8")
    text += f"\nextra: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(ProblemError):
        load_job(write(jobdir, "evil.yaml", text))
    assert not marker.exists()


def test_matrix_npz_is_read_without_pickles(jobdir):
    # an object array would need pickle: it must be refused, not executed
    np.savez(
        jobdir / "m.npz",
        ids=np.array([{"x": 1}], dtype=object),
        distance=np.zeros((1, 1)),
        duration=np.zeros((1, 1)),
        synthetic=False,
        source="x",
    )
    job = small_job(matrix="m.npz")
    job.pop("network")
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "m.json", job))
    assert ei.value.field == "matrix"


# --------------------------------------------------------------------------- paths


def test_paths_cannot_leave_the_job_folder(jobdir, tmp_path):
    shutil.copy(jobdir / "orders.csv", tmp_path / "outside.csv")
    text = (jobdir / "small.yaml").read_text(encoding="utf-8").replace("orders: orders.csv", "orders: ../outside.csv")
    p = write(jobdir, "escape.yaml", text)
    with pytest.raises(ProblemError) as ei:
        load_job(p)
    assert ei.value.field == "orders" and "leaves the job's folder" in str(ei.value)
    problem, _ = load_job(p, allow_outside=True)
    assert len(problem.orders) == 7
    # absolute paths are checked the same way
    text2 = text.replace("../outside.csv", str(tmp_path / "outside.csv"))
    with pytest.raises(ProblemError, match="leaves"):
        load_job(write(jobdir, "abs.yaml", text2))


def test_symlinks_cannot_leave_the_job_folder(jobdir, tmp_path):
    shutil.copy(DATA / "network.geojson", tmp_path / "secret.geojson")
    os.symlink(tmp_path / "secret.geojson", jobdir / "link.geojson")
    job = small_job(network="link.geojson")
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "link.json", job))
    assert ei.value.field == "network"


def test_missing_file_names_the_field(jobdir):
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "nofile.json", small_job(orders="missing.csv")))
    assert ei.value.field == "orders" and "not found" in str(ei.value)


# --------------------------------------------------------------------------- sources


def test_matrix_json_job_solves(jobdir, tmp_path):
    ids = ["D", "p", "q", "r"]
    xy = np.array([[0, 0], [3000, 0], [0, 4000], [3000, 4000]], dtype=float)
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    (jobdir / "matrix.json").write_text(
        json.dumps(
            {
                "ids": ids,
                "distance": d.round().tolist(),
                "duration": (d / 10).round().tolist(),
                "coords": {"D": [111.0, 35.0], "p": [111.03, 35.0], "q": [111.0, 35.04], "r": [111.03, 35.04]},
            }
        )
    )
    job = {
        "matrix": "matrix.json",
        "name": "matrix-job",
        "fleet": [
            {
                "name": "van",
                "count": 1,
                "start_depot": "D",
                "cost_per_km": 1,
                "compartments": [{"zone": "ambient", "capacity": 100}],
            }
        ],
        "orders": [{"id": k, "node_id": k, "quantities": {"goods": 10}} for k in ("p", "q", "r")],
        "objective": "distance",
        "solver": {"time_limit": 0.5, "engine": "ortools"},
    }
    p = write(jobdir, "matrix-job.json", job)
    res = run_job(p, tmp_path / "m")
    assert res.status == "ok" and res.kpis["served"] == 3
    problem, _ = load_job(p)
    check_plan_file(problem, tmp_path / "m")
    assert res.kpis["distance"] == 14000


def test_geopackage_network(jobdir):
    import networks

    net = networks.read_network(DATA / "network.geojson")
    networks.write_network(net, jobdir / "net.gpkg")
    job = small_job(network={"path": "net.gpkg", "layer": "nodes"})
    problem, _ = load_job(write(jobdir, "gpkg.json", job))
    assert len(problem.network.nodes) == len(net.nodes)


def test_builtin_yanhu_network(jobdir):
    job = small_job(network="builtin:yanhu")
    job["fleet"][0]["start_depot"] = "hub"
    job["orders"] = [{"id": "c", "lon": 111.05, "lat": 35.02, "quantities": {"rice": 30}}]
    job_obj = read_job(write(jobdir, "yanhu.json", job))
    assert job_obj.problem.network.name == "yanhu"
    assert len(job_obj.problem.network.villages) > 100
    with pytest.raises(ProblemError) as ei:
        load_job(write(jobdir, "mars.json", small_job(network="builtin:mars")))
    assert ei.value.field == "network"


def test_vroom_input_is_a_job(tmp_path):
    job = read_job(DATA / "vroom_coords.json")
    assert job.source == "vroom" and job.name == "vroom_coords"
    res = run_job(DATA / "vroom_coords.json", tmp_path / "v", time_limit=1)
    assert res.violations == []
    out = json.loads((tmp_path / "v" / "vroom.json").read_text())
    assert out["code"] == 0
    check_plan_file(job.problem, tmp_path / "v")


def test_job_file_pointing_to_a_vroom_input(jobdir, tmp_path):
    p = write(
        jobdir,
        "wrap.json",
        {"name": "wrapped", "vroom": "vroom_matrix.json", "solver": {"time_limit": 1, "engine": "ortools"}},
    )
    job = read_job(p)
    assert job.source == "vroom" and job.options.engine == "ortools"
    assert {o.id for o in job.problem.orders} >= {"job:1", "pickup:4", "delivery:3"}


@pytest.mark.parametrize("suffix", ["geojson", "gpkg"])
def test_orders_from_geodata(jobdir, suffix):
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame(
        {
            "order_id": ["g1", "g2"],
            "qty_milk": [10.0, 20.0],
            "tw_start": ["08:00", "09:00"],
            "tw_end": ["12:00", "13:00"],
            "service": [120, 60],
            "required": [True, False],
            "penalty": [None, 40.0],
        },
        geometry=[Point(111.0, 35.1), Point(111.09, 34.99)],
        crs="EPSG:4326",
    )
    frame.to_file(jobdir / f"orders.{suffix}")
    problem, _ = load_job(write(jobdir, "geo.json", small_job(orders=f"orders.{suffix}")))
    g1, g2 = problem.order("g1"), problem.order("g2")
    assert (g1.lon, g1.lat) == pytest.approx((111.0, 35.1)) and g1.node_id is None
    assert g1.time_windows == ((8 * 3600, 12 * 3600),) and g1.service == 120
    assert g2.required is False and g2.penalty == 40
    plan = logistics.solve(problem, time_limit=0.5, engine="ortools")
    assert logistics.validate(problem, plan) == []
