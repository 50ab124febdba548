"""邮快合作: separate runs per carrier vs shared runs on the same villages."""

from __future__ import annotations

import pytest

import logistics as L
from logistics.planners import carriers as C
from logistics.planners import tiers as T


@pytest.fixture(scope="module")
def setup():
    net = T.demo_network(stations=2, villages_per_station=5, near_hub=0, seed=2)
    orders = C.demo_parcels(net, ("EMS", "ZTO", "YTO"), seed=1, share=0.7)
    return net, orders


@pytest.fixture(scope="module")
def compared(setup):
    net, orders = setup
    return C.compare_carrier_sharing(
        net, orders, C.parcel_van(2), time_limit=4, workers=1, engine="ortools", return_plans=True
    )


def test_frame_has_separate_shared_and_saving(setup, compared):
    net, orders = setup
    frame, _ = compared
    assert list(frame.index) == [
        "separate:EMS",
        "separate:YTO",
        "separate:ZTO",
        "separate",
        "shared",
        "saving",
        "saving_pct",
    ]
    assert {"vehicles", "vehicle_km", "cost", "village_visits", "served", "unserved"} <= set(frame.columns)
    sep, sh = frame.loc["separate"], frame.loc["shared"]
    assert sep["served"] == sh["served"] == len(orders)
    assert sep["vehicle_km"] == pytest.approx(
        frame.loc[["separate:EMS", "separate:YTO", "separate:ZTO"], "vehicle_km"].sum()
    )
    # shared runs visit each village once and drive less
    assert sh["village_visits"] == len({o.node_id for o in orders})
    assert sh["vehicle_km"] < sep["vehicle_km"] and sh["cost"] < sep["cost"]
    assert frame.at["saving", "cost"] == pytest.approx(sep["cost"] - sh["cost"], abs=0.01)
    assert frame.at["saving_pct", "vehicle_km"] == pytest.approx(
        100 * (sep["vehicle_km"] - sh["vehicle_km"]) / sep["vehicle_km"], abs=0.01
    )
    assert frame.attrs["summary"]["carriers"] == ["EMS", "YTO", "ZTO"]


def test_every_plan_validates_and_keeps_carriers_apart(compared):
    _, out = compared
    for key, plan in out["plans"].items():
        problem = out["problems"][key]
        assert L.validate(problem, plan) == [], key
        if key[0] == "separate":
            assert {o.carrier for o in problem.orders} == {key[2]}
            assert all(vt.carrier == key[2] for vt in problem.fleet)


def test_without_consolidation_every_parcel_is_a_stop(setup):
    net, orders = setup
    f, out = C.compare_carrier_sharing(
        net, orders, C.parcel_van(2), time_limit=3, workers=1, engine="ortools", consolidate=False, return_plans=True
    )
    assert f.at["shared", "served"] == len(orders)
    for key, plan in out["plans"].items():
        assert L.validate(out["problems"][key], plan) == [], key
    shared = [p for k, p in out["problems"].items() if k[0] == "shared"]
    assert sum(len(p.orders) for p in shared) == len(orders)


def test_bad_inputs(setup):
    net, orders = setup
    with pytest.raises(L.ProblemError, match="no carrier"):
        C.compare_carrier_sharing(net, [L.Order("x", {"parcels": 1}, node_id=orders[0].node_id)], C.parcel_van())
    with pytest.raises(L.ProblemError, match="not a village"):
        C.compare_carrier_sharing(net, [L.Order("x", {"parcels": 1}, node_id="st1", carrier="EMS")], C.parcel_van())
