"""A large day whose whole model is out of reach by the per-type lower bound is decomposed without building
the whole day's solver arrays (they took 40 s and 4.3 GB for 5,000 stops at a 20 s limit)."""

from __future__ import annotations

import logistics as L
from logistics.core.shares import BUILD_S_PER_CELL, WHOLE_BUILD_SHARE
from logistics.engine.solve import whole_build_s
from tests.helpers import grid_matrix


def test_lower_bound_counts_every_vehicle_type_and_vehicle_node():
    tm = grid_matrix(30)
    places = [i for i in tm.ids if i != tm.ids[0]]
    orders = [L.Order(f"o{k}", {"goods": 1}, node_id=places[k % len(places)]) for k in range(3000)]
    fleet = [
        L.VehicleType(name, 300, (L.Compartment("ambient", 100),), start_depot=tm.ids[0]) for name in ("a", "b", "c")
    ]
    p = L.Problem(orders, fleet, matrix=tm)
    estimate, data = whole_build_s(p, 20.0)
    assert data is None  # ruled out before any array is built
    assert estimate == BUILD_S_PER_CELL * 2 * 3 * (3000 + 2 * 900) ** 2
    assert estimate > WHOLE_BUILD_SHARE * 20.0
    # a fleet the bound does not rule out still gets its exact estimate from the arrays
    small = L.Problem(orders[:200], fleet[:1], matrix=tm)
    estimate, data = whole_build_s(small, 20.0)
    assert data is not None and estimate >= BUILD_S_PER_CELL * 2 * (200 + 600) ** 2
