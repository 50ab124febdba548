"""Run many route jobs in parallel: locally (a process pool) or on a Dask cluster.

``run_batch(job_paths, out_dir)`` solves every job into ``out_dir/<job name>/``
(the job file's name without extension; when two jobs share a name, enough of their
folders' names to tell them apart, ``x_mon`` and ``y_mon``, whatever their order).
Each result folder is written atomically with a ``_SUCCESS`` marker (which names the job
file), and the batch then records in ``out_dir/.jobs/<job name>.json`` the job file's
resolved path and a SHA-256 of its content.  A rerun skips a job only when the marker
and that record both match the job file as it is now (``force=True`` reruns every
job); a folder of another job, or of an edited job file, is solved again.  Overrides
(``time_limit``, ``engine``, ...) are not compared: a rerun with other settings resumes
the batch.  A failing job is recorded and does not stop the others.  The batch summary goes to
``out_dir/batch.json``.

With ``scheduler="tcp://host:8786"`` the jobs run on a Dask cluster through
``dask.distributed.Client``.  Workers read the job files and write the results
themselves, so job paths and ``out_dir`` must be visible to them at the same
paths (a shared file system; they are made absolute before submission).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import socket
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from logistics.app.run import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    error_code,
    read_marker,
    run_job,
)
from logistics.core.extras import require
from logistics.core.options import SolveOptions
from logistics.engine.parallel import TaskFailed, run_tasks

__all__ = [
    "JOB_RECORDS",
    "SUMMARY",
    "BatchRecord",
    "BatchResult",
    "finished_by",
    "job_identity",
    "job_names",
    "job_record",
    "run_batch",
    "run_one",
]

SUMMARY = "batch.json"
JOB_RECORDS = ".jobs"  # out_dir/.jobs/<name>.json: which job file (path, hash) wrote out_dir/<name>


@dataclass
class BatchRecord:
    """What happened to one job of a batch (one entry of ``batch.json``).

    Parameters
    ----------
    job, name, out_dir
        The job file, its folder name and result folder.
    status, exit_code
        ``ok``, ``unserved``, ``invalid``, ``skipped`` or ``failed``, and the job's exit code.
    error
        Why a failed job failed.
    elapsed_s, kpis, worker
        Run time, headline KPIs and ``host:pid`` of the process that ran it.
    """

    job: str
    name: str
    out_dir: str
    status: str  # ok, unserved, invalid, skipped, failed
    exit_code: int
    error: str | None = None
    elapsed_s: float = 0.0
    kpis: dict[str, Any] = field(default_factory=dict)
    worker: str | None = None


@dataclass
class BatchResult:
    """All records of a batch, in job order, and where the summary was written.

    Parameters
    ----------
    records
        One [BatchRecord][logistics.app.batch.BatchRecord] per job.
    summary_path
        The ``batch.json`` file.
    scheduler
        The Dask scheduler address, or ``None`` for a local batch.
    """

    records: list[BatchRecord]
    summary_path: Path
    scheduler: str | None = None

    @property
    def exit_code(self) -> int:
        """The worst job exit code (0 when every job is ok or skipped after success)."""
        return max((r.exit_code for r in self.records), default=EXIT_OK)

    def counts(self) -> dict[str, int]:
        """Jobs per status.

        Returns
        -------
        dict of str to int
            Status (``ok``, ``unserved``, ``failed``, ``skipped``, ...) → number of jobs; statuses
            no job has are left out.
        """
        out: dict[str, int] = {}
        for r in self.records:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def frame(self) -> pd.DataFrame:
        """One row per job (index: its folder name): status, exit code, time, error, then its KPIs.

        Failed jobs keep their row with empty KPIs, so nothing is lost when
        the frame is sorted or filtered; ``logistics.compare`` on the
        folders gives the changes against a baseline.

        Returns
        -------
        pandas.DataFrame
            Index ``name``; columns ``job``, ``status``, ``exit_code``, ``elapsed_s`` (seconds),
            ``error``, ``worker``, then the KPIs (``cost`` in yuan, ``distance_km``, ...).
        """
        rows = {
            r.name: {
                "job": r.job,
                "status": r.status,
                "exit_code": r.exit_code,
                "elapsed_s": r.elapsed_s,
                "error": r.error,
                "worker": r.worker,
                **r.kpis,
            }
            for r in self.records
        }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "name"
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The summary written to ``batch.json`` (format ``coldroute-batch/1``).

        Returns
        -------
        dict
            ``format``, ``scheduler``, ``exit_code`` (the worst job's), ``counts`` and ``jobs``
            (one record per job); `compare` reads it to find a batch's result folders.
        """
        return {
            "format": "coldroute-batch/1",
            "scheduler": self.scheduler,
            "exit_code": self.exit_code,
            "counts": self.counts(),
            "jobs": [asdict(r) for r in self.records],
        }


