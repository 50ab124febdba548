"""The command line on three-tier days: solve, validate, compare, batch and demo on small tiered jobs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from logistics.app import cli
from logistics.app.batch import run_batch
from logistics.app.cli_display import SolveDisplay
from logistics.app.run_tiers import job_scenario, read_tiered_plan, tier_demo_job
from logistics.app.scenarios import yanhu_tier_day
from logistics.formats.jobfile import read_job

DATA = Path(__file__).parent.parent / "data" / "jobs"
TIERED = DATA / "tiered.yaml"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiers") / "day"
    r = invoke("solve", TIERED, "--out", out, "--offline", "--json")
    assert r.exit_code == 0, r.output
    return out, json.loads(r.stdout)


def test_solve_plans_the_tiers_and_checks_every_leg(solved):
    out, doc = solved
    assert doc["status"] == "ok" and doc["violations"] == []
    assert doc["kpis"]["served"] == 7 and doc["kpis"]["trunk_vehicles"] >= 1
    tp = read_tiered_plan(out / "plan.json", job_scenario(read_job(TIERED)))
    assert set(tp.problems) == {"trunk", *tp.last_mile}
    assert tp.validate(legs=True) == []
    for f in ("routes.geojson", "stops.csv", "transfers.csv", "unserved.csv", "kpis.json", "map.html", "timeline.png"):
        assert (out / f).is_file(), f


def test_outputs_carry_tier_and_leg(solved):
    out, _ = solved
    gj = json.loads((out / "routes.geojson").read_text(encoding="utf-8"))
    routes = [f["properties"] for f in gj["features"] if f["properties"].get("feature") != "stop"]
    assert routes and all(p["tier"] in ("trunk", "last_mile", "direct") and p["leg"] for p in routes)
    assert {"trunk", "last_mile"} <= {p["tier"] for p in routes}
    stops = pd.read_csv(out / "stops.csv")
    assert {"tier", "leg"} <= set(stops.columns) and stops["tier"].notna().all()
    transfers = pd.read_csv(out / "transfers.csv")
    down = transfers[transfers["direction"] == "down"]
    assert len(down) == 5  # every delivery is handed over at its station (none is served from the hub here)
    assert (transfers["wait_at_station"] >= 0).all() and "wait_at_station_min" in transfers.columns
    assert list(pd.read_csv(out / "unserved.csv").columns)[:3] == ["order_id", "leg", "reason"]
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    by_tier = kpis["tiers"]
    assert set(by_tier) == {"trunk", "last_mile", "direct"}
    total = sum(t["cost"] for t in by_tier.values())
    assert total == pytest.approx(kpis["cost"], rel=1e-6)
    assert by_tier["last_mile"]["stops"] == 7


def test_validate_runs_the_tier_rules_and_every_leg(solved, tmp_path):
    out, _ = solved
    r = invoke("validate", TIERED, out, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["count"] == 0
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    st = next(k for k in doc["legs"] if k != "trunk" and k != doc["hub"])
    van_stops = doc["legs"][st]["stops"]
    k = next(i for i, s in enumerate(van_stops) if s["kind"] == "delivery")
    van_stops[k]["arrival"] += 4 * 3600  # a van arriving hours later than it can: the leg check sees it
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    r = invoke("validate", TIERED, bad, "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["count"] > 0
    # the stations' opening hours are the job's: a job that now closes its station at noon fails the plan
    narrow = yaml.safe_load(TIERED.read_text(encoding="utf-8"))
    narrow["tiers"]["opening_hours"] = {"st-dongguo": ["12:00", "13:00"], "st-beixiang": ["12:00", "13:00"]}
    jobs = tmp_path / "jobs"
    shutil.copytree(DATA, jobs)
    (jobs / "narrow.yaml").write_text(yaml.safe_dump(narrow), encoding="utf-8")
    r = invoke("validate", jobs / "narrow.yaml", out, "--json")
    assert r.exit_code == 1 and any("opening_hours" in v for v in json.loads(r.stdout)["violations"]), r.output
    # a single-tier plan is not a tiered plan, and the other way round: bad input naming the format
    r = invoke("validate", DATA / "small.yaml", out, "--json")
    assert r.exit_code == 2 and json.loads(r.stdout)["field"] == "format"


def test_compare_reads_tiered_folders_beside_single_tier_ones(solved, tmp_path):
    out, _ = solved
    single = tmp_path / "single"
    assert invoke("solve", DATA / "small.yaml", "--out", single, "-t", 0.5, "-q", "--offline").exit_code == 0
    r = invoke("compare", out, single, "--json", "--csv", tmp_path / "c.csv")
    assert r.exit_code == 0, r.output
    scen = json.loads(r.stdout)["scenarios"]
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert scen["day"]["cost"] == pytest.approx(kpis["cost"])
    assert scen["day"]["tiers.trunk.cost"] == pytest.approx(kpis["tiers"]["trunk"]["cost"])
    assert "cost_change_pct" in scen["single"]


def test_batch_runs_tiered_and_single_tier_jobs(tmp_path):
    jobs = tmp_path / "jobs"
    shutil.copytree(DATA, jobs)
    res = run_batch([jobs / "tiered.yaml", jobs / "small.yaml"], tmp_path / "out", workers=0, time_limit=2)
    assert [r.status for r in res.records] == ["ok", "ok"], [r.error for r in res.records]
    tp = read_tiered_plan(tmp_path / "out" / "tiered" / "plan.json", job_scenario(read_job(jobs / "tiered.yaml")))
    assert tp.validate(legs=True) == []
    assert (tmp_path / "out" / "tiered" / "transfers.csv").is_file()


BAD = [
    ({"opening_hours": {"st-dongguo": ["18:00", "06:00"]}}, "tiers.opening_hours.st-dongguo"),
    ({"last_mile_fleet": {"nowhere": []}}, "tiers.last_mile_fleet.nowhere"),
    ({"cold_store_capacity": {"st-dongguo": "lots"}}, "tiers.cold_store_capacity.st-dongguo"),
    ({"direct_from_hub": ["st-dongguo"]}, "tiers.direct_from_hub[0]"),
]


@pytest.mark.parametrize(("change", "field"), BAD, ids=[f for _, f in BAD])
def test_bad_tiered_jobs_exit_2_naming_the_field(tmp_path, change, field):
    jobs = tmp_path / "jobs"
    shutil.copytree(DATA, jobs)
    doc = yaml.safe_load(TIERED.read_text(encoding="utf-8"))
    doc["tiers"].update(change)
    (jobs / "bad.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    r = invoke("solve", jobs / "bad.yaml", "--out", tmp_path / "r", "--json")
    assert r.exit_code == 2, r.output
    assert json.loads(r.stdout)["field"].startswith(field) and field in r.stderr
    assert "Traceback" not in r.output and not (tmp_path / "r").exists()


def test_progress_line_shows_the_leg_and_the_cost():
    shown = []

    class Spy:
        def update(self, task, **fields):
            shown.append(fields)

    display = SolveDisplay("day", 10, enabled=False)
    display.progress = Spy()  # type: ignore[assignment]
    display.leg("last mile", 1234.5)
    assert shown == [{"description": "last mile: day", "best": 1234.5}]


def test_demo_plans_the_three_tier_day(tmp_path):
    out = tmp_path / "demo"
    r = invoke("demo", "--out", out, "--time-limit", 3, "--offline", "--json")
    assert r.exit_code in (0, 1), r.output
    doc = json.loads(r.stdout)
    day = yanhu_tier_day(0)
    assert doc["violations"] == []
    assert doc["kpis"]["served"] + doc["kpis"]["unserved"] == len(day.orders)
    assert doc["kpis"]["trunk_vehicles"] >= 1 and doc["kpis"]["transfers"] > 0
    assert read_tiered_plan(out / "plan.json", day).validate(legs=True) == []
    # the same day as a job (what the scenario commands read) plans and checks the same way
    job = tier_demo_job(0)
    assert job.tiers is not None and {o.id for o in job.problem.orders} == {o.id for o in day.orders}
    assert read_tiered_plan(out / "plan.json", job_scenario(job)).validate(legs=True) == []
    assert (out / "map.html").is_file() and (out / "timeline.png").is_file() and (out / "transfers.csv").is_file()
    r = invoke("validate", "demo:0", out, "--json")
    assert r.exit_code == 0, r.output
    # the README says what `make demo` (coldroute demo --out out) writes: exactly these files
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    para = readme.split("`make demo` plans", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"`([a-z_]+\.(?:geojson|csv|json|html|png))`", para))
    assert named == {p.name for p in out.iterdir()} - {"_SUCCESS"}


BAD_PLANS = [
    (("legs", "trunk", "stops", 1, "arrival"), "08:00", "legs.trunk.stops[1].arrival"),
    (("transfers", 0, "trunk_arrival"), [1], "transfers[0].trunk_arrival"),
    (("transfers", 0, "station"), None, "transfers[0].station"),
    (("legs",), [], "legs"),
    (("format",), "coldroute-plan/1", "format"),
    (("problems", "trunk", "nodes"), ["hub", "nowhere"], "problems.trunk"),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD_PLANS, ids=[f for *_, f in BAD_PLANS])
def test_bad_tiered_plan_documents_exit_2_naming_the_field(solved, tmp_path, path, value, field):
    out, _ = solved
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    cur = doc
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    r = invoke("validate", TIERED, bad, "--json")
    assert r.exit_code == 2, r.output
    assert json.loads(r.stdout)["field"] == field and "Traceback" not in r.output


def test_solve_reports_each_leg_to_the_progress_line(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(SolveDisplay, "leg", lambda self, leg, cost: seen.append((leg, cost)))
    r = invoke("solve", TIERED, "--out", tmp_path / "r", "-q", "--offline", "-t", 2)
    assert r.exit_code == 0, r.output
    legs = [leg for leg, _ in seen]
    assert legs[:2] == ["trunk outbound", "last mile"] and legs[-1] == "trunk inbound"
    assert seen[-1][1] > 0  # the cost of the legs planned before the inbound trunk
