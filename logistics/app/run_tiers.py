"""Running a three-tier job: plan it with the tier planner, check it with the tier rules, write its folder.

A tiered job (a job file with a ``tiers`` block, see [logistics.formats.job_fleets][]) is planned
with [logistics.plan_tiers][]; its result folder holds the files of a single-tier run, each
with the tier and leg of every row, plus ``transfers.csv`` (every hand-over at a station and the
goods' wait there).  ``kpis.json`` has the day's totals at the top level (so ``coldroute
compare`` reads tiered and single-tier folders alike) and ``tiers``: the same figures per tier.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

import networks
from logistics.app import tier_views
from logistics.app.folders import EXIT_OK, EXIT_UNSERVED, JobResult, check_out_dir, write_folder, write_json
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions
from logistics.core.plan import _jsonable
from logistics.core.problem import Problem
from logistics.core.units import fmt_clock
from logistics.formats.documents import MAX_JOB_BYTES, check_input_file, check_numbers, decode_text, reject_constant
from logistics.formats.job_fleets import TierSpec
from logistics.formats.jobfile import Job
from logistics.planners.tiers import (
    DEMO_PRODUCTS,
    Layout,
    TieredPlan,
    TierSettings,
    demo_fleets,
    demo_orders,
    plan_tiers,
)
from networks import TravelMatrix

__all__ = [
    "TIER_DEMO_FLEET",
    "TIER_DEMO_TIME_LIMIT",
    "TIER_KPIS",
    "kpis_by_tier",
    "plan_job",
    "read_tiered_plan",
    "run_tiered",
    "tier_demo_job",
    "tier_settings",
    "tier_unserved_frame",
    "write_tier_files",
]

#: Figures summed per tier in ``kpis.json``'s ``tiers`` section.
TIER_KPIS = ("distance_km", "duration_h", "fuel_l", "co2_kg", "refrigeration_cost", "quality_loss", "cost")

#: ``progress(leg, best_cost)``: the leg the planner starts and the cost of the legs planned so far.
TierProgress = Callable[[str, float], None]


def plan_job(job: Job, options: SolveOptions, progress: TierProgress | None = None) -> TieredPlan:
    """Plan a tiered job's day.

    Parameters
    ----------
    job
        A job with a ``tiers`` block.
    options
        How long and how to search.
    progress
        Told which leg starts and the cost so far.

    Returns
    -------
    TieredPlan
        The plan of every leg.

    Raises
    ------
    ProblemError
        The job has no ``tiers`` block, or the planner refuses an input.
    """
    spec, problem = _spec(job), job.problem
    assert problem.network is not None  # a tiered job needs one (checked when it is read)
    lm = spec.last_mile_fleet
    return plan_tiers(
        problem.network,
        problem.orders,
        spec.trunk_fleet,
        {d: list(v) for d, v in lm.items()} if isinstance(lm, dict) else list(lm),
        settings=tier_settings(job),
        options=options,
        matrix=_network_matrix(problem),
        progress=progress,
    )


def tier_settings(job: Job) -> TierSettings:
    """The planner's settings of a tiered job: its ``tiers`` block with the job's products, costs and day.

    Parameters
    ----------
    job
        A job with a ``tiers`` block.

    Returns
    -------
    TierSettings
        Handling, hub-direct policy, cold stores, opening hours and the boundary pass.

    Raises
    ------
    ProblemError
        The job has no ``tiers`` block.
    """
    spec, problem = _spec(job), job.problem
    return TierSettings(
        products=problem.products,
        costs=problem.costs,
        handling_s=spec.handling_s,
        direct_from_hub=spec.direct_from_hub,
        rebalance=spec.rebalance,
        boundary_ratio=spec.boundary_ratio,
        direct_ratio=spec.direct_ratio,
        day=problem.day,
        cold_store_capacity=spec.cold_store_capacity,
        opening_hours=spec.opening_hours,
    )


#: Seconds of search of the three-tier demo day (``coldroute demo``).
TIER_DEMO_TIME_LIMIT = 30.0
#: Trucks and vans per depot of the demo day: enough to serve every order of `demo_orders` on Yanhu.
TIER_DEMO_FLEET = (4, 10)


def tier_demo_job(seed: int = 0) -> Job:
    """The three-tier Yanhu demo day as a tiered job: the built-in network, village orders and two fleets.

    Orders and fleets are the tier planner's demo data (`logistics.planners.tiers.demo`:
    generated quantities, estimated vehicles), on the built-in Yanhu network.

    Parameters
    ----------
    seed
        Seed of the orders.

    Returns
    -------
    Job
        A job named ``yanhu-tiers-<seed>`` with a ``tiers`` block (hub-direct ``"auto"``, 30 min handling).
    """
    net = networks.yanhu()
    trunk, vans = demo_fleets(*TIER_DEMO_FLEET)
    spec = TierSpec(trunk_fleet=tuple(trunk), last_mile_fleet=tuple(vans))
    problem = Problem(
        orders=tuple(demo_orders(net, seed=seed)),
        fleet=tuple(v for _, v in spec.vehicle_types(net.hub_id)),
        products=dict(DEMO_PRODUCTS),
        network=net,
        name=f"yanhu-tiers-{seed}",
    )
    options = SolveOptions(time_limit=TIER_DEMO_TIME_LIMIT, seed=seed)
    return Job(name=problem.name, path=None, problem=problem, options=options, tiers=spec)


def _network_matrix(problem: Problem) -> TravelMatrix | None:
    """The job's own travel matrix when it covers the whole network (a matrix file), else ``None``."""
    m, net = problem.matrix, problem.network
    if m is None or net is None or any(str(n) not in m for n in net.nodes.index):
        return None
    return m


