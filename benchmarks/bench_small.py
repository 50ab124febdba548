"""Small jobs answer fast: time and cost at 1, 3 and 10 s limits for 25, 100 and 400 orders.

A courier with a 25-stop day should not wait out a 10 s limit: the search stops once it has
converged (``SolveOptions.stop_early``, the default).  For every instance and limit the script runs
``logistics.solve`` as users call it and prints the wall time it took, its route length (in the
instance's matrix units, so the engines compare) and how each search ended; ``full 10 s`` is the same
call with ``stop_early=False`` (the whole 10 s searched), the target a converged run should reach.
VROOM (pyvroom, when installed) solves the same instances with its default exploration level and
every core; its routes are measured on the same matrix.  The instances are Solomon ones cut to their
first 25 and 100 customers, and Homberger 400 ones whole (classic VRPTW: distance is the objective).

    python benchmarks/bench_small.py                       # r101, c201 and rc101; R1_4_1
    python benchmarks/bench_small.py --limits 1 3 --sizes 25 100

The last line is one JSON object with every row.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from typing import Any

from _common import data_dir, table

import logistics as L
from logistics.core.options import SolveOptions
from logistics.formats.instances import read_instance


def route_length(problem: L.Problem, routes: list[list[str]]) -> int:
    """Matrix distance of routes given as lists of node ids, from and back to the depot."""
    m = problem.matrix
    index = {n: i for i, n in enumerate(m.ids)}
    depot = index[problem.fleet[0].start_depot]
    total = 0
    for seq in routes:
        path = [depot] + [index[n] for n in seq] + [depot]
        total += int(sum(m.distance[a, b] for a, b in zip(path, path[1:])))
    return total


def plan_routes(problem: L.Problem, plan: L.Plan) -> list[list[str]]:
    """The node ids each vehicle visits, in order."""
    nodes = {o.id: o.node_id for o in problem.orders}
    stops = plan.stops[plan.stops["order_id"].notna()]
    return [[nodes[o] for o in g.sort_values("arrival")["order_id"]] for _, g in stops.groupby("vehicle")]


def run_vroom(problem: L.Problem, limit: float) -> dict[str, Any] | None:
    """VROOM on the same matrix (durations = distances for Solomon), or None without pyvroom."""
    try:
        import vroom  # deferred: pyvroom is optional
    except ImportError:
        return None
    m = problem.matrix
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=m.duration.astype(int).tolist())
    vt = problem.fleet[0]
    depot = list(m.ids).index(vt.start_depot)
    cap = int(sum(c.capacity for c in vt.compartments))
    for k in range(vt.count):
        inp.add_vehicle(
            vroom.Vehicle(
                k + 1, start=depot, end=depot, capacity=vroom.Amount([cap]), time_window=vroom.TimeWindow(*vt.shift)
            )
        )
    ids = list(m.ids)
    for j, o in enumerate(problem.orders):
        tws = [vroom.TimeWindow(int(a), int(b)) for a, b in o.time_windows] or [vroom.TimeWindow()]
        q = int(sum(o.quantities.values()))
        inp.add_job(
            vroom.Job(
                j + 1,
                location=ids.index(o.node_id),
                default_service=int(o.service),
                delivery=vroom.Amount([q]),
                time_windows=tws,
            )
        )
    t0 = time.perf_counter()
    sol = inp.solve(exploration_level=5, nb_threads=os.cpu_count() or 1)
    wall = time.perf_counter() - t0
    routes_frame = sol.routes
    routes = []
    for _, g in routes_frame[routes_frame["type"] == "job"].groupby("vehicle_id"):
        routes.append([ids[int(loc)] for loc in g["location_index"]])
    unserved = len(problem.orders) - sum(len(r) for r in routes)
    return {"wall_s": round(wall, 3), "length": route_length(problem, routes), "unserved": unserved}


def instances(data: Any, names: list[str], sizes: list[int]) -> list[tuple[str, L.Problem]]:
    """(label, problem) for every Solomon name cut to each size <= 100 and Homberger 400 for 400."""
    out = []
    for size in sizes:
        if size <= 100:
            for name in names:
                p = read_instance(data / "solomon" / f"{name}.txt")
                out.append((f"{name}[:{size}]", dataclasses.replace(p, orders=p.orders[:size])))
        else:
            p = read_instance(data / "homberger" / "R1_4_1.txt")
            out.append(("R1_4_1", dataclasses.replace(p, orders=p.orders[:size])))
    return out


def run_one(problem: L.Problem, options: SolveOptions) -> dict[str, Any]:
    t0 = time.perf_counter()
    plan = L.solve(problem, options=options)
    wall = time.perf_counter() - t0
    return {
        "wall_s": round(wall, 3),
        "length": route_length(problem, plan_routes(problem, plan)),
        "unserved": int(len(plan.unserved)),
        "violations": len(L.validate(problem, plan)),
        "skeleton": plan.meta.get("skeleton_stopped"),
        "polish": plan.meta.get("stopped", "-"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[25, 100, 400])
    ap.add_argument("--limits", type=float, nargs="+", default=[1.0, 3.0, 10.0])
    ap.add_argument("--instances", nargs="+", default=["r101", "c201", "rc101"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=None)
    a = ap.parse_args(argv)
    data = data_dir(a.data)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"small jobs: sizes {a.sizes}, limits {a.limits} s, seed {a.seed}; {os.cpu_count()} cores, load {load}")
    rows: list[dict[str, Any]] = []
    for label, problem in instances(data, a.instances, a.sizes):
        full = run_one(problem, SolveOptions(time_limit=max(a.limits), seed=a.seed, stop_early=False))
        vr = run_vroom(problem, max(a.limits))
        for limit in a.limits:
            r = run_one(problem, SolveOptions(time_limit=limit, seed=a.seed))
            row = {"instance": label, "orders": len(problem.orders), "limit_s": limit, **r}
            row["full_length"] = full["length"]
            row["vs_full_pct"] = round(100.0 * (r["length"] - full["length"]) / full["length"], 3)
            if vr is not None:
                row["vroom_length"], row["vroom_s"] = vr["length"], vr["wall_s"]
                row["vs_vroom_pct"] = round(100.0 * (r["length"] - vr["length"]) / vr["length"], 3)
            rows.append(row)
            print(json.dumps(row), flush=True)
    cols = [
        ("instance", "instance", 0),
        ("limit_s", "limit s", 0),
        ("wall_s", "took s", 2),
        ("length", "length", 0),
        ("full_length", f"full {max(a.limits):g} s", 0),
        ("vs_full_pct", "vs full %", 2),
        ("vroom_length", "VROOM", 0),
        ("vroom_s", "VROOM s", 2),
        ("vs_vroom_pct", "vs VROOM %", 2),
        ("skeleton", "PyVRP", 0),
        ("polish", "OR-Tools", 0),
        ("violations", "viol", 0),
    ]
    print(table(rows, cols))
    by_size: dict[str, Any] = {}
    for size in sorted({r["orders"] for r in rows}):
        for limit in a.limits:
            sel = [r for r in rows if r["orders"] == size and r["limit_s"] == limit]
            by_size[f"{size}@{limit:g}"] = {
                "mean_wall_s": round(sum(r["wall_s"] for r in sel) / len(sel), 3),
                "mean_vs_full_pct": round(sum(r["vs_full_pct"] for r in sel) / len(sel), 3),
                "mean_vs_vroom_pct": (
                    round(sum(r["vs_vroom_pct"] for r in sel) / len(sel), 3) if "vs_vroom_pct" in sel[0] else None
                ),
            }
    print(json.dumps({"benchmark": "bench_small", "seed": a.seed, "load": load, "summary": by_size, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
