"""The planning algorithm: trunk out, last mile (and hub-direct), re-balancing, trunk again, trunk in.

See [logistics.planners.tiers][] for the schedule and the rules.
[plan_tiers][logistics.planners.tiers.planner.plan_tiers] is the entry point; `TierPlanner` runs the phases in
order, each a short method, on a `TierContext` that holds the inputs and the time budget.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from logistics.core.costs import CostModel
from logistics.core.model import Order, Product, VehicleType
from logistics.core.options import SolveOptions, resolve_options
from logistics.core.shares import (
    TIERS_LAST_MILE,
    TIERS_RECONCILE,
    TIERS_TRUNK_AGAIN,
    TIERS_TRUNK_IN,
    TIERS_TRUNK_OUT,
    TIERS_TRUNK_RETRY,
)
from logistics.engine.parallel import WorkerPool, worker_count
from logistics.planners.tiers.assemble import assemble
from logistics.planners.tiers.context import LastMileFleet, TierContext, TierSettings
from logistics.planners.tiers.layout import Layout
from logistics.planners.tiers.legs import Leg, drop_empty, lm_problem, solve_legs
from logistics.planners.tiers.operations import drop_stops
from logistics.planners.tiers.rebalance import rebalance
from logistics.planners.tiers.result import TieredPlan
from logistics.planners.tiers.stations import fit_produce
from logistics.planners.tiers.trunk import Wave, trim, trunk_in, trunk_out
from networks import Network, TravelMatrix

__all__ = ["TierPlanner", "plan_tiers", "trunk_share"]

#: Marks a keyword shortcut of `plan_tiers` that was not given (``None`` means "never" for ``direct_from_hub``).
UNSET: Any = object()

#: plan_tiers' time limit when neither ``time_limit`` nor ``options`` gives one (s).
DEFAULT_TIME_LIMIT_S = 30.0


class TierPlanner:
    """The phases of one planning call, in order, on one context.

    Parameters
    ----------
    ctx
        Inputs, settings, options and the time budget.
    """

    def __init__(self, ctx: TierContext) -> None:
        self.ctx = ctx
        self._t = 0.0

    def run(self) -> TieredPlan:
        """Plan the day (see the module docstring of [logistics.planners.tiers][]).

        Returns
        -------
        TieredPlan
            The plan of every leg with transfers and KPIs; ``meta["phase_elapsed_s"]`` has the wall seconds of
            each phase and ``meta["leg_elapsed_s"]`` those of each first-round last-mile solve.
        """
        ctx = self.ctx
        self._t = ctx.budget.elapsed()
        ctx.phase_elapsed["setup"] = round(self._t, 3)
        assign, cands = self._initial_assignment()
        # 1. trunk outbound on the station demand (auto: candidates go through stations first)
        self._report("trunk outbound", None, {})
        out = trunk_out(ctx, assign, ctx.phase_s(TIERS_TRUNK_OUT))
        release = out.release
        self._lap("trunk outbound")
        # 2. last mile per depot, plus the direct alternative for candidates
        self._report("last mile", out, {})
        legs = self._last_mile(assign, cands, release)
        self._lap("last mile")
        # 3. boundary re-balancing
        self._report("re-balancing", out, legs)
        changed = rebalance(ctx, assign, legs, release) if ctx.settings.rebalance else False
        direct_changed = any(assign[v] != ctx.layout.parent[v] for v in assign)
        self._lap("re-balancing")
        # 4. trunk again if station loads changed; keep every station's release
        if changed or direct_changed:
            self._report("trunk outbound again", out, legs)
            out = self._trunk_again(assign, legs, release)
            self._lap("trunk outbound again")
        # 5. goods the last mile cannot deliver stay at the hub: trim the trunk loads
        out = trim(ctx, out, legs)
        # 6. produce the stations' cold stores cannot hold until a truck comes is not collected
        fit_produce(ctx, {d: leg.plan for d, leg in legs.items()}, _arrivals(out))
        self._lap("hand-over (trim, cold stores)")
        # 7. trunk inbound for the produce
        self._report("trunk inbound", out, legs)
        inbound = trunk_in(ctx, out, legs, ctx.phase_s(TIERS_TRUNK_IN))
        self._lap("trunk inbound")
        self._drop_stranded(legs)
        tp = assemble(ctx, out, inbound, legs, assign)
        self._lap("hand-over (assemble)")
        tp.meta["phase_elapsed_s"] = dict(ctx.phase_elapsed)
        tp.meta["leg_elapsed_s"] = dict(ctx.leg_elapsed)
        tp.meta["elapsed_s"] = round(ctx.budget.elapsed(), 3)
        return tp

    def _lap(self, phase: str) -> None:
        """Add the wall seconds since the previous lap to ``phase`` in ``ctx.phase_elapsed``."""
        now = self.ctx.budget.elapsed()
        self.ctx.phase_elapsed[phase] = round(self.ctx.phase_elapsed.get(phase, 0.0) + now - self._t, 3)
        self._t = now

    def _report(self, leg: str, out: Wave | None, legs: Mapping[str, Leg]) -> None:
        """Tell ``ctx.progress`` which leg starts and the cost of the legs planned so far."""
        if self.ctx.progress is None:
            return
        plans = [out.plan if out is not None else None] + [leg.plan for leg in legs.values()]
        self.ctx.progress(leg, round(sum(float(p.kpis.get("cost", 0.0)) for p in plans if p is not None), 2))

    def _initial_assignment(self) -> tuple[dict[str, str], list[str]]:
        """Village → depot before any search (forced direct villages at the hub), and direct candidates."""
        ctx = self.ctx
        assign = {v: ctx.layout.parent[v] for v in ctx.layout.parent}
        cands = ctx.direct_candidates() if ctx.direct_mode in ("auto", "all") else []
        if ctx.direct_mode == "all":
            for v in cands:
                assign[v] = ctx.hub
        elif ctx.direct_mode == "given":
            for v in ctx.direct_forced:
                assign[v] = ctx.hub
        return assign, cands

    def _last_mile(self, assign: dict[str, str], cands: list[str], release: Mapping[str, int]) -> dict[str, Leg]:
        """Every depot's leg; with ``"auto"``, candidates go direct when that is cheaper for their stations."""
        ctx = self.ctx
        legs = {
            d: lm_problem(ctx, d, [v for v, x in assign.items() if x == d], release.get(d))
            for d in list(ctx.layout.stations) + [ctx.hub]
            if any(x == d for x in assign.values())
        }
        alt: dict[str, Leg] = {}
        if ctx.direct_mode == "auto" and cands:
            affected = sorted({assign[v] for v in cands})
            for s in affected:
                keep = [v for v, x in assign.items() if x == s and v not in cands]
                alt[s] = lm_problem(ctx, s, keep, release.get(s))
            alt[ctx.hub] = lm_problem(ctx, ctx.hub, cands, None)
        batch: dict[Hashable, Leg] = dict(legs) | {("alt", k): v for k, v in alt.items()}
        solve_legs(ctx, batch, ctx.phase_s(TIERS_LAST_MILE))
        for k, leg in batch.items():
            if leg.plan is not None:
                name = f"{k[0]} {k[1]}" if isinstance(k, tuple) else str(k)
                ctx.leg_elapsed[name] = round(float(leg.plan.meta.get("elapsed_s", 0.0)), 3)
        if alt:
            share = trunk_share(ctx, cands)
            base = sum(legs[s].score() for s in alt if s != ctx.hub) + share
            other = sum(alt[k].score() for k in alt)
            ctx.log.append(
                {
                    "step": "direct",
                    "villages": len(cands),
                    "via_stations": round(base, 2),
                    "trunk_share": round(share, 2),
                    "direct": round(other, 2),
                    "chosen": "direct" if other < base - 1e-6 else "stations",
                }
            )
            if other < base - 1e-6:
                for v in cands:
                    assign[v] = ctx.hub
                for k, leg in alt.items():
                    legs[k] = leg
        drop_empty(legs, assign)
        return legs

    def _trunk_again(self, assign: Mapping[str, str], legs: dict[str, Leg], release: Mapping[str, int]) -> Wave:
        """The trunk re-planned for the new station loads, then stations whose goods come later re-planned."""
        ctx = self.ctx
        latest = {s: r - ctx.handling for s, r in release.items()}
        out = trunk_out(ctx, assign, ctx.phase_s(TIERS_TRUNK_AGAIN), latest)
        if any(why.startswith("trunk:") for why in out.excluded.values()):
            out = trunk_out(ctx, assign, ctx.phase_s(TIERS_TRUNK_RETRY))
        self._reconcile(out, assign, legs)
        return out

    def _reconcile(self, out: Wave, assign: Mapping[str, str], legs: dict[str, Leg]) -> None:
        """Re-plan stations whose goods now arrive later than their vans were told."""
        ctx = self.ctx
        redo = {}
        for s, leg in legs.items():
            if s == ctx.hub:
                continue
            new = out.release.get(s)
            lost = leg.plan is not None and any(o in ctx.no_trunk for o in leg.plan.served_ids)
            if lost or (new is not None and (leg.release is None or new > leg.release)):
                redo[s] = lm_problem(ctx, s, [v for v, x in assign.items() if x == s], new)
        if redo:
            solve_legs(ctx, redo, ctx.phase_s(TIERS_RECONCILE))
            legs.update(redo)

    def _drop_stranded(self, legs: Mapping[str, Leg]) -> None:
        """Produce no truck can take up, or no cold store hold, is not collected: its stops leave the van routes
        (other times unchanged)."""
        ctx = self.ctx
        stranded = set(ctx.unserved)
        for d, leg in legs.items():
            if leg.plan is None or leg.problem is None or d == ctx.hub:
                continue
            drop = stranded & set(leg.plan.served_ids)
            if drop:
                leg.plan = drop_stops(leg.problem, leg.plan, {oid: ctx.unserved[oid][1] for oid in drop})


