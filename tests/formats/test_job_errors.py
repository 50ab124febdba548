"""Every mistake of a job in one run: each message names record and field, unknown names get a suggestion."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logistics import ProblemError
from logistics.app import cli
from logistics.core.errors import ProblemErrors
from logistics.formats.jobfile import load_job

DATA = Path(__file__).parent.parent / "data" / "jobs"


def base_job(**changes) -> dict:
    job = {
        "name": "four",
        "network": "network.geojson",
        "products": [{"name": "milk", "zone": "chilled"}, {"name": "rice", "zone": "ambient"}],
        "fleet": [
            {
                "name": "reefer",
                "count": 2,
                "start_depot": "hub",
                "compartments": [{"zone": "chilled", "capacity": 500}, {"zone": "ambient", "capacity": 500}],
            }
        ],
        "orders": [
            {"id": "a", "node_id": "st-beixiang", "quantities": {"milk": 50}, "time_windows": [["08:00", "12:00"]]},
            {"id": "b", "node_id": "v-baizhuang", "quantities": {"rice": 10}},
        ],
        "solver": {"time_limit": 1, "seed": 0, "engine": "ortools"},
    }
    job.update(changes)
    return job


def four_mistakes() -> dict:
    job = base_job()
    job["fleet"][0]["start_depot"] = "hbu"  # an unknown id
    job["orders"][0]["time_window"] = job["orders"][0].pop("time_windows")  # an unknown field name
    job["orders"][1]["quantities"] = {"rcie": 10}  # an unknown product
    job["products"][1]["zone"] = "ambiant"  # a value outside the schema's choices
    return job


EXPECTED = [
    ("fleet[0].start_depot", "unknown depot 'hbu' (did you mean 'hub'?)"),
    ("orders[0]", "unknown field 'time_window' (did you mean 'time_windows'?)"),
    ("orders[1].quantities.rcie", "unknown product 'rcie' (did you mean 'rice'?)"),
    ("products[1].zone", "(did you mean 'ambient'?)"),
]


@pytest.fixture
def jobdir(tmp_path):
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    return d


def test_four_mistakes_are_four_messages_in_one_load(jobdir):
    p = jobdir / "four.json"
    p.write_text(json.dumps(four_mistakes()), encoding="utf-8")
    with pytest.raises(ProblemErrors) as ei:
        load_job(p)
    errors = ei.value.errors
    assert sorted(e.field for e in errors) == sorted(f for f, _ in EXPECTED)
    by_field = {e.field: str(e) for e in errors}
    for field, words in EXPECTED:
        assert words in by_field[field] and by_field[field].startswith(f"four.json: {field}: "), by_field[field]
    # the records are named: the vehicle type and the order
    assert {e.record for e in errors if e.field in ("fleet[0].start_depot", "orders[1].quantities.rcie")} == {
        "reefer",
        "b",
    }
    # still a ProblemError: callers that catch one error see the first, and the message lists all
    assert isinstance(ei.value, ProblemError) and ei.value.field == errors[0].field
    assert str(ei.value).count("\n") == 4


def test_one_mistake_is_still_one_plain_error(jobdir):
    job = base_job()
    job["fleet"][0]["start_depot"] = "hbu"
    p = jobdir / "one.json"
    p.write_text(json.dumps(job), encoding="utf-8")
    with pytest.raises(ProblemError) as ei:
        load_job(p)
    assert type(ei.value) is ProblemError
    assert ei.value.field == "fleet[0].start_depot" and "did you mean 'hub'?" in str(ei.value)


def test_the_command_line_shows_each_error_on_its_own_line_with_exit_2(jobdir, tmp_path):
    p = jobdir / "four.json"
    p.write_text(json.dumps(four_mistakes()), encoding="utf-8")
    r = CliRunner().invoke(cli.app, ["solve", str(p), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 4, r.stderr
    for field, words in EXPECTED:
        assert any(f"{field}: " in ln and words in ln for ln in lines), (field, r.stderr)
    assert not (tmp_path / "out").exists()
    r = CliRunner().invoke(cli.app, ["solve", str(p), "--out", str(tmp_path / "out"), "--json"])
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["status"] == "error" and doc["exit_code"] == 2
    assert sorted(e["field"] for e in doc["errors"]) == sorted(f for f, _ in EXPECTED)
    assert all(e["error"].startswith("four.json: ") for e in doc["errors"])


def test_records_that_fail_are_skipped_not_reported_twice(jobdir):
    job = base_job()
    job["orders"][0]["quantities"] = {"milk": -1}  # schema: below the minimum
    job["orders"][1]["pair"] = "zz"  # an unknown paired order, found after the schema
    p = jobdir / "two.json"
    p.write_text(json.dumps(job), encoding="utf-8")
    with pytest.raises(ProblemErrors) as ei:
        load_job(p)
    fields = [e.field for e in ei.value.errors]
    assert fields == ["orders[0].quantities.milk", "orders[1].pair"]


def test_every_bad_row_of_an_orders_file_in_one_run(jobdir):
    (jobdir / "day.csv").write_text(
        "order_id,node_id,qty_milk,required,tw_start,tw_end\n"
        "o1,st-beixiang,10,true,08:00,12:00\n"
        "o2,v-baizhuang,lots,true,08:00,12:00\n"  # not a number
        "o3,v-baizhuang,10,perhaps,08:00,12:00\n"  # not a flag
        "o4,v-baizhuag,10,true,08:00,12:00\n"  # an unknown node, with a suggestion
        "o5,v-baizhuang,10,true,12:00,08:00\n"  # a window that ends before it starts
        "o1,v-baizhuang,10,true,08:00,12:00\n",  # a repeated id
        encoding="utf-8",
    )
    job = base_job(orders="day.csv")
    job["fleet"][0]["count"] = "two"  # and a mistake in the job itself
    p = jobdir / "rows.json"
    p.write_text(json.dumps(job), encoding="utf-8")
    with pytest.raises(ProblemErrors) as ei:
        load_job(p)
    by_field = {e.field: str(e) for e in ei.value.errors}
    assert set(by_field) == {
        "fleet[0].count",
        "orders[1].quantities.milk",
        "orders[2].required",
        "orders[3].node_id",
        "orders[4].time_windows[0]",
        "orders[5].id",
    }, by_field
    assert (
        "day.csv row 1" in by_field["orders[1].quantities.milk"] and "'lots'" in by_field["orders[1].quantities.milk"]
    )
    assert "(did you mean 'v-baizhuang'?)" in by_field["orders[3].node_id"]
    assert "rows 0 and 5" in by_field["orders[5].id"]


def test_errors_reported_together_survive_a_worker_process():
    errors = ProblemErrors([ProblemError("a", record="o1", field="orders[0].id"), ProblemError("b", field="fleet")])
    back = pickle.loads(pickle.dumps(errors))
    assert [(str(e), e.record, e.field) for e in back.errors] == [("a", "o1", "orders[0].id"), ("b", None, "fleet")]
    assert str(back) == str(errors) and back.field == "orders[0].id"


def test_solver_block_carries_the_search_policy_and_names_a_bad_value(jobdir):
    p = jobdir / "policy.json"
    solver = {"time_limit": 1, "cooperative": False, "decompose": None, "max_part": 120}
    p.write_text(json.dumps(base_job(solver=solver)), encoding="utf-8")
    _, opts = load_job(p)
    assert (opts.cooperative, opts.decompose, opts.max_part) == (False, None, 120)
    p.write_text(json.dumps(base_job(solver={"time_limit": 1, "max_part": 1})), encoding="utf-8")
    with pytest.raises((ProblemError, ProblemErrors)) as ei:
        load_job(p)
    assert "max_part" in str(ei.value)
