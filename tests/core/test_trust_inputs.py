"""Regressions of issue 12 ("Trust, part two") in the core model: pairs, plans read back, costs, errors."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from helpers import check, line_matrix
from shapely.geometry import Point

import logistics as L
import networks
from logistics.check.validator import validate

H = 3600


def _fleet(count: int = 2) -> list[L.VehicleType]:
    return [L.VehicleType("van", count, (L.Compartment("ambient", 100),), start_depot="D")]


def _one_sided() -> list[L.Order]:
    """A pair written only on the delivery (the probe's input)."""
    return [
        L.Order("P", {"goods": 2}, node_id="a", kind="pickup", time_windows=((16 * H, 18 * H),)),
        L.Order("Dl", {"goods": 2}, node_id="b", pair="P", time_windows=((7 * H, 20 * H),)),
    ]


# --------------------------------------------------------------------------- item 1: one-sided pairs


def test_regression_one_sided_pair_binds_both_orders():
    # was: the solver arrays and the validator read only the pickup's ``pair``: the delivery was made at 07:19 by
    # one vehicle and its pickup at 16:00 by another, and the validator accepted it
    p = L.Problem(_one_sided(), _fleet(), matrix=line_matrix({"D": 0, "a": 5000, "b": 9000}))
    assert p.order("P").pair == "Dl" and p.order("Dl").pair == "P"
    assert p.partner("P") == "Dl" and p.partner("Dl") == "P"
    for engine in ("ortools", "auto"):
        plan = L.solve(p, time_limit=2, engine=engine, iterations=20)
        check(p, plan)
        route = plan.stops[plan.stops["order_id"].isin(["P", "Dl"])]
        assert route["vehicle"].nunique() == 1 and list(route.sort_values("seq")["order_id"]) == ["P", "Dl"]


def test_regression_one_sided_pair_pickup_side_is_normalised_too():
    orders = [
        L.Order("P", {"goods": 2}, node_id="a", kind="pickup", pair="Dl"),
        L.Order("Dl", {"goods": 2}, node_id="b"),
    ]
    p = L.Problem(orders, _fleet(), matrix=line_matrix({"D": 0, "a": 5000, "b": 9000}))
    assert p.order("Dl").pair == "P"
    # what the arrays see is the problem's pair, whichever side wrote it
    from logistics.engine.solvers import arrays

    assert arrays.build(p).pairs == [(0, 1)]


# --------------------------------------------------------------------------- item 3: fractional times


def test_regression_plan_json_keeps_fractional_times():
    # was: from_dict cast every time column to int64, so a start 0.9 s after its window passed `coldroute validate`
    orders = [L.Order("o", {"goods": 1}, node_id="a", time_windows=((0, 1000),))]
    p = L.Problem(orders, _fleet(1), matrix=line_matrix({"D": 0, "a": 1000}))
    plan = L.solve(p, time_limit=2, engine="ortools", iterations=5)
    check(p, plan)
    s = plan.stops
    row = s.index[s["order_id"] == "o"][0]
    late = 1000.9
    for c in ("arrival", "start", "departure", "wait"):
        s[c] = s[c].astype(float)
    s.loc[row, "start"] = late
    s.loc[row, "departure"] = late
    s.loc[row, "wait"] = late - s.loc[row, "arrival"]
    end = s.index[(s["vehicle"] == s.loc[row, "vehicle"]) & (s["kind"] == "end")][0]
    s.loc[end, "arrival"] = s.loc[end, "start"] = s.loc[end, "departure"] = late + s.loc[end, "travel_duration"]
    before = {v.kind for v in validate(p, plan)}
    back = L.Plan.from_json(plan.to_json())
    after = {v.kind for v in validate(p, back)}
    assert "time_window" in before and before == after
    assert back.stops["start"].dtype == np.float64 and back.stops.loc[row, "start"] == late
    # whole seconds still come back as integers
    assert (
        L.Plan.from_json(L.solve(p, time_limit=2, engine="ortools", iterations=5).to_json()).stops["start"].dtype
        == np.int64
    )


@pytest.mark.parametrize(
    "text,field",
    [
        ("not json", "format"),
        ('{"format": "coldroute-plan/1", "stops": [{"vehicle": "van#1", "arrival": null}], "unserved": []}', None),
        ('{"format": "coldroute-plan/1", "stops": 5}', "stops"),
        ("[1, 2]", "format"),
    ],
)
def test_regression_malformed_plan_documents_are_problem_errors(text, field, tmp_path):
    # was: JSONDecodeError, TypeError (int64 of a null arrival), KeyError/AttributeError: internal errors
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    if field is None:  # a null arrival is read (the validator reports it), not a crash
        plan = L.Plan.from_json(path)
        assert math.isnan(plan.stops["arrival"].iloc[0])
        return
    with pytest.raises(L.ProblemError) as ei:
        L.Plan.from_json(path)
    assert ei.value.field == field


# --------------------------------------------------------------------------- item 11, 14, 16: checked up front


def test_regression_costs_of_the_wrong_type_are_a_problem_error():
    # was: AttributeError later, while solving
    with pytest.raises(L.ProblemError) as ei:
        L.Problem([], _fleet(), matrix=line_matrix({"D": 0}), costs="cheap")
    assert ei.value.field == "costs"


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"diesel_price": -1000}, "diesel_price"),
        ({"diesel_price": math.nan}, "diesel_price"),
        ({"late_per_h": math.inf}, "late_per_h"),
        ({"max_lateness_h": 1e300}, "max_lateness_h"),
        ({"max_lateness_h": "soon"}, "max_lateness_h"),
        ({"decay_per_h": {"chilled": -1}}, "decay_per_h.chilled"),
        ({"decay_per_h": {"tepid": 0.1}}, "decay_per_h"),
    ],
)
def test_regression_cost_model_rejects_negative_and_nan(kw, field):
    # was: diesel_price=-1000 gave a plan cost of -2,877 yuan, NaN a cost of 0.0
    with pytest.raises(L.ProblemError) as ei:
        L.CostModel(**kw)
    assert (ei.value.record, ei.value.field) == ("costs", field)


