"""Travel matrices: integer distance (m) and duration (s) arrays between node ids.

Matrices are the only thing the solver layer needs from the world, so they are
plain numpy arrays with the ids that label their rows and columns.  Integers at
this boundary keep OR-Tools exact and make plans reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import NetworkError, UnreachableError

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_DETOUR = 1.3
DEFAULT_SPEED_KMH = 45.0


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Distances (metres) and durations (seconds) between ``ids``; may be asymmetric.

    ``distance[i, j]`` is the cost of going from ``ids[i]`` to ``ids[j]``.
    ``synthetic`` says the figures are estimates (great-circle or generated roads),
    so reports can flag them.
    """

    ids: tuple
    distance: np.ndarray
    duration: np.ndarray
    synthetic: bool = False
    source: str = "explicit"
    _pos: dict = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        ids = tuple(self.ids)
        object.__setattr__(self, "ids", ids)
        n = len(ids)
        if len(set(ids)) != n:
            dup = pd.Series(ids)[pd.Series(ids).duplicated()].iloc[0]
            raise NetworkError(f"matrix id {dup!r} appears more than once", record=dup, field="ids")
        for name in ("distance", "duration"):
            arr = np.asarray(getattr(self, name))
            if arr.shape != (n, n):
                raise NetworkError(f"{name} matrix has shape {arr.shape}, expected ({n}, {n})", field=name)
            if not np.issubdtype(arr.dtype, np.integer):
                if not np.all(np.isfinite(arr)):
                    i, j = np.argwhere(~np.isfinite(arr))[0]
                    raise UnreachableError(
                        f"{name} from {ids[i]!r} to {ids[j]!r} is not finite (unreachable)", [(ids[i], ids[j])]
                    )
                arr = np.rint(arr)
            arr = arr.astype(np.int64)
            if (arr < 0).any():
                i, j = np.argwhere(arr < 0)[0]
                raise NetworkError(f"{name} from {ids[i]!r} to {ids[j]!r} is negative", record=ids[i], field=name)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "_pos", {k: i for i, k in enumerate(ids)})

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, node_id) -> int:
        try:
            return self._pos[node_id]
        except KeyError:
            raise NetworkError(
                f"node {node_id!r} is not in the travel matrix", record=node_id, field="node_id"
            ) from None

    def indices(self, node_ids: Iterable) -> np.ndarray:
        return np.array([self.index(k) for k in node_ids], dtype=np.int64)

    def __contains__(self, node_id) -> bool:
        return node_id in self._pos

    def sub(self, node_ids: Sequence) -> TravelMatrix:
        """The matrix restricted (and re-ordered) to ``node_ids``."""
        idx = self.indices(node_ids)
        return TravelMatrix(
            tuple(node_ids),
            self.distance[np.ix_(idx, idx)],
            self.duration[np.ix_(idx, idx)],
            synthetic=self.synthetic,
            source=self.source,
        )

    def to_frame(self, which: str = "distance") -> pd.DataFrame:
        return pd.DataFrame(getattr(self, which), index=list(self.ids), columns=list(self.ids))

    def to_npz(self, path) -> None:
        np.savez_compressed(
            path,
            ids=np.array([str(i) for i in self.ids]),
            distance=self.distance,
            duration=self.duration,
            synthetic=self.synthetic,
            source=self.source,
        )

    @classmethod
    def from_npz(cls, path) -> TravelMatrix:
        with np.load(path, allow_pickle=False) as z:
            return cls(tuple(z["ids"].tolist()), z["distance"], z["duration"], bool(z["synthetic"]), str(z["source"]))


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres, broadcasting over arrays."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def great_circle_matrix(
    ids: Sequence,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    detour: float = DEFAULT_DETOUR,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> TravelMatrix:
    """Fallback when no road graph is known: great-circle distance times a detour factor.

    The detour factor (≈1.3 for rural China) turns straight lines into plausible
    road lengths; the result is flagged ``synthetic``.
    """
    if detour < 1.0:
        raise NetworkError(f"detour factor {detour} is below 1", field="detour")
    if speed_kmh <= 0:
        raise NetworkError(f"speed {speed_kmh} km/h is not positive", field="speed_kmh")
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    d = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :]) * detour
    t = d / (speed_kmh / 3.6)
    return TravelMatrix(
        tuple(ids),
        np.rint(d).astype(np.int64),
        np.rint(t).astype(np.int64),
        synthetic=True,
        source=f"great-circle x{detour:g} @ {speed_kmh:g} km/h",
    )
