"""``coldroute replan`` and ``coldroute week``: result folders that validate, bad input exits 2 naming the field."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import logistics
from logistics.app import cli
from logistics.core.options import SolveOptions
from logistics.core.plan import Plan

runner = CliRunner()


def invoke(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


@pytest.fixture(scope="module")
def morning(tmp_path_factory):
    problem = logistics.yanhu_demo(0)
    plan = logistics.solve(problem, SolveOptions(time_limit=3.0, seed=0, workers=1))
    folder = tmp_path_factory.mktemp("morning")
    plan.to_json(folder / "plan.json")
    busy = plan.stops.groupby("vehicle").arrival.max().idxmax()
    return problem, plan, folder, str(busy)


def test_replan_writes_a_valid_day_and_the_changes(morning, tmp_path):
    problem, plan, folder, busy = morning
    events = tmp_path / "events.yaml"
    events.write_text(
        f'at: "11:00"\nevents:\n  - {{type: breakdown, vehicle: "{busy}"}}\n  - {{type: cancel, order_id: D100}}\n',
        encoding="utf-8",
    )
    res = invoke("replan", "demo", folder, events, "--out", tmp_path / "r", "-t", "2", "--offline", "--json")
    assert res.exit_code in (0, 1), res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["violations"] == []
    new = Plan.from_json(tmp_path / "r" / "plan.json")
    changes = pd.read_csv(tmp_path / "r" / "changes.csv", dtype=str)
    d100 = changes.loc[changes["order_id"] == "D100", "change"].tolist()
    # the morning plan is time-bound: D100 may already be served by 11:00, and then the cancel is ignored
    assert d100 in (["cancelled"], ["ignored"])
    if d100 == ["cancelled"]:
        updated = problem.replace(orders=tuple(o for o in problem.orders if o.id != "D100"))
        assert "D100" not in set(new.stops["order_id"].dropna())
    else:
        updated = problem
        assert "D100" in set(plan.stops["order_id"].dropna())
    assert logistics.validate(updated, new) == []
    assert (tmp_path / "r" / "vehicles.csv").is_file()


def test_replan_bad_events_exit_2_naming_the_field(morning, tmp_path):
    _, _, folder, busy = morning
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"at": "11:00", "events": [{"type": "delay", "vehicle": busy, "minutes": "x"}]}))
    res = invoke("replan", "demo", folder, bad, "--out", tmp_path / "r", "--json")
    assert res.exit_code == 2
    assert json.loads(res.stdout)["field"] == "events[0].minutes"
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"events": [{"type": "breakdown", "vehicle": "nope#1"}]}))
    res = invoke("replan", "demo", folder, unknown, "--out", tmp_path / "r", "--at", "11:00", "--json")
    assert res.exit_code == 2 and json.loads(res.stdout)["field"] == "events[0].vehicle"
    no_at = tmp_path / "noat.json"
    no_at.write_text(json.dumps({"events": []}))
    res = invoke("replan", "demo", folder, no_at, "--out", tmp_path / "r", "--json")
    assert res.exit_code == 2 and json.loads(res.stdout)["field"] == "at"
    assert "Traceback" not in res.output


BAD_EVENTS = {
    "unknown order": ({"type": "cancel", "order_id": "NOPE"}, "events[0].order_id", "NOPE"),
    "windows of an unknown order": (
        {"type": "time_windows", "order_id": "NOPE", "time_windows": [["12:00", "13:00"]]},
        "events[0].order_id",
        "NOPE",
    ),
    "unknown vehicle": ({"type": "delay", "vehicle": "ghost#9", "minutes": 10}, "events[0].vehicle", "ghost#9"),
    "breakdown out of the day": (
        {"type": "breakdown", "vehicle": "BUSY", "at": "31:00"},
        "events[0].at",
        "BUSY",
    ),
    "new order at an unknown node": (
        {"type": "new_order", "order": {"id": "X1", "node_id": "nowhere", "quantities": {"apples": 10}}},
        "events[0].order.node_id",
        "X1",
    ),
    "new order with a taken id": (
        {"type": "new_order", "order": {"id": "D100", "node_id": "v_sanluli_01", "quantities": {"apples": 10}}},
        "events[0].order.id",
        "D100",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_replan_bad_event_records_exit_2_naming_record_and_field(morning, tmp_path, case):
    _, _, folder, busy = morning
    event, field, record = BAD_EVENTS[case]
    event = json.loads(json.dumps(event).replace("BUSY", busy))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"at": "11:00", "events": [event]}))
    res = invoke("replan", "demo", folder, bad, "--out", tmp_path / "r", "--json")
    assert res.exit_code == 2, res.output
    doc = json.loads(res.stdout)
    assert doc["field"] == field and doc["errors"][0]["record"] == record.replace("BUSY", busy)
    assert "Traceback" not in res.output and not (tmp_path / "r" / "plan.json").exists()


def test_replan_bad_files_and_times_exit_2(morning, tmp_path):
    _, plan, folder, _ = morning
    # an order the time-bound morning plan serves after 12:00 (one served before 11:00 is not cancelled: ignored)
    later = plan.stops[(plan.stops["kind"] == "delivery") & (plan.stops["arrival"] >= 12 * 3600)]
    assert len(later), "the morning plan serves nothing after 12:00"
    oid = str(later["order_id"].iloc[0])
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps({"at": "11:00", "events": [{"type": "cancel", "order_id": oid}] * 2}))
    res = invoke("replan", "demo", folder, twice, "--out", tmp_path / "r", "--json")
    assert res.exit_code == 2 and json.loads(res.stdout)["field"] == "events[1].order_id"
    assert "cancelled by an earlier event" in json.loads(res.stdout)["error"]
    late = tmp_path / "late.json"
    late.write_text(json.dumps({"at": "25:00", "events": []}))
    res = invoke("replan", "demo", folder, late, "--out", tmp_path / "r", "--json")
    assert res.exit_code == 2 and json.loads(res.stdout)["field"] == "at"
    assert "outside the day" in json.loads(res.stdout)["error"]
    for name, text in {"broken.yaml": "at: [11:00\nevents: {", "empty.yaml": "", "list.json": "[1, 2]"}.items():
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        res = invoke("replan", "demo", folder, f, "--out", tmp_path / "r", "--at", "11:00", "--json")
        assert res.exit_code == 2 and json.loads(res.stdout)["errors"][0]["record"] == name, res.output
        assert "Traceback" not in res.output


def test_week_writes_days_that_validate(tmp_path):
    cal = tmp_path / "calendar.yaml"
    cal.write_text("days: [Mon, Wed]\ndefault: {frequency: 1}\nrules:\n  - {order_id: D001, frequency: 2}\n")
    res = invoke("week", "demo", "--calendar", cal, "--out", tmp_path / "w", "-t", "1", "--offline", "--json")
    assert res.exit_code in (0, 1), res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["violations"] == []
    problem = logistics.yanhu_demo(0)
    days = {}
    for day in ("Mon", "Wed"):
        plan = Plan.from_json(tmp_path / "w" / day / "plan.json")
        ids = set(plan.stops["order_id"].dropna()) | set(plan.unserved["order_id"])
        day_problem = problem.replace(orders=tuple(o for o in problem.orders if o.id in ids))
        assert logistics.validate(day_problem, plan) == []
        days[day] = ids
    assert "D001" in days["Mon"] and "D001" in days["Wed"]
    assert all((o.id in days["Mon"]) != (o.id in days["Wed"]) for o in problem.orders if o.id != "D001")
    assert (tmp_path / "w" / "service_days.csv").is_file()


def test_week_bad_calendar_exits_2(tmp_path):
    cal = tmp_path / "calendar.json"
    cal.write_text(json.dumps({"rules": [{"order_id": "D001", "frequency": 2, "days": ["Mon", "Moonday"]}]}))
    res = invoke("week", "demo", "--calendar", cal, "--out", tmp_path / "w", "--json")
    assert res.exit_code == 2
    assert json.loads(res.stdout)["field"] == "rules[0].days[1]"
