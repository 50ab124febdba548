"""Classic benchmarks end to end: read_instance -> solve -> validate, close to best-known values."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from logistics import read_instance, solve, validate

DATA = Path(__file__).parent.parent / "data"


def distance(plan, problem) -> float:
    return float(plan.stops["travel_distance"].sum()) / problem.meta["scale"]


@pytest.mark.parametrize(
    "rel,bks,limit",
    [
        ("solomon/c101.txt", 827.3, 5.0),  # DIMACS distance-only optimum (arcs truncated to 0.1)
        ("cvrplib/E-n22-k4.vrp", 375, 3.0),  # TSPLIB nint optimum
    ],
)
def test_classic_within_one_percent(rel, bks, limit):
    problem = read_instance(DATA / rel)
    assert problem.meta["bks"] == bks
    t = time.perf_counter()
    plan = solve(problem, time_limit=limit, seed=0)
    elapsed = time.perf_counter() - t
    assert elapsed < limit + 5
    assert len(plan.unserved) == 0
    assert validate(problem, plan) == []
    cost = distance(plan, problem)
    assert bks - 1e-6 <= cost <= bks * 1.01, cost


def test_lilim_plan_is_valid():
    problem = read_instance(DATA / "lilim" / "lc101.txt")
    plan = solve(problem, time_limit=4, seed=0)
    assert len(plan.unserved) == 0
    assert validate(problem, plan) == []
    assert distance(plan, problem) <= problem.meta["bks"] * 1.02


def test_cordeau_plan_is_valid():
    problem = read_instance(DATA / "mdvrp" / "p01.txt")
    plan = solve(problem, time_limit=3, seed=0)
    assert len(plan.unserved) == 0
    assert validate(problem, plan) == []
    assert distance(plan, problem) <= problem.meta["bks"] * 1.02


def test_bench_classic_script_prints_json_last(tmp_path):
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [
            sys.executable,
            str(root / "benchmarks" / "bench_classic.py"),
            "solomon",
            "c101",
            "--time-limit",
            "1",
            "--data",
            str(DATA),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    head = json.loads(out.stdout.strip().splitlines()[-1])
    assert head["set"] == "solomon" and head["instances"] == 1 and head["violations"] == 0
    assert head["baseline_mean_gap_pct"] is not None and head["mean_gap_pct"] is not None
    assert "c101" in out.stdout
