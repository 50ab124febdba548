"""District → township → village planning: trunk routes, last-mile routes and the produce upflow.

``plan_tiers(network, orders, trunk_fleet, last_mile_fleet)`` plans a day on a
three-tier network.  Orders are village-level :class:`~logistics.Order` s:
deliveries go down from the hub to villages, pickups of farm produce come up
from villages to the hub.  The plan has three kinds of routes:

* **trunk** routes between the hub and the stations (large reefers, several
  stations per route allowed) carry each station's aggregated demand down in an
  outbound wave and the collected produce up in an inbound wave;
* **last-mile** routes from each station serve the villages assigned to it
  (deliveries and produce pickups on the same runs);
* **direct** routes from the hub serve villages near the hub where that is
  cheaper than going through a station.

Schedule (forward / backward)
-----------------------------
1. *Trunk outbound.*  Each station's deliveries are packed into trunk orders
   ("chunks", first-fit decreasing into the largest trunk compartments) and
   routed from the hub.  The trunk leg of each chunk gets the part of its goods'
   shelf life that is left after handling and the direct station → village
   drive; its window closes early enough for the last mile to reach every
   village in time.  The routes are then re-timed to leave at the start of the
   trunk shift and serve as early as possible.
2. *Last mile.*  A station's vans may leave only once every chunk for the
   station has been unloaded plus ``handling_s`` (their shift start is set to
   that *release* time).  A delivery must reach its village within its shelf
   life of the trunk's departure: its windows are cut at
   ``earliest trunk departure + shelf life`` (an absolute deadline, so waiting at
   the station counts).  A produce pickup may spend at most
   ``(S − handling − trunk drive to the hub) × (1 − TRUNK_SLACK)`` on the van; the
   rest is kept for the trunk.  Per-station problems are solved in parallel.
3. *Trunk inbound.*  The produce each van brings back becomes a trunk pickup
   at the station whose window opens at the van's return + ``handling_s``; its
   budget ``B`` (the earliest shelf-life deadline of the produce in it, minus the
   opening time) is split in half between waiting for the truck and riding it,
   so that ``arrival at the hub ≤ deadline`` holds for every route the solver may
   choose.  Trucks of the outbound wave are available again ``handling_s`` after
   their return (no second fixed cost); unused trucks from the shift start.

Hub-direct service and boundary re-balancing
--------------------------------------------
Villages at least as close to the hub as to their own station
(``duration(hub, v) ≤ direct_ratio × duration(station, v)``) are candidates for
direct service by hub-based last-mile vans.  With ``direct_from_hub="auto"``
the planner solves both variants for the affected stations and keeps the
cheaper one (the trunk share is not counted, which favours the stations
slightly).  Then an improvement pass visits *boundary* villages (the next
station, or the hub for candidates, is within ``boundary_ratio`` of the
current depot), re-solves the two affected depots with a short limit and keeps
the move when the two together get cheaper without leaving more orders out.
Moving villages changes station loads, so the trunk is re-solved with every
station's chunks due no later than before (the last-mile plans stay valid);
stations whose release would get later are re-planned.

Units: seconds from midnight, metres, the products' units, yuan.  Determinism:
sub-problems are solved with the same seed and collected in a fixed order, so
with ``iterations`` set (or OR-Tools stopping before its time limit) the plan
does not depend on ``workers``; time-limited searches may differ run to run.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from logistics.core.costs import CostModel, evaluate
from logistics.core.errors import ProblemError
from logistics.core.model import GOODS, Order, Product, VehicleType
from logistics.core.plan import Plan, RouteResult, empty_routes
from logistics.core.problem import Problem
from logistics.core.units import DAY, fmt_clock
from logistics.engine.build_plan import build_plan
from logistics.engine.solve import solve
from logistics.engine.solvers import arrays
from networks import Network, TravelMatrix

__all__ = [
    "TRUNK_SLACK",
    "Layout",
    "TieredPlan",
    "demo_fleets",
    "demo_network",
    "demo_orders",
    "plan_tiers",
    "shelf_life_s",
    "solve_many",
]

#: Share of a produce pickup's remaining shelf life (after handling and the direct trunk drive) kept for the trunk.
TRUNK_SLACK = 0.25
#: Penalty used when comparing sub-plans: an order left out weighs more than any route cost.
UNSERVED_WEIGHT = 1e7


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True, eq=False)
class Layout:
    """The tier structure the planner works on.

    ``hub`` and ``stations`` are node ids, ``parent`` maps every village to its
    station, ``matrix`` covers all of them, ``coords`` gives (x, y) per id for
    plan frames.  Built from a :class:`networks.Network` by
    :meth:`from_network`; benchmark readers build it from instance data.
    """

    hub: str
    stations: tuple[str, ...]
    parent: Mapping[str, str]
    matrix: TravelMatrix
    coords: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    network: Network | None = None

    @classmethod
    def from_network(cls, network: Network, matrix: TravelMatrix | None = None) -> Layout:
        tm = matrix if matrix is not None else network.travel_matrix()
        nodes = network.nodes
        parent = {str(v): str(p) for v, p in network.villages["parent"].items()}
        coords = {str(k): (float(g.x), float(g.y)) for k, g in nodes.geometry.items()}
        missing = [k for k in nodes.index if k not in tm]
        if missing:
            raise ProblemError(f"node {missing[0]!r} is not in the travel matrix", record=missing[0], field="matrix")
        return cls(network.hub_id, tuple(str(s) for s in network.stations.index), parent, tm, coords, network)

    @property
    def villages(self) -> list[str]:
        return list(self.parent)

    def villages_of(self, station: str) -> list[str]:
        return [v for v, p in self.parent.items() if p == station]


def shelf_life_s(order: Order, products: Mapping[str, Product]) -> int | None:
    """Strictest shelf life of an order's goods in seconds (None: unlimited)."""
    hs = [
        products[p].shelf_life_h
        for p, q in order.quantities.items()
        if q > 0 and p in products and products[p].shelf_life_h is not None
    ]
    if order.shelf_life_h is not None:
        hs.append(order.shelf_life_h)
    return int(round(min(hs) * 3600)) if hs else None


# --------------------------------------------------------------------------- result


@dataclass(eq=False)
class TieredPlan:
    """A three-tier plan: the trunk plan, one last-mile plan per depot, and how goods change hands.

    ``last_mile`` is keyed by depot id: station ids, and the hub id for villages
    served directly from the hub.  ``problems`` holds the Problem each leg was
    solved as (``"trunk"`` and the depot ids) so every leg can be checked with
    :func:`logistics.validate`.  ``transfers`` has one row per order handed
    over at a station: ``direction`` (down: delivery, up: produce),
    ``trunk_order`` (the trunk order carrying it), arrival/departure of the
    trunk at the station, the last-mile vehicle, its departure from (down) or
    return to (up) the station, and ``wait_at_station`` (s): goods' time at the
    station between the two vehicles.  ``stops``/``routes`` combine every leg
    with ``tier`` (trunk, last_mile, direct), ``leg`` and ``depot`` columns.
    """

    trunk: Plan
    last_mile: dict[str, Plan]
    transfers: pd.DataFrame
    unserved: pd.DataFrame
    kpis: dict[str, Any]
    stops: pd.DataFrame
    routes: gpd.GeoDataFrame
    problems: dict[str, Problem]
    orders: tuple[Order, ...]
    products: dict[str, Product]
    hub: str
    handling_s: int
    assignment: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def direct(self) -> Plan | None:
        return self.last_mile.get(self.hub)

    def legs(self) -> Iterator[tuple[str, Problem, Plan]]:
        """(name, problem, plan) for the trunk and every last-mile depot."""
        yield "trunk", self.problems["trunk"], self.trunk
        for k, plan in self.last_mile.items():
            yield k, self.problems[k], plan

    def validate(self, legs: bool = True):
        """Violations of the tier rules (and of every leg's plan when ``legs``); empty means feasible."""
        from logistics.check.tiers import validate_tiers

        return validate_tiers(self, legs=legs)

    def summary(self) -> str:
        k = self.kpis
        return (
            f"{k['served']}/{k['orders']} orders served, {k['vehicles']} vehicles "
            f"({k['trunk_vehicles']} trunk), {k['distance_km']:,.1f} km, cost ¥{k['cost']:,.2f}, "
            f"{k['direct_villages']} villages direct from the hub"
        )

    def transfers_frame(self, day: str | None = None) -> pd.DataFrame:
        """Transfers with clock times (``day`` midnight + seconds) for display."""
        t = self.transfers.copy()
        base = pd.Timestamp(day or self.meta.get("day") or "2026-01-01")
        for c in ("trunk_arrival", "trunk_departure", "last_mile_departure", "last_mile_arrival"):
            t[c] = base + pd.to_timedelta(t[c], unit="s")
        t["wait_at_station"] = pd.to_timedelta(t["wait_at_station"], unit="s")
        return t


