"""Independent checker for three-tier plans (`logistics.tiers.TieredPlan`).

``validate_tiers(tp)`` reads only what a tiered plan publishes — the original
``orders`` and ``products``, ``handling_s``, the ``hub`` id, the trunk plan's
stops, each depot's last-mile stops, the ``transfers`` frame, ``unserved`` and
the trunk orders in ``problems["trunk"]`` — and re-derives every time it
checks from the plans' stop rows.  It shares no code with the planner.

Rules:

* every order is served exactly once end to end (direct from the hub, or on a
  last-mile route plus the trunk order that carries it) or listed as unserved
  with a reason, never both;
* down: a last-mile vehicle leaves its station no earlier than the trunk stop
  that brought its goods finished unloading plus ``handling_s``;
* up: a trunk pickup starts no earlier than the van that brought the produce
  returned to the station plus ``handling_s``;
* end-to-end shelf life: a delivery reaches its village within the shelf life of
  the trunk's departure from the hub (direct: of the van's departure); produce
  reaches the hub within its shelf life of the village pickup;
* the trunk order named for a transfer is served at that station, in the right
  direction, and carries at least the goods handed over through it;
* village stops respect the original orders' time windows;
* the ``transfers`` frame agrees with the plans;
* a station's cold store never holds more than ``meta["cold_store_capacity"]`` gives it, and
  trunk stops and vans at a station keep to ``meta["opening_hours"]``
  (see [logistics.check.tier_stations][]);
* with ``legs=True``, every leg passes [logistics.validate][] (its drivers' breaks and
  continuous-driving rule included), and a trunk truck that drives both waves keeps its driving
  rule over the whole day: the wait at the hub between them counts as a rest only when it is at
  least ``min_rest_min`` long.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from logistics.check.tier_stations import Stay, check_cold_stores, check_opening_hours, cold_amount
from logistics.check.validator import Violation, validate
from logistics.core.model import Order, Product
from logistics.core.plan import trip_times

__all__ = ["KINDS", "assert_tiers_valid", "validate_tiers"]

KINDS = {
    "format": "a frame or column the checker needs is missing",
    "unknown_order": "a village stop serves an order the tiered plan does not have",
    "duplicate": "an order served more than once, or listed more than once as unserved",
    "served_and_unserved": "an order served end to end and also listed as unserved",
    "missing": "an order neither served end to end nor listed as unserved",
    "no_reason": "an unserved order without a reason",
    "chain": "a transferred order lacks its trunk leg or its transfer record, or they disagree",
    "sync": "goods change vehicles at a station before they have arrived plus handling",
    "shelf_life": "goods take longer than their shelf life from the hub to the village or back",
    "manifest": "a trunk order carries less than the goods handed over through it",
    "time_window": "a village stop is served outside the original order's time windows",
    "transfers": "the transfers frame disagrees with the plans",
    "cold_store": "a station's cold store holds more chilled goods and produce at once than its capacity",
    "opening_hours": "a trunk stop or a van's route at a station outside the station's opening hours",
    "leg": "a leg's plan fails logistics.validate",
    "driving_time": "a trunk truck on duty longer than its max_driving_h across both waves without a rest",
}

TOL = 1e-6


def assert_tiers_valid(tp: Any, legs: bool = True) -> None:
    """Raise AssertionError listing every violation (no-op when the tiered plan is feasible).

    Parameters
    ----------
    tp
        A tiered plan.
    legs
        Also check every leg with [logistics.validate][].
    """
    vs = validate_tiers(tp, legs=legs)
    if vs:
        shown = "\n  ".join(str(v) for v in vs[:50])
        more = f"\n  ... and {len(vs) - 50} more" if len(vs) > 50 else ""
        raise AssertionError(f"tiered plan has {len(vs)} violation(s):\n  {shown}{more}")


def _shelf_s(order: Order, products: Mapping[str, Product]) -> float | None:
    hs = []
    for p, q in order.quantities.items():
        prod = products.get(p)
        if q > 0 and prod is not None and prod.shelf_life_h is not None:
            hs.append(float(prod.shelf_life_h))
    if order.shelf_life_h is not None:
        hs.append(float(order.shelf_life_h))
    return min(hs) * 3600.0 if hs else None


def _str(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return str(x)


class _Routes:
    """Per-vehicle route facts of one plan: departure, return, and each order's stop row."""

    def __init__(self, plan: Any) -> None:
        self.depart: dict[str, float] = {}
        self.back: dict[str, float] = {}
        self.start_node: dict[str, str] = {}
        self.end_node: dict[str, str] = {}
        self.stop: dict[str, list[dict[str, Any]]] = {}
        stops = plan.stops if plan is not None else pd.DataFrame()
        # each order's trip: when it left its depot and when it was back (a reload between two trips)
        self.trip: dict[str, tuple[float, float]] = trip_times(stops)
        if stops.empty:
            return
        for vid, g in stops.groupby("vehicle", sort=False):
            g = g.sort_values("seq")
            vid = str(vid)
            first, last = g[g["kind"] == "start"], g[g["kind"] == "end"]
            if len(first):
                self.depart[vid] = float(first["departure"].iloc[0])
                self.start_node[vid] = str(first["node_id"].iloc[0])
            if len(last):
                self.back[vid] = float(last["arrival"].iloc[0])
                self.end_node[vid] = str(last["node_id"].iloc[0])
            for rec in g[g["kind"].isin(["delivery", "pickup"])].to_dict(orient="records"):
                r = {str(k): v for k, v in rec.items()}
                r["vehicle"] = vid
                self.stop.setdefault(str(r["order_id"]), []).append(r)


