"""Top-level task functions for ``test_parallel.py``: workers import them by module and name."""

from __future__ import annotations

import os
import sys
import time


def square(x: int) -> int:
    return x * x


def pid_of(_: int) -> int:
    return os.getpid()


def fail_on(x: int, bad: int) -> int:
    if x == bad:
        raise ValueError(f"bad value {x}")
    return x


def sleep_then(x: int, seconds: float) -> int:
    time.sleep(seconds)
    return x


def noisy(x: int) -> int:
    # a task that prints on stdout and stderr must not corrupt the reply stream
    print("chatter " * 50, x)
    sys.stdout.write("\x00\x01 binary-looking noise\n")
    sys.stdout.flush()
    print("to stderr", file=sys.stderr)
    return x + 1


def pid_after(seconds: float) -> int:
    # slow enough that two tasks land on two workers
    time.sleep(seconds)
    return os.getpid()


def loaded(module: str) -> bool:
    return module in sys.modules
