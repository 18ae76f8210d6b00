"""Load throughput: the same generated N-Quads into aikg and its peers.

Each function is a job (a fresh process: the figure is not disturbed by an earlier heap,
and the process's peak RSS is the load's). What is timed is the load call alone, not the
interpreter's start:

- ``aikg_memory`` / ``aikg_disk``: :func:`aikg.loader.load_files` into
  ``KnowledgeGraph.load()`` (in memory) or ``KnowledgeGraph.open(store=DIR)`` (RocksDB):
  exactly what ``aikg load`` runs. Its LoadReport splits check / write / validate.
- ``rdflib``: ``rdflib.Dataset(default_union=True).parse(path, format="nquads")``.
- ``pyoxigraph_memory`` / ``pyoxigraph_disk``: ``Store().bulk_load(path=..., format=N_QUADS)``.
- ``virtuoso_aikg``: ``load_files`` on a KnowledgeGraph whose store is a Virtuoso
  (aikg's RemoteStore: SPARQL Update INSERT DATA in 20,000-triple requests), validated.
- Virtuoso's own bulk loader (``ld_dir`` + ``rdf_loader_run``) is timed by
  :mod:`benchmarks.virtuoso`, as the fastest honest figure for Virtuoso itself.
"""

from __future__ import annotations

import shutil
import time
from typing import Any


def _report(report: Any) -> dict[str, Any]:
    return {
        "triples": report.triples,
        "seconds": report.seconds,
        "check_s": report.check_seconds,
        "write_s": report.write_seconds,
        "validate_s": report.validate_seconds,
        "sources_s": report.sources_seconds,
        "infer_s": report.infer_seconds,
        "conforms": None if report.validation is None else report.validation.conforms,
    }


def aikg_memory(path: str) -> dict[str, Any]:
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415 - jobs import lazily
    from aikg.loader import load_files  # noqa: PLC0415

    kg = KnowledgeGraph.load()  # the bundled data, as always: not timed
    return _report(load_files(kg, [path]))


def aikg_disk(path: str, store: str) -> dict[str, Any]:
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from aikg.loader import load_files  # noqa: PLC0415

    shutil.rmtree(store, ignore_errors=True)
    kg = KnowledgeGraph.open(Settings(store=store))  # fills the bundled data: not timed
    try:
        return _report(load_files(kg, [path]))
    finally:
        kg.close()


def rdflib(path: str) -> dict[str, Any]:
    from rdflib import Dataset  # noqa: PLC0415

    dataset = Dataset(default_union=True)
    started = time.perf_counter()
    dataset.parse(path, format="nquads")
    seconds = time.perf_counter() - started
    return {"seconds": seconds}


def pyoxigraph_memory(path: str) -> dict[str, Any]:
    import pyoxigraph as ox  # noqa: PLC0415

    store = ox.Store()
    started = time.perf_counter()
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "triples": len(store)}


def pyoxigraph_disk(path: str, store: str) -> dict[str, Any]:
    import pyoxigraph as ox  # noqa: PLC0415

    shutil.rmtree(store, ignore_errors=True)
    engine = ox.Store(store)
    started = time.perf_counter()
    engine.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    engine.flush()
    seconds = time.perf_counter() - started
    triples = len(engine)
    del engine
    shutil.rmtree(store, ignore_errors=True)
    return {"seconds": seconds, "triples": triples}


def virtuoso_aikg(path: str, url: str, graph_store: str) -> dict[str, Any]:
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from aikg.loader import load_files  # noqa: PLC0415

    # A long client deadline: validation reads every quad back in one SELECT.
    settings = Settings(store=url, store_graph_store=graph_store, query_timeout=3600)
    kg = KnowledgeGraph.open(settings)  # fills the bundled data: not timed
    return _report(load_files(kg, [path]))
