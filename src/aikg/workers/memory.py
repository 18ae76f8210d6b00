"""What one query may take of the machine's memory, and how much a process has taken.

A deadline bounds a query's time, not its memory: a cross product sorted by ``ORDER BY``
grows a worker by about 300 MB a second, so four of them at once, or one query whose
answer grows with the square of the data (``conflict-candidates``, when it paired every
claim sharing a count with every other, grew past 22 GB at ten million triples), can
exhaust the machine before their deadline. The kernel's out-of-memory killer then
chooses its victim by size, which may be the keeper and the store it holds. So each
query worker, and each write's dry run, may grow by at most a budget over what it held
when it was forked (the store it shares with the keeper is not counted); the pool stops
one that grows past it.

What a process has taken is its anonymous memory, resident or swapped out
(``RssAnon`` and ``VmSwap`` in ``/proc/PID/status``), read in microseconds without stopping
it. A fork shares its parent's pages, but they count in its resident memory from the
start: the growth over that start is what the query allocated. Pages of the store's files
in the page cache are the kernel's, not the query's, and are left out. A page of the
keeper's that a worker writes to is copied without changing the count, but what a worker
shares with the keeper is small: the store in memory is the bundled data and the writes
made since the server started (a large store is on disk, in files), and RocksDB's
caches. Telling copies apart (``Private_Dirty`` in ``smaps_rollup``) costs milliseconds a
look, which a watch every few tens of milliseconds cannot pay. Where there is no
``/proc``, nothing is measured and nothing is stopped for its memory.
"""

from __future__ import annotations

from aikg.machine import available_memory

MB = 1024 * 1024
WATCH_SECONDS = 0.05
"""How often the pool reads the memory of its workers (and the keeper, of a dry run): a
query grows by about 15 MB in that time (300 MB a second, measured), past its budget
before it is stopped."""
IDLE_SHARE = 2
"""A worker that still holds more than 1/IDLE_SHARE of the budget after its job (an
allocator keeps what it freed) is replaced: the next query gets at least the rest."""
SMALLEST_BUDGET = 64 * MB
"""The least an automatic budget gives a query, however little memory is free when the
server starts (a machine or a container near its limit): a query's own work needs some."""

_COUNTED = (b"RssAnon:", b"VmSwap:")


def private_bytes(pid: int) -> int | None:
    """The anonymous memory of process ``pid`` in bytes, resident or swapped out; None if
    it is gone or the system does not say."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            lines = status.read().splitlines()
    except OSError:
        return None
    try:
        kilobytes = [int(line.split()[1]) for line in lines if line.startswith(_COUNTED)]
    except (IndexError, ValueError):
        return None
    return sum(kilobytes) * 1024 if len(kilobytes) == len(_COUNTED) else None


def growth(pid: int, forked_with: int | None) -> int | None:
    """Bytes process ``pid`` has grown by since it held ``forked_with`` (what
    :func:`private_bytes` read when it was ready); None if either is unknown."""
    used = private_bytes(pid)
    if used is None or forked_with is None:
        return None
    return used - forked_with


def query_budget(megabytes: int, workers: int) -> int:
    """The bytes one query may grow its process by: ``megabytes`` when set, else an equal
    share of the memory available now among the workers and one more (the write's dry
    run, or the rest of the machine), so that every worker at its limit at once still
    leaves a share free. Called once the store is open, which then holds its part."""
    if megabytes > 0:
        return megabytes * MB
    return max(SMALLEST_BUDGET, available_memory() // (workers + 1))
