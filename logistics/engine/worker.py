"""The worker interpreter behind [logistics.engine.parallel.run_tasks][].

It reads length-prefixed pickled ``(function, args)`` tasks on stdin and writes
``("ok", result)`` or ``("err", exception)`` back on its own copy of stdout; anything the task
prints goes to stderr instead, so it cannot corrupt the replies.  A zero length ends the loop.
It imports nothing of ours but what the tasks' functions need.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys

_HEADER = struct.Struct("<Q")


def serve() -> None:
    """Answer tasks until stdin says stop (a zero length) or closes.

    Parameters
    ----------
    None
        Tasks arrive on stdin; replies go to a private copy of stdout, prints to stderr.

    Returns
    -------
    None
        When the parent closes the pipe or sends a zero length.
    """
    reply = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # prints of the task go to stderr, never into the reply stream
    sys.stdout = sys.stderr
    stdin = sys.stdin.buffer
    while True:
        head = stdin.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        (size,) = _HEADER.unpack(head)
        if size == 0:
            return
        body = stdin.read(size)
        try:
            fn, args = pickle.loads(body)
            message = ("ok", fn(*args))
        except Exception as e:
            message = ("err", e)
        try:
            blob = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            blob = pickle.dumps(("err", RuntimeError(f"{type(e).__name__}: {e}")), protocol=pickle.HIGHEST_PROTOCOL)
        reply.write(_HEADER.pack(len(blob)) + blob)
        reply.flush()
