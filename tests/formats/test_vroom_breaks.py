"""VROOM input ``breaks`` become the vehicle's breaks; the output names each break step by its VROOM id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import logistics
from logistics import ProblemError
from logistics.app.vroom import solve_vroom
from logistics.formats.vroom import read_vroom

DATA = Path(__file__).parent.parent / "data" / "jobs"


def doc_with_break(**brk) -> dict:
    doc = json.loads((DATA / "vroom_matrix.json").read_text())
    doc["vehicles"][0]["breaks"] = [{"id": 7, "time_windows": [[34000, 34200]], "service": 900, **brk}]
    doc["vehicles"][0]["time_window"] = [28800, 34000]  # ends when the break may start: only after the route
    return doc


def test_a_break_is_read_and_placed_or_left_off_duty():
    vin = read_vroom(doc_with_break())
    vt = vin.problem.fleet[0]
    assert [(b.window, b.duration) for b in vt.breaks] == [((34000 - vin.offset, 34200 - vin.offset), 900)]
    assert vt.max_driving_h is None  # VROOM has no driving rule
    out, vin, plan = solve_vroom(doc_with_break(), time_limit=1.0, engine="ortools", return_plan=True)
    assert logistics.validate(vin.problem, plan) == []
    assert (plan.stops["kind"] == "break").sum() == 0  # the shift ends before the window: off duty


def test_a_break_inside_the_shift_is_a_step_with_its_id():
    doc = doc_with_break()
    doc["vehicles"][0]["time_window"] = [31000, 36000]  # its ~4000 s route spans the break's window
    doc["vehicles"][0]["breaks"][0]["time_windows"] = [[33000, 33100]]
    out, vin, plan = solve_vroom(doc, time_limit=1.0, engine="ortools", return_plan=True)
    assert logistics.validate(vin.problem, plan) == []
    steps = [s for r in out["routes"] for s in r["steps"] if s["type"] == "break"]
    rows = plan.stops[plan.stops["kind"] == "break"]
    assert len(steps) == len(rows) >= 1 and all(s["id"] == 7 and s["service"] == 900 for s in steps)


def test_several_windows_per_break_are_refused_with_the_field():
    doc = doc_with_break(time_windows=[[30000, 31000], [40000, 41000]])
    with pytest.raises(ProblemError) as ei:
        read_vroom(doc)
    assert "breaks[0].time_windows" in str(ei.value.field)
