"""Result folders: the run's outcome record, exit codes, and writing a folder atomically with its marker.

A scheduler (or a batch rerun) must never see half a result: every output file is written into a
temporary folder beside the target, which is swapped into place at the end, ``_SUCCESS`` last.
Single-tier and tiered runs (``run.py``, ``run_tiers.py``) share this.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from logistics.core.errors import ProblemError
from logistics.core.plan import _jsonable
from logistics.formats.documents import check_path_text

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_UNSERVED",
    "MARKER",
    "OUTPUT_FILES",
    "TIER_OUTPUT_FILES",
    "JobResult",
    "check_out_dir",
    "read_marker",
    "remove_stale_temporaries",
    "write_folder",
    "write_json",
]

# Exit codes shared by the CLI and batch summaries.
EXIT_OK = 0  # plan found, every required order served, no validation violation
EXIT_UNSERVED = 1  # plan found, but required orders are unserved or the plan has violations
EXIT_BAD_INPUT = 2  # the job (or a command line argument) is invalid: nothing was solved
EXIT_INTERNAL = 3  # an unexpected error (a bug, or the solver failed)

MARKER = "_SUCCESS"
OUTPUT_FILES = (
    "routes.geojson",
    "stops.csv",
    "unserved.csv",
    "kpis.json",
    "plan.json",
    "validation.json",
    "map.html",
    "timeline.png",
)
#: Files only a tiered run writes (besides `OUTPUT_FILES`).
TIER_OUTPUT_FILES = ("transfers.csv",)


@dataclass
class JobResult:
    """Outcome of one run, as written into the ``_SUCCESS`` marker.

    Kept flat and JSON-ready so that batch summaries and the CLI read the same record a
    scheduler later finds in the result folder.

    Parameters
    ----------
    name, out_dir, job
        The job's name, its result folder and the job file (``None`` for in-memory problems).
    status, exit_code
        ``"ok"``, ``"unserved"`` or ``"invalid"`` and the matching ``coldroute`` exit code.
    kpis, violations, unserved, required_unserved
        The plan's KPIs, validation findings and unserved counts.
    elapsed_s
        Wall-clock seconds, reading and writing included.
    plan
        The [Plan][logistics.core.plan.Plan] (not written into summaries).
    """

    name: str
    out_dir: str
    status: str  # "ok", "unserved" or "invalid"
    exit_code: int
    kpis: dict[str, Any]
    violations: list[str]
    unserved: int
    required_unserved: int
    elapsed_s: float
    job: str | None = None
    plan: Any = field(default=None, repr=False)  # the Plan (not kept in summaries)

    def summary(self) -> dict[str, Any]:
        """Everything but the plan, JSON-ready.

        Returns
        -------
        dict
            The fields of the result except ``plan``; what ``summary.json`` and ``--json`` hold.
        """
        return _jsonable({f.name: getattr(self, f.name) for f in fields(self) if f.name != "plan"})


def write_folder(
    out_dir: str | os.PathLike,
    write_files: Callable[[Path], None],
    result: JobResult,
    extra_files: Mapping[str, str] | None = None,
) -> Path:
    """Write a result folder into a temporary folder and rename it to ``out_dir``; ``_SUCCESS`` last.

    Parameters
    ----------
    out_dir
        The result folder (replaced atomically).
    write_files
        Writes the output files into the folder it is given.
    result
        The run's outcome, for the marker.
    extra_files
        More files to write (name to text), such as ``vroom.json``.

    Returns
    -------
    pathlib.Path
        The result folder.
    """
    out = Path(out_dir).absolute()
    check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    try:
        os.chmod(tmp, 0o755)
        write_files(tmp)
        for fname, text in (extra_files or {}).items():
            (tmp / fname).write_text(text, encoding="utf-8")
        marker = result.summary()
        marker.update(
            {
                "format": "coldroute-run/1",
                "finished": _dt.datetime.now().isoformat(timespec="seconds"),
                "out_dir": str(out),
                "files": sorted(p.name for p in tmp.iterdir()),
            }
        )
        write_json(tmp / MARKER, marker)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def check_out_dir(out_dir: str | os.PathLike) -> None:
    """Refuse to replace a folder that is not a (previous) result folder.

    A job's outputs overwrite their own files only, so pointing ``--out`` at a folder of
    other work must fail before anything is solved.

    Parameters
    ----------
    out_dir
        The output folder; it may be missing, empty, or hold only result files.

    Raises
    ------
    ProblemError
        ``out_dir`` is a file, or a folder with other files (field ``out``).
    """
    check_path_text(str(out_dir), where="out", field="out")
    out = Path(out_dir)
    if out.exists():
        if not out.is_dir():
            raise ProblemError(f"output {str(out)!r} exists and is not a folder", record=str(out), field="out")
        ours = set(OUTPUT_FILES) | set(TIER_OUTPUT_FILES) | {MARKER, "vroom.json"}
        others = [p.name for p in out.iterdir() if p.name not in ours]
        if others:
            raise ProblemError(
                f"output folder {str(out)!r} holds other files ({', '.join(sorted(others)[:3])}); "
                f"give a new or empty folder",
                record=str(out),
                field="out",
            )


#: A temporary folder without our process id in its name (written by an older version) is
#: removed once it is this old: no run takes that long to write its files.
STALE_TEMPORARY_S = 3600.0


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove the ``.<out>.tmp-*`` and ``.<out>.old-*`` folders that killed runs left beside ``out``.

    A run writes into ``.<out>.tmp-<pid>-<random>`` and swaps it into place; ``kill -9`` in
    between leaves that folder behind.  It is removed when its process no longer runs (or, for
    names without a process id, when it is older than `STALE_TEMPORARY_S`), so a concurrent
    run's folder is never touched.

    Parameters
    ----------
    out
        The result folder.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    removed = []
    for kind in ("tmp", "old"):
        for p in out.parent.glob(f".{out.name}.{kind}-*"):
            if p.is_dir() and not p.is_symlink() and _abandoned(p, kind):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _abandoned(p: Path, kind: str) -> bool:
    pid_text = p.name.rsplit(f".{kind}-", 1)[1].split("-", 1)[0]
    if pid_text.isdigit() and "-" in p.name.rsplit(f".{kind}-", 1)[1]:
        pid = int(pid_text)
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except OSError:  # the process exists (owned by someone else)
            return False
        return False
    try:
        return time.time() - p.stat().st_mtime > STALE_TEMPORARY_S
    except OSError:
        return False


def _swap_into_place(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            os.replace(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON (NaN as ``null``).

    Parameters
    ----------
    path
        The file.
    data
        JSON-ready data (numpy numbers and timestamps are converted).
    """
    path.write_text(json.dumps(_jsonable(data), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def read_marker(out_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The ``_SUCCESS`` summary of a finished result folder, or None.

    Batches skip jobs whose folder has the marker, so a rerun resumes where it stopped.

    Parameters
    ----------
    out_dir
        A result folder.

    Returns
    -------
    dict or None
        The marker's JSON; an empty dict when it is not readable JSON; ``None`` when there is
        no marker (the job did not finish).
    """
    p = Path(out_dir) / MARKER
    if not p.is_file():
        return None
    try:
        marker: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
        return marker
    except ValueError:
        return {}
