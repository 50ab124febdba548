"""Running a job and writing its result folder: exit codes, atomic output, the success marker."""

from __future__ import annotations

import errno
import json
import math
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from logistics.app import plots
from logistics.app.folders import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_UNSERVED,
    MARKER,
    OUTPUT_FILES,
    JobResult,
    check_out_dir,
    read_marker,
    remove_stale_temporaries,
    write_folder,
    write_json,
)
from logistics.app.run_tiers import job_scenario, run_tiered
from logistics.check.validator import validate
from logistics.core import maps
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions, resolve_options
from logistics.core.plan import Plan
from logistics.core.problem import Problem, coordinates
from logistics.core.travel_source import travel_source
from logistics.core.units import fmt_clock
from logistics.engine.solve import solve
from logistics.formats.documents import check_path_text
from logistics.formats.jobfile import read_job
from logistics.formats.vroom import VroomInput, plan_to_vroom
from networks.errors import NetworkError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_UNSERVED",
    "MARKER",
    "OUTPUT_FILES",
    "JobResult",
    "check_out_dir",
    "error_code",
    "is_path_error",
    "read_marker",
    "remove_stale_temporaries",
    "run_job",
    "run_problem",
    "unserved_frame",
    "write_outputs",
    "write_text_file",
]

# --------------------------------------------------------------------------- running


def run_job(
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    options: SolveOptions | None = None,
    *,
    time_limit: float | None = None,
    seed: int | None = None,
    engine: str | None = None,
    iterations: int | None = None,
    offline: bool = False,
    progress: Callable[[float, float], None] | None = None,
    allow_outside: bool = False,
    limits: Mapping[str, Any] | None = None,
) -> JobResult:
    """Load the job at ``path``, solve it, validate the plan and write the results into ``out_dir``.

    A job with a ``tiers`` block is planned with the tier planner
    ([logistics.app.run_tiers.run_tiered][]; ``progress`` is then not called).

    The folder is replaced atomically; it must be new, empty or a previous result folder, so a
    scheduler never sees half a result.

    Parameters
    ----------
    path
        The job file (JSON or YAML, or a VROOM input).
    out_dir
        The result folder.
    options
        Replaces the job's ``solver`` block; ``None`` keeps it.
    time_limit, seed, engine, iterations
        Shortcuts that override single fields of the options (``None`` keeps them).
    offline
        Write a map that needs no network.
    progress
        ``progress(elapsed_s, best_cost)`` during the search.
    allow_outside
        Let the job name files outside its folder.
    limits
        Overrides of the job's ``limits`` block (``orders_rows``, ``orders_mb``).

    Returns
    -------
    JobResult
        The outcome, as written into the ``_SUCCESS`` marker.
    """
    t0 = time.perf_counter()
    job = read_job(path, allow_outside=allow_outside, limits=limits)
    opts = resolve_options(
        options if options is not None else job.options,
        time_limit=time_limit,
        seed=seed,
        engine=engine,
        iterations=iterations,
    )
    if job.tiers is not None:  # a three-tier day
        return run_tiered(job_scenario(job), out_dir, opts, name=job.name, offline=offline, job_path=str(path), t0=t0)
    return run_problem(
        job.problem,
        out_dir,
        opts,
        name=job.name,
        offline=offline,
        progress=progress,
        job_path=str(path),
        vroom=job.vroom,
        t0=t0,
    )


