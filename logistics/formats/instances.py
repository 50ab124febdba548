"""Classic benchmark instances as `Problem` objects.

``read_instance(path)`` reads

* ``"solomon"``: Solomon and Gehring & Homberger VRPTW text files;
* ``"vrplib"``: CVRPLIB/VRPLIB CVRP files (``.vrp``), parsed with the ``vrplib`` package;
* ``"lilim"``: Li & Lim PDPTW files (pickup/delivery pairs become paired orders);
* ``"cordeau"``: Cordeau MDVRP files (several depots, route duration limits).

The format is detected from the extension and the content when not given.

Conventions (all problems use ``objective="distance"``, one ambient product
``goods`` and one ambient compartment per vehicle type):

* **Ids.** Orders keep the file's node numbers as strings.  Solomon, Homberger,
  Li & Lim: depot ``"0"``, customers ``"1".."n"``.  VRPLIB: the file's node
  numbers, so the depot is ``"1"`` and customers ``"2".."n+1"`` (a CVRPLIB
  ``.sol`` file numbers customers 1..n, i.e. customer ``i`` is order
  ``str(i + 1)``; [read_solution][logistics.formats.instances.read_solution] converts).  Cordeau: customers ``"1".."n"``
  and depots ``"n+1".."n+t"``, as in the file.
* **Integer units.** Distances, durations, time windows and service times are
  integers: the file's values times ``meta["scale"]``.  Divide solver distances
  by the scale to compare with best-known values.

  - Solomon/Homberger: DIMACS convention, each arc ``floor(10·euclid)/10``, stored
    ×10 (scale 10, rounding ``"floor"``).  The ``bks`` is the distance-only
    ``distance_dimacs`` value.
  - VRPLIB ``EUC_2D``: TSPLIB ``nint`` (scale 1, rounding ``"round"``);
    ``EXPLICIT`` weights are used as given; ``CEIL_2D`` rounds up.
  - Li & Lim and Cordeau: their best-known values use exact Euclidean
    distances, so arcs are stored to 1/100 (scale 100, rounding ``"round"``).

  ``scale`` and ``rounding`` (``"floor"``, ``"round"`` or ``"ceil"``) may be
  overridden for Solomon, Li & Lim and Cordeau files.
* **Travel time equals distance** (speed 1; Li & Lim's speed field divides, and the
  0 that a few Li & Lim files give there is read as 1).
* **Fleet.** One vehicle type ``"vehicle"`` (Cordeau: one type ``"d<depot id>"``
  per depot).  Counts: Solomon/Homberger/Li & Lim use the file's ``NUMBER``/``K``
  (25, 50 or 100); Cordeau the file's vehicles per depot.  CVRP files have no fleet
  size: a ``VEHICLES`` header is used if present, else ``k`` from the name
  (``X-n101-k25`` → 25) or ``ceil(total demand / capacity)``, plus
  ``max(2, ceil(k/10))`` spare vehicles (X best-known solutions may use more routes
  than ``k``).  ``vehicles=`` overrides the count.
* **Shift** is the depot's time window (Solomon, Li & Lim).  Files without time
  windows get one window ``(0, H)`` per order and shift ``(0, H)``, with ``H`` an
  upper bound on any route's duration (at least one day).
* ``problem.meta``: ``format``, ``instance``, ``scale``, ``rounding``, ``bks``
  (best-known value in file units, or None), ``bks_kind`` (the bks.csv column),
  ``path``, ``vehicles``, ``capacity``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from logistics.core.errors import ProblemError
from logistics.core.problem import Problem
from logistics.formats.instance_common import (
    _DEFAULTS,
    FORMATS,
    _canonical,
    _read_lines,
    bks,
    detect_format,
)
from logistics.formats.instance_readers import _read_cordeau, _read_lilim, _read_solomon, _read_vrplib

__all__ = ["FORMATS", "bks", "detect_format", "read_instance", "read_solution"]


# --------------------------------------------------------------------------- public API


def read_instance(
    path: str | Path,
    format: str | None = None,
    *,
    vehicles: int | None = None,
    scale: int | None = None,
    rounding: str | None = None,
) -> Problem:
    """Read a benchmark instance file into a distance-objective `Problem`.

    See the module docstring for ids, units and fleet rules.

    Parameters
    ----------
    path
        The instance file.
    format
        ``"solomon"`` (also Homberger), ``"vrplib"``, ``"lilim"``, ``"cordeau"``, or ``None``
        to detect it.
    vehicles
        Fleet size instead of the file's (per depot for Cordeau).
    scale
        Integer distance units per instance unit (not for VRPLIB, which keeps its own
        convention); defaults by format.
    rounding
        ``"floor"``, ``"round"`` or ``"ceil"`` of the scaled distances; defaults by format.

    Returns
    -------
    Problem
        The instance, with costs that make the objective the total distance.

    Raises
    ------
    ProblemError
        The file is missing or malformed, or an argument is out of range; the error names the
        file, line and field.
    """
    path = Path(path)
    if not path.is_file():
        raise ProblemError(f"{path}: no such instance file", record=str(path), field="path")
    fmt = _canonical(format) if format is not None else detect_format(path)
    if vehicles is not None and (not isinstance(vehicles, (int, np.integer)) or vehicles < 1):
        raise ProblemError(f"vehicles must be a positive integer, got {vehicles!r}", record=str(path), field="vehicles")
    if fmt == "vrplib":
        if scale not in (None, 1) or rounding is not None:
            raise ProblemError(
                "VRPLIB instances keep their own distance convention (no scale/rounding)",
                record=str(path),
                field="scale",
            )
        return _read_vrplib(path, vehicles)
    sc, rd = _DEFAULTS[fmt]
    sc = sc if scale is None else scale
    rd = rd if rounding is None else rounding
    if not isinstance(sc, (int, np.integer)) or sc < 1:
        raise ProblemError(f"scale must be a positive integer, got {sc!r}", record=str(path), field="scale")
    if rd not in ("floor", "round", "ceil"):
        raise ProblemError(
            f"rounding must be 'floor', 'round' or 'ceil', got {rd!r}", record=str(path), field="rounding"
        )
    reader = {"solomon": _read_solomon, "lilim": _read_lilim, "cordeau": _read_cordeau}[fmt]
    return reader(path, vehicles, int(sc), rd)


def read_solution(path: str | Path, problem: Problem | None = None) -> tuple[list[list[str]], float | None]:
    """Routes and cost of a CVRPLIB ``.sol`` file, routes as lists of order ids.

    CVRPLIB numbers customers 1..n without the depot, so customer ``i`` is VRPLIB
    node ``i + 1`` and order ``str(i + 1)``.

    Parameters
    ----------
    path
        The ``.sol`` file.
    problem
        The instance; when given, every customer is checked to be one of its orders.

    Returns
    -------
    tuple of (list of list of str, float or None)
        The routes and the ``Cost`` line's value (``None`` when the file has none).

    Raises
    ------
    ProblemError
        A route or the cost is not numeric, or a customer is not in ``problem``.
    """
    path = Path(path)
    routes: list[list[str]] = []
    cost = None
    for no, line in enumerate(_read_lines(path), 1):
        s = line.strip()
        if not s:
            continue
        m = re.match(r"(?i)route\s*#?\s*\d+\s*:(.*)$", s)
        if m:
            try:
                routes.append([str(int(x) + 1) for x in m.group(1).split()])
            except ValueError:
                raise ProblemError(
                    f"{path.name}, line {no}: route holds a non-integer customer",
                    record=f"{path.name}:{no}",
                    field="route",
                ) from None
            continue
        m = re.match(r"(?i)cost\s*:?\s*(\S+)", s)
        if m:
            try:
                cost = float(m.group(1))
            except ValueError:
                raise ProblemError(
                    f"{path.name}, line {no}: cost {m.group(1)!r} is not a number",
                    record=f"{path.name}:{no}",
                    field="cost",
                ) from None
    if problem is not None:
        known = {o.id for o in problem.orders}
        for r in routes:
            for oid in r:
                if oid not in known:
                    raise ProblemError(
                        f"{path.name}: customer {int(oid) - 1} (order {oid}) is not in the instance",
                        record=str(path),
                        field="route",
                    )
    return routes, cost
