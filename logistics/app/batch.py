"""Run many route jobs in parallel: locally (a process pool) or on a Dask cluster.

``run_batch(job_paths, out_dir)`` solves every job into ``out_dir/<job name>/``
(the job file's name without extension; repeated names get ``-2``, ``-3``, ...).
Each result folder is written atomically with a ``_SUCCESS`` marker, so a rerun
skips the jobs that finished (``force=True`` reruns them).  A failing job is
recorded and does not stop the others.  The batch summary goes to
``out_dir/batch.json``.

With ``scheduler="tcp://host:8786"`` the jobs run on a Dask cluster through
``dask.distributed.Client``.  Workers read the job files and write the results
themselves, so job paths and ``out_dir`` must be visible to them at the same
paths (a shared file system; they are made absolute before submission).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logistics.app.run import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    error_code,
    read_marker,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SUMMARY", "BatchRecord", "BatchResult", "job_names", "run_batch", "run_one"]

SUMMARY = "batch.json"


@dataclass
class BatchRecord:
    """What happened to one job of a batch."""

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
    records: list[BatchRecord]
    summary_path: Path
    scheduler: str | None = None

    @property
    def exit_code(self) -> int:
        """The worst job exit code (0 when every job is ok or skipped after success)."""
        return max((r.exit_code for r in self.records), default=EXIT_OK)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.records:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def frame(self) -> pd.DataFrame:
        """One row per job (index: its folder name): status, exit code, time, error, then its KPIs.

        Failed jobs keep their row with empty KPIs, so nothing is lost when
        the frame is sorted or filtered; ``logistics.compare`` on the
        folders gives the changes against a baseline.
        """
        import pandas as pd

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
    """Folder names for jobs: file stems, made safe and unique in input order."""
    return unique_names(_safe_name(Path(p).stem) for p in paths)


def run_one(job_path: str, out_dir: str, options: dict[str, Any]) -> dict[str, Any]:
    """Run one job and return its record as a dict; never raises (the error is in the record)."""
    import socket

    from logistics.app.run import run_job

    t0 = time.perf_counter()
    name = Path(out_dir).name
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        res = run_job(job_path, out_dir, **options)
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
    """Run every job; see the module doc.  ``workers=0`` runs the jobs one by one in this process."""
    paths = [Path(p).absolute() for p in job_paths]
    out = Path(out_dir).absolute()
    out.mkdir(parents=True, exist_ok=True)
    names = job_names(paths)
    options = {
        k: v
        for k, v in dict(
            time_limit=time_limit,
            seed=seed,
            engine=engine,
            iterations=iterations,
            offline=offline,
            allow_outside=allow_outside,
        ).items()
        if v is not None
    }
    started = _dt.datetime.now().isoformat(timespec="seconds")
    records: dict[str, BatchRecord] = {}
    todo: list[tuple[str, str, str]] = []
    for p, name in zip(paths, names):
        job_out = out / name
        marker = None if force else read_marker(job_out)
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
            _run_dask(todo, options, scheduler, done, connect_timeout)
        elif workers == 0:
            for job, job_out, _ in todo:
                done(run_one(job, job_out, options))
        else:
            _run_local(todo, options, workers, done)
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


def _failed(job: str, job_out: str, name: str, exc: BaseException) -> dict[str, Any]:
    return asdict(
        BatchRecord(
            job=job,
            name=name,
            out_dir=job_out,
            status="failed",
            exit_code=EXIT_INTERNAL,
            error=f"{type(exc).__name__}: {exc}",
        )
    )


def _run_local(todo, options, workers, done) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    n = workers or min(len(todo), os.cpu_count() or 1)
    # spawn: the parent may hold solver threads or a Dask client; children start clean
    with ProcessPoolExecutor(max_workers=max(1, n), mp_context=mp.get_context("spawn")) as pool:
        futures = {pool.submit(run_one, job, job_out, options): (job, job_out, name) for job, job_out, name in todo}
        for fut in as_completed(futures):
            job, job_out, name = futures[fut]
            try:
                done(fut.result())
            except BaseException as e:
                done(_failed(job, job_out, name, e))


def _run_dask(todo, options, scheduler, done, connect_timeout) -> None:
    import uuid

    from distributed import Client, as_completed

    client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
    try:
        token = uuid.uuid4().hex[:8]
        futures = {}
        for job, job_out, name in todo:
            fut = client.submit(run_one, job, job_out, options, key=f"coldroute-{name}-{token}", pure=False, retries=0)
            futures[fut] = (job, job_out, name)
        for fut in as_completed(list(futures), loop=client.loop):
            job, job_out, name = futures[fut]
            try:
                done(fut.result())
            except BaseException as e:
                done(_failed(job, job_out, name, e))
    finally:
        client.close()
