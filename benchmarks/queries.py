"""Saved-query latency in process: the saved-query mix on aikg and on its peers.

The *mix* is every saved query of :func:`aikg.saved_queries.catalog` with its example
parameters (as ``tests/test_saved_queries.py`` runs them). Each engine runs the SPARQL
text the saved query produces (parameters bound as VALUES), on the same quads
(:mod:`benchmarks.data`: ontology, shapes, bundled and generated data), with the union
of all graphs as the default graph:

- ``aikg``: ``kg.saved(name, **params)`` (label columns added, rdflib terms out: what a
  Python user gets) on ``KnowledgeGraph.load()`` + ``load_files``;
- ``pyoxigraph_memory`` / ``pyoxigraph_disk``: ``Store.query(text,
  use_default_graph_as_union=True)`` with aikg's base IRI and prefixes, every row read,
  on an in-memory store and on aikg's own store directory (the one the server serves);
- ``rdflib``: ``Dataset(default_union=True).query(prologue + text)``, every row read.
  rdflib cannot be interrupted, so each query runs in a forked child that is killed at
  the per-run deadline ("timed out");
- ``virtuoso``: ``kg.saved`` on a KnowledgeGraph whose store is Virtuoso (RemoteStore).

Each query runs once to warm up, then ``reps`` timed runs; a run slower than ``budget``
seconds ends that query's repetitions early (rdflib at 1M), and the mix's percentiles
weigh every query the same (:func:`benchmarks.common.weighted_percentile`).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.common import summary_ms


@dataclass(frozen=True)
class MixQuery:
    name: str
    params: dict[str, str]
    sparql: str
    """The text with the parameters bound, without prologue (aikg adds base and prefixes)."""


def mix() -> list[MixQuery]:
    from aikg.config import DEFAULT_BASE_IRI  # noqa: PLC0415 - jobs import lazily
    from aikg.saved_queries import catalog  # noqa: PLC0415

    queries = []
    for query in catalog().values():
        params = {p.name: p.example for p in query.params if p.example is not None}
        queries.append(MixQuery(query.name, params, query.sparql(params, DEFAULT_BASE_IRI)))
    return queries


def prologue() -> str:
    """BASE and PREFIX lines giving other engines what aikg's engine is given as options."""
    from aikg.config import DEFAULT_BASE_IRI  # noqa: PLC0415
    from aikg.namespaces import prefix_table  # noqa: PLC0415

    lines = [f"BASE <{DEFAULT_BASE_IRI}>"]
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in prefix_table(DEFAULT_BASE_IRI).items()]
    return "\n".join(lines) + "\n"


def _measure(run: Callable[[MixQuery], int], reps: int, budget: float) -> dict[str, Any]:
    """Warm-up plus ``reps`` timed runs of every query; errors are recorded, not raised."""
    per_query: dict[str, Any] = {}
    for query in mix():
        samples: list[float] = []
        entry: dict[str, Any] = {}
        try:
            started = time.perf_counter()
            entry["rows"] = run(query)
            first = time.perf_counter() - started
            entry["first_ms"] = first * 1000
            if first > budget:  # a long run is its own warm-up: take it as the sample
                samples.append(first * 1000)
            else:
                for _ in range(reps):
                    started = time.perf_counter()
                    run(query)
                    samples.append((time.perf_counter() - started) * 1000)
                    if time.perf_counter() - started > budget:
                        break
        except Exception as error:  # an engine's failure is a result
            entry["error"] = f"{type(error).__name__}: {str(error)[:200]}"
        entry["samples_ms"] = samples
        per_query[query.name] = entry
    return _summarise(per_query)


