"""Decomposed against whole searches at equal time, on classic instances and on Yanhu cold-chain days.

    python benchmarks/bench_decompose.py [CASE ...] [--seed S] [--data DIR]

A CASE is ``yanhu:STOPS:LIMIT[:MAX_PART]`` (a generated Yanhu cold-chain day,
``logistics.app.scenarios.yanhu_day(STOPS, seed)``, the generator of
``bench_scale.py``) or ``homberger:NAME:LIMIT[:MAX_PART]`` (a Gehring & Homberger
instance from the data folder).  Default: Homberger R1_4_1 at 60 s and R1_10_2 at
120 s, Yanhu days of 400, 1,000, 2,000 and 5,000 stops at 60 s; 400-order days use
parts of at most 200 orders (with 400 a part would be the whole day), larger ones
the default 400.  The data has no Homberger instance over 1,000 customers.

``--rejudge FILE`` re-reads the JSON line of an earlier output and prints its table
again with the current judging rule (`better`), without solving anything.

For each case the same day is solved twice, one right after the other: split into
parts (``SolveOptions(decompose=True)``) and whole (``decompose=False``; refused up
front when the full model is estimated to need more than half the limit to build,
which is recorded as such, not run).  Every plan goes through ``logistics.validate``.
The row gives, for each, cost (classic: distance and gap to the best-known value;
Yanhu: ``kpis["cost"]``, ¥, penalties of orders left out included), served/unserved
orders, elapsed seconds, and then the better of the two (`better`) and what the default policy
(``logistics.engine.solve.choose_policy`` on the estimated build time) picks for
that day.  The last line is one JSON object with every row.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmark helpers, also when imported
from _common import data_dir, fmt, gap, table

import logistics as L
from logistics.app.scenarios import yanhu_day
from logistics.core.options import SolveOptions
from logistics.engine.solve import choose_policy, whole_build_s

DEFAULT_CASES = (
    "homberger:R1_4_1:60:200",
    "homberger:R1_10_2:120",
    "yanhu:400:60:200",
    "yanhu:1000:60",
    "yanhu:2000:60",
    "yanhu:5000:60",
)


def load_case(case: str, seed: int, data: Path) -> tuple[L.Problem, float, int, str]:
    """(problem, time limit, max part, kind) for a CASE string."""
    bits = case.split(":")
    if len(bits) not in (3, 4) or bits[0] not in ("yanhu", "homberger"):
        raise SystemExit(f"case {case!r}: use yanhu:STOPS:LIMIT[:MAX_PART] or homberger:NAME:LIMIT[:MAX_PART]")
    kind, what, limit = bits[0], bits[1], float(bits[2])
    max_part = int(bits[3]) if len(bits) == 4 else 400
    if kind == "yanhu":
        return yanhu_day(int(what), seed=seed), limit, max_part, kind
    return L.read_instance(data / "homberger" / f"{what}.txt"), limit, max_part, kind


def run_one(problem: L.Problem, kind: str, options: SolveOptions) -> dict:
    """One solve and its validation; a refused whole search comes back as ``refused``."""
    t0 = time.perf_counter()
    try:
        plan = L.solve(problem, options)
    except L.ProblemError as e:
        return {"refused": str(e), "elapsed_s": round(time.perf_counter() - t0, 2)}
    elapsed = time.perf_counter() - t0
    violations = L.validate(problem, plan)
    out = {
        "elapsed_s": round(elapsed, 2),
        "served": int(plan.kpis.get("served", 0)),
        "unserved": int(plan.kpis.get("unserved", 0)),
        "violations": len(violations),
        "parts": plan.meta.get("decomposed"),
    }
    if kind == "homberger":
        scale = float(problem.meta.get("scale", 1) or 1)
        s = plan.stops
        dist = 0.0 if s is None or not len(s) else float(s["travel_distance"].fillna(0).sum())
        out["cost"] = round(dist / scale, 2)
        out["gap_pct"] = round(gap(out["cost"], problem.meta.get("bks")) or 0.0, 3) if not out["unserved"] else None
    else:
        out["cost"] = round(float(plan.kpis.get("cost", 0.0)), 2)
    return out


def better(a: dict, b: dict, kind: str) -> str:
    """``"decomposed"``, ``"whole"`` or ``"tie"``, by the day's own measure.

    Classic instances must serve every customer: more orders served, then the lower distance.
    Yanhu orders are optional at a penalty, and ``kpis["cost"]`` includes the penalties of the
    orders left out, so the lower cost wins (what the solver minimises).
    """
    if "refused" in b or b.get("violations"):
        return "decomposed"
    if "refused" in a or a.get("violations"):
        return "whole"
    if kind == "homberger":
        ka, kb = (a["unserved"], a["cost"]), (b["unserved"], b["cost"])
    else:
        ka, kb = (a["cost"],), (b["cost"],)
    return "tie" if ka == kb else ("decomposed" if ka < kb else "whole")


def run_case(case: str, seed: int, data: Path) -> dict:
    """Decomposed, then whole, on the same day; the default policy's choice beside them."""
    problem, limit, max_part, kind = load_case(case, seed, data)
    base = SolveOptions(time_limit=limit, seed=seed, max_part=max_part)
    estimate, _ = whole_build_s(problem, limit)
    default, why = choose_policy(len(problem.orders), estimate, limit, base)
    row = {
        "case": case,
        "kind": kind,
        "orders": len(problem.orders),
        "time_limit": limit,
        "max_part": max_part,
        "build_estimate_s": round(estimate, 2),
        "default": default,
        "default_why": why,
        "decomposed": run_one(problem, kind, base.merged(decompose=True)),
        "whole": run_one(problem, kind, base.merged(decompose=False)),
    }
    row["better"] = better(row["decomposed"], row["whole"], kind)
    row["default_is_better"] = row["better"] in (default, "tie")
    return row


