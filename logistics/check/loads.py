"""Plan validator, per route: compartment loads, capacities, zones and vehicle restrictions."""

from __future__ import annotations

from typing import Any

from logistics.check.common import Report, fmt, is_missing, num, qty_tol
from logistics.core.model import Order, VehicleType

__all__ = ["LoadChecks"]


class LoadChecks(Report):
    """Checks of one route's loads: what rides where, and whether it fits.

    Parameters
    ----------
    problem
        The problem the plan claims to solve.
    plan
        The plan (only ``stops`` and ``unserved`` are read).
    """

    def _compartment_cell(self, vid: str, vt: VehicleType, o: Order, q: list[float], r: dict[str, Any]) -> None:
        """The stop's ``compartment`` cell, when the plan has one, names the compartments the goods ride."""
        cell = r.get("compartment")
        if cell is None or is_missing(cell):
            return
        reported = {part.split(" (")[0].strip() for part in str(cell).split(",") if part.strip()}
        rode = {str(c.name) for c, x in zip(vt.compartments, q) if x > 0}
        if reported != rode:
            self.add(
                "load",
                f"reported compartment {cell!r}, the goods ride {', '.join(sorted(rode)) or 'none'}",
                vehicle=vid,
                order_id=o.id,
            )

    def _carried(self, vid: str, vt: VehicleType, o: Order) -> list[float] | None:
        """The order's load per compartment of ``vt``; None (reported) when it may not ride ``vt``."""
        p = self.p
        if o.vehicle_types is not None and vt.name not in o.vehicle_types:
            self.add(
                "not_allowed",
                f"{vt.name!r} is not among the order's vehicle types ({', '.join(o.vehicle_types)})",
                vehicle=vid,
                order_id=o.id,
            )
            return None
        if o.carrier is not None and vt.carrier is not None and o.carrier != vt.carrier:
            self.add(
                "not_allowed",
                f"carrier {o.carrier!r}'s order rides a vehicle of carrier {vt.carrier!r}",
                vehicle=vid,
                order_id=o.id,
            )
            return None
        q = p.compartment_loads(o, vt)
        if q is None:
            products = ", ".join(f"{n} ({p.products[n].zone.value})" for n, v in o.quantities.items() if v > 0)
            self.add("zone", f"{vt.name!r} has no compartment for {products}", vehicle=vid, order_id=o.id)
            return None
        return list(q)

    def _loads(self, vid: str, vt: VehicleType, recs: list[dict[str, Any]], stop_orders: list[Order | None]) -> None:
        K = len(vt.compartments)
        changes: list[list[float] | None] = []
        # per trip (a reload row starts the next): its unpaired deliveries, loaded at the depot
        trip_loads = [[0.0] * K]
        picked = [[0.0] * K]  # its unpaired pickups, unloaded at the next reload
        zone_ok = True
        for r_o, o in zip(recs, stop_orders):
            if str(r_o["kind"]) == "reload":
                trip_loads.append([0.0] * K)
                picked.append([0.0] * K)
            if o is None:
                changes.append(None)
                continue
            q = self._carried(vid, vt, o)
            if q is None:
                zone_ok = False
                changes.append(None)
                continue
            self._compartment_cell(vid, vt, o, q, r_o)
            if o.kind == "delivery":
                changes.append([-x for x in q])
                if o.id not in self.partner:
                    trip_loads[-1] = [a + b for a, b in zip(trip_loads[-1], q)]
            else:
                changes.append(list(q))
                if o.id not in self.partner:
                    picked[-1] = [a + b for a, b in zip(picked[-1], q)]
        if not zone_ok:
            return
        cols = [f"load_{c.name}" for c in vt.compartments]
        missing_cols = [c for c in cols if c not in recs[0]]
        if missing_cols:
            self.add("load", f"plan.stops lacks column(s) {', '.join(missing_cols)}", vehicle=vid)
        loads = trip_loads[0]
        trip = 0
        over_reported: set[int | str] = set()
        for i, r in enumerate(recs):
            kind = str(r["kind"])
            arriving = list(loads)
            if kind == "reload":  # the trip's pickups off, the next trip's deliveries on
                trip += 1
                loads = [a - b + c for a, b, c in zip(loads, picked[trip - 1], trip_loads[trip])]
            change = changes[i]
            if change is not None:
                loads = [a + b for a, b in zip(loads, change)]
            o_i = stop_orders[i]
            oid = o_i.id if o_i is not None else None
            where = {"start": "leaving the depot", "end": "at the end depot", "reload": "leaving a reload"}.get(
                kind, f"after {oid}"
            )
            for k, c in enumerate(vt.compartments):
                if loads[k] > c.capacity + 1e-9 * max(1.0, c.capacity) and k not in over_reported:
                    self.add(
                        "capacity",
                        f"compartment {c.name!r} holds {loads[k]:g} {where}, capacity {c.capacity:g}",
                        vehicle=vid,
                        order_id=oid,
                    )
                    over_reported.add(k)
                if loads[k] < -qty_tol(0.0):
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
                rl = num(r.get("load"))
                if rl is None or not any(abs(rl - sum(x)) <= qty_tol(sum(x)) for x in accept):
                    self.add(
                        "load",
                        f"reported load {fmt(rl)} {where}, recomputed {sum(loads):g}",
                        vehicle=vid,
                        order_id=oid,
                    )
            for k, col in enumerate(cols):
                if col not in r:
                    continue
                rl = num(r.get(col))
                if rl is None or not any(abs(rl - x[k]) <= qty_tol(x[k]) for x in accept):
                    self.add(
                        "load", f"reported {col} {fmt(rl)} {where}, recomputed {loads[k]:g}", vehicle=vid, order_id=oid
                    )
        own = set(cols)
        for col in recs[0]:
            if str(col).startswith("load_") and col not in own:
                vals = [num(r.get(col)) for r in recs]
                if any(v is not None and v != 0 for v in vals):
                    self.add(
                        "load", f"{col} is set, but {vt.name!r} has no such compartment (expected NaN)", vehicle=vid
                    )
