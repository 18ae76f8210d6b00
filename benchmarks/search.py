"""Search latency: ``KnowledgeGraph.search`` against the plain SPARQL an analyst would write.

    python -m benchmarks.search                    # the bundled data, in memory
    python -m benchmarks.search --store DIR        # a store on disk (aikg load --store DIR)

For each text, the median of ``--reps`` timed runs (after one warm-up) of:

- ``aikg search``: :meth:`aikg.KnowledgeGraph.search` (one SPARQL scan of the names, then
  ranking, preferred labels and stated types of the results), limit 10;
- ``SPARQL CONTAINS``: the same scan on the same store with no ranking, every match
  returned: ``?x rdfs:label|skos:prefLabel|skos:altLabel ?n FILTER CONTAINS(LCASE(STR(?n)), t)``;
- ``SPARQL regex``: ``FILTER regex(?n, t, "i")``, the other way analysts write it.

Printed as a table and written to ``benchmarks/results/search-<UTC time>.{json,md}``.
Figures, never assertions: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from benchmarks.common import HERE, markdown_table, median, write_results

TEXTS = ("korea", "한국", "h100", "continuous innovation", "zzzz-absent")
NAMES = (
    "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>"
    "|<http://www.w3.org/2004/02/skos/core#altLabel>"
)


def _timed(call: Callable[[], int], reps: int) -> dict[str, Any]:
    rows = call()  # warm-up
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(median(times) or 0.0, 2), "rows": rows}


def _search(kg: Any, text: str) -> int:
    return len(kg.search(text))


def _sparql(kg: Any, query: str) -> int:
    return sum(1 for _ in kg.store.query(query, use_default_graph_as_union=True))


def measure(store_dir: str | None, reps: int) -> dict[str, Any]:
    from aikg import KnowledgeGraph  # noqa: PLC0415 - the harness imports lazily
    from aikg.config import Settings  # noqa: PLC0415

    kg = KnowledgeGraph.open(Settings(store=store_dir)) if store_dir else KnowledgeGraph.load()
    triples = kg.store.union_size()
    results: dict[str, Any] = {"store": store_dir or "bundled data, in memory", "triples": triples}
    for text in TEXTS:
        literal = json.dumps(text.lower(), ensure_ascii=False)
        contains = (
            f"SELECT ?x ?n WHERE {{ ?x {NAMES} ?n FILTER CONTAINS(LCASE(STR(?n)), {literal}) }}"
        )
        regex = f'SELECT ?x ?n WHERE {{ ?x {NAMES} ?n FILTER regex(?n, {literal}, "i") }}'
        results[text] = {
            "aikg search": _timed(partial(_search, kg, text), reps),
            "SPARQL CONTAINS": _timed(partial(_sparql, kg, contains), reps),
            "SPARQL regex": _timed(partial(_sparql, kg, regex), reps),
        }
    kg.close()
    return results


def table(results: dict[str, Any]) -> str:
    rows = []
    for text in TEXTS:
        row = results[text]
        ours, scan, rx = row["aikg search"], row["SPARQL CONTAINS"], row["SPARQL regex"]
        ratio = ours["median_ms"] / scan["median_ms"] if scan["median_ms"] else float("nan")
        rows.append(
            [
                text,
                f"{ours['median_ms']} ({ours['rows']})",
                f"{scan['median_ms']} ({scan['rows']})",
                f"{rx['median_ms']} ({rx['rows']})",
                f"{ratio:.2f}",
            ]
        )
    return markdown_table(
        f"Search latency, {results['triples']:,} triples ({results['store']}); median ms (rows)",
        ["text", "aikg search", "SPARQL CONTAINS", "SPARQL regex", "aikg / CONTAINS"],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__)
    parser.add_argument("--store", help="a store directory (default: the bundled data)")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args(argv)
    results = measure(args.store, args.reps)
    text = table(results)
    print(text)
    write_results(args.out, "search", results, text)


if __name__ == "__main__":
    main()
