"""The one INSERT DATA builder: every triple once, in its graph, whatever its literals say."""

from __future__ import annotations

import pyoxigraph as ox

from aikg.sparql.updates import insert_data

S, P = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
G = ox.NamedNode("http://e/g")


def applied(operation: str) -> set[ox.Quad]:
    store = ox.Store()
    store.update(operation)
    return set(store)


def test_literals_that_look_like_syntax_stay_literals_and_are_counted_once() -> None:
    tricky = ["a . b", 'x" . } ; DROP ALL ; INSERT DATA { <a> <b> "c', "line\nbreak", "\\ ."]
    quads = [ox.Quad(S, P, ox.Literal(text), G) for text in tricky]
    operation, count = insert_data(quads)
    assert count == len(tricky)
    assert applied(operation) == set(quads)


def test_default_graph_triples_stand_outside_any_graph_block() -> None:
    quads = [ox.Quad(S, P, ox.Literal("x"), ox.DefaultGraph()), ox.Quad(S, P, ox.Literal("y"), G)]
    operation, count = insert_data(quads)
    assert count == 2 and applied(operation) == set(quads)


def test_blocks_cap_the_triples_of_one_graph_block() -> None:
    quads = [ox.Quad(S, P, ox.Literal(str(i)), G) for i in range(5)]
    operation, _ = insert_data(quads, block=2)
    assert operation.count("GRAPH <http://e/g>") == 3
    assert applied(operation) == set(quads)


def test_nothing_to_insert_is_no_operation() -> None:
    assert insert_data([]) == ("", 0)
