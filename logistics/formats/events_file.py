"""Events files for re-planning: what happened since the plan was made, as JSON or YAML.

A document ``{"at": "13:00", "events": [{"type": "breakdown", "vehicle": "van_s1#1"}, ...]}``
checked against ``schemas/events.schema.json`` (orders inside it as in a job file, by the job
schema's definitions), then read into [logistics.core.events][] objects.  Every error names the
file (``record``) and the field path (``events[2].minutes``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from logistics.core.errors import ProblemError
from logistics.core.events import Breakdown, Cancel, Delay, Event, NewOrder, NewWindows
from logistics.core.model import Order
from logistics.core.units import parse_clock
from logistics.formats.documents import job_schema, prefixed_error, read_document, schema_error

__all__ = ["events_from_records", "events_schema", "read_events", "schema_validator"]

_SCHEMAS = Path(__file__).with_name("schemas")


@lru_cache(maxsize=4)
def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((_SCHEMAS / name).read_text(encoding="utf-8"))
    return schema


def events_schema() -> dict[str, Any]:
    """The published JSON Schema of events files (it refers to the job schema's order and times).

    Returns
    -------
    dict
        The schema.
    """
    return _schema("events.schema.json")


def schema_validator(name: str) -> Any:
    """A validator of one of the published schemas that resolves references to the job schema.

    Parameters
    ----------
    name
        The schema file in ``logistics/formats/schemas`` (``events.schema.json``, ``calendar.schema.json``).

    Returns
    -------
    jsonschema.Draft202012Validator
        The validator.
    """
    job = job_schema()
    registry: Registry = Registry().with_resource(job["$id"], Resource.from_contents(job))
    return jsonschema.Draft202012Validator(_schema(name), registry=registry)


def read_events(path: str | os.PathLike) -> tuple[list[Event], int | None]:
    """The events of an events file and the re-planning time it states.

    Parameters
    ----------
    path
        A ``.json``/``.yaml`` file.

    Returns
    -------
    tuple
        The events, and ``at`` (seconds from midnight) or ``None`` when the file gives none.

    Raises
    ------
    ProblemError
        The file cannot be read, breaks the schema, or holds a value out of range (``record`` the
        file name, ``field`` the path).
    """
    p = Path(path)
    where = p.name
    data = read_document(p)
    err = schema_error(data, where, schema_validator("events.schema.json"))
    if err is not None:
        raise err
    at = None if data.get("at") is None else parse_clock(data["at"], record=where, field="at")
    return _build(data["events"], where), at


def events_from_records(records: Sequence[Mapping[str, Any]], where: str = "events") -> list[Event]:
    """Events from mappings written as in an events file (``{"type": "cancel", "order_id": "D012"}``).

    Parameters
    ----------
    records
        One mapping per event.
    where
        Name of the source, for errors.

    Returns
    -------
    list of Event

    Raises
    ------
    ProblemError
        A record breaks the schema or holds a value out of range (``field`` like ``events[2].minutes``).
    """
    data = {"events": [dict(r) for r in records]}
    err = schema_error(data, where, schema_validator("events.schema.json"))
    if err is not None:
        raise err
    return _build(data["events"], where)


def _build(records: list[dict[str, Any]], where: str) -> list[Event]:
    out: list[Event] = []
    for k, r in enumerate(records):
        try:
            out.append(_event(r))
        except ProblemError as e:
            raise prefixed_error(e, where, f"events[{k}]") from None
    return out


def _order_kwargs(rec: Mapping[str, Any]) -> dict[str, Any]:
    """An order record (schema-checked) as `Order` keywords: ids as text, windows as tuples."""
    kw = dict(rec)
    kw["id"] = str(kw["id"])
    kw.setdefault("quantities", {})
    for f in ("node_id", "pair"):
        if kw.get(f) is not None:
            kw[f] = str(kw[f])
    if "time_windows" in kw:
        kw["time_windows"] = tuple(tuple(w) for w in kw["time_windows"])
    if "vehicle_types" in kw:
        kw["vehicle_types"] = tuple(kw["vehicle_types"])
    return kw


def _event(r: dict[str, Any]) -> Event:
    kind = r["type"]
    if kind == "new_order":
        try:
            return NewOrder(Order(**_order_kwargs(r["order"])))
        except ProblemError as e:
            raise ProblemError(str(e), record=e.record, field=f"order.{e.field}" if e.field else "order") from None
    if kind == "cancel":
        return Cancel(str(r["order_id"]))
    if kind == "breakdown":
        return Breakdown(r["vehicle"], at=r.get("at"), recover_min=r.get("recover_min"))
    if kind == "delay":
        return Delay(r["vehicle"], float(r["minutes"]))
    return NewWindows(str(r["order_id"]), tuple(tuple(w) for w in r["time_windows"]))
