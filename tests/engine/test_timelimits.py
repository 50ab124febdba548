"""Hard time limits: ``solve`` returns within the limit plus a small overhead, even when OR-Tools struggles.

The instances come from ``benchmarks/bench_timelimit.py``: tightly constrained
days (narrow windows, shelf-limited chilled goods beside pickups, a mixed fleet
with many vehicles).  Wall-clock bounds depend on the machine and its load, so
the default run checks what the solver *did*: a plan for every order, and the
budget it handed out as recorded in ``plan.meta`` (the reserve for reports, the
PyVRP and OR-Tools limits), which must fit in the limit whatever the load.  The
elapsed time is compared with ``limit * 1.1 + 1 s`` only when
``COLDROUTE_TIMING=1`` (``make test-timing``); ``benchmarks/bench_timelimit.py``
measures the actual overruns.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import check

import logistics as L
from logistics.core.shares import MIN_SEARCH_S
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.ortools.model import OrtoolsModel
from logistics.engine.whole import report_reserve_s

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_timelimit import hard_problem

TIMING = os.environ.get("COLDROUTE_TIMING") == "1"


def bound(limit: float) -> float:
    return limit * 1.1 + 1.0


def assert_keeps_limit(plan: L.Plan, problem: L.Problem, limit: float, elapsed: float) -> None:
    """The budget the solver handed out fits in ``limit``; with COLDROUTE_TIMING=1 the wall clock too."""
    m = plan.meta
    assert m["time_limit"] == limit
    reserve = report_reserve_s(limit, len(problem.orders))
    assert m["reserve_s"] == pytest.approx(reserve, abs=1e-4)
    # OR-Tools gets what is left of the limit after the reserve, never more (MIN_SEARCH_S at least)
    assert m["search_limit_s"] <= max(MIN_SEARCH_S, limit - reserve) + 1e-4, m
    if "skeleton_limit_s" in m:  # PyVRP's share ends before OR-Tools' reading of its routes
        assert m["skeleton_limit_s"] <= limit - reserve + 1e-4, m
    assert m["elapsed_s"] > 0
    if TIMING:
        assert elapsed <= bound(limit), m


def timed_solve(problem: L.Problem, limit: float, **kw) -> tuple[L.Plan, float]:
    t0 = time.perf_counter()
    plan = L.solve(problem, time_limit=limit, **kw)
    return plan, time.perf_counter() - t0


@pytest.mark.parametrize("engine", ["ortools", "auto"])
def test_moderately_hard_day_keeps_the_limit(engine):
    p = hard_problem(300, seed=1)
    plan, elapsed = timed_solve(p, 2.0, engine=engine)
    assert_keeps_limit(plan, p, 2.0, elapsed)
    check(p, plan)


def test_model_too_big_to_build_in_time_gives_up_instead_of_overrunning():
    # 800 orders: building the OR-Tools model alone takes ~1 s; with 0.3 s the build is abandoned
    p = hard_problem(800, seed=2)
    plan, elapsed = timed_solve(p, 0.3, engine="ortools")
    assert_keeps_limit(plan, p, 0.3, elapsed)
    check(p, plan)  # every order accounted for, each with a reason
    if plan.meta["status"] == "out_of_time_building":  # a fast machine may finish the build in time
        assert len(plan.unserved) == 800
        assert plan.meta["search_s"] == 0.0  # no search on a model that was given up


def test_auto_engine_does_not_spend_the_limit_loading_a_rejected_seed():
    # was 8 s for a 1 s limit: a PyVRP seed the full model rejects was re-read vehicle by vehicle past the deadline
    p = hard_problem(800, seed=0)
    plan, elapsed = timed_solve(p, 1.0, engine="auto")
    assert_keeps_limit(plan, p, 1.0, elapsed)
    check(p, plan)


def test_shelf_limited_pairs_use_local_cheapest_insertion():
    # parallel cheapest insertion found no first solution within 20 s here (activity ties of shelf-limited
    # pairs); a 2 s solve returned every order unserved
    p = hard_problem(150, seed=3)
    # the first-solution strategy is tested here; with the driving rule's rests OR-Tools alone needs more than 2 s
    # on this day (docs/breaks.md, known limits), engine "auto" does not
    p = p.replace(fleet=[replace(vt, max_driving_h=None) for vt in p.fleet])
    data = arrays.build(p)
    model = OrtoolsModel(data, cost_arrays(data))
    assert model.activity_ties > 0
    assert model.first_solution_for("parallel_cheapest_insertion") == "local_cheapest_insertion"
    assert model.first_solution_for("savings") == "savings"  # an explicit other choice is kept
    plan, elapsed = timed_solve(p, 2.0, engine="ortools")
    assert_keeps_limit(plan, p, 2.0, elapsed)
    check(p, plan)
    assert plan.kpis["served"] > 50


def test_classic_models_keep_parallel_cheapest_insertion():
    p = hard_problem(40, seed=4)
    p = p.replace(
        orders=tuple(o for o in p.orders if o.kind == "delivery"),
        products={k: v.__class__(v.name, v.zone, value=v.value) for k, v in p.products.items()},
    )
    data = arrays.build(p)
    model = OrtoolsModel(data, cost_arrays(data))
    assert model.activity_ties == 0
    assert model.first_solution_for("parallel_cheapest_insertion") == "parallel_cheapest_insertion"


@pytest.mark.slow
@pytest.mark.parametrize("n,limit", [(300, 5.0), (500, 2.0), (500, 5.0), (800, 1.0), (800, 5.0)])
@pytest.mark.parametrize("engine", ["ortools", "auto"])
def test_hard_days_keep_the_limit(n, limit, engine):
    p = hard_problem(n, seed=n)
    plan, elapsed = timed_solve(p, limit, engine=engine)
    assert_keeps_limit(plan, p, limit, elapsed)
    check(p, plan)


@pytest.mark.slow
def test_yanhu_2000_default_keeps_the_limit_and_plans_decomposed():
    # the 2,000-stop Yanhu day is decomposed by default: its whole model would take ~50 s to build
    from logistics.app.scenarios import yanhu_day

    p = yanhu_day(2000, seed=0)
    plan, elapsed = timed_solve(p, 30.0)
    check(p, plan)
    assert plan.meta["policy"]["chosen"] == "decomposed"
    assert sum(plan.meta["part_time_limit"]) <= 30.0 * 2  # two workers share the parts
    assert plan.kpis["served"] >= 0.95 * len(p.orders)
    if TIMING:
        assert elapsed <= bound(30.0)
