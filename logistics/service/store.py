"""The persistent job store: organisations, hashed API keys, jobs and their leases (SQLAlchemy).

SQLite by default, PostgreSQL when a URL is given; the schema comes from the Alembic migrations
in ``migrations/``.  Workers take a job with a claim that only one of them can win (a
conditional ``UPDATE ... WHERE status = 'queued'``; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and
hold it with a lease they renew while the job runs.  A job whose lease expires (its worker or
the server died) is queued again until it has used ``max_attempts`` runs, then failed with the
reason.  Every transition checks the worker still holds the lease, so a job finishes once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from logistics.service.tables import (
    CANCELLED,
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    api_keys,
    job_events,
    jobs,
    orgs,
)

MIGRATIONS = Path(__file__).with_name("migrations")
KEY_PREFIX = "crk"


def hash_secret(secret: str) -> str:
    """SHA-256 of an API key's secret part: keys are 256-bit random, so a fast hash is enough.

    Parameters
    ----------
    secret
        The secret part of a key.

    Returns
    -------
    str
        Hex digest stored in ``api_keys.hash``.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def make_engine(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout so many processes can share it.

    Parameters
    ----------
    url
        A SQLAlchemy URL (``sqlite:///...``, ``postgresql+psycopg://...``).

    Returns
    -------
    sqlalchemy.Engine
        The engine.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _now() -> float:
    return time.time()


def _row(r: Any) -> dict[str, Any]:
    d = dict(r._mapping)
    for k in ("progress", "result"):
        if k in d:
            d[k] = json.loads(d[k]) if d[k] else None
    return d


class JobStore:
    """Jobs, organisations and API keys in one database.

    Parameters
    ----------
    url
        The database's SQLAlchemy URL.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.postgres = self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        """Close the connection pool."""
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

    # ------------------------------------------------------------------ schema

    def migrate(self) -> None:
        """Bring the schema up to the newest Alembic revision (safe to call on every start)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            if self.postgres:  # two processes starting at once migrate one after the other
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(727274)"))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    # ------------------------------------------------------------------ organisations and keys

    def create_org(self, name: str) -> tuple[str, str]:
        """A new organisation and its first API key.

        Parameters
        ----------
        name
            The organisation's name (unique).

        Returns
        -------
        tuple of (str, str)
            The organisation id and the API key (shown once; only its hash is stored).
        """
        org_id = "org_" + uuid.uuid4().hex[:12]
        with self._tx() as conn:
            conn.execute(orgs.insert().values(id=org_id, name=name, created=_now()))
        return org_id, self.add_key(org_id)

    def org_id(self, name: str) -> str | None:
        """The id of the organisation called ``name``.

        Parameters
        ----------
        name
            The organisation's name.

        Returns
        -------
        str or None
            Its id, or ``None`` when there is none.
        """
        with self._tx() as conn:
            return conn.execute(sa.select(orgs.c.id).where(orgs.c.name == name)).scalar()

    def add_key(self, org_id: str) -> str:
        """Another API key for an organisation (keys can be rotated without downtime).

        Parameters
        ----------
        org_id
            The organisation.

        Returns
        -------
        str
            The key, ``crk_<id>_<secret>``; the secret's hash is stored, the secret is not.
        """
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        with self._tx() as conn:
            conn.execute(
                api_keys.insert().values(
                    id=key_id, org_id=org_id, hash=hash_secret(secret), created=_now(), revoked=False
                )
            )
        return f"{KEY_PREFIX}_{key_id}_{secret}"

    def org_for_key(self, key: str) -> str | None:
        """The organisation an API key belongs to, or ``None`` for an unknown or revoked key.

        Parameters
        ----------
        key
            The key as the client sent it.

        Returns
        -------
        str or None
            The organisation id.
        """
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX or len(key) > 200:
            return None
        with self._tx() as conn:
            row = conn.execute(
                sa.select(api_keys.c.org_id, api_keys.c.hash, api_keys.c.revoked).where(api_keys.c.id == parts[1])
            ).first()
        if row is None or row.revoked or not hmac.compare_digest(row.hash, hash_secret(parts[2])):
            return None
        return str(row.org_id)

    def org_count(self) -> int:
        """How many organisations exist (the first start creates one).

        Returns
        -------
        int
            The number of organisations.
        """
        with self._tx() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(orgs)).scalar() or 0)

    # ------------------------------------------------------------------ jobs (API side)

    def submit(
        self, job_id: str, org_id: str, name: str, kind: str, *, max_attempts: int = 2, priority: int = 0
    ) -> None:
        """Queue a job whose input folder is already written.

        Parameters
        ----------
        job_id, org_id, name, kind
            The job's id, owner, name and kind (``"job"`` or ``"vroom"``).
        max_attempts
            Runs before a lost worker fails the job.
        priority
            Higher runs first (synchronous VROOM requests).
        """
        now = _now()
        with self._tx() as conn:
            conn.execute(
                jobs.insert().values(
                    id=job_id,
                    org_id=org_id,
                    name=name[:200],
                    kind=kind,
                    status=QUEUED,
                    priority=priority,
                    created=now,
                    attempts=0,
                    max_attempts=max_attempts,
                    progress=json.dumps({"phase": "queued"}),
                )
            )
            self._event(conn, job_id, "queued", 0, None)

    def get(self, job_id: str, org_id: str | None) -> dict[str, Any] | None:
        """One job, if it belongs to ``org_id`` (``None``: any organisation, for workers).

        Parameters
        ----------
        job_id
            The job.
        org_id
            The asking organisation; another organisation's job is reported as missing.

        Returns
        -------
        dict or None
            The job's row.
        """
        q = sa.select(jobs).where(jobs.c.id == job_id)
        if org_id is not None:
            q = q.where(jobs.c.org_id == org_id)
        with self._tx() as conn:
            r = conn.execute(q).first()
        return None if r is None else _row(r)

    def list_jobs(self, org_id: str, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """An organisation's jobs, newest first.

        Parameters
        ----------
        org_id
            The organisation.
        status
            Only jobs in this state.
        limit
            At most this many.

        Returns
        -------
        list of dict
            The jobs' rows.
        """
        q = sa.select(jobs).where(jobs.c.org_id == org_id)
        if status:
            q = q.where(jobs.c.status == status)
        q = q.order_by(jobs.c.created.desc(), jobs.c.id).limit(limit)
        with self._tx() as conn:
            return [_row(r) for r in conn.execute(q)]

    def cancel(self, job_id: str, org_id: str) -> tuple[str, bool] | None:
        """Cancel a queued or running job of ``org_id``; its worker notices at its next heartbeat.

        Parameters
        ----------
        job_id, org_id
            The job and the asking organisation.

        Returns
        -------
        tuple of (str, bool) or None
            The job's status afterwards and whether this call cancelled it, or ``None`` when the
            organisation has no such job.
        """
        now = _now()
        with self._tx() as conn:
            n = conn.execute(
                jobs.update()
                .where(jobs.c.id == job_id, jobs.c.org_id == org_id, jobs.c.status.in_((QUEUED, RUNNING)))
                .values(status=CANCELLED, finished=now, lease_owner=None, lease_expires=None)
            ).rowcount
            if n:
                self._event(conn, job_id, "cancelled", 0, None)
            status = conn.execute(sa.select(jobs.c.status).where(jobs.c.id == job_id, jobs.c.org_id == org_id)).scalar()
        return None if status is None else (str(status), n == 1)

    def events(self, job_id: str) -> list[dict[str, Any]]:
        """A job's state changes, oldest first (for audits and tests).

        Parameters
        ----------
        job_id
            The job.

        Returns
        -------
        list of dict
            ``event``, ``attempt``, ``owner``, ``at``, ``detail`` per change.
        """
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(job_events).where(job_events.c.job_id == job_id).order_by(job_events.c.id)
            ).all()
        return [dict(r._mapping) for r in rows]

    # ------------------------------------------------------------------ jobs (worker side)

    def claim(self, owner: str, lease_s: float) -> tuple[str, int] | None:
        """Take the next queued job; at most one worker wins each job.

        Parameters
        ----------
        owner
            The worker (``host:pid``).
        lease_s
            Seconds the lease lasts without a heartbeat.

        Returns
        -------
        tuple of (str, int) or None
            The job id and this run's attempt number, or ``None`` when nothing is queued.
        """
        now = _now()
        values = dict(
            status=RUNNING,
            lease_owner=owner,
            lease_expires=now + lease_s,
            started=now,
            attempts=jobs.c.attempts + 1,
            progress=json.dumps({"phase": "starting", "elapsed_s": 0.0}),
        )
        order = (jobs.c.priority.desc(), jobs.c.created, jobs.c.id)
        if self.postgres:
            pick = (
                sa.select(jobs.c.id)
                .where(jobs.c.status == QUEUED)
                .order_by(*order)
                .limit(1)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            with self._tx() as conn:
                row = conn.execute(
                    jobs.update()
                    .where(jobs.c.id == pick, jobs.c.status == QUEUED)
                    .values(**values)
                    .returning(jobs.c.id, jobs.c.attempts)
                ).first()
                if row is None:
                    return None
                self._event(conn, row.id, "claimed", row.attempts, owner)
                return str(row.id), int(row.attempts)
        for _ in range(20):  # SQLite: pick, then a conditional update that only one process wins
            with self._tx() as conn:
                job_id = conn.execute(
                    sa.select(jobs.c.id).where(jobs.c.status == QUEUED).order_by(*order).limit(1)
                ).scalar()
            if job_id is None:
                return None
            with self._tx() as conn:
                n = conn.execute(
                    jobs.update().where(jobs.c.id == job_id, jobs.c.status == QUEUED).values(**values)
                ).rowcount
                if n == 1:
                    attempt = int(conn.execute(sa.select(jobs.c.attempts).where(jobs.c.id == job_id)).scalar_one())
                    self._event(conn, job_id, "claimed", attempt, owner)
                    return str(job_id), attempt
        return None

    def _mine(self, job_id: str, owner: str, attempt: int) -> Any:
        return sa.and_(
            jobs.c.id == job_id, jobs.c.status == RUNNING, jobs.c.lease_owner == owner, jobs.c.attempts == attempt
        )

    def heartbeat(self, job_id: str, owner: str, attempt: int, lease_s: float, progress: dict[str, Any]) -> bool:
        """Renew the lease and record progress.

        Parameters
        ----------
        job_id, owner, attempt
            The run holding the lease.
        lease_s
            Seconds the renewed lease lasts.
        progress
            What to show the client (phase, elapsed_s, best_cost).

        Returns
        -------
        bool
            ``False`` when the run no longer holds the job (cancelled, or its lease expired and
            the job moved on): the worker must drop it.
        """
        with self._tx() as conn:
            n = conn.execute(
                jobs.update()
                .where(self._mine(job_id, owner, attempt))
                .values(lease_expires=_now() + lease_s, progress=json.dumps(progress))
            ).rowcount
        return n == 1

    def renew(self, job_id: str, owner: str, attempt: int, lease_s: float) -> bool:
        """Extend a lease without touching the progress (a Dask task that has not started yet).

        Parameters
        ----------
        job_id, owner, attempt
            The run holding the lease.
        lease_s
            Seconds the renewed lease lasts.

        Returns
        -------
        bool
            ``False`` when the run no longer holds the job.
        """
        with self._tx() as conn:
            n = conn.execute(
                jobs.update().where(self._mine(job_id, owner, attempt)).values(lease_expires=_now() + lease_s)
            ).rowcount
        return n == 1

    def finish(
        self,
        job_id: str,
        owner: str,
        attempt: int,
        *,
        result: dict[str, Any] | None = None,
        result_dir: str | None = None,
        error: str | None = None,
        progress: dict[str, Any] | None = None,
    ) -> bool:
        """Mark a run done (with its result) or failed (with ``error``), if it still holds the job.

        Parameters
        ----------
        job_id, owner, attempt
            The run holding the lease.
        result, result_dir
            The run's summary and its result folder (for ``done``).
        error
            Why the job failed (makes it ``failed``).
        progress
            The final progress record.

        Returns
        -------
        bool
            ``False`` when another run or a cancel took the job first; the caller discards its
            result, so a job completes once.
        """
        status = FAILED if error is not None else DONE
        with self._tx() as conn:
            n = conn.execute(
                jobs.update()
                .where(self._mine(job_id, owner, attempt))
                .values(
                    status=status,
                    finished=_now(),
                    lease_owner=None,
                    lease_expires=None,
                    error=error,
                    result=json.dumps(result) if result is not None else None,
                    result_dir=result_dir,
                    progress=json.dumps(progress) if progress is not None else jobs.c.progress,
                )
            ).rowcount
            if n == 1:
                self._event(conn, job_id, status, attempt, owner, error)
        return n == 1

    def requeue_expired(self) -> list[tuple[str, str]]:
        """Queue again (or fail, after ``max_attempts``) every running job whose lease expired.

        Called by the server at start and periodically, and by workers between jobs, so a job
        whose worker or server was killed is never lost.

        Returns
        -------
        list of tuple of (str, str)
            ``(job id, "queued" or "failed")`` per job recovered.
        """
        now = _now()
        out: list[tuple[str, str]] = []
        with self._tx() as conn:
            stale = conn.execute(
                sa.select(jobs.c.id, jobs.c.attempts, jobs.c.max_attempts, jobs.c.lease_owner).where(
                    jobs.c.status == RUNNING, jobs.c.lease_expires < now
                )
            ).all()
        for r in stale:
            lost = f"the worker running attempt {r.attempts} ({r.lease_owner}) stopped answering (lease expired)"
            again = r.attempts < r.max_attempts
            values: dict[str, Any] = (
                dict(status=QUEUED, lease_owner=None, lease_expires=None, progress=json.dumps({"phase": "queued"}))
                if again
                else dict(
                    status=FAILED,
                    lease_owner=None,
                    lease_expires=None,
                    finished=now,
                    error=f"{lost}; gave up after {r.attempts} attempt(s)",
                )
            )
            with self._tx() as conn:
                n = conn.execute(
                    jobs.update()
                    .where(
                        jobs.c.id == r.id,
                        jobs.c.status == RUNNING,
                        jobs.c.attempts == r.attempts,
                        jobs.c.lease_expires < now,
                    )
                    .values(**values)
                ).rowcount
                if n == 1:
                    self._event(conn, r.id, "requeued" if again else FAILED, r.attempts, r.lease_owner, lost)
                    out.append((str(r.id), QUEUED if again else FAILED))
        return out

    def counts(self) -> dict[str, int]:
        """Jobs per status, over every organisation (for the health check and benchmarks).

        Returns
        -------
        dict of str to int
            Status to number of jobs.
        """
        with self._tx() as conn:
            rows = conn.execute(sa.select(jobs.c.status, sa.func.count()).group_by(jobs.c.status)).all()
        return {str(s): int(n) for s, n in rows}

    @staticmethod
    def _event(
        conn: sa.Connection, job_id: str, event: str, attempt: int, owner: str | None, detail: Any = None
    ) -> None:
        conn.execute(
            job_events.insert().values(
                job_id=job_id, event=event, attempt=attempt, owner=owner, at=_now(), detail=detail
            )
        )
