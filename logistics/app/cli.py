"""``coldroute``: the command line (typer + rich).  The work happens in run.py, run_tiers.py, batch.py and vroom.py.

Exit codes (also in ``coldroute --help`` and docs/jobs.md):
0 ok; 1 a plan leaves required orders unserved or fails validation (batch: some
job did); 2 bad input (job file, paths, arguments); 3 internal error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from logistics.app import run as J
from logistics.app.batch import run_batch
from logistics.app.cli_display import SolveDisplay, compare_table, result_table
from logistics.app.cli_display import demo_seed as _demo_seed
from logistics.app.cli_display import fail as _fail
from logistics.app.cli_display import guard as _guard
from logistics.app.cli_replan import register as register_replan
from logistics.app.cli_scenarios import register as register_scenarios
from logistics.app.compare import compare as compare_frames
from logistics.app.compare import result_folders
from logistics.app.run_tiers import job_scenario, read_tiered_plan, run_tiered
from logistics.app.scenarios import DEMO_TIME_LIMIT, demo_options, yanhu_tier_day
from logistics.app.vroom import main as vroom_main
from logistics.check.validator import validate as check
from logistics.core.options import SolveOptions
from logistics.formats.jobfile import read_job
from logistics.formats.plan_file import read_plan
from logistics.planners.tiers import TierScenario

EXIT_HELP = (
    "[b]Exit codes[/b]: 0 ok · 1 required orders unserved or plan violations (batch: in some job) · "
    "2 bad input (job file, paths, arguments) · 3 internal error."
)

app = typer.Typer(
    name="coldroute",
    help="Cold-chain and rural delivery route planning (district → township → village).\n\n" + EXIT_HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=(
        "Examples:\n\n"
        "  coldroute demo --out out/demo\n\n"
        "  coldroute solve jobs/monday.yaml --out out/monday --time-limit 30\n\n"
        "  coldroute batch jobs/*.yaml --out out/week --workers 2\n\n"
        "  coldroute batch jobs/*.yaml --out /shared/week --scheduler tcp://scheduler-host:8786\n\n"
        "  coldroute validate jobs/monday.yaml out/monday/plan.json\n\n"
        "  coldroute vroom -i input.json -o solution.json\n\n"
        "  coldroute bench solomon c101 r101 --time-limit 5"
    ),
)

out_console = Console()
err_console = Console(stderr=True)


class Engine(str, Enum):
    """The ``--engine`` choices of the command line.

    Attributes
    ----------
    auto
        Let the library choose (see `logistics.solve`).
    ortools
        OR-Tools routing.
    pyvrp
        PyVRP's hybrid genetic search.
    """

    auto = "auto"
    ortools = "ortools"
    pyvrp = "pyvrp"


TimeLimit = typer.Option(None, "--time-limit", "-t", min=0.01, help="Seconds of search (overrides the job).")
Seed = typer.Option(None, "--seed", min=0, help="Random seed (overrides the job).")
EngineOpt = typer.Option(None, "--engine", help="Search engine (overrides the job).")
Iterations = typer.Option(
    None, "--iterations", min=1, help="Stop after this many improvements (machine-independent runs)."
)
Offline = typer.Option(False, "--offline", help="map.html without CDN assets or tiles (works with no network).")
Quiet = typer.Option(False, "--quiet", "-q", help="No progress display, no tables.")
JsonOut = typer.Option(False, "--json", help="Print a machine-readable summary on stdout (and nothing else).")
AllowOutside = typer.Option(False, "--allow-outside", help="Let the job's paths point outside its folder.")
MaxOrders = typer.Option(
    None, "--max-orders", min=1, help="Most orders an orders file may hold (overrides the job; default 50,000)."
)
MaxOrdersMb = typer.Option(
    None, "--max-orders-mb", min=0.001, help="Largest orders file read, in MiB (overrides the job; default 64)."
)


def _version(value: bool) -> None:
    if value:
        try:
            v = version("coldroute")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            v = "unknown"
        typer.echo(f"coldroute {v}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Cold-chain and rural delivery route planning."""


# --------------------------------------------------------------------------- helpers


def _report(result: J.JobResult, quiet: bool, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.summary(), ensure_ascii=False))
    elif not quiet:
        out_console.print(result_table(result))
    raise typer.Exit(result.exit_code)


