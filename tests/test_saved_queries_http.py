"""Saved queries over HTTP, from the command line and through aikg.Client."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from aikg import Client, ParameterError, SelectResult
from aikg.cli import EXIT_INPUT, EXIT_OK
from aikg.saved_queries import catalog
from tests.conftest import ROOT
from tests.server import Server
from tests.test_cli import run

NAMES = sorted(catalog())


def saved(server: Server, name: str, params: object = None, **headers: str) -> httpx.Response:
    return httpx.get(f"{server.url}/queries/{name}", params=params, headers=headers, timeout=60)  # type: ignore[arg-type]


def test_the_catalog_lists_every_query_with_typed_parameters(server: Server) -> None:
    entries = httpx.get(f"{server.url}/queries", timeout=30).json()
    assert [e["name"] for e in entries] == NAMES
    holdings = next(e for e in entries if e["name"] == "holdings")
    assert holdings["url"] == "/queries/holdings" and holdings["text"] == "/queries/holdings.rq"
    assert {p["name"]: p["type"] for p in holdings["parameters"]} == {
        "holder": "iri",
        "hardware": "iri",
        "min": "integer",
    }


def test_the_catalog_as_html_has_a_form_per_query(server: Server) -> None:
    page = httpx.get(f"{server.url}/queries", headers={"Accept": "text/html"}, timeout=30).text
    assert page.count('<form class="query-form"') == len(NAMES)
    assert 'name="holder"' in page and 'action="/queries/holdings"' in page


def test_the_catalog_as_rdf_describes_data_services(server: Server) -> None:
    response = httpx.get(f"{server.url}/queries", headers={"Accept": "text/turtle"}, timeout=30)
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    services = set(
        graph.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#DataService"))
    )
    assert len(services) == len(NAMES)
    names = {str(v) for v in graph.objects(None, rdflib.URIRef("http://schema.org/valueName"))}
    assert {"holder", "baseline", "holders", "text", "label"} <= names


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/html", "text/html; charset=utf-8"),
    ],
)
def test_a_saved_query_answers_in_every_format(server: Server, accept: str, media: str) -> None:
    response = saved(server, "holdings", {"holder": "company/tesla"}, Accept=accept)
    assert (response.status_code, response.headers["content-type"]) == (200, media)
    assert "35000" in response.text
    assert response.headers["aikg-rows"] == "1"


def test_the_format_parameter_overrides_accept(server: Server) -> None:
    response = saved(server, "holdings", {"format": "csv"}, Accept="text/html")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["holderLabel"] for r in table] == [
        "China",
        "Meta",
        "xAI",
        "Tesla",
        "South Korea",
        "South Korea",
    ]


def test_label_columns_follow_lang(server: Server) -> None:
    korean = saved(server, "companies-by-country", {"country": "country/KR", "lang": "ko"}).json()
    labels = sorted(b["organizationLabel"]["value"] for b in korean["results"]["bindings"])
    assert labels == ["SK텔레콤", "네이버클라우드"]
    bare = saved(
        server, "companies-by-country", {"country": "country/KR", "labels": "false"}
    ).json()
    assert "organizationLabel" not in bare["head"]["vars"]


def test_the_html_answer_links_entities_to_their_pages(server: Server) -> None:
    page = saved(server, "holdings", {"holder": "company/tesla"}, Accept="text/html").text
    assert '<a href="/company/tesla" title="https://w3id.org/aikg/company/tesla">Tesla</a>' in page
    assert "format=csv" in page


def test_a_list_parameter_repeats(server: Server) -> None:
    response = saved(
        server, "holdings-compared", [("holders", "company/tesla"), ("holders", "company/xai")]
    )
    multiples = [float(b["multiple"]["value"]) for b in response.json()["results"]["bindings"]]
    assert multiples == [50.0, 17.5]


def test_a_wrong_parameter_is_400_naming_it_and_its_type(server: Server) -> None:
    response = saved(server, "holdings", {"min": "lots"})
    body = response.json()
    assert (response.status_code, body["error"], body["where"]) == (
        400,
        "invalid-parameter",
        "parameter 'min'",
    )
    assert "xsd:integer" in body["message"]
    unknown = saved(server, "holdings", {"holdr": "country/KR"}).json()
    assert unknown["where"] == "parameter 'holdr'" and "holder" in unknown["hint"]
    missing = saved(server, "quotes").json()
    assert missing["message"] == "parameter 'text' of 'quotes' is required"


def test_an_injection_attempt_changes_nothing(server: Server) -> None:
    response = saved(server, "quotes", {"text": '" } } SELECT * WHERE { ?s ?p ?o } #'})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []


def test_the_query_text_is_served(server: Server) -> None:
    response = httpx.get(f"{server.url}/queries/holdings.rq", timeout=30)
    assert response.headers["content-type"].startswith("application/sparql-query")
    assert response.text == (ROOT / "queries" / "holdings.rq").read_text("utf-8")
    assert httpx.get(f"{server.url}/queries/nothing.rq", timeout=30).status_code == 404
    assert httpx.get(f"{server.url}/queries/nothing", timeout=30).json()["error"] == "not-found"


def test_each_saved_query_is_an_operation_with_typed_parameters_and_examples(
    server: Server,
) -> None:
    spec = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    for name in NAMES:
        operation = spec["paths"][f"/queries/{name}"]["get"]
        assert operation["operationId"] == f"saved_{name.replace('-', '_')}"
        assert operation["summary"] == catalog()[name].title
        declared = {p["name"]: p for p in operation["parameters"]}
        for p in catalog()[name].params:
            assert declared[p.name]["required"] is p.required
            assert "example" in declared[p.name]
        assert {"lang", "format"} <= set(declared)
    holdings = {p["name"]: p for p in spec["paths"]["/queries/holdings"]["get"]["parameters"]}
    assert holdings["min"]["schema"]["type"] == "integer"
    compared = {
        p["name"]: p for p in spec["paths"]["/queries/holdings-compared"]["get"]["parameters"]
    }
    assert compared["holders"]["schema"]["type"] == "array"


def test_every_saved_query_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in NAMES:
        assert re.search(rf"`{re.escape(name)}`", readme), name


def test_cli_lists_the_saved_queries() -> None:
    code, out = run("queries")
    assert code == EXIT_OK
    assert all(f"{name}\n" in out for name in NAMES)
    code, out = run("queries", "--format", "json")
    assert [q["name"] for q in json.loads(out)] == NAMES


def test_cli_runs_a_saved_query_with_parameters() -> None:
    code, out = run(
        "run",
        "holdings-compared",
        "--param",
        "holders=company/tesla",
        "-p",
        "holders=company/xai",
        "--format",
        "csv",
    )
    assert code == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["holderLabel"], r["multiple"]) for r in rows] == [("xAI", "50"), ("Tesla", "17.5")]
    code, out = run("run", "holdings", "--param", "holder=country/KR")
    assert code == EXIT_OK and "(2 rows)" in out


def test_cli_reports_a_bad_parameter_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("run", "holdings", "--param", "min=lots")
    assert code == EXIT_INPUT
    assert "parameter 'min'" in capsys.readouterr().err


def test_the_client_offers_the_same_calls_against_a_server(server: Server) -> None:
    with Client(server.url) as client:
        assert [h.quantity for h in client.holdings()] == [
            350000,
            350000,
            100000,
            35000,
            2000,
            2000,
        ]
        assert {c.label for c in client.conflicts()} == {
            "Who holds 350,000: Meta or China?",
            "Is France among the AI leading countries?",
        }
        assert [p.rank for p in client.index_positions("country/KR") if p.rank] == [4, 35, 33]
        assert [e.text for r in client.provenance("claim/h100-china-s1") for e in r.evidence] == [
            "350,000"
        ]
        answer = client.saved("holdings", holder="company/tesla")
        assert isinstance(answer, SelectResult) and str(answer[0]["holderLabel"]) == "Tesla"
        assert client.query("ASK { <country/KR> a aikg:Country }") is True
        graph = client.query("CONSTRUCT WHERE { <country/KR> aikg:iso3166Alpha2 ?c }")
        assert len(graph) == 1  # type: ignore[arg-type]
        assert len(client.queries()) == len(NAMES)


def test_the_client_raises_the_servers_errors(server: Server) -> None:
    with Client(server.url) as client, pytest.raises(ParameterError) as caught:
        client.saved("holdings", min="lots")
    assert caught.value.where == "parameter 'min'"


def test_every_format_of_a_saved_query_parses(server: Server) -> None:
    for fmt, engine in (
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ):
        body = saved(server, "scores", {"format": fmt}).content
        parsed = ox.parse_query_results(body, format=engine)
        assert isinstance(parsed, ox.QuerySolutions) and len(list(parsed)) == 2
