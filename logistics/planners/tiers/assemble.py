"""Assembling the tiered plan: the merged trunk, order-level unserved reasons, transfers and frames."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from logistics.core.errors import ProblemError
from logistics.core.plan import Plan, trip_times
from logistics.core.problem import Problem
from logistics.planners.tiers.context import TierContext
from logistics.planners.tiers.legs import Leg
from logistics.planners.tiers.operations import combined_frames, merge_plans, stop_rows
from logistics.planners.tiers.result import TRANSFER_COLUMNS, TieredPlan, tier_kpis
from logistics.planners.tiers.trunk import Wave

__all__ = ["assemble"]

Unserved = dict[str, tuple[str, str]]  # order id -> (leg, reason)


def assemble(
    ctx: TierContext, out: Wave, inbound: Wave, legs: Mapping[str, Leg], assign: Mapping[str, str]
) -> TieredPlan:
    """The [TieredPlan][logistics.planners.tiers.TieredPlan] of the planned waves and legs.

    Parameters
    ----------
    ctx
        The planner's context.
    out, inbound
        The trunk's outbound and inbound waves.
    legs
        Depot → solved last-mile leg.
    assign
        Village → depot.

    Returns
    -------
    TieredPlan
        The plan with transfers, order-level unserved reasons, combined frames and KPIs.
    """
    hub = ctx.hub
    trunk_problem = _trunk_problem(ctx, out, inbound)
    trunk_plan = merge_plans(trunk_problem, [("out", out.plan), ("in", inbound.plan)], name="trunk")
    unserved, lm_plans, problems = _unserved_and_legs(ctx, out, legs)
    problems = {"trunk": trunk_problem} | problems
    # produce collected but not picked up by a truck is already in `unserved` (its village stop stays in the
    # last-mile plan); orders no leg considered (e.g. a depot without vans) are added here
    served_lm = {}
    for d, plan in lm_plans.items():
        for oid in plan.served_ids:
            served_lm[oid] = d
    for o in ctx.orders:
        if o.id not in served_lm and o.id not in unserved:
            unserved[o.id] = ("last mile", f"no last-mile plan covers village {o.node_id}")
    transfers = _transfers(ctx, out, inbound, lm_plans, unserved)
    unserved_df = pd.DataFrame(
        [{"order_id": k, "leg": v[0], "reason": v[1]} for k, v in sorted(unserved.items())],
        columns=["order_id", "leg", "reason"],
    )
    stops, routes = combined_frames(trunk_plan, lm_plans, hub)
    tp = TieredPlan(
        trunk=trunk_plan,
        last_mile=lm_plans,
        transfers=transfers,
        unserved=unserved_df,
        kpis={},
        stops=stops,
        routes=routes,
        problems=problems,
        orders=ctx.orders,
        products=ctx.products,
        hub=hub,
        handling_s=ctx.handling,
        assignment=_assignment(ctx, assign),
        meta={
            "time_limit": ctx.options.time_limit,
            "seed": ctx.options.seed,
            "engine": ctx.options.engine,
            "day": ctx.settings.day,
            "direct_mode": ctx.direct_mode,
            "log": ctx.log,
            "phase_limits_s": ctx.phase_limits,
            "trunk_members": {**out.members, **inbound.members},
            "elapsed_s": round(ctx.budget.elapsed(), 3),
            "cold_store_capacity": dict(ctx.capacity),
            "opening_hours": dict(ctx.hours),
        },
    )
    tp.kpis = tier_kpis(tp)
    return tp


def _trunk_problem(ctx: TierContext, out: Wave, inbound: Wave) -> Problem:
    """One problem for both trunk waves: every trunk order, the trucks and their inbound copies."""
    hub = ctx.hub
    p_out, p_in = out.problem, inbound.problem
    t_orders = list(p_out.orders if p_out is not None else ()) + list(p_in.orders if p_in is not None else ())
    t_fleet = list(ctx.trunk_types) + list(p_in.fleet if p_in is not None else ())
    base: Problem | None
    if p_out is not None:
        base = p_out
    elif p_in is not None:
        base = p_in
    else:
        base, _ = ctx.make_problem("trunk", [], ctx.trunk_types, [hub], "trunk")
    if base is None:
        raise ProblemError("the trunk fleet has no vehicle", record="trunk_fleet", field="trunk_fleet")
    nodes = [hub] + [str(o.node_id) for o in t_orders]
    return replace(
        base,
        orders=tuple(t_orders),
        fleet=tuple(t_fleet),
        name="trunk",
        matrix=ctx.tm.sub(list(dict.fromkeys(nodes))),
        meta=dict(base.meta) | {"coords": {k: ctx.layout.coords[k] for k in nodes if k in ctx.layout.coords}},
    )


def _unserved_and_legs(
    ctx: TierContext, out: Wave, legs: Mapping[str, Leg]
) -> tuple[Unserved, dict[str, Plan], dict[str, Problem]]:
    """Order-level unserved reasons (first reason wins) and the legs that have a plan.

    The leg named is the one that failed: a last-mile leg that leaves out a delivery because no
    truck brings its goods (a reason starting ``trunk:``) reports it as the trunk's.
    """
    unserved = dict(ctx.unserved)
    for oid, why in out.excluded.items():
        unserved.setdefault(oid, (_failed_leg(why, "last mile"), why))
    lm_plans: dict[str, Plan] = {}
    problems: dict[str, Problem] = {}
    for d, leg in legs.items():
        tier = "direct" if d == ctx.hub else "last mile"
        for oid, why in leg.excluded.items():
            unserved.setdefault(oid, (_failed_leg(why, tier), why))
        if leg.plan is not None and leg.problem is not None:
            for r in leg.plan.unserved.itertuples():
                unserved.setdefault(str(r.order_id), (tier, f"{tier} {d}: {r.reason}"))
            lm_plans[d] = leg.plan
            problems[d] = leg.problem
    return unserved, lm_plans, problems


def _failed_leg(why: str, leg: str) -> str:
    """The leg a reason blames: ``trunk`` for the trunk's reasons (``trunk: …``), else ``leg``."""
    return "trunk" if why.startswith("trunk") else leg


