"""Seed repair keeps pickup-delivery pairs whole: both sides served or both left out."""

from __future__ import annotations

import pytest
from ortools.constraint_solver import pywrapcp

import logistics as L
from logistics.check.validator import validate
from logistics.engine.build_plan import build_plan
from logistics.engine.reasons import explain, partners
from logistics.engine.solve import initial_routes
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.ortools.model import OrtoolsModel
from logistics.engine.solvers.ortools.search import SearchSettings, polish
from logistics.engine.solvers.ortools.seed import _repair_by_model, load_seed
from logistics.engine.walk import simulate
from tests.helpers import line_matrix, van


def pair_behind_a_stop() -> L.Problem:
    """P (pickup at 10 km) pairs with Q (delivery at 20 km, by 45 min); x lies at 30 km.

    The pair alone fits a van (Q at 43 min), but on the route P, x, Q the delivery comes too
    late: a greedy repair of that route keeps P and x and drops Q, half of the pair.
    """
    tm = line_matrix({"D": 0, "c0": 10_000, "c1": 20_000, "c2": 30_000})
    products = [L.Product("box", "ambient", value=0.0, decay_per_h=0.0)]
    orders = [
        L.Order("P", {"box": 5}, node_id="c0", kind="pickup", pair="Q", service=600),
        L.Order("x", {"box": 5}, node_id="c2", time_windows=((0, 4000),), service=600),
        L.Order("Q", {"box": 5}, node_id="c1", kind="delivery", time_windows=((0, 2700),), service=600),
    ]
    return L.Problem(orders, [van(2, shift=(0, 8 * 3600))], products=products, matrix=tm, name="pair-behind")


def _closed(problem: L.Problem) -> OrtoolsModel:
    data = arrays.build(problem)
    model = OrtoolsModel(data, cost_arrays(data))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.solution_limit = 1
    model.routing.CloseModelWithParameters(params)
    return model


def _served(model: OrtoolsModel, a) -> set[int]:
    r = model.routing
    nodes = {int(model.order_index[i]): i for i in range(model.data.n_orders)}
    return {nodes[n] for n in range(r.Size()) if n in nodes and a.Value(r.ActiveVar(n))}


def test_simulated_repair_drops_both_sides_of_a_pair():
    model = _closed(pair_behind_a_stop())
    a, meta = load_seed(model, [[0, 1, 2], []])
    assert a is not None and meta["seed_repair"] == "simulate"
    assert sorted(meta["seed_dropped"]) == ["P", "Q"] and meta["seed_repaired"] == 2
    assert _served(model, a) == {1}


def test_model_repair_drops_both_sides_of_a_pair():
    model = _closed(pair_behind_a_stop())
    dropped: list[int] = []
    final = _repair_by_model(model, [[0, 1, 2], []], dropped, None, partners(model.data))
    assert final == [[1], []] and sorted(dropped) == [0, 2]


@pytest.mark.parametrize("routes", [[[0, 1], []], [[0, 1], [2]], [[2, 1, 0], []]])
def test_seed_serving_part_of_a_pair_loads_without_it(routes):
    model = _closed(pair_behind_a_stop())
    a, meta = load_seed(model, routes)
    in_seed = {["P", "x", "Q"][i] for seq in routes for i in seq}
    assert a is not None and meta["seed_repair"] == "pairs" and set(meta["seed_dropped"]) == {"P", "Q"} & in_seed
    assert _served(model, a) == {1}


@pytest.mark.parametrize("solution_limit", [1, None])
def test_polished_plan_serves_both_sides_or_neither(solution_limit):
    problem = pair_behind_a_stop()
    data = arrays.build(problem)
    costs = cost_arrays(data)
    res, meta = polish(OrtoolsModel(data, costs), 2.0, [[0, 1, 2], []], SearchSettings(solution_limit=solution_limit))
    plan = build_plan(problem, data, res.routes, explain(data, res.routes, res.dropped, costs), {})
    assert not [v for v in validate(problem, plan) if v.kind == "pair"]
    assert validate(problem, plan) == []
    served = set(plan.served_ids)
    assert ({"P", "Q"} <= served) or not ({"P", "Q"} & served)


def test_a_seed_the_walk_accepts_whole_is_not_read_twice_when_the_walk_checks_every_rule(monkeypatch):
    """The model refusing routes the walk keeps whole means its read ran out of time: no second read, no search."""
    from logistics.engine.solvers.ortools import seed as seed_module

    p = L.yanhu_demo(0, deliveries=20, pickups=0, roads=False)
    data = arrays.build(p)
    model = OrtoolsModel(data, cost_arrays(data))
    first = L.solve(p, L.SolveOptions(time_limit=2, seed=0, workers=1))
    routes = initial_routes(p, first)
    assert all(simulate(data, v, seq)[0] is None for v, seq in enumerate(routes) if seq)
    reads: list[list[list[int]]] = []
    monkeypatch.setattr(seed_module, "_read_routes", lambda m, r: reads.append(r))  # every read refused
    res, meta = polish(model, 2.0, routes, SearchSettings(), walk_checks_all=True)
    assert meta == {"seed_loaded": False, "seed_repaired": 0, "seed_repair": "read out of time"}
    assert len(reads) == 1 and res.status == "seed_unread" and res.routes == []
    assert sorted(res.dropped) == list(range(data.n_orders))
