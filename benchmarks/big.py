"""The 10M on-disk run (``--big``): ``aikg load`` a 10M-triple file, then every saved query;
and every saved query alone on a store given (``--store DIR``, or the URL of a remote
store's SPARQL endpoint holding the same quads).

``aikg load --store DIR`` is the real command in a child process, waited for with
``wait4`` so that its own peak RSS is known. Each saved query then runs in a fresh job
that opens the store (not timed), runs the query once cold and ``reps`` times warm, and
reports its times, rows and the process's peak RSS; a query that runs past the deadline
is killed with its job and reported as timed out.
"""

from __future__ import annotations

import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aikg.machine import available_memory
from benchmarks.common import (
    LOGS,
    log,
    peak_rss_mb,
    run_job,
    spawn,
    stop,
    wait_measured,
)

if TYPE_CHECKING:
    from aikg.knowledge_graph import KnowledgeGraph

WARM_BUDGET_S = 10.0
"""A run longer than this ends a query's warm runs (the median is then of fewer runs)."""


def cli_load(gen: Path, store: Path, timeout: float) -> dict[str, Any]:
    """``aikg load --store DIR --quiet FILE``: wall time, peak RSS and its own report."""
    shutil.rmtree(store, ignore_errors=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    out_path = LOGS / f"aikg-load-{store.name}.out"
    with out_path.open("wb") as out:
        started = time.perf_counter()
        process = spawn(
            [sys.executable, "-m", "aikg.cli", "load", "--store", str(store), "--quiet", str(gen)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            status, rss = wait_measured(process, timeout)
        finally:
            stop(process, grace=5)
        wall = time.perf_counter() - started
    text = out_path.read_text("utf-8", "replace").strip()
    if status is None:
        return {"error": f"timed out after {timeout:g} s", "timed_out": True}
    return {"status": status, "wall_s": wall, "peak_rss_mb": rss, "output": text[-500:]}


def timed_runs(
    kg: KnowledgeGraph, name: str, params: dict[str, str], reps: int, budget: float
) -> Iterator[dict[str, Any]]:
    """One saved query as ``kg.saved`` runs it (its first page, label columns added): once
    cold, then up to ``reps`` times warm, each run's milliseconds, rows and truncation. A
    run longer than ``budget`` seconds ends the warm runs early (the median is then of
    fewer runs: a query that slow is far off any target)."""
    from aikg.sparql.execute import SelectResult  # noqa: PLC0415

    for _ in range(reps + 1):
        started = time.perf_counter()
        result = kg.saved(name, **params)
        ms = (time.perf_counter() - started) * 1000
        rows, truncated = (
            (len(result.rows), result.truncated) if isinstance(result, SelectResult) else (0, False)
        )
        yield {"ms": ms, "rows": rows, "truncated": truncated}
        if ms > budget * 1000:
            return


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of a query's runs (:func:`timed_runs`): cold, the warm median, rows."""
    warm = sorted(r["ms"] for r in runs[1:])
    return {
        "cold_ms": runs[0]["ms"],
        "warm_ms": warm[len(warm) // 2] if warm else None,
        "warm_runs": len(warm),
        "rows": runs[-1]["rows"],
        "truncated": runs[-1]["truncated"],
    }


def query(
    store: str,
    name: str,
    params: dict[str, str],
    reps: int,
    *,
    budget: float = WARM_BUDGET_S,
    deadline: float = 600.0,
) -> dict[str, Any]:
    """Job: one saved query on the store (:func:`timed_runs`), the first run after opening
    the store being the cold one. A remote store is given ``deadline`` as aikg's query
    deadline (a store on disk has none in process: the job is killed instead)."""
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.errors import QueryTimeoutError  # noqa: PLC0415
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415

    started = time.perf_counter()
    kg = KnowledgeGraph.open(Settings(store=store, query_timeout=deadline))
    open_ms = (time.perf_counter() - started) * 1000
    runs: list[dict[str, Any]] = []
    try:
        runs.extend(timed_runs(kg, name, params, reps, budget))
    except QueryTimeoutError as error:  # a remote store's deadline, or the server's
        if not runs:
            return {"error": error.message, "timed_out": True}
        # a warm run: the median is of the runs that finished
    return {"open_ms": open_ms, **summary(runs)}


def memory_queries(
    data: str,
    reps: int,
    deadline: float,
    *,
    names: list[str] | None = None,
    budget: float = WARM_BUDGET_S,
    memory_floor_mb: float = 1024.0,
) -> dict[str, Any]:
    """Job: the bundled data and the file ``data`` in a graph in memory, as the Python API
    makes it (``KnowledgeGraph.load()``, then ``add_files``, validated), then every saved
    query (or those ``names``) on it with its example parameters (:func:`timed_runs`).

    The graph is loaded once; each query runs in a fork of this process, which shares
    it (as aikg's query workers share the keeper's store), so that the first run after
    the load is each query's cold run, and a query that runs past ``deadline`` seconds,
    or leaves the machine less than ``memory_floor_mb`` of available memory, is killed
    and reported as such without losing the graph."""
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from benchmarks.queries import mix  # noqa: PLC0415

    started = time.perf_counter()
    kg = KnowledgeGraph.load()
    kg.add_files([data])
    result: dict[str, Any] = {
        "load_s": round(time.perf_counter() - started, 1),
        "load_peak_rss_mb": peak_rss_mb(),
        "triples": kg.store.union_size(),
        "queries": {},
    }
    log(f"memory: {result['triples']:,} triples loaded in {result['load_s']} s")
    for q in mix():
        if names and q.name not in names:
            continue
        runs = functools.partial(timed_runs, kg, q.name, q.params, reps, budget)
        answer = _forked(runs, deadline, memory_floor_mb)
        result["queries"][q.name] = answer
        log(f"memory: {q.name}: {_figures(answer)}")
    return result


def _figures(answer: dict[str, Any]) -> str:
    """A query's figures for the log: its error, or cold and warm times."""
    if "error" in answer:
        return str(answer["error"])
    warm = answer["warm_ms"]
    text = f"cold {answer['cold_ms']:.1f} ms, warm {'–' if warm is None else f'{warm:.1f}'} ms"
    return text + (f", then {answer['stopped']}" if answer.get("stopped") else "")


def _forked(
    runs: Callable[[], Iterator[dict[str, Any]]], deadline: float, memory_floor_mb: float
) -> dict[str, Any]:
    """``runs()`` in a forked child, each run sent back as a line as it ends; the child is
    killed when a run takes longer than ``deadline`` seconds or the machine's available
    memory falls under ``memory_floor_mb``. Its figures (:func:`summary`), with its peak
    RSS (shared pages included: the graph it was forked with); a child that was stopped
    or failed after some runs keeps their figures, with why it ended (``stopped``)."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the child: never returns into the parent's code
        status = 1  # unless every run was sent
        try:
            os.close(read_end)
            with os.fdopen(write_end, "w") as out:
                for run in runs():
                    out.write(json.dumps(run) + "\n")
                    out.flush()
            status = 0
        except BaseException:  # the job's log gets the traceback; the parent, the exit
            traceback.print_exc()
        finally:
            os._exit(status)
    os.close(write_end)
    received: list[dict[str, Any]] = []
    stopped: str | None = None
    try:
        stopped = _read_runs(read_end, received, deadline, memory_floor_mb)
    except BaseException:  # the child is stopped and reaped on every path
        os.kill(pid, signal.SIGKILL)
        os.wait4(pid, 0)
        raise
    if stopped is not None:
        os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    peak = round(usage.ru_maxrss / 1024, 1)
    code = os.waitstatus_to_exitcode(status)
    ended = stopped or (f"failed (exit {code})" if code != 0 else None)
    if not received:
        return {"error": ended or "failed (no run sent)", "peak_rss_mb": peak}
    return {**summary(received), "peak_rss_mb": peak, **({"stopped": ended} if ended else {})}


def _read_runs(
    read_end: int, received: list[dict[str, Any]], deadline: float, memory_floor_mb: float
) -> str | None:
    """Read a child's runs into ``received`` until it closes its end (None), or until a
    run has taken longer than ``deadline`` seconds or the machine's memory is short: why
    it must be stopped."""
    buffer = b""
    run_started = time.monotonic()
    with os.fdopen(read_end, "rb") as pipe:
        while True:
            ready, _, _ = select.select([pipe], [], [], 0.1)
            if ready:
                chunk = os.read(pipe.fileno(), 65536)
                if not chunk:
                    return None  # the child closed its end: done (or failed)
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    received.append(json.loads(line))
                    run_started = time.monotonic()
            if time.monotonic() - run_started > deadline:
                return f"timed out after {deadline:g} s"
            if available_memory() < memory_floor_mb * 2**20:
                return f"stopped with under {memory_floor_mb:,.0f} MB of memory left"


def store_size(store: str, deadline: float = 600.0) -> dict[str, Any]:
    """Job: how many distinct triples the store's graphs hold together (``deadline``:
    aikg's query deadline on a remote store)."""
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415

    with KnowledgeGraph.open(Settings(store=store, query_timeout=deadline)) as kg:
        return {"triples": kg.store.union_size()}


def saved_queries(
    store: str,
    reps: int,
    deadline: float,
    names: set[str] | None = None,
    budget: float = WARM_BUDGET_S,
) -> dict[str, Any]:
    """Every saved query (or those ``names``) with its example parameters on a store (a
    directory or a remote store's URL), each in a fresh job (:func:`query`); a job that
    has not finished when a run of ``deadline`` seconds would have is killed and
    reported as timed out."""
    from benchmarks.queries import mix  # noqa: PLC0415

    per_query: dict[str, Any] = {}
    for q in mix():
        if names and q.name not in names:
            continue
        answer = run_job(
            "big:query",
            # At most reps + 1 runs within the budget, or two runs when one exceeds it.
            max(budget * (reps + 1), 2 * deadline) + 60,
            "big-queries",
            store=store,
            name=q.name,
            params=q.params,
            reps=reps,
            budget=budget,
            deadline=deadline,
        )
        per_query[q.name] = answer
        log(
            f"{store}: {q.name}: cold {answer.get('cold_ms')} ms, "
            f"warm {answer.get('warm_ms')} ms {answer.get('error', '')}"
        )
    return per_query


def run(gen: Path, store: Path, reps: int, deadline: float) -> dict[str, Any]:
    log(f"big: aikg load --store {store} ({gen.name})")
    result: dict[str, Any] = {"load": cli_load(gen, store, timeout=4 * 3600)}
    log(
        f"big: load {result['load'].get('wall_s', 0):.0f} s, "
        f"peak {result['load'].get('peak_rss_mb')} MB"
    )
    if result["load"].get("status") != 0:
        return result
    per_query = saved_queries(str(store), reps, deadline)
    result["queries"] = per_query
    result["peak_rss_mb"] = max(
        (a.get("peak_rss_mb") or 0 for a in per_query.values()), default=None
    )
    return result
