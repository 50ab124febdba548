"""Several trips per vehicle in the OR-Tools model: reload nodes at the start depot.

Each vehicle that may make ``max_trips`` trips gets ``max_trips - 1`` optional reload nodes at its
start depot (`OrtoolsModel` creates them, with the reload time as their service).  At a reload the
compartments empty (the trip's pickups are unloaded) and refill (the next trip's deliveries are
loaded); a load dimension's reload transit is minus the capacity and its slack (up to twice the
capacity, zero at every other node) sets the next trip's value anywhere within it.

* Only unpaired deliveries: loads count "delivered since the last reload", within capacity per trip.
* With pickups or pairs: each compartment slot has the load on board (signed: +pickup, -delivery)
  and, when it carries unpaired deliveries, the trip's deliveries still to make (-delivery, never
  below zero).  At the start of every trip the load on board is at least the deliveries still to
  make, so it is at least what the vehicle really carries at every stop of the trip, and within
  capacity.  A ``trip`` dimension counts reloads; a pair's pickup and delivery share its value, so
  a pair rides one trip, and a vehicle that starts on the road with goods on board
  (``VehicleType.on_board``) delivers them on its first trip and any other delivery on a later one.
* Shelf life per trip: a ``trip_start`` dimension carries the time the current trip began (the
  departure, or the end of the last reload) and every shelf-limited delivery starts within its
  limit of it; a ``trip_end`` dimension carries when the trip ends (the arrival at the next reload,
  or at the end depot) back to its pickups, which must be picked up within their limit of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logistics.engine.solvers.arrays import SolverData, loaded_elsewhere
from logistics.engine.solvers.seeds import RELOAD

__all__ = ["add_reloads", "models_trips", "place_reloads", "slack_only_at_reloads"]

# the routing model's own types are untyped (SWIG): Any stands for them below


def models_trips(data: SolverData) -> bool:
    """Whether the model gives vehicles several trips (reload nodes at their start depot).

    Parameters
    ----------
    data
        The solver arrays.

    Returns
    -------
    bool
        True when some vehicle may make more than one trip.
    """
    fleet = data.problem.fleet
    return any(fleet[int(t)].max_trips > 1 for t in data.vehicle_type)


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
    """Reload nodes optional, each on its own vehicle; loads, pairs and shelf life per trip.

    Parameters
    ----------
    model
        An `OrtoolsModel` being built: its time and load dimensions exist, its reload nodes too.
    """
    d, r = model.data, model.routing
    V = d.n_vehicles
    for v, idx in zip(model.reload_of, model.reload_index):
        r.AddDisjunction([idx], 0)
        r.VehicleVar(idx).RemoveValues([u for u in range(V) if u != v])
    if not model.reload_of:
        return
    _tie_trip_loads(model)
    _pairs_in_one_trip(model)
    _shelf_from_trip_start(model)
    _shelf_to_trip_end(model)


def _after(dim: Any, idx: int) -> Any:
    """The value of ``dim`` leaving reload node ``idx``, less its transit (the same on every dimension here)."""
    return dim.CumulVar(idx) + dim.SlackVar(idx)


def _tie_trip_loads(model: Any) -> None:
    """Every trip leaves with at least its deliveries on board (see the module docstring).

    Stated at every order, not at the reloads: on board minus still to deliver only grows along a
    trip (pickups add to it; a paired delivery takes off what its pickup, earlier in the trip, put
    on), so it holds at the trip's first order exactly when it holds leaving the reload.  A
    constraint between two cumuls of one node is checked as soon as the routes are set, whereas one
    through the reload's slacks is not (load cumuls are never fixed by the search, and bounds alone
    do not refute it: measured, a plan 10 % over capacity was accepted that way).
    """
    r, solver = model.routing, model.solver
    nodes = [r.Start(v) for v in range(model.data.n_vehicles)] + [int(x) for x in model.order_index]
    for on_board, ahead in model.trip_loads:
        a, b = r.GetDimensionOrDie(on_board), r.GetDimensionOrDie(ahead)
        for idx in nodes:
            solver.Add(a.CumulVar(idx) >= b.CumulVar(idx))


def _pairs_in_one_trip(model: Any) -> None:
    """A ``trip`` dimension (reloads so far): a pair's pickup and delivery in the same trip, and on a
    vehicle that starts with goods on board (``on_board``) those on its first trip, other deliveries
    after its first reload."""
    d, r, solver = model.data, model.routing, model.solver
    fleet = d.problem.fleet
    types = [fleet[int(t)] for t in d.vehicle_type]
    later: dict[int, list[int]] = {}  # delivery -> vehicles on which it must ride a later trip
    first: dict[int, list[int]] = {}  # delivery -> vehicles on which it rides the first trip
    index = {o.id: i for i, o in enumerate(d.problem.orders)}
    for v, vt in enumerate(types):
        if vt.on_board is not None and vt.max_trips > 1:
            t = int(d.vehicle_type[v])
            for i, o in enumerate(d.problem.orders):
                if d.allowed[t, i] and loaded_elsewhere(d.problem, o, vt):
                    later.setdefault(i, []).append(v)
            for oid in vt.on_board:
                if oid in index:
                    first.setdefault(index[oid], []).append(v)
    if not d.pairs and not later and not first:
        return
    count = np.zeros(model.N, dtype=np.int64)
    count[model.first_reload : model.first_reload + len(model.reload_of)] = 1
    cb = r.RegisterUnaryTransitVector(count.tolist())
    r.AddDimension(cb, 0, len(model.reload_of) + 1, True, "trip")
    trip = r.GetDimensionOrDie("trip")
    for pi, di in d.pairs:
        solver.Add(trip.CumulVar(int(model.order_index[pi])) == trip.CumulVar(int(model.order_index[di])))
    for i, vs in later.items():
        oi = int(model.order_index[i])
        table = [0] * (d.n_vehicles + 1)  # VehicleVar -1: unperformed
        for v in vs:
            table[v + 1] = 1
        solver.Add(trip.CumulVar(oi) >= solver.Element(table, (r.VehicleVar(oi) + 1).Var()))
    for i, vs in first.items():
        oi = int(model.order_index[i])
        table = [len(model.reload_of)] * (d.n_vehicles + 1)
        for v in vs:
            table[v + 1] = 0
        solver.Add(trip.CumulVar(oi) <= solver.Element(table, (r.VehicleVar(oi) + 1).Var()))


def _ride_limit(model: Any, i: int, idx: int) -> Any:
    """Order ``i``'s ride limit (s) on the vehicle that serves it (routing index ``idx``), or None: no vehicle may."""
    d, r, solver, H = model.data, model.routing, model.solver, model.H
    lim = np.where(d.ride[d.vehicle_type, i] >= 0, d.ride[d.vehicle_type, i], H)  # (V,)
    ok = d.allowed[d.vehicle_type, i]
    if not ok.any():
        return None
    if int(lim[ok].min()) == int(lim[ok].max()):
        return int(lim[ok].max())
    table = [H] + [int(x) for x in lim]  # VehicleVar -1: unperformed, no limit
    return solver.Element(table, (r.VehicleVar(idx) + 1).Var())


