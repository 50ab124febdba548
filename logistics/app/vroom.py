"""Solving a VROOM input end to end, and ``vroom``'s command line (``coldroute vroom``, ``coldroute-vroom``).

`solve_vroom` reads a VROOM input, plans it (or, in plan mode, evaluates the routes its
vehicles' ``steps`` give) and returns VROOM's output document.  `main` is a drop-in for the
``vroom`` command: the input from ``-i FILE``, a JSON string argument or standard input, the
output to ``-o FILE`` or standard output, ``-c`` for plan mode, ``-t`` threads, ``-x``
exploration level, ``-l`` time limit.  The differences from VROOM are listed in docs/vroom.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from logistics.app.run import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, write_text_file
from logistics.app.vroom_start import vroom_start
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions, resolve_options
from logistics.core.plan import Plan
from logistics.engine.solve import solve
from logistics.formats.vroom import VroomInput, error_output, plan_to_vroom, read_vroom, unassigned_reasons
from logistics.formats.vroom_plan import check_routes

__all__ = ["VROOM_TIME_LIMIT_S", "main", "parse_args", "solve_vroom"]

# VROOM users expect an answer within seconds; the library default (10 s) is for planning jobs.
VROOM_TIME_LIMIT_S = 5.0
#: Seconds the search keeps after VROOM's start even when VROOM overran its share (it checks its
#: timeout between phases: up to 1.7 s late measured at a 5 s limit).
MIN_AFTER_START_S = 0.5
#: VROOM's exploration levels (``-x``), 0 to 5; without ``-l`` level ``x`` searches ``max(1, x)`` seconds.
MAX_EXPLORATION = 5


def solve_vroom(
    source: Any,
    options: SolveOptions | None = None,
    *,
    time_limit: float | None = None,
    seed: int | None = None,
    engine: str | None = None,
    iterations: int | None = None,
    output: str | os.PathLike[str] | None = None,
    plan_mode: bool = False,
    return_plan: bool = False,
    vroom_start: bool = True,
) -> dict[str, Any] | tuple[dict[str, Any], VroomInput, Plan | None]:
    """Read a VROOM input, solve it (or check its routes), and return (and optionally write) VROOM's output.

    Parameters
    ----------
    source
        A VROOM input: file path, JSON text or mapping.
    options
        How to search; ``None`` means the defaults with a 5 s time limit.
    time_limit, seed, engine, iterations
        Shortcuts that override single fields of ``options``.
    output
        Also write the output document here.
    plan_mode
        VROOM's ``-c``: evaluate the routes of the vehicles' ``steps`` and report their
        violations instead of planning.
    return_plan
        Return ``(output, VroomInput, Plan)`` instead of the output alone, for callers that
        want our richer plan as well (the plan is ``None`` in plan mode).
    vroom_start
        Start the search from VROOM's own routes (pyvroom, for a share of the time limit)
        where VROOM can solve the input itself (`logistics.app.vroom_start`);
        ``False`` searches with our engines alone.  ``plan.meta["vroom_start"]`` says what happened.

    Returns
    -------
    dict or tuple
        VROOM's output document (or the triple above).

    Raises
    ------
    ProblemError
        The input is invalid or uses a VROOM field that is not supported (the message names it).
    """
    base = options if options is not None else SolveOptions(time_limit=VROOM_TIME_LIMIT_S)
    opts = resolve_options(base, time_limit=time_limit, seed=seed, engine=engine, iterations=iterations)
    out, vin, plan = _run(source, opts, plan_mode, vroom_start)
    if output is not None:
        Path(output).write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    return (out, vin, plan) if return_plan else out


def _run(
    source: Any, opts: SolveOptions, plan_mode: bool, start: bool = True
) -> tuple[dict[str, Any], VroomInput, Plan | None]:
    """Read, then solve or check: the output document, the input read and the plan (``None`` in plan mode)."""
    vin = read_vroom(source, plan_mode=plan_mode)
    if plan_mode:
        return check_routes(vin), vin, None
    t0 = time.perf_counter()
    initial, meta = None, {"vroom_start": "off"}
    if start and opts.engine in ("auto", "pyvrp") and vin.problem.orders:
        initial, meta = vroom_start(vin, opts)
    left = opts.time_limit - (time.perf_counter() - t0)
    improve = initial is None or initial.improve
    plan = solve(
        vin.problem,
        options=opts.merged(time_limit=max(left, MIN_AFTER_START_S)),
        initial=initial,
        warm_pyvrp=improve,
    )
    plan.meta.update(meta)
    return plan_to_vroom(vin, plan, solving_ms=int(round((time.perf_counter() - t0) * 1000))), vin, plan


def parse_args(argv: list[str]) -> argparse.Namespace:
    """VROOM's flags (and coldroute's own ``--seed``, ``--engine``, ``--iterations``).

    Parameters
    ----------
    argv
        The arguments after the command name.

    Returns
    -------
    argparse.Namespace
        ``input`` (``-i``), ``json`` (the positional JSON string or file), ``output``,
        ``check``, ``threads``, ``explore``, ``limit``, ``seed``, ``engine``, ``iterations``.
    """
    ap = argparse.ArgumentParser(
        prog="coldroute vroom",
        description="Solve a VROOM input and write VROOM's output (a drop-in for the vroom command).",
        epilog="Example: coldroute vroom -i input.json -o solution.json -l 5",
    )
    ap.add_argument("json", nargs="?", help="the input as a JSON string (or a file name); default: -i or stdin")
    ap.add_argument("-i", "--input", help="read the input from this file")
    ap.add_argument("-o", "--output", help="write the output to this file (default: stdout)")
    ap.add_argument("-c", "--check", action="store_true", help="plan mode: time the given steps, report violations")
    ap.add_argument("-t", "--threads", type=int, default=None, help="processes for the search (default: all cores)")
    ap.add_argument("-x", "--explore", type=int, default=None, help="exploration level 0-5 (search seconds)")
    ap.add_argument("-l", "--limit", type=float, default=None, help="time limit in seconds (default 5)")
    ap.add_argument("-g", "--geometry", action="store_true", help="route geometry (not supported: refused)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (same seed, same plan)")
    ap.add_argument("--engine", choices=("auto", "ortools", "pyvrp"), default="auto", help="search engine")
    ap.add_argument("--iterations", type=int, default=None, help="fixed search length instead of a time limit")
    return ap.parse_args(argv)


def _options(args: argparse.Namespace) -> SolveOptions:
    """The search options of the flags; a value out of range is bad input naming the flag."""
    if args.explore is not None and not 0 <= args.explore <= MAX_EXPLORATION:
        raise ProblemError(f"-x: exploration level must be 0 to {MAX_EXPLORATION}, got {args.explore}", field="-x")
    if args.threads is not None and args.threads < 1:
        raise ProblemError(f"-t: threads must be at least 1, got {args.threads}", field="-t")
    if args.geometry:
        raise ProblemError("-g: route geometry needs a routing engine and is not supported", field="-g")
    limit = args.limit
    if limit is None:
        limit = float(max(1, args.explore)) if args.explore is not None else VROOM_TIME_LIMIT_S
    try:
        return SolveOptions(
            time_limit=limit, seed=args.seed, engine=args.engine, iterations=args.iterations, workers=args.threads
        )
    except ProblemError as e:
        flag = {"time_limit": "-l", "workers": "-t"}.get(str(e.field), f"--{e.field}")
        raise ProblemError(f"{flag}: {e}", field=flag) from None


def _source(args: argparse.Namespace) -> Any:
    """The input: ``-i FILE``, the positional JSON string (or file name), else standard input."""
    if args.input is not None and args.json is not None:
        raise ProblemError("give the input once: -i FILE or a JSON argument, not both", field="-i")
    if args.input is not None:
        return args.input
    if args.json is not None:
        return args.json
    text = sys.stdin.read()
    if not text.strip():
        raise ProblemError("no input: give -i FILE, a JSON argument, or the JSON on standard input", field="-i")
    return text


def main(argv: list[str] | None = None) -> int:
    """Run ``vroom``'s command line: read, solve (or check), write; notes and reasons on stderr.

    Parameters
    ----------
    argv
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 for bad input (the output is VROOM's ``{"code": 2, "error"}``), 3 for
        an internal failure (``{"code": 1, ...}``).
    """
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        opts = _options(args)
        doc, vin, plan = _run(_source(args), opts, args.check)
        for note in vin.notes:
            print(f"note: {note}", file=sys.stderr)
        if plan is not None:
            for line in unassigned_reasons(vin, plan):
                print(f"unassigned {line}", file=sys.stderr)
        code = EXIT_OK
    except Exception as e:  # every failure still answers in VROOM's format
        doc = error_output(e)
        code = EXIT_BAD_INPUT if doc["code"] == 2 else EXIT_INTERNAL
        print(f"error: {e}", file=sys.stderr)
    text = json.dumps(doc, ensure_ascii=False)
    if args.output is not None:
        try:
            write_text_file(args.output, text + "\n", field="-o/--output")
        except ProblemError as e:
            print(f"error: {e}", file=sys.stderr)
            return EXIT_BAD_INPUT
    else:
        print(text)
    return code


def console_main() -> None:  # pragma: no cover - the console script's entry point
    """The ``coldroute-vroom`` console script."""
    sys.exit(main())
