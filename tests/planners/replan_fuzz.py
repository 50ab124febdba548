"""Random Yanhu-like days and random events for re-planning: the generator of the re-planning fuzz test.

A case is a small day drawn from the demo day's places and goods (deliveries, produce pickups,
pickup-and-delivery pairs, order shelf lives), a trimmed fleet (1-3 trips, a lunch break on some
types), a morning plan, a re-planning time and a few events (new orders and pairs, cancellations, a
breakdown with or without recovery, a delay, changed windows).  Everything follows from the seed.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

import logistics as L
from logistics.core.breaks import Break
from logistics.core.events import Breakdown, Cancel, Delay, Event, NewOrder, NewWindows
from logistics.core.units import fmt_clock


@dataclass
class Case:
    """One re-planning case: the day, its morning plan, the time and the events."""

    seed: int
    problem: L.Problem
    plan: L.Plan
    at: int
    events: list[Event]

    def __str__(self) -> str:
        return f"seed {self.seed}, at {fmt_clock(self.at)}, events {self.events}"


@functools.lru_cache(maxsize=1)
def base_day() -> L.Problem:
    """The demo day's places and goods, straight-line travel (read once per run)."""
    return L.yanhu_demo(seed=0, deliveries=120, pickups=50, roads=False)


def _fleet(base: L.Problem, rng: np.random.Generator) -> tuple[L.VehicleType, ...]:
    """A few of the demo fleet's vehicles, some making several trips, some taking a lunch break."""
    out = []
    for vt in base.fleet:
        count = int(rng.integers(0, 3)) if vt.start_depot != "hub" else int(rng.integers(1, 3))
        trips = int(rng.integers(1, 4))
        breaks = (Break(("11:00", "13:30"), 1800, "lunch"),) if rng.random() < 0.4 else ()
        out.append(
            dataclasses.replace(
                vt,
                count=count,
                max_trips=trips,
                reload_min=float(rng.choice([10, 20, 30])) if trips > 1 else 0.0,
                breaks=breaks,
            )
        )
    return tuple(out)


def _window(rng: np.random.Generator) -> tuple[tuple[int, int], ...]:
    a = int(rng.integers(7, 15)) * 3600
    return ((a, a + int(rng.integers(3, 9)) * 3600),)


def _pairs(base: L.Problem, rng: np.random.Generator, n: int, prefix: str) -> list[L.Order]:
    """``n`` pickup-and-delivery pairs between villages: produce taken from one co-operative to another."""
    villages = sorted({o.location for o in base.orders})
    out = []
    for k in range(n):
        a, b = rng.choice(len(villages), 2, replace=False)
        product = str(rng.choice(["apples", "pears", "dates", "dairy_meat"]))
        q = {product: float(rng.integers(2, 30)) * 10}
        life = float(rng.choice([2.0, 3.0, 5.0])) if rng.random() < 0.5 else None
        kw = {"service": int(rng.integers(5, 20)) * 60, "penalty": 500.0}
        out.append(
            L.Order(
                f"{prefix}P{k}",
                q,
                node_id=villages[a],
                kind="pickup",
                pair=f"{prefix}D{k}",
                time_windows=_window(rng),
                shelf_life_h=life,
                **kw,
            )
        )
        out.append(L.Order(f"{prefix}D{k}", q, node_id=villages[b], shelf_life_h=life, **kw))
    return out


def random_day(seed: int) -> L.Problem:
    """A random small day: demo orders (some with a shorter shelf life), pairs, a trimmed fleet."""
    rng = np.random.default_rng(seed)
    base = base_day()
    pool = list(base.orders)
    picked = [pool[k] for k in sorted(rng.choice(len(pool), int(rng.integers(8, 20)), replace=False))]
    orders = []
    for o in picked:
        if rng.random() < 0.2:
            o = dataclasses.replace(o, shelf_life_h=float(rng.choice([3.0, 4.0, 6.0])))
        orders.append(o)
    orders += _pairs(base, rng, int(rng.integers(1, 5)), "")
    return base.replace(orders=tuple(orders), fleet=_fleet(base, rng), strict=False, name=f"fuzz-{seed}")


def random_events(problem: L.Problem, plan: L.Plan, at: int, rng: np.random.Generator) -> list[Event]:
    """One to four events at ``at``: new orders and pairs, cancellations, a breakdown, a delay, new windows."""
    events: list[Event] = []
    used = [str(v) for v in plan.stops["vehicle"].unique()]
    ids = [o.id for o in problem.orders]
    touched: set[str] = set()
    for k in range(int(rng.integers(1, 5))):
        what = rng.choice(["new", "pair", "cancel", "breakdown", "delay", "windows"])
        if what == "new":
            base = problem.orders[int(rng.integers(len(problem.orders)))]
            if base.pair is None:
                o = dataclasses.replace(base, id=f"N{k}", time_windows=((at, at + int(rng.integers(2, 6)) * 3600),))
                events.append(NewOrder(o))
        elif what == "pair":
            for o in _pairs(base_day(), rng, 1, f"N{k}"):
                events.append(NewOrder(dataclasses.replace(o, time_windows=((at, at + 5 * 3600),))))
        elif what in ("cancel", "windows"):
            oid = str(rng.choice(ids))
            if oid in touched:
                continue
            touched.add(oid)
            if what == "cancel":
                events.append(Cancel(oid))
            else:
                events.append(NewWindows(oid, _window(rng)))
        elif used:
            vid = str(rng.choice(used))
            if what == "delay":
                events.append(Delay(vid, float(rng.integers(10, 180))))
            elif not any(isinstance(e, Breakdown) and e.vehicle == vid for e in events):
                later = int(rng.integers(0, 3)) * 3600 if rng.random() < 0.3 else 0
                recover = float(rng.choice([30, 90])) if rng.random() < 0.5 else None
                events.append(Breakdown(vid, at=at + later if later else None, recover_min=recover))
    return events


def random_case(seed: int, options: L.SolveOptions) -> Case:
    """The day of ``seed``, its morning plan (under ``options``), a re-planning time and events."""
    rng = np.random.default_rng(10_000 + seed)
    problem = random_day(seed)
    plan = L.solve(problem, options)
    s = plan.stops[plan.stops["kind"].isin(["delivery", "pickup"])]
    if len(s):
        lo, hi = int(s["arrival"].min()), int(s["arrival"].max())
        at = int(rng.integers(lo - 1800, hi + 1)) if hi > lo else lo
    else:
        at = 11 * 3600
    return Case(seed, problem, plan, max(at, 0), random_events(problem, plan, max(at, 0), rng))
