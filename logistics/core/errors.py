"""Errors of the logistics package; each names the offending record and field."""

from __future__ import annotations


class ProblemError(ValueError):
    """Invalid problem input (orders, products, fleet, costs).

    ``record`` is the id of the offending order / vehicle type / product and
    ``field`` the attribute, e.g. ``ProblemError("...", record="o17", field="time_windows[0]")``.
    Job files, the command line (exit code and ``--json`` output) and the batch summary report
    both, so a dispatcher can find the cell to fix.

    Parameters
    ----------
    message
        What is wrong, in a dispatcher's words.
    record
        Id of the offending record, or ``None``.
    field
        Name (or path) of the offending field, or ``None``.
    """

    def __init__(self, message: str, *, record: object | None = None, field: str | None = None):
        self.record = record
        self.field = field
        super().__init__(message)


class SolverError(RuntimeError):
    """The solver failed in a way that is not the input's fault.

    A bug or an engine failure rather than bad data: callers should report it, not ask the user
    to fix the problem.
    """


class ProblemErrors(ProblemError):
    """Several problems with one input, reported together so one run shows every fix to make.

    Behaves as its first error for callers that read one ``record`` and ``field``; the message
    lists every error on its own line, and ``errors`` holds them all.

    Parameters
    ----------
    errors
        The errors, in the order found (at least two; a single error is raised as itself).
    """

    def __init__(self, errors: list[ProblemError]):
        self.errors = list(errors)
        first = self.errors[0]
        lines = "\n".join(str(e) for e in self.errors)
        super().__init__(f"{len(self.errors)} problems:\n{lines}", record=first.record, field=first.field)

    def __reduce__(self) -> tuple[type[ProblemErrors], tuple[list[ProblemError]]]:
        """Pickle by the list of errors, so worker processes hand every error back."""
        return (ProblemErrors, (self.errors,))