def run_problem(
    problem: Problem,
    out_dir: str | os.PathLike,
    options: SolveOptions | None = None,
    *,
    name: str | None = None,
    offline: bool = False,
    progress: Callable[[float, float], None] | None = None,
    job_path: str | None = None,
    vroom: VroomInput | None = None,
    t0: float | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> JobResult:
    """Solve ``problem``, validate the plan and write the result folder.

    Parameters
    ----------
    problem, out_dir
        What to solve and where to write the results.
    options
        How to search (defaults when ``None``).
    name, job_path
        Labels for the marker (default the problem's name).
    offline
        Write a map that needs no network.
    progress
        ``progress(elapsed_s, best_cost)``, passed to [logistics.solve][].
    vroom
        The VROOM input the problem came from: ``vroom.json`` is written too.
    t0
        ``time.perf_counter()`` when the run started (reading included), for ``elapsed_s``.
    on_phase
        Called with ``"writing"`` once the search is over (progress bars change their label).

    Returns
    -------
    JobResult
        The outcome, as written into the ``_SUCCESS`` marker.
    """
    t0 = time.perf_counter() if t0 is None else t0
    options = options or SolveOptions()
    check_out_dir(out_dir)
    plan = solve(problem, options=options, progress=progress)
    note_travel_source(problem, plan)
    if on_phase is not None:
        on_phase("writing")
    violations = [str(v) for v in validate(problem, plan)]
    extra: dict[str, str] = {}
    if vroom is not None:
        extra["vroom.json"] = json.dumps(plan_to_vroom(vroom, plan), indent=1, ensure_ascii=False)
    required_unserved = sum(1 for oid in plan.unserved["order_id"] if problem.order(str(oid)).required)
    status = "invalid" if violations else ("unserved" if required_unserved else "ok")
    result = JobResult(
        name=name or problem.name,
        out_dir=str(Path(out_dir)),
        status=status,
        exit_code=EXIT_OK if status == "ok" else EXIT_UNSERVED,
        kpis=dict(plan.kpis),
        violations=violations,
        unserved=len(plan.unserved),
        required_unserved=int(required_unserved),
        elapsed_s=0.0,
        job=job_path,
        plan=plan,
    )
    result.elapsed_s = round(time.perf_counter() - t0, 3)
    write_outputs(problem, plan, out_dir, offline=offline, result=result, extra_files=extra)
    return result


def write_outputs(
    problem: Problem,
    plan: Plan,
    out_dir: str | os.PathLike,
    *,
    offline: bool = False,
    result: JobResult | None = None,
    extra_files: Mapping[str, str] | None = None,
) -> Path:
    """Write every result file into a temporary folder and rename it to ``out_dir``; ``_SUCCESS`` last.

    Parameters
    ----------
    problem, plan
        The problem and its plan.
    out_dir
        The result folder (replaced atomically).
    offline
        Write a map that needs no network.
    result
        The run's outcome for the marker; computed from the plan when ``None``.
    extra_files
        More files to write (name to text), such as ``vroom.json``.

    Returns
    -------
    pathlib.Path
        The result folder.
    """
    note_travel_source(problem, plan)
    if result is None:
        violations = [str(v) for v in validate(problem, plan)]
        req = sum(1 for oid in plan.unserved["order_id"] if problem.order(str(oid)).required)
        status = "invalid" if violations else ("unserved" if req else "ok")
        result = JobResult(
            name=problem.name,
            out_dir=str(Path(out_dir).absolute()),
            status=status,
            exit_code=EXIT_OK if status == "ok" else EXIT_UNSERVED,
            kpis=dict(plan.kpis),
            violations=violations,
            unserved=len(plan.unserved),
            required_unserved=req,
            elapsed_s=0.0,
        )
    done = result
    return write_folder(
        out_dir, lambda tmp: _write_files(problem, plan, tmp, offline=offline, result=done), result, extra_files
    )


def note_travel_source(problem: Problem, plan: Plan) -> None:
    """Record where the plan's travel times come from in ``plan.meta`` and ``plan.kpis``.

    Figures planned on straight lines or generated roads are estimates; saying so in every
    result file keeps them from being read as measured travel.

    Parameters
    ----------
    problem, plan
        The problem and its plan; ``plan.meta["travel_times"]`` (kind, detail, estimated,
        label) and ``plan.kpis["travel_time_source"]`` / ``["travel_times_estimated"]`` are set.
    """
    src = travel_source(problem)
    plan.meta["travel_times"] = src.to_dict()
    plan.kpis["travel_time_source"] = src.label
    plan.kpis["travel_times_estimated"] = src.estimated


def _write_files(problem: Problem, plan: Plan, folder: Path, *, offline: bool, result: JobResult) -> None:
    plan.to_geojson(folder / "routes.geojson")
    stops = plan.stops.copy()
    for c in ("arrival", "start", "departure"):
        stops[f"{c}_clock"] = [fmt_clock(v) for v in stops[c]] if len(stops) else []
    stops = with_order_attributes(problem, stops)
    stops.to_csv(folder / "stops.csv", index=False)
    unserved_frame(problem, plan).to_csv(folder / "unserved.csv", index=False)
    write_json(folder / "kpis.json", plan.kpis)
    plan.to_json(folder / "plan.json")
    write_json(
        folder / "validation.json",
        {"violations": result.violations, "status": result.status, "required_unserved": result.required_unserved},
    )
    m = maps.plan_map(plan, problem=problem, offline=offline)
    maps.save_map(m, folder / "map.html", offline=offline)
    fig = plots.timeline(plan)
    plots.save_figure(fig, folder / "timeline.png")


def unserved_frame(problem: Problem, plan: Plan) -> pd.DataFrame:
    """Unserved orders with their reason, kind, place and whether they were required.

    Parameters
    ----------
    problem, plan
        The problem and its plan.

    Returns
    -------
    pandas.DataFrame
        One row per unserved order, with coordinates so a dispatcher can map who was left out.
    """
    coords = coordinates(problem)
    rows = []
    for oid, reason in zip(plan.unserved["order_id"], plan.unserved["reason"]):
        o = problem.order(str(oid))
        x, y = coords.get(o.location, (math.nan, math.nan))
        rows.append(
            {
                "order_id": o.id,
                "reason": reason,
                "kind": o.kind,
                "node_id": o.node_id,
                "required": o.required,
                "lon": x,
                "lat": y,
            }
        )
    frame = pd.DataFrame(rows, columns=["order_id", "reason", "kind", "node_id", "required", "lon", "lat"])
    return with_order_attributes(problem, frame)


def with_order_attributes(problem: Problem, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with one text column per order attribute (customer, address, phone, ...).

    The extra columns of an orders file travel with each order so that a driver's list shows
    whom to call; values stay exactly as written (``013812345678`` keeps its leading zero).

    Parameters
    ----------
    problem
        The problem whose orders carry the attributes.
    frame
        Rows with an ``order_id`` column (stops or unserved orders); depot rows get empty cells.

    Returns
    -------
    pandas.DataFrame
        A copy with the attribute columns appended in the order first seen; a name that is
        already a column of ``frame`` is written as ``attr_<name>``.
    """
    names: dict[str, None] = {}
    for o in problem.orders:
        for k in o.attributes or {}:
            names.setdefault(k)
    if not names or "order_id" not in frame.columns:
        return frame
    out = frame.copy()
    index = problem.order_index
    for name in names:
        col = name if name not in frame.columns else f"attr_{name}"
        out[col] = pd.Series(
            [
                (index[str(oid)].attributes or {}).get(name, "") if str(oid) in index else ""
                for oid in frame["order_id"]
            ],
            index=frame.index,
            dtype=object,
        )
    return out


def error_code(exc: BaseException) -> int:
    """Exit code for an exception raised while running a job.

    Parameters
    ----------
    exc
        The exception.

    Returns
    -------
    int
        ``EXIT_BAD_INPUT`` (2) for bad input (`ProblemError`, a network error, a missing
        file or a folder given as a file), else ``EXIT_INTERNAL`` (3).
    """
    if isinstance(exc, (ProblemError, NetworkError)) or (isinstance(exc, OSError) and is_path_error(exc)):
        return EXIT_BAD_INPUT
    return EXIT_INTERNAL


#: errno values that mean the path given is at fault (missing, a folder, too long, not allowed).
PATH_ERRNOS = frozenset(
    {errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EACCES, errno.EPERM, errno.EROFS,
     errno.ELOOP, errno.EEXIST, errno.ENOTEMPTY, errno.EINVAL}
)  # fmt: skip


def is_path_error(exc: OSError) -> bool:
    """Whether ``exc`` says a path the user gave cannot be used (exit 2) rather than a failure (exit 3).

    Parameters
    ----------
    exc
        The error.

    Returns
    -------
    bool
        ``True`` for a missing file or folder, a folder given as a file, a name too long, no
        permission, a read-only file system.
    """
    return exc.errno in PATH_ERRNOS or isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError))


def write_text_file(path: str | os.PathLike, text: str, *, field: str = "output") -> None:
    """Write ``text`` to ``path`` (UTF-8); a path that cannot be written is bad input.

    Parameters
    ----------
    path
        The file.
    text
        What to write.
    field
        The option that named the file, for the error.

    Raises
    ------
    ProblemError
        The folder does not exist, the path is a folder, too long, or not writable.
    """
    check_path_text(str(path), where=field, field=field)
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        if not is_path_error(e):
            raise
        msg = f"{field}: cannot write {str(path)!r}: {e.strerror}"
        raise ProblemError(msg, record=str(path), field=field) from None
