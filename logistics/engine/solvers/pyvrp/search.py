"""Run PyVRP's search on a built instance and read its answer back: one seed, one process.

This is the half of the PyVRP engine a worker interpreter needs (see
[logistics.engine.parallel.run_tasks][]), so it imports numpy, PyVRP and the standard library
only (and [logistics.core.shares][], plain constants): a worker that runs a second seed starts
without pandas, geopandas or OR-Tools.  Deadlines are
``time.monotonic()`` values, which hold across processes of one machine.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from logistics.core.shares import (  # constants only: imports nothing
    MIN_PYVRP_S,
    PYVRP_NEIGHBOURS,
    PYVRP_NEIGHBOURS_FROM,
    PYVRP_NEIGHBOURS_UPTO,
)
from logistics.engine.solvers.pyvrp.stop import Converged
from logistics.engine.solvers.seeds import RELOAD  # imports nothing

__all__ = ["EngineResult", "PyVRPInstance", "best_of", "initial_solution", "run_instance", "run_rounds", "run_seed"]


@dataclass
class EngineResult:
    """An engine's routing skeleton.

    Parameters
    ----------
    routes
        ``routes[v]`` lists the order indices vehicle ``v`` visits, in order (empty: unused), a
        reload between two trips as `logistics.engine.solvers.seeds.RELOAD`.
    cost
        PyVRP's objective in OR-Tools objective units (cost units, or distance units for the distance
        objective), dropped orders' penalties included, so results of different seeds compare.
    feasible
        Feasible for the model PyVRP solved with every required order served.
    relaxed
        What that model relaxed or encoded approximately; OR-Tools has to enforce those.
    unserved
        Order indices left out.
    violations
        Checks of relaxed constraints that the routes fail (OR-Tools has to repair those).
    seed, iterations, runtime
        The run that found it.
    seeds_run
        Seeds the portfolio ran (this one included); 1 when no worker was started.
    converged
        The seed stopped before its time and iteration bounds: it went its stall span without a
        better solution.
    rounds
        Rounds of independent seeds each process ran (`run_rounds`); 1 for a single search.
    solution
        PyVRP's own ``pyvrp.Solution`` of the routes (picklable), so that a cooperative round can
        start the next search from it; not compared.
    others
        The routes of the portfolio's other seeds, cheapest in PyVRP's objective first: where
        PyVRP's model relaxes something, the full model may rank them otherwise (see
        `logistics.engine.solvers.ortools.search.polish`); not compared.
    """

    routes: list[list[int]]
    cost: float
    feasible: bool
    relaxed: list[str]
    unserved: list[int] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    seed: int = 0
    iterations: int = 0
    runtime: float = 0.0
    seeds_run: int = 1
    converged: bool = False
    rounds: int = 1
    solution: Any = field(default=None, compare=False, repr=False)
    others: list[list[list[int]]] = field(default_factory=list, compare=False, repr=False)

    @property
    def n_routes(self) -> int:
        """Vehicles used."""
        return sum(1 for r in self.routes if r)


@dataclass
class PyVRPInstance:
    """A PyVRP model of a SolverData plus what maps its answers back; picklable, so a worker gets it whole.

    Parameters
    ----------
    data
        The ``pyvrp.ProblemData``.
    n_vehicles
        Vehicles of the fleet (PyVRP routes map back onto these indices).
    client_order
        PyVRP client index -> order index.
    shipment_orders
        PyVRP shipment index -> (pickup order, delivery order).
    type_vehicles
        PyVRP vehicle type -> vehicle indices of that fleet type.
    required
        (n_orders,) bool.
    scale
        PyVRP costs are objective units x scale / divisor.
    relaxed
        What the model relaxes (see `EngineResult.relaxed`).
    span_windows
        Orders whose several windows were relaxed to their span (checked on the schedule afterwards).
    ride
        (PyVRP vehicle types, n_orders) seconds, -1 unlimited: each order's ride limit on each type
        (`SolverData.ride`: shelf life and time out of refrigeration; checked on the schedule afterwards).
    order_kind
        (n_orders,) +1 pickup, -1 delivery, 0 paired.
    n_orders
        Orders of the problem.
    divisor
        The common divisor taken out of every cost (see
        `logistics.engine.solvers.pyvrp.costs.common_divisor`).
    """

    data: Any  # pyvrp.ProblemData
    n_vehicles: int
    client_order: np.ndarray
    shipment_orders: list[tuple[int, int]]
    type_vehicles: list[list[int]]
    required: np.ndarray
    scale: int
    relaxed: list[str]
    span_windows: dict[int, list[tuple[int, int]]]
    ride: np.ndarray
    order_kind: np.ndarray
    n_orders: int
    divisor: int = 1


def run_instance(
    inst: PyVRPInstance,
    time_limit: float,
    seed: int = 0,
    max_iterations: int | None = None,
    deadline: float | None = None,
    history_length: int | None = None,
    stall: int | None = None,
    initial: Any = None,
) -> EngineResult:
    """Solve a built instance with one seed.

    Parameters
    ----------
    inst
        The model (`logistics.engine.solvers.pyvrp.model.build_instance`).
    time_limit
        Seconds for the search.
    seed
        PyVRP's seed; with ``max_iterations`` the same seed gives the same routes.
    max_iterations
        An iteration bound on top of the time limit, for runs reproducible across machines.
    deadline
        A ``time.monotonic()`` value that caps the run as well (the caller's budget).
    history_length
        The late-acceptance history of PyVRP's iterated local search (PyVRP's default, 300, when
        None; see `logistics.engine.solvers.pyvrp.portfolio.history_for`).
    stall
        Stop once this many iterations in a row, and twice as many as the search took to find its best, found
        nothing better (`Converged`; None: run to the limit); see
        `logistics.engine.solvers.pyvrp.portfolio.stall_iterations`.
    initial
        Where to start: a ``pyvrp.Solution`` of this instance (`EngineResult.solution` of an earlier
        run, as a cooperative round passes it) or order indices per vehicle (a warm start, read by
        `initial_solution`: orders the model does not have and pair halves without their partner on
        the route are left out); None lets PyVRP build its own start.

    Returns
    -------
    EngineResult
        The best solution found, mapped back to vehicle and order indices.
    """
    # deferred: PyVRP takes ~0.5 s to import and engine "ortools" never needs it
    import pyvrp
    from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams  # deferred: as above
    from pyvrp.search import NeighbourhoodParams  # deferred: as above
    from pyvrp.solve import SolveParams  # deferred: as above
    from pyvrp.stop import (  # deferred: as above
        MaxIterations,
        MaxRuntime,
        MultipleCriteria,
        StoppingCriterion,
    )

    t0 = time.monotonic()
    if deadline is not None:
        time_limit = min(time_limit, deadline - t0)
    time_limit = max(float(time_limit), MIN_PYVRP_S)
    stop: StoppingCriterion = MaxRuntime(time_limit)
    if max_iterations is not None:
        stop = MultipleCriteria([MaxIterations(int(max_iterations)), stop])
    if stall is not None:
        stop = MultipleCriteria([Converged(int(stall)), stop])
    with warnings.catch_warnings():  # infeasibility shows in the result; PyVRP's warnings would only be noise
        warnings.simplefilter("ignore")
        ils = IteratedLocalSearchParams()  # PyVRP's defaults, or the history the portfolio chose
        if history_length is not None:
            ils = IteratedLocalSearchParams(history_length=int(history_length))
        # the smaller neighbourhood where it was measured to pay: PyVRP's model is the problem (nothing relaxed,
        # so its best is the best) and the problem is large enough (see PYVRP_NEIGHBOURS)
        narrow = not inst.relaxed and PYVRP_NEIGHBOURS_FROM <= inst.n_orders <= PYVRP_NEIGHBOURS_UPTO
        near = PYVRP_NEIGHBOURS if narrow else NeighbourhoodParams().num_neighbours
        params = SolveParams(ils=ils, neighbourhood=NeighbourhoodParams(num_neighbours=near))
        start = initial_solution(inst, initial) if isinstance(initial, list) else initial
        res = pyvrp.solve(
            inst.data, stop, seed=int(seed), collect_stats=False, display=False, initial_solution=start, params=params
        )
    out = _to_result(inst, res.best)
    out.solution = res.best
    out.seed = int(seed)
    out.iterations = int(res.num_iterations)
    out.runtime = time.monotonic() - t0
    bounded = max_iterations is not None and out.iterations >= int(max_iterations)
    out.converged = stall is not None and not bounded and res.runtime < time_limit * 0.99
    return out


def run_seed(
    inst: PyVRPInstance,
    deadline: float,
    seed: int,
    iterations: int | None,
    history: int | None,
    stall: int | None = None,
    initial: Any = None,
) -> EngineResult:
    """One seed of the portfolio until ``deadline`` (``time.monotonic()``): the task a worker runs.

    Parameters
    ----------
    inst, seed, history, stall, initial
        As for `run_instance`.
    deadline
        When the seed must be done; the time limit is what is left of it when the task starts, so a
        worker that started late does not overrun.
    iterations
        The iteration bound, or None.

    Returns
    -------
    EngineResult
        The seed's result.
    """
    return run_instance(inst, deadline - time.monotonic(), seed, iterations, deadline, history, stall, initial)


def run_rounds(
    inst: PyVRPInstance,
    deadline: float,
    seed: int,
    iterations: int | None,
    history: int | None,
    stall: int | None = None,
    initial: Any = None,
    rounds: int = 1,
    stride: int = 1,
) -> list[EngineResult]:
    """``rounds`` independent seeds one after another until ``deadline``: the task a portfolio worker runs.

    Round ``r`` runs seed ``seed + r * stride`` (the portfolio passes its process count, so no two
    searches share a seed) for an equal share of the time left when it starts, so a round that
    converges early leaves its time to the next; with ``iterations`` each round gets
    ``iterations // rounds``.  Only the first round starts from ``initial``.  Where PyVRP's model
    relaxes the problem, one seed settles in its own local optimum and more time does not move it,
    while the full model ranks the skeletons of different seeds otherwise than PyVRP does: more
    skeletons to price buy more than a longer search (``RELAXED_ROUNDS``).

    Parameters
    ----------
    inst, deadline, seed, iterations, history, stall, initial
        As for `run_seed`.
    rounds
        How many seeds to run in turn (at least 1).
    stride
        The step between the seeds of consecutive rounds.

    Returns
    -------
    list of EngineResult
        One per round that ran, in round order; each has ``rounds`` set.
    """
    rounds = max(1, int(rounds))
    per_round = None if iterations is None else max(1, int(iterations) // rounds)
    out: list[EngineResult] = []
    for r in range(rounds):
        left = deadline - time.monotonic()
        if r and left <= MIN_PYVRP_S:
            break
        # iterations, not the clock, end an iteration-bound round; the last round takes what is left
        to_deadline = iterations is not None or r == rounds - 1
        until = deadline if to_deadline else time.monotonic() + left / (rounds - r)
        start = initial if r == 0 else None
        res = run_seed(inst, until, int(seed) + r * int(stride), per_round, history, stall, start)
        res.rounds = rounds
        out.append(res)
    return out


def initial_solution(inst: PyVRPInstance, routes: list[list[int]]) -> Any:
    """A PyVRP solution of ``inst`` from order indices per vehicle, or None when PyVRP refuses it.

    Each order becomes its first client (an order of several windows: the first window's), each
    paired order its half of the shipment; a half whose partner is not on the same route (pickup first), an
    order the model left out and a vehicle beyond its type's count are dropped, so the start is a
    valid (possibly infeasible or incomplete) solution that the search then repairs.

    Parameters
    ----------
    inst
        The model.
    routes
        ``routes[v]``: the order indices vehicle ``v`` visits, in order.

    Returns
    -------
    pyvrp.Solution or None
    """
    # deferred: PyVRP takes ~0.5 s to import (see run_instance)
    from pyvrp import Activity, ActivityType, Route, Solution

    visit: dict[int, Any] = {}
    for c, i in enumerate(inst.client_order):
        visit.setdefault(int(i), Activity(ActivityType.CLIENT, c))
    mate: dict[int, int] = {}
    for k, (p, d) in enumerate(inst.shipment_orders):
        visit[p], visit[d] = Activity(ActivityType.PICKUP, k), Activity(ActivityType.DELIVERY, k)
        mate[p], mate[d] = d, p
    pickups = {p for p, _ in inst.shipment_orders}
    type_of = {v: j for j, vs in enumerate(inst.type_vehicles) for v in vs}
    out = []
    for v, route in enumerate(routes):
        seq = _whole_pairs([int(i) for i in route if int(i) in visit], mate, pickups)
        if seq and v in type_of:
            out.append(Route(inst.data, [visit[i] for i in seq], type_of[v]))
    try:
        return Solution(inst.data, out)
    except (ValueError, RuntimeError, IndexError):  # say, more routes than a type has vehicles
        return None


def best_of(results: list[EngineResult], seeds: list[int]) -> EngineResult:
    """The portfolio's winner: feasible first, then lowest cost, then fewest routes, then seed order.

    Parameters
    ----------
    results
        At least one result.
    seeds
        The seeds in the portfolio's order (breaks ties, so the choice is reproducible).

    Returns
    -------
    EngineResult
        The best result.
    """
    return min(results, key=lambda r: (not r.feasible, r.cost, r.n_routes, seeds.index(r.seed)))


def _to_result(inst: PyVRPInstance, sol: Any) -> EngineResult:
    """PyVRP's solution as vehicle routes of order indices, with the relaxed constraints checked."""
    # deferred: PyVRP takes ~0.5 s to import (see run_instance)
    from pyvrp import ActivityType

    routes: list[list[int]] = [[] for _ in range(inst.n_vehicles)]
    next_free = [0] * len(inst.type_vehicles)
    served = np.zeros(inst.n_orders, dtype=bool)
    starts: dict[int, tuple[int, Any, int]] = {}
    rode: dict[int, int] = {}  # order -> PyVRP vehicle type
    for r in sol.routes():
        j = r.vehicle_type()
        v = inst.type_vehicles[j][next_free[j]]
        next_free[j] += 1
        seq: list[int] = []
        acts = list(r.schedule())
        depot_at = [k for k, act in enumerate(acts) if act.type == ActivityType.DEPOT]
        # when each activity's trip is back at a depot (a reload, or the route's end)
        back = {k: acts[min(x for x in depot_at if x > k)].start_time for k in range(len(acts) - 1)}
        depart = None
        for k, act in enumerate(acts):
            if act.type == ActivityType.DEPOT:
                if depart is None:
                    depart = act.end_time
                elif k != len(acts) - 1:  # a reload depot between two trips
                    seq.append(RELOAD)
                    depart = act.end_time  # the next trip's goods count from the end of the reload
                continue
            if act.type == ActivityType.CLIENT:
                i = int(inst.client_order[act.idx])
            elif act.type == ActivityType.PICKUP:
                i = inst.shipment_orders[act.idx][0]
            else:
                i = inst.shipment_orders[act.idx][1]
            seq.append(i)
            served[i] = True
            starts[i] = (act.start_time, depart, back[k])
            rode[i] = j
        routes[v] = seq
    unserved = [int(i) for i in np.flatnonzero(~served)]
    cost = sol.distance_cost() + sol.duration_cost() + sol.fixed_vehicle_cost() + sol.uncollected_prizes()
    feasible = bool(sol.is_feasible() and sol.is_complete() and served[inst.required].all())
    return EngineResult(
        routes=routes,
        cost=cost * inst.divisor / inst.scale,
        feasible=feasible,
        relaxed=list(inst.relaxed),
        unserved=unserved,
        violations=_violations(inst, starts, rode),
    )


def _violations(inst: PyVRPInstance, starts: dict[int, tuple[int, Any, int]], rode: dict[int, int]) -> list[str]:
    """Checks of what the model relaxed, on PyVRP's schedule (``starts[i]``: service, departure, return;
    ``rode[i]``: the vehicle type, which sets the ride limit)."""
    violations: list[str] = []
    what = "shelf life or time out of refrigeration"
    for i, wins in inst.span_windows.items():
        if i in starts and not any(a <= starts[i][0] <= b for a, b in wins):
            violations.append(f"order {i}: service at {starts[i][0]} outside its windows")
    for i, j in rode.items():
        s, depart, end = starts[i]
        limit = int(inst.ride[j, i])
        if limit < 0:
            continue
        if inst.order_kind[i] < 0 and s - depart > limit:
            violations.append(f"order {i}: {s - depart} s from depot exceeds its ride limit {limit} s ({what})")
        elif inst.order_kind[i] > 0 and end - s > limit:
            violations.append(f"order {i}: {end - s} s to the depot exceeds its ride limit {limit} s ({what})")
    for p, d in inst.shipment_orders:
        limit = int(inst.ride[rode[p], p]) if p in rode else -1
        if d in starts and limit >= 0 and starts[d][0] - starts[p][0] > limit:
            violations.append(f"orders {p}->{d}: transit exceeds their ride limit {limit} s ({what})")
    return violations


def _whole_pairs(seq: list[int], mate: dict[int, int], pickups: set[int]) -> list[int]:
    """``seq`` without the pair halves whose mate is not on it on the right side (pickup first)."""
    pos = {i: k for k, i in enumerate(seq)}

    def whole(i: int) -> bool:
        if i not in mate:
            return True
        other = pos.get(mate[i])
        return other is not None and (other > pos[i]) == (i in pickups)

    return [i for i in seq if whole(i)]
