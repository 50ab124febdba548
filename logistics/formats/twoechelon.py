"""Reader for the unified 2E-CVRP ``.dat`` format and the best-known costs of bundled instances.


File format (Breunig, Schmid, Hartl & Vidal 2016; ``!`` starts a comment line)::

    !Trucks: (total #, capacity, cost per distance, fixcost)
    3,15000,1,0
    !CityFreighters: (max cf/sat, total #, cap, cost/dist, fixcost)
    4,4,6000,1,0
    !Stores: (first: depot x,y; then: satellites x,y[,handlingCost])
    145,215   148,232   146,208
    !Customers: (x,y,demand)
    151,264,1100   159,261,700   ...

"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from logistics.core.errors import ProblemError
from logistics.core.twoechelon import BEST_KNOWN, TwoEchelonInstance

#: Best-known costs available with the stored data (the source repository's README gives only this one).


def best_known(name: str) -> float | None:
    """Best-known cost of a bundled 2E-CVRP instance.

    Parameters
    ----------
    name
        Instance name or file path (its stem is looked up).

    Returns
    -------
    float or None
        The cost, or ``None`` when it is not known.
    """
    return BEST_KNOWN.get(Path(name).stem)


def _numbers(token: str, path, what: str) -> list[float]:
    try:
        return [float(x) for x in token.split(",") if x != ""]
    except ValueError:
        raise ProblemError(
            f"{path}: {what}: {token!r} is not a comma-separated list of numbers", record=str(path), field=what
        ) from None


def read_2evrp(path: str | Path) -> TwoEchelonInstance:
    """Read a 2E-VRP ``.dat`` file in the unified format (see the module docstring).

    Parameters
    ----------
    path
        The ``.dat`` file; ``!`` lines are comments.

    Returns
    -------
    TwoEchelonInstance
        The instance; its name is the file's stem.

    Raises
    ------
    ProblemError
        A line is missing or not a list of numbers (field ``format`` or the section's name).
    """
    path = Path(path)
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("!")]
    if len(lines) < 4:
        raise ProblemError(
            f"{path}: expected trucks, city freighters, stores and customers lines, found {len(lines)} data line(s)",
            record=str(path),
            field="format",
        )
    trucks = _numbers(lines[0].replace(" ", ""), path, "trucks")
    cfs = _numbers(lines[1].replace(" ", ""), path, "city freighters")
    if len(trucks) < 4 or len(cfs) < 5:
        raise ProblemError(f"{path}: trucks need 4 values and city freighters 5", record=str(path), field="format")
    stores = [_numbers(t, path, "stores") for t in re.split(r"\s+", lines[2])]
    if len(stores) < 2 or any(len(s) < 2 for s in stores):
        raise ProblemError(
            f"{path}: stores need a depot and at least one satellite as x,y", record=str(path), field="stores"
        )
    cust = [_numbers(t, path, "customers") for ln in lines[3:] for t in re.split(r"\s+", ln)]
    if not cust or any(len(c) != 3 for c in cust):
        raise ProblemError(f"{path}: customers must be x,y,demand triples", record=str(path), field="customers")
    sats = np.array([s[:2] for s in stores[1:]], dtype=float)
    handling = np.array([s[2] if len(s) > 2 else 0.0 for s in stores[1:]], dtype=float)
    c = np.array(cust, dtype=float)
    return TwoEchelonInstance(
        name=path.stem,
        truck_count=int(trucks[0]),
        truck_capacity=trucks[1],
        truck_cost=trucks[2],
        truck_fixed=trucks[3],
        cf_per_satellite=int(cfs[0]),
        cf_count=int(cfs[1]),
        cf_capacity=cfs[2],
        cf_cost=cfs[3],
        cf_fixed=cfs[4],
        depot=(stores[0][0], stores[0][1]),
        satellites=sats,
        handling=handling,
        customers=c[:, :2],
        demand=c[:, 2],
        path=str(path),
    )
