"""Random re-planning: random Yanhu-like days and events, every re-planned day checked by the validator.

The default suite runs a few cases (searches bounded by iterations, so a seed gives the same case on
any machine); ``-m slow`` runs many more.  A failure names its seed: ``random_case(seed, MORNING)``
rebuilds the case.
"""

from __future__ import annotations

import pytest
from helpers import assert_accounted, check, line_matrix
from replan_fuzz import random_case

import logistics as L
from logistics.core.breaks import Break
from logistics.core.events import RETURNED_GOODS, Delay
from logistics.planners.replan import CHANGE_COLUMNS, replan

MORNING = L.SolveOptions(time_limit=5.0, seed=0, workers=1, iterations=10)
REST = L.SolveOptions(time_limit=1.5, seed=0, workers=1, iterations=10)


def overrun_by_delay(r, case) -> set[str]:
    """Vehicles a delay holds so long that they cannot be home by their limits (``end_by``)."""
    m, types = r.problem.matrix, dict(r.problem.vehicles())
    delayed = {e.vehicle for e in case.events if isinstance(e, Delay)}
    out = set()
    for vid, node, t, end_by in zip(
        r.vehicles["vehicle"], r.vehicles["node_id"], r.vehicles["time"], r.vehicles["end_by"]
    ):
        vt = types[vid]
        back = m.duration[m.index(node), m.index(vt.end_depot or vt.start_depot)] * vt.speed_factor
        if vid in delayed and t + back > end_by:
            out.add(vid)
    return out


def run(seed: int) -> None:
    """Re-plan the random case of ``seed``; the whole day validates against the day after the events."""
    case = random_case(seed, MORNING)
    check(case.problem, case.plan)
    r = replan(case.problem, case.plan, case.at, case.events, REST)
    # a delay may hold a vehicle past its shift, route duration or the shelf life of produce on board:
    # the event itself breaks those limits (docs/replan.md, "Limits"), and only those, on that vehicle
    held = overrun_by_delay(r, case)
    overrun = {"max_duration", "shift", "shelf_life", "driving_time"}
    left = [x for x in L.validate(r.problem, r.plan) if not (x.vehicle in held and x.kind in overrun)]
    assert left == [], (str(case), [str(x) for x in left])
    assert_accounted(r.problem, r.plan)
    assert list(r.changes.columns) == CHANGE_COLUMNS
    # the stops made before the re-planning time are kept as they were
    s0, s1 = case.plan.stops, r.plan.stops
    cols = ["vehicle", "order_id", "arrival", "start", "departure"]
    made = s0[s0["kind"].isin(["delivery", "pickup"]) & (s0["arrival"] < case.at)][cols]
    kept = made.merge(s1[cols], how="left", on="order_id", suffixes=("", "_after"))
    for c in cols[:1] + cols[2:]:
        assert (kept[c] == kept[f"{c}_after"]).all(), (str(case), c)
    # a pair given up rides back: its pickup was made, its delivery is unserved with its reason
    un = dict(zip(map(str, r.plan.unserved["order_id"]), map(str, r.plan.unserved["reason"])))
    before = s0.set_index("order_id")
    after = s1.set_index("order_id")
    for pid in (r.problem.meta or {}).get(RETURNED_GOODS, ()):  # made as planned (before, or driving to it)
        assert after.loc[pid, "vehicle"] == before.loc[pid, "vehicle"], str(case)
        assert after.loc[pid, "start"] == before.loc[pid, "start"] <= case.at + 24 * 3600, str(case)
        mate = case.problem.partner(pid)
        assert mate is not None and (mate in un or mate not in r.problem.order_index), str(case)


@pytest.mark.parametrize("seed", range(18))
def test_random_replanning_validates(seed):
    run(seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(18, 218))
def test_random_replanning_validates_many(seed):
    run(seed)


def lunch_day() -> L.Problem:
    """One van with a lunch break (11:00-13:30, 30 min) and deliveries in the morning and the afternoon."""
    pos = {"D": 0.0, **{f"v{k}": 5_000.0 * k for k in range(1, 7)}}
    van = L.VehicleType(
        "van",
        1,
        (L.Compartment("ambient", 500),),
        start_depot="D",
        cost_per_km=1.0,
        shift=("07:00", "20:00"),
        breaks=(Break(("11:00", "13:30"), 1800, "lunch"),),
    )
    goods = L.Product("parcels", "ambient")
    orders = [
        L.Order(f"d{k}", {"parcels": 20}, node_id=f"v{k}", service=1800, time_windows=[win])
        for k, win in zip(range(1, 7), [("08:00", "10:00")] * 2 + [("10:30", "11:30")] + [("14:00", "19:00")] * 3)
    ]
    return L.Problem(orders, [van], products=[goods], matrix=line_matrix(pos))


def test_a_vehicle_held_over_its_lunch_window_takes_the_break_while_held():
    problem = lunch_day()
    plan = L.solve(problem, MORNING)
    check(problem, plan)
    s = plan.stops
    stop = s[(s["kind"] == "delivery") & (s["start"] <= 39_600)].iloc[-1]  # the last stop begun by 11:00
    at = int(stop["departure"]) - 60
    r = replan(problem, plan, at, [Delay("van#1", 200)], REST)
    check(r.problem, r.plan)  # the lunch is not owed after a hold that covered its window
    b = r.plan.stops[r.plan.stops["kind"] == "break"]
    assert ((b["start"] >= at) & (b["start"] <= 13.5 * 3600) & (b["service"] >= 1800)).any()
