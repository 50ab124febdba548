"""The validator checked by mutation: valid plans, each corrupted one way, must each be reported.

Plans come from the engines (so they are the plans users get); every corruption is applied to a copy and
checked twice, in memory and after a JSON round trip (what ``coldroute validate`` reads).  Corruptions of
the problem (a tighter shelf life on one side of a pair, a smaller compartment) stand for a plan that
breaks them.  A pair written only on the delivery is checked with the problem's normalisation undone, so
the validator is shown to find the pair from either side on its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd
import pytest
from helpers import check, line_matrix

import logistics as L
from logistics.check.validator import validate

H = 3600

PRODUCTS = [L.Product("milk", "chilled"), L.Product("rice", "ambient")]


def _problem(one_sided: bool = False) -> L.Problem:
    tm = line_matrix({"D": 0, "a": 2000, "b": 4000, "c": 6000, "e": 8000})
    fleet = [
        L.VehicleType(
            "van", 2, (L.Compartment("chilled", 40), L.Compartment("ambient", 40)), start_depot="D", cost_per_km=1
        )
    ]
    orders = [
        L.Order("d1", {"milk": 10}, node_id="a", time_windows=((8 * H, 12 * H),), service=120),
        L.Order("d2", {"rice": 20}, node_id="b", time_windows=((8 * H, 14 * H),), service=60),
        L.Order("d3", {"milk": 5, "rice": 5}, node_id="c", shelf_life_h=6),
        L.Order("P", {"milk": 8}, node_id="b", kind="pickup", pair=None if one_sided else "Q", shelf_life_h=4),
        L.Order("Q", {"milk": 8}, node_id="e", pair="P", shelf_life_h=5, service=300),
        L.Order("u", {"rice": 4}, node_id="c", kind="pickup"),
        L.Order("late", {"rice": 1}, node_id="e", time_windows=((0, 10),), required=False, penalty=1.0),
    ]
    return L.Problem(orders, fleet, products=PRODUCTS, matrix=tm, name="mut")


@pytest.fixture(scope="module", params=[("ortools", 0), ("auto", 1)], ids=["ortools", "auto"])
def solved(request):
    engine, seed = request.param
    p = _problem()
    plan = L.solve(p, time_limit=3, engine=engine, seed=seed, iterations=30)
    check(p, plan)
    assert {"P", "Q", "d1"} <= set(plan.served_ids) and "late" in set(plan.unserved["order_id"])
    return p, plan


# --------------------------------------------------------------------------- plan surgery


def _copy(plan: L.Plan, stops: pd.DataFrame | None = None, unserved: pd.DataFrame | None = None) -> L.Plan:
    return dataclasses.replace(
        plan,
        stops=(plan.stops if stops is None else stops).reset_index(drop=True).copy(),
        unserved=(plan.unserved if unserved is None else unserved).reset_index(drop=True).copy(),
    )


def _renumber(stops: pd.DataFrame) -> pd.DataFrame:
    stops = stops.reset_index(drop=True)
    stops["seq"] = stops.groupby("vehicle", sort=False).cumcount()
    return stops


def _row(plan: L.Plan, oid: str) -> int:
    return int(plan.stops.index[plan.stops["order_id"] == oid][0])


def _set_start(stops: pd.DataFrame, i: int, start: float) -> None:
    """Move one stop's service start, keeping its own row consistent (departure, wait)."""
    for c in ("arrival", "start", "departure", "wait"):
        stops[c] = stops[c].astype(float)
    stops.loc[i, "start"] = start
    stops.loc[i, "departure"] = start + stops.loc[i, "service"]
    stops.loc[i, "wait"] = start - stops.loc[i, "arrival"]


def late_start(problem, plan, extra=60.0):
    s = plan.stops.copy()
    i = _row(plan, "d1")
    _set_start(s, i, problem.order("d1").time_windows[-1][1] + extra)
    return problem, _copy(plan, s)


def early_start(problem, plan):
    s = plan.stops.copy()
    i = _row(plan, "d2")
    s.loc[i, "arrival"] = 7 * H
    _set_start(s, i, problem.order("d2").time_windows[0][0] - 0.5)
    return problem, _copy(plan, s)


def _transit(plan: L.Plan) -> float:
    s = plan.stops.set_index("order_id")
    return float(s.loc["Q", "start"] - s.loc["P", "start"])


def shelf_life(side: str):
    def corrupt(problem, plan):
        life_h = _transit(plan) / 2 / H
        orders = [dataclasses.replace(o, shelf_life_h=life_h) if o.id == side else o for o in problem.orders]
        return problem.replace(orders=orders), plan

    corrupt.__name__ = f"shelf_life_{side}"
    return corrupt


def shelf_life_unpaired(problem, plan):
    s = plan.stops
    i = _row(plan, "d3")
    age = float(
        s.loc[i, "start"] - s[(s["vehicle"] == s.loc[i, "vehicle"]) & (s["kind"] == "start")]["departure"].iloc[0]
    )
    orders = [dataclasses.replace(o, shelf_life_h=age / 2 / H) if o.id == "d3" else o for o in problem.orders]
    return problem.replace(orders=orders), plan


def pair_split(problem, plan):
    s = plan.stops.copy()
    i = _row(plan, "Q")
    row = s.loc[[i]].copy()
    own = s.loc[i, "vehicle"]
    other = next(v for v, _ in problem.vehicles() if v != own)
    s = s.drop(index=i)
    if other not in set(s["vehicle"]):
        frame = s[s["vehicle"] == own]
        ends = frame[frame["kind"].isin(["start", "end"])].copy()
        ends["vehicle"] = other
        s = pd.concat([s, ends])
    row["vehicle"] = other
    others = s[s["vehicle"] == other]
    before_end = others[others["kind"] != "end"]
    s = pd.concat([s[s["vehicle"] != other], before_end, row, others[others["kind"] == "end"]])
    return problem, _copy(plan, _renumber(s))


