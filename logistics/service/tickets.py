"""Short-lived links to a job's result files, for pages that cannot send an API key header.

A browser loads a map into an ``<iframe>`` and a timeline into an ``<img>`` by URL, without
headers; the dispatcher page therefore asks for a ticket (with its key) and puts it in the URL.
A ticket is an HMAC of the job id and an expiry under a secret the server keeps in its data
folder: it opens that one job's files for a few minutes, nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

TICKET_S = 900.0


def server_secret(data_dir: Path) -> bytes:
    """The server's ticket secret, created on first use (readable by the server's user only).

    Parameters
    ----------
    data_dir
        The service's data folder.

    Returns
    -------
    bytes
        32 random bytes.
    """
    path = Path(data_dir) / "ticket-secret"
    if not path.exists():
        tmp = path.with_name(f".ticket-secret.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        try:
            os.link(tmp, path)  # the first process to create it wins; others read it
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_bytes()


def make_ticket(secret: bytes, job_id: str, now: float | None = None) -> str:
    """A ticket for ``job_id``'s files, valid for `TICKET_S` seconds.

    Parameters
    ----------
    secret
        The server's secret.
    job_id
        The job.
    now
        The current time (for tests).

    Returns
    -------
    str
        ``<expiry>.<hmac>``.
    """
    expires = int((time.time() if now is None else now) + TICKET_S)
    sig = hmac.new(secret, f"{job_id}:{expires}".encode(), hashlib.sha256).hexdigest()
    return f"{expires}.{sig}"


def check_ticket(secret: bytes, job_id: str, ticket: str) -> bool:
    """Whether ``ticket`` opens ``job_id`` now.

    Parameters
    ----------
    secret
        The server's secret.
    job_id, ticket
        The job and the ticket from the URL.

    Returns
    -------
    bool
        ``True`` for an unexpired ticket made for this job.
    """
    expires, _, sig = ticket.partition(".")
    if not expires.isdigit() or len(sig) != 64 or int(expires) < time.time():
        return False
    good = hmac.new(secret, f"{job_id}:{int(expires)}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(good, sig)
