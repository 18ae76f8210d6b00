"""Reading every page of a long answer, A/B: the answer read once against once a page.

    python -m benchmarks.pages --store DIR                   # a store on disk
    python -m benchmarks.pages --memory FILE                 # FILE loaded in memory
    python -m benchmarks.pages --store DIR --queries figure-clashes --reps 3

Each saved query's pages, all of them, as ``kg.saved_pages`` reads them (example
parameters, label columns added), in one process, the two ways in turns (the order
swapped every round, after its first page once to warm up): as ``execute_pages`` reads
them (an answer of up to ``KEPT_VALUES`` values sorted once, the later pages slices of
it), and each page read on its own (``KEPT_VALUES`` set to 0: the whole answer read and
sorted again for every page, as ``saved(name, page=N)`` does). Printed as a table of
medians with the ratio, and written to ``benchmarks/results/pages-<UTC time>.{json,md}``.
Figures, never assertions: the machine may be shared.
"""

from __future__ import annotations

import argparse
from contextlib import AbstractContextManager, nullcontext
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


def _each_page_alone() -> AbstractContextManager[object]:
    """No answer kept: every page reads the whole answer again."""
    return patch("aikg.sparql.execute.KEPT_VALUES", 0)


WAYS: dict[str, Any] = {"once": nullcontext, "each_page": _each_page_alone}


def measure(kg: Any, names: list[str], reps: int) -> dict[str, Any]:
    from aikg.saved_queries import saved_query  # noqa: PLC0415

    results: dict[str, Any] = {}
    for name in names:
        query = saved_query(name)
        params = {p.name: p.example for p in query.params if p.example is not None}
        kg.saved(name, **params)  # warm: the store's caches, not an answer
        times, read = in_turns(
            WAYS, lambda name=name, params=params: list(kg.saved_pages(name, **params)), reps
        )
        pages, rows = len(read or []), sum(len(page) for page in read or [])
        once, each = median(times["once"]) or 0.0, median(times["each_page"]) or 0.0
        results[name] = {
            "pages": pages,
            "rows": rows,
            "once_ms": round(once, 1),
            "each_page_ms": round(each, 1),
            "each_page_over_once": round(each / once, 2) if once else None,
            "runs": times,
        }
        log(f"{name}: {pages} pages, {rows} rows, once {once:.0f} ms, each page {each:.0f} ms")
    return results


def table(meta: dict[str, Any], results: dict[str, Any]) -> str:
    return markdown_table(
        f"Every page of saved queries, {meta['triples']:,} triples ({meta['where']}), "
        f"{meta['max_rows']:,} rows a page; the answer read once / once a page; median of "
        f"{meta['reps']} runs each, in turns, ms",
        ["query", "pages", "rows", "read once", "read once a page", "once a page / once"],
        [
            [
                name,
                row["pages"],
                f"{row['rows']:,}",
                f"{row['once_ms']:,}",
                f"{row['each_page_ms']:,}",
                f"{row['each_page_over_once']}x",
            ]
            for name, row in results.items()
        ],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__)
    ab_arguments(parser)
    parser.add_argument("--max-rows", type=int, default=None, help="rows a page (AIKG_MAX_ROWS)")
    args = parser.parse_args(argv)
    from aikg.sparql.execute import KEPT_VALUES  # noqa: PLC0415 - the harness imports lazily

    kg, meta = open_graph(args, args.max_rows)
    meta.update(max_rows=kg.settings.max_rows, kept_values=KEPT_VALUES, reps=args.reps)
    results = measure(kg, [n.strip() for n in args.queries.split(",")], args.reps)
    kg.close()
    text = table(meta, results)
    print(text)
    write_results(args.out, "pages", {"meta": meta, "queries": results}, text)


if __name__ == "__main__":
    main()
