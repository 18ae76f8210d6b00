"""The SPARQL 1.1 Protocol at /sparql, exercised over real HTTP against a running server."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from tests.server import Server, running_server

HOLDINGS = "SELECT ?holder ?n WHERE { ?c aikg:subject ?holder ; aikg:quantity ?n } ORDER BY DESC(?n) ?holder"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


def get(server: Server, **params: str) -> httpx.Response:
    return httpx.get(f"{server.url}/sparql", params=params, timeout=30)


def quantities(response: httpx.Response) -> list[int]:
    return [int(b["n"]["value"]) for b in response.json()["results"]["bindings"]]


def test_query_by_get_answers_sparql_json(server: Server) -> None:
    response = get(server, query=HOLDINGS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert quantities(response) == [350000, 350000, 100000, 35000, 2000, 2000]


def test_query_by_post_form_and_post_direct_give_the_same_answer(server: Server) -> None:
    form = httpx.post(f"{server.url}/sparql", data={"query": HOLDINGS}, timeout=30)
    direct = httpx.post(
        f"{server.url}/sparql",
        content=HOLDINGS.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert form.status_code == direct.status_code == 200
    assert quantities(form) == quantities(direct) == [350000, 350000, 100000, 35000, 2000, 2000]


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("application/sparql-results+json;q=0.5, text/csv;q=0.9", "text/csv; charset=utf-8"),
        ("text/*", "text/csv; charset=utf-8"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_answers_are_negotiated(server: Server, accept: str, media: str) -> None:
    response = httpx.get(
        f"{server.url}/sparql", params={"query": HOLDINGS}, headers={"Accept": accept}, timeout=30
    )
    assert (response.status_code, response.headers["content-type"]) == (200, media)
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/trig", ox.RdfFormat.TRIG),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
    ],
)
def test_construct_answers_in_every_rdf_format(
    server: Server, accept: str, fmt: ox.RdfFormat
) -> None:
    response = httpx.get(
        f"{server.url}/sparql",
        headers={"Accept": accept},
        timeout=30,
        params={"query": "CONSTRUCT WHERE { <country/KR> aikg:iso3166Alpha2 ?c }"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    [triple] = list(ox.parse(response.content, format=fmt))
    assert triple.object == ox.Literal("KR")


def test_the_format_parameter_overrides_accept_for_browsers(server: Server) -> None:
    response = httpx.get(
        f"{server.url}/sparql",
        params={"query": HOLDINGS, "format": "csv"},
        headers={"Accept": "text/html"},
        timeout=30,
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.splitlines()[0] == "holder,n"


def test_nothing_acceptable_is_406(server: Server) -> None:
    response = httpx.get(
        f"{server.url}/sparql",
        params={"query": HOLDINGS},
        headers={"Accept": "image/png"},
        timeout=30,
    )
    assert response.status_code == 406
    assert response.json()["error"] == "not-acceptable"
    assert "application/sparql-results+json" in response.json()["hint"]


def test_protocol_dataset_overrides_from(server: Server) -> None:
    query = "ASK FROM <graph/countries> { <claim/h100-korea-s1> ?p ?o }"
    assert get(server, query=query).json()["boolean"] is False
    response = httpx.get(
        f"{server.url}/sparql",
        timeout=30,
        params={"query": query, "default-graph-uri": "https://w3id.org/aikg/graph/holdings"},
    )
    assert response.json()["boolean"] is True


def test_named_graph_uri_limits_graph_patterns(server: Server) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    response = httpx.get(
        f"{server.url}/sparql",
        timeout=30,
        params=[
            ("query", query),
            ("named-graph-uri", "https://w3id.org/aikg/graph/holdings"),
            ("named-graph-uri", "https://w3id.org/aikg/graph/conflicts"),
        ],
    )
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [
        "https://w3id.org/aikg/graph/conflicts",
        "https://w3id.org/aikg/graph/holdings",
    ]


def test_a_syntax_error_is_400_with_the_parsers_message_and_position(server: Server) -> None:
    response = get(server, query="SELECT * WHERE { ?s ?p }")
    body = response.json()
    assert (response.status_code, body["error"]) == (400, "sparql-syntax-error")
    assert body["where"].startswith("line 1, column 25")


@pytest.mark.parametrize(
    ("request_args", "status", "error"),
    [
        (
            {"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]},
            400,
            "bad-request",
        ),
        ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 400, "bad-request"),
        (
            {"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
            415,
            "unsupported-media-type",
        ),
        ({"method": "POST", "content": b"query=ASK%20%7B%7D"}, 415, "unsupported-media-type"),
        (
            {
                "method": "POST",
                "content": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
            },
            415,
            "unsupported-media-type",
        ),
        (
            {
                "method": "POST",
                "content": b"ASK { \xff }",
                "headers": {"Content-Type": "application/sparql-query"},
            },
            400,
            "bad-request",
        ),
        (
            {
                "method": "POST",
                "content": b"query=ASK%20%7B%FF%7D",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            400,
            "bad-request",
        ),
        ({"method": "PUT", "params": {"query": "ASK {}"}}, 405, "method-not-allowed"),
    ],
)
def test_protocol_errors_are_4xx_in_one_json_shape(
    server: Server, request_args: dict[str, object], status: int, error: str
) -> None:
    response = httpx.request(url=f"{server.url}/sparql", timeout=30, **request_args)  # type: ignore[arg-type]
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error and body["status"] == status and body["message"]


def test_a_method_a_resource_does_not_take_is_405_naming_every_method_it_does(
    server: Server,
) -> None:
    """RFC 9110 (15.5.6): ``Allow`` lists the methods of the resource, which on ``/store``
    are served by a route each."""
    for path, allowed in [
        ("/store", "GET, HEAD, POST, PUT, DELETE"),
        ("/sparql", "GET, HEAD, POST"),
        ("/health", "GET"),
    ]:
        response = httpx.request("PATCH", f"{server.url}{path}", timeout=30)
        assert (response.status_code, response.headers["allow"]) == (405, allowed)
        assert response.json()["error"] == "method-not-allowed"
        assert response.json()["hint"] == f"{path} takes {allowed}"


def test_every_answer_reports_rows_truncation_time_and_version(server: Server) -> None:
    response = get(server, query="SELECT ?q WHERE { ?q a aikg:TableCell }")
    assert response.headers["aikg-rows"] == "12"
    assert response.headers["aikg-truncated"] == "false"
    assert float(response.headers["aikg-elapsed-ms"]) > 0
    assert response.headers["server-timing"].startswith("query;dur=")
    assert response.headers["aikg-data-version"] in response.headers["etag"]


def test_the_row_limit_truncates_and_says_so(server: Server) -> None:
    response = get(server, query="SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert (response.headers["aikg-rows"], response.headers["aikg-truncated"]) == ("50", "true")
    assert len(response.json()["results"]["bindings"]) == 50


def test_a_conditional_get_with_the_etag_is_304(server: Server) -> None:
    first = get(server, query=HOLDINGS)
    again = httpx.get(
        f"{server.url}/sparql",
        params={"query": HOLDINGS},
        timeout=30,
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert (again.status_code, again.content) == (304, b"")
    other_format = httpx.get(
        f"{server.url}/sparql",
        params={"query": HOLDINGS},
        timeout=30,
        headers={"If-None-Match": first.headers["etag"], "Accept": "text/csv"},
    )
    assert other_format.status_code == 200


def test_get_without_a_query_describes_the_service(server: Server) -> None:
    response = httpx.get(f"{server.url}/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    endpoint = rdflib.URIRef(f"{server.url}/sparql")
    assert (endpoint, rdflib.RDF.type, SD.Service) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # read-only
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    assert (
        endpoint,
        SD.resultFormat,
        rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV"),
    ) in graph
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert "https://w3id.org/aikg/graph/holdings" in names and len(names) == 15  # inferred too


def test_service_description_in_json_ld(server: Server) -> None:
    response = httpx.get(
        f"{server.url}/sparql", headers={"Accept": "application/ld+json"}, timeout=30
    )
    assert response.headers["content-type"] == "application/ld+json"
    assert isinstance(json.loads(response.text), list)


def test_relative_iris_resolve_against_the_base_and_common_prefixes_are_known(
    server: Server,
) -> None:
    response = get(
        server,
        query="SELECT ?label WHERE { <country/KR> rdfs:label ?label FILTER (lang(?label) = 'ko') }",
    )
    assert [b["label"]["value"] for b in response.json()["results"]["bindings"]] == ["대한민국"]


def test_the_health_route_reports_the_sandbox(server: Server) -> None:
    health = httpx.get(f"{server.url}/health", timeout=10).json()
    assert health["writable"] is False
    # The kernel may refuse a network namespace (no CAP_SYS_ADMIN, no user namespaces):
    # /health must say what a process of this machine actually gets, whichever it is.
    probe = subprocess.run(
        [sys.executable, "-c", "from aikg.workers.pool import isolate_network as i; print(i())"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert health["network_isolation"] == probe.stdout.strip()


def idle_then_reuse(url: str, idle_s: float) -> tuple[bool, int | None]:
    """Two requests on one HTTP/1.1 connection, ``idle_s`` apart: (same socket, status)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("GET", "/health")
        connection.getresponse().read()
        socket_before = connection.sock
        time.sleep(idle_s)
        try:
            connection.request("GET", "/health")
            status: int | None = connection.getresponse().status
        except (http.client.RemoteDisconnected, ConnectionError):
            status = None
        return connection.sock is socket_before, status
    finally:
        connection.close()


def test_an_idle_connection_outlives_the_clients_pool_expiry(server: Server) -> None:
    # httpx keeps an idle connection for 5 s, as uvicorn did: at that instant the two raced,
    # and one request in thousands under load got a reset instead of an answer.
    assert idle_then_reuse(server.url, 6.0) == (True, 200)


@pytest.mark.server
def test_the_keep_alive_setting_is_the_servers() -> None:
    with running_server({"AIKG_KEEP_ALIVE": "1", "AIKG_WORKERS": "1"}) as short:
        assert idle_then_reuse(short.url, 2.5)[1] is None