def _solve_tiered(
    scenario: TierScenario,
    out: Path,
    options: SolveOptions,
    *,
    name: str,
    offline: bool,
    quiet: bool,
    as_json: bool,
    job_path: str | None = None,
) -> J.JobResult:
    show = not quiet and not as_json and err_console.is_terminal
    with SolveDisplay(name, options.time_limit, show, err_console) as display:
        return run_tiered(
            scenario,
            out,
            options,
            name=name,
            offline=offline,
            progress=display.leg,
            job_path=job_path,
            on_phase=display.phase,
        )


def _solve_problem(
    problem,
    out: Path,
    options: SolveOptions,
    *,
    name: str,
    offline: bool,
    quiet: bool,
    as_json: bool,
    job_path: str | None = None,
    vroom=None,
) -> J.JobResult:
    show = not quiet and not as_json and err_console.is_terminal
    with SolveDisplay(name, options.time_limit, show, err_console) as display:
        return J.run_problem(
            problem,
            out,
            options,
            name=name,
            offline=offline,
            progress=display,
            job_path=job_path,
            vroom=vroom,
            on_phase=display.phase,
        )


# --------------------------------------------------------------------------- commands


@app.command(epilog="Example: coldroute demo --out out/demo --time-limit 20 --offline")
def demo(
    out: Path = typer.Option(..., "--out", "-o", help="Result folder (new, empty or a previous result)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Scenario and search seed."),
    time_limit: float = typer.Option(
        DEMO_TIME_LIMIT, "--time-limit", "-t", min=0.01, help="Seconds of planning, all legs together."
    ),
    engine: Engine = typer.Option(Engine.auto, "--engine"),
    iterations: int | None = Iterations,
    offline: bool = Offline,
    quiet: bool = Quiet,
    as_json: bool = JsonOut,
) -> None:
    """Plan a three-tier day for Yanhu District (hub → stations → villages) and write the results.

    Files: routes.geojson, stops.csv and unserved.csv (with tier and leg), transfers.csv, kpis.json
    (per tier and in total), plan.json, validation.json, map.html, timeline.png, then _SUCCESS.
    """

    def work():
        opts = demo_options(seed, time_limit, engine.value, iterations)
        day = yanhu_tier_day(seed)
        return _solve_tiered(day, out, opts, name=f"yanhu-tiers-{seed}", offline=offline, quiet=quiet, as_json=as_json)

    _report(_guard(work, as_json), quiet, as_json)


@app.command(
    epilog=(
        "Examples:\n\n  coldroute solve jobs/monday.yaml --out out/monday\n\n"
        "  coldroute solve vroom-input.json --out out/v --json"
    )
)
def solve(
    job: Path = typer.Argument(..., help="Job file (.json/.yaml), or a VROOM input (.json)."),
    out: Path = typer.Option(..., "--out", "-o", help="Result folder (new, empty or a previous result)."),
    time_limit: float | None = TimeLimit,
    seed: int | None = Seed,
    engine: Engine | None = EngineOpt,
    iterations: int | None = Iterations,
    offline: bool = Offline,
    allow_outside: bool = AllowOutside,
    max_orders: int | None = MaxOrders,
    max_orders_mb: float | None = MaxOrdersMb,
    quiet: bool = Quiet,
    as_json: bool = JsonOut,
) -> None:
    """Solve one job and write its result folder.

    Files: routes.geojson, stops.csv, unserved.csv, kpis.json, plan.json, validation.json, map.html,
    timeline.png (and vroom.json for a VROOM input; transfers.csv for a tiered job), then the
    _SUCCESS marker.  A job with a tiers block plans a three-tier day; the progress line shows the
    leg being planned and the cost so far.
    """

    def work():
        limits = {"orders_rows": max_orders, "orders_mb": max_orders_mb}
        jb = read_job(job, allow_outside=allow_outside, limits=limits)
        opts = jb.options.merged(
            time_limit=time_limit, seed=seed, engine=engine.value if engine else None, iterations=iterations
        )
        if jb.tiers is not None:  # a three-tier day
            day = job_scenario(jb)
            return _solve_tiered(
                day, out, opts, name=jb.name, offline=offline, quiet=quiet, as_json=as_json, job_path=str(job)
            )
        return _solve_problem(
            jb.problem,
            out,
            opts,
            name=jb.name,
            offline=offline,
            quiet=quiet,
            as_json=as_json,
            job_path=str(job),
            vroom=jb.vroom,
        )

    _report(_guard(work, as_json), quiet, as_json)


