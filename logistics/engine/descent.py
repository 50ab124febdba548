"""Exact descent: moves priced by the plan's own cost, for what the engines' objectives leave out.

PyVRP's model of a cold-chain day leaves out freshness altogether, and OR-Tools' linear objective
prices a delivery's freshness from the shift's start and a produce pickup's not at all; on the
Yanhu cold-chain day that is about a fifth of the plan's cost, and the plans of different seeds
differ mostly there (docs/performance.md, "What the solver's objective leaves out").  This
search prices every route it tries the way [logistics.core.costs.evaluate][] prices a plan:
scheduled by the walk (`logistics.engine.walk`), which checks every rule of a `constructible`
fleet, and costed by [logistics.core.costs.route_cost][], the same items and the same freshness
decay.

Moves, each order in turn, best move per order, until a pass finds none or time is up:

* relocate it next to one of its nearest orders, in its own route or another;
* swap it with one of its nearest orders;
* 2-opt*: end its route at it and go on with the rest of a nearest order's route, that route
  taking over its tail (a route left empty saves its fixed cost);
* put a left-out order on a route when that costs less than its penalty (a required one always).

A time-bound descent that converges before its deadline goes on with rounds of ruin and
recreate: a string of neighbouring orders, or a whole short route, is taken off, each order goes
back where it costs least, and a round is kept (and descended from) only when the plan is cheaper.

Routes are priced once per sequence (a memo), and a route's schedule is the cheaper of the walk's
early and late departures (`logistics.engine.walk.departures`).  Measured on the Yanhu days in
docs/performance.md, "The exact descent".
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from logistics.core.costs import decay_terms, fuel_litres, route_cost
from logistics.core.plan import RouteResult
from logistics.engine.construct import constructible
from logistics.engine.solvers.arrays import SolverData
from logistics.engine.walk import departures, walked_route

__all__ = ["Descent", "descend", "descends"]

#: Penalty counted for a required order left out: above any route's cost, so placing one always pays.
REQUIRED_LEFT_OUT = 1e9


@dataclass
class Descent:
    """What the descent did.

    Parameters
    ----------
    routes
        The used vehicles' routes, scheduled by the walk.
    dropped
        Order indices still left out.
    before, after
        The exact cost (¥) of the routes given and of ``routes``, each with the penalties of the
        optional orders left out (`REQUIRED_LEFT_OUT` for a required one).
    moves
        Moves made.
    priced
        Routes priced (each sequence once).
    converged
        Whether the last pass found no move (else the deadline or the pass limit ended it).
    seconds
        Wall time of the descent.
    rounds, kept
        Ruin-and-recreate rounds made, and how many of them were kept.
    chains
        Where chains ran side by side (`logistics.engine.exact_stage`): each one's cost, or why it
        gave no answer; this is the cheapest.
    """

    routes: list[RouteResult]
    dropped: list[int]
    before: float
    after: float
    moves: int
    priced: int
    converged: bool
    seconds: float
    rounds: int = 0
    kept: int = 0
    chains: tuple[float | str, ...] = ()

    def meta(self) -> dict[str, Any]:
        """The figures kept in ``plan.meta["descent"]``.

        Returns
        -------
        dict
            Costs rounded to the fen, the counts, whether it converged, its seconds and rounds.
        """
        return {
            "before": round(float(self.before), 2),
            "after": round(float(self.after), 2),
            "moves": self.moves,
            "priced": self.priced,
            "converged": self.converged,
            "seconds": round(self.seconds, 3),
            "rounds": self.rounds,
            "kept": self.kept,
        } | ({"chains": list(self.chains)} if self.chains else {})


def descends(data: SolverData) -> bool:
    """Whether the descent applies: a cost objective, a fleet the walk checks in full, and no pickup-delivery pairs.

    Parameters
    ----------
    data
        The solver arrays.

    Returns
    -------
    bool
        A pair's goods age from their pickup, which the descent's pricing does not follow, and a
        distance objective has nothing the engines leave out.
    """
    return data.problem.objective == "cost" and not data.pairs and constructible(data)


class _Pricer:
    """Exact route costs of one problem, each sequence priced once."""

    def __init__(self, data: SolverData) -> None:
        p = data.problem
        self.data = data
        self.kg = np.zeros((len(p.fleet), data.n_orders))
        self.terms: list[list[list[tuple[float, float]]]] = []
        for t, vt in enumerate(p.fleet):
            per_order = []
            for i, o in enumerate(p.orders):
                loads = p.compartment_loads(o, vt)
                self.kg[t, i] = sum(loads) if loads else 0.0
                per_order.append(decay_terms(p, o, vt) if loads else [])
            self.terms.append(per_order)
        self.delivery = [o.kind == "delivery" for o in p.orders]
        self.memo: dict[tuple[int, tuple[int, ...]], tuple[float, RouteResult] | None] = {}

    def cost(self, v: int, seq: list[int]) -> float | None:
        """The route's exact cost (0 when empty), None when the walk rejects it."""
        if not seq:
            return 0.0
        priced = self.price(v, seq)
        return None if priced is None else priced[0]

    def price(self, v: int, seq: list[int]) -> tuple[float, RouteResult] | None:
        """The cheapest schedule `departures` gives ``seq`` on vehicle ``v`` as a route, and its cost; or None."""
        key = (v, tuple(seq))
        if key not in self.memo:
            best = None
            for walked in departures(self.data, v, seq):
                route = walked_route(self.data, v, seq, walked)
                c = self.scheduled(route)
                if best is None or c < best[0]:
                    best = (c, route)
            self.memo[key] = best
        return self.memo[key]

    def scheduled(self, rr: RouteResult) -> float:
        """The exact cost of a route as scheduled (an engine's times and breaks, not the walk's)."""
        return self._cost(rr.vehicle, list(rr.orders), rr.depart, list(rr.starts), [(b[0], b[1]) for b in rr.breaks])

    def _cost(self, v: int, seq: list[int], depart: int, starts: list[int], breaks: list[tuple[int, int]]) -> float:
        """What `logistics.core.costs.evaluate` charges for the route as `logistics.engine.build_plan` lays it out.

        ``breaks`` are (start, seconds) in time order; each one before a stop's service start
        pushes the arrival there, as a plan's break stop does.
        """
        d, p = self.data, self.data.problem
        t = int(d.vehicle_type[v])
        vt, c = p.fleet[t], p.costs
        pending = list(breaks)
        dur = d.duration[t]
        load = sum(self.kg[t, i] for i in seq if self.delivery[i])
        cap = vt.capacity or 1.0
        km = fuel = driving = service = loss = late = early = 0.0
        prev, clock = int(d.starts[v]), depart
        for i, start in zip([*seq, int(d.ends[v])], [*starts, math.inf]):
            leg_km, leg_s = int(d.distance[prev, i]) / 1000.0, int(dur[prev, i])
            km, driving = km + leg_km, driving + leg_s
            fuel += fuel_litres(c, leg_km, load / cap)
            arrival = clock + leg_s
            while pending and pending[0][0] < start:  # breaks on this leg push the arrival (build_plan's leg_breaks)
                b0, bd = pending.pop(0)
                arrival = max(arrival + bd, b0 + bd)
            if i >= d.n_orders:
                clock = arrival
                break
            o, s = p.orders[i], int(d.service[i])
            service += s
            load += -self.kg[t, i] if self.delivery[i] else self.kg[t, i]
            if self.delivery[i]:  # goods going down age from the departure until their service starts
                loss += self._decay(t, i, (start - depart) / 3600.0, s)
            if o.soft:
                w_open, w_end = max((w for w in o.time_windows if w[0] <= start), default=o.time_windows[0])
                late, early = late + max(0, start - w_end), early + max(0, w_open - arrival)
            prev, clock = i, int(start) + s
        end = clock
        for i, start in zip(seq, starts):  # produce ages from leaving the village until the return
            if not self.delivery[i]:
                s = int(d.service[i])
                loss += self._decay(t, i, (end - start - s) / 3600.0, s)
        items = route_cost(
            c,
            vt,
            km=km,
            duration_h=(end - depart) / 3600.0,
            driving_h=driving / 3600.0,
            service_h=service / 3600.0,
            fuel_l=fuel,
            quality_loss=loss,
            late_h=late / 3600.0,
            early_h=early / 3600.0,
        )
        return float(items["cost"])

    def _decay(self, t: int, i: int, hours: float, door_s: int) -> float:
        """`logistics.core.costs.quality_loss` of order ``i`` on type ``t``: ``hours`` riding, ``door_s`` doors open."""
        h = max(hours + self.data.problem.costs.unload_decay_factor * door_s / 3600.0, 0.0)
        return sum(worth * (1.0 - math.exp(-lam * h)) for worth, lam in self.terms[t][i])


