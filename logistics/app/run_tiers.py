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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from logistics.app import tier_views
from logistics.app.folders import EXIT_OK, EXIT_UNSERVED, JobResult, check_out_dir, write_folder, write_json
from logistics.app.scenarios import demo_options, yanhu_tier_day
from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.model import GOODS, Product, VehicleType
from logistics.core.options import SolveOptions
from logistics.core.plan import write_geojson
from logistics.core.problem import Problem
from logistics.core.units import fmt_clock
from logistics.formats.job_fleets import TierSpec
from logistics.formats.jobfile import Job
from logistics.formats.json_read import read_json_file
from logistics.formats.plan_file import check_plan_document
from logistics.planners.tiers import (
    TIERED_PLAN_FORMAT,
    Layout,
    TieredPlan,
    TierScenario,
    TierSettings,
    plan_scenario,
)

__all__ = [
    "TIER_KPIS",
    "check_tiered_document",
    "job_scenario",
    "kpis_by_tier",
    "plan_job",
    "read_tiered_plan",
    "run_tiered",
    "scenario_job",
    "tier_demo_job",
    "tier_settings",
    "tier_unserved_frame",
    "write_tier_files",
]

#: Figures summed per tier in ``kpis.json``'s ``tiers`` section.
TIER_KPIS = ("distance_km", "duration_h", "fuel_l", "co2_kg", "refrigeration_cost", "quality_loss", "cost")

#: ``progress(leg, best_cost)``: the leg the planner starts and the cost of the legs planned so far.
TierProgress = Callable[[str, float], None]


def job_scenario(job: Job) -> TierScenario:
    """A tiered job as the day the tier planner plans (`plan_scenario`).

    Parameters
    ----------
    job
        A job with a ``tiers`` block.

    Returns
    -------
    TierScenario
        Network, orders, the two fleets, `tier_settings` and ``meta`` naming the job.

    Raises
    ------
    ProblemError
        The job has no ``tiers`` block.
    """
    spec, problem = _spec(job), job.problem
    assert problem.network is not None  # a tiered job needs one (checked when it is read)
    lm = spec.last_mile_fleet
    return TierScenario(
        network=problem.network,
        orders=tuple(problem.orders),
        trunk_fleet=tuple(spec.trunk_fleet),
        last_mile_fleet={d: list(v) for d, v in lm.items()} if isinstance(lm, dict) else list(lm),
        settings=tier_settings(job),
        meta={"job": job.name, "path": str(job.path) if job.path is not None else None, "day": problem.day},
    )


