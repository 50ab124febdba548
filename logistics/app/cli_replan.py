"""``coldroute replan`` and ``coldroute week``: the day after events, and a week with service calendars.

Registered on the main command line by [logistics.app.cli][] (``register(app)``).  Exit codes as
every command: 0 ok; 1 required orders unserved or plan violations; 2 bad input (a file, a field, an
argument: the message names the record and the field); 3 internal error.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from logistics.app import run as J
from logistics.app.cli_display import demo_seed, guard
from logistics.app.scenarios import yanhu_demo
from logistics.check.validator import validate
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions
from logistics.core.problem import Problem
from logistics.formats.calendar_file import Calendar, read_calendar
from logistics.formats.events_file import read_events
from logistics.formats.jobfile import load_job
from logistics.formats.plan_file import read_plan
from logistics.planners.coverage import service_days
from logistics.planners.replan import replan
from logistics.planners.week import plan_week

__all__ = ["register"]

out_console = Console()


class Strategy(str, Enum):
    """The ``--strategy`` choices of ``coldroute week``.

    Attributes
    ----------
    cluster
        Villages near each other on the same days, loads balanced, improved by moves.
    round_robin
        The baseline: days handed out in turn.
    """

    cluster = "cluster"
    round_robin = "round_robin"


def _problem(job: str, allow_outside: bool) -> Problem:
    """The job file's problem, or the demo scenario for ``demo[:SEED]``."""
    if job == "demo" or job.startswith("demo:"):
        return yanhu_demo(demo_seed(job))
    problem, _ = load_job(job, allow_outside=allow_outside)
    return problem