def descend(
    data: SolverData,
    routes: list[RouteResult],
    dropped: list[int],
    *,
    deadline: float | None = None,
    neighbours: int = 15,
    max_passes: int = 50,
    tails: bool = True,
    seed: int = 0,
) -> Descent:
    """Improve routes by moves priced with the plan's exact cost, until no move pays or time is up.

    A time-bound descent that converges before its deadline goes on with rounds of ruin and
    recreate: a few neighbouring orders are taken off their routes and each goes back where it
    costs least; a round that leaves the plan cheaper is kept and descended from.

    Parameters
    ----------
    data
        The solver arrays of a problem the descent applies to (`descends`).
    routes
        The routes to start from (vehicle indices into ``data``).
    dropped
        Order indices left out: a move may put them on a route.
    deadline
        ``time.monotonic()`` at which to stop; None runs to convergence (or ``max_passes``) and no
        ruin rounds: the same moves on any machine, for runs bounded by iterations.
    neighbours
        How many of an order's nearest orders its moves go next to.
    max_passes
        Passes over all orders at most, per descent.
    tails
        Whether to try 2-opt* moves too (two routes exchange their tails).
    seed
        Seeds the order in which the passes visit the orders, and the ruin rounds.

    Returns
    -------
    Descent
        The routes (the ones given when no move paid) and what the search did.
    """
    t0 = time.perf_counter()
    pricer = _Pricer(data)
    given = {rr.vehicle: rr for rr in routes}
    seqs: list[list[int]] = [list(given[v].orders) if v in given else [] for v in range(data.n_vehicles)]
    as_given = [pricer.scheduled(given[v]) if v in given else 0.0 for v in range(data.n_vehicles)]
    walked = [pricer.cost(v, seq) for v, seq in enumerate(seqs)]
    frozen = {v for v, c in enumerate(walked) if c is None}  # routes the walk rejects: kept as they are
    route_costs = [as_given[v] if c is None else min(c, as_given[v]) for v, c in enumerate(walked)]
    before = sum(as_given) + sum(_penalty(data, i) for i in dropped)
    state = _State(data, pricer, seqs, route_costs, sorted(dropped), frozen)
    near = _nearest(data, neighbours + RUIN_MAX)
    rng = random.Random(seed)
    moves, converged = _passes(state, near, neighbours, deadline, max_passes, tails, rng)
    rounds = kept = 0
    if converged and deadline is not None:
        rounds, kept, more = _ruin_rounds(state, near, neighbours, deadline, max_passes, tails, rng)
        moves += more
    seqs, route_costs = state.seqs, state.costs
    out = []
    for v, seq in enumerate(seqs):  # a route unchanged keeps the engine's schedule unless the walk's is cheaper
        unchanged = v in given and seq == list(given[v].orders) and (v in frozen or as_given[v] <= route_costs[v])
        if unchanged:
            out.append(given[v])
            route_costs[v] = as_given[v]
        elif seq:
            priced = pricer.price(v, seq)
            assert priced is not None, "only routes the walk holds are changed"
            out.append(priced[1])
    after = state.total()
    seconds = time.perf_counter() - t0
    if after >= before:
        return Descent(list(routes), list(dropped), before, before, 0, len(pricer.memo), converged, seconds, rounds)
    return Descent(out, state.left, before, after, moves, len(pricer.memo), converged, seconds, rounds, kept)


