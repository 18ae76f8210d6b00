"""Load throughput: the same generated N-Quads into aikg and its peers.

    python -m benchmarks.load FILE [--store DIR] [--add FILE --into DIR]

Run on its own (the full benchmark, :mod:`benchmarks.__main__`, calls the functions
below), it loads FILE in the same run, each in a fresh process with its peak RSS: into an
empty aikg store on disk (``aikg_disk``, phase by phase), Oxigraph's own ``bulk_load`` on
disk, the same two in memory, and rdflib's parse; with ``--add``, it also loads that
small file into a copy of the store ``--into`` (``aikg_add``: what a load costs on a big
store, phase by phase).
Printed, and written to ``benchmarks/results/load-<UTC time>.{json,md}``.

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

import argparse
import shutil
import time
from pathlib import Path
from typing import Any


def _report(report: Any) -> dict[str, Any]:
    return {
        "triples": report.triples,
        "seconds": report.seconds,
        "check_s": report.check_seconds,
        "write_s": report.write_seconds,
        "validate_s": report.validate_seconds,
        "sources_s": getattr(report, "sources_seconds", None),
        "infer_s": report.infer_seconds,
        "commit_s": report.commit_seconds,
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
    # The name index beside it too: each run starts from nothing, not from the last's names.
    Path(f"{store}.names.sqlite").unlink(missing_ok=True)
    kg = KnowledgeGraph.open(Settings(store=store))  # fills the bundled data: not timed
    try:
        return _report(load_files(kg, [path]))
    finally:
        kg.close()


def aikg_add(path: str, store: str, copy: str) -> dict[str, Any]:
    """``path`` loaded into a copy of the store ``store`` (left as it was), as ``aikg load``
    does: the figures of a small load into a big store."""
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from aikg.loader import load_files  # noqa: PLC0415

    names = Path(f"{store}.names.sqlite")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    if names.exists():
        shutil.copy(names, f"{copy}.names.sqlite")
    kg = KnowledgeGraph.open(Settings(store=copy))
    try:
        found = {"store_triples": kg.store.union_size(), **_report(load_files(kg, [path]))}
    finally:
        kg.close()
        shutil.rmtree(copy, ignore_errors=True)
        Path(f"{copy}.names.sqlite").unlink(missing_ok=True)
    return found


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


def _row(name: str, result: dict[str, Any]) -> str:
    if "error" in result:
        return f"| {name} | error: {result['error'][:80]} | | |"
    phases = ", ".join(
        f"{key[:-2]} {result[key]:.2f}"
        for key in ("check_s", "write_s", "validate_s", "sources_s", "infer_s", "commit_s")
        if result.get(key) is not None
    )
    return f"| {name} | {result['seconds']:.2f} | {result.get('peak_rss_mb', 0):.0f} | {phases} |"


def main(argv: list[str] | None = None) -> None:
    from benchmarks.common import HERE, run_job, write_results  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("file", help="the N-Quads file to load")
    parser.add_argument("--store", required=True, help="a scratch directory (emptied)")
    parser.add_argument("--add", help="a small file to load into a copy of --into")
    parser.add_argument("--into", help="the big store --add goes into (left as it was)")
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args(argv)
    path = str(Path(args.file).resolve())
    results: dict[str, Any] = {"file": path}
    if args.add and args.into:
        add = str(Path(args.add).resolve())
        results["aikg_add"] = run_job(
            "load:aikg_add", 3600, "load-add", path=add, store=args.into, copy=args.store + "-add"
        )
    for name, target, kwargs in (
        ("aikg_disk", "load:aikg_disk", {"store": args.store}),
        ("pyoxigraph_disk", "load:pyoxigraph_disk", {"store": args.store + "-ox"}),
        ("aikg_memory", "load:aikg_memory", {}),
        ("pyoxigraph_memory", "load:pyoxigraph_memory", {}),
        ("rdflib", "load:rdflib", {}),
    ):
        results[name] = run_job(target, 7200, f"load-{name}", path=path, **kwargs)
    shutil.rmtree(args.store, ignore_errors=True)
    Path(f"{args.store}.names.sqlite").unlink(missing_ok=True)
    text = f"Loads of {path} (each in a fresh process; peak RSS of that process)\n\n"
    text += "| load | seconds | peak RSS MB | phases (s) |\n|---|---|---|---|\n"
    text += "\n".join(_row(name, r) for name, r in results.items() if name != "file") + "\n"
    if "aikg_add" in results and "store_triples" in results["aikg_add"]:
        added = results["aikg_add"]
        text += (
            f"\naikg_add: {added.get('triples', 0):,} triples into a copy of {args.into} "
            f"({added['store_triples']:,} triples)\n"
        )
    print(text)
    write_results(args.out, "load", results, text)


if __name__ == "__main__":
    main()
