"""SolverData: the problem as integer numpy arrays, the one input every engine reads.

Built once per solve.  Routing node ``0..n_orders-1`` are the orders (in
``problem.orders`` order); depot nodes follow, one start and one end node per
vehicle (as OR-Tools wants).  Everything is an integer: metres, seconds,
quantity units scaled by ``qty_scale``, money in ``COST_SCALE`` units per ¥.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from logistics.core.problem import Problem
from logistics.core.units import DAY

COST_SCALE = 10_000  # integer cost units per yuan inside the search
QTY_SCALE = 1000  # integer quantity units per product unit (grams per kg)

# Integer cost units saturate here in every engine, so that absurd inputs (a cost of 1e300 ¥/km, inf, NaN)
# cannot overflow int64:
COST_CAP = 10**15  # one arc or one vehicle's fixed cost (10^11 ¥)
RATE_CAP = 10**9  # a cost per second or per metre (10^5 ¥)
PENALTY_SUM = 2**62  # required penalties of all orders together


def cost_units(x, cap: int) -> np.ndarray:
    """Cost units as int64, saturated to [0, cap] (NaN counts as cap).

    Both engines convert through here, so an absurd rate saturates the same way in each instead of
    wrapping around int64.

    Parameters
    ----------
    x
        Costs as floats (scalar or array).
    cap
        The largest value allowed.

    Returns
    -------
    numpy.ndarray
        int64 values.
    """
    a = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=cap, posinf=cap, neginf=0.0)
    return np.rint(np.clip(a, 0, cap)).astype(np.int64)


@dataclass(frozen=True, eq=False)
class SolverData:
    """The problem as numpy arrays over routing nodes (orders, then each vehicle's start and end).

    Built once per solve and shared by both engines, the reasons and the plan builder, so they read
    the same integer data.  Shapes: V vehicles, N routing nodes, T vehicle types, S compartment slots.

    Attributes
    ----------
    problem
        The problem the arrays were built from.
    n_orders
        Number of orders (routing nodes 0..n_orders-1).
    n_vehicles
        Number of vehicles V.
    vehicle_ids
        Vehicle ids, as `Problem.vehicles` numbers them.
    vehicle_type
        (V,) index into problem.fleet.
    loc
        (N,) matrix row of every routing node; N = n_orders + 2V.
    starts
        (V,) routing node of each vehicle's start.
    ends
        (V,) routing node of each vehicle's end.
    distance
        (N, N) metres between routing nodes.
    duration
        (T, N, N) seconds per vehicle type (speed factor applied).
    service
        (N,) seconds.
    windows
        Per order, sorted windows.
    n_slots
        Compartment slots = max compartments over types.
    demand
        (T, S, N) signed load change in qty units (+pickup, -delivery).
    delivered
        (T, S, N) unpaired delivery amounts (loaded at depot), >= 0.
    capacity
        (T, S) qty units; 0 where a type lacks the slot.
    total_capacity
        (T,) qty units (sum cap for flexible partitions).
    allowed
        (T, n_orders) bool: type can carry the order.
    shelf
        (n_orders,) seconds, -1 = unlimited: the shelf life, whatever the vehicle.
    ride
        (T, n_orders) seconds, -1 = unlimited: the longest ride of the order on each vehicle type, its
        shelf life or, where that type carries some of its goods warmer than their zone, their
        ``ambient_limit_h`` when shorter (`Problem.ride_limit_s`); a pair's is the stricter of its
        two orders' on each type.  The limit engines enforce; ``ride <= shelf`` where both are set.
    required
        (n_orders,) bool.
    penalty
        (n_orders,) cost units.
    pairs
        (pickup node, delivery node).
    has_pickups
        Whether any order is a pickup.
    has_depot_deliveries
        Whether any unpaired delivery is loaded at a depot.
    dead_pairs
        The pairs of ``pairs`` that no vehicle can serve whatever the plan: the delivery's last
        window (soft lateness included) closes before the pickup can be made and driven there, or the
        drive between them is longer than their ride limit (``ride``) on every type that may carry them.
        Engines leave both orders out.
    """

    problem: Problem
    n_orders: int
    n_vehicles: int
    vehicle_ids: list[str]
    vehicle_type: np.ndarray  # (V,) index into problem.fleet
    loc: np.ndarray  # (N,) matrix row of every routing node; N = n_orders + 2V
    starts: np.ndarray  # (V,) routing node of each vehicle's start
    ends: np.ndarray  # (V,) routing node of each vehicle's end
    distance: np.ndarray  # (N, N) metres between routing nodes
    duration: np.ndarray  # (T, N, N) seconds per vehicle type (speed factor applied)
    service: np.ndarray  # (N,) seconds
    windows: list[list[tuple[int, int]]]  # per order, sorted windows
    n_slots: int  # compartment slots = max compartments over types
    demand: np.ndarray  # (T, S, N) signed load change in qty units (+pickup, -delivery)
    delivered: np.ndarray  # (T, S, N) unpaired delivery amounts (loaded at depot), >= 0
    capacity: np.ndarray  # (T, S) qty units; 0 where a type lacks the slot
    total_capacity: np.ndarray  # (T,) qty units (sum cap for flexible partitions)
    allowed: np.ndarray  # (T, n_orders) bool: type can carry the order
    shelf: np.ndarray  # (n_orders,) seconds, -1 = unlimited
    ride: np.ndarray  # (T, n_orders) seconds, -1 = unlimited: shelf life and time out of refrigeration per type
    required: np.ndarray  # (n_orders,) bool
    penalty: np.ndarray  # (n_orders,) cost units
    pairs: list[tuple[int, int]]  # (pickup node, delivery node)
    has_pickups: bool
    has_depot_deliveries: bool
    dead_pairs: list[tuple[int, int]] = field(default_factory=list)


def build(problem: Problem, matrices: bool = True) -> SolverData:
    """The solver arrays of ``problem``.

    Parameters
    ----------
    problem
        A checked problem.
    matrices
        False leaves out the node-by-node travel matrices (``distance`` and ``duration`` are then
        empty, ``dead_pairs`` not computed): enough to count what the full model would register
        (`build_cells`), which decides whether a large day is solved whole, without the 4.3 GB
        those matrices take for a 5,000-order Yanhu day; `add_matrices` completes such arrays.

    Returns
    -------
    SolverData
        Integer matrices (speed factors applied and saturated), loads per compartment slot, windows.
    """
    m = problem.matrix
    assert m is not None, "a Problem always has a travel matrix once built"
    orders = problem.orders
    n = len(orders)
    vehicles = problem.vehicles()
    V = len(vehicles)
    type_index = {vt.name: t for t, vt in enumerate(problem.fleet)}
    vtype = np.array([type_index[vt.name] for _, vt in vehicles], dtype=np.int64)
    loc = np.empty(n + 2 * V, dtype=np.int64)
    loc[:n] = [m.index(o.location) for o in orders]
    starts = np.arange(n, n + V)
    ends = np.arange(n + V, n + 2 * V)
    for v, (_, vt) in enumerate(vehicles):
        loc[n + v] = m.index(vt.start_depot)
        loc[n + V + v] = m.index(vt.end_depot)
    T = len(problem.fleet)
    N = len(loc)
    service = np.zeros(N, dtype=np.int64)
    service[:n] = [o.service for o in orders]
    S = max(len(vt.compartments) for vt in problem.fleet)
    demand = np.zeros((T, S, N), dtype=np.int64)
    delivered = np.zeros((T, S, N), dtype=np.int64)
    capacity = np.zeros((T, S), dtype=np.int64)
    total_cap = np.zeros(T, dtype=np.int64)
    allowed = np.zeros((T, n), dtype=bool)
    for t, vt in enumerate(problem.fleet):
        for k, c in enumerate(vt.compartments):
            capacity[t, k] = int(round(c.capacity * QTY_SCALE))
        total_cap[t] = int(round(vt.capacity * QTY_SCALE))
        for i, o in enumerate(orders):
            loads = problem.compartment_loads(o, vt)
            if loads is None:
                continue
            q = np.rint(np.asarray(loads) * QTY_SCALE).astype(np.int64)
            if (q > capacity[t, : len(q)]).any() or q.sum() > total_cap[t]:
                continue
            if vt.max_trips == 1 and loaded_elsewhere(problem, o, vt):
                continue  # a vehicle on the road that cannot reload takes no delivery it does not carry
            allowed[t, i] = True
            sign = 1 if o.kind == "pickup" else -1
            demand[t, : len(q), i] = sign * q
            if o.kind == "delivery" and problem.partner(o.id) is None:
                delivered[t, : len(q), i] = q
    shelf = np.array(
        [problem.shelf_life_s(o) if problem.shelf_life_s(o) is not None else -1 for o in orders], dtype=np.int64
    )
    idx = {o.id: i for i, o in enumerate(orders)}
    # the problem's pairs, written on either side (Problem.partner reads both)
    pairs = [
        (i, idx[mate]) for i, o in enumerate(orders) if o.kind == "pickup" for mate in [problem.partner(o.id)] if mate
    ]
    ride = np.tile(shelf, (T, 1))  # differs only for goods with a limit on time out of refrigeration
    prods = problem.products
    warm = [i for i, o in enumerate(orders) if any(prods[p].ambient_limit_h is not None for p in o.quantities)]
    for t, vt in enumerate(problem.fleet):
        for i in warm:
            life = problem.ride_limit_s(orders[i], vt)
            ride[t, i] = -1 if life is None else life
    for pi, di in pairs:  # a pair's goods obey the stricter shelf life of its two orders
        for a in [shelf] + list(ride):
            lives = [int(x) for x in (a[pi], a[di]) if x >= 0]
            if lives:
                a[pi] = a[di] = min(lives)
    penalty = np.array(
        [int(round((o.penalty or 0.0) * COST_SCALE)) if not o.required else 0 for o in orders], dtype=np.int64
    )
    if problem.objective == "distance":
        # distance-only: penalties are in distance units already
        penalty = np.array([int(round(o.penalty or 0.0)) if not o.required else 0 for o in orders], dtype=np.int64)
    shape = SolverData(
        problem=problem,
        n_orders=n,
        n_vehicles=V,
        vehicle_ids=[vid for vid, _ in vehicles],
        vehicle_type=vtype,
        loc=loc,
        starts=starts,
        ends=ends,
        distance=np.zeros((0, 0), dtype=np.int64),
        duration=np.zeros((T, 0, 0), dtype=np.int64),
        service=service,
        windows=[list(o.time_windows) for o in orders],
        n_slots=S,
        demand=demand,
        delivered=delivered,
        capacity=capacity,
        total_capacity=total_cap,
        allowed=allowed,
        shelf=shelf,
        ride=ride,
        required=np.array([o.required for o in orders], dtype=bool),
        penalty=penalty,
        pairs=pairs,
        has_pickups=any(o.kind == "pickup" and problem.partner(o.id) is None for o in orders),
        has_depot_deliveries=any(o.kind == "delivery" and problem.partner(o.id) is None for o in orders),
    )
    return add_matrices(shape) if matrices else shape


def add_matrices(data: SolverData) -> SolverData:
    """``data`` with its travel matrices and the pairs they rule out (see ``build(..., matrices=False)``).

    Parameters
    ----------
    data
        Solver arrays built without matrices (a complete one is rebuilt the same way).

    Returns
    -------
    SolverData
        A new object; ``data`` is not changed.
    """
    problem = data.problem
    m = problem.matrix
    assert m is not None, "a Problem always has a travel matrix once built"
    loc = data.loc
    dist = m.distance[np.ix_(loc, loc)].astype(np.int64)
    dur_base = m.duration[np.ix_(loc, loc)].astype(np.float64)
    # saturated: an "unreachable" sentinel times a speed factor must not wrap around int64
    duration = (
        np.stack([np.rint(np.minimum(dur_base * vt.speed_factor, 2.0**62)).astype(np.int64) for vt in problem.fleet])
        if problem.fleet
        else np.zeros((0, len(loc), len(loc)), dtype=np.int64)
    )
    del dur_base
    dead = _dead_pairs(
        problem, data.pairs, duration, data.allowed, data.service, data.ride, data.starts, data.vehicle_type
    )
    return replace(data, distance=dist, duration=duration, dead_pairs=dead)


def loaded_elsewhere(problem: Problem, o: Any, vt: Any) -> bool:
    """Whether ``o`` is an unpaired delivery whose goods are not among ``vt.on_board`` (a vehicle on the road).

    Parameters
    ----------
    problem
        The problem.
    o
        An order of it.
    vt
        A vehicle type.

    Returns
    -------
    bool
        True when ``o`` can ride ``vt`` only after a reload (never when ``vt.on_board`` is None).
    """
    if vt.on_board is None:
        return False
    return o.kind == "delivery" and problem.partner(o.id) is None and o.id not in vt.on_board


def _dead_pairs(
    problem: Problem,
    pairs: list[tuple[int, int]],
    duration: np.ndarray,
    allowed: np.ndarray,
    service: np.ndarray,
    ride: np.ndarray,
    starts: np.ndarray,
    vtype: np.ndarray,
) -> list[tuple[int, int]]:
    """Pairs no vehicle can serve: a lower bound on the delivery's start is past its last chance.

    The bound is optimistic on every count (the earliest arrival at the pickup from any vehicle's start,
    the pickup's first window, the fastest type between them), so a pair that some plan could serve is
    never listed.
    """
    orders = problem.orders
    late_ok = int(problem.costs.max_lateness_h * 3600) if problem.objective == "cost" else 0
    dead = []
    present = set(vtype.tolist())  # types with vehicles (a type of count 0 serves nothing)
    for pi, di in pairs:
        types = [t for t in range(len(problem.fleet)) if allowed[t, pi] and allowed[t, di] and t in present]
        vs = [v for v in range(len(starts)) if int(vtype[v]) in types]
        if not vs:
            continue  # no vehicle may carry it: explained as a misfit
        reach = min(problem.fleet[int(vtype[v])].shift[0] + int(duration[vtype[v], starts[v], pi]) for v in vs)
        pick = max(reach, orders[pi].time_windows[0][0])
        drive = min(int(duration[t, pi, di]) for t in types)
        earliest = pick + int(service[pi]) + drive
        latest = orders[di].time_windows[-1][1] + (late_ok if orders[di].soft else 0)
        # too long a ride on every type that may carry it (shelf life, time out of refrigeration)
        spoilt = all(0 <= ride[t, pi] < int(service[pi]) + int(duration[t, pi, di]) for t in types)
        if earliest > latest or spoilt:
            dead.append((pi, di))
    return dead


def horizon(data: SolverData) -> int:
    """The latest time any route may reach: at least a day, else the latest shift end or window close.

    Parameters
    ----------
    data
        The solver arrays.

    Returns
    -------
    int
        Seconds; the time dimension's capacity.
    """
    ends = [vt.shift[1] for vt in data.problem.fleet] + [w[-1][1] for w in data.windows if w]
    return int(max(ends + [DAY]))


def reload_node(data: SolverData, v: int) -> int:
    """The routing node where vehicle ``v`` reloads between two trips: its start node, or its end node.

    Parameters
    ----------
    data
        The solver arrays.
    v
        Vehicle index.

    Returns
    -------
    int
        ``data.starts[v]``, or ``data.ends[v]`` when the type reloads at its end depot
        (`logistics.core.model.VehicleType.reload_depot`).
    """
    vt = data.problem.fleet[int(data.vehicle_type[v])]
    return int(data.starts[v]) if vt.reloads_at == vt.start_depot else int(data.ends[v])
