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
from fastapi.testclient import TestClient

from aikg import Client, InputError, KnowledgeGraph, NotFoundError, ParameterError, SelectResult
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
    korean = saved(server, "people-roles", {"lang": "ko"}).json()
    labels = {
        b["person"]["value"].rsplit("/", 1)[1]: b["personLabel"]["value"]
        for b in korean["results"]["bindings"]
    }
    assert (labels["ha-jung-woo"], labels["yoo-young-sang"]) == ("하정우", "유영상")
    assert labels["clayton-christensen"] == "Clayton Christensen"  # no Korean label: English
    bare = saved(server, "people-roles", {"labels": "false"}).json()
    assert "personLabel" not in bare["head"]["vars"]


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
    assert all(f"\n{name}: {catalog()[name].title}\n" in f"\n{out}" for name in NAMES)
    assert (
        "holdings: Hardware holdings, ranked\n"
        "  --param holder    type iri; class Country or Organization\n"
        "                    Only the claims about this holder, a country or an organization.\n"
        "                    example: --param holder=country/KR\n"
        "  --param hardware  type iri; class HardwareModel\n"
        "                    Only holdings of this hardware model.\n"
        "                    example: --param hardware=hardware/nvidia-h100\n"
        "  --param min       type integer\n"
        "                    Only holdings of at least this many units.\n"
        "                    example: --param min=50000\n"
        "holdings-compared: Holdings as a multiple of a baseline's\n"
        "  --param baseline  type iri; class Country or Organization; default country/KR\n"
    ) in out
    assert "  --param source  type string; one of S1, S2; default S1\n" in out
    assert "(country/KR)" not in out
    code, out = run("queries", "--format", "json")
    listed = json.loads(out)
    assert [q["name"] for q in listed] == NAMES
    holdings = next(q for q in listed if q["name"] == "holdings")
    assert holdings["title"] == "Hardware holdings, ranked"
    assert holdings["columns"] == list(catalog()["holdings"].columns())
    assert [(p["name"], p["class"], p["example"]) for p in holdings["parameters"]] == [
        ("holder", ["Country", "Organization"], "country/KR"),
        ("hardware", ["HardwareModel"], "hardware/nvidia-h100"),
        ("min", None, "50000"),
    ]


def csv_header(text: str) -> str:
    return text.split("\r\n", 1)[0]


HOLDINGS_HEADER = (
    "claim,claimLabel,holder,holderLabel,quantity,hardwareModel,hardwareModelLabel,"
    "hardwareLabel,sourceId,source,sourceLabel,attributedTo,attributedToLabel,conflict,"
    "conflictLabel,quotes"
)


@pytest.mark.parametrize("holder", [None, "company/tesla", "company/mistral-ai"])
def test_cli_csv_has_the_same_columns_whatever_it_finds(holder: str | None) -> None:
    code, out = run(
        "run", "holdings", "--format", "csv", *(["-p", f"holder={holder}"] if holder else [])
    )
    assert (code, csv_header(out)) == (EXIT_OK, HOLDINGS_HEADER)


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (
            ["holdings", "-p", "hardware=country/KR"],
            "aikg: parameter 'hardware': <https://w3id.org/aikg/country/KR> is a Country, not "
            "a HardwareModel\n"
            "  where: parameter 'hardware'\n"
            "  fix:   give the IRI of a HardwareModel, e.g. hardware/nvidia-h100\n",
        ),
        (
            ["holding"],
            "aikg: no saved query 'holding'; did you mean 'holdings'?\n"
            "  fix:   list them with `aikg queries` or GET /queries\n",
        ),
        (
            ["holdings", "-p", "holdr=country/KR"],
            "aikg: saved query 'holdings' has no parameter 'holdr'; did you mean 'holder'?\n"
            "  where: parameter 'holdr'\n"
            "  fix:   its parameters are: holder, hardware, min\n",
        ),
        (
            ["holdings", "-p", "lang=ko"],
            "aikg: saved query 'holdings' has no parameter 'lang'\n"
            "  where: parameter 'lang'\n"
            "  fix:   its parameters are: holder, hardware, min\n",
        ),
        (
            ["holdings", "--format", "turtle"],
            "aikg: format 'turtle' does not fit a SELECT query, whose answer is a table of "
            "results\n"
            "  where: --format\n"
            "  fix:   for a SELECT query use one of json, xml, csv, tsv, html (xml is SPARQL XML "
            "results here)\n",
        ),
    ],
)
def test_cli_refuses_a_wrong_run_with_exit_2_and_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], argv: list[str], error: str
) -> None:
    assert run("run", *argv) == (EXIT_INPUT, "")
    assert capsys.readouterr().err == error


