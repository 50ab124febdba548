"""Where PyVRP's model relaxes the problem, each portfolio process runs its seeds in rounds (`run_rounds`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from logistics.core.options import Budget
from logistics.core.shares import RELAXED_ROUND_MIN_S, RELAXED_ROUNDS
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.pyvrp import portfolio, search
from logistics.engine.solvers.pyvrp.model import build_instance
from logistics.engine.solvers.pyvrp.search import run_rounds

sys.path.insert(0, str(Path(__file__).parent))
from test_determinism import cold_problem


@pytest.fixture(scope="module")
def relaxed_instance():
    data = arrays.build(cold_problem(16))
    inst = build_instance(data, "cost", cost_arrays(data))
    assert inst.relaxed  # freshness, shelf life: PyVRP's model of this day is not exact
    return inst


def test_rounds_depend_on_the_time_or_the_iterations_only():
    assert RELAXED_ROUNDS >= 2
    assert portfolio.relaxed_rounds(RELAXED_ROUND_MIN_S * 2 - 0.1, None) == 1  # each round would be too short
    assert portfolio.relaxed_rounds(RELAXED_ROUND_MIN_S * RELAXED_ROUNDS, None) == RELAXED_ROUNDS
    assert portfolio.relaxed_rounds(600.0, None) == RELAXED_ROUNDS
    # an iteration bound decides alone, so that the plan does not depend on the machine
    assert portfolio.relaxed_rounds(0.1, RELAXED_ROUNDS) == RELAXED_ROUNDS
    assert portfolio.relaxed_rounds(600.0, 1) == 1


def test_each_round_runs_its_own_seed_and_its_share_of_the_iterations(relaxed_instance):
    out = run_rounds(relaxed_instance, time.monotonic() + 60, seed=5, iterations=40, history=None, rounds=2, stride=3)
    assert [r.seed for r in out] == [5, 8]
    assert all(r.rounds == 2 and 0 < r.iterations <= 20 for r in out)
    again = run_rounds(relaxed_instance, time.monotonic() + 60, seed=5, iterations=40, history=None, rounds=2, stride=3)
    assert [r.routes for r in again] == [r.routes for r in out]  # same seeds, same iterations, same routes


def test_a_round_splits_the_time_left(relaxed_instance, monkeypatch):
    calls = []
    real = search.run_seed

    def spy(inst, until, seed, *args):
        calls.append((seed, until, time.monotonic()))
        return real(inst, until, seed, *args)

    monkeypatch.setattr(search, "run_seed", spy)
    deadline = time.monotonic() + 1.0
    before = time.monotonic()
    out = run_rounds(relaxed_instance, deadline, seed=0, iterations=None, history=None, rounds=2)
    assert [r.seed for r in out] == [0, 1] and [c[0] for c in calls] == [0, 1]
    (_, first_until, first_start), (_, second_until, second_start) = calls
    # the first round ends half-way through what was left when it started (taken between ``before``
    # and the round's start), the last round at the deadline
    assert (before + deadline) / 2 <= first_until <= (first_start + deadline) / 2
    assert second_until == deadline and second_start >= first_start


def test_the_portfolio_keeps_every_rounds_skeleton():
    data = arrays.build(cold_problem(16))
    res = portfolio.solve_pyvrp_portfolio(data, cost_arrays(data), Budget.start(60.0), seed=2, iterations=40, workers=1)
    assert res is not None and res.rounds == RELAXED_ROUNDS and res.seeds_run == 1
    assert len(res.others) == RELAXED_ROUNDS - 1
    assert res.seed in (2, 3)
