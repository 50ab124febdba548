"""The OR-Tools routing model: every constraint of the problem, matrices registered.

No Python callback is evaluated per arc during the search: travel costs, times and loads are
registered as matrices / vectors (``RegisterTransitMatrix``, ``RegisterUnaryTransitVector``).
Orders are disjunctions: optional ones with their penalty, required ones with a prohibitive
penalty, so a plan always comes back and unserved orders are explained afterwards.  Searching the
model is `logistics.engine.solvers.ortools.search`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp

from logistics.core.options import Budget
from logistics.engine.solvers.arrays import SolverData, horizon, reload_node
from logistics.engine.solvers.duty import duty_plan, without_rests
from logistics.engine.solvers.ortools.breaks import BreakVars, add_breaks
from logistics.engine.solvers.ortools.costs import CostArrays, cost_arrays
from logistics.engine.solvers.ortools.trips import add_reloads, models_trips, place_reloads, slack_only_at_reloads
from logistics.engine.solvers.seeds import orders_of

__all__ = ["OrtoolsModel", "build_cells"]

# extra nodes: (order, vehicles allowed at this depot, base node giving the location)
Extra = tuple[int, list[int], int]


class _OutOfTime(Exception):
    """Building ran past the deadline: the half-built model is dropped (see `OrtoolsModel`)."""


class OrtoolsModel:
    """Builds the RoutingModel once; `search` runs it.

    Loads are exact without cross-dimension constraints: when deliveries share
    routes with pickups (or carry a shelf life), every delivery gets a *loading
    node* at its vehicle's start depot, paired with it (same vehicle, loading
    first), and every shelf-limited pickup an *unloading node* at the end depot.
    Two counting dimensions keep loading nodes before the first customer and
    unloading nodes after the last, so the load dimension is a plain
    pickup-and-delivery dimension starting empty, and shelf life is a limit
    between the two nodes of a pair.  Alternatives (one node per possible depot)
    cover orders that vehicles from several depots may serve.

    Several trips (`logistics.engine.solvers.ortools.trips`): each vehicle gets ``max_trips - 1``
    optional reload nodes at its start depot, loads count since the last reload and shelf life per
    trip.

    The ride limit depends on the vehicle (`SolverData.ride`: goods riding warmer than their zone
    are bounded by their time out of refrigeration too), so alternatives are split by limit as well
    as by depot, each with its own native precedence: exact.  A user pair whose limit differs
    between the vehicles that may carry it gets the loosest limit as a native precedence and the
    vehicle's own limit as an element constraint on the pickup's vehicle, also exact.

    Parameters
    ----------
    data
        The solver arrays of the problem.
    costs
        The linear objective (default: `cost_arrays` of ``data``).
    budget
        When building runs past its deadline, the half-built model is dropped between two steps
        (``out_of_time``) and the search leaves every order out instead of overrunning: building
        an 800-order model alone takes about a second.
    rests
        Model the optional rests of the continuous-driving rule (``has_rests`` says whether any
        vehicle needs one).  ``False`` builds the rest-free model a first solution comes from
        (`without_rests`: routes shortened by their rests instead); its plans may break the rule.
    """

    def __init__(
        self, data: SolverData, costs: CostArrays | None = None, budget: Budget | None = None, *, rests: bool = True
    ):
        t0 = time.perf_counter()
        self.out_of_time = False
        self.data = data
        self.costs = costs if costs is not None else cost_arrays(data)
        self.budget = budget
        self.rests = rests
        self.has_rests = False
        self.activity_ties = 0  # pairs whose activity is tied by an explicit constraint (see first_solution_for)
        self.loading: list[Extra] = []
        self.unloading: list[Extra] = []
        self.load_dims: list[str] = []
        self.reload_of: list[int] = []
        self.reload_index: list[int] = []
        self.trips = False
        self.trip_loads: list[tuple[str, str]] = []  # (on-board dimension, trip's deliveries dimension)
        self._loading_nodes: set[int] = set()
        self.routing: Any = None
        self.manager: Any = None
        self.solver: Any = None
        self.break_vars: BreakVars = {}
        if data.n_vehicles == 0:
            # every vehicle type has count 0: OR-Tools crashes (segfault) building dimensions without vehicles,
            # and there is nothing to search: every order is left out (see search)
            self.build_s = time.perf_counter() - t0
            return
        try:
            self._build()
        except _OutOfTime:
            self.routing = self.manager = self.solver = None
            self.out_of_time = True
        self.build_s = time.perf_counter() - t0

    # -- building, step by step ----------------------------------------------------------------
    def _build(self) -> None:
        self._plan_nodes()
        self._create_routing()
        self._add_arc_costs()
        self._add_time()
        self._add_breaks()
        self._add_distance()
        self._add_route_limits()
        self._add_loads()
        if self.trips:
            add_reloads(self)
            self._check_time()
        self._add_order_counts()
        disj = self._add_disjunctions()
        self._add_user_pairs()
        self._pair_extra(self.loading, self.load_index, disj, order_first=False)
        self._pair_extra(self.unloading, self.unload_index, disj, order_first=True)
        self._check_time()
        self._restrict_vehicles()
        self._loading_nodes = set(range(self.first_load, self.first_unload))

    def _check_time(self) -> None:
        """Past the budget's deadline while building: give up (see the class docstring)."""
        if self.budget is not None and self.budget.expired():
            raise _OutOfTime

    def _plan_nodes(self) -> None:
        """Which extra loading / unloading nodes the model needs, and the longest route a vehicle can drive."""
        d = self.data
        p = d.problem
        n, V = d.n_orders, d.n_vehicles
        self.H = H = horizon(d)
        pair_of = {pi: di for pi, di in d.pairs}
        self.paired_delivery = paired_delivery = {di for _, di in d.pairs}
        span_max = []
        for v in range(V):
            vt = p.fleet[int(d.vehicle_type[v])]
            span_max.append(min(H, vt.max_duration or H, vt.shift[1] - vt.shift[0]))
        self.longest = longest = max(span_max) if V else 0
        unpaired_deliv = [i for i in range(n) if p.orders[i].kind == "delivery" and i not in paired_delivery]
        limited = np.any((d.ride >= 0) & (d.ride < longest), axis=0).tolist()  # per order
        shelf_deliv = [i for i in unpaired_deliv if limited[i]]
        self.trips = models_trips(d)
        self.shelf_deliv = shelf_deliv
        # several trips: loads since the last reload and a trip_start dimension replace loading nodes
        self.pd_mode = bool(unpaired_deliv) and (d.has_pickups or bool(d.pairs) or bool(shelf_deliv)) and not self.trips
        self.reload_of = []  # the vehicle of every reload node
        if self.trips:
            for v in range(V):
                self.reload_of += [v] * (p.fleet[int(d.vehicle_type[v])].max_trips - 1)
        shelf_pick = [i for i in range(n) if p.orders[i].kind == "pickup" and i not in pair_of and limited[i]]
        # several trips: a pickup's goods ride to the end of its trip (a ``trip_end`` dimension, see trips.py)
        self.shelf_pick = shelf_pick if self.trips else []
        if self.trips:
            shelf_pick = []
        if self.pd_mode:
            for i in unpaired_deliv:
                for _, vs in sorted(self._alternatives(i, d.starts).items()):
                    self.loading.append((i, vs, int(d.starts[vs[0]])))
        for i in shelf_pick:
            for _, vs in sorted(self._alternatives(i, d.ends).items()):
                self.unloading.append((i, vs, int(d.ends[vs[0]])))

    def _alternatives(self, i: int, depot_nodes: np.ndarray) -> dict[tuple[int, int], list[int]]:
        """Vehicles that may carry order ``i``, by the location of their depot and the order's ride limit on them."""
        d = self.data
        by_loc: dict[tuple[int, int], list[int]] = {}
        for v in range(d.n_vehicles):
            t = int(d.vehicle_type[v])
            if d.allowed[t, i]:
                by_loc.setdefault((int(d.loc[depot_nodes[v]]), int(d.ride[t, i])), []).append(v)
        return by_loc

    def _create_routing(self) -> None:
        """The index manager and routing model over order, depot and extra nodes, and node-indexed arrays."""
        d = self.data
        n, V = d.n_orders, d.n_vehicles
        N0 = len(d.loc)
        extra = [b for _, _, b in self.loading] + [b for _, _, b in self.unloading]
        extra += [reload_node(d, v) for v in self.reload_of]
        node_map = np.concatenate([np.arange(N0), np.array(extra, dtype=np.int64)]).astype(np.int64)
        self.N = N = len(node_map)
        self.first_load = N0
        self.first_unload = N0 + len(self.loading)
        self.manager = mgr = pywrapcp.RoutingIndexManager(N, V, d.starts.tolist(), d.ends.tolist())
        self.routing = r = pywrapcp.RoutingModel(mgr)
        self.solver = r.solver()
        self.types_used = sorted(set(d.vehicle_type.tolist()))
        self.order_index = np.array([mgr.NodeToIndex(i) for i in range(n)], dtype=np.int64)
        self.load_index = [mgr.NodeToIndex(self.first_load + k) for k in range(len(self.loading))]
        self.unload_index = [mgr.NodeToIndex(self.first_unload + k) for k in range(len(self.unloading))]
        self.first_reload = self.first_unload + len(self.unloading)
        self.reload_index = [mgr.NodeToIndex(self.first_reload + k) for k in range(len(self.reload_of))]
        nidx = r.Size() + V
        self.node_of_index = np.array([mgr.IndexToNode(k) for k in range(nidx)], dtype=np.int64)
        # OR-Tools looks registered matrices and vectors up by *node*, so every array below is node-indexed:
        # node k has the location and service of base node node_map[k] (extra nodes: no service)
        self.base = node_map
        self.is_extra = np.arange(N) >= N0
        self.service = d.service[node_map].copy()
        self.service[self.is_extra] = 0
        for k, v in enumerate(self.reload_of):
            self.service[self.first_reload + k] = int(round(d.problem.fleet[int(d.vehicle_type[v])].reload_min * 60))

    def _by_index(self, mat: np.ndarray) -> list[Any]:
        return mat[np.ix_(self.base, self.base)].tolist()

    def _with_extra(
        self, vec_orders: np.ndarray, load_vals: np.ndarray | None, unload_vals: np.ndarray | None
    ) -> list[Any]:
        """A node-indexed vector: the orders' values, ``load_vals`` on loading nodes, ``unload_vals`` on unloading."""
        out = vec_orders[self.base].copy()
        out[self.is_extra] = 0
        for k, (i, _, _) in enumerate(self.loading):
            if load_vals is not None:
                out[self.first_load + k] = load_vals[i]
        for k, (i, _, _) in enumerate(self.unloading):
            if unload_vals is not None:
                out[self.first_unload + k] = unload_vals[i]
        return out.tolist()

    def _add_arc_costs(self) -> None:
        """Arc costs per vehicle type (door-open cost sits on arcs leaving an order; extra nodes have none)."""
        d, cs, r = self.data, self.costs, self.routing
        cost_cb = {}
        for t in self.types_used:
            arc = cs.arc[t][np.ix_(self.base, self.base)]  # extra nodes share a depot's row: no door-open cost
            cost_cb[t] = r.RegisterTransitMatrix(arc.tolist())
        self._check_time()
        for v in range(d.n_vehicles):
            t = int(d.vehicle_type[v])
            r.SetArcCostEvaluatorOfVehicle(cost_cb[t], v)
            if cs.fixed[t]:
                r.SetFixedCostOfVehicle(int(cs.fixed[t]), v)

    def _add_time(self) -> None:
        """The time dimension: transit = service at origin + travel (per type, speed factor applied)."""
        d, cs, r, H = self.data, self.costs, self.routing, self.H
        p = d.problem
        V = d.n_vehicles
        time_cb = {
            t: r.RegisterTransitMatrix((d.duration[t][np.ix_(self.base, self.base)] + self.service[:, None]).tolist())
            for t in self.types_used
        }
        self._check_time()
        r.AddDimensionWithVehicleTransits([time_cb[int(d.vehicle_type[v])] for v in range(V)], H, H, False, "time")
        self.time = tdim = r.GetDimensionOrDie("time")
        for i, o in enumerate(p.orders):
            idx = int(self.order_index[i])
            w = d.windows[i]
            lo, hi = w[0][0], w[-1][1]
            if o.soft and p.objective == "cost":
                late = int(round(p.costs.max_lateness_h * 3600))
                tdim.CumulVar(idx).SetRange(lo, min(H, hi + late))
                if cs.late_per_s:
                    tdim.SetCumulVarSoftUpperBound(idx, hi, cs.late_per_s)
            else:
                tdim.CumulVar(idx).SetRange(lo, min(H, hi))
            for (_, b0), (a1, _) in zip(w, w[1:]):
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

    def _add_breaks(self) -> None:
        """Drivers' breaks and the continuous-driving rule on the time dimension (see `add_breaks`)."""
        d, r = self.data, self.routing
        fleet, duty = d.problem.fleet, duty_plan(d)
        if not self.rests:
            duty = [without_rests(vt, du) for vt, du in zip(fleet, duty)]
        types = [fleet[int(t)] for t in d.vehicle_type]
        visit = self.service[self.node_of_index].tolist()
        self.break_vars = add_breaks(r, self.time, types, [duty[int(t)] for t in d.vehicle_type], visit)
        self.has_rests = any(duty[int(t)].rests for t in d.vehicle_type)

    def _add_distance(self) -> None:
        """A distance dimension, when some vehicle type has a maximum distance."""
        d, r = self.data, self.routing
        fleet = d.problem.fleet
        if not any(vt.max_distance is not None for vt in fleet):
            return
        dist_cb = r.RegisterTransitMatrix(self._by_index(d.distance))
        caps = []
        for v in range(d.n_vehicles):
            limit = fleet[int(d.vehicle_type[v])].max_distance
            caps.append(int(limit) if limit is not None else int(min(d.distance.sum(dtype=np.float64), 2**62)))
        r.AddDimensionWithVehicleCapacity(dist_cb, 0, caps, True, "distance")

    def _add_route_limits(self) -> None:
        """VROOM's route limits: most orders per route (``max_tasks``) and most driving time (``max_travel_time``)."""
        d, r = self.data, self.routing
        fleet = d.problem.fleet
        V = d.n_vehicles
        types = [fleet[int(d.vehicle_type[v])] for v in range(V)]
        if any(vt.max_tasks is not None for vt in types):
            is_order = (np.arange(self.N) < d.n_orders).astype(np.int64)
            cb = r.RegisterUnaryTransitVector(is_order.tolist())
            caps = [int(vt.max_tasks) if vt.max_tasks is not None else d.n_orders for vt in types]
            r.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "tasks")
        if any(vt.max_travel_time is not None for vt in types):
            drive = {
                t: r.RegisterTransitMatrix(d.duration[t][np.ix_(self.base, self.base)].tolist())
                for t in self.types_used
            }
            caps = [int(vt.max_travel_time) if vt.max_travel_time is not None else self.H * 2 for vt in types]
            cbs = [drive[int(d.vehicle_type[v])] for v in range(V)]
            r.AddDimensionWithVehicleTransitAndCapacity(cbs, 0, caps, True, "driving")
            self._check_time()

    def _add_loads(self) -> None:
        """One load dimension per compartment slot (+ one for a flexible total capacity).

        Several trips on a day with pickups or pairs: each slot gets the load on board (signed,
        its start free) and, when the slot carries unpaired deliveries, the trip's deliveries still
        to make; `add_reloads` ties the two at every trip's start (see `logistics.engine.solvers.ortools.trips`).
        """
        d = self.data
        slots = [(f"load{s}", d.demand[:, s, :], d.delivered[:, s, :], d.capacity[:, s]) for s in range(d.n_slots)]
        if any(
            vt.total_capacity is not None and vt.total_capacity < sum(c.capacity for c in vt.compartments)
            for vt in d.problem.fleet
        ):
            slots.append(("load_total", d.demand.sum(axis=1), d.delivered.sum(axis=1), d.total_capacity))
        mixed = d.has_pickups or bool(d.pairs)
        for name, demand, delivered, cap in slots:
            if not np.any(demand):
                continue
            vecs = {}
            for t in self.types_used:
                if not self.pd_mode and not mixed:
                    vecs[t] = self._with_extra(delivered[t], None, None)  # delivered so far
                else:
                    # signed: +pickup/-delivery; loading nodes take deliveries on, unloading nodes put pickups off
                    vecs[t] = self._with_extra(demand[t], delivered[t] if self.pd_mode else None, -demand[t])
            self._load_dimension(name, vecs, cap)
            if self.trips and mixed and np.any(delivered):
                ahead = {t: self._with_extra(-delivered[t], None, None) for t in self.types_used}
                self._load_dimension(f"{name}_trip", ahead, cap, counted=False)
                self.trip_loads.append((name, f"{name}_trip"))
            self._check_time()

    def _load_dimension(self, name: str, vecs: dict[int, list[Any]], cap: np.ndarray, counted: bool = True) -> None:
        """A load dimension from node-indexed vectors per vehicle type; with trips, reset at reload nodes.

        A reload's transit is minus the capacity and its slack (up to twice the capacity, zero at
        every other node) sets the next trip's value anywhere within the capacity.
        """
        d, r = self.data, self.routing
        V = d.n_vehicles
        caps = [int(cap[int(d.vehicle_type[v])]) for v in range(V)]
        if self.trips:
            for t, vec in vecs.items():
                for k in range(len(self.reload_of)):
                    vec[self.first_reload + k] = -int(cap[t])
        if len({tuple(v) for v in vecs.values()}) == 1:
            cb = r.RegisterUnaryTransitVector(vecs[self.types_used[0]])
            cbs = dict.fromkeys(self.types_used, cb)
        else:
            # OR-Tools 9.15 (google/or-tools#5283): with two or more *unary* evaluators in one dimension, a
            # node with a positive transit can no longer be dropped (no plan at all when some order must be
            # left out); transit matrices (row = from-node) have the same meaning without that defect
            cbs = {t: r.RegisterTransitMatrix([[int(x)] * self.N for x in v]) for t, v in vecs.items()}
        slack = 2 * max(caps) if self.trips else 0
        # with trips the first trip's load is the solver's to choose (tied to its deliveries, see add_reloads)
        fix_start = not (self.trips and (self.data.has_pickups or bool(self.data.pairs)))
        r.AddDimensionWithVehicleTransitAndCapacity(
            [cbs[int(d.vehicle_type[v])] for v in range(V)], slack, caps, fix_start, name
        )
        if self.trips:
            slack_only_at_reloads(r, r.GetDimensionOrDie(name), self.reload_index)
        if counted:
            self.load_dims.append(name)

    def _add_order_counts(self) -> None:
        """Counting dimensions: loading nodes before every customer, unloading nodes after every customer."""
        n, r = self.data.n_orders, self.routing
        is_order = (np.arange(self.N) < n).astype(np.int64)
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
            for v in range(self.data.n_vehicles):
                left.CumulVar(r.End(v)).SetRange(0, 0)
            for idx in self.unload_index:
                left.CumulVar(idx).SetRange(0, 0)

    def _add_disjunctions(self) -> dict[int, Any]:
        """Every order may be dropped, required ones at a prohibitive price; the disjunction of each order."""
        d, cs, r = self.data, self.costs, self.routing
        disj = {}
        for i in range(d.n_orders):
            pen = int(d.penalty[i]) if not d.required[i] else cs.required_penalty
            if i in self.paired_delivery:
                pen = 0 if not d.required[i] else pen
            disj[i] = r.AddDisjunction([int(self.order_index[i])], pen)
        return disj

    def _add_user_pairs(self) -> None:
        """The problem's pickup-delivery pairs, with their ride limit (per vehicle) as a precedence limit."""
        d, r = self.data, self.routing
        for pi, di in d.pairs:
            a, b = int(self.order_index[pi]), int(self.order_index[di])
            r.AddPickupAndDelivery(a, b)
            lim = np.where(d.ride[d.vehicle_type, pi] >= 0, d.ride[d.vehicle_type, pi], self.H)  # (V,)
            ok = d.allowed[d.vehicle_type, pi] & d.allowed[d.vehicle_type, di]
            if not ok.any() or lim[ok].min() >= self.longest:
                continue
            loose = int(lim[ok].max())
            if loose < self.longest:
                # native precedence: cumul(a) >= cumul(b) - limit, i.e. delivery within the limit of the pickup
                self.time.AddNodePrecedence(b, a, -loose)
            if int(lim[ok].min()) < loose:
                # the limit of the vehicle that carries the pair (VehicleVar -1: unperformed, no limit)
                table = [self.H] + [int(x) for x in lim]
                limit = self.solver.Element(table, (r.VehicleVar(a) + 1).Var())
                self.solver.Add(self.time.CumulVar(b) <= self.time.CumulVar(a) + limit)
            # OR-Tools 9.15's insertion heuristics may perform one node of a pair alone when the precedence
            # blocks the pair; tie their activity explicitly
            self.solver.Add(r.ActiveVar(a) == r.ActiveVar(b))
            self.activity_ties += 1

    def _pair_extra(self, entries: list[Extra], indices: list[int], disj: dict[int, Any], order_first: bool) -> None:
        """Depot loading / unloading nodes paired with their orders, the ride limit as a limit within the pair.

        Every entry's vehicles share one depot and one ride limit (see `_alternatives`), so the limit of
        each loading / unloading node is the one of the vehicles that may visit it.
        """
        d, r, solver = self.data, self.routing, self.solver
        V = d.n_vehicles
        groups: dict[int, list[int]] = {}
        for k, (i, vs, _) in enumerate(entries):
            groups.setdefault(i, []).append(k)
            keep = set(vs)
            r.VehicleVar(indices[k]).RemoveValues([v for v in range(V) if v not in keep])
        for i, ks in groups.items():
            idxs = [indices[k] for k in ks]
            oi = int(self.order_index[i])
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
            lims = [int(d.ride[int(d.vehicle_type[entries[k][1][0]]), i]) for k in ks]
            if any(0 <= lim < self.longest for lim in lims):
                # as for user pairs: an order performed without its loading/unloading node (seen with
                # parallel cheapest insertion when the shelf life blocks the pair) is ruled out explicitly
                solver.Add(r.ActiveVar(oi) == solver.Sum([r.ActiveVar(x) for x in idxs]))
                self.activity_ties += 1
                for x, lim in zip(idxs, lims):
                    if not 0 <= lim < self.longest:
                        continue
                    first, last = (oi, x) if order_first else (x, oi)
                    # native precedence (applies when both are performed): first >= last - limit
                    self.time.AddNodePrecedence(last, first, -lim)

    def _restrict_vehicles(self) -> None:
        """Orders only on vehicle types allowed to carry them (none allowed: the order stays unperformed)."""
        d, r = self.data, self.routing
        for i in range(d.n_orders):
            ok = d.allowed[d.vehicle_type, i]
            if not ok.any():
                r.ActiveVar(int(self.order_index[i])).SetMax(0)
            elif not ok.all():
                r.VehicleVar(int(self.order_index[i])).RemoveValues([int(v) for v in np.flatnonzero(~ok)])

    # -- using the built model -----------------------------------------------------------------
    def initial_routes(self, routes: list[list[int]]) -> list[list[int]]:
        """Order sequences per vehicle → routing indices, with loading/unloading and reload nodes placed.

        Parameters
        ----------
        routes
            Order indices per vehicle, in visit order, a return to the depot between two trips as
            `logistics.engine.solvers.seeds.RELOAD` (a PyVRP skeleton, a warm start).  Reloads past
            the vehicle's ``max_trips - 1`` are dropped (the trips run together; the model rejects
            the route if they do not fit), and so are reloads on a model without trips.

        Returns
        -------
        list of list of int
            Routing indices per vehicle, as ``ReadAssignmentFromRoutes`` takes them.
        """
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
            orders = orders_of(route)
            head = [load_of[(i, v)] for i in orders if (i, v) in load_of]
            tail = [unload_of[(i, v)] for i in orders if (i, v) in unload_of]
            out.append(head + place_reloads(self, v, route) + tail)
        return out

    def first_solution_for(self, requested: str) -> str:
        """The first-solution strategy to use for ``requested`` on this model.

        OR-Tools' parallel cheapest insertion slows down by orders of magnitude
        when pairs carry explicit activity ties (shelf-limited pairs, see
        ``activity_ties``): measured 0.06 s -> over 10 s at 100 orders and no
        first solution within 60 s at 300, so that a time-limited search
        returned every order unserved.  Local cheapest insertion is unaffected
        (0.05 s and 1.3 s) and takes its place there.

        Parameters
        ----------
        requested
            The caller's strategy name (see ``FIRST_SOLUTION``).

        Returns
        -------
        str
            The strategy name to use.
        """
        if requested == "parallel_cheapest_insertion" and self.activity_ties:
            return "local_cheapest_insertion"
        return requested

    def is_loading_node(self, node: int) -> bool:
        """Whether ``node`` is a depot loading node (a route's departure is after its last loading).

        Parameters
        ----------
        node
            An OR-Tools routing index.

        Returns
        -------
        bool
            ``True`` for a loading node.
        """
        return node in self._loading_nodes

    def is_reload_node(self, node: int) -> bool:
        """Whether ``node`` is a reload node (a return to the start depot between two trips).

        Parameters
        ----------
        node
            An OR-Tools routing node.

        Returns
        -------
        bool
            ``True`` for a reload node.
        """
        return self.trips and node >= self.first_reload


