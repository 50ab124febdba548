"""The trunk: station demand packed into truck loads, the outbound and inbound waves, and trimming.

Each station's deliveries are packed first-fit decreasing into trunk orders ("chunks") that fit
the largest trunk vehicle; a chunk's window closes early enough for the last mile to reach every
village in time and its shelf life is what is left after handling and the van's drive.  The
produce each van brings back becomes trunk pickups whose window opens once it is unloaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from logistics.core.model import Order, VehicleType
from logistics.core.plan import Plan
from logistics.core.problem import Problem
from logistics.core.units import DAY, fmt_clock
from logistics.engine.build_plan import build_plan
from logistics.engine.solvers import arrays
from logistics.planners.tiers.context import TierContext
from logistics.planners.tiers.legs import Leg, leg_order
from logistics.planners.tiers.operations import earliest_route, retime_earliest, stop_rows, vehicle_index
from logistics.planners.tiers.solving import solve_one, trunk_limit
from logistics.planners.tiers.stations import fit_deliveries, open_window

__all__ = ["Wave", "pack", "sum_qty", "trim", "trunk_in", "trunk_out"]


@dataclass
class Wave:
    """One trunk wave: its problem and plan, and which village orders each trunk order carries.

    Parameters
    ----------
    problem, plan
        The wave's problem and (re-timed) plan; ``None`` when there was nothing to carry.
    members
        Trunk order id → ids of the village orders in it.
    excluded
        Village order id → why the trunk does not carry it (outbound).
    release
        Station → when its goods are ready for the vans (last unloading + handling; outbound).
    chunk_at
        Trunk order id → (vehicle, arrival, departure) at its station (outbound).
    """

    problem: Problem | None
    plan: Plan | None
    members: dict[str, list[str]]
    excluded: dict[str, str] = field(default_factory=dict)
    release: dict[str, int] = field(default_factory=dict)
    chunk_at: dict[str, tuple[str, int, int]] = field(default_factory=dict)


def _chunk_capacity_type(ctx: TierContext) -> VehicleType:
    return max(ctx.trunk_types, key=lambda vt: (vt.count > 0, vt.capacity))


def pack(ctx: TierContext, orders: list[Order]) -> tuple[list[list[Order]], dict[str, str]]:
    """First-fit decreasing of orders into loads that fit the largest trunk vehicle.

    Parameters
    ----------
    ctx
        The planner's context (trunk fleet, products).
    orders
        The orders to pack.

    Returns
    -------
    tuple
        Loads (each sorted by order id) and order id → why it fits no trunk vehicle.
    """
    vt = _chunk_capacity_type(ctx)
    caps = np.array([c.capacity for c in vt.compartments], dtype=float)
    total = vt.capacity
    bins: list[tuple[np.ndarray, list[Order]]] = []
    too_big: dict[str, str] = {}

    def loads(o: Order) -> np.ndarray | None:
        q = np.zeros(len(caps))
        for p, x in o.quantities.items():
            k = vt.compartment_for(ctx.products[p])
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


def sum_qty(orders: list[Order]) -> dict[str, float]:
    """Quantities of ``orders`` summed per product (rounded to 1e-9, sorted by product).

    Parameters
    ----------
    orders
        The orders of one trunk chunk.

    Returns
    -------
    dict of str to float
        Product name → total, in the product's unit; rounding keeps float sums comparable.
    """
    q: dict[str, float] = {}
    for o in orders:
        for p, x in o.quantities.items():
            q[p] = q.get(p, 0.0) + x
    return {p: round(x, 9) for p, x in sorted(q.items())}


def _out_chunks(
    ctx: TierContext, assign: Mapping[str, str], latest: Mapping[str, int] | None = None
) -> tuple[list[Order], dict[str, list[str]], dict[str, str]]:
    """Trunk delivery orders per station, with their member order ids and orders that cannot go."""
    chunks: list[Order] = []
    members: dict[str, list[str]] = {}
    excluded: dict[str, str] = {}
    for s in ctx.layout.stations:
        cand = []
        for v in sorted(v for v, d in assign.items() if d == s):
            for o in ctx.at_village.get(v, []):
                if o.kind != "delivery":
                    continue
                lo, why = leg_order(ctx, o, s, None)
                if lo is None:
                    excluded[o.id] = str(why)
                else:
                    cand.append(lo)
        cand, full = fit_deliveries(ctx, s, cand)
        excluded.update(full)
        if not cand:
            continue
        groups, too_big = pack(ctx, cand)
        excluded.update(too_big)
        for k, g in enumerate(groups, start=1):
            cid = f"{s}:down{k}"
            chunk = _down_chunk(ctx, cid, s, g, latest)
            if isinstance(chunk, str):
                excluded.update({o.id: chunk for o in g})
                continue
            chunks.append(chunk)
            members[cid] = [o.id for o in g]
    return chunks, members, excluded


def _down_chunk(ctx: TierContext, cid: str, s: str, g: list[Order], latest: Mapping[str, int] | None) -> Order | str:
    """The trunk order of one load: the trunk leg of the shelf-life budget, and the latest arrival
    that leaves the last mile time within the station's opening hours (or why there is none)."""
    shelf: int | None = None
    close = DAY * 2
    for o in g:
        tau = ctx.lm_dur(s, s, str(o.node_id))
        S = ctx.shelf[o.id]
        if S is not None:
            b = S - ctx.handling - tau
            shelf = b if shelf is None else min(shelf, b)
        close = min(close, o.time_windows[-1][1] - tau - ctx.handling)
    if latest is not None and s in latest:
        close = min(close, latest[s])
    close = max(close, 0)
    window = open_window(ctx, s, 0, close)
    if window is None:
        return (
            f"trunk: station {s} opens at {fmt_clock(ctx.hours[s][0])}, after the latest arrival that leaves "
            f"its vans time ({fmt_clock(close)})"
        )
    return Order(
        cid,
        sum_qty(g),
        node_id=s,
        kind="delivery",
        time_windows=(window,),
        shelf_life_h=(max(shelf, 1) / 3600.0) if shelf is not None else None,
    )


