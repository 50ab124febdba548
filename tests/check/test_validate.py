"""logistics.validate: a valid hand-made plan passes; each kind of violation is caught."""

from __future__ import annotations

import ast
import math
from dataclasses import replace as dc_replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logistics
from logistics import Compartment, Order, Problem, Product, VehicleType, Zone
from logistics.check.validator import KINDS, Violation, assert_valid, validate
from logistics.core.plan import Plan, empty_routes
from networks import TravelMatrix

DATA = Path(__file__).parent.parent / "data"
H = 3600


# --------------------------------------------------------------------------- plan helper


def make_plan(
    problem: Problem,
    routes: dict[str, list[str]],
    unserved: dict[str, str] | None = None,
    *,
    leave: dict[str, int] | None = None,
    starts: dict[str, int] | None = None,
) -> Plan:
    """A Plan whose stops follow the contract, from order sequences per vehicle id.

    Each vehicle leaves at ``leave[vehicle]`` (default: its shift start) and starts
    service as early as its windows allow, unless ``starts[order_id]`` fixes it.
    """
    leave = leave or {}
    starts = starts or {}
    types = dict(problem.vehicles())
    orders = problem.order_index
    m = problem.matrix
    comp_names = list(dict.fromkeys(c.name for vt in problem.fleet for c in vt.compartments))
    max_late = int(round(problem.costs.max_lateness_h * H))
    rows = []
    for vid, seq in routes.items():
        vt = types[vid]
        K = len(vt.compartments)
        loads = [0.0] * K
        for oid in seq:
            o = orders[oid]
            if o.kind == "delivery" and o.pair is None:
                q = problem.compartment_loads(o, vt) or [0.0] * K
                loads = [a + b for a, b in zip(loads, q)]

        def row(kind, oid, node, arr, st, svc, dist, dur, late=0, early=0):
            r = {
                "vehicle": vid,
                "vehicle_type": vt.name,
                "seq": len([x for x in rows if x["vehicle"] == vid]),
                "kind": kind,
                "order_id": oid,
                "node_id": node,
                "lon": 0.0,
                "lat": 0.0,
                "arrival": arr,
                "start": st,
                "departure": st + svc,
                "wait": st - arr,
                "service": svc,
                "travel_distance": dist,
                "travel_duration": dur,
                "load": sum(loads),
                "late": late,
                "early": early,
            }
            for name in comp_names:
                k = next((i for i, c in enumerate(vt.compartments) if c.name == name), None)
                r[f"load_{name}"] = loads[k] if k is not None else math.nan
            rows.append(r)

        t = leave.get(vid, vt.shift[0])
        row("start", None, vt.start_depot, t, t, 0, 0, 0)
        prev = vt.start_depot
        for oid in seq:
            o = orders[oid]
            i, j = m.index(prev), m.index(o.location)
            dist = int(m.distance[i, j])
            dur = int(round(float(m.duration[i, j]) * vt.speed_factor))
            arr = t + dur
            if oid in starts:
                st = starts[oid]
            else:
                st = arr
                for a, b in o.time_windows:
                    if arr <= b + (max_late if o.soft else 0):
                        st = max(arr, a)
                        break
            late = early = 0
            if o.soft:
                opened = [w for w in o.time_windows if w[0] <= st]
                late = max(0, st - opened[-1][1]) if opened else 0
                early = max(0, opened[-1][0] - arr) if opened else 0
            q = problem.compartment_loads(o, vt) or [0.0] * K
            sign = 1 if o.kind == "pickup" else -1
            loads = [x + sign * y for x, y in zip(loads, q)]
            row(o.kind, oid, o.location, arr, st, o.service, dist, dur, late, early)
            t = st + o.service
            prev = o.location
        i, j = m.index(prev), m.index(vt.end_depot)
        dur = int(round(float(m.duration[i, j]) * vt.speed_factor))
        row("end", None, vt.end_depot, t + dur, t + dur, 0, int(m.distance[i, j]), dur)
    cols = [
        "vehicle",
        "vehicle_type",
        "seq",
        "kind",
        "order_id",
        "node_id",
        "lon",
        "lat",
        "arrival",
        "start",
        "departure",
        "wait",
        "service",
        "travel_distance",
        "travel_duration",
        "load",
        "late",
        "early",
    ] + [f"load_{n}" for n in comp_names]
    stops = pd.DataFrame(rows, columns=cols)
    un = pd.DataFrame(
        [{"order_id": k, "reason": v} for k, v in (unserved or {}).items()], columns=["order_id", "reason"]
    )
    return Plan(stops=stops, unserved=un, kpis={}, routes=empty_routes(), meta={})


