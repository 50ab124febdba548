"""The HTTP API against a live ``coldroute serve`` on each job store: jobs, results, VROOM, security."""

from __future__ import annotations

import csv
import io
import json
import uuid

import httpx
import pytest
from svc_helpers import (
    ROOT,
    Server,
    client,
    new_org,
    tiny_job,
    validate_result,
    wait_final,
    wait_status,
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request, tmp_path_factory):
    """A server with one worker on each job store, and two organisations' keys."""
    tag = uuid.uuid4().hex[:6]
    if request.param == "sqlite":
        server, url, tmp = request.getfixturevalue("sqlite_server")
        yield server, {"acme": new_org(url, f"acme-{tag}"), "rival": new_org(url, f"rival-{tag}")}, tmp
        return
    tmp = tmp_path_factory.mktemp("svc-postgresql")
    url = request.getfixturevalue("postgres").new_database("api_" + tag)
    keys = {"acme": new_org(url, "acme"), "rival": new_org(url, "rival")}
    server = Server(tmp / "data", url, workers=1, lease=5.0)
    server.start()
    try:
        yield server, keys, tmp
    finally:
        server.stop()


def test_a_job_runs_to_done_with_every_result_file_and_a_valid_plan(live):
    server, keys, tmp = live
    job = tiny_job("monday", n=4)
    with client(server, keys["acme"]) as c:
        r = c.post("/v1/jobs", json=job)
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "queued"
        done = wait_final(c, r.json()["id"])
        assert done["status"] == "done", done
        assert done["result"]["status"] == "ok" and done["result"]["kpis"]["served"] == 4
        assert done["progress"]["phase"] == "finished" and done["progress"]["elapsed_s"] > 0
        expected = {"plan.json", "routes.geojson", "stops.csv", "unserved.csv", "kpis.json", "map.html", "timeline.png"}
        assert expected <= set(done["files"])
        plan = validate_result(job, c.get(done["files"]["plan.json"]).json(), tmp)
        routes = c.get(done["files"]["routes.geojson"]).json()
        lines = [f for f in routes["features"] if f["geometry"]["type"] == "LineString"]
        assert len(lines) == len(plan.vehicles_used)
        stops = list(csv.DictReader(io.StringIO(c.get(done["files"]["stops.csv"]).text)))
        assert {s["order_id"] for s in stops if s["order_id"]} == {f"o{k}" for k in range(4)}
        assert c.get(done["files"]["timeline.png"]).content.startswith(b"\x89PNG")
        page = c.get(done["files"]["map.html"])
        assert "sandbox" in page.headers["content-security-policy"] and "coldroute-route" in page.text
        assert c.get(done["files"]["kpis.json"]).json()["served"] == 4
        listed = c.get("/v1/jobs").json()["jobs"]
        assert done["id"] in [j["id"] for j in listed]


def test_another_organisation_can_neither_read_list_cancel_nor_download(live):
    server, keys, _ = live
    with client(server, keys["acme"]) as acme, client(server, keys["rival"]) as rival:
        job_id = acme.post("/v1/jobs", json=tiny_job("private", n=2)).json()["id"]
        assert rival.get(f"/v1/jobs/{job_id}").status_code == 404
        assert job_id not in [j["id"] for j in rival.get("/v1/jobs").json()["jobs"]]
        assert rival.post(f"/v1/jobs/{job_id}/cancel").status_code == 404
        assert rival.get(f"/v1/jobs/{job_id}/ticket").status_code == 404
        done = wait_final(acme, job_id)
        assert done["status"] == "done"  # the rival's cancel did nothing
        assert rival.get(f"/v1/jobs/{job_id}/files/plan.json").status_code == 404
        bad_ticket = rival.get(f"/v1/jobs/{job_id}/files/plan.json", params={"ticket": "9999999999." + "0" * 64})
        assert bad_ticket.status_code == 404
        ticket = acme.get(f"/v1/jobs/{job_id}/ticket").json()["ticket"]
        other = acme.post("/v1/jobs", json=tiny_job("other", n=1)).json()["id"]
        assert httpx.get(f"{server.base}/v1/jobs/{other}/files/plan.json", params={"ticket": ticket}).status_code == 401
    with client(server, None) as anon:
        assert anon.get(f"/v1/jobs/{job_id}").status_code == 401
        assert anon.get("/v1/jobs").status_code == 401
        assert anon.post("/v1/jobs", json=tiny_job()).status_code == 401
    with client(server, "crk_0000_forged") as forged:
        assert forged.get("/v1/jobs").status_code == 401


def test_vroom_endpoint_answers_like_vroom_express(live):
    server, keys, tmp = live
    vin = json.loads((ROOT / "tests" / "data" / "jobs" / "vroom_coords.json").read_text())
    with client(server, keys["acme"]) as c:
        r = c.post("/", json=vin, params={"time_limit": 1})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["code"] == 0 and out["summary"]["unassigned"] == len(out["unassigned"])
        served = {s["id"] for route in out["routes"] for s in route["steps"] if s["type"] in ("job", "delivery")}
        assert {1, 2, 3, 4, 5} - {u["id"] for u in out["unassigned"]} <= served | {4}
        vroom_jobs = [j for j in c.get("/v1/jobs").json()["jobs"] if j["kind"] == "vroom" and j["status"] == "done"]
        validate_result(vin, c.get(vroom_jobs[0]["files"]["plan.json"]).json(), tmp)
        bad = c.post("/vroom", json={"vehicles": [{"id": 1}], "jobs": [{"id": 1, "location": [111.0, 35.0]}]})
        assert bad.status_code == 400 and bad.json()["code"] == 2 and bad.json()["error"].startswith("vehicles[0]")
        assert c.post("/vroom", json=tiny_job()).status_code == 400
        assert c.post("/vroom", content=b"[1,", headers={"content-type": "application/json"}).json()["code"] == 2


def test_cancel_a_running_job(live):
    server, keys, _ = live
    with client(server, keys["acme"]) as c:
        job_id = c.post("/v1/jobs", json=tiny_job("long", n=5, time_limit=30)).json()["id"]
        wait_status(c, job_id, "running")
        r = c.post(f"/v1/jobs/{job_id}/cancel")
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        assert c.post(f"/v1/jobs/{job_id}/cancel").status_code == 409
        after = c.post("/v1/jobs", json=tiny_job("after", n=1)).json()["id"]
        assert wait_final(c, after, timeout=60)["status"] == "done"  # the worker was replaced and goes on
        job = c.get(f"/v1/jobs/{job_id}").json()
        assert job["status"] == "cancelled" and job["files"] == {}


def test_openapi_and_page(live):
    server, _, _ = live
    spec = httpx.get(server.base + "/openapi.json").json()
    assert {"/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/cancel", "/vroom"} <= set(spec["paths"])
    body = spec["paths"]["/v1/jobs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "fleet" in body["oneOf"][0]["properties"] and "$ref" not in json.dumps(body)
    page = httpx.get(server.base + "/")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert httpx.get(server.base + "/static/..%2Fapi.py").status_code == 404
