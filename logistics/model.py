"""The problem model: products, orders, vehicle types, fleet and the validated Problem.

Units at this boundary: quantities in the unit each product declares (kg by
default), times as seconds from the planning day's midnight, distances in
metres, money in yuan (¥).  The solver converts to scaled integers once.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from networks import Network, TravelMatrix
from networks.errors import NetworkError

from .errors import ProblemError

DAY = 86_400
# Largest amount (product units) of a quantity or a compartment capacity, and largest penalty (¥): the solver
# works in int64 milli-units and cost units, where larger values would overflow.
MAX_AMOUNT = 1e12
MAX_PENALTY = 1e9
MAX_VEHICLES = 10_000  # per vehicle type; the solver's arrays grow with (orders + 2 * vehicles) ** 2


class Zone(str, Enum):
    """Temperature zones, coldest first."""

    FROZEN = "frozen"    # <= -18 °C
    CHILLED = "chilled"  # 0-4 °C
    FRESH = "fresh"      # ~5 °C, fruit and vegetables
    AMBIENT = "ambient"

    @classmethod
    def parse(cls, value: object, *, record: object = None, field: str = "zone") -> "Zone":
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).lower())
        except ValueError:
            raise ProblemError(
                f"{record!r}: zone {value!r} is not one of frozen, chilled, fresh, ambient", record=record, field=field
            ) from None


# Which compartment zones may carry a product of a zone, most preferred first.
# Frozen goods never leave a frozen compartment; ambient goods may ride cooler.
DEFAULT_CARRIERS: dict[Zone, tuple[Zone, ...]] = {
    Zone.FROZEN: (Zone.FROZEN,),
    Zone.CHILLED: (Zone.CHILLED,),
    Zone.FRESH: (Zone.FRESH, Zone.CHILLED),
    Zone.AMBIENT: (Zone.AMBIENT, Zone.FRESH, Zone.CHILLED),
}


def parse_clock(value: object, *, record: object = None, field: str = "time") -> int:
    """Seconds from midnight from an int/float (seconds), 'HH:MM[:SS]' or a Timestamp."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ProblemError(f"{record!r}: {field} is not a finite number ({value})", record=record, field=field)
        return int(round(value))
    if isinstance(value, pd.Timestamp):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,3}):(\d{2})(?::(\d{2}))?\s*", value)
        if m:
            h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            if mi < 60 and s < 60:
                return h * 3600 + mi * 60 + s
    raise ProblemError(f"{record!r}: {field} {value!r} is not a time (seconds or 'HH:MM')", record=record, field=field)


def _len(x: object) -> int | None:
    """len(x), or None for objects without a length (a number where a list was expected)."""
    try:
        return len(x)  # type: ignore[arg-type]
    except TypeError:
        return None


def _numbers(obj: object, fields: Iterable[str], what: str, record: object) -> None:
    """Numeric fields of a frozen dataclass: numbers stay, numeric strings (a CSV cell) become floats,
    anything else is a ProblemError naming the field (None means 'not given' and stays)."""
    for f in fields:
        v = getattr(obj, f)
        if v is None or isinstance(v, (int, float, np.integer, np.floating)):
            continue
        try:
            fv = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ProblemError(f"{what} {record!r}: {f} {v!r} is not a number", record=record, field=f) from None
        object.__setattr__(obj, f, fv)


def fmt_clock(seconds: float) -> str:
    s = int(round(seconds))
    sign = "-" if s < 0 else ""
    s = abs(s)
    return f"{sign}{s // 3600:02d}:{(s % 3600) // 60:02d}"


