"""Job documents read safely: size limits, strict YAML, the JSON schema, safe paths and field paths.

Everything here is about the *document*, not the model: a job file may come from a user, a
script or another system, so it is read with limits (size, nesting, YAML aliases), times that
YAML would silently read as base-60 numbers are rejected, the published JSON schema is checked
first, and every error names the document (``record``) and the field path (``orders[3].service``).
[logistics.formats.jobfile][] builds the problem from a document that passed these checks.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import difflib
import errno
import json
import math
import os
import stat
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import jsonschema
import yaml

from logistics.core.errors import ProblemError

MAX_JOB_BYTES = 64 * 1024 * 1024
MAX_YAML_NODES = 2_000_000
MAX_NUMBER = 1e15  # above any amount, time or cost a job holds; keeps int64 arithmetic safe
MAX_NAME_BYTES = 255  # a path component (the common file system limit)
_SCHEMA_PATH = Path(__file__).with_name("schemas") / "job.schema.json"


# --------------------------------------------------------------------------- schema


@lru_cache(maxsize=1)
def job_schema() -> dict[str, Any]:
    """The published JSON Schema of job files.

    Returns
    -------
    dict
        The schema (read once per process); editors and CI can validate job files with it too.
    """
    schema: dict[str, Any] = json.loads(_SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def field_path(parts: Iterable[str | int]) -> str:
    """``['orders', 12, 'time_windows', 0]`` -> ``'orders[12].time_windows[0]'``.

    Parameters
    ----------
    parts
        Keys and list indices from the document's root, as jsonschema reports them.

    Returns
    -------
    str
        The path as a ``ProblemError`` field names it.
    """
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


def schema_error(data: Any, where: str, validator: Any = None) -> ProblemError | None:
    """The most specific schema violation of ``data`` as a ProblemError naming its field, or ``None``.

    Parameters
    ----------
    data
        A job document (already parsed).
    where
        The job's name, for the message and the error's ``record``.
    validator
        A jsonschema validator of another document kind (an events or calendar file); default: the
        job schema's.

    Returns
    -------
    ProblemError or None
        The error to raise (``oneOf``/``anyOf`` alternatives are followed to their deepest
        cause, so the message names the cell to fix), or ``None`` when ``data`` conforms.
    """
    validator = validator or jsonschema.Draft202012Validator(job_schema())
    errors = list(validator.iter_errors(data))
    if not errors:
        return None
    err = jsonschema.exceptions.best_match(errors)
    # descend into oneOf/anyOf alternatives to the most specific cause
    while err.context:
        deeper = jsonschema.exceptions.best_match(err.context)
        if not descends(err, deeper):
            break
        err = deeper
    return describe_schema_error(err, where)


def descends(err: Any, deeper: Any) -> bool:
    """Whether an alternative's error ``deeper`` says more than ``err`` (else ``err`` is the message).

    Parameters
    ----------
    err, deeper
        A ``jsonschema.ValidationError`` of a ``oneOf``/``anyOf`` and the best error among its
        alternatives (or ``None``).

    Returns
    -------
    bool
        ``True`` when ``deeper`` is at least as deep and not merely a missing or forbidden key.
    """
    if deeper is None or len(deeper.absolute_path) < len(err.absolute_path):
        return False
    return not (len(deeper.absolute_path) == len(err.absolute_path) and deeper.validator in ("required", "not"))


def describe_schema_error(err: Any, where: str) -> ProblemError:
    """One jsonschema error in a dispatcher's words, naming its field (and the closest known name).

    Parameters
    ----------
    err
        A ``jsonschema.ValidationError``.
    where
        The job's name.

    Returns
    -------
    ProblemError
        ``record`` is ``where``, ``field`` the path of the offending value (for an unknown
        field, the object that holds it).
    """
    path = field_path(err.absolute_path)
    msg = err.message
    parts = list(err.absolute_path)
    if err.validator == "additionalProperties":
        known = list((err.schema or {}).get("properties", {}))
        extra = [k for k in err.instance if k not in known] if isinstance(err.instance, dict) else []
        msg = "; ".join(f"unknown field {k!r}{did_you_mean(k, known)}" for k in extra) or msg.replace(
            "Additional properties are not allowed", "unknown field(s)"
        )
    elif err.validator == "enum" and isinstance(err.instance, str):
        msg += did_you_mean(err.instance, [str(v) for v in err.validator_value])
    elif err.validator in ("oneOf", "anyOf"):
        if not parts:
            msg = (
                "a job needs 'orders', 'fleet' (or 'tiers') and 'network', 'matrix' or depots given by "
                "coordinates (or 'vroom': a VROOM input)"
            )
        elif len(parts) == 2 and parts[0] == "orders":
            msg = "an order needs either node_id or lon and lat (not both)"
        elif parts[0] == "network":
            msg = "network is 'builtin:yanhu', a file path, {path, layer, roads} or {builtin, roads}"
        else:
            msg = f"{_short(err.instance)} is not valid here"
    elif err.validator == "pattern" and "\\d{1,3}:" in str(err.validator_value):
        msg = f"{err.instance!r} is not a time (seconds from midnight or 'HH:MM[:SS]')"
    elif len(msg) > 300:
        msg = msg[:300] + "..."
    return ProblemError(f"{where}: {path or '(top level)'}: {msg}", record=where, field=path or None)


def did_you_mean(name: str, known: Iterable[Any]) -> str:
    """`` (did you mean 'hub'?)`` when a known name is close to ``name`` (difflib), else ``''``.

    Parameters
    ----------
    name
        What the user wrote.
    known
        The names that would have been accepted.

    Returns
    -------
    str
        The suggestion, with a leading space, or an empty string.
    """
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _short(x: Any, n: int = 80) -> str:
    r = repr(x)
    return r if len(r) <= n else r[: n - 3] + "..."


# --------------------------------------------------------------------------- reading documents


def read_document(path: Path) -> Any:
    """A JSON or YAML (safe) document, within `MAX_JOB_BYTES`; YAML times like 8:00 must be quoted.

    Parameters
    ----------
    path
        The file; ``.yaml``/``.yml`` is read as YAML, anything else as JSON, falling back to
        YAML when it does not look like JSON.  UTF-8 (with or without a byte order mark), or
        UTF-16/32 with a byte order mark.

    Returns
    -------
    Any
        The parsed document.

    Raises
    ------
    ProblemError
        The file is missing, not a regular file, too large, not text in a known encoding, not
        valid JSON or YAML, holds NaN, Infinity or numbers beyond `MAX_NUMBER`, or is a YAML
        document with aliases that grow it past the limits (``record`` is the file name).
    """
    check_input_file(path, MAX_JOB_BYTES, what="job file", where=path.name)
    text = decode_text(path.read_bytes(), path.name)
    if path.suffix.lower() in (".yaml", ".yml"):
        data = _read_yaml(text, path.name)
    else:
        try:
            data = json.loads(text, parse_constant=reject_constant)
        except ValueError as e:
            if path.suffix.lower() != ".json" and not text.lstrip().startswith(("{", "[")):
                data = _read_yaml(text, path.name)
            else:
                raise ProblemError(f"{path.name}: not valid JSON ({e})", record=path.name) from None
    check_numbers(data, path.name)
    return data


def decode_text(raw: bytes, where: str) -> str:
    """``raw`` as text: UTF-8 (a byte order mark is dropped), or UTF-16/32 with a byte order mark.

    Parameters
    ----------
    raw
        The file's bytes.
    where
        The file's name, for the error.

    Returns
    -------
    str
        The text.

    Raises
    ------
    ProblemError
        The bytes are not text in one of these encodings; the message gives line and column.
    """
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if raw.startswith(bom):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                raise ProblemError(f"{where}: not valid {enc.upper()} text", record=where) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise ProblemError(
            f"{where}: line {line}, column {col}: not UTF-8 text (byte 0x{raw[e.start]:02x}); save the file as UTF-8",
            record=where,
        ) from None


def check_numbers(data: Any, where: str) -> None:
    """Every number in ``data`` is finite and within `MAX_NUMBER` (NaN, 1e400 and 10**30 are not).

    Parameters
    ----------
    data
        A parsed document.
    where
        The document's name, for the error.

    Raises
    ------
    ProblemError
        A number is out of range; ``field`` is its path (``orders[3].service``).
    """
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        x, path = stack.pop()
        if isinstance(x, dict):
            stack.extend((v, [*path, str(k)]) for k, v in x.items())
        elif isinstance(x, list):
            stack.extend((v, [*path, k]) for k, v in enumerate(x))
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            if not (isinstance(x, int) or math.isfinite(x)) or abs(x) > MAX_NUMBER:
                fp = field_path(path) or None
                shown = _short(x) if isinstance(x, float) or x.bit_length() < 200 else f"a {x.bit_length()}-bit number"
                raise ProblemError(
                    f"{where}: {fp or '(top level)'}: {shown} is out of range (numbers are finite and at most "
                    f"{MAX_NUMBER:.0e} in size)",
                    record=where,
                    field=fp,
                )


def check_input_file(path: Path, max_bytes: int, *, what: str, where: str, field: str | None = None) -> int:
    """Refuse what cannot be read safely: missing files, pipes, devices, folders, files over ``max_bytes``.

    A named pipe or a device would block the read (or never end), so only regular files are read.

    Parameters
    ----------
    path
        The file.
    max_bytes
        The largest size read.
    what
        What the file is (``"job file"``, ``"orders file"``), for the message.
    where, field
        The job and its field that named the file, for the error.

    Returns
    -------
    int
        The file's size in bytes.

    Raises
    ------
    ProblemError
        The file is missing, not a regular file, or larger than ``max_bytes``.
    """
    check_path_text(str(path), where=where, field=field)
    try:
        st = os.stat(path)
    except OSError as e:
        reason = "not found" if e.errno in (errno.ENOENT, errno.ENOTDIR) else f"cannot be read ({e.strerror})"
        raise ProblemError(f"{where}: {what} {str(path)!r} {reason}", record=where, field=field) from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "a pipe, socket or device"
        raise ProblemError(
            f"{where}: {what} {str(path)!r} is {kind}, not a regular file", record=where, field=field
        ) from None
    if st.st_size > max_bytes:
        raise ProblemError(
            f"{where}: {what} {path.name!r} is {st.st_size / 2**20:.1f} MiB, more than the limit of "
            f"{max_bytes / 2**20:.1f} MiB",
            record=where,
            field=field,
        )
    return st.st_size


def check_path_text(value: str, *, where: str, field: str | None) -> None:
    """A path's text is usable: no NUL byte, no part longer than `MAX_NAME_BYTES`.

    Parameters
    ----------
    value
        The path as given.
    where, field
        The job and field that hold it, for the error.

    Raises
    ------
    ProblemError
        The path holds a NUL byte or a too long name.
    """
    if "\0" in value:
        raise ProblemError(f"{where}: {field or 'path'}: the path holds a NUL byte", record=where, field=field)
    for part in Path(value).parts:
        if len(os.fsencode(part)) > MAX_NAME_BYTES:
            raise ProblemError(
                f"{where}: {field or 'path'}: the name {_short(part, 40)} is longer than {MAX_NAME_BYTES} bytes",
                record=where,
                field=field,
            )


def reject_constant(name: str) -> NoReturn:
    """``json.loads`` hook: NaN and Infinity are not numbers a job may hold.

    Parameters
    ----------
    name
        The constant ``json`` met (``"NaN"``, ``"Infinity"``, ``"-Infinity"``).

    Raises
    ------
    ValueError
        Always; `read_document` turns it into a `ProblemError`.
    """
    raise ValueError(f"{name} is not allowed")


def _read_yaml(text: str, where: str) -> Any:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        raise ProblemError(f"{where}: not valid YAML ({e})", record=where) from None
    if root is not None:
        _check_acyclic(root, where)
        _lint_yaml(root, where)
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, KeyError, OverflowError) as e:
        # _lint_yaml constructs every scalar first and names the field; this is a backstop
        raise ProblemError(f"{where}: not valid YAML ({type(e).__name__}: {e})", record=where) from None
    return _plain(data)


def _check_acyclic(root: yaml.Node, where: str) -> None:
    """Reject a recursive alias (``a: &x [*x]``): the walks below would never end."""
    state: dict[int, int] = {}  # node id -> 1 while its children are walked, 2 when done
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            state[id(node)] = 2
            continue
        seen = state.get(id(node))
        if seen == 2:
            continue
        if seen == 1:
            raise ProblemError(f"{where}: a YAML alias refers to itself (recursive anchor)", record=where)
        state[id(node)] = 1
        stack.append((node, True))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, False) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((part, False) for pair in node.value for part in pair)


def _lint_yaml(root: yaml.Node, where: str) -> None:
    """Reject YAML 1.1 sexagesimal numbers (``8:00`` == 480) and alias bombs."""
    count = 0
    constructor = yaml.constructor.SafeConstructor()
    stack: list[tuple[Any, list[str | int]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        count += 1
        if count > MAX_YAML_NODES:
            raise ProblemError(f"{where}: the document is too large (aliases?)", record=where)
        if isinstance(node, yaml.ScalarNode):
            _check_scalar(node, path, where, constructor)
            if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and ":" in str(node.value):
                fp = field_path(path)
                raise ProblemError(
                    f"{where}: {fp}: write times as quoted strings ('{node.value}'); YAML reads an unquoted "
                    f"{node.value} as a base-60 number",
                    record=where,
                    field=fp or None,
                )
        elif isinstance(node, yaml.SequenceNode):  # children pushed in reverse: reported in document order
            stack.extend(reversed([(child, path + [k]) for k, child in enumerate(node.value)]))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(reversed([(child, path + [getattr(key, "value", "?")]) for key, child in node.value]))


def _check_scalar(
    node: yaml.ScalarNode, path: list[str | int], where: str, constructor: yaml.constructor.SafeConstructor
) -> None:
    """Construct a typed scalar alone, so that ``2026-13-45``, ``!!int abc`` or a 5,000-digit integer
    is reported at its field instead of failing the whole document with a bare ValueError."""
    if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.endswith((":str", ":null")):
        return
    try:
        constructor.construct_object(node, deep=True)
    except Exception as e:  # ValueError, AttributeError, KeyError, ConstructorError: all the document's fault
        fp = field_path(path)
        kind = node.tag.rsplit(":", 1)[-1]
        hint = " (quote it if it is meant as text)" if node.style is None else ""
        raise ProblemError(
            f"{where}: {fp or '(top level)'}: {_short(node.value, 40)} is not a valid YAML {kind} "
            f"({type(e).__name__}: {_short(str(e), 100)}){hint}",
            record=where,
            field=fp or None,
        ) from None


def _plain(x: Any) -> Any:
    """YAML dates/datetimes to ISO strings; everything else unchanged."""
    if isinstance(x, dict):
        return {(k if isinstance(k, str) else str(k)): _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, (_dt.date, _dt.datetime)):
        return x.isoformat()
    return x


def is_vroom_document(data: Any) -> bool:
    """Whether ``data`` is a VROOM input (vehicles with jobs or shipments) rather than a job.

    Parameters
    ----------
    data
        A parsed document.

    Returns
    -------
    bool
        ``True`` for a mapping with ``vehicles`` and ``jobs`` or ``shipments`` but no ``fleet``.
    """
    return (
        isinstance(data, dict)
        and "vehicles" in data
        and ("jobs" in data or "shipments" in data)
        and "fleet" not in data
    )


# --------------------------------------------------------------------------- paths


def resolve_path(base: Path, value: str, field: str, *, allow_outside: bool = False, where: str = "job") -> Path:
    """``value`` relative to the job folder ``base``; it must exist and stay inside unless allowed.

    Jobs come from other people: a path that leaves the job's folder could read any file the
    process can, so it is refused unless the caller opts in.

    Parameters
    ----------
    base
        The job file's folder.
    value
        The path as written in the job (relative paths are relative to ``base``).
    field
        The job field holding it, for the error.
    allow_outside
        Permit paths outside ``base`` (``--allow-outside``).
    where
        The job's name, for the error.

    Returns
    -------
    Path
        The resolved, existing path.

    Raises
    ------
    ProblemError
        The path leaves ``base`` without ``allow_outside``, does not exist, holds a NUL byte or a
        name longer than `MAX_NAME_BYTES`.
    """
    check_path_text(value, where=where, field=field)
    p = Path(value)
    full = p if p.is_absolute() else base / p
    real = full.resolve()
    if not allow_outside:
        root = base.resolve()
        if real != root and not real.is_relative_to(root):
            raise ProblemError(
                f"{where}: {field}: path {value!r} leaves the job's folder ({root}); pass "
                f"allow_outside=True (--allow-outside) to permit it",
                record=where,
                field=field,
            )
    try:
        exists = real.exists()
    except OSError as e:  # too long a path, a loop of links
        raise ProblemError(f"{where}: {field}: {value!r}: {e.strerror}", record=where, field=field) from None
    if not exists:
        raise ProblemError(f"{where}: {field}: file {value!r} not found (looked for {real})", record=where, field=field)
    return real


def prefixed_error(e: ProblemError, where: str, prefix: str) -> ProblemError:
    """``e`` re-raised at a job field path: its field placed under ``prefix`` (``orders[3]``).

    Parameters
    ----------
    e
        An error raised while building one record of the job.
    where
        The job's name, for the message.
    prefix
        The record's path in the job (``orders[3]``, ``fleet[0]``).

    Returns
    -------
    ProblemError
        A new error whose ``field`` is the full path (``orders[3].time_windows``).
    """
    fp = prefix + (("" if e.field.startswith("[") else ".") + e.field if e.field else "")
    return ProblemError(f"{where}: {fp}: {e}", record=e.record, field=fp)