def _spec(job: Job) -> TierSpec:
    if job.tiers is None:
        raise ProblemError(f"{job.name}: tiers: the job has no tiers block", record=job.name, field="tiers")
    return job.tiers


def run_tiered(
    job: Job,
    out_dir: str | os.PathLike,
    options: SolveOptions,
    *,
    offline: bool = False,
    progress: TierProgress | None = None,
    job_path: str | None = None,
    t0: float | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> JobResult:
    """Plan a tiered job, check the plan with the tier rules and every leg, and write the result folder.

    Parameters
    ----------
    job
        A job with a ``tiers`` block.
    out_dir
        The result folder (new, empty or a previous result; replaced atomically).
    options
        How long and how to search.
    offline
        Write a map that needs no network.
    progress
        Told which leg starts and the cost so far.
    job_path
        The job file, for the marker.
    t0
        ``time.perf_counter()`` when the run started (reading included), for ``elapsed_s``.
    on_phase
        Called with ``"writing"`` once planning is over.

    Returns
    -------
    JobResult
        The outcome, as written into the ``_SUCCESS`` marker; ``plan`` is the
        [TieredPlan][logistics.planners.tiers.TieredPlan].
    """
    t0 = time.perf_counter() if t0 is None else t0
    check_out_dir(out_dir)
    tp = plan_job(job, options, progress)
    if on_phase is not None:
        on_phase("writing")
    violations = [str(v) for v in tp.validate(legs=True)]
    required = {o.id for o in tp.orders if o.required}
    required_unserved = int(sum(1 for oid in tp.unserved["order_id"] if str(oid) in required))
    status = "invalid" if violations else ("unserved" if required_unserved else "ok")
    result = JobResult(
        name=job.name,
        out_dir=str(Path(out_dir)),
        status=status,
        exit_code=EXIT_OK if status == "ok" else EXIT_UNSERVED,
        kpis=dict(tp.kpis),
        violations=violations,
        unserved=len(tp.unserved),
        required_unserved=required_unserved,
        elapsed_s=0.0,
        job=job_path,
        plan=tp,
    )
    result.elapsed_s = round(time.perf_counter() - t0, 3)
    write_folder(out_dir, lambda tmp: write_tier_files(tp, tmp, offline=offline, result=result), result)
    return result


def write_tier_files(tp: TieredPlan, folder: Path, *, offline: bool, result: JobResult) -> None:
    """Write a tiered plan's output files into ``folder``.

    Parameters
    ----------
    tp
        The plan.
    folder
        Where to write (the run's temporary folder).
    offline
        Write a map that needs no network.
    result
        The run's outcome, for ``validation.json``.
    """
    _write_geojson(tp, folder / "routes.geojson")
    stops = tp.stops.copy()
    for c in ("arrival", "start", "departure"):
        if c in stops.columns:
            stops[f"{c}_clock"] = [fmt_clock(v) for v in stops[c]] if len(stops) else []
    stops.to_csv(folder / "stops.csv", index=False)
    transfers = tp.transfers.copy()
    for c in ("trunk_arrival", "trunk_departure", "last_mile_departure", "last_mile_arrival"):
        transfers[f"{c}_clock"] = [fmt_clock(v) for v in transfers[c]] if len(transfers) else []
    transfers["wait_at_station_min"] = (transfers["wait_at_station"] / 60).round(1)
    transfers.to_csv(folder / "transfers.csv", index=False)
    tier_unserved_frame(tp).to_csv(folder / "unserved.csv", index=False)
    write_json(folder / "kpis.json", dict(tp.kpis) | {"tiers": kpis_by_tier(tp)})
    (folder / "plan.json").write_text(json.dumps(tp.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    write_json(
        folder / "validation.json",
        {"violations": result.violations, "status": result.status, "required_unserved": result.required_unserved},
    )
    tier_views.write_tier_map(tp, folder / "map.html", offline=offline)
    tier_views.write_tier_timeline(tp, folder / "timeline.png")


def _write_geojson(tp: TieredPlan, path: Path) -> None:
    """Routes (LineStrings, with ``tier`` and ``leg``) and stops (Points) in one FeatureCollection."""
    feats = json.loads(tp.routes.to_json())["features"] if len(tp.routes) else []
    for r in tp.stops.to_dict(orient="records"):
        props = {k: v for k, v in r.items() if k not in ("lon", "lat")}
        props["feature"] = "stop"
        feats.append(
            {
                "type": "Feature",
                "properties": _jsonable(props),
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            }
        )
    doc = {"type": "FeatureCollection", "features": feats}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def kpis_by_tier(tp: TieredPlan) -> dict[str, dict[str, Any]]:
    """The day's figures per tier (trunk, last mile, direct): sums over the tier's plans.

    Parameters
    ----------
    tp
        The plan.

    Returns
    -------
    dict
        Tier → ``vehicles``, ``stops`` (order stops), `TIER_KPIS` figures, and ``depots``.
    """
    parts: dict[str, list[Any]] = {"trunk": [tp.trunk], "last_mile": [], "direct": []}
    depots: dict[str, list[str]] = {"trunk": [tp.hub], "last_mile": [], "direct": []}
    for d, p in tp.last_mile.items():
        tier = "direct" if d == tp.hub else "last_mile"
        parts[tier].append(p)
        depots[tier].append(d)
    out: dict[str, dict[str, Any]] = {}
    for tier, plans in parts.items():
        k: dict[str, Any] = {"depots": depots[tier]}
        for key in TIER_KPIS:
            k[key] = round(sum(float(p.kpis.get(key, 0.0) or 0.0) for p in plans), 4)
        k["vehicles"] = tp.kpis.get(f"{tier}_vehicles", 0)
        k["stops"] = int(sum(int(p.stops["kind"].isin(["delivery", "pickup"]).sum()) for p in plans))
        out[tier] = k
    return out


def tier_unserved_frame(tp: TieredPlan) -> pd.DataFrame:
    """Unserved orders with the leg that failed, the reason, kind, village and whether they were required.

    Parameters
    ----------
    tp
        The plan.

    Returns
    -------
    pandas.DataFrame
        One row per unserved order, with coordinates so a dispatcher can map who was left out.
    """
    by_id = {o.id: o for o in tp.orders}
    coords: dict[str, tuple[float, float]] = {}
    for p in tp.problems.values():
        coords |= dict(p.meta.get("coords") or {})
    rows = []
    for r in tp.unserved.to_dict(orient="records"):
        o = by_id.get(str(r["order_id"]))
        node = o.node_id if o is not None else None
        x, y = coords.get(str(node), (math.nan, math.nan))
        rows.append(
            {
                "order_id": r["order_id"],
                "leg": r["leg"],
                "reason": r["reason"],
                "kind": o.kind if o is not None else None,
                "node_id": node,
                "required": o.required if o is not None else None,
                "lon": x,
                "lat": y,
            }
        )
    cols = ["order_id", "leg", "reason", "kind", "node_id", "required", "lon", "lat"]
    return pd.DataFrame(rows, columns=cols)


def read_tiered_plan(path: Path, job: Job) -> TieredPlan:
    """A saved tiered plan, read back against its job so that every leg can be checked again.

    The tier rules then judge the plan against the job's orders, products, station cold stores and
    opening hours (not the copies in the document), and each leg's problem gets the job network's
    travel times.

    Parameters
    ----------
    path
        A ``plan.json`` written by a tiered run.
    job
        The tiered job it was planned for.

    Returns
    -------
    TieredPlan
        The plan, with every leg's problem.

    Raises
    ------
    ProblemError
        The file is missing, not JSON, or not a tiered plan document (the field names the part).
    """
    where = path.name
    check_input_file(path, MAX_JOB_BYTES, what="plan file", where=where)
    try:
        doc = json.loads(decode_text(path.read_bytes(), where), parse_constant=reject_constant)
    except ValueError as e:
        raise ProblemError(f"{where}: not valid JSON ({e})", record=where) from None
    check_numbers(doc, where)
    problem: Problem = job.problem
    assert problem.network is not None
    layout = Layout.from_network(problem.network, _network_matrix(problem))
    try:
        tp = TieredPlan.from_dict(
            doc, layout=layout, costs=problem.costs, orders=problem.orders, products=problem.products
        )
    except ProblemError as e:
        raise ProblemError(f"{where}: {e}", record=where, field=e.field) from None
    spec = _spec(job)  # the stations' limits are the job's, whatever the document says
    tp.meta["cold_store_capacity"] = dict(spec.cold_store_capacity or {})
    tp.meta["opening_hours"] = dict(spec.opening_hours or {})
    return tp
