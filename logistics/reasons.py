"""Why an order was left out, in words a dispatcher understands.

Checked in order of certainty: it fits no compartment; its window cannot be
reached from any depot; its shelf life is shorter than the drive; serving it
would cost more than its penalty; the fleet has no room or time left.
"""
from __future__ import annotations

import numpy as np

from .model import fmt_clock
from .plan import RouteResult
from .solvers.arrays import COST_SCALE, SolverData


def _reach(data: SolverData, i: int) -> tuple[int, int] | None:
    """Earliest arrival at order ``i`` over vehicle types that may carry it, and the type."""
    best = None
    for v in range(data.n_vehicles):
        t = int(data.vehicle_type[v])
        if not data.allowed[t, i]:
            continue
        vt = data.problem.fleet[t]
        arr = vt.shift[0] + int(data.duration[t][data.starts[v], i])
        if best is None or arr < best[0]:
            best = (arr, t)
    return best


def explain(data: SolverData, routes: list[RouteResult], dropped: list[int], arc_costs=None) -> dict[int, str]:
    p = data.problem
    out: dict[int, str] = {}
    for i in dropped:
        o = p.orders[i]
        if not data.allowed[:, i].any():
            out[i] = p.describe_misfit(o)
            continue
        reach = _reach(data, i)
        assert reach is not None
        arr, t = reach
        w0, w1 = o.time_windows[0][0], o.time_windows[-1][1]
        late_ok = int(p.costs.max_lateness_h * 3600) if o.soft and p.objective == "cost" else 0
        if arr > w1 + late_ok:
            wins = ", ".join(f"{fmt_clock(a)}–{fmt_clock(b)}" for a, b in o.time_windows)
            out[i] = f"window {wins} cannot be reached from any depot (earliest arrival {fmt_clock(arr)})"
            continue
        vt = p.fleet[t]
        start = max(arr, w0)
        back = min(vt.shift[0] + int(data.duration[tt][i, data.ends[v]]) * 0 + start + o.service +
                   int(data.duration[tt][i, data.ends[v]])
                   for v in range(data.n_vehicles) for tt in [int(data.vehicle_type[v])] if data.allowed[tt, i])
        shift_end = max(ft.shift[1] for ft in p.fleet)
        if back > shift_end:
            out[i] = (f"the vehicle could not return to its depot before the shift ends ({fmt_clock(shift_end)};"
                      f" earliest return {fmt_clock(back)})")
            continue
        shelf = data.shelf[i]
        if shelf >= 0:
            drive = min(int(data.duration[int(data.vehicle_type[v])][data.starts[v], i]) for v in
                        range(data.n_vehicles) if data.allowed[int(data.vehicle_type[v]), i])
            if o.kind == "delivery" and drive > shelf:
                out[i] = (f"shelf life {shelf / 3600:.1f} h is shorter than the fastest drive from any depot "
                          f"({drive / 3600:.1f} h)")
                continue
        if not o.required:
            extra = _insertion_cost(data, routes, i, arc_costs)
            unit = "" if p.objective == "distance" else "¥"
            scale = 1 if p.objective == "distance" else COST_SCALE
            pen = data.penalty[i] / scale
            if extra is not None and extra > data.penalty[i]:
                out[i] = (f"dropped: serving it would cost {unit}{extra / scale:,.2f} more than its penalty "
                          f"{unit}{pen:,.2f}")
            elif extra is None:
                out[i] = (f"dropped: no vehicle has capacity or time left for it on its current routes; "
                          f"a new route would cost more than its penalty {unit}{pen:,.2f}")
            else:
                out[i] = (f"dropped: the search found no cheaper plan including it within the time limit "
                          f"(penalty {unit}{pen:,.2f}, cheapest insertion {unit}{extra / scale:,.2f})")
            continue
        out[i] = ("no vehicle has capacity or time left for it: the fleet is too small for all required orders "
                  "(or no feasible plan including it was found within the time limit)")
    return out


def _insertion_cost(data: SolverData, routes: list[RouteResult], i: int, arc_costs) -> int | None:
    """Cheapest objective increase for inserting order ``i`` anywhere (arc costs only; new vehicle allowed)."""
    if arc_costs is None:
        return None
    best = None
    used = {r.vehicle for r in routes}
    for r in routes:
        t = int(data.vehicle_type[r.vehicle])
        if not data.allowed[t, i]:
            continue
        seq = [int(data.starts[r.vehicle])] + list(r.orders) + [int(data.ends[r.vehicle])]
        C = arc_costs.arc[t]
        for a, b in zip(seq, seq[1:]):
            delta = int(C[a, i] + C[i, b] - C[a, b])
            best = delta if best is None else min(best, delta)
    for v in range(data.n_vehicles):
        if v in used:
            continue
        t = int(data.vehicle_type[v])
        if not data.allowed[t, i]:
            continue
        C = arc_costs.arc[t]
        delta = int(C[data.starts[v], i] + C[i, data.ends[v]] + arc_costs.fixed[t])
        best = delta if best is None else min(best, delta)
    return best