# --------------------------------------------------------------------------- a small world

# Nodes on a line, km from the depot D; 1 km = 1000 m = 100 s (36 km/h).
POS = {"D": 0, "A": 5, "B": 8, "C": 10, "E": 12, "F": 15, "D2": 20}
ICE = Product("ice", zone=Zone.FROZEN, shelf_life_h=1.0)
GOODS = logistics.GOODS


def world(**changes) -> Problem:
    ids = tuple(POS)
    x = np.array([POS[i] for i in ids], dtype=float)
    dist = np.abs(x[:, None] - x[None, :]) * 1000
    tm = TravelMatrix(ids, dist, dist / 10)
    van = VehicleType(
        "van",
        count=2,
        compartments=(Compartment(Zone.AMBIENT, 10), Compartment(Zone.FROZEN, 5)),
        start_depot="D",
        total_capacity=12,
        shift=(8 * H, 18 * H),
        speed_factor=1.5,
        max_driving_h=None,  # hand-made routes about windows and loads; the driving rule: test_break_mutations.py
    )
    truck = VehicleType(
        "truck",
        count=1,
        compartments=(Compartment(Zone.AMBIENT, 20),),
        start_depot="D",
        end_depot="D2",
        shift=(6 * H, 20 * H),
        max_duration=4 * H,
        max_distance=28_000,
    )
    orders = [
        Order("a", {"goods": 4}, node_id="A", time_windows=((9 * H, 12 * H),), service=600),
        Order("b", {"ice": 3}, node_id="B", time_windows=((8 * H, 17 * H),), service=300),
        Order("s", {"goods": 1}, node_id="B", time_windows=((9 * H, 9 * H + 1800),), soft=True),
        Order("p", {"goods": 2}, node_id="C", kind="pickup", pair="q", service=300),
        Order("q", {"goods": 2}, node_id="E", kind="delivery", pair="p", service=300),
        Order("u", {"goods": 5}, node_id="F", kind="pickup", service=120, shelf_life_h=1.0),
        Order("o", {"goods": 8}, node_id="E", required=False, penalty=10.0),
    ]
    kw = dict(orders=orders, fleet=(van, truck), products={"goods": GOODS, "ice": ICE}, matrix=tm, name="tiny")
    kw.update(changes)
    return Problem(**kw)


VALID_ROUTES = {"van#1": ["b", "a", "s"], "truck#1": ["p", "q", "u"]}
VALID_UNSERVED = {"o": "optional and not worth the detour"}


@pytest.fixture
def problem() -> Problem:
    return world()


@pytest.fixture
def plan(problem) -> Plan:
    return make_plan(problem, VALID_ROUTES, VALID_UNSERVED)


def kinds(vs: list[Violation]) -> set[str]:
    return {v.kind for v in vs}


def edit(plan: Plan, _vehicle: str, _seq: int, **values) -> Plan:
    """A copy of ``plan`` with the row (vehicle, seq) changed (values or functions of the old value)."""
    s = plan.stops.copy()
    mask = (s["vehicle"] == _vehicle) & (s["seq"] == _seq)
    assert mask.sum() == 1
    for k, v in values.items():
        if callable(v):
            s.loc[mask, k] = v(s.loc[mask, k].iloc[0])
        else:
            s.loc[mask, k] = v
    return Plan(stops=s, unserved=plan.unserved.copy(), kpis={}, routes=plan.routes, meta={})


