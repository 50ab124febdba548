"""Tiered job files: the ``tiers`` block read into a TierSpec, and every bad value named by its field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from logistics.core.errors import ProblemError
from logistics.formats.jobfile import read_job

DATA = Path(__file__).parent.parent / "data" / "jobs"
TIERED = yaml.safe_load((DATA / "tiered.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def jobdir(tmp_path):
    d = tmp_path / "jobs"
    shutil.copytree(DATA, d)
    return d


def write(jobdir: Path, doc: dict) -> Path:
    p = jobdir / "t.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return p


def test_tiers_block_is_read_with_times_in_seconds():
    job = read_job(DATA / "tiered.yaml")
    spec = job.tiers
    assert spec is not None and job.name == "tiered-day"
    assert [v.name for v in spec.trunk_fleet] == ["truck-5t"] and spec.trunk_fleet[0].count == 2
    assert spec.trunk_fleet[0].shift == (5 * 3600, 22 * 3600)
    assert [v.name for v in spec.last_mile_fleet] == ["van"]  # type: ignore[union-attr]
    assert spec.handling_s == 1800 and spec.direct_from_hub == "auto"
    assert spec.cold_store_capacity == {"st-dongguo": 2000.0, "st-beixiang": 1500.0}
    assert spec.opening_hours == {"st-dongguo": (5 * 3600, 21 * 3600)}
    # orders come from the CSV file as for any job; the problem's fleet is the tiers' types at the hub
    assert len(job.problem.orders) == 7 and {o.kind for o in job.problem.orders} == {"delivery", "pickup"}
    assert {v.start_depot for v in job.problem.fleet} == {"hub"}
    assert "apples" in job.problem.products


def test_last_mile_fleet_per_station(jobdir):
    doc = dict(TIERED)
    van = TIERED["tiers"]["last_mile_fleet"][0]
    doc["tiers"] = dict(TIERED["tiers"], last_mile_fleet={"st-dongguo": [van], "st-beixiang": [dict(van, count=1)]})
    job = read_job(write(jobdir, doc))
    lm = job.tiers.last_mile_fleet
    assert isinstance(lm, dict) and lm["st-beixiang"][0].count == 1 and lm["st-dongguo"][0].count == 2
    assert {v.name for v in job.problem.fleet} == {"truck-5t", "van@st-dongguo", "van@st-beixiang"}


def _tiers(**changes):
    doc = dict(TIERED)
    doc["tiers"] = dict(TIERED["tiers"], **changes)
    return doc


VAN = TIERED["tiers"]["last_mile_fleet"][0]
TRUCK = TIERED["tiers"]["trunk_fleet"][0]

BAD = [
    (_tiers(last_mile_fleet={"v-bx1": [VAN]}), "tiers.last_mile_fleet.v-bx1"),
    (_tiers(opening_hours={"st-dongguo": ["18:00", "06:00"]}), "tiers.opening_hours.st-dongguo"),
    (_tiers(opening_hours={"st-dongguo": ["six", "18:00"]}), "tiers.opening_hours.st-dongguo[0]"),
    (_tiers(cold_store_capacity={"hub": 100}), "tiers.cold_store_capacity.hub"),
    (_tiers(cold_store_capacity={"st-dongguo": -5}), "tiers.cold_store_capacity.st-dongguo"),
    (_tiers(direct_from_hub=["v-bx1", "nowhere"]), "tiers.direct_from_hub[1]"),
    (_tiers(direct_from_hub="sometimes"), "tiers.direct_from_hub"),
    (_tiers(handling=-60), "tiers.handling"),
    (_tiers(trunk_fleet=[]), "tiers.trunk_fleet"),
    (_tiers(trunk_fleet=[dict(TRUCK, count=-1)]), "tiers.trunk_fleet[0].count"),
    (_tiers(trunk_fleet=[dict(TRUCK, start_depot="hub")]), "tiers.trunk_fleet[0]"),
    (_tiers(trunk_fleet=[dict(TRUCK, shift=["22:00", "05:00"])]), "tiers.trunk_fleet[0].shift"),
    (
        _tiers(last_mile_fleet=[dict(VAN, compartments=[{"zone": "lukewarm", "capacity": 5}])]),
        "tiers.last_mile_fleet[0]",
    ),
    (_tiers(boundary_ratio=0.5), "tiers.boundary_ratio"),
    (_tiers(color="blue"), "tiers"),
    (dict(TIERED, fleet=[dict(TRUCK, start_depot="hub")]), "fleet"),
]


@pytest.mark.parametrize(("doc", "field"), BAD, ids=[f for _, f in BAD])
def test_bad_tiers_values_name_their_field(jobdir, doc, field):
    with pytest.raises(ProblemError) as e:
        read_job(write(jobdir, doc))
    assert e.value.field is not None and e.value.field.startswith(field), (e.value.field, str(e.value))
    assert field in str(e.value)


def test_orders_of_a_tiered_job_are_at_villages(jobdir):
    rows = (jobdir / "tier_orders.csv").read_text(encoding="utf-8").splitlines()
    rows[3] = rows[3].replace("v-jietan", "st-dongguo", 1)
    (jobdir / "tier_orders.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ProblemError) as e:
        read_job(jobdir / "tiered.yaml")
    assert e.value.field == "orders[2].node_id" and "not a village" in str(e.value)


def test_a_tiered_job_needs_a_network_and_takes_no_matrix(jobdir):
    doc = {k: v for k, v in TIERED.items() if k != "network"}
    doc["matrix"] = "vroom_matrix.json"
    with pytest.raises(ProblemError) as e:
        read_job(write(jobdir, doc))
    assert e.value.field in ("network", "matrix")
    with pytest.raises(ProblemError) as e:
        read_job(write(jobdir, dict(TIERED, matrix="vroom_matrix.json")))
    assert e.value.field == "matrix" and "network" in str(e.value)


def test_a_job_needs_a_fleet_or_tiers(jobdir):
    doc = {k: v for k, v in TIERED.items() if k != "tiers"}
    with pytest.raises(ProblemError) as e:
        read_job(write(jobdir, doc))
    assert "'tiers'" in str(e.value) or "fleet" in str(e.value)