def _shelf_from_trip_start(model: Any) -> None:
    """Shelf-limited deliveries start within their limit of their trip's start."""
    r, solver, H, tdim = model.routing, model.solver, model.H, model.time
    if not model.shelf_deliv:
        return
    zero = r.RegisterUnaryTransitVector([0] * model.N)
    r.AddDimension(zero, H, H, False, "trip_start")
    trip = r.GetDimensionOrDie("trip_start")
    slack_only_at_reloads(r, trip, model.reload_index)
    for v in range(model.data.n_vehicles):
        solver.Add(trip.CumulVar(r.Start(v)) == tdim.CumulVar(r.Start(v)))
    for k, idx in enumerate(model.reload_index):
        # the trip leaving a reload begins when the reload ends, as the first one when it leaves the depot
        solver.Add(_after(trip, idx) == tdim.CumulVar(idx) + int(model.service[model.first_reload + k]))
    for i in model.shelf_deliv:
        oi = int(model.order_index[i])
        limit = _ride_limit(model, i, oi)
        if limit is not None:
            solver.Add(tdim.CumulVar(oi) <= trip.CumulVar(oi) + limit)


def _shelf_to_trip_end(model: Any) -> None:
    """Shelf-limited unpaired pickups are made within their limit of their trip's end (a reload or the end)."""
    r, solver, H, tdim = model.routing, model.solver, model.H, model.time
    if not model.shelf_pick:
        return
    zero = r.RegisterUnaryTransitVector([0] * model.N)
    r.AddDimension(zero, H, H, False, "trip_end")
    end = r.GetDimensionOrDie("trip_end")
    slack_only_at_reloads(r, end, model.reload_index)
    for v in range(model.data.n_vehicles):
        solver.Add(tdim.CumulVar(r.End(v)) <= end.CumulVar(r.End(v)))
    for idx in model.reload_index:
        solver.Add(tdim.CumulVar(idx) <= end.CumulVar(idx))  # the trip before the reload ends there
    for i in model.shelf_pick:
        oi = int(model.order_index[i])
        limit = _ride_limit(model, i, oi)
        if limit is not None:
            solver.Add(end.CumulVar(oi) <= tdim.CumulVar(oi) + limit)


def place_reloads(model: Any, v: int, route: list[int]) -> list[int]:
    """Routing indices of a seed route of vehicle ``v``: its orders, each `RELOAD` as one of its reload nodes.

    Parameters
    ----------
    model
        The built `OrtoolsModel`.
    v
        The vehicle.
    route
        Order indices and `RELOAD` markers.

    Returns
    -------
    list of int
        Routing indices.  A reload before the first order, after the last, right after another or
        past the vehicle's reload nodes is dropped: it carries nothing, or the trips run together
        (and the model rejects the route when they do not fit).
    """
    free = [idx for u, idx in zip(model.reload_of, model.reload_index) if u == v]
    reload_nodes = set(free)
    body: list[int] = []
    for i in route:
        if i != RELOAD:
            body.append(int(model.order_index[i]))
        elif free and body and body[-1] not in reload_nodes:
            body.append(free.pop(0))
    if body and body[-1] in reload_nodes:
        body.pop()
    return body
