"""Errors raised by the networks package.

Every error names the offending record and field so that a planner can fix the
input file without reading a traceback.
"""

from __future__ import annotations


class NetworkError(ValueError):
    """Invalid network, road layer or matrix input."""

    def __init__(self, message: str, *, record: object | None = None, field: str | None = None):
        self.record = record
        self.field = field
        super().__init__(message)


class UnreachableError(NetworkError):
    """Some node pairs have no path on the road graph."""

    def __init__(self, message: str, pairs: list[tuple[object, object]]):
        self.pairs = pairs
        super().__init__(message, field="geometry")
