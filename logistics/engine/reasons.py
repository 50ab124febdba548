"""Why an order was left out, in words a dispatcher understands.

Checked in order of certainty: it fits no compartment; its window cannot be
reached from any depot; its shelf life (or time out of refrigeration) is shorter than the drive; serving it
would cost more than its penalty; the fleet has no room or time left.
"""

from __future__ import annotations

import time
from typing import Any

from logistics.core.plan import RouteResult
from logistics.core.units import fmt_clock
from logistics.engine.solvers.arrays import COST_SCALE, SolverData, reload_node
from logistics.engine.solvers.seeds import RELOAD, with_reloads
from logistics.engine.walk import simulate, walk


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


def explain(
    data: SolverData,
    routes: list[RouteResult],
    dropped: list[int],
    arc_costs: Any = None,
    deadline: float | None = None,
) -> dict[int, str]:
    """A reason per dropped order, in words a dispatcher understands.

    Parameters
    ----------
    data
        The solver arrays of the problem.
    routes
        The plan's routes (insertion is tried against them).
    dropped
        Order indices left out.
    arc_costs
        The engine's ``CostArrays``, to tell "costs more than its penalty" from "no room".
    deadline
        ``time.monotonic()`` value after which the costly insertion analysis is skipped, so that
        explaining never overruns the caller's time limit.

    Returns
    -------
    dict
        Order index -> reason.
    """

    p = data.problem
    out: dict[int, str] = {}
    dead = {i: (a, b) for a, b in data.dead_pairs for i in (a, b)}
    for i in dropped:
        o = p.orders[i]
        if not data.allowed[data.vehicle_type, i].any():  # types with no vehicle (count 0) do not count
            out[i] = p.describe_misfit(o)
            continue
        if i in dead:
            out[i] = _dead_pair_text(data, *dead[i])
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
        back = min(
            vt.shift[0]
            + int(data.duration[tt][i, data.ends[v]]) * 0
            + start
            + o.service
            + int(data.duration[tt][i, data.ends[v]])
            for v in range(data.n_vehicles)
            for tt in [int(data.vehicle_type[v])]
            if data.allowed[tt, i]
        )
        shift_end = max(ft.shift[1] for ft in p.fleet)
        if back > shift_end:
            out[i] = (
                f"the vehicle could not return to its depot before the shift ends ({fmt_clock(shift_end)};"
                f" earliest return {fmt_clock(back)})"
            )
            continue
        if o.kind == "delivery" and (spoilt := _ride_too_short(data, i)):
            out[i] = spoilt
            continue
        if deadline is not None and time.monotonic() > deadline:
            kind = "dropped" if not o.required else "not placed"
            out[i] = (
                f"{kind}: no plan including it was found within the time limit (insertion not analysed; "
                f"raise time_limit for a detailed reason)"
            )
            continue
        extra, blocked = _insertion(data, routes, i, arc_costs)
        unit = "" if p.objective == "distance" else "¥"
        scale = 1 if p.objective == "distance" else COST_SCALE
        if not o.required:
            pen = data.penalty[i] / scale
            if extra is not None and extra > data.penalty[i]:
                out[i] = (
                    f"dropped: serving it would cost {unit}{extra / scale:,.2f} more than its penalty {unit}{pen:,.2f}"
                )
            elif extra is None:
                out[i] = f"dropped (penalty {unit}{pen:,.2f}): {_blocked_text(blocked)}"
            else:
                out[i] = (
                    f"dropped: inserting it would cost {unit}{extra / scale:,.2f}, less than its penalty "
                    f"{unit}{pen:,.2f}, but the search did not reach that plan in time (raise time_limit)"
                )
            continue
        if extra is None:
            out[i] = f"the fleet is too small: {_blocked_text(blocked)}"
        else:
            out[i] = (
                f"not placed within the time limit although it fits (cheapest insertion "
                f"{unit}{extra / scale:,.2f}); raise time_limit"
            )
    return out