def test_cost_model_keeps_valid_figures():
    c = L.CostModel(diesel_price="8", decay_per_h={"frozen": 0.001})
    assert c.diesel_price == 8.0 and c.decay_per_h == {L.Zone.FROZEN: 0.001}


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"value": math.inf}, "value"),
        ({"value": 1e300}, "value"),
        ({"decay_per_h": math.inf}, "decay_per_h"),
        ({"decay_per_h": 1e6}, "decay_per_h"),
        ({"shelf_life_h": math.inf}, "shelf_life_h"),
        ({"shelf_life_h": 1e300}, "shelf_life_h"),
    ],
)
def test_regression_absurd_product_figures_are_rejected(kw, field):
    # was: the required orders carrying such goods were dropped with "not placed within the time limit
    # although it fits" (value, decay), or an OverflowError (shelf life)
    with pytest.raises(L.ProblemError) as ei:
        L.Product("milk", "chilled", **kw)
    assert (ei.value.record, ei.value.field) == ("milk", field)


def test_regression_absurd_order_shelf_life_is_rejected():
    with pytest.raises(L.ProblemError) as ei:
        L.Order("o1", {"goods": 1}, node_id="a", shelf_life_h=1e300)
    assert (ei.value.record, ei.value.field) == ("o1", "shelf_life_h")


def _island_network() -> networks.Network:
    g = nx.MultiDiGraph(crs="EPSG:4326")
    for k, (x, y) in {1: (109.0, 34.0), 2: (109.01, 34.0), 3: (109.5, 34.5), 4: (109.51, 34.5)}.items():
        g.add_node(k, x=x, y=y)
    for a, b in [(1, 2), (2, 1), (3, 4), (4, 3)]:
        g.add_edge(a, b, length=900.0, travel_time=90.0)
    nodes = gpd.GeoDataFrame(
        [{"node_id": "D", "name": "D", "tier": "hub", "parent": None, "geometry": Point(109.0, 34.0)}],
        geometry="geometry",
        crs="EPSG:4326",
    )
    return networks.Network(nodes).with_roads(g)


@pytest.mark.parametrize("where", [(109.505, 34.5), (111.0, 36.0)], ids=["island", "far-away"])
def test_regression_unreachable_places_name_the_order(where):
    # was: record=None (island: only pairs without a path) or '@o7' (too far from any road)
    orders = [
        L.Order("ok", {"goods": 1}, lon=109.005, lat=34.0),
        L.Order("o7", {"goods": 1}, lon=where[0], lat=where[1]),
    ]
    with pytest.raises(L.ProblemError) as ei:
        L.Problem(
            orders,
            [L.VehicleType("t", 1, (L.Compartment("ambient", 100),), start_depot="D")],
            network=_island_network(),
        )
    assert (ei.value.record, ei.value.field) == ("o7", "lon")
    assert "order 'o7'" in str(ei.value)


def test_required_orders_of_valuable_fast_decaying_goods_are_served():
    # within the accepted figures (MAX_VALUE, MAX_DECAY_PER_H) the freshness proxy may still outweigh the
    # penalty of leaving a required order out; the fix is in logistics/engine/solvers/ortools/costs.py
    products = [L.Product("milk", "chilled", value=L.core.model.MAX_VALUE, decay_per_h=1.0)]
    fleet = [L.VehicleType("t", 2, (L.Compartment("chilled", 1000),), start_depot="D")]
    orders = [L.Order("a", {"milk": 100}, node_id="a"), L.Order("b", {"milk": 1}, node_id="b")]
    p = L.Problem(orders, fleet, products=products, matrix=line_matrix({"D": 0, "a": 1000, "b": 2000}))
    plan = L.solve(p, time_limit=2, engine="ortools", iterations=50)
    check(p, plan)
    assert sorted(plan.served_ids) == ["a", "b"]
