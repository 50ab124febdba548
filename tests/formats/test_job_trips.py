"""Job files express several trips per vehicle; bad values name the record and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import check

import logistics
from logistics.core.errors import ProblemError
from logistics.core.model import Compartment, VehicleType
from logistics.core.units import Zone
from logistics.formats.jobfile import load_job

DATA = Path(__file__).parent.parent / "data" / "jobs"


def job(**fleet_fields) -> dict:
    return {
        "name": "trips",
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


def _load(tmp_path: Path, data: dict):
    d = tmp_path / "jobs"
    if not d.exists():
        shutil.copytree(DATA, d)
    p = d / "j.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    return load_job(p)


def test_trips_and_reload_time_are_read(tmp_path):
    vt = _load(tmp_path, job(max_trips=3, reload_min=25))[0].fleet[0]
    assert (vt.max_trips, vt.reload_min) == (3, 25)
    vt = _load(tmp_path, job())[0].fleet[0]
    assert (vt.max_trips, vt.reload_min) == (1, 0.0)  # one trip unless the job says otherwise


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"max_trips": 0}, "fleet[0].max_trips"),
        ({"max_trips": 1.5}, "fleet[0].max_trips"),
        ({"max_trips": 1000}, "fleet[0].max_trips"),
        ({"reload_min": -5}, "fleet[0].reload_min"),
        ({"reload_min": "soon"}, "fleet[0].reload_min"),
    ],
)
def test_bad_trip_values_name_the_record_and_field(tmp_path, fields, field):
    with pytest.raises(ProblemError) as ei:
        _load(tmp_path, job(**fields))
    assert ei.value.field == field, str(ei.value)
    assert field in str(ei.value)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"max_trips": 0}, "max_trips"),
        ({"max_trips": True}, "max_trips"),
        ({"max_trips": 2.0}, "max_trips"),
        ({"reload_min": float("nan")}, "reload_min"),
        ({"reload_min": float("inf")}, "reload_min"),
    ],
)
def test_vehicle_type_refuses_bad_trip_values(fields, field):
    comp = Compartment(Zone.AMBIENT, 100)
    with pytest.raises(ProblemError) as ei:
        VehicleType("van", 1, (comp,), "hub", **fields)
    assert ei.value.field == field
    assert ei.value.record == "van"


def test_a_job_with_two_trips_plans_a_reload(tmp_path):
    data = job(max_trips=2, reload_min=15)
    data["fleet"][0]["compartments"] = [{"zone": "ambient", "capacity": 50}]
    data["orders"] = [
        {"id": k, "node_id": "st-beixiang", "quantities": {"rice": 40}, "service": 300} for k in ("a", "b")
    ]
    problem = _load(tmp_path, data)[0]
    plan = logistics.solve(problem, time_limit=2, engine="ortools", seed=0)
    check(problem, plan)
    assert plan.kpis["served"] == 2  # 80 units on a 50-unit van: two trips
    assert list(plan.stops.sort_values("seq")["kind"]) == ["start", "delivery", "reload", "delivery", "end"]
