"""The PyVRP portfolio's second seed follows ``SolveOptions.workers``."""

from __future__ import annotations

import pytest

import logistics as L
from logistics.engine.solvers.pyvrp import coop, portfolio
from tests.helpers import grid_matrix, van

ITERS = 200


def small_day(n: int = 25) -> L.Problem:
    tm = grid_matrix(n, seed=4)
    orders = [L.Order(f"o{i}", {"box": 10}, node_id=f"c{i}", service=300) for i in range(n)]
    products = [L.Product("box", "ambient", value=0.0, decay_per_h=0.0)]
    return L.Problem(orders, [van(4, cap=80, shift=(0, 10 * 3600))], products=products, matrix=tm, name="small")


@pytest.fixture
def seeds_run(monkeypatch):
    """The seeds handed to ``run_tasks`` by each portfolio call, and the worker count it was given."""
    calls: list[tuple[int, int | None]] = []
    real = portfolio.run_tasks

    def spy(fn, args, **kw):
        calls.append((len(args), kw.get("workers")))
        return real(fn, args, **kw)

    monkeypatch.setattr(portfolio, "run_tasks", spy)
    monkeypatch.setattr(coop, "run_tasks", spy)  # cooperative rounds: one call per round
    return calls


def test_one_worker_runs_one_seed_in_process(seeds_run, monkeypatch):
    monkeypatch.setattr(portfolio, "_spare_core", lambda: True)  # even on an idle machine
    problem = small_day()
    for iterations in (ITERS, None):
        seeds_run.clear()
        plan = L.solve(
            problem, time_limit=4, seed=0, engine="auto", iterations=iterations, options=L.SolveOptions(workers=1)
        )
        assert seeds_run == [(1, 1)]
        assert plan.meta["skeleton_seeds"] == 1
        assert L.validate(problem, plan) == []


def test_two_workers_allow_the_second_seed(seeds_run, monkeypatch):
    monkeypatch.setattr(portfolio.os, "cpu_count", lambda: 1)  # with iterations the machine is not asked
    plan = L.solve(
        small_day(), time_limit=4, seed=0, engine="auto", iterations=ITERS, options=L.SolveOptions(workers=2)
    )
    assert seeds_run and set(seeds_run) == {(2, 2)} and plan.meta["skeleton_seeds"] == 2
    assert L.validate(small_day(), plan) == []
    # time-bound: still only when a core is free
    seeds_run.clear()
    monkeypatch.setattr(portfolio, "_spare_core", lambda: False)
    plan = L.solve(small_day(), time_limit=4, seed=0, engine="auto", options=L.SolveOptions(workers=2))
    assert seeds_run == [(1, 1)] and plan.meta["skeleton_seeds"] == 1
    assert L.validate(small_day(), plan) == []


def test_second_seed_choice():
    assert not portfolio._second_seed(10.0, ITERS, 1)
    assert not portfolio._second_seed(10.0, None, 1)
    assert portfolio._second_seed(10.0, ITERS, 2)
    assert not portfolio._second_seed(0.1, ITERS, 2)  # too short to pay for an interpreter


def test_one_worker_with_iterations_is_reproducible():
    problem = small_day()
    a = L.solve(problem, time_limit=4, seed=3, engine="auto", iterations=ITERS, options=L.SolveOptions(workers=1))
    b = L.solve(problem, time_limit=4, seed=3, engine="auto", iterations=ITERS, options=L.SolveOptions(workers=1))
    assert a.stops[["vehicle", "order_id"]].equals(b.stops[["vehicle", "order_id"]])
    assert a.kpis["objective"] == b.kpis["objective"]
    assert L.validate(problem, a) == []
