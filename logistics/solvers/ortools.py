"""The OR-Tools routing model: every constraint of the problem, matrices registered.

No Python callback is evaluated per arc during the search: travel costs, times
and loads are registered as matrices / vectors (``RegisterTransitMatrix``,
``RegisterUnaryTransitVector``).  Orders are disjunctions: optional ones with
their penalty, required ones with a prohibitive penalty, so a plan always
comes back and unserved orders are explained afterwards.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ..plan import RouteResult
from .arrays import COST_SCALE, SolverData, horizon

FIRST_SOLUTION = {
    "parallel_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "path_cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "christofides": routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
    "all_unperformed": routing_enums_pb2.FirstSolutionStrategy.ALL_UNPERFORMED,
}
METAHEURISTIC = {
    "guided_local_search": routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH,
    "simulated_annealing": routing_enums_pb2.LocalSearchMetaheuristic.SIMULATED_ANNEALING,
    "tabu_search": routing_enums_pb2.LocalSearchMetaheuristic.TABU_SEARCH,
    "greedy_descent": routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT,
}


@dataclass
class CostArrays:
    """Linear objective pieces in cost units (see :func:`cost_arrays`)."""

    arc: np.ndarray            # (T, N, N) arc cost per vehicle type
    span_per_s: np.ndarray     # (T,) cost units per second of route span
    fixed: np.ndarray          # (T,)
    late_per_s: int            # soft-window lateness, cost units per second
    decay_per_s: np.ndarray    # (n_orders,) linear freshness proxy for deliveries, cost units per second in vehicle
    required_penalty: int


@dataclass
class OrtoolsResult:
    routes: list[RouteResult]
    dropped: list[int]
    objective: int | None
    status: str
    history: list[tuple[float, float]] = field(default_factory=list)
    build_s: float = 0.0
    search_s: float = 0.0


def cost_arrays(data: SolverData) -> CostArrays:
    """The linear part of the objective, in integer cost units.

    ``objective='distance'``: arc cost = distance and nothing else (benchmark
    convention).  ``'cost'``: per-km vehicle cost plus fuel at half load plus
    carbon on arcs; driver and refrigeration per hour of route span; door-open
    refrigeration on service time; fixed cost per used vehicle; a linear
    freshness proxy value·q·λ per second from departure to delivery.
    """
    p = data.problem
    T = len(p.fleet)
    n = data.n_orders
    if p.objective == "distance":
        arc = np.broadcast_to(data.distance, (T,) + data.distance.shape)
        big = int(max(1, data.distance.max()) * (n + 1) * 10)
        return CostArrays(arc=arc, span_per_s=np.zeros(T, dtype=np.int64), fixed=np.zeros(T, dtype=np.int64),
                          late_per_s=0, decay_per_s=np.zeros(n, dtype=np.int64), required_penalty=big)
    c = p.costs
    fuel_half = c.fuel_empty_l_per_km + 0.5 * (c.fuel_full_l_per_km - c.fuel_empty_l_per_km)
    arc = np.empty((T,) + data.distance.shape, dtype=np.int64)
    span = np.zeros(T, dtype=np.int64)
    fixed = np.zeros(T, dtype=np.int64)
    km = data.distance / 1000.0
    for t, vt in enumerate(p.fleet):
        per_km = vt.cost_per_km + fuel_half * (c.diesel_price + c.co2_per_l * c.carbon_price)
        a = km * per_km
        per_h = vt.cost_per_hour + (c.reefer_drive_per_h if vt.refrigerated else 0.0)
        if vt.refrigerated:
            door_extra = (c.reefer_door_per_h - c.reefer_drive_per_h) * data.service / 3600.0
            a = a + door_extra[:, None]
        arc[t] = np.rint(a * COST_SCALE).astype(np.int64)
        span[t] = int(round(per_h * COST_SCALE / 3600.0))
        fixed[t] = int(round(vt.fixed_cost * COST_SCALE))
    decay = np.zeros(n, dtype=np.int64)
    for i, o in enumerate(p.orders):
        if o.kind != "delivery":
            continue
        v = 0.0
        for name, q in o.quantities.items():
            prod = p.products[name]
            lam = prod.decay_per_h if prod.decay_per_h is not None else c.decay_per_h.get(prod.zone, 0.0)
            v += prod.value * q * lam
        decay[i] = int(round(v * COST_SCALE / 3600.0))
    total_scale = int(arc.max(initial=0)) * (n + 2) + int(fixed.max(initial=0)) + \
        int(span.max(initial=0)) * horizon(data)
    return CostArrays(arc=arc, span_per_s=span, fixed=fixed, late_per_s=int(round(c.late_per_h * COST_SCALE / 3600)),
                      decay_per_s=decay, required_penalty=max(10 * total_scale, 10**9))


class OrtoolsModel:
    """Builds the RoutingModel once; ``search`` may be called with an initial solution."""

    def __init__(self, data: SolverData, costs: CostArrays | None = None):
        t0 = time.perf_counter()
        self.data = d = data
        self.costs = cs = costs if costs is not None else cost_arrays(data)
        p = d.problem
        n, V = d.n_orders, d.n_vehicles
        N = len(d.loc)
        self.manager = mgr = pywrapcp.RoutingIndexManager(N, V, d.starts.tolist(), d.ends.tolist())
        self.routing = r = pywrapcp.RoutingModel(mgr)
        self.solver = solver = r.solver()
        self.H = H = horizon(d)
        T = len(p.fleet)
        types_used = sorted(set(d.vehicle_type.tolist()))
        # Routing index <-> node: identical for non-depot nodes in OR-Tools when starts/ends are distinct nodes,
        # but go through the manager to be safe; reorder matrices to routing-index order once.
        order_idx = np.array([mgr.NodeToIndex(i) for i in range(n)], dtype=np.int64)
        self.order_index = order_idx
        nidx = r.Size() + V  # indices 0..Size()-1 are non-end nodes; ends follow
        node_of_index = np.array([mgr.IndexToNode(k) for k in range(nidx)], dtype=np.int64)
        self.node_of_index = node_of_index

        def by_index(mat: np.ndarray) -> list:
            return mat[np.ix_(node_of_index, node_of_index)].tolist()

        def vec_by_index(vec: np.ndarray) -> list:
            return vec[node_of_index].tolist()

        # arc costs per vehicle type
        cost_cb = {t: r.RegisterTransitMatrix(by_index(cs.arc[t])) for t in types_used}
        for v in range(V):
            t = int(d.vehicle_type[v])
            r.SetArcCostEvaluatorOfVehicle(cost_cb[t], v)
            if cs.fixed[t]:
                r.SetFixedCostOfVehicle(int(cs.fixed[t]), v)

        # time: transit = service at origin + travel (per type, speed factor applied)
        time_cb = {t: r.RegisterTransitMatrix(by_index(d.duration[t] + d.service[:, None])) for t in types_used}
        r.AddDimensionWithVehicleTransits([time_cb[int(d.vehicle_type[v])] for v in range(V)], H, H, False, "time")
        self.time = tdim = r.GetDimensionOrDie("time")
        for i, o in enumerate(p.orders):
            idx = int(order_idx[i])
            w = d.windows[i]
            lo, hi = w[0][0], w[-1][1]
            if o.soft and p.objective == "cost":
                late = int(round(p.costs.max_lateness_h * 3600))
                tdim.CumulVar(idx).SetRange(lo, min(H, hi + late))
                if cs.late_per_s:
                    tdim.SetCumulVarSoftUpperBound(idx, hi, cs.late_per_s)
            else:
                tdim.CumulVar(idx).SetRange(lo, min(H, hi))
            for (a0, b0), (a1, b1) in zip(w, w[1:]):
                if a1 - 1 >= b0 + 1:
                    tdim.CumulVar(idx).RemoveInterval(b0 + 1, a1 - 1)
        for v in range(V):
            vt = p.fleet[int(d.vehicle_type[v])]
            tdim.CumulVar(r.Start(v)).SetRange(vt.shift[0], vt.shift[1])
            tdim.CumulVar(r.End(v)).SetRange(vt.shift[0], vt.shift[1])
            if vt.max_duration is not None:
                tdim.SetSpanUpperBoundForVehicle(int(vt.max_duration), v)
            if cs.span_per_s[int(d.vehicle_type[v])]:
                tdim.SetSpanCostCoefficientForVehicle(int(cs.span_per_s[int(d.vehicle_type[v])]), v)
        for v in range(V):
            r.AddVariableMaximizedByFinalizer(tdim.CumulVar(r.Start(v)))
            r.AddVariableMinimizedByFinalizer(tdim.CumulVar(r.End(v)))

        # distance limit
        if any(vt.max_distance is not None for vt in p.fleet):
            dist_cb = r.RegisterTransitMatrix(by_index(d.distance))
            caps = [int(p.fleet[int(d.vehicle_type[v])].max_distance) if
                    p.fleet[int(d.vehicle_type[v])].max_distance is not None else int(d.distance.sum())
                    for v in range(V)]
            r.AddDimensionWithVehicleCapacity(dist_cb, 0, caps, True, "distance")

        # loads: one dimension per compartment slot (+ one for flexible total capacity)
        self._add_loads(types_used, vec_by_index)

        # pickup and delivery pairs
        for pi, di in d.pairs:
            a, b = int(order_idx[pi]), int(order_idx[di])
            r.AddPickupAndDelivery(a, b)
            solver.Add(r.VehicleVar(a) == r.VehicleVar(b))
            solver.Add(tdim.CumulVar(a) <= tdim.CumulVar(b))

        # allowed vehicle types
        for i in range(n):
            ok = d.allowed[d.vehicle_type, i]
            if not ok.any():
                r.ActiveVar(int(order_idx[i])).SetMax(0)
            elif not ok.all():
                r.VehicleVar(int(order_idx[i])).RemoveValues([int(v) for v in np.flatnonzero(~ok)])

        # disjunctions: every order may be dropped, required ones at a prohibitive price
        pair_of = {pi: di for pi, di in d.pairs}
        paired_delivery = {di for _, di in d.pairs}
        for i in range(n):
            pen = int(d.penalty[i]) if not d.required[i] else cs.required_penalty
            if i in pair_of:
                r.AddDisjunction([int(order_idx[i])], pen)
            elif i in paired_delivery:
                r.AddDisjunction([int(order_idx[i])], 0 if not d.required[i] else pen)
            else:
                r.AddDisjunction([int(order_idx[i])], pen)

        self._add_shelf_life()
        self.build_s = time.perf_counter() - t0

    # ------------------------------------------------------------------------------------
    def _add_loads(self, types_used, vec_by_index) -> None:
        d, r, solver = self.data, self.routing, self.solver
        p = d.problem
        V = d.n_vehicles
        mixed = d.has_pickups and d.has_depot_deliveries
        paired = bool(d.pairs)
        slots = [(f"load{s}", d.demand[:, s, :], d.delivered[:, s, :], d.capacity[:, s]) for s in range(d.n_slots)]
        need_total = any(vt.total_capacity is not None and vt.total_capacity < sum(c.capacity for c in vt.compartments)
                         for vt in p.fleet)
        if need_total:
            slots.append(("load_total", d.demand.sum(axis=1), d.delivered.sum(axis=1), d.total_capacity))
        self.load_dims = []
        for name, demand, delivered, cap in slots:
            if not np.any(demand) and not np.any(delivered):
                continue
            caps = [int(cap[int(d.vehicle_type[v])]) for v in range(V)]
            if not d.has_pickups and not paired:
                # classic: count what has been delivered so far, start at zero
                cbs = {t: r.RegisterUnaryTransitVector(vec_by_index(delivered[t])) for t in types_used}
                r.AddDimensionWithVehicleTransitAndCapacity([cbs[int(d.vehicle_type[v])] for v in range(V)], 0,
                                                            caps, True, name)
            else:
                cbs = {t: r.RegisterUnaryTransitVector(vec_by_index(demand[t])) for t in types_used}
                r.AddDimensionWithVehicleTransitAndCapacity([cbs[int(d.vehicle_type[v])] for v in range(V)], 0,
                                                            caps, not d.has_depot_deliveries, name)
                if d.has_depot_deliveries:
                    # the start load is free in the dimension; tie it to what the route delivers
                    dcbs = {t: r.RegisterUnaryTransitVector(vec_by_index(delivered[t])) for t in types_used}
                    r.AddDimensionWithVehicleTransitAndCapacity([dcbs[int(d.vehicle_type[v])] for v in range(V)], 0,
                                                                caps, True, name + "_out")
                    dim, out = r.GetDimensionOrDie(name), r.GetDimensionOrDie(name + "_out")
                    for v in range(V):
                        solver.Add(dim.CumulVar(r.Start(v)) == out.CumulVar(r.End(v)))
            self.load_dims.append(name)
        del mixed

    def _add_shelf_life(self) -> None:
        """Goods age from the depot (deliveries) or from pickup to the route end (pickups)."""
        d, r, solver, tdim = self.data, self.routing, self.solver, self.time
        p = d.problem
        oi = self.order_index
        V = d.n_vehicles
        span_max = {v: min(self.H, (p.fleet[int(d.vehicle_type[v])].max_duration or self.H),
                           p.fleet[int(d.vehicle_type[v])].shift[1] - p.fleet[int(d.vehicle_type[v])].shift[0])
                    for v in range(V)}
        longest = max(span_max.values()) if span_max else 0
        pair_of = {pi: di for pi, di in d.pairs}
        paired_delivery = {di: pi for pi, di in d.pairs}
        elapsed_needed = [i for i in range(d.n_orders) if p.orders[i].kind == "delivery" and i not in paired_delivery
                          and ((0 <= d.shelf[i] < longest) or self.costs.decay_per_s[i] > 0)]
        self.elapsed = None
        if elapsed_needed:
            # a second clock that starts at zero when the vehicle leaves: waiting counts
            tcbs = {}
            for v in range(V):
                t = int(d.vehicle_type[v])
                if t not in tcbs:
                    tcbs[t] = r.RegisterTransitMatrix(
                        (d.duration[t] + d.service[:, None])[np.ix_(self.node_of_index, self.node_of_index)].tolist())
            r.AddDimensionWithVehicleTransits([tcbs[int(d.vehicle_type[v])] for v in range(V)], self.H, self.H, True,
                                              "elapsed")
            el = self.elapsed = r.GetDimensionOrDie("elapsed")
            for i in range(d.n_orders):
                idx = int(oi[i])
                solver.Add(el.SlackVar(idx) == tdim.SlackVar(idx))
            for i in elapsed_needed:
                idx = int(oi[i])
                if 0 <= d.shelf[i] < longest:
                    el.CumulVar(idx).SetMax(int(d.shelf[i]))
                if self.costs.decay_per_s[i] > 0:
                    el.SetCumulVarSoftUpperBound(idx, 0, int(self.costs.decay_per_s[i]))
        for pi, di in pair_of.items():
            if 0 <= d.shelf[pi] < longest:
                solver.Add(tdim.CumulVar(int(oi[di])) - tdim.CumulVar(int(oi[pi])) <= int(d.shelf[pi]))
        pickups = [i for i in range(d.n_orders) if p.orders[i].kind == "pickup" and i not in pair_of
                   and 0 <= d.shelf[i] < longest]
        for i in pickups:
            idx = int(oi[i])
            big = self.H
            for v in range(V):
                if not d.allowed[int(d.vehicle_type[v]), i] or d.shelf[i] >= span_max[v]:
                    continue
                on_v = r.VehicleVar(idx) == v
                solver.Add(tdim.CumulVar(r.End(v)) - tdim.CumulVar(idx) <= int(d.shelf[i]) + big * (1 - on_v))

    # ------------------------------------------------------------------------------------
    def search(self, time_limit: float, *, initial: list[list[int]] | None = None,
               first_solution: str = "parallel_cheapest_insertion", metaheuristic: str = "guided_local_search",
               solution_limit: int | None = None, progress: Callable[[float, float], None] | None = None,
               log: bool = False) -> OrtoolsResult:
        r, d = self.routing, self.data
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = FIRST_SOLUTION[first_solution]
        params.local_search_metaheuristic = METAHEURISTIC[metaheuristic]
        params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
        if solution_limit is not None:
            params.solution_limit = int(solution_limit)
        params.log_search = log
        history: list[tuple[float, float]] = []
        t0 = time.perf_counter()

        def on_solution() -> None:
            c = r.CostVar().Max() / (1 if d.problem.objective == "distance" else COST_SCALE)
            if not history or c < history[-1][1]:
                history.append((time.perf_counter() - t0, c))
                if progress is not None:
                    progress(history[-1][0], c)

        r.AddAtSolutionCallback(on_solution)
        r.CloseModelWithParameters(params)
        solution = None
        if initial is not None:
            routes = [[int(self.order_index[i]) for i in route] for route in initial]
            start = r.ReadAssignmentFromRoutes(routes, True)
            if start is not None:
                solution = r.SolveFromAssignmentWithParameters(start, params)
        if solution is None:
            solution = r.SolveWithParameters(params)
        search_s = time.perf_counter() - t0
        status = {0: "not_solved", 1: "success", 2: "fail", 3: "fail_timeout", 4: "invalid", 5: "infeasible",
                  6: "optimal"}.get(r.status(), str(r.status()))
        if solution is None:
            return OrtoolsResult([], list(range(d.n_orders)), None, status, history, self.build_s, search_s)
        return self._read(solution, status, history, search_s)

    def _read(self, sol, status, history, search_s) -> OrtoolsResult:
        r, d, mgr, tdim = self.routing, self.data, self.manager, self.time
        routes = []
        served = set()
        for v in range(d.n_vehicles):
            idx = r.Start(v)
            depart = sol.Value(tdim.CumulVar(idx))
            orders, starts = [], []
            idx = sol.Value(r.NextVar(idx))
            while not r.IsEnd(idx):
                node = mgr.IndexToNode(idx)
                orders.append(node)
                starts.append(sol.Value(tdim.CumulVar(idx)))
                served.add(node)
                idx = sol.Value(r.NextVar(idx))
            if orders:
                routes.append(RouteResult(vehicle=v, orders=orders, starts=starts, depart=depart,
                                          arrive=sol.Value(tdim.CumulVar(idx))))
        dropped = [i for i in range(d.n_orders) if i not in served]
        return OrtoolsResult(routes, dropped, sol.ObjectiveValue(), status, history, self.build_s, search_s)
