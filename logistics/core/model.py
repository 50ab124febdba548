"""The problem's building blocks: products, compartments, vehicle types and orders.

Units at this boundary: quantities in the unit each product declares (kg by
default), times as seconds from the planning day's midnight, distances in
metres, money in yuan.  The solver converts to scaled integers once.
"""

# size: the records every layer builds problems from, with their validation, read as one

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

from logistics.core.breaks import CN_MAX_DRIVING_H, CN_MIN_REST_MIN, Break, check_rules
from logistics.core.errors import ProblemError
from logistics.core.units import (
    DAY,
    DEFAULT_CARRIERS,
    MAX_AMOUNT,
    MAX_PENALTY,
    MAX_VEHICLES,
    Zone,
    _len,
    _numbers,
    _text_map,
    fmt_clock,
    parse_clock,
)

#: Most a unit of goods may be worth, yuan (far above any goods; larger figures would let freshness outweigh
#: serving required orders in the solver's integer costs).
MAX_VALUE = 1e6
#: Fastest quality-loss rate λ, per hour (at 100/h goods lose 63 % of their value in 36 s).
MAX_DECAY_PER_H = 100.0
#: Longest shelf life, hours (ten years; the solver counts seconds in int64, so 1e300 h cannot be kept).
MAX_SHELF_LIFE_H = 87_600.0
#: Most trips of one vehicle in its shift (every extra trip adds depot reload nodes to the solver's model).
MAX_TRIPS = 20


def _check_shelf_life(hours: float | None, what: str, record: object, field: str = "shelf_life_h") -> None:
    """A shelf life (or time limit) is empty (unlimited) or a positive number of hours up to `MAX_SHELF_LIFE_H`."""
    if hours is not None and not (0 < hours <= MAX_SHELF_LIFE_H):  # NaN and inf fail too
        raise ProblemError(
            f"{what}: {field} must be positive and at most {MAX_SHELF_LIFE_H:g} "
            f"(leave it empty for unlimited), got {hours}",
            record=record,
            field=field,
        )


