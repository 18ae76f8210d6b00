"""Validation time and peak memory: aikg's fast validator against pySHACL (the reference).

Each engine runs in a fresh process (a job), so the peak RSS is its own. Both validate
the generated quads alone (the instance data; the validators add the ontology, for
``sh:class``, and the shapes themselves):

- ``fast``: :func:`aikg.validation.fast.validate_quads` (shapes compiled to SPARQL, on a
  fresh Oxigraph store);
- ``in_place``: ``KnowledgeGraph.validate()`` on a graph already holding the data (what
  ``load_files`` runs after writing): no copy of the data;
- ``pyshacl``: :func:`aikg.validation.pyshacl_engine.validate_quads` (pySHACL on an rdflib graph).

``rss_before_mb`` is the process's RSS with the quads parsed, before validating.
:func:`compare` is the sanity check: with injected violations both engines must report
the same results, and exactly those :func:`aikg.synthetic.generate.injected` names.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks.common import current_rss_mb

Key = tuple[str, str | None, str | None, str, str | None, str, str]


def _quads(path: str) -> list[Any]:
    import pyoxigraph as ox  # noqa: PLC0415

    return list(ox.parse(path=path, format=ox.RdfFormat.N_QUADS))


def _result(report: Any, seconds: float, before: float, keys: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "seconds": seconds,
        "conforms": report.conforms,
        "violations": len(report.violations),
        "rss_before_mb": before,
    }
    if keys:
        result["keys"] = sorted(
            [
                v.focus_node,
                v.path,
                v.value,
                v.source_shape,
                v.source_constraint,
                v.constraint_component,
                v.message,
            ]
            for v in report.violations
        )
    return result


def fast(path: str, keys: bool = False) -> dict[str, Any]:
    from aikg.validation.fast import bundled_checks, validate_quads  # noqa: PLC0415

    quads = _quads(path)
    bundled_checks()  # compiling the shapes (once per process) is not validating
    before = current_rss_mb()
    started = time.perf_counter()
    report = validate_quads(quads)
    return _result(report, time.perf_counter() - started, before, keys)


def pyshacl(path: str, keys: bool = False) -> dict[str, Any]:
    from aikg.validation.pyshacl_engine import _cached_shapes_and_ontology, validate_quads  # noqa: PLC0415

    quads = _quads(path)
    _cached_shapes_and_ontology()  # parsing the shapes is not validating
    before = current_rss_mb()
    started = time.perf_counter()
    report = validate_quads(quads)
    return _result(report, time.perf_counter() - started, before, keys)


def in_place(path: str) -> dict[str, Any]:
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from aikg.loader import load_files  # noqa: PLC0415
    from aikg.validation.fast import bundled_checks  # noqa: PLC0415

    kg = KnowledgeGraph.load()
    load_files(kg, [path], validate=False)
    bundled_checks()
    before = current_rss_mb()
    started = time.perf_counter()
    report = kg.validate()
    return _result(report, time.perf_counter() - started, before, False)


def expected_keys(size: int, seed: int, violations: int) -> list[list[Any]]:
    """What :func:`aikg.synthetic.generate.injected` says a validator must report (its key
    fields)."""
    from aikg.synthetic import generate  # noqa: PLC0415

    return sorted(list(e.key()) for e in generate.injected(size, seed, violations))


def compare(
    fast_keys: list[list[Any]], pyshacl_keys: list[list[Any]], expected: list[list[Any]]
) -> dict[str, Any]:
    """Both engines' results side by side, and against the injected list, compared on
    what :meth:`aikg.synthetic.generate.Expected.key` holds: (focus node, shape, path,
    constraint)."""

    def project(keys: list[list[Any]]) -> set[tuple[Any, ...]]:
        return {(k[0], k[3], k[1], k[4]) for k in keys}

    same = sorted(map(tuple, fast_keys)) == sorted(map(tuple, pyshacl_keys))
    return {
        "fast_violations": len(fast_keys),
        "pyshacl_violations": len(pyshacl_keys),
        "injected": len(expected),
        "same_results": same,
        "fast_only": len({tuple(k) for k in fast_keys} - {tuple(k) for k in pyshacl_keys}),
        "pyshacl_only": len({tuple(k) for k in pyshacl_keys} - {tuple(k) for k in fast_keys}),
        "fast_matches_injected": project(fast_keys) == {tuple(k) for k in expected},
    }
