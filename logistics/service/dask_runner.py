"""Jobs on a Dask cluster: a dispatcher process claims queued jobs and runs each as a Dask task.

The task ([run_claimed][logistics.service.dask_runner.run_claimed]) runs on a Dask worker: it reads
the job's folder, writes the result folder and reports to the job store itself, so the data
folder must be on a file system the workers share at the same path, and the database must be
one they reach (PostgreSQL).  A Dask worker that dies loses its lease and the job is retried,
as with local workers.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from logistics.core.extras import require
from logistics.service.config import ServiceConfig
from logistics.service.store import JobStore
from logistics.service.worker import die_with_parent, execute, owner_name


def run_claimed(env: dict[str, str], job_id: str, attempt: int, owner: str) -> str:
    """Run one claimed job on a Dask worker (a plain function of plain values, so it pickles).

    Parameters
    ----------
    env
        The service settings as [ServiceConfig.to_env][logistics.service.config.ServiceConfig.to_env] gives them.
    job_id, attempt, owner
        The claim the dispatcher made.

    Returns
    -------
    str
        ``"done"``, ``"failed"`` or ``"dropped"``.
    """
    cfg = ServiceConfig.from_env(env)
    store = JobStore(cfg.url)
    try:
        return execute(store, cfg, job_id, attempt, owner)
    finally:
        store.close()


def dispatch(cfg: ServiceConfig, scheduler: str, *, poll_s: float = 0.5) -> None:
    """Claim jobs while the cluster has free threads and submit them; runs until stopped.

    Parameters
    ----------
    cfg
        The service settings.
    scheduler
        The Dask scheduler's address.
    poll_s
        Seconds between looks at the queue.
    """
    distributed = require("distributed", "batch", "the service's Dask workers (--scheduler)")
    client = distributed.Client(scheduler, timeout=30, set_as_default=False)
    store = JobStore(cfg.url)
    owner = owner_name()
    running: dict[Any, tuple[str, int]] = {}
    stop = threading.Event()
    renewed = 0.0
    try:
        while not stop.is_set():
            for fut in [f for f in running if f.done()]:
                running.pop(fut)
            try:
                if time.monotonic() - renewed > cfg.lease_s / 4:
                    # a task waiting for a Dask worker (or importing) does not heartbeat yet: hold its lease here;
                    # a task whose worker died is done (with an error) and no longer renewed, so its lease expires
                    for job_id, attempt in running.values():
                        store.renew(job_id, owner, attempt, cfg.lease_s)
                    renewed = time.monotonic()
                threads = sum(client.nthreads().values()) or 1
                claimed = store.claim(owner, cfg.lease_s) if len(running) < threads else None
            except Exception as e:  # the database or the scheduler restarting: retry
                print(f"coldroute dispatcher: {type(e).__name__}: {e}; retrying", file=sys.stderr)
                stop.wait(2.0)
                continue
            if claimed is None:
                stop.wait(poll_s)
                continue
            job_id, attempt = claimed
            fut = client.submit(
                run_claimed, cfg.to_env(), job_id, attempt, owner, key=f"coldroute-job-{job_id}-{attempt}", pure=False
            )
            running[fut] = (job_id, attempt)
    finally:
        client.close()
        store.close()


if __name__ == "__main__":
    die_with_parent()
    dispatch(ServiceConfig.from_env(), sys.argv[1])
