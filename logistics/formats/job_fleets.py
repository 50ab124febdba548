"""The fleets of a job file: the single-tier ``fleet`` and the ``tiers`` block of a three-tier day.

A tiered job names a trunk fleet (hub ↔ stations), a last-mile fleet (one list for every station
and the hub, or one per depot), the handling time at a station, the hub-direct policy, the
stations' cold stores and their opening hours.  [read_tiers][logistics.formats.job_fleets.read_tiers]
checks every value against the job's network and returns a `TierSpec`; the planner's own
settings object is built from it one layer up (formats never import the planners).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from logistics.core.errors import ProblemError
from logistics.core.model import Compartment, Order, VehicleType
from logistics.core.units import parse_clock
from logistics.formats.documents import prefixed_error
from networks import Network

__all__ = ["TierSpec", "build_fleet", "read_tiers"]


@dataclass(frozen=True)
class TierSpec:
    """A job's ``tiers`` block, checked against its network.

    Parameters
    ----------
    trunk_fleet
        Vehicle types of the trunk (based at the hub).
    last_mile_fleet
        Van types for every station and the hub, or depot id → van types.
    handling_s
        Seconds to unload and reload goods at a station.
    direct_from_hub
        ``"auto"``, ``True``, ``False`` or village ids served straight from the hub.
    cold_store_capacity
        Station id → cold-store capacity (the products' units), or ``None``: no limit given.
    opening_hours
        Station id → ``(open, close)`` in seconds from midnight, or ``None``: always open.
    rebalance, boundary_ratio, direct_ratio
        The planner's boundary pass and ratios (see [logistics.plan_tiers][]).
    """

    trunk_fleet: tuple[VehicleType, ...]
    last_mile_fleet: tuple[VehicleType, ...] | dict[str, tuple[VehicleType, ...]]
    handling_s: int = 1800
    direct_from_hub: Any = "auto"
    cold_store_capacity: dict[str, float] | None = None
    opening_hours: dict[str, tuple[int, int]] | None = None
    rebalance: bool | int = True
    boundary_ratio: float = 1.5
    direct_ratio: float = 1.0

    def vehicle_types(self, hub: str) -> list[tuple[str, VehicleType]]:
        """Every vehicle type of the block, based at ``hub`` and uniquely named, with its job field.

        A job's problem is built with these so that orders and products are checked against the
        vehicles that will carry them; the planner moves them to their own depots.

        Parameters
        ----------
        hub
            The network's hub id.

        Returns
        -------
        list of (str, VehicleType)
            ``("tiers.trunk_fleet[0]", type)``, ``("tiers.last_mile_fleet.st1[0]", type@st1)``, ...
        """
        out = [
            (f"tiers.trunk_fleet[{k}]", replace(v, start_depot=hub, end_depot=hub))
            for k, v in enumerate(self.trunk_fleet)
        ]
        if isinstance(self.last_mile_fleet, dict):
            for d, vts in self.last_mile_fleet.items():
                out += [
                    (
                        f"tiers.last_mile_fleet.{d}[{k}]",
                        replace(v, name=f"{v.name}@{d}", start_depot=hub, end_depot=hub),
                    )
                    for k, v in enumerate(vts)
                ]
        else:
            out += [
                (f"tiers.last_mile_fleet[{k}]", replace(v, start_depot=hub, end_depot=hub))
                for k, v in enumerate(self.last_mile_fleet)
            ]
        return out


def build_fleet(
    spec: list, where: str, field: str = "fleet", *, depot: str | None = None, first: int = 0
) -> list[VehicleType]:
    """Vehicle types from a job's list of vehicle records.

    Parameters
    ----------
    spec
        The records (schema-checked).
    where
        The job's name, for errors.
    field
        The list's path in the job (``fleet``, ``tiers.trunk_fleet``), prefixed to errors.
    depot
        The depot of records without ``start_depot`` (tier fleets, whose depots the planner sets).
    first
        Index in the job's list of the first record (errors name ``<field>[first + k]``), for
        records built one at a time so that every bad one is reported.

    Returns
    -------
    list of VehicleType
        In the order given.

    Raises
    ------
    ProblemError
        A record is invalid; the field is ``<field>[k].<attribute>``.
    """
    fleet = []
    for k, v in enumerate(spec):
        try:
            kw = dict(v)
            comps = []
            for j, c in enumerate(kw.pop("compartments")):
                try:
                    comps.append(Compartment(**c))
                except ProblemError as e:
                    raise ProblemError(str(e), record=v["name"], field=f"compartments[{j}]") from None
            kw["compartments"] = tuple(comps)
            if "shift" in kw:
                kw["shift"] = tuple(kw["shift"])
            if isinstance(kw.get("max_duration"), str):
                kw["max_duration"] = parse_clock(kw["max_duration"], record=v["name"], field="max_duration")
            if depot is not None:
                kw.setdefault("start_depot", depot)
            for d in ("start_depot", "end_depot"):
                if d in kw:
                    kw[d] = str(kw[d])
            fleet.append(VehicleType(**kw))
        except ProblemError as e:
            raise prefixed_error(e, where, f"{field}[{first + k}]") from None
    return fleet


def _fail(where: str, field: str, msg: str, record: Any = None) -> ProblemError:
    return ProblemError(f"{where}: {field}: {msg}", record=where if record is None else record, field=field)


def read_tiers(spec: Mapping[str, Any], network: Network | None, where: str = "job") -> TierSpec:
    """The ``tiers`` block as a `TierSpec`, every station, village and time checked.

    Parameters
    ----------
    spec
        The block (schema-checked).
    network
        The job's network: a tiered job needs one (hub, stations, villages).
    where
        The job's name, for errors.

    Returns
    -------
    TierSpec
        The checked block.

    Raises
    ------
    ProblemError
        A value is invalid; the field is its path (``tiers.opening_hours.st1``).
    """
    if network is None:
        raise _fail(where, "network", "a tiered job needs a network with a hub, stations and villages")
    hub = network.hub_id if len(network.hub) else None
    if hub is None or not len(network.stations):
        raise _fail(where, "network", "a tiered job's network needs a hub and at least one station")
    stations = {str(s) for s in network.stations.index}
    depots = stations | {hub}
    trunk = tuple(build_fleet(spec["trunk_fleet"], where, "tiers.trunk_fleet", depot=hub))
    lm_spec = spec["last_mile_fleet"]
    lm: tuple[VehicleType, ...] | dict[str, tuple[VehicleType, ...]]
    if isinstance(lm_spec, dict):
        lm = {}
        for d, items in lm_spec.items():
            if str(d) not in depots:
                raise _fail(where, f"tiers.last_mile_fleet.{d}", f"{d!r} is neither a station nor the hub", d)
            lm[str(d)] = tuple(build_fleet(items, where, f"tiers.last_mile_fleet.{d}", depot=str(d)))
    else:
        lm = tuple(build_fleet(lm_spec, where, "tiers.last_mile_fleet", depot=hub))
    handling = spec.get("handling", 1800)
    handling_s = (
        parse_clock(handling, record=where, field="tiers.handling") if isinstance(handling, str) else int(handling)
    )
    direct = spec.get("direct_from_hub", "auto")
    if isinstance(direct, list):
        villages = {str(v) for v in network.villages.index}
        for k, v in enumerate(direct):
            if str(v) not in villages:
                raise _fail(where, f"tiers.direct_from_hub[{k}]", f"{v!r} is not a village of the network", v)
        direct = [str(v) for v in direct]
    cold = None
    if spec.get("cold_store_capacity") is not None:
        cold = {}
        for s, cap in spec["cold_store_capacity"].items():
            if str(s) not in stations:
                raise _fail(where, f"tiers.cold_store_capacity.{s}", f"{s!r} is not a station of the network", s)
            cold[str(s)] = float(cap)
    hours = None
    if spec.get("opening_hours") is not None:
        hours = {}
        for s, (a, b) in spec["opening_hours"].items():
            fp = f"tiers.opening_hours.{s}"
            if str(s) not in stations:
                raise _fail(where, fp, f"{s!r} is not a station of the network", s)
            try:
                lo, hi = parse_clock(a, record=s, field="open"), parse_clock(b, record=s, field="close")
            except ProblemError as e:
                raise _fail(where, fp, str(e), s) from None
            if hi <= lo:
                raise _fail(where, fp, f"closes ({b!r}) before it opens ({a!r})", s)
            hours[str(s)] = (lo, hi)
    return TierSpec(
        trunk_fleet=trunk,
        last_mile_fleet=lm,
        handling_s=handling_s,
        direct_from_hub=direct,
        cold_store_capacity=cold,
        opening_hours=hours,
        rebalance=spec.get("rebalance", True),
        boundary_ratio=float(spec.get("boundary_ratio", 1.5)),
        direct_ratio=float(spec.get("direct_ratio", 1.0)),
    )


def check_tier_orders(orders: list[Order], row_of: Mapping[str, int], network: Network, where: str = "job") -> None:
    """Refuse orders that are not at a village: the tier planner routes village-level orders only.

    Parameters
    ----------
    orders
        The job's orders.
    row_of
        Order id → its index in the job's orders (inline list or file rows).
    network
        The job's network.
    where
        The job's name, for errors.

    Raises
    ------
    ProblemError
        The first order not at a village (field ``orders[k].node_id``), or a paired order (``orders[k].pair``).
    """
    villages = {str(v) for v in network.villages.index}
    for o in orders:
        k = row_of.get(o.id, "?")
        if o.node_id is None or str(o.node_id) not in villages:
            at = repr(o.node_id) if o.node_id is not None else "a point"
            raise _fail(
                where, f"orders[{k}].node_id", f"{at} is not a village (a tiered job's orders are at villages)", o.id
            )
        if o.pair is not None:
            raise _fail(where, f"orders[{k}].pair", "a tiered job has no paired orders", o.id)
