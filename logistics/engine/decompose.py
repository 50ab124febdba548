"""Decomposition for large days: split orders by depot and sector, solve parts in parallel, merge.

One OR-Tools search over thousands of stops spends its time limit building the
model and finding a first solution; parts of a few hundred orders each search
well.  Orders go to the nearest depot that may serve them, large depot groups
are cut into angular sectors around their depot (the classic sweep), and each
vehicle type's vehicles are shared among the parts that can use them.  Parts
go to the worker processes longest first, and each worker shares its time
among its parts in proportion to their sizes (a 16-order part does not get
the time of a 380-order one).  The merged plan is rebuilt on the whole
problem, so it is validated as one.

Workers are fresh interpreters ([logistics.engine.parallel.run_tasks][]), never forks of a
process that may hold OR-Tools' threads; each part is searched by
`logistics.engine.whole.solve_whole`, the same search as an undivided day.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from logistics.core.errors import ProblemError
from logistics.core.options import Budget, SolveOptions
from logistics.core.plan import Plan, RouteResult
from logistics.core.problem import Problem, coordinates
from logistics.core.shares import (
    DECOMPOSE_WORKERS,
    MERGE_RESERVE_BASE_S,
    MERGE_RESERVE_PER_ORDER_S,
    MIN_PART_S,
    MIN_PART_WEIGHT,
    SPAWN_OVERHEAD_S,
)
from logistics.engine.build_plan import build_plan
from logistics.engine.parallel import run_tasks
from logistics.engine.solvers.ortools.search import SearchSettings
from logistics.engine.whole import run_meta, solve_whole

__all__ = ["Part", "partition", "plan_parts", "solve_decomposed"]


@dataclass(frozen=True)
class Part:
    """A part of a day: some orders, the vehicles given to them, and the depot they were grouped at.

    Parameters
    ----------
    orders
        Indices into ``problem.orders``.
    counts
        Vehicle type name -> vehicles given to this part.
    depot
        The start depot the orders are nearest to.
    """

    orders: list[int]
    counts: dict[str, int]
    depot: str


def partition(problem: Problem, max_orders: int = 400) -> list[Part]:
    """Orders by nearest depot, large groups cut into angular sectors, vehicles shared by weight.

    Parameters
    ----------
    problem
        The whole day.
    max_orders
        The largest part: OR-Tools searches a few hundred orders well, thousands poorly.

    Returns
    -------
    list of Part
        In depot order, then sweep order; pairs may still straddle parts (see
        ``_keep_pairs_together``).
    """
    m = problem.matrix
    assert m is not None, "a Problem always has a travel matrix once built"
    coords = coordinates(problem)
    fleet = [vt for vt in problem.fleet if vt.count > 0]
    groups: dict[str, list[int]] = {}
    for i, o in enumerate(problem.orders):
        ok = [vt for vt in fleet if problem.compartment_loads(o, vt) is not None]
        cands = ok or fleet
        li = m.index(o.location)
        best = min(cands, key=lambda vt: (int(m.duration[m.index(vt.start_depot), li]), vt.start_depot))
        groups.setdefault(best.start_depot, []).append(i)
    chunks: list[tuple[str, list[int]]] = []
    for depot in sorted(groups):
        idx = groups[depot]
        k = max(1, math.ceil(len(idx) / max_orders))
        if k == 1:
            chunks.append((depot, idx))
            continue
        dx, dy = coords.get(depot, (0.0, 0.0))

        def angle(i: int) -> float:
            x, y = coords.get(problem.orders[i].location, (math.nan, math.nan))
            return math.atan2(y - dy, x - dx) if math.isfinite(x) and math.isfinite(y) else 0.0

        idx = sorted(idx, key=lambda i: (angle(i), i))
        # start the sweep at the widest angular gap so sectors do not straddle a cluster
        ang = np.array([angle(i) for i in idx])
        gaps = np.diff(np.concatenate([ang, [ang[0] + 2 * math.pi]]))
        cut = int(np.argmax(gaps)) + 1
        idx = idx[cut:] + idx[:cut]
        for part in np.array_split(np.array(idx), k):
            chunks.append((depot, [int(i) for i in part]))
    # share vehicles: weight by orders each chunk has that the type may serve, home depot first
    counts: list[dict[str, int]] = [dict() for _ in chunks]
    for vt in fleet:
        ws = []
        for depot, idx in chunks:
            n_ok = sum(1 for i in idx if problem.compartment_loads(problem.orders[i], vt) is not None)
            ws.append(n_ok * (1.0 if depot == vt.start_depot else 0.05))
        w = np.array(ws, dtype=float)
        if w.sum() == 0:
            continue
        share = w / w.sum() * vt.count
        base = np.floor(share).astype(int)
        rest = vt.count - base.sum()
        for j in np.argsort(-(share - base), kind="stable")[:rest]:
            base[j] += 1
        for j, c in enumerate(base):
            if c:
                counts[j][vt.name] = int(c)
    return [Part(orders=idx, counts=counts[j], depot=depot) for j, (depot, idx) in enumerate(chunks)]


def _sub_problem(problem: Problem, part: Part) -> Problem:
    """The part as a problem of its own: its orders, vehicles and matrix rows, no road network, not strict."""
    # only the part's own vehicles: the merge maps them onto distinct vehicles of the whole fleet
    fleet = tuple(replace(vt, count=part.counts.get(vt.name, 0)) for vt in problem.fleet)
    orders = tuple(problem.orders[i] for i in part.orders)
    ids = {o.id for o in orders}
    for o in orders:
        if o.pair and o.pair not in ids:  # (a lookup per order: a copy of the whole index each was quadratic)
            raise AssertionError("paired orders must stay in one part")
    sub = replace(
        problem, orders=orders, fleet=fleet, network=None, strict=False, name=f"{problem.name}/part-{part.depot}"
    )
    # only the part's rows of the travel matrix: each part is sent to a worker process, and the whole
    # matrix of a 10,000-order day (1.6 GB) sent once per part took longer than the time limit
    assert problem.matrix is not None, "a Problem always has a travel matrix once built"
    return replace(sub, matrix=problem.matrix.sub(sub.location_ids()))


_PART_META = ("elapsed_s", "build_s", "pyvrp_s", "search_s", "status", "skeleton", "exact", "seed_repaired")

# what a part sends back: stop rows, (order id, reason) of unserved orders, objective, meta
PartResult = tuple[list[dict[str, Any]], list[tuple[str, str]], float | None, dict[str, Any]]


def _solve_part(sub: Problem, options: SolveOptions) -> PartResult:
    """One part searched as a whole day; the answer in plain rows, cheap to send between processes."""
    settings = SearchSettings(solution_limit=options.iterations, stop_early=options.stop_early)
    plan = solve_whole(sub, options, options.budget(), settings)
    columns = ["vehicle", "vehicle_type", "seq", "kind", "order_id", "start", "departure", "arrival"]
    stops: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in plan.stops[columns].to_dict("records")]
    meta = {
        "orders": len(sub.orders),
        "unserved": len(plan.unserved),
        "vehicles": {vt.name: vt.count for vt in sub.fleet if vt.count},
        **{k: plan.meta[k] for k in _PART_META if k in plan.meta},
    }
    objective = plan.kpis.get("objective")
    unserved = list(zip(plan.unserved["order_id"], plan.unserved["reason"]))
    return stops, unserved, None if objective is None else float(objective), meta


def _lpt(weights: list[int], bins: int) -> list[list[int]]:
    """Indices of ``weights`` in ``bins`` groups: heaviest first onto the lightest group (longest processing time)."""
    groups: list[list[int]] = [[] for _ in range(max(1, bins))]
    load = [0] * len(groups)
    for i in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        g = min(range(len(groups)), key=lambda g: (load[g], g))
        groups[g].append(i)
        load[g] += weights[i]
    return [g for g in groups if g]


def _solve_bin(
    subs: list[Problem], weights: list[int], end: float, options: SolveOptions
) -> list[tuple[PartResult, float]]:
    """One worker's parts in turn, each with its share of the time left until ``end`` (``time.monotonic()``).

    The share is taken when the part starts, so time a part leaves unused (or the worker's start)
    goes to the parts after it.
    """
    out = []
    for k, sub in enumerate(subs):
        share = weights[k] / sum(weights[k:])
        limit = max(MIN_PART_S, (end - time.monotonic()) * share)
        out.append((_solve_part(sub, options.merged(time_limit=limit)), limit))
    return out


def solve_decomposed(problem: Problem, options: SolveOptions, budget: Budget, max_orders: int = 400) -> Plan:
    """Plan a large day in parts of at most ``max_orders`` orders, solved in parallel, then merged.

    Parameters
    ----------
    problem
        The whole day.
    options
        Engine, seed and iterations for every part; ``workers`` processes (default: at most
        ``DECOMPOSE_WORKERS``, never more than cores or parts).
    budget
        The whole call's time; the merge keeps ``MERGE_RESERVE_*`` of it and starting workers
        ``SPAWN_OVERHEAD_S``.  A limit shorter than that plus ``MIN_PART_S`` for each part of the
        busiest worker raises `ProblemError` naming the limit, before any part is solved.
    max_orders
        The largest part.

    Returns
    -------
    Plan
        One plan on the whole problem; ``meta["parts"]`` has each part's figures and
        ``meta["part_time_limit"]`` the time each part was given.
    """
    parts = plan_parts(problem, max_orders)
    subs = [_sub_problem(problem, p) for p in parts]
    workers = options.workers or min(DECOMPOSE_WORKERS, os.cpu_count() or 1, len(subs))
    merge_reserve = MERGE_RESERVE_BASE_S + MERGE_RESERVE_PER_ORDER_S * len(problem.orders)
    spawn_overhead = SPAWN_OVERHEAD_S if workers > 1 else 0.0
    # parts go to workers longest first (LPT); within a worker each part gets time in proportion to its size
    weights = [max(MIN_PART_WEIGHT, len(p.orders)) for p in parts]
    bins = _lpt(weights, workers)
    least = merge_reserve + spawn_overhead + MIN_PART_S * max(len(b) for b in bins)
    if budget.limit < least:
        raise ProblemError(
            f"time_limit={budget.limit:g} s is too short to plan {len(problem.orders)} orders: in {len(parts)} parts "
            f"on {len(bins)} worker(s) they need at least {least:.1f} s (merging the plan alone takes "
            f"{merge_reserve:.1f} s); give a longer time_limit",
            record="solve",
            field="time_limit",
        )
    end = time.monotonic() + max(MIN_PART_S, budget.left() - merge_reserve - spawn_overhead)
    jobs = [([subs[i] for i in b], [weights[i] for i in b], end, options) for b in bins]
    outs = run_tasks(_solve_bin, jobs, workers=len(jobs))
    results: list[Any] = [None] * len(parts)
    limits = [0.0] * len(parts)
    for b, out in zip(bins, outs):
        for i, (res, limit) in zip(b, out):
            results[i], limits[i] = res, limit
    t_merge = time.perf_counter()
    routes, reasons, objective, part_meta = _merge(problem, subs, results)
    meta = {
        **run_meta(problem, options),
        "decomposed": len(parts),
        "part_sizes": [len(p.orders) for p in parts],
        "part_time_limit": [round(x, 3) for x in limits],
        "status": "success",
        "parts": part_meta,
    }
    plan = build_plan(problem, None, routes, reasons, meta)
    plan.meta["merge_s"] = round(time.perf_counter() - t_merge, 4)
    plan.kpis["objective"] = round(objective, 4)
    plan.meta["elapsed_s"] = round(budget.elapsed(), 4)
    return plan


def _merge(
    problem: Problem, subs: list[Problem], results: list[PartResult]
) -> tuple[list[RouteResult], dict[int, str], float, list[dict[str, Any]]]:
    """Map each part's vehicles onto distinct vehicles of the whole fleet, of the same type."""
    index = {o.id: i for i, o in enumerate(problem.orders)}
    base, offset = {}, {}
    k = 0
    for vt in problem.fleet:
        base[vt.name] = k
        offset[vt.name] = 0
        k += vt.count
    routes: list[RouteResult] = []
    reasons: dict[int, str] = {}
    objective = 0.0
    part_meta = []
    for sub, (stops, unserved, obj, pmeta) in zip(subs, results):
        objective += obj or 0.0
        part_meta.append(pmeta)
        by_vehicle: dict[str, list[dict[str, Any]]] = {}
        for r in stops:
            by_vehicle.setdefault(r["vehicle"], []).append(r)
        for vid, rows in by_vehicle.items():
            rows.sort(key=lambda r: r["seq"])
            tname = rows[0]["vehicle_type"]
            j = int(vid.rsplit("#", 1)[1]) - 1
            g = base[tname] + offset[tname] + j
            visits = [r for r in rows[1:-1] if r["kind"] not in ("reload", "break")]
            reloads, served = [], 0
            for r in rows[1:-1]:
                if r["kind"] == "reload":
                    reloads.append((served, int(r["start"])))
                elif r["kind"] != "break":
                    served += 1
            breaks = tuple(
                (int(r["start"]), int(r["departure"]) - int(r["start"]), "break")
                for r in rows[1:-1]
                if r["kind"] == "break"
            )
            routes.append(
                RouteResult(
                    vehicle=g,
                    orders=[index[r["order_id"]] for r in visits],
                    starts=[int(r["start"]) for r in visits],
                    depart=int(rows[0]["departure"]),
                    arrive=int(rows[-1]["arrival"]),
                    reloads=tuple(reloads),
                    breaks=breaks,
                )
            )
        for vt in sub.fleet:
            offset[vt.name] += vt.count
        for oid, why in unserved:
            reasons[index[oid]] = why
    return routes, reasons, objective, part_meta


def _keep_pairs_together(problem: Problem, parts: list[Part]) -> list[Part]:
    """Move a paired delivery into its pickup's part."""
    where = {}
    for j, p in enumerate(parts):
        for i in p.orders:
            where[i] = j
    index = {o.id: i for i, o in enumerate(problem.orders)}
    moved = [list(p.orders) for p in parts]
    for i, o in enumerate(problem.orders):
        if o.kind == "pickup" and o.pair is not None:
            d = index[o.pair]
            if where[d] != where[i]:
                moved[where[d]].remove(d)
                moved[where[i]].append(d)
                where[d] = where[i]
    return [replace(p, orders=sorted(o)) for p, o in zip(parts, moved)]


def plan_parts(problem: Problem, max_orders: int = 400) -> list[Part]:
    """The parts a decomposed day is solved in: `partition`, pairs kept together, every part with a vehicle.

    A fleet smaller than the number of sectors leaves some sectors without a vehicle; their orders
    join a part that has vehicles (the nearest sector of the same depot, else the part with the
    fewest orders per vehicle), so that no order is lost and no vehicle is used twice.  A part left
    without orders gives its vehicles to the same kind of neighbour.

    Parameters
    ----------
    problem
        The whole day.
    max_orders
        The largest part before vehicle-less sectors are folded in.

    Returns
    -------
    list of Part
        At least one part; each has orders and at least one vehicle, and the parts' vehicles add up to
        at most the fleet.
    """
    parts = _keep_pairs_together(problem, partition(problem, max_orders))
    orders = [list(p.orders) for p in parts]
    counts = [dict(p.counts) for p in parts]
    if not any(sum(c.values()) for c in counts):
        return [Part(orders=sorted(i for o in orders for i in o), counts={}, depot=parts[0].depot)]
    for j in range(len(parts)):
        if orders[j] and sum(counts[j].values()) == 0:
            k = _neighbour(parts, j, [sum(c.values()) > 0 and bool(o) for c, o in zip(counts, orders)], orders, counts)
            orders[k] += orders[j]
            orders[j] = []
    for j in range(len(parts)):
        if not orders[j] and sum(counts[j].values()) > 0:
            k = _neighbour(parts, j, [bool(o) for o in orders], orders, counts)
            for name, c in counts[j].items():
                counts[k][name] = counts[k].get(name, 0) + c
            counts[j] = {}
    return [
        replace(p, orders=sorted(o), counts={n: c for n, c in cs.items() if c})
        for p, o, cs in zip(parts, orders, counts)
        if o
    ]


def _neighbour(parts: list[Part], j: int, ok: list[bool], orders: list[list[int]], counts: list[dict[str, int]]) -> int:
    """The part to take part ``j``'s orders or vehicles: nearest ``ok`` sector of its depot, else least loaded."""
    same = [k for k in range(len(parts)) if ok[k] and k != j and parts[k].depot == parts[j].depot]
    if same:
        return min(same, key=lambda k: (abs(k - j), k))
    cands = [k for k in range(len(parts)) if ok[k] and k != j]
    return min(cands, key=lambda k: (len(orders[k]) / max(1, sum(counts[k].values())), k))