def trunk_out(
    ctx: TierContext, assign: Mapping[str, str], limit: float, latest: Mapping[str, int] | None = None
) -> Wave:
    """Plan the outbound trunk for the stations' deliveries; sets ``ctx.no_trunk``.

    Parameters
    ----------
    ctx
        The planner's context.
    assign
        Village → depot.
    limit
        Seconds for the solve (capped by `size_limit` unless the run searches to the limit: `trunk_limit`).
    latest
        Station → latest arrival, to keep releases already promised to its vans.

    Returns
    -------
    Wave
        The outbound wave, re-timed to the earliest finish.
    """
    chunks, members, excluded = _out_chunks(ctx, assign, latest)
    p, ex = ctx.make_problem("trunk outbound", chunks, ctx.trunk_types, [ctx.hub], "trunk")
    for cid, why in ex.items():
        for oid in members.pop(cid, []):
            excluded[oid] = why
    if p is None or not p.orders:
        ctx.no_trunk = {k: v for k, v in excluded.items() if v.startswith("trunk:")}
        return Wave(p, None, members, excluded)
    o = ctx.options
    plan = solve_one(p, trunk_limit(p, limit, o), o.seed, o.engine, o.iterations, o.stop_early)
    plan = retime_earliest(p, plan)
    res = out_wave(ctx, p, plan, members, excluded)
    ctx.no_trunk = {k: v for k, v in res.excluded.items() if v.startswith("trunk:")}
    return res


