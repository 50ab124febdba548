"""Several trips per vehicle in the OR-Tools model: reload nodes at the start depot.

Each vehicle that may make ``max_trips`` trips gets ``max_trips - 1`` optional reload nodes at its
start depot (`OrtoolsModel` creates them, with the reload time as their service).  Loads count
"delivered since the last reload": a reload node's transit is minus the capacity and its slack (up
to the capacity, zero at every other node) brings the count back to zero, so capacity holds per
trip.  Shelf life counts per trip in a ``trip_start`` dimension that carries, along the route, the
time the current trip began (the departure, or the start of the last reload): every shelf-limited
delivery starts within its limit of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logistics.engine.solvers.arrays import SolverData

__all__ = ["add_reloads", "models_trips", "slack_only_at_reloads"]


def models_trips(data: SolverData) -> bool:
    """Whether the model gives vehicles several trips (reload nodes at their start depot).

    Only for days of unpaired deliveries: a trip's load is then what was loaded at its depot, so
    "delivered since the last reload" within capacity is exact.  With pickups or pairs on the day
    every vehicle makes one trip (``max_trips`` is not used; the plan stays valid).

    Parameters
    ----------
    data
        The solver arrays.

    Returns
    -------
    bool
        True when some vehicle may make more than one trip and the day has only unpaired deliveries.
    """
    fleet = data.problem.fleet
    more = any(fleet[int(t)].max_trips > 1 for t in data.vehicle_type)
    return more and not data.has_pickups and not data.pairs


def slack_only_at_reloads(routing: Any, dim: Any, reload_index: list[int]) -> None:
    """Slack of ``dim`` fixed to zero everywhere but at reload nodes.

    Parameters
    ----------
    routing
        The routing model.
    dim
        A dimension built with a slack.
    reload_index
        Routing indices of the reload nodes.
    """
    reloads = set(reload_index)
    for idx in range(routing.Size()):
        if idx not in reloads:
            dim.SlackVar(idx).SetValue(0)


def add_reloads(model: Any) -> None:
    """Reload nodes optional, each on its own vehicle; the shelf life of deliveries per trip.

    Parameters
    ----------
    model
        An `OrtoolsModel` being built: its time and load dimensions exist, its reload nodes too.
    """
    d, r, solver, H = model.data, model.routing, model.solver, model.H
    V = d.n_vehicles
    for v, idx in zip(model.reload_of, model.reload_index):
        r.AddDisjunction([idx], 0)
        r.VehicleVar(idx).RemoveValues([u for u in range(V) if u != v])
    if not model.shelf_deliv or not model.reload_of:
        return
    zero = r.RegisterUnaryTransitVector([0] * model.N)
    r.AddDimension(zero, H, H, False, "trip_start")
    trip = r.GetDimensionOrDie("trip_start")
    slack_only_at_reloads(r, trip, model.reload_index)
    tdim = model.time
    for v in range(V):
        solver.Add(trip.CumulVar(r.Start(v)) == tdim.CumulVar(r.Start(v)))
    for idx in model.reload_index:
        # the trip leaving a reload began at the start of the reload
        solver.Add(trip.CumulVar(idx) + trip.SlackVar(idx) == tdim.CumulVar(idx))
    for i in model.shelf_deliv:
        oi = int(model.order_index[i])
        lim = np.where(d.ride[d.vehicle_type, i] >= 0, d.ride[d.vehicle_type, i], H)  # (V,)
        ok = d.allowed[d.vehicle_type, i]
        if not ok.any():
            continue
        if int(lim[ok].min()) == int(lim[ok].max()):
            solver.Add(tdim.CumulVar(oi) <= trip.CumulVar(oi) + int(lim[ok].max()))
        else:
            table = [H] + [int(x) for x in lim]  # VehicleVar -1: unperformed, no limit
            limit = solver.Element(table, (r.VehicleVar(oi) + 1).Var())
            solver.Add(tdim.CumulVar(oi) <= trip.CumulVar(oi) + limit)
