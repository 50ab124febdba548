"""Small problem builders shared by tests."""

from __future__ import annotations

import numpy as np

import logistics as L
import networks


def grid_matrix(n: int, seed: int = 0, speed: float = 10.0, size: float = 10_000.0) -> networks.TravelMatrix:
    """Random points in a square: depot 'D' plus 'c0'..'c{n-1}', metres and seconds."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, size, (n + 1, 2))
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    ids = ["D"] + [f"c{i}" for i in range(n)]
    return networks.TravelMatrix(ids, np.rint(d), np.rint(d / speed))


def line_matrix(positions: dict[str, float], speed: float = 10.0) -> networks.TravelMatrix:
    """Points on a line (metres); duration = distance / speed."""
    ids = list(positions)
    x = np.array([positions[k] for k in ids], dtype=float)
    d = np.abs(x[:, None] - x[None])
    return networks.TravelMatrix(ids, np.rint(d), np.rint(d / speed))


def van(count=2, cap=100.0, **kw) -> L.VehicleType:
    kw.setdefault("start_depot", "D")
    kw.setdefault("cost_per_km", 1.0)
    return L.VehicleType("van", count, (L.Compartment("ambient", cap),), **kw)


def assert_accounted(problem: L.Problem, plan: L.Plan) -> None:
    """Every order exactly once: in the stops or in unserved, never both."""
    served = plan.served_ids
    unserved = list(plan.unserved["order_id"])
    assert len(served) == len(set(served)), "an order is served twice"
    assert not set(served) & set(unserved), "an order is both served and unserved"
    assert sorted(served + unserved) == sorted(o.id for o in problem.orders)
    assert all(isinstance(r, str) and r for r in plan.unserved["reason"])


def check(problem: L.Problem, plan: L.Plan) -> None:
    """Accounting invariant plus the independent validator."""
    assert_accounted(problem, plan)
    from logistics.check.validator import validate

    violations = validate(problem, plan)
    assert violations == [], "\n".join(map(str, violations))
