"""Worker time billed to the request that used it.

The HTTP layer opens a bill for each request (:func:`billed`); the pool reports the
seconds each job held its worker (:func:`charge`), and they land on the bill of the request
that ran the job, through a context variable (threads started for the request inherit it).
Outside a request nothing is billed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Bill:
    """Worker time used by one request."""

    seconds: float = 0.0


_CURRENT: ContextVar[Bill | None] = ContextVar("aikg_request_bill", default=None)


@contextmanager
def billed() -> Iterator[Bill]:
    """A bill for the work done inside the block (by this task and its threads)."""
    bill = Bill()
    token = _CURRENT.set(bill)
    try:
        yield bill
    finally:
        _CURRENT.reset(token)


def charge(seconds: float) -> None:
    """Add worker time to the current request's bill (nothing outside a request).

    >>> with billed() as bill:
    ...     charge(0.25)
    >>> bill.seconds
    0.25
    """
    bill = _CURRENT.get()
    if bill is not None:
        bill.seconds += seconds
