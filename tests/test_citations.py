"""Citable answers: every answer's permalink, the citations a page gives, and what a
permalink opened later says when the data has changed."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from aikg import KnowledgeGraph
from aikg.citations import (
    CitationRegistry,
    CitedQuery,
    Permalink,
    answer_iris,
    cite,
    claims_resting_on,
    permalink_from_url,
)
from aikg.web import create_app
from aikg.workers import jobs
from tests.conftest import InlineService

JSON_RESULTS = "application/sparql-results+json"
KR = {"holder": "country/KR"}
COUNTRIES = "SELECT ?c WHERE { ?c a <https://w3id.org/aikg/ontology#Country> } ORDER BY ?c"
CHANGE_KR_HOLDING = """
PREFIX aikg: <https://w3id.org/aikg/ontology#>
DELETE { GRAPH ?g { <https://w3id.org/aikg/claim/h100-korea-s1> aikg:quantity ?q } }
INSERT { GRAPH ?g { <https://w3id.org/aikg/claim/h100-korea-s1> aikg:quantity 2001 } }
WHERE { GRAPH ?g { <https://w3id.org/aikg/claim/h100-korea-s1> aikg:quantity ?q } }
"""


def cite_as(response: object) -> str:
    """The permalink a response's ``Link: <...>; rel="cite-as"`` header gives."""
    header = response.headers["link"]  # type: ignore[attr-defined]
    found = [
        link[1:].partition('>; rel="cite-as"')[0]
        for link in header.split(", ")
        if link.endswith('; rel="cite-as"')
    ]
    assert len(found) == 1, header
    return found[0]


@pytest.fixture
def fresh() -> Iterator[tuple[KnowledgeGraph, TestClient]]:
    """A graph of this test's own (writes change it) behind the HTTP API."""
    kg = KnowledgeGraph.load()
    with TestClient(create_app(kg.settings, service=InlineService(kg))) as client:
        yield kg, client


def write(kg: KnowledgeGraph, update: str) -> None:
    """An update through the server's write job (what SPARQL Update runs). Its dry run
    is left out: the server runs it in a forked child, and here it would write the graph
    itself, before the write whose change is measured."""
    jobs.update(kg, dry_run=False, sparql=update)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "html"])
def test_every_saved_query_answer_carries_its_permalink(app_client: TestClient, fmt: str) -> None:
    response = app_client.get("/queries/holdings", params={**KR, "format": fmt})
    assert response.status_code == 200
    permalink = cite_as(response)
    params = parse_qs(urlsplit(permalink).query)
    assert urlsplit(permalink).path == "/cite"
    assert (params["saved"], params["holder"]) == (["holdings"], ["country/KR"])
    assert params["version"] == [response.headers["aikg-data-version"]]
    # The SHA-256 is of the TSV form, whatever format was asked for: anyone can check it.
    tsv = app_client.get("/queries/holdings", params={**KR, "format": "tsv"}).content
    assert params["sha256"] == [hashlib.sha256(tsv).hexdigest()]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_sparql_answer_carries_its_permalink(app_client: TestClient, method: str) -> None:
    accept = {"Accept": "text/csv"}
    if method == "GET":
        response = app_client.get("/sparql", params={"query": COUNTRIES}, headers=accept)
    else:
        response = app_client.post("/sparql", data={"query": COUNTRIES}, headers=accept)
    permalink = permalink_from_url(cite_as(response))
    assert permalink.query.sparql == COUNTRIES
    tsv = app_client.get(
        "/sparql", params={"query": COUNTRIES}, headers={"Accept": "text/tab-separated-values"}
    )
    assert permalink.sha256 == hashlib.sha256(tsv.content).hexdigest()
    opened = app_client.get(cite_as(response), headers={"Accept": "application/json"}).json()
    assert opened["unchanged"] is True
    assert opened["today"]["rows"] == len(tsv.text.splitlines()) - 1


def test_a_graph_answer_is_citable_too(app_client: TestClient) -> None:
    construct = "CONSTRUCT WHERE { <https://w3id.org/aikg/country/KR> ?p ?o }"
    response = app_client.get("/sparql", params={"query": construct, "format": "nt"})
    lines = sorted(line + "\n" for line in response.text.splitlines() if line)
    permalink = permalink_from_url(cite_as(response))
    assert permalink.sha256 == hashlib.sha256("".join(lines).encode()).hexdigest()
    opened = app_client.get(cite_as(response), headers={"Accept": "application/json"}).json()
    assert opened["unchanged"] is True


def test_the_page_gives_ready_citations(app_client: TestClient) -> None:
    page = app_client.get("/queries/holdings", params=KR, headers={"Accept": "text/html"})
    permalink = cite_as(page)
    assert "Cite this answer" in page.text
    assert permalink.replace("&", "&amp;") in page.text
    sha = permalink_from_url(permalink).sha256
    assert f'<code class="sha256">{sha}</code>' in page.text
    bibtex = re.search(r'<pre class="bibtex">(.*?)</pre>', page.text, re.S)
    csl = re.search(r'<pre class="csl">(.*?)</pre>', page.text, re.S)
    assert bibtex and csl
    assert bibtex.group(1).startswith("@misc{aikg-")
    assert f"answer SHA-256 {sha}" in bibtex.group(1)
    item = json.loads(csl.group(1).replace("&#34;", '"').replace("&amp;", "&"))[0]
    assert (item["type"], item["URL"], item["title"]) == (
        "dataset",
        permalink,
        "Hardware holdings, ranked (holder=country/KR)",
    )
    assert sha in item["note"]


@pytest.mark.parametrize(
    ("accept", "fmt", "starts"),
    [
        ("application/x-bibtex", "bibtex", "@misc{aikg-"),
        ("application/vnd.citationstyles.csl+json", "csl", '[\n  {\n    "id": "aikg-'),
        ("text/plain", "text", "aikg: a knowledge graph of the global AI race. Answer to: "),
    ],
)
def test_a_permalink_serves_citations_by_content_negotiation(
    app_client: TestClient, accept: str, fmt: str, starts: str
) -> None:
    permalink = cite_as(app_client.get("/queries/holdings", params={**KR, "format": "json"}))
    by_accept = app_client.get(permalink, headers={"Accept": accept})
    by_name = app_client.get(permalink + f"&format={fmt}")
    assert by_accept.headers["content-type"].startswith(accept)
    assert by_accept.text == by_name.text
    assert by_accept.text.startswith(starts)
    assert permalink_from_url(permalink).sha256 in by_accept.text
    head = app_client.head(permalink, headers={"Accept": accept})
    assert (head.status_code, head.content, head.headers["link"]) == (
        200,
        b"",
        by_accept.headers["link"],
    )


def test_the_data_version_is_the_data_not_the_process() -> None:
    first, second = KnowledgeGraph.load(), KnowledgeGraph.load()
    assert first.data_version == second.data_version
    assert re.fullmatch(r"[0-9a-f]{32}", first.data_version or "")
    write(first, CHANGE_KR_HOLDING)
    changed = first.data_version
    assert changed != second.data_version
    write(first, CHANGE_KR_HOLDING.replace("2001 }", "2000 }"))
    assert first.data_version == second.data_version  # the same data again


def test_the_data_version_follows_a_write_or_a_load_as_a_full_reading_would(
    tmp_path: Path,
) -> None:
    """A write or a load moves the fingerprint by what it changed; reading the whole
    store again gives the same."""
    kg = KnowledgeGraph.load()
    assert kg.data_version
    write(kg, CHANGE_KR_HOLDING)
    write(kg, "INSERT DATA { GRAPH <http://example.org/n> { <http://e/a> <http://e/b> _:x } }")
    assert kg.data_version == kg.store.content_digest()
    extra = tmp_path / "extra.ttl"
    extra.write_text('<http://e/c> <http://e/d> "é\\n" , [ <http://e/f> 1 ] .\n')
    kg.add_files([extra], validate=False)
    assert kg.data_version == kg.store.content_digest()


def test_an_unchanged_answer_says_so(app_client: TestClient) -> None:
    permalink = cite_as(app_client.get("/queries/holdings", params={**KR, "format": "csv"}))
    opened = app_client.get(permalink, headers={"Accept": "application/json"})
    check = opened.json()
    assert (check["unchanged"], check["changes"]) == (True, None)
    assert check["statement"].startswith("This is the answer as cited")
    assert check["today"]["permalink"] == permalink
    assert opened.headers["aikg-answer-unchanged"] == "true"


def test_a_changed_answer_names_the_claim_that_changed(
    fresh: tuple[KnowledgeGraph, TestClient],
) -> None:
    kg, client = fresh
    page = client.get("/queries/holdings", params=KR, headers={"Accept": "text/html"})
    permalink = cite_as(page)  # shown with its citation: its claims are recorded
    write(kg, CHANGE_KR_HOLDING)
    check = client.get(permalink, headers={"Accept": "application/json"}).json()
    assert check["unchanged"] is False
    assert check["statement"].startswith("The answer has changed since it was cited")
    assert check["recorded"] is not None
    changes = check["changes"]
    assert (changes["added"], changes["removed"]) == ([], [])
    [changed] = changes["changed"]
    assert changed["claim"] == "https://w3id.org/aikg/claim/h100-korea-s1"
    assert changed["changes"] == [
        {
            "property": "aikg:quantity",
            "removed": ['"2000"^^xsd:integer'],
            "added": ['"2001"^^xsd:integer'],
        }
    ]
    # Today's answer, with today's permalink, which is current.
    today = check["today"]
    assert today["data_version"] == kg.data_version
    assert client.get(today["permalink"], headers={"Accept": "application/json"}).json()[
        "unchanged"
    ]
    html = client.get(permalink, headers={"Accept": "text/html"}).text
    assert "The answer has changed since it was cited" in html
    assert "What changed in the claims it rests on" in html
    assert (
        "<td>aikg:quantity</td><td>&#34;2000&#34;^^xsd:integer</td>"
        "<td>&#34;2001&#34;^^xsd:integer</td>"
    ) in html


def test_an_answer_whose_claims_were_never_recorded_says_what_it_cannot_name(
    fresh: tuple[KnowledgeGraph, TestClient],
) -> None:
    kg, client = fresh
    permalink = cite_as(client.get("/queries/holdings", params={**KR, "format": "csv"}))
    write(kg, CHANGE_KR_HOLDING)
    check = client.get(permalink, headers={"Accept": "application/json"}).json()
    assert (check["unchanged"], check["changes"], check["recorded"]) == (False, None, None)
    assert "were not recorded when it was cited" in check["statement"]


def test_other_data_changing_leaves_the_answer_as_cited(
    fresh: tuple[KnowledgeGraph, TestClient],
) -> None:
    kg, client = fresh
    permalink = cite_as(client.get("/queries/holdings", params={**KR, "format": "csv"}))
    write(kg, "INSERT DATA { GRAPH <http://example.org/notes> { <http://e/a> <http://e/b> 1 } }")
    check = client.get(permalink, headers={"Accept": "application/json"}).json()
    assert check["unchanged"] is True
    assert "but this answer has not" in check["statement"]


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        (lambda q: q.replace("&sha256=", "&sha=", 1), "parameter 'sha256'", "needs one"),
        (lambda q: q[:-1] + "X", "parameter 'sha256'", "64 lowercase hex"),
        (lambda q: q.replace("version=", "version=%20", 1), "parameter 'version'", "not a data"),
        (lambda q: q + "&query=ASK%7B%7D", "parameters 'saved' and 'query'", "either"),
        (lambda q: q.replace("holder=", "holdr=", 1), "parameter 'holdr'", "holder"),
    ],
)
def test_a_broken_permalink_is_refused_and_records_nothing(
    app_client: TestClient, change: object, where: str, says: str
) -> None:
    permalink = cite_as(app_client.get("/queries/holdings", params={**KR, "format": "csv"}))
    registry = app_client.app.state.service.citations  # type: ignore[attr-defined]
    before = registry._db.execute("SELECT count(*) FROM cited").fetchone()
    response = app_client.get(change(permalink), headers={"Accept": "application/json"})  # type: ignore[operator]
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["where"] == where
    assert says in error["message"] + error.get("hint", "")
    assert registry._db.execute("SELECT count(*) FROM cited").fetchone() == before


def test_the_registry_keeps_its_records_in_a_file(tmp_path: Path) -> None:
    permalink = Permalink(CitedQuery.saved_query("holdings", {}), "v1", "0" * 64)
    parts = {"https://w3id.org/aikg/claim/x": {"aikg:quantity": frozenset({"1"})}}
    first = CitationRegistry(tmp_path / "c.sqlite")
    assert first.record(permalink, parts)
    first.close()
    again = CitationRegistry(tmp_path / "c.sqlite")
    recorded = again.get(permalink)
    assert recorded is not None and recorded.claims == parts
    full = CitationRegistry(limit=0)
    assert full.record(permalink, parts) is False
    assert full.get(permalink) is None


def test_python_cites_as_the_server_does(kg: KnowledgeGraph, app_client: TestClient) -> None:
    citation = cite(kg, CitedQuery.saved_query("holdings", {"holder": ["country/KR"]}))
    permalink = cite_as(app_client.get("/queries/holdings", params={**KR, "format": "json"}))
    assert citation.permalink("http://testserver/") == permalink
    assert citation.rows == 2
    assert citation.text("http://testserver/").endswith(permalink)


def test_the_openapi_document_describes_permalinks(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    cite_route = spec["paths"]["/cite"]["get"]
    assert "application/x-bibtex" in cite_route["responses"]["200"]["content"]
    for path in ("/queries/holdings", "/sparql"):
        headers = spec["paths"][path]["get"]["responses"]["200"]["headers"]
        assert "cite-as" in headers["Link"]["description"]


def test_the_claims_an_answer_rests_on_are_the_same_on_a_remote_store(
    kg: KnowledgeGraph, any_remote_kg: KnowledgeGraph
) -> None:
    """The IRIs of a saved query's answer (claims, their kinds and sources): the claims
    among them and those naming one of them, found on each remote engine as here."""
    answer = kg.serialize_saved(
        "claims-by-source", {"source": ["S1"]}, jobs._format(JSON_RESULTS), lang="en"
    )
    iris = answer_iris(answer.body, answer.media_type)
    assert any(iri.endswith("ontology#Claim") for iri in iris)  # a class: many name it
    here = claims_resting_on(kg, iris)
    assert len(here) > 50
    assert claims_resting_on(any_remote_kg, iris) == here


def test_a_write_that_only_connects_blank_nodes_otherwise_moves_the_version() -> None:
    """The fingerprint leaves blank-node labels out, so two blank nodes with a statement
    each and one blank node with both have the same one: a write from one to the other
    moved no version, and every cached answer and ETag outlived the data (a 304 for the
    graph before). Its version is now one of its own."""
    kg = KnowledgeGraph.load()
    write(kg, 'INSERT DATA { GRAPH <http://e/g> { _:a <http://e/p> "x" . _:b <http://e/q> "y" } }')
    before = kg.data_version
    write(
        kg,
        'DROP GRAPH <http://e/g> ; INSERT DATA { GRAPH <http://e/g> { _:a <http://e/p> "x" ; '
        '<http://e/q> "y" } }',
    )
    assert kg.data_version != before
    assert re.fullmatch(r"[0-9a-f]{32}", kg.data_version or "")
    # The same through a write that names no graph (its change is not known).
    kg = KnowledgeGraph.load()
    write(kg, 'INSERT DATA { GRAPH <http://e/h> { _:c <http://e/p> "1" . _:d <http://e/p> "2" } }')
    before = kg.data_version
    assert before == kg.store.content_digest()
    write(
        kg,
        'DELETE { GRAPH ?g { ?y <http://e/p> "2" } } INSERT { GRAPH ?g { ?x <http://e/p> "2" } } '
        'WHERE { GRAPH ?g { ?x <http://e/p> "1" . ?y <http://e/p> "2" } }',
    )
    assert kg.data_version != before
