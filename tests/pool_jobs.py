"""Jobs for the worker pool's own tests: a tiny state and jobs that misbehave on purpose.

The keeper imports this module by name (``tests.pool_jobs``) in a new interpreter.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

from aikg.config import Settings
from aikg.errors import InputError
from aikg.workers.pool import streaming


def open_state(settings: Settings) -> dict[str, int]:
    return {"counter": 0}


def pid(state: dict[str, int]) -> int:
    return os.getpid()


def counter(state: dict[str, int]) -> int:
    return state["counter"]


def held(state: dict[str, int], seconds: float) -> tuple[int, int]:
    """This worker's pid and counter, after holding it ``seconds`` (jobs sent at once then
    reach as many workers)."""
    time.sleep(seconds)
    return os.getpid(), state["counter"]


def sleep(state: dict[str, int], seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def die(state: dict[str, int]) -> None:
    """What the out-of-memory killer does to a worker in the middle of a job."""
    os.kill(os.getpid(), signal.SIGKILL)


def fail(state: dict[str, int]) -> None:
    raise ZeroDivisionError("a bug in a job")


def refuse(state: dict[str, int]) -> None:
    raise InputError("a refusal", hint="ask nicely")


@streaming
def chunks(state: dict[str, int], count: int, emit: Callable[[bytes], None]) -> None:
    for i in range(count):
        emit(f"chunk {i}\n".encode())


@streaming
def blobs(state: dict[str, int], count: int, size: int, emit: Callable[[bytes], None]) -> None:
    """``count`` chunks of ``size`` bytes: an answer streamed (a dump)."""
    for _ in range(count):
        emit(b"x" * size)


def blob(state: dict[str, int], size: int) -> bytes:
    """An answer larger than one read of the socket."""
    return bytes(range(256)) * (size // 256)


def echo(state: dict[str, int], data: bytes) -> bytes:
    """A job larger than a Unix socket's buffer, sent back."""
    return data


MB = 1024 * 1024
_kept: list[bytes] = []
"""What :func:`grow` keeps after its job, as an allocator keeps what a query freed."""


def grow(state: dict[str, int], megabytes: int, keep: bool = False) -> int:
    """Take ``megabytes`` of memory, 8 MB every 10 ms (at most 800 MB a second; a cross
    product the engine sorts grows by about 300), written so that it is resident; with ``keep``,
    hold it after the job. Its own pid."""
    taken: list[bytes] = []
    for _ in range(megabytes // 8):
        taken.append(b"x" * (8 * MB))
        time.sleep(0.01)
    if keep:
        _kept.extend(taken)
    return os.getpid()


def swell(state: dict[str, int], dry_run: bool, megabytes: int) -> int:
    """A write that takes ``megabytes`` of memory in its dry run."""
    grow(state, megabytes)
    return increment(state, dry_run)


def increment(state: dict[str, int], dry_run: bool) -> int:
    state["counter"] += 1
    return state["counter"]


READ_JOBS: dict[str, Callable[..., Any]] = {
    "pid": pid,
    "counter": counter,
    "held": held,
    "sleep": sleep,
    "die": die,
    "fail": fail,
    "refuse": refuse,
    "chunks": chunks,
    "blob": blob,
    "blobs": blobs,
    "echo": echo,
    "grow": grow,
}
WRITE_JOBS: dict[str, Callable[..., Any]] = {"increment": increment, "swell": swell}
