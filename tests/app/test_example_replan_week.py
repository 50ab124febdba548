"""examples/replan_week.py runs and writes what it says (a re-planned day that validates, a week's days)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import logistics
from logistics.core.plan import Plan

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # about 50 s: a morning plan, a re-plan and two five-day weeks
def test_replan_week_example_runs(tmp_path):
    out = tmp_path / "rw"
    env = dict(os.environ, COLDROUTE_EXAMPLE_TIME="3", MPLBACKEND="Agg")
    p = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "replan_week.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tmp_path,
    )
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-3000:]
    assert "re-planned:" in p.stdout and "week (cluster)" in p.stdout
    changes = pd.read_csv(out / "changes.csv")
    assert {"moved", "cancelled"} <= set(changes["change"])
    plan = Plan.from_json(out / "replanned_plan.json")
    cancelled = changes.loc[changes["change"] == "cancelled", "order_id"].iloc[0]
    assert cancelled not in set(plan.stops["order_id"].dropna()) | set(plan.unserved["order_id"])
    served = set(plan.served_ids) | set(plan.unserved["order_id"])
    assert "CALL-1" in served
    problem = logistics.yanhu_demo(seed=0)
    assert {o.id for o in problem.orders} - {cancelled} <= served
    week = pd.read_csv(out / "week_assignment.csv")
    assert set(week["frequency"]) <= {1, 2} and len(week) == len(problem.orders)