TRANSFER_COLUMNS = [
    "order_id",
    "direction",
    "station",
    "trunk_order",
    "trunk_vehicle",
    "trunk_arrival",
    "trunk_departure",
    "last_mile_vehicle",
    "last_mile_departure",
    "last_mile_arrival",
    "wait_at_station",
]


# --------------------------------------------------------------------------- parallel solves


def _solve_job(job: tuple) -> Plan:
    problem, limit, seed, engine, iterations = job
    return _solve1(problem, limit, seed, engine, iterations)


def _solve1(problem: Problem, limit: float, seed: int, engine: str, iterations: int | None) -> Plan:
    """``solve``; if an engine other than OR-Tools fails on the model, OR-Tools alone (noted in ``meta``)."""
    t0 = time.perf_counter()
    try:
        return solve(problem, time_limit=limit, seed=seed, engine=engine, iterations=iterations)
    except (ValueError, RuntimeError) as e:
        if engine == "ortools" or isinstance(e, ProblemError):
            raise
        left = max(0.2, limit - (time.perf_counter() - t0))
        plan = solve(problem, time_limit=left, seed=seed, engine="ortools", iterations=iterations)
        plan.meta["engine_fallback"] = f"{engine} failed ({e}); solved with ortools"
        return plan


def _pool_context():
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def solve_many(
    problems: Mapping[Any, Problem],
    time_limit: float,
    *,
    seed: int = 0,
    engine: str = "auto",
    iterations: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    cap: bool = False,
) -> dict[Any, Plan]:
    """Solve independent problems, in parallel processes when ``workers`` > 1; results keyed as given.

    ``time_limit`` is the wall-clock budget for the whole batch: with ``k``
    problems on ``w`` workers each gets ``time_limit / ceil(k / w)``.  Results
    do not depend on the completion order.  With ``cap``, no problem gets more
    than :func:`size_limit` of its size.
    """
    keys = list(problems)
    if not keys:
        return {}
    w = _workers(workers, len(keys))
    rounds = math.ceil(len(keys) / w)
    per = max(0.2, float(time_limit) / rounds)
    jobs = [(problems[k], min(per, size_limit(problems[k])) if cap else per, seed, engine, iterations) for k in keys]
    if executor is not None and len(keys) > 1:
        return dict(zip(keys, executor.map(_solve_job, jobs)))
    if w <= 1 or len(keys) == 1:
        return {k: _solve_job(j) for k, j in zip(keys, jobs)}
    with ProcessPoolExecutor(w, mp_context=_pool_context()) as ex:
        return dict(zip(keys, ex.map(_solve_job, jobs)))


def size_limit(problem: Problem) -> float:
    """Enough search time for a problem of this size (small sub-problems converge in well under a second)."""
    return max(1.0, 0.06 * len(problem.orders))


def _workers(workers: int | None, n_jobs: int) -> int:
    if workers is None:
        workers = os.cpu_count() or 1
    return max(1, min(int(workers), n_jobs))


# --------------------------------------------------------------------------- planner


@dataclass
class _Leg:
    depot: str
    problem: Problem | None
    plan: Plan | None
    excluded: dict[str, str]  # order id -> reason (left out before solving)
    release: int | None = None  # shift start given to the depot's vans

    def score(self) -> float:
        n_out = len(self.excluded) + (len(self.plan.unserved) if self.plan is not None else 0)
        cost = float(self.plan.kpis.get("cost", 0.0)) if self.plan is not None else 0.0
        return n_out * UNSERVED_WEIGHT + cost


def _vehicle_index(problem: Problem) -> dict[str, int]:
    return {vid: k for k, (vid, _) in enumerate(problem.vehicles())}


