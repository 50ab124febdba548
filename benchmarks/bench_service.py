"""Load benchmark of ``coldroute serve``: many small jobs from concurrent clients, on SQLite and PostgreSQL.

For each job store: start a local server (its own data folder, ``--workers`` local workers),
create an organisation, and let ``--clients`` threads submit ``--jobs`` small jobs between them
(a few deliveries on the built-in Yanhu network, a short search) and poll each until it ends.
Checks: every job submitted is in the store, ends ``done``, and completed exactly once (the
store's event log); reports submit latency (the POST round trip) and result latency (submit to
the client seeing ``done``, queueing included), p50 and p95, and throughput.

PostgreSQL: ``--pg-url URL``, else a throw-away server from Debian's ``postgresql`` binaries
(``initdb`` + ``pg_ctl`` on a temporary folder and a free port; as ``nobody`` when run as root),
else skipped with the reason.  Prints a table, writes ``benchmarks/results/service.json`` and
prints the headline JSON as the last line.

    python benchmarks/bench_service.py                      # 200 jobs, 20 clients, both stores
    python benchmarks/bench_service.py --jobs 40 --stores sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pwd
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _common  # noqa: F401  (puts the repository on sys.path)
import httpx
import sqlalchemy as sa

from logistics.service.store import JobStore

REPO = Path(__file__).resolve().parents[1]
VILLAGES = ["tw_longju", "tw_hongzhiyi", "tw_taocun", "tw_xizhang", "tw_jinjing", "tw_wangfan"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def small_job(k: int, time_limit: float) -> dict[str, Any]:
    """Three deliveries to Yanhu villages, two vans, a short search (the job's name is its number)."""
    return {
        "name": f"bench-{k:04d}",
        "network": "builtin:yanhu",
        "orders": [
            {"id": f"o{j}", "node_id": VILLAGES[(k + j) % len(VILLAGES)], "quantities": {"goods": 10 + j}}
            for j in range(3)
        ],
        "fleet": [
            {"name": "van", "count": 2, "start_depot": "hub", "compartments": [{"zone": "ambient", "capacity": 200}]}
        ],
        "solver": {"time_limit": time_limit, "seed": 0, "engine": "ortools"},
    }


class Postgres:
    """A throw-away PostgreSQL server (initdb + pg_ctl)."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not bins:
            raise RuntimeError("PostgreSQL binaries missing (apt-get install postgresql)")
        self.bin = bins[-1].parent
        self.root = Path(tempfile.mkdtemp(prefix="coldroute-bench-pg-"))
        self.user = "nobody" if os.geteuid() == 0 else None
        if self.user:
            os.chmod(self.root, 0o755)
            pw = pwd.getpwnam(self.user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        self._run("initdb", "-D", str(self.root / "data"), "-U", "postgres", "-A", "trust", "--no-sync")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-o", opts, "-l", str(self.root / "log"), "-w", "start")

    def _run(self, exe: str, *args: str) -> None:
        kw: dict[str, Any] = {"check": True, "capture_output": True, "timeout": 120, "cwd": "/"}
        if self.user:
            kw["user"] = self.user
        subprocess.run([str(self.bin / exe), *args], **kw)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server(data: Path, url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg")
    cmd = [sys.executable, "-m", "logistics.service", "serve", "--port", str(port), "--data", str(data)]
    cmd += ["--db", url, "--workers", str(workers), "--lease", "20"]
    log = open(data.parent / f"server-{port}.log", "wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def run_store(store: str, url: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    data = tmp / store / "data"
    data.mkdir(parents=True)
    js = JobStore(url)
    js.migrate()
    key = js.create_org(f"bench-{store}")[1]
    proc, base = start_server(data, url, args.workers)
    submit_s: list[float] = []
    result_s: list[float] = []
    ids: list[str] = []
    finals: dict[str, str] = {}
    errors: list[str] = []
    lock = threading.Lock()
    per_client = [list(range(c, args.jobs, args.clients)) for c in range(args.clients)]

    def client_run(numbers: list[int]) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as c:
            mine: dict[str, float] = {}
            for k in numbers:
                t0 = time.perf_counter()
                r = c.post("/v1/jobs", json=small_job(k, args.time_limit))
                dt = time.perf_counter() - t0
                if r.status_code != 202:
                    with lock:
                        errors.append(f"submit {k}: HTTP {r.status_code} {r.text[:200]}")
                    continue
                job_id = r.json()["id"]
                mine[job_id] = t0
                with lock:
                    submit_s.append(dt)
                    ids.append(job_id)
            pending = dict(mine)
            deadline = time.monotonic() + args.timeout
            while pending and time.monotonic() < deadline:
                for job_id in list(pending):
                    r = c.get(f"/v1/jobs/{job_id}")
                    status = r.json().get("status") if r.status_code == 200 else f"HTTP {r.status_code}"
                    if status in ("done", "failed", "cancelled"):
                        with lock:
                            result_s.append(time.perf_counter() - pending.pop(job_id))
                            finals[job_id] = status
                time.sleep(args.poll)
            with lock:
                errors.extend(f"job {j} still pending after {args.timeout} s" for j in pending)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client_run, args=(nums,)) for nums in per_client]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    with js.engine.connect() as conn:
        events = conn.execute(sa.text("SELECT job_id, event FROM job_events")).all()
        stored = {r[0] for r in conn.execute(sa.text("SELECT id FROM jobs"))}
    js.close()
    completions: dict[str, int] = {}
    for job_id, event in events:
        if event in ("done", "failed"):
            completions[job_id] = completions.get(job_id, 0) + 1
    done = sum(1 for s in finals.values() if s == "done")
    return {
        "store": store,
        "jobs": args.jobs,
        "clients": args.clients,
        "workers": args.workers,
        "submitted": len(ids),
        "done": done,
        "lost": len(set(ids) - stored) + sum(1 for j in ids if j not in finals),
        "duplicated": sum(1 for n in completions.values() if n > 1) + (len(ids) - len(set(ids))),
        "errors": errors[:5],
        "submit_p50_ms": round(pct(submit_s, 0.5) * 1000, 1),
        "submit_p95_ms": round(pct(submit_s, 0.95) * 1000, 1),
        "result_p50_s": round(pct(result_s, 0.5), 2),
        "result_p95_s": round(pct(result_s, 0.95), 2),
        "wall_s": round(wall, 1),
        "jobs_per_min": round(done / wall * 60, 1) if wall else 0.0,
        "mean_result_s": round(statistics.fmean(result_s), 2) if result_s else None,
    }


def main() -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jobs", type=int, default=200)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--workers", type=int, default=2, help="local worker processes of the server")
    p.add_argument("--time-limit", type=float, default=1.0, help="each job's search, seconds")
    p.add_argument("--poll", type=float, default=0.5, help="seconds between a client's status polls")
    p.add_argument("--timeout", type=float, default=3600.0)
    p.add_argument("--stores", default="sqlite,postgresql")
    p.add_argument("--pg-url", default=None, help="an existing (empty) PostgreSQL database instead of a throw-away one")
    p.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "service.json"))
    args = p.parse_args()
    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    tmp = Path(tempfile.mkdtemp(prefix="coldroute-bench-service-"))
    try:
        for store in args.stores.split(","):
            pg = None
            try:
                if store == "sqlite":
                    url = f"sqlite:///{tmp / 'sqlite.db'}"
                else:
                    if args.pg_url:
                        url = args.pg_url
                    else:
                        pg = Postgres()
                        url = pg.url
                rows.append(run_store(store, url, args, tmp))
            except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
                skipped[store] = str(e)
            finally:
                if pg is not None:
                    pg.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cols = ["store", "submitted", "done", "lost", "duplicated", "submit_p50_ms", "submit_p95_ms"]
    cols += ["result_p50_s", "result_p95_s", "wall_s", "jobs_per_min"]
    print(" | ".join(f"{c:>13}" for c in cols))
    for r in rows:
        print(" | ".join(f"{r[c]!s:>13}" for c in cols))
    for store, why in skipped.items():
        print(f"{store}: skipped ({why})")
    head = {
        "benchmark": "service",
        "jobs": args.jobs,
        "clients": args.clients,
        "workers": args.workers,
        "time_limit_s": args.time_limit,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        "stores": {r["store"]: {k: v for k, v in r.items() if k != "store"} for r in rows},
        "skipped": skipped,
        "all_complete": all(r["done"] == r["jobs"] and not r["lost"] and not r["duplicated"] for r in rows),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(head, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(head))
    return head


if __name__ == "__main__":
    main()
