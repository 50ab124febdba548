"""Where a problem's travel times come from, in words a dispatcher can weigh.

A plan is only as good as its travel times: fastest paths on surveyed roads, on an
OpenStreetMap extract, on a generated road graph, figures from a matrix file, or straight
lines stretched by a detour factor at an assumed speed.  [travel_source][logistics.core.travel_source.travel_source]
names which one a [Problem][logistics.core.problem.Problem] uses, so result files, maps and the
command line can say so next to every figure (an estimate is never presented as measured).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logistics.core.problem import Problem

__all__ = ["TravelSource", "travel_source"]

#: ``Problem.meta`` key a job reader sets to the name of the matrix file it read.
MATRIX_FILE_KEY = "matrix_file"


@dataclass(frozen=True)
class TravelSource:
    """The origin of a problem's travel matrix.

    Parameters
    ----------
    kind
        ``"road graph"``, ``"OpenStreetMap"``, ``"synthetic road graph"``, ``"matrix"`` or
        ``"straight-line estimate"``.
    detail
        The matrix's own ``source`` text (file name, road graph fingerprint, detour and speed).
    estimated
        The figures are estimates (straight lines or generated roads), not measured travel.
    """

    kind: str
    detail: str
    estimated: bool

    @property
    def label(self) -> str:
        """One line for summaries: the kind, the detail, and ``estimate`` when it is one."""
        tail = ", an estimate" if self.estimated and self.kind != "straight-line estimate" else ""
        return f"{self.kind} ({self.detail}{tail})" if self.detail else self.kind + tail

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``plan.meta`` and result files.

        Returns
        -------
        dict
            ``kind``, ``detail``, ``estimated`` and ``label``.
        """
        return {"kind": self.kind, "detail": self.detail, "estimated": self.estimated, "label": self.label}


def travel_source(problem: Problem) -> TravelSource:
    """Which travel times ``problem`` plans with.

    Parameters
    ----------
    problem
        A built problem (its matrix is set).

    Returns
    -------
    TravelSource
        A matrix file named in ``problem.meta["matrix_file"]`` or given in Python is a
        ``"matrix"``; a matrix built from the network is a road graph (``"OpenStreetMap"`` when
        the graph says it came from an extract, ``"synthetic road graph"`` when it was
        generated) or, without roads, a ``"straight-line estimate"`` (great circles times the
        detour factor at the assumed speed).
    """
    m = problem.travel_matrix
    src = str(m.source)
    meta = problem.meta or {}
    if meta.get(MATRIX_FILE_KEY):
        return TravelSource("matrix", f"file {meta[MATRIX_FILE_KEY]}", bool(m.synthetic))
    if src.startswith("great-circle"):
        return TravelSource("straight-line estimate", src, True)
    if src.startswith("road graph"):
        roads = problem.network.roads if problem.network is not None else None
        graph_source = str(getattr(roads, "graph", {}).get("source", "")) if roads is not None else ""
        if graph_source.startswith("OpenStreetMap"):
            return TravelSource("OpenStreetMap", graph_source, bool(m.synthetic))
        if m.synthetic:
            return TravelSource("synthetic road graph", src, True)
        return TravelSource("road graph", src, False)
    return TravelSource("matrix", src, bool(m.synthetic))
