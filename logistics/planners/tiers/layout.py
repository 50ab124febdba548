"""The tier structure the planner works on: hub, stations, each village's station, the matrix.

Planning reads the network only through a [Layout][logistics.planners.tiers.layout.Layout], so benchmark
readers (2E-CVRP) can hand the planner a layout built from instance data instead of a [networks.Network][].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from logistics.core.errors import ProblemError
from logistics.core.model import Order, Product
from networks import Network, TravelMatrix

__all__ = ["Layout", "shelf_life_s"]


@dataclass(frozen=True, eq=False)
class Layout:
    """The tier structure the planner works on.

    ``hub`` and ``stations`` are node ids, ``parent`` maps every village to its
    station, ``matrix`` covers all of them, ``coords`` gives (x, y) per id for
    plan frames.  Built from a [networks.Network][] by
    `from_network`; benchmark readers build it from instance data.

    Parameters
    ----------
    hub
        The hub's node id (trunk routes start and end there).
    stations
        Station node ids, in a fixed order (the planner's order of work).
    parent
        Village id → its station id.
    matrix
        Travel matrix over the hub, the stations and the villages.
    coords
        Node id → (x, y) for the plans' route geometry.
    network
        The network the layout comes from, if any (passed on to the problems).
    """

    hub: str
    stations: tuple[str, ...]
    parent: Mapping[str, str]
    matrix: TravelMatrix
    coords: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    network: Network | None = None

    @classmethod
    def from_network(cls, network: Network, matrix: TravelMatrix | None = None) -> Layout:
        """The layout of a three-tier network.

        Parameters
        ----------
        network
            A network with one hub, stations and villages (each village's ``parent`` a station).
        matrix
            A travel matrix over the network's nodes; default ``network.travel_matrix()``.

        Returns
        -------
        Layout
            The layout; a node missing from ``matrix`` raises `ProblemError`.
        """
        tm = matrix if matrix is not None else network.travel_matrix()
        nodes = network.nodes
        parent = {str(v): str(p) for v, p in network.villages["parent"].items()}
        coords = {str(k): (float(g.x), float(g.y)) for k, g in nodes.geometry.items()}
        missing = [k for k in nodes.index if k not in tm]
        if missing:
            raise ProblemError(f"node {missing[0]!r} is not in the travel matrix", record=missing[0], field="matrix")
        return cls(network.hub_id, tuple(str(s) for s in network.stations.index), parent, tm, coords, network)

    @property
    def villages(self) -> list[str]:
        """Every village id."""
        return list(self.parent)

    def villages_of(self, station: str) -> list[str]:
        """Ids of the villages whose station is ``station``.

        Parameters
        ----------
        station
            A station id.

        Returns
        -------
        list of str
            The villages, in layout order; empty for an unknown station.
        """
        return [v for v, p in self.parent.items() if p == station]


def shelf_life_s(order: Order, products: Mapping[str, Product]) -> int | None:
    """Strictest shelf life of an order's goods in seconds (None: unlimited).

    Parameters
    ----------
    order
        The order; its own ``shelf_life_h`` counts as well as its products'.
    products
        Product name → product.

    Returns
    -------
    int or None
        Seconds, or ``None`` when nothing in the order spoils.
    """
    hs: list[float] = []
    for p, q in order.quantities.items():
        life = products[p].shelf_life_h if p in products else None
        if q > 0 and life is not None:
            hs.append(life)
    if order.shelf_life_h is not None:
        hs.append(order.shelf_life_h)
    return int(round(min(hs) * 3600)) if hs else None
