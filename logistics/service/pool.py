"""Keeping workers alive beside the API: local worker processes, or one Dask dispatcher process.

The server never runs a job itself.  A supervisor thread starts the worker processes (``python
-m logistics.service.worker``), restarts any that exits, and queues again the jobs whose lease
expired (at start, that recovers the jobs a killed server left running).  With a Dask scheduler
the supervisor starts one dispatcher process instead (``python -m logistics.service.dask_runner``)
that claims jobs and runs them on the cluster.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from logistics.service.config import ServiceConfig
from logistics.service.store import JobStore


class WorkerPool:
    """Worker processes supervised from a thread of the server.

    Parameters
    ----------
    cfg
        The service settings (``workers``, ``scheduler``, ``lease_s``).
    """

    def __init__(self, cfg: ServiceConfig) -> None:
        self.cfg = cfg
        self.procs: list[subprocess.Popen[bytes]] = []
        self.restarts = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Processes to keep running: the workers, or one Dask dispatcher.

        Returns
        -------
        int
            The number of child processes.
        """
        return 1 if self.cfg.scheduler else max(0, self.cfg.workers)

    def command(self) -> list[str]:
        """The command line of one child process.

        Returns
        -------
        list of str
            ``python -m logistics.service.worker`` or the Dask dispatcher.
        """
        if self.cfg.scheduler:
            return [sys.executable, "-m", "logistics.service.dask_runner", self.cfg.scheduler]
        return [sys.executable, "-m", "logistics.service.worker"]

    def pids(self) -> list[int]:
        """Process ids of the running children (tests kill them).

        Returns
        -------
        list of int
            One per live child.
        """
        with self._lock:
            return [p.pid for p in self.procs if p.poll() is None]

    def start(self) -> None:
        """Start the children and the supervisor thread (which also recovers expired leases)."""
        self._thread = threading.Thread(target=self._supervise, name="coldroute-workers", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the children (SIGTERM; running jobs go back to the queue when their lease expires).

        Parameters
        ----------
        timeout
            Seconds to wait before killing a child that does not stop.
        """
        self._stop.set()
        with self._lock:  # stop the children first: they die with the supervisor thread (PR_SET_PDEATHSIG)
            for p in self.procs:
                if p.poll() is None:
                    p.terminate()
            deadline = time.monotonic() + timeout
            for p in self.procs:
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.update(self.cfg.to_env())
        return subprocess.Popen(self.command(), env=env, stdin=subprocess.DEVNULL)

    def _supervise(self) -> None:
        store = JobStore(self.cfg.url)
        every = max(0.5, min(5.0, self.cfg.lease_s / 3))
        try:
            while not self._stop.is_set():
                with self._lock:
                    alive = [p for p in self.procs if p.poll() is None]
                    self.restarts += len(self.procs) - len(alive) if self.procs else 0
                    while len(alive) < self.size and not self._stop.is_set():
                        alive.append(self._spawn())
                    self.procs = alive
                try:
                    store.requeue_expired()
                except Exception as e:  # the database restarting: the next round retries
                    print(f"coldroute serve: lease recovery failed ({type(e).__name__}: {e})", file=sys.stderr)
                self._stop.wait(every)
        finally:
            store.close()
