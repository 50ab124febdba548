"""Scenario commands for planners: ``coldroute carriers JOB`` (邮快合作) and ``coldroute coverage JOB``.

* ``carriers`` plans the station → village leg of a job's parcels twice, each carrier with its
  own vans and all carriers on shared runs ([logistics.planners.carriers.compare_carrier_sharing][]),
  and writes ``carriers.csv`` (vehicles, vehicle-km, cost, village visits per carrier, in
  total and the saving) and ``carriers.json``.
* ``coverage`` plans the job's day (one tier, or three tiers for a tiered job) and reports, per
  township (or per station where the network has no townships), the share of villages reached
  within ``--hours`` of the hub's first departure and their service days per week when the day
  runs ``--days-per-week`` times a week ([logistics.planners.coverage.coverage][]):
  ``coverage.csv``, ``coverage_villages.csv``, ``coverage.json`` and ``coverage.html`` (township
  areas shaded by the share reached, villages coloured by hours).

``JOB`` is a job file (single-tier or three-tier) or ``demo`` / ``demo:SEED``: the three-tier
Yanhu demo day for coverage (as ``coldroute demo``), generated parcels of five carriers on the
Yanhu network for carriers.  A three-tier job's last-mile fleet is the carriers' van fleet.
Every plan is checked by the independent validator (and the tier rules for a three-tier day);
violations give exit code 1.
`register` adds both commands to the ``coldroute`` application.
"""

from __future__ import annotations

import json
import math
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from logistics.app import run as J
from logistics.app.cli_display import demo_seed, guard
from logistics.app.run_tiers import plan_job, tier_demo_job
from logistics.check.validator import validate
from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.extras import require
from logistics.core.maps import base_map, js_literal_html, save_map, text_html
from logistics.core.model import Order, Product, VehicleType
from logistics.core.options import SolveOptions
from logistics.core.plan import Plan
from logistics.engine.solve import solve
from logistics.formats.jobfile import Job, read_job
from logistics.planners.carriers import DEFAULT_TIME_LIMIT_S, compare_carrier_sharing, demo_parcels, parcel_van
from logistics.planners.coverage import coverage, coverage_areas, coverage_layer, folium_area_layer, folium_layer
from logistics.planners.tiers import TieredPlan
from networks import Network, yanhu

__all__ = [
    "ScenarioJob",
    "load_scenario_job",
    "register",
    "run_carriers",
    "run_coverage",
]

out_console = Console()
err_console = Console(stderr=True)


def _busy(what: str, quiet: bool, as_json: bool) -> AbstractContextManager[Any]:
    """A spinner on standard error while a scenario is planned (on a terminal, unless quiet or JSON)."""
    if quiet or as_json or not err_console.is_terminal:
        return nullcontext()
    return err_console.status(f"{what} (up to the time limit)")


#: Vans per carrier and station in the carriers demo (800 kg parcel vans).
DEMO_VANS = 2


@dataclass
class ScenarioJob:
    """What the scenario commands need of a job: its network, orders, van fleet and solver options.

    Parameters
    ----------
    name
        The job's name (file stem, ``yanhu-tiers-<seed>``, ``yanhu-parcels-<seed>``).
    network
        The three-tier network (stations and villages).
    orders
        The job's orders.
    fleet
        Its vehicle types (the last-mile fleet of a three-tier job).
    products, costs
        Its products and cost model.
    options
        Its solver block.
    job
        The job itself, which `plan` plans (single-tier or three-tier); ``None`` for generated parcels.
    """

    name: str
    network: Network
    orders: list[Order]
    fleet: list[VehicleType]
    products: dict[str, Product]
    costs: CostModel
    options: SolveOptions
    job: Job | None = None

    def plan(self, options: SolveOptions) -> tuple[Plan | TieredPlan, list[str]]:
        """Plan the job's day and check it (the tier rules and every leg for a three-tier day).

        Parameters
        ----------
        options
            Solver options (the job's, with the command line's overrides).

        Returns
        -------
        tuple
            The plan (a TieredPlan for a three-tier job) and the validator's violations as text.

        Raises
        ------
        ProblemError
            There is no job to plan (generated parcels).
        """
        if self.job is None:
            raise ProblemError(f"{self.name}: nothing to plan", record=self.name, field="job")
        if self.job.tiers is not None:
            tp = plan_job(self.job, options)
            return tp, [str(v) for v in tp.validate(legs=True)]
        plan = solve(self.job.problem, options=options)
        return plan, [str(v) for v in validate(self.job.problem, plan)]


