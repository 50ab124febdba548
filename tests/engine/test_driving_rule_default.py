"""China's continuous-driving rule as the default: where it is on, where it is off, and what keeps it cheap."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import check, grid_matrix, line_matrix, van

import logistics as L
from logistics.core.breaks import CN_MAX_DRIVING_H, CN_MIN_REST_MIN, needs_breaks, rests_needed
from logistics.engine.solvers import arrays
from logistics.engine.solvers.duty import duty_plan, without_rests
from logistics.engine.walk import simulate
from logistics.formats.vroom import read_vroom

H = 3600


def test_every_vehicle_type_keeps_the_rule_unless_it_is_turned_off():
    vt = L.VehicleType("van", 1, (L.Compartment("ambient", 10),), start_depot="D")
    assert (vt.max_driving_h, vt.min_rest_min) == (CN_MAX_DRIVING_H, CN_MIN_REST_MIN) == (4.0, 20.0)
    assert dataclasses.replace(vt, max_driving_h=None).max_driving_h is None
    with pytest.raises(L.ProblemError) as e:  # 0 is not "off": it is refused, naming the field
        dataclasses.replace(vt, max_driving_h=0)
    assert e.value.field == "max_driving_h"


def test_vroom_input_is_read_without_the_rule():
    doc = {
        "vehicles": [{"id": 1, "start_index": 0, "end_index": 0}],
        "jobs": [{"id": 1, "location_index": 1}],
        "matrices": {"car": {"durations": [[0, 5 * H], [5 * H, 0]]}},
    }
    problem = read_vroom(doc).problem
    assert [vt.max_driving_h for vt in problem.fleet] == [None]


def test_each_rest_ends_one_stretch():
    assert rests_needed(None, 20 * H) == 0
    assert rests_needed(4.0, 4 * H) == 0
    assert rests_needed(4.0, 8 * H) == 1  # 4 h, a rest, 4 h
    assert rests_needed(4.0, 8 * H + 1) == 2
    assert rests_needed(4.0, 10 * H) == 2


def test_needs_breaks_reads_the_limit_and_breaks_taken_off_duty():
    lunch = L.Break(("11:30", "13:00"), 1800)
    assert not needs_breaks((), 4.0, 8 * H, 12 * H)
    assert needs_breaks((), 4.0, 8 * H, 12 * H + 1)
    assert not needs_breaks((), None, 0, 20 * H)
    assert needs_breaks((lunch,), None, 8 * H, 14 * H)  # on the road throughout the window
    assert not needs_breaks((lunch,), None, 8 * H, 13 * H)  # back when the window closes: after the return


def windowed_day(window: tuple[int, int]) -> L.Problem:
    tm = grid_matrix(12, seed=1)
    orders = [L.Order(f"o{i}", {"goods": 1}, node_id=f"c{i}", service=300, time_windows=(window,)) for i in range(12)]
    return L.Problem(orders, [van(2, shift=(6 * H, 20 * H))], matrix=tm)


def test_windows_bound_the_route_so_a_long_shift_needs_no_rest():
    # a 14-hour shift, but every order within 09:00-11:00 in a 10 km square: no route nears 4 h
    short = duty_plan(arrays.build(windowed_day((9 * H, 11 * H))))[0]
    assert short.rests == 0 and short.cap == 4 * H  # the limit as a plain cap: exact
    wide = duty_plan(arrays.build(windowed_day((6 * H, 20 * H))))[0]
    assert wide.rests >= 1  # the whole shift may be on duty
    relaxed = without_rests(L.VehicleType("van", 1, (L.Compartment("ambient", 1),), start_depot="D"), wide)
    assert relaxed.rests == 0 and relaxed.cap == wide.span - wide.rests * 1200  # shortened by its rests


def long_day(n: int = 60) -> L.Problem:
    """One van with a 24-hour shift and ``n`` scattered parcels: about 13 h on duty."""
    tm = grid_matrix(n, seed=7, size=30_000.0)
    orders = [L.Order(f"o{i}", {"goods": 1}, node_id=f"c{i}", service=60) for i in range(n)]
    return L.Problem(orders, [van(1, cap=200)], matrix=tm, name="long-day")


def test_ortools_alone_starts_from_a_first_solution_without_rests_and_places_them():
    p = long_day()
    plan = L.solve(p, time_limit=10, engine="ortools", seed=0, iterations=30)
    check(p, plan)  # the validator's driving_time check included
    assert plan.meta["seed_from"] == "rest_free"
    assert plan.kpis["served"] == len(p.orders)
    assert (plan.stops["kind"] == "break").any()
    off = L.solve(
        p.replace(fleet=[dataclasses.replace(p.fleet[0], max_driving_h=None)]),
        time_limit=10,
        seed=0,
        engine="ortools",
        iterations=30,
    )
    assert "seed_from" not in off.meta and (off.stops["kind"] == "break").sum() == 0


def test_the_route_simulation_takes_rests_and_runs_out_of_them():
    pos = {"D": 0.0, **{f"v{k}": 30_000.0 * k for k in range(1, 4)}}  # 10 m/s: 50 min between villages
    orders = [L.Order(f"o{k}", {"goods": 1}, node_id=f"v{k}", service=1800) for k in range(1, 4)]
    vt = L.VehicleType("van", 1, (L.Compartment("ambient", 10),), start_depot="D", shift=(0, 12 * H))
    p = L.Problem(orders, [vt], matrix=line_matrix(pos))
    data = arrays.build(p)
    assert duty_plan(data)[0].rests >= 1
    bad, span = simulate(data, 0, [0, 1, 2])  # out and back: 5 h driving and 1.5 h of service
    assert bad is None and span > 4 * H
    tight = arrays.build(p.replace(fleet=[dataclasses.replace(vt, max_driving_h=1.0)]))
    # a drive of 50 min and a service of 30 min do not fit in a stretch of 1 h, whatever the rests
    assert simulate(tight, 0, [0, 1, 2]) == ("drivers' rests", 0)