def pair_reversed(problem, plan):
    s = plan.stops.copy()
    i, j = _row(plan, "P"), _row(plan, "Q")
    s.loc[i, "seq"], s.loc[j, "seq"] = s.loc[j, "seq"], s.loc[i, "seq"]
    return problem, _copy(plan, s)


def pickup_alone(problem, plan):
    s = plan.stops.drop(index=_row(plan, "Q"))
    u = pd.concat([plan.unserved, pd.DataFrame([{"order_id": "Q", "reason": "corrupted"}])])
    return problem, _copy(plan, _renumber(s), u)


def capacity(compartment: str):
    def corrupt(problem, plan):
        peak = float(plan.stops[f"load_{compartment}"].max())
        assert peak > 0
        vt = problem.fleet[0]
        comps = tuple(
            dataclasses.replace(c, capacity=peak / 2) if c.name == compartment else c for c in vt.compartments
        )
        # strict=False: an order larger than the shrunken compartment stays in the problem (reported unserved)
        return problem.replace(fleet=[dataclasses.replace(vt, compartments=comps)], strict=False), plan

    corrupt.__name__ = f"capacity_{compartment}"
    return corrupt


def missing_served(problem, plan):
    return problem, _copy(plan, _renumber(plan.stops.drop(index=_row(plan, "d2"))))


def missing_unserved(problem, plan):
    return problem, _copy(plan, unserved=plan.unserved[plan.unserved["order_id"] != "late"])


def duplicate_served(problem, plan):
    s = plan.stops
    i = _row(plan, "d2")
    s = pd.concat([s.loc[:i], s.loc[[i]], s.loc[i + 1 :]])
    return problem, _copy(plan, _renumber(s))


def duplicate_unserved(problem, plan):
    return problem, _copy(plan, unserved=pd.concat([plan.unserved, plan.unserved]))


def served_and_unserved(problem, plan):
    extra = pd.DataFrame([{"order_id": "d1", "reason": "corrupted"}])
    return problem, _copy(plan, unserved=pd.concat([plan.unserved, extra]))


def fractional_late(problem, plan):
    return late_start(problem, plan, extra=0.9)


MUTATIONS: list[tuple[Callable, str]] = [
    (late_start, "time_window"),
    (early_start, "time_window"),
    (fractional_late, "time_window"),
    (shelf_life("P"), "shelf_life"),
    (shelf_life("Q"), "shelf_life"),
    (shelf_life_unpaired, "shelf_life"),
    (pair_split, "pair"),
    (pair_reversed, "pair"),
    (pickup_alone, "pair"),
    (capacity("chilled"), "capacity"),
    (capacity("ambient"), "capacity"),
    (missing_served, "missing"),
    (missing_unserved, "missing"),
    (duplicate_served, "duplicate"),
    (duplicate_unserved, "duplicate"),
    (served_and_unserved, "served_and_unserved"),
]


def test_the_plans_are_valid_before_and_after_a_json_round_trip(solved):
    problem, plan = solved
    assert validate(problem, plan) == []
    assert validate(problem, L.Plan.from_json(plan.to_json())) == []


@pytest.mark.parametrize("mutate,kind", MUTATIONS, ids=[m.__name__ for m, _ in MUTATIONS])
def test_every_corruption_is_reported(solved, mutate, kind):
    problem, plan = solved
    bad_problem, bad_plan = mutate(problem, plan)
    for label, candidate in (("in memory", bad_plan), ("after JSON", L.Plan.from_json(bad_plan.to_json()))):
        kinds = {v.kind for v in validate(bad_problem, candidate)}
        assert kind in kinds, f"{mutate.__name__} ({label}): expected {kind!r}, got {sorted(kinds)}"


def _undo_normalisation(problem: L.Problem) -> L.Problem:
    """The problem as a careless caller could hand it over: the pickup does not name its delivery."""
    raw = tuple(dataclasses.replace(o, pair=None) if o.id == "P" else o for o in problem.orders)
    object.__setattr__(problem, "orders", raw)
    return problem


@pytest.mark.parametrize("mutate", [pair_split, pair_reversed, pickup_alone, shelf_life("P")])
def test_one_sided_pair_corruptions_are_reported_without_the_problems_help(solved, mutate):
    # was: the validator read the pair from the pickup only; a pair written on the delivery was never checked
    _, plan = solved
    problem = _problem(one_sided=True)
    assert problem.order("P").pair == "Q"  # normalised by Problem ...
    bad_problem, bad_plan = mutate(problem, plan)
    bad_problem = _undo_normalisation(bad_problem)  # ... and the validator must not need it
    assert bad_problem.order("P").pair is None
    kinds = {v.kind for v in validate(bad_problem, bad_plan)}
    assert {"pair", "shelf_life"} & kinds, sorted(kinds)
    assert validate(_undo_normalisation(_problem(one_sided=True)), plan) == []


def test_regression_pickups_own_shelf_life_counts_inside_a_pair(solved):
    # was: only the delivery's shelf life was checked: 500 s on board was accepted against the pickup's 3.6 s
    problem, plan = solved
    orders = [dataclasses.replace(o, shelf_life_h=0.001) if o.id == "P" else o for o in problem.orders]
    vs = [v for v in validate(problem.replace(orders=orders), plan) if v.kind == "shelf_life"]
    assert vs and vs[0].order_id == "Q" and "shelf life 4 s" in vs[0].message
