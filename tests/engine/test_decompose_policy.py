"""The decomposition policy: chosen from the estimated build time of the whole model, kept in SolveOptions."""

from __future__ import annotations

import pytest
from helpers import check, grid_matrix, van

import logistics as L
from logistics.core.shares import DECOMPOSE_FACTOR, WHOLE_BUILD_SHARE, WHOLE_REFUSE_SHARE
from logistics.engine.solve import choose_policy


def test_cheap_builds_are_solved_whole_and_slow_builds_decomposed():
    # a 1,000-customer classic day builds in ~0.2 s of a 120 s limit: whole (decomposed was 34-56 % worse)
    assert choose_policy(1000, 0.2, 120.0)[0] == "whole"
    assert choose_policy(1000, WHOLE_BUILD_SHARE * 60.0, 60.0)[0] == "whole"
    # a 2,000-stop Yanhu day is estimated at ~48 s of a 60 s limit: decomposed (whole served nothing)
    chosen, why = choose_policy(2000, 48.0, 60.0)
    assert chosen == "decomposed" and "build" in why
    assert choose_policy(2000, WHOLE_BUILD_SHARE * 60.0 + 0.01, 60.0)[0] == "decomposed"


def test_days_up_to_twice_max_part_are_whole_without_an_estimate():
    assert choose_policy(DECOMPOSE_FACTOR * 400, None, 1.0)[0] == "whole"
    assert choose_policy(DECOMPOSE_FACTOR * 400, 100.0, 1.0)[0] == "whole"
    assert choose_policy(DECOMPOSE_FACTOR * 400 + 1, None, 60.0)[0] == "estimate"
    small_parts = L.SolveOptions(max_part=100)
    assert choose_policy(DECOMPOSE_FACTOR * 100 + 1, 59.0, 60.0, small_parts)[0] == "decomposed"


def test_the_caller_can_force_either_and_an_impossible_whole_search_is_refused():
    force = L.SolveOptions(decompose=True)
    never = L.SolveOptions(decompose=False)
    assert choose_policy(10, 0.1, 60.0, force)[0] == "decomposed"
    assert choose_policy(2000, 48.0, 60.0, never)[0] == "refuse"
    assert choose_policy(2000, WHOLE_REFUSE_SHARE * 60.0, 60.0, never)[0] == "whole"
    assert choose_policy(2000, 20.0, 60.0, never) == ("whole", "decompose=False")


def test_decompose_and_max_part_are_solve_options_and_checked():
    opts = L.SolveOptions(decompose=True, max_part=60)
    assert opts.decompose is True and opts.max_part == 60
    assert L.SolveOptions().decompose is None
    with pytest.raises(L.ProblemError) as e:
        L.SolveOptions(max_part=1)
    assert e.value.field == "max_part"
    with pytest.raises(L.ProblemError) as e:
        L.SolveOptions(decompose="yes")
    assert e.value.field == "decompose"
    with pytest.raises(L.ProblemError) as e:
        L.SolveOptions(cooperative=1)
    assert e.value.field == "cooperative"


def mid_day(n: int = 300) -> L.Problem:
    tm = grid_matrix(n, seed=5, size=30_000.0)
    orders = [L.Order(f"o{i}", {"goods": 2}, node_id=f"c{i}", service=120) for i in range(n)]
    return L.Problem(orders, [van(n // 10, cap=40)], matrix=tm, name="mid", strict=False)


def test_options_object_decides_decomposition_as_the_shortcuts_do():
    # a day over twice max_part with a cheap model: the options' policy solves it whole, decompose=True splits it
    p = mid_day()
    whole = L.solve(p, L.SolveOptions(time_limit=6, iterations=150, max_part=100, workers=1))
    check(p, whole)
    assert whole.meta["policy"]["chosen"] == "whole" and "decomposed" not in whole.meta
    parts = L.solve(p, L.SolveOptions(time_limit=8, iterations=100, max_part=100, decompose=True, workers=1))
    check(p, parts)
    assert parts.meta["policy"]["chosen"] == "decomposed" and parts.meta["decomposed"] >= 3
    assert max(parts.meta["part_sizes"]) <= 100


def test_bench_decompose_judges_each_kind_by_its_own_measure(tmp_path, capsys):
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import bench_decompose as B

    cheap_but_short = {"cost": 100.0, "unserved": 3, "violations": 0}
    dear_but_full = {"cost": 120.0, "unserved": 0, "violations": 0}
    # classic: every customer must be served; Yanhu: optional orders, their penalties are in the cost
    assert B.better(dear_but_full, cheap_but_short, "homberger") == "decomposed"
    assert B.better(dear_but_full, cheap_but_short, "yanhu") == "whole"
    assert B.better(dear_but_full, {"refused": "too short", "elapsed_s": 0.1}, "yanhu") == "decomposed"
    row = {"case": "yanhu:400:60:200", "kind": "yanhu", "orders": 400, "time_limit": 60.0, "max_part": 200}
    row |= {"build_estimate_s": 1.0, "default": "whole", "decomposed": dear_but_full, "whole": cheap_but_short}
    row |= {"better": "decomposed", "default_is_better": False}
    old = tmp_path / "old.txt"
    old.write_text("table\n" + json.dumps({"seed": 0, "rows": [row], "default_wrong": [row["case"]]}) + "\n")
    assert B.main(["--rejudge", str(old)]) == 0
    head = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert head["rows"][0]["better"] == "whole" and head["default_wrong"] == []
