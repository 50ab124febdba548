"""Errors of the logistics package; each names the offending record and field."""

from __future__ import annotations


class ProblemError(ValueError):
    """Invalid problem input (orders, products, fleet, costs).

    ``record`` is the id of the offending order / vehicle type / product and
    ``field`` the attribute, e.g. ``ProblemError("...", record="o17", field="time_windows[0]")``.
    """

    def __init__(self, message: str, *, record: object | None = None, field: str | None = None):
        self.record = record
        self.field = field
        super().__init__(message)


class SolverError(RuntimeError):
    """The solver failed in a way that is not the input's fault."""
