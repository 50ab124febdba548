"""The validator's break and driving-time checks, by mutation of plans the engine made.

Each corruption (a break removed, shortened, moved out of its window, a rest removed) is applied to
a copy of a valid plan, checked in memory and after a JSON round trip, and must be reported.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from helpers import check, line_matrix

import logistics as L
from logistics.check.validator import validate
from logistics.core.breaks import CN_MAX_DRIVING_H

LUNCH = L.Break(("11:30", "13:00"), 1800, name="lunch")


@pytest.fixture(scope="module")
def solved() -> tuple[L.Problem, L.Plan]:
    pos = {"D": 0.0, **{f"v{k}": 20_000.0 * k for k in range(1, 6)}}
    orders = [L.Order(f"o{k}", {"goods": 10}, node_id=f"v{k}", service=600) for k in range(1, 6)]
    van = L.VehicleType(
        "van",
        1,
        (L.Compartment("ambient", 100),),
        start_depot="D",
        cost_per_km=1.0,
        shift=("07:00", "16:00"),
        breaks=(LUNCH,),
        max_driving_h=CN_MAX_DRIVING_H,
    )
    p = L.Problem(orders, [van], matrix=line_matrix(pos))
    plan = L.solve(p, time_limit=3, engine="ortools", seed=0, iterations=50)
    check(p, plan)
    assert plan.kpis["served"] == 5
    return p, plan


def _copy(plan: L.Plan, stops: pd.DataFrame) -> L.Plan:
    return L.Plan(stops=stops.reset_index(drop=True), unserved=plan.unserved.copy(), kpis={}, routes=plan.routes)


def _lunch(st: pd.DataFrame) -> int:
    rows = st[(st["kind"] == "break") & (st["service"] >= LUNCH.duration)]
    return int(rows.index[0])


def _rest(st: pd.DataFrame) -> int:
    rows = st[(st["kind"] == "break") & (st["service"] < LUNCH.duration)]
    return int(rows.index[0]) if len(rows) else _lunch(st)


def _drop(st: pd.DataFrame, i: int) -> pd.DataFrame:
    """Remove break row ``i`` and take its length off the next stop's arrival, so only the break is missing."""
    d = int(st.at[i, "service"])
    nxt = st.index[st.index.get_loc(i) + 1]
    while st.at[nxt, "kind"] == "break":
        nxt = st.index[st.index.get_loc(nxt) + 1]
    st.loc[nxt, ["arrival", "wait"]] = [st.at[nxt, "arrival"] - d, st.at[nxt, "wait"] + d]
    st = st.drop(index=i)
    st["seq"] = st.groupby("vehicle").cumcount()
    return st


def remove_lunch(st: pd.DataFrame) -> pd.DataFrame:
    return _drop(st, _lunch(st))


def shorten_lunch(st: pd.DataFrame) -> pd.DataFrame:
    i = _lunch(st)
    st.loc[i, ["service", "departure"]] = [st.at[i, "service"] - 600, st.at[i, "departure"] - 600]
    return st


def lunch_out_of_window(st: pd.DataFrame) -> pd.DataFrame:
    i = _lunch(st)
    st.loc[i, ["arrival", "start", "departure"]] = st.loc[i, ["arrival", "start", "departure"]] + 4 * 3600
    return st


def remove_every_break(st: pd.DataFrame) -> pd.DataFrame:
    for i in [int(i) for i in st.index[st["kind"] == "break"]]:
        st = _drop(st, i)
    return st


@pytest.mark.parametrize(
    "mutate, kind",
    [
        (remove_lunch, "break"),
        (shorten_lunch, "break"),
        (lunch_out_of_window, "break"),
        (remove_every_break, "driving_time"),
    ],
)
def test_each_broken_break_rule_is_reported(solved, tmp_path, mutate: Callable, kind: str):
    p, plan = solved
    bad = _copy(plan, mutate(plan.stops.copy()))
    kinds = {v.kind for v in validate(p, bad)}
    assert kind in kinds, kinds
    path = tmp_path / "plan.json"
    bad.to_json(path)
    assert kind in {v.kind for v in validate(p, L.Plan.from_json(path))}


def test_the_unmutated_plan_survives_a_json_round_trip(solved, tmp_path):
    p, plan = solved
    plan.to_json(tmp_path / "plan.json")
    assert validate(p, L.Plan.from_json(tmp_path / "plan.json")) == []
