"""Cooperative PyVRP seeds: rounds of fixed length, each starting from the best so far; reproducible."""

from __future__ import annotations

import pytest
from helpers import grid_matrix, van

import logistics as L
from logistics.core.options import Budget
from logistics.core.shares import COOP_MIN_ROUND_ITERS_PER_ORDER, COOP_ROUNDS, ITERS_PER_S_X_ORDERS
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.pyvrp import coop
from logistics.engine.solvers.pyvrp.model import build_instance

ITERS = 600


def day(n: int = 40) -> L.Problem:
    """A distance day without the driving rule.

    With the rule's rests OR-Tools' polish of PyVRP's routes found no solution of this day in 30 s,
    so an iteration-bound solve ran to its time limit (docs/breaks.md); here the iterations end it.
    """
    tm = grid_matrix(n, seed=9, size=20_000.0)
    orders = [L.Order(f"o{i}", {"goods": 7}, node_id=f"c{i}", service=120) for i in range(n)]
    fleet = [van(8, cap=60, max_driving_h=None)]
    return L.Problem(orders, fleet, matrix=tm, name="coop", objective="distance", strict=False)


def test_round_length_follows_the_run_and_never_gets_too_short():
    assert coop.round_iterations(40, 8000, 10.0) == 8000 // COOP_ROUNDS
    assert coop.round_iterations(40, 100, 10.0) == COOP_MIN_ROUND_ITERS_PER_ORDER * 40
    # time-bound: from the expected iterations of the limit, never from the machine's speed
    expected = ITERS_PER_S_X_ORDERS * 20.0 / 200
    assert coop.round_iterations(200, None, 20.0) == pytest.approx(expected / COOP_ROUNDS, abs=1)


def test_round_seeds_are_distinct_and_round_zero_runs_the_independent_seeds():
    seeds = {coop.round_seed(7, k, r, 2) for k in range(2) for r in range(10)}
    assert len(seeds) == 20
    assert [coop.round_seed(7, k, 0, 2) for k in range(2)] == [7, 8]


def test_each_round_starts_from_the_best_so_far_and_the_run_is_reproducible(monkeypatch):
    p = day()
    data = arrays.build(p)
    inst = build_instance(data, "distance", cost_arrays(data))
    calls: list[list[tuple]] = []
    real = coop.run_tasks

    def spy(fn, args, **kw):
        out = real(fn, args, **kw)
        calls.append([(a[2], a[6], r) for a, r in zip(args, out)])
        return out

    monkeypatch.setattr(coop, "run_tasks", spy)
    deadline = Budget.start(60).deadline
    res = coop.run_cooperative(inst, deadline, [0, 1], ITERS, None, grace=1.0)
    per_round = coop.round_iterations(40, ITERS, 60)
    assert len(calls) == -(-ITERS // per_round) >= 2 and res.iterations == ITERS and res.seeds_run == 2
    best = None
    for rnd in calls:
        starts = {id(start) for _, start, _ in rnd}
        assert len(starts) == 1  # every process of a round starts from the same solution
        if best is None:
            assert rnd[0][1] is None  # the first round builds its own starts
        else:
            assert rnd[0][1] == best.solution and rnd[0][1].distance() == best.solution.distance()
        for _, _, r in rnd:
            if best is None or (not r.feasible, r.cost) < (not best.feasible, best.cost):
                best = r
    assert res.cost == best.cost and res.feasible
    again = coop.run_cooperative(inst, Budget.start(60).deadline, [0, 1], ITERS, None, grace=1.0)
    assert again.routes == res.routes and again.cost == res.cost


def test_cooperative_plans_validate_and_repeat_with_fixed_iterations():
    p = day()
    opts = L.SolveOptions(time_limit=30, seed=3, iterations=ITERS, workers=2, cooperative=True)
    a = L.solve(p, opts)
    b = L.solve(p, opts)
    for plan in (a, b):
        assert L.validate(p, plan) == [] and len(plan.unserved) == 0
        assert plan.meta["search_s"] < 0.5 * opts.time_limit  # ended by its iterations, not by the clock
    assert a.meta["skeleton_seeds"] == 2
    assert a.stops[["vehicle", "order_id"]].equals(b.stops[["vehicle", "order_id"]])
