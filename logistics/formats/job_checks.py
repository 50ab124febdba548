"""Every mistake of a job in one run: an error log, and the checks of the ids a job refers to.

Four mistakes should take one run to find, not four.  [ErrorLog][logistics.formats.job_checks.ErrorLog]
collects the errors of a job while it is read (schema, records, references) and raises them
together as one [ProblemErrors][logistics.core.errors.ProblemErrors]; a single error is raised as
itself, so callers that read one ``field`` keep working.
[check_references][logistics.formats.job_checks.check_references] checks every id a record
names (depots, nodes, products, vehicle types, pairs) before the problem is built, with the
closest known id as a suggestion (``unknown depot 'hbu' (did you mean 'hub'?)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import jsonschema

from logistics.core.errors import ProblemError, ProblemErrors
from logistics.core.model import Order
from logistics.formats.documents import descends, describe_schema_error, did_you_mean, job_schema
from networks import Network, TravelMatrix

__all__ = ["ErrorLog", "bad_records", "check_references", "place_ids", "product_names", "schema_errors", "skipped"]


class ErrorLog:
    """The errors found in one job so far.

    Parameters
    ----------
    where
        The job's name.
    """

    def __init__(self, where: str):
        self.where = where
        self.errors: list[ProblemError] = []

    def add(self, error: ProblemError) -> None:
        """Keep ``error`` (or each error of a `ProblemErrors`); a repeat of a kept one is dropped.

        Parameters
        ----------
        error
            The error.
        """
        for e in error.errors if isinstance(error, ProblemErrors) else [error]:
            if not any(str(e) == str(k) and e.field == k.field for k in self.errors):
                self.errors.append(e)

    @contextmanager
    def catch(self) -> Iterator[None]:
        """Run a block; a `ProblemError` it raises is kept instead of propagating.

        Yields
        ------
        None
        """
        try:
            yield
        except ProblemError as e:
            self.add(e)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_all(self) -> None:
        """Raise what was found: nothing, the one error, or a `ProblemErrors` listing them all.

        Raises
        ------
        ProblemError
            When anything was found.
        """
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ProblemErrors(self.errors)


def skipped(bad: set[tuple[Any, ...]], *path: Any, within: bool = False) -> bool:
    """Whether the record at ``path`` (``("orders", 3)``) or a section holding it failed the schema.

    Parameters
    ----------
    bad
        Paths of records with schema errors: ``(section,)`` or ``(section, index)``.
    *path
        The record's path.
    within
        Also when a part of the record failed (a block read as a whole, such as ``solver``).

    Returns
    -------
    bool
        ``True`` when the record must not be built (its own errors are already reported).
    """
    n = len(path)
    return any(tuple(path[: len(b)]) == b or (within and b[:n] == tuple(path)) for b in bad if b)


def bad_records(log: ErrorLog) -> set[tuple[Any, ...]]:
    """The records (``("orders", 3)``) and sections (``("network",)``) named by the errors so far.

    Parameters
    ----------
    log
        The job's errors (those of the schema check).

    Returns
    -------
    set of tuple
        ``(section,)``, ``(section, index)`` or ``(section, key)`` per error field; what
        [skipped][logistics.formats.job_checks.skipped] reads.
    """
    out: set[tuple[Any, ...]] = set()
    for e in log.errors:
        m = re.match(r"([A-Za-z_]\w*)(?:\[(\d+)\]|\.([^.\[]+))?", e.field or "")
        if m:
            key: tuple[Any, ...] = (m.group(1),)
            if m.group(2):
                key = (m.group(1), int(m.group(2)))
            elif m.group(3):
                key = (m.group(1), m.group(3))
            out.add(key)
    return out


def place_ids(network: Network | None, matrix: TravelMatrix | None) -> list[str] | None:
    """The ids a depot or an order may name: the matrix's, else the network's nodes.

    Parameters
    ----------
    network, matrix
        What the job read (either may be ``None``).

    Returns
    -------
    list of str or None
        The ids; ``None`` when neither was read (the checks that need them are skipped).
    """
    if matrix is not None:
        return [str(i) for i in matrix.ids]
    return [str(i) for i in network.nodes.index] if network is not None else None


def product_names(spec: Any) -> list[str]:
    """Every product name a job's ``products`` writes (a product that failed to build is still no typo).

    Parameters
    ----------
    spec
        The ``products`` list or mapping, or ``None`` (the default product ``goods``).

    Returns
    -------
    list of str
        The names.
    """
    if spec is None:
        return ["goods"]
    if isinstance(spec, dict):
        return [str(k) for k in spec]
    return [str(p.get("name")) for p in spec if isinstance(p, dict)] if isinstance(spec, list) else []


def _unknown(log: ErrorLog, fp: str, rec: Any, what: str, value: str, known: Sequence[str], who: str) -> None:
    log.add(
        ProblemError(
            f"{log.where}: {fp}: {who}: unknown {what} {value!r}{did_you_mean(value, known)}", record=rec, field=fp
        )
    )


def check_references(
    log: ErrorLog,
    *,
    fleet: Sequence[Mapping[str, Any]],
    fleet_paths: Sequence[str],
    orders: Sequence[Order],
    order_paths: Mapping[str, str],
    products: Sequence[str] | None,
    places: Sequence[str] | None,
) -> None:
    """Check every id the fleet and the orders name; log an error per unknown id with a suggestion.

    Parameters
    ----------
    log
        Where the errors go.
    fleet, fleet_paths
        The vehicle types (mappings with ``name``, ``start_depot``, ``end_depot``) and each one's
        field path (``fleet[2]``).
    orders, order_paths
        The orders read, and each order's field path (``orders[5]``).
    products
        Known product names; ``None`` skips the product check (the products failed).
    places
        Known node and matrix ids; ``None`` skips the depot and node checks (no network read).
    """
    known_places = list(places) if places is not None else []
    place_set = set(known_places)
    types = [str(v.get("name")) for v in fleet]
    for v, fp in zip(fleet, fleet_paths):
        for f in ("start_depot", "end_depot"):
            d = v.get(f)
            if places is not None and d is not None and str(d) not in place_set:
                _unknown(
                    log, f"{fp}.{f}", v.get("name"), "depot", str(d), known_places, f"vehicle type {v.get('name')!r}"
                )
    ids = [o.id for o in orders]
    id_set = set(ids)
    for o in orders:
        fp = order_paths.get(o.id, "orders")
        who = f"order {o.id!r}"
        if places is not None and o.node_id is not None and o.node_id not in place_set:
            _unknown(log, f"{fp}.node_id", o.id, "node", o.node_id, known_places, who)
        for p in o.quantities:
            if products is not None and p not in products:
                _unknown(log, f"{fp}.quantities.{p}", o.id, "product", p, list(products), who)
        for j, t in enumerate(o.vehicle_types or ()):
            if t not in types:
                _unknown(log, f"{fp}.vehicle_types[{j}]", o.id, "vehicle type", t, types, who)
        if o.pair is not None and o.pair not in id_set:
            _unknown(log, f"{fp}.pair", o.id, "paired order", o.pair, ids, who)


def schema_errors(data: Any, where: str) -> list[ProblemError]:
    """Every schema violation of ``data``, each as a ProblemError naming its field.

    Within a ``oneOf``/``anyOf`` the alternative that fits best is followed (the list of
    orders rather than a file name), and all of its violations are kept, so one run reports
    every cell to fix.

    Parameters
    ----------
    data
        A job document (already parsed).
    where
        The job's name, for the messages.

    Returns
    -------
    list of ProblemError
        In the order the schema finds them, each field once; empty when ``data`` conforms.
    """
    validator = jsonschema.Draft202012Validator(job_schema())
    out: list[ProblemError] = []
    seen: set[tuple[str | None, str]] = set()
    for top in validator.iter_errors(data):
        for leaf in _leaves(top):
            e = describe_schema_error(leaf, where)
            if (e.field, str(e)) not in seen:
                seen.add((e.field, str(e)))
                out.append(e)
    return out


def _leaves(top: Any) -> list[Any]:
    """The errors to report for ``top``: its most specific cause and every sibling in the same alternative."""
    best = jsonschema.exceptions.best_match([top])
    while best.context:
        deeper = jsonschema.exceptions.best_match(best.context)
        if not descends(best, deeper):
            break
        best = deeper
    chain: list[Any] = []
    e = best
    while e is not None and e is not top:
        chain.append(e)
        e = e.parent
    if e is None:
        return [best]
    return _expand(top, chain[::-1])


def _expand(err: Any, chain: list[Any]) -> list[Any]:
    """Follow ``chain`` (the path to the best cause) down from ``err``, keeping each level's alternative whole."""
    if not chain:
        return [err]
    child = chain[0]
    alt = child.relative_schema_path[0] if child.relative_schema_path else None
    out: list[Any] = []
    for c in err.context:
        if (c.relative_schema_path[0] if c.relative_schema_path else None) == alt:
            out += _expand(c, chain[1:]) if c is child else _leaves(c)
    return out
