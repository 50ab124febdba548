"""A week with service calendars (快递进村: many villages get a van on fixed days of the week).

Each order stands for a village's standing demand: its quantities are what one visit brings or
collects.  A `ServiceRule` says how many days a week it is served (``frequency``), on which
weekdays it may be (``days``) and the latest weekday of its first visit (``by``).  `plan_week`
chooses every order's service days, then plans each day with [logistics.solve][] (one tier).

Choosing days (``strategy``):

* ``"round_robin"`` (the baseline): orders in id order take the next days of a pointer that cycles
  through the week, spaced ``n_days / frequency`` apart;
* ``"cluster"`` (default): orders, most frequent first, take the combination of allowed days that
  keeps them closest to orders already on those days (travel time to the nearest one, or to the
  depot) while balancing each day's load; then ``swaps`` passes of moves (an order to another
  combination of days) are kept when they lower a cost proxy: the sum over days of each stop's
  travel time to its nearest neighbour on that day plus the depot leg, plus the load imbalance.

Times in the proxy are seconds of the travel matrix; loads are summed quantities.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from logistics.core.calendar import WEEKDAYS, ServiceRule, weekday
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions
from logistics.core.plan import Plan
from logistics.core.problem import Problem
from logistics.engine.solve import solve

__all__ = ["STRATEGIES", "ServiceRule", "WeekPlan", "assign_days", "plan_week"]

STRATEGIES = ("cluster", "round_robin")
#: Weight of a day's load above the week's mean, in proxy seconds per unit of load share (a day 10 %
#: over the mean costs as much as 0.1 x this many seconds of driving).
BALANCE_S = 20_000.0


@dataclass
class WeekPlan:
    """A week: each order's service days and each day's plan.

    Attributes
    ----------
    days
        The planning days (0 = Monday).
    assignment
        One row per order: ``order_id``, ``node_id``, ``frequency``, ``days`` (weekday names, comma
        separated).
    problems, plans
        Weekday name → that day's problem (the orders served that day) and its plan.
    kpis
        The week's totals: ``cost``, ``distance_km``, ``vehicles`` (vehicle-days), ``served``
        (visits), ``unserved`` (visits), ``proxy`` (the day-choice cost proxy), ``strategy``.
    meta
        Bookkeeping (proxy before and after the swaps, moves kept, timings).
    """

    days: tuple[int, ...]
    assignment: pd.DataFrame
    problems: dict[str, Problem]
    plans: dict[str, Plan]
    kpis: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def by_weekday(self) -> dict[str, Plan]:
        """Weekday name → plan: what [logistics.planners.coverage.service_days][] reads as a week."""
        return dict(self.plans)

    def day_frame(self) -> pd.DataFrame:
        """One row per day: KPIs of its plan.

        Returns
        -------
        pandas.DataFrame
            ``day``, ``orders``, ``vehicles``, ``served``, ``unserved``, ``distance_km``, ``cost``.
        """
        rows = []
        for d, p in self.plans.items():
            k = p.kpis
            rows.append(
                {
                    "day": d,
                    "orders": len(self.problems[d].orders),
                    "vehicles": k.get("vehicles", 0),
                    "served": k.get("served", 0),
                    "unserved": k.get("unserved", 0),
                    "distance_km": k.get("distance_km", 0.0),
                    "cost": k.get("cost", 0.0),
                }
            )
        return pd.DataFrame(rows)


def _rules(
    problem: Problem, calendar: Mapping[str, ServiceRule], default: ServiceRule, days: tuple[int, ...]
) -> list[tuple[ServiceRule, tuple[int, ...]]]:
    """Each order's rule (by order id, else by node id, else the default) and its allowed planning days."""
    out = []
    for o in problem.orders:
        rule = calendar.get(o.id) or calendar.get(o.location) or default
        allowed = tuple(d for d in days if rule.days is None or d in rule.days)
        if rule.frequency > len(allowed):
            raise ProblemError(
                f"order {o.id!r}: {rule.frequency} visits a week but only {len(allowed)} allowed planning day(s)",
                record=o.id,
                field="frequency",
            )
        if rule.by is not None and not any(d <= rule.by for d in allowed):
            raise ProblemError(
                f"order {o.id!r}: no allowed planning day on or before {WEEKDAYS[rule.by]}", record=o.id, field="by"
            )
        out.append((rule, allowed))
    return out


