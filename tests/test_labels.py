"""Label columns: the label each IRI gets, in the language asked for.

The store in this process stops looking at the first label property that gives a label in
the language asked for; a remote store is asked for every label, in batches. Both must choose
as the rule says: the language asked for, then English, then no language, then any other,
and among equals ``rdfs:label`` before ``skos:prefLabel``, then the least text.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from aikg import labels
from aikg.config import Settings
from aikg.knowledge_graph import KnowledgeGraph
from aikg.labels import LABELS, _asked_in_batches, _best, _rank, add_labels, labels_for
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
    "typed-and-plain": {RDFS_LABEL: [("42", "xsd:integer"), ("42", None)]},
    "unlabelled": {},
}
XSD = "http://www.w3.org/2001/XMLSchema#"


def _literal(text: str, language: str | None) -> ox.Literal:
    """A label of :data:`CASES`: a language tag, a datatype (``xsd:...``), or neither."""
    if language and language.startswith("xsd:"):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + language[4:]))
    return ox.Literal(text, language=language) if language else ox.Literal(text)


@pytest.fixture(scope="module")
def store() -> Store:
    held = Store(Settings())
    held.extend(
        [
            ox.Quad(ox.NamedNode(THING + name), predicate, _literal(text, language))
            for name, properties in CASES.items()
            for predicate, labels in properties.items()
            for text, language in labels
        ]
    )
    return held


def expected(name: str, lang: str) -> str | None:
    """The rule, written out: every label of every property, the best rank, then the first
    of equals in property order, then the least text, language and term."""
    best: tuple[tuple[int, int, str, str, str], str] | None = None
    for position, predicate in enumerate(LABELS):
        for text, language in CASES[name].get(predicate, []):
            label = _literal(text, language)
            rank = (_rank(label, lang), position, text, label.language or "", str(label))
            if best is None or rank < best[0]:
                best = (rank, str(label))
    return None if best is None else best[1]


@pytest.mark.parametrize("lang", ["en", "ko", "fr", "de"])
def test_the_store_in_process_chooses_each_label_by_the_rule(store: Store, lang: str) -> None:
    iris = {ox.NamedNode(THING + name) for name in CASES}
    chosen = {
        iri.value[len(THING) :]: str(label) for iri, label in labels_for(store, iris, lang).items()
    }
    assert chosen == {name: text for name in CASES if (text := expected(name, lang)) is not None}
    assert "unlabelled" not in chosen
    assert chosen["korean-label-english-preferred"] == (
        '"대한민국"@ko' if lang == "ko" else '"South Korea"@en'
    )
    assert chosen["two-english-labels"] == '"Alpha"@en'
    assert chosen["typed-and-plain"] == '"42"'  # the least term of equal text


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
