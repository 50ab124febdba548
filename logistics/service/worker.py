"""Worker processes: claim a queued job, run it into a result folder, report progress, finish once.

A worker renews its job's lease from a heartbeat thread (with the progress so far: the phase,
elapsed seconds and, when the engine reports it, the best cost found).  When the heartbeat
finds the job gone (cancelled, or its lease expired and another run took it) the worker exits
at once; its supervisor starts a fresh one.  A worker whose parent (the server) dies exits too,
and its job's lease runs out, so the next server start retries it.  The result folder is
``<data>/results/<job id>/attempt-<n>``; only the run that still holds the lease may mark the job
done, so no job completes twice.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from logistics.app.run import run_problem
from logistics.app.vroom import VROOM_TIME_LIMIT_S
from logistics.core.errors import ProblemError
from logistics.core.options import resolve_options
from logistics.formats.jobfile import read_job
from logistics.service.config import ServiceConfig
from logistics.service.intake import JOB_FILE, OPTIONS_FILE, refuse_paths
from logistics.service.store import JobStore
from networks.errors import NetworkError

#: Exit code of a worker that dropped its job (cancelled or taken over); the supervisor restarts it.
EXIT_DROPPED = 75
NO_HOOK = "this engine reports no cost while searching; elapsed time and phase only"


class Progress:
    """What a running job reports: phase, elapsed seconds, best cost so far (thread-safe).

    Parameters
    ----------
    t0
        ``time.monotonic()`` when the run started.
    """

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.phase = "reading"
        self.best_cost: float | None = None
        self.time_limit: float | None = None
        self.notes: list[str] = []
        self._lock = threading.Lock()

    def on_cost(self, _elapsed: float, cost: float) -> None:
        """The solver's progress hook: a better cost was found.

        Parameters
        ----------
        _elapsed
            Seconds into the search (the run's own clock is used instead).
        cost
            The best cost so far (the solver's objective, in yuan).
        """
        with self._lock:
            self.best_cost = float(cost)

    def set_phase(self, phase: str) -> None:
        """Move to another phase (reading, solving, writing).

        Parameters
        ----------
        phase
            The new phase.
        """
        with self._lock:
            self.phase = phase

    def snapshot(self) -> dict[str, Any]:
        """The progress record stored with the job.

        Returns
        -------
        dict
            ``phase``, ``elapsed_s``, ``best_cost`` (``None`` until the engine reports one),
            ``time_limit``, ``notes``.
        """
        with self._lock:
            notes = list(self.notes)
            if self.phase == "solving" and self.best_cost is None and time.monotonic() - self.t0 > 2:
                notes.append(NO_HOOK)
            return {
                "phase": self.phase,
                "elapsed_s": round(time.monotonic() - self.t0, 2),
                "best_cost": self.best_cost,
                "time_limit": self.time_limit,
                "notes": notes,
                "updated": time.time(),
            }


def owner_name() -> str:
    """This process as a lease owner.

    Returns
    -------
    str
        ``host:pid``.
    """
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(store: JobStore, cfg: ServiceConfig, job_id: str, attempt: int, owner: str) -> str:
    """Run one claimed job to its end and record the outcome (if this run still holds the job).

    Parameters
    ----------
    store, cfg
        The job store and the service settings.
    job_id, attempt, owner
        The claimed run.

    Returns
    -------
    str
        ``"done"``, ``"failed"`` or ``"dropped"`` (another run or a cancel took the job).
    """
    progress = Progress(time.monotonic())
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(store, cfg, job_id, attempt, owner, progress, stop), daemon=True)
    beat.start()
    out_dir = cfg.results_dir / job_id / f"attempt-{attempt}"
    try:
        result, error = _run(cfg, job_id, out_dir, progress)
    finally:
        stop.set()
        beat.join(timeout=5)
    progress.set_phase("finished" if error is None else "failed")
    ok = store.finish(
        job_id,
        owner,
        attempt,
        result=result,
        result_dir=str(out_dir) if error is None else None,
        error=error,
        progress=progress.snapshot(),
    )
    if not ok:
        shutil.rmtree(out_dir, ignore_errors=True)
        return "dropped"
    return "done" if error is None else "failed"


def _run(
    cfg: ServiceConfig, job_id: str, out_dir: Path, progress: Progress
) -> tuple[dict[str, Any] | None, str | None]:
    """Read, solve and write one job; ``(summary, None)`` or ``(None, reason it failed)``."""
    folder = cfg.jobs_dir / job_id
    try:
        path = folder / JOB_FILE
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "fleet" in data:  # again, in case the folder was edited by hand
            refuse_paths(data, "job", orders_uploaded=True)
        job = read_job(path, limits={"orders_rows": cfg.max_orders})
        opts = job.options if job.source == "job" else resolve_options(job.options, time_limit=VROOM_TIME_LIMIT_S)
        if (folder / OPTIONS_FILE).is_file():
            asked = json.loads((folder / OPTIONS_FILE).read_text(encoding="utf-8"))
            opts = resolve_options(opts, time_limit=asked.get("time_limit"))
        if opts.time_limit > cfg.max_time_limit:
            progress.notes.append(f"time limit capped at {cfg.max_time_limit:g} s (asked {opts.time_limit:g} s)")
            opts = dataclasses.replace(opts, time_limit=cfg.max_time_limit)
        opts = dataclasses.replace(opts, workers=1)  # one process per job: the pool sets the parallelism
        progress.time_limit = opts.time_limit
        progress.set_phase("solving")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        res = run_problem(
            job.problem,
            out_dir,
            opts,
            name=job.name,
            offline=True,
            progress=progress.on_cost,
            vroom=job.vroom,
            on_phase=progress.set_phase,
        )
    except (ProblemError, NetworkError) as e:  # the file name is the server's, not the client's: leave it out
        return None, f"bad input: {str(e).removeprefix(JOB_FILE + ': ')}"
    except Exception as e:
        tail = "".join(traceback.format_exception(type(e), e, e.__traceback__)[-2:]).strip()
        return None, f"internal error: {type(e).__name__}: {e}\n{tail}"
    summary = res.summary()
    summary["files"] = sorted(p.name for p in out_dir.iterdir())
    summary.pop("out_dir", None)
    summary.pop("job", None)
    return summary, None


def _heartbeat(
    store: JobStore,
    cfg: ServiceConfig,
    job_id: str,
    attempt: int,
    owner: str,
    progress: Progress,
    stop: threading.Event,
) -> None:
    parent = os.getppid()
    every = max(0.2, cfg.lease_s / 4)
    while not stop.wait(every):
        if os.getppid() != parent:  # the server died: leave the job to its lease
            os._exit(EXIT_DROPPED)
        try:
            mine = store.heartbeat(job_id, owner, attempt, cfg.lease_s, progress.snapshot())
        except Exception:  # the database is briefly unreachable: try again; the lease has slack
            continue
        if not mine and not stop.is_set():
            os._exit(EXIT_DROPPED)  # cancelled or taken over: stop the search now


def work(cfg: ServiceConfig, *, poll_s: float = 0.5, max_jobs: int | None = None) -> int:
    """The worker loop: recover expired leases, claim, run, repeat, until the parent goes away.

    Parameters
    ----------
    cfg
        The service settings.
    poll_s
        Seconds between looks at an empty queue.
    max_jobs
        Stop after this many jobs (``None``: run until stopped).

    Returns
    -------
    int
        The number of jobs this worker finished.
    """
    store = JobStore(cfg.url)
    owner = owner_name()
    parent = os.getppid()
    done = 0
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        while not stopping.is_set() and (max_jobs is None or done < max_jobs):
            if os.getppid() != parent:
                break
            try:
                store.requeue_expired()
                claimed = store.claim(owner, cfg.lease_s)
            except Exception as e:  # the database restarting: wait and retry
                print(f"worker {owner}: job store unavailable ({type(e).__name__}); retrying", file=sys.stderr)
                stopping.wait(2.0)
                continue
            if claimed is None:
                stopping.wait(poll_s)
                continue
            execute(store, cfg, claimed[0], claimed[1], owner)
            done += 1
    finally:
        store.close()
    return done


def main() -> None:
    """Entry point of a worker process started by the server (settings from the environment)."""
    die_with_parent()
    work(ServiceConfig.from_env())


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (polling ``getppid`` covers other systems)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent already died before prctl took effect
            os._exit(EXIT_DROPPED)
    except (OSError, AttributeError):
        pass


if __name__ == "__main__":
    main()
