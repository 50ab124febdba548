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
  accepted.  An optional ``compartment`` column names, on each order's row, the
  compartments its goods ride (``name`` or ``name (zone)``, comma-separated).
* Shelf life: an unpaired delivery reaches its customer within the shelf life of
  leaving the start depot; a paired delivery within the shelf life of its
  pickup's service start, the stricter of the two orders' shelf lives; an
  unpaired pickup reaches the end depot within the shelf life of its service start.
  Pickups listed in ``problem.meta["returned_goods"]`` (a re-planned day: a pair's
  pickup made before its delivery was given up; the pair is dissolved in that day's
  orders) ride back to the depot as written-off goods: their load counts, their
  shelf life and time out of refrigeration are not checked.
* Time out of refrigeration: goods that ride a compartment warmer than their zone
  (the compartment ``vt.compartment_for(product)`` of the route's vehicle) obey
  their ``ambient_limit_h`` on the same clock as shelf life (reported as
  ``out_of_refrigeration``).
* Pairs: a pair written on either order (``pair`` on the pickup, the delivery or
  both) binds both; the validator finds it from either side itself.
* Several trips: a ``reload`` row (no order, at the type's start depot, at least
  ``reload_min`` long) ends a trip and starts the next, at most ``max_trips`` trips.
  At a reload the trip's unpaired pickups are unloaded and the next trip's unpaired
  deliveries loaded, so loads and capacities count per trip; shelf life counts from
  the trip's departure (deliveries) or to its return (pickups: the arrival at the
  reload); a pair's pickup and delivery ride one trip.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from logistics.check.breaks import BreakChecks, split_breaks
from logistics.check.common import Violation, cell_id, is_missing, num
from logistics.check.loads import LoadChecks
from logistics.check.timing import TimingChecks
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
    "max_travel_time": "a route drives longer than its type's max_travel_time",
    "max_tasks": "a route serves more orders than its type's max_tasks",
    "capacity": "a compartment or the total capacity is exceeded",
    "load": "the reported load (or compartment) columns disagree with the recomputed loads",
    "zone": "an order's products cannot ride the vehicle's compartments",
    "shelf_life": "goods stay on board longer than their shelf life",
    "out_of_refrigeration": "goods ride a compartment warmer than their zone longer than their ambient_limit_h",
    "pair": "a pickup and its delivery are not on one vehicle, pickup first (or both unserved)",
    "break": "a break of the vehicle type is missing, too short, outside its window or off its leg",
    "driving_time": "longer on duty than max_driving_h without a rest of min_rest_min",
    "trips": "a vehicle makes more trips than its type's max_trips, reloads away from its reload depot, carries "
    "a pair across a reload, or (starting with goods on board) delivers anything else before its first "
    "reload or those goods after it",
}

REQUIRED_STOP_COLUMNS = ("vehicle", "seq", "kind", "order_id", "node_id", "arrival", "start", "departure")


def assert_valid(problem: Problem, plan: Any) -> None:
    """Raise AssertionError listing every violation of ``plan`` (no-op if feasible).

    For tests and scripts that must stop on an infeasible plan; use `validate` to inspect
    violations instead.

    Parameters
    ----------
    problem
        The problem the plan claims to solve.
    plan
        The plan (only ``stops`` and ``unserved`` are read).

    Raises
    ------
    AssertionError
        The plan breaks a rule; the message lists up to 50 violations.
    """
    vs = validate(problem, plan)
    if vs:
        shown = "\n  ".join(str(v) for v in vs[:50])
        more = f"\n  ... and {len(vs) - 50} more" if len(vs) > 50 else ""
        raise AssertionError(f"plan has {len(vs)} violation(s):\n  {shown}{more}")