def _assignment(ctx: TierContext, assign: Mapping[str, str]) -> pd.DataFrame:
    hub = ctx.hub
    return pd.DataFrame(
        [
            {
                "village": v,
                "station": ctx.layout.parent[v],
                "depot": assign[v],
                "mode": "direct" if assign[v] == hub else "station",
                "moved": assign[v] not in (ctx.layout.parent[v], hub),
                "orders": len(ctx.at_village.get(v, [])),
            }
            for v in sorted(assign)
        ]
    )


def _transfers(
    ctx: TierContext, out: Wave, inbound: Wave, lm_plans: Mapping[str, Plan], unserved: Unserved
) -> pd.DataFrame:
    """One row per order handed over at a station ([TRANSFER_COLUMNS][logistics.planners.tiers.TRANSFER_COLUMNS])."""
    rows = []
    trunk_stop: dict[str, Any] = {}
    for plan in (out.plan, inbound.plan):
        if plan is None:
            continue
        for r in plan.stops[plan.stops["kind"].isin(["delivery", "pickup"])].itertuples():
            trunk_stop[str(r.order_id)] = r
    chunk_of = {}
    for c, mem in {**out.members, **inbound.members}.items():
        for oid in mem:
            chunk_of[oid] = c
    for d, plan in lm_plans.items():
        if d == ctx.hub:
            continue
        st = plan.stops
        trips = trip_times(st)  # each order's trip: loaded at its departure, unloaded at its return
        for r in stop_rows(st[st["kind"].isin(["delivery", "pickup"])]):
            oid = str(r.order_id)
            chunk = chunk_of.get(oid)
            if chunk is None or chunk not in trunk_stop or oid in unserved:
                continue
            t = trunk_stop[chunk]
            lm_dep, lm_arr = (int(x) for x in trips[oid])
            wait = lm_dep - int(t.arrival) if r.kind == "delivery" else int(t.start) - lm_arr
            rows.append(
                {
                    "order_id": oid,
                    "direction": "down" if r.kind == "delivery" else "up",
                    "station": d,
                    "trunk_order": chunk,
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