def out_wave(ctx: TierContext, p: Problem, plan: Plan, members: dict[str, list[str]], excluded: dict[str, str]) -> Wave:
    """The outbound wave of a solved plan: stations' releases, where each chunk is, what it left out."""
    release: dict[str, int] = {}
    chunk_at: dict[str, tuple[str, int, int]] = {}
    s = plan.stops
    for r in stop_rows(s[s["kind"] == "delivery"]):
        chunk_at[str(r.order_id)] = (str(r.vehicle), int(r.arrival), int(r.departure))
        st = str(r.node_id)
        release[st] = max(release.get(st, 0), int(r.departure) + ctx.handling)
    for r in plan.unserved.itertuples():
        for oid in members.get(str(r.order_id), []):
            excluded[oid] = f"trunk: {r.reason}"
    return Wave(p, plan, members, excluded, release, chunk_at)


def trim(ctx: TierContext, out: Wave, legs: Mapping[str, Leg]) -> Wave:
    """Remove goods of orders the last mile left out from the trunk loads (same routes, re-timed).

    Parameters
    ----------
    ctx
        The planner's context.
    out
        The outbound wave.
    legs
        Depot → solved leg.

    Returns
    -------
    Wave
        The trimmed wave, or ``out`` when nothing is to trim or a trimmed route is infeasible.
    """
    p, plan = out.problem, out.plan
    if p is None or plan is None:
        return out
    served: set[str] = set()
    for leg in legs.values():
        if leg.plan is not None:
            served.update(leg.plan.served_ids)
    members = out.members
    if all(all(oid in served for oid in mem) for mem in members.values()):
        return out
    new_members = {c: [o for o in mem if o in served] for c, mem in members.items()}
    chunks = []
    for o in p.orders:
        mem = new_members.get(o.id, [])
        if mem:
            chunks.append(replace(o, quantities=sum_qty([ctx.by_id[i] for i in mem])))
    p2 = replace(p, orders=tuple(chunks))
    idx = {o.id: i for i, o in enumerate(p2.orders)}
    routes = []
    for vid, g in plan.stops.groupby("vehicle", sort=False):
        seq = [idx[c] for c in g.sort_values("seq")["order_id"] if c in idx]
        if seq:
            vix = vehicle_index(p2)[str(vid)]
            rr = earliest_route(p2, vix, seq)
            if rr is None:
                return out
            routes.append(rr)
    reasons = {idx[str(r.order_id)]: str(r.reason) for r in plan.unserved.itertuples() if r.order_id in idx}
    plan2 = build_plan(p2, arrays.build(p2), routes, reasons, dict(plan.meta) | {"trimmed": True})
    kept = {c: m for c, m in new_members.items() if m}
    return out_wave(ctx, p2, plan2, kept, dict(out.excluded))


def trunk_in(ctx: TierContext, out: Wave, legs: Mapping[str, Leg], limit: float) -> Wave:
    """Plan the inbound trunk for the produce the vans brought back; trucks of the outbound wave reused.

    Produce no truck can take up is recorded in ``ctx.unserved`` (leg ``"trunk"``).

    Parameters
    ----------
    ctx
        The planner's context.
    out
        The outbound wave (its trucks are available again ``handling_s`` after their return).
    legs
        Depot → solved leg.
    limit
        Seconds for the solve (capped by `size_limit` unless the run searches to the limit: `trunk_limit`).

    Returns
    -------
    Wave
        The inbound wave (``members`` only besides problem and plan).
    """
    chunks, members = _up_chunks(ctx, legs)
    if not chunks:
        return Wave(None, None, {})
    fleet = _inbound_fleet(ctx, out)
    p, ex = ctx.make_problem("trunk inbound", chunks, fleet, [ctx.hub], "trunk")
    for cid, why in ex.items():
        for oid in members.pop(cid, []):
            ctx.unserved[oid] = ("trunk", f"no trunk pickup at the station: {why}")
    if p is None or not p.orders:
        return Wave(p, None, members)
    o = ctx.options
    plan = solve_one(p, trunk_limit(p, limit, o), o.seed, o.engine, o.iterations, o.stop_early)
    plan = retime_earliest(p, plan)
    for r in plan.unserved.itertuples():
        for oid in members.get(str(r.order_id), []):
            ctx.unserved[oid] = ("trunk", f"no trunk pickup at the station: {r.reason}")
    return Wave(p, plan, members)


