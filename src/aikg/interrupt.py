"""Ctrl-C that ends a command even while the engine runs a query.

Python raises ``KeyboardInterrupt`` only when its main thread runs Python code again.
The engine hands control back to Python for each row it yields, but an aggregate over a
big store (a ``COUNT`` of millions of rows, a sort before its first row) can run for
minutes without yielding one, and Ctrl-C then does nothing until it ends.

:func:`interruptible` keeps both paths. The signal still raises ``KeyboardInterrupt``
where Python can (a load then rolls back on its way out, see :mod:`aikg.loader`). A thread
also wakes on the signal itself (Python's wakeup file descriptor, written by the C-level
handler whatever the main thread is doing). If the main thread has not begun to stop
within a grace period, the thread ends the process: a store on disk survives that (a
load cut short is rolled back when the store next opens).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_INTERRUPTED = 130
"""128 + SIGINT: the status a shell gives a command that Ctrl-C ended."""


@contextmanager
def interruptible(message: str, grace: float = 2.0) -> Iterator[None]:
    """Within the block, Ctrl-C raises ``KeyboardInterrupt`` as usual; if the main thread
    is inside the engine and does not begin to stop within ``grace`` seconds, ``message``
    goes to standard error and the process exits with :data:`EXIT_INTERRUPTED`.

    Outside the main thread (where signals cannot be handled) the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = threading.Event()

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        stopping.set()  # the main thread runs Python again: it stops by itself
        raise KeyboardInterrupt

    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    previous_handler = signal.signal(signal.SIGINT, raise_interrupt)
    previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)

    def watch() -> None:
        while chunk := os.read(read_end, 64):  # empty when the block has ended
            if signal.SIGINT in chunk and not stopping.wait(grace):
                sys.stderr.write(message + "\n")
                sys.stderr.flush()
                os._exit(EXIT_INTERRUPTED)

    watcher = threading.Thread(target=watch, name="aikg-ctrl-c", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous_handler)
        os.close(write_end)  # the watcher reads the end of the pipe and returns
        watcher.join()
        os.close(read_end)