def validate_tiers(tp: Any, *, legs: bool = True) -> list[Violation]:
    """Every broken tier rule of ``tp`` (see the module docstring); empty means feasible.

    Parameters
    ----------
    tp
        A [TieredPlan][logistics.planners.tiers.TieredPlan] (or anything with the same attributes).
    legs
        Also run [logistics.validate][] on every leg.

    Returns
    -------
    list of Violation
        In the order: village stops, transfer chains, trunk manifests, coverage, legs.
    """
    out: list[Violation] = []
    if not _format_ok(tp, out):
        return out
    check = _TierCheck(tp, out)
    check.village_stops()
    check.chains()
    check.manifests()
    check.coverage()
    check.stations()
    if legs and hasattr(tp, "legs"):
        for name, problem, plan in tp.legs():
            if problem is None or plan is None:
                continue
            for v in validate(problem, plan):
                check.add("leg", f"{name}: {v}", vehicle=v.vehicle, order_id=v.order_id)
            if name == "trunk":
                _truck_days(check.add, problem, plan)
    return out


def _truck_days(add: Callable[..., None], problem: Any, plan: Any) -> None:
    """The driving rule over each truck's day: its outbound route, the wait at the hub, its inbound route.

    Each wave is a vehicle of its own in the trunk leg (``<truck>/in#1`` for the inbound copy), so
    the leg's own check sees each alone; here the two are one driver's day.
    """
    rules = {f"{vid}": vt for vid, vt in problem.vehicles()}
    stops = plan.stops
    if stops.empty:
        return
    days: dict[str, list[list[dict[str, Any]]]] = {}
    for vid, g in stops.groupby("vehicle", sort=False):
        days.setdefault(str(vid).split("/in#", 1)[0], []).append(g.sort_values("seq").to_dict(orient="records"))
    for truck, routes in days.items():
        vt = rules.get(truck)
        if len(routes) < 2 or vt is None or vt.max_driving_h is None:
            continue
        routes.sort(key=lambda r: float(r[0]["departure"]))
        limit, rest = vt.max_driving_h * 3600.0, vt.min_rest_min * 60.0
        rests = [(float(r["start"]), float(r["service"])) for rt in routes for r in rt if r["kind"] == "break"]
        rests += [
            (float(a[-1]["arrival"]), float(b[0]["departure"]) - float(a[-1]["arrival"]))
            for a, b in zip(routes, routes[1:])
        ]
        t, end = float(routes[0][0]["departure"]), float(routes[-1][-1]["arrival"])
        for s, d in sorted(r for r in rests if r[1] >= rest - TOL) + [(end, 0.0)]:
            if s - t > limit + TOL:
                add(
                    "driving_time",
                    f"truck {truck}: {(s - t) / 3600:.2f} h on duty from {t:.0f} to {s:.0f} across the waves "
                    f"without a rest of {vt.min_rest_min:g} min (limit {vt.max_driving_h:g} h)",
                    vehicle=truck,
                )
            t = max(t, s + d)


