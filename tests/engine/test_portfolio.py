"""The portfolio engine (``solve(engine="auto")``): PyVRP's routes, checked, repaired and polished by OR-Tools.

Functional checks only (no timing asserts): validated plans on a classic
instance and on cold-chain problems that PyVRP models with relaxations, the
plan never worse than the seed it started from, the seed-repair path when
PyVRP's routes break a shelf life, and the benchmark scripts' JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import check

import logistics as L
import networks
from logistics.engine.decompose import _lpt
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.ortools.model import OrtoolsModel
from logistics.engine.solvers.ortools.search import result
from logistics.engine.solvers.ortools.seed import load_seed
from logistics.engine.solvers.pyvrp.model import build_instance
from logistics.engine.solvers.pyvrp.portfolio import models_exactly, solve_pyvrp

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent.parent / "data"
ITERS = 300  # bounds the PyVRP skeletons; with the driving rule OR-Tools' polish of these days ends on the clock


def line(positions: dict[str, float], speed: float = 10.0) -> networks.TravelMatrix:
    ids = list(positions)
    x = np.array([positions[k] for k in ids], dtype=float)
    d = np.abs(x[:, None] - x[None])
    return networks.TravelMatrix(ids, np.rint(d), np.rint(d / speed))


def cold_day(n: int = 18, seed: int = 5, shelf_h: float = 6.0) -> L.Problem:
    """Chilled and frozen deliveries and produce pickups around one depot: shelf life, soft windows, decay."""
    rng = np.random.default_rng(seed)
    ids = ["D"] + [f"c{i}" for i in range(n)]
    xy = rng.uniform(0, 25_000, (n + 1, 2))
    d = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)))
    tm = networks.TravelMatrix(ids, d, np.rint(d / 9.0))
    products = [
        L.Product("milk", "chilled", shelf_life_h=shelf_h, value=12.0),
        L.Product("fish", "frozen", value=30.0),
        L.Product("apples", "fresh", shelf_life_h=8, value=5.0),
    ]
    fleet = [
        L.VehicleType(
            "reefer",
            3,
            (L.Compartment("chilled", 300), L.Compartment("frozen", 150)),
            start_depot="D",
            cost_per_km=1.5,
            cost_per_hour=30,
            fixed_cost=120,
            shift=(6 * 3600, 19 * 3600),
        )
    ]
    orders = []
    for i in range(n):
        a = int(rng.integers(7, 13)) * 3600
        if i % 4 == 3:
            orders.append(
                L.Order(
                    f"p{i}",
                    {"apples": float(rng.integers(20, 60))},
                    node_id=f"c{i}",
                    kind="pickup",
                    time_windows=((9 * 3600, 17 * 3600),),
                    service=420,
                )
            )
        else:
            orders.append(
                L.Order(
                    f"d{i}",
                    {("milk" if i % 2 else "fish"): float(rng.integers(10, 40))},
                    node_id=f"c{i}",
                    time_windows=((a, a + 3 * 3600),),
                    service=300,
                    soft=i % 5 == 0,
                )
            )
    return L.Problem(orders, fleet, products=products, matrix=tm, name="portfolio-cold")


def shelf_trap() -> L.Problem:
    """One route is cheapest, but only when the shelf life of the milk for c2 is ignored.

    c0, c1 and c2 lie on a line 10, 20 and 30 km from the depot.  Without
    shelf life the cheapest plan is one van D-c0-c1-c2-D: the milk reaches c2
    70 min after leaving, past its 1 h shelf life.  Serving c2 first breaks
    c1's window, so the full model needs a second van for c2.
    """
    tm = line({"D": 0, "c0": 10_000, "c1": 20_000, "c2": 30_000})
    products = [
        L.Product("yogurt", "chilled", value=0.0, decay_per_h=0.0),
        L.Product("milk", "chilled", shelf_life_h=1.0, value=0.0, decay_per_h=0.0),
    ]
    fleet = [
        L.VehicleType(
            "van",
            2,
            (L.Compartment("chilled", 100),),
            start_depot="D",
            cost_per_km=1.0,
            fixed_cost=50,
            shift=(0, 8 * 3600),
        )
    ]
    orders = [
        L.Order("o0", {"yogurt": 5}, node_id="c0", time_windows=((0, 3600),), service=600),
        L.Order("o1", {"yogurt": 5}, node_id="c1", time_windows=((0, 4000),), service=600),
        L.Order("o2", {"milk": 5}, node_id="c2", service=600),
    ]
    return L.Problem(orders, fleet, products=products, matrix=tm, name="shelf-trap")


# --------------------------------------------------------------------------- classic instance: PyVRP is exact


def test_auto_on_solomon_c101_is_validated_and_exact():
    problem = L.read_instance(DATA / "solomon" / "c101.txt")
    plan = L.solve(problem, time_limit=20, seed=0, engine="auto", iterations=2000)
    check(problem, plan)
    assert len(plan.unserved) == 0
    m = plan.meta
    assert m["skeleton"] == "pyvrp" and m["exact"] and m["relaxed"] == []
    assert m["seed_loaded"] and m["seed_repaired"] == 0 and m["status"] == "seed_checked"
    # PyVRP models the instance exactly: OR-Tools reads and checks the routes, the plan is the seed
    assert plan.kpis["objective"] == pytest.approx(m["skeleton_cost"])
    assert plan.kpis["objective"] == pytest.approx(m["seed_objective"])
    distance = plan.stops["travel_distance"].sum() / problem.meta["scale"]
    assert distance == pytest.approx(plan.kpis["objective"] / problem.meta["scale"])
    assert distance <= problem.meta["bks"] * 1.01


def test_auto_on_cvrp_is_validated():
    problem = L.read_instance(DATA / "cvrplib" / "E-n22-k4.vrp")
    plan = L.solve(problem, time_limit=10, seed=1, engine="auto", iterations=500)
    check(problem, plan)
    assert plan.meta["exact"] and plan.kpis["objective"] == pytest.approx(plan.meta["skeleton_cost"])


def test_same_iterations_same_plan():
    problem = L.read_instance(DATA / "cvrplib" / "E-n13-k4.vrp")
    a = L.solve(problem, time_limit=10, seed=3, engine="auto", iterations=200)
    b = L.solve(problem, time_limit=10, seed=3, engine="auto", iterations=200)
    assert a.stops[["vehicle", "order_id"]].equals(b.stops[["vehicle", "order_id"]])


# --------------------------------------------------------------------------- relaxations: OR-Tools repairs and polishes


def test_cold_chain_with_relaxations_is_feasible_and_no_worse_than_its_seed():
    problem = cold_day()
    plan = L.solve(problem, time_limit=6, seed=0, engine="auto", iterations=ITERS)
    check(problem, plan)
    m = plan.meta
    assert m["skeleton"] == "pyvrp" and not m["exact"] and m["status"] != "seed_checked"  # OR-Tools searched
    assert "shelf life ignored" in m["relaxed"] and "soft time windows treated as hard" in m["relaxed"]
    assert m["seed_loaded"]
    # the search's history starts at the seed and only goes down
    costs = [c for _, c in m["history"]]
    assert costs == sorted(costs, reverse=True)
    if m["seed_repaired"] == 0 and len(plan.unserved) == 0:  # comparable: the same orders served
        assert costs[-1] <= m["seed_objective"] + 1e-6
    # the exact descent after it prices moves by the plan's cost, which only goes down
    assert m["descent"]["after"] <= m["descent"]["before"]


def test_cold_day_search_starts_from_the_seed():
    problem = cold_day(n=14, seed=11)
    auto = L.solve(problem, time_limit=6, seed=0, engine="auto", iterations=ITERS)
    check(problem, auto)
    m = auto.meta
    assert m["seed_loaded"] and not m["exact"]
    # the OR-Tools search ran from the seed: its first solution is the seed as read into the full model (its
    # objective plus the penalty of any required order the seed left out), and it only improves from there
    costs = [c for _, c in m["history"]]
    assert costs[0] >= m["seed_objective"] - 1e-3
    assert costs == sorted(costs, reverse=True)
    assert m["descent"]["after"] <= m["descent"]["before"]  # then the exact descent: the plan's cost only goes down


def test_seed_breaking_shelf_life_is_repaired_and_then_searched_from():
    problem = shelf_trap()
    data = arrays.build(problem)
    costs = cost_arrays(data)
    # the premise: PyVRP, which ignores shelf life, puts all three on one van and breaks o2's shelf life
    seed = solve_pyvrp(data, time_limit=10, seed=0, cost_arrays=costs, max_iterations=200)
    assert "shelf life ignored" in seed.relaxed
    assert [r for r in seed.routes if r] == [[0, 1, 2]]
    assert any("shelf life" in v for v in seed.violations)

    plan = L.solve(problem, time_limit=20, seed=0, engine="auto", iterations=200)
    check(problem, plan)
    m = plan.meta
    # o2 is taken off the van and put back on the other one before the model reads the seed
    assert m["seed_loaded"] and m["seed_repaired"] == 1 and m["seed_dropped"] == [] and m["seed_reinserted"] == 1
    assert m["seed_repair"] == "simulate"
    assert len(plan.unserved) == 0 and plan.kpis["vehicles"] == 2  # o2 no longer rides behind o0 and o1
    by_vehicle = plan.stops.dropna(subset=["order_id"]).groupby("vehicle")["order_id"].apply(set)
    assert {"o0", "o1", "o2"} not in list(by_vehicle)


def test_load_seed_repairs_by_simulation_and_keeps_feasible_routes():
    from ortools.constraint_solver import pywrapcp

    problem = shelf_trap()
    data = arrays.build(problem)
    model = OrtoolsModel(data, cost_arrays(data))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.solution_limit = 1
    model.routing.CloseModelWithParameters(params)
    a, meta = load_seed(model, [[0, 1, 2], []])
    assert a is not None and meta == {
        "seed_loaded": True,
        "seed_repaired": 1,
        "seed_repair": "simulate",
        "seed_dropped": [],
        "seed_reinserted": 1,
        "seed_objective": meta["seed_objective"],
    }
    # the repaired seed: o2 rides the second van alone (its shelf life kept), the first keeps o0 and o1
    assert sorted(r.orders for r in result(model, a, [], 0.0).routes) == [[0, 1], [2]]
    a, meta = load_seed(model, [[0, 1], [2]])
    assert a is not None and meta["seed_repaired"] == 0 and "seed_repair" not in meta


def test_exactness_of_pyvrps_model():
    classic = L.read_instance(DATA / "solomon" / "c101.txt")
    data = arrays.build(classic)
    costs = cost_arrays(data)
    assert models_exactly(build_instance(data, None, costs).relaxed, data, costs)
    cold = cold_day(n=8)
    data = arrays.build(cold)
    costs = cost_arrays(data)
    assert not models_exactly(build_instance(data, None, costs).relaxed, data, costs)
    # a cost objective without decay, soft windows or shelf life is exact
    plain = shelf_trap()
    prods = [L.Product("yogurt", "chilled", value=0.0, decay_per_h=0.0)]
    orders = [
        L.Order(o.id, {"yogurt": 5}, node_id=o.node_id, time_windows=o.time_windows, service=o.service)
        for o in plain.orders
    ]
    flat = L.Problem(orders, plain.fleet, products=prods, matrix=plain.matrix)
    data = arrays.build(flat)
    costs = cost_arrays(data)
    inst = build_instance(data, None, costs)
    assert inst.relaxed and models_exactly(inst.relaxed, data, costs)


def test_pyvrp_engine_and_ortools_engine_still_validate_on_the_cold_day():
    problem = cold_day(n=10, seed=2)
    for engine in ("pyvrp", "ortools"):
        plan = L.solve(problem, time_limit=4, seed=0, engine=engine, iterations=ITERS)
        check(problem, plan)


# --------------------------------------------------------------------------- benchmark scripts


def _last_json(out: subprocess.CompletedProcess) -> dict:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_bench_classic_pyvrp_column(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_classic.py"),
            "solomon",
            "c101",
            "--time-limit",
            "1",
            "--pyvrp",
            "--data",
            str(DATA),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    head = _last_json(out)
    assert head["instances"] == 1 and head["violations"] == 0
    assert head["pyvrp_mean_gap_pct"] is not None and head["gap_ratio_pyvrp_over_coldroute"] is not None
    assert "pyvrp gap %" in out.stdout


def test_bench_classic_pyvrp_on_all_cores_column(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_classic.py"),
            "solomon",
            "c101",
            "--time-limit",
            "1",
            "--no-baseline",
            "--pyvrp-all",
            "--data",
            str(DATA),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    head = _last_json(out)
    assert head["instances"] == 1 and head["violations"] == 0 and head["pyvrp_all_cores_failed"] == 0
    assert head["pyvrp_all_cores_seeds"] >= 1 and head["pyvrp_all_cores_mean_gap_pct"] is not None
    assert head["gap_ratio_coldroute_over_pyvrp_all_cores"] is not None
    assert "all-cores gap %" in out.stdout


def test_bench_neighbours_runs_each_size_on_each_seed(tmp_path):
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_neighbours.py"), "solomon", "c101"]
    cmd += ["--time-limit", "1", "--sizes", "50", "20", "--seeds", "3", "--data", str(DATA)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    head = _last_json(out)
    assert sorted((r["size"], r["seed"]) for r in head["rows"]) == [(20, 3), (50, 3)]
    assert head["runs"] == 1 and set(head["mean_gap_pct"]) == {"50", "20"}
    assert all(r["gap"] is not None and r["iterations"] > 0 for r in head["rows"])
    assert "mean gap with 20 neighbours over 1 runs" in out.stdout


def test_pyvrp_on_all_cores_keeps_the_best_of_its_seeds():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_classic as B

    problem = L.read_instance(DATA / "solomon" / "c101.txt")
    try:
        both = B.solve_pyvrp_all_cores(problem, 1.0, seed=0, processes=2)
    finally:
        for pool in B._POOLS.values():
            pool.terminate()
        B._POOLS.clear()
    assert both["seeds"] == 2 and both["feasible"] and both["best_seed"] in (0, 1)
    each = both["seed_distances"]
    assert len(each) == 2 and both["distance"] == min(d for d in each if d is not None)
    assert both["distance"] == each[both["best_seed"]]


def test_bench_portfolio_json(tmp_path):
    import shutil

    data = tmp_path / "data"
    (data / "solomon").mkdir(parents=True)
    (data / "cvrplib" / "X").mkdir(parents=True)
    for name in ("c101.txt", "bks.csv"):
        shutil.copy(DATA / "solomon" / name, data / "solomon" / name)
    for name in ("X-n101-k25.vrp", "bks.csv"):
        shutil.copy(DATA / "cvrplib" / name, data / "cvrplib" / "X" / name)
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_portfolio.py"),
            "--sets",
            "solomon,x",
            "--time-limit",
            "1",
            "--data",
            str(data),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    head = _last_json(out)
    assert set(head["sets"]) == {"solomon", "x"} and head["overall"]["instances"] == 2
    assert head["overall"]["violations"] == 0
    for key in ("mean_gap_pct", "baseline_mean_gap_pct", "pyvrp_mean_gap_pct"):
        assert head["overall"][key] is not None


# --------------------------------------------------------------------------- decomposition


def test_lpt_spreads_parts_longest_first():
    assert _lpt([381, 16, 380, 165, 127, 381, 170, 380], 2) == [[0, 2, 6, 1], [5, 7, 3, 4]]
    assert _lpt([5, 3], 4) == [[0], [1]]
    assert _lpt([7], 1) == [[0]]


def test_decomposed_day_is_validated_and_every_part_gets_time():
    from logistics.app.scenarios import yanhu_day

    problem = yanhu_day(240, seed=1)
    plan = L.solve(problem, time_limit=16, seed=0, decompose=True, max_part=60)
    check(problem, plan)
    m = plan.meta
    assert m["decomposed"] == len(m["parts"]) == len(m["part_time_limit"]) >= 4
    assert sum(m["part_sizes"]) == 240 and [p["orders"] for p in m["parts"]] == m["part_sizes"]
    assert all(x > 0 for x in m["part_time_limit"])
    assert all(p["skeleton"] == "pyvrp" for p in m["parts"])
    assert plan.kpis["served"] > 200
