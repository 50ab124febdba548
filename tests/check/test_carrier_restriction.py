"""An order of one carrier never rides another carrier's vehicle; shared vehicles (no carrier) take any."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_accounted

import logistics as L
import networks


def _matrix() -> networks.TravelMatrix:
    ids = ["D", "a", "b", "c"]
    pos = np.array([0.0, 1000.0, 1100.0, 1200.0])
    dist = np.abs(pos[:, None] - pos[None, :]).astype(np.int64)
    return networks.TravelMatrix(ids, dist, dist // 10)


def _van(name: str, carrier: str | None, count: int = 1) -> L.VehicleType:
    return L.VehicleType(
        name, count, [L.Compartment("ambient", 100)], start_depot="D", fixed_cost=100, cost_per_km=1.0, carrier=carrier
    )


ORDERS = [
    L.Order("ems-a", {"goods": 5}, node_id="a", carrier="EMS"),
    L.Order("zto-b", {"goods": 5}, node_id="b", carrier="ZTO"),
    L.Order("ems-c", {"goods": 5}, node_id="c", carrier="EMS"),
    L.Order("any-c", {"goods": 5}, node_id="c"),
]


def test_orders_ride_only_their_carriers_vehicles():
    p = L.Problem(ORDERS, [_van("ems", "EMS"), _van("zto", "ZTO")], matrix=_matrix())
    plan = L.solve(p, time_limit=2, seed=0, engine="ortools")
    assert L.validate(p, plan) == []
    assert_accounted(p, plan)
    rode = plan.stops.dropna(subset=["order_id"]).set_index("order_id")["vehicle_type"]
    assert rode["ems-a"] == rode["ems-c"] == "ems" and rode["zto-b"] == "zto"
    # without the restriction one van would take everything (one fixed cost, one run along the line)
    free = L.Problem(
        [L.Order(o.id, o.quantities, node_id=o.node_id) for o in ORDERS],
        [_van("ems", "EMS"), _van("zto", "ZTO")],
        matrix=_matrix(),
    )
    assert L.solve(free, time_limit=2, seed=0, engine="ortools").kpis["vehicles"] == 1
    assert plan.kpis["vehicles"] == 2


def test_a_shared_vehicle_serves_every_carrier():
    p = L.Problem(ORDERS, [_van("pool", None)], matrix=_matrix())
    plan = L.solve(p, time_limit=2, seed=0, engine="ortools")
    assert L.validate(p, plan) == [] and plan.kpis["served"] == 4


def test_validator_catches_an_order_on_another_carriers_vehicle():
    p = L.Problem(ORDERS[:2], [_van("ems", "EMS"), _van("zto", "ZTO")], matrix=_matrix())
    plan = L.solve(p, time_limit=2, seed=0, engine="ortools")
    assert L.validate(p, plan) == []
    stops = plan.stops.copy()
    stops["vehicle"] = (
        stops["vehicle"].str.replace("zto", "ems-x").str.replace("ems#", "zto#").str.replace("ems-x", "ems")
    )
    stops["vehicle_type"] = stops["vehicle"].str.split("#").str[0]
    bad = L.Plan(stops=stops, unserved=plan.unserved, kpis=plan.kpis, routes=plan.routes, meta=plan.meta)
    vs = [v for v in L.validate(p, bad) if v.kind == "not_allowed"]
    assert {v.order_id for v in vs} == {"ems-a", "zto-b"}
    assert all("carrier" in v.message for v in vs)


def test_no_vehicle_of_the_carrier_is_a_named_reason_or_error():
    orders = [L.Order("sf-a", {"goods": 5}, node_id="a", carrier="SF"), ORDERS[0]]
    fleet = [_van("ems", "EMS")]
    lenient = L.Problem(orders, fleet, matrix=_matrix(), strict=False)
    plan = L.solve(lenient, time_limit=2, seed=0, engine="ortools")
    assert L.validate(lenient, plan) == []
    reason = plan.unserved.set_index("order_id").at["sf-a", "reason"]
    assert "carrier 'SF'" in reason
    with pytest.raises(L.ProblemError) as e:
        L.Problem(orders, fleet, matrix=_matrix())
    assert e.value.record == "sf-a" and e.value.field == "carrier" and "carrier 'SF'" in str(e.value)