def _finish(summary: dict[str, Any], code: int, quiet: bool, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, default=str))
    elif not quiet:
        for k, v in summary.items():
            out_console.print(f"{k}: {v}", highlight=False)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``replan`` and ``week`` to the command line.

    Parameters
    ----------
    app
        The ``coldroute`` Typer application.
    """
    app.command(
        "replan",
        epilog="Example: coldroute replan jobs/monday.yaml out/monday events.yaml --at 11:00 --out out/monday-1100",
    )(replan_command)
    app.command("week", epilog="Example: coldroute week jobs/villages.yaml --calendar calendar.yaml --out out/week")(
        week_command
    )


def replan_command(
    job: str = typer.Argument(..., help="Job file, or demo[:SEED] for the demo scenario."),
    plan: Path = typer.Argument(..., help="The plan being run: plan.json, or a result folder holding one."),
    events: Path = typer.Argument(..., help="Events file (.json/.yaml; schema events.schema.json)."),
    out: Path = typer.Option(..., "--out", "-o", help="Result folder (new, empty or a previous result)."),
    at: str | None = typer.Option(None, "--at", help="Re-planning time HH:MM (default: the events file's 'at')."),
    time_limit: float = typer.Option(5.0, "--time-limit", "-t", min=0.01, help="Seconds of search for the rest."),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed."),
    offline: bool = typer.Option(False, "--offline", help="map.html without CDN assets or tiles."),
    allow_outside: bool = typer.Option(False, "--allow-outside", help="Let the job's paths leave its folder."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No tables."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary on stdout."),
) -> None:
    """Re-plan the rest of a day after events (breakdowns, delays, new and cancelled orders).

    Files: the result folder of `coldroute solve` for the whole day (fixed past and new rest) plus
    changes.csv (orders moved, retimed, newly unserved, with reasons) and vehicles.csv (where each
    vehicle restarted).
    """

    def work() -> tuple[dict[str, Any], int]:
        problem = _problem(job, allow_outside)
        old = read_plan(plan / "plan.json" if plan.is_dir() else plan)
        evs, file_at = read_events(events)
        when = at if at is not None else file_at
        if when is None:
            raise ProblemError(
                f"{events.name}: no re-planning time: give --at or 'at' in the file", record=events.name, field="at"
            )
        r = replan(problem, old, when, evs, SolveOptions(time_limit=time_limit, seed=seed))
        violations = [str(v) for v in validate(r.problem, r.plan)]
        extra = {
            "changes.csv": r.changes.to_csv(index=False),
            "vehicles.csv": r.vehicles.to_csv(index=False),
        }
        J.write_outputs(r.problem, r.plan, out, offline=offline, extra_files=extra)
        required = sum(1 for oid in r.plan.unserved["order_id"] if r.problem.order(str(oid)).required)
        summary = {
            "status": "invalid" if violations else ("unserved" if required else "ok"),
            "out": str(out),
            "replanned_at": r.plan.meta.get("replanned_at"),
            "changes": {str(k): int(v) for k, v in r.changes["change"].value_counts().items()},
            "kpis": {k: r.plan.kpis.get(k) for k in ("vehicles", "served", "unserved", "distance_km", "cost")},
            "violations": violations,
        }
        return summary, J.EXIT_OK if summary["status"] == "ok" else J.EXIT_UNSERVED

    summary, code = guard(work, as_json)
    _finish(summary, code, quiet, as_json)


def week_command(
    job: str = typer.Argument(..., help="Job file (the week's standing demand), or demo[:SEED]."),
    out: Path = typer.Option(..., "--out", "-o", help="Result folder: one sub-folder per day plus the week's files."),
    calendar: Path | None = typer.Option(
        None, "--calendar", "-c", help="Service calendar (.json/.yaml; schema calendar.schema.json)."
    ),
    strategy: Strategy = typer.Option(Strategy.cluster, "--strategy", help="How service days are chosen."),
    swaps: int = typer.Option(3, "--swaps", min=0, help="Passes of improving moves (cluster)."),
    time_limit: float = typer.Option(5.0, "--time-limit", "-t", min=0.01, help="Seconds of search per day."),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed."),
    offline: bool = typer.Option(False, "--offline", help="map.html without CDN assets or tiles."),
    allow_outside: bool = typer.Option(False, "--allow-outside", help="Let the job's paths leave its folder."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No tables."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary on stdout."),
) -> None:
    """Plan a week: choose each order's service days from its calendar and plan every day.

    Files: one result folder per day (Mon, Tue, ...), assignment.csv (each order's days),
    service_days.csv (days a week per village, when the job has a network) and week.json (KPIs).
    """

    def work() -> tuple[dict[str, Any], int]:
        problem = _problem(job, allow_outside)
        cal = read_calendar(calendar) if calendar is not None else Calendar()
        week = plan_week(
            problem,
            cal.rules,
            days=cal.days,
            default=cal.default,
            strategy=strategy.value,
            swaps=swaps,
            options=SolveOptions(time_limit=time_limit, seed=seed),
        )
        violations = []
        for day, p in week.plans.items():
            violations += [f"{day}: {v}" for v in validate(week.problems[day], p)]
            J.write_outputs(week.problems[day], p, out / day, offline=offline)
        J.write_text_file(out / "assignment.csv", week.assignment.to_csv(index=False))
        if problem.network is not None:
            sd = service_days(week, problem.network)
            J.write_text_file(out / "service_days.csv", sd.to_csv(index=False))
        doc = {"kpis": week.kpis, "meta": week.meta, "days": week.day_frame().to_dict(orient="records")}
        J.write_text_file(out / "week.json", json.dumps(doc, indent=1, ensure_ascii=False, default=str))
        required = sum(
            1
            for day, p in week.plans.items()
            for oid in p.unserved["order_id"]
            if week.problems[day].order(str(oid)).required
        )
        status = "invalid" if violations else ("unserved" if required else "ok")
        summary = {"status": status, "out": str(out), "kpis": week.kpis, "violations": violations[:20]}
        return summary, J.EXIT_OK if status == "ok" else J.EXIT_UNSERVED

    summary, code = guard(work, as_json)
    _finish(summary, code, quiet, as_json)