@dataclass(frozen=True)
class Product:
    """A kind of goods.

    ``shelf_life_h`` bounds the time between leaving the depot (delivery) or being
    picked up (pickup) and reaching the customer / the route's end, waiting
    included.  ``value`` is ¥ per unit and prices freshness loss; ``decay_per_h``
    is the exponential quality-loss rate λ (default by zone, see coldchain).
    """

    name: str
    zone: Zone = Zone.AMBIENT
    shelf_life_h: float | None = None
    value: float = 0.0
    decay_per_h: float | None = None
    unit: str = "kg"
    carriers: tuple[Zone, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", Zone.parse(self.zone, record=self.name))
        if not self.name:
            raise ProblemError("product with an empty name", record=self.name, field="name")
        _numbers(self, ("shelf_life_h", "value", "decay_per_h"), "product", self.name)
        if self.shelf_life_h is not None and not (self.shelf_life_h > 0):
            raise ProblemError(f"product {self.name!r}: shelf_life_h must be positive, got {self.shelf_life_h}",
                               record=self.name, field="shelf_life_h")
        if not (self.value >= 0):
            raise ProblemError(f"product {self.name!r}: value must be >= 0", record=self.name, field="value")
        if self.decay_per_h is not None and not (self.decay_per_h >= 0):
            raise ProblemError(f"product {self.name!r}: decay_per_h must be >= 0", record=self.name,
                               field="decay_per_h")
        if self.carriers is not None:
            object.__setattr__(self, "carriers", tuple(Zone.parse(z, record=self.name, field="carriers")
                                                       for z in self.carriers))
            if self.zone == Zone.FROZEN and any(z != Zone.FROZEN for z in self.carriers):
                raise ProblemError(f"product {self.name!r}: frozen goods may only ride frozen compartments",
                                   record=self.name, field="carriers")

    @property
    def carrier_zones(self) -> tuple[Zone, ...]:
        return self.carriers if self.carriers is not None else DEFAULT_CARRIERS[self.zone]


GOODS = Product("goods")  # the single ambient product of classic benchmark instances


@dataclass(frozen=True)
class Compartment:
    """A compartment held at one temperature ``zone`` with a fixed ``capacity``."""

    zone: Zone
    capacity: float
    name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", Zone.parse(self.zone, record=self.name if self.name is not None else
                                                    str(self.zone), field="compartments.zone"))
        if self.name is None:
            object.__setattr__(self, "name", self.zone.value)
        _numbers(self, ("capacity",), "compartment", self.name)
        if not (0 <= self.capacity <= MAX_AMOUNT):
            raise ProblemError(f"compartment {self.name!r}: capacity must be a number from 0 to {MAX_AMOUNT:g}, got "
                               f"{self.capacity}", record=self.name, field="capacity")


