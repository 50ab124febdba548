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
    """A 2E-CVRP instance as the ``.dat`` file gives it (Breunig, Schmid, Hartl & Vidal 2016).

    Distances are Euclidean in the instance's own units; costs are per unit of distance.

    Attributes
    ----------
    name
        Instance name (the file's stem), the key of `BEST_KNOWN`.
    truck_count
        Trucks available (first echelon: depot → satellites).
    truck_capacity
        Capacity of one truck, in demand units.
    truck_cost
        Truck cost per unit of distance.
    truck_fixed
        Fixed cost per truck used.
    cf_per_satellite
        Most city freighters based at one satellite.
    cf_count
        City freighters available in all.
    cf_capacity
        Capacity of one city freighter.
    cf_cost
        City freighter cost per unit of distance.
    cf_fixed
        Fixed cost per city freighter used.
    depot
        (x, y) of the depot.
    satellites
        (k, 2) coordinates of the satellites.
    handling
        (k,) cost per unit of freight through each satellite.
    customers
        (n, 2) coordinates of the customers.
    demand
        (n,) demand of each customer.
    path
        File it was read from, if any.
    """

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
        """Number of customers."""
        return len(self.demand)

    @property
    def n_satellites(self) -> int:
        """Number of satellites."""
        return len(self.satellites)

    @property
    def best_known(self) -> float | None:
        """Best-known cost from `BEST_KNOWN`, or ``None`` when the instance is not listed."""
        return BEST_KNOWN.get(self.name)

    def ids(self) -> list[str]:
        """Location ids in matrix order: ``D``, ``S1``..``Sk``, ``c1``..``cn``.

        Returns
        -------
        list of str
            The depot, then the satellites, then the customers.
        """
        return ["D"] + [f"S{k + 1}" for k in range(self.n_satellites)] + [f"c{i + 1}" for i in range(self.n_customers)]

    def xy(self) -> np.ndarray:
        """Coordinates of every location, in the order of `ids`.

        Returns
        -------
        numpy.ndarray
            A (1 + k + n, 2) float array.
        """
        return np.vstack([np.asarray(self.depot, dtype=float)[None, :], self.satellites, self.customers])

    def distance(self) -> np.ndarray:
        """Euclidean distances between every pair of locations (not rounded).

        Returns
        -------
        numpy.ndarray
            A square float array in the order of `ids`.
        """
        p = self.xy()
        d: np.ndarray = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(-1))
        return d
