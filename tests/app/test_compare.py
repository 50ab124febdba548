"""Scenarios side by side: plans, KPI mappings and result folders in one frame, and the CLI command."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pandas as pd
import pytest
from helpers import check, grid_matrix, van

import logistics as L
from logistics.app.run import write_outputs


@pytest.fixture(scope="module")
def plans():
    tm = grid_matrix(12, seed=3)
    orders = [L.Order(f"o{i}", {"goods": 10}, node_id=f"c{i}") for i in range(12)]
    small = L.Problem(orders, [van(count=5, cap=30.0, fixed_cost=50)], matrix=tm)
    large = L.Problem(orders, [van(count=2, cap=100.0)], matrix=tm)
    out = {}
    for name, problem in (("small vans", small), ("large vans", large)):
        out[name] = L.solve(problem, time_limit=1, seed=0, engine="ortools")
        check(problem, out[name])
    return out


def test_one_row_per_scenario_with_changes_against_the_first(plans):
    frame = L.compare(plans)
    assert isinstance(frame, pd.DataFrame) and list(frame.index) == ["small vans", "large vans"]
    assert frame.attrs["baseline"] == "small vans" and frame.index.name == "scenario"
    assert list(frame.columns[:3]) == ["cost", "distance_km", "duration_h"]
    for name, plan in plans.items():
        assert frame.at[name, "cost"] == pytest.approx(plan.kpis["cost"])
        assert frame.at[name, "vehicles"] == plan.kpis["vehicles"]
    base, other = plans["small vans"].kpis, plans["large vans"].kpis
    assert frame.at["small vans", "cost_change_pct"] == 0
    assert frame.at["large vans", "cost_change_pct"] == pytest.approx(
        100 * (other["cost"] - base["cost"]) / base["cost"], abs=1e-3
    )
    # every KPI of the plans is a column, none dropped
    assert set(base) <= set(frame.columns)


def test_baseline_by_name_and_zero_baselines(plans):
    frame = L.compare(plans, baseline="large vans")
    assert frame.at["large vans", "distance_km_change_pct"] == 0
    assert frame.at["small vans", "distance_km_change_pct"] != 0
    # a figure that is 0 in the baseline: no change if it stays 0, undefined otherwise
    f = L.compare(
        {"a": {"cost": 10.0, "unserved": 0}, "b": {"cost": 12.0, "unserved": 0}, "c": {"cost": 8.0, "unserved": 3}}
    )
    assert f.at["b", "unserved_change_pct"] == 0 and math.isnan(f.at["c", "unserved_change_pct"])
    assert f.at["b", "cost_change_pct"] == pytest.approx(20.0) and f.at["c", "cost_change_pct"] == pytest.approx(-20)


def test_bad_input_names_the_scenario_and_field(tmp_path):
    with pytest.raises(L.ProblemError) as e:
        L.compare({})
    assert e.value.field == "scenarios"
    with pytest.raises(L.ProblemError) as e:
        L.compare({"a": {"cost": 1.0}}, baseline="z")
    assert (e.value.record, e.value.field) == ("z", "baseline")
    with pytest.raises(L.ProblemError) as e:
        L.compare({"a": {"cost": 1.0}, "missing": tmp_path / "nothing"})
    assert (e.value.record, e.value.field) == ("missing", "source")
    (tmp_path / "batch.json").write_text('{"format": "coldroute-batch/1", "jobs": []}')  # not a result folder
    with pytest.raises(L.ProblemError) as e:
        L.compare({"a": {"cost": 1.0}, "batch": tmp_path / "batch.json"})
    assert (e.value.record, e.value.field) == ("batch", "source")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "kpis.json").write_text("{not json")
    with pytest.raises(L.ProblemError) as e:
        L.compare({"broken": tmp_path / "broken"})
    assert e.value.record == "broken" and "JSON" in str(e.value)
    with pytest.raises(L.ProblemError) as e:
        L.compare({"odd": 42})
    assert e.value.record == "odd"


def test_result_folders_from_the_command_line(plans, tmp_path):
    dirs = []
    for name, plan in plans.items():
        d = tmp_path / name.replace(" ", "-")
        d.mkdir()
        (d / "kpis.json").write_text(json.dumps(plan.kpis))
        dirs.append(d)
    frame = L.compare(dict(zip(["x", "y"], dirs)))
    assert frame.at["y", "cost"] == pytest.approx(plans["large vans"].kpis["cost"])
    cli = [sys.executable, "-c", "from logistics.app.cli import app; app()", "compare", *map(str, dirs)]
    out = subprocess.run(
        cli + ["--baseline", "large-vans", "--json", "--csv", str(tmp_path / "c.csv")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["baseline"] == "large-vans" and set(data["scenarios"]) == {"small-vans", "large-vans"}
    assert data["scenarios"]["large-vans"]["cost_change_pct"] == 0
    back = pd.read_csv(tmp_path / "c.csv", index_col="scenario")
    assert back.at["small-vans", "cost"] == pytest.approx(plans["small vans"].kpis["cost"], rel=1e-9)
    table = subprocess.run(cli, capture_output=True, text=True, timeout=120)
    assert table.returncode == 0 and "small-vans" in table.stdout and "cost" in table.stdout and " %)" in table.stdout
    bad = subprocess.run(cli + ["--baseline", "nope"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "nope" in bad.stderr


# --------------------------------------------------------------------------- required orders left unserved


@pytest.fixture(scope="module")
def short_plans():
    """The same day with enough vans, and with one van that must leave required orders behind."""
    tm = grid_matrix(12, seed=3)
    orders = [L.Order(f"o{i}", {"goods": 10}, node_id=f"c{i}") for i in range(12)]
    out = {}
    for name, fleet in (("enough", van(count=4, cap=40.0, fixed_cost=50)), ("one van", van(count=1, cap=30.0))):
        problem = L.Problem(orders, [fleet], matrix=tm)
        plan = L.solve(problem, time_limit=1, seed=0, engine="ortools")
        check(problem, plan)
        out[name] = (problem, plan)
    return out


def test_a_plan_that_leaves_required_orders_unserved_is_flagged_and_ranked_last(short_plans):
    plans = {name: plan for name, (_, plan) in short_plans.items()}
    short = plans["one van"]
    assert short.kpis["required_unserved"] == 9 and plans["enough"].kpis["required_unserved"] == 0
    frame = L.compare(plans)
    assert frame.at["one van", "cost"] < frame.at["enough", "cost"]  # cheaper only by not doing the work
    assert frame.at["one van", "cost_change_pct"] < 0
    assert frame.at["one van", "required_unserved"] == 9 and frame.at["enough", "required_unserved"] == 0
    assert frame.at["one van", "flag"] == "leaves 9 required orders unserved" and frame.at["enough", "flag"] == ""
    assert list(frame["rank"]) == [1, 2] and frame.attrs["flagged"] == ["one van"]
    # the ranking holds whatever the baseline and the order of the scenarios
    frame = L.compare({"one van": short, "enough": plans["enough"]})
    assert frame.at["enough", "rank"] == 1 and frame.at["one van", "rank"] == 2


def test_total_cost_adds_the_penalties_of_required_orders():
    frame = L.compare(
        {
            "a": {"cost": 900.0, "unserved": 1, "required_unserved": 0, "penalty_cost": 40.0},
            "b": {"cost": 500.0, "unserved": 3, "required_unserved": 2, "required_penalty_cost": 800.0},
            "c": {"cost": 300.0, "unserved": 2},  # KPIs from elsewhere: whether they were required is unknown
        }
    )
    assert frame.at["a", "total_cost"] == 900.0 and frame.at["b", "total_cost"] == 1300.0
    assert frame.at["a", "penalty_cost"] == 40.0
    assert math.isnan(frame.at["c", "required_unserved"]) and "unknown" in frame.at["c", "flag"]
    assert frame.at["b", "flag"] == "leaves 2 required orders unserved"
    assert list(frame.sort_values("rank").index) == ["a", "c", "b"]  # flagged ones after, by total cost


def test_the_compare_command_flags_the_plan(short_plans, tmp_path):
    dirs = []
    for name, (problem, plan) in short_plans.items():
        d = tmp_path / name.replace(" ", "-")
        write_outputs(problem, plan, d)
        dirs.append(d)
    # a folder written before kpis.json counted required orders: validation.json still does
    old = json.loads((dirs[1] / "kpis.json").read_text())
    old.pop("required_unserved")
    (dirs[1] / "kpis.json").write_text(json.dumps(old))
    cli = [sys.executable, "-c", "from logistics.app.cli import app; app()", "compare", *map(str, dirs)]
    table = subprocess.run(cli, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert table.returncode == 0, table.stderr
    assert "leaves 9 required orders unserved" in table.stdout and "⚠" in table.stdout
    assert "total_cost" in table.stdout and "required_unserved" in table.stdout
    data = json.loads(subprocess.run(cli + ["--json"], capture_output=True, text=True, timeout=120).stdout)
    assert data["flagged"] == ["one-van"] and data["scenarios"]["one-van"]["required_unserved"] == 9
    assert data["scenarios"]["enough"]["rank"] == 1 and data["scenarios"]["one-van"]["rank"] == 2