def _format_ok(tp: Any, out: list[Violation]) -> bool:
    """Whether ``tp`` has the attributes and columns the checks read (a ``format`` violation if not)."""
    for attr in ("orders", "products", "hub", "handling_s", "trunk", "last_mile", "transfers", "unserved"):
        if not hasattr(tp, attr):
            out.append(Violation("format", f"the tiered plan has no {attr!r}"))
            return False
    need = ["order_id", "station", "trunk_order", "trunk_vehicle", "last_mile_vehicle", "direction"]
    miss = [c for c in need if c not in tp.transfers.columns]
    if miss:
        out.append(Violation("format", f"transfers lacks column(s) {', '.join(miss)}"))
        return False
    if len(tp.unserved) and not {"order_id", "reason"} <= set(tp.unserved.columns):
        out.append(Violation("format", "unserved needs order_id and reason columns"))
        return False
    return True


class _TierCheck:
    """The checks of one tiered plan, sharing what they read; violations appended to ``out``."""

    def __init__(self, tp: Any, out: list[Violation]) -> None:
        self.tp = tp
        self.out = out
        self.orders: dict[str, Order] = {o.id: o for o in tp.orders}
        self.products: dict[str, Product] = dict(tp.products)
        self.hub = str(tp.hub)
        self.handling = float(tp.handling_s)
        self.trunk = _Routes(tp.trunk)
        self.village = {str(d): _Routes(p) for d, p in tp.last_mile.items()}
        self.max_late = 2 * 3600.0
        self.problems: Mapping[str, Any] = getattr(tp, "problems", {}) or {}
        for p in self.problems.values():
            c = getattr(p, "costs", None)
            if c is not None:
                self.max_late = float(getattr(c, "max_lateness_h", 2.0)) * 3600.0
                break
        self.at: dict[str, tuple[str, dict[str, Any]]] = {}  # order id -> (depot, village stop row)
        self.tr_rows: dict[str, dict[str, Any]] = {}  # order id -> transfer record
        self.handed: dict[str, dict[str, float]] = {}  # trunk order -> goods handed over through it
        self.complete: set[str] = set()  # orders served end to end
        self.stays: list[Stay] = []  # goods held in station cold stores

    def add(self, kind: str, msg: str, vehicle: str | None = None, order_id: str | None = None) -> None:
        self.out.append(Violation(kind, msg, vehicle, order_id))

    # -- where each order is served on a village leg ---------------------------------------
    def village_stops(self) -> None:
        orders = self.orders
        for d, routes in self.village.items():
            for oid, rows in routes.stop.items():
                if oid not in orders:
                    self.add("unknown_order", f"depot {d} serves unknown order {oid!r}", order_id=oid)
                    continue
                for r in rows:
                    if oid in self.at:
                        first = self.at[oid]
                        self.add(
                            "duplicate",
                            f"served on {first[0]} ({first[1]['vehicle']}) and again on {d} ({r['vehicle']})",
                            vehicle=r["vehicle"],
                            order_id=oid,
                        )
                        continue
                    self.at[oid] = (d, r)
                    if str(r["kind"]) != orders[oid].kind:
                        self.add(
                            "chain", f"served as a {r['kind']} but the order is a {orders[oid].kind}", order_id=oid
                        )
                    if str(r["node_id"]) != orders[oid].node_id:
                        self.add(
                            "chain",
                            f"served at {r['node_id']!r}, the order is at {orders[oid].node_id!r}",
                            order_id=oid,
                        )

    # -- transfers -> trunk leg -----------------------------------------------------------------
    def chains(self) -> None:
        for r in self.tp.transfers.to_dict(orient="records"):
            oid = str(r["order_id"])
            if oid in self.tr_rows:
                self.add("duplicate", "more than one transfer record", order_id=oid)
                continue
            self.tr_rows[oid] = r
        for oid, o in self.orders.items():
            if oid not in self.at:
                if oid in self.tr_rows:
                    self.add("chain", "has a transfer record but no village stop", order_id=oid)
                continue
            self._chain(oid, o)

    def _chain(self, oid: str, o: Order) -> None:
        """One order served on a village leg: direct from the hub, or via its transfer and trunk order."""
        d, vr = self.at[oid]
        S = _shelf_s(o, self.products)
        _window(self.add, o, float(vr["start"]), self.max_late)
        lm_vid = vr["vehicle"]
        leg = self.village[d]
        lm_dep, lm_back = leg.depart.get(lm_vid), leg.back.get(lm_vid)
        if oid in leg.trip:  # the order's own trip (a van of several trips loads and unloads at each reload)
            lm_dep, lm_back = leg.trip[oid]
        if d == self.hub:
            self._direct(oid, o, vr, S, lm_dep, lm_back)
            return
        t = self.tr_rows.get(oid)
        if t is None:
            return  # collected or delivered without a trunk leg: must be unserved (checked below)
        if str(t["station"]) != d:
            self.add(
                "chain", f"transfer at station {t['station']!r} but the village stop is on depot {d!r}", order_id=oid
            )
        if _str(t["last_mile_vehicle"]) != lm_vid:
            self.add(
                "transfers", f"last_mile_vehicle {t['last_mile_vehicle']!r}, the stop is on {lm_vid!r}", order_id=oid
            )
        if self.village[d].start_node.get(lm_vid) != d or self.village[d].end_node.get(lm_vid) != d:
            self.add("chain", f"last-mile vehicle {lm_vid} is not based at station {d}", vehicle=lm_vid, order_id=oid)
        cid = _str(t["trunk_order"])
        trows = self.trunk.stop.get(cid or "", [])
        if len(trows) != 1:
            self.add("chain", f"trunk order {cid!r} is served {len(trows)} times on the trunk", order_id=oid)
            return
        tr = trows[0]
        want = "delivery" if o.kind == "delivery" else "pickup"
        if str(tr["kind"]) != want:
            self.add("chain", f"trunk order {cid!r} is a {tr['kind']}, expected a {want}", order_id=oid)
            return
        if str(tr["node_id"]) != d:
            self.add("chain", f"trunk order {cid!r} is served at {tr['node_id']!r}, not at station {d!r}", order_id=oid)
            return
        t_vid = tr["vehicle"]
        if _str(t["trunk_vehicle"]) != t_vid:
            self.add(
                "transfers", f"trunk_vehicle {t['trunk_vehicle']!r}, the trunk order rides {t_vid!r}", order_id=oid
            )
        q = self.handed.setdefault(str(cid), {})
        for p, x in o.quantities.items():
            q[p] = q.get(p, 0.0) + float(x)
        t_dep, t_back = self.trunk.depart.get(t_vid), self.trunk.back.get(t_vid)
        if lm_dep is None or lm_back is None or t_dep is None or t_back is None:
            self.add("chain", "a route of the chain has no start or end row", order_id=oid)
            return
        self._sync(oid, o, d, vr, t, tr, S, (lm_vid, lm_dep, lm_back), (t_vid, t_dep, t_back))
        self.complete.add(oid)

    def _direct(
        self, oid: str, o: Order, vr: dict[str, Any], S: float | None, lm_dep: float | None, lm_back: float | None
    ) -> None:
        if oid in self.tr_rows:
            self.add("chain", "served directly from the hub but has a transfer record", order_id=oid)
        if S is not None and lm_dep is not None and lm_back is not None:
            took = float(vr["start"]) - lm_dep if o.kind == "delivery" else lm_back - float(vr["start"])
            if took > S + TOL:
                self.add(
                    "shelf_life",
                    f"direct {o.kind}: {took / 3600:.2f} h on board, shelf life {S / 3600:.2f} h",
                    vehicle=vr["vehicle"],
                    order_id=oid,
                )
        self.complete.add(oid)

    def _sync(
        self,
        oid: str,
        o: Order,
        d: str,
        vr: dict[str, Any],
        t: dict[str, Any],
        tr: dict[str, Any],
        S: float | None,
        van: tuple[str, float, float],
        truck: tuple[str, float, float],
    ) -> None:
        """Handling between the two vehicles, end-to-end shelf life, and the transfer record's times."""
        lm_vid, lm_dep, lm_back = van
        t_vid, t_dep, t_back = truck
        handling = self.handling
        claims: dict[str, Any]
        if o.kind == "delivery":
            ready = float(tr["departure"]) + handling
            if lm_dep < ready - TOL:
                self.add(
                    "sync",
                    f"van {lm_vid} leaves {d} at {lm_dep:.0f}, before the goods are ready at {ready:.0f} "
                    f"(trunk {t_vid} unloaded at {float(tr['departure']):.0f} + handling {handling:.0f})",
                    vehicle=lm_vid,
                    order_id=oid,
                )
            took = float(vr["start"]) - t_dep
            wait = lm_dep - float(tr["arrival"])
            self.stays.append((d, float(tr["start"]), lm_dep, cold_amount(o, self.products), oid))
            claims = {
                "trunk_arrival": tr["arrival"],
                "trunk_departure": tr["departure"],
                "last_mile_departure": lm_dep,
                "wait_at_station": wait,
            }
        else:
            ready = lm_back + handling
            if float(tr["start"]) < ready - TOL:
                self.add(
                    "sync",
                    f"trunk {t_vid} picks up at {d} at {float(tr['start']):.0f}, before the produce is "
                    f"ready at {ready:.0f} (van {lm_vid} back at {lm_back:.0f} + handling {handling:.0f})",
                    vehicle=t_vid,
                    order_id=oid,
                )
            took = t_back - float(vr["start"])
            wait = float(tr["start"]) - lm_back
            self.stays.append((d, lm_back, float(tr["departure"]), cold_amount(o, self.products), oid))
            claims = {
                "trunk_arrival": tr["arrival"],
                "trunk_departure": tr["departure"],
                "last_mile_arrival": lm_back,
                "wait_at_station": wait,
            }
        if S is not None and took > S + TOL:
            way = "hub to village" if o.kind == "delivery" else "village to hub"
            self.add(
                "shelf_life",
                f"{o.kind} takes {took / 3600:.2f} h from {way}, shelf life {S / 3600:.2f} h",
                order_id=oid,
            )
        for col, val in claims.items():
            if col in t and t[col] is not None and not (isinstance(t[col], float) and math.isnan(t[col])):
                if abs(float(t[col]) - float(val)) > TOL:
                    self.add("transfers", f"{col} {float(t[col]):.0f}, the plans say {float(val):.0f}", order_id=oid)

    # -- trunk loads cover the goods handed over ------------------------------------------------
    def manifests(self) -> None:
        tprob = self.problems.get("trunk")
        trunk_orders: dict[str, Order] = {o.id: o for o in tprob.orders} if tprob is not None else {}
        for cid, q in self.handed.items():
            chunk = trunk_orders.get(cid)
            if chunk is None:
                if tprob is not None:
                    self.add("manifest", f"trunk order {cid!r} is not in the trunk problem")
                continue
            for p, x in q.items():
                have = float(chunk.quantities.get(p, 0.0))
                if x > have + 1e-6 * max(1.0, abs(x)):
                    self.add("manifest", f"trunk order {cid!r} carries {have:g} {p}, {x:g} handed over through it")

    # -- station limits -------------------------------------------------------------------------
    def stations(self) -> None:
        meta = getattr(self.tp, "meta", None) or {}
        capacity = meta.get("cold_store_capacity") or {}
        hours = meta.get("opening_hours") or {}
        if capacity:
            check_cold_stores(self.add, {str(k): float(v) for k, v in capacity.items()}, self.stays)
        if hours:
            stations = {d: r for d, r in self.village.items() if d != self.hub}
            check_opening_hours(self.add, hours, getattr(self.tp.trunk, "stops", None), stations)

    # -- coverage -------------------------------------------------------------------------------
    def coverage(self) -> None:
        listed: dict[str, Any] = {}
        for r in self.tp.unserved.to_dict(orient="records"):
            oid = str(r["order_id"])
            if oid in listed:
                self.add("duplicate", "listed more than once as unserved", order_id=oid)
            if oid not in self.orders:
                self.add("unknown_order", "unserved order not in the plan's orders", order_id=oid)
            reason = r.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                self.add("no_reason", "unserved without a reason", order_id=oid)
            listed[oid] = reason
        for oid in self.orders:
            if oid in self.complete and oid in listed:
                self.add("served_and_unserved", "served end to end and listed as unserved", order_id=oid)
            elif oid not in self.complete and oid not in listed:
                what = "has a village stop but no trunk leg" if oid in self.at else "is neither served nor unserved"
                self.add("missing", f"order {what}", order_id=oid)


def _window(add: Callable[..., None], o: Order, start: float, max_late: float) -> None:
    opened = [(a, b) for a, b in o.time_windows if a <= start + TOL]
    if not opened:
        add("time_window", f"served at {start:.0f}, before its window opens", order_id=o.id)
        return
    a, b = opened[-1]
    late = start - b
    if late > TOL and (not o.soft or late > max_late + TOL):
        add("time_window", f"served at {start:.0f}, after its window closes at {b}", order_id=o.id)
