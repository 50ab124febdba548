"""Re-planning during the day: the past stays, on-board goods stay, events are applied, the validator agrees."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import grid_matrix

import logistics
from logistics.core.errors import ProblemError
from logistics.core.events import Breakdown, Cancel, Delay, NewOrder, NewWindows
from logistics.core.model import Order
from logistics.core.options import SolveOptions
from logistics.core.units import parse_clock
from logistics.engine.solve import initial_routes
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.whole import seed_cost
from logistics.planners.replan import replan

AT = parse_clock("11:00")
FAST = SolveOptions(time_limit=2.0, seed=0, workers=1)


@pytest.fixture(scope="module")
def day():
    problem = logistics.yanhu_demo(seed=1, deliveries=40, pickups=12, roads=False)
    plan = logistics.solve(problem, SolveOptions(time_limit=3.0, seed=0, workers=1))
    assert logistics.validate(problem, plan) == []
    return problem, plan


def visits(plan):
    s = plan.stops[plan.stops["kind"].isin(["delivery", "pickup"])]
    return {
        str(o): (str(v), int(a), int(t), int(d))
        for o, v, a, t, d in zip(s.order_id, s.vehicle, s.arrival, s.start, s.departure)
    }


def busy_vehicle(plan):
    """A vehicle with stops both before and after AT."""
    s = plan.stops[plan.stops["kind"].isin(["delivery", "pickup"])]
    for vid, g in s.groupby("vehicle"):
        if (g.arrival < AT).any() and (g.arrival > AT + 1800).sum() >= 2:
            return str(vid)
    pytest.skip("no vehicle busy across the re-planning time")


def assert_past_kept(before, after, cut_of):
    """Every stop that arrived before its vehicle's cut is in the new plan unchanged."""
    b, a = visits(before), visits(after)
    for oid, (vid, arr, st, dep) in b.items():
        if arr < cut_of(vid):
            assert a.get(oid) == (vid, arr, st, dep), oid