@dataclass(frozen=True)
class VehicleType:
    """A group of identical vehicles.

    Compartments are fixed partitions; ``total_capacity`` additionally caps their
    sum, which models a flexible (movable-bulkhead) partition: one total with
    per-zone limits.  Costs: ``fixed_cost`` ¥ per vehicle used, ``cost_per_km`` and
    ``cost_per_hour`` (driver) on distance and route duration.  ``shift`` is the
    (earliest start, latest end) in seconds from midnight; ``speed_factor``
    multiplies matrix durations (1.2 = 20 % slower, for heavy trucks).
    ``carrier`` set: these vehicles serve only orders of that carrier (or
    without one); None: a vehicle shared by every carrier.
    """

    name: str
    count: int
    compartments: tuple[Compartment, ...]
    start_depot: str
    end_depot: str | None = None
    total_capacity: float | None = None
    fixed_cost: float = 0.0
    cost_per_km: float = 0.0
    cost_per_hour: float = 0.0
    shift: tuple[int, int] = (0, DAY)
    max_duration: int | None = None
    max_distance: int | None = None
    speed_factor: float = 1.0
    refrigerated: bool | None = None
    carrier: str | None = None

    def __post_init__(self) -> None:
        rec = self.name
        if not self.name:
            raise ProblemError("vehicle type with an empty name", record=rec, field="name")
        _numbers(self, ("fixed_cost", "cost_per_km", "cost_per_hour", "total_capacity", "max_duration",
                        "max_distance", "speed_factor"), "vehicle type", rec)
        if not isinstance(self.count, (int, np.integer)) or not (0 <= self.count <= MAX_VEHICLES):
            raise ProblemError(f"vehicle type {rec!r}: count must be an integer from 0 to {MAX_VEHICLES}, got "
                               f"{self.count!r}", record=rec, field="count")
        if _len(self.compartments) is None or isinstance(self.compartments, (str, bytes, Mapping)):
            raise ProblemError(f"vehicle type {rec!r}: compartments must be a list of compartments", record=rec,
                               field="compartments")
        comps = []
        for k, c in enumerate(self.compartments):
            if isinstance(c, Compartment):
                comps.append(c)
                continue
            if not isinstance(c, Mapping):
                raise ProblemError(f"vehicle type {rec!r}: compartment {k} is not a compartment ({c!r})",
                                   record=rec, field=f"compartments[{k}]")
            try:
                comps.append(Compartment(**c))
            except ProblemError as e:
                raise ProblemError(f"vehicle type {rec!r}: compartment {k}: {e}", record=rec,
                                   field=f"compartments[{k}].{e.field}") from None
            except TypeError as e:  # unknown or missing keys
                raise ProblemError(f"vehicle type {rec!r}: compartment {k}: {e}", record=rec,
                                   field=f"compartments[{k}]") from None
        comps = tuple(comps)
        if not comps:
            raise ProblemError(f"vehicle type {rec!r} has no compartment", record=rec, field="compartments")
        names = [c.name for c in comps]
        if len(set(names)) != len(names):
            raise ProblemError(f"vehicle type {rec!r}: compartment names must be unique, got {names}",
                               record=rec, field="compartments")
        object.__setattr__(self, "compartments", comps)
        if self.end_depot is None:
            object.__setattr__(self, "end_depot", self.start_depot)
        object.__setattr__(self, "start_depot", str(self.start_depot))
        object.__setattr__(self, "end_depot", str(self.end_depot))
        for f in ("fixed_cost", "cost_per_km", "cost_per_hour"):
            v = getattr(self, f)
            if not (v >= 0) or not math.isfinite(v):
                raise ProblemError(f"vehicle type {rec!r}: {f} must be a finite number >= 0, got {v}",
                                   record=rec, field=f)
        if self.total_capacity is not None and not (self.total_capacity >= 0):
            raise ProblemError(f"vehicle type {rec!r}: total_capacity must be >= 0", record=rec,
                               field="total_capacity")
        shift = (parse_clock(self.shift[0], record=rec, field="shift[0]"),
                 parse_clock(self.shift[1], record=rec, field="shift[1]"))
        if shift[1] < shift[0]:
            raise ProblemError(f"vehicle type {rec!r}: shift ends ({fmt_clock(shift[1])}) before it starts "
                               f"({fmt_clock(shift[0])})", record=rec, field="shift")
        object.__setattr__(self, "shift", shift)
        for f in ("max_duration", "max_distance"):
            v = getattr(self, f)
            if v is not None and not (v >= 0):
                raise ProblemError(f"vehicle type {rec!r}: {f} must be >= 0, got {v}", record=rec, field=f)
        if not (self.speed_factor > 0) or not math.isfinite(self.speed_factor):
            raise ProblemError(f"vehicle type {rec!r}: speed_factor must be positive, got {self.speed_factor}",
                               record=rec, field="speed_factor")
        if self.refrigerated is None:
            object.__setattr__(self, "refrigerated", any(c.zone != Zone.AMBIENT for c in comps))

    def compartment_for(self, product: Product) -> int | None:
        """Index of the compartment that carries ``product`` on this vehicle type.

        The rule is deterministic: the first compartment, in the product's order of
        preferred carrier zones, whose zone matches.  None: the vehicle cannot carry it.
        """
        for zone in product.carrier_zones:
            for k, c in enumerate(self.compartments):
                if c.zone == zone:
                    return k
        return None

    @property
    def capacity(self) -> float:
        total = sum(c.capacity for c in self.compartments)
        return total if self.total_capacity is None else min(total, self.total_capacity)


OrderKind = ("delivery", "pickup")


