"""The validated Problem: orders, fleet, products, travel matrix and costs in one checked object."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from logistics.core.costs import CostModel
from logistics.core.errors import ProblemError
from logistics.core.frames import orders_from_frame
from logistics.core.model import GOODS, Order, Product, VehicleType
from networks import Network, TravelMatrix
from networks.errors import NetworkError
from networks.paths import points_travel_matrix

__all__ = ["Problem", "coordinates", "orders_from_frame"]

# --------------------------------------------------------------------------- problem


@dataclass(frozen=True)
class Problem:
    """A validated routing problem: where (matrix), what (orders), with what (fleet).

    Give either a [networks.Network][] (its road graph or great-circle
    fallback supplies the matrix) or an explicit [networks.TravelMatrix][]
    whose ids cover every depot and order node.  ``objective='distance'`` makes
    the solver minimise total distance only (benchmark convention); the default
    ``'cost'`` uses vehicle costs plus the cold-chain cost model.  With
    ``strict=False`` an order that fits no vehicle is kept and reported unserved
    with the reason, instead of rejecting the whole problem (daily batch jobs).

    Parameters
    ----------
    orders, fleet, products
        What to deliver or collect, the vehicle types, and the products by name (a list of
        products is accepted and keyed by name).
    network, matrix
        Where: a network to build the travel matrix from, or the matrix itself.
    costs
        The scenario's [CostModel][logistics.core.costs.CostModel] (defaults when ``None``).
    objective, name, day, meta, strict
        ``'cost'`` or ``'distance'``; a label; the planning date (YYYY-MM-DD); free
        bookkeeping (e.g. ``coords``); reject (``True``) or report orders that fit no vehicle.
    """

    orders: tuple[Order, ...]
    fleet: tuple[VehicleType, ...]
    products: Mapping[str, Product] = field(default_factory=lambda: {"goods": GOODS})
    network: Network | None = None
    matrix: TravelMatrix | None = None
    costs: CostModel = field(default_factory=CostModel)
    objective: str = "cost"
    name: str = "problem"
    day: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    strict: bool = True

    def __post_init__(self) -> None:
        orders = tuple(self.orders)
        fleet = tuple(self.fleet)
        object.__setattr__(self, "orders", orders)
        object.__setattr__(self, "fleet", fleet)
        if isinstance(self.products, (list, tuple)):
            object.__setattr__(self, "products", {p.name: p for p in self.products})
        object.__setattr__(self, "products", dict(self.products))
        if self.costs is None:
            object.__setattr__(self, "costs", CostModel())
        if not isinstance(self.costs, CostModel):
            raise ProblemError(
                f"costs must be a CostModel, got {type(self.costs).__name__} {self.costs!r}",
                record=self.name,
                field="costs",
            )
        if self.day is not None:
            try:
                pd.Timestamp(str(self.day))
            except (ValueError, TypeError, OverflowError):
                raise ProblemError(
                    f"day {self.day!r} is not a date (YYYY-MM-DD)", record=self.name, field="day"
                ) from None
        if self.objective not in ("cost", "distance"):
            raise ProblemError(
                f"objective {self.objective!r} is not 'cost' or 'distance'", record=self.name, field="objective"
            )
        if not fleet:
            raise ProblemError("the fleet is empty", record=self.name, field="fleet")
        names = [v.name for v in fleet]
        name_counts = Counter(names)
        for n in names:
            if name_counts[n] > 1:
                raise ProblemError(f"vehicle type {n!r} appears more than once", record=n, field="name")
        type_names = set(names)
        by_id: dict[str, Order] = {}
        for o in orders:
            if o.id in by_id:
                raise ProblemError(f"order {o.id!r} appears more than once", record=o.id, field="id")
            by_id[o.id] = o
            for p in o.quantities:
                if p not in self.products:
                    raise ProblemError(f"order {o.id!r}: unknown product {p!r}", record=o.id, field=f"quantities.{p}")
            for k, vt_name in enumerate(o.vehicle_types or ()):
                if vt_name not in type_names:
                    raise ProblemError(
                        f"order {o.id!r}: unknown vehicle type {vt_name!r}", record=o.id, field=f"vehicle_types[{k}]"
                    )
        object.__setattr__(self, "_order_cache", (orders, by_id))
        self._check_pairs()
        if self.matrix is None:
            if self.network is None:
                raise ProblemError("give a network or a travel matrix", record=self.name, field="matrix")
            object.__setattr__(self, "matrix", self._build_matrix())
        self._check_locations()
        self._check_sizes()

    # -- validation helpers ---------------------------------------------------------------
    def _check_pairs(self) -> None:
        by_id = self._by_id()
        partner: dict[str, str] = {}
        for o in self.orders:
            if o.pair is None:
                continue
            if o.pair not in by_id:
                raise ProblemError(f"order {o.id!r}: paired order {o.pair!r} does not exist", record=o.id, field="pair")
            q = by_id[o.pair]
            if o.kind == q.kind:
                raise ProblemError(
                    f"order {o.id!r}: paired with {q.id!r} of the same kind {o.kind!r}", record=o.id, field="pair"
                )
            if q.pair not in (None, o.id):
                raise ProblemError(
                    f"order {o.id!r}: its pair {q.id!r} is paired with {q.pair!r}", record=o.id, field="pair"
                )
            if o.required != q.required:
                raise ProblemError(
                    f"order {o.id!r}: paired orders must both be required or both optional",
                    record=o.id,
                    field="required",
                )
            partner[o.id] = q.id
            partner[q.id] = o.id
        for a, b in partner.items():
            if by_id[a].quantities != by_id[b].quantities:
                raise ProblemError(f"order {a!r}: quantities differ from its pair {b!r}", record=a, field="quantities")
        object.__setattr__(self, "_partner", partner)
        # a pair written on one side only: both sides name their partner from here on, so every reader of
        # ``Order.pair`` (solver arrays, costs, planners, the validator) sees the same pair
        if any(o.pair is None and o.id in partner for o in self.orders):
            object.__setattr__(
                self,
                "orders",
                tuple(replace(o, pair=partner[o.id]) if o.pair is None and o.id in partner else o for o in self.orders),
            )

    def _build_matrix(self) -> TravelMatrix:
        net = self.network
        assert net is not None  # __post_init__ calls this only with a network
        locs = self.location_ids()
        lon: list[float] = []
        lat: list[float] = []
        byid = {o.location: o for o in self.orders if o.node_id is None}
        for loc in locs:
            if loc in byid:
                xy = _lon_lat(byid[loc])
                lon.append(xy[0])
                lat.append(xy[1])
            else:
                if loc not in net.nodes.index:
                    raise self._unknown_node(loc)
                g = net.nodes.geometry[loc]
                lon.append(g.x)
                lat.append(g.y)
        try:
            return points_travel_matrix(locs, np.array(lon), np.array(lat), roads=net.roads)
        except NetworkError as e:
            raise self._matrix_error(e) from e

    def _matrix_error(self, e: NetworkError) -> ProblemError:
        """A network's complaint about the problem's places, naming the order (or vehicle type) at fault.

        The network speaks of matrix ids (``'@o1'`` for an order placed by coordinates, node ids,
        or only pairs without a path); the user needs the order id.
        """
        culprit: Any = e.record
        pairs = getattr(e, "pairs", None)
        if culprit is None and pairs:
            # the place on most pairs without a path is the island; orders before depots on ties
            counts: dict[Any, int] = {}
            for pair in pairs:
                for loc in pair:
                    counts[loc] = counts.get(loc, 0) + 1
            order_locs = {o.location for o in self.orders}
            culprit = max(counts, key=lambda loc: (counts[loc], loc in order_locs))
        for o in self.orders:
            if culprit is not None and o.location == str(culprit):
                return ProblemError(f"order {o.id!r}: travel matrix: {e}", record=o.id, field=_place_field(o))
        for v in self.fleet:
            if culprit is not None and str(culprit) in (v.start_depot, v.end_depot):
                f = "start_depot" if str(culprit) == v.start_depot else "end_depot"
                return ProblemError(f"vehicle type {v.name!r}: travel matrix: {e}", record=v.name, field=f)
        return ProblemError(
            f"travel matrix: {e}", record=culprit if culprit is not None else self.name, field=e.field or "node_id"
        )

    def _unknown_node(self, loc: str) -> ProblemError:
        for o in self.orders:
            if o.location == loc:
                return ProblemError(f"order {o.id!r}: unknown node {loc!r}", record=o.id, field="node_id")
        for v in self.fleet:
            if loc in (v.start_depot, v.end_depot):
                f = "start_depot" if loc == v.start_depot else "end_depot"
                return ProblemError(f"vehicle type {v.name!r}: unknown depot {loc!r}", record=v.name, field=f)
        return ProblemError(f"unknown node {loc!r}", record=loc, field="node_id")

    def _check_locations(self) -> None:
        m = self.travel_matrix
        for loc in self.location_ids():
            if loc not in m:
                raise self._unknown_node(loc)
        # reachability: an order must be reachable from and back to at least one depot
        depots = sorted({v.start_depot for v in self.fleet} | {_end_depot(v) for v in self.fleet})
        dmax = np.iinfo(np.int64).max // 4
        if not self.orders:
            return
        # once per place, not per order (many orders share a village): reached from and back to some depot
        places = list(dict.fromkeys(o.location for o in self.orders))
        cols = m.indices(places)
        rows = m.indices(depots)
        reach = ((m.duration[np.ix_(rows, cols)] < dmax) & (m.duration[np.ix_(cols, rows)] < dmax).T).any(axis=0)
        unreachable = {places[k] for k in np.flatnonzero(~reach)}
        for o in self.orders:
            if o.location in unreachable:
                raise ProblemError(
                    f"order {o.id!r}: node {o.location!r} is unreachable from every depot", record=o.id, field="node_id"
                )

    def _check_sizes(self) -> None:
        for o in self.orders:
            fits_any = False
            detail = []
            for vt in self.fleet:
                if vt.count == 0:
                    continue
                loads = self.compartment_loads(o, vt)
                if loads is None:
                    detail.append(f"{vt.name}: no compatible compartment")
                    continue
                over = [(vt.compartments[k], q) for k, q in enumerate(loads) if q > vt.compartments[k].capacity + 1e-9]
                tot = sum(loads)
                if not over and (vt.total_capacity is None or tot <= vt.total_capacity + 1e-9):
                    fits_any = True
                    break
            if not fits_any and (self.strict or o.pair is not None):
                field, why = self._misfit(o)
                raise ProblemError(f"order {o.id!r}: {why}", record=o.id, field=field)

    def describe_misfit(self, o: Order) -> str:
        """Why no vehicle can take ``o``, in a dispatcher's words.

        Parameters
        ----------
        o
            An order of this problem.

        Returns
        -------
        str
            The first reason found: no vehicle in the fleet, none of its allowed types or of its
            carrier, no compartment for one of its goods' temperature zones, or demand over the
            largest compartment or vehicle (with the quantities in the products' units).
        """
        return self._misfit(o)[1]

    def _misfit(self, o: Order) -> tuple[str, str]:
        """The order's field that keeps it off every vehicle (its allowed types, its carrier, else its goods)
        and why, in a dispatcher's words."""
        if not any(vt.count > 0 for vt in self.fleet):
            return "quantities", "the fleet has no vehicle (every vehicle type has count 0)"
        if o.vehicle_types is not None and not any(vt.count > 0 for vt in self.fleet if vt.name in o.vehicle_types):
            return "vehicle_types", f"no vehicle of the allowed types ({', '.join(o.vehicle_types)}) is in the fleet"
        if o.carrier is not None and not any(vt.count > 0 and vt.carrier in (None, o.carrier) for vt in self.fleet):
            return "carrier", f"no vehicle of carrier {o.carrier!r} (or shared by all carriers) is in the fleet"
        for p, q in o.quantities.items():
            prod = self.products[p]
            caps = [
                vt.compartments[k].capacity
                for vt in self.fleet
                if vt.count > 0
                for k in [vt.compartment_for(prod)]
                if k is not None
            ]
            if not caps:
                return "quantities", f"no vehicle has a compartment that can carry {prod.zone.value} product {p!r}"
        zone_tot: dict[str, float] = {}
        for p, q in o.quantities.items():
            z = self.products[p].zone.value
            zone_tot[z] = zone_tot.get(z, 0.0) + q
        z, q = max(zone_tot.items(), key=lambda kv: kv[1])
        caps = [
            vt.compartments[k].capacity
            for vt in self.fleet
            if vt.count > 0
            for p in o.quantities
            if self.products[p].zone.value == z
            for k in [vt.compartment_for(self.products[p])]
            if k is not None
        ]
        unit = next(iter(self.products[p].unit for p in o.quantities))
        cap = max(caps) if caps else 0
        if q > cap + 1e-9:
            return "quantities", f"demand {q:,.0f} {unit} exceeds the largest {z} compartment ({cap:,.0f} {unit})"
        total = sum(o.quantities.values())
        best = max(vt.capacity for vt in self.fleet if vt.count > 0)
        if total > best + 1e-9:  # a flexible partition's total capacity
            return "quantities", (
                f"total demand {total:,.0f} {unit} exceeds the largest vehicle capacity ({best:,.0f} {unit})"
            )
        return "quantities", "its goods do not fit the compartments of any one vehicle together"

    # -- derived views used by solvers and reports -----------------------------------------
    def location_ids(self) -> list[str]:
        """Matrix ids needed: depots first (in fleet order), then order locations.

        Returns
        -------
        list of str
            Each id once; the order the solvers' node indices follow.
        """
        seen: dict[str, None] = {}
        for v in self.fleet:
            seen.setdefault(v.start_depot)
            seen.setdefault(_end_depot(v))
        for o in self.orders:
            seen.setdefault(o.location)
        return list(seen)

    def compartment_loads(self, order: Order, vt: VehicleType) -> list[float] | None:
        """Load ``order`` puts in each compartment of ``vt``; None if it cannot ride it.

        Parameters
        ----------
        order
            The order.
        vt
            A vehicle type of the fleet.

        Returns
        -------
        list of float or None
            One load per compartment of ``vt`` (in the products' units), or ``None`` when the type
            is not among the order's ``vehicle_types``, belongs to another carrier, or has no
            compartment for one of its goods.  Capacities are not checked here.
        """
        if order.vehicle_types is not None and vt.name not in order.vehicle_types:
            return None
        if order.carrier is not None and vt.carrier is not None and order.carrier != vt.carrier:
            return None
        loads = [0.0] * len(vt.compartments)
        for p, q in order.quantities.items():
            k = vt.compartment_for(self.products[p])
            if k is None:
                if q > 0:
                    return None
                continue
            loads[k] += q
        return loads

    @property
    def travel_matrix(self) -> TravelMatrix:
        """The travel matrix, never ``None`` once the problem is built (the field may be given as ``None``).

        Returns
        -------
        networks.TravelMatrix
            Distances (m) and durations (s) between every depot and order location.
        """
        assert self.matrix is not None  # __post_init__ builds it from the network otherwise
        return self.matrix

    def _by_id(self) -> dict[str, Order]:
        """Orders by id, built once per ``orders`` tuple (kept with the tuple it indexes)."""
        cached: tuple[tuple[Order, ...], dict[str, Order]] | None = self.__dict__.get("_order_cache")
        if cached is not None and cached[0] is self.orders:
            return cached[1]
        by_id = {o.id: o for o in self.orders}
        object.__setattr__(self, "_order_cache", (self.orders, by_id))
        return by_id

    def order(self, order_id: str) -> Order:
        """The order with id ``order_id``.

        Parameters
        ----------
        order_id
            An order id.

        Returns
        -------
        Order

        Raises
        ------
        KeyError
            No order has that id.
        """
        by_id = self._by_id()
        return by_id[order_id]

    @property
    def order_index(self) -> dict[str, Order]:
        """Orders by id (a fresh dict: callers may keep it while the problem is immutable).

        A copy of the index `order` reads (~0.2 ms at 20,000 orders); for one order, `order` is cheaper.
        """
        by_id = self._by_id()
        return dict(by_id)

    def partner(self, order_id: str) -> str | None:
        """The id of the order paired with ``order_id`` (pickup and delivery), or ``None``.

        Parameters
        ----------
        order_id
            An order id.

        Returns
        -------
        str or None
            The other half of its pickup-and-delivery pair; ``None`` for an unpaired or unknown order.
        """
        partners: dict[str, str] = self.__dict__["_partner"]
        return partners.get(order_id)

    def vehicles(self) -> list[tuple[str, VehicleType]]:
        """(vehicle id, type) for every vehicle, ids like 'reefer-3t#2'.

        Returns
        -------
        list of tuple of (str, VehicleType)
            ``count`` entries per vehicle type, numbered from 1, in fleet order: the ids plans use.
        """
        out: list[tuple[str, VehicleType]] = []
        for vt in self.fleet:
            for k in range(vt.count):
                out.append((f"{vt.name}#{k + 1}", vt))
        return out

    def shelf_life_s(self, o: Order) -> int | None:
        """Strictest shelf life of the order's goods, in seconds (None = unlimited).

        Parameters
        ----------
        o
            An order of this problem.

        Returns
        -------
        int or None
            The shortest of its products' ``shelf_life_h`` (goods with a quantity) and its own
            ``shelf_life_h``, in seconds; ``None`` when none is limited.
        """
        hs = [h for p, q in o.quantities.items() if q > 0 for h in [self.products[p].shelf_life_h] if h is not None]
        if o.shelf_life_h is not None:
            hs.append(o.shelf_life_h)
        return int(round(min(hs) * 3600)) if hs else None

    def ride_limit_s(self, o: Order, vt: VehicleType) -> int | None:
        """Strictest limit on the order's ride on a vehicle of type ``vt``, in seconds (None = unlimited).

        Shelf life bounds every ride; goods that ride a compartment of ``vt`` warmer than their zone
        (out of refrigeration) are bounded by their ``ambient_limit_h`` as well, so the limit depends
        on the vehicle.

        Parameters
        ----------
        o
            An order of this problem.
        vt
            A vehicle type of the fleet (one the order may ride or not: goods it has no compartment
            for add no limit).

        Returns
        -------
        int or None
            The shortest of `shelf_life_s` and `Product.ride_limit_h` of its goods with a quantity in
            the compartments ``vt`` gives them, in seconds; ``None`` when none is limited.
        """
        life = self.shelf_life_s(o)
        hs = [life / 3600.0] if life is not None else []
        for p, q in o.quantities.items():
            prod = self.products[p]
            k = vt.compartment_for(prod) if q > 0 and prod.ambient_limit_h is not None else None
            h = prod.ride_limit_h(vt.compartments[k].zone) if k is not None else None
            if h is not None:
                hs.append(h)
        return int(round(min(hs) * 3600)) if hs else None

    def replace(self, **changes: Any) -> Problem:
        """A copy with the given fields changed, checked again like a new problem.

        Parameters
        ----------
        **changes
            Field names of `Problem` and their new values (``orders=...``, ``fleet=...``).

        Returns
        -------
        Problem
            The new problem; this one is unchanged.

        Raises
        ------
        ProblemError
            The changed problem is invalid (same checks as construction).
        """
        return replace(self, **changes)

    # -- frames in ------------------------------------------------------------------------
    @staticmethod
    def orders_from_frame(frame: pd.DataFrame) -> list[Order]:
        """Orders from a frame; see [orders_from_frame][logistics.core.frames.orders_from_frame].

        Parameters
        ----------
        frame
            A DataFrame or GeoDataFrame with one row per order.

        Returns
        -------
        list of Order
        """
        return orders_from_frame(frame)


def _place_field(o: Order) -> str:
    """The field that places an order: ``node_id``, or ``lon`` for one placed by coordinates."""
    return "node_id" if o.node_id is not None else "lon"


def _end_depot(v: VehicleType) -> str:
    """The vehicle type's end depot (``VehicleType`` fills a missing one with the start depot)."""
    return v.end_depot or v.start_depot


def _lon_lat(o: Order) -> tuple[float, float]:
    """lon/lat of an order placed by coordinates (``Order`` requires both when there is no node)."""
    assert o.lon is not None and o.lat is not None
    return float(o.lon), float(o.lat)


def coordinates(problem: Problem) -> dict[str, tuple[float, float]]:
    """lon/lat (or instance x/y) of every location id the plan may mention.

    Parameters
    ----------
    problem
        The problem a plan was made for.

    Returns
    -------
    dict of str to tuple of (float, float)
        Location id to (lon, lat) in EPSG:4326 (or the instance's own x/y for benchmark
        problems): network nodes, ``meta["coords"]`` and orders placed by coordinates.
    """
    out: dict[str, tuple[float, float]] = {}
    meta_coords = problem.meta.get("coords") if problem.meta else None
    if meta_coords:
        out.update({str(k): (float(v[0]), float(v[1])) for k, v in meta_coords.items()})
    if problem.network is not None:
        nodes = problem.network.nodes
        for k, x, y in zip(nodes.index, nodes.geometry.x, nodes.geometry.y):
            out[str(k)] = (float(x), float(y))
    for o in problem.orders:
        if o.node_id is None:
            out[o.location] = _lon_lat(o)
    return out
