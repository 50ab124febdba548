"""Orders, products, vehicle types and leg problems as JSON records, and back (tiered plan documents).

A tiered plan is checked leg by leg against the Problem each leg was solved as (trunk orders that
carry a station's goods, vans whose shift starts at the station's release).  Those problems are
the planner's own, so a saved plan keeps them: orders, fleet and the nodes of the leg; the travel
times are not saved but taken from the network (or matrix) the plan is read back with, so a check
of a saved plan uses the job's travel times, not the plan's word for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, fields
from enum import Enum
from typing import Any

from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.model import Compartment, Order, Product, VehicleType
from logistics.core.problem import Problem
from logistics.planners.tiers.layout import Layout

__all__ = [
    "order_from_record",
    "order_record",
    "problem_from_record",
    "problem_record",
    "product_from_record",
    "product_record",
    "vehicle_from_record",
    "vehicle_record",
]


def _plain(x: Any) -> Any:
    """Tuples as lists, mappings as dicts, enum members (zones) as their values."""
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, Enum):  # a zone
        return x.value
    return x


def _record(obj: Any) -> dict[str, Any]:
    """The dataclass's fields that differ from their defaults (short documents, same objects back)."""
    out = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if f.default is MISSING or v != f.default:
            out[f.name] = _plain(v)
    return out


def order_record(o: Order) -> dict[str, Any]:
    """An order as a JSON-ready record (fields that differ from the defaults).

    Parameters
    ----------
    o
        The order.

    Returns
    -------
    dict
        Keyword arguments of `Order`, JSON types only.
    """
    rec = _record(o)
    rec["id"], rec["quantities"] = o.id, {str(k): float(v) for k, v in o.quantities.items()}
    return rec


def order_from_record(rec: Mapping[str, Any]) -> Order:
    """An order from `order_record`'s mapping.

    Parameters
    ----------
    rec
        The record.

    Returns
    -------
    Order
        The order.
    """
    kw = dict(rec)
    if "time_windows" in kw:
        kw["time_windows"] = tuple(tuple(w) for w in kw["time_windows"])
    if kw.get("vehicle_types") is not None:
        kw["vehicle_types"] = tuple(kw["vehicle_types"])
    return Order(**kw)


def product_record(p: Product) -> dict[str, Any]:
    """A product as a JSON-ready record.

    Parameters
    ----------
    p
        The product.

    Returns
    -------
    dict
        Keyword arguments of `Product`.
    """
    rec = _record(p)
    rec["name"] = p.name
    return rec


def product_from_record(rec: Mapping[str, Any]) -> Product:
    """A product from `product_record`'s mapping.

    Parameters
    ----------
    rec
        The record.

    Returns
    -------
    Product
        The product.
    """
    kw = dict(rec)
    if kw.get("carriers") is not None:
        kw["carriers"] = tuple(kw["carriers"])
    return Product(**kw)


def vehicle_record(v: VehicleType) -> dict[str, Any]:
    """A vehicle type as a JSON-ready record.

    Parameters
    ----------
    v
        The vehicle type.

    Returns
    -------
    dict
        Keyword arguments of `VehicleType`; compartments as records.
    """
    rec = _record(v)
    rec.update(name=v.name, count=v.count, start_depot=v.start_depot)
    rec["compartments"] = [_record(c) | {"zone": _plain(c.zone), "capacity": c.capacity} for c in v.compartments]
    return rec


def vehicle_from_record(rec: Mapping[str, Any]) -> VehicleType:
    """A vehicle type from `vehicle_record`'s mapping.

    Parameters
    ----------
    rec
        The record.

    Returns
    -------
    VehicleType
        The vehicle type.
    """
    kw = dict(rec)
    kw["compartments"] = tuple(Compartment(**c) for c in kw["compartments"])
    if "shift" in kw:
        kw["shift"] = tuple(kw["shift"])
    return VehicleType(**kw)


def problem_record(p: Problem) -> dict[str, Any]:
    """What a leg's problem is, without its travel times: orders, fleet and the nodes it covers.

    Parameters
    ----------
    p
        A leg's problem.

    Returns
    -------
    dict
        ``name``, ``day``, ``nodes`` (the sub-matrix's ids), ``orders`` and ``fleet``.
    """
    ids = list(p.matrix.ids) if p.matrix is not None else []
    return {
        "name": p.name,
        "day": p.day,
        "nodes": ids,
        "orders": [order_record(o) for o in p.orders],
        "fleet": [vehicle_record(v) for v in p.fleet],
    }


def problem_from_record(
    rec: Mapping[str, Any], layout: Layout, products: Mapping[str, Product], costs: CostModel | None, leg: str
) -> Problem:
    """A leg's problem from `problem_record`'s mapping, its travel times taken from ``layout``.

    Parameters
    ----------
    rec
        The record.
    layout
        The network (and matrix) the plan is read back with.
    products
        The products.
    costs
        The cost model (default `CostModel()`).
    leg
        The leg's name (``"trunk"`` or a depot id), for errors.

    Returns
    -------
    Problem
        The leg's problem.

    Raises
    ------
    ProblemError
        A node of the leg is not in the layout's matrix, or a record is invalid (field
        ``problems.<leg>``).
    """
    try:
        nodes = [str(n) for n in rec["nodes"]]
        missing = [n for n in nodes if n not in layout.matrix]
        if missing:
            raise ProblemError(f"node {missing[0]!r} is not in the network", record=missing[0], field="nodes")
        return Problem(
            orders=tuple(order_from_record(o) for o in rec["orders"]),
            fleet=tuple(vehicle_from_record(v) for v in rec["fleet"]),
            products=dict(products),
            matrix=layout.matrix.sub(nodes),
            network=layout.network,
            costs=costs if costs is not None else CostModel(),
            name=str(rec.get("name") or leg),
            day=rec.get("day"),
            meta={"coords": {k: layout.coords[k] for k in nodes if k in layout.coords}, "leg": leg},
        )
    except ProblemError as e:
        raise ProblemError(f"problems.{leg}: {e}", record=e.record, field=f"problems.{leg}") from None
    except (KeyError, TypeError, ValueError) as e:
        raise ProblemError(f"problems.{leg}: not a leg problem ({e})", record=leg, field=f"problems.{leg}") from None