def _summarise(per_query: dict[str, Any]) -> dict[str, Any]:
    groups = []
    for entry in per_query.values():
        samples = entry["samples_ms"]
        if entry.get("timed_out"):
            samples = [*samples, float("inf")]
        if samples:
            groups.append(samples)
        ordered = sorted(samples)
        entry["p50_ms"] = ordered[len(ordered) // 2] if ordered else None
        if entry["p50_ms"] is not None and entry["p50_ms"] == float("inf"):
            entry["p50_ms"] = None
    return {
        **summary_ms(groups),
        "errors": sorted(n for n, e in per_query.items() if "error" in e),
        "timed_out": sorted(n for n, e in per_query.items() if e.get("timed_out")),
        "queries": per_query,
    }


def _rows(result: Any) -> int:
    import pyoxigraph as ox  # noqa: PLC0415

    if isinstance(result, ox.QuerySolutions):
        return len([tuple(row) for row in result])  # every term of every row read
    return 1


def aikg(gen: str, reps: int, budget: float) -> dict[str, Any]:
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from aikg.loader import load_files  # noqa: PLC0415
    from aikg.sparql.execute import SelectResult  # noqa: PLC0415

    kg = KnowledgeGraph.load()
    load_files(kg, [gen], validate=False)

    def run(query: MixQuery) -> int:
        result = kg.saved(query.name, **query.params)
        return len(result.rows) if isinstance(result, SelectResult) else 1

    return _measure(run, reps, budget)


def _pyoxigraph(store: Any, reps: int, budget: float) -> dict[str, Any]:
    from aikg.config import DEFAULT_BASE_IRI  # noqa: PLC0415
    from aikg.namespaces import prefix_table  # noqa: PLC0415

    def run(query: MixQuery) -> int:
        return _rows(
            store.query(
                query.sparql,
                base_iri=DEFAULT_BASE_IRI,
                prefixes=prefix_table(DEFAULT_BASE_IRI),
                use_default_graph_as_union=True,
            )
        )

    return _measure(run, reps, budget)


def pyoxigraph_memory(full: str, reps: int, budget: float) -> dict[str, Any]:
    import pyoxigraph as ox  # noqa: PLC0415

    store = ox.Store()
    store.bulk_load(path=full, format=ox.RdfFormat.N_QUADS)
    return _pyoxigraph(store, reps, budget)


def pyoxigraph_disk(store_dir: str, reps: int, budget: float) -> dict[str, Any]:
    import pyoxigraph as ox  # noqa: PLC0415

    return _pyoxigraph(ox.Store(store_dir), reps, budget)


def virtuoso(
    url: str, reps: int, budget: float, deadline: float, labels: bool = True
) -> dict[str, Any]:
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from aikg.sparql.execute import SelectResult  # noqa: PLC0415

    kg = KnowledgeGraph.open(Settings(store=url, query_timeout=deadline))

    def run(query: MixQuery) -> int:
        result = kg.saved(query.name, lang="en" if labels else None, **query.params)
        return len(result.rows) if isinstance(result, SelectResult) else 1

    result = _measure(run, reps, budget)
    # What each saved query pays before it is sent: RemoteStore asks the server for
    # aikg's named graphs (to name them as the dataset) on every query.
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        list(kg.store.engine.named_graphs())
        timings.append((time.perf_counter() - started) * 1000)
    result["named_graphs_lookup_ms"] = sorted(timings)[2]
    return result


def rdflib(full: str, reps: int, budget: float, deadline: float) -> dict[str, Any]:
    """rdflib's engine; each query in a forked child (copy-on-write: the dataset is not
    parsed again) that reports each run on a pipe and is killed at ``deadline``."""
    from rdflib import Dataset  # noqa: PLC0415

    dataset = Dataset(default_union=True)
    dataset.parse(full, format="nquads")
    head = prologue()
    per_query: dict[str, Any] = {}
    for query in mix():
        text = head + query.sparql
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: warm-up, then timed runs, one JSON line each
            os.close(read_end)
            code = 0
            try:
                for i in range(reps + 1):
                    started = time.perf_counter()
                    rows = len(list(dataset.query(text)))
                    took = (time.perf_counter() - started) * 1000
                    line = json.dumps({"i": i, "ms": took, "rows": rows}) + "\n"
                    os.write(write_end, line.encode())
                    if took > budget * 1000:
                        break
            except Exception as error:  # reported to the parent
                failure = {"error": f"{type(error).__name__}: {str(error)[:200]}"}
                os.write(write_end, (json.dumps(failure) + "\n").encode())
                code = 1
            os._exit(code)
        os.close(write_end)
        entry = _collect(pid, read_end, deadline, budget)
        per_query[query.name] = entry
    return _summarise(per_query)


def _collect(pid: int, read_end: int, deadline: float, budget: float) -> dict[str, Any]:
    """Read a child's run reports; kill it when a run takes longer than ``deadline``."""
    entry: dict[str, Any] = {"samples_ms": []}
    buffer = b""
    run_started = time.monotonic()
    try:
        while True:
            ready, _, _ = select.select([read_end], [], [], 0.5)
            if ready:
                chunk = os.read(read_end, 65536)
                if not chunk:
                    break
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    report = json.loads(line)
                    run_started = time.monotonic()
                    if "error" in report:
                        entry["error"] = report["error"]
                    elif report["i"] == 0:
                        entry["first_ms"] = report["ms"]
                        entry["rows"] = report["rows"]
                        if report["ms"] > budget * 1000:  # its own warm-up, as in _measure
                            entry["samples_ms"].append(report["ms"])
                    else:
                        entry["samples_ms"].append(report["ms"])
            elif time.monotonic() - run_started > deadline:
                entry["timed_out"] = True
                break
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
    return entry
