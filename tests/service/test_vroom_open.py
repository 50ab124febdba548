"""The VROOM endpoint can accept keyless requests (vroom-express clients send none) for one organisation."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from logistics.service.api import create_app
from logistics.service.config import ServiceConfig
from logistics.service.serve import main as serve_main
from logistics.service.store import JobStore

ROOT = Path(__file__).resolve().parents[2]


def _app(tmp_path: Path, open_org: str | None) -> tuple[TestClient, str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    cfg = ServiceConfig(data_dir=tmp_path, vroom_wait_s=0.2, vroom_open_org=open_org)
    store = JobStore(cfg.url)
    store.migrate()
    _, key = store.create_org("couriers")
    store.close()
    return TestClient(create_app(cfg, start_workers=False)), key


def test_keyless_vroom_requests_need_the_open_organisation(tmp_path):
    vin = json.loads((ROOT / "tests" / "data" / "jobs" / "vroom_coords.json").read_text())
    closed, _ = _app(tmp_path / "closed", None)
    with closed:
        assert closed.post("/", json=vin).status_code == 401
    opened, key = _app(tmp_path / "open", "couriers")
    with opened:
        r = opened.post("/", json=vin)  # no key: queued as the open organisation (no worker here, so 202)
        assert r.status_code == 202, r.text
        listed = opened.get("/v1/jobs", headers={"X-API-Key": key}).json()["jobs"]
        assert [j["id"] for j in listed] == [r.json()["id"]]
        # every other route still asks for a key
        assert opened.get("/v1/jobs").status_code == 401
        assert opened.post("/v1/jobs", json=vin).status_code == 401
        # a wrong key is refused, not turned into the open organisation
        assert opened.post("/", json=vin, headers={"X-API-Key": "nope"}).status_code == 401


def test_serve_refuses_an_open_organisation_that_does_not_exist(tmp_path, capsys):
    assert serve_main(["--data", str(tmp_path), "--vroom-open", "nobody", "--migrate-only"]) == 0  # migrate first
    assert serve_main(["--data", str(tmp_path), "--vroom-open", "nobody", "--workers", "0", "--port", "1"]) == 2
    assert "no organisation 'nobody'" in capsys.readouterr().err
