"""Who sorts a page, A/B/C: aikg's sort in this process against Oxigraph's ORDER BY, with
and without the keys that make its order total.

    python -m benchmarks.sorting --store DIR                 # a store on disk
    python -m benchmarks.sorting --memory FILE               # FILE loaded in memory
    python -m benchmarks.sorting --store DIR --queries entities,conflicts --reps 3
    python -m benchmarks.sorting --store DIR --star          # a SELECT * page as well

Each saved query's first page as ``kg.saved`` reads it (example parameters, label columns
added), in one process, the two ways in turns (the order swapped every round, after one
warm-up of each): pages sorted by :mod:`aikg.sparql.sorting`, and the same pages sorted
by the engine in the paging order of :mod:`aikg.sparql.paging` (what ``execute_page``
falls back to), each condition made the two keys of :mod:`aikg.sparql.order_by`; and
the same again with the conditions as written (what the engine was given before those
keys: only on data whose columns do not mix numbers and text, which abort the process).
Printed as a table of medians with the ratios, and written to
``benchmarks/results/sorting-<UTC time>.{json,md}``. Figures, never assertions: the
machine may be shared.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any
from unittest.mock import patch

from benchmarks.common import (
    ab_arguments,
    in_turns,
    log,
    markdown_table,
    median,
    open_graph,
    write_results,
)


def _engine_sorts() -> AbstractContextManager[object]:
    """The engine sorts every page (as before aikg sorted them)."""
    return patch("aikg.sparql.execute.sort_plan", lambda _text: None)


@contextmanager
def _engine_sorts_as_written() -> Iterator[None]:
    """The engine sorts every page, by the conditions as written."""
    with _engine_sorts(), patch("aikg.sparql.order_by.total_order", lambda text: text):
        yield


STAR = (
    "SELECT * WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
    "ORDER BY LCASE(STR(?label)) ?s"
)
"""A ``SELECT *`` page (sorted by aikg as the query naming its columns, which it asks
the engine for first), measured with ``--star``."""


def measure(kg: Any, names: list[str], reps: int, star: bool = False) -> dict[str, Any]:
    from aikg.saved_queries import saved_query  # noqa: PLC0415

    ways: dict[str, Callable[[], Any]] = {
        "aikg": nullcontext,
        "engine": _engine_sorts,
        "engine_as_written": _engine_sorts_as_written,
    }
    pages: dict[str, Callable[[], Any]] = {}
    for name in names:
        query = saved_query(name)
        params = {p.name: p.example for p in query.params if p.example is not None}
        pages[name] = lambda name=name, params=params: kg.saved(name, **params)
    if star:
        pages["SELECT * (labels)"] = lambda: kg.query(STAR).rows
    results: dict[str, Any] = {}
    for name, read in pages.items():
        times, answer = in_turns(ways, read, reps + 1, warm=1)  # one round warms up
        rows = len(answer or [])
        ours, theirs = median(times["aikg"]) or 0.0, median(times["engine"]) or 0.0
        written = median(times["engine_as_written"]) or 0.0
        results[name] = {
            "rows": rows,
            "aikg_ms": round(ours, 1),
            "engine_ms": round(theirs, 1),
            "engine_as_written_ms": round(written, 1),
            "engine_over_aikg": round(theirs / ours, 2) if ours else None,
            "engine_over_as_written": round(theirs / written, 2) if written else None,
            "runs": times,
        }
        log(
            f"{name}: {rows} rows, aikg {ours:.0f} ms, engine {theirs:.0f} ms, "
            f"engine as written {written:.0f} ms"
        )
    return results


def table(meta: dict[str, Any], results: dict[str, Any]) -> str:
    return markdown_table(
        f"First pages of saved queries, {meta['triples']:,} triples ({meta['where']}); "
        f"sorted by aikg / by the engine (total-order keys) / by the engine (conditions as "
        f"written); median of {meta['reps']} runs each, in turns, ms",
        [
            "query",
            "rows",
            "aikg",
            "engine",
            "engine, as written",
            "engine / aikg",
            "engine / as written",
        ],
        [
            [
                name,
                row["rows"],
                f"{row['aikg_ms']:,}",
                f"{row['engine_ms']:,}",
                f"{row['engine_as_written_ms']:,}",
                f"{row['engine_over_aikg']}x",
                f"{row['engine_over_as_written']}x",
            ]
            for name, row in results.items()
        ],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sorting", description=__doc__)
    ab_arguments(parser)
    parser.add_argument("--star", action="store_true", help="also a SELECT * page (labels)")
    args = parser.parse_args(argv)
    kg, meta = open_graph(args)
    meta["reps"] = args.reps
    names = [n.strip() for n in args.queries.split(",") if n.strip()]
    results = measure(kg, names, args.reps, star=args.star)
    kg.close()
    text = table(meta, results)
    print(text)
    write_results(args.out, "sorting", {"meta": meta, "queries": results}, text)


if __name__ == "__main__":
    main()
