"""VROOM interoperability with hand-written inputs: the Problem read, the plan solved, the output written."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import logistics
from logistics import ProblemError
from logistics.app.run import with_order_attributes
from logistics.app.vroom import solve_vroom
from logistics.formats.vroom import OPEN, error_output, plan_to_vroom, read_vroom, unassigned_reasons

DATA = Path(__file__).parent.parent / "data" / "jobs"
T = 1.0


def matrix_input() -> dict:
    return json.loads((DATA / "vroom_matrix.json").read_text())


def coords_input() -> dict:
    return json.loads((DATA / "vroom_coords.json").read_text())


def solved(doc, **kw):
    out, vin, plan = solve_vroom(
        doc, time_limit=kw.pop("time_limit", T), engine=kw.pop("engine", "ortools"), return_plan=True, **kw
    )
    assert logistics.validate(vin.problem, plan) == []
    return out, vin, plan


def steps_of(out, vehicle):
    return next(r["steps"] for r in out["routes"] if r["vehicle"] == vehicle)


# --------------------------------------------------------------------------- reading


def test_matrix_input_maps_to_a_problem():
    vin = read_vroom(matrix_input())
    p = vin.problem
    assert vin.dims == 2 and vin.offset == 0
    assert [vt.name for vt in p.fleet] == ["v1", "v2"] and all(vt.count == 1 for vt in p.fleet)
    v1 = p.fleet[0]
    assert [c.capacity for c in v1.compartments] == [4, 2]
    assert v1.shift == (28800, 43200) and v1.fixed_cost == 500
    assert v1.cost_per_travel_hour == 3600 and v1.cost_per_hour == 0  # VROOM's per_hour: driving time only
    assert v1.start_depot == "i0" and v1.end_depot == "i0"
    assert p.fleet[1].end_depot == OPEN  # no end: open route
    ids = {o.id for o in p.orders}
    assert ids == {"job:1", "job:2", "job:5", "job:6", "pickup:4", "delivery:3"}
    assert p.order("job:2").kind == "pickup" and p.order("job:2").quantities == {"dim0": 1.0, "dim1": 1.0}
    assert p.order("job:6").service == 360  # setup + service
    assert p.order("pickup:4").pair == "delivery:3"
    # skills: job 1 needs skill 1 -> only v1; job 5 needs 14 -> both (no restriction); shipment needs 2 -> v2
    assert p.order("job:1").vehicle_types == ("v1",)
    assert p.order("job:5").vehicle_types is None
    assert p.order("pickup:4").vehicle_types == ("v2",)
    # every VROOM task is optional; priority raises the penalty
    assert all(not o.required for o in p.orders)
    assert p.order("job:6").penalty > p.order("job:5").penalty
    # a job whose skills no vehicle has is reported, not solved
    assert [u["id"] for u in vin.unassignable] == [7]
    assert p.matrix.distance[p.matrix.index("i1"), p.matrix.index("i2")] == 7000


def test_coordinates_input_uses_great_circles_and_open_start():
    vin = read_vroom(coords_input())
    p = vin.problem
    assert p.matrix.synthetic
    assert p.fleet[1].start_depot == OPEN and p.fleet[1].end_depot != OPEN
    assert p.fleet[1].speed_factor == pytest.approx(0.8)  # VROOM speed_factor 1.25 = faster
    assert p.order("job:5").time_windows == ((32400, 39600), (46800, 54000))
    assert p.order("job:5").quantities == {"dim0": 6.0}  # legacy job amount = delivery
    assert any("great-circle" in w for w in vin.notes)
    m = p.matrix
    assert m.duration[m.index(OPEN)].sum() == 0 and m.duration[:, m.index(OPEN)].sum() == 0


def test_absolute_timestamps_are_shifted_and_restored():
    doc = matrix_input()
    base = 1_700_000_000
    for v in doc["vehicles"]:
        v["time_window"] = [base + t for t in v["time_window"]]
    doc["jobs"][0]["time_windows"] = [[base + 32400, base + 36000]]
    out, vin, plan = solved(doc)
    assert vin.offset == base + 28800
    assert vin.problem.fleet[0].shift == (0, 43200 - 28800)
    arrivals = [s["arrival"] for r in out["routes"] for s in r["steps"]]
    assert all(base + 28800 <= a <= base + 43200 for a in arrivals)
    job1 = [s for r in out["routes"] for s in r["steps"] if s.get("id") == 1 and s["type"] == "job"]
    if job1:
        assert base + 32400 <= job1[0]["arrival"] + job1[0]["waiting_time"] <= base + 36000


# --------------------------------------------------------------------------- solving and output


def test_matrix_output_follows_vroom_format():
    out, vin, plan = solved(matrix_input())
    assert out["code"] == 0
    s = out["summary"]
    for key in (
        "cost",
        "routes",
        "unassigned",
        "delivery",
        "pickup",
        "setup",
        "service",
        "duration",
        "waiting_time",
        "priority",
        "distance",
        "computing_times",
    ):
        assert key in s, key
    assert s["routes"] == len(out["routes"])
    assert s["unassigned"] == len(out["unassigned"])
    # job 7 needs skill 99: unassigned, with its own description (the reason goes to unassigned_reasons)
    u7 = next(u for u in out["unassigned"] if u["id"] == 7)
    assert u7["type"] == "job" and u7["location_index"] == 4
    assert u7.get("description") == next(j for j in vin.raw["jobs"] if j["id"] == 7).get("description")
    assert any(line.startswith("job 7:") and "skills" in line for line in unassigned_reasons(vin, plan))
    served = {(st["type"], st["id"]) for r in out["routes"] for st in r["steps"] if "id" in st}
    unassigned = {(u["type"], u["id"]) for u in out["unassigned"]}
    assert served | unassigned == {
        ("job", 1),
        ("job", 2),
        ("job", 5),
        ("job", 6),
        ("job", 7),
        ("pickup", 4),
        ("delivery", 3),
    }
    assert not served & unassigned
    total_cost = total_dur = 0
    for r in out["routes"]:
        steps = r["steps"]
        types = [st["type"] for st in steps]
        assert types[0] == "start"
        vin_v = vin.vehicles[f"v{r['vehicle']}"]
        assert types[-1] == "end"  # as VROOM: an open route ends at its last task
        if vin_v["end"] is None:
            assert steps[-1]["location_index"] == steps[-2]["location_index"]
        # cumulative durations/distances, arrivals after waiting and service
        for a, b in zip(steps, steps[1:]):
            assert b["duration"] >= a["duration"] and b["distance"] >= a["distance"]
            assert b["arrival"] >= a["arrival"] + a["waiting_time"] + a["setup"] + a["service"]
        assert r["duration"] == steps[-1]["duration"]
        expected = round(
            vin_v["fixed"] + vin_v["per_hour"] * r["duration"] / 3600 + vin_v["per_km"] * r["distance"] / 1000
        )
        assert r["cost"] == expected
        total_cost += r["cost"]
        total_dur += r["duration"]
        for st in steps:
            assert len(st["load"]) == 2 and all(x >= 0 for x in st["load"])
            assert st["load"][0] <= 4 and st["load"][1] <= 2
        # skills respected
        ids = {(st["type"], st["id"]) for st in steps if "id" in st}
        if r["vehicle"] == 2:
            assert ("job", 1) not in ids and ("job", 2) not in ids
        if r["vehicle"] == 1:
            assert ("pickup", 4) not in ids
    assert s["cost"] == total_cost and s["duration"] == total_dur
    # the shipment: pickup before delivery on one route
    for r in out["routes"]:
        kinds = [(st["type"], st.get("id")) for st in r["steps"]]
        if ("pickup", 4) in kinds:
            assert ("delivery", 3) in kinds and kinds.index(("pickup", 4)) < kinds.index(("delivery", 3))


def test_job_time_windows_and_descriptions_in_output():
    out, _, _ = solved(matrix_input())
    steps = [st for r in out["routes"] for st in r["steps"]]
    j1 = [st for st in steps if st.get("id") == 1 and st["type"] == "job"]
    assert j1, "job 1 fits its window and should be served"
    start = j1[0]["arrival"] + j1[0]["waiting_time"]
    assert 32400 <= start <= 36000
    j5 = [st for st in steps if st.get("id") == 5 and st["type"] == "job"]
    assert j5 and j5[0]["description"] == "village shop"
    j6 = [st for st in steps if st.get("id") == 6 and st["type"] == "job"]
    assert j6 and j6[0]["setup"] == 60 and j6[0]["service"] == 300


def _no_pickups(doc: dict) -> dict:
    doc["jobs"] = [j for j in doc["jobs"] if "pickup" not in j]
    doc["shipments"] = []
    return doc


def test_open_start_route_starts_at_its_first_task():
    out, vin, plan = solved(_no_pickups(coords_input()))
    for r in out["routes"]:
        types = [st["type"] for st in r["steps"]]
        assert types[0] == "start" and types[-1] == "end"
        if r["vehicle"] == 11:  # as VROOM: the start step is at the first task, reached in no time
            assert r["steps"][0]["location"] == r["steps"][1]["location"] and r["steps"][1]["duration"] == 0
    assert out["summary"]["unassigned"] == 0
    assert all("location" in st for r in out["routes"] for st in r["steps"])


def test_open_and_closed_vehicles_with_pickups():
    out, vin, plan = solved(coords_input(), time_limit=2)
    assert out["summary"]["unassigned"] == 0


def test_two_depots_pickup_and_delivery():
    """Regression: vehicle types with different start depots, an unpaired pickup and a delivery."""
    import numpy as np

    import networks

    ids = ["A", "c1", "c2", "B"]
    xy = np.array([[0, 0], [1000, 3000], [4000, 3000], [5000, 0]], float)
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    tm = networks.TravelMatrix(ids, np.rint(d), np.rint(d / 10))
    fleet = [
        logistics.VehicleType("a", 1, (logistics.Compartment("ambient", 100),), start_depot="A"),
        logistics.VehicleType("b", 1, (logistics.Compartment("ambient", 100),), start_depot="B", end_depot="A"),
    ]
    orders = [
        logistics.Order("p", {"goods": 10}, node_id="c1", kind="pickup"),
        logistics.Order("d", {"goods": 10}, node_id="c2"),
    ]
    problem = logistics.Problem(orders, fleet, matrix=tm)
    plan = logistics.solve(problem, time_limit=1, engine="ortools")
    assert logistics.validate(problem, plan) == []
    assert len(plan.unserved) == 0


def test_priority_decides_who_is_left_out():
    # one vehicle with room for one job: the high-priority job must be the one served
    doc = {
        "vehicles": [{"id": 1, "start_index": 0, "end_index": 0, "capacity": [1]}],
        "jobs": [
            {"id": 1, "location_index": 1, "delivery": [1], "priority": 0},
            {"id": 2, "location_index": 2, "delivery": [1], "priority": 90},
        ],
        "matrix": [[0, 10, 500], [10, 0, 500], [500, 500, 0]],
    }
    out, _, _ = solved(doc)
    served = [st["id"] for r in out["routes"] for st in r["steps"] if st["type"] == "job"]
    assert served == [2]
    assert [u["id"] for u in out["unassigned"]] == [1]
    assert out["summary"]["priority"] == 90


def test_capacity_left_out_job_gets_a_reason():
    doc = {
        "vehicles": [{"id": 1, "start_index": 0, "end_index": 0, "capacity": [2]}],
        "jobs": [{"id": k, "location_index": k, "delivery": [1]} for k in (1, 2, 3)],
        "matrix": [[0, 5, 5, 5], [5, 0, 5, 5], [5, 5, 0, 5], [5, 5, 5, 0]],
    }
    doc["jobs"][0]["description"] = "shop 1"
    out, vin, plan = solved(doc)
    assert out["summary"]["unassigned"] == 1
    u = out["unassigned"][0]
    assert u.get("description") == ("shop 1" if u["id"] == 1 else None)  # the task's own, as VROOM
    assert unassigned_reasons(vin, plan)[0].startswith(f"job {u['id']}: ")


def test_no_capacity_and_no_amounts():
    doc = {
        "vehicles": [{"id": 0, "start": [111.0, 35.0]}],
        "jobs": [{"id": 1, "location": [111.02, 35.01]}, {"id": 2, "location": [111.01, 35.03]}],
    }
    out, vin, _ = solved(doc)
    assert vin.dims == 0
    assert out["summary"]["unassigned"] == 0
    assert [st["type"] for st in out["routes"][0]["steps"]] == ["start", "job", "job", "end"]
    assert "load" not in out["routes"][0]["steps"][0] and "delivery" not in out["summary"]  # as VROOM: no amounts


def test_run_through_plan_to_vroom_matches_solve_vroom():
    vin = read_vroom(DATA / "vroom_matrix.json")
    plan = logistics.solve(vin.problem, time_limit=T, engine="ortools")
    assert logistics.validate(vin.problem, plan) == []
    out = plan_to_vroom(vin, plan)
    assert out["code"] == 0 and out["summary"]["routes"] == len(plan.vehicles_used)


# --------------------------------------------------------------------------- errors


def _bad(mutate):
    doc = copy.deepcopy(matrix_input())
    mutate(doc)
    with pytest.raises(ProblemError) as ei:
        read_vroom(doc, where="in.json")
    return ei.value


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["jobs"][0].update(location_index=99), "jobs[0].location_index"),
        (lambda d: d["jobs"][1].update(delivery=[1, 0]), "jobs[1]"),
        (lambda d: d["jobs"][2].update(delivery=[1, 2, 3]), "vehicles"),
        (lambda d: d["jobs"][0].update(time_windows=[[36000, 32400]]), "jobs[0].time_windows[0]"),
        (lambda d: d["jobs"][0].update(priority=101), "jobs[0].priority"),
        (lambda d: d["jobs"][3].update(id=1), "jobs[3].id"),
        (lambda d: d["vehicles"][1].update(profile="bike"), "matrices"),
        (lambda d: [d["vehicles"][0].pop(k) for k in ("start_index", "end_index")], "vehicles[0]"),
        (lambda d: d["shipments"][0]["delivery"].pop("location_index"), "shipments[0].delivery.location_index"),
        (lambda d: d["matrices"]["car"]["durations"][2].pop(), "matrices.car.durations[2]"),
        (lambda d: d["matrices"]["car"]["durations"][2].__setitem__(1, -5), "matrices.car.durations[2][1]"),
    ],
)
def test_errors_name_the_field(mutate, field):
    e = _bad(mutate)
    assert e.field == field, str(e)
    assert str(e).startswith("in.json: ")


def test_too_many_dimensions():
    doc = {
        "vehicles": [{"id": 1, "start_index": 0, "capacity": [1, 1, 1, 1, 1]}],
        "jobs": [{"id": 1, "location_index": 1, "delivery": [1, 0, 0, 0, 0]}],
        "matrix": [[0, 1], [1, 0]],
    }
    with pytest.raises(ProblemError, match="at most 4"):
        read_vroom(doc)


@pytest.mark.parametrize(
    "mutate, field",
    [
        (
            lambda d: d["vehicles"][0].update(breaks=[{"id": 1, "service": 300}]),
            "vehicles[0].breaks[0].time_windows",
        ),
        (
            lambda d: d["vehicles"][0].update(
                breaks=[{"id": 1, "service": 300, "time_windows": [[0, 9]], "max_load": [1]}]
            ),
            "vehicles[0].breaks[0].max_load",
        ),
        (lambda d: d["vehicles"][0].update(steps=[{"type": "start"}]), "vehicles[0].steps"),
        (lambda d: d["vehicles"][0].update(costs={"per_task_hour": 10}), "vehicles[0].costs.per_task_hour"),
        (lambda d: d["vehicles"][0].update(speed_factor=6), "vehicles[0].speed_factor"),
        (lambda d: d["matrices"]["car"].update(costs=d["matrices"]["car"]["durations"]), "matrices.car.costs"),
        (
            lambda d: (d["vehicles"][0].update(type="van"), d["jobs"][0].update(service_per_type={"van": 10})),
            "jobs[0].service_per_type.van",
        ),
        (
            lambda d: (d["vehicles"][0].update(type="van"), d["jobs"][0].update(setup_per_type={"van": 10})),
            "jobs[0].setup_per_type.van",
        ),
        (lambda d: d["matrices"]["car"].pop("distances"), "vehicles[0].costs.per_km"),
    ],
)
def test_unsupported_fields_are_refused_naming_the_field(mutate, field):
    doc = copy.deepcopy(matrix_input())
    doc["vehicles"][0].setdefault("costs", {})["per_km"] = 1
    mutate(doc)
    with pytest.raises(ProblemError) as ei:
        read_vroom(doc, where="in.json")
    assert ei.value.field == field, str(ei.value)


def test_per_type_times_for_absent_types_and_unknown_keys_are_accepted():
    doc = matrix_input()
    doc["jobs"][0]["service_per_type"] = {"truck": 10}  # no vehicle has type 'truck'
    doc["jobs"][1]["color"] = "red"
    doc["meta"] = {"name": "x"}
    vin = read_vroom(doc)
    assert any("jobs[].color" in n for n in vin.notes) and any("'meta'" in n for n in vin.notes)


def test_error_output_codes():
    assert error_output(ProblemError("bad"))["code"] == 2
    assert error_output(RuntimeError("x")) == {"code": 1, "error": "x"}


def _week_input(priority: int = 100) -> dict:
    n = 6
    week = 7 * 86_400
    return {
        "vehicles": [
            {"id": k, "start_index": 0, "end_index": 0, "capacity": [100], "time_window": [0, week]} for k in range(20)
        ],
        "jobs": [
            {
                "id": j,
                "location_index": j,
                "delivery": [1],
                "service": 300,
                "time_windows": [[0, week]],
                **({"priority": priority} if j == 1 else {}),
            }
            for j in range(1, n)
        ],
        "matrix": [[0 if i == j else 600 + 60 * abs(i - j) for j in range(n)] for i in range(n)],
    }


def test_a_realistic_week_with_priority_100_is_accepted_and_served():
    vin = read_vroom(_week_input(100))
    assert all(0 <= o.penalty <= 1e9 for o in vin.problem.orders)
    pen = {o.id: o.penalty for o in vin.problem.orders}
    assert pen["job:1"] > max(v for k, v in pen.items() if k != "job:1")  # the priority still counts
    out = solve_vroom(_week_input(100), time_limit=1, seed=0)
    assert out["code"] == 0 and out["summary"]["unassigned"] == 0


@pytest.mark.parametrize("value", [1e300, 1e13])
def test_a_matrix_value_too_large_is_out_of_range_not_negative(value):
    doc = _week_input()
    doc["matrix"][1][2] = value
    with pytest.raises(ProblemError) as ei:
        read_vroom(doc)
    assert ei.value.field == "matrix[1][2]" and "out of range" in str(ei.value) and "negative" not in str(ei.value)


def test_task_descriptions_travel_with_their_orders_to_the_stops_list():
    doc = {
        "vehicles": [{"id": 1, "start": [111.0, 35.0], "end": [111.0, 35.0]}],
        "jobs": [
            {"id": 1, "location": [111.01, 35.01], "description": "王家 · 013812345678"},
            {"id": 2, "location": [111.02, 35.0]},
        ],
        "shipments": [
            {
                "pickup": {"id": 3, "location": [111.0, 35.02], "description": "farm"},
                "delivery": {"id": 3, "location": [111.03, 35.0]},
            }
        ],
    }
    vin = read_vroom(doc)
    attrs = {o.id: o.attributes for o in vin.problem.orders}
    assert attrs == {
        "job:1": {"description": "王家 · 013812345678"},
        "job:2": {},
        "pickup:3": {"description": "farm"},
        "delivery:3": {},
    }
    plan = logistics.solve(vin.problem, time_limit=2, seed=0)
    assert logistics.validate(vin.problem, plan) == []
    stops = with_order_attributes(vin.problem, plan.stops)
    row = stops[stops["order_id"] == "job:1"].iloc[0]
    assert row["description"] == "王家 · 013812345678"