@app.command(
    epilog=(
        "Examples:\n\n  coldroute batch jobs/*.yaml --out out/week --workers 2\n\n"
        "  coldroute batch jobs/*.yaml --out /shared/week --scheduler tcp://scheduler-host:8786"
    )
)
def batch(
    jobs: list[Path] = typer.Argument(..., help="Job files."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for one result folder per job."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786."),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=0, help="Local worker processes (default: cores; 0: in this process)."
    ),
    force: bool = typer.Option(False, "--force", help="Rerun jobs that already finished."),
    time_limit: float | None = TimeLimit,
    seed: int | None = Seed,
    engine: Engine | None = EngineOpt,
    iterations: int | None = Iterations,
    offline: bool = Offline,
    allow_outside: bool = AllowOutside,
    quiet: bool = Quiet,
    as_json: bool = JsonOut,
) -> None:
    """Solve many jobs in parallel into OUT/<job name>/; finished jobs are skipped on a rerun."""

    def work():
        show = not quiet and not as_json
        prog = None
        if show:
            prog = Progress(
                TextColumn("batch"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=err_console,
                transient=True,
            )
        task = None

        def on_done(rec):
            if prog is not None:
                prog.update(task, advance=1, description=f"{rec.name}: {rec.status}")
            if rec.status == "failed" and not as_json:
                err_console.print(f"[red]{rec.name} failed[/] (exit {rec.exit_code}): {rec.error}", highlight=False)

        kwargs = dict(
            scheduler=scheduler,
            workers=workers,
            time_limit=time_limit,
            seed=seed,
            engine=engine.value if engine else None,
            iterations=iterations,
            offline=offline,
            allow_outside=allow_outside,
            force=force,
            on_done=on_done,
        )
        if prog is None:
            return run_batch(jobs, out, **kwargs)
        with prog:
            task = prog.add_task("", total=len(jobs))
            return run_batch(jobs, out, **kwargs)

    result = _guard(work, as_json)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    elif not quiet:
        t = Table(title=f"batch → {result.summary_path.parent}", title_justify="left")
        for col in ("job", "status", "exit", "served", "unserved", "km", "cost", "time", "error"):
            t.add_column(col, overflow="fold")
        for r in result.records:
            k = r.kpis or {}
            style = {"ok": "green", "skipped": "cyan", "unserved": "yellow"}.get(r.status, "red")
            t.add_row(
                r.name,
                f"[{style}]{r.status}[/]",
                str(r.exit_code),
                _fmt(k.get("served")),
                _fmt(k.get("unserved")),
                _fmt(k.get("distance_km"), ".1f"),
                _fmt(k.get("cost"), ",.2f"),
                f"{r.elapsed_s:.1f}s" if r.elapsed_s else "",
                (r.error or "").splitlines()[0][:80] if r.error else "",
            )
        out_console.print(t)
        out_console.print(f"summary: {result.summary_path}")
    raise typer.Exit(result.exit_code)


def _fmt(v: Any, spec: str = "") -> str:
    if v is None:
        return ""
    try:
        return format(v, spec)
    except (TypeError, ValueError):
        return str(v)


@app.command(
    epilog=(
        "Examples:\n\n  coldroute validate jobs/monday.yaml out/monday/plan.json\n\n"
        "  coldroute validate demo:0 out/demo    (the demo scenario of seed 0)"
    )
)
def validate(
    job: str = typer.Argument(..., help="Job file, or demo[:SEED] for the three-tier demo day."),
    plan: Path = typer.Argument(..., help="plan.json, or a result folder holding one."),
    allow_outside: bool = AllowOutside,
    quiet: bool = Quiet,
    as_json: bool = JsonOut,
) -> None:
    """Check a saved plan against its job with the independent validator (exit 0 feasible, 1 violations).

    A tiered job's plan is checked with the tier rules (hand-overs, end-to-end shelf life, every
    order served once or unserved with a reason) and every leg with the plan validator.
    """

    def work():
        path = plan / "plan.json" if plan.is_dir() else plan
        if job == "demo" or job.startswith("demo:"):
            day = yanhu_tier_day(_demo_seed(job))
        else:
            jb = read_job(job, allow_outside=allow_outside)
            if jb.tiers is None:
                return check(jb.problem, read_plan(path))
            day = job_scenario(jb)
        return read_tiered_plan(path, day).validate(legs=True)  # the tier rules, then every leg

    violations = _guard(work, as_json)
    if as_json:
        typer.echo(
            json.dumps({"violations": [str(v) for v in violations], "count": len(violations)}, ensure_ascii=False)
        )
    elif not quiet:
        if violations:
            for v in violations:
                out_console.print(f"[red]✗[/] {v}", highlight=False)
            out_console.print(f"{len(violations)} violation(s)")
        else:
            out_console.print("[green]✓[/] the plan is feasible")
    raise typer.Exit(J.EXIT_UNSERVED if violations else J.EXIT_OK)


@app.command(
    epilog=(
        "Examples:\n\n  coldroute compare out/week/monday-shared out/week/monday-separate\n\n"
        "  coldroute compare out/week --baseline monday --csv compare.csv    (every job of a batch)"
    )
)
def compare(
    results: list[Path] = typer.Argument(
        ..., help="Result folders (each with kpis.json), or a batch's output folder for all its jobs."
    ),
    baseline: str | None = typer.Option(
        None, "--baseline", "-b", help="Scenario (folder name) to compare against; default the first."
    ),
    csv: Path | None = typer.Option(None, "--csv", help="Also write the whole frame as CSV."),
    quiet: bool = Quiet,
    as_json: bool = JsonOut,
) -> None:
    """KPIs of finished jobs side by side, with the change of each headline figure against a baseline."""

    def work():
        folders, missing = result_folders(results)
        for m in missing:
            err_console.print(f"[yellow]not compared[/]: {m}", highlight=False)
        return compare_frames(folders, baseline=baseline)

    frame = _guard(work, as_json)
    if csv is not None:
        _guard(lambda: J.write_text_file(csv, frame.to_csv(), field="--csv"), as_json)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "baseline": frame.attrs["baseline"],
                    "flagged": frame.attrs["flagged"],
                    "scenarios": json.loads(frame.to_json(orient="index")),
                },
                ensure_ascii=False,
            )
        )
    elif not quiet:
        out_console.print(compare_table(frame))
    raise typer.Exit(J.EXIT_OK)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
    epilog="Example: coldroute vroom -i input.json -o solution.json -l 5 (coldroute vroom --help for every flag)",
)
def vroom(ctx: typer.Context) -> None:
    """Solve a VROOM input with vroom's flags (-i, -o, -c, -t threads, -x, -l); output in VROOM's format."""
    raise typer.Exit(vroom_main(list(ctx.args)))


