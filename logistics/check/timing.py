"""Plan validator, per route: distances, travel times, timing, time windows, shift, shelf life and time
out of refrigeration."""

from __future__ import annotations

from typing import Any

from logistics.check.breaks import after_breaks
from logistics.check.common import TIME_TOL, Report, close, fmt, num
from logistics.core.events import RETURNED_GOODS
from logistics.core.model import Order, VehicleType
from logistics.core.units import Zone

__all__ = ["TimingChecks"]

_COLDEST_FIRST = list(Zone)


class TimingChecks(Report):
    """Checks of one route's times against the matrix, the orders' windows and the vehicle's shift.

    Parameters
    ----------
    problem
        The problem the plan claims to solve.
    plan
        The plan (only ``stops`` and ``unserved`` are read).
    """

    def _travel_and_time(
        self, vid: str, vt: VehicleType, recs: list[dict[str, Any]], idx: list[int], stop_orders: list[Order | None]
    ) -> None:
        m = self.m
        if m is None:  # the caller has reported it
            return
        total_dist = total_drive = 0
        end_arrival = None
        leave = num(recs[0]["departure"])
        first = recs[0]
        a0, s0, d0 = num(first["arrival"]), num(first["start"]), num(first["departure"])
        if a0 is None or s0 is None or d0 is None or not (abs(a0 - s0) <= TIME_TOL and abs(s0 - d0) <= TIME_TOL):
            self.add(
                "timing",
                f"start row must have arrival = start = departure, got {fmt(a0)}/{fmt(s0)}/{fmt(d0)}",
                vehicle=vid,
            )
        if leave is None:
            self.add("timing", "the start row has no departure time", vehicle=vid)
            return
        if leave < vt.shift[0] - TIME_TOL:
            self.add(
                "shift", f"leaves the depot at {fmt(leave)}, before the shift starts at {vt.shift[0]}", vehicle=vid
            )
        prev_dep = leave
        trip_start = [leave] * len(recs)  # when the trip of each stop left its depot (shelf life counts from it)
        reload_arrivals: list[tuple[int, float]] = []  # (row, arrival) of every reload: a trip's pickups ride to it
        for i in range(1, len(recs)):
            r = recs[i]
            o = stop_orders[i]
            oid = o.id if o is not None else None
            d = int(m.distance[idx[i - 1], idx[i]])
            t = int(round(float(m.duration[idx[i - 1], idx[i]]) * vt.speed_factor))
            total_dist += d
            total_drive += t
            rd = num(r.get("travel_distance"))
            if "travel_distance" in r and not close(rd, d):
                self.add(
                    "distance", f"travel_distance {fmt(rd)} to seq {i}, matrix says {d}", vehicle=vid, order_id=oid
                )
            rt = num(r.get("travel_duration"))
            if "travel_duration" in r and not close(rt, t):
                self.add(
                    "travel_time",
                    f"travel_duration {fmt(rt)} to seq {i}, matrix x speed factor {vt.speed_factor:g} says {t}",
                    vehicle=vid,
                    order_id=oid,
                )
            arr, st, dep = num(r["arrival"]), num(r["start"]), num(r["departure"])
            exp_arr = after_breaks(prev_dep + t, r.get("_leg_breaks", []))  # breaks on the leg (see check.breaks)
            if not close(arr, exp_arr):
                self.add(
                    "timing",
                    f"arrival {fmt(arr)} at seq {i}, expected {fmt(exp_arr)} (previous departure "
                    f"{fmt(prev_dep)} + travel {t}, breaks on the way {r.get('_leg_breaks', [])})",
                    vehicle=vid,
                    order_id=oid,
                )
            if arr is None:
                arr = exp_arr
            if recs[i]["kind"] == "end":
                if arr > vt.shift[1] + TIME_TOL:
                    self.add(
                        "shift",
                        f"returns to the depot at {fmt(arr)}, after the shift ends at {vt.shift[1]}",
                        vehicle=vid,
                    )
                if vt.max_duration is not None and arr - leave > vt.max_duration + TIME_TOL:
                    self.add("max_duration", f"route lasts {fmt(arr - leave)} s, limit {vt.max_duration}", vehicle=vid)
                end_arrival = arr
                break
            if recs[i]["kind"] == "reload":
                prev_dep = self._reload_timing(vid, vt, arr, st, dep)
                reload_arrivals.append((i, arr))
                trip_start[i:] = [prev_dep] * (len(recs) - i)  # the next trip leaves when the reload ends
                continue
            if o is None:  # every order stop resolved to an order before timing starts
                continue
            if st is None:
                self.add("timing", f"stop seq {i} has no service start", vehicle=vid, order_id=oid)
                st = arr
            if st < arr - TIME_TOL:
                self.add(
                    "timing", f"service starts at {fmt(st)}, before arrival at {fmt(arr)}", vehicle=vid, order_id=oid
                )
            svc = o.service
            rs = num(r.get("service"))
            if "service" in r and not close(rs, svc):
                self.add("timing", f"service {fmt(rs)} s, the order needs {svc} s", vehicle=vid, order_id=oid)
            if not close(dep, st + svc):
                self.add(
                    "timing",
                    f"departure {fmt(dep)}, expected start {fmt(st)} + service {svc}",
                    vehicle=vid,
                    order_id=oid,
                )
            rw = num(r.get("wait"))
            if "wait" in r and not close(rw, st - arr):
                self.add(
                    "timing", f"wait {fmt(rw)}, expected start - arrival = {fmt(st - arr)}", vehicle=vid, order_id=oid
                )
            self._window(vid, o, exp_arr, st, r)
            prev_dep = dep if dep is not None else st + svc
        if vt.max_distance is not None and total_dist > vt.max_distance:
            self.add("max_distance", f"route is {total_dist} long, limit {vt.max_distance}", vehicle=vid)
        if vt.max_travel_time is not None and total_drive > vt.max_travel_time:
            self.add("max_travel_time", f"route drives {total_drive} s, limit {vt.max_travel_time}", vehicle=vid)
        tasks = sum(1 for o in stop_orders if o is not None)
        if vt.max_tasks is not None and tasks > vt.max_tasks:
            self.add("max_tasks", f"route serves {tasks} orders, limit {vt.max_tasks}", vehicle=vid)
        trip_end: list[float | None] = [end_arrival] * len(recs)  # when the trip of each stop is back at a depot
        for i, arr in reversed(reload_arrivals):
            trip_end[:i] = [arr] * i
        self._shelf(vid, vt, trip_start, stop_orders, trip_end)

    def _reload_timing(self, vid: str, vt: VehicleType, arr: float, st: float | None, dep: float | None) -> float:
        """A reload starts after the arrival and lasts at least ``reload_min``; the departure from it."""
        need = vt.reload_min * 60
        if st is None or st < arr - TIME_TOL:
            self.add("timing", f"reload starts at {fmt(st)}, before arrival at {fmt(arr)}", vehicle=vid)
            st = arr
        if dep is None or dep < st + need - TIME_TOL:
            self.add("timing", f"reload from {fmt(st)} to {fmt(dep)}, shorter than {vt.reload_min:g} min", vehicle=vid)
            dep = st + need
        return dep

    def _window(self, vid: str, o: Order, arr: float, st: float, r: dict[str, Any]) -> None:
        opened = [(a, b) for a, b in o.time_windows if a <= st + TIME_TOL]
        wins = ", ".join(f"[{a}, {b}]" for a, b in o.time_windows)
        late = early = 0.0
        if not opened:
            self.add(
                "time_window",
                f"service starts at {fmt(st)}, before its window opens ({wins})",
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
                        f"service starts at {fmt(st)}, outside its window(s) {wins}",
                        vehicle=vid,
                        order_id=o.id,
                    )
                elif late > self.max_late_s + TIME_TOL:
                    self.add(
                        "time_window",
                        f"service starts {fmt(late)} s after its soft window ends "
                        f"({wins}); at most {self.max_late_s} s allowed",
                        vehicle=vid,
                        order_id=o.id,
                    )
        if "late" in r:
            rl = num(r.get("late"))
            exp = late if o.soft else 0.0
            if not close(rl, exp):
                self.add("lateness", f"late {fmt(rl)}, expected {fmt(exp)}", vehicle=vid, order_id=o.id)
        if "early" in r:
            re_ = num(r.get("early"))
            if not close(re_, early):
                self.add(
                    "lateness",
                    f"early {fmt(re_)}, expected {fmt(early)} (arrival before the soft window "
                    "in which service starts; 0 for hard windows)",
                    vehicle=vid,
                    order_id=o.id,
                )

    def _out_of_refrigeration(self, vt: VehicleType, orders: list[Order]) -> tuple[float, str] | None:
        """The strictest limit (s) on goods of ``orders`` that ride a compartment of ``vt`` warmer than their
        zone, and what rides where; None when none of them does (or has no such limit)."""
        worst: tuple[float, str] | None = None
        for o in orders:
            for name, q in o.quantities.items():
                prod = self.p.products.get(name)
                if prod is None or q <= 0 or prod.ambient_limit_h is None:
                    continue
                k = vt.compartment_for(prod)  # the plan contract's rule (see the module docstring of validator)
                if k is None:
                    continue  # reported as a zone violation
                comp = vt.compartments[k]
                if _COLDEST_FIRST.index(comp.zone) <= _COLDEST_FIRST.index(prod.zone):
                    continue
                limit = prod.ambient_limit_h * 3600.0
                if worst is None or limit < worst[0]:
                    where = f"{name} ({prod.zone.value}) in compartment {comp.name!r} ({comp.zone.value})"
                    worst = (limit, where)
        return worst

    def _shelf(
        self,
        vid: str,
        vt: VehicleType,
        trip_start: list[float],
        stop_orders: list[Order | None],
        trip_end: list[float | None],
    ) -> None:
        p = self.p
        returned = set(p.meta.get(RETURNED_GOODS, ())) if p.meta else set()
        for k, o in enumerate(stop_orders):
            if o is None or o.id not in self.served_at or o.id in returned:
                continue  # returned goods (a re-planned day's given-up pair) are written off, not delivered
            mate_id = self.partner.get(o.id)
            mate = self.orders.get(mate_id) if mate_id is not None else None
            if mate is not None and o.kind == "pickup":
                continue  # paired pickups are checked at their delivery
            life = p.shelf_life_s(o)
            if mate is not None:  # a pair's goods obey the stricter shelf life of its two orders
                lives = [x for x in (life, p.shelf_life_s(mate)) if x is not None]
                life = min(lives) if lives else None
            warm = self._out_of_refrigeration(vt, [o] if mate is None else [o, mate])
            if life is None and warm is None:
                continue
            st = self.served_at[o.id][2]
            if st is None:
                continue
            if o.kind == "delivery":
                if mate is None:
                    since, what = trip_start[k], "leaving the depot"
                else:
                    at = self.served_at.get(mate.id)
                    if at is None or at[0] != vid or at[2] is None:
                        continue  # pairing problems are reported by _pairs
                    since, what = at[2], f"pickup {mate.id}"
                age = st - since
            else:
                back = trip_end[k]
                if back is None:
                    continue
                age = back - st
                what = "pickup to the end depot" if back == trip_end[-1] else "pickup to the reload that ends its trip"
            if life is not None and age > life + TIME_TOL:
                self.add(
                    "shelf_life", f"{fmt(age)} s on board ({what}), shelf life {life} s", vehicle=vid, order_id=o.id
                )
            if warm is not None and age > warm[0] + TIME_TOL:
                self.add(
                    "out_of_refrigeration",
                    f"{fmt(age)} s on board ({what}) with {warm[1]}, warmer than the goods need: "
                    f"at most {fmt(warm[0])} s out of refrigeration",
                    vehicle=vid,
                    order_id=o.id,
                )
