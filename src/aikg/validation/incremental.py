"""Incremental validation: after a change, only the focus nodes the change can affect.

A load or a write changes a few triples of a big store; validating the whole store again
costs the same whatever the change (314 s at 10M triples). Here each compiled check
(:mod:`aikg.validation.fast`) runs only on the focus nodes its reach
(:mod:`aikg.validation.reach`) leads to from the added and removed triples, a
``VALUES ?this`` block of them at a time.

What it reports: every violation the data holds after the change at those focus nodes;
for a check whose reach is unbounded, or that would have to look at more than
:data:`FOCUS_LIMIT` of them, every violation of that check (the check runs in full, never
skipped). On data that conformed before the change this is exactly what a full
validation reports (``tests/test_incremental_validation.py`` proves it on generated
changes). A violation the store already held where the change reaches nothing is not
found again: ``aikg validate --all`` (``KnowledgeGraph.validate()``) looks at everything.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox

from aikg.validation.fast import (
    FOCUS_LIMIT,
    Check,
    Found,
    Stated,
    report_of,
    run_checks,
    run_on,
)
from aikg.validation.pyshacl_engine import ValidationReport
from aikg.validation.reach import Anchor, Term, walk_back

FULL_ABOVE = 100_000
"""Changes of more triples than this are validated in full. Finding the focus nodes
costs a pattern lookup per changed triple and step of a path, and each check then runs
once per :data:`aikg.validation.fast.BATCH` of them: about 0.5 ms a changed triple in
all on the 1M-triple store (1,000 triples: 0.5 s against 20 s for the full validation;
see ``benchmarks/incremental_validation.py``), so at a tenth of a 1M store the two meet."""


@dataclass(frozen=True)
class Change:
    """What a load or a write did to the store: the quads it added and removed.

    A quad whose triple another graph still states changes nothing of the union the
    shapes judge, but counting it costs no correctness: its focus nodes are validated
    for nothing."""

    added: tuple[ox.Quad, ...] = ()
    removed: tuple[ox.Quad, ...] = ()

    @classmethod
    def of(cls, added: Iterable[ox.Quad] = (), removed: Iterable[ox.Quad] = ()) -> Change:
        return cls(tuple(added), tuple(removed))

    def __len__(self) -> int:
        return len(self.added) + len(self.removed)

    def names_graph(self, graph: str) -> bool:
        """Whether a quad added or removed is in the named graph ``graph``."""
        named = ox.NamedNode(graph)
        return any(q.graph_name == named for q in (*self.added, *self.removed))


def validate_change(
    store: ox.Store,
    checks: list[Check],
    change: Change,
    data_graphs: Iterable[str],
    graph_files: Mapping[str, str] | None = None,
    *,
    stated: Stated = None,
) -> ValidationReport:
    """Validate what ``change`` can affect in the store (already changed): see the module.
    A change larger than :data:`FULL_ABOVE` is validated in full. ``stated``: as for
    :func:`aikg.validation.fast.validate_store`."""
    if len(change) > FULL_ABOVE:
        found = run_checks(store, checks, stated)
    else:
        found = run_focused(store, checks, change, stated)
    return report_of(store, found, data_graphs, graph_files)


def focus_nodes(
    store: ox.Store, checks: list[Check], change: Change
) -> list[set[ox.NamedNode | ox.BlankNode] | None]:
    """For each check, the focus nodes the change can affect it at (None: every one, as
    its reach is unbounded or leads past :data:`FOCUS_LIMIT`)."""
    # An anchor walks from the added triples, the removed ones or both: only those whose
    # change can create a violation of its check (see aikg.validation.reach).
    added = _by_predicate(change.added)
    removed = _by_predicate(change.removed)
    reached: dict[Anchor, set[Term] | None] = {}

    def foci(anchor: Anchor) -> set[Term] | None:
        if anchor not in reached:
            quads = [
                q
                for kind, by_predicate in ((anchor.added, added), (anchor.removed, removed))
                if kind
                for p in (by_predicate if anchor.predicates is None else anchor.predicates)
                for q in by_predicate.get(p, [])
            ]
            start = {node for q in quads if (node := anchor.nodes(q)) is not None}
            # A walk that fans out through a shared node (every measurement of an
            # indicator) stops at the limit: the check then runs in full.
            reached[anchor] = walk_back(store, anchor.path, start, FOCUS_LIMIT)
        return reached[anchor]

    result: list[set[ox.NamedNode | ox.BlankNode] | None] = []
    for check in checks:
        if check.reach is None:
            result.append(None)
            continue
        nodes: set[ox.NamedNode | ox.BlankNode] | None = set()
        for anchor in check.reach:
            found = foci(anchor)
            if found is None or nodes is None:
                nodes = None
                break
            nodes.update(n for n in found if isinstance(n, ox.NamedNode | ox.BlankNode))
            if len(nodes) > FOCUS_LIMIT:
                nodes = None
                break
        result.append(nodes)
    return result


def _by_predicate(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Quad]]:
    found: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        found.setdefault(quad.predicate.value, []).append(quad)
    return found


def run_focused(
    store: ox.Store, checks: list[Check], change: Change, stated: Stated = None
) -> list[Found]:
    """Every check, on the focus nodes the change can affect it at; the violations, in
    check order. On a few threads, as :func:`aikg.validation.fast.run_checks`."""
    plans = list(zip(checks, focus_nodes(store, checks, change), strict=True))
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        per_check = list(pool.map(lambda plan: run_on(store, plan[0], plan[1], stated), plans))
    return [found for results in per_check for found in results]
