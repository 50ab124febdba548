"""Two-echelon capacitated VRP (2E-CVRP): reader for the unified ``.dat`` format and a tiered solver.

File format (Breunig, Schmid, Hartl & Vidal 2016; ``!`` starts a comment line)::

    !Trucks: (total #, capacity, cost per distance, fixcost)
    3,15000,1,0
    !CityFreighters: (max cf/sat, total #, cap, cost/dist, fixcost)
    4,4,6000,1,0
    !Stores: (first: depot x,y; then: satellites x,y[,handlingCost])
    145,215   148,232   146,208
    !Customers: (x,y,demand)
    151,264,1100   159,261,700   ...

Distances are Euclidean (not rounded).  Trucks go depot → satellites → depot
and may split a satellite's freight; city freighters go satellite → customers →
same satellite; at most ``max cf/sat`` freighters per satellite and ``total #``
overall.  The cost is distance × cost per distance plus fixed costs plus, where
given, a handling cost per unit of freight through a satellite.

[solve_2evrp][logistics.planners.twoechelon.solve_2evrp] maps an instance onto the three-tier planner
([logistics.planners.tiers.plan_tiers][]): the depot is the hub, satellites are
stations, customers are villages.  Customers start at the nearest satellite
and, as a second start, at the satellite a multi-depot VRP of the city
freighters gives them ([mdvrp_assignment][logistics.planners.twoechelon.mdvrp_assignment]); each start is re-assigned
greedily until every satellite's freight fits the freighters it can get
within the overall limit, the planner's boundary pass then moves customers
between satellites where the two re-solved satellites get cheaper, and the
cheaper of the two solutions is kept.
Times play no role (durations are zero).  `check_2evrp` checks a
solution against the instance independently of the planner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from logistics.check.twoechelon import check_2evrp, solution_cost
from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.model import GOODS, Compartment, Order, VehicleType
from logistics.core.options import SolveOptions, resolve_options
from logistics.core.problem import Problem
from logistics.core.shares import MDVRP_ALONE_SHARE, MDVRP_SHARE, TWOECHELON_START_FLOOR_S
from logistics.core.twoechelon import SCALE, TwoEchelonInstance
from logistics.core.units import Zone
from logistics.engine.solve import solve
from logistics.formats.twoechelon import read_2evrp
from logistics.planners.tiers import Layout, TieredPlan, plan_tiers
from networks import TravelMatrix

__all__ = ["TwoEchelonSolution", "assign_customers", "mdvrp_assignment", "solution_from_tiers", "solve_2evrp"]


# --------------------------------------------------------------------------- solver


@dataclass(eq=False)
class TwoEchelonSolution:
    """Routes as node-id lists; ``first_level`` trucks carry ``loads`` {satellite: amount} per route.

    Plain lists and dicts, so `check_2evrp` can check a solution from any solver.

    Parameters
    ----------
    instance
        The instance solved.
    first_level
        Truck routes: ``{"route": ["D", "S1", ..., "D"], "loads": {"S1": q, ...}}``.
    second_level
        Freighter routes: ``{"satellite": "S1", "route": ["S1", "c3", ..., "S1"], "load": q}``.
    unserved
        Customer ids left out.
    tiered
        The [TieredPlan][logistics.planners.tiers.TieredPlan] behind the solution, if any.
    meta
        Start used, cost per start, elapsed seconds.
    """

    instance: TwoEchelonInstance
    first_level: list[dict[str, Any]]  # {"route": ["D", "S1", ..., "D"], "loads": {"S1": q, ...}}
    second_level: list[dict[str, Any]]  # {"satellite": "S1", "route": ["S1", "c3", ..., "S1"], "load": q}
    unserved: list[str]
    tiered: Any = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        """Exact cost from the coordinates (`solution_cost`)."""
        return solution_cost(self.instance, self)

    @property
    def gap(self) -> float | None:
        """Relative gap to the best-known cost, if one is known."""
        bks = self.instance.best_known
        return None if bks is None else (self.cost - bks) / bks

    def violations(self) -> list[str]:
        """What the solution breaks (`check_2evrp`); empty when feasible.

        Returns
        -------
        list of str
            One message per broken rule.
        """
        return check_2evrp(self.instance, self)


def assign_customers(
    inst: TwoEchelonInstance, start: dict[str, str] | None = None
) -> tuple[dict[str, str], dict[str, int]]:
    """Customers to satellites (``start``, else the nearest; then greedy repair) and freighters per satellite.

    Repair: while the satellites need more freighters than allowed (``ceil(freight /
    capacity)`` each, at most ``cf_per_satellite``, at most ``cf_count`` overall),
    empty one freighter's worth from the satellite where moving customers to
    satellites with room costs the least extra distance.  Spare freighters go to
    the fullest satellites.

    Parameters
    ----------
    inst
        The instance.
    start
        Customer → satellite to start from (unknown ids ignored); default the nearest satellite.

    Returns
    -------
    tuple of dict
        Customer → satellite, and satellite → number of freighters.
    """
    ids = inst.ids()
    k = inst.n_satellites
    d = inst.distance()
    sat_ix = list(range(1, k + 1))
    cix = list(range(k + 1, k + 1 + inst.n_customers))
    Q = inst.cf_capacity
    dem = {ids[i]: float(inst.demand[i - k - 1]) for i in cix}
    dist = {(ids[s], ids[c]): float(d[s, c]) for s in sat_ix for c in cix}
    sats = [ids[s] for s in sat_ix]
    assign = {ids[c]: min(sats, key=lambda s: (dist[(s, ids[c])], s)) for c in cix}
    if start is not None:
        assign.update({c: s for c, s in start.items() if c in assign and s in sats})

    def load(s: str) -> float:
        return sum(dem[c] for c, x in assign.items() if x == s)

    def need(s: str) -> int:
        return math.ceil(load(s) / Q - 1e-9)

    for _ in range(inst.n_customers * 4):
        needs = {s: need(s) for s in sats}
        over = sum(needs.values()) > inst.cf_count or any(n > inst.cf_per_satellite for n in needs.values())
        if not over:
            break
        best = None
        for s in sats:
            if needs[s] == 0:
                continue
            excess = load(s) - (needs[s] - 1) * Q
            room = {t: min(needs[t], inst.cf_per_satellite) * Q - load(t) for t in sats if t != s}
            moves, extra, moved = [], 0.0, 0.0
            cands = sorted(
                (min(((dist[(t, c)] - dist[(s, c)]), t) for t in room), c) for c, x in assign.items() if x == s
            )
            for (delta, _), c in cands:
                if moved >= excess - 1e-9:
                    break
                opts = [(dist[(t, c)] - dist[(s, c)], t) for t in room if room[t] >= dem[c] - 1e-9]
                if not opts:
                    continue
                dd, t = min(opts)
                room[t] -= dem[c]
                moves.append((c, t))
                extra += dd
                moved += dem[c]
            if moved >= excess - 1e-9 and (best is None or extra < best[0]):
                best = (extra, moves)
        if best is None:
            break
        for c, t in best[1]:
            assign[c] = t
    counts = {s: min(inst.cf_per_satellite, max(0, need(s))) for s in sats}
    spare = inst.cf_count - sum(counts.values())
    while spare > 0:
        open_ = [s for s in sats if counts[s] < inst.cf_per_satellite and load(s) > 0]
        if not open_:
            break
        s = max(open_, key=lambda s: (load(s) / max(counts[s], 1) / Q, s))
        counts[s] += 1
        spare -= 1
    return assign, counts


def layout_of(inst: TwoEchelonInstance, assign: dict[str, str]) -> Layout:
    """The instance as a tier layout: depot ``D`` the hub, satellites ``S<k>`` stations, customers villages.

    Parameters
    ----------
    inst
        The instance.
    assign
        Customer → satellite (the villages' stations).

    Returns
    -------
    Layout
        Distances scaled by ``SCALE`` and rounded; durations zero.
    """
    ids = inst.ids()
    d = np.rint(inst.distance() * SCALE).astype(np.int64)
    tm = TravelMatrix(tuple(ids), d, np.zeros_like(d), synthetic=False, source=f"euclidean x{SCALE} ({inst.name})")
    xy = inst.xy()
    coords = {k: (float(x), float(y)) for k, (x, y) in zip(ids, xy)}
    stations = tuple(f"S{k + 1}" for k in range(inst.n_satellites))
    return Layout(hub="D", stations=stations, parent=dict(assign), matrix=tm, coords=coords)


#: plan engine of `solve_2evrp` when neither ``engine`` nor ``options`` names one.
DEFAULT_ENGINE = "ortools"


def _zero_costs() -> CostModel:
    """Distance and fixed costs only: no fuel, carbon, refrigeration or window terms."""
    return CostModel(
        diesel_price=0.0,
        carbon_price=0.0,
        reefer_drive_per_h=0.0,
        reefer_door_per_h=0.0,
        early_per_h=0.0,
        late_per_h=0.0,
    )


def _orders(inst: TwoEchelonInstance) -> list[Order]:
    return [Order(f"c{j + 1}", {"goods": float(inst.demand[j])}, node_id=f"c{j + 1}") for j in range(inst.n_customers)]


def _freighters(inst: TwoEchelonInstance, name: str, satellite: str, count: int) -> VehicleType:
    """``count`` city freighters of the instance based at ``satellite``."""
    return VehicleType(
        name,
        count,
        (Compartment(Zone.AMBIENT, inst.cf_capacity),),
        start_depot=satellite,
        cost_per_km=inst.cf_cost,
        fixed_cost=inst.cf_fixed,
        refrigerated=False,
        max_driving_h=None,  # a benchmark instance has no drivers' rules
    )


def mdvrp_assignment(
    inst: TwoEchelonInstance,
    time_limit: float | None = None,
    seed: int | None = None,
    iterations: int | None = None,
    *,
    options: SolveOptions | None = None,
    engine: str | None = None,
) -> dict[str, str]:
    """Customers to satellites as a multi-depot VRP of the second level assigns them.

    Nearest-satellite assignment ignores how customers group into freighter
    routes; solving the city freighters of all satellites as one multi-depot
    problem (each satellite its ``cf_per_satellite`` freighters) lets the
    routing decide which satellite serves whom.  The trunk is left out, so this
    is one start among others, not the answer.

    Parameters
    ----------
    inst
        The instance.
    options
        Time limit, seed, engine and iterations of the one solve.
    time_limit, seed, iterations, engine
        Shortcuts for the fields of ``options``.

    Returns
    -------
    dict
        Customer id → satellite id, for every customer the solve served.
    """
    opts = resolve_options(options, time_limit=time_limit, seed=seed, iterations=iterations, engine=engine)
    layout = layout_of(inst, {})
    fleet = [_freighters(inst, f"cf@{s}", s, inst.cf_per_satellite) for s in layout.stations]
    problem = Problem(
        tuple(_orders(inst)),
        tuple(fleet),
        matrix=layout.matrix,
        products={"goods": GOODS},
        costs=_zero_costs(),
        strict=False,
        name=f"{inst.name} second level",
    )
    plan = solve(problem, options=opts)
    depot = plan.stops[plan.stops["kind"] == "start"].set_index("vehicle")["node_id"]
    served = plan.stops.dropna(subset=["order_id"])
    return {str(r.order_id): str(depot[str(r.vehicle)]) for r in served.itertuples()}


def solve_2evrp(
    inst: TwoEchelonInstance | str | Path,
    time_limit: float | None = None,
    seed: int | None = None,
    *,
    options: SolveOptions | None = None,
    workers: int | None = None,
    engine: str | None = None,
    rebalance: bool | int = True,
    iterations: int | None = None,
    starts: tuple[str, ...] = ("nearest", "mdvrp"),
) -> TwoEchelonSolution:
    """Solve a 2E-CVRP instance with the tiered planner (see the module docstring).

    Each of ``starts`` gives the planner an assignment of customers to
    satellites: ``"nearest"`` (nearest satellite, repaired to the freighter
    limits) and ``"mdvrp"`` ([mdvrp_assignment][logistics.planners.twoechelon.mdvrp_assignment], repaired the same way,
    given ``MDVRP_SHARE`` of the time).  Distinct assignments share the rest of
    the time; the cheapest feasible solution is returned, and ``meta["starts"]``
    says what each start cost.

    Parameters
    ----------
    inst
        The instance, or the path of a ``.dat`` file.
    time_limit, seed
        Shortcuts for the fields of ``options`` (default 10 s, seed 0).
    options
        Time limit for the whole call, seed, engine, iterations and workers.  Without
        ``options`` and ``engine`` the planner searches with OR-Tools (``DEFAULT_ENGINE``).
    workers, engine, iterations
        Shortcuts for the fields of ``options``.
    rebalance
        The planner's boundary pass (``True``, ``False`` or the number of moves to try).
    starts
        Which starts to plan from: ``"nearest"`` and/or ``"mdvrp"``.

    Returns
    -------
    TwoEchelonSolution
        The best solution; ``meta`` names its start and the cost of each.
    """
    if engine is None and options is None:
        engine = DEFAULT_ENGINE
    opts = resolve_options(
        options, time_limit=time_limit, seed=seed, workers=workers, engine=engine, iterations=iterations
    )
    if not isinstance(inst, TwoEchelonInstance):
        inst = read_2evrp(inst)
    unknown = set(starts) - {"nearest", "mdvrp"}
    if not starts or unknown:
        raise ProblemError(
            f"starts must name 'nearest' and/or 'mdvrp', got {list(starts)!r}", record=inst.name, field="starts"
        )
    budget = opts.budget()
    candidates: dict[str, tuple[dict[str, str], dict[str, int]]] = {}
    if "nearest" in starts:
        candidates["nearest"] = assign_customers(inst)
    if "mdvrp" in starts:
        share = opts.time_limit * (MDVRP_SHARE if len(starts) > 1 else MDVRP_ALONE_SHARE)
        # the multi-depot start searches with the default engine, whatever the planner uses
        guess = mdvrp_assignment(inst, options=replace(opts, time_limit=share, engine="auto"))
        cand = assign_customers(inst, guess)
        if all(cand != c for c in candidates.values()):
            candidates["mdvrp"] = cand
    ranked = []  # (violates, unserved, cost, order tried, name, solution): the first is returned
    for k, (name, (assign, counts)) in enumerate(candidates.items()):
        limit = max(budget.left() / (len(candidates) - k), TWOECHELON_START_FLOOR_S)
        sol = _solve_assigned(inst, assign, counts, opts.merged(time_limit=limit), rebalance)
        ranked.append((bool(sol.violations()), len(sol.unserved), sol.cost, k, name, sol))
    tried = {name: round(cost, 4) for _, _, cost, _, name, _ in ranked}
    *_, best_name, best = min(ranked)
    best.meta |= {"start": best_name, "starts": tried, "elapsed_s": round(budget.elapsed(), 3)}
    return best


def _solve_assigned(
    inst: TwoEchelonInstance,
    assign: dict[str, str],
    counts: dict[str, int],
    options: SolveOptions,
    rebalance: bool | int,
) -> TwoEchelonSolution:
    """The tiered planner from one assignment of customers to satellites."""
    layout = layout_of(inst, assign)
    comp = (Compartment(Zone.AMBIENT, inst.truck_capacity),)
    trucks = [
        VehicleType(
            "truck",
            inst.truck_count,
            comp,
            start_depot="D",
            cost_per_km=inst.truck_cost,
            fixed_cost=inst.truck_fixed,
            refrigerated=False,
            max_driving_h=None,  # a benchmark instance has no drivers' rules
        )
    ]
    cf = {s: [_freighters(inst, "cf", s, n)] for s, n in counts.items() if n > 0}
    tp = plan_tiers(
        layout,
        _orders(inst),
        trucks,
        cf,
        options=options,
        products={"goods": GOODS},
        costs=_zero_costs(),
        handling_s=0,
        direct_from_hub=False,
        rebalance=rebalance,
        boundary_ratio=1.6,
    )
    return solution_from_tiers(inst, tp, meta={"freighters": counts})


def solution_from_tiers(
    inst: TwoEchelonInstance, tp: TieredPlan, meta: dict[str, Any] | None = None
) -> TwoEchelonSolution:
    """The two-level routes of a tiered plan of the instance.

    Parameters
    ----------
    inst
        The instance the plan was made for.
    tp
        The tiered plan (trunk: first level; last mile: second level).
    meta
        Extra entries for the solution's ``meta``.

    Returns
    -------
    TwoEchelonSolution
        Truck routes with loads per satellite, freighter routes with loads, unserved customers.
    """
    first, second = [], []
    t_orders = {o.id: o for o in tp.problems["trunk"].orders}
    for vid, g in tp.trunk.stops.groupby("vehicle", sort=True):
        g = g.sort_values("seq")
        loads: dict[str, float] = {}
        for r in g.itertuples():
            if r.kind == "delivery":
                q = sum(t_orders[str(r.order_id)].quantities.values())
                loads[str(r.node_id)] = loads.get(str(r.node_id), 0.0) + q
        first.append({"vehicle": vid, "route": [str(x) for x in g["node_id"]], "loads": loads})
    for s, plan in sorted(tp.last_mile.items()):
        for vid, g in plan.stops.groupby("vehicle", sort=True):
            g = g.sort_values("seq")
            custs = [str(x) for x in g["node_id"]]
            load = sum(float(inst.demand[int(c[1:]) - 1]) for c in custs[1:-1])
            second.append({"vehicle": vid, "satellite": s, "route": custs, "load": load})
    return TwoEchelonSolution(
        inst,
        first,
        second,
        sorted(tp.unserved["order_id"].astype(str)),
        tiered=tp,
        meta=dict(meta or {}) | {"elapsed_s": tp.meta.get("elapsed_s")},
    )
