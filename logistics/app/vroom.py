"""Solving a VROOM input end to end: read it, plan it, write VROOM's output document."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from logistics.core.options import SolveOptions, resolve_options
from logistics.core.plan import Plan
from logistics.engine.solve import solve
from logistics.formats.vroom import VroomInput, plan_to_vroom, read_vroom

# VROOM users expect an answer within seconds; the library default (10 s) is for planning jobs.
VROOM_TIME_LIMIT_S = 5.0


def solve_vroom(
    source: Any,
    options: SolveOptions | None = None,
    *,
    time_limit: float | None = None,
    seed: int | None = None,
    engine: str | None = None,
    iterations: int | None = None,
    output: str | os.PathLike[str] | None = None,
    return_plan: bool = False,
) -> dict[str, Any] | tuple[dict[str, Any], VroomInput, Plan]:
    """Read a VROOM input, solve it, and return (and optionally write) the VROOM output.

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
    return_plan
        Return ``(output, VroomInput, Plan)`` instead of the output alone, for callers that
        want our richer plan as well.

    Returns
    -------
    dict or tuple
        VROOM's output document (or the triple above).
    """
    base = options if options is not None else SolveOptions(time_limit=VROOM_TIME_LIMIT_S)
    opts = resolve_options(base, time_limit=time_limit, seed=seed, engine=engine, iterations=iterations)
    vin = read_vroom(source)
    t0 = time.perf_counter()
    plan = solve(vin.problem, options=opts)
    out = plan_to_vroom(vin, plan, solving_ms=int(round((time.perf_counter() - t0) * 1000)))
    if output is not None:
        Path(output).write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    return (out, vin, plan) if return_plan else out