@dataclass(frozen=True)
class Order:
    """Goods to deliver to, or pick up from, one place.

    ``quantities`` maps product names to amounts.  ``time_windows`` are
    (start, end) pairs in seconds from midnight for the start of service; several
    windows mean "any of these".  Optional orders (``required=False``) may be left
    out at the cost of ``penalty`` ¥.  ``pair`` links a pickup to the delivery of
    the same goods (same vehicle, pickup first); an unpaired delivery is loaded at
    the vehicle's start depot and an unpaired pickup unloaded at its end depot.
    ``soft`` windows may be missed at the cost model's early/late rates.
    ``vehicle_types`` restricts the order to those fleet types (like skills:
    produce that must end at the hub's cold store rides only hub-bound vehicles).
    ``carrier`` (a postal or express brand) keeps the order off vehicles of
    another carrier; vehicles without a carrier serve every carrier (邮快合作).
    """

    id: str
    quantities: Mapping[str, float]
    node_id: str | None = None
    lon: float | None = None
    lat: float | None = None
    kind: str = "delivery"
    time_windows: tuple[tuple[int, int], ...] = ((0, DAY),)
    service: int = 0
    required: bool = True
    penalty: float | None = None
    pair: str | None = None
    shelf_life_h: float | None = None
    soft: bool = False
    carrier: str | None = None
    vehicle_types: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        rec = self.id
        if self.id is None or str(self.id) == "" or str(self.id).lower() == "nan":
            raise ProblemError("order with an empty id", record=self.id, field="id")
        object.__setattr__(self, "id", str(self.id))
        _numbers(self, ("penalty", "shelf_life_h", "lon", "lat"), "order", rec)
        for f in ("pair", "carrier"):  # ids: hashable text, whole numbers as integers ('7', not '7.0')
            v = getattr(self, f)
            if v is not None and not isinstance(v, str):
                if isinstance(v, (float, np.floating)) and math.isfinite(v) and float(v).is_integer():
                    v = int(v)
                object.__setattr__(self, f, str(v))
        if self.kind not in OrderKind:
            raise ProblemError(f"order {rec!r}: kind {self.kind!r} is not 'delivery' or 'pickup'", record=rec,
                               field="kind")
        if not isinstance(self.quantities, Mapping):
            raise ProblemError(f"order {rec!r}: quantities must map product names to amounts", record=rec,
                               field="quantities")
        q = {}
        for p, v in self.quantities.items():
            try:
                fv = float(v)
            except (TypeError, ValueError):
                raise ProblemError(f"order {rec!r}: quantity of {p!r} is not a number ({v!r})", record=rec,
                                   field=f"quantities.{p}") from None
            if not math.isfinite(fv):
                raise ProblemError(f"order {rec!r}: quantity of {p!r} is not finite ({v!r})", record=rec,
                                   field=f"quantities.{p}")
            if fv < 0:
                raise ProblemError(f"order {rec!r}: quantity of {p!r} is negative ({fv:g})", record=rec,
                                   field=f"quantities.{p}")
            if fv > MAX_AMOUNT:
                raise ProblemError(f"order {rec!r}: quantity of {p!r} ({fv:g}) is above the supported maximum "
                                   f"{MAX_AMOUNT:g}", record=rec, field=f"quantities.{p}")
            q[str(p)] = fv
        object.__setattr__(self, "quantities", q)
        if self.node_id is None:
            if self.lon is None or self.lat is None:
                raise ProblemError(f"order {rec!r} has neither a node_id nor lon/lat", record=rec, field="node_id")
            lon, lat = float(self.lon), float(self.lat)
            if not (math.isfinite(lon) and -180 <= lon <= 180):
                raise ProblemError(f"order {rec!r}: longitude {self.lon} out of range", record=rec, field="lon")
            if not (math.isfinite(lat) and -90 <= lat <= 90):
                raise ProblemError(f"order {rec!r}: latitude {self.lat} out of range", record=rec, field="lat")
        else:
            object.__setattr__(self, "node_id", str(self.node_id))
        tws = self.time_windows
        if tws is not None and _len(tws) is None:
            raise ProblemError(f"order {rec!r}: time_windows must be a list of (start, end) pairs, got {tws!r}",
                               record=rec, field="time_windows")
        if tws is None or len(tws) == 0:
            raise ProblemError(f"order {rec!r} has no time window", record=rec, field="time_windows")
        parsed = []
        for k, tw in enumerate(tws):
            if _len(tw) != 2:
                raise ProblemError(f"order {rec!r}: time window {k} must be (start, end)", record=rec,
                                   field=f"time_windows[{k}]")
            a = parse_clock(tw[0], record=rec, field=f"time_windows[{k}].start")
            b = parse_clock(tw[1], record=rec, field=f"time_windows[{k}].end")
            if b < a:
                raise ProblemError(f"order {rec!r}: time window {k} ends ({fmt_clock(b)}) before it starts "
                                   f"({fmt_clock(a)})", record=rec, field=f"time_windows[{k}]")
            if a < 0:
                raise ProblemError(f"order {rec!r}: time window {k} starts before midnight", record=rec,
                                   field=f"time_windows[{k}]")
            parsed.append((a, b))
        parsed.sort()
        for k in range(1, len(parsed)):
            if parsed[k][0] <= parsed[k - 1][1]:
                raise ProblemError(f"order {rec!r}: time windows overlap ({fmt_clock(parsed[k - 1][0])}-"
                                   f"{fmt_clock(parsed[k - 1][1])} and {fmt_clock(parsed[k][0])}-"
                                   f"{fmt_clock(parsed[k][1])})", record=rec, field="time_windows")
        object.__setattr__(self, "time_windows", tuple(parsed))
        svc = parse_clock(self.service, record=rec, field="service") if not isinstance(self.service, int) \
            else self.service
        if svc < 0:
            raise ProblemError(f"order {rec!r}: service time is negative ({svc})", record=rec, field="service")
        object.__setattr__(self, "service", svc)
        if not self.required:
            if self.penalty is None or not (0 <= self.penalty <= MAX_PENALTY):
                raise ProblemError(f"order {rec!r} is optional but has no penalty from 0 to {MAX_PENALTY:g}",
                                   record=rec, field="penalty")
        if self.shelf_life_h is not None and not (self.shelf_life_h > 0):
            raise ProblemError(f"order {rec!r}: shelf_life_h must be positive", record=rec, field="shelf_life_h")
        if self.vehicle_types is not None:
            if isinstance(self.vehicle_types, str):
                object.__setattr__(self, "vehicle_types", (self.vehicle_types,))
            if _len(self.vehicle_types) is None:
                raise ProblemError(f"order {rec!r}: vehicle_types must be a list of vehicle type names",
                                   record=rec, field="vehicle_types")
            object.__setattr__(self, "vehicle_types", tuple(str(v) for v in self.vehicle_types))
            if not self.vehicle_types:
                raise ProblemError(f"order {rec!r}: vehicle_types is empty", record=rec, field="vehicle_types")

    @property
    def location(self) -> str:
        """The matrix id of this order's place."""
        return self.node_id if self.node_id is not None else f"@{self.id}"


