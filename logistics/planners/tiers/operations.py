"""Operations on solved plans: earliest re-timing, dropping stops, merging waves, combined frames.

The tier planner hands goods from one vehicle to the next, so every leg's timing is a promise
to the next leg.  These operations change a plan without a new search and keep those promises:
re-timed routes finish as early as their windows allow, dropped stops leave the other service
times unchanged, and merged plans keep each wave's rows as they were.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from logistics.core.breaks import needs_breaks
from logistics.core.costs import evaluate
from logistics.core.errors import ProblemError
from logistics.core.plan import STOP_COLUMNS, UNSERVED_COLUMNS, Plan, RouteResult, empty_routes
from logistics.core.problem import Problem
from logistics.engine.build_plan import build_plan
from logistics.engine.solvers import arrays
from networks import TravelMatrix

__all__ = [
    "combined_frames",
    "drop_stops",
    "earliest_route",
    "merge_plans",
    "retime_earliest",
    "stop_rows",
    "vehicle_index",
]


def stop_rows(frame: pd.DataFrame) -> Iterator[Any]:
    """``frame.itertuples()``: one named tuple per row, its fields typed as the values they hold.

    Parameters
    ----------
    frame
        A stops or transfers frame.

    Returns
    -------
    Iterator
        The rows (typed ``Any`` so that callers read fields without casts).
    """
    return iter(frame.itertuples())


def vehicle_index(problem: Problem) -> dict[str, int]:
    """Vehicle id → its position in ``problem.vehicles()`` (the index routes are built with).

    Parameters
    ----------
    problem
        The problem whose fleet is expanded into vehicles.

    Returns
    -------
    dict
        ``{"<type>#<k>": index}``.
    """
    return {vid: k for k, (vid, _) in enumerate(problem.vehicles())}


def _breaks_of(g: pd.DataFrame) -> tuple[tuple[int, int, str], ...]:
    """A route's break stops (its rows in ``seq`` order) as `RouteResult.breaks`."""
    b = g[g["kind"] == "break"]
    return tuple((int(s), int(d), "break") for s, d in zip(b["start"], b["service"]))


def _after(pending: list[tuple[int, int, str]], ready: int, until: int | None) -> int:
    """``ready`` once the breaks of ``pending`` that start before ``until`` are taken (popped), as plans count them."""
    while pending and (until is None or pending[0][0] < until):
        b0, bd, _ = pending.pop(0)
        ready = max(ready + bd, b0 + bd)
    return ready


def _matrix(problem: Problem) -> TravelMatrix:
    if problem.matrix is None:
        raise ProblemError(f"problem {problem.name!r} has no travel matrix", record=problem.name, field="matrix")
    return problem.matrix


def _drive(m: TravelMatrix, a: str | None, b: str | None, speed_factor: float) -> int:
    """Seconds from ``a`` to ``b`` at ``speed_factor``, rounded as the plan builder rounds them."""
    return int(round(float(m.duration[m.index(a), m.index(b)]) * speed_factor))


