"""JSON documents read by the readers' rules: plan files, tiered plan files and request bodies.

One parser (`parse_json`) so that every JSON reader refuses the same inputs with the same
messages: unknown encodings, NaN and Infinity, numbers past `MAX_NUMBER`, documents nested too
deeply.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from logistics.core.errors import ProblemError
from logistics.formats.documents import MAX_JOB_BYTES, check_input_file, check_numbers, decode_text, reject_constant

__all__ = ["parse_json", "read_json_file"]


def parse_json(raw: bytes | str, where: str) -> Any:
    """A JSON document with the readers' rules: known encodings, no NaN or Infinity, no huge numbers.

    One parser for plan files, tiered plan files and request bodies, so each refuses the same
    inputs with the same messages.

    Parameters
    ----------
    raw
        The bytes (decoded by `decode_text`) or text.
    where
        How errors name the document (their ``record``).

    Returns
    -------
    Any
        The parsed document.

    Raises
    ------
    ProblemError
        Not text in a known encoding, not JSON, nested too deeply, or holds a value
        `check_numbers` refuses.
    """
    text = decode_text(raw, where) if isinstance(raw, bytes) else raw
    try:
        data = json.loads(text, parse_constant=reject_constant)
    except RecursionError:
        raise ProblemError(f"{where}: the document is nested too deeply", record=where) from None
    except ValueError as e:
        raise ProblemError(f"{where}: not valid JSON ({e})", record=where) from None
    check_numbers(data, where)
    return data


def read_json_file(path: Path, what: str) -> Any:
    """A JSON file of at most `MAX_JOB_BYTES`, checked by `check_input_file` and read by `parse_json`.

    Parameters
    ----------
    path
        The file; errors name it by its file name.
    what
        What the file is, for errors (``"plan file"``).

    Returns
    -------
    Any
        The parsed document.

    Raises
    ------
    ProblemError
        The file cannot be read safely, or its content is refused by `parse_json`.
    """
    check_input_file(path, MAX_JOB_BYTES, what=what, where=path.name)
    return parse_json(path.read_bytes(), path.name)
