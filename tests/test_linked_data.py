"""Linked data: dereferenceable IRIs, the ontology, VoID/DCAT, dumps, the validation page.

The content-negotiation matrix checks, per route, what each Accept header gets: the
status, the Content-Type and the Vary header.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from markupsafe import escape

from aikg import Client, InputError, KnowledgeGraph, Settings
from aikg.cli import main
from aikg.saved_queries import catalog
from tests.server import Server, running_server

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
KR = "https://w3id.org/aikg/country/KR"


def fetch(server: Server, path: str, accept: str | None = None, **kwargs: object) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(f"{server.url}{path}", headers=headers, timeout=60, **kwargs)  # type: ignore[arg-type]


# -- the content-negotiation matrix --------------------------------------------------

DEREFERENCE = [
    ("text/html", 303, "/doc/country/KR"),
    ("text/turtle", 303, "/doc/country/KR.ttl"),
    ("application/ld+json", 303, "/doc/country/KR.jsonld"),
    ("application/n-triples", 303, "/doc/country/KR.nt"),
    ("application/rdf+xml", 303, "/doc/country/KR.rdf"),
    ("text/html;q=0.5, text/turtle", 303, "/doc/country/KR.ttl"),
    ("*/*", 303, "/doc/country/KR"),
    (None, 303, "/doc/country/KR"),
    ("image/png", 406, None),
]


@pytest.mark.parametrize(("accept", "status", "location"), DEREFERENCE)
def test_an_entity_iri_answers_303_to_a_document_chosen_by_accept(
    server: Server, accept: str | None, status: int, location: str | None
) -> None:
    response = fetch(server, "/country/KR", accept)
    assert response.status_code == status
    assert response.headers.get("location") == location
    if status == 303:
        assert response.headers["vary"] == "Accept"


DOCUMENTS = [
    ("/doc/country/KR", "text/html; charset=utf-8"),
    ("/doc/country/KR.ttl", "text/turtle; charset=utf-8"),
    (
        "/doc/country/KR.jsonld",
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"',
    ),
    ("/doc/country/KR.nt", "application/n-triples; charset=utf-8"),
    ("/doc/country/KR.rdf", "application/rdf+xml"),
]


@pytest.mark.parametrize(("path", "media"), DOCUMENTS)
def test_documents_about_a_thing_have_fixed_formats(server: Server, path: str, media: str) -> None:
    response = fetch(server, path)
    assert (response.status_code, response.headers["content-type"]) == (200, media)
    assert f'<{KR}>; rel="describes"' in response.headers["link"]


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (p, f)
        for p, f in zip(
            [p for p, _ in DOCUMENTS[1:]],
            [
                ox.RdfFormat.TURTLE,
                ox.RdfFormat.JSON_LD,
                ox.RdfFormat.N_TRIPLES,
                ox.RdfFormat.RDF_XML,
            ],
            strict=True,
        )
    ],
)
def test_the_rdf_about_a_thing_has_its_triples_and_those_pointing_at_it(
    server: Server, path: str, fmt: ox.RdfFormat
) -> None:
    triples = list(ox.parse(fetch(server, path).content, format=fmt))
    korea = ox.NamedNode(KR)
    assert ox.Literal("South Korea", language="en") in {
        t.object for t in triples if t.subject == korea
    }
    assert any(t.object == korea for t in triples)


VOCABULARY = [
    ("/ontology", "text/html", 200, "text/html; charset=utf-8", "/ontology"),
    ("/ontology", "text/turtle", 200, "text/turtle; charset=utf-8", "/ontology.ttl"),
    ("/ontology", "application/ld+json", 200, "application/ld+json", "/ontology.jsonld"),
    ("/ontology", "application/rdf+xml", 200, "application/rdf+xml", "/ontology.rdf"),
    (
        "/ontology",
        "application/n-triples",
        200,
        "application/n-triples; charset=utf-8",
        "/ontology.nt",
    ),
    ("/ontology", "image/png", 406, None, None),
    ("/shapes", "text/turtle", 200, "text/turtle; charset=utf-8", "/shapes.ttl"),
    ("/shapes", "text/html", 406, None, None),
    ("/.well-known/void", None, 200, "text/turtle; charset=utf-8", None),
    ("/.well-known/void", "application/ld+json", 200, "application/ld+json", None),
    ("/.well-known/void", "image/png", 406, None, None),
    ("/validation", "text/html", 200, "text/html; charset=utf-8", None),
    ("/validation", "application/json", 200, "application/json", None),
    ("/queries", "text/turtle", 200, "text/turtle; charset=utf-8", None),
]


@pytest.mark.parametrize(("path", "accept", "status", "media", "content_location"), VOCABULARY)
def test_vocabulary_and_dataset_routes_negotiate(
    server: Server,
    path: str,
    accept: str | None,
    status: int,
    media: str | None,
    content_location: str | None,
) -> None:
    response = fetch(server, path, accept)
    assert response.status_code == status
    if media:
        # JSON-LD names its form too: application/ld+json; profile="...#compacted"
        assert response.headers["content-type"].split("; profile=")[0] == media
        assert response.headers["vary"] == "Accept"
    assert response.headers.get("content-location") == content_location


def test_an_unknown_iri_is_404_and_a_reserved_path_is_not_data(server: Server) -> None:
    assert fetch(server, "/country/XX").json()["error"] == "not-found"
    assert fetch(server, "/doc/country/XX").status_code == 404
    assert fetch(server, "/sparqlx").status_code == 404


# -- every IRI resolves --------------------------------------------------------------


def test_every_entity_iri_of_the_data_resolves_to_a_page_with_its_label(
    server: Server, kg: KnowledgeGraph
) -> None:
    subjects = kg.query("""SELECT DISTINCT ?s ?label WHERE {
        ?s ?p ?o FILTER (STRSTARTS(STR(?s), "https://w3id.org/aikg/") && !STRSTARTS(STR(?s), "https://w3id.org/aikg/ontology") && !STRSTARTS(STR(?s), "https://w3id.org/aikg/shapes"))
        OPTIONAL { ?s rdfs:label ?label FILTER (lang(?label) = "en") } }""")
    assert len(subjects) > 200  # type: ignore[arg-type]
    with httpx.Client(base_url=server.url, timeout=60, follow_redirects=True) as client:
        for row in subjects:  # type: ignore[union-attr]
            path = str(row["s"]).removeprefix("https://w3id.org/aikg/")
            response = client.get(f"/{path}", headers={"Accept": "text/html"})
            assert response.status_code == 200, path
            if "label" in row:
                assert f"<h1>{escape(str(row['label']))}</h1>" in response.text, path


def test_every_ontology_term_has_an_anchor_in_the_ontology_page(
    server: Server, kg: KnowledgeGraph
) -> None:
    page = fetch(server, "/ontology", "text/html").text
    terms = kg.query(
        "SELECT ?t WHERE { GRAPH <graph/ontology> { ?t a ?k FILTER (isIRI(?t) && ?k IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) } }"
    )
    assert len(terms) > 80  # type: ignore[arg-type]
    for row in terms:  # type: ignore[union-attr]
        assert f'id="{str(row["t"]).rsplit("#", 1)[1]}"' in page, row["t"]


def test_graph_iris_resolve_to_the_graph(server: Server, kg: KnowledgeGraph) -> None:
    size = kg.graph_sizes()["graphs"]["https://w3id.org/aikg/graph/holdings"]
    page = fetch(server, "/graph/holdings", "text/html", follow_redirects=True)
    assert page.status_code == 200 and f"{size} triples" in page.text
    data = fetch(server, "/graph/holdings", "application/n-triples", follow_redirects=True)
    assert len(data.text.strip().splitlines()) == size > 70


# -- entity pages --------------------------------------------------------------------


def test_an_entity_page_shows_facts_with_sources_quotes_links_and_queries(server: Server) -> None:
    page = fetch(server, "/doc/country/KR").text
    assert "<h1>South Korea</h1>" in page
    assert "Korea possesses just 2,000 NVIDIA H100 GPUs" in page  # a quotation
    assert "source S2" in page and "attributed to" in page
    assert "Referred to by" in page
    assert "/queries/index-positions?country=" in page and "/queries/holdings?holder=" in page
    assert 'href="/validation">conforms</a>' in page
    assert 'href="/doc/country/KR.ttl"' in page


def test_a_claim_page_shows_its_table_cell(server: Server) -> None:
    page = fetch(server, "/doc/claim/h100-china-s1").text
    assert "(table cell: GPU Units (H100) / China)" in page
    assert "Who holds 350,000: Meta or China?" in page  # it is flagged in that conflict


def test_an_ontology_class_lists_its_shacl_constraints_and_examples(server: Server) -> None:
    page = fetch(server, "/ontology", "text/html").text
    section = page.split('id="HardwareHolding"', 1)[1].split("</section>", 1)[0]
    assert "exactly 1, a xsd:integer, &gt; 0" in section
    assert "never 0" in section  # the message of the quantity shape
    assert "from" in section and "claim" in section  # constraints inherited from aikg:Claim
    assert "/claim/h100-tesla-s1" in section  # an example instance


# -- VoID / DCAT and dumps -----------------------------------------------------------


@pytest.fixture(scope="module")
def void(server: Server) -> rdflib.Graph:
    return rdflib.Graph().parse(data=fetch(server, "/.well-known/void").text, format="turtle")


def test_void_counts_the_live_dataset(void: rdflib.Graph, kg: KnowledgeGraph) -> None:
    dataset = rdflib.URIRef("https://w3id.org/aikg/dataset")
    union = kg.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    )
    assert void.value(dataset, VOID.triples).toPython() == union[0]["n"].toPython()  # type: ignore[union-attr,index]
    partitions = {
        void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()  # type: ignore[union-attr]
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert partitions[rdflib.URIRef("https://w3id.org/aikg/ontology#HardwareHolding")] == 6
    # A subset per named graph, the inferred one included (the endpoint serves it).
    assert len(set(void.objects(dataset, VOID.subset))) == len(kg.store.named_graphs()) == 15
    assert (
        dataset,
        rdflib.URIRef("http://purl.org/dc/terms/license"),
        rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in void


def test_void_names_the_endpoint_and_every_saved_query_as_a_data_service(
    void: rdflib.Graph, server: Server
) -> None:
    dataset = rdflib.URIRef("https://w3id.org/aikg/dataset")
    assert void.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef(f"{server.url}/sparql")
    services = {str(s) for s in void.objects(dataset, DCAT.service)}
    queries = {f"{server.url}/queries/{name}" for name in catalog()}
    assert services == queries | {f"{server.url}/sparql"}


@pytest.mark.parametrize("ext", ["ttl", "nt", "nq", "trig", "jsonld", "rdf"])
def test_each_dump_matches_its_size_and_checksum_in_void(
    void: rdflib.Graph, server: Server, ext: str
) -> None:
    response = fetch(server, f"/dumps/aikg.{ext}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="aikg.{ext}"'
    url = rdflib.URIRef(f"{server.url}/dumps/aikg.{ext}")
    distribution = void.value(None, DCAT.downloadURL, url)
    assert void.value(distribution, DCAT.byteSize).toPython() == len(response.content)  # type: ignore[union-attr]
    checksum = void.value(distribution, SPDX.checksum)
    assert (
        str(void.value(checksum, SPDX.checksumValue))
        == hashlib.sha256(response.content).hexdigest()
    )
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.from_extension(ext)))) >= 3000  # type: ignore[arg-type]


def test_dumps_are_conditional_and_unknown_ones_404(server: Server) -> None:
    first = fetch(server, "/dumps/aikg.nq")
    again = httpx.get(
        f"{server.url}/dumps/aikg.nq", headers={"If-None-Match": first.headers["etag"]}, timeout=30
    )
    assert again.status_code == 304
    assert fetch(server, "/dumps/aikg.exe").status_code == 404
    assert fetch(server, "/dumps/../pyproject.toml").status_code == 404


def test_the_dump_is_the_same_dataset_as_aikg_export(server: Server, tmp_path: Path) -> None:
    target = tmp_path / "export.nq"
    assert main(["export", "--format", "nquads", "-o", str(target)], out=io.StringIO()) == 0
    exported = ox.Dataset(ox.parse(path=str(target)))
    served = ox.Dataset(
        ox.parse(fetch(server, "/dumps/aikg.nq").content, format=ox.RdfFormat.N_QUADS)
    )
    # Blank nodes get fresh labels in every process: compare the datasets up to them.
    for dataset in (exported, served):
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert exported == served


# -- the validation page --------------------------------------------------------------


def test_the_validation_page_reports_conformance(server: Server) -> None:
    assert fetch(server, "/validation", "application/json").json() == {
        "conforms": True,
        "violations": [],
    }
    assert (
        "The data conforms to every SHACL shape" in fetch(server, "/validation", "text/html").text
    )


BROKEN = """@prefix aikg: <https://w3id.org/aikg/ontology#> .
<https://w3id.org/aikg/country/XX> a aikg:Country ; aikg:iso3166Alpha2 "xx" .
"""


@pytest.fixture(scope="module")
def broken_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server on a store that was given data the shapes refuse (loaded without checks)."""
    directory = tmp_path_factory.mktemp("broken")
    (directory / "broken.ttl").write_text(BROKEN)
    settings = Settings(store=str(directory / "store"))
    with KnowledgeGraph.open(settings) as kg:
        kg.add_files([directory / "broken.ttl"], validate=False)
    with running_server({"AIKG_STORE": settings.store or ""}) as running:
        yield running


