"""Fixtures of the service tests: both job stores (SQLite, a real PostgreSQL server) and live servers."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the service needs the [service] extra")
pytest.importorskip("sqlalchemy", reason="the service needs the [service] extra")

sys.path.insert(0, str(Path(__file__).parent))

from svc_helpers import Server, new_org, postgres_missing, start_postgres


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the whole session (skipped, with the reason, when it cannot run)."""
    reason = postgres_missing()
    if reason:
        pytest.skip(reason)
    try:
        pg = start_postgres()
    except RuntimeError as e:
        pytest.skip(str(e))
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    pg = request.getfixturevalue("postgres")
    return pg.new_database("t_" + uuid.uuid4().hex[:10])


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory):
    """One SQLite-backed server shared by the API, limits and page tests (one worker, a 0.25 MiB
    body limit, at most 40 orders per job): ``(server, url, tmp)``; tests add their own organisations."""
    tmp = tmp_path_factory.mktemp("svc-sqlite")
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    new_org(url, "admin")  # the store exists before the server starts
    server = Server(tmp / "data", url, workers=1, lease=5.0, extra=("--max-body-mb", "0.25", "--max-orders", "40"))
    server.start()
    try:
        yield server, url, tmp
    finally:
        server.stop()