@dataclass(frozen=True)
class Product:
    """A kind of goods.

    ``shelf_life_h`` bounds the time between leaving the depot (delivery) or being
    picked up (pickup) and reaching the customer / the route's end, waiting
    included.  ``value`` is ¥ per unit and prices freshness loss; ``decay_per_h``
    is the exponential quality-loss rate λ (default by zone, see coldchain).

    ``ambient_limit_h`` is the time out of refrigeration: how long the goods may ride a compartment
    warmer than their ``zone`` (apples, kept at about 5 °C, may ride an unrefrigerated van from the
    orchard to the township station for a few hours).  It runs on the shelf-life clock, so goods
    riding warmer arrive within ``min(shelf_life_h, ambient_limit_h)``; goods riding their zone or
    colder within ``shelf_life_h``.  The compartment depends on the vehicle
    (`VehicleType.compartment_for`), so the limit does too.  With ``carriers`` unset, a limit lets
    the goods ride the warmer zones after their default carriers (apples: fresh, chilled, ambient),
    so a vehicle with a cold compartment for them still uses it.  ``None``: no limit of its own; the
    default carriers never put goods warmer, and ``carriers`` that do allow their whole shelf life.

    Attributes
    ----------
    name
        The name orders use in ``quantities``.
    zone
        Temperature zone the goods need (a `Zone` or its name).
    shelf_life_h
        Hours the goods may spend on a vehicle, waiting included; ``None`` = unlimited.
    value
        Yuan per unit, the price of freshness loss.
    decay_per_h
        Quality-loss rate λ per hour; ``None`` takes the zone's default.
    unit
        Unit of quantities and capacities (``"kg"``, ``"crate"``), for messages and reports.
    carriers
        Compartment zones that may carry the goods, most preferred first; ``None`` uses
        `DEFAULT_CARRIERS` (frozen goods may only ride frozen compartments), followed by the
        warmer zones when ``ambient_limit_h`` is set.
    ambient_limit_h
        Hours the goods may ride a compartment warmer than their zone; ``None`` = no limit of its own.

    Raises
    ------
    ProblemError
        A field is out of range (empty name, non-positive shelf life or ambient limit, a value
        outside 0 to `MAX_VALUE` or a decay outside 0 to `MAX_DECAY_PER_H` (infinite and NaN
        included), frozen goods allowed into a warmer compartment, an ambient limit on frozen or
        ambient goods).
    """

    name: str
    zone: Zone = Zone.AMBIENT
    shelf_life_h: float | None = None
    value: float = 0.0
    decay_per_h: float | None = None
    unit: str = "kg"
    carriers: tuple[Zone, ...] | None = None
    ambient_limit_h: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", Zone.parse(self.zone, record=self.name))
        if not self.name:
            raise ProblemError("product with an empty name", record=self.name, field="name")
        _numbers(self, ("shelf_life_h", "value", "decay_per_h", "ambient_limit_h"), "product", self.name)
        _check_shelf_life(self.shelf_life_h, f"product {self.name!r}", self.name)
        _check_shelf_life(self.ambient_limit_h, f"product {self.name!r}", self.name, "ambient_limit_h")
        if self.ambient_limit_h is not None and self.zone in (Zone.FROZEN, Zone.AMBIENT):
            why = "frozen goods may only ride frozen compartments" if self.zone == Zone.FROZEN else "nothing is warmer"
            raise ProblemError(
                f"product {self.name!r}: ambient_limit_h is set on {self.zone.value} goods, but {why}",
                record=self.name,
                field="ambient_limit_h",
            )
        if not (0 <= self.value <= MAX_VALUE):
            raise ProblemError(
                f"product {self.name!r}: value must be a number from 0 to {MAX_VALUE:g} yuan per unit, "
                f"got {self.value}",
                record=self.name,
                field="value",
            )
        if self.decay_per_h is not None and not (0 <= self.decay_per_h <= MAX_DECAY_PER_H):
            raise ProblemError(
                f"product {self.name!r}: decay_per_h must be a number from 0 to {MAX_DECAY_PER_H:g} per hour, "
                f"got {self.decay_per_h}",
                record=self.name,
                field="decay_per_h",
            )
        if self.carriers is not None:
            object.__setattr__(
                self, "carriers", tuple(Zone.parse(z, record=self.name, field="carriers") for z in self.carriers)
            )
            if self.zone == Zone.FROZEN and any(z != Zone.FROZEN for z in self.carriers):
                raise ProblemError(
                    f"product {self.name!r}: frozen goods may only ride frozen compartments",
                    record=self.name,
                    field="carriers",
                )

    @property
    def carrier_zones(self) -> tuple[Zone, ...]:
        """Compartment zones that may carry these goods, most preferred first."""
        if self.carriers is not None:
            return self.carriers
        zones = DEFAULT_CARRIERS[self.zone]
        if self.ambient_limit_h is None:
            return zones
        return zones + tuple(z for z in Zone if z.warmer_than(self.zone) and z not in zones)

    def ride_limit_h(self, compartment_zone: Zone) -> float | None:
        """Hours these goods may ride a compartment held at ``compartment_zone``.

        Parameters
        ----------
        compartment_zone
            The zone of the compartment they ride (see `VehicleType.compartment_for`).

        Returns
        -------
        float or None
            ``shelf_life_h``, or the smaller of it and ``ambient_limit_h`` when the compartment is
            warmer than the goods' zone; ``None`` when neither limits the ride.
        """
        warm = compartment_zone.warmer_than(self.zone)
        limits = [h for h in (self.shelf_life_h, self.ambient_limit_h if warm else None) if h is not None]
        return min(limits) if limits else None


GOODS = Product("goods")  # the single ambient product of classic benchmark instances


