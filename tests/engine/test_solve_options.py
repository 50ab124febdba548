"""``solve`` takes one SolveOptions or the keyword shortcuts, checks them, and threads one budget."""

from __future__ import annotations

import pytest
from helpers import assert_accounted, grid_matrix, van

import logistics as L
from logistics.core.options import SolveOptions


def small_problem(n: int = 12) -> L.Problem:
    tm = grid_matrix(n, seed=5)
    orders = [L.Order(f"o{i}", {"goods": 1}, node_id=tm.ids[i + 1]) for i in range(n)]
    return L.Problem(orders, [van(3, cap=20)], matrix=tm)


def stops(plan: L.Plan) -> list[tuple]:
    return list(plan.stops[["vehicle", "seq", "order_id"]].itertuples(index=False, name=None))


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"time_limit": "5"}, "time_limit"),
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": float("nan")}, "time_limit"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": 2**31 - 1}, "seed"),  # PyVRP runs seed + 1 beside it
        ({"engine": "cplex"}, "engine"),
        ({"iterations": 0}, "iterations"),
    ],
)
def test_bad_shortcuts_raise_problem_error_naming_the_field(kw, field):
    with pytest.raises(L.ProblemError) as e:
        L.solve(small_problem(), **kw)
    assert (e.value.record, e.value.field) == ("solve", field)


def test_options_object_and_shortcuts_give_the_same_plan():
    p = small_problem()
    by_keywords = L.solve(p, time_limit=5, seed=2, engine="ortools", iterations=30)
    by_options = L.solve(p, options=SolveOptions(time_limit=5, seed=2, engine="ortools", iterations=30))
    positional = L.solve(p, SolveOptions(time_limit=5, seed=2, engine="ortools", iterations=30))
    assert stops(by_keywords) == stops(by_options) == stops(positional)
    assert by_options.meta["seed"] == 2 and by_options.meta["engine"] == "ortools"
    assert by_options.meta["time_limit"] == 5.0


def test_shortcuts_override_the_options_object():
    p = small_problem()
    plan = L.solve(p, options=SolveOptions(time_limit=5, seed=1, engine="auto"), engine="ortools", seed=4)
    assert plan.meta["engine"] == "ortools" and plan.meta["seed"] == 4 and plan.meta["time_limit"] == 5.0
    assert_accounted(p, plan)


def test_positional_time_limit_and_seed_still_work():
    p = small_problem()
    plan = L.solve(p, 3, 1, engine="ortools", iterations=20)
    assert plan.meta["time_limit"] == 3.0 and plan.meta["seed"] == 1
    assert_accounted(p, plan)
