"""Running a job and writing its result folder: exit codes, atomic output, the success marker."""

from __future__ import annotations

import datetime as _dt
import errno
import json
import math
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from logistics.app import plots
from logistics.check.validator import validate
from logistics.core import maps
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions, resolve_options
from logistics.core.plan import Plan, _jsonable
from logistics.core.problem import Problem, coordinates
from logistics.core.travel_source import travel_source
from logistics.core.units import fmt_clock
from logistics.engine.solve import solve
from logistics.formats.documents import check_path_text
from logistics.formats.jobfile import read_job
from logistics.formats.vroom import VroomInput, plan_to_vroom
from networks.errors import NetworkError

# Exit codes shared by the CLI and batch summaries.
EXIT_OK = 0  # plan found, every required order served, no validation violation
EXIT_UNSERVED = 1  # plan found, but required orders are unserved or the plan has violations
EXIT_BAD_INPUT = 2  # the job (or a command line argument) is invalid: nothing was solved
EXIT_INTERNAL = 3  # an unexpected error (a bug, or the solver failed)

MARKER = "_SUCCESS"
OUTPUT_FILES = (
    "routes.geojson",
    "stops.csv",
    "unserved.csv",
    "kpis.json",
    "plan.json",
    "validation.json",
    "map.html",
    "timeline.png",
)


@dataclass
class JobResult:
    """Outcome of one run, as written into the ``_SUCCESS`` marker.

    Kept flat and JSON-ready so that batch summaries and the CLI read the same record a
    scheduler later finds in the result folder.

    Parameters
    ----------
    name, out_dir, job
        The job's name, its result folder and the job file (``None`` for in-memory problems).
    status, exit_code
        ``"ok"``, ``"unserved"`` or ``"invalid"`` and the matching ``coldroute`` exit code.
    kpis, violations, unserved, required_unserved
        The plan's KPIs, validation findings and unserved counts.
    elapsed_s
        Wall-clock seconds, reading and writing included.
    plan
        The [Plan][logistics.core.plan.Plan] (not written into summaries).
    """

    name: str
    out_dir: str
    status: str  # "ok", "unserved" or "invalid"
    exit_code: int
    kpis: dict[str, Any]
    violations: list[str]
    unserved: int
    required_unserved: int
    elapsed_s: float
    job: str | None = None
    plan: Any = field(default=None, repr=False)  # the Plan (not kept in summaries)

    def summary(self) -> dict[str, Any]:
        """Everything but the plan, JSON-ready.

        Returns
        -------
        dict
            The fields of the result except ``plan``; what ``summary.json`` and ``--json`` hold.
        """
        return _jsonable({f.name: getattr(self, f.name) for f in fields(self) if f.name != "plan"})


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


def check_out_dir(out_dir: str | os.PathLike) -> None:
    """Refuse to replace a folder that is not a (previous) result folder.

    A job's outputs overwrite their own files only, so pointing ``--out`` at a folder of
    other work must fail before anything is solved.

    Parameters
    ----------
    out_dir
        The output folder; it may be missing, empty, or hold only result files.

    Raises
    ------
    ProblemError
        ``out_dir`` is a file, or a folder with other files (field ``out``).
    """
    check_path_text(str(out_dir), where="out", field="out")
    out = Path(out_dir)
    if out.exists():
        if not out.is_dir():
            raise ProblemError(f"output {str(out)!r} exists and is not a folder", record=str(out), field="out")
        ours = set(OUTPUT_FILES) | {MARKER, "vroom.json"}
        others = [p.name for p in out.iterdir() if p.name not in ours]
        if others:
            raise ProblemError(
                f"output folder {str(out)!r} holds other files ({', '.join(sorted(others)[:3])}); "
                f"give a new or empty folder",
                record=str(out),
                field="out",
            )


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
    out = Path(out_dir).absolute()
    check_out_dir(out)
    note_travel_source(problem, plan)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    try:
        os.chmod(tmp, 0o755)
        if result is None:
            violations = [str(v) for v in validate(problem, plan)]
            req = sum(1 for oid in plan.unserved["order_id"] if problem.order(str(oid)).required)
            status = "invalid" if violations else ("unserved" if req else "ok")
            result = JobResult(
                name=problem.name,
                out_dir=str(out),
                status=status,
                exit_code=EXIT_OK if status == "ok" else EXIT_UNSERVED,
                kpis=dict(plan.kpis),
                violations=violations,
                unserved=len(plan.unserved),
                required_unserved=req,
                elapsed_s=0.0,
            )
        _write_files(problem, plan, tmp, offline=offline, result=result)
        for fname, text in (extra_files or {}).items():
            (tmp / fname).write_text(text, encoding="utf-8")
        marker = result.summary()
        marker.update(
            {
                "format": "coldroute-run/1",
                "finished": _dt.datetime.now().isoformat(timespec="seconds"),
                "out_dir": str(out),
                "files": sorted(p.name for p in tmp.iterdir()),
            }
        )
        _write_json(tmp / MARKER, marker)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


#: A temporary folder without our process id in its name (written by an older version) is
#: removed once it is this old: no run takes that long to write its files.
STALE_TEMPORARY_S = 3600.0


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove the ``.<out>.tmp-*`` and ``.<out>.old-*`` folders that killed runs left beside ``out``.

    A run writes into ``.<out>.tmp-<pid>-<random>`` and swaps it into place; ``kill -9`` in
    between leaves that folder behind.  It is removed when its process no longer runs (or, for
    names without a process id, when it is older than `STALE_TEMPORARY_S`), so a concurrent
    run's folder is never touched.

    Parameters
    ----------
    out
        The result folder.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    removed = []
    for kind in ("tmp", "old"):
        for p in out.parent.glob(f".{out.name}.{kind}-*"):
            if p.is_dir() and not p.is_symlink() and _abandoned(p, kind):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _abandoned(p: Path, kind: str) -> bool:
    pid_text = p.name.rsplit(f".{kind}-", 1)[1].split("-", 1)[0]
    if pid_text.isdigit() and "-" in p.name.rsplit(f".{kind}-", 1)[1]:
        pid = int(pid_text)
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except OSError:  # the process exists (owned by someone else)
            return False
        return False
    try:
        return time.time() - p.stat().st_mtime > STALE_TEMPORARY_S
    except OSError:
        return False


def _swap_into_place(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            os.replace(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(_jsonable(data), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


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
    _write_json(folder / "kpis.json", plan.kpis)
    plan.to_json(folder / "plan.json")
    _write_json(
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


def read_marker(out_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The ``_SUCCESS`` summary of a finished result folder, or None.

    Batches skip jobs whose folder has the marker, so a rerun resumes where it stopped.

    Parameters
    ----------
    out_dir
        A result folder.

    Returns
    -------
    dict or None
        The marker's JSON; an empty dict when it is not readable JSON; ``None`` when there is
        no marker (the job did not finish).
    """
    p = Path(out_dir) / MARKER
    if not p.is_file():
        return None
    try:
        marker: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
        return marker
    except ValueError:
        return {}


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
