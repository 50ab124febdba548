"""What every step of the tier planner reads: the settings, the checked inputs, fleets per depot, drive times.

`TierSettings` holds the planner's own knobs (how to plan); a
[SolveOptions][logistics.core.options.SolveOptions] says how long and how to search.  A
`TierContext` is built once per call from both and the inputs: orders checked and indexed
by village, shelf lives, the trunk and last-mile fleets moved to their depots, the hub-direct
policy, and a [Budget][logistics.core.options.Budget] that hands each phase its time.  It also
carries the little state the phases pass on (the decision log, orders no trunk carries).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.model import GOODS, Order, Product, VehicleType
from logistics.core.options import Budget, SolveOptions
from logistics.core.problem import Problem
from logistics.core.shares import MIN_SEARCH_S, TIERS_ASSEMBLE_S, TIERS_ASSEMBLE_SHARE, TIERS_PHASE_FLOOR_S
from logistics.engine.parallel import WorkerPool
from logistics.planners.tiers.layout import Layout, shelf_life_s

__all__ = ["TRUNK_SLACK", "UNSERVED_WEIGHT", "LastMileFleet", "TierContext", "TierSettings"]

#: Share of a produce pickup's remaining shelf life (after handling and the direct trunk drive) kept for
#: the trunk.  A share of shelf life, not of the time limit, so it stays here rather than in core.shares.
TRUNK_SLACK = 0.25
#: Penalty used when comparing sub-plans: an order left out weighs more than any route cost.
UNSERVED_WEIGHT = 1e7

LastMileFleet = Sequence[VehicleType] | Mapping[str, Sequence[VehicleType] | VehicleType] | VehicleType


@dataclass(frozen=True)
class TierSettings:
    """How to plan the tiers (the search itself is set by [SolveOptions][logistics.core.options.SolveOptions]).

    Parameters
    ----------
    products
        Product name → product (``None``: one generic ``goods`` product); a list is keyed by name.
    costs
        The cost model of every leg (``None``: the default `CostModel`).
    handling_s
        Seconds to unload and reload goods at a station.
    direct_from_hub
        ``"auto"`` (compare the cost), ``True`` (every candidate village direct), ``False`` or
        ``None`` (never) or village ids to serve directly.
    rebalance
        The boundary-village pass: ``True``, ``False``, or the number of moves to try.
    boundary_ratio
        A village is on a boundary when another depot is at most this many times as far.
    direct_ratio
        A village is a direct candidate when the hub is at most this many times as far as its station.
    day
        The date the plan is for (reports and frames).
    cold_store_capacity
        Station id → what its cold store holds at once, in the products' unit (kg in the built-in
        scenarios); stations not named have no limit.  Goods of a refrigerated zone occupy it from
        the moment the trunk unloads them until their van leaves, and produce from the moment its
        van is back until the trunk that takes it up leaves (ambient goods do not).  The planner
        leaves out what does not fit, with the reason, rather than overfill it.
    opening_hours
        Station id → ``(open, close)`` in seconds from midnight; stations not named are always
        open.  Trucks unload and load, and vans leave and come back, only while it is open.
    """

    products: Mapping[str, Product] | Sequence[Product] | None = None
    costs: CostModel | None = None
    handling_s: int = 1800
    direct_from_hub: Any = "auto"
    rebalance: bool | int = True
    boundary_ratio: float = 1.5
    direct_ratio: float = 1.0
    day: str | None = None
    cold_store_capacity: Mapping[str, float] | None = None
    opening_hours: Mapping[str, tuple[int, int]] | None = None


@dataclass
class TierContext:
    """Checked inputs, derived tables and the run's time budget, shared by every planning step.

    Parameters
    ----------
    layout
        Hub, stations, villages' stations and the travel matrix.
    orders
        Village-level orders.
    trunk_fleet
        Trunk vehicle types (moved to the hub).
    last_mile_fleet
        Van types for every depot, or depot id → types (renamed ``<name>@<depot>``).
    settings
        The planner's settings.
    options
        Time limit, seed, engine, iterations and workers.
    pool
        Warm worker processes shared by the run's parallel rounds (None: each round starts its own).
    progress
        Told which leg starts and the cost so far (`plan_tiers`' ``progress``).
    """

    layout: Layout
    orders_in: Sequence[Order]
    trunk_fleet: Sequence[VehicleType]
    last_mile_fleet: LastMileFleet
    settings: TierSettings
    options: SolveOptions
    pool: WorkerPool | None = None
    #: ``progress(leg, cost so far)`` as each leg starts (see `plan_tiers`)
    progress: Callable[[str, float], None] | None = None
    budget: Budget = field(init=False)
    log: list[dict[str, Any]] = field(init=False, default_factory=list)
    #: seconds handed to each phase, in order (``meta["phase_limits_s"]``)
    phase_limits: list[float] = field(init=False, default_factory=list)
    #: wall seconds each phase took (``meta["phase_elapsed_s"]``), and each last-mile solve of the first
    #: round (``meta["leg_elapsed_s"]``: station, ``alt <station>`` without its direct candidates, hub)
    phase_elapsed: dict[str, float] = field(init=False, default_factory=dict)
    leg_elapsed: dict[str, float] = field(init=False, default_factory=dict)
    #: order id -> (leg, reason): produce left out by the trunk inbound or the stations' cold stores
    unserved: dict[str, tuple[str, str]] = field(init=False, default_factory=dict)
    #: deliveries the current trunk plan does not carry -> reason
    no_trunk: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.budget = self.options.budget()
        s = self.settings
        self.hub = self.layout.hub
        self.tm = self.layout.matrix
        self.handling = int(s.handling_s)
        self.boundary_ratio = float(s.boundary_ratio)
        self.direct_ratio = float(s.direct_ratio)
        products: Any = s.products if s.products is not None else {"goods": GOODS}
        if isinstance(products, (list, tuple)):
            products = {p.name: p for p in products}
        self.products: dict[str, Product] = dict(products)
        self.costs = s.costs if s.costs is not None else CostModel()
        self.orders = tuple(self.orders_in)
        self._check_orders()
        self.shelf = {o.id: shelf_life_s(o, self.products) for o in self.orders}
        self.by_id = {o.id: o for o in self.orders}
        self.at_village: dict[str, list[Order]] = {}
        for o in self.orders:
            self.at_village.setdefault(str(o.node_id), []).append(o)
        if not self.trunk_fleet:
            raise ProblemError("the trunk fleet is empty", record="trunk_fleet", field="trunk_fleet")
        self.trunk_types = [replace(vt, start_depot=self.hub, end_depot=self.hub) for vt in self.trunk_fleet]
        self.trunk_t0 = min(vt.shift[0] for vt in self.trunk_types)
        self.capacity = self._capacities(s.cold_store_capacity)
        self.hours = self._hours(s.opening_hours)
        self.lm_types = self._lm_fleets(self.last_mile_fleet)
        self.direct_mode, self.direct_forced = self._direct_policy(s.direct_from_hub)

    # -- inputs ---------------------------------------------------------------------------------
    def _check_orders(self) -> None:
        seen = set()
        for o in self.orders:
            if o.id in seen:
                raise ProblemError(f"order {o.id!r} appears more than once", record=o.id, field="id")
            seen.add(o.id)
            if o.node_id is None or o.node_id not in self.layout.parent:
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

    def _capacities(self, spec: Mapping[str, float] | None) -> dict[str, float]:
        """Station → cold-store capacity, checked: stations of the network, finite and not negative."""
        out: dict[str, float] = {}
        for sid, cap in (spec or {}).items():
            sid = str(sid)
            self._check_station(sid, "cold_store_capacity")
            try:
                value = float(cap)
            except (TypeError, ValueError):
                value = math.nan
            if not math.isfinite(value) or value < 0:
                raise ProblemError(
                    f"cold_store_capacity of station {sid!r} must be a number ≥ 0, got {cap!r}",
                    record=sid,
                    field="cold_store_capacity",
                )
            out[sid] = value
        return out

    def _hours(self, spec: Mapping[str, tuple[int, int]] | None) -> dict[str, tuple[int, int]]:
        """Station → (open, close) in seconds, checked: stations of the network, open before close."""
        out: dict[str, tuple[int, int]] = {}
        for sid, span in (spec or {}).items():
            sid = str(sid)
            self._check_station(sid, "opening_hours")
            try:
                a, b = (int(x) for x in span)
            except (TypeError, ValueError):
                a, b = 0, -1
            if not 0 <= a < b:
                raise ProblemError(
                    f"opening_hours of station {sid!r} must be (open, close) seconds from midnight with "
                    f"open < close, got {span!r}",
                    record=sid,
                    field="opening_hours",
                )
            out[sid] = (a, b)
        return out

    def _check_station(self, sid: str, what: str) -> None:
        if sid not in self.layout.stations:
            raise ProblemError(f"{what}: {sid!r} is not a station of the network", record=sid, field=what)

    def _lm_fleets(self, fleet: LastMileFleet) -> dict[str, list[VehicleType]]:
        depots = list(self.layout.stations) + [self.hub]
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
            types = [fleet] if isinstance(fleet, VehicleType) else list(fleet)
            spec = {d: list(types) for d in depots}
        out = {}
        for d, vts in spec.items():
            out[d] = [replace(vt, name=f"{vt.name}@{d}", start_depot=d, end_depot=d) for vt in vts]
        return out

    def _direct_policy(self, direct: Any) -> tuple[str, set[str]]:
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
        bad = [v for v in ids if v not in self.layout.parent]
        if bad:
            raise ProblemError(f"direct_from_hub: {bad[0]!r} is not a village", record=bad[0], field="direct_from_hub")
        return "given", ids

    # -- time ------------------------------------------------------------------------------------
    def phase_s(self, share_keep: tuple[float, float]) -> float:
        """Seconds for a phase: ``share`` of the limit, but leave ``keep`` of it for later phases.

        Parameters
        ----------
        share_keep
            ``(share, keep)``, both fractions of the whole time limit (see [logistics.core.shares][]).

        Returns
        -------
        float
            Seconds, at least ``TIERS_PHASE_FLOOR_S`` while that much is left (``MIN_SEARCH_S`` once it
            is not) but never more than ``share`` of the limit: the floor must not make the phases add
            up to more than the limit.
        """
        share, keep = share_keep
        limit = self.budget.limit
        left = self.budget.left() - keep * limit - min(TIERS_ASSEMBLE_SHARE * limit, TIERS_ASSEMBLE_S)
        # what is left decides once the earlier phases' fixed costs (model building, re-timing) are paid;
        # the floor only where time is left for it, so that a short limit is kept rather than overrun
        floor = min(TIERS_PHASE_FLOOR_S, share * limit) if left >= TIERS_PHASE_FLOOR_S else MIN_SEARCH_S
        seconds = max(floor, min(share * limit, left))
        self.phase_limits.append(round(seconds, 4))
        return seconds

    # -- drive times -----------------------------------------------------------------------------
    def dur(self, a: str, b: str, factor: float = 1.0) -> int:
        """Seconds from ``a`` to ``b`` at speed ``factor``, rounded.

        Parameters
        ----------
        a
            Node id of the origin.
        b
            Node id of the destination.
        factor
            A vehicle type's ``speed_factor`` (1.2 = 20 % slower).

        Returns
        -------
        int
            Seconds.
        """
        m = self.tm
        return int(round(float(m.duration[m.index(a), m.index(b)]) * factor))

    def trunk_dur(self, a: str, b: str) -> int:
        """The fastest trunk vehicle's seconds from ``a`` to ``b``.

        Parameters
        ----------
        a
            Node id of the origin.
        b
            Node id of the destination.

        Returns
        -------
        int
            Seconds: a lower bound for any trunk vehicle, used for shelf-life budgets.
        """
        return min(self.dur(a, b, vt.speed_factor) for vt in self.trunk_types)

    def lm_dur(self, depot: str, a: str, b: str) -> int:
        """The fastest van of ``depot``: seconds from ``a`` to ``b`` (matrix time when it has none).

        Parameters
        ----------
        depot
            The station (or hub) whose last-mile vans count.
        a
            Node id of the origin.
        b
            Node id of the destination.

        Returns
        -------
        int
            Seconds.
        """
        types = self.lm_types.get(depot) or []
        return min((self.dur(a, b, vt.speed_factor) for vt in types), default=self.dur(a, b))

    def direct_candidates(self) -> list[str]:
        """Villages with orders at least as close to the hub as ``direct_ratio`` times their station.

        Returns
        -------
        list of str
            Village ids, sorted: candidates for service by hub-based vans.
        """
        out = []
        for v, s in self.layout.parent.items():
            if v in self.at_village and self.dur(self.hub, v) <= self.direct_ratio * self.dur(s, v):
                out.append(v)
        return sorted(out)

    # -- problems --------------------------------------------------------------------------------
    def make_problem(
        self, name: str, orders: list[Order], fleet: list[VehicleType], depots: Iterable[str], leg: str
    ) -> tuple[Problem | None, dict[str, str]]:
        """A Problem on the sub-matrix; orders the model rejects are returned as excluded with the reason.

        Parameters
        ----------
        name
            The problem's name.
        orders
            Its orders.
        fleet
            Its vehicle types; ``None`` is returned when none has a vehicle.
        depots
            Depot ids to include in the sub-matrix.
        leg
            The leg's name, prefixed to every exclusion reason.

        Returns
        -------
        tuple
            The problem (or ``None``) and order id → why it was left out.
        """
        excluded: dict[str, str] = {}
        orders = list(orders)
        if not any(vt.count for vt in fleet):
            return None, {o.id: f"{leg}: no vehicle is available" for o in orders}
        while True:
            ids = list(dict.fromkeys(list(depots) + [str(o.node_id) for o in orders]))
            coords = {k: self.layout.coords[k] for k in ids if k in self.layout.coords}
            try:
                p = Problem(
                    orders=tuple(orders),
                    fleet=tuple(fleet),
                    products=self.products,
                    matrix=self.tm.sub(ids),
                    network=self.layout.network,
                    costs=self.costs,
                    name=name,
                    day=self.settings.day,
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
