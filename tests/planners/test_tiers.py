"""Three-tier planning: trunk waves, last mile per station, hub-direct service, re-balancing, tier validator."""

from __future__ import annotations

import copy
from dataclasses import replace

import geopandas as gpd
import pandas as pd
import pytest

import logistics as L
import networks
from logistics.check.tiers import KINDS, assert_tiers_valid, validate_tiers
from logistics.planners import tiers as T

FAST = dict(engine="ortools", workers=1)


def check_tiered(tp: T.TieredPlan) -> None:
    """Every leg passes logistics.validate and the tier rules hold; every order accounted once."""
    for name, problem, plan in tp.legs():
        vs = L.validate(problem, plan)
        assert vs == [], f"{name}: " + "\n".join(map(str, vs))
    assert_tiers_valid(tp, legs=False)
    served = set()
    for d, plan in tp.last_mile.items():
        served |= set(plan.served_ids)
    unserved = set(tp.unserved["order_id"])
    assert {o.id for o in tp.orders} <= served | unserved
    assert all(isinstance(r, str) and r for r in tp.unserved["reason"])


@pytest.fixture(scope="module")
def demo():
    net = T.demo_network(stations=3, villages_per_station=5, near_hub=2, seed=3)
    orders = T.demo_orders(net, seed=3)
    trunk, vans = T.demo_fleets(trunk=2, vans=2)
    return net, orders, trunk, vans


@pytest.fixture(scope="module")
def tiered(demo):
    net, orders, trunk, vans = demo
    return T.plan_tiers(net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=6, seed=0, **FAST)


def test_tiered_plan_is_feasible_and_complete(tiered):
    check_tiered(tiered)
    k = tiered.kpis
    assert k["served"] == k["orders"] and k["unserved"] == 0
    assert k["trunk_vehicles"] >= 1 and k["last_mile_vehicles"] >= 1
    assert set(tiered.stops["tier"]) <= {"trunk", "last_mile", "direct"}
    assert {"trunk", "last_mile"} <= set(tiered.stops["tier"])
    assert isinstance(tiered.routes, gpd.GeoDataFrame) and "tier" in tiered.routes.columns
    assert k["cost"] == pytest.approx(sum(p.kpis["cost"] for _, _, p in tiered.legs()), abs=1e-3)
    assert "TieredPlan" in L.__all__ and L.plan_tiers is T.plan_tiers


def test_transfers_are_synchronised(tiered):
    t = tiered.transfers
    assert set(t.columns) >= {
        "order_id",
        "station",
        "trunk_vehicle",
        "trunk_arrival",
        "last_mile_vehicle",
        "last_mile_departure",
        "wait_at_station",
    }
    down, up = t[t["direction"] == "down"], t[t["direction"] == "up"]
    assert len(down) and len(up)
    assert (down["last_mile_departure"] >= down["trunk_departure"] + tiered.handling_s).all()
    assert (down["wait_at_station"] >= tiered.handling_s).all()
    # produce: the trunk picks it up after the van is back plus handling
    assert (up["wait_at_station"] >= tiered.handling_s).all()
    trunk = tiered.trunk.stops
    assert set(trunk["wave"]) == {"out", "in"}
    # a truck of the outbound wave goes out again only after its return plus handling
    back = trunk[(trunk["wave"] == "out") & (trunk["kind"] == "end")].set_index("vehicle")["arrival"]
    again = trunk[(trunk["wave"] == "in") & (trunk["kind"] == "start")]
    for r in again.itertuples():
        phys = r.vehicle.replace("/in#1", "")
        if phys in back.index:
            assert r.departure >= back[phys] + tiered.handling_s
    frame = tiered.transfers_frame()
    assert pd.api.types.is_datetime64_any_dtype(frame["trunk_arrival"])