def earliest_route(problem: Problem, vehicle: int, seq: list[int]) -> RouteResult | None:
    """``seq`` on ``vehicle`` finishing as early as possible, leaving as late as that allows; None if infeasible.

    A forward pass from the shift start gives the earliest service starts and
    the earliest return; a backward pass gives the latest starts that keep that
    return (inside the same windows); the route leaves so that it reaches the
    first order at its latest start, which removes needless waiting.  Shelf
    life, shift and max duration are checked on the result.  Goods handed over
    at a station are ready as early as possible and wait on no van needlessly.
    The schedule has no break stops, so a route that owes its driver a break or a
    rest (`logistics.core.breaks.needs_breaks`) is not re-timed (``None``): the
    solver's schedule, which places them, stands.

    Parameters
    ----------
    problem
        The problem the route belongs to.
    vehicle
        Index of the vehicle in ``problem.vehicles()``.
    seq
        Indices into ``problem.orders``, in visiting order.

    Returns
    -------
    RouteResult or None
        The re-timed route, or ``None`` when no timing of this sequence is feasible.
    """
    vid, vt = problem.vehicles()[vehicle]
    m = _matrix(problem)
    orders = [problem.orders[i] for i in seq]
    locs = [vt.start_depot] + [o.location for o in orders] + [vt.end_depot]
    travel = [_drive(m, a, b, vt.speed_factor) for a, b in zip(locs, locs[1:])]
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
    if needs_breaks(vt.breaks, vt.max_driving_h, depart, end):
        return None
    for o, s_k in zip(orders, starts):
        shelf = problem.ride_limit_s(o, vt)  # shelf life, and time out of refrigeration on this vehicle
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

    Parameters
    ----------
    problem
        The problem ``plan`` solves.
    plan
        The plan to drop stops from.
    reasons
        Order id → why it is no longer served.

    Returns
    -------
    Plan
        A new plan (KPIs recomputed); ``meta["dropped"]`` lists the ids asked for.
    """
    vix = vehicle_index(problem)
    oix = {o.id: i for i, o in enumerate(problem.orders)}
    routes: list[RouteResult] = []
    kept: set[str] = set()
    m = _matrix(problem)
    for vid, g in plan.stops.groupby("vehicle", sort=False):
        g = g.sort_values("seq")
        body = g[g["kind"].isin(["delivery", "pickup", "reload"])]
        ids = [None if k == "reload" else str(x) for k, x in zip(body["kind"], body["order_id"])]
        starts = [int(x) for x in body["start"]]
        vt = problem.vehicles()[vix[str(vid)]][1]
        keep = [(i, st) for i, st in zip(ids, starts) if i not in reasons]
        brk = _breaks_of(g)  # each stays where it was: on the leg that now spans the dropped stops
        pending = list(brk)
        ok, t, prev = True, int(g["departure"].iloc[0]), vt.start_depot
        for i, st in keep:
            place, service = (vt.reloads_at, int(round(vt.reload_min * 60))) if i is None else _visit(problem, oix[i])
            t = _after(pending, t + _drive(m, prev, place, vt.speed_factor), st)
            if t > st:
                ok = False
                break
            t, prev = st + service, place
        if not ok:
            keep = list(zip(ids, starts))
            kept.update(i for i in ids if i is not None and i in reasons)
        trips = _reloads(keep)
        visits = [(i, st) for i, st in keep if i is not None]
        if not visits:
            continue
        end = _after(pending, t + _drive(m, prev, vt.end_depot, vt.speed_factor), None) if ok else None
        end = int(g["arrival"].iloc[-1]) if end is None else end
        routes.append(
            RouteResult(
                vehicle=vix[str(vid)],
                orders=[oix[i] for i, _ in visits],
                starts=[s for _, s in visits],
                depart=int(g["departure"].iloc[0]),
                arrive=end,
                reloads=trips,
                breaks=brk,
            )
        )
    why = {oix[str(r.order_id)]: str(r.reason) for r in plan.unserved.itertuples()}
    why.update({oix[i]: r for i, r in reasons.items() if i not in kept})
    new = build_plan(problem, arrays.build(problem), routes, why, dict(plan.meta) | {"dropped": sorted(reasons)})
    return new


def _visit(problem: Problem, i: int) -> tuple[str, int]:
    """Where order ``i`` is served and for how long (s)."""
    o = problem.orders[i]
    return o.location, o.service


def _reloads(rows: list[tuple[str | None, int]]) -> tuple[tuple[int, int], ...]:
    """(orders before it, start) of every reload among ``rows`` ((order id or None for a reload, start))."""
    out, served = [], 0
    for i, st in rows:
        if i is None:
            out.append((served, st))
        else:
            served += 1
    return tuple(out)


def retime_earliest(problem: Problem, plan: Plan) -> Plan:
    """Each route re-timed to finish as early as possible without needless waiting (see `earliest_route`).

    Routes whose re-timing would break a window, shelf life or shift, or would need the driver's
    breaks and rests placed again, keep the solver's timing and its break stops.  The next leg's
    release and ready times are read from these times, so earlier is better.

    Parameters
    ----------
    problem
        The problem ``plan`` solves.
    plan
        A solver's plan.

    Returns
    -------
    Plan
        The re-timed plan (the solver's ``objective`` KPI kept); ``plan`` itself when it has no stops.
    """
    if plan.stops.empty:
        return plan
    vix = vehicle_index(problem)
    oix = {o.id: i for i, o in enumerate(problem.orders)}
    routes = []
    for vid, g in plan.stops.groupby("vehicle", sort=False):
        g = g.sort_values("seq")
        body = g[g["kind"].isin(["delivery", "pickup"])]
        seq = [oix[str(x)] for x in body["order_id"]]
        marks = g[g["kind"].isin(["delivery", "pickup", "reload"])]
        trips = _reloads([(None if k == "reload" else "", int(s)) for k, s in zip(marks["kind"], marks["start"])])
        # a route of several trips keeps the solver's timing (earliest_route times one trip)
        rr = None if trips else earliest_route(problem, vix[str(vid)], seq)
        if rr is None:
            rr = RouteResult(
                vehicle=vix[str(vid)],
                orders=seq,
                starts=[int(x) for x in body["start"]],
                depart=int(g["departure"].iloc[0]),
                arrive=int(g["arrival"].iloc[-1]),
                reloads=trips,
                breaks=_breaks_of(g),
            )
        routes.append(rr)
    reasons = {oix[str(r.order_id)]: str(r.reason) for r in plan.unserved.itertuples()}
    new = build_plan(problem, arrays.build(problem), routes, reasons, dict(plan.meta) | {"retimed": "earliest"})
    if "objective" in plan.kpis:
        new.kpis["objective"] = plan.kpis["objective"]
    return new


def merge_plans(problem: Problem, parts: list[tuple[str, Plan | None]], name: str = "merged") -> Plan:
    """One Plan from plans of disjoint vehicles and orders; KPIs recomputed on ``problem``.

    The trunk is solved as two waves (outbound, inbound) but reported and validated as one leg.

    Parameters
    ----------
    problem
        A problem holding every part's orders and vehicles.
    parts
        ``(wave tag, plan)`` pairs; ``None`` plans are skipped.  The tag becomes the ``wave`` column.
    name
        Name recorded in ``meta["problem"]``.

    Returns
    -------
    Plan
        The merged plan.
    """
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
    """Stops and routes of every leg with ``tier``, ``leg`` and ``depot`` columns.

    One frame of each kind lets a tiered plan be mapped, filtered and summed like a single plan.

    Parameters
    ----------
    trunk
        The trunk plan (tier ``trunk``).
    last_mile
        Depot id → plan; the hub's plan is tier ``direct``, stations' ``last_mile``.
    hub
        The hub id.

    Returns
    -------
    tuple of DataFrame and GeoDataFrame
        Stops (with ``physical_vehicle``: inbound trunk copies named as their truck) and routes.
    """
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