def trunk_share(ctx: TierContext, villages: Sequence[str]) -> float:
    """What carrying the villages' goods between the hub and their stations adds to the trunk (¥, estimated).

    Each order takes its share of the largest trunk vehicle (its quantity over the vehicle's
    capacity) of a round trip hub → station → hub, priced at that vehicle's costs per km and per
    hour.  An estimate made before the trunk is planned: it puts the trunk into the comparison of
    the direct and the station variants, which would otherwise favour the stations.

    Parameters
    ----------
    ctx
        The planner's context.
    villages
        The villages whose goods would go through their stations.

    Returns
    -------
    float
        Yuan.
    """
    vt = max(ctx.trunk_types, key=lambda t: (t.count > 0, t.capacity))
    if vt.capacity <= 0:
        return 0.0
    m, hub = ctx.tm, ctx.hub
    total = 0.0
    for v in villages:
        s = ctx.layout.parent[v]
        km = (float(m.distance[m.index(hub), m.index(s)]) + float(m.distance[m.index(s), m.index(hub)])) / 1000.0
        hours = (ctx.trunk_dur(hub, s) + ctx.trunk_dur(s, hub)) / 3600.0
        trip = km * vt.cost_per_km + hours * vt.cost_per_hour
        for o in ctx.at_village.get(v, []):
            total += sum(o.quantities.values()) / vt.capacity * trip
    return total