def _up_chunks(ctx: TierContext, legs: Mapping[str, Leg]) -> tuple[list[Order], dict[str, list[str]]]:
    """Trunk pickups: each van's produce packed into loads, ready ``handling_s`` after the van is back.

    A load's budget ``B`` (earliest shelf-life deadline of its produce minus the opening time) is
    split in half between waiting for the truck and riding it.
    """
    chunks: list[Order] = []
    members: dict[str, list[str]] = {}
    for s, leg in sorted(legs.items()):
        if s == ctx.hub or leg.plan is None:
            continue
        st = leg.plan.stops
        pk = st[st["kind"] == "pickup"]
        if pk.empty:
            continue
        ends = st[st["kind"] == "end"].set_index("vehicle")["arrival"]
        for vid, g in pk.groupby("vehicle", sort=True):
            ready = int(ends[vid]) + ctx.handling
            orders = [ctx.by_id[str(o)] for o in g["order_id"] if str(o) not in ctx.unserved]
            start_of = dict(zip(g["order_id"].astype(str), g["start"].astype(int)))
            groups, too_big = pack(ctx, orders)
            for oid, why in too_big.items():
                ctx.unserved[oid] = ("trunk", f"no trunk pickup at {s}: {why}")
            for k, grp in enumerate(groups, start=1):
                cid = f"{s}:up:{vid}:{k}"
                deadlines = [start_of[o.id] + S for o in grp if (S := ctx.shelf[o.id]) is not None]
                tau = ctx.trunk_dur(s, ctx.hub)
                shelf: float | None
                if deadlines:
                    B = min(deadlines) - ready
                    wait = max(0, (B - tau) // 2)
                    span, shelf = (ready, ready + wait), max(1, B - wait) / 3600.0
                else:
                    span, shelf = (ready, max(ready, max(vt.shift[1] for vt in ctx.trunk_types))), None
                window = open_window(ctx, s, *span)
                if window is None:
                    for o in grp:
                        ctx.unserved[o.id] = ("trunk", f"station {s} closes before the produce is put away")
                    continue
                tw = (window,)
                chunks.append(Order(cid, sum_qty(grp), node_id=s, kind="pickup", time_windows=tw, shelf_life_h=shelf))
                members[cid] = [o.id for o in grp]
    return chunks, members


def _inbound_fleet(ctx: TierContext, out: Wave) -> list[VehicleType]:
    """One ``<vehicle>/in`` type per trunk vehicle: used trucks free again after handling, no second fixed cost.

    A truck under the driving rule waits at least its rest (``min_rest_min``) between the waves.
    """
    used = {}
    if out.plan is not None:
        for vid, g in out.plan.stops.groupby("vehicle", sort=False):
            used[vid] = int(g["arrival"].max())
    vehicles = (
        out.problem.vehicles()
        if out.problem is not None
        else Problem((), tuple(ctx.trunk_types), products=ctx.products, matrix=ctx.tm.sub([ctx.hub])).vehicles()
    )
    fleet = []
    for vid, vt in vehicles:
        if vid in used:
            # the wait at the hub between the waves is the driver's rest when the driving rule applies, so
            # each wave keeps the rule alone (validate_tiers checks the truck's day across both)
            rest = int(round(vt.min_rest_min * 60)) if vt.max_driving_h is not None else 0
            start = max(vt.shift[0], used[vid] + max(ctx.handling, rest))
            ft = replace(vt, name=f"{vid}/in", count=1, fixed_cost=0.0, shift=(min(start, vt.shift[1]), vt.shift[1]))
            if start > vt.shift[1]:
                ft = replace(ft, count=0)
        else:
            ft = replace(vt, name=f"{vid}/in", count=1)
        fleet.append(ft)
    return fleet