def test_end_to_end_shelf_life_holds(tiered):
    prods = tiered.products
    trunk_dep = tiered.trunk.stops[tiered.trunk.stops["kind"] == "start"].set_index("vehicle")["departure"]
    trunk_end = tiered.trunk.stops[tiered.trunk.stops["kind"] == "end"].set_index("vehicle")["arrival"]
    for r in tiered.transfers.itertuples():
        o = next(x for x in tiered.orders if x.id == r.order_id)
        S = T.shelf_life_s(o, prods)
        if S is None:
            continue
        stop = tiered.last_mile[r.station].stops.set_index("order_id").loc[r.order_id]
        if r.direction == "down":
            assert stop["start"] - trunk_dep[r.trunk_vehicle] <= S
        else:
            assert trunk_end[r.trunk_vehicle] - stop["start"] <= S


def test_direct_from_hub_policies(demo):
    net, orders, trunk, vans = demo
    never = T.plan_tiers(
        net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=4, direct_from_hub=False, rebalance=False, **FAST
    )
    check_tiered(never)
    assert never.direct is None and never.kpis["direct_villages"] == 0
    always = T.plan_tiers(
        net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=4, direct_from_hub=True, rebalance=False, **FAST
    )
    check_tiered(always)
    near = set(always.assignment.loc[always.assignment["mode"] == "direct", "village"])
    assert near, "the demo has villages closer to the hub than to their station"
    served_direct = set(always.direct.served_ids)
    assert served_direct == {o.id for o in orders if o.node_id in near}
    # direct orders have no transfer at a station
    assert not set(always.transfers["order_id"]) & served_direct


def test_auto_direct_compares_costs(tiered):
    steps = [s for s in tiered.meta["log"] if s["step"] == "direct"]
    assert len(steps) == 1
    s = steps[0]
    chosen = "direct" if s["direct"] < s["via_stations"] else "stations"
    assert s["chosen"] == chosen
    assert (tiered.kpis["direct_villages"] > 0) == (chosen == "direct")


def _misplaced_network():
    """Village 'vx' sits next to st2 but is registered under st1 (far away)."""
    net = T.demo_network(stations=2, villages_per_station=4, near_hub=0, seed=5)
    nodes = net.nodes.copy()
    st2 = nodes.geometry["st2"]
    from shapely.geometry import Point

    extra = gpd.GeoDataFrame(
        {"name": ["misplaced"], "tier": ["village"], "parent": ["st1"], "synthetic": [True]},
        geometry=[Point(st2.x + 0.01, st2.y + 0.005)],
        crs="EPSG:4326",
        index=pd.Index(["vx"], name="node_id"),
    )
    return networks.Network(pd.concat([nodes, extra]), name="misplaced")


def test_rebalancing_moves_a_boundary_village():
    net = _misplaced_network()
    orders = T.demo_orders(net, seed=1, produce_share=0.0)
    trunk, vans = T.demo_fleets(trunk=2, vans=2)
    tp = T.plan_tiers(net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=6, direct_from_hub=False, **FAST)
    check_tiered(tp)
    row = tp.assignment.set_index("village").loc["vx"]
    assert row["depot"] == "st2" and bool(row["moved"])
    moves = [s for s in tp.meta["log"] if s["step"] == "move" and s["village"] == "vx"]
    assert moves and moves[0]["kept"] and moves[0]["after"] < moves[0]["before"]
    assert "d-vx" in set(tp.last_mile["st2"].served_ids)
    kept = T.plan_tiers(
        net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=4, direct_from_hub=False, rebalance=False, **FAST
    )
    check_tiered(kept)
    assert kept.assignment.set_index("village").at["vx", "depot"] == "st1"


def test_handling_time_delays_the_last_mile(demo):
    net, orders, trunk, vans = demo
    kw = dict(products=T.DEMO_PRODUCTS, time_limit=4, direct_from_hub=False, rebalance=False, **FAST)
    slow = T.plan_tiers(net, orders, trunk, vans, handling_s=3 * 3600, **kw)
    check_tiered(slow)
    d = slow.transfers[slow.transfers["direction"] == "down"]
    assert (d["last_mile_departure"] - d["trunk_departure"] >= 3 * 3600).all()


