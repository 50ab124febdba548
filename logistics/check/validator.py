"""Independent feasibility checker for plans.

``validate(problem, plan)`` re-derives everything a plan claims from the problem
alone (``problem.matrix``, ``problem.orders``, ``problem.fleet``) and lists what
does not hold.  It deliberately shares no code with the solver or the code that
builds plans from solver output, so a bug there cannot hide itself here.

Conventions checked (the plan contract):

* ``plan.stops`` has one row per stop.  The rows of a vehicle, ordered by
  ``seq`` (0, 1, 2, ...), are: one ``start`` row at the type's start depot, one
  row per served order (``delivery`` or ``pickup``), one ``end`` row at the
  type's end depot.
* ``travel_distance``/``travel_duration`` are from the previous row; the
  duration is the matrix duration times the type's ``speed_factor``, rounded to
  an integer.  ``arrival`` = previous ``departure`` + travel duration,
  ``start`` >= ``arrival``, ``departure`` = ``start`` + the order's service,
  ``wait`` = ``start`` - ``arrival``.  The start row leaves at
  ``arrival`` = ``start`` = ``departure``.
* Service starts inside one of the order's windows.  A soft window may be
  served late by at most ``problem.costs.max_lateness_h``; service never starts
  before a window opens.  ``late`` is how long after its window a soft order's
  service starts, ``early`` how long before that window opened the vehicle
  arrived (both 0 for hard windows).
* Loads (product units): the vehicle leaves the start depot with all its
  unpaired deliveries; a pickup adds and a delivery removes its quantities in
  the compartment ``vt.compartment_for(product)``.  Every compartment stays
  within its capacity and the sum within ``total_capacity``.  ``load`` and
  ``load_<compartment>`` report the load after each stop (NaN for compartments
  the vehicle type lacks); at the end row either the arriving load or 0 is
  accepted.
* Shelf life: an unpaired delivery reaches its customer within the shelf life of
  leaving the start depot; a paired delivery within the shelf life of its
  pickup's service start; an unpaired pickup reaches the end depot within the
  shelf life of its service start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from logistics.core.model import Order, VehicleType
from logistics.core.problem import Problem

__all__ = ["KINDS", "Violation", "assert_valid", "validate"]

# Every kind of violation this module reports, with what it means.
KINDS = {
    "format": "the plan's frames lack a column or hold values of the wrong type",
    "unknown_order": "an order id that is not in the problem",
    "duplicate": "an order served more than once or listed more than once as unserved",
    "served_and_unserved": "an order both served and listed as unserved",
    "missing": "an order neither served nor listed as unserved",
    "no_reason": "an unserved order without a reason",
    "unknown_vehicle": "a vehicle id that the fleet does not have",
    "vehicle_type": "the vehicle_type column disagrees with the vehicle id",
    "not_allowed": "an order rides a vehicle type outside its vehicle_types, or a vehicle of another carrier",
    "structure": "a route is malformed (seq, start/end rows, stop kinds)",
    "kind": "a stop's kind differs from its order's kind",
    "depot": "a route does not start/end at its vehicle type's depots",
    "node": "a stop's node differs from its order's location",
    "distance": "a travel distance disagrees with the matrix",
    "travel_time": "a travel duration disagrees with the matrix and speed factor",
    "timing": "arrival/start/departure/wait/service are inconsistent",
    "time_window": "service starts outside the order's time windows",
    "lateness": "the reported late/early seconds disagree with the windows",
    "shift": "the vehicle leaves before its shift starts or returns after it ends",
    "max_duration": "a route lasts longer than its type's max_duration",
    "max_distance": "a route is longer than its type's max_distance",
    "capacity": "a compartment or the total capacity is exceeded",
    "load": "the reported load columns disagree with the recomputed loads",
    "zone": "an order's products cannot ride the vehicle's compartments",
    "shelf_life": "goods stay on board longer than their shelf life",
    "pair": "a pickup and its delivery are not on one vehicle, pickup first (or both unserved)",
}

REQUIRED_STOP_COLUMNS = ("vehicle", "seq", "kind", "order_id", "node_id", "arrival", "start", "departure")
TIME_TOL = 1e-6  # times are integers; allow float round-trips only
QTY_ABS_TOL = 1e-3  # loads may be reported from integer milli-units


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``kind`` (see ``KINDS``), a readable message, and where."""

    kind: str
    message: str
    vehicle: str | None = None
    order_id: str | None = None

    def __str__(self) -> str:
        where = []
        if self.vehicle is not None:
            where.append(f"vehicle {self.vehicle}")
        if self.order_id is not None:
            where.append(f"order {self.order_id}")
        loc = f" ({', '.join(where)})" if where else ""
        return f"[{self.kind}]{loc} {self.message}"


