"""Last-mile legs: each depot's orders as its vans see them, the depot's problem, and solving many legs.

A station's vans can only carry what the trunk brought, so an order on a station leg gets tighter
windows (cut at the shelf-life deadline counted from the trunk's departure) and its vans a later
shift start (the *release*).  Produce pickups keep part of their shelf life for the trunk.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from logistics.core.model import Order, VehicleType
from logistics.core.plan import Plan
from logistics.core.problem import Problem
from logistics.core.shares import MIN_SEARCH_S, TIERS_RETIME_PER_LEG_S
from logistics.core.units import fmt_clock
from logistics.planners.tiers.context import TRUNK_SLACK, UNSERVED_WEIGHT, TierContext
from logistics.planners.tiers.operations import retime_earliest
from logistics.planners.tiers.solving import solve_many
from logistics.planners.tiers.stations import station_fleet

__all__ = ["Leg", "drop_empty", "leg_order", "lm_problem", "solve_legs"]

K = TypeVar("K", bound=Hashable)


@dataclass
class Leg:
    """One depot's last mile: its problem, its plan once solved, and what was left out before solving.

    Parameters
    ----------
    depot
        Station id, or the hub id for direct service.
    problem
        The depot's problem (``None`` when no van can serve it).
    plan
        The solved plan, re-timed to the earliest finish.
    excluded
        Order id → why it was left out before solving.
    release
        Shift start given to the depot's vans (when the trunk's goods are ready).
    """

    depot: str
    problem: Problem | None
    plan: Plan | None
    excluded: dict[str, str]
    release: int | None = None

    def score(self) -> float:
        """Orders left out weigh ``UNSERVED_WEIGHT`` each, plus the plan's cost: lower is better.

        Returns
        -------
        float
            The score; used to pick between hub-direct variants and boundary moves.
        """
        n_out = len(self.excluded) + (len(self.plan.unserved) if self.plan is not None else 0)
        cost = float(self.plan.kpis.get("cost", 0.0)) if self.plan is not None else 0.0
        return n_out * UNSERVED_WEIGHT + cost


def _restrict(ctx: TierContext, o: Order, depot: str) -> Order:
    """``vehicle_types`` naming last-mile types are renamed to the depot's copies; other names are dropped."""
    if getattr(o, "vehicle_types", None) is None:
        return o
    names = {vt.name.rsplit("@", 1)[0]: vt.name for vt in ctx.lm_types.get(depot, [])}
    keep = tuple(names[n] for n in o.vehicle_types or () if n in names)
    return replace(o, vehicle_types=keep or None)


def leg_order(ctx: TierContext, o: Order, depot: str, release: int | None) -> tuple[Order | None, str | None]:
    """The order as the depot's last mile sees it (tighter windows / shelf life), or a reason it cannot.

    Parameters
    ----------
    ctx
        The planner's context.
    o
        A village-level order.
    depot
        The depot serving its village (the hub: the order is unchanged but for vehicle types).
    release
        When the depot's vans may leave, if known.

    Returns
    -------
    tuple
        ``(order, None)`` or ``(None, reason)``.
    """
    o = _restrict(ctx, o, depot)
    if depot == ctx.hub:
        return o, None
    if o.kind == "delivery":
        return _delivery(ctx, o, depot, release)
    # produce pickup: keep part of the shelf life for handling and the trunk
    S = ctx.shelf[o.id]
    if S is None:
        return o, None
    rest = S - ctx.handling - ctx.trunk_dur(depot, ctx.hub)
    budget = int(rest * (1.0 - TRUNK_SLACK))
    if budget <= 0:
        return None, (
            f"via station {depot}: shelf life {S / 3600:.1f} h is shorter than handling + trunk drive to the hub"
        )
    return replace(o, shelf_life_h=budget / 3600.0), None


def _delivery(ctx: TierContext, o: Order, depot: str, release: int | None) -> tuple[Order | None, str | None]:
    """A delivery through a station: windows cut at the trunk departure + shelf life."""
    S = ctx.shelf[o.id]
    vt_start = min((vt.shift[0] for vt in ctx.lm_types.get(depot, [])), default=0)
    vt_start = max(vt_start, ctx.hours.get(depot, (0, 0))[0])
    earliest_release = max(vt_start, ctx.trunk_t0 + ctx.trunk_dur(ctx.hub, depot) + ctx.handling)
    if release is not None:
        earliest_release = max(earliest_release, release)
    earliest = earliest_release + ctx.lm_dur(depot, depot, str(o.node_id))
    windows = list(o.time_windows)
    soft = o.soft
    max_late = int(round(ctx.costs.max_lateness_h * 3600))
    if S is not None:
        deadline = ctx.trunk_t0 + S
        late = max_late if soft else 0
        cut = [(a, min(b, deadline - late)) for a, b in windows if a <= deadline - late]
        if not cut:
            cut = [(a, min(b, deadline)) for a, b in windows if a <= deadline]
            soft = False
        windows = cut
        if not windows or earliest > windows[-1][1]:
            need = (earliest - ctx.trunk_t0) / 3600
            return None, (
                f"via station {depot}: shelf life {S / 3600:.1f} h is shorter than trunk + "
                f"handling + last mile ({need:.1f} h)"
            )
    if earliest > windows[-1][1] + (int(ctx.costs.max_lateness_h * 3600) if soft else 0):
        return None, (
            f"via station {depot}: earliest arrival {fmt_clock(earliest)} (trunk, handling, "
            f"drive) is after the window closes ({fmt_clock(windows[-1][1])})"
        )
    if tuple(windows) == o.time_windows and soft == o.soft:
        return o, None
    return replace(o, time_windows=tuple(windows), soft=soft), None


