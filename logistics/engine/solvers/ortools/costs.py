"""The linear objective in integer cost units, shared by both engines.

OR-Tools registers these arrays as its arc, span and fixed costs, and PyVRP's model takes the same
arrays (`logistics.engine.solvers.pyvrp.model.build_instance`), so a PyVRP skeleton is
optimised for the objective OR-Tools then polishes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logistics.engine.solvers.arrays import COST_CAP, COST_SCALE, PENALTY_SUM, RATE_CAP, SolverData, cost_units, horizon

__all__ = ["CostArrays", "cost_arrays"]


@dataclass
class CostArrays:
    """Linear objective pieces in cost units (see `cost_arrays`).

    Parameters
    ----------
    arc
        (T, N, N) arc cost per vehicle type over routing nodes.
    span_per_s
        (T,) cost units per second of route span.
    fixed
        (T,) cost units per vehicle used.
    late_per_s
        Soft-window lateness, cost units per second.
    decay_per_s
        (n_orders,) linear freshness proxy for deliveries, cost units per second in the vehicle, at the
        goods' own-zone rate whatever the vehicle (the plan's exact ``quality_loss`` prices goods riding
        warmer at the warmer zone's rate when faster, see `logistics.core.costs.decay_rate`; with the
        default rates, 0 for ambient, the two agree).
    required_penalty
        The price of leaving out a required order: far above any plan's cost, so a plan always comes
        back and required orders are dropped only when nothing else works.
    """

    arc: np.ndarray  # (T, N, N) arc cost per vehicle type
    span_per_s: np.ndarray  # (T,) cost units per second of route span
    fixed: np.ndarray  # (T,)
    late_per_s: int  # soft-window lateness, cost units per second
    decay_per_s: np.ndarray  # (n_orders,) linear freshness proxy for deliveries, cost units per second in vehicle
    required_penalty: int


def cost_arrays(data: SolverData) -> CostArrays:
    """The linear part of the objective, in integer cost units.

    ``objective='distance'``: arc cost = distance and nothing else (benchmark
    convention).  ``'cost'``: per-km vehicle cost plus fuel at half load plus
    carbon on arcs; driver and refrigeration per hour of route span; door-open
    refrigeration on service time; fixed cost per used vehicle; a linear
    freshness proxy value·q·λ per second from departure to delivery.

    Parameters
    ----------
    data
        The solver arrays of the problem.

    Returns
    -------
    CostArrays
        Integer arrays, saturated by `cost_units` so the
        solvers' sums cannot overflow.
    """
    p = data.problem
    T = len(p.fleet)
    n = data.n_orders
    if p.objective == "distance":
        arc = np.broadcast_to(data.distance, (T,) + data.distance.shape)
        big = min(int(max(1, data.distance.max(initial=0))) * (n + 1) * 10, PENALTY_SUM // max(1, n))
        return CostArrays(
            arc=arc,
            span_per_s=np.zeros(T, dtype=np.int64),
            fixed=np.zeros(T, dtype=np.int64),
            late_per_s=0,
            decay_per_s=np.zeros(n, dtype=np.int64),
            required_penalty=big,
        )
    c = p.costs
    fuel_half = c.fuel_empty_l_per_km + 0.5 * (c.fuel_full_l_per_km - c.fuel_empty_l_per_km)
    arc = np.empty((T,) + data.distance.shape, dtype=np.int64)
    span = np.zeros(T, dtype=np.int64)
    fixed = np.zeros(T, dtype=np.int64)
    km = data.distance / 1000.0
    for t, vt in enumerate(p.fleet):
        per_km = vt.cost_per_km + fuel_half * (c.diesel_price + c.co2_per_l * c.carbon_price)
        a = km * per_km
        if vt.cost_per_travel_hour:  # driving time only (VROOM's per_hour): on the arcs, not the span
            a = a + data.duration[t] * (vt.cost_per_travel_hour / 3600.0)
        per_h = vt.cost_per_hour + (c.reefer_drive_per_h if vt.refrigerated else 0.0)
        if vt.refrigerated:
            door_extra = (c.reefer_door_per_h - c.reefer_drive_per_h) * data.service / 3600.0
            a = a + door_extra[:, None]
        arc[t] = cost_units(a * COST_SCALE, COST_CAP)
        span[t] = int(cost_units(per_h * COST_SCALE / 3600.0, RATE_CAP))
        fixed[t] = int(cost_units(vt.fixed_cost * COST_SCALE, COST_CAP))
    decay = np.zeros(n, dtype=np.int64)
    for i, o in enumerate(p.orders):
        if o.kind != "delivery":
            continue
        v = 0.0
        for name, q in o.quantities.items():
            prod = p.products[name]
            lam = prod.decay_per_h if prod.decay_per_h is not None else c.decay_per_h.get(prod.zone, 0.0)
            v += prod.value * q * lam
        decay[i] = int(cost_units(v * COST_SCALE / 3600.0, RATE_CAP))
    total_scale = (
        int(arc.max(initial=0)) * (n + 2)
        + int(fixed.max(initial=0))
        + int(span.max(initial=0)) * horizon(data)
        # the freshness proxy of a delivery can cost more than every route: a required order must still win
        + int(decay.max(initial=0)) * horizon(data)
    )
    return CostArrays(
        arc=arc,
        span_per_s=span,
        fixed=fixed,
        late_per_s=int(cost_units(c.late_per_h * COST_SCALE / 3600, RATE_CAP)),
        decay_per_s=decay,
        required_penalty=min(max(10 * total_scale, 10**9), PENALTY_SUM // max(1, n)),
    )
