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

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import LOGS, log, run_job, spawn, stop, wait_measured


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


def query(
    store: str,
    name: str,
    params: dict[str, str],
    reps: int,
    *,
    budget: float = 10.0,
    deadline: float = 600.0,
) -> dict[str, Any]:
    """Job: one saved query on the store, as ``kg.saved`` runs it (its first page, label
    columns added): once cold (the first run after opening the store), then ``reps``
    times warm. A run longer than ``budget`` seconds ends the warm runs early (the median
    is then of fewer runs: a query that slow is far off any target). A remote store is
    given ``deadline`` as aikg's query deadline (a store on disk has none in process:
    the job is killed instead)."""
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.errors import QueryTimeoutError  # noqa: PLC0415
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from aikg.sparql.execute import SelectResult  # noqa: PLC0415

    started = time.perf_counter()
    kg = KnowledgeGraph.open(Settings(store=store, query_timeout=deadline))
    open_ms = (time.perf_counter() - started) * 1000
    times = []
    rows = 0
    truncated = False
    for _ in range(reps + 1):
        started = time.perf_counter()
        try:
            result = kg.saved(name, **params)
        except QueryTimeoutError as error:  # a remote store's deadline, or the server's
            if not times:
                return {"error": error.message, "timed_out": True}
            break  # a warm run: the median is of the runs that finished
        times.append((time.perf_counter() - started) * 1000)
        if isinstance(result, SelectResult):
            rows, truncated = len(result.rows), result.truncated
        if times[-1] > budget * 1000:
            break
    warm = sorted(times[1:])
    return {
        "open_ms": open_ms,
        "cold_ms": times[0],
        "warm_ms": warm[len(warm) // 2] if warm else None,
        "warm_runs": len(warm),
        "rows": rows,
        "truncated": truncated,
    }


def store_size(store: str, deadline: float = 600.0) -> dict[str, Any]:
    """Job: how many distinct triples the store's graphs hold together (``deadline``:
    aikg's query deadline on a remote store)."""
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415

    with KnowledgeGraph.open(Settings(store=store, query_timeout=deadline)) as kg:
        return {"triples": kg.store.union_size()}


def saved_queries(
    store: str, reps: int, deadline: float, names: set[str] | None = None, budget: float = 10.0
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
