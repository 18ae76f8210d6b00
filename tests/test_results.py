"""Our SPARQL results writers produce what standard parsers read back, term for term."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from aikg import KnowledgeGraph, SelectResult
from aikg.errors import QueryRefusedError
from aikg.formats import RESULT_FORMATS, ResultFormat, rdf_format, result_format
from aikg.sparql.results import serialize

XSD = "http://www.w3.org/2001/XMLSchema#"
TRICKY = [
    ox.Literal('quote " comma , newline \n tab \t and <angle> & amp'),
    ox.Literal("Korea’s 한국", language="ko"),
    ox.Literal("2000", datatype=ox.NamedNode(XSD + "integer")),
    ox.NamedNode("http://e/with#fragment"),
    ox.BlankNode("b0"),
]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for i, term in enumerate(TRICKY):
        store.add(ox.Quad(ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"), term))
    return store


QUERY = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o } ORDER BY ?s"


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_round_trips_every_kind_of_term(store: ox.Store, fmt: str) -> None:
    out = serialize(store.query(QUERY), result_format(fmt), 100)
    parsed = ox.parse_query_results(out.body, format=result_format(fmt).engine)
    expected = [(s["s"], s["o"], s["unbound"]) for s in store.query(QUERY)]
    assert [(s["s"], s["o"], s["unbound"]) for s in parsed] == expected
    assert (out.rows, out.truncated, out.kind) == (5, False, "select")


def test_csv_keeps_lexical_forms_and_quotes_what_needs_it(store: ox.Store) -> None:
    out = serialize(store.query(QUERY), result_format("csv"), 100)
    rows = list(csv.reader(io.StringIO(out.body.decode("utf-8"), newline="")))
    assert rows[0] == ["s", "o", "unbound"]
    # CSV carries lexical forms only; a blank node is written _:label.
    assert [r[1] for r in rows[1:]] == [
        t.value if not isinstance(t, ox.BlankNode) else f"_:{t.value}" for t in TRICKY
    ]
    assert all(r[2] == "" for r in rows[1:])


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=[f.name for f in RESULT_FORMATS])
def test_the_row_limit_cuts_and_reports(store: ox.Store, fmt: object) -> None:
    out = serialize(store.query(QUERY), fmt, 2)  # type: ignore[arg-type]
    assert (out.rows, out.truncated) == (2, True)


def test_ask_and_construct_use_their_own_formats(store: ox.Store) -> None:
    ask = serialize(store.query("ASK { ?s ?p ?o }"), result_format("json"), 10)
    assert (ask.body, ask.kind) == (b'{"head":{},"boolean":true}', "ask")
    graph = serialize(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), rdf_format("ntriples"), 3)
    assert (graph.rows, graph.truncated, graph.kind) == (3, True, "graph")
    assert len(list(ox.parse(graph.body, format=ox.RdfFormat.N_TRIPLES))) == 3


TRIPLE_TERM = (
    "SELECT ?s ?t WHERE { BIND(<http://e/s> AS ?s) BIND(TRIPLE(?s, <http://e/p>, 1) AS ?t) }"
)


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=[f.name for f in RESULT_FORMATS])
def test_an_answer_holding_a_triple_term_is_refused_naming_its_column(fmt: ResultFormat) -> None:
    """aikg writes RDF 1.1 terms: a triple term (RDF 1.2) is said to be one, in every
    format (TSV would write it as a bare N-Triples line), never a crash."""
    with pytest.raises(QueryRefusedError, match="triple term") as refused:
        serialize(ox.Store().query(TRIPLE_TERM), fmt, 100)
    assert refused.value.where == "column ?t"
    assert "SUBJECT(?t)" in (refused.value.hint or "")


def test_a_triple_term_is_refused_by_the_python_api_too(kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryRefusedError, match="triple term"):
        kg.query(TRIPLE_TERM)
    parts = kg.query(TRIPLE_TERM.replace("?s ?t WHERE", "?s (OBJECT(?t) AS ?o) WHERE"))
    assert isinstance(parts, SelectResult) and str(parts.rows[0]["o"]) == "1"