def test_in_process_a_saved_query_has_the_same_columns_whatever_it_finds(
    app_client: TestClient,
) -> None:
    for holder in (None, "company/tesla", "company/mistral-ai"):
        response = app_client.get(
            "/queries/holdings", params={"format": "csv", **({"holder": holder} if holder else {})}
        )
        assert (response.status_code, csv_header(response.text)) == (200, HOLDINGS_HEADER)
        answer = app_client.get(
            "/queries/holdings", params={"holder": holder} if holder else {}
        ).json()
        assert answer["head"]["vars"] == HOLDINGS_HEADER.split(",")


@pytest.mark.parametrize(
    ("path", "params", "status", "body"),
    [
        (
            "/queries/holdings",
            {"hardware": "country/KR"},
            400,
            {
                "error": "invalid-parameter",
                "status": 400,
                "message": "parameter 'hardware': <https://w3id.org/aikg/country/KR> is a "
                "Country, not a HardwareModel",
                "where": "parameter 'hardware'",
                "hint": "give the IRI of a HardwareModel, e.g. hardware/nvidia-h100",
            },
        ),
        (
            "/queries/holding",
            {},
            404,
            {
                "error": "not-found",
                "status": 404,
                "message": "no saved query 'holding'; did you mean 'holdings'?",
                "hint": "list them with `aikg queries` or GET /queries",
            },
        ),
        (
            "/queries/holdings",
            {"holdr": "country/KR"},
            400,
            {
                "error": "invalid-parameter",
                "status": 400,
                "message": "saved query 'holdings' has no parameter 'holdr'; did you mean "
                "'holder'?",
                "where": "parameter 'holdr'",
                "hint": "its parameters are: holder, hardware, min",
            },
        ),
        (
            "/queries/holdings",
            {"format": "turtle"},
            400,
            {
                "error": "unsupported-format",
                "status": 400,
                "message": "format 'turtle' does not fit a SELECT query, whose answer is a "
                "table of results",
                "where": "parameter 'format'",
                "hint": "for a SELECT query use one of json, xml, csv, tsv, html (xml is "
                "SPARQL XML results here)",
            },
        ),
    ],
)
def test_in_process_a_wrong_request_is_refused_naming_what_to_fix(
    app_client: TestClient, path: str, params: dict[str, str], status: int, body: object
) -> None:
    response = app_client.get(path, params=params)
    assert (response.status_code, response.json()) == (status, body)


def test_in_process_the_catalog_gives_columns_and_classes(app_client: TestClient) -> None:
    entries = app_client.get("/queries", headers={"Accept": "application/json"}).json()
    holdings = next(e for e in entries if e["name"] == "holdings")
    assert holdings["columns"] == HOLDINGS_HEADER.split(",")
    assert [p["class"] for p in holdings["parameters"]] == [
        ["Country", "Organization"],
        ["HardwareModel"],
        None,
    ]


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
        assert [h.quantity for h in client.holdings().records] == [
            350000,
            350000,
            100000,
            35000,
            2000,
            2000,
        ]
        assert {c.label for c in client.conflicts().records} == {
            "Who holds 350,000: Meta or China?",
            "Is France among the AI leading countries?",
        }
        assert [p.rank for p in client.index_positions("country/KR").records if p.rank] == [
            4,
            35,
            33,
        ]
        assert [
            e.text for r in client.provenance("claim/h100-china-s1").records for e in r.evidence
        ] == ["350,000"]
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


def test_the_client_and_the_python_api_refuse_the_same_input(
    server: Server, kg: KnowledgeGraph
) -> None:
    """Where the two differed: an empty lang (the client dropped the label columns), a
    name that is no saved query's (the client put it in the URL as a path), an update sent
    as a query (a syntax error in process), and the order of a row's keys."""
    update = "INSERT DATA { <a:b> <a:c> <a:d> }"
    with Client(server.url) as client:
        for run in (kg, client):
            with pytest.raises(ParameterError):
                run.saved("holdings", lang="")
            with pytest.raises(NotFoundError):
                run.saved("../sparql")
            with pytest.raises(InputError, match="an update was sent as a query") as caught:
                run.query(update)
            assert type(caught.value) is InputError
        row = kg.saved("holdings", holder="country/KR").rows[0]
        assert list(row) == [v for v in kg.saved("holdings").variables if v in row]
        assert list(row) == list(client.saved("holdings", holder="country/KR").rows[0])
    with pytest.raises(ParameterError):
        next(kg.saved_pages("holdings", lang="x y"))


def test_every_format_of_a_saved_query_parses(server: Server) -> None:
    for fmt, engine in (
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ):
        body = saved(server, "scores", {"format": fmt}).content
        parsed = ox.parse_query_results(body, format=engine)
        assert isinstance(parsed, ox.QuerySolutions) and len(list(parsed)) == 2
