"""Solving a VROOM input end to end: read it, plan it, write VROOM's output document."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from logistics.formats.vroom import plan_to_vroom, read_vroom


def solve_vroom(
    source: Any,
    *,
    time_limit: float = 5.0,
    seed: int = 0,
    engine: str = "auto",
    iterations: int | None = None,
    output: str | os.PathLike | None = None,
    return_plan: bool = False,
):
    """Read a VROOM input, solve it, and return (and optionally write) the VROOM output."""
    from logistics.engine.solve import solve

    vin = read_vroom(source)
    t0 = time.perf_counter()
    plan = solve(vin.problem, time_limit=time_limit, seed=seed, engine=engine, iterations=iterations)
    out = plan_to_vroom(vin, plan, solving_ms=int(round((time.perf_counter() - t0) * 1000)))
    if output is not None:
        Path(output).write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    return (out, vin, plan) if return_plan else out