def build_cells(data: SolverData) -> int:
    """Cells of the node-by-node transit matrices the full model would register, without building it.

    Building the model is dominated by converting and registering these matrices (measured on a
    1,000-order Yanhu day: 36 matrices over 2,577 nodes, ~95 % of a 7 s build), so its time grows
    with this count; [logistics.engine.solve][] uses it to tell whether a day can be solved whole.
    The count is exact for nodes (orders, depots, loading and unloading nodes) and an upper bound
    for matrices (a load dimension over one vehicle type is a vector, counted as none).

    Parameters
    ----------
    data
        The problem's solver arrays.

    Returns
    -------
    int
        ``nodes ** 2 * matrices``; 0 without vehicles.
    """
    if data.n_vehicles == 0:
        return 0
    plan = OrtoolsModel.__new__(OrtoolsModel)
    plan.data, plan.loading, plan.unloading = data, [], []
    plan._plan_nodes()
    nodes = len(data.loc) + len(plan.loading) + len(plan.unloading) + len(plan.reload_of)
    types = len(set(data.vehicle_type.tolist()))
    matrices = 2 * types + int(any(vt.max_distance is not None for vt in data.problem.fleet))
    if types > 1:
        slots = sum(1 for s in range(data.n_slots) if np.any(data.demand[:, s, :]))
        matrices += (slots + 1) * types  # + a flexible total capacity, at most
    return nodes * nodes * matrices