def with_unserved(plan: Plan, rows: list[dict]) -> Plan:
    return Plan(
        stops=plan.stops,
        unserved=pd.DataFrame(rows, columns=["order_id", "reason"]),
        kpis={},
        routes=plan.routes,
        meta={},
    )


# --------------------------------------------------------------------------- valid plans


def test_valid_plan_passes(problem, plan):
    assert validate(problem, plan) == []
    assert_valid(problem, plan)
    assert logistics.validate(problem, plan) == []
    assert logistics.validate.assert_valid is assert_valid  # module names reachable from the function


def test_valid_plan_survives_json_round_trip(problem, plan):
    back = Plan.from_json(plan.to_json())
    assert validate(problem, back) == []


def test_soft_window_late_within_limit_is_valid(problem):
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, starts={"s": 9 * H + 1800 + 3600})
    assert p.stops.loc[p.stops["order_id"] == "s", "late"].item() == 3600
    assert validate(problem, p) == []


def test_unused_vehicle_rows_and_empty_plan(problem):
    p = make_plan(problem, {**VALID_ROUTES, "van#2": []}, VALID_UNSERVED)
    assert validate(problem, p) == []
    everything_unserved = make_plan(problem, {}, {o.id: "no vehicle" for o in problem.orders})
    assert validate(problem, everything_unserved) == []


def test_cvrplib_best_known_solution_is_valid():
    from logistics.formats.instances import read_instance, read_solution

    prob = read_instance(DATA / "cvrplib" / "X-n101-k25.vrp")
    routes, cost = read_solution(DATA / "cvrplib" / "X-n101-k25.sol", prob)
    vids = [vid for vid, _ in prob.vehicles()]
    plan = make_plan(prob, dict(zip(vids, routes)))
    assert validate(prob, plan) == []
    assert plan.stops["travel_distance"].sum() == cost == 27591


def test_validator_shares_no_code_with_the_solver():
    """Every module of logistics.check imports only core (and networks), never the engine."""
    for path in (Path(logistics.__file__).parent / "check").glob("*.py"):
        mods = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                mods.add(("." * node.level) + (node.module or ""))
            elif isinstance(node, ast.Import):
                mods.update(a.name for a in node.names)
        ours = {m for m in mods if m.startswith((".", "logistics"))}
        assert all(m.startswith(("logistics.core", "logistics.check")) for m in ours), (path.name, ours)


def test_violation_str_and_assert_valid_message(problem, plan):
    v = Violation("capacity", "too much", vehicle="van#1", order_id="a")
    assert str(v) == "[capacity] (vehicle van#1, order a) too much"
    assert str(Violation("missing", "gone")) == "[missing] gone"
    bad = edit(plan, "van#1", 1, arrival=lambda a: a + 7)
    with pytest.raises(AssertionError, match=r"(?s)violation\(s\).*\[timing\]"):
        assert_valid(problem, bad)


# --------------------------------------------------------------------------- coverage


def test_format_missing_column(problem, plan):
    bad = Plan(stops=plan.stops.drop(columns=["arrival"]), unserved=plan.unserved, kpis={}, routes=plan.routes)
    assert kinds(validate(problem, bad)) == {"format"}


def test_unknown_order_in_stops_and_unserved(problem, plan):
    vs = validate(problem, edit(plan, "van#1", 2, order_id="zzz"))
    assert "unknown_order" in kinds(vs) and "missing" in kinds(vs)
    assert any(v.order_id == "a" and v.kind == "missing" for v in vs)
    vs = validate(problem, with_unserved(plan, [{"order_id": "o", "reason": "x"}, {"order_id": "nope", "reason": "x"}]))
    assert kinds(vs) == {"unknown_order"}


def test_duplicate(problem, plan):
    vs = validate(problem, with_unserved(plan, [{"order_id": "o", "reason": "x"}, {"order_id": "o", "reason": "y"}]))
    assert kinds(vs) == {"duplicate"}
    twice = make_plan(problem, {"van#1": ["b", "a", "s"], "van#2": ["a"], "truck#1": ["p", "q", "u"]}, VALID_UNSERVED)
    vs = validate(problem, twice)
    assert "duplicate" in kinds(vs)
    assert [v.order_id for v in vs if v.kind == "duplicate"] == ["a"]


