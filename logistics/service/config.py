"""The service's settings: one object handed from ``coldroute serve`` to the API and the workers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Default database when no URL is given: a SQLite file in the data folder.
SQLITE_NAME = "coldroute-service.sqlite"


@dataclass(frozen=True)
class ServiceConfig:
    """Where the service keeps its state and how much it accepts.

    Parameters
    ----------
    data_dir
        The server-owned folder for job inputs and result folders (keyed by job id); no
        request chooses a path inside or outside it.
    db_url
        SQLAlchemy URL of the job store; ``None`` means SQLite in ``data_dir``.
    workers
        Local worker processes started beside the API (``0``: run workers elsewhere).
    scheduler
        A Dask scheduler address: jobs run on that cluster instead of local workers.
    lease_s
        Seconds a running job's lease lasts without a heartbeat; a worker that dies loses its
        job after this long, and the job is retried or failed.
    max_attempts
        Runs a job gets before a lost worker fails it for good.
    max_body_bytes
        Largest request body (a job, an orders file, a VROOM input).
    max_orders
        Most orders a job may hold (inline or in an uploaded file).
    max_time_limit
        Longest search a job may ask for, in seconds (longer requests are capped, and the
        job's status says so).
    vroom_sync_tasks
        VROOM inputs with at most this many jobs and shipments are answered synchronously.
    vroom_wait_s
        Longest a synchronous VROOM request waits for its answer.
    vroom_open_org
        An organisation whose name keyless requests to the VROOM endpoint (``POST /`` and
        ``/vroom``) run as, so tools written for vroom-express, which send no key, work
        unchanged; ``None`` (the default) makes that endpoint ask for a key like every other.
        Every other route always needs a key.
    """

    data_dir: Path
    db_url: str | None = None
    workers: int = 2
    scheduler: str | None = None
    lease_s: float = 20.0
    max_attempts: int = 2
    max_body_bytes: int = 4 * 2**20
    max_orders: int = 5000
    max_time_limit: float = 120.0
    vroom_sync_tasks: int = 500
    vroom_wait_s: float = 300.0
    vroom_open_org: str | None = None

    @property
    def url(self) -> str:
        """The job store's URL (SQLite in the data folder by default).

        Returns
        -------
        str
            A SQLAlchemy URL.
        """
        return self.db_url or f"sqlite:///{Path(self.data_dir).absolute() / SQLITE_NAME}"

    @property
    def jobs_dir(self) -> Path:
        """Job inputs, one folder per job id.

        Returns
        -------
        pathlib.Path
            ``<data_dir>/jobs``.
        """
        return Path(self.data_dir).absolute() / "jobs"

    @property
    def results_dir(self) -> Path:
        """Result folders, ``<job id>/attempt-<n>``.

        Returns
        -------
        pathlib.Path
            ``<data_dir>/results``.
        """
        return Path(self.data_dir).absolute() / "results"

    def to_env(self) -> dict[str, str]:
        """The settings as environment variables, for worker processes started by the server.

        Returns
        -------
        dict of str to str
            ``COLDROUTE_SERVICE_*`` variables that `from_env` reads back.
        """
        return {
            "COLDROUTE_SERVICE_DATA": str(Path(self.data_dir).absolute()),
            "COLDROUTE_SERVICE_DB": self.url,
            "COLDROUTE_SERVICE_LEASE_S": repr(self.lease_s),
            "COLDROUTE_SERVICE_MAX_ATTEMPTS": str(self.max_attempts),
            "COLDROUTE_SERVICE_MAX_ORDERS": str(self.max_orders),
            "COLDROUTE_SERVICE_MAX_TIME_LIMIT": repr(self.max_time_limit),
        }

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> ServiceConfig:
        """The settings a worker process was started with.

        Parameters
        ----------
        env
            The environment (default ``os.environ``).

        Returns
        -------
        ServiceConfig
            The server's settings as far as workers need them.
        """
        e = dict(os.environ if env is None else env)
        return cls(
            data_dir=Path(e["COLDROUTE_SERVICE_DATA"]),
            db_url=e.get("COLDROUTE_SERVICE_DB"),
            lease_s=float(e.get("COLDROUTE_SERVICE_LEASE_S", "20")),
            max_attempts=int(e.get("COLDROUTE_SERVICE_MAX_ATTEMPTS", "2")),
            max_orders=int(e.get("COLDROUTE_SERVICE_MAX_ORDERS", "5000")),
            max_time_limit=float(e.get("COLDROUTE_SERVICE_MAX_TIME_LIMIT", "120")),
        )
