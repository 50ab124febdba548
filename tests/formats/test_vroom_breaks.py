"""VROOM vehicle ``breaks``: mapped onto the core model's breaks, timed as VROOM times them.

Each input has one answer (windows fix the order); where pyvroom (VROOM itself) is installed
its answer must be the same assignment, cost and times, break steps included.  Every plan goes
through the validator, whose break check reads the plan's break stops.
"""

from __future__ import annotations

import copy
import datetime
import json
import random
from pathlib import Path
from typing import Any

import pytest

import logistics
from logistics.app.vroom import main as vroom_main
from logistics.app.vroom import solve_vroom

try:
    import vroom as pyvroom
except ImportError:  # pyvroom is in the [test] extra; without it the derived expectations still hold
    pyvroom = None

T = 1.0


def ours(doc: dict[str, Any]) -> dict[str, Any]:
    out, vin, plan = solve_vroom(doc, time_limit=T, return_plan=True)
    assert logistics.validate(vin.problem, plan) == []
    return out


def theirs(doc: dict[str, Any], tmp: Path) -> dict[str, Any] | None:
    if pyvroom is None:
        return None
    f = tmp / "in.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    sol = pyvroom.Input.from_json(f).solve(exploration_level=5, nb_threads=1, timeout=datetime.timedelta(seconds=5))
    return sol.to_dict()


def steps(out: dict[str, Any]) -> list[list[tuple]]:
    """Per route: (type, id, arrival, waiting_time, duration, service) of every step."""
    return [
        [(s["type"], s.get("id"), s["arrival"], s["waiting_time"], s["duration"], s["service"]) for s in r["steps"]]
        for r in out["routes"]
    ]


def same_as_vroom(doc: dict[str, Any], tmp: Path, expect: list[tuple]) -> dict[str, Any]:
    """Our route is ``expect`` ((type, id, arrival) per step) and VROOM's the same, step for step."""
    out = ours(doc)
    assert [(t, i, a) for t, i, a, *_ in steps(out)[0]] == expect
    ref = theirs(doc, tmp)
    if ref is not None:
        assert steps(ref) == steps(out)
        assert ref["summary"]["cost"] == out["summary"]["cost"]
        assert {u["id"] for u in ref["unassigned"]} == {u["id"] for u in out["unassigned"]}
    return out


def line(breaks: list[dict], jobs: list[dict], pts: list[int], tw: list[int]) -> dict[str, Any]:
    """One vehicle at place 0 of a line of places ``pts`` (seconds apart), with ``breaks``."""
    dur = [[abs(a - b) for b in pts] for a in pts]
    vehicle = {"id": 1, "start_index": 0, "end_index": 0, "time_window": tw, "breaks": breaks}
    return {"vehicles": [vehicle], "jobs": jobs, "matrices": {"car": {"durations": dur}}}


LUNCH = {"id": 7, "time_windows": [[43200, 45000]], "service": 1800, "description": "lunch"}


def test_lunch_between_two_jobs(tmp_path):
    """Five jobs two hours apart by their windows; the fifth no longer fits after lunch."""
    pts = [0, 600, 1200, 1800, 2400, 3000]
    jobs = [
        {"id": 10 + k, "location_index": k, "service": 1200, "time_windows": [[21600 + k * 7200, 23400 + k * 7200]]}
        for k in range(1, 6)
    ]
    out = same_as_vroom(
        line([LUNCH], jobs, pts, [28800, 61200]),
        tmp_path,
        [
            ("start", None, 30000),
            ("job", 11, 30600),
            ("job", 12, 32400),
            ("job", 13, 37800),
            ("break", 7, 44400),  # after job 13 (done 44400), before driving to job 14
            ("job", 14, 46800),
            ("end", None, 54000),
        ],
    )
    brk = next(s for s in out["routes"][0]["steps"] if s["type"] == "break")
    assert brk["service"] == 1800 and brk["description"] == "lunch" and brk["waiting_time"] == 0
    assert out["summary"]["service"] == 4 * 1200 + 1800  # as VROOM: a break's service counts
    assert [u["id"] for u in out["unassigned"]] == [15]