def test_shelf_life_too_short_for_the_station_route_is_explained(demo):
    net, _, trunk, vans = demo
    prods = dict(T.DEMO_PRODUCTS) | {"sushi": L.Product("sushi", "chilled", shelf_life_h=0.6, value=100.0)}
    far = sorted(net.villages_of("st1").index)[0]
    orders = [
        L.Order("s1", {"sushi": 5}, node_id=far, service=60),
        L.Order("g1", {"groceries": 20}, node_id=far, service=60),
    ]
    tp = T.plan_tiers(net, orders, trunk, vans, products=prods, time_limit=3, direct_from_hub=False, **FAST)
    check_tiered(tp)
    un = tp.unserved.set_index("order_id")
    assert "s1" in un.index and "shelf life" in un.at["s1", "reason"]
    assert "g1" not in un.index


def test_produce_no_truck_can_take_is_not_collected(demo):
    net, orders, trunk, vans = demo
    short = [replace(trunk[0], shift=(5 * 3600, 11 * 3600))]
    tp = T.plan_tiers(net, orders, short, vans, products=T.DEMO_PRODUCTS, time_limit=4, direct_from_hub=False, **FAST)
    check_tiered(tp)
    stranded = tp.unserved[tp.unserved["leg"] == "trunk"]
    assert len(stranded) and stranded["reason"].str.contains("no trunk pickup").all()
    collected = set().union(*(set(p.served_ids) for p in tp.last_mile.values()))
    assert not collected & set(stranded["order_id"])
    # the deliveries still went down in the morning
    assert tp.kpis["delivered"] == sum(o.kind == "delivery" for o in orders)


def test_deterministic_with_iterations_regardless_of_workers(demo):
    net, orders, trunk, vans = demo
    kw = dict(products=T.DEMO_PRODUCTS, time_limit=20, engine="ortools", iterations=30, rebalance=False)
    a = T.plan_tiers(net, orders, trunk, vans, workers=1, **kw)
    b = T.plan_tiers(net, orders, trunk, vans, workers=2, **kw)
    check_tiered(a)
    check_tiered(b)
    cols = ["tier", "leg", "vehicle", "seq", "order_id", "arrival", "start"]
    pd.testing.assert_frame_equal(a.stops[cols].reset_index(drop=True), b.stops[cols].reset_index(drop=True))
    assert a.kpis["cost"] == b.kpis["cost"]


def test_mapping_fleet_and_bad_inputs(demo):
    net, orders, trunk, vans = demo
    with pytest.raises(L.ProblemError, match="not a village"):
        T.plan_tiers(net, [L.Order("x", {"groceries": 1}, node_id="st1")], trunk, vans, products=T.DEMO_PRODUCTS)
    with pytest.raises(L.ProblemError, match="neither a station nor the hub"):
        T.plan_tiers(net, orders, trunk, {"nowhere": vans}, products=T.DEMO_PRODUCTS)
    # only st1 has vans: the other stations' villages are unserved with a reason
    tp = T.plan_tiers(net, orders, trunk, {"st1": vans}, products=T.DEMO_PRODUCTS, time_limit=3, **FAST)
    check_tiered(tp)
    st1 = set(net.villages_of("st1").index)
    assert all(o.node_id not in st1 for o in orders if o.id in set(tp.unserved["order_id"]))
    assert tp.direct is None


def test_vehicle_type_restrictions_follow_the_depot_copies(demo):
    net, orders, trunk, vans = demo
    big = replace(vans[0], name="big-van")
    o = replace(orders[0], vehicle_types=("big-van",))
    tp = T.plan_tiers(
        net, [o], trunk, [vans[0], big], products=T.DEMO_PRODUCTS, time_limit=3, direct_from_hub=False, **FAST
    )
    check_tiered(tp)
    stop = tp.stops[tp.stops["order_id"] == o.id]
    assert stop["vehicle_type"].iloc[0].startswith("big-van@")


