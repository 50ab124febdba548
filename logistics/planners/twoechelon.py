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
stations, customers are villages.  The starts (assignments of customers to
satellites) come from [logistics.planners.twoechelon_starts][]: by default one
multi-depot solve of the city freighters per split of the freighters over the
satellites (the overall freighter limit binds on Set2 and Set3), the cheapest
two planned, and the nearest satellite; without splits (more than
``MAX_SPLIT_SATELLITES`` satellites) the nearest satellite and one unconstrained
multi-depot solve.  Each start is re-assigned greedily until every satellite's
freight fits the freighters it can get within the overall limit, the planner's
boundary pass then moves customers between satellites where the two re-solved
satellites get cheaper, a split keeps its own freighter routes where they beat
the planner's for the same customers, and the cheapest solution is kept.
Times play no role (durations are zero).  `check_2evrp` checks a
solution against the instance independently of the planner.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from logistics.check.twoechelon import check_2evrp, solution_cost
from logistics.core.errors import ProblemError
from logistics.core.model import GOODS, Compartment, VehicleType
from logistics.core.options import SolveOptions, resolve_options
from logistics.core.shares import (
    MAX_SPLIT_SATELLITES,
    MDVRP_ALONE_SHARE,
    MDVRP_SHARE,
    SPLIT_SHARE,
    TWOECHELON_START_FLOOR_S,
)
from logistics.core.twoechelon import TwoEchelonInstance
from logistics.core.units import Zone
from logistics.formats.twoechelon import read_2evrp
from logistics.planners.tiers import TieredPlan, plan_tiers
from logistics.planners.twoechelon_starts import (
    Routes,
    assign_customers,
    customer_orders,
    freighter_splits,
    freighter_type,
    layout_of,
    mdvrp_assignment,
    split_starts,
    zero_costs,
)

__all__ = ["DEFAULT_ENGINE", "TwoEchelonSolution", "solution_from_tiers", "solve_2evrp"]


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
        The [TieredPlan][logistics.planners.tiers.TieredPlan] behind the solution, if any; the
        satellites ``meta["second_level_from_split"]`` names have the (cheaper) freighter routes of
        the split's multi-depot solve instead of the plan's.
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


