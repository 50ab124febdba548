"""The station rules of the tier validator: cold-store capacity over the day and opening hours.

Read from what a tiered plan publishes: ``meta["cold_store_capacity"]`` (station → capacity in
the products' unit) and ``meta["opening_hours"]`` (station → ``(open, close)`` seconds from
midnight), the products' zones, and the stays the chain check re-derives from the plans' stop
rows.  Shares no code with the planner.

* **cold store** — goods of a refrigerated zone occupy the station's cold store on ``[from,
  until)``: a delivery from the start of the trunk stop that unloads it until its van leaves,
  produce from its van's return until the trunk stop that takes it up is over.  At no moment may
  the sum exceed the capacity.
* **opening hours** — trunk stops at a station start no earlier than it opens and are over by
  the time it closes; vans based at a station leave no earlier than it opens and are back by
  the time it closes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from logistics.core.model import Order, Product
from logistics.core.units import Zone, fmt_clock

__all__ = ["Stay", "check_cold_stores", "check_opening_hours", "cold_amount"]

#: (station, from, until, quantity, order id): goods held in a station's cold store on [from, until).
Stay = tuple[str, float, float, float, str]

TOL = 1e-6


def cold_amount(order: Order, products: Mapping[str, Product]) -> float:
    """What ``order`` puts into a cold store: its quantities of products of a refrigerated zone.

    Parameters
    ----------
    order
        A village-level order.
    products
        Product name → product (an unknown product counts as refrigerated).

    Returns
    -------
    float
        The quantity, in the products' unit.
    """
    total = 0.0
    for p, x in order.quantities.items():
        prod = products.get(p)
        if prod is None or Zone(prod.zone) != Zone.AMBIENT:
            total += float(x)
    return total


def check_cold_stores(add: Callable[..., None], capacity: Mapping[str, float], stays: Iterable[Stay]) -> None:
    """A ``cold_store`` violation for every moment a station holds more than its capacity.

    Parameters
    ----------
    add
        Records a violation: ``add(kind, message, vehicle=None, order_id=None)``.
    capacity
        Station → capacity; stations not named have no limit.
    stays
        Goods held at stations (`Stay`).
    """
    events: dict[str, list[tuple[float, int, float, str]]] = {}
    for st, a, b, q, oid in stays:
        if st in capacity and q > 0 and b > a:
            events.setdefault(st, []).append((a, 1, q, oid))
            events.setdefault(st, []).append((b, 0, -q, oid))
    for st, ev in sorted(events.items()):
        cap = float(capacity[st])
        level = 0.0
        over = False
        for t, _, dq, oid in sorted(ev):
            level += dq
            if level > cap + TOL * max(1.0, cap) and not over:
                add(
                    "cold_store",
                    f"station {st} holds {level:g} at {fmt_clock(int(t))}, its cold store {cap:g}",
                    order_id=oid,
                )
            over = level > cap + TOL * max(1.0, cap)


def check_opening_hours(
    add: Callable[..., None], hours: Mapping[str, Any], trunk_stops: Any, station_routes: Mapping[str, Any]
) -> None:
    """An ``opening_hours`` violation for every trunk stop or van route outside its station's hours.

    Parameters
    ----------
    add
        Records a violation: ``add(kind, message, vehicle=None, order_id=None)``.
    hours
        Station → ``(open, close)`` in seconds from midnight; stations not named are always open.
    trunk_stops
        The trunk plan's stops frame (``node_id``, ``kind``, ``start``, ``departure``, ``vehicle``).
    station_routes
        Station → object with ``depart`` and ``back``: vehicle id → seconds.
    """
    spans = {str(k): (float(v[0]), float(v[1])) for k, v in hours.items()}
    if trunk_stops is not None and len(trunk_stops):
        rows = trunk_stops[trunk_stops["kind"].isin(["delivery", "pickup"])]
        for r in rows.to_dict(orient="records"):
            span = spans.get(str(r["node_id"]))
            if span is None:
                continue
            if float(r["start"]) < span[0] - TOL or float(r["departure"]) > span[1] + TOL:
                add(
                    "opening_hours",
                    f"trunk stop at {r['node_id']} from {fmt_clock(int(r['start']))} to "
                    f"{fmt_clock(int(r['departure']))}, the station is open {fmt_clock(int(span[0]))}-"
                    f"{fmt_clock(int(span[1]))}",
                    vehicle=str(r["vehicle"]),
                    order_id=str(r["order_id"]),
                )
    for st, routes in sorted(station_routes.items()):
        span = spans.get(str(st))
        if span is None:
            continue
        for vid, dep in routes.depart.items():
            back = routes.back.get(vid, dep)
            if dep < span[0] - TOL or back > span[1] + TOL:
                add(
                    "opening_hours",
                    f"van leaves {st} at {fmt_clock(int(dep))} and is back at {fmt_clock(int(back))}, the station "
                    f"is open {fmt_clock(int(span[0]))}-{fmt_clock(int(span[1]))}",
                    vehicle=str(vid),
                )
