"""Travel matrix files checked before they are loaded: an ``.npz`` declares its arrays' shapes in a
header, and numpy allocates what the header says, so a 200-byte file can ask for 80 GB."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from logistics.core.errors import ProblemError

__all__ = ["check_npz"]


def check_npz(path: Path, max_bytes: int, *, where: str = "job") -> None:
    """Refuse an ``.npz`` whose arrays declare more data than the file holds or than ``max_bytes``.

    Parameters
    ----------
    path
        The ``.npz`` file.
    max_bytes
        The largest array read.
    where
        The job's name, for the error.

    Raises
    ------
    ProblemError
        The file is not a readable ``.npz``, or an array's declared size is out of bounds
        (field ``matrix``).
    """

    def fail(msg: str) -> ProblemError:
        return ProblemError(f"{where}: matrix: {path.name}: {msg}", record=where, field="matrix")

    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with z.open(info) as f:
                    version = np.lib.format.read_magic(f)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
                    else:
                        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
                declared = math.prod(shape) * dtype.itemsize
                if declared > max_bytes or declared > info.file_size:
                    raise fail(
                        f"array {info.filename[:-4]!r} declares shape {shape} ({declared / 2**20:,.1f} MiB) but the "
                        f"file holds {info.file_size / 2**20:,.1f} MiB (limit {max_bytes / 2**30:.0f} GiB)"
                    )
    except ProblemError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
        raise fail(f"not a readable .npz ({e})") from None
