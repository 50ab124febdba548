"""Time out of refrigeration in both engines: apples may ride an ambient van only for a short ride.

Every plan goes through the independent validator (`helpers.check`).  The matrix is a line at 10 m/s, so
36 km is an hour's drive; apples keep 72 h in a reefer and 0.5 h out of refrigeration.
"""

from __future__ import annotations

import dataclasses

import pytest
from helpers import check, line_matrix
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import logistics as L
from logistics.core.units import Zone
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.pyvrp.model import build_instance
from logistics.engine.solvers.pyvrp.portfolio import solve_pyvrp

H = 3600
ENGINES = ["ortools", "pyvrp", "auto"]
APPLES = L.Product("apples", Zone.FRESH, shelf_life_h=72, value=7.0, ambient_limit_h=0.5)


def _fleet(vans: int = 1, reefers: int = 1) -> list[L.VehicleType]:
    return [
        L.VehicleType("van", vans, (L.Compartment("ambient", 100),), start_depot="D", cost_per_km=1.0),
        L.VehicleType(
            "reefer", reefers, (L.Compartment("fresh", 100),), start_depot="D", cost_per_km=3.0, fixed_cost=50.0
        ),
    ]


def _problem(orders: list[L.Order], positions: dict[str, float], **fleet) -> L.Problem:
    return L.Problem(orders, _fleet(**fleet), products=[APPLES], matrix=line_matrix(positions))


def _vehicle_type(plan: L.Plan, order_id: str) -> str:
    row = plan.stops[plan.stops["order_id"] == order_id]
    assert len(row) == 1, f"{order_id} is not served once"
    return str(row["vehicle_type"].iloc[0])


