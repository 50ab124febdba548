"""Jobs on a Dask cluster (``coldroute serve --scheduler``): the dispatcher claims, Dask workers run."""

from __future__ import annotations

import pytest
from svc_helpers import Server, client, new_org, tiny_job, validate_result, wait_final

from logistics.service.store import JobStore

distributed = pytest.importorskip("distributed", reason="Dask needs the [batch] extra")


@pytest.mark.slow
def test_jobs_run_on_a_dask_cluster(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    key = new_org(url, "acme")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        server = Server(tmp_path / "data", url, workers=0, lease=8.0, extra=("--scheduler", cluster.scheduler_address))
        server.start()
        try:
            with client(server, key) as c:
                jobs = [tiny_job(f"d{k}", n=3) for k in range(3)]
                ids = [c.post("/v1/jobs", json=j).json()["id"] for j in jobs]
                try:
                    final = [wait_final(c, i, timeout=120) for i in ids]
                except AssertionError as e:
                    raise AssertionError(f"{e}\nserver log:\n{server.log.read_text()[-3000:]}") from None
                assert [j["status"] for j in final] == ["done"] * 3, [j["error"] for j in final]
                for job, done in zip(jobs, final):
                    validate_result(job, c.get(done["files"]["plan.json"]).json(), tmp_path)
        finally:
            server.stop()
    store = JobStore(url)
    owners = {e["owner"] for i in ids for e in store.events(i) if e["event"] == "claimed"}
    store.close()
    assert len(owners) == 1  # claimed by the one dispatcher process, run on the cluster