class _Checker(TimingChecks, LoadChecks, BreakChecks):
    """Every check of one plan: routes (structure, then times and loads), coverage, pairs."""

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
        vehicles = [cell_id(v) for v in stops["vehicle"]]
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
            bad = {str(t) for t in rows["vehicle_type"] if cell_id(t) != vt.name}
            if bad:
                self.add("vehicle_type", f"vehicle_type {sorted(bad)} but {vid} is a {vt.name!r}", vehicle=vid)
        seqs = [num(s) for s in rows["seq"]]
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
        bad_kinds = sorted({k for k in kinds if k not in ("start", "end", "delivery", "pickup", "break", "reload")})
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
            oid = cell_id(o)
            if str(k) in ("delivery", "pickup") and oid is not None:
                out.append(oid)
                self.served_at[oid] = (vid, i, num(st))
        return out

    def _walk(self, vid: str, vt: VehicleType, rows: pd.DataFrame) -> list[str]:
        m = self.m
        recs = [{str(k): v for k, v in rec.items()} for rec in rows.to_dict(orient="records")]
        recs, brk = split_breaks(recs)
        # resolve the node of every row from the problem (not from the plan)
        nodes: list[str | None] = []
        stop_orders: list[Order | None] = []
        served: list[str] = []
        ok = True
        for r in recs:
            kind = str(r["kind"])
            rep_node = cell_id(r["node_id"])
            if kind in ("start", "end"):
                depot = vt.start_depot if kind == "start" else vt.end_depot
                if cell_id(r.get("order_id")) is not None:
                    self.add("structure", f"{kind} row carries order id {cell_id(r['order_id'])!r}", vehicle=vid)
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
            if kind == "reload":
                self._reload_row(vid, vt, r, rep_node)
                nodes.append(vt.reload_depot or vt.start_depot)
                stop_orders.append(None)
                continue
            oid = cell_id(r["order_id"])
            if oid is None:
                self.add("structure", f"a {kind} stop (seq {int(r['seq'])}) has no order id", vehicle=vid)
                ok = False
                nodes.append(rep_node)
                stop_orders.append(None)
                continue
            served.append(oid)
            self.served_at[oid] = (vid, len(nodes), num(r["start"]))
            self.trip_of[oid] = self._reloads.get(vid, 0)
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
            loaded = vt.on_board
            if loaded and oid in loaded and self.trip_of[oid] > 0:
                self.add("trips", f"delivers {oid}, on board from the start, after a reload", vehicle=vid, order_id=oid)
            if loaded is not None and self.trip_of[oid] == 0 and o.kind == "delivery" and oid not in self.partner:
                if oid not in loaded:
                    self.add(
                        "trips",
                        f"delivers {oid} on its first trip, but it starts with only "
                        f"{', '.join(loaded) or 'nothing'} on board",
                        vehicle=vid,
                        order_id=oid,
                    )
            nodes.append(o.location)
            stop_orders.append(o)
        if not ok:
            return served
        if m is None:
            self.add("node", "the problem has no travel matrix", vehicle=vid)
            return served
        try:
            idx = [m.index(n) for n in nodes]
        except Exception as e:  # a depot or order location missing from the matrix
            self.add("node", f"node not in the travel matrix: {e}", vehicle=vid)
            return served
        self._travel_and_time(vid, vt, recs, idx, stop_orders)
        self._breaks(vid, vt, recs, brk)
        self._loads(vid, vt, recs, stop_orders)
        return served

    def _reload_row(self, vid: str, vt: VehicleType, r: dict[str, Any], rep_node: str | None) -> None:
        """A reload row: at the start depot, no order, within the type's ``max_trips``."""
        if cell_id(r.get("order_id")) is not None:
            self.add("structure", f"reload row carries order id {cell_id(r['order_id'])!r}", vehicle=vid)
        home = vt.reload_depot or vt.start_depot
        if rep_node != str(home):
            self.add("trips", f"reloads at {rep_node!r}, but {vt.name!r} loads at {home!r}", vehicle=vid)
        self._reloads[vid] = self._reloads.get(vid, 0) + 1
        if self._reloads[vid] == vt.max_trips:  # reported once, at the first reload too many
            self.add("trips", f"more than {vt.max_trips} trip(s), the most {vt.name!r} makes", vehicle=vid)

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
                uid = cell_id(raw)
                if uid is None:
                    self.add("unknown_order", "an unserved row has no order id")
                    continue
                un[uid] = un.get(uid, 0) + 1
                if uid not in self.orders:
                    self.add("unknown_order", f"unserved lists unknown order {uid!r}", order_id=uid)
                    continue
                if is_missing(reason) or not str(reason).strip():
                    self.add("no_reason", "listed as unserved without a reason", order_id=uid)
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
            if o.kind != "pickup" or o.id not in self.partner:
                continue
            d = self.orders.get(self.partner[o.id])
            if d is None:
                continue
            at_p, at_d = self.served_at.get(o.id), self.served_at.get(d.id)
            if at_p is None and at_d is None:
                continue
            if at_p is None or at_d is None:
                which, other, at = (o.id, d.id, at_p) if at_p is not None else (d.id, o.id, at_d)
                self.add(
                    "pair",
                    f"{which} is served but its pair {other} is not",
                    vehicle=at[0] if at is not None else None,
                    order_id=which,
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
            elif self.trip_of.get(o.id) != self.trip_of.get(d.id):
                self.add(
                    "trips",
                    f"pickup {o.id} in trip {self.trip_of.get(o.id, 0) + 1} but its delivery {d.id} in trip "
                    f"{self.trip_of.get(d.id, 0) + 1}: a pair rides one trip (a reload empties the vehicle)",
                    vehicle=at_p[0],
                    order_id=o.id,
                )


def validate(problem: Problem, plan: Any) -> list[Violation]:
    """Every way ``plan`` breaks ``problem``'s rules; an empty list means feasible.

    Only ``plan.stops`` and ``plan.unserved`` are read.  Everything else is
    recomputed from ``problem.matrix``, ``problem.orders`` and ``problem.fleet``;
    see the module docstring for the conventions.

    Parameters
    ----------
    problem
        The problem the plan claims to solve.
    plan
        A `Plan`, or any object with ``stops`` and ``unserved`` frames (a plan read back from
        JSON, or one made by another tool).

    Returns
    -------
    list of Violation
        Ordered by route (as they appear in ``plan.stops``), then coverage and pair checks.
    """
    return _Checker(problem, plan).run()


# ``logistics.validate`` is this function once the package is imported (the package
# re-exports it), so the module's other names are reachable from it too:
# ``logistics.validate.assert_valid(problem, plan)``.
validate.assert_valid = assert_valid  # type: ignore[attr-defined]
validate.Violation = Violation  # type: ignore[attr-defined]
validate.KINDS = KINDS  # type: ignore[attr-defined]
