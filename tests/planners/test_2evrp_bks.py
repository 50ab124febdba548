"""The 2E-VRP best-known file of the benchmarks: it parses, names instances that exist, keeps its sources."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest
from conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "bench_2evrp.py"
BKS_FILE = ROOT / "benchmarks" / "data" / "2evrp_bks.csv"
DATA = SHARED_DATA / "2evrp"

_spec = importlib.util.spec_from_file_location("bench_2evrp", BENCH)
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_2evrp"] = bench
_spec.loader.exec_module(bench)


def _raw_rows() -> list[dict[str, str]]:
    with open(BKS_FILE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_file_parses_with_every_row():
    rows = _raw_rows()
    best = bench.load_bks(BKS_FILE)
    assert rows, "the best-known file has no rows"
    assert set(best) == {r["instance"] for r in rows}
    assert len(best) == len(rows)  # no instance named twice
    for r in rows:
        b = best[r["instance"]]
        assert b.bks == float(r["bks"])
        assert b.optimal == (r["optimal"] == "yes")


def test_values_positive_sourced_dated_and_of_a_known_convention():
    for b in bench.load_bks(BKS_FILE).values():
        assert b.bks > 0, b.instance
        assert len(b.source) > 20, f"{b.instance}: source too short to find the value again"
        assert b.convention in bench.CONVENTIONS, b.instance
        assert b.kind in bench.KINDS, b.instance
        if b.kind == "working-data":  # weaker evidence: the source must say so itself
            assert "unpublished" in b.source, b.instance
        assert dt.date.fromisoformat(b.looked_up) <= dt.date.today()


def test_every_instance_exists_in_the_data_folder():
    if not DATA.is_dir():
        pytest.skip(f"2E-VRP data not found at {DATA}")
    missing = [name for name in bench.load_bks(BKS_FILE) if not (DATA / f"{name}.dat").is_file()]
    assert not missing, f"named in {BKS_FILE.name} but not in {DATA}: {missing}"


def test_set_of_names_the_set_prefix():
    assert bench.set_of("Set2a_E-n22-k4-s10-14") == "Set2a"
    assert bench.set_of("Set6b_A-n101-4") == "Set6b"


HEADER = "instance,bks,optimal,source,convention,looked_up,kind\n"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("Set2a_X,-3,yes,Some table of some paper,euclid-2dp,2026-01-01,published", "bks"),
        ("Set2a_X,abc,yes,Some table of some paper,euclid-2dp,2026-01-01,published", "bks"),
        ("Set2a_X,371.5,maybe,Some table of some paper,euclid-2dp,2026-01-01,published", "optimal"),
        ("Set2a_X,371.5,yes,,euclid-2dp,2026-01-01,published", "source"),
        ("Set2a_X,371.5,yes,Some table of some paper,rounded-int,2026-01-01,published", "convention"),
        ("Set2a_X,371.5,yes,Some table of some paper,euclid-2dp,07/12/2026,published", "looked_up"),
        ("Set2a_X,371.5,yes,Some table of some paper,euclid-2dp,2026-01-01,hearsay", "kind"),
        ("Set2a_X,371.5,yes,Some table of some paper,euclid-2dp,2026-01-01,", "kind"),
    ],
)
def test_a_bad_row_is_refused_naming_line_and_field(tmp_path, line, field):
    path = tmp_path / "bks.csv"
    path.write_text(HEADER + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"bks\.csv:2: field '{field}'"):
        bench.load_bks(path)


def test_a_duplicate_instance_or_missing_column_is_refused(tmp_path):
    row = "Set2a_X,371.5,yes,Some table of some paper,euclid-2dp,2026-01-01,published\n"
    dup = tmp_path / "dup.csv"
    dup.write_text(HEADER + row + row, encoding="utf-8")
    with pytest.raises(ValueError, match="named twice"):
        bench.load_bks(dup)
    short = tmp_path / "short.csv"
    short.write_text("instance,bks\nSet2a_X,371.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        bench.load_bks(short)


def test_per_set_means_only_over_instances_with_a_gap():
    def row(name, gap, violations=0):
        return {"set": bench.set_of(name), "gap_pct": gap, "violations": violations, "unserved": 0, "seconds": 1.0}

    rows = [row("Set2a_a", 1.0), row("Set2a_b", 3.0), row("Set2a_c", None), row("Set3_a", None, violations=2)]
    by_set = {s["set"]: s for s in bench.per_set(rows)}
    assert by_set["Set2a"]["instances"] == 3 and by_set["Set2a"]["with_bks"] == 2
    assert by_set["Set2a"]["mean_gap_pct"] == pytest.approx(2.0)
    assert by_set["Set2a"]["max_gap_pct"] == pytest.approx(3.0)
    assert by_set["Set3"]["mean_gap_pct"] is None and by_set["Set3"]["feasible"] == 0


def test_family_groups_the_lettered_sets():
    assert bench.family_of("Set2a") == bench.family_of("Set2c") == "Set2"
    assert bench.family_of("Set3") == "Set3" and bench.family_of("Set6b") == "Set6"


def test_per_family_means_gaps_and_cost_ratios_against_the_previous_starts():
    def row(name, gap, base_gap, ratio):
        s = bench.set_of(name)
        return {
            "set": s,
            "family": bench.family_of(s),
            "gap_pct": gap,
            "base_gap_pct": base_gap,
            "ratio": ratio,
            "violations": 0,
            "unserved": 0,
            "seconds": 1.0,
        }

    rows = [row("Set2a_a", 0.0, 4.0, 0.96), row("Set2b_a", 2.0, 2.0, 1.0), row("Set2c_a", None, None, None)]
    fam = {s["set"]: s for s in bench.per_set(rows, "family")}
    assert list(fam) == ["Set2"] and fam["Set2"]["instances"] == 3 and fam["Set2"]["with_bks"] == 2
    assert fam["Set2"]["mean_gap_pct"] == pytest.approx(1.0)
    assert fam["Set2"]["base_mean_gap_pct"] == pytest.approx(3.0)
    assert fam["Set2"]["mean_ratio"] == pytest.approx(0.98)


def test_a_truncated_value_is_met_by_a_cost_that_truncates_to_it():
    # 730.1625 printed by a source that truncates to one decimal is 730.1: a plan at it has gap 0
    assert bench.compared_cost(730.1625, "euclid-1dp-trunc") == pytest.approx(730.1)
    assert bench.compared_cost(730.1999, "euclid-1dp-trunc") == pytest.approx(730.1)
    assert bench.compared_cost(730.2, "euclid-1dp-trunc") == pytest.approx(730.2)  # no float fuzz below it
    assert bench.compared_cost(371.4985, "euclid-2dp") == 371.4985  # two decimals: compared as it is


def test_the_gap_of_a_run_uses_the_convention_of_its_value(monkeypatch):
    class Solution:
        def __init__(self):
            self.cost = 731.05
            self.unserved, self.first_level, self.second_level, self.meta = [], [], [], {}

        def violations(self):
            return []

    class Instance:
        name = "Set2a_E-n33-k4-s1-9"
        n_customers = 32
        n_satellites = 2

    monkeypatch.setattr(bench, "solve_2evrp", lambda *a, **k: Solution())
    args = type("Args", (), {"time_limit": 1.0, "seed": 0, "workers": 1})()
    best = {
        "Set2a_E-n33-k4-s1-9": bench.BestKnown(
            "Set2a_E-n33-k4-s1-9", 730.1, True, "x" * 30, "euclid-1dp-trunc", "2026-12-07", "working-data"
        )
    }
    row = bench.run_one(Instance(), args, best, None)
    assert row["kind"] == "working-data"
    assert row["gap_pct"] == pytest.approx(100 * (731.0 - 730.1) / 730.1)  # 731.05 truncates to 731.0
    assert bench.run_one(Instance(), args, {}, None)["gap_pct"] is None  # no value, no gap
