"""The tier planner says where its time went, and a run told to search to the limit gives the trunk its phase."""

from __future__ import annotations

import pytest

import logistics as L
from logistics.core.options import SolveOptions
from logistics.planners import tiers as T
from logistics.planners.tiers import solving


@pytest.fixture(scope="module")
def demo():
    net = T.demo_network(stations=2, villages_per_station=4, near_hub=2, seed=3)
    orders = T.demo_orders(net, seed=3)
    trunk, vans = T.demo_fleets(trunk=2, vans=2)
    return net, orders, trunk, vans


def test_meta_has_the_wall_time_of_every_phase_and_first_round_leg(demo):
    net, orders, trunk, vans = demo
    tp = T.plan_tiers(
        net, orders, trunk, vans, products=T.DEMO_PRODUCTS, time_limit=4, seed=0, engine="ortools", workers=1
    )
    assert tp.validate(legs=True) == []
    phases = tp.meta["phase_elapsed_s"]
    for name in ("setup", "trunk outbound", "last mile", "re-balancing", "trunk inbound", "hand-over (assemble)"):
        assert name in phases and phases[name] >= 0
    assert sum(phases.values()) <= tp.meta["elapsed_s"] + 0.01
    legs = tp.meta["leg_elapsed_s"]
    stations = [d for d in tp.last_mile if d != tp.hub]
    assert stations and all(s in legs or f"alt {s}" in legs for s in stations)
    assert all(v > 0 for v in legs.values())


def test_trunk_limit_caps_by_size_only_when_stopping_early(demo):
    net, orders, trunk, vans = demo
    p = L.Problem(orders[:3], [vans[0]], products=T.DEMO_PRODUCTS, matrix=net.travel_matrix())
    size = solving.size_limit(p)
    assert solving.trunk_limit(p, 100.0, SolveOptions()) == pytest.approx(min(100.0, size))
    assert solving.trunk_limit(p, 100.0, SolveOptions(stop_early=False)) == 100.0
    assert solving.trunk_limit(p, 0.2, SolveOptions(stop_early=False)) == 0.2


def test_solve_one_hands_stop_early_to_the_solver(monkeypatch):
    seen = []

    def fake(problem, options):
        seen.append(options)
        return "plan"

    monkeypatch.setattr(solving, "solve", fake)
    assert solving.solve_one("p", 3.0, 7, "auto", None, stop_early=False) == "plan"
    assert solving.solve_one("p", 2.0, 7, "pyvrp", 5) == "plan"
    assert [(o.time_limit, o.seed, o.engine, o.iterations, o.stop_early) for o in seen] == [
        (3.0, 7, "auto", None, False),
        (2.0, 7, "pyvrp", 5, True),
    ]