def test_break_taken_during_a_drive(tmp_path):
    """The window opens 1200 s into a one-hour drive: the rest of the drive follows the break."""
    pts = [0, 3600, 7200, 10800, 14400]
    jobs = [
        {"id": k, "location_index": k, "service": 300, "time_windows": [[k * 3900 - 300, k * 3900 + 4700]]}
        for k in range(1, 5)
    ]
    brk = {"id": 3, "time_windows": [[9000, 9500]], "service": 900}
    out = same_as_vroom(
        line([brk], jobs, pts, [0, 86400]),
        tmp_path,
        [
            ("start", None, 0),
            ("job", 1, 3600),
            ("job", 2, 7500),
            ("break", 3, 9000),
            ("job", 3, 12300),
            ("job", 4, 16200),
            ("end", None, 30900),
        ],
    )
    durations = [s["duration"] for s in out["routes"][0]["steps"]]
    assert durations[3] == 7200 + 1200  # VROOM's cumulated travel at the break: part of the leg


def test_route_over_before_the_window_waits_for_the_break(tmp_path):
    """VROOM takes every break on the route: one that ends before the window waits for it."""
    jobs = [{"id": 1, "location_index": 1, "service": 600, "time_windows": [[28800, 30000]]}]
    same_as_vroom(
        line([LUNCH], jobs, [0, 600], [28800, 61200]),
        tmp_path,
        [("start", None, 29400), ("job", 1, 30000), ("break", 7, 31200), ("end", None, 45000)],
    )


def test_route_after_the_window_takes_the_break_at_its_start(tmp_path):
    jobs = [{"id": 1, "location_index": 1, "service": 600, "time_windows": [[50000, 52000]]}]
    brk = {"id": 7, "time_windows": [[29000, 29500]], "service": 1800}
    same_as_vroom(
        line([brk], jobs, [0, 600], [28800, 61200]),
        tmp_path,
        [("start", None, 29500), ("break", 7, 29500), ("job", 1, 31900), ("end", None, 51200)],
    )


