"""What a request may submit: inline jobs and VROOM inputs, uploaded orders files; never a path.

Job files name their orders, network and matrix files by path.  A path in a request would let
a client make the server read a file of its choosing, so the service refuses every path field:
networks are built in (``builtin:yanhu``), orders are inline records or an uploaded CSV that
the server itself stores in the job's own folder.  The accepted document is written into that
server-owned folder (``<data>/jobs/<id>/``) and goes through the same schema check and readers
as a job file on the command line ([logistics.formats.jobfile.read_job][]).
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logistics.core.errors import ProblemError
from logistics.formats.documents import (
    is_vroom_document,
    read_document,
    schema_error,
)
from logistics.service.fleets import FLEETS, fleet_job

#: The job document's name inside a job's folder, and the uploaded orders file's.
JOB_FILE = "job.json"
ORDERS_FILE = "orders.csv"
#: Settings the request gave beside the document (``time_limit`` of a VROOM call).
OPTIONS_FILE = "options.json"


@dataclass(frozen=True)
class Intake:
    """An accepted submission, written into its folder and ready to queue.

    Parameters
    ----------
    job_id, name, kind
        The new job's id, its name and kind (``"job"`` or ``"vroom"``).
    folder
        The job's server-owned input folder.
    tasks
        Orders (or VROOM jobs and shipments) in the input.
    """

    job_id: str
    name: str
    kind: str
    folder: Path
    tasks: int


def new_job_id() -> str:
    """A fresh job id (hex, unguessable, safe as a folder name).

    Returns
    -------
    str
        32 hex digits.
    """
    return uuid.uuid4().hex


def refuse_paths(data: dict[str, Any], where: str, *, orders_uploaded: bool = False) -> None:
    """Refuse every field of a job that names a file: the service reads no path a client chose.

    Parameters
    ----------
    data
        The job document.
    where
        How errors name the document.
    orders_uploaded
        The orders come as an uploaded file the server stored itself (``orders`` is then set by
        the server, not the client).

    Raises
    ------
    ProblemError
        A ``vroom``, ``matrix`` or non-built-in ``network`` field, or ``orders`` given as a file
        name (the field names which).
    """

    def refuse(field: str, what: str) -> ProblemError:
        return ProblemError(
            f"{where}: {field}: the service does not read files named in a request ({what}); {_INLINE}",
            record=where,
            field=field,
        )

    if "vroom" in data:
        raise refuse("vroom", "POST the VROOM input itself to /vroom or /v1/jobs")
    if "matrix" in data:
        raise refuse("matrix", "matrix files are not accepted")
    net = data.get("network")
    if isinstance(net, dict) and "builtin" not in net:
        raise refuse("network.path", "use a built-in network")
    if isinstance(net, str) and not net.startswith("builtin:"):
        raise refuse("network", "use a built-in network such as 'builtin:yanhu'")
    if isinstance(data.get("orders"), str) and not orders_uploaded:
        raise refuse("orders", "give the orders inline, or upload the CSV with the dispatcher page")


_INLINE = "send inline data instead"


def count_tasks(data: Any) -> int:
    """Orders in a job, or jobs and shipments in a VROOM input (for the size limits).

    Parameters
    ----------
    data
        A job document or VROOM input.

    Returns
    -------
    int
        How many tasks it holds (0 when they are not a list).
    """
    if not isinstance(data, dict):
        return 0
    if is_vroom_document(data):
        return sum(len(data.get(k) or []) for k in ("jobs", "shipments") if isinstance(data.get(k), list))
    return len(data["orders"]) if isinstance(data.get("orders"), list) else 0


def accept_document(
    data: Any, jobs_dir: Path, *, max_orders: int, where: str = "request", time_limit: float | None = None
) -> Intake:
    """Check an inline job or VROOM input and write it into a new job folder.

    Parameters
    ----------
    data
        The parsed document.
    jobs_dir
        The server's job folders.
    max_orders
        Most orders (or VROOM tasks) accepted.
    where
        How errors name the document.
    time_limit
        Seconds to search, replacing the document's own (VROOM inputs have none).

    Returns
    -------
    Intake
        The new job.

    Raises
    ------
    ProblemError
        The document is not a job or VROOM input, names a file, is too large or fails the job
        schema.
    """
    if not isinstance(data, dict):
        raise ProblemError(f"{where}: a job is a mapping of fields (network, orders, fleet, ...)", record=where)
    vroom = is_vroom_document(data)
    if not vroom:
        refuse_paths(data, where)
        err = schema_error(data, where)
        if err is not None:
            raise err
    tasks = count_tasks(data)
    _check_count(tasks, max_orders, where)
    job_id = new_job_id()
    folder = _folder(jobs_dir, job_id)
    _write(folder / JOB_FILE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    if time_limit is not None:
        _write(folder / OPTIONS_FILE, json.dumps({"time_limit": float(time_limit)}).encode("utf-8"))
    name = "vroom" if vroom else str(data.get("name") or "job")
    return Intake(job_id, name, "vroom" if vroom else "job", folder, tasks)


def accept_upload(
    *,
    job_bytes: bytes | None,
    job_filename: str | None,
    orders_bytes: bytes | None,
    fleet: str | None,
    time_limit: float | None,
    jobs_dir: Path,
    max_orders: int,
) -> Intake:
    """The dispatcher page's upload: a job file (JSON or YAML), or an orders CSV with a fleet preset.

    The uploaded bytes are written into the new job's folder under names the server picks, then
    read with the same readers as files on the command line.

    Parameters
    ----------
    job_bytes, job_filename
        An uploaded job file and its name (only its extension is used: ``.yaml``/``.yml`` or JSON).
    orders_bytes, fleet
        An uploaded orders CSV and the name of a preset in `logistics.service.fleets.FLEETS`.
    time_limit
        Seconds to search (for an orders upload; a job file has its own ``solver`` block).
    jobs_dir
        The server's job folders.
    max_orders
        Most orders accepted.

    Returns
    -------
    Intake
        The new job.

    Raises
    ------
    ProblemError
        Neither or both kinds of upload, an unknown fleet, or an invalid document.
    """
    if (job_bytes is None) == (orders_bytes is None):
        raise ProblemError("upload: send either a job file or an orders CSV (with a fleet)", field="upload")
    job_id = new_job_id()
    folder = _folder(jobs_dir, job_id)
    try:
        if job_bytes is not None:
            suffix = ".yaml" if (job_filename or "").lower().endswith((".yaml", ".yml")) else ".json"
            _write(folder / f"upload{suffix}", job_bytes)
            data = read_document(folder / f"upload{suffix}")
            intake = accept_document(data, jobs_dir, max_orders=max_orders, where=_safe_label(job_filename))
            shutil.rmtree(folder, ignore_errors=True)
            return intake
        if fleet not in FLEETS:
            raise ProblemError(
                f"upload: fleet: unknown fleet {str(fleet)[:60]!r} (known: {', '.join(FLEETS)})", field="fleet"
            )
        assert orders_bytes is not None
        rows = max(0, orders_bytes.count(b"\n") - 1 + (0 if orders_bytes.endswith(b"\n") else 1))
        _check_count(rows, max_orders, "orders.csv")
        _write(folder / ORDERS_FILE, orders_bytes)
        data = fleet_job(str(fleet), ORDERS_FILE, time_limit=time_limit)
        data["limits"] = {"orders_rows": max_orders}
        refuse_paths(data, "upload", orders_uploaded=True)
        err = schema_error(data, "upload")
        if err is not None:
            raise err
        _write(folder / JOB_FILE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        return Intake(job_id, str(data["name"]), "job", folder, rows)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _safe_label(name: str | None) -> str:
    base = Path(name or "upload").name
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in base)[:80] or "upload"


def _check_count(n: int, limit: int, where: str) -> None:
    if n > limit:
        raise ProblemError(f"{where}: {n:,} orders is more than this service accepts ({limit:,})", field="orders")


def _folder(jobs_dir: Path, job_id: str) -> Path:
    folder = jobs_dir / job_id
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def _write(path: Path, raw: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(raw)
    tmp.replace(path)
