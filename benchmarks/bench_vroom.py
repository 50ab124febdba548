"""coldroute against VROOM (pyvroom) on VROOM-format Solomon, Li & Lim and CVRPLIB instances.

Each instance is converted the way VROOM's own scripts convert it
(`logistics.formats.vroom_convert`), then solved by ``coldroute``'s VROOM mode
(`logistics.app.vroom.solve_vroom`) and by VROOM through pyvroom, both with the same time
limit and the same number of threads.  Costs are VROOM's (travel time x 1000 for Solomon and
Li & Lim, rounded Euclidean distance for CVRPLIB); every coldroute plan goes through the
independent validator.  A plan that leaves more tasks unassigned than VROOM's counts as failed
whatever its cost.

    python benchmarks/bench_vroom.py                      # the default selection, 5 s each
    python benchmarks/bench_vroom.py --all --time-limit 5 # Solomon, Li & Lim (100 tasks), CVRPLIB A/B/E/P
    python benchmarks/bench_vroom.py solomon/c101 lilim/lr201 cvrplib/A/A-n32-k5

Prints a table, then the headline JSON (last line); raw outputs (both solvers' output documents,
one JSON line per instance, gzipped), the rows and the table go to ``benchmarks/results/vroom/``.
The target is a cost never more than 1 % above VROOM's.  ``--no-vroom-start`` runs our engines
without VROOM's routes as a start (files tagged ``-own``).
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import REPO, data_dir, fmt, table

import logistics
from logistics.app.vroom import solve_vroom
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions
from logistics.formats.vroom_convert import cvrplib_to_vroom, lilim_to_vroom, solomon_to_vroom

DEFAULT = [
    "solomon/c101",
    "solomon/c201",
    "solomon/r101",
    "solomon/r201",
    "solomon/rc101",
    "solomon/rc201",
    "lilim/lc101",
    "lilim/lc201",
    "lilim/lr101",
    "lilim/lr201",
    "lilim/lrc101",
    "lilim/lrc201",
    "cvrplib/A/A-n32-k5",
    "cvrplib/A/A-n80-k10",
    "cvrplib/B/B-n50-k7",
    "cvrplib/E/E-n51-k5",
    "cvrplib/P/P-n101-k4",
    "cvrplib/X/X-n101-k25",
]
TARGET_PCT = 1.0
RESULTS = REPO / "benchmarks" / "results" / "vroom"


def convert(path: Path) -> dict[str, Any]:
    """The VROOM input of an instance file, by its folder (solomon, lilim, cvrplib)."""
    parts = path.parts
    if "solomon" in parts:
        return solomon_to_vroom(path)
    if "lilim" in parts:
        return lilim_to_vroom(path)
    if "cvrplib" in parts:
        return cvrplib_to_vroom(path)
    raise SystemExit(f"unknown set of {path}")


def instances(names: list[str], data: Path, every: bool) -> list[Path]:
    """Instance files: ``set/name`` (without extension) or every 100-task instance of the three sets."""
    if every:
        files = sorted((data / "solomon").glob("*.txt"))
        files += sorted((data / "lilim").glob("l*[0-9][0-9][0-9].txt"))
        files += sorted(p for p in (data / "cvrplib").glob("[ABEP]/*.vrp"))
        return files
    out = []
    for n in names:
        hits = sorted(data.glob(n + ".*"))
        hits = [h for h in hits if h.suffix in (".txt", ".vrp")]
        if not hits:
            raise SystemExit(f"{n}: no such instance under {data}")
        out.append(hits[0])
    return out


def run_vroom(doc: dict[str, Any], limit: float, threads: int) -> tuple[dict[str, Any], float]:
    """VROOM's output (pyvroom) and its wall time."""
    # deferred: pyvroom is a test extra, needed only here
    import vroom

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "in.json"
        f.write_text(json.dumps(doc))
        t0 = time.perf_counter()
        inp = vroom.Input.from_json(f)
        sol = inp.solve(exploration_level=5, nb_threads=threads, timeout=datetime.timedelta(seconds=limit))
        return sol.to_dict(), time.perf_counter() - t0