# --------------------------------------------------------------------------- validator on broken plans


def broken(tp: T.TieredPlan) -> T.TieredPlan:
    c = copy.copy(tp)
    c.trunk = copy.deepcopy(tp.trunk)
    c.last_mile = {k: copy.deepcopy(v) for k, v in tp.last_mile.items()}
    c.transfers = tp.transfers.copy()
    c.unserved = tp.unserved.copy()
    c.problems = dict(tp.problems)
    return c


def kinds(tp) -> set[str]:
    return {v.kind for v in validate_tiers(tp, legs=False)}


def test_validator_kinds_are_documented():
    assert {"sync", "shelf_life", "missing", "served_and_unserved", "manifest", "chain"} <= set(KINDS)


def test_validator_catches_early_last_mile_departure(tiered):
    c = broken(tiered)
    r = c.transfers[c.transfers["direction"] == "down"].iloc[0]
    plan = c.last_mile[r.station]
    rows = plan.stops["vehicle"] == r.last_mile_vehicle
    shift = int(plan.stops.loc[rows, "departure"].min() - r.trunk_departure)  # leave as the trunk arrives
    for col in ("arrival", "start", "departure"):
        plan.stops.loc[rows, col] -= shift
    ks = kinds(c)
    assert "sync" in ks


def test_validator_catches_trunk_pickup_before_produce_arrives(tiered):
    c = broken(tiered)
    r = c.transfers[c.transfers["direction"] == "up"].iloc[0]
    s = c.trunk.stops
    row = s["order_id"] == r.trunk_order
    s.loc[row, "start"] = int(r.last_mile_arrival) + 60
    assert "sync" in kinds(c)


def test_validator_catches_shelf_life(tiered):
    c = broken(tiered)
    c.products = {k: replace(p, shelf_life_h=0.5) if p.shelf_life_h else p for k, p in tiered.products.items()}
    assert "shelf_life" in kinds(c)


def test_validator_catches_coverage_errors(tiered):
    c = broken(tiered)
    c.transfers = c.transfers.iloc[1:]  # an order loses its trunk leg record
    assert "missing" in kinds(c)
    c = broken(tiered)
    oid = tiered.transfers["order_id"].iloc[0]
    c.unserved = pd.concat([c.unserved, pd.DataFrame([{"order_id": oid, "leg": "x", "reason": "r"}])])
    assert "served_and_unserved" in kinds(c)
    c = broken(tiered)
    c.unserved = pd.DataFrame([{"order_id": oid, "leg": "x", "reason": ""}])
    ks = kinds(c)
    assert "no_reason" in ks
    c = broken(tiered)
    st = next(d for d in c.last_mile if d != c.hub)
    plan = c.last_mile[st]
    dup = plan.stops[plan.stops["kind"] == "delivery"].iloc[[0]]
    plan.stops = pd.concat([plan.stops, dup], ignore_index=True)
    assert "duplicate" in kinds(c)


def test_validator_catches_manifest_chain_and_claims(tiered):
    c = broken(tiered)
    t_orders = tuple(
        replace(o, quantities={p: q / 2 for p, q in o.quantities.items()}) for o in tiered.problems["trunk"].orders
    )
    c.problems["trunk"] = replace(tiered.problems["trunk"], orders=t_orders)
    assert "manifest" in kinds(c)
    c = broken(tiered)
    ups = c.transfers["direction"] == "up"
    downs = c.transfers.index[c.transfers["direction"] == "down"]
    c.transfers.loc[downs[0], "trunk_order"] = c.transfers.loc[ups.idxmax(), "trunk_order"]
    assert "chain" in kinds(c)
    c = broken(tiered)
    c.transfers.loc[c.transfers.index[0], "wait_at_station"] += 1
    assert kinds(c) == {"transfers"}


