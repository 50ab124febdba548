"""Job files express drivers' breaks and the driving rule; bad values name the record and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import logistics
from logistics.core.breaks import CN_MAX_DRIVING_H, CN_MIN_REST_MIN
from logistics.core.errors import ProblemError
from logistics.formats.jobfile import load_job

DATA = Path(__file__).parent.parent / "data" / "jobs"


def job(**fleet_fields) -> dict:
    return {
        "name": "breaks",
        "network": "network.geojson",
        "products": [{"name": "rice", "zone": "ambient"}],
        "fleet": [
            {
                "name": "van",
                "count": 1,
                "start_depot": "hub",
                "shift": ["07:00", "18:00"],
                "compartments": [{"zone": "ambient", "capacity": 500}],
                **fleet_fields,
            }
        ],
        "orders": [{"id": "a", "node_id": "st-beixiang", "quantities": {"rice": 20}, "service": 300}],
        "solver": {"time_limit": 1, "seed": 0, "engine": "ortools"},
    }


@pytest.fixture
def jobdir(tmp_path):
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    return d


def _load(d: Path, data: dict):
    p = d / "j.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    return load_job(p)


def test_breaks_and_the_driving_rule_are_read(jobdir):
    loaded = _load(
        jobdir,
        job(
            breaks=[{"window": ["11:30", "13:00"], "duration": "00:30", "name": "lunch"}],
            max_driving_h=3.5,
            min_rest_min=30,
        ),
    )
    vt = loaded[0].fleet[0]
    assert vt.breaks == (logistics.Break((41400, 46800), 1800, "lunch"),)
    assert (vt.max_driving_h, vt.min_rest_min) == (3.5, 30)
    assert _load(jobdir, job(max_driving_h=None))[0].fleet[0].max_driving_h is None  # null: the rule is off
    plain = _load(jobdir, job())[0].fleet[0]  # China's rule unless the job says otherwise
    assert (plain.max_driving_h, plain.min_rest_min) == (CN_MAX_DRIVING_H, CN_MIN_REST_MIN) == (4.0, 20.0)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"breaks": [{"window": ["13:00", "11:30"], "duration": 1800}]}, "fleet[0].breaks[0].window"),
        ({"breaks": [{"window": ["11:30", "13:00"], "duration": 0}]}, "fleet[0].breaks[0].duration"),
        ({"max_driving_h": 0}, "fleet[0].max_driving_h"),
        ({"min_rest_min": 0}, "fleet[0].min_rest_min"),
    ],
)
def test_bad_break_values_name_the_record_and_field(jobdir, fields, field):
    with pytest.raises(ProblemError) as ei:
        _load(jobdir, job(**fields))
    assert ei.value.field == field, str(ei.value)
    assert field in str(ei.value)
