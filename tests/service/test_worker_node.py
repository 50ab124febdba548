"""A worker node (``coldroute serve --worker-only``) runs the jobs an API-only server (``--workers 0``) queues."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from svc_helpers import ROOT, Server, client, new_org, tiny_job, validate_result, wait_final


@pytest.mark.slow
def test_an_api_only_server_and_a_separate_worker_node(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    key = new_org(url, "acme")
    server = Server(tmp_path / "data", url, workers=0).start()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "logistics.service", "serve", "--worker-only", "--workers", "1"]
    cmd += ["--db", url, "--data", str(tmp_path / "data"), "--lease", "5"]
    node = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with client(server, key) as c:
            job = tiny_job("remote", n=3)
            done = wait_final(c, c.post("/v1/jobs", json=job).json()["id"])
            assert done["status"] == "done"
            validate_result(job, c.get(done["files"]["plan.json"]).json(), tmp_path)
            assert c.get("/healthz").json()["workers"] == 0  # nothing ran in the API's process tree
    finally:
        node.terminate()
        node.wait(timeout=30)
        server.stop()