# --------------------------------------------------------------------------- problem


@dataclass(frozen=True)
class Problem:
    """A validated routing problem: where (matrix), what (orders), with what (fleet).

    Give either a :class:`networks.Network` (its road graph or great-circle
    fallback supplies the matrix) or an explicit :class:`networks.TravelMatrix`
    whose ids cover every depot and order node.  ``objective='distance'`` makes
    the solver minimise total distance only (benchmark convention); the default
    ``'cost'`` uses vehicle costs plus the cold-chain cost model.  With
    ``strict=False`` an order that fits no vehicle is kept and reported unserved
    with the reason, instead of rejecting the whole problem (daily batch jobs).
    """

    orders: tuple[Order, ...]
    fleet: tuple[VehicleType, ...]
    products: Mapping[str, Product] = field(default_factory=lambda: {"goods": GOODS})
    network: Network | None = None
    matrix: TravelMatrix | None = None
    costs: Any = None
    objective: str = "cost"
    name: str = "problem"
    day: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    strict: bool = True

    def __post_init__(self) -> None:
        from .coldchain import CostModel

        orders = tuple(self.orders)
        fleet = tuple(self.fleet)
        object.__setattr__(self, "orders", orders)
        object.__setattr__(self, "fleet", fleet)
        if isinstance(self.products, (list, tuple)):
            object.__setattr__(self, "products", {p.name: p for p in self.products})
        object.__setattr__(self, "products", dict(self.products))
        if self.costs is None:
            object.__setattr__(self, "costs", CostModel())
        if self.day is not None:
            try:
                pd.Timestamp(str(self.day))
            except (ValueError, TypeError, OverflowError):
                raise ProblemError(f"day {self.day!r} is not a date (YYYY-MM-DD)", record=self.name,
                                   field="day") from None
        if self.objective not in ("cost", "distance"):
            raise ProblemError(f"objective {self.objective!r} is not 'cost' or 'distance'", record=self.name,
                               field="objective")
        if not fleet:
            raise ProblemError("the fleet is empty", record=self.name, field="fleet")
        names = [v.name for v in fleet]
        for n in names:
            if names.count(n) > 1:
                raise ProblemError(f"vehicle type {n!r} appears more than once", record=n, field="name")
        ids = set()
        for o in orders:
            if o.id in ids:
                raise ProblemError(f"order {o.id!r} appears more than once", record=o.id, field="id")
            ids.add(o.id)
            for p in o.quantities:
                if p not in self.products:
                    raise ProblemError(f"order {o.id!r}: unknown product {p!r}", record=o.id,
                                       field=f"quantities.{p}")
            for k, vt_name in enumerate(o.vehicle_types or ()):
                if vt_name not in names:
                    raise ProblemError(f"order {o.id!r}: unknown vehicle type {vt_name!r}", record=o.id,
                                       field=f"vehicle_types[{k}]")
        self._check_pairs()
        if self.matrix is None:
            if self.network is None:
                raise ProblemError("give a network or a travel matrix", record=self.name, field="matrix")
            object.__setattr__(self, "matrix", self._build_matrix())
        self._check_locations()
        self._check_sizes()

    # -- validation helpers ---------------------------------------------------------------
    def _check_pairs(self) -> None:
        by_id = {o.id: o for o in self.orders}
        partner: dict[str, str] = {}
        for o in self.orders:
            if o.pair is None:
                continue
            if o.pair not in by_id:
                raise ProblemError(f"order {o.id!r}: paired order {o.pair!r} does not exist", record=o.id,
                                   field="pair")
            q = by_id[o.pair]
            if o.kind == q.kind:
                raise ProblemError(f"order {o.id!r}: paired with {q.id!r} of the same kind {o.kind!r}",
                                   record=o.id, field="pair")
            if q.pair not in (None, o.id):
                raise ProblemError(f"order {o.id!r}: its pair {q.id!r} is paired with {q.pair!r}", record=o.id,
                                   field="pair")
            if o.required != q.required:
                raise ProblemError(f"order {o.id!r}: paired orders must both be required or both optional",
                                   record=o.id, field="required")
            partner[o.id] = q.id
            partner[q.id] = o.id
        for a, b in partner.items():
            if by_id[a].quantities != by_id[b].quantities:
                raise ProblemError(f"order {a!r}: quantities differ from its pair {b!r}", record=a,
                                   field="quantities")
        object.__setattr__(self, "_partner", partner)

    def _build_matrix(self) -> TravelMatrix:
        from networks.paths import points_travel_matrix

        net = self.network
        locs = self.location_ids()
        lon, lat = [], []
        byid = {o.location: o for o in self.orders if o.node_id is None}
        for loc in locs:
            if loc in byid:
                lon.append(float(byid[loc].lon))
                lat.append(float(byid[loc].lat))
            else:
                if loc not in net.nodes.index:
                    raise self._unknown_node(loc)
                g = net.nodes.geometry[loc]
                lon.append(g.x)
                lat.append(g.y)
        try:
            return points_travel_matrix(locs, np.array(lon), np.array(lat), roads=net.roads)
        except NetworkError as e:
            raise ProblemError(f"travel matrix: {e}", record=e.record, field=e.field or "node_id") from e

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
        m = self.matrix
        for loc in self.location_ids():
            if loc not in m:
                raise self._unknown_node(loc)
        # reachability: an order must be reachable from and back to at least one depot
        depots = sorted({v.start_depot for v in self.fleet} | {v.end_depot for v in self.fleet})
        dmax = np.iinfo(np.int64).max // 4
        for o in self.orders:
            i = m.index(o.location)
            ok = any(m.duration[m.index(d), i] < dmax and m.duration[i, m.index(d)] < dmax for d in depots)
            if not ok:
                raise ProblemError(f"order {o.id!r}: node {o.location!r} is unreachable from every depot",
                                   record=o.id, field="node_id")

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
        """Why no vehicle can take ``o``, in a dispatcher's words."""
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
            caps = [vt.compartments[k].capacity for vt in self.fleet if vt.count > 0
                    for k in [vt.compartment_for(prod)] if k is not None]
            if not caps:
                return "quantities", f"no vehicle has a compartment that can carry {prod.zone.value} product {p!r}"
        zone_tot: dict[str, float] = {}
        for p, q in o.quantities.items():
            z = self.products[p].zone.value
            zone_tot[z] = zone_tot.get(z, 0.0) + q
        z, q = max(zone_tot.items(), key=lambda kv: kv[1])
        caps = [vt.compartments[k].capacity for vt in self.fleet if vt.count > 0
                for p in o.quantities if self.products[p].zone.value == z
                for k in [vt.compartment_for(self.products[p])] if k is not None]
        unit = next(iter(self.products[p].unit for p in o.quantities))
        cap = max(caps) if caps else 0
        if q > cap + 1e-9:
            return "quantities", f"demand {q:,.0f} {unit} exceeds the largest {z} compartment ({cap:,.0f} {unit})"
        total = sum(o.quantities.values())
        best = max(vt.capacity for vt in self.fleet if vt.count > 0)
        if total > best + 1e-9:  # a flexible partition's total capacity
            return "quantities", (f"total demand {total:,.0f} {unit} exceeds the largest vehicle capacity "
                                  f"({best:,.0f} {unit})")
        return "quantities", "its goods do not fit the compartments of any one vehicle together"

    # -- derived views used by solvers and reports -----------------------------------------
    def location_ids(self) -> list[str]:
        """Matrix ids needed: depots first (in fleet order), then order locations."""
        seen: dict[str, None] = {}
        for v in self.fleet:
            seen.setdefault(v.start_depot)
            seen.setdefault(v.end_depot)
        for o in self.orders:
            seen.setdefault(o.location)
        return list(seen)

    def compartment_loads(self, order: Order, vt: VehicleType) -> list[float] | None:
        """Load ``order`` puts in each compartment of ``vt``; None if it cannot ride it."""
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

    def order(self, order_id: str) -> Order:
        for o in self.orders:
            if o.id == order_id:
                return o
        raise KeyError(order_id)

    @property
    def order_index(self) -> dict[str, Order]:
        return {o.id: o for o in self.orders}

    def partner(self, order_id: str) -> str | None:
        return self._partner.get(order_id)  # type: ignore[attr-defined]

    def vehicles(self) -> list[tuple[str, VehicleType]]:
        """(vehicle id, type) for every vehicle, ids like 'reefer-3t#2'."""
        out = []
        for vt in self.fleet:
            for k in range(vt.count):
                out.append((f"{vt.name}#{k + 1}", vt))
        return out

    def shelf_life_s(self, o: Order) -> int | None:
        """Strictest shelf life of the order's goods, in seconds (None = unlimited)."""
        hs = [self.products[p].shelf_life_h for p, q in o.quantities.items() if q > 0
              and self.products[p].shelf_life_h is not None]
        if o.shelf_life_h is not None:
            hs.append(o.shelf_life_h)
        return int(round(min(hs) * 3600)) if hs else None

    def replace(self, **changes) -> "Problem":
        return replace(self, **changes)

    # -- frames in ------------------------------------------------------------------------
    @staticmethod
    def orders_from_frame(frame: pd.DataFrame) -> list[Order]:
        return orders_from_frame(frame)