#: Orders a ruin round takes off at most (and at least `RUIN_MIN`): a string of neighbours, as in
#: slack induction by string removals (Christiaens & Vanden Berghe 2020).
RUIN_MIN, RUIN_MAX = 4, 12
#: The share of ruin rounds that take a whole route off instead: a plan with a vehicle too many (the
#: Yanhu cold-chain day's worst 30 s seed kept 10 where the others used 7-8) needs it.
RUIN_ROUTE_SHARE = 0.2


def _passes(
    st: _State, near: np.ndarray, k: int, deadline: float | None, max_passes: int, tails: bool, rng: random.Random
) -> tuple[int, bool]:
    """Passes over every order in an order ``rng`` draws, each making its best paying move.

    Returns (moves made, whether it converged).  Descents with different seeds visit the orders
    differently and so end in different local optima: the two chains of [logistics.engine.exact_stage][].
    """
    moves = 0
    order = list(range(st.data.n_orders))
    for _ in range(max_passes):
        moved = False
        rng.shuffle(order)
        for i in order:
            if deadline is not None and time.monotonic() > deadline:
                return moves, False
            best = _best_move(st, i, near[i], k, tails)
            if best is not None:
                _apply(st, best)
                moves, moved = moves + 1, True
        if not moved:
            return moves, True
    return moves, False


