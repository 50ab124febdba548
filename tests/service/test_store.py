"""The job store on SQLite and on a real PostgreSQL server: keys, claims, leases, one completion per job."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from logistics.service.store import JobStore
from logistics.service.tables import api_keys


def _store(url: str) -> JobStore:
    store = JobStore(url)
    store.migrate()
    store.migrate()  # a second start finds the schema up to date
    return store


def test_keys_are_stored_hashed_and_belong_to_one_org(store_url):
    store = _store(store_url)
    acme, key_a = store.create_org("acme")
    other, key_b = store.create_org("other")
    assert store.org_for_key(key_a) == acme and store.org_for_key(key_b) == other
    secret = key_a.split("_", 2)[2]
    with store.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(sa.select(api_keys))]
    assert stored and not any(secret in str(v) for row in stored for v in row)
    for bad in (key_a[:-1] + ("x" if key_a[-1] != "x" else "y"), "crk_nothing_here", "", "x" * 500):
        assert store.org_for_key(bad) is None
    store.close()


def test_each_job_is_claimed_by_exactly_one_worker(store_url):
    store = _store(store_url)
    org, _ = store.create_org("acme")
    ids = [f"job{k:02d}" for k in range(24)]
    for i in ids:
        store.submit(i, org, i, "job")
    claims: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        s = JobStore(store_url)
        while (got := s.claim(name, 30)) is not None:
            with lock:
                claims.append((got[0], name))
        s.close()

    threads = [threading.Thread(target=worker, args=(f"w{k}",)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(c[0] for c in claims) == ids  # every job once, none twice
    assert store.counts() == {"running": len(ids)}
    store.close()


def test_expired_lease_requeues_then_fails_with_reason_and_finishes_once(store_url):
    store = _store(store_url)
    org, _ = store.create_org("acme")
    store.submit("j1", org, "j1", "job", max_attempts=2)
    assert store.claim("w1", 0.2) == ("j1", 1)
    time.sleep(0.4)
    assert store.requeue_expired() == [("j1", "queued")]
    assert not store.heartbeat("j1", "w1", 1, 10, {"phase": "solving"})  # the first run lost the job
    assert store.claim("w2", 0.2) == ("j1", 2)
    time.sleep(0.4)
    assert store.requeue_expired() == [("j1", "failed")]
    job = store.get("j1", org)
    assert job["status"] == "failed" and "lease expired" in job["error"] and "2 attempt" in job["error"]
    assert not store.finish("j1", "w2", 2, result={"status": "ok"})  # too late: it stays failed
    assert store.get("j1", org)["status"] == "failed"
    store.submit("j2", org, "j2", "job")
    assert store.claim("w3", 30) == ("j2", 1)
    assert store.finish("j2", "w3", 1, result={"status": "ok"})
    assert not store.finish("j2", "w3", 1, result={"status": "ok"})
    events = [e["event"] for e in store.events("j2")]
    assert events == ["queued", "claimed", "done"]
    store.close()


def test_an_organisation_sees_and_cancels_only_its_own_jobs(store_url):
    store = _store(store_url)
    a, _ = store.create_org("a")
    b, _ = store.create_org("b")
    store.submit("ja", a, "ja", "job")
    assert store.get("ja", b) is None and store.list_jobs(b) == []
    assert store.cancel("ja", b) is None
    assert store.get("ja", a)["status"] == "queued"
    assert store.cancel("ja", a) == ("cancelled", True)
    assert store.cancel("ja", a) == ("cancelled", False)
    assert store.claim("w", 30) is None  # a cancelled job never runs
    store.close()
