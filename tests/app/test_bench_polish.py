"""The polish benchmark's freshness split adds up to the plan's own figure, and the benchmark reads OR-Tools' log."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import logistics as L
from logistics.core.costs import freshness_by_kind

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_polish as B  # noqa: E402

KEPT = ROOT / "benchmarks" / "results" / "reference" / "coldchain-auto-seed4-30s-relaxed-share-085.json"


def test_freshness_split_adds_up_to_the_plans_quality_loss():
    problem = L.yanhu_demo(0)
    plan = L.Plan.from_dict(json.loads(KEPT.read_text()))
    assert L.validate(problem, plan) == []
    split = freshness_by_kind(problem, plan)
    down, up = split["delivery"], split["pickup"]
    assert down > 0 and up > 0  # the day has both deliveries and produce that age
    assert down + up == pytest.approx(plan.kpis["quality_loss"], abs=1e-3)  # kpis are rounded to 4 places


def test_variants_take_out_what_they_name():
    built = B._day("as built")
    assert all(vt.max_driving_h is not None for vt in built.fleet)
    assert all(vt.max_driving_h is None for vt in B._day("no rests").fleet)
    fresh = B._day("no freshness")
    assert all(r == 0 for r in fresh.costs.decay_per_h.values())
    assert all(p.decay_per_h is None for p in fresh.products.values())
    neither = B._day("neither")
    assert all(vt.max_driving_h is None for vt in neither.fleet) and not any(neither.costs.decay_per_h.values())


def test_reads_the_search_log_line():
    line = (
        "I0000 search.cc:310] Finished search tree (time = 4273 ms, branches = 13344, failures = 10859, "
        "neighbors = 959, filtered neighbors = 35, accepted neigbors = 0, memory used = 166.02 MB)"
    )
    assert B.FINISHED.findall(line) == [("4273", "959", "35", "0")]