def _apply(st: _State, move: Move) -> None:
    """Make ``move``: its routes replace theirs, and orders it puts on a route are no longer left out."""
    for v, seq, cost in move:
        st.seqs[v], st.costs[v] = seq, cost
    placed = {j for _, seq, _ in move for j in seq}
    st.left = [j for j in st.left if j not in placed]


def _ruin_rounds(
    st: _State, near: np.ndarray, k: int, deadline: float, max_passes: int, tails: bool, rng: random.Random
) -> tuple[int, int, int]:
    """Ruin and recreate until ``deadline``; (rounds, rounds kept, moves of the descents after them).

    A round takes orders off (`_ruined`) and puts each back where it costs least (`_recreate`):
    a few hundred routes priced, where descending again after every round priced thousands (the
    descent made about six rounds in the Yanhu cold-chain day's 10 s, 100-250 this way).  A round
    that leaves the plan cheaper is kept and descended from; any other goes back to the best plan.
    """
    best = st.snapshot()
    rounds = kept = kept_moves = 0
    while time.monotonic() < deadline:
        served = list(_where(st))
        if not served:
            break
        taken = _ruined(st, near, served, rng)
        for v, seq in enumerate(st.seqs):
            if v in st.frozen or not taken.intersection(seq):
                continue
            rest = [i for i in seq if i not in taken]
            cost = st.pricer.cost(v, rest)
            if cost is None:  # taking orders off broke the route (a rest no longer fits): keep them
                taken -= set(seq)
                continue
            st.seqs[v], st.costs[v] = rest, cost
        st.left = sorted(set(st.left) | taken)
        _recreate(st, near, k, sorted(taken), rng)
        rounds += 1
        if st.total() < best[0] - 1e-6:
            moves, _ = _passes(st, near, k, deadline, max_passes, tails, rng)
            best, kept, kept_moves = st.snapshot(), kept + 1, kept_moves + moves
        else:
            st.restore(best)
    return rounds, kept, kept_moves


def _recreate(st: _State, near: np.ndarray, k: int, taken: list[int], rng: random.Random) -> None:
    """Put each order of ``taken``, in an order ``rng`` draws, where it costs least next to its nearest orders."""
    rng.shuffle(taken)
    for i in taken:
        where = _where(st)
        found = _relocations(st, i, _placed_nearest(near[i], where, k), where)
        if found:
            _apply(st, min(found, key=lambda f: f[0])[1])


def _ruined(st: _State, near: np.ndarray, served: list[int], rng: random.Random) -> set[int]:
    """The orders a ruin round takes off: a string of neighbours, or (``RUIN_ROUTE_SHARE`` of the
    rounds) the shorter of two routes drawn, whose fixed cost a string can never save."""
    routes = [v for v, seq in enumerate(st.seqs) if seq and v not in st.frozen]
    if len(routes) > 1 and rng.random() < RUIN_ROUTE_SHARE:
        a, b = rng.sample(routes, 2)
        return set(st.seqs[a] if len(st.seqs[a]) <= len(st.seqs[b]) else st.seqs[b])
    centre = rng.choice(served)
    size = rng.randint(RUIN_MIN, RUIN_MAX)
    on_routes = set(served)
    return {centre, *[j for j in near[centre].tolist() if j in on_routes][: size - 1]}


def _penalty(data: SolverData, i: int) -> float:
    """What leaving order ``i`` out costs in the descent's count (¥)."""
    return REQUIRED_LEFT_OUT if data.required[i] else float(data.problem.orders[i].penalty or 0.0)


