"""PyVRP engine: routes cover the orders, respect loads and windows, and map back to vehicles."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import networks
from logistics import Compartment, Order, Problem, Product, VehicleType
from logistics.core.options import Budget
from logistics.engine.parallel import run_tasks
from logistics.engine.solvers.arrays import build
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.pyvrp.model import build_instance
from logistics.engine.solvers.pyvrp.portfolio import solve_pyvrp, solve_pyvrp_parallel, solve_pyvrp_portfolio
from logistics.engine.solvers.pyvrp.search import EngineResult, run_seed

ROOT = Path(__file__).resolve().parents[2]
ITERS = 400  # iteration-bounded runs: reproducible and fast


def points(n: int, seed: int, size: float = 20_000.0, speed: float = 10.0) -> networks.TravelMatrix:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, size, (n + 1, 2))
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    return networks.TravelMatrix(["D"] + [f"p{i}" for i in range(n)], np.rint(d), np.rint(d / speed))


def deliveries(n: int, seed: int, qty=(5, 25), horizon=8 * 3600, width=2 * 3600, kind=None) -> list[Order]:
    rng = np.random.default_rng(seed + 1)
    out = []
    for i in range(n):
        a = int(rng.uniform(0, horizon - width))
        k = kind[i] if kind is not None else "delivery"
        out.append(
            Order(
                f"o{i}",
                {"goods": float(rng.integers(*qty))},
                node_id=f"p{i}",
                kind=k,
                time_windows=((a, a + width),),
                service=300,
            )
        )
    return out


def van(count=4, cap=100.0, **kw) -> VehicleType:
    kw.setdefault("start_depot", "D")
    kw.setdefault("shift", (0, 10 * 3600))
    # PyVRP's own model is tested here: it has no rests and relaxes the driving rule (tests/engine/test_breaks.py)
    kw.setdefault("max_driving_h", None)
    return VehicleType("van", count, (Compartment("ambient", cap),), **kw)


# -- an independent check of routes against the Problem -----------------------------------------------------------


def check_routes(problem: Problem, routes: list[list[int]], *, all_served: bool = True) -> None:
    """Each order at most once (all, if ``all_served``), loads per compartment and total, windows, shift, pairs."""
    m = problem.matrix
    orders = problem.orders
    vehicles = problem.vehicles()
    assert len(routes) == len(vehicles)
    seen = [i for r in routes for i in r]
    assert len(seen) == len(set(seen)), "an order is visited twice"
    if all_served:
        assert sorted(seen) == list(range(len(orders))), "an order is not visited"
    by_id = {o.id: i for i, o in enumerate(orders)}
    for (vid, vt), route in zip(vehicles, routes):
        if not route:
            continue
        where = {i: k for k, i in enumerate(route)}
        # loads: unpaired deliveries are on board from the start, unpaired pickups until the end
        comps = len(vt.compartments)
        load = np.zeros(comps)
        for i in route:
            o = orders[i]
            q = problem.compartment_loads(o, vt)
            assert q is not None, f"{vid} cannot carry {o.id}"
            if o.kind == "delivery" and o.pair is None:
                load += q
        caps = np.array([c.capacity for c in vt.compartments])

        def fits():
            assert (load <= caps + 1e-9).all(), f"{vid}: compartment overload {load} > {caps}"
            if vt.total_capacity is not None:
                assert load.sum() <= vt.total_capacity + 1e-9, f"{vid}: total overload"

        fits()
        for i in route:
            o = orders[i]
            q = np.asarray(problem.compartment_loads(o, vt))
            load += q if o.kind == "pickup" else -q
            fits()
            if o.pair is not None:
                j = by_id[o.pair]
                assert j in where, f"{o.id} and its pair ride different vehicles"
                if o.kind == "pickup":
                    assert where[i] < where[j], f"{o.id} delivered before its pickup"
        # times: leave at the shift start, wait for windows
        t = vt.shift[0]
        here = m.index(vt.start_depot)
        for i in route:
            o = orders[i]
            nxt = m.index(o.location)
            t += int(round(m.duration[here, nxt] * vt.speed_factor))
            win = next((w for w in o.time_windows if t <= w[1]), None)
            assert win is not None, f"{vid}: {o.id} reached at {t}, after its windows {o.time_windows}"
            t = max(t, win[0]) + o.service
            here = nxt
        t += int(round(m.duration[here, m.index(vt.end_depot)] * vt.speed_factor))
        assert t <= vt.shift[1], f"{vid}: returns at {t} after the shift ends {vt.shift[1]}"


def route_distance(problem: Problem, routes, vehicles=None) -> int:
    m = problem.matrix
    total = 0
    for (vid, vt), route in zip(problem.vehicles(), routes):
        if not route:
            continue
        path = (
            [m.index(vt.start_depot)] + [m.index(problem.orders[i].location) for i in route] + [m.index(vt.end_depot)]
        )
        total += int(sum(m.distance[a, b] for a, b in zip(path, path[1:])))
    return total


# -- tests ----------------------------------------------------------------------------------------------------------


def test_routes_cover_orders_and_respect_capacity_and_windows():
    n = 40
    pr = Problem(orders=deliveries(n, 3), fleet=(van(count=8, cap=100),), matrix=points(n, 3), objective="distance")
    res = solve_pyvrp(build(pr), time_limit=5, seed=0, max_iterations=ITERS)
    assert isinstance(res, EngineResult)
    assert res.feasible and res.unserved == [] and res.relaxed == []
    check_routes(pr, res.routes)
    assert res.cost == route_distance(pr, res.routes)
    assert 1 <= res.n_routes <= 8


def test_same_seed_same_routes():
    n = 30
    pr = Problem(orders=deliveries(n, 5), fleet=(van(count=6, cap=80),), matrix=points(n, 5), objective="distance")
    data = build(pr)
    a = solve_pyvrp(data, time_limit=10, seed=7, max_iterations=ITERS)
    b = solve_pyvrp(data, time_limit=10, seed=7, max_iterations=ITERS)
    assert a.routes == b.routes and a.cost == b.cost


def test_two_zones_two_vehicle_types():
    """Frozen and chilled goods on a two-compartment reefer; an ambient-only van takes neither."""
    n = 24
    rng = np.random.default_rng(11)
    products = {
        "ice": Product("ice", zone="frozen"),
        "milk": Product("milk", zone="chilled"),
        "rice": Product("rice", zone="ambient"),
    }
    orders = []
    for i in range(n):
        if i % 3 == 0:
            q = {"rice": float(rng.integers(10, 40))}
        elif i % 3 == 1:
            q = {"ice": float(rng.integers(0, 30)), "milk": float(rng.integers(0, 30))}
        else:  # only the incompatibility keeps milk off the dry van (its ambient space is in milk's dimension)
            q = {"milk": float(rng.integers(5, 30))}
        orders.append(Order(f"o{i}", q, node_id=f"p{i}", service=120))
    reefer = VehicleType(
        "reefer",
        3,
        (Compartment("frozen", 60), Compartment("chilled", 120)),
        start_depot="D",
        shift=(0, 10 * 3600),
        cost_per_km=2.0,
    )
    dry = VehicleType("dry", 4, (Compartment("ambient", 200),), start_depot="D", shift=(0, 10 * 3600), cost_per_km=1.0)
    pr = Problem(orders=orders, fleet=(reefer, dry), products=products, matrix=points(n, 11), objective="distance")
    data = build(pr)
    inst = build_instance(data)
    # rice rides the reefer's chilled compartment with the milk: dimensions {frozen}, {chilled+ambient}
    assert inst.data.num_load_dimensions == 2
    res = solve_pyvrp(data, time_limit=5, seed=1, max_iterations=ITERS)
    assert res.feasible
    assert any("incompatib" in r for r in res.relaxed)
    check_routes(pr, res.routes)
    vehicles = pr.vehicles()
    for (vid, vt), route in zip(vehicles, res.routes):
        if vt.name == "dry":
            assert all("rice" in orders[i].quantities for i in route)


def test_flexible_partition_total_capacity():
    n = 20
    products = {"ice": Product("ice", zone="frozen"), "milk": Product("milk", zone="chilled")}
    rng = np.random.default_rng(2)
    orders = [
        Order(f"o{i}", {"ice": float(rng.integers(5, 20)), "milk": float(rng.integers(5, 20))}, node_id=f"p{i}")
        for i in range(n)
    ]
    vt = VehicleType(
        "flex", 6, (Compartment("frozen", 80), Compartment("chilled", 80)), start_depot="D", total_capacity=100
    )
    pr = Problem(orders=orders, fleet=(vt,), products=products, matrix=points(n, 2), objective="distance")
    res = solve_pyvrp(build(pr), time_limit=5, seed=0, max_iterations=ITERS)
    assert res.feasible
    check_routes(pr, res.routes)


def test_optional_orders_with_low_penalty_are_dropped():
    n = 12
    m = points(n, 4, size=5_000)
    k = len(m.ids)
    d = np.full((k + 2, k + 2), 200_000.0)  # two far-away places, 1 km apart
    d[:k, :k] = m.distance
    d[k, k + 1] = d[k + 1, k] = 1_000
    np.fill_diagonal(d, 0)
    mat = networks.TravelMatrix(list(m.ids) + ["far1", "far2"], d, d / 20)
    orders = deliveries(n, 4)
    orders += [
        Order("far-a", {"goods": 5.0}, node_id="far1", required=False, penalty=10.0),
        Order("far-b", {"goods": 5.0}, node_id="far2", required=False, penalty=10.0),
    ]
    pr = Problem(orders=orders, fleet=(van(count=4, shift=(0, 86_399)),), matrix=mat, objective="distance")
    res = solve_pyvrp(build(pr), time_limit=5, seed=0, max_iterations=ITERS)
    assert res.feasible
    assert sorted(res.unserved) == [n, n + 1]
    check_routes(pr, res.routes, all_served=False)
    assert res.cost == route_distance(pr, res.routes) + 20


def test_mixed_pickups_and_deliveries():
    n = 30
    kinds = ["pickup" if i % 2 else "delivery" for i in range(n)]
    orders = deliveries(n, 8, qty=(10, 30), kind=kinds)
    pr = Problem(orders=orders, fleet=(van(count=8, cap=100),), matrix=points(n, 8), objective="distance")
    res = solve_pyvrp(build(pr), time_limit=5, seed=0, max_iterations=ITERS)
    assert res.feasible
    check_routes(pr, res.routes)


def test_paired_pickup_delivery_is_a_shipment():
    n = 16
    orders = []
    for i in range(0, n, 2):
        orders.append(Order(f"pu{i}", {"goods": 30.0}, node_id=f"p{i}", kind="pickup", pair=f"de{i}"))
        orders.append(Order(f"de{i}", {"goods": 30.0}, node_id=f"p{i + 1}", kind="delivery", pair=f"pu{i}"))
    pr = Problem(orders=orders, fleet=(van(count=4, cap=60),), matrix=points(n, 9), objective="distance")
    data = build(pr)
    assert build_instance(data).data.num_shipments == n // 2
    res = solve_pyvrp(data, time_limit=5, seed=0, max_iterations=ITERS)
    assert res.feasible
    check_routes(pr, res.routes)


def test_multiple_windows_are_exact():
    n = 20
    rng = np.random.default_rng(6)
    orders = []
    for i in range(n):
        a = int(rng.integers(0, 3)) * 3 * 3600
        orders.append(
            Order(
                f"o{i}",
                {"goods": 5.0},
                node_id=f"p{i}",
                service=600,
                time_windows=((a, a + 3600), (a + 5 * 3600, a + 6 * 3600)),
            )
        )
    pr = Problem(orders=orders, fleet=(van(count=4, shift=(0, 16 * 3600)),), matrix=points(n, 6), objective="distance")
    res = solve_pyvrp(build(pr), time_limit=5, seed=0, max_iterations=ITERS)
    assert res.feasible and res.relaxed == []
    check_routes(pr, res.routes)
    span = solve_pyvrp(build(pr), time_limit=5, seed=0, max_iterations=ITERS, multi_windows="span")
    assert any("span" in r for r in span.relaxed)


def test_cost_objective_with_ortools_cost_arrays():

    n = 25
    # a reefer: the OR-Tools arc costs carry door-open refrigeration on the service node (non-zero diagonal)
    vt = VehicleType(
        "reefer",
        6,
        (Compartment("chilled", 100),),
        start_depot="D",
        shift=(0, 10 * 3600),
        cost_per_km=2.5,
        cost_per_hour=40.0,
        fixed_cost=150.0,
    )
    pr = Problem(orders=deliveries(n, 12), fleet=(vt,), matrix=points(n, 12))
    data = build(pr)
    res = solve_pyvrp(data, time_limit=5, seed=0, cost_arrays=cost_arrays(data), max_iterations=ITERS)
    assert res.feasible
    check_routes(pr, res.routes)
    assert res.cost >= res.n_routes * 150.0 * 10_000
    own = solve_pyvrp(data, time_limit=5, seed=0, max_iterations=ITERS)
    assert own.feasible and any("not modelled" in r for r in own.relaxed)
    por = solve_pyvrp_portfolio(data, cost_arrays(data), Budget.start(5), seed=0, iterations=ITERS, parallel=False)
    assert por.routes == res.routes


def test_parallel_seeds_return_the_best():
    n = 30
    pr = Problem(orders=deliveries(n, 21), fleet=(van(count=6, cap=90),), matrix=points(n, 21), objective="distance")
    data = build(pr)
    res = solve_pyvrp_parallel(data, time_limit=20, seeds=(0, 1), max_iterations=ITERS)
    singles = [solve_pyvrp(data, time_limit=20, seed=s, max_iterations=ITERS) for s in (0, 1)]
    assert res.feasible
    check_routes(pr, res.routes)
    assert res.cost == min(s.cost for s in singles)
    # the second seed really ran in the other interpreter and came back whole
    inst = build_instance(data)
    deadline = Budget.start(20).deadline
    _, other = run_tasks(run_seed, [(inst, deadline, s, ITERS, None) for s in (0, 1)], workers=2, local_first=True)
    assert isinstance(other, EngineResult) and other.seed == 1
    assert other.routes == singles[1].routes and other.cost == singles[1].cost


# -- Solomon c101, distance-only with DIMACS truncation (x10 integer matrices) --------------------------------------


def _solomon_path(name: str) -> Path | None:
    for base in (Path(os.environ.get("COLDROUTE_DATA", "/work/shared/data")), ROOT / "tests" / "data"):
        p = base / "solomon" / f"{name}.txt"
        if p.exists():
            return p
    return None


def solomon_problem(path: Path, scale: int = 10) -> Problem:
    lines = path.read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if line.split()[:1] == ["NUMBER"])
    n_veh, cap = map(int, lines[k + 1].split())
    rows = np.array(
        [
            [float(x) for x in line.split()]
            for line in lines[k + 2 :]
            if len(line.split()) == 7 and line.split()[0].isdigit()
        ]
    )
    xy = rows[:, 1:3]
    d = np.floor(scale * np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + 1e-9)
    ids = [f"n{int(r)}" for r in rows[:, 0]]
    orders = [
        Order(
            f"c{int(r[0])}",
            {"goods": r[3]},
            node_id=ids[i],
            time_windows=((int(r[4] * scale), int(r[5] * scale)),),
            service=int(r[6] * scale),
        )
        for i, r in enumerate(rows)
        if i > 0
    ]
    vt = VehicleType(
        "truck",
        n_veh,
        (Compartment("ambient", cap),),
        start_depot=ids[0],
        shift=(int(rows[0, 4] * scale), int(rows[0, 5] * scale)),
    )
    return Problem(
        orders=orders, fleet=(vt,), matrix=networks.TravelMatrix(ids, d, d), objective="distance", name=path.stem
    )


@pytest.mark.skipif(_solomon_path("c101") is None, reason="Solomon c101 not available")
def test_solomon_c101_within_one_percent():
    pr = solomon_problem(_solomon_path("c101"))
    res = solve_pyvrp(build(pr), time_limit=3, seed=0)
    assert res.feasible
    check_routes(pr, res.routes)
    assert res.cost == route_distance(pr, res.routes)
    assert res.cost / 10 <= 827.3 * 1.01


def test_two_depots_open_end_and_slow_trucks():
    """Types at different depots, one ending elsewhere, one 50 % slower: routes map back to the right vehicles."""
    n = 24
    rng = np.random.default_rng(17)
    xy = rng.uniform(0, 20_000, (n + 2, 2))
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    mat = networks.TravelMatrix(["D1", "D2"] + [f"p{i}" for i in range(n)], np.rint(d), np.rint(d / 8))
    orders = [
        Order(
            f"o{i}", {"goods": float(rng.integers(5, 20))}, node_id=f"p{i}", service=300, time_windows=((0, 6 * 3600),)
        )
        for i in range(n)
    ]
    fast = VehicleType(
        "fast", 3, (Compartment("ambient", 60),), start_depot="D1", end_depot="D2", shift=(3600, 8 * 3600)
    )
    slow = VehicleType(
        "slow",
        3,
        (Compartment("ambient", 100),),
        start_depot="D2",
        speed_factor=1.5,
        shift=(0, 7 * 3600),
        max_duration=5 * 3600,
    )
    pr = Problem(orders=orders, fleet=(fast, slow), matrix=mat, objective="distance")
    data = build(pr)
    assert build_instance(data).data.num_depots == 2
    res = solve_pyvrp(data, time_limit=5, seed=0, max_iterations=ITERS)
    assert res.feasible
    check_routes(pr, res.routes)
    assert res.cost == route_distance(pr, res.routes)


# --------------------------------------------------------------------------- pairs no vehicle can serve (issue 12)


def _dead_pair_problem(delivery_window, pickup_window, one_sided=False):
    from helpers import line_matrix

    h = 3600
    tm = line_matrix({"D": 0, "a": 1000, "b": 2000})
    fleet = [VehicleType("t", 2, (Compartment("ambient", 100),), start_depot="D")]
    orders = [
        Order(
            "P",
            {"goods": 1},
            node_id="a",
            kind="pickup",
            pair=None if one_sided else "Q",
            time_windows=((pickup_window[0] * h, pickup_window[1] * h),),
            service=480,
        ),
        Order(
            "Q",
            {"goods": 1},
            node_id="b",
            pair="P",
            time_windows=((delivery_window[0] * h, delivery_window[1] * h),),
            service=480,
        ),
        Order("x", {"goods": 1}, node_id="a"),
    ]
    return Problem(orders, fleet, matrix=tm)


@pytest.mark.parametrize(
    "delivery,pickup,one_sided",
    [((13, 13), (13, 16), False), ((13, 13), (13, 16), True), ((8, 9), (10, 12), False)],
    ids=["closes-at-pickup-opening", "one-sided", "closes-before-pickup-opens"],
)
def test_regression_a_pair_no_vehicle_can_serve_is_left_out_whole(delivery, pickup, one_sided):
    # was: engines auto and pyvrp served the pickup alone on every seed ("[pair] P is served but its pair Q is
    # not"), and a delivery window closing before the pickup's opened crashed PyVRP's Shipment (ValueError)
    from helpers import check

    import logistics as L

    p = _dead_pair_problem(delivery, pickup, one_sided)
    assert build(p).dead_pairs == [(0, 1)]
    for engine in ("auto", "pyvrp", "ortools"):
        for seed in range(3):
            plan = L.solve(p, time_limit=2, engine=engine, seed=seed, iterations=30)
            check(p, plan)
            assert plan.served_ids == ["x"], (engine, seed)
            reasons = dict(zip(plan.unserved["order_id"], plan.unserved["reason"]))
            assert "left out together" in reasons["P"] and "left out together" in reasons["Q"]


def test_a_tight_but_feasible_pair_is_not_dead():
    # the bound is optimistic: a pair that one vehicle can just make is kept (pickup 13:00 + 480 s + 100 s drive)
    p = _dead_pair_problem((13 + 580 / 3600, 13 + 580 / 3600), (13, 16))
    assert build(p).dead_pairs == []


def test_pyvrp_searches_with_the_project_neighbourhood_history_and_stop(monkeypatch):
    """`run_instance` hands PyVRP the neighbourhood for the size, the history the portfolio chose and `Converged`."""
    import pyvrp

    from logistics.core.shares import PYVRP_NEIGHBOURS
    from logistics.engine.solvers.pyvrp import search
    from logistics.engine.solvers.pyvrp.search import run_instance
    from logistics.engine.solvers.pyvrp.stop import Converged

    seen, stops = [], []
    real = pyvrp.solve

    def spy(*args, **kw):
        seen.append(kw["params"])
        stops.append(args[1])
        return real(*args, **kw)

    monkeypatch.setattr(pyvrp, "solve", spy)
    n = 12
    pr = Problem(orders=deliveries(n, 2), fleet=(van(count=4, cap=100),), matrix=points(n, 2), objective="distance")
    data = build(pr)
    inst = build_instance(data, "distance", cost_arrays(data))
    run_instance(inst, 5.0, seed=0, max_iterations=20, history_length=40)
    run_instance(inst, 5.0, seed=0, stall=50)
    # 12 orders: below the sizes the smaller neighbourhood was measured on, PyVRP's own 50
    monkeypatch.setattr(search, "PYVRP_NEIGHBOURS_FROM", 12)
    run_instance(inst, 5.0, seed=0, max_iterations=20)
    # above the sizes measured (1,000 customers did worse with 30), PyVRP's own 50 again
    monkeypatch.setattr(search, "PYVRP_NEIGHBOURS_UPTO", 11)
    run_instance(inst, 5.0, seed=0, max_iterations=20)
    assert [p.neighbourhood.num_neighbours for p in seen] == [50, 50, PYVRP_NEIGHBOURS, 50]
    assert [p.ils.history_length for p in seen] == [40, 300, 300, 300]
    # a time-bound run with a stall span stops on `Converged`, which lets a search that keeps improving run on
    converged = [c for c in stops[1].criteria if isinstance(c, Converged)]
    assert len(converged) == 1 and converged[0].span == 50