def _solve(p: L.Problem, engine: str) -> L.Plan:
    plan = L.solve(p, time_limit=2, engine=engine, seed=0, iterations=30)
    check(p, plan)
    return plan


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["delivery", "pickup"])
def test_a_long_ride_puts_apples_on_the_reefer(engine, kind):
    # an hour's drive each way: the ambient van, although cheaper, would keep them out of refrigeration 1 h
    p = _problem([L.Order("far", {"apples": 5}, node_id="x", kind=kind)], {"D": 0, "x": 36_000})
    assert arrays.build(p).ride.tolist() == [[H // 2], [72 * H]]
    plan = _solve(p, engine)
    assert _vehicle_type(plan, "far") == "reefer"
    assert plan.stops.loc[plan.stops["order_id"] == "far", "compartment"].iloc[0] == "fresh"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["delivery", "pickup"])
def test_a_short_ride_lets_apples_ride_the_cheaper_ambient_van(engine, kind):
    # six minutes each way: the van keeps them within 0.5 h and costs less than the reefer
    p = _problem([L.Order("near", {"apples": 5}, node_id="x", kind=kind)], {"D": 0, "x": 3_600})
    plan = _solve(p, engine)
    assert _vehicle_type(plan, "near") == "van"
    assert plan.stops.loc[plan.stops["order_id"] == "near", "compartment"].iloc[0] == "ambient"
    reefer_only = _solve(p.replace(fleet=_fleet(vans=0)), engine)
    assert _vehicle_type(reefer_only, "near") == "reefer"
    assert plan.kpis["cost"] < reefer_only.kpis["cost"]


@pytest.mark.parametrize("engine", ENGINES)
def test_each_order_rides_the_vehicle_its_ride_allows(engine):
    # one van and one reefer, room for one order each: the near orchard's apples go ambient, the far one's cold
    orders = [
        L.Order("near", {"apples": 80}, node_id="n", kind="pickup"),
        L.Order("far", {"apples": 80}, node_id="f", kind="pickup"),
    ]
    p = _problem(orders, {"D": 0, "n": 3_000, "f": 30_000})
    plan = _solve(p, engine)
    assert (_vehicle_type(plan, "near"), _vehicle_type(plan, "far")) == ("van", "reefer")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("gap", [3_000, 30_000])
def test_a_pair_obeys_the_limit_of_the_vehicle_that_carries_it(engine, gap):
    # orchard a -> station b: 5 min apart the van may carry the pair, 50 min apart only the reefer
    orders = [
        L.Order("pick", {"apples": 5}, node_id="a", kind="pickup", pair="drop"),
        L.Order("drop", {"apples": 5}, node_id="b"),
    ]
    p = _problem(orders, {"D": 0, "a": 1_000, "b": 1_000 + gap})
    plan = _solve(p, engine)
    want = "van" if gap == 3_000 else "reefer"
    assert _vehicle_type(plan, "pick") == _vehicle_type(plan, "drop") == want


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("pair", [False, True])
def test_an_order_no_vehicle_can_keep_cold_enough_is_left_out_with_a_reason(engine, pair):
    if pair:  # orchard at the depot, station an hour away: no vehicle may serve the pair
        orders = [
            L.Order("pick", {"apples": 5}, node_id="D", kind="pickup", pair="far"),
            L.Order("far", {"apples": 5}, node_id="x"),
        ]
    else:
        orders = [L.Order("far", {"apples": 5}, node_id="x")]
    p = _problem(orders, {"D": 0, "x": 36_000}, reefers=0)
    assert arrays.build(p).dead_pairs == ([(0, 1)] if pair else [])
    plan = _solve(p, engine)
    assert plan.served_ids == []
    reason = plan.unserved.set_index("order_id").loc["far", "reason"]
    assert "time out of refrigeration" in reason


@pytest.mark.parametrize("kind", ["delivery", "pickup", "pair"])
def test_pyvrp_forbids_a_vehicle_type_on_which_the_shortest_ride_breaks_the_limit(kind):
    # PyVRP relaxes the limit, but the van cannot carry far-away apples in any plan (an hour's drive, 0.5 h out
    # of refrigeration): the skeleton keeps them off it, while near ones may ride it
    if kind == "pair":
        far = [
            L.Order("p", {"apples": 5}, node_id="D", kind="pickup", pair="d"),
            L.Order("d", {"apples": 5}, node_id="x"),
        ]
    else:
        far = [L.Order("o", {"apples": 5}, node_id="x", kind=kind)]
    for x, want in ((36_000, "reefer"), (3_600, "van")):
        data = arrays.build(_problem(far, {"D": 0, "x": x}))
        inst = build_instance(data)
        assert "time out of refrigeration ignored" in inst.relaxed
        seed = solve_pyvrp(data, time_limit=2, seed=0, cost_arrays=cost_arrays(data), max_iterations=50)
        used = {v for v, r in enumerate(seed.routes) if r}
        assert [data.vehicle_ids[v].split("#")[0] for v in used] == [want] and seed.violations == []


@st.composite
def _mixed_days(draw):
    """Apples, milk and rice on vans, reefers and two-compartment trucks from two depots, limits drawn."""
    apples = L.Product(
        "apples",
        Zone.FRESH,
        shelf_life_h=draw(st.sampled_from([None, 1.0, 4.0])),
        ambient_limit_h=draw(st.sampled_from([0.1, 0.3, 0.6, 2.0])),
    )
    milk = L.Product("milk", Zone.CHILLED, ambient_limit_h=draw(st.sampled_from([None, 0.2, 1.0])))
    products = [apples, milk, L.Product("rice")]
    depots = ["D", "E"]
    fleet = [
        L.VehicleType("van", draw(st.integers(0, 2)), (L.Compartment("ambient", 60),), start_depot="D"),
        L.VehicleType("reefer", draw(st.integers(0, 2)), (L.Compartment("fresh", 60),), start_depot="E"),
        L.VehicleType(
            "truck",
            draw(st.integers(0, 1)),
            (L.Compartment("ambient", 40, "dry"), L.Compartment("chilled", 40, "cold")),
            start_depot=draw(st.sampled_from(depots)),
            speed_factor=1.2,
        ),
    ]
    n = draw(st.integers(1, 7))
    orders = []
    for k in range(n):
        goods = draw(st.sampled_from([{"apples": 10}, {"milk": 5}, {"rice": 8}, {"apples": 5, "milk": 5}]))
        kind = draw(st.sampled_from(["delivery", "pickup"]))
        orders.append(L.Order(f"o{k}", goods, node_id=f"c{k}", kind=kind, service=draw(st.sampled_from([0, 300]))))
    if n >= 2 and draw(st.booleans()):  # one pair: pickup o0 then delivery o1, same goods
        orders[0] = dataclasses.replace(orders[0], kind="pickup", pair="o1")
        orders[1] = dataclasses.replace(orders[1], kind="delivery", quantities=dict(orders[0].quantities))
    xs = {"D": 0.0, "E": 4_000.0} | {f"c{k}": draw(st.floats(-20_000, 20_000)) for k in range(n)}
    return L.Problem(orders, fleet, products=products, matrix=line_matrix(xs), strict=False)


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(p=_mixed_days(), engine=st.sampled_from(["ortools", "auto"]))
def test_random_mixed_fleets_give_valid_plans(p, engine):
    # the validator is the oracle: no plan lets goods ride warm past their limit on whichever vehicle
    plan = L.solve(p, time_limit=1.0, seed=0, engine=engine, iterations=10)
    check(p, plan)