#: plan engine of `solve_2evrp` when neither ``engine`` nor ``options`` names one.
DEFAULT_ENGINE = "ortools"


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
    starts: tuple[str, ...] | None = None,
) -> TwoEchelonSolution:
    """Solve a 2E-CVRP instance with the tiered planner (see the module docstring).

    Each of ``starts`` gives the planner assignments of customers to
    satellites: ``"split"`` (for each of the ``MAX_SPLITS`` splits of the
    freighters over the satellites of [freighter_splits][logistics.planners.twoechelon_starts.freighter_splits],
    a multi-depot solve with exactly those freighters, ``SPLIT_SHARE`` of the time
    in all; the ``SPLIT_FINALISTS`` cheapest by [split_starts][logistics.planners.twoechelon_starts.split_starts]
    are planned), ``"nearest"`` (nearest satellite, repaired to the freighter limits)
    and ``"mdvrp"`` ([mdvrp_assignment][logistics.planners.twoechelon_starts.mdvrp_assignment],
    repaired the same way, given ``MDVRP_SHARE`` of the time).  Distinct assignments
    share the rest of the time; the cheapest feasible solution is returned, and
    ``meta["starts"]`` says what each start cost.

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
        Which starts to plan from: ``"split"``, ``"nearest"`` and/or ``"mdvrp"``.  Default
        ``("split", "nearest")``, or ``("nearest", "mdvrp")`` where the instance has too many
        satellites for splits (``MAX_SPLIT_SATELLITES``).

    Returns
    -------
    TwoEchelonSolution
        The best solution; ``meta`` names its start and the cost of each.

    Raises
    ------
    ProblemError
        ``starts`` is empty or names an unknown start.
    """
    if engine is None and options is None:
        engine = DEFAULT_ENGINE
    opts = resolve_options(
        options, time_limit=time_limit, seed=seed, workers=workers, engine=engine, iterations=iterations
    )
    if not isinstance(inst, TwoEchelonInstance):
        inst = read_2evrp(inst)
    if starts is None:
        starts = ("split", "nearest") if inst.n_satellites <= MAX_SPLIT_SATELLITES else ("nearest", "mdvrp")
    unknown = set(starts) - {"split", "nearest", "mdvrp"}
    if not starts or unknown:
        raise ProblemError(
            f"starts must name 'split', 'nearest' and/or 'mdvrp', got {list(starts)!r}",
            record=inst.name,
            field="starts",
        )
    budget = opts.budget()
    nearest = assign_customers(inst)
    candidates: dict[str, tuple[dict[str, str], dict[str, int]]] = {}
    found: dict[str, Routes] = {}  # a split start's own freighter routes

    def add(name: str, cand: tuple[dict[str, str], dict[str, int]]) -> None:
        if all(cand != c for c in candidates.values()):
            candidates[name] = cand

    # the multi-depot starts search with the default engine, whatever the planner uses
    if "split" in starts:
        splits = freighter_splits(inst, nearest[1])
        share = opts.time_limit * SPLIT_SHARE
        for _, counts, guess, routes in split_starts(inst, splits, replace(opts, time_limit=share, engine="auto")):
            name = "split " + "+".join(str(n) for n in counts.values())
            add(name, assign_customers(inst, guess))
            found[name] = routes
    if "nearest" in starts:
        add("nearest", nearest)
    if "mdvrp" in starts:
        share = opts.time_limit * (MDVRP_SHARE if len(starts) > 1 else MDVRP_ALONE_SHARE)
        add(
            "mdvrp",
            assign_customers(inst, mdvrp_assignment(inst, options=replace(opts, time_limit=share, engine="auto"))),
        )
    if not candidates:  # no split served every customer and no other start was asked for
        candidates["nearest"] = nearest
    ranked = []  # (violates, unserved, cost, order tried, name, solution): the first is returned
    for k, (name, (assign, counts)) in enumerate(candidates.items()):
        limit = max(budget.left() / (len(candidates) - k), TWOECHELON_START_FLOOR_S)
        sol = _solve_assigned(inst, assign, counts, opts.merged(time_limit=limit), rebalance)
        if name in found:
            sol = _prefer_routes(inst, sol, found[name])
        ranked.append((bool(sol.violations()), len(sol.unserved), sol.cost, k, name, sol))
    tried = {name: round(cost, 4) for _, _, cost, _, name, _ in ranked}
    *_, best_name, best = min(ranked)
    best.meta |= {"start": best_name, "starts": tried, "elapsed_s": round(budget.elapsed(), 3)}
    return best


def _prefer_routes(inst: TwoEchelonInstance, sol: TwoEchelonSolution, routes: Routes) -> TwoEchelonSolution:
    """Per satellite, the split's own freighter routes where they serve the same customers for less.

    The planner re-solves each satellite's freighters in a share of the time and
    can end above the multi-depot solve it started from (Set2b_E-n51-k5-s2-17:
    529.5 against 490.6 for the same customers); the trucks' loads stay the same.
    A swap that would break a rule (``check_2evrp``) is not made.
    """
    pos = {k: i for i, k in enumerate(inst.ids())}
    d = inst.distance()

    def cost(rt: list[str]) -> float:
        return inst.cf_fixed + inst.cf_cost * sum(float(d[pos[a], pos[b]]) for a, b in zip(rt, rt[1:]))

    def load(rt: list[str]) -> float:
        return sum(float(inst.demand[int(c[1:]) - 1]) for c in rt[1:-1])

    second: list[dict[str, Any]] = []
    swapped = []
    for s in sorted({r["satellite"] for r in sol.second_level} | {s for s, _ in routes}):
        mine = [r for r in sol.second_level if r["satellite"] == s]
        theirs = [rt for t, rt in routes if t == s]
        same = sorted(c for r in mine for c in r["route"][1:-1]) == sorted(c for rt in theirs for c in rt[1:-1])
        if same and theirs and sum(map(cost, theirs)) < sum(cost(r["route"]) for r in mine) - 1e-9:
            second += [
                {"vehicle": f"cf@{s}/{i + 1}", "satellite": s, "route": rt, "load": load(rt)}
                for i, rt in enumerate(theirs)
            ]
            swapped.append(s)
        else:
            second += mine
    if not swapped:
        return sol
    out = replace(sol, second_level=second, meta=sol.meta | {"second_level_from_split": swapped})
    return sol if out.violations() else out


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
    cf = {s: [freighter_type(inst, "cf", s, n)] for s, n in counts.items() if n > 0}
    tp = plan_tiers(
        layout,
        customer_orders(inst),
        trucks,
        cf,
        options=options,
        products={"goods": GOODS},
        costs=zero_costs(),
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
