"""Running the service in tests: a real PostgreSQL server, a real ``coldroute serve`` process, tiny jobs."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

import logistics
from logistics.core.plan import Plan
from logistics.formats.jobfile import read_job
from logistics.service.store import JobStore

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
VILLAGES = ["tw_longju", "tw_hongzhiyi", "tw_taocun", "tw_xizhang", "tw_jinjing", "tw_wangfan"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tiny_job(name: str = "tiny", n: int = 3, time_limit: float = 1.0, **extra: Any) -> dict[str, Any]:
    """A job on the built-in Yanhu network: ``n`` deliveries to villages, two vans, a short search."""
    job = {
        "name": name,
        "network": "builtin:yanhu",
        "orders": [
            {"id": f"o{k}", "node_id": VILLAGES[k % len(VILLAGES)], "quantities": {"goods": 10 + k}} for k in range(n)
        ],
        "fleet": [
            {"name": "van", "count": 2, "start_depot": "hub", "compartments": [{"zone": "ambient", "capacity": 200}]}
        ],
        "solver": {"time_limit": time_limit, "seed": 0, "engine": "ortools"},
    }
    job.update(extra)
    return job


def validate_result(job: dict[str, Any], plan_doc: dict[str, Any], tmp: Path) -> Plan:
    """The plan a job's result holds, checked by the independent validator against the job's problem."""
    path = tmp / f"check-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(job), encoding="utf-8")
    problem = read_job(path).problem
    plan = Plan.from_dict(plan_doc)
    assert logistics.validate(problem, plan) == []
    return plan


# --------------------------------------------------------------------------- PostgreSQL


@dataclass
class Postgres:
    """A throw-away PostgreSQL cluster in a temporary folder, on a free port."""

    root: Path
    port: int
    bin: Path
    user: str | None  # run as this user when we are root (initdb refuses root)
    databases: list[str] = field(default_factory=list)

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        kw: dict[str, Any] = {"capture_output": True, "text": True, "timeout": 120, "cwd": "/"}
        if self.user:
            kw["user"] = self.user
        return subprocess.run(list(cmd), check=check, **kw)

    def start(self) -> None:
        data = self.root / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def new_database(self, name: str) -> str:
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)


def postgres_missing() -> str | None:
    if not PG_BIN or not (PG_BIN[-1] / "initdb").exists():
        return "PostgreSQL binaries missing (apt-get install postgresql): /usr/lib/postgresql/*/bin/initdb"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'coldroute[service]')"
    return None


def start_postgres() -> Postgres:
    user = None
    root = Path(tempfile.mkdtemp(prefix="coldroute-pg-"))
    if os.geteuid() == 0:
        user = "nobody"
        os.chmod(root, 0o755)
        pw = pwd.getpwnam(user)
        os.chown(root, pw.pw_uid, pw.pw_gid)
    pg = Postgres(root=root, port=free_port(), bin=PG_BIN[-1], user=user)
    try:
        pg.start()
    except subprocess.CalledProcessError as e:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {e.stderr or e.stdout}") from None
    return pg


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    """``python -m logistics.service serve`` in a subprocess, with its own data folder."""

    data: Path
    db_url: str
    workers: int = 1
    lease: float = 3.0
    extra: tuple[str, ...] = ()
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> Server:
        self.port = free_port()
        self.data.mkdir(parents=True, exist_ok=True)
        self.log = self.data.parent / f"server-{self.port}.log"
        env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
        cmd = [
            sys.executable,
            "-m",
            "logistics.service",
            "serve",
            "--port",
            str(self.port),
            "--data",
            str(self.data),
            "--db",
            self.db_url,
            "--workers",
            str(self.workers),
            "--lease",
            str(self.lease),
            *self.extra,
        ]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(self.data.parent))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not answer: {self.log.read_text()[-2000:]}")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def children(self) -> list[int]:
        """Worker pids (children of the server process)."""
        assert self.proc is not None
        pids: list[int] = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):  # children belong to the thread that started them
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                pass
        return sorted(set(pids))


def new_org(url: str, name: str) -> str:
    store = JobStore(url)
    try:
        store.migrate()
        return store.create_org(name)[1]
    finally:
        store.close()


def client(server: Server, key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.base, headers=headers, timeout=60)


def wait_final(c: httpx.Client, job_id: str, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = c.get(f"/v1/jobs/{job_id}")
        assert r.status_code == 200, r.text
        job = r.json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.25)
    raise AssertionError(f"job {job_id} not finished after {timeout} s: {job}")


def wait_status(c: httpx.Client, job_id: str, status: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = c.get(f"/v1/jobs/{job_id}").json()
        if job["status"] == status:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never {status}: {job}")