def test_the_validation_page_groups_violations_by_focus_node(broken_server: Server) -> None:
    report = fetch(broken_server, "/validation", "application/json").json()
    assert report["conforms"] is False
    assert {v["focus_node"] for v in report["violations"]} == {"https://w3id.org/aikg/country/XX"}
    page = fetch(broken_server, "/validation", "text/html").text
    assert 'id="https://w3id.org/aikg/country/XX"' in page
    assert "two capital letters" in page


def test_an_entity_page_links_to_its_violations(broken_server: Server) -> None:
    page = fetch(broken_server, "/doc/country/XX").text
    assert "violation(s)</a>" in page and "/validation#https://w3id.org/aikg/country/XX" in page


# -- the same linked data through aikg.Client ---------------------------------------------


def test_the_client_offers_the_linked_data_the_python_api_offers(
    server: Server, kg: KnowledgeGraph
) -> None:
    kr = "https://w3id.org/aikg/country/KR"
    with Client(server.url) as client:
        assert client.knows(kr) and not client.knows("https://w3id.org/aikg/country/XX")
        document = client.resource_rdf(kr, "ntriples")
        assert set(ox.parse(document, format=ox.RdfFormat.N_TRIPLES)) == set(
            ox.parse(kg.resource_rdf(kr, "ntriples"), format=ox.RdfFormat.N_TRIPLES)
        )
        dump = list(ox.parse(client.export("nquads"), format=ox.RdfFormat.N_QUADS))
        ours = list(kg.store.stated_quads())  # a dump leaves the inferred graph out
        assert len(dump) == len(ours)

        def grounded(quads: list[ox.Quad]) -> set[ox.Quad]:  # blank nodes are relabelled
            return {
                q
                for q in quads
                if not isinstance(q.subject, ox.BlankNode)
                and not isinstance(q.object, ox.BlankNode)
            }

        assert grounded(dump) == grounded(ours)
        void = rdflib.Graph().parse(data=client.void("turtle"), format="turtle")
        assert (None, rdflib.URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), None) in void
        report = client.validate()
        assert report.conforms and report.violations == ()
        # Names as the Python API takes them; an IRI with no page of its own is asked for.
        for name in ("country:KR", "country/KR", "http://www.wikidata.org/entity/Q884"):
            assert client.knows(name) is kg.knows(name) is True, name
        assert (
            client.knows("http://example.org/elsewhere")
            is kg.knows("http://example.org/x")
            is False
        )
        assert client.resource_rdf("country:KR", "ntriples") == client.resource_rdf(kr, "ntriples")
        with pytest.raises(InputError, match="not under the server's base IRI"):
            client.resource_rdf("http://example.org/elsewhere")
