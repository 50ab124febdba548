"""Why an order was left out, in words a dispatcher understands.

Checked in order of certainty: it fits no compartment; its window cannot be
reached from any depot; its shelf life (or time out of refrigeration) is shorter than the drive; serving it
would cost more than its penalty; the fleet has no room or time left.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from logistics.core.plan import RouteResult
from logistics.core.units import fmt_clock
from logistics.engine.solvers.arrays import COST_SCALE, SolverData, loaded_elsewhere, reload_node
from logistics.engine.solvers.duty import duty_of
from logistics.engine.solvers.seeds import RELOAD, split_trips, with_reloads


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


def simulate(data: SolverData, v: int, seq: list[int]) -> tuple[str | None, int]:
    """Earliest-start schedule of ``seq`` on vehicle ``v``: (None, span) if feasible, else (what breaks, 0).

    Used to explain left-out orders and to repair PyVRP seeds the full model rejects, so both agree
    on what a route can hold.  The driving rule is kept greedily: a wait at a stop of at least
    ``min_rest_min`` is remembered and taken as the rest once the stretch would otherwise end past
    ``max_driving_h``, else a rest is taken at a stop's departure when the next stop (or the
    return) would; should that fail, the route is walked again with rests at departures only; at
    most the rests the OR-Tools model gives the vehicle (`logistics.engine.solvers.duty`).  A
    schedule found this way is one the model accepts; the model may find others.

    Parameters
    ----------
    data
        The solver arrays of the problem.
    v
        Vehicle index.
    seq
        Order indices in visit order; `logistics.engine.solvers.seeds.RELOAD` between two trips (a
        return to the start depot that unloads the trip's pickups and loads the next trip's
        deliveries, in the type's ``reload_min``).

    Returns
    -------
    (str or None, int)
        What breaks (loads, windows, shift, shelf life or time out of refrigeration on this vehicle,
        more trips than ``max_trips``, a pair split between two trips) or None, and the route's span
        when feasible.
    """
    why, depart, _, end = walk(data, v, seq)
    return (None, end - depart) if why is None else (why, 0)


def walk(data: SolverData, v: int, seq: list[int]) -> tuple[str | None, int, list[int], int]:
    """The earliest-start schedule behind `simulate`: what breaks (or None), departure, service starts, return.

    One walk serves the explanations, the seed repair and the constructed first plan
    (`logistics.engine.construct`), so all three agree on what a route can hold.

    Parameters
    ----------
    data
        The solver arrays of the problem.
    v
        Vehicle index.
    seq
        Order indices in visit order, `logistics.engine.solvers.seeds.RELOAD` between trips (as for
        `simulate`).

    Returns
    -------
    (str or None, int, list of int, int)
        What breaks (None when feasible), the departure from the start depot, the service start at
        each order (as far as the walk got) and the arrival at the end depot (0 when infeasible).
    """
    return rest_walk(data, v, seq)[:4]


def rest_walk(data: SolverData, v: int, seq: list[int]) -> tuple[str | None, int, list[int], int, list[int]]:
    """`walk`, and the start of each rest of the driving rule it took (``min_rest_min`` each).

    A rest taken in a wait at a stop ends at the stop's service start; one taken at a stop's
    departure starts there.  Either fits on the leg before the next stop, where a plan's break
    stop goes (`logistics.engine.build_plan`).

    Parameters
    ----------
    data, v, seq
        As for `walk`.

    Returns
    -------
    (str or None, int, list of int, int, list of int)
        `walk`'s answer and the rests' starts, seconds, in time order (empty when infeasible).
    """
    t = int(data.vehicle_type[v])
    rule = _Rule(data, t)
    first = _walk(data, v, seq, rule)
    if first[0] is None or not duty_of(data)[t].rests:
        return (*first, sorted(rule.taken) if first[0] is None else [])
    # the rests taken as late as they can be instead (a rest at a stop's departure, not in an earlier wait)
    late_rule = _Rule(data, t, waits=False)
    late = _walk(data, v, seq, late_rule)
    return (*late, sorted(late_rule.taken)) if late[0] is None else (*first, [])


def _walk(data: SolverData, v: int, seq: list[int], rule: _Rule) -> tuple[str | None, int, list[int], int]:
    """`walk` with the driving rule kept the way ``rule`` keeps it."""
    p = data.problem
    t = int(data.vehicle_type[v])
    vt = p.fleet[t]
    starts: list[int] = []
    trips = split_trips(seq)
    if len(trips) > vt.max_trips:
        return f"more than {vt.max_trips} trip(s)", vt.shift[0], starts, 0
    if any(loaded_elsewhere(p, p.orders[i], vt) for i in trips[0]):
        return "a delivery it does not have on board before its first reload", vt.shift[0], starts, 0
    if vt.on_board and any(p.orders[i].id in vt.on_board for trip in trips[1:] for i in trip):
        return "goods on board not delivered on its first trip", vt.shift[0], starts, 0
    trip_of = {i: k for k, trip in enumerate(trips) for i in trip}
    if any(trip_of.get(a, -1) != trip_of.get(b, -1) for a, b in data.pairs if a in trip_of or b in trip_of):
        return "a pair split between two trips", vt.shift[0], starts, 0
    dur = data.duration[t]
    depot = reload_node(data, v)
    clock, prev = vt.shift[0], depot
    depart: int | None = None  # the route's departure: set at its first order (leave later instead of waiting)
    picked: list[tuple[int, int]] = []  # (pickup done, order) of the trip, checked at the trip's end
    pickup_of = {di: pi for pi, di in data.pairs}
    picked_at: dict[int, int] = {}  # order -> service start, for the pairs' ride limit
    for k, trip in enumerate(trips):
        trip_depart = depart
        if k:  # back to the depot: the trip's pickups are unloaded, the next trip's deliveries loaded
            clock += int(dur[prev, depot])
            bad = _late_pickups(data, t, picked, clock)
            if bad:
                return bad, _or_shift(depart, vt), starts, 0
            clock += int(round(vt.reload_min * 60))
            picked, prev, trip_depart = [], depot, clock
        load = data.delivered[t][:, trip].sum(axis=1) if trip else np.zeros(data.n_slots, dtype=np.int64)
        for i in trip:
            arr = clock + int(dur[prev, i])
            start = _window_start(data, i, arr)
            if start is None:
                return "time windows or shift", _or_shift(depart, vt), starts, 0
            done = start + int(data.service[i])
            if trip_depart is None:
                depart = trip_depart = start - int(dur[prev, i])
                rule.since = depart
            elif rule.binds(arr, start, done):  # a rest at the last stop's departure
                arr = clock + rule.rest + int(dur[prev, i])
                start = _window_start(data, i, arr)
                if start is None:
                    return "time windows or shift", _or_shift(depart, vt), starts, 0
                done = start + int(data.service[i])
                if not rule.take(clock + rule.rest, arr, start, done):
                    return "drivers' rests", _or_shift(depart, vt), starts, 0
            starts.append(start)
            bad = _visit(data, t, i, start - trip_depart, load)
            mate, life = pickup_of.get(i), int(data.ride[t, i])
            if not bad and mate is not None and life >= 0 and start - picked_at.get(mate, start) > life:
                bad = _limit_name(data, t, i)  # a pair's goods from its pickup's start (the validator's count)
            if bad:
                return bad, _or_shift(depart, vt), starts, 0
            picked_at[i] = start
            load = load + data.demand[t, :, i]
            if p.orders[i].kind == "pickup" and p.orders[i].pair is None and data.ride[t, i] >= 0:
                picked.append((start + int(data.service[i]), i))
            clock, prev = start + int(data.service[i]), i
    end = clock + int(dur[prev, int(data.ends[v])])
    if depart is not None and rule.binds(end, end, end):
        end += rule.rest
        if not rule.take(clock + rule.rest, end, end, end):
            return "drivers' rests", depart, starts, 0
    depart = _or_shift(depart, vt)
    if end > vt.shift[1] or (vt.max_duration is not None and end - depart > vt.max_duration):
        return "time windows or shift", depart, starts, 0
    if rule.cap is not None and end - depart > rule.cap:
        return "drivers' rests", depart, starts, 0
    bad = _late_pickups(data, t, picked, end)
    return (bad, depart, starts, 0) if bad else (None, depart, starts, end)


def _or_shift(depart: int | None, vt: Any) -> int:
    """The departure, or the shift's start for a route that has not left yet."""
    return vt.shift[0] if depart is None else depart


def _window_start(data: SolverData, i: int, arr: int) -> int | None:
    """The earliest service start of order ``i`` reached at ``arr`` (soft windows: within the lateness allowed)."""
    o = data.problem.orders[i]
    soft_late = int(data.problem.costs.max_lateness_h * 3600) if data.problem.objective == "cost" else 0
    for a, b in data.windows[i]:
        if arr <= b + (soft_late if o.soft else 0):
            return max(arr, a)
    return None


def _visit(data: SolverData, t: int, i: int, age: int, load: np.ndarray) -> str | None:
    """What breaks when order ``i`` is served ``age`` s after its trip left, ``load`` on board before it."""
    o, vt, cap = data.problem.orders[i], data.problem.fleet[t], data.capacity[t]
    if o.kind == "delivery" and o.pair is None and data.ride[t, i] >= 0 and age > data.ride[t, i]:
        return _limit_name(data, t, i)
    if (load > cap).any() or load.sum() > data.total_capacity[t]:
        return _cap_name(vt, load, cap)
    after = load + data.demand[t, :, i]
    if (after > cap).any() or (after < 0).any() or after.sum() > data.total_capacity[t]:
        return _cap_name(vt, after, cap)
    return None


def _late_pickups(data: SolverData, t: int, picked: list[tuple[int, int]], end: int) -> str | None:
    """A ride limit the trip's pickups break by ``end`` (its arrival at the depot), or None."""
    for t0, i in picked:
        if end - t0 > data.ride[t, i]:
            return _limit_name(data, t, i)
    return None


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


class _Rule:
    """The continuous-driving rule along one simulated route: when the stretch began, rests left."""

    def __init__(self, data: SolverData, t: int, waits: bool = True) -> None:
        vt = data.problem.fleet[t]
        duty = duty_of(data)[t]
        self.limit = None if vt.max_driving_h is None or not duty.rests else int(vt.max_driving_h * 3600)
        self.cap = duty.cap if vt.max_driving_h is not None and not duty.rests else None
        self.rest = int(round(vt.min_rest_min * 60))
        self.left = duty.rests
        self.since = 0
        self.wait: tuple[int, int] | None = None  # the latest wait long enough for a rest (arrival, start)
        self.taken: list[int] = []  # the start of each rest taken
        self.waits = waits  # whether a wait may be the rest (else rests are taken at departures only)

    def binds(self, arr: int, start: int, done: int) -> bool:
        """Whether the stretch ends past the limit at ``done``, a wait of a rest taken as one only once it must.

        A long enough wait is remembered and taken as the rest only when the stretch would end past the
        limit: taken eagerly, an early wait used up a long route's one rest (44 orders of a demo seed cut).
        """
        if self.limit is None:
            return False
        if start - arr >= self.rest and self.waits:
            self.wait = (arr, start)
        over = done - self.since > self.limit
        if over and self.wait is not None and self.left > 0:
            # the rest as late in the wait as the stretch before it allows: it must begin within the limit
            rest_at = min(self.wait[1] - self.rest, self.since + self.limit)
            if rest_at >= self.wait[0] and done - (rest_at + self.rest) <= self.limit:
                self.left -= 1
                self.taken.append(rest_at)
                self.since, self.wait = rest_at + self.rest, None
                return False
        return over

    def take(self, rested: int, arr: int, start: int, done: int) -> bool:
        """A rest ending at ``rested``; whether the stretch to ``done`` then keeps the limit."""
        if self.limit is None or self.left <= 0:
            return False
        self.left -= 1
        self.taken.append(rested - self.rest)
        self.since, self.wait = rested, None  # an earlier wait is behind the rest now
        return not self.binds(arr, start, done)


def _limit_name(data: SolverData, t: int, i: int) -> str:
    """The limit that bounds order ``i``'s ride on vehicle type ``t``, in words."""
    return "shelf life" if data.ride[t, i] == data.shelf[i] else "time out of refrigeration"


def _cap_name(vt: Any, load: Any, cap: Any) -> str:
    for k, c in enumerate(vt.compartments):
        if load[k] > cap[k]:
            return f"{c.name} compartment full"
    return "capacity"


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
