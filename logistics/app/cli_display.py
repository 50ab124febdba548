"""What the command line shows: the progress line while solving, the result table, and errors.

`fail` and `guard` turn errors into the documented exit codes (2 bad input naming the field,
3 internal) for every command module (``cli.py``, ``cli_scenarios.py``).
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Callable
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, ProgressColumn, SpinnerColumn, TextColumn
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from logistics.app import run as J
from logistics.app.compare import HEADLINE
from logistics.core.errors import ProblemError
from networks.errors import NetworkError

__all__ = ["SolveDisplay", "compare_table", "demo_seed", "fail", "guard", "result_table"]

err_console = Console(stderr=True)


def fail(
    code: int, message: str, as_json: bool, field: str | None = None, errors: list[ProblemError] | None = None
) -> None:
    """Print an error (and with ``as_json`` a JSON error object on stdout) and exit with ``code``.

    Parameters
    ----------
    code
        The exit code (see ``coldroute --help``).
    message
        What went wrong, naming the record and field.
    as_json
        The command was asked for machine-readable output.
    field
        The field at fault, for the JSON object.
    errors
        Several errors found together (a `ProblemErrors`' list): each is printed on its own line
        and listed in the JSON object's ``errors``.

    Raises
    ------
    typer.Exit
        Always.
    """
    items = errors or [ProblemError(message, field=field)]
    if as_json:
        listed = [{"error": str(e), "field": e.field, "record": _plain(e.record)} for e in items]
        doc = {"status": "error", "exit_code": code, "error": message, "field": field, "errors": listed}
        typer.echo(json.dumps(doc, ensure_ascii=False))
    for e in items:  # one line per problem, so four mistakes read as four messages
        err_console.print(f"[bold red]error[/]: {escape(str(e))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _plain(record: Any) -> Any:
    return record if record is None or isinstance(record, (str, int, float, bool)) else str(record)


def guard(fn: Callable[[], Any], as_json: bool) -> Any:
    """Run ``fn``; turn exceptions into the documented exit codes.

    Parameters
    ----------
    fn
        The command's work.
    as_json
        Report errors as JSON on stdout too.

    Returns
    -------
    Any
        What ``fn`` returns.

    Raises
    ------
    typer.Exit
        2 for bad input (`ProblemError`, `NetworkError`, a path that cannot be read or written),
        130 on interrupt, 3 for anything else.
    """
    try:
        return fn()
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err_console.print("interrupted")
        raise typer.Exit(130) from None
    except (ProblemError, NetworkError) as e:
        listed = getattr(e, "errors", None) or ([e] if isinstance(e, ProblemError) else None)  # its record too
        fail(J.EXIT_BAD_INPUT, str(e), as_json, getattr(e, "field", None), listed)
    except OSError as e:  # a path that cannot be read or written: missing, a folder, too long, no permission
        if not J.is_path_error(e):
            fail(J.EXIT_INTERNAL, f"internal error: {type(e).__name__}: {e}", as_json)
        fail(J.EXIT_BAD_INPUT, str(e), as_json)
    except Exception as e:
        if os.environ.get("COLDROUTE_DEBUG"):
            traceback.print_exc()
        fail(
            J.EXIT_INTERNAL, f"internal error: {type(e).__name__}: {e} (set COLDROUTE_DEBUG=1 for a traceback)", as_json
        )


def demo_seed(job: str) -> int:
    """The seed of a ``demo`` or ``demo:SEED`` job argument.

    Parameters
    ----------
    job
        The argument as typed.

    Returns
    -------
    int
        The seed (0 for plain ``demo``).

    Raises
    ------
    ProblemError
        The seed is not a whole number (field ``job``).
    """
    text = job.split(":", 1)[1] if ":" in job else "0"
    if not text.isdigit() or len(text) > 9:
        raise ProblemError(f"job {job!r}: the demo's seed is a whole number (demo:0, demo:7)", record=job, field="job")
    return int(text)


class SolveDisplay:
    """A rich progress line while solving: best cost, time used, time left.

    Parameters
    ----------
    label
        What is solved (the job's name).
    time_limit
        The search's limit, in seconds (the bar's length).
    enabled
        Show anything at all (off for ``--quiet``, ``--json`` and when not on a terminal).
    console
        Where to draw (standard error).
    """

    def __init__(self, label: str, time_limit: float, enabled: bool, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.enabled = enabled
        self.limit = float(time_limit)
        self.label = label
        self.progress: Progress | None = None
        self.task: Any = None

    def __enter__(self) -> SolveDisplay:
        if not self.enabled:
            return self

        limit = self.limit

        class TimeBar(ProgressColumn):
            def render(self, task):
                return ProgressBar(total=limit, completed=min(limit, task.elapsed or 0.0), width=28)

        class TimeLeft(ProgressColumn):
            def render(self, task):
                if task.fields.get("phase") != "solving":
                    return Text("")
                return Text(f"{max(0.0, limit - (task.elapsed or 0.0)):5.1f} s left", style="cyan")

        class Best(ProgressColumn):
            def render(self, task):
                best = task.fields.get("best")
                return Text("best —" if best is None else f"best {best:,.2f}", style="green")

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeBar(),
            Best(),
            TimeLeft(),
            console=self.console,
            transient=True,
            refresh_per_second=8,
        )
        self.progress.__enter__()
        self.task = self.progress.add_task(f"solving {self.label}", best=None, phase="solving")
        return self

    def __call__(self, elapsed: float, best: float) -> None:
        """Show the best cost so far (the solver's progress callback)."""
        if self.progress is not None:
            self.progress.update(self.task, best=best)

    def leg(self, leg: str, cost: float) -> None:
        """Show the leg a tiered run starts and the cost of the legs planned so far (the tier planner's progress).

        Parameters
        ----------
        leg
            The leg starting (``"trunk outbound"``, ``"last mile"``, ...).
        cost
            The cost of the legs planned so far (¥).
        """
        if self.progress is not None:
            self.progress.update(self.task, description=f"{leg}: {self.label}", best=cost if cost else None)

    def phase(self, name: str) -> None:
        """Relabel the line.

        Parameters
        ----------
        name
            The phase, such as ``"writing"`` once the search is over.
        """
        if self.progress is not None:
            self.progress.update(self.task, description=f"{name} {self.label}", phase=name)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)


def result_table(result: J.JobResult) -> Table:
    """The result of a run as a two-column table (status, counts, distance, cost, violations).

    Parameters
    ----------
    result
        The run's outcome.

    Returns
    -------
    rich.table.Table
        The table to print.
    """
    k = result.kpis
    t = Table(title=f"{result.name} → {result.out_dir}", show_header=False, title_justify="left")
    t.add_column(style="bold")
    t.add_column()
    style = {"ok": "green", "unserved": "yellow", "invalid": "red"}.get(result.status, "white")
    t.add_row("status", f"[{style}]{result.status}[/]")
    t.add_row("vehicles", str(k.get("vehicles", 0)))
    t.add_row(
        "served / unserved",
        f"{k.get('served', 0)} / {k.get('unserved', 0)}"
        + (f" ({result.required_unserved} required)" if result.required_unserved else ""),
    )
    if "trunk_vehicles" in k:  # a tiered run
        t.add_row(
            "tiers",
            f"trunk {k['trunk_vehicles']} · last mile {k.get('last_mile_vehicles', 0)} · "
            f"direct {k.get('direct_vehicles', 0)} vehicles; {k.get('transfers', 0)} hand-overs",
        )
    t.add_row("distance", f"{k.get('distance_km', 0):,.1f} km")
    t.add_row("duration", f"{k.get('duration_h', 0):,.1f} h")
    t.add_row("cost", f"¥{k.get('cost', 0):,.2f}")
    for key, label in (("refrigeration_cost", "refrigeration"), ("quality_loss", "quality loss"), ("co2_kg", "CO2")):
        if key in k:
            unit = " kg" if key == "co2_kg" else ""
            t.add_row(label, (f"¥{k[key]:,.2f}" if not unit else f"{k[key]:,.1f}{unit}"))
    if k.get("travel_time_source"):
        est = bool(k.get("travel_times_estimated"))
        t.add_row(
            "travel times", ("[yellow]" if est else "") + escape(str(k["travel_time_source"])) + ("[/]" if est else "")
        )
    if result.violations:
        t.add_row("violations", f"[red]{len(result.violations)}[/]: " + "; ".join(result.violations[:3]))
    t.add_row("time", f"{result.elapsed_s:.1f} s")
    return t


def compare_table(frame: pd.DataFrame) -> Table:
    """Scenarios side by side: the headline KPIs with their change against the baseline, and the ranking.

    A plan that leaves required orders unserved is marked on every cost line and in its
    column's heading, so a lower cost bought by not serving them never reads as a saving.

    Parameters
    ----------
    frame
        From [compare][logistics.app.compare.compare].

    Returns
    -------
    rich.table.Table
        One column per scenario; rows for the headline KPIs, ``rank`` and ``flag``.
    """
    base = frame.attrs["baseline"]
    flagged = set(frame.attrs.get("flagged", []))
    table = Table(title=f"KPIs, change against {escape(str(base))}")
    table.add_column("kpi")
    for name in frame.index:
        head = escape(str(name)) + (" [red]⚠[/]" if name in flagged else "")
        table.add_column(head, justify="right")
    for k in (k for k in HEADLINE if k in frame.columns):
        cells = []
        for name in frame.index:
            v: Any = frame.at[name, k]
            ch: Any = frame.at[name, f"{k}_change_pct"]
            whole = isinstance(v, float) and v == v and float(v).is_integer()
            text = _fmt(v, ",.0f" if whole else ",.2f" if isinstance(v, float) else "")
            text = text if name == base or ch != ch else f"{text} ({ch:+.1f} %)"
            if name in flagged and k in ("cost", "total_cost"):
                text = f"[red]{text} ⚠[/]"
            cells.append(text)
        table.add_row(k, *cells)
    table.add_row("rank", *[str(frame["rank"][n]) for n in frame.index])
    table.add_row("flag", *[f"[red]{escape(str(frame.at[n, 'flag']))}[/]" for n in frame.index])
    if flagged:
        table.caption = "⚠ leaves required orders unserved: its cost is not comparable; ranked after complete plans"
    return table


def _fmt(v: Any, spec: str = "") -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    try:
        return format(v, spec)
    except (TypeError, ValueError):
        return str(v)
