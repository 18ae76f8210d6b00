"""What every benchmark module shares: paths, statistics, and processes that always stop.

Each measurement is a *job*: a function run in a fresh ``python -m benchmarks.job``
subprocess (its peak RSS is then the engine's own, and a heap left by one engine cannot
slow the next). Jobs and servers are started in a session of their own, recorded, and
stopped (SIGTERM, then SIGKILL to their whole process group) in ``finally`` blocks and by
:func:`stop_all`, so Ctrl-C or a failure never leaves one running.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tests.server import terminate

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
LOGS = WORK / "logs"
RESULT_MARK = "@@BENCH-RESULT "

_LIVE: dict[int, subprocess.Popen[bytes]] = {}


def write_results(
    out: str | Path, name: str, results: dict[str, Any], text: str, stamp: str | None = None
) -> Path:
    """A measurement's figures to ``OUT/NAME-<UTC time>.json`` and its tables to ``.md``
    beside it; the Markdown's path."""
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = stamp or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (directory / f"{name}-{stamp}.json").write_text(json.dumps(results, indent=1) + "\n")
    markdown = directory / f"{name}-{stamp}.md"
    markdown.write_text(text)
    return markdown


def log(message: str) -> None:
    """Progress for the person running the benchmark (stderr, so stdout stays the report)."""
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, in MB (Linux reports ru_maxrss in kB)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def current_rss_mb() -> float:
    """Resident set size now, in MB (from /proc: the baseline before a measurement)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


# -- statistics ------------------------------------------------------------------------


T = TypeVar("T")


def in_turns(
    ways: Mapping[str, Callable[[], AbstractContextManager[None]]],
    read: Callable[[], T],
    rounds: int,
    *,
    warm: int = 0,
) -> tuple[dict[str, list[float]], T | None]:
    """Each way's times (ms) of ``read()`` run under it, the ways in turns (their order
    swapped every round, so that a drift of the machine falls on each alike); the first
    ``warm`` rounds warm each way up and are not counted. Also what the last read gave."""
    times: dict[str, list[float]] = {way: [] for way in ways}
    last: T | None = None
    for round_ in range(rounds):
        order = list(ways) if round_ % 2 == 0 else list(reversed(list(ways)))
        for way in order:
            with ways[way]():
                started = time.perf_counter()
                last = read()
                spent = (time.perf_counter() - started) * 1000
            if round_ >= warm:
                times[way].append(spent)
    return times, last


def markdown_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A results table as the benchmarks write it: a title line, then a Markdown table.

    >>> print(markdown_table("Figures", ["a", "b"], [[1, "2x"]]), end="")
    Figures
    <BLANKLINE>
    | a | b |
    |---|---|
    | 1 | 2x |
    """
    lines = [title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def median(values: Sequence[float]) -> float | None:
    """The median (inf allowed: a timed-out run counts as longer than any other)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def weighted_percentile(groups: Sequence[Sequence[float]], q: float) -> float | None:
    """The q-th percentile (nearest rank) of a mix in which every group (one saved query's
    samples) weighs the same, however many samples it has: slow queries get fewer
    repetitions, and must not count less for it. inf stands for a timed-out run."""
    weighted = [(v, 1.0 / len(g)) for g in groups if g for v in g]
    if not weighted:
        return None
    weighted.sort()
    total = sum(w for _, w in weighted)
    target = q / 100 * total
    running = 0.0
    for value, weight in weighted:
        running += weight
        if running >= target - 1e-9:
            return value
    return weighted[-1][0]


def summary_ms(groups: Sequence[Sequence[float]]) -> dict[str, float | None]:
    """p50 and p99 (ms) of a query mix, each query weighing the same."""
    return {
        "p50_ms": finite(weighted_percentile(groups, 50)),
        "p99_ms": finite(weighted_percentile(groups, 99)),
    }


def finite(value: float | None) -> float | None:
    """JSON has no infinity: a timed-out figure is written as None (the report says why)."""
    if value is None or math.isinf(value):
        return None
    return round(value, 3)


# -- processes -------------------------------------------------------------------------


def spawn(args: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start a process in a session (and process group) of its own, and record it."""
    process = subprocess.Popen(list(args), start_new_session=True, **kwargs)
    _LIVE[process.pid] = process
    return process


def stop(process: subprocess.Popen[bytes], grace: float = 15) -> None:
    """SIGTERM (servers shut down cleanly), then SIGKILL to its whole process group (the
    aikg server's keeper and workers, Virtuoso's threads): by its id, nothing else."""
    try:
        terminate(process, grace)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # leftovers of its group, if any
    finally:
        _LIVE.pop(process.pid, None)


def stop_all() -> None:
    """Stop every process this run started and has not stopped yet."""
    for process in list(_LIVE.values()):
        stop(process, grace=5)


def install_signal_handlers() -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so every ``finally`` stops its processes."""

    def handler(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


@contextmanager
def running(args: Sequence[str], **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A process for the length of a ``with`` block, stopped however the block ends."""
    process = spawn(args, **kwargs)
    try:
        yield process
    finally:
        stop(process)


def run_job(target: str, limit: float, label: str, **kwargs: Any) -> dict[str, Any]:
    """Run ``benchmarks.<module>:<function>(**kwargs)`` in a fresh subprocess; its dict.

    A job that fails or runs past ``limit`` seconds gives ``{"error": ...}`` (with
    ``"timed_out": True`` for the latter) instead of raising: one engine's failure is a
    figure of the report, not the end of the run.
    """
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{label}.log"
    started = time.monotonic()
    with log_path.open("ab") as err:
        err.write(f"\n=== {time.ctime()} {target} {json.dumps(kwargs)}\n".encode())
        err.flush()
        process = spawn(
            [sys.executable, "-m", "benchmarks.job", target, json.dumps(kwargs)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        try:
            out, _ = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            stop(process, grace=2)
            return {"error": f"timed out after {limit:g} s", "timed_out": True}
        finally:
            stop(process, grace=2)
    wall = time.monotonic() - started
    for line in reversed(out.decode("utf-8", "replace").splitlines()):
        if line.startswith(RESULT_MARK):
            result: dict[str, Any] = json.loads(line[len(RESULT_MARK) :])
            result.setdefault("job_wall_s", round(wall, 3))
            return result
    tail = log_path.read_text("utf-8", "replace").splitlines()[-5:]
    return {"error": f"exit {process.returncode}: " + " | ".join(tail)}


def wait_measured(process: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, float]:
    """Wait for a child with wait4, for its own peak RSS (MB); None as status on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            _LIVE.pop(process.pid, None)
            return process.returncode, round(usage.ru_maxrss / 1024, 1)
        time.sleep(0.1)
    return None, 0.0


LONG_ANSWERS = ("unreported-values", "entities", "conflicts", "figure-clashes")
"""The saved queries whose answers at scale run to several pages."""


def ab_arguments(parser: argparse.ArgumentParser) -> None:
    """What an in-process A/B of saved queries takes: ``--store DIR`` or ``--memory FILE``
    (the graph it runs on), ``--queries`` (the long answers by default), ``--reps`` and
    ``--out``."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", help="a store directory (aikg load --store DIR)")
    where.add_argument("--memory", help="an RDF file, loaded in memory without validation")
    parser.add_argument("--queries", default=",".join(LONG_ANSWERS))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", default=str(HERE / "results"))


def open_graph(args: argparse.Namespace, max_rows: int | None = None) -> tuple[Any, dict[str, Any]]:
    """The graph :func:`ab_arguments` named (with ``max_rows`` rows a page, if given),
    and what the results say of it: where it is and how many triples it holds."""
    from aikg import KnowledgeGraph  # noqa: PLC0415 - the harness imports lazily
    from aikg.config import Settings  # noqa: PLC0415

    settings = Settings() if max_rows is None else Settings().replace(max_rows=max_rows)
    if args.store:
        kg = KnowledgeGraph.open(settings.replace(store=args.store))
    else:
        kg = KnowledgeGraph.load(settings=settings, validate=False)
        kg.add_files([args.memory], validate=False)
    where = {"where": args.store or f"{args.memory}, in memory", "triples": kg.store.union_size()}
    return kg, where
