"""The coldroute command line: commands, --json, --quiet and the documented exit codes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import logistics
from logistics.app import cli
from logistics.core.plan import Plan
from logistics.formats.jobfile import load_job

DATA = Path(__file__).parent.parent / "data" / "jobs"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


@pytest.fixture
def jobdir(tmp_path):
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    return d


def test_help_lists_commands_examples_and_exit_codes():
    r = invoke("--help")
    assert r.exit_code == 0
    for word in (
        "demo",
        "solve",
        "batch",
        "validate",
        "bench",
        "vroom",
        "Exit codes",
        "Examples",
        "coldroute solve jobs/monday.yaml",
    ):
        assert word in r.output, word
    r = invoke("batch", "--help")
    assert r.exit_code == 0 and "--scheduler" in r.output and "--workers" in r.output


def test_solve_writes_results_and_exits_0(tmp_path):
    out = tmp_path / "res"
    r = invoke("solve", DATA / "small.yaml", "--out", out, "--time-limit", 1, "--engine", "ortools")
    assert r.exit_code == 0, r.output
    assert "small-day" in r.stdout and "status" in r.stdout
    assert (out / "_SUCCESS").is_file() and (out / "map.html").is_file()
    problem, _ = load_job(DATA / "small.yaml")
    assert logistics.validate(problem, Plan.from_json(out / "plan.json")) == []


def test_solve_json_is_machine_readable(tmp_path):
    r = invoke("solve", DATA / "small.yaml", "--out", tmp_path / "r", "-t", 0.5, "--json", "--offline")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["status"] == "ok" and doc["exit_code"] == 0 and doc["kpis"]["served"] == 7
    assert doc["violations"] == []
    html = (tmp_path / "r" / "map.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", html)


def test_quiet_prints_nothing(tmp_path):
    r = invoke("solve", DATA / "small.yaml", "--out", tmp_path / "r", "-t", 0.5, "--quiet")
    assert r.exit_code == 0 and r.stdout.strip() == ""


def test_bad_input_exits_2_and_names_the_field(jobdir, tmp_path):
    text = (jobdir / "small.yaml").read_text(encoding="utf-8").replace("count: 2", "count: -1")
    (jobdir / "bad.yaml").write_text(text, encoding="utf-8")
    r = invoke("solve", jobdir / "bad.yaml", "--out", tmp_path / "r", "--json")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["status"] == "error" and doc["field"] == "fleet[0].count"
    assert "fleet[0].count" in r.stderr
    assert not (tmp_path / "r").exists()
    r = invoke("solve", jobdir / "missing.yaml", "--out", tmp_path / "r")
    assert r.exit_code == 2 and "not found" in r.stderr


def test_path_escape_needs_allow_outside(jobdir, tmp_path):
    shutil.copy(jobdir / "orders.csv", tmp_path / "outside.csv")
    text = (jobdir / "small.yaml").read_text(encoding="utf-8").replace("orders: orders.csv", "orders: ../outside.csv")
    (jobdir / "esc.yaml").write_text(text, encoding="utf-8")
    r = invoke("solve", jobdir / "esc.yaml", "--out", tmp_path / "r1", "-t", 0.5)
    assert r.exit_code == 2 and "--allow-outside" in r.stderr
    r = invoke("solve", jobdir / "esc.yaml", "--out", tmp_path / "r2", "-t", 0.5, "--allow-outside", "-q")
    assert r.exit_code == 0


def test_unserved_required_order_exits_1(jobdir, tmp_path):
    csv = (jobdir / "orders.csv").read_text(encoding="utf-8")
    # o4's window closes before any vehicle can get there
    (jobdir / "orders.csv").write_text(
        csv.replace("o4,v-xiayue,delivery,15,0,25,09:00,15:00", "o4,v-xiayue,delivery,15,0,25,00:00,00:01"),
        encoding="utf-8",
    )
    r = invoke("solve", jobdir / "small.yaml", "--out", tmp_path / "r", "-t", 0.5, "--json")
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)
    assert doc["status"] == "unserved" and doc["required_unserved"] == 1
    unserved = (tmp_path / "r" / "unserved.csv").read_text(encoding="utf-8")
    assert "o4" in unserved and "window" in unserved
    problem, _ = load_job(jobdir / "small.yaml")
    assert logistics.validate(problem, Plan.from_json(tmp_path / "r" / "plan.json")) == []


def test_internal_error_exits_3(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(cli.J, "run_problem", boom)
    r = invoke("solve", DATA / "small.yaml", "--out", tmp_path / "r")
    assert r.exit_code == 3 and "internal error" in r.stderr and "solver exploded" in r.stderr


def test_validate_command(tmp_path):
    out = tmp_path / "r"
    assert invoke("solve", DATA / "small.yaml", "--out", out, "-t", 0.5, "-q").exit_code == 0
    r = invoke("validate", DATA / "small.yaml", out)
    assert r.exit_code == 0 and "feasible" in r.stdout
    r = invoke("validate", DATA / "small.yaml", out / "plan.json", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == {"violations": [], "count": 0}
    # tamper with the plan: a stop arrives earlier than the matrix allows
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    doc["stops"][1]["arrival"] -= 600
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    r = invoke("validate", DATA / "small.yaml", tmp_path / "bad.json", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["count"] >= 1
    r = invoke("validate", DATA / "small.yaml", tmp_path / "nothing.json")
    assert r.exit_code == 2


def test_batch_command(tmp_path, jobdir):
    (jobdir / "broken.yaml").write_text("orders: []\n", encoding="utf-8")
    r = invoke(
        "batch",
        jobdir / "small.yaml",
        jobdir / "broken.yaml",
        "--out",
        tmp_path / "b",
        "--workers",
        0,
        "-t",
        0.5,
        "--json",
    )
    doc = json.loads(r.stdout)
    assert r.exit_code == 2
    status = {j["name"]: j["status"] for j in doc["jobs"]}
    assert status == {"small": "ok", "broken": "failed"}
    r = invoke("batch", jobdir / "small.yaml", "--out", tmp_path / "b", "--workers", 0)
    assert r.exit_code == 0 and "skipped" in r.stdout


def test_vroom_command(tmp_path):
    out = tmp_path / "sol.json"
    r = invoke("vroom", "-i", DATA / "vroom_matrix.json", "--output", out, "-l", 0.5, "--engine", "ortools")
    assert r.exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["code"] == 0 and doc["summary"]["routes"] >= 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"vehicles": [{"id": 1}], "jobs": [{"id": 1, "location": [1, 2]}]}))
    r = invoke("vroom", bad)
    assert r.exit_code == 2
    assert json.loads(r.stdout)["code"] == 2


def test_bench_forwards_to_the_script(monkeypatch, tmp_path):
    script = tmp_path / "benchmarks" / "bench_classic.py"
    script.parent.mkdir()
    script.write_text("import sys\nprint('ARGS', sys.argv[1:])\nsys.exit(4)\n", encoding="utf-8")
    monkeypatch.setattr(cli, "_bench_script", lambda: script)
    calls = []
    real_call = subprocess.call

    def call(args, **kw):
        calls.append(args)
        return real_call(args, **kw)

    monkeypatch.setattr(cli.subprocess, "call", call)
    r = invoke("bench", "solomon", "c101", "--time-limit", 5)
    assert r.exit_code == 4
    assert calls[0][1:] == [str(script), "solomon", "c101", "--time-limit", "5"]
    monkeypatch.setattr(cli, "_bench_script", lambda: None)
    assert invoke("bench", "solomon").exit_code == 2


def test_installed_entry_point(tmp_path):
    exe = Path(sys.executable).with_name("coldroute")
    if not exe.exists():
        pytest.skip("the coldroute script is not installed in this environment")
    p = subprocess.run(
        [str(exe), "solve", str(DATA / "small.yaml"), "--out", str(tmp_path / "r"), "-t", "0.5", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["status"] == "ok"


def test_serve_is_listed_in_help_and_the_app_entry_points_to_the_console_script():
    # the coldroute console script hands `serve` to the service layer; the command line lists it
    assert "serve" in invoke("--help").output
    r = invoke("serve", "--db", "sqlite:///x.db")
    assert r.exit_code == 2
    assert "coldroute serve" in r.output
