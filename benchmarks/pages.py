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
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from benchmarks.common import ab_arguments, log, median, open_graph, write_results


@contextmanager
def _each_page_alone() -> Iterator[None]:
    """No answer kept: every page reads the whole answer again."""
    from aikg.sparql import execute  # noqa: PLC0415 - the harness imports lazily

    kept = execute.KEPT_VALUES
    execute.KEPT_VALUES = 0
    try:
        yield
    finally:
        execute.KEPT_VALUES = kept


@contextmanager
def _as_it_is() -> Iterator[None]:
    yield


WAYS: dict[str, Any] = {"once": _as_it_is, "each_page": _each_page_alone}


def measure(kg: Any, names: list[str], reps: int) -> dict[str, Any]:
    from aikg.saved_queries import saved_query  # noqa: PLC0415

    results: dict[str, Any] = {}
    for name in names:
        query = saved_query(name)
        params = {p.name: p.example for p in query.params if p.example is not None}
        kg.saved(name, **params)  # warm: the store's caches, not an answer
        times: dict[str, list[float]] = {way: [] for way in WAYS}
        pages = rows = 0
        for round_ in range(reps):
            order = list(WAYS) if round_ % 2 == 0 else list(reversed(WAYS))
            for way in order:
                manager: AbstractContextManager[None] = WAYS[way]()
                with manager:
                    started = time.perf_counter()
                    read = list(kg.saved_pages(name, **params))
                    times[way].append((time.perf_counter() - started) * 1000)
                pages, rows = len(read), sum(len(page) for page in read)
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
    lines = [
        f"Every page of saved queries, {meta['triples']:,} triples ({meta['where']}), "
        f"{meta['max_rows']:,} rows a page; the answer read once / once a page; median of "
        f"{meta['reps']} runs each, in turns, ms",
        "",
        "| query | pages | rows | read once | read once a page | once a page / once |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in results.items():
        lines.append(
            f"| {name} | {row['pages']} | {row['rows']:,} | {row['once_ms']:,} "
            f"| {row['each_page_ms']:,} | {row['each_page_over_once']}x |"
        )
    return "\n".join(lines) + "\n"


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
