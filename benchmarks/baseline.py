"""A "plain OR-Tools" baseline: the textbook RoutingModel on a benchmark Problem.

This is what a user would write from the OR-Tools VRP guides: the distance matrix
registered with ``RegisterTransitMatrix`` as arc cost, a capacity dimension, a
time dimension (travel + service) when the instance has windows or route
duration limits, pickup-and-delivery pairs for PDPTW, first solution
``PARALLEL_CHEAPEST_INSERTION`` and ``GUIDED_LOCAL_SEARCH`` for the time limit.
No PyVRP, no warm start, no tuning.  It reads only the Problem that
``logistics.read_instance`` builds (one compartment per vehicle type, one product).

Usage: ``python benchmarks/baseline.py FILE [--time-limit T]``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field

try:  # run as a script or imported from the benchmarks folder
    from _common import REPO
except ImportError:  # imported as benchmarks.baseline
    from ._common import REPO  # noqa: F401

from ortools.constraint_solver import pywrapcp, routing_enums_pb2


@dataclass
class BaselineResult:
    distance: int | None  # total distance in matrix units (None: no solution found)
    routes: list[list[str]] = field(default_factory=list)  # order ids per used vehicle
    vehicles: int = 0
    elapsed_s: float = 0.0
    status: str = ""


def solve_baseline(problem, time_limit: float = 10.0) -> BaselineResult:
    """Solve ``problem`` with a plain OR-Tools RoutingModel; total distance in matrix units."""
    t0 = time.perf_counter()
    m = problem.matrix
    orders = list(problem.orders)
    vehicles = problem.vehicles()
    depots = list(dict.fromkeys([vt.start_depot for _, vt in vehicles] + [vt.end_depot for _, vt in vehicles]))
    # routing nodes: depots first, then one node per order
    locs = depots + [o.location for o in orders]
    rows = [m.index(x) for x in locs]
    D = len(depots)
    dist = m.distance[rows][:, rows].astype(int)
    dur = m.duration[rows][:, rows].astype(int)
    n = len(locs)
    starts = [depots.index(vt.start_depot) for _, vt in vehicles]
    ends = [depots.index(vt.end_depot) for _, vt in vehicles]
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    arc = routing.RegisterTransitMatrix(dist.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)

    # capacity: one product, one compartment per type (benchmark instances)
    paired = any(o.pair is not None for o in orders)
    demand = [0] * n
    for k, o in enumerate(orders):
        q = int(round(sum(o.quantities.values())))
        demand[D + k] = q if o.kind == "pickup" else (-q if paired else q)
    dem = routing.RegisterUnaryTransitVector(demand)
    caps = [int(vt.capacity) for _, vt in vehicles]
    routing.AddDimensionWithVehicleCapacity(dem, 0, caps, True, "load")

    # time: travel + service at the node left; windows, shifts, route duration limits
    svc = [0] * D + [o.service for o in orders]
    horizon = max([vt.shift[1] for _, vt in vehicles] + [w[-1][1] for o in orders for w in [o.time_windows]])
    has_windows = any(
        o.time_windows[0][0] > vt.shift[0] or o.time_windows[-1][1] < vt.shift[1]
        for o in orders
        for _, vt in vehicles[:1]
    )
    has_limits = any(vt.max_duration is not None for _, vt in vehicles)
    time_dim = None
    if has_windows or has_limits or paired:
        travel = (dur + [[s] for s in svc]).tolist()
        tt = routing.RegisterTransitMatrix(travel)
        routing.AddDimension(tt, horizon, horizon, False, "time")
        time_dim = routing.GetDimensionOrDie("time")
        for k, o in enumerate(orders):
            idx = manager.NodeToIndex(D + k)
            a, b = o.time_windows[0][0], o.time_windows[-1][1]
            time_dim.CumulVar(idx).SetRange(a, b)
            for (_, b1), (a2, _) in zip(o.time_windows, o.time_windows[1:]):
                time_dim.CumulVar(idx).RemoveInterval(b1 + 1, a2 - 1)
        for v, (_, vt) in enumerate(vehicles):
            time_dim.CumulVar(routing.Start(v)).SetRange(vt.shift[0], vt.shift[1])
            time_dim.CumulVar(routing.End(v)).SetRange(vt.shift[0], vt.shift[1])
            if vt.max_duration is not None:
                time_dim.SetSpanUpperBoundForVehicle(int(vt.max_duration), v)
    if paired:
        solver = routing.solver()
        pos = {o.id: D + k for k, o in enumerate(orders)}
        for o in orders:
            if o.kind == "pickup" and o.pair is not None:
                p, d = manager.NodeToIndex(pos[o.id]), manager.NodeToIndex(pos[o.pair])
                routing.AddPickupAndDelivery(p, d)
                solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
                solver.Add(time_dim.CumulVar(p) <= time_dim.CumulVar(d))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    remaining = max(0.1, time_limit - (time.perf_counter() - t0))
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    sol = routing.SolveWithParameters(params)
    status = str(routing.status())
    if sol is None:
        return BaselineResult(None, [], 0, time.perf_counter() - t0, status)
    routes, total = [], 0
    for v in range(len(vehicles)):
        idx = routing.Start(v)
        seq = []
        prev = manager.IndexToNode(idx)
        while not routing.IsEnd(idx):
            idx = sol.Value(routing.NextVar(idx))
            node = manager.IndexToNode(idx)
            total += int(dist[prev, node])
            if node >= D:
                seq.append(orders[node - D].id)
            prev = node
        if seq:
            routes.append(seq)
    return BaselineResult(total, routes, len(routes), time.perf_counter() - t0, status)


def baseline_distance(problem, time_limit: float = 10.0) -> int | None:
    """Total distance (matrix units) of the plain OR-Tools baseline, or None if it finds no solution."""
    return solve_baseline(problem, time_limit).distance


def main(argv: list[str] | None = None) -> None:
    from logistics.formats.instances import read_instance

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--time-limit", type=float, default=10.0)
    a = ap.parse_args(argv)
    p = read_instance(a.file)
    r = solve_baseline(p, a.time_limit)
    scale = p.meta.get("scale", 1)
    cost = None if r.distance is None else r.distance / scale
    print(f"{p.name}: distance {cost} (bks {p.meta.get('bks')}), {r.vehicles} vehicles, {r.elapsed_s:.1f} s")


if __name__ == "__main__":
    main()
