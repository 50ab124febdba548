"""VROOM conformance: VROOM's documented examples and one small input per API field.

Every case is checked against an expected output derived by hand (the instance has one optimum,
or one answer in plan mode), every plan goes through the independent validator, and where
pyvroom (VROOM itself) is installed, VROOM's own answer must be the same assignment at the
same cost.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
from pathlib import Path
from typing import Any

import pytest

import logistics
from logistics import ProblemError
from logistics.app.vroom import main as vroom_main
from logistics.app.vroom import solve_vroom
from logistics.formats.vroom_convert import cvrplib_to_vroom, lilim_to_vroom, solomon_to_vroom

try:
    import vroom as pyvroom
except ImportError:  # pyvroom is in the [test] extra; without it the stored expectations still hold
    pyvroom = None

HERE = Path(__file__).parent.parent / "data"
DATA = HERE / "vroom"
T = 1.0


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def ours(doc: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """Our output; the plan behind it must pass the validator.

    Our own engines only (no start from VROOM's routes): the suite checks that they honour each field.
    """
    kw.setdefault("vroom_start", False)
    out, vin, plan = solve_vroom(doc, time_limit=kw.pop("time_limit", T), return_plan=True, **kw)
    if plan is not None:
        assert logistics.validate(vin.problem, plan) == []
    return out


def theirs(doc: dict[str, Any], tmp: Path) -> dict[str, Any] | None:
    """VROOM's output through pyvroom, or None when it is not installed."""
    if pyvroom is None:
        return None
    f = tmp / "in.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    sol = pyvroom.Input.from_json(f).solve(exploration_level=5, nb_threads=1, timeout=datetime.timedelta(seconds=5))
    return sol.to_dict()


def assignment(out: dict[str, Any]) -> dict[int, list[tuple[str, int]]]:
    return {r["vehicle"]: [(s["type"], s["id"]) for s in r["steps"] if "id" in s] for r in out["routes"]}


def unassigned(out: dict[str, Any]) -> set[tuple[str, int]]:
    return {(u["type"], u["id"]) for u in out["unassigned"]}


def agree(
    doc: dict[str, Any],
    tmp: Path,
    expect: dict[int, list[tuple[str, int]]],
    left: set | None = None,
    *,
    ordered: bool = True,
    engine: str = "auto",
) -> dict:
    """Our answer is the expected one, and VROOM's (when installed) too, at the same cost.

    ``ordered=False`` where a route and its reverse cost the same: the tasks of each route count.
    """

    def key(out: dict[str, Any]) -> dict[int, Any]:
        a = assignment(out)
        return a if ordered else {v: sorted(t) for v, t in a.items()}

    want = expect if ordered else {v: sorted(t) for v, t in expect.items()}
    out = ours(doc, engine=engine)
    assert key(out) == want
    assert unassigned(out) == (left or set())
    ref = theirs(doc, tmp)
    if ref is not None:
        assert key(ref) == want
        assert unassigned(ref) == (left or set())
        assert ref["summary"]["cost"] == out["summary"]["cost"]
        if ordered:  # the same times, VROOM's just-in-time start included
            times = [[(s["arrival"], s["waiting_time"]) for s in r["steps"]] for r in out["routes"]]
            assert times == [[(s["arrival"], s["waiting_time"]) for s in r["steps"]] for r in ref["routes"]]
    return out


# --------------------------------------------------------------------------- VROOM's examples


def _legs_matrix(doc: dict[str, Any], sol: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with a matrix whose legs are those of VROOM's solution (``sol``, from a routing engine).

    Places are numbered in order of appearance (vehicle starts first); legs the solution drives
    take its travel times and distances (both ways), the rest a straight-line estimate.
    """
    doc = copy.deepcopy(doc)
    places: list[tuple[float, float]] = []

    def index(loc: list[float]) -> int:
        key = (round(loc[0], 6), round(loc[1], 6))
        if key not in places:
            places.append(key)
        return places.index(key)

    for v in doc["vehicles"]:
        for k in ("start", "end"):
            if k in v:
                v[f"{k}_index"] = index(v[k])
    tasks = list(doc.get("jobs", [])) + [s[k] for s in doc.get("shipments", []) for k in ("pickup", "delivery")]
    for t in tasks:
        t["location_index"] = index(t["location"])
    n = len(places)
    dur = [[0] * n for _ in range(n)]
    dist = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i != j:
                dx = (places[i][0] - places[j][0]) * 73_000
                dy = (places[i][1] - places[j][1]) * 111_000
                dist[i][j] = int(math.hypot(dx, dy) * 1.3)
                dur[i][j] = int(dist[i][j] / 12.5)
    for r in sol["routes"]:
        steps = [s for s in r["steps"] if s["type"] != "break"]
        for a, b in zip(steps, steps[1:]):
            i, j = index(a["location"]), index(b["location"])
            if i != j:
                dur[i][j] = dur[j][i] = b["duration"] - a["duration"]
                dist[i][j] = dist[j][i] = b["distance"] - a["distance"]
    doc["matrices"] = {"car": {"durations": dur, "distances": dist}}
    return doc


def test_example_2_gives_vroom_solution():
    out = ours(load("example_2"))
    sol = load("example_2_sol")
    assert assignment(out) == assignment(sol)
    assert out["summary"]["cost"] == sol["summary"]["cost"]
    for got, want in zip(out["routes"][0]["steps"], sol["routes"][0]["steps"]):
        assert {k: got[k] for k in ("type", "arrival", "duration", "waiting_time")} == {
            k: want[k] for k in ("type", "arrival", "duration", "waiting_time")
        }
    assert "distance" not in out["summary"] and "delivery" not in out["summary"]  # as VROOM: none given


def test_example_1_with_its_break_gives_vroom_solution(tmp_path):
    """On a matrix of its legs, example_1 (its break included) gives VROOM's documented solution."""
    sol = load("example_1_sol")
    doc = _legs_matrix(load("example_1"), sol)
    out = ours(doc)
    want = [[(s["type"], s.get("id"), s["arrival"], s["waiting_time"]) for s in r["steps"]] for r in sol["routes"]]
    got = [[(s["type"], s.get("id"), s["arrival"], s["waiting_time"]) for s in r["steps"]] for r in out["routes"]]
    assert got == want  # the break (id 2, 300 s) after pickup 4, at VROOM's time
    assert out["summary"]["cost"] == sol["summary"]["cost"]
    expect = {r["vehicle"]: [(s["type"], s["id"]) for s in r["steps"] if "id" in s] for r in sol["routes"]}
    ref = theirs(doc, tmp_path)
    if ref is not None:  # VROOM may drive route 1 the other way round, at the same cost
        assert {v: sorted(t) for v, t in assignment(ref).items()} == {v: sorted(t) for v, t in expect.items()}
        assert ref["summary"]["cost"] == out["summary"]["cost"]


def test_example_1_without_breaks_matches_vroom(tmp_path):
    doc = _legs_matrix(load("example_1"), load("example_1_sol"))
    for v in doc["vehicles"]:
        v.pop("breaks", None)
    # VROOM's own solution (less its break) is the optimum on its legs: every task served
    expect = {
        r["vehicle"]: [(s["type"], s["id"]) for s in r["steps"] if "id" in s and s["type"] != "break"]
        for r in load("example_1_sol")["routes"]
    }
    out = agree(doc, tmp_path, expect, ordered=False)  # each route reversed costs the same
    assert out["summary"]["cost"] == load("example_1_sol")["summary"]["cost"]


def test_example_3_plan_mode_reports_vroom_violations(tmp_path):
    sol = load("example_3_sol")
    doc = _legs_matrix(load("example_3"), sol)
    out = solve_vroom(doc, plan_mode=True)
    assert out["summary"]["cost"] == sol["summary"]["cost"]
    by_cause = {"key": lambda v: v["cause"]}
    assert sorted(out["summary"]["violations"], **by_cause) == sorted(sol["summary"]["violations"], **by_cause)
    for got, want in zip(out["routes"], sol["routes"]):
        assert got["vehicle"] == want["vehicle"]
        assert sorted(got["violations"], **by_cause) == sorted(want["violations"], **by_cause)
        for a, b in zip(got["steps"], want["steps"]):
            keys = ("type", "arrival", "duration", "load", "waiting_time", "violations")
            assert {k: a.get(k) for k in keys} == {k: b.get(k) for k in keys}, a["type"]


# --------------------------------------------------------------------------- one field at a time

#: Places on a line, 10 s and 10 m per unit: index k is at position POS[k].
POS = [0, 1, 2, 3, -2, -3]


def line(vehicles: list[dict], jobs: list[dict] | None = None, shipments: list[dict] | None = None) -> dict:
    n = len(POS)
    m = [[abs(POS[i] - POS[j]) * 10 for j in range(n)] for i in range(n)]
    doc: dict[str, Any] = {"vehicles": vehicles, "matrices": {"car": {"durations": m, "distances": m}}}
    if jobs:
        doc["jobs"] = jobs
    if shipments:
        doc["shipments"] = shipments
    return doc


def van(vid: int = 1, **kw: Any) -> dict:
    return {"id": vid, "start_index": 0, "end_index": 0, **kw}


def job(jid: int, at: int, **kw: Any) -> dict:
    return {"id": jid, "location_index": at, **kw}


def test_skills(tmp_path):
    doc = line([van(1, skills=[1]), van(2, skills=[2])], [job(1, 1, skills=[2]), job(2, 2, skills=[1])])
    agree(doc, tmp_path, {1: [("job", 2)], 2: [("job", 1)]})


def test_priority_outranks_cost(tmp_path):
    doc = line([van(capacity=[1])], [job(1, 1, delivery=[1]), job(2, 3, delivery=[1], priority=10)])
    agree(doc, tmp_path, {1: [("job", 2)]}, {("job", 1)})


def test_a_shipment_is_two_tasks(tmp_path):
    # time for one trip: the shipment (two tasks, dearer) beats the job (one task, cheaper), as in VROOM
    ship = {"amount": [1], "pickup": job(7, 2), "delivery": job(8, 3)}
    doc = line([van(capacity=[1], time_window=[0, 70])], [job(1, 4, delivery=[1])], [ship])
    agree(doc, tmp_path, {1: [("pickup", 7), ("delivery", 8)]}, {("job", 1)})


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_max_tasks(tmp_path, engine):
    doc = line([van(max_tasks=2)], [job(1, 1), job(2, 2), job(3, 3)])
    agree(doc, tmp_path, {1: [("job", 1), ("job", 2)]}, {("job", 3)}, ordered=False, engine=engine)


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_max_travel_time_excludes_service(tmp_path, engine):
    doc = line([van(max_travel_time=40)], [job(1, 2, service=1000), job(2, 3)])
    agree(doc, tmp_path, {1: [("job", 1)]}, {("job", 2)}, engine=engine)


def test_plan_cost_is_vroom_cost():
    doc = line([van(costs={"fixed": 100, "per_hour": 7200, "per_km": 1000})], [job(1, 1, service=500), job(2, 3)])
    out, vin, plan = solve_vroom(doc, time_limit=T, return_plan=True)
    assert out["summary"]["unassigned"] == 0
    assert plan.kpis["cost"] == pytest.approx(out["summary"]["cost"])  # driving time only, no penalty


def test_max_distance(tmp_path):
    doc = line([van(max_distance=40)], [job(1, 2), job(2, 3)])
    agree(doc, tmp_path, {1: [("job", 1)]}, {("job", 2)})


def test_time_windows_order_the_route(tmp_path):
    doc = line([van()], [job(1, 1, time_windows=[[50, 60]]), job(2, 2, time_windows=[[0, 25]])])
    out = agree(doc, tmp_path, {1: [("job", 2), ("job", 1)]})
    steps = out["routes"][0]["steps"]
    # VROOM starts just in time: 5 s late, so that job 2 is reached at its window's end and the wait shrinks
    assert [s["arrival"] for s in steps] == [5, 25, 35, 60] and steps[2]["waiting_time"] == 15


def test_multi_dimensional_capacity(tmp_path):
    doc = line(
        [van(1, capacity=[2, 0]), van(2, capacity=[0, 2])], [job(1, 1, delivery=[1, 0]), job(2, 2, delivery=[0, 1])]
    )
    out = agree(doc, tmp_path, {1: [("job", 1)], 2: [("job", 2)]})
    assert out["summary"]["delivery"] == [1, 1]


def test_setup_counts_on_arrival(tmp_path):
    doc = line([van()], [job(1, 1, setup=100), job(2, 2, time_windows=[[0, 100]])])
    out = agree(doc, tmp_path, {1: [("job", 2), ("job", 1)]})
    assert out["summary"]["setup"] == 100


def test_speed_factor(tmp_path):
    out = agree(line([van(speed_factor=2.0)], [job(1, 2)]), tmp_path, {1: [("job", 1)]})
    assert out["routes"][0]["duration"] == 20 and out["summary"]["cost"] == 20


def test_open_routes_start_and_end_at_their_tasks(tmp_path):
    doc = line([{"id": 1, "start_index": 0}], [job(1, 1, service=5), job(2, 2, service=7)])
    out = agree(doc, tmp_path, {1: [("job", 1), ("job", 2)]})
    end = out["routes"][0]["steps"][-1]
    assert (end["type"], end["location_index"], end["arrival"]) == ("end", 2, 32)
    assert out["summary"]["cost"] == 20
    doc = line([{"id": 1, "end_index": 0}], [job(1, 1, service=5), job(2, 2, service=7)])
    out = agree(doc, tmp_path, {1: [("job", 2), ("job", 1)]})
    start = out["routes"][0]["steps"][0]
    assert (start["type"], start["location_index"], start["arrival"]) == ("start", 2, 0)


def test_vehicle_costs_as_vroom_defines_them(tmp_path):
    doc = line([van(costs={"fixed": 100, "per_hour": 7200, "per_km": 1000})], [job(1, 1, service=500)])
    out = agree(doc, tmp_path, {1: [("job", 1)]})
    assert out["routes"][0]["cost"] == 100 + 2 * 20 + 20  # no cost for the service time


def test_descriptions_and_display_only_locations(tmp_path):
    doc = line(
        [van(description="van 1")],
        [job(1, 1, description="shop", location=[1000.0, 2000.0]), job(2, 2, skills=[9], description="far")],
    )
    out = agree(doc, tmp_path, {1: [("job", 1)]}, {("job", 2)})
    r = out["routes"][0]
    assert r["description"] == "van 1"
    assert r["steps"][1]["description"] == "shop" and r["steps"][1]["location"] == [1000.0, 2000.0]
    assert out["unassigned"] == [{"id": 2, "type": "job", "description": "far", "location_index": 2}]


def test_legacy_amount_and_matrix(tmp_path):
    doc = line([van(capacity=[1])], [job(1, 1, amount=[1]), job(2, 2, amount=[1])])
    doc["matrix"] = doc.pop("matrices")["car"]["durations"]
    out = agree(doc, tmp_path, {1: [("job", 1)]}, {("job", 2)})
    assert out["summary"]["delivery"] == [1]


# --------------------------------------------------------------------------- plan mode, field by field


def test_plan_mode_violations_per_field():
    ship = {"amount": [1], "pickup": job(7, 2), "delivery": job(8, 3)}
    steps = [{"type": "start"}, {"type": "delivery", "id": 8}, {"type": "pickup", "id": 7}]
    steps += [{"type": "job", "id": 1}, {"type": "job", "id": 2}, {"type": "end"}]
    v = van(capacity=[1], skills=[], max_tasks=3, max_travel_time=50, max_distance=50, steps=steps)
    doc = line([v], [job(1, 1, skills=[4], delivery=[1]), job(2, 4, delivery=[1])], [ship])
    out = solve_vroom(doc, plan_mode=True)
    r = out["routes"][0]
    causes = {c["cause"] for c in r["violations"]}
    assert causes == {"load", "skills", "precedence", "max_tasks", "max_travel_time", "max_distance"}
    by_step = {(s["type"], s.get("id")): {c["cause"] for c in s["violations"]} for s in r["steps"]}
    assert by_step[("start", None)] == {"load"}  # two deliveries on board, capacity 1
    assert by_step[("delivery", 8)] >= {"precedence"} and by_step[("pickup", 7)] >= {"precedence"}
    assert "skills" in by_step[("job", 1)]
    bad = line([van(steps=[{"type": "start"}, {"type": "job", "id": 99}])], [job(1, 1)])
    with pytest.raises(ProblemError, match=r"steps\[1\]\.id"):
        solve_vroom(bad, plan_mode=True)


def test_plan_mode_cli_and_steps_outside_plan_mode(tmp_path, capsys):
    doc = line([van(steps=[{"type": "start"}, {"type": "job", "id": 1}, {"type": "end"}])], [job(1, 1), job(2, 2)])
    assert vroom_main([json.dumps(doc), "-c"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert assignment(out) == {1: [("job", 1)]} and unassigned(out) == {("job", 2)}
    assert vroom_main([json.dumps(doc)]) == 2
    assert "vehicles[0].steps" in json.loads(capsys.readouterr().out)["error"]


# --------------------------------------------------------------------------- VROOM's benchmark converters


@pytest.mark.parametrize(
    "convert, path",
    [
        (cvrplib_to_vroom, HERE / "cvrplib" / "E-n22-k4.vrp"),
        (solomon_to_vroom, HERE / "solomon" / "c101.txt"),
        (lilim_to_vroom, HERE / "lilim" / "lc101.txt"),
    ],
)
def test_inputs_of_vroom_converters_are_accepted_and_solved(convert, path):
    doc = convert(path)
    out = ours(doc, time_limit=2.0)
    assert out["code"] == 0 and out["summary"]["unassigned"] == 0
    n = len(doc.get("jobs", [])) + 2 * len(doc.get("shipments", []))
    assert sum(len([s for s in r["steps"] if "id" in s]) for r in out["routes"]) == n