def test_validator_catches_window_and_leg_errors(tiered):
    c = broken(tiered)
    oid = tiered.transfers["order_id"].iloc[0]
    c.orders = tuple(replace(o, time_windows=((0, 60),)) if o.id == oid else o for o in tiered.orders)
    assert "time_window" in kinds(c)
    c = broken(tiered)
    st = next(d for d in c.last_mile if d != c.hub)
    c.last_mile[st].stops.loc[c.last_mile[st].stops.index[1], "travel_distance"] += 5
    vs = validate_tiers(c, legs=True)
    assert any(v.kind == "leg" and st in v.message for v in vs)
    assert validate_tiers(tiered) == []


def test_short_time_limit_is_shared_not_exceeded_by_phase_floors(demo):
    # plan_tiers(time_limit=1) took 2.05 s: every phase and every sub-solve had a floor of 0.2 s whatever the limit
    import os
    import time

    net, orders, trunk, vans = demo
    t0 = time.perf_counter()
    tp = T.plan_tiers(net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=1, seed=0, **FAST)
    elapsed = time.perf_counter() - t0
    check_tiered(tp)
    phases = tp.meta["phase_limits_s"]
    assert phases and sum(phases) <= 1.0 + 1e-6, phases  # the time handed out fits in the limit
    if os.environ.get("COLDROUTE_TIMING") == "1":
        assert elapsed <= 1.0 * 1.1 + 1.0


def test_a_phase_gets_no_floor_once_the_limit_is_spent(demo):
    # the phase floor (0.2 s) used to be handed out even when earlier phases' fixed costs had eaten the
    # limit, so plan_tiers(time_limit=1) ran 1.2-1.7 s; once nothing is left a phase gets the least search
    import time

    from logistics.core.options import SolveOptions
    from logistics.core.shares import MIN_SEARCH_S, TIERS_LAST_MILE, TIERS_PHASE_FLOOR_S
    from logistics.planners.tiers.context import TierContext, TierSettings
    from logistics.planners.tiers.layout import Layout

    net, orders, trunk, vans = demo
    settings = TierSettings(products=T.DEMO_PRODUCTS)
    ctx = TierContext(Layout.from_network(net), orders, trunk, vans, settings, SolveOptions(time_limit=10))
    assert ctx.phase_s(TIERS_LAST_MILE) >= TIERS_PHASE_FLOOR_S  # time left: the share
    spent = TierContext(Layout.from_network(net), orders, trunk, vans, settings, SolveOptions(time_limit=0.3))
    time.sleep(0.35)
    assert spent.phase_s(TIERS_LAST_MILE) == MIN_SEARCH_S


@pytest.mark.parametrize("keep_at", [None, 1])
def test_rebalancing_stops_after_a_run_of_rejected_trials(demo, monkeypatch, keep_at):
    from logistics.planners.tiers import rebalance as R

    net, orders, trunk, vans = demo
    calls: list[int] = []

    def judged(ctx, change, assign, new_assign, depots, legs, release, short):
        calls.append(len(calls))
        keep = len(calls) - 1 == keep_at  # keeping changes nothing here: only the count of rejections matters
        ctx.log.append({"step": "move", "village": change[0][0], "kept": keep})
        return keep

    monkeypatch.setattr(R, "_try", judged)
    monkeypatch.setattr(R, "TIERS_STALL_TRIALS", 3)
    tp = T.plan_tiers(net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=6, boundary_ratio=20.0, **FAST)
    stalled = [s for s in tp.meta["log"] if s["step"] == "rebalance stalled"]
    # without a kept trial: three rejections; with one at trial 1: one rejection, the keep, three more
    assert len(calls) == (3 if keep_at is None else keep_at + 1 + 3)
    assert stalled and stalled[0]["rejected_in_a_row"] == 3 and stalled[0]["untried"] > 0
    check_tiered(tp)
