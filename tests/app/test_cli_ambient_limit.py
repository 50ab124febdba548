"""Job files carry a product's ``ambient_limit_h``; a bad value is bad input (exit 2) naming record and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from logistics.app import cli
from logistics.formats.jobfile import read_job

DATA = Path(__file__).parent.parent / "data" / "jobs"
runner = CliRunner()


def _job(tmp_path: Path, products) -> Path:
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    doc = yaml.safe_load((DATA / "small.yaml").read_text(encoding="utf-8"))
    doc["products"] = products
    p = d / "job.json"
    p.write_text(json.dumps(doc).replace('"@@"', "1e400"), encoding="utf-8")
    return p


def _solve(p: Path):
    return runner.invoke(cli.app, ["solve", str(p), "--out", str(p.parent / "out"), "-t", "0.5", "-q"])


MILK = {"name": "milk", "zone": "chilled", "shelf_life_h": 48, "value": 8}
REST = [{"name": "frozen_dumplings", "zone": "frozen", "value": 12}, {"name": "rice", "zone": "ambient"}]


def test_the_field_is_read_and_the_job_solves(tmp_path):
    p = _job(tmp_path, [dict(MILK, ambient_limit_h=1.5)] + REST)
    assert read_job(p).problem.products["milk"].ambient_limit_h == 1.5
    r = _solve(p)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    "products,field",
    [
        ([dict(MILK, ambient_limit_h=0)] + REST, "products[0].ambient_limit_h"),
        ([dict(MILK, ambient_limit_h=-2)] + REST, "products[0].ambient_limit_h"),
        ([dict(MILK, ambient_limit_h="soon")] + REST, "products[0].ambient_limit_h"),
        ([dict(MILK, ambient_limit_h="@@")] + REST, "products[0].ambient_limit_h"),  # 1e400: infinite
        ([dict(MILK, ambient_limit_h=1e300)] + REST, "products[0].ambient_limit_h"),
        ([MILK, dict(REST[0], ambient_limit_h=2), REST[1]], "products[1].ambient_limit_h"),  # frozen goods
        (
            {"milk": {"zone": "chilled", "ambient_limit_h": -1}, "rice": {"zone": "ambient"}},
            "products.milk.ambient_limit_h",
        ),
    ],
)
def test_a_bad_ambient_limit_is_bad_input_naming_the_product_and_field(tmp_path, products, field):
    r = _solve(_job(tmp_path, products))
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    text = " ".join(r.output.split())
    assert "Traceback" not in text and "internal error" not in text
    assert field in text, text
