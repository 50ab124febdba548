"""Cooperative PyVRP rounds against independent seeds, at equal iterations per process.

    python benchmarks/bench_coop.py INSTANCE:SECONDS [...] [--rounds 8] [--seed S] [--data DIR]

INSTANCE is a path (absolute, or relative to the data folder) of a classic
instance; SECONDS sets the iterations each process runs: the iterations the
engine expects for that time limit (``ITERS_PER_S_X_ORDERS x SECONDS / n``),
so the comparison does not depend on the machine's load.  Both variants run
two processes (seed and seed + 1) with the late-acceptance history the engine
uses for that limit (``history_for``):

* independent: each process searches alone, the best is kept
  (``portfolio._run_seeds``, the default portfolio);
* cooperative: the same iterations in ``--rounds`` rounds, every round starting
  both processes from the best so far (``coop.run_cooperative``).

One row per instance and variant: distance and gap to the best-known value.
The last line is one JSON object with every row.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmark helpers, also when imported
from _common import data_dir, gap, mean, table

import logistics as L
import logistics.engine.solvers.pyvrp.coop as C
from logistics.core.shares import ITERS_PER_S_X_ORDERS
from logistics.engine.solvers import arrays
from logistics.engine.solvers.ortools.costs import cost_arrays
from logistics.engine.solvers.pyvrp.model import build_instance
from logistics.engine.solvers.pyvrp.portfolio import _run_seeds, history_for


def run_case(path: Path, seconds: float, rounds: int, seed: int) -> list[dict]:
    """Independent, then cooperative, on one instance at the same iterations per process."""
    problem = L.read_instance(path)
    scale = float(problem.meta.get("scale", 1) or 1)
    data = arrays.build(problem)
    inst = build_instance(data, "distance", cost_arrays(data))
    n = data.n_orders
    iters = int(ITERS_PER_S_X_ORDERS * seconds / n)
    history = history_for(n, seconds)
    rows = []
    for variant in ("independent", "cooperative"):
        t0 = time.perf_counter()
        deadline = time.monotonic() + 100 * seconds  # the iterations end the run, never the clock
        if variant == "independent":
            r = _run_seeds(inst, deadline, [seed, seed + 1], iters, history, grace=1.0)
        else:
            C.COOP_ROUNDS = rounds
            r = C.run_cooperative(inst, deadline, [seed, seed + 1], iters, history, grace=1.0)
        cost = r.cost / scale
        rows.append(
            {
                "instance": problem.meta.get("name", path.stem),
                "variant": variant,
                "iterations": iters,
                "cost": round(cost, 2),
                "gap": gap(cost, problem.meta.get("bks")) if r.feasible else None,
                "wall_s": round(time.perf_counter() - t0, 1),
            }
        )
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Cooperative PyVRP rounds vs independent seeds, equal iterations.")
    ap.add_argument("cases", nargs="+", help="INSTANCE:SECONDS")
    ap.add_argument("--rounds", type=int, default=C.COOP_ROUNDS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=None, help="benchmark data folder (default $COLDROUTE_DATA or ../shared/data)")
    a = ap.parse_args(argv)
    data = data_dir(a.data)
    rows: list[dict] = []
    for case in a.cases:
        name, seconds = case.rsplit(":", 1)
        path = Path(name) if Path(name).is_absolute() else data / name
        rows += run_case(path, float(seconds), a.rounds, a.seed)
    cols = [("instance", "instance", 0), ("variant", "variant", 0), ("iterations", "iterations", 0)]
    cols += [("cost", "cost", 2), ("gap", "gap %", 3), ("wall_s", "wall s", 1)]
    print(table(rows, cols))
    means = {v: mean(r["gap"] for r in rows if r["variant"] == v) for v in ("independent", "cooperative")}
    print(f"\nmean gap: independent {means['independent']:.3f} %, cooperative {means['cooperative']:.3f} %")
    print(json.dumps({"rounds": a.rounds, "seed": a.seed, "mean_gap": means, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
