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

:func:`solve_2evrp` maps an instance onto the three-tier planner
(:func:`logistics.tiers.plan_tiers`): the depot is the hub, satellites are
stations, customers are villages.  Customers start at the nearest satellite
and, as a second start, at the satellite a multi-depot VRP of the city
freighters gives them (:func:`mdvrp_assignment`); each start is re-assigned
greedily until every satellite's freight fits the freighters it can get
within the overall limit, the planner's boundary pass then moves customers
between satellites where the two re-solved satellites get cheaper, and the
cheaper of the two solutions is kept.
Times play no role (durations are zero).  :func:`check_2evrp` checks a
solution against the instance independently of the planner.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from networks import TravelMatrix

from .coldchain import CostModel
from .errors import ProblemError
from .model import GOODS, Compartment, Order, Problem, VehicleType

__all__ = ["TwoEchelonInstance", "TwoEchelonSolution", "read_2evrp", "solve_2evrp", "check_2evrp", "mdvrp_assignment",
           "BEST_KNOWN", "best_known"]

#: Best-known costs available with the stored data (the source repository's README gives only this one).
BEST_KNOWN = {"Set2a_E-n22-k4-s10-14": 371.49}

#: Integer distance units per instance distance unit inside the solver.
SCALE = 1000


@dataclass(frozen=True, eq=False)
class TwoEchelonInstance:
    name: str
    truck_count: int
    truck_capacity: float
    truck_cost: float            # per unit distance
    truck_fixed: float
    cf_per_satellite: int
    cf_count: int
    cf_capacity: float
    cf_cost: float
    cf_fixed: float
    depot: tuple[float, float]
    satellites: np.ndarray       # (k, 2)
    handling: np.ndarray         # (k,) cost per unit of freight through each satellite
    customers: np.ndarray        # (n, 2)
    demand: np.ndarray           # (n,)
    path: str | None = None

    @property
    def n_customers(self) -> int:
        return len(self.demand)

    @property
    def n_satellites(self) -> int:
        return len(self.satellites)

    @property
    def best_known(self) -> float | None:
        return BEST_KNOWN.get(self.name)

    def ids(self) -> list[str]:
        return ["D"] + [f"S{k + 1}" for k in range(self.n_satellites)] + \
            [f"c{i + 1}" for i in range(self.n_customers)]

    def xy(self) -> np.ndarray:
        return np.vstack([np.asarray(self.depot, dtype=float)[None, :], self.satellites, self.customers])

    def distance(self) -> np.ndarray:
        p = self.xy()
        return np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(-1))


def best_known(name: str) -> float | None:
    return BEST_KNOWN.get(Path(name).stem)


def _numbers(token: str, path, what: str) -> list[float]:
    try:
        return [float(x) for x in token.split(",") if x != ""]
    except ValueError:
        raise ProblemError(f"{path}: {what}: {token!r} is not a comma-separated list of numbers", record=str(path),
                           field=what) from None


def read_2evrp(path: str | Path) -> TwoEchelonInstance:
    """Read a 2E-VRP ``.dat`` file in the unified format (see the module docstring)."""
    path = Path(path)
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("!")]
    if len(lines) < 4:
        raise ProblemError(f"{path}: expected trucks, city freighters, stores and customers lines, found "
                           f"{len(lines)} data line(s)", record=str(path), field="format")
    trucks = _numbers(lines[0].replace(" ", ""), path, "trucks")
    cfs = _numbers(lines[1].replace(" ", ""), path, "city freighters")
    if len(trucks) < 4 or len(cfs) < 5:
        raise ProblemError(f"{path}: trucks need 4 values and city freighters 5", record=str(path), field="format")
    stores = [_numbers(t, path, "stores") for t in re.split(r"\s+", lines[2])]
    if len(stores) < 2 or any(len(s) < 2 for s in stores):
        raise ProblemError(f"{path}: stores need a depot and at least one satellite as x,y", record=str(path),
                           field="stores")
    cust = [_numbers(t, path, "customers") for ln in lines[3:] for t in re.split(r"\s+", ln)]
    if not cust or any(len(c) != 3 for c in cust):
        raise ProblemError(f"{path}: customers must be x,y,demand triples", record=str(path), field="customers")
    sats = np.array([s[:2] for s in stores[1:]], dtype=float)
    handling = np.array([s[2] if len(s) > 2 else 0.0 for s in stores[1:]], dtype=float)
    c = np.array(cust, dtype=float)
    return TwoEchelonInstance(
        name=path.stem, truck_count=int(trucks[0]), truck_capacity=trucks[1], truck_cost=trucks[2],
        truck_fixed=trucks[3], cf_per_satellite=int(cfs[0]), cf_count=int(cfs[1]), cf_capacity=cfs[2],
        cf_cost=cfs[3], cf_fixed=cfs[4], depot=(stores[0][0], stores[0][1]), satellites=sats, handling=handling,
        customers=c[:, :2], demand=c[:, 2], path=str(path))


