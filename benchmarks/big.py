"""The 10M on-disk run (``--big``): ``aikg load`` a 10M-triple file, then every saved query.

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


def query(store: str, name: str, params: dict[str, str], reps: int) -> dict[str, Any]:
    """Job: one saved query on the store on disk, cold then warm."""
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from aikg.sparql.execute import SelectResult  # noqa: PLC0415

    kg = KnowledgeGraph.open(Settings(store=store))
    times = []
    rows = 0
    truncated = False
    for _ in range(reps + 1):
        started = time.perf_counter()
        result = kg.saved(name, **params)
        times.append((time.perf_counter() - started) * 1000)
        if isinstance(result, SelectResult):
            rows, truncated = len(result.rows), result.truncated
    return {
        "cold_ms": times[0],
        "warm_ms": sorted(times[1:])[len(times[1:]) // 2] if times[1:] else None,
        "rows": rows,
        "truncated": truncated,
    }


def run(gen: Path, store: Path, reps: int, deadline: float) -> dict[str, Any]:
    from benchmarks.queries import mix  # noqa: PLC0415

    log(f"big: aikg load --store {store} ({gen.name})")
    result: dict[str, Any] = {"load": cli_load(gen, store, timeout=4 * 3600)}
    log(
        f"big: load {result['load'].get('wall_s', 0):.0f} s, "
        f"peak {result['load'].get('peak_rss_mb')} MB"
    )
    if result["load"].get("status") != 0:
        return result
    per_query: dict[str, Any] = {}
    for q in mix():
        answer = run_job(
            "big:query",
            deadline * (reps + 1) + 120,
            "big-queries",
            store=str(store),
            name=q.name,
            params=q.params,
            reps=reps,
        )
        per_query[q.name] = answer
        log(f"big: {q.name}: {answer.get('warm_ms') or answer.get('error')}")
    result["queries"] = per_query
    result["peak_rss_mb"] = max(
        (a.get("peak_rss_mb") or 0 for a in per_query.values()), default=None
    )
    return result
