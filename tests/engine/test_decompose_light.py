"""A decomposed day's parts send back routes, not plans: the merged plan holds exactly what each part found, and
the whole day's estimate, the workers and the model's extra nodes cost no more than they must."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

import logistics as L
from logistics.core.options import SolveOptions
from logistics.core.plan import RouteResult
from logistics.core.shares import BUILD_S_PER_CELL, WHOLE_BUILD_SHARE
from logistics.engine import decompose as D
from logistics.engine import whole
from logistics.engine.parallel import WorkerPool, run_tasks
from logistics.engine.solve import whole_build_s
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.alternatives import depot_alternatives
from logistics.engine.solvers.ortools.model import build_cells
from logistics.engine.solvers.ortools.search import SearchSettings
from tests.helpers import check, grid_matrix, van

sys.path.insert(0, str(Path(__file__).resolve().parent))
import parallel_tasks as T


@pytest.fixture(scope="module")
def demo() -> L.Problem:
    """The Yanhu cold-chain day (170 orders: pickups, shelf lives, several depots)."""
    return L.yanhu_demo(0)


def grid_day(n: int = 300) -> L.Problem:
    tm = grid_matrix(n, seed=5, size=30_000.0)
    orders = [L.Order(f"o{i}", {"goods": 1}, node_id=f"c{i}", service=60) for i in range(n)]
    # no driving rule: its rests slow OR-Tools' first solution (docs/breaks.md), not what is tested here
    return L.Problem(orders, [van(12, cap=40, max_driving_h=None)], matrix=tm, name="grid", strict=False)


def _sequences(plan: L.Plan) -> dict[str, list[tuple[str, int]]]:
    """Each vehicle's visits in the plan as (order id, start), in visit order."""
    visits = plan.stops[plan.stops["order_id"].notna()].sort_values(["vehicle", "seq"])
    return {str(v): list(zip(g["order_id"], g["start"])) for v, g in visits.groupby("vehicle")}


def test_merged_plan_holds_each_part_s_routes_as_the_part_s_own_plan_has_them():
    p = grid_day()
    opts = SolveOptions(time_limit=60, seed=0, iterations=100, workers=1, decompose=True, max_part=100)
    plan = L.solve(p, opts)
    check(p, plan)
    assert plan.meta["decomposed"] >= 3
    merged = _sequences(plan)
    parts = D.plan_parts(p, 100)
    settings = SearchSettings(solution_limit=opts.iterations, stop_early=opts.stop_early)
    offset = 0
    for part in parts:
        sub = D._sub_problem(p, part)
        own = whole.solve_whole(sub, opts, opts.budget(), settings)  # the same search, with its own plan
        check(sub, own)
        for vid, visits in _sequences(own).items():
            k = int(vid.rsplit("#", 1)[1])
            assert merged[f"van#{offset + k}"] == visits  # same orders, same starts, on the mapped vehicle
        offset += part.counts.get("van", 0)
        unserved = set(own.unserved["order_id"])
        assert unserved <= set(plan.unserved["order_id"])


def test_a_part_sends_routes_and_reasons_in_its_own_indices():
    p = grid_day(120)
    part = D.plan_parts(p, 60)[0]
    sub = D._sub_problem(p, part)
    routes, unserved, objective, meta = D._solve_part(sub, SolveOptions(time_limit=20, iterations=50, workers=1))
    assert all(isinstance(r, RouteResult) for r in routes)
    served = [i for r in routes for i in r.orders]
    assert sorted(served + [i for i, _ in unserved]) == list(range(len(sub.orders)))
    assert all(why for _, why in unserved) and objective is not None
    assert meta["orders"] == len(sub.orders) and meta["unserved"] == len(unserved)


def test_constructed_parts_merge_into_a_valid_plan(demo, monkeypatch):
    # the path a short limit takes on a large day: every part constructed (PyVRP cut back by the walk)
    monkeypatch.setattr(whole, "CONSTRUCT_BUILD_SHARE", 0.0)
    plan = L.solve(demo, SolveOptions(time_limit=8, seed=0, workers=1, decompose=True, max_part=60))
    check(demo, plan)
    assert plan.meta["decomposed"] >= 2
    # constructed routes keep within one 4 h stretch of the driving rule (no rest stops): a first plan that
    # serves fewer orders than the full model's routes with rests would
    assert "constructed" in {q["status"] for q in plan.meta["parts"]}
    assert plan.kpis["served"] > 0.5 * len(demo.orders)


def test_arrays_without_matrices_complete_to_the_full_arrays(demo):
    full = arrays.build(demo)
    shape = arrays.build(demo, matrices=False)
    assert shape.distance.size == 0 and shape.duration.size == 0
    done = arrays.add_matrices(shape)
    for name in full.__dataclass_fields__:
        a, b = getattr(full, name), getattr(done, name)
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b, name
    assert build_cells(shape) == build_cells(full)


def test_whole_estimate_never_builds_matrices_for_a_day_it_decomposes(demo, monkeypatch):
    exact = BUILD_S_PER_CELL * build_cells(arrays.build(demo))
    calls = []
    monkeypatch.setattr(arrays, "add_matrices", lambda data: calls.append(data) or data)
    # a limit the exact count rules out but the cheap lower bound does not (the demo has loading nodes)
    fleet = {vt.name for vt in demo.fleet if vt.count > 0}
    nodes = len(demo.orders) + 2 * sum(vt.count for vt in demo.fleet)
    lower = BUILD_S_PER_CELL * 2 * len(fleet) * nodes**2
    assert lower < exact
    limit = (lower + exact) / 2 / WHOLE_BUILD_SHARE
    estimate, data = whole_build_s(demo, limit)
    assert estimate == pytest.approx(exact) and data is None and not calls
    estimate, data = whole_build_s(demo, 2 * exact / WHOLE_BUILD_SHARE)  # fits: the arrays are completed
    assert estimate == pytest.approx(exact) and data is not None and len(calls) == 1


def test_alternatives_grouped_by_type_and_depot_are_those_of_every_vehicle(demo):
    data = arrays.build(demo, matrices=False)
    orders = list(range(data.n_orders))
    for nodes in (data.starts, data.ends):
        want = []
        for i in orders:  # every vehicle checked, as the model did
            by_loc: dict[tuple[int, int], list[int]] = {}
            for v in range(data.n_vehicles):
                t = int(data.vehicle_type[v])
                if data.allowed[t, i]:
                    by_loc.setdefault((int(data.loc[nodes[v]]), int(data.ride[t, i])), []).append(v)
            want += [(i, vs, int(nodes[vs[0]])) for _, vs in sorted(by_loc.items())]
        assert depot_alternatives(data, orders, nodes) == want
    assert len({loc for loc in data.loc[data.starts]}) > 1  # several depots: the grouping matters


def test_preloaded_workers_import_before_the_first_task_and_close_without_waiting():
    module = "xml.dom.minidom"
    with WorkerPool(2) as plain:
        assert run_tasks(T.loaded, [(module,), (module,)], workers=2, pool=plain) == [False, False]
    pool = WorkerPool(2, preload=(module,))
    procs = pool.take(2)
    assert run_tasks(T.loaded, [(module,), (module,)], workers=2, pool=pool) == [True, True]
    pool.close(wait=False)
    assert pool.live() == 0
    deadline = time.monotonic() + 30
    while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(p.poll() is not None for p in procs)  # told to stop: they exit on their own
    with pytest.raises(ValueError, match="not a module name"):
        WorkerPool(1, preload=("os; print(1)",))