def assert_valid(problem: Problem, plan: Any) -> None:
    """Raise AssertionError listing every violation of ``plan`` (no-op if feasible)."""
    vs = validate(problem, plan)
    if vs:
        shown = "\n  ".join(str(v) for v in vs[:50])
        more = f"\n  ... and {len(vs) - 50} more" if len(vs) > 50 else ""
        raise AssertionError(f"plan has {len(vs)} violation(s):\n  {shown}{more}")


# --------------------------------------------------------------------------- helpers


def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, (float, np.floating)) and math.isnan(x):
        return True
    try:
        return bool(pd.isna(x)) if not isinstance(x, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _id(x: Any) -> str | None:
    """Normalise an id cell: None/NaN -> None, numbers that are whole -> '12', else str."""
    if _is_missing(x):
        return None
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x)


def _num(x: Any) -> float | None:
    if _is_missing(x):
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _close(a: float | None, b: float, tol: float = TIME_TOL) -> bool:
    return a is not None and abs(a - b) <= tol


def _fmt(x: float | None) -> str:
    if x is None:
        return "missing"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _qty_tol(x: float) -> float:
    return QTY_ABS_TOL + 1e-9 * abs(x)


class _Checker:
    def __init__(self, problem: Problem, plan: Any):
        self.p = problem
        self.plan = plan
        self.out: list[Violation] = []
        self.orders = {o.id: o for o in problem.orders}
        self.partner = {}
        for o in problem.orders:
            if o.pair is not None:
                self.partner[o.id] = o.pair
                self.partner.setdefault(o.pair, o.id)
        self.vehicles: dict[str, VehicleType] = dict(problem.vehicles())
        self.m = problem.matrix
        costs = problem.costs
        self.max_late_s = int(round(float(getattr(costs, "max_lateness_h", 0.0) or 0.0) * 3600))
        # where each served order is: order id -> (vehicle, seq, service start)
        self.served_at: dict[str, tuple[str, int, float]] = {}

    def add(self, kind: str, message: str, vehicle: str | None = None, order_id: str | None = None) -> None:
        self.out.append(Violation(kind, message, vehicle, order_id))

    # -- entry --------------------------------------------------------------------------------
    def run(self) -> list[Violation]:
        stops = getattr(self.plan, "stops", None)
        unserved = getattr(self.plan, "unserved", None)
        if not isinstance(stops, pd.DataFrame):
            self.add("format", "plan.stops is not a DataFrame")
            return self.out
        if not isinstance(unserved, pd.DataFrame):
            self.add("format", "plan.unserved is not a DataFrame")
            return self.out
        missing = [c for c in REQUIRED_STOP_COLUMNS if c not in stops.columns]
        if missing:
            self.add("format", f"plan.stops lacks column(s) {', '.join(missing)}")
            return self.out
        for c in ("order_id", "reason"):
            if c not in unserved.columns and len(unserved):
                self.add("format", f"plan.unserved lacks column {c!r}")
                return self.out
        served = self._routes(stops)
        self._coverage(served, unserved)
        self._pairs()
        return self.out

    # -- routes ---------------------------------------------------------------------------------
    def _routes(self, stops: pd.DataFrame) -> list[str]:
        served: list[str] = []
        if stops.empty:
            return served
        vehicles = [_id(v) for v in stops["vehicle"]]
        groups: dict[str | None, list[int]] = {}
        for pos, v in enumerate(vehicles):
            groups.setdefault(v, []).append(pos)
        for vid, positions in groups.items():
            rows = stops.iloc[positions]
            if vid is None:
                self.add("unknown_vehicle", f"{len(rows)} stop row(s) have no vehicle id")
                continue
            if vid not in self.vehicles:
                self.add(
                    "unknown_vehicle",
                    f"vehicle {vid!r} is not in the fleet "
                    f"(ids are <type>#<k>, e.g. {next(iter(self.vehicles), '?')!r})",
                    vehicle=vid,
                )
                served.extend(self._served_ids(rows, vid))
                continue
            served.extend(self._route(vid, self.vehicles[vid], rows))
        return served

    def _route(self, vid: str, vt: VehicleType, rows: pd.DataFrame) -> list[str]:
        """Check one vehicle's rows; return the order ids it serves."""
        if "vehicle_type" in rows.columns:
            bad = {str(t) for t in rows["vehicle_type"] if _id(t) != vt.name}
            if bad:
                self.add("vehicle_type", f"vehicle_type {sorted(bad)} but {vid} is a {vt.name!r}", vehicle=vid)
        seqs = [_num(s) for s in rows["seq"]]
        if any(s is None or not float(s).is_integer() for s in seqs):
            self.add("structure", "seq has missing or non-integer values", vehicle=vid)
            return self._served_ids(rows, vid)
        order = np.argsort(np.array(seqs, dtype=float), kind="stable")
        rows = rows.iloc[order]
        seqs = [int(seqs[i]) for i in order]
        if seqs != list(range(len(seqs))):
            dup = len(set(seqs)) != len(seqs)
            self.add(
                "structure",
                (
                    f"vehicle used more than once (seq values repeat: {seqs})"
                    if dup
                    else f"seq must run 0..{len(seqs) - 1}, got {seqs}"
                ),
                vehicle=vid,
            )
            if dup:
                return self._served_ids(rows, vid)
        kinds = [str(k) for k in rows["kind"]]
        bad_kinds = sorted({k for k in kinds if k not in ("start", "end", "delivery", "pickup")})
        if bad_kinds:
            self.add("structure", f"unknown stop kind(s) {bad_kinds}", vehicle=vid)
            return self._served_ids(rows, vid)
        n_start, n_end = kinds.count("start"), kinds.count("end")
        if n_start != 1 or n_end != 1:
            hint = " (vehicle used more than once?)" if n_start > 1 or n_end > 1 else ""
            self.add(
                "structure",
                f"a route needs exactly one start and one end row, got {n_start} start and {n_end} end{hint}",
                vehicle=vid,
            )
            return self._served_ids(rows, vid)
        if kinds[0] != "start" or kinds[-1] != "end":
            self.add("structure", f"the start row must come first and the end row last, got {kinds}", vehicle=vid)
            return self._served_ids(rows, vid)
        return self._walk(vid, vt, rows)

    def _served_ids(self, rows: pd.DataFrame, vid: str) -> list[str]:
        """Order ids of a malformed route, so coverage and pair checks still see them."""
        out = []
        for i, (k, o, st) in enumerate(zip(rows["kind"], rows["order_id"], rows["start"])):
            oid = _id(o)
            if str(k) in ("delivery", "pickup") and oid is not None:
                out.append(oid)
                self.served_at[oid] = (vid, i, _num(st))
        return out

    def _walk(self, vid: str, vt: VehicleType, rows: pd.DataFrame) -> list[str]:
        m = self.m
        recs = rows.to_dict(orient="records")
        # resolve the node of every row from the problem (not from the plan)
        nodes: list[str] = []
        stop_orders: list[Order | None] = []
        served: list[str] = []
        ok = True
        for r in recs:
            kind = str(r["kind"])
            rep_node = _id(r["node_id"])
            if kind in ("start", "end"):
                depot = vt.start_depot if kind == "start" else vt.end_depot
                if _id(r.get("order_id")) is not None:
                    self.add("structure", f"{kind} row carries order id {_id(r['order_id'])!r}", vehicle=vid)
                if rep_node != str(depot):
                    self.add(
                        "depot",
                        f"route {'starts' if kind == 'start' else 'ends'} at {rep_node!r}, "
                        f"but {vt.name!r} {'starts' if kind == 'start' else 'ends'} at {depot!r}",
                        vehicle=vid,
                    )
                nodes.append(depot)
                stop_orders.append(None)
                continue
            oid = _id(r["order_id"])
            if oid is None:
                self.add("structure", f"a {kind} stop (seq {int(r['seq'])}) has no order id", vehicle=vid)
                ok = False
                nodes.append(rep_node)
                stop_orders.append(None)
                continue
            served.append(oid)
            self.served_at[oid] = (vid, len(nodes), _num(r["start"]))
            o = self.orders.get(oid)
            if o is None:
                self.add(
                    "unknown_order", f"stop seq {int(r['seq'])} serves unknown order {oid!r}", vehicle=vid, order_id=oid
                )
                ok = False
                nodes.append(rep_node)
                stop_orders.append(None)
                continue
            if kind != o.kind:
                self.add("kind", f"stop kind {kind!r} but the order is a {o.kind}", vehicle=vid, order_id=oid)
            if rep_node != o.location:
                self.add(
                    "node", f"stop at node {rep_node!r}, but the order is at {o.location!r}", vehicle=vid, order_id=oid
                )
            nodes.append(o.location)
            stop_orders.append(o)
        if not ok:
            return served
        try:
            idx = [m.index(n) for n in nodes]
        except Exception as e:  # a depot or order location missing from the matrix
            self.add("node", f"node not in the travel matrix: {e}", vehicle=vid)
            return served
        self._travel_and_time(vid, vt, recs, idx, stop_orders)
        self._loads(vid, vt, recs, stop_orders)
        return served

    # -- distance, durations, timing, windows, shift, shelf life ---------------------------------
    def _travel_and_time(
        self, vid: str, vt: VehicleType, recs: list[dict], idx: list[int], stop_orders: list[Order | None]
    ) -> None:
        m = self.m
        total_dist = 0
        end_arrival = None
        leave = _num(recs[0]["departure"])
        first = recs[0]
        a0, s0, d0 = _num(first["arrival"]), _num(first["start"]), _num(first["departure"])
        if a0 is None or s0 is None or d0 is None or not (abs(a0 - s0) <= TIME_TOL and abs(s0 - d0) <= TIME_TOL):
            self.add(
                "timing",
                f"start row must have arrival = start = departure, got {_fmt(a0)}/{_fmt(s0)}/{_fmt(d0)}",
                vehicle=vid,
            )
        if leave is None:
            self.add("timing", "the start row has no departure time", vehicle=vid)
            return
        if leave < vt.shift[0] - TIME_TOL:
            self.add(
                "shift", f"leaves the depot at {_fmt(leave)}, before the shift starts at {vt.shift[0]}", vehicle=vid
            )
        prev_dep = leave
        for i in range(1, len(recs)):
            r = recs[i]
            o = stop_orders[i]
            oid = o.id if o is not None else None
            d = int(m.distance[idx[i - 1], idx[i]])
            t = int(round(float(m.duration[idx[i - 1], idx[i]]) * vt.speed_factor))
            total_dist += d
            rd = _num(r.get("travel_distance"))
            if "travel_distance" in r and not _close(rd, d):
                self.add(
                    "distance", f"travel_distance {_fmt(rd)} to seq {i}, matrix says {d}", vehicle=vid, order_id=oid
                )
            rt = _num(r.get("travel_duration"))
            if "travel_duration" in r and not _close(rt, t):
                self.add(
                    "travel_time",
                    f"travel_duration {_fmt(rt)} to seq {i}, matrix x speed factor {vt.speed_factor:g} says {t}",
                    vehicle=vid,
                    order_id=oid,
                )
            arr, st, dep = _num(r["arrival"]), _num(r["start"]), _num(r["departure"])
            exp_arr = prev_dep + t
            if not _close(arr, exp_arr):
                self.add(
                    "timing",
                    f"arrival {_fmt(arr)} at seq {i}, expected {_fmt(exp_arr)} (previous departure "
                    f"{_fmt(prev_dep)} + travel {t})",
                    vehicle=vid,
                    order_id=oid,
                )
            if arr is None:
                arr = exp_arr
            if recs[i]["kind"] == "end":
                if arr > vt.shift[1] + TIME_TOL:
                    self.add(
                        "shift",
                        f"returns to the depot at {_fmt(arr)}, after the shift ends at {vt.shift[1]}",
                        vehicle=vid,
                    )
                if vt.max_duration is not None and arr - leave > vt.max_duration + TIME_TOL:
                    self.add("max_duration", f"route lasts {_fmt(arr - leave)} s, limit {vt.max_duration}", vehicle=vid)
                end_arrival = arr
                break
            if st is None:
                self.add("timing", f"stop seq {i} has no service start", vehicle=vid, order_id=oid)
                st = arr
            if st < arr - TIME_TOL:
                self.add(
                    "timing", f"service starts at {_fmt(st)}, before arrival at {_fmt(arr)}", vehicle=vid, order_id=oid
                )
            svc = o.service
            rs = _num(r.get("service"))
            if "service" in r and not _close(rs, svc):
                self.add("timing", f"service {_fmt(rs)} s, the order needs {svc} s", vehicle=vid, order_id=oid)
            if not _close(dep, st + svc):
                self.add(
                    "timing",
                    f"departure {_fmt(dep)}, expected start {_fmt(st)} + service {svc}",
                    vehicle=vid,
                    order_id=oid,
                )
            rw = _num(r.get("wait"))
            if "wait" in r and not _close(rw, st - arr):
                self.add(
                    "timing", f"wait {_fmt(rw)}, expected start - arrival = {_fmt(st - arr)}", vehicle=vid, order_id=oid
                )
            self._window(vid, o, exp_arr, st, r)
            prev_dep = dep if dep is not None else st + svc
        if vt.max_distance is not None and total_dist > vt.max_distance:
            self.add("max_distance", f"route is {total_dist} long, limit {vt.max_distance}", vehicle=vid)
        self._shelf(vid, leave, stop_orders, end_arrival)

    def _window(self, vid: str, o: Order, arr: float, st: float, r: dict) -> None:
        opened = [(a, b) for a, b in o.time_windows if a <= st + TIME_TOL]
        wins = ", ".join(f"[{a}, {b}]" for a, b in o.time_windows)
        late = early = 0.0
        if not opened:
            self.add(
                "time_window",
                f"service starts at {_fmt(st)}, before its window opens ({wins})",
                vehicle=vid,
                order_id=o.id,
            )
        else:
            a, b = opened[-1]
            late = max(0.0, st - b)
            early = max(0.0, a - arr) if o.soft else 0.0
            if late > TIME_TOL:
                if not o.soft:
                    self.add(
                        "time_window",
                        f"service starts at {_fmt(st)}, outside its window(s) {wins}",
                        vehicle=vid,
                        order_id=o.id,
                    )
                elif late > self.max_late_s + TIME_TOL:
                    self.add(
                        "time_window",
                        f"service starts {_fmt(late)} s after its soft window ends "
                        f"({wins}); at most {self.max_late_s} s allowed",
                        vehicle=vid,
                        order_id=o.id,
                    )
        if "late" in r:
            rl = _num(r.get("late"))
            exp = late if o.soft else 0.0
            if not _close(rl, exp):
                self.add("lateness", f"late {_fmt(rl)}, expected {_fmt(exp)}", vehicle=vid, order_id=o.id)
        if "early" in r:
            re_ = _num(r.get("early"))
            if not _close(re_, early):
                self.add(
                    "lateness",
                    f"early {_fmt(re_)}, expected {_fmt(early)} (arrival before the soft window "
                    "in which service starts; 0 for hard windows)",
                    vehicle=vid,
                    order_id=o.id,
                )

    def _shelf(self, vid: str, leave: float, stop_orders: list[Order | None], end_arrival: float | None) -> None:
        p = self.p
        for o in stop_orders:
            if o is None or o.id not in self.served_at:
                continue
            life = p.shelf_life_s(o)
            if life is None:
                continue
            st = self.served_at[o.id][2]
            if st is None:
                continue
            if o.kind == "delivery":
                if o.pair is None:
                    since, what = leave, "leaving the depot"
                else:
                    at = self.served_at.get(o.pair)
                    if at is None or at[0] != vid or at[2] is None:
                        continue  # pairing problems are reported by _pairs
                    since, what = at[2], f"pickup {o.pair}"
                age = st - since
            else:
                if o.pair is not None or end_arrival is None:
                    continue  # paired pickups are checked at their delivery
                age = end_arrival - st
                what = "pickup to the end depot"
            if age > life + TIME_TOL:
                self.add(
                    "shelf_life", f"{_fmt(age)} s on board ({what}), shelf life {life} s", vehicle=vid, order_id=o.id
                )

    # -- loads -------------------------------------------------------------------------------------
    def _loads(self, vid: str, vt: VehicleType, recs: list[dict], stop_orders: list[Order | None]) -> None:
        p = self.p
        K = len(vt.compartments)
        changes: list[list[float] | None] = []
        start = [0.0] * K
        zone_ok = True
        for o in stop_orders:
            if o is None:
                changes.append(None)
                continue
            if o.vehicle_types is not None and vt.name not in o.vehicle_types:
                self.add(
                    "not_allowed",
                    f"{vt.name!r} is not among the order's vehicle types ({', '.join(o.vehicle_types)})",
                    vehicle=vid,
                    order_id=o.id,
                )
                zone_ok = False
                changes.append(None)
                continue
            if o.carrier is not None and vt.carrier is not None and o.carrier != vt.carrier:
                self.add(
                    "not_allowed",
                    f"carrier {o.carrier!r}'s order rides a vehicle of carrier {vt.carrier!r}",
                    vehicle=vid,
                    order_id=o.id,
                )
                zone_ok = False
                changes.append(None)
                continue
            q = p.compartment_loads(o, vt)
            if q is None:
                products = ", ".join(f"{n} ({p.products[n].zone.value})" for n, v in o.quantities.items() if v > 0)
                self.add("zone", f"{vt.name!r} has no compartment for {products}", vehicle=vid, order_id=o.id)
                zone_ok = False
                changes.append(None)
                continue
            if o.kind == "delivery":
                changes.append([-x for x in q])
                if o.pair is None:
                    start = [a + b for a, b in zip(start, q)]
            else:
                changes.append(list(q))
        if not zone_ok:
            return
        cols = [f"load_{c.name}" for c in vt.compartments]
        missing_cols = [c for c in cols if c not in recs[0]]
        if missing_cols:
            self.add("load", f"plan.stops lacks column(s) {', '.join(missing_cols)}", vehicle=vid)
        loads = start
        over_reported = set()
        for i, r in enumerate(recs):
            kind = str(r["kind"])
            arriving = list(loads)
            if changes[i] is not None:
                loads = [a + b for a, b in zip(loads, changes[i])]
            where = (
                "leaving the depot"
                if kind == "start"
                else ("at the end depot" if kind == "end" else f"after {stop_orders[i].id}")
            )
            oid = stop_orders[i].id if stop_orders[i] is not None else None
            for k, c in enumerate(vt.compartments):
                if loads[k] > c.capacity + 1e-9 * max(1.0, c.capacity) and k not in over_reported:
                    self.add(
                        "capacity",
                        f"compartment {c.name!r} holds {loads[k]:g} {where}, capacity {c.capacity:g}",
                        vehicle=vid,
                        order_id=oid,
                    )
                    over_reported.add(k)
                if loads[k] < -_qty_tol(0.0):
                    self.add(
                        "capacity",
                        f"compartment {c.name!r} load negative ({loads[k]:g}) {where}",
                        vehicle=vid,
                        order_id=oid,
                    )
            tot = sum(loads)
            if (
                vt.total_capacity is not None
                and tot > vt.total_capacity + 1e-9 * max(1.0, vt.total_capacity)
                and "total" not in over_reported
            ):
                self.add(
                    "capacity",
                    f"total load {tot:g} {where}, total capacity {vt.total_capacity:g}",
                    vehicle=vid,
                    order_id=oid,
                )
                over_reported.add("total")
            # reported loads (the end row may show the arriving load or zero)
            accept = [loads] if kind != "end" else [loads, arriving, [0.0] * K]
            if "load" in r:
                rl = _num(r.get("load"))
                if rl is None or not any(abs(rl - sum(x)) <= _qty_tol(sum(x)) for x in accept):
                    self.add(
                        "load",
                        f"reported load {_fmt(rl)} {where}, recomputed {sum(loads):g}",
                        vehicle=vid,
                        order_id=oid,
                    )
            for k, col in enumerate(cols):
                if col not in r:
                    continue
                rl = _num(r.get(col))
                if rl is None or not any(abs(rl - x[k]) <= _qty_tol(x[k]) for x in accept):
                    self.add(
                        "load", f"reported {col} {_fmt(rl)} {where}, recomputed {loads[k]:g}", vehicle=vid, order_id=oid
                    )
        own = set(cols)
        for col in recs[0]:
            if str(col).startswith("load_") and col not in own:
                vals = [_num(r.get(col)) for r in recs]
                if any(v is not None and v != 0 for v in vals):
                    self.add(
                        "load", f"{col} is set, but {vt.name!r} has no such compartment (expected NaN)", vehicle=vid
                    )

    # -- coverage and pairs -------------------------------------------------------------------------
    def _coverage(self, served: list[str], unserved: pd.DataFrame) -> None:
        counts: dict[str, int] = {}
        for oid in served:
            counts[oid] = counts.get(oid, 0) + 1
        for oid, n in counts.items():
            if n > 1 and oid in self.orders:
                self.add("duplicate", f"served {n} times", order_id=oid)
        un: dict[str, int] = {}
        if len(unserved):
            reasons = unserved["reason"] if "reason" in unserved.columns else [None] * len(unserved)
            for raw, reason in zip(unserved["order_id"], reasons):
                oid = _id(raw)
                if oid is None:
                    self.add("unknown_order", "an unserved row has no order id")
                    continue
                un[oid] = un.get(oid, 0) + 1
                if oid not in self.orders:
                    self.add("unknown_order", f"unserved lists unknown order {oid!r}", order_id=oid)
                    continue
                if _is_missing(reason) or not str(reason).strip():
                    self.add("no_reason", "listed as unserved without a reason", order_id=oid)
        for oid, n in un.items():
            if n > 1 and oid in self.orders:
                self.add("duplicate", f"listed {n} times as unserved", order_id=oid)
            if oid in counts and oid in self.orders:
                self.add("served_and_unserved", "both served and listed as unserved", order_id=oid)
        for o in self.p.orders:
            if o.id not in counts and o.id not in un:
                self.add("missing", "neither served nor listed as unserved", order_id=o.id)

    def _pairs(self) -> None:
        for o in self.p.orders:
            if o.kind != "pickup" or o.pair is None:
                continue
            d = self.orders.get(o.pair)
            if d is None:
                continue
            at_p, at_d = self.served_at.get(o.id), self.served_at.get(d.id)
            if at_p is None and at_d is None:
                continue
            if at_p is None or at_d is None:
                which, other = (o.id, d.id) if at_p is not None else (d.id, o.id)
                self.add(
                    "pair", f"{which} is served but its pair {other} is not", vehicle=(at_p or at_d)[0], order_id=which
                )
                continue
            if at_p[0] != at_d[0]:
                self.add(
                    "pair",
                    f"pickup {o.id} on {at_p[0]} but its delivery {d.id} on {at_d[0]}",
                    vehicle=at_p[0],
                    order_id=o.id,
                )
            elif at_p[1] >= at_d[1]:
                self.add(
                    "pair",
                    f"delivery {d.id} (seq {at_d[1]}) comes before its pickup {o.id} (seq {at_p[1]})",
                    vehicle=at_p[0],
                    order_id=o.id,
                )


def validate(problem: Problem, plan: Any) -> list[Violation]:
    """Every way ``plan`` breaks ``problem``'s rules; an empty list means feasible.

    Only ``plan.stops`` and ``plan.unserved`` are read.  Everything else is
    recomputed from ``problem.matrix``, ``problem.orders`` and ``problem.fleet``;
    see the module docstring for the conventions.  The result is ordered by
    route (as they appear in ``plan.stops``), then coverage and pair checks.
    """
    return _Checker(problem, plan).run()


# ``logistics.validate`` is this function once the package is imported (the package
# re-exports it), so the module's other names are reachable from it too:
# ``logistics.validate.assert_valid(problem, plan)``.
validate.assert_valid = assert_valid  # type: ignore[attr-defined]
validate.Violation = Violation  # type: ignore[attr-defined]
validate.KINDS = KINDS  # type: ignore[attr-defined]
