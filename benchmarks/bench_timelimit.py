"""How far ``logistics.solve`` overruns its time limit on hard generated days.

The instances are built to make OR-Tools struggle for a first solution: many
orders (300-800), narrow time windows spread over the day, service times,
chilled goods with short shelf lives beside ambient pickups (so every delivery
gets a depot loading node), two depots, a mixed fleet with many vehicles and
tight capacities.  For every (size, time limit) the script runs ``solve`` and
prints limit, elapsed wall time, the overrun in percent of the limit and the
model-build and search times reported in ``plan.meta``; the last line is one
JSON object with every row, for scripts.

    python benchmarks/bench_timelimit.py                      # default sizes and limits
    python benchmarks/bench_timelimit.py --sizes 300 800 --limits 2 5 --engine ortools
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import logistics as L  # noqa: E402
import networks  # noqa: E402


def hard_problem(n: int, seed: int = 0, *, window_min: int = 30, vehicles: int | None = None) -> L.Problem:
    """A tightly constrained day of ``n`` orders (see the module docstring)."""
    rng = np.random.default_rng(seed)
    ids = ["D0", "D1"] + [f"c{i}" for i in range(n)]
    xy = rng.uniform(0, 60_000, (len(ids), 2))
    xy[0], xy[1] = (20_000, 30_000), (40_000, 30_000)
    d = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) * 1.3)
    tm = networks.TravelMatrix(ids, d, np.rint(d / 12.5))
    products = [
        L.Product("milk", "chilled", shelf_life_h=3, value=6),
        L.Product("rice", "ambient"),
        L.Product("fish", "frozen", value=25),
    ]
    k = vehicles if vehicles is not None else max(4, n // 8)
    fleet = [
        L.VehicleType(
            "reefer",
            k // 2,
            (L.Compartment("chilled", 60), L.Compartment("frozen", 30)),
            start_depot="D0",
            cost_per_km=2.5,
            fixed_cost=120,
            shift=(6 * 3600, 16 * 3600),
        ),
        L.VehicleType(
            "van",
            k - k // 2,
            (L.Compartment("ambient", 80),),
            start_depot="D1",
            cost_per_km=1.5,
            fixed_cost=60,
            shift=(7 * 3600, 18 * 3600),
            max_duration=8 * 3600,
        ),
    ]
    orders = []
    for i in range(n):
        r = rng.random()
        a = int(rng.integers(7 * 60, 17 * 60)) * 60
        w = ((a, a + window_min * 60),)
        if r < 0.45:
            orders.append(
                L.Order(f"o{i}", {"milk": float(rng.integers(3, 15))}, node_id=f"c{i}", time_windows=w, service=300)
            )
        elif r < 0.6:
            orders.append(
                L.Order(
                    f"o{i}",
                    {"fish": float(rng.integers(2, 8))},
                    node_id=f"c{i}",
                    time_windows=w,
                    service=300,
                    required=False,
                    penalty=80.0,
                )
            )
        elif r < 0.8:
            orders.append(
                L.Order(f"o{i}", {"rice": float(rng.integers(5, 20))}, node_id=f"c{i}", time_windows=w, service=240)
            )
        else:
            orders.append(
                L.Order(
                    f"o{i}",
                    {"rice": float(rng.integers(5, 20))},
                    node_id=f"c{i}",
                    kind="pickup",
                    time_windows=w,
                    service=240,
                )
            )
    return L.Problem(orders, fleet, products=products, matrix=tm, name=f"hard-{n}-{seed}", strict=False)


def measure(problem: L.Problem, limit: float, *, engine: str = "ortools", seed: int = 0) -> dict:
    t0 = time.perf_counter()
    plan = L.solve(problem, time_limit=limit, seed=seed, engine=engine)
    elapsed = time.perf_counter() - t0
    m = plan.meta
    return {
        "orders": len(problem.orders),
        "engine": engine,
        "limit": limit,
        "elapsed": round(elapsed, 3),
        "overrun_pct": round(100.0 * (elapsed - limit) / limit, 1),
        "build_s": m.get("build_s"),
        "search_s": m.get("search_s"),
        "status": m.get("status"),
        "served": plan.kpis.get("served"),
        "unserved": plan.kpis.get("unserved"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 500, 800])
    ap.add_argument("--limits", type=float, nargs="+", default=[2.0, 5.0, 10.0])
    ap.add_argument("--engine", default="ortools", choices=["ortools", "auto"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rows = []
    head = (
        f"{'orders':>6} {'engine':>7} {'limit':>6} {'elapsed':>8} {'overrun%':>9} {'build s':>8} {'search s':>9}"
        f" {'served':>6} {'status'}"
    )
    print(head)
    print("-" * len(head))
    for n in args.sizes:
        p = hard_problem(n, args.seed)
        for limit in args.limits:
            row = measure(p, limit, engine=args.engine, seed=args.seed)
            rows.append(row)
            print(
                f"{row['orders']:>6} {row['engine']:>7} {row['limit']:>6.1f} {row['elapsed']:>8.2f} "
                f"{row['overrun_pct']:>9.1f} {row['build_s'] or 0:>8.2f} {row['search_s'] or 0:>9.2f} "
                f"{row['served']:>6} {row['status']}",
                flush=True,
            )
    worst = max(rows, key=lambda r: r["overrun_pct"])
    print(
        json.dumps(
            {
                "benchmark": "timelimit",
                "rows": rows,
                "worst_overrun_pct": worst["overrun_pct"],
                "worst": {k: worst[k] for k in ("orders", "limit", "elapsed")},
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