@dataclass(frozen=True)
class Compartment:
    """A compartment held at one temperature ``zone`` with a fixed ``capacity``.

    Attributes
    ----------
    zone
        Temperature the compartment is held at (a `Zone` or its name).
    capacity
        Capacity in the products' units (0 to `MAX_AMOUNT`).
    name
        Label for reports; defaults to the zone's name.

    Raises
    ------
    ProblemError
        Unknown zone or a capacity out of range.
    """

    zone: Zone
    capacity: float
    name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "zone",
            Zone.parse(
                self.zone, record=self.name if self.name is not None else str(self.zone), field="compartments.zone"
            ),
        )
        if self.name is None:
            object.__setattr__(self, "name", self.zone.value)
        _numbers(self, ("capacity",), "compartment", self.name)
        if not (0 <= self.capacity <= MAX_AMOUNT):
            raise ProblemError(
                f"compartment {self.name!r}: capacity must be a number from 0 to {MAX_AMOUNT:g}, got {self.capacity}",
                record=self.name,
                field="capacity",
            )


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

    Attributes
    ----------
    name
        Type name; vehicle ids are ``name#1``, ``name#2``, ...
    count
        Number of vehicles of this type (0 to `MAX_VEHICLES`).
    compartments
        The compartments, each at one temperature.
    start_depot
        Node id where the vehicles start.
    end_depot
        Node id where they end; ``None`` = back to ``start_depot``.
    total_capacity
        Cap on the sum of the compartments' loads (flexible partition); ``None`` = no cap.
    fixed_cost
        Yuan per vehicle used.
    cost_per_km
        Yuan per km driven.
    cost_per_hour
        Yuan per hour of route duration (driver).
    shift
        (earliest start, latest end), seconds from midnight.
    max_duration
        Longest route, seconds; ``None`` = the shift.
    max_distance
        Longest route, metres; ``None`` = unlimited.
    speed_factor
        Multiplies matrix durations (1.2 = 20 % slower).
    refrigerated
        Whether the vehicle is a reefer; ``None`` = whether any compartment is not ambient.
    carrier
        The carrier whose orders alone it serves; ``None`` = shared by every carrier.
    cost_per_travel_hour
        Yuan per hour of driving only (waiting and service free), VROOM's ``per_hour``.
    max_tasks
        Most orders one route may serve (VROOM's ``max_tasks``); ``None`` = unlimited.
    max_travel_time
        Longest driving time of a route, seconds, waiting and service excluded (VROOM's
        ``max_travel_time``); ``None`` = unlimited.
    breaks, max_driving_h, min_rest_min
        Drivers' breaks and continuous-driving rule, see `logistics.core.breaks`; by default China's
        rule (`CN_MAX_DRIVING_H` h, then a rest of `CN_MIN_REST_MIN` min); ``max_driving_h=None``:
        no rule.
    max_trips
        Most trips one vehicle makes in its shift (1 to `MAX_TRIPS`): between two trips it returns
        to its start depot, where its compartments are emptied and refilled; capacity and shelf
        life count per trip.
    reload_min
        Minutes at the depot between two trips (unloading returns, loading the next trip).
    reload_depot
        Where the vehicle reloads between two trips: its start or its end depot (``None``: its start
        depot).  A vehicle re-planned on the road starts where it stands and still reloads at home.
    on_board
        Ids of the delivery orders whose goods are on board when the route starts (a vehicle
        re-planned on the road): its first trip delivers these and only these (an empty list:
        none), any other delivery rides a later trip, loaded at a reload.  ``None``: the first trip is loaded
        at the start depot.

    Raises
    ------
    ProblemError
        A field is out of range or inconsistent (``record`` is the type name).
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
    cost_per_travel_hour: float = 0.0
    max_tasks: int | None = None
    max_travel_time: int | None = None
    breaks: tuple[Break, ...] = ()
    max_driving_h: float | None = CN_MAX_DRIVING_H
    min_rest_min: float = CN_MIN_REST_MIN
    max_trips: int = 1
    reload_min: float = 0.0
    reload_depot: str | None = None
    on_board: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        rec = self.name
        if not self.name:
            raise ProblemError("vehicle type with an empty name", record=rec, field="name")
        numeric = [f.name for f in fields(self) if f.type in ("float", "float | None", "int | None")]
        _numbers(self, numeric, "vehicle type", rec)  # every rate and limit; count is checked below
        if not isinstance(self.count, (int, np.integer)) or not (0 <= self.count <= MAX_VEHICLES):
            raise ProblemError(
                f"vehicle type {rec!r}: count must be an integer from 0 to {MAX_VEHICLES}, got {self.count!r}",
                record=rec,
                field="count",
            )
        if _len(self.compartments) is None or isinstance(self.compartments, (str, bytes, Mapping)):
            raise ProblemError(
                f"vehicle type {rec!r}: compartments must be a list of compartments", record=rec, field="compartments"
            )
        parsed: list[Compartment] = []
        for k, c in enumerate(self.compartments):
            if isinstance(c, Compartment):
                parsed.append(c)
                continue
            if not isinstance(c, Mapping):
                raise ProblemError(
                    f"vehicle type {rec!r}: compartment {k} is not a compartment ({c!r})",
                    record=rec,
                    field=f"compartments[{k}]",
                )
            try:
                parsed.append(Compartment(**c))
            except ProblemError as e:
                raise ProblemError(
                    f"vehicle type {rec!r}: compartment {k}: {e}", record=rec, field=f"compartments[{k}].{e.field}"
                ) from None
            except TypeError as e:  # unknown or missing keys
                raise ProblemError(
                    f"vehicle type {rec!r}: compartment {k}: {e}", record=rec, field=f"compartments[{k}]"
                ) from None
        comps = tuple(parsed)
        if not comps:
            raise ProblemError(f"vehicle type {rec!r} has no compartment", record=rec, field="compartments")
        names = [c.name for c in comps]
        if len(set(names)) != len(names):
            raise ProblemError(
                f"vehicle type {rec!r}: compartment names must be unique, got {names}", record=rec, field="compartments"
            )
        object.__setattr__(self, "compartments", comps)
        if self.end_depot is None:
            object.__setattr__(self, "end_depot", self.start_depot)
        object.__setattr__(self, "start_depot", str(self.start_depot))
        object.__setattr__(self, "end_depot", str(self.end_depot))
        for f in ("fixed_cost", "cost_per_km", "cost_per_hour", "cost_per_travel_hour"):
            v = getattr(self, f)
            if not (v >= 0) or not math.isfinite(v):
                raise ProblemError(
                    f"vehicle type {rec!r}: {f} must be a finite number >= 0, got {v}", record=rec, field=f
                )
        if self.total_capacity is not None and not (self.total_capacity >= 0):
            raise ProblemError(f"vehicle type {rec!r}: total_capacity must be >= 0", record=rec, field="total_capacity")
        shift = (
            parse_clock(self.shift[0], record=rec, field="shift[0]"),
            parse_clock(self.shift[1], record=rec, field="shift[1]"),
        )
        if shift[1] < shift[0]:
            raise ProblemError(
                f"vehicle type {rec!r}: shift ends ({fmt_clock(shift[1])}) before it starts ({fmt_clock(shift[0])})",
                record=rec,
                field="shift",
            )
        object.__setattr__(self, "shift", shift)
        for f in ("max_duration", "max_distance", "max_tasks", "max_travel_time"):
            v = getattr(self, f)
            if v is not None and not (v >= 0):
                raise ProblemError(f"vehicle type {rec!r}: {f} must be >= 0, got {v}", record=rec, field=f)
        if not (self.speed_factor > 0) or not math.isfinite(self.speed_factor):
            raise ProblemError(
                f"vehicle type {rec!r}: speed_factor must be positive, got {self.speed_factor}",
                record=rec,
                field="speed_factor",
            )
        if (
            isinstance(self.max_trips, bool)
            or not isinstance(self.max_trips, (int, np.integer))
            or not 1 <= self.max_trips <= MAX_TRIPS
        ):
            raise ProblemError(
                f"vehicle type {rec!r}: max_trips must be an integer from 1 to {MAX_TRIPS}, got {self.max_trips!r}",
                record=rec,
                field="max_trips",
            )
        if not (self.reload_min >= 0) or not math.isfinite(self.reload_min):
            raise ProblemError(
                f"vehicle type {rec!r}: reload_min must be a finite number >= 0, got {self.reload_min}",
                record=rec,
                field="reload_min",
            )
        home = (self.start_depot, self.end_depot or self.start_depot)
        if self.reload_depot is not None and self.reload_depot not in home:
            raise ProblemError(
                f"vehicle type {rec!r}: reload_depot {self.reload_depot!r} must be its start or end depot",
                record=rec,
                field="reload_depot",
            )
        if self.on_board is not None:
            if isinstance(self.on_board, (str, bytes)) or not all(isinstance(x, str) for x in self.on_board):
                raise ProblemError(
                    f"vehicle type {rec!r}: on_board must be a list of order ids, got {self.on_board!r}",
                    record=rec,
                    field="on_board",
                )
            object.__setattr__(self, "on_board", tuple(self.on_board))
        if self.refrigerated is None:
            object.__setattr__(self, "refrigerated", any(c.zone != Zone.AMBIENT for c in comps))
        object.__setattr__(self, "breaks", check_rules(self.breaks, self.max_driving_h, self.min_rest_min, rec))

    @property
    def reloads_at(self) -> str:
        """The depot where the vehicle reloads between two trips (``reload_depot``, else its start depot)."""
        return self.reload_depot or self.start_depot

    def compartment_for(self, product: Product) -> int | None:
        """Index of the compartment that carries ``product`` on this vehicle type.

        The rule is deterministic: the first compartment, in the product's order of
        preferred carrier zones, whose zone matches.

        Parameters
        ----------
        product
            The goods.

        Returns
        -------
        int or None
            Index into ``compartments``; ``None`` when the vehicle cannot carry the goods.
        """
        for zone in product.carrier_zones:
            for k, c in enumerate(self.compartments):
                if c.zone == zone:
                    return k
        return None

    @property
    def capacity(self) -> float:
        """Total capacity: the compartments' sum, capped by ``total_capacity``."""
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

    Attributes
    ----------
    id
        Order id (text; numbers become text).
    quantities
        Product name → amount in the product's unit.
    node_id
        Network node of the place; or give ``lon``/``lat`` instead.
    lon
        Longitude (EPSG:4326) when there is no ``node_id``.
    lat
        Latitude (EPSG:4326) when there is no ``node_id``.
    kind
        ``"delivery"`` or ``"pickup"``.
    time_windows
        (start, end) pairs for the start of service, seconds from midnight.
    service
        Service time at the place, seconds.
    required
        ``False``: the order may be left out at the cost of ``penalty``.
    penalty
        Yuan for leaving an optional order out.
    pair
        Id of the partner order of a pickup-and-delivery pair.
    shelf_life_h
        Shelf life for this order, hours; the strictest of this and its products' applies.
    soft
        Windows may be missed at the cost model's early/late rates.
    carrier
        Carrier brand; keeps the order off other carriers' vehicles.
    vehicle_types
        Names of the fleet types allowed to serve it; ``None`` = any.
    attributes
        Text the planner carries along untouched (customer name, address, phone, ...): the
        extra columns of an orders file, shown in ``stops.csv`` and the map's popups.

    Raises
    ------
    ProblemError
        A field is invalid (``record`` is the order id, ``field`` the attribute).
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
    attributes: Mapping[str, str] | None = None

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
            raise ProblemError(
                f"order {rec!r}: kind {self.kind!r} is not 'delivery' or 'pickup'", record=rec, field="kind"
            )
        if not isinstance(self.quantities, Mapping):
            raise ProblemError(
                f"order {rec!r}: quantities must map product names to amounts", record=rec, field="quantities"
            )
        q = {}
        for p, v in self.quantities.items():
            try:
                fv = float(v)
            except (TypeError, ValueError):
                raise ProblemError(
                    f"order {rec!r}: quantity of {p!r} is not a number ({v!r})", record=rec, field=f"quantities.{p}"
                ) from None
            if not math.isfinite(fv):
                raise ProblemError(
                    f"order {rec!r}: quantity of {p!r} is not finite ({v!r})", record=rec, field=f"quantities.{p}"
                )
            if fv < 0:
                raise ProblemError(
                    f"order {rec!r}: quantity of {p!r} is negative ({fv:g})", record=rec, field=f"quantities.{p}"
                )
            if fv > MAX_AMOUNT:
                raise ProblemError(
                    f"order {rec!r}: quantity of {p!r} ({fv:g}) is above the supported maximum {MAX_AMOUNT:g}",
                    record=rec,
                    field=f"quantities.{p}",
                )
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
            raise ProblemError(
                f"order {rec!r}: time_windows must be a list of (start, end) pairs, got {tws!r}",
                record=rec,
                field="time_windows",
            )
        if tws is None or len(tws) == 0:
            raise ProblemError(f"order {rec!r} has no time window", record=rec, field="time_windows")
        parsed = []
        for k, tw in enumerate(tws):
            if _len(tw) != 2:
                raise ProblemError(
                    f"order {rec!r}: time window {k} must be (start, end)", record=rec, field=f"time_windows[{k}]"
                )
            a = parse_clock(tw[0], record=rec, field=f"time_windows[{k}].start")
            b = parse_clock(tw[1], record=rec, field=f"time_windows[{k}].end")
            if b < a:
                raise ProblemError(
                    f"order {rec!r}: time window {k} ends ({fmt_clock(b)}) before it starts ({fmt_clock(a)})",
                    record=rec,
                    field=f"time_windows[{k}]",
                )
            if a < 0:
                raise ProblemError(
                    f"order {rec!r}: time window {k} starts before midnight", record=rec, field=f"time_windows[{k}]"
                )
            parsed.append((a, b))
        parsed.sort()
        for k in range(1, len(parsed)):
            if parsed[k][0] <= parsed[k - 1][1]:
                raise ProblemError(
                    f"order {rec!r}: time windows overlap ({fmt_clock(parsed[k - 1][0])}-"
                    f"{fmt_clock(parsed[k - 1][1])} and {fmt_clock(parsed[k][0])}-"
                    f"{fmt_clock(parsed[k][1])})",
                    record=rec,
                    field="time_windows",
                )
        object.__setattr__(self, "time_windows", tuple(parsed))
        svc = (
            parse_clock(self.service, record=rec, field="service")
            if not isinstance(self.service, int)
            else self.service
        )
        if svc < 0:
            raise ProblemError(f"order {rec!r}: service time is negative ({svc})", record=rec, field="service")
        object.__setattr__(self, "service", svc)
        if not self.required:
            if self.penalty is None or not (0 <= self.penalty <= MAX_PENALTY):
                raise ProblemError(
                    f"order {rec!r} is optional but has no penalty from 0 to {MAX_PENALTY:g}",
                    record=rec,
                    field="penalty",
                )
        _check_shelf_life(self.shelf_life_h, f"order {rec!r}", rec)
        if self.vehicle_types is not None:
            if isinstance(self.vehicle_types, str):
                object.__setattr__(self, "vehicle_types", (self.vehicle_types,))
            if _len(self.vehicle_types) is None:
                raise ProblemError(
                    f"order {rec!r}: vehicle_types must be a list of vehicle type names",
                    record=rec,
                    field="vehicle_types",
                )
            object.__setattr__(self, "vehicle_types", tuple(str(v) for v in self.vehicle_types))
            if not self.vehicle_types:
                raise ProblemError(f"order {rec!r}: vehicle_types is empty", record=rec, field="vehicle_types")
        if self.attributes is not None:
            object.__setattr__(self, "attributes", _text_map(self.attributes, "order", rec, "attributes"))

    @property
    def location(self) -> str:
        """The matrix id of this order's place."""
        return self.node_id if self.node_id is not None else f"@{self.id}"
