"""The descent's two chains: a second seed in a worker where a core is spare, the cheaper answer kept."""

from __future__ import annotations

import time

import pytest

import logistics as L
from logistics.core.options import Budget, SolveOptions
from logistics.core.shares import DESCENT_PYVRP_MAX_S_PER_ORDER, DESCENT_RELAXED_SHARE
from logistics.engine import exact_stage, whole
from logistics.engine.build_plan import build_plan
from logistics.engine.construct import walked_routes
from logistics.engine.parallel import WorkerPool
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.ortools.search import OrtoolsResult
from tests.helpers import check


@pytest.fixture(scope="module")
def start():
    """A Yanhu cold-chain day's orders dealt round-robin to four hub vehicles, cut back by the walk."""
    day = L.yanhu_demo(5, deliveries=30, pickups=10)
    data = arrays.build(day)
    hub = [v for v in range(data.n_vehicles) if day.fleet[int(data.vehicle_type[v])].start_depot == "hub"][:4]
    seqs: list[list[int]] = [[] for _ in range(data.n_vehicles)]
    for k in range(data.n_orders):
        seqs[hub[k % len(hub)]].append(k)
    w = walked_routes(data, seqs)
    res = OrtoolsResult(routes=w.routes, dropped=w.dropped, objective=None, status="walked")
    return day, data, cost_arrays(data), res


def _validated(day, data, res):
    plan = build_plan(day, data, res.routes, dict.fromkeys(res.dropped, "left out"), {})
    check(day, plan)
    return plan


def test_a_spare_core_runs_a_second_chain_and_the_cheaper_is_kept(start):
    day, data, costs, res = start
    meta = {"skeleton_seeds": 2}
    options = SolveOptions(seed=4)
    with exact_stage.chain_worker(meta, options, True) as pool:
        assert pool is not None and pool.live() == 1
        out = exact_stage.descended(data, costs, res, meta, options, time.monotonic() + 4.0, pool)
    assert pool.live() == 0
    chains = meta["descent"]["chains"]
    assert len(chains) == 2 and all(isinstance(c, float) for c in chains), chains
    assert meta["descent"]["after"] == pytest.approx(min(chains), abs=0.01)
    plan = _validated(day, data, out)
    assert plan.kpis["cost"] == pytest.approx(min(chains), abs=0.01)  # no required order is left out here
    assert out.objective == sum(exact_stage.linear_objective(data, costs, rr) for rr in out.routes) + sum(
        int(data.penalty[i]) for i in out.dropped
    )


@pytest.mark.parametrize(
    ("meta", "options", "bounded"),
    [
        ({"skeleton_seeds": 1}, SolveOptions(seed=0), True),  # the portfolio found no spare core
        ({"skeleton_seeds": 2}, SolveOptions(seed=0, workers=1), True),  # the user asked for one process
        ({"skeleton_seeds": 2}, SolveOptions(seed=0, iterations=100), False),  # iterations: same plan anywhere
    ],
)
def test_one_chain_where_no_core_is_spare_or_runs_must_repeat(start, meta, options, bounded):
    day, data, costs, res = start
    with exact_stage.chain_worker(meta, options, True) as pool:
        assert pool is None
        out = exact_stage.descended(data, costs, res, meta, options, time.monotonic() + 1.0 if bounded else None, pool)
    assert "chains" not in meta["descent"]
    assert meta["descent"]["after"] <= meta["descent"]["before"]
    _validated(day, data, out)


def test_no_worker_where_the_descent_does_not_run(start):
    with exact_stage.chain_worker({"skeleton_seeds": 2}, SolveOptions(seed=0), False) as pool:
        assert pool is None


def test_no_worker_to_be_had_leaves_one_chain(start, monkeypatch):
    day, data, costs, res = start
    monkeypatch.setattr(WorkerPool, "take", lambda self, n: [])
    meta = {"skeleton_seeds": 2}
    with exact_stage.chain_worker(meta, SolveOptions(seed=0), True) as pool:
        assert pool is None
        out = exact_stage.descended(data, costs, res, meta, SolveOptions(seed=0), time.monotonic() + 1.0, pool)
    assert "chains" not in meta["descent"] and meta["descent"]["after"] < meta["descent"]["before"]
    _validated(day, data, out)


@pytest.mark.parametrize(("limit", "iterations"), [(4.0, None), (600.0, None), (600.0, 50)])
def test_pyvrp_gets_at_most_its_seconds_an_order_where_the_descent_runs(start, monkeypatch, limit, iterations):
    """Past ``DESCENT_PYVRP_MAX_S_PER_ORDER`` an order the descent gets the time; runs bounded by iterations do not."""
    day, data, costs, _ = start
    seen = []
    monkeypatch.setattr(whole, "solve_pyvrp_portfolio", lambda *a, **kw: seen.append(kw["relaxed_share"]))
    budget = Budget.start(limit)
    whole._pyvrp_skeleton(data, costs, budget, SolveOptions(time_limit=limit, iterations=iterations), None)
    cap = DESCENT_PYVRP_MAX_S_PER_ORDER * data.n_orders / limit
    assert cap < DESCENT_RELAXED_SHARE or limit < 10  # the 600 s case is capped
    expected = DESCENT_RELAXED_SHARE if iterations is not None else min(DESCENT_RELAXED_SHARE, cap)
    assert seen == [pytest.approx(expected, rel=1e-3)]
