"""Travel matrices for a Network: road-graph shortest paths or great-circle fallback."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .matrix import DEFAULT_DETOUR, DEFAULT_SPEED_KMH, TravelMatrix, great_circle_matrix

if TYPE_CHECKING:  # pragma: no cover
    from .model import Network


def points_travel_matrix(ids: Sequence, lon: np.ndarray, lat: np.ndarray, *, roads: Any = None,
                         detour: float = DEFAULT_DETOUR, speed_kmh: float = DEFAULT_SPEED_KMH) -> TravelMatrix:
    """Matrix between arbitrary points: shortest paths on ``roads`` if given, else great circles."""
    if roads is not None:
        raise NotImplementedError("road-graph matrices are not available yet")
    return great_circle_matrix(list(ids), lon, lat, detour=detour, speed_kmh=speed_kmh)


def travel_matrix(network: "Network", ids: Sequence | None = None, **kwargs) -> TravelMatrix:
    nodes = network.nodes if ids is None else network.nodes.loc[list(ids)]
    return points_travel_matrix(list(nodes.index), nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy(),
                                roads=network.roads, **kwargs)
