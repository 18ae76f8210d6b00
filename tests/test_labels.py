"""Label columns: the label each IRI gets, in the language asked for.

The store in this process reads a long list of IRIs' labels from its name index, and a short
one from the engine, where it stops looking at the first label property that gives a label in
the language asked for; a remote store is asked for every label, in batches. All must choose
as the rule says: the language asked for, then English, then no language, then any other,
and among equals ``rdfs:label`` before ``skos:prefLabel``, then the least text.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest

from aikg import labels
from aikg.config import Settings
from aikg.knowledge_graph import KnowledgeGraph
from aikg.labels import (
    LABELS,
    _asked_in_batches,
    _best,
    _from_name_index,
    _rank,
    _read_in_process,
    add_labels,
    labels_for,
)
from aikg.sparql.results import Table
from aikg.store.local import Store

RDFS_LABEL, SKOS_PREF_LABEL = LABELS
THING = "https://w3id.org/aikg/test/"

# Each IRI's labels, by property: (text, language or None).
CASES: dict[str, dict[ox.NamedNode, list[tuple[str, str | None]]]] = {
    "english-label": {
        RDFS_LABEL: [("Korea", "en")],
        SKOS_PREF_LABEL: [("Republic of Korea", "en")],
    },
    "korean-label-english-preferred": {
        RDFS_LABEL: [("대한민국", "ko")],
        SKOS_PREF_LABEL: [("South Korea", "en")],
    },
    "untagged-label-korean-preferred": {
        RDFS_LABEL: [("Samsung", None)],
        SKOS_PREF_LABEL: [("삼성", "ko")],
    },
    "french-only": {RDFS_LABEL: [("Corée", "fr")]},
    "preferred-only": {SKOS_PREF_LABEL: [("Only preferred", "en-GB")]},
    "mixed": {
        RDFS_LABEL: [("Naver", None), ("네이버", "ko"), ("Naver Corp.", "en")],
        SKOS_PREF_LABEL: [("NAVER", "fr")],
    },
    "two-english-labels": {RDFS_LABEL: [("Zeta", "en"), ("Alpha", "en"), ("Alpha", "en-US")]},
    "typed-label": {RDFS_LABEL: [("42", "xsd:integer")]},
    "typed-and-plain": {RDFS_LABEL: [("42", "xsd:integer"), ("42", None)]},
    "right-to-left": {RDFS_LABEL: [("مرحبا", "ar--rtl")]},
    "unlabelled": {},
}
GRAPH = ox.NamedNode(THING + "graph")
XSD = "http://www.w3.org/2001/XMLSchema#"


def _literal(text: str, language: str | None) -> ox.Literal:
    """A label of :data:`CASES`: a language tag, a datatype (``xsd:...``), or neither."""
    if language and language.startswith("xsd:"):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + language[4:]))
    if language and "--" in language:
        tag, direction = language.split("--")
        return ox.Literal(text, language=tag, direction=ox.BaseDirection(direction))
    return ox.Literal(text, language=language) if language else ox.Literal(text)


@pytest.fixture(scope="module")
def store() -> Store:
    """The labels of :data:`CASES` in a named graph, and the name index kept in step with
    them (as a knowledge graph keeps it)."""
    held = Store(Settings())
    held.extend(
        [
            ox.Quad(ox.NamedNode(THING + name), predicate, _literal(text, language), GRAPH)
            for name, properties in CASES.items()
            for predicate, labels in properties.items()
            for text, language in labels
        ]
    )
    assert held.names is not None
    held.names.rebuild(held.indexed_quads())
    return held


def _index_read(store: Store, iris: set[ox.NamedNode], lang: str) -> dict[ox.NamedNode, ox.Literal]:
    found = _from_name_index(store, iris)
    assert found is not None, "the name index declined"
    return _best(found, lang)


def _engine_read(
    store: Store, iris: set[ox.NamedNode], lang: str
) -> dict[ox.NamedNode, ox.Literal]:
    return _best(_read_in_process(store, iris, lang), lang)


def expected(name: str, lang: str) -> ox.Literal | None:
    """The rule, written out: every label of every property, the best rank, then the first
    of equals in property order, then the least text and language tag."""
    best: tuple[tuple[int, int, str, str, str], ox.Literal] | None = None
    for position, predicate in enumerate(LABELS):
        for text, language in CASES[name].get(predicate, []):
            label = _literal(text, language)
            rank = (_rank(label, lang), position, text, label.language or "", str(label))
            if best is None or rank < best[0]:
                best = (rank, label)
    return None if best is None else best[1]


@pytest.mark.parametrize("read", [_index_read, _engine_read, labels_for])
@pytest.mark.parametrize("lang", ["en", "ko", "fr", "de"])
def test_the_store_in_process_chooses_each_label_by_the_rule(
    store: Store, lang: str, read: object
) -> None:
    """From the name index and from the engine's lookups alike (and labels_for, which
    takes one or the other by the number of IRIs)."""
    assert callable(read)
    iris = {ox.NamedNode(THING + name) for name in CASES}
    chosen = {iri.value[len(THING) :]: label for iri, label in read(store, iris, lang).items()}
    assert chosen == {name: label for name in CASES if (label := expected(name, lang)) is not None}
    assert "unlabelled" not in chosen
    assert chosen["korean-label-english-preferred"].value == (
        "대한민국" if lang == "ko" else "South Korea"
    )
    assert chosen["two-english-labels"] == ox.Literal("Alpha", language="en")
    assert chosen["typed-label"] == ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))
    assert chosen["typed-and-plain"] == ox.Literal("42")
    assert chosen["right-to-left"].direction == ox.BaseDirection.RTL


def test_a_long_list_of_iris_is_read_from_the_name_index(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    iris = {ox.NamedNode(THING + name) for name in CASES}
    assert len(iris) < labels.INDEX_FROM  # a short list: the engine
    monkeypatch.setattr(labels, "_from_name_index", lambda *_: pytest.fail("index asked"))
    assert labels_for(store, iris, "en") == _engine_read(store, iris, "en")
    monkeypatch.undo()
    monkeypatch.setattr(labels, "INDEX_FROM", 2)
    monkeypatch.setattr(labels, "_read_in_process", lambda *_: pytest.fail("engine asked"))
    assert labels_for(store, iris, "en") == _index_read(store, iris, "en")


@pytest.mark.parametrize("graph", ["default", "inferred", "blank"])
def test_a_label_where_the_name_index_does_not_look_is_read_from_the_engine(
    graph: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index holds the graphs named by IRIs but the inferred one: a label in the
    default graph (the graph store protocol writes there), in the inferred graph or in a
    graph named by a blank node (an update can make one) would be missed."""
    held = Store(Settings())
    iris = {ox.NamedNode(THING + f"thing-{i}") for i in range(20)}
    named = [
        ox.Quad(iri, RDFS_LABEL, ox.Literal(iri.value[-7:], language="en"), GRAPH) for iri in iris
    ]
    where = {
        "default": ox.DefaultGraph(),
        "inferred": ox.NamedNode(held.inferred_graph),
        "blank": ox.BlankNode(),
    }[graph]
    odd = ox.NamedNode(THING + "odd")
    held.extend([*named, ox.Quad(odd, RDFS_LABEL, ox.Literal("Odd", language="en"), where)])
    assert held.names is not None
    held.names.rebuild(held.indexed_quads())
    assert _from_name_index(held, iris) is None
    monkeypatch.setattr(labels, "INDEX_FROM", 2)
    found = labels_for(held, {*iris, odd}, "en")
    assert found[odd] == ox.Literal("Odd", language="en")
    assert len(found) == 21