# --------------------------------------------------------------------------- solution


@dataclass(eq=False)
class TwoEchelonSolution:
    """Routes as node-id lists; ``first_level`` trucks carry ``loads`` {satellite: amount} per route."""

    instance: TwoEchelonInstance
    first_level: list[dict[str, Any]]    # {"route": ["D", "S1", ..., "D"], "loads": {"S1": q, ...}}
    second_level: list[dict[str, Any]]   # {"satellite": "S1", "route": ["S1", "c3", ..., "S1"], "load": q}
    unserved: list[str]
    tiered: Any = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        return solution_cost(self.instance, self)

    @property
    def gap(self) -> float | None:
        bks = self.instance.best_known
        return None if bks is None else (self.cost - bks) / bks

    def violations(self) -> list[str]:
        return check_2evrp(self.instance, self)


def _dist_lookup(inst: TwoEchelonInstance):
    ids = inst.ids()
    pos = {k: i for i, k in enumerate(ids)}
    d = inst.distance()
    return lambda a, b: float(d[pos[a], pos[b]])


def solution_cost(inst: TwoEchelonInstance, sol: TwoEchelonSolution) -> float:
    """Exact cost from the coordinates (float Euclidean distances)."""
    dist = _dist_lookup(inst)
    total = 0.0
    for r in sol.first_level:
        rt = r["route"]
        total += inst.truck_fixed + inst.truck_cost * sum(dist(a, b) for a, b in zip(rt, rt[1:]))
    for r in sol.second_level:
        rt = r["route"]
        total += inst.cf_fixed + inst.cf_cost * sum(dist(a, b) for a, b in zip(rt, rt[1:]))
    if inst.handling.any():
        for r in sol.second_level:
            k = int(r["satellite"][1:]) - 1
            total += inst.handling[k] * r["load"]
    return total


def check_2evrp(inst: TwoEchelonInstance, sol: TwoEchelonSolution, tol: float = 1e-6) -> list[str]:
    """What a solution breaks (empty: feasible): coverage, capacities, fleet sizes, satellite flow balance."""
    out = []
    sats = {f"S{k + 1}" for k in range(inst.n_satellites)}
    cust = {f"c{i + 1}": float(inst.demand[i]) for i in range(inst.n_customers)}
    seen: dict[str, int] = {}
    outflow = {s: 0.0 for s in sats}
    per_sat = {s: 0 for s in sats}
    for r in sol.second_level:
        s, rt = r["satellite"], r["route"]
        if s not in sats:
            out.append(f"city freighter based at unknown satellite {s!r}")
            continue
        if rt[0] != s or rt[-1] != s:
            out.append(f"city freighter route {rt} does not start and end at {s}")
        per_sat[s] += 1
        load = 0.0
        for c in rt[1:-1]:
            if c not in cust:
                out.append(f"route {rt} visits {c!r}, which is not a customer")
                continue
            seen[c] = seen.get(c, 0) + 1
            load += cust[c]
        if load > inst.cf_capacity + tol:
            out.append(f"city freighter from {s} carries {load:g} > capacity {inst.cf_capacity:g}")
        if abs(load - float(r.get("load", load))) > tol:
            out.append(f"city freighter from {s} reports load {r.get('load')}, customers sum to {load:g}")
        outflow[s] += load
    for c, k in seen.items():
        if k > 1:
            out.append(f"customer {c} served {k} times")
    missing = sorted(set(cust) - set(seen) - set(sol.unserved))
    if missing:
        out.append(f"customers neither served nor unserved: {missing[:10]}")
    if sol.unserved:
        out.append(f"{len(sol.unserved)} customer(s) unserved")
    for s, k in per_sat.items():
        if k > inst.cf_per_satellite:
            out.append(f"{k} city freighters at {s}, at most {inst.cf_per_satellite} allowed")
    if sum(per_sat.values()) > inst.cf_count:
        out.append(f"{sum(per_sat.values())} city freighters, at most {inst.cf_count} allowed")
    if len(sol.first_level) > inst.truck_count:
        out.append(f"{len(sol.first_level)} trucks, at most {inst.truck_count} allowed")
    inflow = {s: 0.0 for s in sats}
    for r in sol.first_level:
        rt = r["route"]
        if rt[0] != "D" or rt[-1] != "D":
            out.append(f"truck route {rt} does not start and end at the depot")
        load = sum(float(q) for q in r["loads"].values())
        if load > inst.truck_capacity + tol:
            out.append(f"truck carries {load:g} > capacity {inst.truck_capacity:g}")
        for s, q in r["loads"].items():
            if s not in rt:
                out.append(f"truck route {rt} unloads at {s} without visiting it")
            inflow[s] = inflow.get(s, 0.0) + float(q)
    for s in sats:
        if abs(inflow.get(s, 0.0) - outflow[s]) > tol * max(1.0, outflow[s]):
            out.append(f"satellite {s}: trucks bring {inflow.get(s, 0.0):g}, freighters take {outflow[s]:g}")
    return out