def test_served_and_unserved(problem, plan):
    vs = validate(problem, with_unserved(plan, [{"order_id": "o", "reason": "x"}, {"order_id": "a", "reason": "x"}]))
    assert kinds(vs) == {"served_and_unserved"}


def test_missing(problem, plan):
    vs = validate(problem, with_unserved(plan, []))
    assert kinds(vs) == {"missing"} and vs[0].order_id == "o"


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_no_reason(problem, plan, reason):
    vs = validate(problem, with_unserved(plan, [{"order_id": "o", "reason": reason}]))
    assert kinds(vs) == {"no_reason"}


# --------------------------------------------------------------------------- route structure


def test_unknown_vehicle(problem, plan):
    s = plan.stops.copy()
    s.loc[s["vehicle"] == "van#1", "vehicle"] = "van#9"
    vs = validate(problem, Plan(stops=s, unserved=plan.unserved, kpis={}, routes=plan.routes))
    assert kinds(vs) == {"unknown_vehicle"}  # its orders still count as served


def test_vehicle_type_column(problem, plan):
    vs = validate(problem, edit(plan, "van#1", 0, vehicle_type="truck"))
    assert kinds(vs) == {"vehicle_type"}


def test_vehicle_used_twice(problem, plan):
    s = plan.stops.copy()
    s.loc[s["vehicle"] == "truck#1", "vehicle"] = "van#1"
    vs = validate(problem, Plan(stops=s, unserved=plan.unserved, kpis={}, routes=plan.routes))
    assert "structure" in kinds(vs)
    assert "missing" not in kinds(vs)


def test_structure_bad_seq_and_order(problem, plan):
    assert "structure" in kinds(validate(problem, edit(plan, "van#1", 2, seq=7)))
    # end row in the middle
    s = plan.stops.copy()
    m = s["vehicle"] == "van#1"
    s.loc[m & (s["seq"] == 4), "seq"] = -1
    s.loc[m & (s["seq"] == 2), "seq"] = 4
    s.loc[m & (s["seq"] == -1), "seq"] = 2
    vs = validate(problem, Plan(stops=s, unserved=plan.unserved, kpis={}, routes=plan.routes))
    assert "structure" in kinds(vs)
    assert "structure" in kinds(validate(problem, edit(plan, "van#1", 1, kind="visit")))


def test_kind_mismatch(problem, plan):
    vs = validate(problem, edit(plan, "van#1", 2, kind="pickup"))
    assert "kind" in kinds(vs)


def test_depot(problem, plan):
    vs = validate(problem, edit(plan, "truck#1", 4, node_id="D"))
    assert kinds(vs) == {"depot"}
    vs = validate(problem, edit(plan, "van#1", 0, node_id="D2"))
    assert kinds(vs) == {"depot"}


def test_node(problem, plan):
    vs = validate(problem, edit(plan, "van#1", 2, node_id="B"))
    assert kinds(vs) == {"node"} and vs[0].order_id == "a"


# --------------------------------------------------------------------------- travel and time


def test_distance(problem, plan):
    vs = validate(problem, edit(plan, "van#1", 2, travel_distance=lambda d: d + 1))
    assert kinds(vs) == {"distance"}


def test_travel_time_uses_speed_factor(problem, plan):
    # van: 8 km at 100 s/km x 1.5
    assert (
        plan.stops.loc[(plan.stops["vehicle"] == "van#1") & (plan.stops["seq"] == 1), "travel_duration"].item() == 1200
    )
    vs = validate(problem, edit(plan, "van#1", 1, travel_duration=800))
    assert kinds(vs) == {"travel_time"}


