"""The reference-cost benchmark keeps the cheapest valid plan per day, never an invalid or incomplete one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_reference as B


class FakePlan:
    def __init__(self, cost: float):
        self.cost = cost

    def to_dict(self) -> dict:
        return {"cost": self.cost}


def row(cost: float, **kw) -> dict:
    base = {"day": "coldchain", "engine": "auto", "seed": 0, "time_limit": 30.0, "stop_early": True}
    return base | {"elapsed_s": 30.0, "cost": cost, "served": 170, "violations": 0, "required_unserved": 0} | kw


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setattr(B, "REFERENCE", tmp_path / "reference.json")
    monkeypatch.setattr(B, "PLANS", tmp_path / "reference")
    # the stand-in plans are no plans of the day: each stored one reads as still valid unless a test says not
    monkeypatch.setattr(B, "_valid_now", lambda day, entry: Path(entry["plan"]).is_file())
    return tmp_path


def test_keeps_the_cheapest_valid_plan_with_its_file(results):
    assert B._keep_if_best(FakePlan(9000.0), row(9000.0), B._reference())
    assert not B._keep_if_best(FakePlan(9100.0), row(9100.0, seed=1), B._reference())
    assert B._keep_if_best(FakePlan(8800.0), row(8800.0, seed=2, engine="pyvrp"), B._reference())
    ref = json.loads((results / "reference.json").read_text())["coldchain"]
    assert (ref["cost"], ref["engine"], ref["seed"]) == (8800.0, "pyvrp", 2)
    assert json.loads((results / "reference" / Path(ref["plan"]).name).read_text()) == {"cost": 8800.0}


def test_never_keeps_an_invalid_or_incomplete_plan(results):
    assert not B._keep_if_best(FakePlan(1.0), row(1.0, violations=2), B._reference())
    assert not B._keep_if_best(FakePlan(1.0), row(1.0, required_unserved=1), B._reference())
    assert B._reference() == {}


def test_a_reference_that_no_longer_validates_is_superseded(results, monkeypatch):
    assert B._keep_if_best(FakePlan(8000.0), row(8000.0), B._reference())
    monkeypatch.setattr(B, "_valid_now", lambda day, entry: False)  # e.g. a rule became the default since
    assert B._keep_if_best(FakePlan(9000.0), row(9000.0, seed=1), B._reference())
    ref = json.loads((results / "reference.json").read_text())
    assert ref["coldchain"]["cost"] == 9000.0
    assert (
        ref["superseded"]["coldchain"]["cost"] == 8000.0
        and "no longer validates" in ref["superseded"]["coldchain"]["superseded"]
    )


def test_the_stored_references_validate_as_the_library_builds_the_days_now():
    ref = json.loads((B.REFERENCE).read_text())
    assert B._valid_now("coldchain", ref["coldchain"]) and B._valid_now("tiers", ref["tiers"])
    assert not B._valid_now("tiers", ref["superseded"]["tiers"])  # found before the driving rule was the default