def _bench_script() -> Path | None:
    for root in (Path(__file__).resolve().parents[1], Path.cwd()):
        p = root / "benchmarks" / "bench_classic.py"
        if p.is_file():
            return p
    return None


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog="Example: coldroute bench solomon c101 r101 --time-limit 5 (options go to bench_classic.py)",
)
def bench(
    ctx: typer.Context,
    set_name: str = typer.Argument(..., metavar="SET", help="Benchmark set, e.g. solomon, cvrplib-X."),
) -> None:
    """Run benchmarks/bench_classic.py SET [ARGS...] (gaps to best-known solutions)."""
    script = _bench_script()
    if script is None:
        _fail(J.EXIT_BAD_INPUT, "benchmarks/bench_classic.py not found (bench runs from a source checkout)", False)
    rc = subprocess.call([sys.executable, str(script), set_name, *ctx.args])
    raise typer.Exit(rc)


register_scenarios(app)
register_replan(app)

if __name__ == "__main__":  # pragma: no cover
    app()


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog="Example: coldroute serve --db postgresql+psycopg://user@host/coldroute --workers 2",
)
def serve() -> None:
    """Start the HTTP service: job API, job store, workers and the dispatcher page (docs/service.md).

    The ``coldroute`` console script hands ``serve`` to the service layer before this command
    line is built, so this entry only lists the command in ``--help``; reached any other way
    (``logistics.app.main.main`` called directly) it says how to start the service and exits 2.
    """
    _fail(2, "start the service with the coldroute console script: coldroute serve [--db URL] [--workers N]", False)