KPI_KEYS = ("vehicles", "served", "unserved", "distance_km", "cost", "co2_kg")


def _safe_name(stem: str) -> str:
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "job"
    return s[:100]


def unique_names(bases: Iterable[str]) -> list[str]:
    """``bases`` in order, repeats made unique as ``name-2``, ``name-3``, ..."""
    names: list[str] = []
    used: set[str] = set()
    for base in bases:
        name, k = base, 2
        while name in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name)
        names.append(name)
    return names


def job_names(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Folder names for jobs: file stems, made safe; jobs that share a stem get their folders' names too.

    The name of a job does not depend on the order of the jobs: ``x/mon.yaml`` and ``y/mon.yaml``
    are ``x_mon`` and ``y_mon`` in either order (the fewest trailing folder names that tell the
    files apart; the extension when only it differs).

    Parameters
    ----------
    paths
        Job file paths.

    Returns
    -------
    list of str
        One name per path: characters other than letters, digits, ``.``, ``_`` and ``-``
        become ``_``, at most 100 characters; the same file given twice, or a clash that
        survives (``x_mon.yaml`` beside ``x/mon.yaml``), is numbered ``name-2``, ``name-3``, ...
    """
    full = [Path(os.path.normpath(Path(p).absolute())) for p in paths]
    stems = [_safe_name(p.stem) for p in full]
    bases: list[str] = []
    for p, stem in zip(full, stems):
        rivals = {q for q, t in zip(full, stems) if t == stem and q != p}
        bases.append(stem if not rivals else _distinct_name(p, rivals))
    return unique_names(bases)


def _distinct_name(path: Path, rivals: set[Path]) -> str:
    """The stem with the fewest trailing folder names that no rival in another folder shares; the
    file's whole name instead of its stem when a rival sits in the same folder."""
    parents = _parents(path)
    elsewhere = [q for q in rivals if q.parent != path.parent]
    k = 1
    while k < len(parents) and any(parents[-k:] == _parents(q)[-k:] for q in elsewhere):
        k += 1
    last = path.stem if len(elsewhere) == len(rivals) else path.name
    return _safe_name("_".join([*parents[-k:], last]))


def _parents(path: Path) -> list[str]:
    return [part for part in path.parent.parts if part != path.anchor]


def job_identity(job_path: str | os.PathLike) -> dict[str, Any]:
    """What makes a job the same job on a rerun: its resolved path and the hash of its content.

    Parameters
    ----------
    job_path
        The job file.

    Returns
    -------
    dict
        ``format``, ``job`` (the resolved path) and ``sha256`` (of the file's bytes; ``None`` when
        it cannot be read); written to ``.jobs/<name>.json`` and compared on a rerun.
    """
    path = Path(job_path).resolve()
    try:
        digest: str | None = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        digest = None
    return {"format": "coldroute-batch-job/1", "job": str(path), "sha256": digest}


def finished_by(job_out: Path, identity: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``_SUCCESS`` marker of ``job_out`` when it and the job record are ``identity``'s, else None.

    Parameters
    ----------
    job_out
        A job's result folder.
    identity
        The job's [job_identity][logistics.app.batch.job_identity] now.

    Returns
    -------
    dict or None
        The marker of a folder this very job finished; ``None`` for a folder that is unfinished,
        another job's or older than the job file's content.
    """
    marker = read_marker(job_out)
    if marker is None or identity.get("sha256") is None:
        return None
    try:
        recorded = json.loads(job_record(job_out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or any(recorded.get(k) != identity[k] for k in ("job", "sha256")):
        return None
    job = marker.get("job")
    if not isinstance(job, str) or str(Path(job).resolve()) != identity["job"]:
        return None
    return marker


def job_record(job_out: str | os.PathLike) -> Path:
    """Where the batch records which job wrote ``job_out``: ``<parent>/.jobs/<name>.json``.

    The record sits outside the result folder, which holds result files only.  It is written
    after the folder; the folder's ``_SUCCESS`` marker names its job file too, so a record left
    over from an earlier job never vouches for a folder another job replaced.

    Parameters
    ----------
    job_out
        A job's result folder.

    Returns
    -------
    pathlib.Path
        The record's path.
    """
    folder = Path(job_out)
    return folder.parent / JOB_RECORDS / f"{folder.name}.json"


def _write_identity(job_out: str, identity: Mapping[str, Any]) -> None:
    if read_marker(job_out) is None:  # the job wrote no result folder
        return
    path = job_record(job_out)
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(dict(identity), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def run_one(
    job_path: str,
    out_dir: str,
    options: SolveOptions | None = None,
    overrides: Mapping[str, Any] | None = None,
    offline: bool = False,
    allow_outside: bool = False,
) -> dict[str, Any]:
    """Run one job and return its record as a dict; never raises (the error is in the record).

    A plain dict so it pickles to worker processes and Dask workers without our classes
    needing to match on both sides.

    Parameters
    ----------
    job_path, out_dir
        The job file and its result folder.
    options
        Replaces the job's ``solver`` block; ``None`` keeps it.
    overrides
        Single solve fields (``time_limit``, ``seed``, ...) that override the job's block.
    offline, allow_outside
        As for [logistics.app.run.run_job][].

    Returns
    -------
    dict
        The [BatchRecord][logistics.app.batch.BatchRecord] as a dict.
    """
    t0 = time.perf_counter()
    name = Path(out_dir).name
    worker = f"{socket.gethostname()}:{os.getpid()}"
    identity = job_identity(job_path)  # the content that is about to run
    try:
        res = run_job(job_path, out_dir, options, offline=offline, allow_outside=allow_outside, **dict(overrides or {}))
        try:
            _write_identity(out_dir, identity)
        except OSError:  # without the record a rerun solves the job again, which is safe
            pass
        return asdict(
            BatchRecord(
                job=job_path,
                name=name,
                out_dir=out_dir,
                status=res.status,
                exit_code=res.exit_code,
                elapsed_s=round(time.perf_counter() - t0, 3),
                kpis={k: res.kpis.get(k) for k in KPI_KEYS},
                worker=worker,
            )
        )
    except BaseException as e:
        code = error_code(e)
        msg = f"{type(e).__name__}: {e}" if code == EXIT_INTERNAL else str(e)
        if code == EXIT_INTERNAL:
            msg += "\n" + "".join(traceback.format_exception(type(e), e, e.__traceback__)[-3:])
        return asdict(
            BatchRecord(
                job=job_path,
                name=name,
                out_dir=out_dir,
                status="failed",
                exit_code=code,
                error=msg,
                elapsed_s=round(time.perf_counter() - t0, 3),
                worker=worker,
            )
        )


def _write_summary(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def run_batch(
    job_paths: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    scheduler: str | None = None,
    workers: int | None = None,
    *,
    options: SolveOptions | None = None,
    time_limit: float | None = None,
    seed: int | None = None,
    engine: str | None = None,
    iterations: int | None = None,
    offline: bool = False,
    allow_outside: bool = False,
    force: bool = False,
    on_done: Callable[[BatchRecord], None] | None = None,
    connect_timeout: float = 10.0,
) -> BatchResult:
    """Run every job into ``out_dir/<job name>/`` and write ``batch.json``; see the module doc.

    Parameters
    ----------
    job_paths, out_dir
        The job files and the batch's folder.
    scheduler
        A Dask scheduler address; ``None`` runs locally.
    workers
        Local worker processes (default: ``options.workers``, else every core); ``0`` runs the
        jobs one by one in this process.
    options
        Replaces every job's ``solver`` block; ``None`` keeps each job's own.
    time_limit, seed, engine, iterations
        Override single fields of each job's options (``None`` keeps them).
    offline, allow_outside
        As for [logistics.app.run.run_job][].
    force
        Rerun jobs that already finished.
    on_done
        Called with each job's record as it finishes (progress bars).
    connect_timeout
        Seconds to wait for the Dask scheduler.

    Returns
    -------
    BatchResult
        The records in job order; ``exit_code`` is the worst job's.
    """
    paths = [Path(p).absolute() for p in job_paths]
    out = Path(out_dir).absolute()
    out.mkdir(parents=True, exist_ok=True)
    names = job_names(paths)
    if workers is None and options is not None:
        workers = options.workers
    overrides = {
        k: v
        for k, v in dict(time_limit=time_limit, seed=seed, engine=engine, iterations=iterations).items()
        if v is not None
    }
    task_args = (options, overrides, offline, allow_outside)
    started = _dt.datetime.now().isoformat(timespec="seconds")
    records: dict[str, BatchRecord] = {}
    todo: list[tuple[str, str, str]] = []
    for p, name in zip(paths, names):
        job_out = out / name
        marker = None if force else finished_by(job_out, job_identity(p))
        if marker is not None:
            rec = BatchRecord(
                job=str(p),
                name=name,
                out_dir=str(job_out),
                status="skipped",
                exit_code=int(marker.get("exit_code", EXIT_OK) or EXIT_OK),
                kpis={k: (marker.get("kpis") or {}).get(k) for k in KPI_KEYS},
            )
            records[name] = rec
            if on_done is not None:
                on_done(rec)
            continue
        if not p.is_file():
            rec = BatchRecord(
                job=str(p),
                name=name,
                out_dir=str(job_out),
                status="failed",
                exit_code=EXIT_BAD_INPUT,
                error=f"job file {str(p)!r} not found",
            )
            records[name] = rec
            if on_done is not None:
                on_done(rec)
            continue
        todo.append((str(p), str(job_out), name))

    def done(d: dict[str, Any]) -> None:
        rec = BatchRecord(**d)
        records[rec.name] = rec
        if on_done is not None:
            on_done(rec)

    if todo:
        if scheduler:
            _run_dask(todo, task_args, scheduler, done, connect_timeout)
        elif workers == 0:
            for job_file, job_dir, _ in todo:
                done(run_one(job_file, job_dir, *task_args))
        else:
            _run_local(todo, task_args, workers, done)
    ordered = [records[n] for n in names if n in records]
    result = BatchResult(ordered, out / SUMMARY, scheduler=scheduler)
    data = result.to_dict()
    data.update(
        {
            "started": started,
            "finished": _dt.datetime.now().isoformat(timespec="seconds"),
            "workers": workers,
            "out_dir": str(out),
        }
    )
    _write_summary(out / SUMMARY, data)
    return result


Todo = list[tuple[str, str, str]]  # (job file, result folder, name) per job to run
TaskArgs = tuple[SolveOptions | None, Mapping[str, Any], bool, bool]  # run_one's arguments after the paths


def _failed(job: str, job_out: str, name: str, exc: BaseException | str) -> dict[str, Any]:
    """The record of a job whose worker did not return one (it died, or the task failed to send)."""
    return asdict(
        BatchRecord(
            job=job,
            name=name,
            out_dir=job_out,
            status="failed",
            exit_code=EXIT_INTERNAL,
            error=exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}",
        )
    )


def _run_local(todo: Todo, task_args: TaskArgs, workers: int | None, done: Callable[[dict[str, Any]], None]) -> None:
    """Jobs in fresh worker interpreters ([logistics.engine.parallel.run_tasks][]): the parent
    may hold solver threads or a Dask client, so children never fork from it."""
    n = workers or min(len(todo), os.cpu_count() or 1)

    def on_result(i: int, value: Any) -> None:
        job, job_out, name = todo[i]
        if isinstance(value, TaskFailed):  # the worker died or the task could not be sent
            done(_failed(job, job_out, name, value.error or value.reason))
        else:
            done(value)

    run_tasks(
        run_one,
        [(job, job_out, *task_args) for job, job_out, _ in todo],
        workers=max(1, n),
        raise_errors=False,
        on_result=on_result,
    )


def _run_dask(
    todo: Todo, task_args: TaskArgs, scheduler: str, done: Callable[[dict[str, Any]], None], connect_timeout: float
) -> None:
    # deferred: dask.distributed is the optional [batch] extra and slow to import; only Dask batches need it
    distributed = require("distributed", "batch", "Dask batches (--scheduler)")
    client = distributed.Client(scheduler, timeout=connect_timeout, set_as_default=False)
    try:
        token = uuid.uuid4().hex[:8]
        futures = {}
        for job, job_out, name in todo:
            fut = client.submit(
                run_one, job, job_out, *task_args, key=f"coldroute-{name}-{token}", pure=False, retries=0
            )
            futures[fut] = (job, job_out, name)
        for fut in distributed.as_completed(list(futures), loop=client.loop):
            job, job_out, name = futures[fut]
            try:
                done(fut.result())
            except BaseException as e:
                done(_failed(job, job_out, name, e))
    finally:
        client.close()
