"""The validator's ``out_of_refrigeration`` check, by mutation: valid plans corrupted so apples ride warm too long.

The plans come from both engines and are valid; each corruption moves apples that rode a reefer onto the
ambient van (same depot, same speed, so times and distances still agree) and must be reported, in memory and
after a JSON round trip.  A plan whose apples ride the van briefly stays valid.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import check, line_matrix

import logistics as L
from logistics.check.validator import KINDS, validate
from logistics.core.units import Zone

APPLES = L.Product("apples", Zone.FRESH, shelf_life_h=72, value=7.0, ambient_limit_h=0.5)
FLEET = [
    L.VehicleType("van", 1, (L.Compartment("ambient", 100),), start_depot="D", cost_per_km=1.0),
    L.VehicleType("reefer", 1, (L.Compartment("fresh", 100),), start_depot="D", cost_per_km=3.0),
]


def _problem(kind: str = "delivery", pair: bool = False) -> L.Problem:
    # an hour's drive to x: apples must ride the reefer (0.5 h out of refrigeration at most)
    if pair:
        orders = [
            L.Order("A", {"apples": 5}, node_id="D", kind="pickup", pair="B"),
            L.Order("B", {"apples": 5}, node_id="x"),
        ]
    else:
        orders = [L.Order("A", {"apples": 5}, node_id="x", kind=kind)]
    return L.Problem(orders, FLEET, products=[APPLES], matrix=line_matrix({"D": 0, "x": 36_000}))


def _onto_the_van(plan: L.Plan) -> L.Plan:
    """The reefer's route relabelled as the van's: vehicle, type, compartment and load columns."""
    s = plan.stops.copy()
    ride = s["vehicle"] == "reefer#1"
    assert ride.any() and not (s["vehicle"] == "van#1").any()
    s.loc[ride, "vehicle"] = "van#1"
    s.loc[ride, "vehicle_type"] = "van"
    s.loc[ride, "load_ambient"] = s.loc[ride, "load_fresh"]
    s.loc[ride, "load_fresh"] = np.nan
    s.loc[ride & s["order_id"].notna(), "compartment"] = "ambient"
    return dataclasses.replace(plan, stops=s)


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
@pytest.mark.parametrize("case", ["delivery", "pickup", "pair"])
def test_apples_moved_onto_the_ambient_van_for_an_hour_are_reported(engine, case):
    p = _problem(kind=case if case != "pair" else "delivery", pair=case == "pair")
    plan = L.solve(p, time_limit=2, engine=engine, seed=0, iterations=30)
    check(p, plan)
    bad = _onto_the_van(plan)
    for label, candidate in (("in memory", bad), ("after JSON", L.Plan.from_json(bad.to_json()))):
        kinds = [v.kind for v in validate(p, candidate)]
        assert kinds == ["out_of_refrigeration"], f"{label}: {kinds}"
    (v,) = validate(p, bad)
    want = "B" if case == "pair" else "A"
    assert (v.vehicle, v.order_id) == ("van#1", want)
    assert "apples (fresh) in compartment 'ambient' (ambient)" in v.message


def test_the_limit_alone_is_reported_when_shelf_life_holds_and_both_when_both_break():
    p = _problem()
    plan = L.solve(p, time_limit=2, engine="ortools", seed=0, iterations=30)
    check(p, plan)
    bad = _onto_the_van(plan)
    shorter = dataclasses.replace(APPLES, shelf_life_h=0.25)
    kinds = sorted(v.kind for v in validate(p.replace(products=[shorter]), bad))
    assert kinds == ["out_of_refrigeration", "shelf_life"]
    # without a limit of its own, carriers that allow ambient leave only shelf life to check
    free = dataclasses.replace(APPLES, ambient_limit_h=None, carriers=(Zone.FRESH, Zone.AMBIENT))
    assert validate(p.replace(products=[free]), bad) == []


def test_a_short_ambient_ride_is_valid():
    near = L.Problem(
        [L.Order("A", {"apples": 5}, node_id="x")], FLEET, products=[APPLES], matrix=line_matrix({"D": 0, "x": 3_000})
    )
    plan = L.solve(near, time_limit=2, engine="ortools", seed=0, iterations=30)
    check(near, plan)
    assert list(plan.stops.loc[plan.stops["order_id"] == "A", "vehicle"]) == ["van#1"]


def test_the_compartment_column_is_checked_against_the_vehicle():
    p = _problem()
    plan = L.solve(p, time_limit=2, engine="ortools", seed=0, iterations=30)
    check(p, plan)
    s = plan.stops.copy()
    s.loc[s["order_id"] == "A", "compartment"] = "ambient"  # it rode the reefer's fresh compartment
    (v,) = validate(p, dataclasses.replace(plan, stops=s))
    assert (v.kind, v.order_id) == ("load", "A") and v.kind in KINDS
