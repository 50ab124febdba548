"""The figures behind the views of a three-tier day: throughput per hub and station, hand-overs.

`node_throughput` and `handovers` are what ``map.html`` and ``timeline.png`` show (see
[logistics.app.tier_views][] and [logistics.app.tier_timeline][]), computed from the plan's
``transfers`` (and the direct leg for the hub).  Quantities are in the products' own units.
"""

from __future__ import annotations

import pandas as pd

from logistics.planners.tiers.result import TieredPlan
from networks import Network

__all__ = [
    "DIRECTION_COLORS",
    "TIERS",
    "TIER_COLORS",
    "handovers",
    "node_label",
    "node_throughput",
    "order_quantities",
    "physical_trucks",
    "plan_network",
]

#: The route tiers of a TieredPlan, in the order layers and timeline groups are drawn.
TIERS = ("trunk", "last_mile", "direct")
TIER_COLORS = {"trunk": "#7f2704", "last_mile": "#08519c", "direct": "#6a3d9a"}
DIRECTION_COLORS = {"down": "#d95f02", "up": "#1b9e77"}
THROUGHPUT_COLUMNS = ["node_id", "role", "orders_down", "goods_down", "orders_up", "produce_up", "handovers"]


def order_quantities(tp: TieredPlan) -> dict[str, float]:
    """Order id → its summed quantities (the products' own units).

    Parameters
    ----------
    tp
        A tiered plan.

    Returns
    -------
    dict
        One entry per order of the day.
    """
    return {o.id: float(sum(o.quantities.values())) for o in tp.orders}


def node_throughput(tp: TieredPlan) -> pd.DataFrame:
    """Goods and orders through the hub and each station, from the transfers (and the direct leg).

    A station's figures are its hand-overs: deliveries passed from trunk to van (down) and
    produce passed from van to trunk (up).  The hub's are everything that leaves it for the
    villages (through the stations or directly) and all produce that reaches it.

    Parameters
    ----------
    tp
        A tiered plan.

    Returns
    -------
    DataFrame
        Indexed by node id: ``role`` (hub, station), ``orders_down``, ``goods_down``,
        ``orders_up``, ``produce_up`` (the orders' summed quantities) and ``handovers``
        (distinct trunk → van pairs).
    """
    qty = order_quantities(tp)
    t = tp.transfers
    net = plan_network(tp)
    stations = [str(s) for s in net.stations.index] if net is not None else []
    stations += sorted({str(s) for s in t["station"]} - set(stations))
    rows = []
    pairs = handovers(tp)
    for s in stations:
        ts = t[t["station"].astype(str) == s]
        down, up = ts[ts["direction"] == "down"], ts[ts["direction"] == "up"]
        rows.append(
            {
                "node_id": s,
                "role": "station",
                "orders_down": len(down),
                "goods_down": round(sum(qty.get(str(o), 0.0) for o in down["order_id"]), 3),
                "orders_up": len(up),
                "produce_up": round(sum(qty.get(str(o), 0.0) for o in up["order_id"]), 3),
                "handovers": int((pairs["station"] == s).sum()),
            }
        )
    direct = tp.direct
    served = set(direct.served_ids) if direct is not None else set()
    kinds = {o.id: o.kind for o in tp.orders}
    d_down = [o for o in served if kinds.get(o) == "delivery"]
    d_up = [o for o in served if kinds.get(o) == "pickup"]
    all_down = t[t["direction"] == "down"]["order_id"].astype(str).tolist() + d_down
    all_up = t[t["direction"] == "up"]["order_id"].astype(str).tolist() + d_up
    rows.insert(
        0,
        {
            "node_id": str(tp.hub),
            "role": "hub",
            "orders_down": len(all_down),
            "goods_down": round(sum(qty.get(o, 0.0) for o in all_down), 3),
            "orders_up": len(all_up),
            "produce_up": round(sum(qty.get(o, 0.0) for o in all_up), 3),
            "handovers": 0,
        },
    )
    return pd.DataFrame(rows, columns=THROUGHPUT_COLUMNS).set_index("node_id")


def handovers(tp: TieredPlan) -> pd.DataFrame:
    """One row per hand-over: a trunk vehicle and a van exchanging goods at a station in one direction.

    Down, the trunk's arrival at the station is joined to the van's departure; up, the van's
    return is joined to the trunk's departure.

    Parameters
    ----------
    tp
        A tiered plan.

    Returns
    -------
    DataFrame
        ``station``, ``direction``, ``trunk_vehicle``, ``last_mile_vehicle``, ``trunk_time`` and
        ``van_time`` (s from midnight), ``orders`` (ids, comma-separated), ``n_orders``,
        ``quantity`` and ``wait_s`` (the longest wait of the goods handed over).
    """
    cols = ["station", "direction", "trunk_vehicle", "last_mile_vehicle", "trunk_time", "van_time"]
    t = tp.transfers
    if t.empty:
        return pd.DataFrame(columns=cols + ["orders", "n_orders", "quantity", "wait_s"])
    qty = order_quantities(tp)
    t = t.assign(
        trunk_time=t["trunk_arrival"].where(t["direction"] == "down", t["trunk_departure"]),
        van_time=t["last_mile_departure"].where(t["direction"] == "down", t["last_mile_arrival"]),
        quantity=t["order_id"].astype(str).map(qty).fillna(0.0),
    )
    out = (
        t.groupby(cols, sort=True)
        .agg(
            orders=("order_id", lambda s: ", ".join(str(x) for x in s)),
            n_orders=("order_id", "size"),
            quantity=("quantity", "sum"),
            wait_s=("wait_at_station", "max"),
        )
        .reset_index()
    )
    return out.sort_values(["station", "trunk_time", "van_time"], kind="stable").reset_index(drop=True)


def plan_network(tp: TieredPlan) -> Network | None:
    """The network the plan's legs were solved on.

    Parameters
    ----------
    tp
        A tiered plan.

    Returns
    -------
    Network or None
        The first leg problem's network; ``None`` when no leg has one (benchmark layouts).
    """
    for p in tp.problems.values():
        if p.network is not None:
            return p.network
    return None


def node_label(net: Network | None, nid: str) -> str:
    """A node's label for maps and plots: id, name and Chinese name (raw: escape it before HTML).

    Parameters
    ----------
    net
        The network, or ``None``.
    nid
        The node id.

    Returns
    -------
    str
        ``"<id> · <name> <name_zh>"``, or the id alone when the network does not know the node.
    """
    if net is None or nid not in net.nodes.index:
        return nid
    r = net.nodes.loc[nid]
    name, zh = str(r.get("name", "")), str(r.get("name_zh", ""))
    return f"{nid} · {name}" + (f" {zh}" if zh and zh != name and zh != "nan" else "")


def physical_trucks(tp: TieredPlan) -> dict[str, str]:
    """Trunk vehicle id → the truck that drives it (outbound and inbound waves share a truck).

    Parameters
    ----------
    tp
        A tiered plan.

    Returns
    -------
    dict
        Empty when the trunk has no stops.
    """
    st = tp.stops
    if st.empty or "physical_vehicle" not in st.columns:
        return {}
    tr = st[st["tier"] == "trunk"]
    return {str(v): str(p) for v, p in zip(tr["vehicle"], tr["physical_vehicle"])}