def test_unused_vehicle_takes_no_break():
    out = ours(line([LUNCH], [], [0, 600], [28800, 61200]))
    assert out["routes"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_load": [5]}, "vehicles[0].breaks[0].max_load"),
        ({"time_windows": [[43200, 44000], [50000, 51000]]}, "vehicles[0].breaks[0].time_windows"),
        ({"time_windows": None}, "vehicles[0].breaks[0].time_windows"),
        ({"service": 0}, "vehicles[0].breaks[0].service"),
        ({"service": -5}, "vehicles[0].breaks[0].service"),
        ({"id": None}, "vehicles[0].breaks[0].id"),
        ({"time_windows": [[20000, 30000]]}, "vehicles[0].breaks[0].time_windows[0]"),  # before working hours
        ({"time_windows": [[60000, 61000]]}, "vehicles[0].breaks[0].time_windows[0]"),  # no room at the end
        ({"location_index": 1}, "vehicles[0].breaks[0].location_index"),
    ],
)
def test_breaks_vroom_semantics_we_cannot_keep_are_refused(tmp_path, capsys, change, field):
    brk = {k: v for k, v in {**LUNCH, **change}.items() if v is not None}
    doc = line([brk], [{"id": 1, "location_index": 1}], [0, 600], [28800, 61200])
    f = tmp_path / "in.json"
    f.write_text(json.dumps(doc))
    assert vroom_main(["-i", str(f)]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["code"] == 2 and f"{field}:" in out["error"]


def test_duplicate_break_id_is_refused(tmp_path, capsys):
    other = {**LUNCH, "time_windows": [[50000, 51000]]}
    doc = line([LUNCH, other], [{"id": 1, "location_index": 1}], [0, 600], [28800, 61200])
    f = tmp_path / "in.json"
    f.write_text(json.dumps(doc))
    assert vroom_main(["-i", str(f)]) == 2
    assert "vehicles[0].breaks[1].id" in json.loads(capsys.readouterr().out)["error"]


def test_breaks_in_plan_mode_are_refused(tmp_path, capsys):
    doc = line([LUNCH], [{"id": 1, "location_index": 1}], [0, 600], [28800, 61200])
    doc["vehicles"][0]["steps"] = [{"type": "start"}, {"type": "job", "id": 1}, {"type": "end"}]
    f = tmp_path / "in.json"
    f.write_text(json.dumps(doc))
    assert vroom_main(["-c", "-i", str(f)]) == 2
    assert "vehicles[0].breaks" in json.loads(capsys.readouterr().out)["error"]


def test_two_breaks_each_in_its_window(tmp_path):
    """Two breaks, each matched to its own window (VROOM ids kept apart)."""
    pts = [0, 600, 1200, 1800]
    jobs = [
        {"id": k, "location_index": k, "service": 600, "time_windows": [[k * 9000, k * 9000 + 600]]} for k in (1, 2, 3)
    ]
    breaks = [
        {"id": 1, "time_windows": [[12000, 13000]], "service": 900},
        {"id": 2, "time_windows": [[20000, 21000]], "service": 600},
    ]
    doc = line(breaks, jobs, pts, [0, 40000])
    out = ours(copy.deepcopy(doc))
    got = [(s["type"], s.get("id")) for s in out["routes"][0]["steps"]]
    assert got == [("start", None), ("job", 1), ("break", 1), ("job", 2), ("break", 2), ("job", 3), ("end", None)]
    for s in out["routes"][0]["steps"]:
        if s["type"] == "break":
            (a, z) = next(b["time_windows"][0] for b in breaks if b["id"] == s["id"])
            assert a <= s["arrival"] + s["waiting_time"] <= z
    ref = theirs(doc, tmp_path)
    if ref is not None:
        assert steps(ref) == steps(out)


def random_day(seed: int) -> dict[str, Any]:
    """One vehicle, six jobs on a line (some with windows) and a lunch break, drawn from ``seed``."""
    rng = random.Random(seed)
    xs = [rng.randint(0, 4000) for _ in range(7)]
    dur = [[abs(a - b) + (0 if a == b else 60) for b in xs] for a in xs]
    tw = [28800, 28800 + rng.randint(6, 10) * 3600]
    a = rng.randint(39600, 45000)
    brk = {"id": 1, "time_windows": [[a, a + rng.choice([0, 600, 1800, 3600])]], "service": rng.choice([900, 1800])}
    jobs = []
    for k in range(1, 7):
        j: dict[str, Any] = {"id": k, "location_index": k, "service": rng.choice([300, 900, 1800])}
        if rng.random() < 0.6:
            s = rng.randint(28800, tw[1] - 3600)
            j["time_windows"] = [[s, s + rng.choice([1800, 3600, 7200])]]
        jobs.append(j)
    vehicle = {"id": 1, "start_index": 0, "end_index": 0, "time_window": tw, "breaks": [brk]}
    return {"vehicles": [vehicle], "jobs": jobs, "matrices": {"car": {"durations": dur}}}


@pytest.mark.skipif(pyvroom is None, reason="needs pyvroom (VROOM itself)")
@pytest.mark.parametrize(
    ("seed", "lunch"), [(0, True), (8, True), (18, True), (20, True), (22, True), (0, False), (5, False), (8, False)]
)
def test_random_days_are_vroom_feasible_and_timed_as_vroom(tmp_path, seed, lunch):
    """VROOM's own check (-c) of our route finds no violation, break included; where VROOM's search
    finds the same route, every step's times are the same (VROOM's start: the latest one that
    keeps the route's earliest end, with or without a break)."""
    doc = random_day(seed)
    if not lunch:
        doc["vehicles"][0].pop("breaks")
    out = ours(doc)
    ref = theirs(doc, tmp_path)
    assert ref is not None
    assert len(out["unassigned"]) <= len(ref["unassigned"])
    if not out["routes"]:
        return
    ours_steps = out["routes"][0]["steps"]
    assert sum(s["type"] == "break" for s in ours_steps) == int(lunch)
    check = copy.deepcopy(doc)
    check["vehicles"][0]["steps"] = [{"type": s["type"], **({"id": s["id"]} if "id" in s else {})} for s in ours_steps]
    f = tmp_path / "check.json"
    f.write_text(json.dumps(check), encoding="utf-8")
    checked = pyvroom.Input.from_json(f).check(nb_threads=1).to_dict()
    assert checked["summary"]["violations"] == []
    if [(s["type"], s.get("id")) for s in ref["routes"][0]["steps"]] == [(s["type"], s.get("id")) for s in ours_steps]:
        assert steps(ref) == steps(out)


def test_a_break_step_in_plan_mode_is_refused_naming_the_step(tmp_path, capsys):
    doc = line([], [{"id": 1, "location_index": 1}], [0, 600], [28800, 61200])
    doc["vehicles"][0].pop("breaks")
    doc["vehicles"][0]["steps"] = [{"type": "start"}, {"type": "break", "id": 7}, {"type": "job", "id": 1}]
    f = tmp_path / "in.json"
    f.write_text(json.dumps(doc))
    assert vroom_main(["-c", "-i", str(f)]) == 2
    assert "vehicles[0].steps[1].type" in json.loads(capsys.readouterr().out)["error"]
