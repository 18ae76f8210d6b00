"""A worker's socket, spoken from the event loop: the frames of ``multiprocessing``'s
``Connection``, read and written without a thread.

A worker talks to the pool through a ``Connection`` (a 4-byte big-endian length, or -1
and an 8-byte one past 2 GiB, then a pickle). The server's threads use the
``Connection`` itself; the event loop cannot block on it, so for a query job it writes
and reads the same frames on the socket's file descriptor, in non-blocking mode, waking
only when the kernel says the socket is ready. The worker cannot tell the difference.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import struct
from collections.abc import Iterator
from typing import Any

_SHORT = struct.Struct("!i")
_LONG = struct.Struct("!Q")
READ_BYTES = 1 << 20
"""The most read from the socket at a time (an answer past it takes several reads)."""


def frame(message: Any) -> bytes:
    """``message`` pickled, as one frame of a ``Connection``."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > 0x7FFFFFFF:
        return _SHORT.pack(-1) + _LONG.pack(len(data)) + data
    return _SHORT.pack(len(data)) + data


class Frames:
    """Bytes as they come off a socket, cut into the messages they carry.

    >>> frames = Frames()
    >>> whole = frame(("taken", None)) + frame(("ok", 42))
    >>> frames.feed(whole[:7])
    >>> list(frames.messages())
    []
    >>> frames.feed(whole[7:])
    >>> list(frames.messages())
    [('taken', None), ('ok', 42)]
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def messages(self) -> Iterator[Any]:
        """The messages complete so far, in order (unpickled: the worker is our own)."""
        while len(self._buffer) >= _SHORT.size:
            size = _SHORT.unpack_from(self._buffer)[0]
            start = _SHORT.size
            if size == -1:
                if len(self._buffer) < _SHORT.size + _LONG.size:
                    return
                size = _LONG.unpack_from(self._buffer, _SHORT.size)[0]
                start += _LONG.size
            if len(self._buffer) < start + size:
                return
            # Read in place: a copy of a large answer's bytes would be one more of its
            # size in the server's memory, which holds it whole while it is read.
            with memoryview(self._buffer) as view:
                message = pickle.loads(view[start : start + size])  # noqa: S301 - our worker's
            del self._buffer[: start + size]
            yield message


async def write_all(loop: asyncio.AbstractEventLoop, fd: int, data: bytes) -> None:
    """Write ``data`` to a non-blocking ``fd``, waiting on the loop whenever the socket's
    buffer is full (a job is small, so as a rule one write takes it all)."""
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view) :]
            continue
        except BlockingIOError:
            pass
        writable: asyncio.Future[None] = loop.create_future()
        loop.add_writer(fd, _resolve, writable)
        try:
            await writable
        finally:
            loop.remove_writer(fd)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