def _ride_too_short(data: SolverData, i: int) -> str | None:
    """Why delivery ``i`` spoils on every vehicle that may carry it (shelf life, time out of refrigeration), or None."""
    shelf = int(data.shelf[i])
    best = None  # (drive, limit) of the vehicle with the most room
    for v in range(data.n_vehicles):
        t = int(data.vehicle_type[v])
        if not data.allowed[t, i]:
            continue
        drive, limit = int(data.duration[t][data.starts[v], i]), int(data.ride[t, i])
        if limit < 0 or drive <= limit:
            return None
        if best is None or limit - drive > best[1] - best[0]:
            best = (drive, limit)
    if best is None:
        return None
    drive, limit = best
    what = f"shelf life {shelf / 3600:.1f} h" if limit == shelf else f"time out of refrigeration {limit / 3600:.1f} h"
    return f"{what} is shorter than the fastest drive from any depot ({drive / 3600:.1f} h)"


def _dead_pair_text(data: SolverData, pi: int, di: int) -> str:
    """Why a pair that no vehicle can serve is left out (see `SolverData.dead_pairs`)."""
    p = data.problem
    pk, dl = p.orders[pi], p.orders[di]
    wins = ", ".join(f"{fmt_clock(a)}–{fmt_clock(b)}" for a, b in dl.time_windows)
    opens = fmt_clock(pk.time_windows[0][0])
    present = set(data.vehicle_type.tolist())
    types = [t for t in range(len(p.fleet)) if data.allowed[t, pi] and data.allowed[t, di] and t in present]
    rides = [(int(data.ride[t, pi]), int(data.service[pi]) + int(data.duration[t, pi, di])) for t in types]
    if rides and all(0 <= lim < need for lim, need in rides):
        lim = max(lim for lim, _ in rides)
        what = "shelf life" if lim == int(data.shelf[pi]) else "time out of refrigeration"
        return (
            f"pickup {pk.id} and delivery {dl.id} are left out together: their {what} "
            f"{lim / 3600:.2f} h is shorter than the pickup's service and the drive between them"
        )
    return (
        f"pickup {pk.id} and delivery {dl.id} are left out together: the delivery's window {wins} closes before "
        f"the pickup (window opening {opens}, service {int(data.service[pi])} s) can be made and driven there"
    )


def _blocked_text(blocked: dict[str, int]) -> str:
    if not blocked:
        return "no vehicle that may carry it is available"
    parts = [f"{what} on {k} route{'s' if k > 1 else ''}" for what, k in sorted(blocked.items(), key=lambda kv: -kv[1])]
    return "no vehicle has room or time left for it (" + "; ".join(parts) + ")"


def cut_back(
    d: SolverData, routes: list[list[int]], partner: dict[int, int] | None = None
) -> tuple[list[list[int]], list[int]]:
    """Each route cut back to the orders `simulate` lets it keep (a greedy prefix), pairs kept or dropped whole.

    The repair of a PyVRP seed the full model rejects and of a constructed plan
    (`logistics.engine.construct`).

    Parameters
    ----------
    d
        The solver arrays.
    routes
        Order indices per vehicle, pairs already whole (see
        `logistics.engine.solvers.ortools.seed.whole_pairs`).
    partner
        Each side of a pickup-delivery pair → the other (default: from ``d.pairs``).

    Returns
    -------
    (list of list of int, list of int)
        The routes every one of which `simulate` accepts, and the orders dropped, in route order.
    """
    if partner is None:
        partner = partners(d)
    fixed: list[list[int]] = []
    dropped: list[int] = []
    for v, seq in enumerate(routes):
        if not seq or walk(d, v, seq)[0] is None:
            fixed.append(list(seq))
            continue
        out: set[int] = set()
        while True:
            keep: list[int] = []
            for i in seq:  # greedy prefix: keep an order when the route so far (and back to the depot) still works
                if i not in out and walk(d, v, keep + [i])[0] is None:
                    keep.append(i)
                else:
                    out.add(i)
            lone = {partner[i] for i in out if i in partner} - out  # a side kept whose partner was dropped
            if not lone:
                break
            out |= lone  # drop it too and check the route again without it
        dropped.extend(i for i in seq if i in out and i != RELOAD)
        fixed.append(keep)
    return fixed, dropped


def partners(d: SolverData) -> dict[int, int]:
    """Each side of a pickup-delivery pair → the other side (the seed repair keeps or drops pairs whole).

    Parameters
    ----------
    d
        The solver arrays.

    Returns
    -------
    dict of int to int
    """
    return {i: j for pi, di in d.pairs for i, j in ((pi, di), (di, pi))}


