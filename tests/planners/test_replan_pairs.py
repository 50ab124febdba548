"""Re-planning a day of pickup-and-delivery pairs: goods picked up stay on board, given-up pairs ride back."""

from __future__ import annotations

import pytest
from helpers import check, line_matrix

import logistics as L
from logistics.core.events import RETURNED_GOODS, Breakdown, Cancel, Delay, NewOrder
from logistics.core.options import SolveOptions
from logistics.planners.replan import replan

FAST = SolveOptions(time_limit=2.0, seed=0, workers=1, iterations=200)
POS = {"D": 0.0, "v1": 6_000.0, "v2": 12_000.0, "v3": 18_000.0, "v4": 3_000.0}
MILK = L.Product("milk", "chilled", shelf_life_h=3)
EGGS = L.Product("eggs", "chilled")


def day(cap: float = 100.0, produce: float = 0.0) -> L.Problem:
    """One van: a pair (milk from v1 to v3), a delivery of eggs to v2, optionally produce picked up at v4 first."""
    van = L.VehicleType(
        "van", 1, (L.Compartment("chilled", cap),), start_depot="D", cost_per_km=1.0, shift=("07:00", "19:00")
    )
    orders = [
        L.Order(
            "p", {"milk": 30}, node_id="v1", kind="pickup", pair="d", service=600, time_windows=[("08:00", "09:00")]
        ),
        L.Order("d", {"milk": 30}, node_id="v3", service=600, time_windows=[("08:00", "12:00")]),
        L.Order("x", {"eggs": 20}, node_id="v2", service=600),
    ]
    if produce:
        orders.append(
            L.Order("q", {"milk": produce}, node_id="v4", kind="pickup", service=300, time_windows=[("07:00", "07:40")])
        )
    return L.Problem(orders, [van], products=[MILK, EGGS], matrix=line_matrix(POS))


def morning(problem: L.Problem) -> L.Plan:
    plan = L.solve(problem, FAST)
    check(problem, plan)
    assert plan.kpis["served"] == len(problem.orders)
    return plan


def after(plan: L.Plan, oid: str) -> int:
    """While ``oid`` is served, just before the vehicle leaves (it restarts from there)."""
    s = plan.stops
    return int(s.loc[s.order_id == oid, "departure"].iloc[0]) - 1


def unserved(r) -> dict[str, str]:
    return dict(zip(map(str, r.plan.unserved.order_id), map(str, r.plan.unserved.reason)))


def test_a_pair_picked_up_rides_on_to_its_delivery():
    problem = day()
    plan = morning(problem)
    r = replan(problem, plan, after(plan, "p"), [], FAST)
    check(r.problem, r.plan)
    s = r.plan.stops.set_index("order_id")
    assert s.loc["d", "vehicle"] == s.loc["p", "vehicle"] and s.loc["d", "seq"] > s.loc["p", "seq"]
    assert not (r.problem.meta or {}).get(RETURNED_GOODS)
    sub = r.sub_problem.order("d")
    assert sub.pair is None and sub.vehicle_types == ("van#1",)  # goods on board, tied to their vehicle


@pytest.mark.parametrize("recover", [None, 30.0])
def test_a_breakdown_after_the_pickup_gives_the_pair_up_and_the_goods_ride_back(recover):
    problem = day()
    plan = morning(problem)
    r = replan(problem, plan, after(plan, "p"), [Breakdown("van#1", recover_min=recover)], FAST)
    check(r.problem, r.plan)  # no pair violation: the updated day says the goods ride back
    assert r.problem.meta[RETURNED_GOODS] == ["p"]
    assert r.problem.order("p").pair is None and r.problem.order("d").pair is None
    assert "p" in set(r.plan.stops.order_id)  # the pickup stays as made
    assert "out of service" in unserved(r)["d"]
    ch = r.changes.set_index("order_id")
    assert ch.loc["d", "change"] == "unserved" and "out of service" in ch.loc["d", "reason"]
    # the same plan against the day as planned: the given-up pair is what the validator would report
    kinds = {v.kind for v in L.validate(problem.replace(orders=problem.orders), r.plan)}
    assert "pair" in kinds


def test_a_delay_past_the_shelf_life_gives_the_pair_up_and_its_goods_keep_their_room():
    problem = day()
    plan = morning(problem)
    r = replan(problem, plan, after(plan, "p"), [Delay("van#1", minutes=240)], FAST)
    check(r.problem, r.plan)
    assert "shelf life" in unserved(r)["d"]
    assert r.problem.meta[RETURNED_GOODS] == ["p"]
    # written off: without the mark, the milk riding back would break its shelf life
    spoiled = L.validate(r.problem.replace(meta={}), r.plan)
    assert {(v.kind, v.order_id) for v in spoiled} == {("shelf_life", "p")}
    (vt,) = r.sub_problem.fleet
    assert vt.compartments[0].capacity == pytest.approx(100 - 30)  # the milk rides back, taking its room


def test_cancelling_a_pair_before_its_pickup_cancels_both_halves():
    problem = day()
    plan = morning(problem)
    at = int(plan.stops.loc[plan.stops.kind == "start", "departure"].iloc[0]) + 60
    r = replan(problem, plan, at, [Cancel("d")], FAST)
    check(r.problem, r.plan)
    assert {"p", "d"}.isdisjoint(o.id for o in r.problem.orders)
    ch = r.changes.set_index("order_id")
    assert ch.loc["p", "change"] == "cancelled" and ch.loc["d", "change"] == "cancelled"


def test_cancelling_a_delivery_whose_pickup_is_made_sends_the_goods_back():
    problem = day()
    plan = morning(problem)
    r = replan(problem, plan, after(plan, "p"), [Cancel("d")], FAST)
    check(r.problem, r.plan)
    assert r.problem.meta[RETURNED_GOODS] == ["p"] and r.problem.order("p").pair is None
    (vt,) = r.sub_problem.fleet
    assert vt.compartments[0].capacity == pytest.approx(100 - 30)


def test_a_new_pair_that_fits_no_room_left_is_unserved_not_an_error():
    problem = day(cap=100.0, produce=45.0)
    plan = morning(problem)
    at = after(plan, "q")
    pair = [
        L.Order("NP", {"milk": 60}, node_id="v4", kind="pickup", pair="ND", service=300),
        L.Order("ND", {"milk": 60}, node_id="v2", service=300),
    ]
    r = replan(problem, plan, at, [NewOrder(o) for o in pair], FAST)
    check(r.problem, r.plan)
    un = unserved(r)
    assert "room left" in un["NP"] and "ND" in un
    ch = r.changes.set_index("order_id")
    assert ch.loc["NP", "change"] == "new_unserved"
