"""The three-tier day's boundary re-balancing with and without its stall rule: same plans, less time.

    python benchmarks/bench_rebalance.py [--limit 60] [--runs 0:0 0:1 0:2 1:0 2:0 3:0 4:0 5:0]

Each run ``day:seed`` plans ``logistics.yanhu_tier_day(day)`` with solver seed ``seed`` and the default
options, twice: with re-balancing ending after ``TIERS_STALL_TRIALS`` rejected trials in a row (the
default), and with the rule off (every trial the phase has time for).  Every plan is checked by the
tier validator.  The table shows each run's cost, time, time in re-balancing and the trials as a
string (``K`` a kept move, ``.`` a rejected one).  The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import logistics as L  # noqa: E402
from logistics.core.options import SolveOptions  # noqa: E402
from logistics.planners.tiers import plan_scenario  # noqa: E402
from logistics.planners.tiers import rebalance as rebalance_module  # noqa: E402

RUNS = ("0:0", "0:1", "0:2", "1:0", "2:0", "3:0", "4:0", "5:0")


def plan_once(day: int, seed: int, limit: float, stall: bool) -> dict[str, Any]:
    """One tier day planned and validated; its figures and the string of trials."""
    default = rebalance_module.TIERS_STALL_TRIALS
    rebalance_module.TIERS_STALL_TRIALS = default if stall else 10**9
    try:
        t0 = time.perf_counter()
        tp = plan_scenario(L.yanhu_tier_day(day), SolveOptions(time_limit=limit, seed=seed))
        elapsed = time.perf_counter() - t0
    finally:
        rebalance_module.TIERS_STALL_TRIALS = default
    trials = [e for e in tp.meta["log"] if e.get("step") in ("move", "swap")]
    return {
        "day": day,
        "seed": seed,
        "stall_rule": stall,
        "cost": round(float(tp.kpis["cost"]), 2),
        "violations": len(tp.validate(legs=True)),
        "elapsed_s": round(elapsed, 2),
        "rebalance_s": tp.meta["phase_elapsed_s"].get("re-balancing"),
        "trials": "".join("K" if e["kept"] else "." for e in trials),
        "stalled": any(e.get("step") == "rebalance stalled" for e in tp.meta["log"]),
    }


def main(argv: list[str] | None = None) -> int:
    """Plan every run with and without the rule; print the table and the JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--runs", nargs="+", default=list(RUNS), help="day:seed pairs")
    a = ap.parse_args(argv)
    rows = []
    for spec in a.runs:
        day, seed = (int(x) for x in spec.split(":"))
        for stall in (False, True):
            rows.append(plan_once(day, seed, a.limit, stall))
            print(json.dumps(rows[-1]), flush=True)
    print(f"three-tier day, {a.limit:g} s, {os.cpu_count()} cores, stall after {rebalance_module.TIERS_STALL_TRIALS}")
    print(f"{'day':>4}{'seed':>5}{'rule':>6}{'cost ¥':>11}{'elapsed s':>10}{'rebal. s':>9}{'viol':>5}  trials")
    for r in rows:
        print(
            f"{r['day']:>4}{r['seed']:>5}{'on' if r['stall_rule'] else 'off':>6}{r['cost']:>11,.2f}"
            f"{r['elapsed_s']:>10.1f}{r['rebalance_s']:>9.1f}{r['violations']:>5}  {r['trials']}"
        )
    pairs = list(zip(rows[::2], rows[1::2]))
    same = sum(1 for off, on in pairs if off["cost"] == on["cost"])
    mean = {k: round(sum(r["elapsed_s"] for r in rows if r["stall_rule"] == k) / len(pairs), 2) for k in (False, True)}
    off, on = mean[False], mean[True]
    print(f"same cost in {same} of {len(pairs)} runs; mean elapsed {off:.1f} s without the rule, {on:.1f} s with it")
    summary = {"same_cost": same, "runs": len(pairs), "mean_elapsed_off": off, "mean_elapsed_on": on}
    print(json.dumps({"benchmark": "bench_rebalance", "limit_s": a.limit, **summary, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
