"""Time-bound searches end once they have converged, so small jobs answer in a fraction of their limit."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import logistics as L
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions
from logistics.engine.solvers.ortools.search import polish_stall_s
from logistics.engine.solvers.pyvrp.portfolio import _second_seed, converges_in_s, stall_iterations
from logistics.formats.instances import read_instance

SOLOMON = Path(__file__).resolve().parents[1] / "data" / "solomon"


def _small_job(n: int = 25) -> L.Problem:
    problem = read_instance(sorted(SOLOMON.glob("*.txt"))[0])
    return dataclasses.replace(problem, orders=problem.orders[:n])


def test_stall_spans_grow_with_the_size_and_keep_their_floor():
    spans = [stall_iterations(n) for n in (0, 1, 25, 100, 200, 1000)]
    assert spans == sorted(spans) and spans[0] >= 200
    # above the longest stretch between two improvements measured at each size (see core.shares)
    assert stall_iterations(25) > 38 and stall_iterations(100) > 2_891 and stall_iterations(200) > 5_310
    assert polish_stall_s(0) == polish_stall_s(10) > 0
    assert polish_stall_s(1000) > polish_stall_s(100) > polish_stall_s(10)


def test_a_job_that_converges_quickly_runs_one_seed_and_a_large_one_may_run_two():
    assert converges_in_s(25) < converges_in_s(400)
    assert not _second_seed(10.0, None, None, 25)  # converged before a second interpreter would start
    assert not _second_seed(10.0, None, 1, 400)  # workers=1 still means one process
    # an iteration bound keeps the machine-independent choice, whatever the size
    assert _second_seed(10.0, 500, 2, 25)


def test_a_small_job_stops_on_convergence_long_before_its_limit():
    problem = _small_job()
    plan = L.solve(problem, options=SolveOptions(time_limit=60, seed=0))
    assert L.validate(problem, plan) == []
    assert plan.meta["skeleton_stopped"] == "converged"
    assert plan.kpis["served"] == len(problem.orders)


def test_stop_early_false_searches_to_the_limit():
    problem = _small_job()
    plan = L.solve(problem, options=SolveOptions(time_limit=1.5, seed=0, stop_early=False))
    assert L.validate(problem, plan) == []
    assert plan.meta["skeleton_stopped"] == "limit"


def test_iteration_bound_runs_never_stop_on_a_stall():
    problem = _small_job()
    a = L.solve(problem, options=SolveOptions(time_limit=30, seed=3, iterations=300))
    b = L.solve(problem, options=SolveOptions(time_limit=30, seed=3, iterations=300))
    assert L.validate(problem, a) == []
    assert a.meta["skeleton_stopped"] == "limit"
    assert a.stops[["vehicle", "order_id"]].equals(b.stops[["vehicle", "order_id"]])


def test_stop_early_must_be_a_boolean():
    with pytest.raises(ProblemError) as e:
        SolveOptions(stop_early="yes")  # type: ignore[arg-type]
    assert e.value.field == "stop_early"


def test_a_small_cold_chain_day_stops_both_searches_on_convergence():
    from logistics.app.scenarios import yanhu_demo

    day = yanhu_demo(0)
    problem = dataclasses.replace(day, orders=day.orders[:20])
    plan = L.solve(problem, options=SolveOptions(time_limit=60, seed=0))
    assert L.validate(problem, plan) == []
    assert plan.meta["exact"] is False  # OR-Tools searches after PyVRP here
    assert plan.meta["skeleton_stopped"] == "converged"
    assert plan.meta.get("stopped") == "converged"