def test_timing(problem, plan):
    vs = validate(problem, edit(plan, "van#1", 1, arrival=lambda a: a + 5, wait=lambda w: w - 5))
    assert kinds(vs) == {"timing"}
    vs = validate(
        problem, edit(plan, "van#1", 2, start=lambda s: s - 1000, wait=lambda w: w - 1000, departure=lambda d: d - 1000)
    )
    assert "timing" in kinds(vs)  # service before arrival
    vs = validate(problem, edit(plan, "van#1", 2, departure=lambda d: d - 60))
    assert "timing" in kinds(vs)  # service cut short
    vs = validate(problem, edit(plan, "van#1", 2, wait=0))
    assert kinds(vs) == {"timing"}
    vs = validate(problem, edit(plan, "van#1", 2, service=1))
    assert kinds(vs) == {"timing"}
    vs = validate(problem, edit(plan, "van#1", 0, start=lambda s: s + 1))
    assert kinds(vs) == {"timing"}


def test_hard_time_window(problem):
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, starts={"a": 12 * H + 1})
    vs = validate(problem, p)
    assert kinds(vs) == {"time_window"} and vs[0].order_id == "a"
    early = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, starts={"a": 8 * H + 3000})
    assert [v.kind for v in validate(problem, early) if v.order_id == "a"] == ["time_window"]


def test_soft_time_window_too_late_or_early(problem):
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, starts={"s": 9 * H + 1800 + 2 * H + 1})
    assert "time_window" in kinds(validate(problem, p))
    early = make_plan(
        problem,
        {"van#1": ["s"], "truck#1": ["p", "q", "u"]},
        {"o": "x", "a": "x", "b": "x"},
        starts={"s": 8 * H + 1200},
    )
    vs = validate(problem, early)
    assert kinds(vs) == {"time_window"}


def test_lateness_report(problem, plan):
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, starts={"s": 9 * H + 1800 + 600})
    assert validate(problem, p) == []
    seq = p.stops.loc[p.stops["order_id"] == "s", "seq"].item()
    assert kinds(validate(problem, edit(p, "van#1", seq, late=0))) == {"lateness"}
    assert kinds(validate(problem, edit(plan, "van#1", 2, early=30))) == {"lateness"}


def test_early_arrival_at_a_soft_window_is_reported(problem):
    # the van reaches "s" before its soft window opens and waits: that wait is its "early" time
    p = make_plan(
        problem, {"van#1": ["s"], "truck#1": ["p", "q", "u"]}, {"o": "x", "a": "x", "b": "x"}, leave={"van#1": 8 * H}
    )
    row = p.stops.set_index("order_id").loc["s"]
    assert row["start"] == 9 * H and row["early"] == 9 * H - row["arrival"] > 0
    assert validate(problem, p) == []
    seq = int(row["seq"])
    vs = validate(problem, edit(p, "van#1", seq, early=0))
    assert kinds(vs) == {"lateness"} and vs[0].order_id == "s" and "expected" in vs[0].message
    # a hard window's wait is not early time
    hard = make_plan(problem, {"van#1": ["a"], "truck#1": ["p", "q", "u"]}, {"o": "x", "b": "x", "s": "x"})
    assert hard.stops.set_index("order_id").at["a", "wait"] > 0  # leaves at 8:00, waits for a's 9:00 window
    assert (hard.stops["early"] == 0).all() and validate(problem, hard) == []


def test_shift(problem):
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, leave={"van#1": 7 * H})
    vs = validate(problem, p)
    assert "shift" in kinds(vs)
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, leave={"truck#1": 19 * H + 1800})
    assert kinds(validate(problem, p)) == {"shift"}


def test_max_duration(problem):
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, starts={"q": 6 * H + 4 * H})
    assert "max_duration" in kinds(validate(problem, p))


def test_max_distance(problem):
    ok = make_plan(problem, {"van#1": ["b", "a", "s"], "truck#1": ["p", "u", "q"]}, VALID_UNSERVED)
    assert validate(problem, ok) == []  # 26 km, limit 28
    p = make_plan(problem, {"van#1": ["b", "a", "s"], "truck#1": ["u", "p", "q"]}, VALID_UNSERVED)
    assert kinds(validate(problem, p)) == {"max_distance"}  # 30 km