def plan_job(job: Job, options: SolveOptions, progress: TierProgress | None = None) -> TieredPlan:
    """Plan a tiered job's day: `plan_scenario` of its `job_scenario`.

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
    return plan_scenario(job_scenario(job), options, progress=progress)


def scenario_job(scenario: TierScenario, name: str, options: SolveOptions | None = None) -> Job:
    """A three-tier day as a tiered job, for code that reads jobs (the scenario commands' demo).

    Parameters
    ----------
    scenario
        The day.
    name
        The job's name.
    options
        Its solver options (default `SolveOptions()`).

    Returns
    -------
    Job
        ``problem`` holds the day's orders, products, costs and network with the tier fleets at the
        hub; ``tiers`` the fleets and the settings.

    Raises
    ------
    ProblemError
        The day's orders do not fit its products or fleets.
    """
    s, net = scenario.settings, scenario.network
    lm = scenario.last_mile_fleet
    if isinstance(lm, Mapping):
        lm_spec: Any = {str(d): tuple([v] if isinstance(v, VehicleType) else v) for d, v in lm.items()}
    else:
        lm_spec = tuple([lm] if isinstance(lm, VehicleType) else lm)
    spec = TierSpec(
        trunk_fleet=tuple(scenario.trunk_fleet),
        last_mile_fleet=lm_spec,
        handling_s=int(s.handling_s),
        direct_from_hub=s.direct_from_hub,
        cold_store_capacity=dict(s.cold_store_capacity) if s.cold_store_capacity is not None else None,
        opening_hours=dict(s.opening_hours) if s.opening_hours is not None else None,
        rebalance=s.rebalance,
        boundary_ratio=s.boundary_ratio,
        direct_ratio=s.direct_ratio,
    )
    problem = Problem(
        orders=tuple(scenario.orders),
        fleet=tuple(v for _, v in spec.vehicle_types(net.hub_id)),
        products=_products(s),
        network=net,
        costs=s.costs if s.costs is not None else CostModel(),
        name=name,
        day=s.day,
    )
    return Job(name=name, path=None, problem=problem, options=options or SolveOptions(), tiers=spec)


def tier_demo_job(seed: int = 0) -> Job:
    """The three-tier Yanhu demo day (``coldroute demo``) as a tiered job.

    Parameters
    ----------
    seed
        The day's seed.

    Returns
    -------
    Job
        ``yanhu_tier_day(seed)`` named ``yanhu-tiers-<seed>``, with the demo's solver options.
    """
    return scenario_job(yanhu_tier_day(seed), f"yanhu-tiers-{seed}", demo_options(seed))


def _products(settings: TierSettings) -> dict[str, Product]:
    """The settings' products by name (one generic product when none is given, as the planner does)."""
    products: Any = settings.products if settings.products is not None else {"goods": GOODS}
    return dict(products) if isinstance(products, Mapping) else {p.name: p for p in products}


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


def _spec(job: Job) -> TierSpec:
    if job.tiers is None:
        raise ProblemError(f"{job.name}: tiers: the job has no tiers block", record=job.name, field="tiers")
    return job.tiers


def run_tiered(
    scenario: TierScenario,
    out_dir: str | os.PathLike,
    options: SolveOptions,
    *,
    name: str,
    offline: bool = False,
    progress: TierProgress | None = None,
    job_path: str | None = None,
    t0: float | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> JobResult:
    """Plan a three-tier day, check the plan with the tier rules and every leg, and write the result folder.

    Parameters
    ----------
    scenario
        The day: a tiered job's (`job_scenario`) or a built-in one (``yanhu_tier_day``).
    out_dir
        The result folder (new, empty or a previous result; replaced atomically).
    options
        How long and how to search.
    name
        The run's name (the job's).
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
    tp = plan_scenario(scenario, options, progress=progress)
    if on_phase is not None:
        on_phase("writing")
    violations = [str(v) for v in tp.validate(legs=True)]
    required = {o.id for o in tp.orders if o.required}
    required_unserved = int(sum(1 for oid in tp.unserved["order_id"] if str(oid) in required))
    status = "invalid" if violations else ("unserved" if required_unserved else "ok")
    result = JobResult(
        name=name,
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
    write_geojson(tp.routes, tp.stops, path)


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


#: Columns of ``transfers`` that hold seconds, and that hold ids.
_TRANSFER_NUMBERS = ("trunk_arrival", "trunk_departure", "last_mile_departure", "last_mile_arrival", "wait_at_station")
_TRANSFER_TEXT = ("order_id", "direction", "station", "trunk_order", "trunk_vehicle", "last_mile_vehicle")


def check_tiered_document(doc: Any, where: str = "plan") -> None:
    """Check the shape of a tiered plan document from elsewhere before it is read: every leg, transfer and row.

    Parameters
    ----------
    doc
        The parsed document.
    where
        The file's name, for errors.

    Raises
    ------
    ProblemError
        The first problem found, at its field path (``legs.st1.stops[3].arrival``, ``transfers[2].station``).
    """

    def fail(field: str, msg: str) -> ProblemError:
        return ProblemError(f"{where}: {field}: {msg}", record=where, field=field)

    if not isinstance(doc, dict):
        raise ProblemError(f"{where}: a plan is a JSON object (a {type(doc).__name__} was found)", record=where)
    if doc.get("format") != TIERED_PLAN_FORMAT:
        raise fail("format", f"not a tiered plan (format {doc.get('format')!r}, expected {TIERED_PLAN_FORMAT!r})")
    for key, kind in (("legs", dict), ("transfers", list), ("unserved", list), ("hub", str), ("handling_s", int)):
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool):
            raise fail(key, f"missing or not a JSON {kind.__name__}")
    if "trunk" not in doc["legs"]:
        raise fail("legs.trunk", "missing")
    for leg, sub in doc["legs"].items():
        try:
            check_plan_document(sub, where)
        except ProblemError as e:
            raise fail(f"legs.{leg}.{e.field}" if e.field else f"legs.{leg}", str(e).split(": ", 2)[-1]) from None
    for k, row in enumerate(doc["transfers"]):
        if not isinstance(row, dict):
            raise fail(f"transfers[{k}]", "a transfer is an object")
        for col in _TRANSFER_NUMBERS:
            v = row.get(col)
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                raise fail(f"transfers[{k}].{col}", f"{v!r} is not a number")
        for col in _TRANSFER_TEXT:
            if not isinstance(row.get(col), str):
                raise fail(f"transfers[{k}].{col}", f"{row.get(col)!r} is not text")
    for k, row in enumerate(doc["unserved"]):
        if not isinstance(row, dict) or not isinstance(row.get("order_id"), str):
            raise fail(f"unserved[{k}]", "an unserved entry is an object with order_id, leg and reason")


def read_tiered_plan(path: Path, scenario: TierScenario) -> TieredPlan:
    """A saved tiered plan, read back against its job so that every leg can be checked again.

    The tier rules then judge the plan against the job's orders, products, station cold stores and
    opening hours (not the copies in the document), and each leg's problem gets the job network's
    travel times.

    Parameters
    ----------
    path
        A ``plan.json`` written by a tiered run.
    scenario
        The day it was planned for (`job_scenario` of its job, or a built-in day).

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
    doc = read_json_file(path, "plan file")
    check_tiered_document(doc, where)
    settings = scenario.settings
    products = _products(settings)
    try:
        tp = TieredPlan.from_dict(
            doc,
            layout=Layout.from_network(scenario.network),
            costs=settings.costs,
            orders=scenario.orders,
            products=products,
        )
    except ProblemError as e:
        raise ProblemError(f"{where}: {e}", record=where, field=e.field) from None
    # the stations' limits are the day's, whatever the document says
    tp.meta["cold_store_capacity"] = dict(settings.cold_store_capacity or {})
    tp.meta["opening_hours"] = dict(settings.opening_hours or {})
    return tp
