"""PyVRP's granular neighbourhood at short limits: plain PyVRP with each size, side by side.

    python benchmarks/bench_neighbours.py SET [INSTANCE ...] --time-limit T [--sizes 50 30]
                                          [--seeds 0 1] [--data DIR]

For each instance and seed the sizes run in pairs, one process per core, at the same time and
for the same wall time (counted from the model build), so that the load of the machine falls on
both alike: a size's only advantage is what it does with its time.  Each process runs a plain
``pyvrp.solve`` of the instance (`bench_classic.pyvrp_data`: the same integer matrix, fleet,
windows and service times as coldroute's model) with PyVRP's defaults except
``NeighbourhoodParams.num_neighbours``.  It prints one row per instance, seed and size (gap to
the best-known value, iterations), the mean gap per size over the runs every size finished, and
one JSON line.  This is how ``logistics.core.shares.PYVRP_NEIGHBOURS`` was chosen; run it on
instances outside the sets whose figures are reported, so that the choice is not fitted to them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmark helpers, also when imported
from _common import data_dir, fmt, gap, mean, resolve_set, select, table


def run_size(path: str, seconds: float, seed: int, size: int) -> dict:
    """One plain PyVRP run of ``path`` with ``size`` neighbours: the task of one core."""
    import pyvrp
    from bench_classic import pyvrp_data
    from pyvrp.search import NeighbourhoodParams
    from pyvrp.solve import SolveParams
    from pyvrp.stop import MaxRuntime

    from logistics import read_instance

    t0 = time.perf_counter()
    problem = read_instance(path)
    data = pyvrp_data(problem)
    params = SolveParams(neighbourhood=NeighbourhoodParams(num_neighbours=size))
    left = max(0.05, seconds - (time.perf_counter() - t0))
    res = pyvrp.solve(data, MaxRuntime(left), seed=seed, params=params, collect_stats=False, display=False)
    best = res.best
    ok = bool(best.is_feasible() and best.is_complete())
    scale = float(problem.meta.get("scale", 1) or 1)
    cost = best.distance() / scale if ok else None
    return {
        "instance": Path(path).stem,
        "seed": seed,
        "size": size,
        "cost": cost,
        "gap": gap(cost, problem.meta.get("bks")),
        "iterations": int(res.num_iterations),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set")
    ap.add_argument("instances", nargs="*")
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 30])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--data")
    args = ap.parse_args(argv)
    _, files = resolve_set(args.set, data_dir(args.data))
    files = select(files, args.instances)
    rows: list[dict] = []
    with get_context("spawn").Pool(2) as pool:
        for path in files:
            for seed in args.seeds:
                for k in range(0, len(args.sizes), 2):
                    pair = [(str(path), args.time_limit, seed, s) for s in args.sizes[k : k + 2]]
                    for row in pool.starmap(run_size, pair):
                        rows.append(row)
                        print(
                            f"  {row['instance']} seed {seed} size {row['size']}: gap {fmt(row['gap'], 3)} %",
                            flush=True,
                        )
    print()
    print(
        table(
            rows,
            [
                ("instance", "instance", 0),
                ("seed", "seed", 0),
                ("size", "neighbours", 0),
                ("cost", "cost", 2),
                ("gap", "gap %", 3),
                ("iterations", "iterations", 0),
            ],
        )
    )
    finished = {(r["instance"], r["seed"], r["size"]) for r in rows if r["gap"] is not None}
    done = {
        (r["instance"], r["seed"]) for r in rows if all((r["instance"], r["seed"], s) in finished for s in args.sizes)
    }
    means = {
        s: mean(r["gap"] for r in rows if r["size"] == s and (r["instance"], r["seed"]) in done) for s in args.sizes
    }
    print()
    for s, m in means.items():
        print(f"mean gap with {s} neighbours over {len(done)} runs: {fmt(m, 3)} %")
    out = {
        "benchmark": "bench_neighbours",
        "set": args.set,
        "time_limit": args.time_limit,
        "seeds": args.seeds,
        "runs": len(done),
        "mean_gap_pct": {str(s): None if m is None else round(m, 4) for s, m in means.items()},
        "rows": rows,
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
