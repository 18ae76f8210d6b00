"""Real SPARQL clients against the running endpoint: SPARQLWrapper and rdflib's stores."""

from __future__ import annotations

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from tests.server import Server
from tests.test_writes import TOKEN, writable  # noqa: F401 - the fixture

HOLDERS = """PREFIX aikg: <https://w3id.org/aikg/ontology#>
SELECT ?holder ?n WHERE { ?c aikg:subject ?holder ; aikg:quantity ?n } ORDER BY DESC(?n) ?holder"""


def wrapper(server: Server, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_reads_json_results(server: Server) -> None:
    result = wrapper(server, HOLDERS, JSON).queryAndConvert()
    assert [int(b["n"]["value"]) for b in result["results"]["bindings"]] == [  # type: ignore[index]
        350000,
        350000,
        100000,
        35000,
        2000,
        2000,
    ]


def test_sparqlwrapper_reads_xml_and_csv_results(server: Server) -> None:
    xml = wrapper(server, HOLDERS, XML).queryAndConvert()
    assert len(xml.getElementsByTagName("result")) == 6  # type: ignore[union-attr]
    csv = wrapper(server, HOLDERS, CSV).queryAndConvert()
    assert csv.decode().splitlines()[1] == "https://w3id.org/aikg/company/meta,350000"  # type: ignore[union-attr]


def test_sparqlwrapper_reads_a_construct_as_a_graph(server: Server) -> None:
    graph = wrapper(
        server,
        """PREFIX aikg: <https://w3id.org/aikg/ontology#>
        CONSTRUCT WHERE { ?c aikg:iso3166Alpha2 ?code }""",
        TURTLE,
    ).queryAndConvert()
    parsed = rdflib.Graph().parse(data=graph, format="turtle")
    assert len(parsed) == 9


def test_sparqlwrapper_asks_by_post(server: Server) -> None:
    client = wrapper(server, "ASK { ?s ?p ?o }", JSON)
    client.setMethod("POST")
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index]


def test_rdflib_sparqlstore_queries_the_endpoint_as_a_graph(server: Server) -> None:
    graph = rdflib.Graph(SPARQLStore(f"{server.url}/sparql", returnFormat="json"))
    rows = list(graph.query(HOLDERS))
    assert [int(row.n) for row in rows] == [350000, 350000, 100000, 35000, 2000, 2000]  # type: ignore[union-attr]
    korea = rdflib.URIRef("https://w3id.org/aikg/country/KR")
    assert rdflib.Literal("South Korea", lang="en") in set(graph.objects(korea, rdflib.RDFS.label))


def test_rdflib_sparqlupdatestore_writes_through_the_protocol(writable: Server) -> None:  # noqa: F811
    store = SPARQLUpdateStore(
        f"{writable.url}/sparql",
        f"{writable.url}/sparql",
        returnFormat="json",
        auth=None,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    graph = rdflib.Graph(store, identifier=rdflib.URIRef("http://example.org/from-rdflib"))
    graph.add(
        (
            rdflib.URIRef("http://example.org/x"),
            rdflib.URIRef("http://example.org/says"),
            rdflib.Literal("written by rdflib"),
        )
    )
    # rdflib scopes the graph's queries to it with the protocol's default-graph-uri.
    assert next(iter(graph.query("ASK { ?s ?p 'written by rdflib' }"))) is True
    assert len(graph) == 1