def _combos(rule: ServiceRule, allowed: tuple[int, ...], n_days: int) -> list[tuple[int, ...]]:
    """Combinations of ``frequency`` allowed days, spread out (gaps of at least ``n_days // frequency - 1``)."""
    f = rule.frequency
    gap = max(1, n_days // f - 1) if f > 1 else 1
    out = []
    for c in itertools.combinations(allowed, f):
        if rule.by is not None and c[0] > rule.by:
            continue
        if all(b - a >= gap for a, b in zip(c, c[1:])):
            out.append(c)
    if not out:  # too few allowed days to spread them: any combination that meets the by-day
        out = [c for c in itertools.combinations(allowed, f) if rule.by is None or c[0] <= rule.by]
    return out


class _Proxy:
    """The day-choice cost proxy: nearest-neighbour travel per day plus load imbalance."""

    def __init__(self, problem: Problem, days: tuple[int, ...]) -> None:
        m = problem.travel_matrix
        depot = problem.fleet[0].start_depot
        locs = [o.location for o in problem.orders]
        idx = m.indices(locs)
        d = m.duration.astype(float)
        self.t = np.minimum(d[np.ix_(idx, idx)], d[np.ix_(idx, idx)].T)
        np.fill_diagonal(self.t, np.inf)
        di = m.index(depot)
        self.depot = np.minimum(d[di, idx], d[idx, di])
        self.load = np.array([sum(o.quantities.values()) for o in problem.orders], dtype=float)
        self.days = days
        self.members: dict[int, list[int]] = {d: [] for d in days}  # orders on each day

    def target(self, combos: Sequence[tuple[int, ...]]) -> float:
        visits = sum(self.load[i] * len(c) for i, c in enumerate(combos))
        return max(visits / max(len(self.days), 1), 1e-9)

    def day_cost(self, members: list[int], tgt: float) -> float:
        if not members:
            return 0.0
        ix = np.asarray(members)
        nn = self.t[np.ix_(ix, ix)].min(axis=1) if len(ix) > 1 else np.array([np.inf])
        nn = np.minimum(nn, self.depot[ix])
        load = self.load[ix].sum()
        return float(nn.sum() + 2 * self.depot[ix].min() + BALANCE_S * max(0.0, load / tgt - 1.0))

    def near(self, i: int, mem: list[int]) -> float:
        return float(min(self.t[i, mem].min(), self.depot[i])) if mem else float(self.depot[i])


def assign_days(
    problem: Problem,
    calendar: Mapping[str, ServiceRule] | None = None,
    *,
    days: Iterable[Any] = WEEKDAYS[:6],
    default: ServiceRule | None = None,
    strategy: str = "cluster",
    swaps: int = 3,
) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    """Each order's service days (see the module docstring for the strategies).

    Parameters
    ----------
    problem
        The standing demand of the week (one visit's quantities per order).
    calendar
        Order id or node id → rule; orders without one follow ``default``.
    days
        The planning days (weekday names or 0-6), Monday to Saturday by default.
    default
        Rule of orders not in ``calendar`` (default: once a week, any planning day).
    strategy
        ``"cluster"`` or ``"round_robin"``.
    swaps
        Passes of improving moves after the cluster heuristic.

    Returns
    -------
    tuple
        Days per order (in ``problem.orders`` order) and meta (``proxy_start``, ``proxy``, ``moves``).

    Raises
    ------
    ProblemError
        An unknown strategy or a rule that no planning day can meet.
    """
    if strategy not in STRATEGIES:
        raise ProblemError(f"strategy {strategy!r} is not one of {STRATEGIES}", record="plan_week", field="strategy")
    plan_days = tuple(sorted({weekday(d, "plan_week", "days") for d in days}))
    rules = _rules(problem, calendar or {}, default or ServiceRule(), plan_days)
    n = len(plan_days)
    proxy = _Proxy(problem, plan_days)
    choice = _round_robin(rules, plan_days) if strategy == "round_robin" else _cluster(proxy, rules, plan_days)
    for i, c in enumerate(choice):
        for d in c:
            proxy.members[d].append(i)
    tgt = proxy.target(choice)
    start = sum(proxy.day_cost(proxy.members[d], tgt) for d in plan_days)
    moves = _improve(proxy, rules, choice, tgt, n, swaps) if strategy == "cluster" else 0
    end = sum(proxy.day_cost(proxy.members[d], tgt) for d in plan_days)
    return choice, {"days": plan_days, "proxy_start": round(start, 1), "proxy": round(end, 1), "moves": moves}


def _round_robin(rules: list[tuple[ServiceRule, tuple[int, ...]]], plan_days: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The baseline: order ``i`` starts at day ``i mod n`` and spaces its visits ``n / frequency`` apart."""
    n = len(plan_days)
    out = []
    for i, (rule, allowed) in enumerate(rules):
        want = {plan_days[(i + round(k * n / rule.frequency)) % n] for k in range(rule.frequency)}
        out.append(min(_combos(rule, allowed, n), key=lambda c: (sum(x not in want for x in c), c)))
    return out


def _cluster(
    proxy: _Proxy, rules: list[tuple[ServiceRule, tuple[int, ...]]], plan_days: tuple[int, ...]
) -> list[tuple[int, ...]]:
    """Most frequent orders first, each on the days whose orders are nearest, keeping the loads even."""
    n = len(plan_days)
    tgt = proxy.target([(0,) * r.frequency for r, _ in rules])
    order = sorted(range(len(rules)), key=lambda i: (-rules[i][0].frequency, len(rules[i][1]), -proxy.depot[i]))
    loads = dict.fromkeys(plan_days, 0.0)
    chosen: dict[int, list[int]] = {d: [] for d in plan_days}
    out: list[tuple[int, ...]] = [()] * len(rules)
    for i in order:
        rule, allowed = rules[i]

        def score(c: tuple[int, ...], i: int = i) -> float:
            near = [proxy.near(i, chosen[d]) for d in c]
            over = [max(0.0, (loads[d] + proxy.load[i]) / tgt - 1) for d in c]
            return sum(near) + BALANCE_S * sum(over)

        out[i] = min(_combos(rule, allowed, n), key=score)
        for d in out[i]:
            chosen[d].append(i)
            loads[d] += proxy.load[i]
    return out


def _improve(
    proxy: _Proxy,
    rules: list[tuple[ServiceRule, tuple[int, ...]]],
    choice: list[tuple[int, ...]],
    tgt: float,
    n: int,
    passes: int,
) -> int:
    """Move orders to other day combinations while the proxy drops; returns the moves kept."""
    cost = {d: proxy.day_cost(proxy.members[d], tgt) for d in proxy.days}
    kept = 0
    for _ in range(passes):
        improved = False
        for i, (rule, allowed) in enumerate(rules):
            cur = choice[i]
            for c in _combos(rule, allowed, n):
                if c == cur:
                    continue
                touched = set(cur) ^ set(c)
                new = {}
                for d in touched:
                    mem = [j for j in proxy.members[d] if j != i] if d in cur else proxy.members[d] + [i]
                    new[d] = (mem, proxy.day_cost(mem, tgt))
                if sum(v[1] for v in new.values()) < sum(cost[d] for d in touched) - 1e-6:
                    for d, (mem, dc) in new.items():
                        proxy.members[d] = mem
                        cost[d] = dc
                    choice[i] = cur = c
                    kept += 1
                    improved = True
        if not improved:
            break
    return kept


def plan_week(
    problem: Problem,
    calendar: Mapping[str, ServiceRule] | None = None,
    *,
    days: Iterable[Any] = WEEKDAYS[:6],
    default: ServiceRule | None = None,
    strategy: str = "cluster",
    swaps: int = 3,
    options: SolveOptions | None = None,
) -> WeekPlan:
    """Choose each order's service days and plan every day of the week.

    Parameters
    ----------
    problem
        The week's standing demand: each order is one visit's goods, at its windows, with its
        vehicle types; the fleet is available every day.
    calendar, days, default, strategy, swaps
        As for `assign_days`.
    options
        Search settings of each day's solve (default 5 s, seed 0).

    Returns
    -------
    WeekPlan
        Each day's problem and plan (check each with [logistics.validate][]), the assignment and
        the week's KPIs.

    Raises
    ------
    ProblemError
        As `assign_days`.
    """
    opts = options if options is not None else SolveOptions(time_limit=5.0)
    choice, meta = assign_days(problem, calendar, days=days, default=default, strategy=strategy, swaps=swaps)
    plan_days: tuple[int, ...] = meta.pop("days")
    problems: dict[str, Problem] = {}
    plans: dict[str, Plan] = {}
    for d in plan_days:
        name = WEEKDAYS[d]
        orders = tuple(o for o, c in zip(problem.orders, choice) if d in c)
        problems[name] = problem.replace(orders=orders, name=f"{problem.name}-{name}")
        plans[name] = solve(problems[name], opts)
    assignment = pd.DataFrame(
        {
            "order_id": [o.id for o in problem.orders],
            "node_id": [o.location for o in problem.orders],
            "frequency": [len(c) for c in choice],
            "days": [",".join(WEEKDAYS[d] for d in c) for c in choice],
        }
    )
    week = WeekPlan(plan_days, assignment, problems, plans, meta=meta | {"strategy": strategy})
    week.kpis = _week_kpis(week) | {"proxy": meta["proxy"], "strategy": strategy}
    return week


def _week_kpis(week: WeekPlan) -> dict[str, Any]:
    f = week.day_frame()
    return {
        "cost": round(float(f["cost"].sum()), 2),
        "distance_km": round(float(f["distance_km"].sum()), 2),
        "vehicles": int(f["vehicles"].sum()),
        "served": int(f["served"].sum()),
        "unserved": int(f["unserved"].sum()),
    }
