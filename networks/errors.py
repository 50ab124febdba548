"""Errors raised by the networks package.

Every error names the offending record and field so that a planner can fix the
input file without reading a traceback.
"""

from __future__ import annotations


class NetworkError(ValueError):
    """Invalid network, road layer or matrix input.

    A ``ValueError`` so that generic input handling catches it, with the record and
    field attached so that tools can point at the offending cell.

    Parameters
    ----------
    message : str
        What is wrong, in words a planner understands.
    record : object, optional
        The node id, road row label or file path at fault.
    field : str, optional
        The column or option at fault.
    """

    def __init__(self, message: str, *, record: object | None = None, field: str | None = None) -> None:
        self.record = record
        self.field = field
        super().__init__(message)


class UnreachableError(NetworkError):
    """Some node pairs have no path on the road graph.

    Parameters
    ----------
    message : str
        Names the first few pairs.
    pairs : list of tuple
        Every ``(from, to)`` pair without a path, for reports and fixes.
    """

    def __init__(self, message: str, pairs: list[tuple[object, object]]) -> None:
        self.pairs = pairs
        super().__init__(message, field="geometry")