def run_ours(
    doc: dict[str, Any], limit: float, threads: int, seed: int, start: bool = True
) -> tuple[dict[str, Any], float, int, str]:
    """Our output, wall time, the number of validator violations and how VROOM's start was used."""
    t0 = time.perf_counter()
    opts = SolveOptions(time_limit=limit, seed=seed, workers=threads)
    out, vin, plan = solve_vroom(doc, opts, return_plan=True, vroom_start=start)  # type: ignore[misc]
    wall = time.perf_counter() - t0
    return out, wall, len(logistics.validate(vin.problem, plan)), str(plan.meta.get("vroom_start"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instances", nargs="*", help="set/name, e.g. solomon/c101 (default: a selection)")
    ap.add_argument("--all", action="store_true", help="every 100-task Solomon, Li & Lim and CVRPLIB A/B/E/P instance")
    ap.add_argument("--time-limit", type=float, default=5.0, help="seconds for each solver (default 5)")
    ap.add_argument("--threads", type=int, default=1, help="threads of each solver (default 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=None, help="data folder (default $COLDROUTE_DATA or ../shared/data)")
    ap.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/vroom/")
    ap.add_argument(
        "--no-vroom-start", action="store_true", help="our engines alone, without VROOM's routes as a start"
    )
    args = ap.parse_args(argv)
    data = data_dir(args.data)
    files = instances(args.instances or DEFAULT, data, args.all)
    rows = []
    skipped = []
    raw: list[dict[str, Any]] = []
    for path in files:
        name = path.stem
        try:
            doc = convert(path)
        except ProblemError as e:  # as VROOM's converter, which skips what is not EUC_2D
            print(f"{name}: skipped ({e})", flush=True)
            skipped.append(name)
            continue
        vout, vtime = run_vroom(doc, args.time_limit, args.threads)
        ours, otime, bad, start = run_ours(doc, args.time_limit, args.threads, args.seed, not args.no_vroom_start)
        vc, oc = vout["summary"]["cost"], ours["summary"]["cost"]
        vu, ou = vout["summary"]["unassigned"], ours["summary"]["unassigned"]
        gap = 100.0 * (oc - vc) / vc if vc else 0.0
        ok = bad == 0 and ou <= vu and gap <= TARGET_PCT
        rows.append(
            {
                "instance": name,
                "vroom_cost": vc,
                "cost": oc,
                "gap_pct": round(gap, 3),
                "vroom_unassigned": vu,
                "unassigned": ou,
                "vroom_routes": vout["summary"]["routes"],
                "routes": ours["summary"]["routes"],
                "vroom_s": round(vtime, 2),
                "time_s": round(otime, 2),
                "violations": bad,
                "vroom_start": start,
                "ok": ok,
            }
        )
        print(
            f"{name}: vroom {vc} ({vtime:.1f} s), coldroute {oc} ({otime:.1f} s), gap {gap:+.2f} %, "
            f"unassigned {ou} (VROOM {vu}), violations {bad}",
            flush=True,
        )
        raw.append({"instance": name, "vroom": vout, "coldroute": ours})
    cols = [
        ("instance", "instance", 0),
        ("vroom_cost", "VROOM cost", 0),
        ("cost", "coldroute cost", 0),
        ("gap_pct", "gap %", 2),
        ("vroom_unassigned", "VROOM unass.", 0),
        ("unassigned", "unass.", 0),
        ("vroom_routes", "VROOM routes", 0),
        ("routes", "routes", 0),
        ("vroom_s", "VROOM s", 2),
        ("time_s", "coldroute s", 2),
        ("ok", "within 1 %", 0),
    ]
    text = table(rows, cols)
    print(text)
    gaps = [r["gap_pct"] for r in rows]
    headline = {
        "bench": "vroom",
        "time_limit_s": args.time_limit,
        "threads": args.threads,
        "vroom_start": not args.no_vroom_start,
        "instances": len(rows),
        "within_target": sum(r["ok"] for r in rows),
        "max_gap_pct": max(gaps) if gaps else None,
        "mean_gap_pct": round(sum(gaps) / len(gaps), 3) if gaps else None,
        "target_pct": TARGET_PCT,
        "target_met": all(r["ok"] for r in rows),
        "worst": max(rows, key=lambda r: r["gap_pct"])["instance"] if rows else None,
        "skipped": skipped,
    }
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        tag = fmt(args.time_limit, 0) + "s" + ("-own" if args.no_vroom_start else "")
        with gzip.open(RESULTS / f"raw-{tag}.jsonl.gz", "wt", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in raw)
        (RESULTS / f"table-{tag}.txt").write_text(text + "\n" + json.dumps(headline) + "\n")
        (RESULTS / f"rows-{tag}.json").write_text(json.dumps(rows, indent=1))
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
