"""What the API refuses before a job is stored (the same on every job store, so checked on SQLite):
paths in requests, oversized bodies, bad input; and orders uploads with a fleet preset."""

from __future__ import annotations

import json
import uuid

import pytest
from svc_helpers import (
    VILLAGES,
    client,
    new_org,
    tiny_job,
    wait_final,
)


@pytest.fixture(scope="module")
def live(sqlite_server):
    """The shared SQLite server (0.25 MiB body limit, at most 40 orders per job) and a fresh organisation."""
    server, url, tmp = sqlite_server
    return server, {"acme": new_org(url, "limits-" + uuid.uuid4().hex[:6])}, tmp


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"orders": "/etc/passwd"}, "orders"),
        ({"orders": "../../../../etc/passwd"}, "orders"),
        ({"orders": "orders.csv"}, "orders"),
        ({"network": "/etc/hosts"}, "network"),
        ({"network": "network.geojson"}, "network"),
        ({"network": {"path": "/etc/passwd"}}, "network.path"),
        ({"matrix": "/etc/passwd"}, "matrix"),
        ({"vroom": "/etc/passwd"}, "vroom"),
    ],
)
def test_no_request_makes_the_server_read_a_path_of_its_choosing(live, change, field):
    server, keys, _ = live
    job = tiny_job("sneaky")
    job.update(change)
    with client(server, keys["acme"]) as c:
        before = {j["id"] for j in c.get("/v1/jobs").json()["jobs"]}
        r = c.post("/v1/jobs", json=job)
        assert r.status_code == 422, r.text
        assert r.json()["detail"]["field"] == field
        assert "does not read files" in r.json()["detail"]["error"]
        yaml_job = "\n".join(f"{k}: {json.dumps(v)}" for k, v in job.items())
        r = c.post("/v1/jobs/upload", files={"job": ("evil.yaml", yaml_job.encode(), "application/yaml")})
        assert r.status_code == 422 and r.json()["detail"]["field"] == field
        assert {j["id"] for j in c.get("/v1/jobs").json()["jobs"]} == before  # nothing was queued


def test_result_file_names_cannot_leave_the_result_folder(live):
    server, keys, _ = live
    with client(server, keys["acme"]) as c:
        job_id = c.post("/v1/jobs", json=tiny_job("files", n=1)).json()["id"]
        assert wait_final(c, job_id)["status"] == "done"
        for name in ("..%2F..%2Fstore.sqlite", "_SUCCESS", "%2Fetc%2Fpasswd", "..%2F..%2Fjobs", "job.json"):
            assert c.get(f"/v1/jobs/{job_id}/files/{name}").status_code == 404, name


def test_size_limits_refuse_large_bodies_and_too_many_orders(live):
    server, keys, _ = live
    with client(server, keys["acme"]) as c:
        huge = tiny_job("huge")
        huge["description"] = "x" * (300 * 1024)
        r = c.post("/v1/jobs", json=huge)
        assert r.status_code == 413 and r.json()["field"] == "body"

        def chunks():
            for _ in range(40):
                yield b" " * 10_000

        r = c.post("/v1/jobs", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413  # no Content-Length: counted while reading
        many = tiny_job("many", n=41)
        r = c.post("/v1/jobs", json=many)
        assert r.status_code == 422 and r.json()["detail"]["field"] == "orders"
        deep = "[" * 5000 + "]" * 5000
        r = c.post("/v1/jobs", content=deep, headers={"content-type": "application/json"})
        assert r.status_code == 422
        r = c.post("/v1/jobs", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 422 and "not valid JSON" in r.json()["detail"]["error"]


def test_bad_input_names_the_field_at_submit_or_fails_the_job_with_the_reason(live):
    server, keys, _ = live
    with client(server, keys["acme"]) as c:
        bad = tiny_job("bad")
        bad["fleet"][0]["count"] = -1
        r = c.post("/v1/jobs", json=bad)
        assert r.status_code == 422 and r.json()["detail"]["field"].startswith("fleet[0]")
        unknown = tiny_job("unknown-node")
        unknown["orders"][0]["node_id"] = "<script>alert(1)</script>"
        job_id = c.post("/v1/jobs", json=unknown).json()["id"]
        failed = wait_final(c, job_id)
        assert failed["status"] == "failed" and failed["error"].startswith("bad input:")
        assert failed["error"].startswith("bad input: orders[0]")


def test_orders_csv_upload_with_a_fleet_preset(live):
    server, keys, tmp = live
    rows = ["order_id,node_id,kind,qty_milk,qty_rice,tw_start,tw_end"]
    rows += [f"u{k},{v},delivery,{5 + k},{10 + k},08:00,16:00" for k, v in enumerate(VILLAGES[:4])]
    with client(server, keys["acme"]) as c:
        fleets = c.get("/v1/fleets").json()["fleets"]
        assert "reefers" in [f["name"] for f in fleets]
        r = c.post(
            "/v1/jobs/upload",
            files={"orders": ("../../escape.csv", "\n".join(rows).encode(), "text/csv")},
            data={"fleet": "reefers", "time_limit": "1"},
        )
        assert r.status_code == 202, r.text
        done = wait_final(c, r.json()["id"])
        assert done["status"] == "done" and done["result"]["kpis"]["served"] == 4
        assert not (server.data.parent / "escape.csv").exists()
        r = c.post("/v1/jobs/upload", files={"orders": ("o.csv", b"order_id\n", "text/csv")}, data={"fleet": "nope"})
        assert r.status_code == 422 and r.json()["detail"]["field"] == "fleet"