def orders_from_frame(frame: pd.DataFrame) -> list[Order]:
    """Orders from a DataFrame/GeoDataFrame.

    Columns: ``order_id`` (or index), ``node_id`` or point geometry / ``lon``+``lat``,
    ``kind``, quantities as ``qty_<product>`` columns (or a ``quantities`` dict
    column), ``tw_start``/``tw_end`` (seconds or 'HH:MM') or a ``time_windows``
    list column, ``service``, ``required``, ``penalty``, ``pair``,
    ``shelf_life_h``, ``soft``, ``carrier``, ``vehicle_types`` (a list or a
    ``;``-separated string of fleet type names).
    """
    if "order_id" not in frame.columns:
        frame = frame.reset_index().rename(columns={frame.index.name or "index": "order_id"})
    has_geom = hasattr(frame, "geometry") and "geometry" in frame.columns
    if has_geom and frame.crs is not None and str(frame.crs).upper() not in ("EPSG:4326", "OGC:CRS84"):
        frame = frame.to_crs("EPSG:4326")
    qty_cols = [c for c in frame.columns if str(c).startswith("qty_")]
    orders = []
    for row_no, (_, r) in enumerate(frame.iterrows()):
        rec = r.get("order_id")

        def get(name, default=None):
            v = r.get(name, default)
            if v is None:
                return default
            if isinstance(v, float) and math.isnan(v):
                return default
            return v

        if "quantities" in frame.columns and isinstance(r["quantities"], Mapping):
            q = dict(r["quantities"])
        else:
            q = {c[4:]: r[c] for c in qty_cols if get(c) is not None}
            if not qty_cols and get("demand") is not None:
                q = {"goods": r["demand"]}
        if get("time_windows") is not None:
            try:
                tws = tuple(tuple(w) for w in r["time_windows"])
            except TypeError:  # a number, or a list of numbers
                raise ProblemError(f"order {rec!r} (row {row_no}): time_windows {r['time_windows']!r} is not a list "
                                   f"of (start, end) pairs", record=rec, field="time_windows") from None
        elif get("tw_start") is not None or get("tw_end") is not None:
            tws = ((get("tw_start", 0), get("tw_end", DAY)),)
        else:
            tws = ((0, DAY),)
        lon = get("lon")
        lat = get("lat")
        if has_geom and get("node_id") is None and r.geometry is not None:
            if r.geometry.is_empty:
                raise ProblemError(f"order {rec!r} (row {row_no}): empty geometry", record=rec, field="geometry")
            lon, lat = r.geometry.x, r.geometry.y
        orders.append(Order(
            id=rec, quantities=q, node_id=get("node_id"), lon=lon, lat=lat, kind=get("kind", "delivery"),
            time_windows=tws, service=get("service", 0), required=_flag(get("required", True), rec, "required"),
            penalty=get("penalty"), pair=get("pair"), shelf_life_h=get("shelf_life_h"),
            soft=_flag(get("soft", False), rec, "soft"), carrier=get("carrier"),
            vehicle_types=_vehicle_types(get("vehicle_types")),
        ))
    return orders


def _vehicle_types(value) -> tuple[str, ...] | None:
    """A frame cell of vehicle type names: a list, or 'a;b' text as CSV files hold it."""
    if value is None:
        return None
    if isinstance(value, str):
        names = [v.strip() for v in value.split(";") if v.strip()]
        return tuple(names) if names else None
    if _len(value) is None:
        return value  # not a list: Order names the field
    return tuple(str(v) for v in value)


_FLAGS = {"true": True, "false": False, "yes": True, "no": False, "y": True, "n": False, "t": True, "f": False,
          "1": True, "0": False}


def _flag(value, record, field: str) -> bool:
    """A frame cell as a boolean: bools and numbers as Python sees them, text as true/false/yes/no/1/0."""
    if isinstance(value, str):
        b = _FLAGS.get(value.strip().lower())
        if b is None:
            raise ProblemError(f"order {record!r}: {field} {value!r} is not true/false", record=record, field=field)
        return b
    if isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        return bool(value)
    raise ProblemError(f"order {record!r}: {field} {value!r} is not true/false", record=record, field=field)
