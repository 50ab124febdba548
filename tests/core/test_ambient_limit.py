"""Product.ambient_limit_h: time out of refrigeration, separate from shelf life (issue 13, item 7)."""

from __future__ import annotations

import math

import pytest
from helpers import line_matrix

import logistics as L
from logistics.core.costs import decay_rate, quality_loss
from logistics.core.units import Zone


def _apples(**kw) -> L.Product:
    kw.setdefault("shelf_life_h", 72)
    kw.setdefault("ambient_limit_h", 2)
    return L.Product("apples", Zone.FRESH, **kw)


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, -math.inf, 1e300, "soon"])
def test_bad_ambient_limit_names_the_field(bad):
    with pytest.raises(L.ProblemError) as ei:
        _apples(ambient_limit_h=bad)
    assert (ei.value.record, ei.value.field) == ("apples", "ambient_limit_h")


@pytest.mark.parametrize("zone", [Zone.FROZEN, Zone.AMBIENT])
def test_ambient_limit_on_goods_that_cannot_ride_warmer_is_refused(zone):
    # frozen goods never leave a frozen compartment; nothing is warmer than ambient
    with pytest.raises(L.ProblemError) as ei:
        L.Product("x", zone, ambient_limit_h=3)
    assert ei.value.field == "ambient_limit_h"


def test_numeric_text_is_read_as_hours():
    assert _apples(ambient_limit_h="2.5").ambient_limit_h == 2.5


def test_a_limit_extends_the_default_carriers_with_the_warmer_zones_last():
    assert _apples().carrier_zones == (Zone.FRESH, Zone.CHILLED, Zone.AMBIENT)
    chilled = L.Product("milk", Zone.CHILLED, ambient_limit_h=1)
    assert chilled.carrier_zones == (Zone.CHILLED, Zone.FRESH, Zone.AMBIENT)
    # without a limit the defaults never put goods warmer than their zone
    assert L.Product("pears", Zone.FRESH).carrier_zones == (Zone.FRESH, Zone.CHILLED)
    # explicit carriers are kept as written
    assert _apples(carriers=("fresh",)).carrier_zones == (Zone.FRESH,)


def test_ride_limit_is_the_stricter_of_shelf_life_and_the_ambient_limit_only_when_warmer():
    a = _apples()
    assert a.ride_limit_h(Zone.AMBIENT) == 2
    assert a.ride_limit_h(Zone.FRESH) == 72 and a.ride_limit_h(Zone.CHILLED) == 72
    assert _apples(shelf_life_h=1).ride_limit_h(Zone.AMBIENT) == 1
    assert _apples(shelf_life_h=None).ride_limit_h(Zone.FRESH) is None
    assert _apples(shelf_life_h=None).ride_limit_h(Zone.AMBIENT) == 2
    # carriers that allow warmer without a limit: only shelf life bounds the ride
    free = L.Product("p", Zone.FRESH, shelf_life_h=10, carriers=("fresh", "ambient"))
    assert free.ride_limit_h(Zone.AMBIENT) == 10


def test_problem_ride_limit_depends_on_the_vehicle_type():
    reefer = L.VehicleType("reefer", 1, (L.Compartment("fresh", 100),), start_depot="D")
    van = L.VehicleType("van", 1, (L.Compartment("ambient", 100),), start_depot="D")
    both = L.VehicleType(
        "mixed", 1, (L.Compartment("ambient", 100, "dry"), L.Compartment("fresh", 100, "cool")), start_depot="D"
    )
    products = [_apples(), L.Product("goods")]
    orders = [
        L.Order("a", {"apples": 5}, node_id="x"),
        L.Order("b", {"apples": 5, "goods": 1}, node_id="x", shelf_life_h=1.5),
        L.Order("g", {"goods": 1}, node_id="x"),
    ]
    p = L.Problem(orders, [reefer, van, both], products=products, matrix=line_matrix({"D": 0, "x": 1000}))
    a, b, g = p.orders
    assert p.ride_limit_s(a, reefer) == 72 * 3600
    assert p.ride_limit_s(a, van) == 2 * 3600
    assert p.ride_limit_s(a, both) == 72 * 3600  # the mixed vehicle keeps apples in its fresh compartment
    assert p.ride_limit_s(b, van) == int(1.5 * 3600)  # the order's own shelf life is stricter
    assert p.ride_limit_s(g, van) is None


def test_goods_riding_warmer_decay_at_least_at_the_warmer_zones_rate():
    costs = L.CostModel(decay_per_h={"fresh": 0.002, "ambient": 0.05, "chilled": 0.0015, "frozen": 0.0005})
    van = L.VehicleType("van", 1, (L.Compartment("ambient", 100),), start_depot="D")
    reefer = L.VehicleType("reefer", 1, (L.Compartment("fresh", 100),), start_depot="D")
    p = L.Problem(
        [L.Order("a", {"apples": 10}, node_id="x")],
        [van, reefer],
        products=[_apples(value=7.0)],
        costs=costs,
        matrix=line_matrix({"D": 0, "x": 1000}),
    )
    o = p.orders[0]
    apples = p.products["apples"]
    assert decay_rate(p, apples) == decay_rate(p, apples, Zone.FRESH) == 0.002
    assert decay_rate(p, apples, Zone.CHILLED) == 0.002  # colder: its own rate
    assert decay_rate(p, apples, Zone.AMBIENT) == 0.05
    assert quality_loss(p, o, 2.0, vehicle=van) == pytest.approx(7.0 * 10 * (1 - math.exp(-0.05 * 2)))
    assert quality_loss(p, o, 2.0, vehicle=reefer) == pytest.approx(quality_loss(p, o, 2.0))
    # never slower out of refrigeration: the default ambient rate (0) leaves fresh goods their own
    default = p.replace(costs=L.CostModel())
    assert decay_rate(default, apples, Zone.AMBIENT) == decay_rate(default, apples) == 0.002
