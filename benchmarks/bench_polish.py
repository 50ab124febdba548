"""Why OR-Tools' polish gains little on the Yanhu cold-chain day: its search rate, and what its objective leaves out.

    python benchmarks/bench_polish.py [--limit 30] [--seed 0]

The day (``logistics.yanhu_demo(0)``) is solved four times with the default options: as built, without
the driving rule's rests (``max_driving_h=None``), without freshness costs (every decay rate 0), and
without either.  Each solve runs in a child process with OR-Tools' search log on, and the last search
of the log (the polish from PyVRP's skeleton) gives how many neighbours OR-Tools looked at per second.
The first variant's plan is valid; the others break the driving rule or price the day otherwise, so
they show where the search's time goes, not plans to use.

Per plan it also splits the exact freshness loss (``kpis["quality_loss"]``) between deliveries and
picked-up produce (`logistics.core.costs.freshness_by_kind`): the solver's linear objective prices a
delivery's freshness from the start of the day, and produce picked up not at all
(`logistics.engine.solvers.ortools.costs.cost_arrays`).  The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

VARIANTS = ("as built", "no rests", "no freshness", "neither")
FINISHED = re.compile(
    r"Finished search tree \(time = (\d+) ms.*?neighbors = (\d+), filtered neighbors = (\d+), accepted neigbors = (\d+)"
)


def _day(variant: str) -> Any:
    """The cold-chain day, with the rule or the freshness costs taken out as ``variant`` says."""
    import logistics as L

    p = L.yanhu_demo(0)
    if variant in ("no rests", "neither"):
        p = dataclasses.replace(p, fleet=tuple(dataclasses.replace(vt, max_driving_h=None) for vt in p.fleet))
    if variant in ("no freshness", "neither"):
        costs = dataclasses.replace(p.costs, decay_per_h=dict.fromkeys(p.costs.decay_per_h, 0.0))
        products = {k: dataclasses.replace(v, decay_per_h=None) for k, v in p.products.items()}
        p = dataclasses.replace(p, costs=costs, products=products)
    return p


def child(variant: str, limit: float, seed: int) -> None:
    """Solve one variant with OR-Tools' log on (stderr) and print its figures as JSON (stdout)."""
    import logistics as L
    from logistics.core.costs import freshness_by_kind
    from logistics.core.options import SolveOptions

    problem = _day(variant)
    plan = L.solve(problem, SolveOptions(time_limit=limit, seed=seed, log=True))
    split = freshness_by_kind(problem, plan)
    row = {
        "variant": variant,
        "cost": round(float(plan.kpis["cost"]), 2),
        "objective": plan.kpis.get("objective"),
        "violations": len(L.validate(L.yanhu_demo(0), plan)),
        "polish_s": plan.meta.get("search_s"),
        "improvements": len(plan.meta.get("history") or []),
        "freshness_deliveries": round(split["delivery"], 2),
        "freshness_produce": round(split["pickup"], 2),
    }
    print(json.dumps(row), flush=True)


def run(variant: str, limit: float, seed: int) -> dict[str, Any]:
    """One variant in a child process; its row with the polish's neighbour counts from the log."""
    cmd = [sys.executable, __file__, "--child", variant, "--limit", str(limit), "--seed", str(seed)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(REPO)}, check=True)
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    found = FINISHED.findall(done.stderr)
    if found:
        ms, neighbours, filtered, accepted = map(int, found[-1])
        row |= {
            "search_ms": ms,
            "neighbours": neighbours,
            "filtered": filtered,
            "accepted": accepted,
            "neighbours_per_s": round(1000 * neighbours / max(ms, 1)),
        }
    return row


def main(argv: list[str] | None = None) -> int:
    """Run the four variants and print the table and the JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.child, a.limit, a.seed)
        return 0
    rows = [run(v, a.limit, a.seed) for v in VARIANTS]
    print(f"cold-chain day, {a.limit:g} s, seed {a.seed}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    head = f"{'variant':<14}{'cost ¥':>10}{'objective':>11}{'polish s':>9}{'neighbours':>11}{'per s':>9}"
    print(head + f"{'accepted':>9}{'better':>7}{'fresh. down ¥':>14}{'fresh. up ¥':>12}{'viol':>6}")
    for r in rows:
        print(
            f"{r['variant']:<14}{r['cost']:>10,.2f}{r['objective'] or 0:>11,.2f}{r['polish_s'] or 0:>9.2f}"
            f"{r.get('neighbours', 0):>11,}{r.get('neighbours_per_s', 0):>9,}{r.get('accepted', 0):>9}"
            f"{r['improvements']:>7}{r['freshness_deliveries']:>14,.2f}{r['freshness_produce']:>12,.2f}"
            f"{r['violations']:>6}"
        )
    print(json.dumps({"benchmark": "bench_polish", "limit_s": a.limit, "seed": a.seed, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
