"""Service calendar files: visits a week and allowed days per order or village, as JSON or YAML.

``{"days": ["Mon", ..., "Sat"], "default": {"frequency": 1}, "rules": [{"village": "v_beixiang_02",
"frequency": 2, "days": ["Mon", "Wed", "Fri"]}, {"order_id": "D007", "frequency": 1, "by": "Wed"}]}``,
checked against ``schemas/calendar.schema.json``; every error names the file and the field path
(``rules[3].days[1]``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logistics.core.calendar import WEEKDAYS, ServiceRule, weekday
from logistics.core.errors import ProblemError
from logistics.formats.documents import prefixed_error, read_document, schema_error
from logistics.formats.events_file import schema_validator

__all__ = ["Calendar", "calendar_from_dict", "read_calendar"]


@dataclass
class Calendar:
    """A week's service rules as read from a file.

    Attributes
    ----------
    days
        The planning days (0 = Monday).
    default
        Rule of orders no entry names.
    rules
        Order id or village (node id) → rule.
    """

    days: tuple[int, ...] = tuple(range(6))
    default: ServiceRule = field(default_factory=ServiceRule)
    rules: dict[str, ServiceRule] = field(default_factory=dict)


def read_calendar(path: str | os.PathLike) -> Calendar:
    """The calendar in a JSON/YAML file.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    Calendar

    Raises
    ------
    ProblemError
        The file cannot be read or breaks the schema, a day is not a weekday, or two entries name
        the same order or village (``record`` the file name, ``field`` the path).
    """
    p = Path(path)
    return calendar_from_dict(read_document(p), p.name)


def calendar_from_dict(data: Any, where: str = "calendar") -> Calendar:
    """A calendar from a parsed document (see the module docstring).

    Parameters
    ----------
    data
        The document.
    where
        Its name, for errors.

    Returns
    -------
    Calendar

    Raises
    ------
    ProblemError
        As `read_calendar`.
    """
    err = schema_error(data, where, schema_validator("calendar.schema.json"))
    if err is not None:
        raise err
    days = tuple(sorted({weekday(d, where, f"days[{k}]") for k, d in enumerate(data.get("days", WEEKDAYS[:6]))}))
    default = _rule(data.get("default", {}), where, "default")
    rules: dict[str, ServiceRule] = {}
    for k, r in enumerate(data.get("rules", [])):
        key = str(r["order_id"]) if "order_id" in r else str(r["village"])
        if key in rules:
            raise ProblemError(f"{where}: rules[{k}]: {key!r} has a rule already", record=where, field=f"rules[{k}]")
        rules[key] = _rule(r, where, f"rules[{k}]")
    return Calendar(days, default, rules)


def _rule(r: dict[str, Any], where: str, path: str) -> ServiceRule:
    try:
        days = r.get("days")
        parsed = None if days is None else tuple(weekday(d, where, f"days[{k}]") for k, d in enumerate(days))
        by = None if r.get("by") is None else weekday(r["by"], where, "by")
        return ServiceRule(int(r.get("frequency", 1)), parsed, by)
    except ProblemError as e:
        raise prefixed_error(e, where, path) from None