def load_scenario_job(job: str, *, allow_outside: bool = False, parcels: bool = False) -> ScenarioJob:
    """Read a job file (single-tier or three-tier) or the demo for a scenario command.

    Parameters
    ----------
    job
        A job file, or ``demo`` / ``demo:SEED``.
    allow_outside
        Let the job's paths point outside its folder.
    parcels
        For the demo: generated parcels of five carriers (the carriers command) instead of the
        three-tier Yanhu demo day.

    Returns
    -------
    ScenarioJob
        The job's parts.

    Raises
    ------
    ProblemError
        The file is not a valid job, it has no network with stations and villages (field
        ``network``), or its last-mile fleet differs between stations (carriers).
    """
    if job == "demo" or job.startswith("demo:"):
        seed = demo_seed(job)
        if parcels:
            net = yanhu(roads=True)
            return ScenarioJob(
                name=f"yanhu-parcels-{seed}",
                network=net,
                orders=demo_parcels(net, seed=seed),
                fleet=[parcel_van(DEMO_VANS)],
                products={},
                costs=CostModel(),
                options=SolveOptions(time_limit=DEFAULT_TIME_LIMIT_S, seed=seed),
            )
        return _from_job(tier_demo_job(seed))
    return _from_job(read_job(job, allow_outside=allow_outside))


def _from_job(jb: Job) -> ScenarioJob:
    problem = jb.problem
    net = problem.network
    if net is None or not len(net.stations) or not len(net.villages):
        raise ProblemError(
            f"job {jb.name!r}: scenario commands need a network with stations and villages",
            record=jb.name,
            field="network",
        )
    fleet = list(problem.fleet)
    if jb.tiers is not None:
        lm = jb.tiers.last_mile_fleet
        fleets = {tuple(v) for v in lm.values()} if isinstance(lm, dict) else {tuple(lm)}
        fleet = list(next(iter(fleets))) if len(fleets) == 1 else []
    return ScenarioJob(
        name=jb.name,
        network=net,
        orders=list(problem.orders),
        fleet=fleet,
        products=dict(problem.products),
        costs=problem.costs,
        options=jb.options,
        job=jb,
    )


