"""Incremental validation against full validation, on a store on disk.

    python -m benchmarks.incremental_validation --store DIR [--triples 1000] [--reps 3]
    python -m benchmarks.incremental_validation --write FILE [--triples 1000]

``--write`` only writes the addition to an N-Triples file (to time ``aikg load`` of it).

Adds at least ``--triples`` generated triples (whole new dossiers, valid data pointing at
the store's shared reference nodes) to a graph of their own in the store, then times, in
the same run, the SHACL validation of the store after the addition: ``incremental`` (the
focus nodes the addition can affect, :func:`aikg.validation.incremental.validate_change`)
and ``full`` (every focus node, :func:`aikg.validation.fast.validate_store`); medians of
``--reps``.
Both reports must be the same (checked, not timed). The added graph is removed at the end.
Then a small SPARQL update and its undoing are timed as the server applies them (the
inferred graph and the name index brought up to date from what they changed).
Printed, and written to ``benchmarks/results/incremental-validation-<UTC time>.{json,md}``.
Figures, never assertions: the machine may be shared.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from benchmarks.common import HERE, median, write_results

GRAPH = "https://w3id.org/aikg/graph/benchmark-incremental"


def addition(triples: int, graph: str = GRAPH) -> list[Any]:
    """Whole generated dossiers no store of the generator holds, until they make at least
    ``triples`` quads, in ``graph``: valid data, as a load would add. A
    dossier's third company is based in the previous dossier's country; the first one's
    points at ``country/g0`` instead, which every generated store holds."""
    import pyoxigraph as ox  # noqa: PLC0415

    from aikg.config import DEFAULT_BASE_IRI  # noqa: PLC0415
    from aikg.synthetic.dossier import Generator  # noqa: PLC0415

    generator = Generator(DEFAULT_BASE_IRI, 7)
    generator.header()
    first = 1_000_000
    missing = ox.NamedNode(f"{DEFAULT_BASE_IRI}country/g{first - 1}")
    present = ox.NamedNode(f"{DEFAULT_BASE_IRI}country/g0")
    quads: list[Any] = []
    b = first
    while len(quads) < triples:
        text, _ = generator.block(b, frozenset())
        quads += [
            ox.Quad(
                q.subject,
                q.predicate,
                present if q.object == missing else q.object,
                ox.NamedNode(graph),
            )
            for q in ox.parse(text, format=ox.RdfFormat.N_QUADS)
        ]
        b += 1
    return quads


def measure(store_dir: str, triples: int, reps: int) -> dict[str, Any]:
    from aikg import KnowledgeGraph  # noqa: PLC0415
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.validation.fast import bundled_checks, validate_store  # noqa: PLC0415
    from aikg.validation.incremental import Change, validate_change  # noqa: PLC0415

    kg = KnowledgeGraph.open(Settings(store=store_dir))
    checks = bundled_checks()
    size = kg.store.union_size()
    added = addition(triples)
    kg.store.extend(added)
    try:
        engine, graphs = kg.store.local(), kg.store.data_graphs()
        change = Change.of(added=added)
        times: dict[str, list[float]] = {"incremental": [], "full": []}
        reports: dict[str, Any] = {}
        for _ in range(reps):
            for name in ("incremental", "full"):
                started = time.perf_counter()
                if name == "incremental":
                    report = validate_change(engine, checks, change, graphs)
                else:
                    report = validate_store(engine, checks, graphs)
                times[name].append(time.perf_counter() - started)
                reports[name] = report
        writes = _writes(kg, reps)
    finally:
        kg.store.remove_graph(GRAPH)
        kg.close()
    same = set(reports["incremental"].violations) == set(reports["full"].violations)
    return {
        "store": store_dir,
        "store_triples": size,
        "added_triples": len(added),
        "reps": reps,
        "seconds": {name: [round(t, 3) for t in ts] for name, ts in times.items()},
        "median_s": {name: round(median(ts) or 0.0, 3) for name, ts in times.items()},
        "violations": {name: len(r.violations) for name, r in reports.items()},
        "same_violations": same,
        "write_median_s": writes,
    }


WRITES = {
    "INSERT DATA": "INSERT DATA { GRAPH <graph/benchmark-write> { "
    "<company/benchmark-write> a aikg:Startup ; rdfs:label 'Benchmark Write'@en } }",
    "DELETE DATA": "DELETE DATA { GRAPH <graph/benchmark-write> { "
    "<company/benchmark-write> a aikg:Startup ; rdfs:label 'Benchmark Write'@en } }",
}


def _writes(kg: Any, reps: int) -> dict[str, float]:
    """A small SPARQL update and its undoing, as the server applies them
    (:func:`aikg.workers.jobs.update`: the write, then the inferred graph and the name
    index brought up to date): medians of ``reps``."""
    from aikg.workers import jobs  # noqa: PLC0415

    times: dict[str, list[float]] = {name: [] for name in WRITES}
    for _ in range(reps):
        for name, update in WRITES.items():
            started = time.perf_counter()
            jobs.update(kg, False, update)
            times[name].append(time.perf_counter() - started)
            # Checked, not timed: the write happened, and search sees its name.
            written = kg.query("ASK { <company/benchmark-write> a aikg:Organization }")
            named = bool(kg.search("Benchmark Write"))
            if (written, named) != ((name == "INSERT DATA"),) * 2:
                raise AssertionError(f"{name} was not applied, or not derived")
    return {name: round(median(ts) or 0.0, 5) for name, ts in times.items()}


def table(results: dict[str, Any]) -> str:
    inc, full = results["median_s"]["incremental"], results["median_s"]["full"]
    return (
        f"Validating {results['added_triples']:,} added triples in a store of "
        f"{results['store_triples']:,} ({results['store']}), median of {results['reps']}\n\n"
        "| validation | median s | violations |\n|---|---|---|\n"
        f"| incremental | {inc} | {results['violations']['incremental']} |\n"
        f"| full | {full} | {results['violations']['full']} |\n\n"
        f"full / incremental: {full / inc:.0f}x; same violations: {results['same_violations']}\n"
        "\nA small SPARQL update (2 triples) and its undoing, derived data included, median ms: "
        + ", ".join(f"{name} {s * 1000:.1f}" for name, s in results["write_median_s"].items())
        + "\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.incremental_validation", description=__doc__
    )
    parser.add_argument("--store", help="a store directory (it is written to)")
    parser.add_argument("--write", metavar="FILE", help="write the addition to FILE (.nt)")
    parser.add_argument("--triples", type=int, default=1_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args(argv)
    if args.write:
        import pyoxigraph as ox  # noqa: PLC0415

        quads = addition(args.triples)
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        Path(args.write).write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
        print(f"wrote {len(quads):,} triples to {args.write}")
        return
    if not args.store:
        parser.error("--store or --write is required")
    results = measure(args.store, args.triples, args.reps)
    text = table(results)
    print(text)
    write_results(args.out, "incremental-validation", results, text)


if __name__ == "__main__":
    main()