def _arrivals(out: Wave) -> dict[str, int]:
    """Delivery order id → when the trunk that carries it reaches its station."""
    return {oid: out.chunk_at[c][1] for c, members in out.members.items() if c in out.chunk_at for oid in members}


def plan_tiers(
    network: Network | Layout,
    orders: Sequence[Order],
    trunk_fleet: Sequence[VehicleType],
    last_mile_fleet: LastMileFleet,
    *,
    settings: TierSettings | None = None,
    options: SolveOptions | None = None,
    products: Mapping[str, Product] | Sequence[Product] | None = None,
    costs: CostModel | None = None,
    handling_s: int | None = None,
    time_limit: float | None = None,
    seed: int | None = None,
    direct_from_hub: Any = UNSET,
    workers: int | None = None,
    matrix: TravelMatrix | None = None,
    engine: str | None = None,
    iterations: int | None = None,
    rebalance: bool | int | None = None,
    boundary_ratio: float | None = None,
    direct_ratio: float | None = None,
    day: str | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> TieredPlan:
    """Plan trunk, last-mile and direct routes for village-level orders.

    See [logistics.planners.tiers][] for the schedule, the hub-direct choice and re-balancing.

    Parameters
    ----------
    network
        A three-tier network, or a [Layout][logistics.planners.tiers.Layout] (benchmark instances).
    orders
        Village-level deliveries and produce pickups.
    trunk_fleet
        Vehicle types based at the hub (their depots are set to the hub).
    last_mile_fleet
        Vehicle types every station gets (and the hub, for direct service), or a mapping depot
        id → types; a type's name becomes ``<name>@<depot>``.
    settings
        How to plan, as one object (cold-store capacities and opening hours of the stations
        live only there); default `TierSettings()`.  The keyword shortcuts below override its
        fields when given.
        Time limit (the whole call, roughly; default 30 s here), seed, engine, iterations and
        workers (processes for the per-station problems; default every core, 1 solves in this
        process).  The keyword shortcuts below override its fields.
    products
        Product name → product, or a list of products (default: one generic product).
    costs
        The cost model of every leg.
    handling_s
        Seconds to unload and reload goods at a station (default 1800).
    time_limit, seed, workers, engine, iterations
        Shortcuts for the fields of ``options``.
    direct_from_hub
        ``"auto"`` (compare the cost, the default), ``True`` (every candidate village direct),
        ``False`` or ``None`` (never) or village ids to serve directly.
    matrix
        A travel matrix over the network's nodes (default: ``network.travel_matrix()``).
    rebalance
        The boundary-village pass (``True``, ``False``, or the number of moves to try).
    boundary_ratio
        How much farther another depot may be for a village to count as on the boundary.
    direct_ratio
        How much farther than its station the hub may be for a village to be a direct candidate.
    day
        The date the plan is for.
    progress
        ``progress(leg, cost)`` as each leg starts (``"trunk outbound"``, ``"last mile"``, ...), with
        the cost of the legs planned so far: for progress displays of long runs.

    Returns
    -------
    TieredPlan
        Trunk and last-mile plans, transfers, unserved orders with reasons, and KPIs.
    """
    if time_limit is None and options is None:
        time_limit = DEFAULT_TIME_LIMIT_S
    opts = resolve_options(
        options,
        time_limit=time_limit,
        seed=seed,
        engine=engine,
        iterations=iterations,
        workers=workers,
    )
    layout = network if isinstance(network, Layout) else Layout.from_network(network, matrix)
    # the per-station batches never use more processes than there are depots (+1 for the alternative)
    opts = opts.merged(workers=worker_count(opts.workers, len(layout.stations) + 2))
    shortcuts: dict[str, Any] = {
        "products": products,
        "costs": costs,
        "handling_s": handling_s,
        "rebalance": rebalance,
        "boundary_ratio": boundary_ratio,
        "direct_ratio": direct_ratio,
        "day": day,
    }
    given = {k: v for k, v in shortcuts.items() if v is not None}
    if direct_from_hub is not UNSET:
        given["direct_from_hub"] = direct_from_hub
    settings = replace(settings if settings is not None else TierSettings(), **given)
    with WorkerPool(opts.workers) as pool:
        ctx = TierContext(layout, orders, trunk_fleet, last_mile_fleet, settings, opts, pool, progress)
        return TierPlanner(ctx).run()