def _nearest(data: SolverData, k: int) -> np.ndarray:
    """Each order's ``k`` nearest orders by the shorter way between them (not itself)."""
    n = data.n_orders
    k = max(0, min(k, n - 1))
    dist = data.distance[:n, :n].astype(float)
    both = np.minimum(dist, dist.T)
    np.fill_diagonal(both, np.inf)
    if k == 0:
        return np.zeros((n, 0), dtype=np.int64)
    part = np.argpartition(both, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(both, part, axis=1).argsort(axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


Move = list[tuple[int, list[int], float]]


@dataclass
class _State:
    """The descent's routes as it goes: sequences, their exact costs, the orders left out."""

    data: SolverData
    pricer: _Pricer
    seqs: list[list[int]]
    costs: list[float]
    left: list[int]
    frozen: set[int]

    def total(self) -> float:
        """The routes' exact cost and the penalties of the orders left out."""
        return sum(self.costs) + sum(_penalty(self.data, i) for i in self.left)

    def snapshot(self) -> tuple[float, list[list[int]], list[float], list[int]]:
        """The plan as it is now, with its total, to go back to (`restore`)."""
        return self.total(), [list(q) for q in self.seqs], list(self.costs), list(self.left)

    def restore(self, snap: tuple[float, list[list[int]], list[float], list[int]]) -> None:
        """Go back to a `snapshot`."""
        self.seqs, self.costs, self.left = [list(q) for q in snap[1]], list(snap[2]), list(snap[3])

    def fits(self, v: int, orders: list[int]) -> bool:
        """Whether vehicle ``v``'s type may carry all of ``orders``."""
        return bool(self.data.allowed[int(self.data.vehicle_type[v]), orders].all()) if orders else True


def _where(st: _State) -> dict[int, tuple[int, int]]:
    """Each order on a route the descent may change: (vehicle, position)."""
    return {o: (v, pos) for v, seq in enumerate(st.seqs) if v not in st.frozen for pos, o in enumerate(seq)}


def _placed_nearest(near: np.ndarray, where: dict[int, tuple[int, int]], k: int) -> np.ndarray:
    """The first ``k`` orders of ``near`` (an order's nearest, nearest first) that are in ``where``."""
    return np.array([j for j in near.tolist() if j in where][:k], dtype=np.int64)


def _best_move(st: _State, i: int, near: np.ndarray, k: int, tails: bool) -> Move | None:
    """The best paying move of order ``i``: the routes it changes, (vehicle, sequence, cost) each, or None.

    Its moves go next to the ``k`` nearest of the orders in ``near`` that are on a route; routes in
    ``st.frozen`` (the walk rejects them) are neither taken from nor added to.
    """
    where = _where(st)
    if i not in where and i not in st.left:
        return None  # on a frozen route
    near = _placed_nearest(near, where, k)
    found = _relocations(st, i, near, where)
    if i in where:
        found += _swaps(st, i, near, where)
        if tails:
            found += _tails(st, i, near, where)
    best: Move | None = None
    gain = 1e-6  # a move must save more than rounding
    for delta, move in found:
        if -delta > gain:
            best, gain = move, -delta
    return best


def _relocations(st: _State, i: int, near: np.ndarray, where: dict[int, tuple[int, int]]) -> list[tuple[float, Move]]:
    """Order ``i`` next to each of its nearest orders (a left-out order: against its penalty).

    Only the `PRICED_SPOTS` places with the shortest detour are priced.
    """
    spots = {(v, k + a) for j in near.tolist() if j in where for v, k in [where[j]] for a in (0, 1)}
    out = []
    if i not in where:
        for v, k in _shortest_detours(st, i, spots, None):
            new = st.seqs[v][:k] + [i] + st.seqs[v][k:]
            c = st.pricer.cost(v, new) if st.fits(v, [i]) else None
            if c is not None:
                out.append((c - st.costs[v] - _penalty(st.data, i), [(v, new, c)]))
        return out
    vi, ki = where[i]
    without = st.seqs[vi][:ki] + st.seqs[vi][ki + 1 :]
    c_without = st.pricer.cost(vi, without)
    own = {(vi, k if k <= ki else k - 1) for v, k in spots if v == vi} - {(vi, ki)}
    for v, k in _shortest_detours(st, i, {s for s in spots if s[0] != vi} | own, (vi, without)):
        if v == vi:
            new = without[:k] + [i] + without[k:]
            c = st.pricer.cost(v, new)
            if c is not None:
                out.append((c - st.costs[v], [(v, new, c)]))
        elif c_without is not None and st.fits(v, [i]):
            new = st.seqs[v][:k] + [i] + st.seqs[v][k:]
            c = st.pricer.cost(v, new)
            if c is not None:
                out.append((c + c_without - st.costs[v] - st.costs[vi], [(v, new, c), (vi, without, c_without)]))
    return out


#: Places a relocation prices at most, those of the shortest detour.  A place next to each of 15
#: nearest orders gives up to 30; pricing the 10 shortest let the Yanhu cold-chain day's descents
#: make twice the ruin rounds in the same time, and they ended ¥26 lower on average (ten chains of
#: 9.5 s from five 30 s runs' polished routes, lower or equal in nine; 6 places: ¥12 lower).
PRICED_SPOTS = 10


def _shortest_detours(
    st: _State, i: int, spots: set[tuple[int, int]], own: tuple[int, list[int]] | None
) -> list[tuple[int, int]]:
    """The `PRICED_SPOTS` places (vehicle, position) where putting ``i`` lengthens the route least.

    ``own`` is ``i``'s vehicle and its route without ``i``, to which its own places refer.
    """
    d = st.data

    def detour(spot: tuple[int, int]) -> int:
        v, k = spot
        seq = own[1] if own is not None and v == own[0] else st.seqs[v]
        a = seq[k - 1] if k > 0 else int(d.starts[v])
        b = seq[k] if k < len(seq) else int(d.ends[v])
        return int(d.distance[a, i]) + int(d.distance[i, b]) - int(d.distance[a, b])

    return sorted(spots, key=lambda s: (detour(s), s))[:PRICED_SPOTS]


def _swaps(st: _State, i: int, near: np.ndarray, where: dict[int, tuple[int, int]]) -> list[tuple[float, Move]]:
    """Order ``i`` and each of its nearest orders change places (the `PRICED_EXCHANGES` shortest priced)."""
    vi, ki = where[i]
    found: list[list[tuple[int, list[int]]]] = []
    for j in near.tolist():
        if j not in where:
            continue
        vj, kj = where[j]
        if vj == vi:
            new = list(st.seqs[vi])
            new[ki], new[kj] = j, i
            found.append([(vi, new)])
        elif st.fits(vj, [i]) and st.fits(vi, [j]):
            a, b = list(st.seqs[vi]), list(st.seqs[vj])
            a[ki], b[kj] = j, i
            found.append([(vi, a), (vj, b)])
    return _priced(st, found)


def _tails(st: _State, i: int, near: np.ndarray, where: dict[int, tuple[int, int]]) -> list[tuple[float, Move]]:
    """2-opt*: ``i``'s route goes on at a nearest order ``j`` of another route, whose route takes ``i``'s tail.

    The `PRICED_EXCHANGES` shortest are priced.
    """
    vi, ki = where[i]
    found: list[list[tuple[int, list[int]]]] = []
    for j in near.tolist():
        if j not in where or where[j][0] == vi:
            continue
        vj, kj = where[j]
        head_i, tail_i = st.seqs[vi][: ki + 1], st.seqs[vi][ki + 1 :]
        head_j, tail_j = st.seqs[vj][:kj], st.seqs[vj][kj:]
        if st.fits(vi, tail_j) and st.fits(vj, tail_i):
            found.append([(vi, head_i + tail_j), (vj, head_j + tail_i)])
    return _priced(st, found)


#: Swaps, and tail exchanges, an order prices at most: those that lengthen the routes least.
PRICED_EXCHANGES = 6


def _priced(st: _State, found: list[list[tuple[int, list[int]]]]) -> list[tuple[float, Move]]:
    """The `PRICED_EXCHANGES` candidates of ``found`` (each its routes' new sequences) that add the
    fewest metres, priced: the change in cost and the move, for each one every route of which holds."""
    d = st.data

    def metres(v: int, seq: list[int]) -> int:
        stops = [int(d.starts[v]), *seq, int(d.ends[v])]
        return int(d.distance[stops[:-1], stops[1:]].sum())

    now = {v: metres(v, st.seqs[v]) for routes in found for v, _ in routes}
    added = [sum(metres(v, seq) - now[v] for v, seq in routes) for routes in found]
    out = []
    for k in sorted(range(len(found)), key=lambda k: (added[k], k))[:PRICED_EXCHANGES]:
        routes = found[k]
        costs = []
        for v, seq in routes:
            c = st.pricer.cost(v, seq)
            if c is None:
                break
            costs.append(c)
        else:
            delta = sum(costs) - sum(st.costs[v] for v, _ in routes)
            out.append((delta, [(v, seq, c) for (v, seq), c in zip(routes, costs)]))
    return out
