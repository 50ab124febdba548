"""Two-echelon CVRP instances and solutions: plain data shared by the reader, the planner and the checker."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Best-known costs of the bundled instances (Breunig, Schmid, Hartl & Vidal 2016).
BEST_KNOWN = {"Set2a_E-n22-k4-s10-14": 371.49}

#: Integer distance units per instance distance unit inside the solver.
SCALE = 1000


@dataclass(frozen=True, eq=False)
class TwoEchelonInstance:
    name: str
    truck_count: int
    truck_capacity: float
    truck_cost: float  # per unit distance
    truck_fixed: float
    cf_per_satellite: int
    cf_count: int
    cf_capacity: float
    cf_cost: float
    cf_fixed: float
    depot: tuple[float, float]
    satellites: np.ndarray  # (k, 2)
    handling: np.ndarray  # (k,) cost per unit of freight through each satellite
    customers: np.ndarray  # (n, 2)
    demand: np.ndarray  # (n,)
    path: str | None = None

    @property
    def n_customers(self) -> int:
        return len(self.demand)

    @property
    def n_satellites(self) -> int:
        return len(self.satellites)

    @property
    def best_known(self) -> float | None:
        return BEST_KNOWN.get(self.name)

    def ids(self) -> list[str]:
        return ["D"] + [f"S{k + 1}" for k in range(self.n_satellites)] + [f"c{i + 1}" for i in range(self.n_customers)]

    def xy(self) -> np.ndarray:
        return np.vstack([np.asarray(self.depot, dtype=float)[None, :], self.satellites, self.customers])

    def distance(self) -> np.ndarray:
        p = self.xy()
        d: np.ndarray = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(-1))
        return d