def _out_dir(out: Path) -> Path:
    """The result folder, created; an existing file or an unwritable place is bad input (``--out``)."""
    if out.exists() and not out.is_dir():
        raise ProblemError(f"--out: {str(out)!r} is a file, not a folder", record=str(out), field="--out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ProblemError(f"--out: cannot create {str(out)!r}: {e.strerror}", record=str(out), field="--out") from None
    return out


def _num(x: Any) -> Any:
    """A JSON-safe number (NaN → None)."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x.item() if hasattr(x, "item") else x


# --------------------------------------------------------------------------- carriers


def run_carriers(sj: ScenarioJob, out: Path, options: SolveOptions) -> dict[str, Any]:
    """Compare separate and shared runs of a job's carriers, check every plan and write the files.

    Parameters
    ----------
    sj
        The job.
    out
        The result folder.
    options
        Solver options for the whole comparison.

    Returns
    -------
    dict
        The JSON summary: headline savings, the frame's rows, violations and the files written.
    """
    if not sj.fleet:
        raise ProblemError(
            f"{sj.name}: tiers.last_mile_fleet: carriers compares one van fleet at every station; "
            "this job gives each station its own",
            record=sj.name,
            field="tiers.last_mile_fleet",
        )
    _out_dir(out)
    products = sj.products or None
    result: Any = compare_carrier_sharing(
        sj.network, sj.orders, sj.fleet, options=options, products=products, costs=sj.costs, return_plans=True
    )
    frame: pd.DataFrame = result[0]
    extra: dict[str, Any] = result[1]
    violations = [
        f"{' '.join(key)}: {v}"
        for key, plan in sorted(extra["plans"].items())
        for v in validate(extra["problems"][key], plan)
    ]
    J.write_text_file(out / "carriers.csv", frame.to_csv(), field="--out")
    s = frame.attrs["summary"]
    summary = {
        "job": sj.name,
        "status": "invalid" if violations else "ok",
        "carriers": s["carriers"],
        "stations": s["depots"],
        "parcels": s["orders"],
        "vehicle_km_saved": _num(frame.loc["saving", "vehicle_km"]),
        "vehicle_km_saved_pct": _num(frame.loc["saving_pct", "vehicle_km"]),
        "cost_saved": _num(frame.loc["saving", "cost"]),
        "cost_saved_pct": _num(frame.loc["saving_pct", "cost"]),
        "vehicles_saved": _num(frame.loc["saving", "vehicles"]),
        "rows": {str(k): {c: _num(v) for c, v in r.items()} for k, r in frame.to_dict(orient="index").items()},
        "violations": violations,
        "files": ["carriers.csv", "carriers.json"],
    }
    J.write_text_file(out / "carriers.json", json.dumps(summary, indent=1, ensure_ascii=False) + "\n", field="--out")
    return summary


def _carriers_table(summary: dict[str, Any], out: Path) -> Table:
    t = Table(title=f"邮快合作 {summary['job']} → {out}", title_justify="left")
    cols = {"vehicles": "vans", "vehicle_km": "km", "cost": "cost ¥", "village_visits": "visits"}
    t.add_column("scenario", no_wrap=True)
    for c in [*cols.values(), "served", "unserved"]:
        t.add_column(c, justify="right")

    def cell(v: Any, c: str, pct: bool) -> str:
        if v is None:
            return ""
        if pct:
            return f"{v:,.1f} %"
        return f"{v:,.2f}" if c in ("cost", "vehicle_km") else f"{v:,.0f}"

    for key, r in summary["rows"].items():
        pct = key == "saving_pct"
        t.add_row(key, *(cell(r[c], c, pct) for c in [*cols, "served", "unserved"]))
    return t


# --------------------------------------------------------------------------- coverage


def _week(plan: Any, days: int) -> list[Any]:
    """The day's plan on ``days`` days of the week, spread from Monday; no service on the others."""
    on = {math.floor(k * 7 / days) for k in range(days)} if days else set()
    return [plan if d in on else None for d in range(7)]


def run_coverage(
    sj: ScenarioJob, out: Path, options: SolveOptions, *, hours: float, days_per_week: int, offline: bool = False
) -> dict[str, Any]:
    """Plan the job's day, measure coverage per township (or station) and write the files and the map.

    Parameters
    ----------
    sj
        The job.
    out
        The result folder.
    options
        Solver options.
    hours
        The reach threshold T: hours after the hub's first departure.
    days_per_week
        Days a week the planned day runs (service days of every village it serves).
    offline
        A map that works without a network.

    Returns
    -------
    dict
        The JSON summary: the ``all`` row, per-group rows, violations and the files written.
    """
    _out_dir(out)
    plan, violations = sj.plan(options)
    net = sj.network
    by = "township" if "township" in net.villages.columns else "station"
    week = _week(plan, days_per_week)
    frame = coverage(plan, net, hours=[hours], schedule=week, by=by)
    layer = coverage_layer(plan, net, hours=[hours], schedule=week)
    within = f"within_{hours:g}h"
    J.write_text_file(out / "coverage.csv", frame.to_csv(), field="--out")
    J.write_text_file(out / "coverage_villages.csv", pd.DataFrame(layer.drop(columns="geometry")).to_csv(index=False))
    areas = coverage_areas(net, by)
    _coverage_map(net, areas, frame, layer, by, hours, within, out / "coverage.html", offline)
    summary = {
        "job": sj.name,
        "status": "invalid" if violations else "ok",
        "by": by,
        "hours": hours,
        "days_per_week": days_per_week,
        "hub_departure": _num(layer.attrs.get("hub_departure")),
        "all": {c: _num(v) for c, v in frame.loc["all"].items()},
        "groups": {str(k): {c: _num(v) for c, v in r.items()} for k, r in frame.drop(index="all").iterrows()},
        "area_source": str(areas["area_source"].iloc[0]) if len(areas) else None,
        "violations": violations,
        "files": ["coverage.csv", "coverage_villages.csv", "coverage.html", "coverage.json"],
    }
    J.write_text_file(out / "coverage.json", json.dumps(summary, indent=1, ensure_ascii=False) + "\n", field="--out")
    return summary


def _coverage_map(
    net: Network,
    areas: Any,
    frame: pd.DataFrame,
    layer: Any,
    by: str,
    hours: float,
    within: str,
    path: Path,
    offline: bool,
) -> Path:
    """Township areas shaded by the share reached within T, villages by hours, hub and stations."""
    folium = require("folium", "maps", "coverage maps")
    pts = list(zip(net.nodes.geometry.y.astype(float), net.nodes.geometry.x.astype(float)))
    m = base_map(pts, offline=offline)
    label = f"villages reached within {hours:g} h"
    folium_area_layer(areas, frame[within].drop(index="all"), name=f"{by}s: share {label}", label=label).add_to(m)
    folium_layer(layer, "hours", name="villages: hours after the hub's departure").add_to(m)
    fg = folium.FeatureGroup(name="hub and stations")
    for nid, r in pd.concat([net.hub, net.stations]).iterrows():
        folium.CircleMarker(
            (r.geometry.y, r.geometry.x),
            radius=9 if r["tier"] == "hub" else 6,
            color="#111111",
            fill=True,
            fill_color="#ffffff",
            fill_opacity=0.9,
            tooltip=js_literal_html(f"{text_html(nid)} · {text_html(r['name'])}"),
        ).add_to(fg)
    fg.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return save_map(m, path, offline=offline)


def _coverage_table(summary: dict[str, Any], out: Path) -> Table:
    h = summary["hours"]
    t = Table(title=f"coverage {summary['job']} → {out}", title_justify="left")
    for col in (summary["by"], "villages", f"within {h:g} h", "mean h", "days/week"):
        t.add_column(col, justify="left" if col == summary["by"] else "right")
    rows = list(summary["groups"].items()) + [("all", summary["all"])]
    for key, r in rows:
        mean_h = r.get("mean_hours")
        t.add_row(
            key,
            f"{int(r['villages'])}",
            f"{r[f'within_{h:g}h']:.0%}",
            "" if mean_h is None else f"{mean_h:.1f}",
            "" if r.get("mean_days_per_week") is None else f"{r['mean_days_per_week']:.1f}",
        )
    return t


# --------------------------------------------------------------------------- commands

Out = typer.Option(..., "--out", "-o", help="Result folder (created if missing).")
TimeLimit = typer.Option(None, "--time-limit", "-t", min=0.01, help="Seconds of search (overrides the job).")
Seed = typer.Option(None, "--seed", min=0, help="Random seed (overrides the job).")
JsonOut = typer.Option(False, "--json", help="Print a machine-readable summary on stdout (and nothing else).")
Quiet = typer.Option(False, "--quiet", "-q", help="No tables.")
AllowOutside = typer.Option(False, "--allow-outside", help="Let the job's paths point outside its folder.")


def _carriers_command(
    job: str = typer.Argument(..., help="Job file whose orders name their carrier, or demo[:SEED]."),
    out: Path = Out,
    time_limit: float | None = TimeLimit,
    seed: int | None = Seed,
    allow_outside: bool = AllowOutside,
    quiet: bool = Quiet,
    as_json: bool = JsonOut,
) -> None:
    """邮快合作: each carrier's own vans vs shared runs from the stations; vehicle-km and cost saved.

    Files: carriers.csv (rows separate:<carrier>, separate, shared, saving, saving_pct) and
    carriers.json.  Exit 0 ok, 1 a plan fails validation, 2 bad input.
    """

    def work() -> dict[str, Any]:
        sj = load_scenario_job(job, allow_outside=allow_outside, parcels=True)
        opts = sj.options.merged(time_limit=time_limit, seed=seed)
        with _busy(f"planning separate and shared runs of {sj.name}", quiet, as_json):
            return run_carriers(sj, out, opts)

    summary = guard(work, as_json)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    elif not quiet:
        out_console.print(_carriers_table(summary, out))
    raise typer.Exit(J.EXIT_UNSERVED if summary["violations"] else J.EXIT_OK)


def _coverage_command(
    job: str = typer.Argument(..., help="Job file (single-tier or tiered), or demo[:SEED]."),
    out: Path = Out,
    hours: float = typer.Option(4.0, "--hours", help="Reach threshold T: hours after the hub's first departure."),
    days_per_week: int = typer.Option(
        7, "--days-per-week", min=0, max=7, help="Days a week the planned day runs (service days per village)."
    ),
    time_limit: float | None = TimeLimit,
    seed: int | None = Seed,
    offline: bool = typer.Option(False, "--offline", help="coverage.html without CDN assets or tiles."),
    allow_outside: bool = AllowOutside,
    quiet: bool = Quiet,
    as_json: bool = JsonOut,
) -> None:
    """Share of villages reached within T hours of the hub's departure, and service days, per township.

    Files: coverage.csv (per township or station, and all), coverage_villages.csv,
    coverage.json, coverage.html (township areas shaded by coverage).  Exit 0 ok, 1 the plan
    fails validation, 2 bad input.
    """

    def work() -> dict[str, Any]:
        if not (math.isfinite(hours) and hours > 0):
            raise ProblemError(f"--hours: {hours} is not a positive number of hours", record="--hours", field="--hours")
        sj = load_scenario_job(job, allow_outside=allow_outside)
        opts = sj.options.merged(time_limit=time_limit, seed=seed)
        with _busy(f"planning {sj.name}", quiet, as_json):
            return run_coverage(sj, out, opts, hours=hours, days_per_week=days_per_week, offline=offline)

    summary = guard(work, as_json)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    elif not quiet:
        out_console.print(_coverage_table(summary, out))
    raise typer.Exit(J.EXIT_UNSERVED if summary["violations"] else J.EXIT_OK)


def register(app: typer.Typer) -> None:
    """Add the ``carriers`` and ``coverage`` commands to ``app``.

    Parameters
    ----------
    app
        The ``coldroute`` application.
    """
    app.command(
        "carriers",
        epilog=(
            "Examples:\n\n  coldroute carriers jobs/parcels.yaml --out out/carriers\n\n"
            "  coldroute carriers demo:0 --out out/carriers --time-limit 20 --json"
        ),
    )(_carriers_command)
    app.command(
        "coverage",
        epilog=(
            "Examples:\n\n  coldroute coverage jobs/monday.yaml --out out/coverage --hours 4 --days-per-week 3\n\n"
            "  coldroute coverage demo --out out/coverage --offline"
        ),
    )(_coverage_command)
