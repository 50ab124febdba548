"""Station limits: the cold store's capacity over the day and the opening hours.

A station's cold store holds goods of a refrigerated zone between two vehicles: deliveries from
the moment the trunk unloads them until their van leaves, produce from the moment its van is back
until the truck that takes it up leaves.  Ambient goods (parcels) wait outside it.  The planner
keeps both limits by construction, never by repairing a plan:

* **down** — every chunk for a station is unloaded before any of its vans leaves (the vans wait
  for the *release*), so the cold store's peak is the sum of the refrigerated deliveries through
  it: `fit_deliveries` keeps orders first-fit, by village, up to the capacity; the rest is not
  loaded on the trunk, with the reason;
* **up** — before the inbound trunk is planned, each produce order's stay is bounded by its van's
  return and the latest moment its trunk pickup may leave (the pickup window `trunk_in` will
  give it, closed by the station's closing time); `fit_produce` adds the produce in the order the
  vans come back to the profile of the deliveries still waiting (from the planned routes) and
  leaves out what would overfill it, with the reason;
* **hours** — station vans' shifts are cut to the opening hours (their end ``handling_s`` before
  closing when the station takes produce in, so that produce is put away before it closes), and
  trunk stops' windows at a station are cut to them (`open_window`).

Quantities are in the products' unit; times in seconds from midnight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from logistics.core.model import Order, VehicleType
from logistics.core.plan import Plan, trip_times
from logistics.core.units import Zone, fmt_clock
from logistics.planners.tiers.context import TierContext
from logistics.planners.tiers.operations import stop_rows

__all__ = ["cold_qty", "fit_deliveries", "fit_produce", "open_window", "peak", "station_fleet"]


def cold_qty(ctx: TierContext, order: Order) -> float:
    """What an order puts into a cold store: its quantities of refrigerated (not ambient) products.

    Parameters
    ----------
    ctx
        The planner's context (products).
    order
        A village-level order.

    Returns
    -------
    float
        The quantity, in the products' unit.
    """
    return float(sum(x for p, x in order.quantities.items() if ctx.products[p].zone != Zone.AMBIENT))


def peak(stays: Iterable[tuple[float, float, float]]) -> float:
    """The largest amount held at once by stays ``(from, until, quantity)``, each held on ``[from, until)``.

    Parameters
    ----------
    stays
        Intervals with the quantity held during them.

    Returns
    -------
    float
        The peak (0 for none); at equal times goods leave before others come in.
    """
    events = []
    for a, b, q in stays:
        if b > a and q > 0:
            events.append((a, 1, q))
            events.append((b, 0, -q))
    level, top = 0.0, 0.0
    for _, _, dq in sorted(events):
        level += dq
        top = max(top, level)
    return top


def fit_deliveries(ctx: TierContext, station: str, orders: list[Order]) -> tuple[list[Order], dict[str, str]]:
    """Deliveries through ``station`` that fit its cold store together, first-fit in the given order.

    Parameters
    ----------
    ctx
        The planner's context (capacities, products).
    station
        The station the trunk brings them to.
    orders
        The station's deliveries, in a fixed order (by village).

    Returns
    -------
    tuple
        The orders kept, and order id → why the trunk does not take it (``trunk:`` reasons).
    """
    cap = ctx.capacity.get(station)
    if cap is None:
        return orders, {}
    kept, excluded, held = [], {}, 0.0
    for o in orders:
        q = cold_qty(ctx, o)
        if held + q <= cap + 1e-9:
            held += q
            kept.append(o)
        else:
            excluded[o.id] = (
                f"trunk: the cold store of station {station} holds {cap:g}; {held:g} of refrigerated goods already "
                f"wait there for the vans and this order brings {q:g} more"
            )
    return kept, excluded


def open_window(ctx: TierContext, station: str, a: int, b: int) -> tuple[int, int] | None:
    """The window ``[a, b]`` of a trunk stop at ``station`` cut to its opening hours (``None``: nothing left).

    Parameters
    ----------
    ctx
        The planner's context (opening hours).
    station
        The station.
    a, b
        The window before the cut, seconds from midnight.

    Returns
    -------
    tuple of int or None
        The cut window.
    """
    hours = ctx.hours.get(station)
    if hours is not None:
        a, b = max(a, hours[0]), min(b, hours[1])
    return (a, b) if a <= b else None


def station_fleet(ctx: TierContext, depot: str, fleet: list[VehicleType], takes_produce: bool) -> list[VehicleType]:
    """A station's van types with shifts cut to its opening hours (a type with no time left gets no vehicle).

    Parameters
    ----------
    ctx
        The planner's context (opening hours, handling).
    depot
        Station id (the hub has no opening hours).
    fleet
        The depot's van types.
    takes_produce
        Whether the vans bring produce back: then they are back ``handling_s`` before closing.

    Returns
    -------
    list of VehicleType
        The types, cut.
    """
    hours = ctx.hours.get(depot)
    if hours is None:
        return fleet
    close = hours[1] - (ctx.handling if takes_produce else 0)
    out = []
    for vt in fleet:
        a, b = max(vt.shift[0], hours[0]), min(vt.shift[1], close)
        out.append(replace(vt, shift=(a, b)) if a <= b else replace(vt, count=0, shift=(vt.shift[0], vt.shift[0])))
    return out


def _waiting_deliveries(ctx: TierContext, plan: Plan, arrival: Mapping[str, int]) -> list[tuple[float, float, float]]:
    """Stays of a station's deliveries: from the trunk's arrival with their chunk to their van's departure."""
    st = plan.stops
    trips = trip_times(st)  # a van of several trips loads each trip's goods at its reload
    stays = []
    for oid in st.loc[st["kind"] == "delivery", "order_id"]:
        a = arrival.get(str(oid))
        if a is not None:
            stays.append((float(a), trips[str(oid)][0], cold_qty(ctx, ctx.by_id[str(oid)])))
    return stays


