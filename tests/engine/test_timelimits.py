"""Hard time limits: ``solve`` returns within the limit plus a small overhead, even when OR-Tools struggles.

The instances come from ``benchmarks/bench_timelimit.py``: tightly constrained
days (narrow windows, shelf-limited chilled goods beside pickups, a mixed fleet
with many vehicles).  Wall-clock bounds depend on the machine and its load, so
the default run checks what the solver *did* (a plan for every order, the
meta figures) and compares elapsed time with ``limit * 1.1 + 1 s`` only when
``COLDROUTE_TIMING=1`` (``make test-timing``); ``benchmarks/bench_timelimit.py``
measures the actual overruns.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from helpers import check

import logistics as L
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.ortools.model import OrtoolsModel

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_timelimit import hard_problem


def bound(limit: float) -> float:
    return limit * 1.1 + 1.0


def within(elapsed: float, limit: float) -> bool:
    """The time-limit promise; only enforced where timings are meaningful (COLDROUTE_TIMING=1)."""
    if os.environ.get("COLDROUTE_TIMING") != "1":
        return True
    return elapsed <= bound(limit)


def timed_solve(problem: L.Problem, limit: float, **kw) -> tuple[L.Plan, float]:
    t0 = time.perf_counter()
    plan = L.solve(problem, time_limit=limit, **kw)
    return plan, time.perf_counter() - t0


@pytest.mark.parametrize("engine", ["ortools", "auto"])
def test_moderately_hard_day_keeps_the_limit(engine):
    p = hard_problem(300, seed=1)
    plan, elapsed = timed_solve(p, 2.0, engine=engine)
    assert within(elapsed, 2.0), plan.meta
    check(p, plan)


def test_model_too_big_to_build_in_time_gives_up_instead_of_overrunning():
    # 800 orders: building the OR-Tools model alone takes ~1 s; with 0.3 s the build is abandoned
    p = hard_problem(800, seed=2)
    plan, elapsed = timed_solve(p, 0.3, engine="ortools")
    assert within(elapsed, 0.3), plan.meta
    check(p, plan)  # every order accounted for, each with a reason
    if plan.meta["status"] == "out_of_time_building":  # a fast machine may finish the build in time
        assert len(plan.unserved) == 800


def test_auto_engine_does_not_spend_the_limit_loading_a_rejected_seed():
    # was 8 s for a 1 s limit: a PyVRP seed the full model rejects was re-read vehicle by vehicle past the deadline
    p = hard_problem(800, seed=0)
    plan, elapsed = timed_solve(p, 1.0, engine="auto")
    assert within(elapsed, 1.0), plan.meta
    check(p, plan)


def test_shelf_limited_pairs_use_local_cheapest_insertion():
    # parallel cheapest insertion found no first solution within 20 s here (activity ties of shelf-limited
    # pairs); a 2 s solve returned every order unserved
    p = hard_problem(150, seed=3)
    data = arrays.build(p)
    model = OrtoolsModel(data, cost_arrays(data))
    assert model.activity_ties > 0
    assert model.first_solution_for("parallel_cheapest_insertion") == "local_cheapest_insertion"
    assert model.first_solution_for("savings") == "savings"  # an explicit other choice is kept
    plan, elapsed = timed_solve(p, 2.0, engine="ortools")
    assert within(elapsed, 2.0)
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
    assert within(elapsed, limit), plan.meta
    check(p, plan)
