"""VROOM mode's start from VROOM's own routes (pyvroom), and PyVRP's search from a warm start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import logistics
from logistics.app.vroom import solve_vroom
from logistics.app.vroom_start import expressible, start_mode, vroom_start
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions
from logistics.engine.solvers.arrays import build
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.pyvrp.model import build_instance
from logistics.engine.solvers.pyvrp.search import initial_solution, run_instance
from logistics.formats.vroom import read_vroom
from logistics.formats.vroom_convert import lilim_to_vroom, solomon_to_vroom

DATA = Path(__file__).resolve().parents[1] / "data"


def test_vroom_routes_map_to_our_vehicles_and_orders():
    vin = read_vroom(solomon_to_vroom(DATA / "solomon" / "c101.txt"))
    assert expressible(vin)
    start, meta = vroom_start(vin, SolveOptions(time_limit=2.0, workers=1))
    assert meta["vroom_start"] == "restart" and start is not None and start.improve == start_mode(vin)
    vehicles = {vid for vid, _ in vin.problem.vehicles()}
    assert set(start.stops["vehicle"]) <= vehicles
    # every job once: c101 has a fleet that serves all
    assert sorted(start.stops["order_id"]) == sorted(o.id for o in vin.problem.orders)


def test_no_start_without_matrices_or_with_an_iteration_bound():
    vin = read_vroom(json.loads((DATA / "vroom" / "example_1.json").read_text()))
    assert not expressible(vin)  # coordinates only: VROOM would need a routing server
    start, meta = vroom_start(vin, SolveOptions(time_limit=2.0, workers=1))
    assert start is None and meta["vroom_start"].startswith("skipped")
    vin = read_vroom(solomon_to_vroom(DATA / "solomon" / "c101.txt"))
    start, meta = vroom_start(vin, SolveOptions(time_limit=2.0, iterations=100, workers=1))
    assert start is None and "iteration" in meta["vroom_start"]


def test_solve_vroom_improves_on_vroom_start_and_validates():
    doc = lilim_to_vroom(DATA / "lilim" / "lr205.txt")
    out, vin, plan = solve_vroom(doc, SolveOptions(time_limit=3.0, seed=0, workers=1), return_plan=True)
    assert plan.meta["vroom_start"] == "improved"
    assert logistics.validate(vin.problem, plan) == []
    assert out["summary"]["unassigned"] == 0
    # PyVRP searches from VROOM's routes: never worse than them
    assert out["summary"]["cost"] <= plan.meta["vroom_start_cost"]


def test_pyvrp_warm_start_keeps_whole_pairs_only():
    vin = read_vroom(lilim_to_vroom(DATA / "lilim" / "lr205.txt"))
    data = build(vin.problem)
    inst = build_instance(data, "cost", cost_arrays(data))
    first = run_instance(inst, 60.0, 0, 50)
    assert first.feasible
    # from its own routes, one iteration keeps (at least) their cost
    again = run_instance(inst, 60.0, 1, 1, initial=first.routes)
    assert again.cost <= first.cost
    # a route driven backwards puts every delivery before its pickup: those pairs are left out
    k = next(v for v, r in enumerate(first.routes) if r)
    routes = [list(reversed(r)) if v == k else list(r) for v, r in enumerate(first.routes)]
    sol = initial_solution(inst, routes)
    assert sol is not None and len(first.routes[k]) >= 2
    assert sol.num_shipments() == len(inst.shipment_orders) - len(first.routes[k]) // 2


def test_start_mode_improves_with_shipments_and_restarts_with_jobs_only():
    assert start_mode(read_vroom(lilim_to_vroom(DATA / "lilim" / "lr205.txt"))) is True
    share = start_mode(read_vroom(solomon_to_vroom(DATA / "solomon" / "r101.txt")))
    assert share is not True and share is not False and 0.0 < share < 1.0


def test_jobs_only_input_restarts_from_the_cheaper_of_vroom_and_pyvrp():
    doc = solomon_to_vroom(DATA / "solomon" / "r101.txt")
    out, vin, plan = solve_vroom(doc, SolveOptions(time_limit=3.0, seed=0, workers=1), return_plan=True)
    assert plan.meta["vroom_start"] == "restart"
    assert logistics.validate(vin.problem, plan) == []
    assert out["summary"]["unassigned"] == 0
    # PyVRP's second search starts from the cheaper of its first routes and VROOM's: never above either
    vroom_cost, own_cost = plan.meta["restart_costs"]
    assert plan.meta["restart_from"] == ("pyvrp" if own_cost < vroom_cost else "initial")
    assert plan.meta["skeleton_cost"] <= min(vroom_cost, own_cost)
    assert out["summary"]["cost"] <= plan.meta["vroom_start_cost"]


def test_warm_start_seeds_pyvrp_unless_told_to_search_from_scratch():
    problem = read_vroom(solomon_to_vroom(DATA / "solomon" / "r101.txt")).problem
    opts = SolveOptions(time_limit=20.0, seed=0, iterations=50, workers=1)
    first = logistics.solve(problem, opts)
    # from scratch, the same seed and iterations give the same skeleton, whatever the start
    scratch = logistics.solve(problem, opts, initial=first, warm_pyvrp=False)
    assert scratch.meta["skeleton_cost"] == first.meta["skeleton_cost"]
    # from the first plan's routes, 50 more iterations go further than 50 from scratch
    warm = logistics.solve(problem, opts, initial=first, warm_pyvrp=True)
    assert warm.meta["skeleton_cost"] < first.meta["skeleton_cost"]
    for plan in (first, scratch, warm):
        assert logistics.validate(problem, plan) == []


def test_restart_share_searches_twice_and_keeps_the_cheaper_start():
    problem = read_vroom(solomon_to_vroom(DATA / "solomon" / "r101.txt")).problem
    opts = SolveOptions(time_limit=20.0, seed=0, iterations=30, workers=1)
    first = logistics.solve(problem, opts)
    plans = [logistics.solve(problem, opts, initial=first, warm_pyvrp=0.5) for _ in range(2)]
    given, own = plans[0].meta["restart_costs"]
    # the second search starts from the cheaper of the plan given and PyVRP's first routes
    assert plans[0].meta["restart_from"] == ("pyvrp" if own < given else "initial")
    assert plans[0].meta["skeleton_cost"] <= min(given, own)
    # iteration-bound: the same plan twice
    assert plans[0].meta["skeleton_cost"] == plans[1].meta["skeleton_cost"]
    assert plans[0].stops[["vehicle", "seq", "order_id"]].equals(plans[1].stops[["vehicle", "seq", "order_id"]])
    for plan in plans:
        assert logistics.validate(problem, plan) == []
    with pytest.raises(ProblemError, match="warm_pyvrp"):
        logistics.solve(problem, opts, initial=first, warm_pyvrp=1.5)