@pytest.mark.parametrize("lang", ["en", "ko", "fr"])
def test_a_remote_store_asked_in_batches_chooses_the_same_labels(store: Store, lang: str) -> None:
    """The remote path's query, run on the same data, agrees with the lookups."""
    iris = {ox.NamedNode(THING + name) for name in CASES}
    asked = {(iri, position, label) for iri, position, label in _asked_in_batches(store, iris)}
    assert len(asked) == sum(len(labels) for case in CASES.values() for labels in case.values())
    assert labels_for(store, iris, lang) == _best(asked, lang)


def test_a_label_column_follows_each_iri_column(store: Store) -> None:
    iri = ox.NamedNode(THING + "korean-label-english-preferred")
    table = Table(["thing", "n"], [{"thing": iri, "n": ox.Literal("1")}, {"n": ox.Literal("2")}])
    labelled = add_labels(store, table, "ko")
    assert labelled.variables == ["thing", "thingLabel", "n"]
    assert labelled.rows[0]["thingLabel"] == ox.Literal("대한민국", language="ko")
    assert labelled.rows[1]["thingLabel"] is None


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_remote_store_gives_every_bundled_iri_the_label_this_process_gives(
    kg: KnowledgeGraph,
    any_remote_kg: KnowledgeGraph,
    lang: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every labelled IRI of the bundled data, asked of each remote engine in batches."""
    monkeypatch.setattr(labels, "REMOTE_BATCH", 100)
    found = kg.store.query(
        "SELECT DISTINCT ?s WHERE { { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } "
        "UNION { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } FILTER isIRI(?s) }",
        use_default_graph_as_union=True,
    )
    assert isinstance(found, ox.QuerySolutions)
    iris = {row["s"] for row in found if isinstance(row["s"], ox.NamedNode)}
    assert len(iris) > 4 * labels.REMOTE_BATCH
    here = labels_for(kg.store, iris, lang)
    assert len(here) == len(iris)
    assert labels_for(any_remote_kg.store, iris, lang) == here


def _labelled_iris(kg: KnowledgeGraph) -> set[ox.NamedNode]:
    found = kg.store.query(
        "SELECT DISTINCT ?s WHERE { { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } "
        "UNION { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } "
        "UNION { ?s ?p ?o } UNION { ?x ?p ?s } FILTER isIRI(?s) }",
        use_default_graph_as_union=True,
    )
    assert isinstance(found, ox.QuerySolutions)
    return {row["s"] for row in found if isinstance(row["s"], ox.NamedNode)}


@pytest.mark.parametrize("lang", ["en", "ko", "fr"])
def test_the_name_index_gives_every_bundled_iri_the_label_the_engine_gives(
    kg: KnowledgeGraph, lang: str
) -> None:
    """Every IRI of the bundled data, labelled or not (the ontology's classes, sources,
    claims...), read both ways."""
    iris = _labelled_iris(kg)
    assert len(iris) > 500
    from_index = _index_read(kg.store, iris, lang)
    assert 200 < len(from_index) < len(iris)
    assert from_index == _engine_read(kg.store, iris, lang)


def test_label_columns_follow_writes_through_the_name_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A label a write adds is in the next answer's label column, one it removes is gone:
    the index is kept in step with the store."""
    from aikg.workers import jobs  # noqa: PLC0415

    monkeypatch.setattr(labels, "INDEX_FROM", 1)
    kg = KnowledgeGraph.load()
    ask = "SELECT ?x WHERE { VALUES ?x { <country/KR> <test/new> } }"
    before = kg.serialize_query(ask, "csv", labels="fr").body.decode().replace("\r", "")
    assert "test/new,\n" in before  # no label yet
    jobs.update(
        kg,
        False,
        "INSERT DATA { GRAPH <graph/extra> { <test/new> rdfs:label 'Nouveau'@fr } }",
    )
    assert "test/new,Nouveau" in kg.serialize_query(ask, "csv", labels="fr").body.decode()
    jobs.update(
        kg, False, "DELETE DATA { GRAPH <graph/extra> { <test/new> rdfs:label 'Nouveau'@fr } }"
    )
    after = kg.serialize_query(ask, "csv", labels="fr").body.decode().replace("\r", "")
    assert after == before


def test_the_engine_answers_while_the_name_index_cannot(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load that may yet be undone has written to the index, or another process holds
    it locked: the labels come from the engine, the same ones."""
    iris = {ox.NamedNode(THING + name) for name in CASES}
    expected_labels = _engine_read(store, iris, "en")
    assert store.names is not None
    store.names.mark_load(pending=True)
    try:
        assert _from_name_index(store, iris) is None
    finally:
        store.names.mark_load(pending=False)
    assert _index_read(store, iris, "en") == expected_labels

    def locked(*_: object) -> object:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(type(store.names), "labels", locked)
    monkeypatch.setattr(labels, "INDEX_FROM", 2)
    assert _from_name_index(store, iris) is None
    assert labels_for(store, iris, "en") == expected_labels


def test_an_index_on_disk_lets_readers_read_while_it_is_rebuilt(tmp_path: Path) -> None:
    """Write-ahead logging: a reader in another connection reads the index as it was
    while a rebuild holds its transaction open."""
    from aikg.names import NameIndex  # noqa: PLC0415

    path = tmp_path / "store.names.sqlite"
    index = NameIndex(path)
    quad = ox.Quad(ox.NamedNode(THING + "a"), RDFS_LABEL, ox.Literal("A", language="en"), GRAPH)
    index.rebuild([quad])
    assert index.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    index.db.execute("BEGIN IMMEDIATE")
    index.db.execute("DELETE FROM names")
    reader = sqlite3.connect(path, timeout=0.1)
    try:
        assert reader.execute("SELECT name FROM names").fetchall() == [("A",)]
    finally:
        reader.close()
        index.db.rollback()
        index.close()
