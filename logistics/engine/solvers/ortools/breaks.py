"""Drivers' breaks and the continuous-driving rule in the OR-Tools time dimension.

Each vehicle gets the breaks of its type as fixed-duration intervals on the ``time`` dimension
(``SetBreakIntervalsOfVehicle``): a break may sit on a leg (the leg's slack grows by its
duration), before the route starts or after it ends, never during a service.  The continuous-
driving rule adds optional rest intervals of ``min_rest_min`` and
``SetBreakDistanceDurationOfVehicle``: between two breaks at least that long (the route's start
and end count as such) at most ``max_driving_h`` of the time dimension may pass.  The time
dimension counts service and waiting as well as driving, so the rule as modelled is stricter than
the regulation's driving-only count (see `logistics.core.breaks`).

Measured on small instances: ``SetBreakDistanceDurationOfVehicle`` over optional rests keeps
the model exact without a separate driving-time dimension, which would need a reset at every
rest and cannot be expressed with matrices alone.
"""

from __future__ import annotations

from typing import Any

from logistics.core.model import VehicleType
from logistics.engine.solvers.duty import Duty

__all__ = ["BreakVars", "add_breaks", "read_breaks"]

#: Per vehicle, its break intervals with the name each shows on the plan.
BreakVars = dict[int, list[tuple[Any, str]]]


def add_breaks(
    routing: Any, tdim: Any, vehicle_type: list[VehicleType], duty: list[Duty], visit: list[int]
) -> BreakVars:
    """Break intervals and the driving rule for every vehicle that needs them.

    Parameters
    ----------
    routing
        The RoutingModel.
    tdim
        Its ``time`` dimension (transit = service at the origin + travel).
    vehicle_type
        Each vehicle's type.
    duty
        Each vehicle's `Duty`: the rests it needs, or the route-duration cap that makes them moot.
    visit
        Service seconds per routing index (``Size() + vehicles`` long): breaks never overlap a service.

    Returns
    -------
    BreakVars
        The intervals per vehicle, to read the breaks from a solution (`read_breaks`).
    """
    solver = routing.solver()
    out: BreakVars = {}
    for v, vt in enumerate(vehicle_type):
        lo, hi = vt.shift
        ivs: list[tuple[Any, str]] = []
        for k, b in enumerate(vt.breaks):
            a = min(max(b.window[0], 0), hi)
            z = max(a, min(b.window[1], hi))
            ivs.append((solver.FixedDurationIntervalVar(a, z, b.duration, False, f"{b.name} {v}.{k}"), b.name))
        rests = duty[v].rests
        if duty[v].cap is not None:
            tdim.SetSpanUpperBoundForVehicle(duty[v].cap, v)
        rest = int(round(vt.min_rest_min * 60))
        for k in range(rests):
            ivs.append((solver.FixedDurationIntervalVar(lo, max(lo, hi - rest), rest, True, f"rest {v}.{k}"), "rest"))
        if not ivs:
            continue
        tdim.SetBreakIntervalsOfVehicle([iv for iv, _ in ivs], v, visit)
        if not tdim.GetSpanCostCoefficientForVehicle(v):
            # without a cost on the time dimension OR-Tools schedules it without its cumul optimizer, and
            # placing breaks then fails (measured: every order left out of a 20-order day); one cost unit
            # per second (¥0.36 an hour at COST_SCALE) brings the optimizer in
            tdim.SetSpanCostCoefficientForVehicle(1, v)
        if rests:
            assert vt.max_driving_h is not None, "rests come from the driving rule"
            tdim.SetBreakDistanceDurationOfVehicle(int(round(vt.max_driving_h * 3600)), rest, v)
        out[v] = ivs
    return out


def read_breaks(sol: Any, ivs: list[tuple[Any, str]], depart: int, arrive: int) -> tuple[tuple[int, int, str], ...]:
    """The breaks a solution performs on a route between its departure and its return.

    Breaks before the departure or after the return are off duty and not part of the route.

    Parameters
    ----------
    sol
        The OR-Tools assignment.
    ivs
        The vehicle's break intervals (`add_breaks`).
    depart, arrive
        The route's departure from and return to its depots, seconds.

    Returns
    -------
    tuple of (start, duration, name)
        In time order.
    """
    out = []
    for iv, name in ivs:
        if not sol.PerformedValue(iv):
            continue
        s, d = int(sol.StartValue(iv)), int(sol.DurationValue(iv))
        if s >= depart and s + d <= arrive and d > 0:
            out.append((s, d, name))
    return tuple(sorted(out))