class _Planner:
    def __init__(
        self,
        layout: Layout,
        orders: Sequence[Order],
        trunk_fleet: Sequence[VehicleType],
        last_mile_fleet,
        products,
        costs,
        handling_s: int,
        time_limit: float,
        seed: int,
        direct_from_hub,
        workers,
        engine: str,
        iterations: int | None,
        rebalance,
        boundary_ratio: float,
        direct_ratio: float,
        day: str | None,
    ):
        self.t0 = time.perf_counter()
        self.lay = layout
        self.hub = layout.hub
        self.tm = layout.matrix
        self.handling = int(handling_s)
        self.T = float(time_limit)
        self.seed = seed
        self.engine = engine
        self.iterations = iterations
        self.boundary_ratio = float(boundary_ratio)
        self.direct_ratio = float(direct_ratio)
        self.day = day
        if products is None:
            products = {"goods": GOODS}
        if isinstance(products, (list, tuple)):
            products = {p.name: p for p in products}
        self.products = dict(products)
        self.costs = costs if costs is not None else CostModel()
        self.orders = tuple(orders)
        self._check_orders()
        self.shelf = {o.id: shelf_life_s(o, self.products) for o in self.orders}
        self.by_id = {o.id: o for o in self.orders}
        self.at_village: dict[str, list[Order]] = {}
        for o in self.orders:
            self.at_village.setdefault(o.node_id, []).append(o)
        # fleets
        if not trunk_fleet:
            raise ProblemError("the trunk fleet is empty", record="trunk_fleet", field="trunk_fleet")
        self.trunk_types = [replace(vt, start_depot=self.hub, end_depot=self.hub) for vt in trunk_fleet]
        self.trunk_t0 = min(vt.shift[0] for vt in self.trunk_types)
        self.lm_types = self._lm_fleets(last_mile_fleet)
        # hub-direct policy
        self.direct_mode, self.direct_forced = self._direct_policy(direct_from_hub)
        self.rebalance = rebalance
        self.workers = workers
        self.executor: Executor | None = None
        self.log: list[dict[str, Any]] = []
        self.unserved: dict[str, tuple[str, str]] = {}  # order id -> (leg, reason)
        self.no_trunk: dict[str, str] = {}  # deliveries the current trunk plan does not carry

    # -- inputs ---------------------------------------------------------------------------------
    def _check_orders(self) -> None:
        seen = set()
        for o in self.orders:
            if o.id in seen:
                raise ProblemError(f"order {o.id!r} appears more than once", record=o.id, field="id")
            seen.add(o.id)
            if o.node_id is None or o.node_id not in self.lay.parent:
                raise ProblemError(
                    f"order {o.id!r}: node {o.location!r} is not a village of the network "
                    "(plan_tiers routes village-level orders)",
                    record=o.id,
                    field="node_id",
                )
            if o.pair is not None:
                raise ProblemError(
                    f"order {o.id!r}: paired orders are not supported by plan_tiers", record=o.id, field="pair"
                )
            for p in o.quantities:
                if p not in self.products:
                    raise ProblemError(f"order {o.id!r}: unknown product {p!r}", record=o.id, field=f"quantities.{p}")

    def _lm_fleets(self, fleet) -> dict[str, list[VehicleType]]:
        depots = list(self.lay.stations) + [self.hub]
        if isinstance(fleet, Mapping):
            spec = {str(k): list(v) if not isinstance(v, VehicleType) else [v] for k, v in fleet.items()}
            unknown = [k for k in spec if k not in depots]
            if unknown:
                raise ProblemError(
                    f"last_mile_fleet: {unknown[0]!r} is neither a station nor the hub",
                    record=unknown[0],
                    field="last_mile_fleet",
                )
        else:
            if isinstance(fleet, VehicleType):
                fleet = [fleet]
            spec = {d: list(fleet) for d in depots}
        out = {}
        for d, types in spec.items():
            out[d] = [replace(vt, name=f"{vt.name}@{d}", start_depot=d, end_depot=d) for vt in types]
        return out

    def _direct_policy(self, direct) -> tuple[str, set[str]]:
        if self.hub not in self.lm_types or not any(vt.count for vt in self.lm_types[self.hub]):
            return "off", set()
        if direct is False or direct is None:
            return "off", set()
        if direct is True:
            return "all", set()
        if isinstance(direct, str):
            if direct != "auto":
                raise ProblemError(
                    f"direct_from_hub must be 'auto', True, False or village ids, got {direct!r}",
                    record="direct_from_hub",
                    field="direct_from_hub",
                )
            return "auto", set()
        ids = {str(v) for v in direct}
        bad = [v for v in ids if v not in self.lay.parent]
        if bad:
            raise ProblemError(f"direct_from_hub: {bad[0]!r} is not a village", record=bad[0], field="direct_from_hub")
        return "given", ids

    # -- time ------------------------------------------------------------------------------------
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def budget(self, share: float, keep: float = 0.0) -> float:
        """Seconds for a phase: ``share`` of the limit, but leave ``keep`` of it for later phases."""
        left = self.T - self.elapsed() - keep * self.T
        return max(0.2, min(share * self.T, left))

    # -- geometry helpers -----------------------------------------------------------------------
    def dur(self, a: str, b: str, factor: float = 1.0) -> int:
        m = self.tm
        return int(round(m.duration[m.index(a), m.index(b)] * factor))

    def trunk_dur(self, a: str, b: str) -> int:
        return min(self.dur(a, b, vt.speed_factor) for vt in self.trunk_types)

    def lm_dur(self, depot: str, a: str, b: str) -> int:
        types = self.lm_types.get(depot) or []
        return min((self.dur(a, b, vt.speed_factor) for vt in types), default=self.dur(a, b))

    def direct_candidates(self) -> list[str]:
        out = []
        for v, s in self.lay.parent.items():
            if v in self.at_village and self.dur(self.hub, v) <= self.direct_ratio * self.dur(s, v):
                out.append(v)
        return sorted(out)

    # -- problems --------------------------------------------------------------------------------
    def make_problem(
        self, name: str, orders: list[Order], fleet: list[VehicleType], depots: Iterable[str], leg: str
    ) -> tuple[Problem | None, dict[str, str]]:
        """A Problem on the sub-matrix; orders the model rejects are returned as excluded with the reason."""
        excluded: dict[str, str] = {}
        orders = list(orders)
        if not any(vt.count for vt in fleet):
            return None, {o.id: f"{leg}: no vehicle is available" for o in orders}
        while True:
            ids = list(dict.fromkeys(list(depots) + [o.node_id for o in orders]))
            coords = {k: self.lay.coords[k] for k in ids if k in self.lay.coords}
            try:
                p = Problem(
                    orders=tuple(orders),
                    fleet=tuple(fleet),
                    products=self.products,
                    matrix=self.tm.sub(ids),
                    network=self.lay.network,
                    costs=self.costs,
                    name=name,
                    day=self.day,
                    meta={"coords": coords, "leg": leg},
                )
                return p, excluded
            except ProblemError as e:
                rec = str(e.record) if e.record is not None else None
                if rec is not None and any(o.id == rec for o in orders):
                    excluded[rec] = f"{leg}: {e}"
                    orders = [o for o in orders if o.id != rec]
                    continue
                raise

    def _restrict(self, o: Order, depot: str) -> Order:
        """``vehicle_types`` naming last-mile types are renamed to the depot's copies; other names are dropped."""
        if getattr(o, "vehicle_types", None) is None:
            return o
        names = {vt.name.rsplit("@", 1)[0]: vt.name for vt in self.lm_types.get(depot, [])}
        keep = tuple(names[n] for n in o.vehicle_types if n in names)
        return replace(o, vehicle_types=keep or None)

    def leg_order(self, o: Order, depot: str, release: int | None) -> tuple[Order | None, str | None]:
        """The order as the depot's last mile sees it (tighter windows / shelf life), or a reason it cannot."""
        o = self._restrict(o, depot)
        if depot == self.hub:
            return o, None
        S = self.shelf[o.id]
        vt_start = min((vt.shift[0] for vt in self.lm_types.get(depot, [])), default=0)
        if o.kind == "delivery":
            earliest_release = max(vt_start, self.trunk_t0 + self.trunk_dur(self.hub, depot) + self.handling)
            if release is not None:
                earliest_release = max(earliest_release, release)
            earliest = earliest_release + self.lm_dur(depot, depot, o.node_id)
            windows = list(o.time_windows)
            soft = o.soft
            if S is not None:
                deadline = self.trunk_t0 + S
                late = int(round(self.costs.max_lateness_h * 3600)) if soft else 0
                cut = [(a, min(b, deadline - late)) for a, b in windows if a <= deadline - late]
                if not cut:
                    cut = [(a, min(b, deadline)) for a, b in windows if a <= deadline]
                    soft = False
                windows = cut
                if not windows or earliest > windows[-1][1]:
                    need = (earliest - self.trunk_t0) / 3600
                    return None, (
                        f"via station {depot}: shelf life {S / 3600:.1f} h is shorter than trunk + "
                        f"handling + last mile ({need:.1f} h)"
                    )
            if earliest > windows[-1][1] + (int(self.costs.max_lateness_h * 3600) if soft else 0):
                return None, (
                    f"via station {depot}: earliest arrival {fmt_clock(earliest)} (trunk, handling, "
                    f"drive) is after the window closes ({fmt_clock(windows[-1][1])})"
                )
            if tuple(windows) == o.time_windows and soft == o.soft:
                return o, None
            return replace(o, time_windows=tuple(windows), soft=soft), None
        # produce pickup: keep part of the shelf life for handling and the trunk
        if S is None:
            return o, None
        rest = S - self.handling - self.trunk_dur(depot, self.hub)
        budget = int(rest * (1.0 - TRUNK_SLACK))
        if budget <= 0:
            return None, (
                f"via station {depot}: shelf life {S / 3600:.1f} h is shorter than handling + trunk drive to the hub"
            )
        return replace(o, shelf_life_h=budget / 3600.0), None

    def lm_problem(self, depot: str, villages: Iterable[str], release: int | None) -> _Leg:
        orders, excluded = [], {}
        for v in sorted(villages):
            for o in self.at_village.get(v, []):
                if depot != self.hub and o.kind == "delivery" and o.id in self.no_trunk:
                    excluded[o.id] = self.no_trunk[o.id]
                    continue
                lo, why = self.leg_order(o, depot, release)
                if lo is None:
                    excluded[o.id] = why
                else:
                    orders.append(lo)
        fleet = []
        for vt in self.lm_types.get(depot, []):
            if depot != self.hub and release is not None:
                start = max(vt.shift[0], release)
                if start > vt.shift[1]:
                    fleet.append(replace(vt, count=0, shift=(vt.shift[1], vt.shift[1])))
                    continue
                vt = replace(vt, shift=(start, vt.shift[1]))
            fleet.append(vt)
        if not fleet:
            for o in orders:
                excluded[o.id] = f"no last-mile vehicle is based at {depot}"
            return _Leg(depot, None, None, excluded, release)
        if not any(vt.count for vt in fleet):
            why = (
                f"the trunk reaches {depot} too late: goods ready at {fmt_clock(release or 0)}, after the "
                f"last-mile shift ends"
            )
            for o in orders:
                excluded[o.id] = why
            return _Leg(depot, None, None, excluded, release)
        kind = "direct" if depot == self.hub else "last mile"
        p, ex = self.make_problem(f"{kind} {depot}", orders, fleet, [depot], f"{kind} {depot}")
        excluded.update(ex)
        return _Leg(depot, p, None, excluded, release)

    # -- chunks ----------------------------------------------------------------------------------
    def _chunk_capacity_type(self) -> VehicleType:
        return max(self.trunk_types, key=lambda vt: (vt.count > 0, vt.capacity))

    def pack(self, orders: list[Order]) -> tuple[list[list[Order]], dict[str, str]]:
        """First-fit decreasing of orders into loads that fit the largest trunk vehicle."""
        vt = self._chunk_capacity_type()
        caps = np.array([c.capacity for c in vt.compartments], dtype=float)
        total = vt.capacity
        bins: list[tuple[np.ndarray, list[Order]]] = []
        too_big: dict[str, str] = {}

        def loads(o):
            q = np.zeros(len(caps))
            for p, x in o.quantities.items():
                k = vt.compartment_for(self.products[p])
                if k is None:
                    if x > 0:
                        return None
                    continue
                q[k] += x
            return q

        for o in sorted(orders, key=lambda o: (-sum(o.quantities.values()), o.id)):
            q = loads(o)
            if q is None or (q > caps + 1e-9).any() or q.sum() > total + 1e-9:
                too_big[o.id] = "no trunk vehicle can carry it (compartment zone or size)"
                continue
            for b in bins:
                nq = b[0] + q
                if (nq <= caps + 1e-9).all() and nq.sum() <= total + 1e-9:
                    b[0][:] = nq
                    b[1].append(o)
                    break
            else:
                bins.append((q.copy(), [o]))
        return [sorted(b[1], key=lambda o: o.id) for b in bins], too_big

    @staticmethod
    def _sum_qty(orders: list[Order]) -> dict[str, float]:
        q: dict[str, float] = {}
        for o in orders:
            for p, x in o.quantities.items():
                q[p] = q.get(p, 0.0) + x
        return {p: round(x, 9) for p, x in sorted(q.items())}

    def out_chunks(
        self, assign: Mapping[str, str], latest: Mapping[str, int] | None = None
    ) -> tuple[list[Order], dict[str, list[str]], dict[str, str]]:
        """Trunk delivery orders per station, with their member order ids and orders that cannot go."""
        chunks, members, excluded = [], {}, {}
        for s in self.lay.stations:
            cand = []
            for v in sorted(v for v, d in assign.items() if d == s):
                for o in self.at_village.get(v, []):
                    if o.kind != "delivery":
                        continue
                    lo, why = self.leg_order(o, s, None)
                    if lo is None:
                        excluded[o.id] = why
                    else:
                        cand.append(lo)
            if not cand:
                continue
            groups, too_big = self.pack(cand)
            excluded.update(too_big)
            for k, g in enumerate(groups, start=1):
                cid = f"{s}:down{k}"
                # trunk leg of the shelf-life budget and the latest arrival that leaves the last mile time
                shelf, close = None, DAY * 2
                for o in g:
                    tau = self.lm_dur(s, s, o.node_id)
                    S = self.shelf[o.id]
                    if S is not None:
                        b = S - self.handling - tau
                        shelf = b if shelf is None else min(shelf, b)
                    close = min(close, o.time_windows[-1][1] - tau - self.handling)
                if latest is not None and s in latest:
                    close = min(close, latest[s])
                close = max(close, 0)
                chunks.append(
                    Order(
                        cid,
                        self._sum_qty(g),
                        node_id=s,
                        kind="delivery",
                        time_windows=((0, close),),
                        shelf_life_h=(max(shelf, 1) / 3600.0) if shelf is not None else None,
                    )
                )
                members[cid] = [o.id for o in g]
        return chunks, members, excluded

    # -- trunk -------------------------------------------------------------------------------------
    def trunk_out(self, assign: Mapping[str, str], limit: float, latest: Mapping[str, int] | None = None) -> dict:
        chunks, members, excluded = self.out_chunks(assign, latest)
        p, ex = self.make_problem("trunk outbound", chunks, self.trunk_types, [self.hub], "trunk")
        for cid, why in ex.items():
            for oid in members.pop(cid, []):
                excluded[oid] = why
        if p is None or not p.orders:
            self.no_trunk = {k: v for k, v in excluded.items() if v.startswith("trunk:")}
            return {"problem": p, "plan": None, "members": members, "excluded": excluded, "release": {}, "chunk_at": {}}
        plan = _solve1(p, min(limit, size_limit(p)), self.seed, self.engine, self.iterations)
        plan = retime_earliest(p, plan)
        res = self._out_result(p, plan, members, excluded)
        self.no_trunk = {k: v for k, v in res["excluded"].items() if v.startswith("trunk:")}
        return res

    def _out_result(self, p: Problem, plan: Plan, members: dict[str, list[str]], excluded: dict[str, str]) -> dict:
        release: dict[str, int] = {}
        chunk_at: dict[str, tuple[str, int, int]] = {}
        s = plan.stops
        for r in s[s["kind"] == "delivery"].itertuples():
            chunk_at[r.order_id] = (r.vehicle, int(r.arrival), int(r.departure))
            st = str(r.node_id)
            release[st] = max(release.get(st, 0), int(r.departure) + self.handling)
        for r in plan.unserved.itertuples():
            for oid in members.get(r.order_id, []):
                excluded[oid] = f"trunk: {r.reason}"
        return {
            "problem": p,
            "plan": plan,
            "members": members,
            "excluded": excluded,
            "release": release,
            "chunk_at": chunk_at,
        }

    # -- main ------------------------------------------------------------------------------------
    def run(self) -> TieredPlan:
        n_jobs = len(self.lay.stations) + 2
        w = _workers(self.workers, n_jobs)
        self.workers = w
        if w > 1:
            self.executor = ProcessPoolExecutor(w, mp_context=_pool_context())
        try:
            return self._run()
        finally:
            if self.executor is not None:
                self.executor.shutdown()

    def solve_legs(self, legs: Mapping[str, _Leg], limit: float, cap: bool = False) -> None:
        todo = {k: leg.problem for k, leg in legs.items() if leg.problem is not None}
        plans = solve_many(
            todo,
            limit,
            seed=self.seed,
            engine=self.engine,
            iterations=self.iterations,
            workers=self.workers,
            executor=self.executor,
            cap=cap,
        )
        for k, plan in plans.items():
            legs[k].plan = retime_earliest(legs[k].problem, plan)

    def _run(self) -> TieredPlan:
        lay = self.lay
        assign = {v: lay.parent[v] for v in lay.parent}
        cands = self.direct_candidates() if self.direct_mode in ("auto", "all") else []
        if self.direct_mode == "all":
            for v in cands:
                assign[v] = self.hub
        elif self.direct_mode == "given":
            for v in self.direct_forced:
                assign[v] = self.hub
        # 1. trunk outbound on the station demand (auto: candidates go through stations first)
        out = self.trunk_out(assign, self.budget(0.10, keep=0.8))
        release = out["release"]
        # 2. last mile per depot, plus the direct alternative for candidates
        legs = {
            d: self.lm_problem(d, [v for v, x in assign.items() if x == d], release.get(d))
            for d in list(lay.stations) + [self.hub]
            if any(x == d for x in assign.values())
        }
        alt: dict[str, _Leg] = {}
        if self.direct_mode == "auto" and cands:
            affected = sorted({assign[v] for v in cands})
            for s in affected:
                alt[s] = self.lm_problem(s, [v for v, x in assign.items() if x == s and v not in cands], release.get(s))
            alt[self.hub] = self.lm_problem(self.hub, cands, None)
        batch = dict(legs) | {("alt", k): v for k, v in alt.items()}
        self.solve_legs(batch, self.budget(0.35, keep=0.45))
        if alt:
            base = sum(legs[s].score() for s in alt if s != self.hub)
            other = sum(alt[k].score() for k in alt)
            self.log.append(
                {
                    "step": "direct",
                    "villages": len(cands),
                    "via_stations": round(base, 2),
                    "direct": round(other, 2),
                    "chosen": "direct" if other < base - 1e-6 else "stations",
                }
            )
            if other < base - 1e-6:
                for v in cands:
                    assign[v] = self.hub
                for k, leg in alt.items():
                    legs[k] = leg
        self._drop_empty(legs, assign)
        # 3. boundary re-balancing
        changed = False
        if self.rebalance:
            changed = self._rebalance(assign, legs, release)
        direct_changed = any(assign[v] != lay.parent[v] for v in assign)
        # 4. trunk again if station loads changed; keep every station's release
        if changed or direct_changed:
            latest = {s: r - self.handling for s, r in release.items()}
            out2 = self.trunk_out(assign, self.budget(0.08, keep=0.15), latest)
            if any(why.startswith("trunk:") for why in out2["excluded"].values()):
                out2 = self.trunk_out(assign, self.budget(0.06, keep=0.12))
            out = out2
            self._reconcile(out, assign, legs)
        # 5. goods the last mile cannot deliver stay at the hub: trim the trunk loads
        out = self._trim(out, legs)
        # 6. trunk inbound for the produce
        inbound = self._trunk_in(out, legs, self.budget(0.10, keep=0.02))
        self._drop_stranded(legs)
        return self._assemble(out, inbound, legs, assign)

    def _drop_empty(self, legs: dict[str, _Leg], assign: Mapping[str, str]) -> None:
        for d in list(legs):
            if not any(x == d for x in assign.values()):
                del legs[d]

    # -- re-balancing -------------------------------------------------------------------------------
    def boundary_moves(self, assign: Mapping[str, str], release: Mapping[str, int]) -> list[tuple[float, str, str]]:
        """(ratio, village, target depot) for villages near another depot, most promising first."""
        lay = self.lay
        moves = []
        direct_ok = self.direct_mode == "auto"
        for v, d in assign.items():
            if v not in self.at_village or (d == self.hub and not direct_ok):
                continue
            has_del = any(o.kind == "delivery" for o in self.at_village[v])
            dv = max(1, self.dur(d, v))
            opts = []
            if d == self.hub:
                opts.append(lay.parent[v])
            else:
                others = sorted((self.dur(s, v), s) for s in lay.stations if s != d and self.lm_types.get(s))
                if others:
                    opts.append(others[0][1])
                if direct_ok and self.dur(self.hub, v) <= self.direct_ratio * self.dur(lay.parent[v], v):
                    opts.append(self.hub)
            for t in opts:
                if t != self.hub and has_del and t not in release:
                    continue
                r = self.dur(t, v) / dv
                if r <= self.boundary_ratio:
                    moves.append((round(r, 6), v, t))
        return sorted(moves)

    def _rebalance(self, assign: dict[str, str], legs: dict[str, _Leg], release: Mapping[str, int]) -> bool:
        """Try single moves to the next depot, then swaps of two boundary villages between two stations."""
        singles = self.boundary_moves(assign, release)
        if not singles:
            return False
        swaps = []
        for r1, v, b in singles:
            a = assign[v]
            if a == self.hub or b == self.hub:
                continue
            for r2, w, b2 in singles:
                if b2 == a and assign[w] == b:
                    swaps.append((r1 + r2, v, w))
        swaps = sorted(swaps)[: 2 * len(singles)]
        trials = [[(v, t)] for _, v, t in singles] + [[(v, assign[w]), (w, assign[v])] for _, v, w in swaps]
        limit = (
            self.rebalance if isinstance(self.rebalance, int) and not isinstance(self.rebalance, bool) else len(trials)
        )
        phase_end = self.elapsed() + self.budget(1.0, keep=0.25)
        short = 0.15
        moved: set[str] = set()
        changed = False
        tried = 0
        for change in trials:
            if tried >= limit or self.elapsed() + short > phase_end:
                break
            if any(v in moved or assign[v] == t for v, t in change):
                continue
            new_assign = dict(assign)
            for v, t in change:
                new_assign[v] = t
            depots = sorted({assign[v] for v, _ in change} | {t for _, t in change})
            if not all(self._fits(d, [x for x, y in new_assign.items() if y == d]) for d in depots):
                continue
            tried += 1
            n = max(sum(len(self.at_village.get(x, [])) for x, y in new_assign.items() if y == d) for d in depots)
            short = max(0.15, min(0.04 * self.T, 2.0, 0.01 * n))
            trial = {
                d: self.lm_problem(
                    d, [x for x, y in new_assign.items() if y == d], release.get(d) if d != self.hub else None
                )
                for d in depots
            }
            self.solve_legs(trial, short, cap=True)
            old = sum(legs[d].score() if d in legs else 0.0 for d in depots)
            new = sum(trial[d].score() for d in depots)
            keep = new < old - 1e-6
            self.log.append(
                {
                    "step": "move" if len(change) == 1 else "swap",
                    "village": change[0][0] if len(change) == 1 else [v for v, _ in change],
                    "from": assign[change[0][0]],
                    "to": change[0][1],
                    "before": round(old, 2),
                    "after": round(new, 2),
                    "kept": keep,
                }
            )
            if keep:
                assign.update(new_assign)
                moved.update(v for v, _ in change)
                legs.update(trial)
                changed = True
        self._drop_empty(legs, assign)
        return changed

    def _fits(self, depot: str, villages: Iterable[str]) -> bool:
        """Necessary condition: the depot's vans can hold all its deliveries, and all its produce, at once."""
        cap = sum(vt.count * vt.capacity for vt in self.lm_types.get(depot, []))
        down = up = 0.0
        for v in villages:
            for o in self.at_village.get(v, []):
                q = sum(o.quantities.values())
                if o.kind == "delivery":
                    down += q
                else:
                    up += q
        return down <= cap + 1e-9 and up <= cap + 1e-9

    def _reconcile(self, out: dict, assign: Mapping[str, str], legs: dict[str, _Leg]) -> None:
        """Re-plan stations whose goods now arrive later than their vans were told."""
        redo = {}
        for s, leg in legs.items():
            if s == self.hub:
                continue
            new = out["release"].get(s)
            lost = leg.plan is not None and any(o in self.no_trunk for o in leg.plan.served_ids)
            if lost or (new is not None and (leg.release is None or new > leg.release)):
                redo[s] = self.lm_problem(s, [v for v, x in assign.items() if x == s], new)
        if redo:
            self.solve_legs(redo, self.budget(0.10, keep=0.12))
            legs.update(redo)

    def _trim(self, out: dict, legs: Mapping[str, _Leg]) -> dict:
        """Remove goods of orders the last mile left out from the trunk loads (same routes, re-timed)."""
        p, plan = out["problem"], out["plan"]
        if p is None or plan is None:
            return out
        served = set()
        for leg in legs.values():
            if leg.plan is not None:
                served.update(leg.plan.served_ids)
        members = out["members"]
        if all(all(oid in served for oid in mem) for mem in members.values()):
            return out
        new_members = {c: [o for o in mem if o in served] for c, mem in members.items()}
        chunks = []
        for o in p.orders:
            mem = new_members.get(o.id, [])
            if mem:
                chunks.append(replace(o, quantities=self._sum_qty([self.by_id[i] for i in mem])))
        p2 = replace(p, orders=tuple(chunks))
        idx = {o.id: i for i, o in enumerate(p2.orders)}
        routes = []
        for vid, g in plan.stops.groupby("vehicle", sort=False):
            seq = [idx[c] for c in g.sort_values("seq")["order_id"] if c in idx]
            if seq:
                vix = _vehicle_index(p2)[vid]
                rr = earliest_route(p2, vix, seq)
                if rr is None:
                    return out
                routes.append(rr)
        reasons = {idx[r.order_id]: r.reason for r in plan.unserved.itertuples() if r.order_id in idx}
        plan2 = build_plan(p2, arrays.build(p2), routes, reasons, dict(plan.meta) | {"trimmed": True})
        kept = {c: m for c, m in new_members.items() if m}
        return self._out_result(p2, plan2, kept, dict(out["excluded"]))

    # -- inbound -----------------------------------------------------------------------------------
    def _trunk_in(self, out: dict, legs: Mapping[str, _Leg], limit: float) -> dict:
        chunks, members = [], {}
        for s, leg in sorted(legs.items()):
            if s == self.hub or leg.plan is None:
                continue
            st = leg.plan.stops
            pk = st[st["kind"] == "pickup"]
            if pk.empty:
                continue
            ends = st[st["kind"] == "end"].set_index("vehicle")["arrival"]
            for vid, g in pk.groupby("vehicle", sort=True):
                ready = int(ends[vid]) + self.handling
                orders = [self.by_id[str(o)] for o in g["order_id"]]
                start_of = dict(zip(g["order_id"].astype(str), g["start"].astype(int)))
                groups, too_big = self.pack(orders)
                for oid, why in too_big.items():
                    self.unserved[oid] = ("trunk", f"no trunk pickup at {s}: {why}")
                for k, grp in enumerate(groups, start=1):
                    cid = f"{s}:up:{vid}:{k}"
                    deadlines = [start_of[o.id] + self.shelf[o.id] for o in grp if self.shelf[o.id] is not None]
                    tau = self.trunk_dur(s, self.hub)
                    if deadlines:
                        B = min(deadlines) - ready
                        wait = max(0, (B - tau) // 2)
                        tw, shelf = ((ready, ready + wait),), max(1, B - wait) / 3600.0
                    else:
                        tw, shelf = ((ready, max(ready, max(vt.shift[1] for vt in self.trunk_types))),), None
                    chunks.append(
                        Order(cid, self._sum_qty(grp), node_id=s, kind="pickup", time_windows=tw, shelf_life_h=shelf)
                    )
                    members[cid] = [o.id for o in grp]
        if not chunks:
            return {"problem": None, "plan": None, "members": {}}
        fleet = []
        used = {}
        if out["plan"] is not None:
            for vid, g in out["plan"].stops.groupby("vehicle", sort=False):
                used[vid] = int(g["arrival"].max())
        vehicles = (
            out["problem"].vehicles()
            if out["problem"] is not None
            else Problem((), tuple(self.trunk_types), products=self.products, matrix=self.tm.sub([self.hub])).vehicles()
        )
        for vid, vt in vehicles:
            if vid in used:
                start = max(vt.shift[0], used[vid] + self.handling)
                ft = replace(
                    vt, name=f"{vid}/in", count=1, fixed_cost=0.0, shift=(min(start, vt.shift[1]), vt.shift[1])
                )
                if start > vt.shift[1]:
                    ft = replace(ft, count=0)
            else:
                ft = replace(vt, name=f"{vid}/in", count=1)
            fleet.append(ft)
        p, ex = self.make_problem("trunk inbound", chunks, fleet, [self.hub], "trunk")
        for cid, why in ex.items():
            for oid in members.pop(cid, []):
                self.unserved[oid] = ("trunk", f"no trunk pickup at the station: {why}")
        if p is None or not p.orders:
            return {"problem": p, "plan": None, "members": members}
        plan = _solve1(p, min(limit, size_limit(p)), self.seed, self.engine, self.iterations)
        plan = retime_earliest(p, plan)
        for r in plan.unserved.itertuples():
            for oid in members.get(r.order_id, []):
                self.unserved[oid] = ("trunk", f"no trunk pickup at the station: {r.reason}")
        return {"problem": p, "plan": plan, "members": members}

    def _drop_stranded(self, legs: Mapping[str, _Leg]) -> None:
        """Produce no truck can take up is not collected: its stops leave the van routes (other times unchanged)."""
        stranded = {oid for oid, (leg, _) in self.unserved.items() if leg == "trunk"}
        for d, leg in legs.items():
            if leg.plan is None or d == self.hub:
                continue
            drop = stranded & set(leg.plan.served_ids)
            if drop:
                leg.plan = drop_stops(leg.problem, leg.plan, {oid: self.unserved[oid][1] for oid in drop})

    # -- assembly ----------------------------------------------------------------------------------
    def _assemble(self, out: dict, inbound: dict, legs: Mapping[str, _Leg], assign: Mapping[str, str]) -> TieredPlan:
        hub = self.hub
        # merged trunk problem and plan
        p_out, p_in = out["problem"], inbound["problem"]
        t_orders = list(p_out.orders if p_out is not None else ()) + list(p_in.orders if p_in is not None else ())
        t_fleet = list(self.trunk_types) + list(p_in.fleet if p_in is not None else ())
        if p_out is not None:
            base = p_out
        elif p_in is not None:
            base = p_in
        else:
            base, _ = self.make_problem("trunk", [], self.trunk_types, [hub], "trunk")
        trunk_problem = replace(
            base,
            orders=tuple(t_orders),
            fleet=tuple(t_fleet),
            name="trunk",
            matrix=self.tm.sub(list(dict.fromkeys([hub] + [o.node_id for o in t_orders]))),
            meta=dict(base.meta)
            | {
                "coords": {k: self.lay.coords[k] for k in [hub] + [o.node_id for o in t_orders] if k in self.lay.coords}
            },
        )
        trunk_plan = merge_plans(trunk_problem, [("out", out["plan"]), ("in", inbound["plan"])], name="trunk")
        # unserved at order level
        unserved = dict(self.unserved)
        for oid, why in out["excluded"].items():
            unserved.setdefault(oid, ("trunk" if why.startswith("trunk") else "last mile", why))
        lm_plans: dict[str, Plan] = {}
        problems: dict[str, Problem] = {"trunk": trunk_problem}
        for d, leg in legs.items():
            tier = "direct" if d == hub else "last mile"
            for oid, why in leg.excluded.items():
                unserved.setdefault(oid, (tier, why))
            if leg.plan is not None:
                for r in leg.plan.unserved.itertuples():
                    unserved.setdefault(r.order_id, (tier, f"{tier} {d}: {r.reason}"))
                lm_plans[d] = leg.plan
                problems[d] = leg.problem
        # produce collected but not picked up by a truck is already in `unserved` (its village stop stays in the
        # last-mile plan); orders no leg considered (e.g. a depot without vans) are added here
        served_lm = {}
        for d, plan in lm_plans.items():
            for oid in plan.served_ids:
                served_lm[oid] = d
        for o in self.orders:
            if o.id not in served_lm and o.id not in unserved:
                unserved[o.id] = ("last mile", f"no last-mile plan covers village {o.node_id}")
        transfers = self._transfers(out, inbound, lm_plans, served_lm, unserved)
        unserved_df = pd.DataFrame(
            [{"order_id": k, "leg": v[0], "reason": v[1]} for k, v in sorted(unserved.items())],
            columns=["order_id", "leg", "reason"],
        )
        stops, routes = combined_frames(trunk_plan, lm_plans, hub)
        assignment = pd.DataFrame(
            [
                {
                    "village": v,
                    "station": self.lay.parent[v],
                    "depot": assign[v],
                    "mode": "direct" if assign[v] == hub else "station",
                    "moved": assign[v] not in (self.lay.parent[v], hub),
                    "orders": len(self.at_village.get(v, [])),
                }
                for v in sorted(assign)
            ]
        )
        tp = TieredPlan(
            trunk=trunk_plan,
            last_mile=lm_plans,
            transfers=transfers,
            unserved=unserved_df,
            kpis={},
            stops=stops,
            routes=routes,
            problems=problems,
            orders=self.orders,
            products=self.products,
            hub=hub,
            handling_s=self.handling,
            assignment=assignment,
            meta={
                "time_limit": self.T,
                "seed": self.seed,
                "engine": self.engine,
                "day": self.day,
                "direct_mode": self.direct_mode,
                "log": self.log,
                "trunk_members": {**out["members"], **inbound["members"]},
                "elapsed_s": round(self.elapsed(), 3),
            },
        )
        tp.kpis = tier_kpis(tp)
        return tp

    def _transfers(self, out, inbound, lm_plans, served_lm, unserved) -> pd.DataFrame:
        rows = []
        out_plan, in_plan = out["plan"], inbound["plan"]
        trunk_stop = {}
        trunk_dep, trunk_end = {}, {}
        for plan in (out_plan, in_plan):
            if plan is None:
                continue
            for vid, g in plan.stops.groupby("vehicle", sort=False):
                g = g.sort_values("seq")
                trunk_dep[vid] = int(g["departure"].iloc[0])
                trunk_end[vid] = int(g["arrival"].iloc[-1])
            for r in plan.stops[plan.stops["kind"].isin(["delivery", "pickup"])].itertuples():
                trunk_stop[r.order_id] = r
        chunk_of = {}
        for c, mem in {**out["members"], **inbound["members"]}.items():
            for oid in mem:
                chunk_of[oid] = c
        for d, plan in lm_plans.items():
            if d == self.hub:
                continue
            st = plan.stops
            first = st[st["kind"] == "start"].set_index("vehicle")
            last = st[st["kind"] == "end"].set_index("vehicle")
            for r in st[st["kind"].isin(["delivery", "pickup"])].itertuples():
                oid = str(r.order_id)
                c = chunk_of.get(oid)
                if c is None or c not in trunk_stop or oid in unserved:
                    continue
                t = trunk_stop[c]
                lm_dep, lm_arr = int(first.at[r.vehicle, "departure"]), int(last.at[r.vehicle, "arrival"])
                if r.kind == "delivery":
                    wait = lm_dep - int(t.arrival)
                else:
                    wait = int(t.start) - lm_arr
                rows.append(
                    {
                        "order_id": oid,
                        "direction": "down" if r.kind == "delivery" else "up",
                        "station": d,
                        "trunk_order": c,
                        "trunk_vehicle": t.vehicle,
                        "trunk_arrival": int(t.arrival),
                        "trunk_departure": int(t.departure),
                        "last_mile_vehicle": r.vehicle,
                        "last_mile_departure": lm_dep,
                        "last_mile_arrival": lm_arr,
                        "wait_at_station": wait,
                    }
                )
        return pd.DataFrame(rows, columns=TRANSFER_COLUMNS).sort_values(["station", "order_id"]).reset_index(drop=True)


# --------------------------------------------------------------------------- plan utilities


def earliest_route(problem: Problem, vehicle: int, seq: list[int]) -> RouteResult | None:
    """``seq`` on ``vehicle`` finishing as early as possible, leaving as late as that allows; None if infeasible.

    A forward pass from the shift start gives the earliest service starts and
    the earliest return; a backward pass gives the latest starts that keep that
    return (inside the same windows); the route leaves so that it reaches the
    first order at its latest start, which removes needless waiting.  Shelf
    life, shift and max duration are checked on the result.
    """
    vid, vt = problem.vehicles()[vehicle]
    m = problem.matrix
    orders = [problem.orders[i] for i in seq]
    locs = [vt.start_depot] + [o.location for o in orders] + [vt.end_depot]
    travel = [int(round(m.duration[m.index(a), m.index(b)] * vt.speed_factor)) for a, b in zip(locs, locs[1:])]
    t = vt.shift[0]
    early, wins = [], []
    for k, o in enumerate(orders):
        arr = t + travel[k]
        w = next(((a, b) for a, b in o.time_windows if b >= arr), None)
        if w is None:
            return None
        early.append(max(arr, w[0]))
        wins.append(w)
        t = early[-1] + o.service
    end = t + travel[-1]
    if orders:
        late = [0] * len(orders)
        nxt = end - travel[-1]
        for k in range(len(orders) - 1, -1, -1):
            late[k] = min(wins[k][1], nxt - orders[k].service)
            nxt = late[k] - travel[k]
        depart = max(vt.shift[0], late[0] - travel[0])
        t = depart
        starts = []
        for k, o in enumerate(orders):
            s_k = max(t + travel[k], wins[k][0])
            starts.append(s_k)
            t = s_k + o.service
        end = t + travel[-1]
    else:
        depart, starts = vt.shift[0], []
    if end > vt.shift[1] or (vt.max_duration is not None and end - depart > vt.max_duration):
        return None
    for o, s_k in zip(orders, starts):
        shelf = problem.shelf_life_s(o)
        if shelf is None or o.pair is not None:
            continue
        if o.kind == "delivery" and s_k - depart > shelf:
            return None
        if o.kind == "pickup" and end - s_k > shelf:
            return None
    return RouteResult(vehicle=vehicle, orders=list(seq), starts=starts, depart=depart, arrive=end)


def drop_stops(problem: Problem, plan: Plan, reasons: Mapping[str, str]) -> Plan:
    """The plan without the stops of ``reasons``' orders (now unserved with those reasons).

    The other stops keep their service start times, so every time-based
    promise made from the original plan (releases, ready times) still holds;
    a route whose times would change (the matrix breaks the triangle
    inequality) keeps its dropped stops instead, and those orders stay served.
    """
    vix = _vehicle_index(problem)
    oix = {o.id: i for i, o in enumerate(problem.orders)}
    routes, kept = [], set()
    m = problem.matrix
    for vid, g in plan.stops.groupby("vehicle", sort=False):
        g = g.sort_values("seq")
        body = g[g["kind"].isin(["delivery", "pickup"])]
        ids = [str(x) for x in body["order_id"]]
        starts = [int(x) for x in body["start"]]
        vt = problem.vehicles()[vix[vid]][1]
        keep = [(i, st) for i, st in zip(ids, starts) if i not in reasons]
        ok, t, prev = True, int(g["departure"].iloc[0]), vt.start_depot
        for i, st in keep:
            o = problem.orders[oix[i]]
            t = t + int(round(m.duration[m.index(prev), m.index(o.location)] * vt.speed_factor))
            if t > st:
                ok = False
                break
            t, prev = st + o.service, o.location
        if not ok:
            keep = list(zip(ids, starts))
            kept.update(i for i in ids if i in reasons)
        if not keep:
            continue
        end = (
            t + int(round(m.duration[m.index(prev), m.index(vt.end_depot)] * vt.speed_factor))
            if ok
            else int(g["arrival"].iloc[-1])
        )
        routes.append(
            RouteResult(
                vehicle=vix[vid],
                orders=[oix[i] for i, _ in keep],
                starts=[s for _, s in keep],
                depart=int(g["departure"].iloc[0]),
                arrive=end,
            )
        )
    why = {oix[str(r.order_id)]: r.reason for r in plan.unserved.itertuples()}
    why.update({oix[i]: r for i, r in reasons.items() if i not in kept})
    new = build_plan(problem, arrays.build(problem), routes, why, dict(plan.meta) | {"dropped": sorted(reasons)})
    return new


def retime_earliest(problem: Problem, plan: Plan) -> Plan:
    """Each route re-timed to finish as early as possible without needless waiting (see :func:`earliest_route`).

    Routes whose re-timing would break a window, shelf life or shift keep the solver's timing.
    """
    if plan.stops.empty:
        return plan
    vix = _vehicle_index(problem)
    oix = {o.id: i for i, o in enumerate(problem.orders)}
    routes = []
    for vid, g in plan.stops.groupby("vehicle", sort=False):
        g = g.sort_values("seq")
        body = g[g["kind"].isin(["delivery", "pickup"])]
        seq = [oix[str(x)] for x in body["order_id"]]
        rr = earliest_route(problem, vix[vid], seq)
        if rr is None:
            rr = RouteResult(
                vehicle=vix[vid],
                orders=seq,
                starts=[int(x) for x in body["start"]],
                depart=int(g["departure"].iloc[0]),
                arrive=int(g["arrival"].iloc[-1]),
            )
        routes.append(rr)
    reasons = {oix[str(r.order_id)]: r.reason for r in plan.unserved.itertuples()}
    new = build_plan(problem, arrays.build(problem), routes, reasons, dict(plan.meta) | {"retimed": "earliest"})
    if "objective" in plan.kpis:
        new.kpis["objective"] = plan.kpis["objective"]
    return new


def merge_plans(problem: Problem, parts: list[tuple[str, Plan | None]], name: str = "merged") -> Plan:
    """One Plan from plans of disjoint vehicles and orders; KPIs recomputed on ``problem``."""
    stops, unserved, routes = [], [], []
    meta: dict[str, Any] = {"problem": name, "parts": {}}
    for tag, plan in parts:
        if plan is None:
            continue
        s = plan.stops.copy()
        s["wave"] = tag
        stops.append(s)
        unserved.append(plan.unserved)
        if len(plan.routes):
            r = plan.routes.copy()
            r["wave"] = tag
            routes.append(r)
        meta["parts"][tag] = {k: plan.meta.get(k) for k in ("status", "elapsed_s", "engine")}
    from logistics.core.plan import STOP_COLUMNS, UNSERVED_COLUMNS

    st = pd.concat(stops, ignore_index=True) if stops else pd.DataFrame(columns=STOP_COLUMNS + ["wave"])
    un = pd.concat(unserved, ignore_index=True) if unserved else pd.DataFrame(columns=UNSERVED_COLUMNS)
    if routes:
        rt = gpd.GeoDataFrame(pd.concat(routes, ignore_index=True), geometry="geometry", crs=routes[0].crs)
    else:
        rt = empty_routes()
    plan = Plan(stops=st, unserved=un, kpis={}, routes=rt, meta=meta)
    plan.kpis, _ = evaluate(problem, plan) if not st.empty else (_empty_kpis(), None)
    return plan


def _empty_kpis() -> dict[str, Any]:
    return {
        "vehicles": 0,
        "served": 0,
        "unserved": 0,
        "distance": 0,
        "distance_km": 0.0,
        "duration_h": 0.0,
        "co2_kg": 0.0,
        "fuel_l": 0.0,
        "refrigeration_cost": 0.0,
        "quality_loss": 0.0,
        "cost": 0.0,
    }


def combined_frames(trunk: Plan, last_mile: Mapping[str, Plan], hub: str) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Stops and routes of every leg with ``tier``, ``leg`` and ``depot`` columns."""
    stops, routes = [], []
    parts = [("trunk", "trunk", hub, trunk)] + [
        ("direct" if d == hub else "last_mile", d, d, p) for d, p in last_mile.items()
    ]
    for tier, leg, depot, plan in parts:
        if plan is None or plan.stops.empty:
            continue
        s = plan.stops.copy()
        s.insert(0, "tier", tier)
        s.insert(1, "leg", leg)
        s.insert(2, "depot", depot)
        if "wave" not in s.columns:
            s["wave"] = None
        stops.append(s)
        if len(plan.routes):
            r = plan.routes.copy()
            r["tier"], r["leg"], r["depot"] = tier, leg, depot
            routes.append(r)
    st = pd.concat(stops, ignore_index=True) if stops else pd.DataFrame(columns=["tier", "leg", "depot"])
    if "vehicle" in st.columns:
        st["physical_vehicle"] = st["vehicle"].astype(str).str.replace(r"/in#1$", "", regex=True)
    rt = (
        gpd.GeoDataFrame(pd.concat(routes, ignore_index=True), geometry="geometry", crs=routes[0].crs)
        if routes
        else empty_routes()
    )
    return st, rt


def tier_kpis(tp: TieredPlan) -> dict[str, Any]:
    """Combined KPIs: sums over legs, per-tier splits, end-to-end service and station waits."""
    legs = [("trunk", tp.trunk)] + [("direct" if d == tp.hub else "last_mile", p) for d, p in tp.last_mile.items()]
    k: dict[str, Any] = {"orders": len(tp.orders)}
    for key in (
        "distance_km",
        "duration_h",
        "fuel_l",
        "co2_kg",
        "refrigeration_cost",
        "quality_loss",
        "fixed_cost",
        "cost",
        "penalty_cost",
    ):
        k[key] = round(sum(float(p.kpis.get(key, 0.0)) for _, p in legs if p is not None), 4)
    for tier in ("trunk", "last_mile", "direct"):
        ps = [p for t, p in legs if t == tier and p is not None]
        k[f"{tier}_km"] = round(sum(float(p.kpis.get("distance_km", 0.0)) for p in ps), 4)
        k[f"{tier}_cost"] = round(sum(float(p.kpis.get("cost", 0.0)) for p in ps), 4)
        k[f"{tier}_vehicles"] = int(sum(p.kpis.get("vehicles", 0) for p in ps))
    trunk_phys = set()
    if not tp.trunk.stops.empty:
        trunk_phys = {str(v).replace("/in#1", "") for v in tp.trunk.stops["vehicle"]}
    k["trunk_vehicles"] = len(trunk_phys)
    k["vehicles"] = k["trunk_vehicles"] + k["last_mile_vehicles"] + k["direct_vehicles"]
    k["unserved"] = len(tp.unserved)
    k["served"] = k["orders"] - k["unserved"]
    k["delivered"] = int(sum(1 for o in tp.orders if o.kind == "delivery")) - int(
        sum(1 for oid in tp.unserved["order_id"] if _kind(tp, oid) == "delivery")
    )
    k["produce_collected"] = int(sum(1 for o in tp.orders if o.kind == "pickup")) - int(
        sum(1 for oid in tp.unserved["order_id"] if _kind(tp, oid) == "pickup")
    )
    t = tp.transfers
    k["transfers"] = len(t)
    k["mean_wait_at_station_h"] = round(float(t["wait_at_station"].mean()) / 3600, 4) if len(t) else 0.0
    k["max_wait_at_station_h"] = round(float(t["wait_at_station"].max()) / 3600, 4) if len(t) else 0.0
    k["direct_villages"] = int((tp.assignment["mode"] == "direct").sum()) if len(tp.assignment) else 0
    k["moved_villages"] = int(tp.assignment["moved"].sum()) if len(tp.assignment) else 0
    return k


def _kind(tp: TieredPlan, oid: str) -> str | None:
    for o in tp.orders:
        if o.id == oid:
            return o.kind
    return None


# --------------------------------------------------------------------------- entry point


def plan_tiers(
    network: Network | Layout,
    orders: Sequence[Order],
    trunk_fleet: Sequence[VehicleType],
    last_mile_fleet: Sequence[VehicleType] | Mapping[str, Sequence[VehicleType]],
    *,
    products: Mapping[str, Product] | Sequence[Product] | None = None,
    costs: CostModel | None = None,
    handling_s: int = 1800,
    time_limit: float = 30,
    seed: int = 0,
    direct_from_hub: Any = "auto",
    workers: int | None = None,
    matrix: TravelMatrix | None = None,
    engine: str = "auto",
    iterations: int | None = None,
    rebalance: bool | int = True,
    boundary_ratio: float = 1.5,
    direct_ratio: float = 1.0,
    day: str | None = None,
) -> TieredPlan:
    """Plan trunk, last-mile and direct routes for village-level orders (see the module docstring).

    ``trunk_fleet``: vehicle types based at the hub (their depots are set to the
    hub).  ``last_mile_fleet``: vehicle types every station gets (and the hub,
    for direct service), or a mapping depot id → types; a type's name becomes
    ``<name>@<depot>``.  ``direct_from_hub``: ``"auto"`` (compare the cost),
    ``True`` (every candidate village direct), ``False`` (never) or village ids
    to serve directly.  ``workers``: processes for the per-station problems
    (default: the CPU count; 1 solves in this process).  ``rebalance``: the
    boundary-village pass (``True``, ``False``, or the number of moves to try).
    ``matrix``: a travel matrix over the network's nodes (default:
    ``network.travel_matrix()``).  ``time_limit`` covers the whole call, roughly.
    """
    if not (time_limit > 0):
        raise ProblemError(f"time_limit must be positive, got {time_limit}", record="plan_tiers", field="time_limit")
    layout = network if isinstance(network, Layout) else Layout.from_network(network, matrix)
    planner = _Planner(
        layout,
        orders,
        trunk_fleet,
        last_mile_fleet,
        products,
        costs,
        handling_s,
        time_limit,
        seed,
        direct_from_hub,
        workers,
        engine,
        iterations,
        rebalance,
        boundary_ratio,
        direct_ratio,
        day,
    )
    return planner.run()


# --------------------------------------------------------------------------- demo data


def demo_network(
    stations: int = 3, villages_per_station: int = 8, near_hub: int = 3, seed: int = 0, radius_km: float = 18.0
) -> Network:
    """A small synthetic three-tier network around Yanhu's hub position (every node ``synthetic``).

    Stations sit on a ring ``radius_km`` from the hub, villages within ~7 km of
    their station, plus ``near_hub`` villages close to the hub that still belong
    to the nearest station (candidates for direct service).
    """
    rng = np.random.default_rng(seed)
    lat0, lon0 = 35.07, 111.03
    kx = 1.0 / (111.32 * math.cos(math.radians(lat0)))
    ky = 1.0 / 110.57
    rows = [{"node_id": "hub", "name": "hub", "tier": "hub", "parent": None, "lon": lon0, "lat": lat0}]
    st_xy = {}
    for k in range(stations):
        ang = 2 * math.pi * k / stations + 0.3
        x, y = radius_km * math.cos(ang), radius_km * math.sin(ang)
        sid = f"st{k + 1}"
        st_xy[sid] = (x, y)
        rows.append(
            {
                "node_id": sid,
                "name": f"station {k + 1}",
                "tier": "station",
                "parent": "hub",
                "lon": lon0 + x * kx,
                "lat": lat0 + y * ky,
            }
        )
    n = 0
    for sid, (x, y) in st_xy.items():
        for _ in range(villages_per_station):
            r, a = rng.uniform(2.0, 7.0), rng.uniform(0, 2 * math.pi)
            n += 1
            rows.append(
                {
                    "node_id": f"v{n:03d}",
                    "name": f"village {n}",
                    "tier": "village",
                    "parent": sid,
                    "lon": lon0 + (x + r * math.cos(a)) * kx,
                    "lat": lat0 + (y + r * math.sin(a)) * ky,
                }
            )
    for _ in range(near_hub):
        r, a = rng.uniform(1.5, 4.0), rng.uniform(0, 2 * math.pi)
        x, y = r * math.cos(a), r * math.sin(a)
        sid = min(st_xy, key=lambda s: (st_xy[s][0] - x) ** 2 + (st_xy[s][1] - y) ** 2)
        n += 1
        rows.append(
            {
                "node_id": f"v{n:03d}",
                "name": f"village {n}",
                "tier": "village",
                "parent": sid,
                "lon": lon0 + x * kx,
                "lat": lat0 + y * ky,
            }
        )
    df = pd.DataFrame(rows)
    df["synthetic"] = True
    gdf = gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326"
    )
    return Network(gdf, name="demo-tiers")


DEMO_PRODUCTS = {
    "meat": Product("meat", "chilled", shelf_life_h=12, value=40.0),
    "vegetables": Product("vegetables", "fresh", shelf_life_h=24, value=6.0),
    "groceries": Product("groceries", "ambient", value=10.0),
    "produce": Product("produce", "fresh", shelf_life_h=10, value=8.0),
}


def demo_orders(
    network: Network, seed: int = 0, produce_share: float = 0.4, products: Mapping[str, Product] | None = None
) -> list[Order]:
    """One delivery per village (chilled/fresh/ambient mix) and produce pickups from some villages."""
    rng = np.random.default_rng(seed)
    out = []
    for v in sorted(network.villages.index):
        q = {
            "meat": float(rng.integers(0, 4) * 10),
            "vegetables": float(rng.integers(1, 6) * 10),
            "groceries": float(rng.integers(0, 5) * 10),
        }
        out.append(
            Order(
                f"d-{v}",
                {k: x for k, x in q.items() if x > 0},
                node_id=v,
                time_windows=((8 * 3600, 18 * 3600),),
                service=300,
            )
        )
        if rng.random() < produce_share:
            out.append(
                Order(
                    f"p-{v}",
                    {"produce": float(rng.integers(2, 9) * 25)},
                    node_id=v,
                    kind="pickup",
                    time_windows=((9 * 3600, 17 * 3600),),
                    service=600,
                )
            )
    return out


def demo_fleets(trunk: int = 3, vans: int = 3) -> tuple[list[VehicleType], list[VehicleType]]:
    """A 5 t reefer truck type for the trunk and a 1.2 t two-compartment van type for the last mile."""
    from logistics.core.model import Compartment

    truck = VehicleType(
        "reefer-5t",
        trunk,
        (Compartment("chilled", 2000), Compartment("fresh", 2500), Compartment("ambient", 1500)),
        start_depot="hub",
        fixed_cost=300.0,
        cost_per_km=2.2,
        cost_per_hour=45.0,
        shift=(5 * 3600, 22 * 3600),
        speed_factor=1.15,
    )
    van = VehicleType(
        "van-1t",
        vans,
        (Compartment("chilled", 500), Compartment("ambient", 700)),
        start_depot="hub",
        fixed_cost=120.0,
        cost_per_km=1.1,
        cost_per_hour=30.0,
        shift=(6 * 3600, 20 * 3600),
    )
    return [truck], [van]
