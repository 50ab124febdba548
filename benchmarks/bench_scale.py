"""Large days: 2,000 and 5,000 stops on the Yanhu network within their time limits.

    python benchmarks/bench_scale.py [--sizes 2000 5000] [--limits 60 120] [--engine auto] [--seed 0]

Each size runs in a fresh interpreter (so that peak memory is that size's
own): ``logistics.yanhu_day(stops)`` builds the day (travel matrix
included), ``logistics.solve`` plans it with the given limit (above 800 orders
the day is decomposed when its whole model would not build in a quarter of the
limit: ``meta["policy"]``) and ``logistics.validate`` checks the
plan.  One row per size: the day's build time, the solver's model-build time
(summed over the parts of a decomposed day), total elapsed against the limit,
peak memory (``resource.getrusage``: this process and, separately, the largest
child process: decomposition workers and PyVRP's second seed), served and
unserved orders, cost, and validator violations.  The last line is one JSON
object with every row.

    python benchmarks/bench_scale.py --ladder [--sizes 2000 5000] [--before ../main]

runs each size at several limits (2,000 stops: 5, 10, 20, 60 s; 5,000: 10, 20, 40, 120 s; or
``--limits``), each in a fresh interpreter: the quality curve of a call that returns once, and the
first feasible plan (the shortest limit whose plan validates and serves at least
``FEASIBLE_SERVED`` of the orders: every order of these days is optional, so an empty plan
validates too).  Each row splits the call's wall time into the split into parts, the parts
(worker start included) and the merge (`_time_decomposition`), and counts the parts that were
constructed (`logistics.engine.construct`).  ``--before DIR`` runs another checkout's library
beside each limit but a longest one of 60 s or more (interleaved, so load hits both alike).

    python benchmarks/bench_scale.py --decision [--sizes 5000] [--limits 120] [--before DIR]

times ``solve``'s whole-or-decompose decision alone (``whole_build_s``: estimate, and the solver
arrays when it leaves the whole search open) and its peak memory, each size and limit in a fresh
interpreter, another checkout's beside it with ``--before``.

    python benchmarks/bench_scale.py --build-only [--sizes 2000 10000 20000] [--repeat 3]

times what happens before any search: a ``Problem`` of that many orders over a random
``networks.TravelMatrix`` of 300 villages (a fifth of the orders in pickup-delivery pairs), and
the decomposition's split of it into parts (``plan_parts`` and the parts' sub-problems); the
median of ``--repeat`` runs.  Measured on 2 shared cores (medians of 3, seconds, Problem /
split): 2,000 orders 0.007 / 0.106 before, 0.006 / 0.017 after; 10,000 orders 0.038 / 2.51
before, 0.030 / 0.084 after; 20,000 orders 0.092 / 13.3 before, 0.069 / 0.171 after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# ``--code DIR`` (child runs of ``--ladder --before DIR``): import the library from another checkout
_CODE = os.environ.get("BENCH_SCALE_CODE")
if _CODE:
    sys.path.insert(0, _CODE)
elif str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_SIZES = (2000, 5000)
DEFAULT_LIMITS = (60.0, 120.0)


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # Linux: kilobytes


def run_one(stops: int, time_limit: float, engine: str, seed: int) -> dict:
    """Build, solve and validate one day in this process."""
    import logistics as L

    t0 = time.perf_counter()
    from logistics.app.scenarios import yanhu_day

    problem = yanhu_day(stops, seed=seed)
    day_s = time.perf_counter() - t0
    marks = _time_decomposition()
    t1 = time.perf_counter()
    plan = L.solve(problem, time_limit=time_limit, seed=seed, engine=engine)
    elapsed = time.perf_counter() - t1
    t2 = time.perf_counter()
    violations = L.validate(problem, plan)
    validate_s = time.perf_counter() - t2
    m = plan.meta
    parts = m.get("parts") or []
    build_s = sum(p.get("build_s", 0.0) or 0.0 for p in parts) if parts else m.get("build_s")
    return {
        "stops": stops,
        "time_limit": time_limit,
        "engine": engine,
        "seed": seed,
        "vehicles_available": sum(vt.count for vt in problem.fleet),
        "day_build_s": round(day_s, 2),
        "model_build_s": None if build_s is None else round(build_s, 3),
        "elapsed_s": round(elapsed, 2),
        "within_limit": elapsed <= time_limit,
        "overrun_pct": round(100.0 * max(0.0, elapsed - time_limit) / time_limit, 2),
        "policy": m.get("policy"),
        "parts": m.get("decomposed"),
        "part_sizes": m.get("part_sizes"),
        "part_time_limit": m.get("part_time_limit"),
        "merge_s": m.get("merge_s"),
        "part_unserved": [q.get("unserved") for q in parts] or None,
        "part_status": [q.get("status") for q in parts] or None,
        "part_meta": parts or None,
        "split_s": round(marks.get("split", 0.0), 3),
        "parts_s": round(marks.get("parts", 0.0), 3),
        "merge_build_s": round(marks.get("merge", 0.0), 3),
        "constructed_parts": sum(1 for q in parts if q.get("status") == "constructed"),
        "status": m.get("status"),
        "served": int(plan.kpis.get("served", 0)),
        "unserved": int(plan.kpis.get("unserved", 0)),
        "vehicles": int(plan.kpis.get("vehicles", 0)),
        "cost": round(float(plan.kpis.get("cost", 0.0)), 2),
        "distance_km": round(float(plan.kpis.get("distance_km", 0.0)), 1),
        "violations": len(violations),
        "first_violation": str(violations[0]) if violations else None,
        "validate_s": round(validate_s, 2),
        "peak_rss_mb": round(_peak_mb(resource.RUSAGE_SELF), 1),
        "peak_rss_children_mb": round(_peak_mb(resource.RUSAGE_CHILDREN), 1),
        "load_average": round(os.getloadavg()[0], 2),
    }


def _time_decomposition() -> dict[str, float]:
    """Wall seconds of the decomposition's steps in this process: split, parts (workers included), merge.

    Wraps the functions `logistics.engine.decompose` calls by their module-level names, so the
    library needs no timing code of its own; the parts' own figures are in ``meta["parts"]``.
    """
    from logistics.engine import decompose as D

    marks: dict[str, float] = {}

    def timed(name, fn):
        def run(*args, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                marks[name] = marks.get(name, 0.0) + time.perf_counter() - t0

        return run

    D.plan_parts = timed("split", D.plan_parts)
    D._sub_problem = timed("split", D._sub_problem)
    D.run_tasks = timed("parts", D.run_tasks)
    D.build_plan = timed("merge", D.build_plan)
    return marks


def _child(n: int, limit: float, engine: str, seed: int, code: str | None = None) -> dict:
    """One size and limit in a fresh interpreter (its own peak memory); ``code``: another checkout's library."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", "--sizes", str(n), "--limits", str(limit)]
    cmd += ["--engine", engine, "--seed", str(seed)]
    env = dict(os.environ)
    env.pop("BENCH_SCALE_CODE", None)
    if code:
        env["BENCH_SCALE_CODE"] = code
    load0 = round(os.getloadavg()[0], 2)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0 or not out.stdout.strip():
        row = {"stops": n, "time_limit": limit, "error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    else:
        row = json.loads(out.stdout.strip().splitlines()[-1])
    row["load_average_start"] = load0
    row["code"] = code or "this checkout"
    return row


#: A plan counts as the first feasible one when it validates and serves at least this share of the orders
#: (every order of these days is optional: an empty plan validates too).
FEASIBLE_SERVED = 0.97


def ladder(sizes: list[int], limits: dict[int, list[float]], engine: str, seed: int, before: str | None) -> list[dict]:
    """Each size at each limit (the quality curve), the ``before`` checkout's run beside each of this one's."""
    rows = []
    for n in sizes:
        for limit in limits[n]:
            for code in ([before] if before else []) + [None]:
                if code and limit >= 60 and limit == max(limits[n]):
                    continue  # a long last limit runs only here: parts then get time for the full model either way
                row = _child(n, limit, engine, seed, code)
                rows.append(row)
                keys = ("stops", "time_limit", "code", "elapsed_s", "served", "cost", "violations", "peak_rss_mb")
                print("  " + json.dumps({k: row.get(k) for k in keys}), file=sys.stderr, flush=True)
    print(
        f"\n{'stops':>6}{'limit s':>9}  {'code':<14}{'elapsed s':>10}{'split s':>9}{'parts s':>9}{'merge s':>9}"
        f"{'built':>7}{'served':>8}{'cost':>14}{'viol':>6}{'peak MB':>9}{'child MB':>9}{'load':>6}"
    )
    for r in rows:
        if r.get("error"):
            print(f"{r['stops']:>6}{r['time_limit']:>9g}  {r['code'][-14:]:<14}error: {r['error']}")
            continue
        print(
            f"{r['stops']:>6}{r['time_limit']:>9g}  {r['code'][-14:]:<14}{r['elapsed_s']:>10.1f}{r['split_s']:>9.2f}"
            f"{r['parts_s']:>9.2f}{r['merge_build_s']:>9.2f}{r['constructed_parts']:>7}{r['served']:>8}"
            f"{r['cost']:>14,.0f}{r['violations']:>6}{r['peak_rss_mb']:>9.0f}{r['peak_rss_children_mb']:>9.0f}"
            f"{r['load_average_start']:>6.1f}"
        )
    for n in sizes:
        for code in ([before] if before else []) + ["this checkout"]:
            ok = [
                r
                for r in rows
                if r["stops"] == n
                and r.get("code") == code
                and not r.get("error")
                and r["violations"] == 0
                and r["served"] >= FEASIBLE_SERVED * n
            ]
            first = min(ok, key=lambda r: r["time_limit"]) if ok else None
            print(
                f"{n} stops, {code}: first feasible plan (valid, >= {FEASIBLE_SERVED:.0%} served) "
                + (
                    f"at the {first['time_limit']:g} s limit, returned after {first['elapsed_s']:.1f} s"
                    if first
                    else "not reached"
                )
            )
    return rows


def village_day(n: int, villages: int = 300, seed: int = 0):
    """``n`` orders over a random travel matrix of ``villages`` places; every fifth pair of orders paired."""
    import numpy as np

    import logistics as L
    import networks

    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 40_000, (villages + 1, 2))
    d = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)))
    ids = ["D"] + [f"v{i}" for i in range(villages)]
    tm = networks.TravelMatrix(ids, d, np.rint(d / 12.0))
    where = rng.integers(1, villages + 1, n)
    orders = []
    for k in range(n):
        node = ids[where[k]]
        window = ((8 * 3600, 18 * 3600),)
        if k % 5 == 3:
            orders.append(L.Order(f"p{k}", {"goods": 2}, node_id=node, kind="pickup", pair=f"q{k + 1}"))
        elif k % 5 == 4:
            orders.append(L.Order(f"q{k}", {"goods": 2}, node_id=node, time_windows=window))
        else:
            orders.append(L.Order(f"o{k}", {"goods": 3}, node_id=node, time_windows=window, service=120))
    fleet = [L.VehicleType("van", max(1, n // 50), (L.Compartment("ambient", 500),), start_depot="D")]
    return orders, fleet, tm


def build_only(sizes: list[int], repeat: int) -> list[dict]:
    """Median seconds to build each size's Problem and split it into the decomposition's parts."""
    import statistics

    import logistics as L
    from logistics.engine.decompose import _sub_problem, plan_parts

    rows = []
    for n in sizes:
        orders, fleet, tm = village_day(n)
        build, split = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            problem = L.Problem(orders, fleet, matrix=tm)
            t1 = time.perf_counter()
            [_sub_problem(problem, p) for p in plan_parts(problem, 400)]
            t2 = time.perf_counter()
            build.append(t1 - t0)
            split.append(t2 - t1)
        row = {
            "orders": n,
            "problem_s": round(statistics.median(build), 3),
            "split_s": round(statistics.median(split), 3),
        }
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def decision_one(stops: int, time_limit: float, seed: int) -> dict:
    """Time and peak memory of `solve`'s whole-or-decompose decision alone (``whole_build_s``), in this process."""
    from logistics.app.scenarios import yanhu_day
    from logistics.engine.solve import choose_policy, whole_build_s

    problem = yanhu_day(stops, seed=seed)
    before = _peak_mb(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    estimate, data = whole_build_s(problem, time_limit)
    return {
        "stops": stops,
        "time_limit": time_limit,
        "estimate_s": round(estimate, 2),
        "decision": choose_policy(stops, estimate, time_limit)[0],
        "arrays_built": data is not None,
        "decision_s": round(time.perf_counter() - t0, 2),
        "peak_rss_mb_before": round(before, 1),
        "peak_rss_mb": round(_peak_mb(resource.RUSAGE_SELF), 1),
    }


def decisions(sizes: list[int], limits: list[float], seed: int, before: str | None) -> list[dict]:
    """`decision_one` per size and limit, each in a fresh interpreter, ``before``'s library beside this one's."""
    rows = []
    for n in sizes:
        for limit in limits:
            for code in ([before] if before else []) + [None]:
                cmd = [sys.executable, str(Path(__file__).resolve()), "--decision-one", "--sizes", str(n)]
                cmd += ["--limits", str(limit), "--seed", str(seed)]
                env = {k: v for k, v in os.environ.items() if k != "BENCH_SCALE_CODE"}
                env.update({"BENCH_SCALE_CODE": code} if code else {})
                out = subprocess.run(cmd, capture_output=True, text=True, env=env)
                lines = out.stdout.strip().splitlines()
                row = (
                    json.loads(lines[-1]) if out.returncode == 0 and lines else {"stops": n, "error": out.stderr[-300:]}
                )
                row["code"] = code or "this checkout"
                print(
                    f"{n:>6} {limit:>7g}  {row['code']:<24} {row.get('decision', '?'):<11} arrays built: "
                    f"{row.get('arrays_built')!s:<5} {row.get('decision_s', '?'):>6} s  "
                    f"peak {row.get('peak_rss_mb', '?')} MB",
                    flush=True,
                )
                rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    ap.add_argument(
        "--limits",
        type=float,
        nargs="+",
        default=None,
        help="one per size (default 60 s for 2,000 stops, 120 s for 5,000, else 30 s per 1,000)",
    )
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # child mode: one size, JSON out
    ap.add_argument("--ladder", action="store_true", help="each size at several limits (quality curve, first feasible)")
    ap.add_argument(
        "--before",
        default=None,
        help="with --ladder: another checkout run beside each limit (not a last one of 60 s or more)",
    )
    ap.add_argument("--build-only", action="store_true", help="time building the Problem and splitting it, no solve")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size with --build-only (median reported)")
    ap.add_argument("--decision", action="store_true", help="time and memory of the whole-or-decompose decision")
    ap.add_argument("--decision-one", action="store_true", help=argparse.SUPPRESS)  # child mode of --decision
    a = ap.parse_args(argv)
    if a.decision_one:
        print(json.dumps(decision_one(a.sizes[0], a.limits[0], a.seed)))
        return 0
    if a.decision:
        print(f"whole-or-decompose decision alone: {os.cpu_count()} cores, seed {a.seed}", flush=True)
        rows = decisions(a.sizes, a.limits or [120.0], a.seed, a.before)
        print(json.dumps({"benchmark": "bench_scale --decision", "cpu_count": os.cpu_count(), "rows": rows}))
        return 0
    if a.build_only:
        rows = build_only(a.sizes, a.repeat)
        print(json.dumps({"benchmark": "bench_scale --build-only", "cpu_count": os.cpu_count(), "rows": rows}))
        return 0

    if a.one:
        print(json.dumps(run_one(a.sizes[0], a.limits[0], a.engine, a.seed)))
        return 0
    if a.ladder:
        steps = {2000: [5.0, 10.0, 20.0, 60.0], 5000: [10.0, 20.0, 40.0, 120.0]}
        limits = {n: a.limits or steps.get(n, [10.0, 30.0 * n / 1000]) for n in a.sizes}
        print(f"scale ladder: {os.cpu_count()} cores, engine {a.engine}, seed {a.seed}, limits {limits}", flush=True)
        rows = ladder(a.sizes, limits, a.engine, a.seed, a.before)
        print(json.dumps({"benchmark": "bench_scale --ladder", "cpu_count": os.cpu_count(), "rows": rows}))
        return 0
    limits = a.limits or [dict(zip(DEFAULT_SIZES, DEFAULT_LIMITS)).get(n, max(10.0, 30.0 * n / 1000)) for n in a.sizes]
    if len(limits) != len(a.sizes):
        ap.error("give one limit per size")
    print(
        f"scale benchmark: Yanhu days of {', '.join(map(str, a.sizes))} stops, limits "
        f"{', '.join(f'{x:g}' for x in limits)} s, engine {a.engine}, seed {a.seed}, {os.cpu_count()} cores",
        flush=True,
    )
    rows = []
    for n, limit in zip(a.sizes, limits):
        load0 = round(os.getloadavg()[0], 2)
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--one",
            "--sizes",
            str(n),
            "--limits",
            str(limit),
            "--engine",
            a.engine,
            "--seed",
            str(a.seed),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0 or not out.stdout.strip():
            row = {"stops": n, "time_limit": limit, "error": (out.stderr.strip().splitlines() or ["?"])[-1]}
        else:
            row = json.loads(out.stdout.strip().splitlines()[-1])
        row["load_average_start"] = load0
        rows.append(row)
        print(f"  {n} stops: {json.dumps(row)}", file=sys.stderr, flush=True)

    cols = [
        ("stops", "stops"),
        ("time_limit", "limit s"),
        ("elapsed_s", "elapsed s"),
        ("day_build_s", "day build s"),
        ("model_build_s", "model build s"),
        ("parts", "parts"),
        ("peak_rss_mb", "peak MB"),
        ("peak_rss_children_mb", "child peak MB"),
        ("served", "served"),
        ("unserved", "unserved"),
        ("vehicles", "vehicles"),
        ("cost", "cost"),
        ("violations", "violations"),
        ("load_average_start", "load"),
    ]
    cells = [[h for _, h in cols]] + [
        ["-" if r.get(k) is None else (f"{r[k]:,.2f}" if isinstance(r[k], float) else str(r[k])) for k, _ in cols]
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(cols))]
    print()
    for j, c in enumerate(cells):
        print("  ".join(v.rjust(w) for v, w in zip(c, widths)))
        if j == 0:
            print("  ".join("-" * w for w in widths))
    for r in rows:
        if r.get("error"):
            print(f"{r['stops']} stops failed: {r['error']}")
        elif r.get("first_violation"):
            print(f"{r['stops']} stops, first violation: {r['first_violation']}")
    print(
        json.dumps(
            {"benchmark": "bench_scale", "engine": a.engine, "seed": a.seed, "cpu_count": os.cpu_count(), "rows": rows}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