def _truck(problem, **changes):
    return problem.replace(fleet=(problem.fleet[0], dc_replace(problem.fleet[1], **changes)))


def test_max_tasks(problem):
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED)  # the truck serves 3 orders
    assert validate(_truck(problem, max_tasks=3), p) == []
    assert kinds(validate(_truck(problem, max_tasks=2), p)) == {"max_tasks"}


def test_max_travel_time_counts_driving_only(problem):
    p = make_plan(problem, {"van#1": ["b", "a", "s"], "truck#1": ["p", "u", "q"]}, VALID_UNSERVED)
    drive = int(p.stops.loc[p.stops["vehicle"] == "truck#1", "travel_duration"].sum())
    assert validate(_truck(problem, max_travel_time=drive), p) == []  # service and waiting not counted
    assert kinds(validate(_truck(problem, max_travel_time=drive - 1), p)) == {"max_travel_time"}


# --------------------------------------------------------------------------- loads


def test_capacity_compartment(problem):
    p = make_plan(problem, {"van#1": ["b", "a", "s", "o"], "truck#1": ["p", "q", "u"]})
    vs = validate(problem, p)
    assert "capacity" in kinds(vs)
    assert any("ambient" in v.message for v in vs if v.kind == "capacity")


def test_capacity_total(problem):
    van, truck = problem.fleet
    tight = world(
        fleet=(
            VehicleType(van.name, 2, van.compartments, "D", total_capacity=7, shift=van.shift, speed_factor=1.5),
            truck,
        )
    )
    vs = validate(tight, make_plan(tight, VALID_ROUTES, VALID_UNSERVED))
    assert kinds(vs) == {"capacity"} and "total" in vs[0].message


def test_capacity_with_pickups(problem):
    # truck 20: pickups add to what is on board; deliveries loaded at the depot count from the start
    big = world(orders=[Order("u", {"goods": 15}, node_id="E", kind="pickup"), Order("v", {"goods": 8}, node_id="C")])
    bad = make_plan(big, {"truck#1": ["u", "v"]})
    assert kinds(validate(big, bad)) == {"capacity"}
    good = make_plan(big, {"truck#1": ["v", "u"]})
    assert validate(big, good) == []


def test_load_report(problem, plan):
    assert kinds(validate(problem, edit(plan, "van#1", 1, load=lambda x: x + 1))) == {"load"}
    assert kinds(validate(problem, edit(plan, "van#1", 0, load_frozen=0.0))) == {"load"}
    assert kinds(validate(problem, edit(plan, "truck#1", 1, load_frozen=1.0))) == {"load"}
    # the end row may show either the arriving load or zero
    end = plan.stops[(plan.stops["vehicle"] == "truck#1") & (plan.stops["kind"] == "end")]
    assert end["load"].item() == 5
    assert validate(problem, edit(plan, "truck#1", 4, load=0.0, load_ambient=0.0)) == []
    no_col = Plan(stops=plan.stops.drop(columns=["load_frozen"]), unserved=plan.unserved, kpis={}, routes=plan.routes)
    assert kinds(validate(problem, no_col)) == {"load"}


def test_zone(problem):
    p = make_plan(
        problem, {"van#1": ["a", "s"], "truck#1": ["b", "p", "q", "u"]}, VALID_UNSERVED, leave={"truck#1": 8 * H}
    )
    vs = validate(problem, p)
    assert kinds(vs) == {"zone"} and vs[0].order_id == "b"


# --------------------------------------------------------------------------- shelf life and pairs


def test_shelf_life_delivery(problem):
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, starts={"b": 8 * H + 3601})
    vs = validate(problem, p)
    assert kinds(vs) == {"shelf_life"} and vs[0].order_id == "b"
    # leaving later counts from the later departure
    p = make_plan(problem, VALID_ROUTES, VALID_UNSERVED, leave={"van#1": 8 * H + 1000}, starts={"b": 8 * H + 3601})
    assert validate(problem, p) == []