def reinsert(
    data: SolverData, routes: list[list[int]], orders: list[int], arc_costs: Any, deadline: float | None = None
) -> list[int]:
    """Put left-out unpaired orders back into seed routes at their cheapest feasible place (in place).

    A seed the full model refused loses the orders that broke it; the OR-Tools search is slow to
    put them back, into routes with reloads (measured: one order of the 170-order Yanhu day left
    out after 3 s) or under the driving rule (three required orders of the demo day left out on a
    busy machine), so each is tried at every place of every route first, required orders first.

    Parameters
    ----------
    data
        The solver arrays.
    routes
        Seed routes per vehicle (`logistics.engine.solvers.seeds.RELOAD` between trips); changed.
    orders
        The orders left out, tried required ones first, otherwise in the order given.
    arc_costs
        The OR-Tools engine's cost arrays (their ``arc`` prices a place).
    deadline
        ``time.monotonic()`` after which the orders not yet tried are left out as they are.

    Returns
    -------
    list of int
        The orders still left out.
    """
    pairs = {i for pair in data.pairs for i in pair}
    left = []
    for i in sorted(orders, key=lambda i: not data.required[i]):
        if deadline is not None and time.monotonic() > deadline:
            left.append(i)
            continue
        best: tuple[int, int, int] | None = None  # (extra cost, vehicle, position)
        for v, seq in enumerate(routes):
            t = int(data.vehicle_type[v])
            if i in pairs or not data.allowed[t, i]:
                continue
            depot = reload_node(data, v)
            path = [int(data.starts[v])] + [depot if x == RELOAD else x for x in seq] + [int(data.ends[v])]
            C = arc_costs.arc[t]
            for pos in range(len(seq) + 1):
                a, b = path[pos], path[pos + 1]
                delta = int(C[a, i] + C[i, b] - C[a, b]) + (int(arc_costs.fixed[t]) if not seq else 0)
                if (best is None or delta < best[0]) and simulate(data, v, seq[:pos] + [i] + seq[pos:])[0] is None:
                    best = (delta, v, pos)
        if best is None:
            left.append(i)
        else:
            routes[best[1]].insert(best[2], i)
    return left


def _insertion(
    data: SolverData, routes: list[RouteResult], i: int, arc_costs: Any
) -> tuple[int | None, dict[str, int]]:
    """Cheapest feasible insertion of order ``i`` (cost units) and, if none, what blocked each route."""
    best = None
    blocked: dict[str, int] = {}
    used = {r.vehicle for r in routes}
    pair = {a: b for a, b in data.pairs} | {b: a for a, b in data.pairs}
    if i in pair:
        return None, {"paired order (not re-inserted)": 1}
    for r in routes:
        t = int(data.vehicle_type[r.vehicle])
        if not data.allowed[t, i]:
            continue
        C = arc_costs.arc[t] if arc_costs is not None else data.distance
        route = with_reloads(r.orders, [pos for pos, _ in r.reloads])
        depot = reload_node(data, r.vehicle)
        seq = [int(data.starts[r.vehicle])] + [depot if x == RELOAD else x for x in route] + [int(data.ends[r.vehicle])]
        why = None
        span_per_s = int(arc_costs.span_per_s[t]) if arc_costs is not None else 0
        _, span0 = simulate(data, r.vehicle, route)
        for pos in range(len(route) + 1):
            cand = route[:pos] + [i] + route[pos:]
            bad, span = simulate(data, r.vehicle, cand)
            if bad is None:
                a, b = seq[pos], seq[pos + 1]
                delta = int(C[a, i] + C[i, b] - C[a, b]) + span_per_s * max(0, span - span0)
                best = delta if best is None else min(best, delta)
            else:
                why = why or bad
        if why and best is None:
            blocked[why] = blocked.get(why, 0) + 1
    for v in range(data.n_vehicles):
        if v in used:
            continue
        t = int(data.vehicle_type[v])
        if not data.allowed[t, i]:
            continue
        C = arc_costs.arc[t] if arc_costs is not None else data.distance
        bad, span = simulate(data, v, [i])
        if bad is None:
            fixed = int(arc_costs.fixed[t]) if arc_costs is not None else 0
            span_cost = int(arc_costs.span_per_s[t]) * span if arc_costs is not None else 0
            delta = int(C[data.starts[v], i] + C[i, data.ends[v]]) + fixed + span_cost
            best = delta if best is None else min(best, delta)
    return best, blocked