def lm_problem(ctx: TierContext, depot: str, villages: Iterable[str], release: int | None) -> Leg:
    """The last-mile leg of ``depot`` serving ``villages``, its vans released at ``release``.

    Deliveries the trunk does not carry (``ctx.no_trunk``) and orders `leg_order` rejects
    are left out with their reason.

    Parameters
    ----------
    ctx
        The planner's context.
    depot
        Station id or the hub id.
    villages
        The villages the depot serves.
    release
        When the trunk's goods are ready at the station (``None``: the vans' own shift).

    Returns
    -------
    Leg
        The unsolved leg.
    """
    orders, excluded = [], {}
    for v in sorted(villages):
        for o in ctx.at_village.get(v, []):
            if depot != ctx.hub and o.kind == "delivery" and o.id in ctx.no_trunk:
                excluded[o.id] = ctx.no_trunk[o.id]
                continue
            lo, why = leg_order(ctx, o, depot, release)
            if lo is None:
                excluded[o.id] = str(why)
            else:
                orders.append(lo)
    fleet = _released_fleet(ctx, depot, release, any(o.kind == "pickup" for o in orders))
    if not fleet:
        for o in orders:
            excluded[o.id] = f"no last-mile vehicle is based at {depot}"
        return Leg(depot, None, None, excluded, release)
    if not any(vt.count for vt in fleet):
        why = (
            f"the trunk reaches {depot} too late: goods ready at {fmt_clock(release or 0)}, after the "
            f"last-mile shift ends"
        )
        for o in orders:
            excluded[o.id] = why
        return Leg(depot, None, None, excluded, release)
    kind = "direct" if depot == ctx.hub else "last mile"
    p, ex = ctx.make_problem(f"{kind} {depot}", orders, fleet, [depot], f"{kind} {depot}")
    excluded.update(ex)
    return Leg(depot, p, None, excluded, release)


def _released_fleet(ctx: TierContext, depot: str, release: int | None, takes_produce: bool) -> list[VehicleType]:
    """The depot's van types within its opening hours, starting no earlier than ``release`` (none left: count 0)."""
    fleet = []
    for vt in station_fleet(ctx, depot, list(ctx.lm_types.get(depot, [])), takes_produce):
        if depot != ctx.hub and release is not None:
            start = max(vt.shift[0], release)
            if start > vt.shift[1]:
                fleet.append(replace(vt, count=0, shift=(vt.shift[1], vt.shift[1])))
                continue
            vt = replace(vt, shift=(start, vt.shift[1]))
        fleet.append(vt)
    return fleet


def solve_legs(ctx: TierContext, legs: Mapping[K, Leg], limit: float, cap: bool = False) -> None:
    """Solve every leg that has a problem (in parallel), re-timed to finish early; plans set in place.

    Parameters
    ----------
    ctx
        The planner's context (seed, engine, iterations, workers).
    legs
        Key → leg.
    limit
        Seconds for the whole batch.
    cap
        Cap each solve at `size_limit` (short trials).
    """
    todo = {k: leg.problem for k, leg in legs.items() if leg.problem is not None}
    # re-timing each plan afterwards is part of the batch's time
    limit = max(MIN_SEARCH_S, limit - TIERS_RETIME_PER_LEG_S * len(todo))
    plans = solve_many(todo, limit, options=ctx.options, cap=cap, pool=ctx.pool)
    for k, leg in legs.items():
        if leg.problem is not None:
            leg.plan = retime_earliest(leg.problem, plans[k])


def drop_empty(legs: dict[str, Leg], assign: Mapping[str, str]) -> None:
    """Remove the legs of depots no village is assigned to any more.

    Parameters
    ----------
    legs
        Legs by depot id; changed in place.
    assign
        Village id → depot id.
    """
    for d in list(legs):
        if not any(x == d for x in assign.values()):
            del legs[d]