def flat(row: dict) -> dict:
    """A table row: the two runs side by side."""
    out = {k: row[k] for k in ("case", "orders", "time_limit", "build_estimate_s", "default", "better")}
    for side in ("decomposed", "whole"):
        r = row[side]
        tag = side[:5]
        out[f"{tag}_cost"] = "refused" if "refused" in r else fmt(r.get("cost"))
        out[f"{tag}_gap"] = r.get("gap_pct")
        out[f"{tag}_unserved"] = r.get("unserved")
        out[f"{tag}_s"] = r.get("elapsed_s")
    return out


COLUMNS = [
    ("case", "case", 0),
    ("orders", "orders", 0),
    ("time_limit", "limit s", 0),
    ("build_estimate_s", "build est. s", 2),
    ("decom_cost", "decomposed", 0),
    ("decom_gap", "gap %", 2),
    ("decom_unserved", "unserved", 0),
    ("decom_s", "s", 1),
    ("whole_cost", "whole", 0),
    ("whole_gap", "gap %", 2),
    ("whole_unserved", "unserved", 0),
    ("whole_s", "s", 1),
    ("better", "better", 0),
    ("default", "default picks", 0),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Decomposed vs whole searches at equal time.")
    ap.add_argument("cases", nargs="*", default=list(DEFAULT_CASES), help="yanhu:STOPS:LIMIT[:MAX_PART], ...")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=None, help="benchmark data folder (default $COLDROUTE_DATA or ../shared/data)")
    ap.add_argument(
        "--rejudge", default=None, help="re-read the JSON line of an earlier output and judge its rows again"
    )
    a = ap.parse_args(argv)
    data = data_dir(a.data)
    rows = []
    if a.rejudge:
        last = [ln for ln in Path(a.rejudge).read_text(encoding="utf-8").splitlines() if ln.startswith("{")][-1]
        rows = json.loads(last)["rows"]
        for row in rows:
            row["better"] = better(row["decomposed"], row["whole"], row["kind"])
            row["default_is_better"] = row["better"] in (row["default"], "tie")
    for case in [] if a.rejudge else a.cases:
        row = run_case(case, a.seed, data)
        rows.append(row)
        print(
            f"  {case}: decomposed {row['decomposed']} | whole {row['whole']} | better {row['better']}, "
            f"default {row['default']}",
            file=sys.stderr,
            flush=True,
        )
    print(table([flat(r) for r in rows], COLUMNS))
    wrong = [r["case"] for r in rows if not r["default_is_better"]]
    print(
        f"\ndefault policy picks the better option on {len(rows) - len(wrong)} of {len(rows)} cases"
        + (f"; not on {', '.join(wrong)}" if wrong else "")
    )
    print(json.dumps({"seed": a.seed, "rows": rows, "default_wrong": wrong}, separators=(", ", ": ")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
