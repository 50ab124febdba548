"""Travel matrices: integer distance (m) and duration (s) arrays between node ids.

Matrices are the only thing the solver layer needs from the world, so they are
plain numpy arrays with the ids that label their rows and columns.  Integers at
this boundary keep OR-Tools exact and make plans reproducible.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import NetworkError, UnreachableError

#: Mean Earth radius (m), IUGG.
EARTH_RADIUS_M = 6_371_008.8
#: Road length / straight length assumed without a road graph (rural China).
DEFAULT_DETOUR = 1.3
#: Average speed (km/h) assumed without a road graph.
DEFAULT_SPEED_KMH = 45.0


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Distances (metres) and durations (seconds) between ``ids``; may be asymmetric.

    The only thing the solver needs from the world; arrays are converted to
    read-only int64 on construction so that plans are exact and reproducible.

    Parameters
    ----------
    ids : tuple
        Unique labels of rows and columns.
    distance, duration : numpy.ndarray
        ``(n, n)``; ``distance[i, j]`` is the cost of going from ``ids[i]`` to
        ``ids[j]``.  Floats are rounded; they must be finite and non-negative.
    synthetic : bool
        The figures are estimates (great-circle or generated roads), so reports can
        flag them.
    source : str
        How the figures were obtained, for reports.

    Raises
    ------
    NetworkError
        Duplicate ids, wrong shapes or negative entries.
    UnreachableError
        A non-finite entry (a pair with no path).
    """

    ids: tuple[Any, ...]
    distance: np.ndarray
    duration: np.ndarray
    synthetic: bool = False
    source: str = "explicit"
    _pos: dict[Any, int] = field(default_factory=dict, repr=False, compare=False)

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

    def index(self, node_id: Hashable) -> int:
        """Row/column of ``node_id``.

        Parameters
        ----------
        node_id : hashable
            One of `ids`.

        Returns
        -------
        int
            Its position.

        Raises
        ------
        NetworkError
            ``node_id`` is not in the matrix.
        """
        try:
            return self._pos[node_id]
        except KeyError:
            raise NetworkError(
                f"node {node_id!r} is not in the travel matrix", record=node_id, field="node_id"
            ) from None

    def indices(self, node_ids: Iterable[Hashable]) -> np.ndarray:
        """Rows/columns of ``node_ids``, for fancy indexing of the arrays.

        Parameters
        ----------
        node_ids : iterable of hashable
            Ids of the matrix.

        Returns
        -------
        numpy.ndarray
            int64 positions, in the order given.
        """
        return np.array([self.index(k) for k in node_ids], dtype=np.int64)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._pos

    def sub(self, node_ids: Sequence[Hashable]) -> TravelMatrix:
        """The matrix restricted (and re-ordered) to ``node_ids``, e.g. one station's villages.

        Parameters
        ----------
        node_ids : sequence of hashable
            Ids of the matrix, in the new order.

        Returns
        -------
        TravelMatrix
            Same ``synthetic`` and ``source``.
        """
        idx = self.indices(node_ids)
        return TravelMatrix(
            tuple(node_ids),
            self.distance[np.ix_(idx, idx)],
            self.duration[np.ix_(idx, idx)],
            synthetic=self.synthetic,
            source=self.source,
        )

    def to_frame(self, which: str = "distance") -> pd.DataFrame:
        """One of the arrays as a labelled table, for inspection and CSV export.

        Parameters
        ----------
        which : {"distance", "duration"}
            The array.

        Returns
        -------
        pandas.DataFrame
            Index and columns are `ids`.
        """
        return pd.DataFrame(getattr(self, which), index=list(self.ids), columns=list(self.ids))

    def to_npz(self, path: str | Path) -> None:
        """Save to a compressed ``.npz`` that `from_npz` reads without pickles.

        Parameters
        ----------
        path : str or pathlib.Path
            Target file (ids are stored as strings).
        """
        np.savez_compressed(
            path,
            ids=np.array([str(i) for i in self.ids]),
            distance=self.distance,
            duration=self.duration,
            synthetic=self.synthetic,
            source=self.source,
        )

    @classmethod
    def from_npz(cls, path: str | Path) -> TravelMatrix:
        """Read a matrix written by `to_npz`.

        Parameters
        ----------
        path : str or pathlib.Path
            An ``.npz`` file.

        Returns
        -------
        TravelMatrix
            With string ids.
        """
        with np.load(path, allow_pickle=False) as z:
            return cls(tuple(z["ids"].tolist()), z["distance"], z["duration"], bool(z["synthetic"]), str(z["source"]))


def haversine_m(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike) -> np.ndarray:
    """Great-circle distance in metres, broadcasting over arrays.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array-like of float
        Degrees; any shapes that broadcast together.

    Returns
    -------
    numpy.ndarray
        Metres on a sphere of radius `EARTH_RADIUS_M`.
    """
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def great_circle_matrix(
    ids: Sequence[Any],
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    detour: float = DEFAULT_DETOUR,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> TravelMatrix:
    """Fallback when no road graph is known: great-circle distance times a detour factor.

    The detour factor (≈1.3 for rural China) turns straight lines into plausible
    road lengths.

    Parameters
    ----------
    ids : sequence
        Point ids.
    lon, lat : array-like of float
        Point positions (degrees).
    detour : float
        Road length / straight length, at least 1.
    speed_kmh : float
        Average speed, positive.

    Returns
    -------
    TravelMatrix
        Flagged ``synthetic``.
    """
    if detour < 1.0:
        raise NetworkError(f"detour factor {detour} is below 1", field="detour")
    if speed_kmh <= 0:
        raise NetworkError(f"speed {speed_kmh} km/h is not positive", field="speed_kmh")
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    d = haversine_m(lon_a[:, None], lat_a[:, None], lon_a[None, :], lat_a[None, :]) * detour
    t = d / (speed_kmh / 3.6)
    return TravelMatrix(
        tuple(ids),
        np.rint(d).astype(np.int64),
        np.rint(t).astype(np.int64),
        synthetic=True,
        source=f"great-circle x{detour:g} @ {speed_kmh:g} km/h",
    )
