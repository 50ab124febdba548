"""The OR-Tools routing model: every constraint of the problem, matrices registered.

No Python callback is evaluated per arc during the search: travel costs, times
and loads are registered as matrices / vectors (``RegisterTransitMatrix``,
``RegisterUnaryTransitVector``).  Orders are disjunctions: optional ones with
their penalty, required ones with a prohibitive penalty, so a plan always
comes back and unserved orders are explained afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from logistics.core.plan import RouteResult
from logistics.engine.solvers.arrays import (
    COST_CAP,
    COST_SCALE,
    PENALTY_SUM,
    RATE_CAP,
    SolverData,
    cost_units,
    horizon,
)

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

    arc: np.ndarray  # (T, N, N) arc cost per vehicle type
    span_per_s: np.ndarray  # (T,) cost units per second of route span
    fixed: np.ndarray  # (T,)
    late_per_s: int  # soft-window lateness, cost units per second
    decay_per_s: np.ndarray  # (n_orders,) linear freshness proxy for deliveries, cost units per second in vehicle
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
        int(arc.max(initial=0)) * (n + 2) + int(fixed.max(initial=0)) + int(span.max(initial=0)) * horizon(data)
    )
    return CostArrays(
        arc=arc,
        span_per_s=span,
        fixed=fixed,
        late_per_s=int(cost_units(c.late_per_h * COST_SCALE / 3600, RATE_CAP)),
        decay_per_s=decay,
        required_penalty=min(max(10 * total_scale, 10**9), PENALTY_SUM // max(1, n)),
    )


class OrtoolsModel:
    """Builds the RoutingModel once; ``search`` may be called with an initial solution.

    Loads are exact without cross-dimension constraints: when deliveries share
    routes with pickups (or carry a shelf life), every delivery gets a *loading
    node* at its vehicle's start depot, paired with it (same vehicle, loading
    first), and every shelf-limited pickup an *unloading node* at the end depot.
    Two counting dimensions keep loading nodes before the first customer and
    unloading nodes after the last, so the load dimension is a plain
    pickup-and-delivery dimension starting empty, and shelf life is a limit
    between the two nodes of a pair.  Alternatives (one node per possible depot)
    cover orders that vehicles from several depots may serve.
    """

    def __init__(self, data: SolverData, costs: CostArrays | None = None, deadline: float | None = None):
        """``deadline`` (perf_counter): when building runs past it, the half-built model is dropped between
        two steps (``out_of_time``) and :meth:`search` leaves every order out instead of overrunning."""
        t0 = time.perf_counter()
        self.out_of_time = False
        self.data = d = data
        self.costs = cs = costs if costs is not None else cost_arrays(data)
        p = d.problem
        n, V = d.n_orders, d.n_vehicles
        if V == 0:
            # every vehicle type has count 0: OR-Tools crashes (segfault) building dimensions without vehicles,
            # and there is nothing to search: every order is left out (see search)
            self.routing = self.manager = self.solver = None
            self.loading, self.unloading, self.load_dims = [], [], []
            self.activity_ties = 0
            self.build_s = time.perf_counter() - t0
            return
        N0 = len(d.loc)
        self.H = H = horizon(d)
        pair_of = {pi: di for pi, di in d.pairs}
        paired_delivery = {di for _, di in d.pairs}
        span_max = [
            min(
                H,
                p.fleet[int(d.vehicle_type[v])].max_duration or H,
                p.fleet[int(d.vehicle_type[v])].shift[1] - p.fleet[int(d.vehicle_type[v])].shift[0],
            )
            for v in range(V)
        ]
        longest = max(span_max) if V else 0
        unpaired_deliv = [i for i in range(n) if p.orders[i].kind == "delivery" and i not in paired_delivery]
        shelf_deliv = [i for i in unpaired_deliv if 0 <= d.shelf[i] < longest]
        self.pd_mode = bool(unpaired_deliv) and (d.has_pickups or bool(d.pairs) or bool(shelf_deliv))
        shelf_pick = [
            i for i in range(n) if p.orders[i].kind == "pickup" and i not in pair_of and 0 <= d.shelf[i] < longest
        ]
        # extra nodes: (order, vehicles allowed at this depot, base node giving the location)
        self.activity_ties = 0  # pairs whose activity is tied by an explicit constraint (see first_solution_for)
        self.loading: list[tuple[int, list[int], int]] = []
        self.unloading: list[tuple[int, list[int], int]] = []

        def alternatives(i: int, depot_nodes: np.ndarray) -> dict[int, list[int]]:
            by_loc: dict[int, list[int]] = {}
            for v in range(V):
                if d.allowed[int(d.vehicle_type[v]), i]:
                    by_loc.setdefault(int(d.loc[depot_nodes[v]]), []).append(v)
            return by_loc

        if self.pd_mode:
            for i in unpaired_deliv:
                for loc, vs in sorted(alternatives(i, d.starts).items()):
                    self.loading.append((i, vs, int(d.starts[vs[0]])))
        for i in shelf_pick:
            for loc, vs in sorted(alternatives(i, d.ends).items()):
                self.unloading.append((i, vs, int(d.ends[vs[0]])))
        extra = [b for _, _, b in self.loading] + [b for _, _, b in self.unloading]
        node_map = np.concatenate([np.arange(N0), np.array(extra, dtype=np.int64)]).astype(np.int64)
        N = len(node_map)
        first_load = N0
        first_unload = N0 + len(self.loading)

        self.manager = mgr = pywrapcp.RoutingIndexManager(N, V, d.starts.tolist(), d.ends.tolist())
        self.routing = r = pywrapcp.RoutingModel(mgr)
        self.solver = solver = r.solver()
        types_used = sorted(set(d.vehicle_type.tolist()))
        order_idx = np.array([mgr.NodeToIndex(i) for i in range(n)], dtype=np.int64)
        self.order_index = order_idx
        self.load_index = [mgr.NodeToIndex(first_load + k) for k in range(len(self.loading))]
        self.unload_index = [mgr.NodeToIndex(first_unload + k) for k in range(len(self.unloading))]
        nidx = r.Size() + V
        node_of_index = np.array([mgr.IndexToNode(k) for k in range(nidx)], dtype=np.int64)
        self.node_of_index = node_of_index
        # OR-Tools looks registered matrices and vectors up by *node*, so every array below is node-indexed:
        # node k has the location and service of base node node_map[k] (extra nodes: no service)
        base = node_map
        is_extra = np.arange(N) >= N0
        service = d.service[base].copy()
        service[is_extra] = 0

        def by_index(mat: np.ndarray) -> list:
            return mat[np.ix_(base, base)].tolist()

        def with_extra(vec_orders: np.ndarray, load_vals: np.ndarray | None, unload_vals: np.ndarray | None) -> list:
            out = vec_orders[base].copy()
            out[is_extra] = 0
            for k, (i, _, _) in enumerate(self.loading):
                if load_vals is not None:
                    out[first_load + k] = load_vals[i]
            for k, (i, _, _) in enumerate(self.unloading):
                if unload_vals is not None:
                    out[first_unload + k] = unload_vals[i]
            return out.tolist()

        # arc costs per vehicle type (door-open cost sits on arcs leaving an order; extra nodes have none)
        cost_cb = {}
        for t in types_used:
            arc = cs.arc[t][np.ix_(base, base)]  # extra nodes share a depot's row: no door-open cost
            cost_cb[t] = r.RegisterTransitMatrix(arc.tolist())
        if self._give_up(deadline, t0):
            return
        for v in range(V):
            t = int(d.vehicle_type[v])
            r.SetArcCostEvaluatorOfVehicle(cost_cb[t], v)
            if cs.fixed[t]:
                r.SetFixedCostOfVehicle(int(cs.fixed[t]), v)

        # time: transit = service at origin + travel (per type, speed factor applied)
        time_cb = {
            t: r.RegisterTransitMatrix((d.duration[t][np.ix_(base, base)] + service[:, None]).tolist())
            for t in types_used
        }
        if self._give_up(deadline, t0):
            return
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
            if cs.decay_per_s[i] > 0:
                # linear freshness proxy: value·q·λ per second after the earliest departure of the day
                t_min = min(vt.shift[0] for vt in p.fleet)
                tdim.SetCumulVarSoftUpperBound(idx, t_min, int(cs.decay_per_s[i]))
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
            caps = [
                int(p.fleet[int(d.vehicle_type[v])].max_distance)
                if p.fleet[int(d.vehicle_type[v])].max_distance is not None
                else int(min(d.distance.sum(dtype=np.float64), 2**62))
                for v in range(V)
            ]
            r.AddDimensionWithVehicleCapacity(dist_cb, 0, caps, True, "distance")

        # loads: one dimension per compartment slot (+ one for a flexible total capacity)
        slots = [(f"load{s}", d.demand[:, s, :], d.delivered[:, s, :], d.capacity[:, s]) for s in range(d.n_slots)]
        if any(
            vt.total_capacity is not None and vt.total_capacity < sum(c.capacity for c in vt.compartments)
            for vt in p.fleet
        ):
            slots.append(("load_total", d.demand.sum(axis=1), d.delivered.sum(axis=1), d.total_capacity))
        self.load_dims = []
        for name, demand, delivered, cap in slots:
            if not np.any(demand):
                continue
            caps = [int(cap[int(d.vehicle_type[v])]) for v in range(V)]
            vecs = {}
            for t in types_used:
                if not self.pd_mode and not d.has_pickups and not d.pairs:
                    vec = with_extra(delivered[t], None, None)  # delivered so far
                else:
                    # signed: +pickup/-delivery; loading nodes take deliveries on, unloading nodes put pickups off
                    vec = with_extra(demand[t], delivered[t] if self.pd_mode else None, -demand[t])
                vecs[t] = vec
            if len({tuple(v) for v in vecs.values()}) == 1:
                cb = r.RegisterUnaryTransitVector(vecs[types_used[0]])
                cbs = dict.fromkeys(types_used, cb)
            else:
                # OR-Tools 9.15 (google/or-tools#5283): with two or more *unary* evaluators in one dimension, a
                # node with a positive transit can no longer be dropped (no plan at all when some order must be
                # left out); transit matrices (row = from-node) have the same meaning without that defect
                cbs = {t: r.RegisterTransitMatrix([[int(x)] * N for x in v]) for t, v in vecs.items()}
            r.AddDimensionWithVehicleTransitAndCapacity(
                [cbs[int(d.vehicle_type[v])] for v in range(V)], 0, caps, True, name
            )
            self.load_dims.append(name)
            if self._give_up(deadline, t0):
                return

        # loading nodes before every customer, unloading nodes after every customer
        is_order = (np.arange(N) < n).astype(np.int64)
        if self.loading:
            cb = r.RegisterUnaryTransitVector(is_order.tolist())
            r.AddDimension(cb, 0, n + 1, True, "customers_done")
            done = r.GetDimensionOrDie("customers_done")
            for idx in self.load_index:
                done.CumulVar(idx).SetRange(0, 0)
        if self.unloading:
            cb = r.RegisterUnaryTransitVector((-is_order).tolist())
            r.AddDimension(cb, 0, n + 1, False, "customers_left")
            left = r.GetDimensionOrDie("customers_left")
            for v in range(V):
                left.CumulVar(r.End(v)).SetRange(0, 0)
            for idx in self.unload_index:
                left.CumulVar(idx).SetRange(0, 0)

        # disjunctions: every order may be dropped, required ones at a prohibitive price
        disj = {}
        for i in range(n):
            pen = int(d.penalty[i]) if not d.required[i] else cs.required_penalty
            if i in paired_delivery:
                pen = 0 if not d.required[i] else pen
            disj[i] = r.AddDisjunction([int(order_idx[i])], pen)

        # user pairs
        for pi, di in d.pairs:
            a, b = int(order_idx[pi]), int(order_idx[di])
            r.AddPickupAndDelivery(a, b)
            if 0 <= d.shelf[pi] < longest:
                # native precedence: cumul(a) >= cumul(b) - shelf, i.e. delivery within shelf life of pickup
                tdim.AddNodePrecedence(b, a, -int(d.shelf[pi]))
                # OR-Tools 9.15's insertion heuristics may perform one node of a pair alone when the precedence
                # blocks the pair; tie their activity explicitly
                solver.Add(r.ActiveVar(a) == r.ActiveVar(b))
                self.activity_ties += 1

        # depot loading / unloading pairs, with shelf life as a limit within the pair
        def pair_extra(entries, indices, order_first: bool):
            groups: dict[int, list[int]] = {}
            for k, (i, vs, _) in enumerate(entries):
                groups.setdefault(i, []).append(k)
                keep = set(vs)
                r.VehicleVar(indices[k]).RemoveValues([v for v in range(V) if v not in keep])
            for i, ks in groups.items():
                idxs = [indices[k] for k in ks]
                oi = int(order_idx[i])
                if len(idxs) == 1:
                    r.AddDisjunction(idxs, 0)
                    if order_first:
                        r.AddPickupAndDelivery(oi, idxs[0])
                    else:
                        r.AddPickupAndDelivery(idxs[0], oi)
                else:
                    dj = r.AddDisjunction(idxs, 0, 1)
                    if order_first:
                        r.AddPickupAndDeliverySets(disj[i], dj)
                    else:
                        r.AddPickupAndDeliverySets(dj, disj[i])
                if 0 <= d.shelf[i] < longest:
                    # as for user pairs: an order performed without its loading/unloading node (seen with
                    # parallel cheapest insertion when the shelf life blocks the pair) is ruled out explicitly
                    solver.Add(r.ActiveVar(oi) == solver.Sum([r.ActiveVar(x) for x in idxs]))
                    self.activity_ties += 1
                    for x in idxs:
                        first, last = (oi, x) if order_first else (x, oi)
                        # native precedence (applies when both are performed): first >= last - shelf
                        tdim.AddNodePrecedence(last, first, -int(d.shelf[i]))

        pair_extra(self.loading, self.load_index, order_first=False)
        pair_extra(self.unloading, self.unload_index, order_first=True)
        if self._give_up(deadline, t0):
            return

        # allowed vehicle types
        for i in range(n):
            ok = d.allowed[d.vehicle_type, i]
            if not ok.any():
                r.ActiveVar(int(order_idx[i])).SetMax(0)
            elif not ok.all():
                r.VehicleVar(int(order_idx[i])).RemoveValues([int(v) for v in np.flatnonzero(~ok)])
        self._loading_nodes = set(range(first_load, first_unload))
        self.build_s = time.perf_counter() - t0

    def initial_routes(self, routes: list[list[int]]) -> list[list[int]]:
        """Order sequences per vehicle → routing indices, with loading/unloading nodes placed."""
        load_of: dict[tuple[int, int], int] = {}
        for k, (i, vs, _) in enumerate(self.loading):
            for v in vs:
                load_of[(i, v)] = self.load_index[k]
        unload_of: dict[tuple[int, int], int] = {}
        for k, (i, vs, _) in enumerate(self.unloading):
            for v in vs:
                unload_of[(i, v)] = self.unload_index[k]
        out = []
        for v, route in enumerate(routes):
            head = [load_of[(i, v)] for i in route if (i, v) in load_of]
            tail = [unload_of[(i, v)] for i in route if (i, v) in unload_of]
            out.append(head + [int(self.order_index[i]) for i in route] + tail)
        return out

    # ------------------------------------------------------------------------------------
    def _give_up(self, deadline: float | None, t0: float) -> bool:
        """Past ``deadline`` while building: drop the half-built model (see ``__init__``)."""
        if deadline is None or time.perf_counter() <= deadline:
            return False
        self.routing = self.manager = self.solver = None
        self.out_of_time = True
        self.build_s = time.perf_counter() - t0
        return True

    def first_solution_for(self, requested: str) -> str:
        """The first-solution strategy to use for ``requested`` on this model.

        OR-Tools' parallel cheapest insertion slows down by orders of magnitude
        when pairs carry explicit activity ties (shelf-limited pairs, see
        ``activity_ties``): measured 0.06 s -> over 10 s at 100 orders and no
        first solution within 60 s at 300, so that a time-limited search
        returned every order unserved.  Local cheapest insertion is unaffected
        (0.05 s and 1.3 s) and takes its place there.
        """
        if requested == "parallel_cheapest_insertion" and self.activity_ties:
            return "local_cheapest_insertion"
        return requested

    def record_history(
        self, t0: float, progress: Callable[[float, float], None] | None = None
    ) -> list[tuple[float, float]]:
        """A list that every improving solution of the coming search appends (seconds since ``t0``, objective).

        The objective is in the units of ``kpis["objective"]`` (¥, or matrix
        distance for ``objective='distance'``); ``progress`` hears the same.
        Register before the model is closed.
        """
        r = self.routing
        unit = 1 if self.data.problem.objective == "distance" else COST_SCALE
        history: list[tuple[float, float]] = []

        def on_solution() -> None:
            c = r.CostVar().Max() / unit
            if not history or c < history[-1][1]:
                history.append((time.perf_counter() - t0, c))
                if progress is not None:
                    progress(history[-1][0], c)

        r.AddAtSolutionCallback(on_solution)
        return history

    def search(
        self,
        time_limit: float,
        *,
        initial: list[list[int]] | None = None,
        first_solution: str = "parallel_cheapest_insertion",
        metaheuristic: str = "guided_local_search",
        solution_limit: int | None = None,
        progress: Callable[[float, float], None] | None = None,
        log: bool = False,
    ) -> OrtoolsResult:
        r, d = self.routing, self.data
        if r is None:  # no vehicle, or no time left to build: every order left out, at the disjunctions' price
            paired_delivery = {di for _, di in d.pairs}
            obj = sum(
                int(self.costs.required_penalty) if d.required[i] else 0 if i in paired_delivery else int(d.penalty[i])
                for i in range(d.n_orders)
            )
            status = "out_of_time_building" if self.out_of_time else "no_vehicles"
            return OrtoolsResult([], list(range(d.n_orders)), obj, status, [], self.build_s, 0.0)
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = FIRST_SOLUTION[self.first_solution_for(first_solution)]
        params.local_search_metaheuristic = METAHEURISTIC[metaheuristic]
        params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
        if solution_limit is not None:
            params.solution_limit = int(solution_limit)
        params.log_search = log
        t0 = time.perf_counter()
        history = self.record_history(t0, progress)
        r.CloseModelWithParameters(params)
        # closing the model takes time on big instances: the search gets what is left of the budget
        left = time_limit - (time.perf_counter() - t0)
        params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
        solution = None
        if initial is not None:
            start = r.ReadAssignmentFromRoutes(self.initial_routes(initial), True)
            if start is not None:
                solution = r.SolveFromAssignmentWithParameters(start, params)
        if solution is None:
            left = time_limit - (time.perf_counter() - t0)
            if initial is None or left > 0.05:
                # a seed that could not be read, or was searched without result: what is left, not a new budget
                params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
                solution = r.SolveWithParameters(params)
        return self.result(solution, history, time.perf_counter() - t0)

    def result(self, solution, history: list[tuple[float, float]], search_s: float) -> OrtoolsResult:
        """The routes of ``solution`` (None: every order unserved) with the routing model's search status."""
        try:
            status = (
                routing_enums_pb2.RoutingSearchStatus.Value.Name(self.routing.status()).removeprefix("ROUTING_").lower()
            )
        except (AttributeError, ValueError):
            status = str(self.routing.status())
        if solution is None:
            return OrtoolsResult([], list(range(self.data.n_orders)), None, status, history, self.build_s, search_s)
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
                if node < d.n_orders:
                    orders.append(node)
                    starts.append(sol.Value(tdim.CumulVar(idx)))
                    served.add(node)
                elif not orders and node in self._loading_nodes:
                    depart = sol.Value(tdim.CumulVar(idx))  # the vehicle leaves after its last loading
                idx = sol.Value(r.NextVar(idx))
            if orders:
                routes.append(
                    RouteResult(
                        vehicle=v, orders=orders, starts=starts, depart=depart, arrive=sol.Value(tdim.CumulVar(idx))
                    )
                )
        dropped = [i for i in range(d.n_orders) if i not in served]
        return OrtoolsResult(routes, dropped, sol.ObjectiveValue(), status, history, self.build_s, search_s)
