"""Saved plans (``plan.json``) read for checking: a file from elsewhere is checked record by record.

``coldroute validate`` reads plans that may have been edited by hand or written by another tool,
so before [Plan.from_dict][logistics.core.plan.Plan.from_dict] sees the document, its shape is
checked here and every problem is reported at its field (``stops[3].arrival``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from logistics.core.errors import ProblemError
from logistics.core.plan import PLAN_SECTIONS, STOP_COLUMNS, Plan, check_plan_sections
from logistics.formats.json_read import read_json_file

__all__ = ["read_plan"]

_NUMBER_COLUMNS = ("seq", "arrival", "start", "departure", "wait", "service", "travel_distance", "travel_duration")
_TEXT_COLUMNS = ("vehicle", "kind")


def read_plan(path: Path) -> Plan:
    """A plan from a ``plan.json`` file, its shape checked first.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    Plan
        The plan.

    Raises
    ------
    ProblemError
        The file is missing or not a regular file, not JSON, not a ``coldroute-plan/1``
        document, or a stop lacks a column or holds a value of the wrong type (the field is
        its path, ``stops[3].arrival``; the record is the file's name).
    """
    where = path.name
    doc = read_json_file(path, "plan file")
    check_plan_document(doc, where)
    try:
        return Plan.from_dict(doc)
    except ProblemError as e:
        raise ProblemError(f"{where}: {e}", record=where, field=e.field) from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as e:
        raise ProblemError(f"{where}: not a readable plan ({type(e).__name__}: {e})", record=where) from None


def check_plan_document(doc: Any, where: str = "plan") -> None:
    """Check the shape of a plan document: its sections and each stop's columns and types.

    Parameters
    ----------
    doc
        The parsed document.
    where
        The document's name, for errors.

    Raises
    ------
    ProblemError
        The first problem found, at its field path.
    """

    def fail(field: str, msg: str) -> ProblemError:
        return ProblemError(f"{where}: {field}: {msg}", record=where, field=field)

    if not isinstance(doc, dict):
        raise ProblemError(f"{where}: a plan is a JSON object (a {type(doc).__name__} was found)", record=where)
    try:
        check_plan_sections(doc)
    except ProblemError as e:
        raise fail(e.field or "format", str(e).removeprefix("plan: ")) from None
    for key, _ in PLAN_SECTIONS:  # a saved plan has every section, even when it is empty
        if key not in doc:
            raise fail(key, "missing")
    if not isinstance(doc["routes"].get("features", []), list):
        raise fail("routes.features", "is a list")
    for k, stop in enumerate(doc["stops"]):
        if not isinstance(stop, dict):
            raise fail(f"stops[{k}]", "a stop is an object")
        for col in STOP_COLUMNS:
            if col not in stop:
                raise fail(f"stops[{k}].{col}", "missing")
        for col in _NUMBER_COLUMNS:
            v = stop[col]
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                raise fail(f"stops[{k}].{col}", f"{v!r} is not a number")
        for col in _TEXT_COLUMNS:
            if not isinstance(stop[col], str):
                raise fail(f"stops[{k}].{col}", f"{stop[col]!r} is not text")
    for k, row in enumerate(doc["unserved"]):
        if not isinstance(row, dict) or "order_id" not in row:
            raise fail(f"unserved[{k}]", "an unserved entry is an object with order_id and reason")