# --------------------------------------------------------------------------- solver


def assign_customers(inst: TwoEchelonInstance, start: dict[str, str] | None = None
                     ) -> tuple[dict[str, str], dict[str, int]]:
    """Customers to satellites (``start``, else the nearest; then greedy repair) and freighters per satellite.

    Repair: while the satellites need more freighters than allowed (``ceil(freight /
    capacity)`` each, at most ``cf_per_satellite``, at most ``cf_count`` overall),
    empty one freighter's worth from the satellite where moving customers to
    satellites with room costs the least extra distance.  Spare freighters go to
    the fullest satellites.
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

    def load(s):
        return sum(dem[c] for c, x in assign.items() if x == s)

    def need(s):
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
            cands = sorted((min(((dist[(t, c)] - dist[(s, c)]), t) for t in room), c)
                           for c, x in assign.items() if x == s)
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


def layout_of(inst: TwoEchelonInstance, assign: dict[str, str]):
    from .tiers import Layout

    ids = inst.ids()
    d = np.rint(inst.distance() * SCALE).astype(np.int64)
    tm = TravelMatrix(ids, d, np.zeros_like(d), synthetic=False, source=f"euclidean x{SCALE} ({inst.name})")
    xy = inst.xy()
    coords = {k: (float(x), float(y)) for k, (x, y) in zip(ids, xy)}
    stations = tuple(f"S{k + 1}" for k in range(inst.n_satellites))
    return Layout(hub="D", stations=stations, parent=dict(assign), matrix=tm, coords=coords)


#: Share of the time limit for the multi-depot start (:func:`mdvrp_assignment`).
MDVRP_SHARE = 0.25


def _zero_costs() -> CostModel:
    """Distance and fixed costs only: no fuel, carbon, refrigeration or window terms."""
    return CostModel(diesel_price=0.0, carbon_price=0.0, reefer_drive_per_h=0.0, reefer_door_per_h=0.0,
                     early_per_h=0.0, late_per_h=0.0)


def _orders(inst: TwoEchelonInstance) -> list[Order]:
    return [Order(f"c{j + 1}", {"goods": float(inst.demand[j])}, node_id=f"c{j + 1}")
            for j in range(inst.n_customers)]


def _freighters(inst: TwoEchelonInstance, name: str, satellite: str, count: int) -> VehicleType:
    """``count`` city freighters of the instance based at ``satellite``."""
    return VehicleType(name, count, (Compartment("ambient", inst.cf_capacity),), start_depot=satellite,
                       cost_per_km=inst.cf_cost, fixed_cost=inst.cf_fixed, refrigerated=False)


def mdvrp_assignment(inst: TwoEchelonInstance, time_limit: float, seed: int = 0,
                     iterations: int | None = None) -> dict[str, str]:
    """Customers to satellites as a multi-depot VRP of the second level assigns them.

    Nearest-satellite assignment ignores how customers group into freighter
    routes; solving the city freighters of all satellites as one multi-depot
    problem (each satellite its ``cf_per_satellite`` freighters) lets the
    routing decide which satellite serves whom.  The trunk is left out, so this
    is one start among others, not the answer.
    """
    from .solve import solve

    layout = layout_of(inst, {})
    fleet = [_freighters(inst, f"cf@{s}", s, inst.cf_per_satellite) for s in layout.stations]
    problem = Problem(_orders(inst), fleet, matrix=layout.matrix, products={"goods": GOODS}, costs=_zero_costs(),
                      strict=False, name=f"{inst.name} second level")
    plan = solve(problem, time_limit=time_limit, seed=seed, iterations=iterations)
    depot = plan.stops[plan.stops["kind"] == "start"].set_index("vehicle")["node_id"]
    served = plan.stops.dropna(subset=["order_id"])
    return {str(r.order_id): str(depot[r.vehicle]) for r in served.itertuples()}


def solve_2evrp(inst: TwoEchelonInstance | str | Path, time_limit: float = 10.0, seed: int = 0, *,
                workers: int | None = None, engine: str = "ortools", rebalance: bool | int = True,
                iterations: int | None = None, starts: tuple[str, ...] = ("nearest", "mdvrp")
                ) -> TwoEchelonSolution:
    """Solve a 2E-CVRP instance with the tiered planner (see the module docstring).

    Each of ``starts`` gives the planner an assignment of customers to
    satellites: ``"nearest"`` (nearest satellite, repaired to the freighter
    limits) and ``"mdvrp"`` (:func:`mdvrp_assignment`, repaired the same way,
    given ``MDVRP_SHARE`` of the time).  Distinct assignments share the rest of
    the time; the cheapest feasible solution is returned, and ``meta["starts"]``
    says what each start cost.
    """
    if not isinstance(inst, TwoEchelonInstance):
        inst = read_2evrp(inst)
    unknown = set(starts) - {"nearest", "mdvrp"}
    if not starts or unknown:
        raise ProblemError(f"starts must name 'nearest' and/or 'mdvrp', got {list(starts)!r}", record=inst.name,
                           field="starts")
    t0 = time.perf_counter()
    candidates: dict[str, tuple[dict[str, str], dict[str, int]]] = {}
    if "nearest" in starts:
        candidates["nearest"] = assign_customers(inst)
    if "mdvrp" in starts:
        share = time_limit * (MDVRP_SHARE if len(starts) > 1 else 0.4)
        guess = mdvrp_assignment(inst, share, seed=seed, iterations=iterations)
        cand = assign_customers(inst, guess)
        if all(cand != c for c in candidates.values()):
            candidates["mdvrp"] = cand
    ranked = []  # (violates, unserved, cost, order tried, name, solution): the first is returned
    for k, (name, (assign, counts)) in enumerate(candidates.items()):
        left = time_limit - (time.perf_counter() - t0)
        sol = _solve_assigned(inst, assign, counts, max(left / (len(candidates) - k), 0.5), seed, workers, engine,
                              rebalance, iterations)
        ranked.append((bool(sol.violations()), len(sol.unserved), sol.cost, k, name, sol))
    tried = {name: round(cost, 4) for _, _, cost, _, name, _ in ranked}
    *_, best_name, best = min(ranked)
    best.meta |= {"start": best_name, "starts": tried, "elapsed_s": round(time.perf_counter() - t0, 3)}
    return best


def _solve_assigned(inst: TwoEchelonInstance, assign: dict[str, str], counts: dict[str, int], time_limit: float,
                    seed: int, workers: int | None, engine: str, rebalance: bool | int,
                    iterations: int | None) -> TwoEchelonSolution:
    """The tiered planner from one assignment of customers to satellites."""
    from .tiers import plan_tiers

    layout = layout_of(inst, assign)
    comp = (Compartment("ambient", inst.truck_capacity),)
    trucks = [VehicleType("truck", inst.truck_count, comp, start_depot="D", cost_per_km=inst.truck_cost,
                          fixed_cost=inst.truck_fixed, refrigerated=False)]
    cf = {s: [_freighters(inst, "cf", s, n)] for s, n in counts.items() if n > 0}
    tp = plan_tiers(layout, _orders(inst), trucks, cf, products={"goods": GOODS}, costs=_zero_costs(), handling_s=0,
                    time_limit=time_limit, seed=seed, direct_from_hub=False, workers=workers, engine=engine,
                    rebalance=rebalance, iterations=iterations, boundary_ratio=1.6)
    return solution_from_tiers(inst, tp, meta={"freighters": counts})


def solution_from_tiers(inst: TwoEchelonInstance, tp, meta: dict | None = None) -> TwoEchelonSolution:
    first, second = [], []
    t_orders = {o.id: o for o in tp.problems["trunk"].orders}
    for vid, g in tp.trunk.stops.groupby("vehicle", sort=True):
        g = g.sort_values("seq")
        loads: dict[str, float] = {}
        for r in g.itertuples():
            if r.kind == "delivery":
                loads[str(r.node_id)] = loads.get(str(r.node_id), 0.0) + sum(t_orders[r.order_id].quantities.values())
        first.append({"vehicle": vid, "route": [str(x) for x in g["node_id"]], "loads": loads})
    for s, plan in sorted(tp.last_mile.items()):
        for vid, g in plan.stops.groupby("vehicle", sort=True):
            g = g.sort_values("seq")
            custs = [str(x) for x in g["node_id"]]
            load = sum(float(inst.demand[int(c[1:]) - 1]) for c in custs[1:-1])
            second.append({"vehicle": vid, "satellite": s, "route": custs, "load": load})
    return TwoEchelonSolution(inst, first, second, sorted(tp.unserved["order_id"].astype(str)), tiered=tp,
                              meta=dict(meta or {}) | {"elapsed_s": tp.meta.get("elapsed_s")})
