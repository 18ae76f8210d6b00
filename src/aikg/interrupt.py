"""Ctrl-C that ends a command even while the engine runs a query.

Python raises ``KeyboardInterrupt`` only when its main thread runs Python code again.
The engine hands control back to Python for each row it yields, but an aggregate over a
big store (a ``COUNT`` of millions of rows, a sort before its first row) can run for
minutes without yielding one, and Ctrl-C then does nothing until it ends.

:func:`interruptible` keeps both paths. The signal still raises ``KeyboardInterrupt``
where Python can (a load then rolls back on its way out, see :mod:`aikg.loader`). A thread
also wakes on the signal itself: Python's C-level handler writes it to the wakeup file
descriptor at once, and the thread reads it as soon as it can run, which it can while
the engine runs a query, an update or a load (pyoxigraph releases the GIL for those). If
the main thread has not begun to stop within a grace period, the thread ends the process
by SIGINT, as a shell expects of a command that Ctrl-C stopped: a store on disk survives
that as it survives ``kill -9`` (a load cut short is rolled back when the store next
opens).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

EXIT_INTERRUPTED = 130
"""128 + SIGINT: the status a shell gives a command that Ctrl-C ended."""

_SIGINT = {signal.SIGINT}


@contextmanager
def interruptible(message: str, grace: float = 2.0) -> Iterator[None]:
    """Within the block, Ctrl-C raises ``KeyboardInterrupt`` as usual; if the main thread
    is inside the engine and does not begin to stop within ``grace`` seconds, ``message``
    goes to standard error and the process ends by SIGINT (:func:`die_by_sigint`).

    Outside the main thread (where signals cannot be handled), or where Ctrl-C does not
    raise ``KeyboardInterrupt`` (a command started with it ignored, in the background of
    a script), the block runs as it is.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    stopping = threading.Event()

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        stopping.set()  # the main thread runs Python again: it stops by itself
        raise KeyboardInterrupt

    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    watcher = threading.Thread(
        target=_watch, args=(read_end, stopping, grace, message), name="aikg-ctrl-c", daemon=True
    )
    # The kernel gives this thread no Ctrl-C while the handling is set up or taken down.
    # Another thread may take one (the engine's own threads do not block it); Python then
    # runs the handler here at its next step: as a handler is swapped, it is caught and
    # counted (_swap); anywhere else it raises, and the take-down still unblocks it.
    signal.pthread_sigmask(signal.SIG_BLOCK, _SIGINT)
    previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    interrupted = _swap(raise_interrupt)
    watcher.start()
    failed = False
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGINT)
        if interrupted:  # a Ctrl-C as the handling was set up: the block does not run
            raise KeyboardInterrupt
        yield
    except BaseException:
        failed = True
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, _SIGINT)
        try:
            interrupted = _restore(previous_fd)
            os.close(write_end)  # the watcher reads the end of the pipe and returns
            watcher.join()
            os.close(read_end)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGINT)  # a Ctrl-C held back: now
        if interrupted and not failed:
            raise KeyboardInterrupt


def _swap(handler: Callable[[int, FrameType | None], None] | int) -> bool:
    """Install ``handler`` for SIGINT; whether a Ctrl-C came meanwhile (Python runs a
    pending handler as it swaps it, which may raise)."""
    interrupted = False
    while True:
        try:
            signal.signal(signal.SIGINT, handler)
            return interrupted
        except KeyboardInterrupt:
            interrupted = True


def _restore(previous_fd: int) -> bool:
    """Put Python's own Ctrl-C handling back; whether a Ctrl-C came meanwhile."""
    signal.set_wakeup_fd(previous_fd)
    return _swap(signal.default_int_handler)


def _watch(read_end: int, stopping: threading.Event, grace: float, message: str) -> None:
    while chunk := os.read(read_end, 64):  # empty when the block has ended
        if signal.SIGINT not in chunk:
            continue
        if stopping.wait(grace):
            stopping.clear()  # the next Ctrl-C needs the main thread to stop again
            continue
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
        die_by_sigint()


def die_by_sigint() -> NoReturn:
    """End the process by SIGINT, from any thread: a shell that ran it then stops the
    script it runs, as it does for any command that Ctrl-C ended (an exit status of 130
    would let a loop go on to its next command)."""
    with contextlib.suppress(OSError, AttributeError):
        # libc's signal(), not Python's: Python's can only be called from the main thread.
        libc_signal = ctypes.CDLL(None).signal
        libc_signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
        libc_signal.restype = ctypes.c_void_p
        libc_signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGINT)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)  # delivered by now, to this thread or another
    os._exit(EXIT_INTERRUPTED)
