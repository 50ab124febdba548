"""Tiered plan documents (to_dict / from_dict), the planner's progress hook, and the leg an unserved order failed on."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest

from logistics.core.errors import ProblemError
from logistics.core.model import Compartment
from logistics.core.units import Zone
from logistics.planners import tiers as T
from logistics.planners.tiers.assemble import _unserved_and_legs

FAST = dict(engine="ortools", workers=1, iterations=50)


@pytest.fixture(scope="module")
def day():
    net = T.demo_network(stations=2, villages_per_station=4, near_hub=1, seed=5)
    orders = T.demo_orders(net, seed=5)
    trunk, vans = T.demo_fleets(trunk=2, vans=2)
    seen: list[tuple[str, float]] = []
    tp = T.plan_tiers(
        net,
        orders,
        trunk,
        vans,
        products=T.DEMO_PRODUCTS,
        time_limit=4,
        seed=0,
        progress=lambda *a: seen.append(a),
        **FAST,
    )
    assert tp.validate(legs=True) == []
    return net, tp, seen


def test_document_round_trip_checks_every_leg_again(day):
    net, tp, _ = day
    doc = json.loads(json.dumps(tp.to_dict()))  # through JSON text, as plan.json is
    assert doc["format"] == T.TIERED_PLAN_FORMAT
    back = T.TieredPlan.from_dict(doc, layout=T.Layout.from_network(net))
    assert set(back.problems) == set(tp.problems) and set(back.last_mile) == set(tp.last_mile)
    assert back.kpis == json.loads(json.dumps(tp.kpis))
    assert len(back.transfers) == len(tp.transfers) and len(back.stops) == len(tp.stops)
    assert {o.id for o in back.orders} == {o.id for o in tp.orders}
    assert back.validate(legs=True) == []
    # a leg's problem is rebuilt with the network's travel times: an edited stop time is caught
    st = next(d for d in back.last_mile if d != back.hub)
    stops = doc["legs"][st]["stops"]
    k = next(i for i, s in enumerate(stops) if s["kind"] == "delivery")
    stops[k]["arrival"] -= 1800
    stops[k]["start"] -= 1800
    bad = T.TieredPlan.from_dict(doc, layout=T.Layout.from_network(net))
    assert any(v.kind == "leg" for v in bad.validate(legs=True))


def test_document_without_network_checks_the_tier_rules_only(day):
    _, tp, _ = day
    back = T.TieredPlan.from_dict(tp.to_dict())
    assert back.problems == {} and back.validate(legs=True) == []
    doc = tp.to_dict()
    doc["unserved"] = doc["unserved"] + [{"order_id": doc["transfers"][0]["order_id"], "leg": "trunk", "reason": "x"}]
    kinds = {v.kind for v in T.TieredPlan.from_dict(doc).validate(legs=False)}
    assert "served_and_unserved" in kinds


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({"format": "coldroute-plan/1"}, "format"),
        ([], "format"),
        ({"format": T.TIERED_PLAN_FORMAT, "hub": "hub", "handling_s": 0, "legs": {}}, None),
        (
            {"format": T.TIERED_PLAN_FORMAT, "hub": "hub", "handling_s": 0, "legs": {"trunk": {"format": "x"}}},
            "legs.trunk.format",
        ),
    ],
)
def test_bad_documents_are_problem_errors(doc, field):
    with pytest.raises(ProblemError) as e:
        T.TieredPlan.from_dict(doc)
    assert e.value.field == field


def test_progress_names_each_leg_in_order_with_the_cost_so_far(day):
    _, tp, seen = day
    legs = [leg for leg, _ in seen]
    assert legs[:2] == ["trunk outbound", "last mile"] and legs[-1] == "trunk inbound"
    costs = [c for _, c in seen]
    assert costs[0] == 0 and costs[-1] > 0 and costs[-1] <= tp.kpis["cost"] + 1e-6


def test_unserved_reason_names_the_failing_leg():
    """Deliveries no truck can carry are the trunk's, even though the last mile is what leaves them out."""
    net = T.demo_network(stations=2, villages_per_station=3, near_hub=0, seed=1)
    orders = T.demo_orders(net, seed=1, produce_share=0.0)
    trunk, vans = T.demo_fleets(trunk=1, vans=3)
    tiny = [
        replace(
            trunk[0],
            compartments=(Compartment(Zone.CHILLED, 60), Compartment(Zone.FRESH, 60), Compartment(Zone.AMBIENT, 60)),
        )
    ]
    tp = T.plan_tiers(net, orders, tiny, vans, products=T.DEMO_PRODUCTS, time_limit=3, seed=0, **FAST)
    assert tp.validate(legs=True) == []
    assert len(tp.unserved) > 0
    for r in tp.unserved.itertuples():
        blamed = "trunk" if r.reason.startswith("trunk") else r.reason.split(" ")[0]
        assert r.leg.split(" ")[0] == blamed.split(" ")[0], (r.leg, r.reason)
    assert "trunk" in set(tp.unserved["leg"])


def test_a_last_mile_leg_reports_a_trunk_failure_as_the_trunks():
    """The last mile leaves out a delivery whose goods no truck brings: the row blames the trunk."""
    ctx = SimpleNamespace(unserved={}, hub="hub")
    out = SimpleNamespace(excluded={})
    legs = {
        "st1": SimpleNamespace(excluded={"d-1": "trunk: no truck arrives in time", "d-2": "last mile st1: too far"}),
        "hub": SimpleNamespace(excluded={"d-3": "no last-mile vehicle is based at hub"}),
    }
    for leg in legs.values():
        leg.plan = leg.problem = None
    unserved, _, _ = _unserved_and_legs(ctx, out, legs)  # type: ignore[arg-type]
    assert unserved["d-1"][0] == "trunk" and unserved["d-2"][0] == "last mile" and unserved["d-3"][0] == "direct"