def test_shelf_life_unpaired_pickup(problem):
    p = make_plan(
        problem, {"van#1": ["b", "a", "s"], "truck#1": ["p", "u", "q"]}, VALID_UNSERVED, starts={"q": 6 * H + 5000}
    )
    vs = validate(problem, p)
    assert kinds(vs) == {"shelf_life"} and vs[0].order_id == "u"


def test_shelf_life_paired_delivery(problem):
    orders = [o if o.id not in ("p", "q") else Order(**{**o.__dict__, "shelf_life_h": 0.25}) for o in problem.orders]
    strict = world(orders=orders)
    assert validate(strict, make_plan(strict, VALID_ROUTES, VALID_UNSERVED)) == []
    p = make_plan(strict, VALID_ROUTES, VALID_UNSERVED, starts={"p": 8 * H, "q": 8 * H + 1500})
    vs = validate(strict, p)
    assert kinds(vs) == {"shelf_life"} and vs[0].order_id == "q"


def test_pairs(problem):
    split = make_plan(problem, {"van#1": ["b", "a", "s", "q"], "truck#1": ["p", "u"]}, VALID_UNSERVED)
    assert "pair" in kinds(validate(problem, split))
    backwards = make_plan(problem, {"van#1": ["b", "a", "s"], "truck#1": ["q", "p", "u"]}, VALID_UNSERVED)
    vs = validate(problem, backwards)
    assert "pair" in kinds(vs)
    half = make_plan(problem, {"van#1": ["b", "a", "s"], "truck#1": ["p", "u"]}, {**VALID_UNSERVED, "q": "late"})
    assert kinds(validate(problem, half)) == {"pair"}
    both = make_plan(
        problem, {"van#1": ["b", "a", "s"], "truck#1": ["u"]}, {**VALID_UNSERVED, "q": "late", "p": "late"}
    )
    assert validate(problem, both) == []


def test_every_kind_is_documented():
    tested = {
        "format",
        "unknown_order",
        "duplicate",
        "served_and_unserved",
        "missing",
        "no_reason",
        "unknown_vehicle",
        "vehicle_type",
        "structure",
        "kind",
        "depot",
        "node",
        "distance",
        "travel_time",
        "timing",
        "time_window",
        "lateness",
        "shift",
        "max_duration",
        "max_distance",
        "max_travel_time",
        "max_tasks",
        "capacity",
        "load",
        "zone",
        "shelf_life",
        "out_of_refrigeration",  # tests/check/test_out_of_refrigeration.py
        "break",  # tests/check/test_break_mutations.py
        "driving_time",  # tests/check/test_break_mutations.py
        "trips",  # tests/engine/test_trips.py
        "pair",
        "not_allowed",
    }
    assert tested == set(KINDS)


def test_order_on_a_vehicle_type_outside_its_vehicle_types_is_caught():
    import numpy as _np

    import logistics as _L
    import networks as _n

    tm = _n.TravelMatrix(["D", "a"], _np.array([[0, 100], [100, 0]]), _np.array([[0, 10], [10, 0]]))
    fleet = [
        _L.VehicleType("van", 1, [_L.Compartment("ambient", 10)], start_depot="D"),
        _L.VehicleType("truck", 1, [_L.Compartment("ambient", 10)], start_depot="D"),
    ]
    p = _L.Problem([_L.Order("o", {"goods": 1}, node_id="a", vehicle_types=("truck",))], fleet, matrix=tm)
    plan = _L.solve(p, time_limit=1, engine="ortools")
    assert _L.validate(p, plan) == [] and plan.stops.set_index("order_id").at["o", "vehicle_type"] == "truck"
    stops = plan.stops.copy()
    stops["vehicle"] = stops["vehicle"].str.replace("truck", "van")
    stops["vehicle_type"] = "van"
    bad = _L.Plan(stops=stops, unserved=plan.unserved, kpis=plan.kpis, routes=plan.routes, meta=plan.meta)
    assert "not_allowed" in {v.kind for v in _L.validate(p, bad)}
