"""JSON-LD people can read as JSON: the context, compaction, the forms, and that the
compacted documents expand (with pyld, a JSON-LD processor) back to the same triples."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from pyld import jsonld
from rdflib.compare import isomorphic

from aikg import KnowledgeGraph
from aikg.errors import AikgError
from aikg.formats import rdf_format
from aikg.jsonld import OPTIONS, context, document
from aikg.store.local import parse_rdf

EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
FLATTENED = "http://www.w3.org/ns/json-ld#flattened"
COMPACTED = "http://www.w3.org/ns/json-ld#compacted"


def graphs_of(nquads: str) -> dict[str, rdflib.Graph]:
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads, format="nquads")
    out: dict[str, rdflib.Graph] = {}
    for s, p, o, g in dataset.quads():
        out.setdefault(str(g), rdflib.Graph()).add((s, p, o))
    return out


def to_nquads(doc: object) -> str:
    """What a JSON-LD processor reads in a document (never fetching anything)."""
    return str(jsonld.to_rdf(doc, {**OPTIONS, "format": "application/n-quads"}))


def same_dataset(a: str, b: str) -> bool:
    left, right = graphs_of(a), graphs_of(b)
    return sorted(left) == sorted(right) and all(isomorphic(left[g], right[g]) for g in left)


def test_plain_json_readers_get_labels_links_and_numbers(app_client: TestClient) -> None:
    korea = json.loads(app_client.get("/doc/country/KR.jsonld").content)
    node = next(n for n in korea["@graph"] if n["id"] == "country/KR")
    assert node["label"] == {"en": "South Korea", "ko": "대한민국"}
    assert node["sameAs"] == ["http://www.wikidata.org/entity/Q884"]
    assert "Country" in node["type"]
    claim = json.loads(app_client.get("/doc/claim/h100-korea-s1.jsonld").content)
    holding = next(n for n in claim["@graph"] if n["id"] == "claim/h100-korea-s1")
    assert holding["quantity"] == 2000  # a JSON number
    assert holding["subject"] == "country/KR"
    assert holding["wasDerivedFrom"] == "source/s1"
    assert len(holding["evidence"]) == 3  # always an array


def test_compacted_documents_expand_to_exactly_the_same_triples(kg: KnowledgeGraph) -> None:
    for iri in ("country/KR", "claim/h100-korea-s1", "quote/s1-title", "source/s1"):
        full = kg.settings.base_iri + iri
        doc = json.loads(kg.resource_rdf(full, "jsonld"))
        assert same_dataset(to_nquads(doc), kg.resource_rdf(full, "nquads").decode())


def test_the_jsonld_dump_expands_to_the_nquads_dump(kg: KnowledgeGraph) -> None:
    doc = json.loads(kg.export("jsonld"))
    assert same_dataset(to_nquads(doc), kg.export("nquads").decode())
    holdings = next(g for g in doc["@graph"] if g.get("id") == "graph/holdings")
    assert any(n.get("quantity") == 350000 for n in holdings["@graph"])


def test_non_canonical_literals_keep_their_lexical_form() -> None:
    kg = KnowledgeGraph.load()
    base = kg.settings.base_iri
    triples = [
        ox.Triple(ox.NamedNode(base + "x"), ox.NamedNode(base + "p"), literal)
        for literal in (
            ox.Literal("007", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            ox.Literal("1.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
            ox.Literal(
                "9007199254740993",
                datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"),
            ),
            ox.Literal("plain"),
            ox.Literal("ko", language="ko"),
        )
    ]
    doc = json.loads(document(triples, base))
    expected = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    assert same_dataset(to_nquads(doc), expected)


@pytest.mark.parametrize(
    ("base", "rests"),
    [
        (
            "https://w3id.org/aikg/",
            [
                *["@kw", "a/../b", "./c", "a/./d", "..", "x/..", "a?b=../c", "q#x/../y"],
                *["id", "type", "label", "plain/x"],  # names of the context's terms
            ],
        ),
        ("http://example.org/data#", ["x", "", "a/../b", "@kw", "p/q", "id"]),
        ("http://example.org/a?q=/", ["x", "y/z"]),
        ("http://example.org/a#f/", ["x"]),
    ],
)
def test_every_iri_under_the_base_is_read_back_as_it_was(base: str, rests: list[str]) -> None:
    """Written relative to the base only where a reader resolves it back: a ``.`` or
    ``..`` segment is dropped by resolving, ``@kw`` is read as a keyword (and its
    statement dropped), ``id`` and ``type`` as ``@id`` and ``@type``, against a base ending
    in ``#`` a bare path resolves beside the document, not into it, and against a base
    with a query or a fragment before its last ``/``, a path replaces them."""
    triples = [
        ox.Triple(
            ox.NamedNode(base + "s"),
            ox.NamedNode("http://example.org/p"),
            ox.NamedNode(base + rest),
        )
        for rest in rests
    ]
    written = document(triples, base)
    expected = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    assert same_dataset(to_nquads(json.loads(written)), expected)
    read = ox.parse(written, format=ox.RdfFormat.JSON_LD)
    assert sorted(map(str, read)) == sorted(map(str, triples))


def test_an_iri_whose_scheme_is_a_prefix_of_the_context_is_refused() -> None:
    """``<schema:foo>`` (a prefixed name in angle brackets, most likely) would be read
    back as ``http://schema.org/foo``: refused, with what to do instead; an IRI whose
    scheme no term of the context names is written whole."""
    base = KnowledgeGraph.load().settings.base_iri
    subject, predicate = ox.NamedNode(base + "s"), ox.NamedNode("http://example.org/p")
    with pytest.raises(AikgError) as caught:
        document([ox.Triple(subject, predicate, ox.NamedNode("schema:foo"))], base)
    assert "<schema:foo>" in caught.value.message and "N-Quads" in (caught.value.hint or "")
    fine = [ox.Triple(subject, predicate, ox.NamedNode(i)) for i in ("urn:isbn:1", "schema://x")]
    assert sorted(map(str, ox.parse(document(fine, base), format=ox.RdfFormat.JSON_LD))) == sorted(
        map(str, fine)
    )


def test_construct_answers_are_compacted_and_other_forms_on_request(
    app_client: TestClient,
) -> None:
    query = {"query": "CONSTRUCT WHERE { <country/KR> ?p ?o }"}
    compacted = app_client.get("/sparql", params=query, headers={"Accept": "application/ld+json"})
    assert compacted.headers["content-type"] == f'application/ld+json; profile="{COMPACTED}"'
    doc = compacted.json()
    assert doc["@graph"][0]["iso3166Alpha2"] == "KR"
    expanded = app_client.get(
        "/sparql", params=query, headers={"Accept": f'application/ld+json; profile="{EXPANDED}"'}
    )
    assert expanded.headers["content-type"] == f'application/ld+json; profile="{EXPANDED}"'
    body = expanded.json()
    assert isinstance(body, list)
    assert "https://w3id.org/aikg/ontology#iso3166Alpha2" in body[0]
    flat = app_client.get(
        "/doc/country/KR.jsonld",
        headers={"Accept": f'application/ld+json; profile="{FLATTENED}"'},
    )
    assert flat.headers["content-type"] == f'application/ld+json; profile="{FLATTENED}"'
    assert "@context" in flat.json() and "@graph" in flat.json()
    assert same_dataset(to_nquads(flat.json()), app_client.get("/doc/country/KR.nq").text)
    assert same_dataset(to_nquads(body), to_nquads(doc))


def test_the_context_is_published_and_names_the_ontology(app_client: TestClient) -> None:
    response = app_client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    ctx = response.json()["@context"]
    assert ctx == context("https://w3id.org/aikg/")["@context"]
    assert ctx["evidence"] == {
        "@id": "https://w3id.org/aikg/ontology#evidence",
        "@type": "@id",
        "@container": "@set",
    }
    assert ctx["label"]["@container"] == "@language"
    assert "context.jsonld" in app_client.get("/ontology", headers={"Accept": "text/html"}).text


def test_a_remote_context_is_never_fetched(
    listener: tuple[str, list[str]], kg: KnowledgeGraph
) -> None:
    url, hits = listener
    doc = {"@context": f"{url}/context.jsonld", "@id": "http://example.org/a", "name": "x"}
    with pytest.raises(jsonld.JsonLdError, match="loading remote context failed"):
        jsonld.expand(doc, OPTIONS)  # pyld, with aikg's loader
    # What the service reads (a Graph Store body) is refused too, with what and where.
    with pytest.raises(AikgError, match=r"names a @context \(or @import\) to fetch") as refused:
        parse_rdf(
            json.dumps(doc).encode(),
            source="request body",
            fmt=rdf_format("jsonld"),
            graph="urn:x:g",
            base_iri=kg.settings.base_iri,
        )
    assert "request body" in str(refused.value.where or refused.value)
    assert hits == []


def test_the_ontology_document_comes_in_the_form_asked_for(app_client: TestClient) -> None:
    compacted = app_client.get("/ontology.jsonld").json()
    assert "@context" in compacted
    expanded = app_client.get(
        "/ontology.jsonld",
        headers={"Accept": 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'},
    ).json()
    company = next(n for n in expanded if n["@id"] == "https://w3id.org/aikg/ontology#Company")
    labels = {label["@value"] for label in company["http://www.w3.org/2000/01/rdf-schema#label"]}
    assert "company" in labels