def _latest_pickup(ctx: TierContext, station: str, start: int, ready: int, order: Order) -> float:
    """The latest moment a truck may leave ``station`` with this produce (the pickup window `trunk_in` gives it)."""
    S = ctx.shelf[order.id]
    if S is None:
        end = max(ready, max(vt.shift[1] for vt in ctx.trunk_types))
    else:
        tau = ctx.trunk_dur(station, ctx.hub)
        end = ready + max(0, (start + S - ready - tau) // 2)
    hours = ctx.hours.get(station)
    if hours is not None:
        end = min(end, hours[1])
    return float(max(end, ready))


def fit_produce(ctx: TierContext, plans: Mapping[str, Plan | None], arrival: Mapping[str, int]) -> None:
    """Leave out produce the stations' cold stores cannot hold until the trunk takes it (``ctx.unserved``).

    Parameters
    ----------
    ctx
        The planner's context; produce left out is recorded in ``ctx.unserved`` (leg ``"station"``)
        and taken off the vans' routes with the stranded produce.
    plans
        Depot → its last-mile plan.
    arrival
        Delivery order id → when the trunk that brings it reaches its station.
    """
    for s, plan in sorted(plans.items()):
        cap = ctx.capacity.get(s)
        if cap is None or s == ctx.hub or plan is None:
            continue
        stays = _waiting_deliveries(ctx, plan, arrival)
        st = plan.stops
        trips = trip_times(st)  # produce comes off at the end of its trip (a reload, or the route's end)
        rows = st[st["kind"] == "pickup"]
        todo = sorted(
            (int(trips[str(r.order_id)][1]), str(r.order_id), int(r.start))
            for r in stop_rows(rows)
            if r.order_id is not None
        )
        for t_back, oid, start in todo:
            if oid in ctx.unserved:
                continue
            o = ctx.by_id[oid]
            stay = (float(t_back), _latest_pickup(ctx, s, start, t_back + ctx.handling, o), cold_qty(ctx, o))
            if peak(stays + [stay]) <= cap + 1e-9:
                stays.append(stay)
                continue
            ctx.unserved[oid] = (
                "station",
                f"the cold store of station {s} (holds {cap:g}) is full when the van comes back at "
                f"{fmt_clock(t_back)}: no room for {stay[2]:g} of produce until the trunk takes it",
            )
