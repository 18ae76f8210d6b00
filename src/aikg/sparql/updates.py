"""SPARQL Update text built from parsed quads: the one INSERT DATA (and DELETE DATA)
builder.

Terms are written from their own syntax (pyoxigraph's ``str`` of a term is its SPARQL
form, escapes included), so no value can break out of its place.

>>> quad = ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
...                ox.Literal("a . b"), ox.NamedNode("http://e/g"))
>>> insert_data([quad])
('INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> "a . b" . } }', 1)
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from aikg.sparql.lexer import QueryReading


def triple_lines(
    quads: Iterable[ox.Quad],
) -> dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[str]]:
    """The quads as triples in SPARQL syntax (``s p o .``), by graph, in order."""
    by_graph: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[str]] = {}
    for quad in quads:
        line = f"{quad.subject} {quad.predicate} {quad.object} ."
        by_graph.setdefault(quad.graph_name, []).append(line)
    return by_graph


def graph_blocks(quads: Iterable[ox.Quad], block: int | None = None) -> list[str]:
    """``GRAPH g { ... }`` blocks of at most ``block`` triples each (the default graph's
    triples stand alone)."""
    blocks = []
    for graph, lines in triple_lines(quads).items():
        size = block or max(1, len(lines))
        for start in range(0, len(lines), size):
            triples = " ".join(lines[start : start + size])
            blocks.append(
                triples if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ {triples} }}"
            )
    return blocks


def insert_data(quads: Iterable[ox.Quad], block: int | None = None) -> tuple[str, int]:
    """An INSERT DATA operation for quads without blank nodes, and how many triples it
    inserts; ``("", 0)`` for no quads. ``block`` caps the triples of one GRAPH block
    (some servers refuse large ones)."""
    quads = list(quads)
    if not quads:
        return "", 0
    return "INSERT DATA { " + "\n".join(graph_blocks(quads, block)) + " }", len(quads)


def delete_data(quads: Iterable[ox.Quad], block: int | None = None) -> str:
    """A DELETE DATA operation for quads without blank nodes ("" for no quads)."""
    blocks = graph_blocks(quads, block)
    return "DELETE DATA { " + "\n".join(blocks) + " }" if blocks else ""


def graphs_written(reading: QueryReading) -> list[str] | None:
    """The named graphs an update can write to, besides the default graph: every IRI it
    names (a graph is written only where the text names it, as ``GRAPH <g>``, ``WITH``,
    ``DROP``, ``TO``...; an IRI that names no graph costs an empty read). None when the
    text can write graphs it does not name: ``GRAPH ?g`` in a template, ``ALL``,
    ``NAMED``.

    >>> from aikg.sparql.lexer import read_query
    >>> graphs_written(read_query("DROP GRAPH <g> ; INSERT DATA { <s> <p> <o> }", "http://e/"))
    ['http://e/g', 'http://e/o', 'http://e/p', 'http://e/s']
    >>> graphs_written(read_query("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { ?s ?p ?o }"))
    """
    tokens = reading.tokens
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        if word in {"ALL", "NAMED"}:
            return None
        if word == "GRAPH" and i + 1 < len(tokens) and tokens[i + 1].kind == "variable":
            return None
    return sorted(set(reading.iris()))
