"""kill -9 of the server and of a worker mid-job: every job ends done or failed with a reason,
none is lost, none completes twice (the job store's events record each run)."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
from svc_helpers import Server, client, new_org, tiny_job, wait_final, wait_status

from logistics.service.store import JobStore


def _url(request, tmp_path, kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres").new_database("kill_" + uuid.uuid4().hex[:8])


def _wait_solving(c, job_id: str) -> None:
    job = wait_status(c, job_id, "running")
    deadline = time.monotonic() + 60
    while job["progress"].get("phase") != "solving" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = c.get(f"/v1/jobs/{job_id}").json()
    assert job["status"] == "running" and job["progress"]["phase"] == "solving", job


def _gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split()[2] == "Z":
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.1)
    return False


def _audit(url: str, ids: list[str], killed: str) -> None:
    store = JobStore(url)
    try:
        for job_id in ids:
            job = store.get(job_id, None)
            events = [e["event"] for e in store.events(job_id)]
            assert job is not None and job["status"] in ("done", "failed"), (job_id, job)
            if job["status"] == "failed":
                assert job["error"], job
            assert events.count("done") + events.count("failed") == 1, events  # one completion, never two
            if job["status"] == "done":
                assert job["result_dir"].endswith(f"attempt-{job['attempts']}")
        killed_job = store.get(killed, None)
        assert killed_job["attempts"] == 2 and "requeued" in [e["event"] for e in store.events(killed)]
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def test_kill_9_of_the_server_mid_job(request, tmp_path, kind):
    url = _url(request, tmp_path, kind)
    key = new_org(url, "acme")
    server = Server(tmp_path / "data", url, workers=1, lease=2.0).start()
    try:
        with client(server, key) as c:
            ids = [
                c.post("/v1/jobs", json=tiny_job(f"k{k}", n=3, time_limit=2 if k == 0 else 1)).json()["id"]
                for k in range(2)
            ]
            _wait_solving(c, ids[0])
            workers = server.children()
            assert workers
            server.kill9()
            assert all(_gone(pid) for pid in workers)  # the workers do not outlive the server
        assert JobStore(url).get(ids[0], None)["status"] == "running"  # left behind, lease still held
        server.start()
        with client(server, key) as c:
            final = [wait_final(c, i) for i in ids]
        assert [j["status"] for j in final] == ["done"] * 2
    finally:
        server.stop()
    _audit(url, ids, ids[0])


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def test_kill_9_of_a_worker_mid_job(request, tmp_path, kind):
    url = _url(request, tmp_path, kind)
    key = new_org(url, "acme")
    server = Server(tmp_path / "data", url, workers=1, lease=2.0).start()
    try:
        with client(server, key) as c:
            ids = [
                c.post("/v1/jobs", json=tiny_job(f"w{k}", n=3, time_limit=2 if k == 0 else 1)).json()["id"]
                for k in range(2)
            ]
            _wait_solving(c, ids[0])
            (worker,) = server.children()
            os.kill(worker, signal.SIGKILL)
            final = [wait_final(c, i) for i in ids]
            assert [j["status"] for j in final] == ["done", "done"]
            assert worker not in server.children()  # replaced by a fresh worker
    finally:
        server.stop()
    _audit(url, ids, ids[0])


@pytest.mark.slow
def test_a_job_whose_workers_keep_dying_fails_with_the_reason(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    key = new_org(url, "acme")
    server = Server(tmp_path / "data", url, workers=1, lease=1.5, extra=("--max-attempts", "1")).start()
    try:
        with client(server, key) as c:
            job_id = c.post("/v1/jobs", json=tiny_job("doomed", n=3, time_limit=5)).json()["id"]
            _wait_solving(c, job_id)
            os.kill(server.children()[0], signal.SIGKILL)
            job = wait_final(c, job_id)
        assert job["status"] == "failed" and "lease expired" in job["error"] and "1 attempt" in job["error"]
    finally:
        server.stop()