def test_breakdown_keeps_the_past_and_validates(day):
    problem, plan = day
    vid = busy_vehicle(plan)
    r = replan(problem, plan, "11:00", [Breakdown(vid)], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    assert_past_kept(plan, r.plan, lambda v: AT)
    after = r.plan.stops[(r.plan.stops.vehicle == vid) & r.plan.stops.kind.isin(["delivery", "pickup"])]
    assert (after.arrival < AT).all()  # nothing after the breakdown
    state = r.vehicles.set_index("vehicle").loc[vid, "state"]
    assert state == "broken"
    # its deliveries whose goods were on board are lost (no recovery given), with the reason
    s = plan.stops
    lost = set(s[(s.vehicle == vid) & (s.kind == "delivery") & (s.arrival >= AT)].order_id)
    un = dict(zip(r.plan.unserved.order_id, r.plan.unserved.reason))
    assert lost and all("out of service" in un[o] for o in lost)
    ch = r.changes.set_index("order_id")
    assert all(ch.loc[o, "change"] == "unserved" for o in lost)


def test_recovered_goods_go_on_a_spare_after_they_are_back(day):
    problem, plan = day
    vid = busy_vehicle(plan)
    r = replan(problem, plan, "11:00", [Breakdown(vid, recover_min=45)], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    s = plan.stops
    goods = set(s[(s.vehicle == vid) & (s.kind == "delivery") & (s.arrival >= AT)].order_id)
    new = r.plan.stops
    starts = new[new.kind == "start"].set_index("vehicle").departure
    un = set(r.plan.unserved.order_id)
    for oid in goods:
        if oid in un:
            continue
        row = new[new.order_id == oid].iloc[0]
        assert row.vehicle != vid
        assert starts[row.vehicle] >= AT + 45 * 60  # left the depot once the goods were back


def test_on_board_goods_stay_and_a_delay_holds_the_vehicle(day):
    problem, plan = day
    vid = busy_vehicle(plan)
    r = replan(problem, plan, AT, [Delay(vid, 40)], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    states = r.vehicles.set_index("vehicle")
    b, a = visits(plan), visits(r.plan)
    un = set(r.plan.unserved.order_id)
    s = plan.stops
    departed = set(s[(s.kind == "start") & (s.departure < AT)].vehicle)
    for oid, (v, arr, _, _) in b.items():
        o = problem.order(oid)
        if v in departed and o.kind == "delivery" and arr >= AT:
            assert oid in un or a[oid][0] == v, oid  # on-board goods never change vehicle
    # the delayed vehicle's first new stop starts after its restart time (which includes the delay)
    st = states.loc[vid]
    fixed = int(st["fixed"])
    route = r.plan.route_of(vid)
    rest = route[route.kind.isin(["delivery", "pickup"])].iloc[fixed:]
    if len(rest):
        assert rest.start.iloc[0] >= st["time"]
    assert st["state"] in ("en_route", "at_stop", "turned_back")


def test_cancelled_and_new_orders(day):
    problem, plan = day
    future = [o for o, (v, arr, _, _) in visits(plan).items() if arr > AT + 3600]
    gone = future[0]
    village = problem.orders[0].node_id
    pickup = Order(
        "NEW-P",
        {"apples": 150},
        node_id=village,
        kind="pickup",
        time_windows=(("12:00", "17:00"),),
        service=600,
        vehicle_types=("reefer_hub_large", "reefer_hub_small"),
    )
    delivery = Order("NEW-D", {"parcels": 40}, node_id=village, time_windows=(("12:00", "18:00"),), service=300)
    r = replan(problem, plan, AT, [Cancel(gone), NewOrder(pickup), NewOrder(delivery)], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    assert gone not in set(r.plan.stops.order_id) and gone not in set(r.plan.unserved.order_id)
    ch = r.changes.set_index("order_id")
    assert ch.loc[gone, "change"] == "cancelled"
    served = set(r.plan.stops.order_id)
    un = dict(zip(r.plan.unserved.order_id, r.plan.unserved.reason))
    for oid in ("NEW-P", "NEW-D"):
        assert (oid in served) != (oid in un)
        assert ch.loc[oid, "change"] == ("new" if oid in served else "new_unserved")
    if "NEW-D" in served:  # a new delivery leaves from a depot after the news came in
        v = r.plan.stops[r.plan.stops.order_id == "NEW-D"].vehicle.iloc[0]
        assert r.plan.route_of(v).departure.iloc[0] >= AT


def test_changed_windows_apply_and_events_on_served_orders_are_ignored(day):
    problem, plan = day
    b = visits(plan)
    done = next(o for o, (_, arr, _, _) in b.items() if arr < AT - 3600)
    later = next(o for o, (_, arr, _, _) in b.items() if arr > AT + 2 * 3600 and problem.order(o).kind == "delivery")
    r = replan(problem, plan, AT, [Cancel(done), NewWindows(later, (("16:00", "18:00"),))], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    assert r.problem.order(later).time_windows == ((parse_clock("16:00"), parse_clock("18:00")),)
    a = visits(r.plan)
    if later in a:
        assert a[later][2] >= parse_clock("16:00")
    assert done in a  # already served: the cancellation came too late
    ch = r.changes.set_index("order_id")
    assert "ignored" in set(r.changes.change) and done in ch.index


def test_events_from_mappings_and_bad_events(day):
    problem, plan = day
    vid = busy_vehicle(plan)
    r = replan(problem, plan, "11:00", [{"type": "delay", "vehicle": vid, "minutes": 10}], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    with pytest.raises(ProblemError) as e:
        replan(problem, plan, "11:00", [{"type": "delay", "vehicle": vid, "minutes": -5}], FAST)
    assert e.value.field == "events[0].minutes"
    with pytest.raises(ProblemError) as e:
        replan(problem, plan, "11:00", [Breakdown("no_such#1")], FAST)
    assert e.value.field == "events[0].vehicle" and e.value.record == "no_such#1"
    with pytest.raises(ProblemError) as e:
        replan(problem, plan, "11:00", [Delay(vid, 5), Cancel("nope")], FAST)
    assert e.value.field == "events[1].order_id" and e.value.record == "nope"
    with pytest.raises(ProblemError) as e:
        replan(problem, plan, "25:99", [], FAST)
    assert e.value.field == "at"
    with pytest.raises(ProblemError) as e:  # a time of the next day
        replan(problem, plan, "26:00", [], FAST)
    assert e.value.field == "at" and "outside the day" in str(e.value)


def test_warm_start_reads_the_plan(day):
    problem, plan = day
    again = logistics.solve(problem, SolveOptions(time_limit=2.0, seed=0, workers=1), initial=plan)
    assert logistics.validate(problem, again) == []
    assert again.meta["warm_start"] == len(plan.served_ids)
    assert again.meta.get("seed_loaded")
    assert again.meta["seed_from"] in ("initial", "pyvrp")
    plain = logistics.solve(problem, SolveOptions(time_limit=2.0, seed=0, workers=1, engine="ortools"), initial=plan)
    assert plain.meta["seed_from"] == "initial" and not plain.meta.get("seed_repaired")
    assert logistics.validate(problem, plain) == []
    assert plain.kpis["objective"] <= plan.kpis["objective"] + 1e-6  # the search starts from the plan given
    data = arrays.build(problem)
    costs = cost_arrays(data)
    routes = initial_routes(problem, plan)
    assert sorted(i for r in routes for i in r) == sorted(
        i for i, o in enumerate(problem.orders) if o.id in set(plan.served_ids)
    )
    assert seed_cost(data, costs, routes) < seed_cost(data, costs, [[] for _ in routes])
    with pytest.raises(ProblemError) as e:
        logistics.solve(problem, 1.0, initial=pd.DataFrame())
    assert e.value.field == "initial"


def en_route(plan):
    """(vehicle, next order, a time it drives there) for a vehicle between two order stops around midday."""
    s = plan.stops.sort_values(["vehicle", "seq"])
    for vid, g in s.groupby("vehicle"):
        rows = g.to_dict(orient="records")
        for prev, nxt in zip(rows, rows[1:]):
            kinds = {prev["kind"], nxt["kind"]} <= {"delivery", "pickup"}
            if kinds and nxt["arrival"] - prev["departure"] > 120 and prev["departure"] > AT - 3600:
                return str(vid), str(nxt["order_id"]), int(prev["departure"] + nxt["arrival"]) // 2
    pytest.skip("no vehicle between two stops around midday")


def test_a_vehicle_whose_next_stop_is_cancelled_turns_back(day):
    problem, plan = day
    vid, nxt, at = en_route(plan)
    r = replan(problem, plan, at, [Cancel(nxt)], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    st = r.vehicles.set_index("vehicle").loc[vid]
    assert st["state"] == "turned_back"
    last_dep = plan.stops[(plan.stops.vehicle == vid) & (plan.stops.departure <= at)].departure.max()
    assert st["time"] == at + (at - last_dep)  # back to its last stop before going on
    assert_past_kept(plan, r.plan, lambda v: at)
    assert nxt not in set(r.plan.stops.order_id)


def test_a_vehicle_driving_to_a_stop_serves_it_as_planned(day):
    problem, plan = day
    vid, nxt, at = en_route(plan)
    r = replan(problem, plan, at, [], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    assert r.vehicles.set_index("vehicle").loc[vid, "state"] == "en_route"
    assert visits(r.plan)[nxt] == visits(plan)[nxt]


def test_a_breakdown_to_come_brings_the_vehicle_home_in_time(day):
    problem, plan = day
    vid = busy_vehicle(plan)
    t_out = AT + 2 * 3600
    r = replan(problem, plan, AT, [Breakdown(vid, at=t_out)], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    route = r.plan.route_of(vid)
    assert route.arrival.iloc[-1] <= t_out
    assert r.vehicles.set_index("vehicle").loc[vid, "end_by"] <= t_out


def test_same_seed_and_iterations_give_the_same_day(day):
    problem, plan = day
    vid = busy_vehicle(plan)
    opts = SolveOptions(time_limit=20.0, seed=3, iterations=10, workers=1)
    a = replan(problem, plan, AT, [Breakdown(vid, recover_min=30)], opts)
    b = replan(problem, plan, AT, [Breakdown(vid, recover_min=30)], opts)
    cols = ["vehicle", "seq", "order_id", "arrival", "start", "departure"]
    pd.testing.assert_frame_equal(a.plan.stops[cols], b.plan.stops[cols])
    assert logistics.validate(a.problem, a.plan) == []


def test_paired_goods_picked_up_stay_on_their_vehicle_and_keep_their_shelf_life():
    m = grid_matrix(12, seed=4)
    goods = logistics.Product("milk", "chilled", shelf_life_h=3)
    fleet = [logistics.VehicleType("reefer", 3, (logistics.Compartment("chilled", 100),), start_depot="D")]
    orders = []
    for k in range(6):
        orders.append(
            logistics.Order(f"p{k}", {"milk": 20}, node_id=f"c{2 * k}", kind="pickup", pair=f"d{k}", service=300)
        )
        orders.append(logistics.Order(f"d{k}", {"milk": 20}, node_id=f"c{2 * k + 1}", service=300))
    problem = logistics.Problem(orders, fleet, products=[goods], matrix=m)
    plan = logistics.solve(problem, SolveOptions(time_limit=2.0, seed=0, workers=1))
    assert logistics.validate(problem, plan) == []
    s = plan.stops.sort_values(["vehicle", "seq"])
    picked = s[(s.kind == "pickup")]
    # re-plan just after the first pickup whose delivery comes later
    row = picked.sort_values("departure").iloc[0]
    at = int(row.departure) + 1
    r = replan(problem, plan, at, [], FAST)
    assert logistics.validate(r.problem, r.plan) == []
    d = problem.partner(str(row.order_id))
    after = r.plan.stops[r.plan.stops.order_id == d]
    if len(after):
        assert after.vehicle.iloc[0] == row.vehicle  # the goods picked up ride on to their delivery
    else:
        assert d in set(r.plan.unserved.order_id)
