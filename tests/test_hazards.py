"""Hostile queries and uploads: each is refused or stopped, the server keeps answering, and
nothing outside is contacted or changed (a loopback listener counts every hit)."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from aikg.workers.pool import isolate_network
from tests.load import children
from tests.server import Server, running_server

pytestmark = [pytest.mark.server, pytest.mark.alone]

BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TOKEN = "hazard-token"
XSD = "http://www.w3.org/2001/XMLSchema#"


def get(server: Server, query: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{server.url}/sparql", params={"query": query}, headers=headers, timeout=60)


def still_answers(server: Server) -> bool:
    return get(server, "ASK { <country/KR> a aikg:Country }").json()["boolean"] is True


@pytest.fixture(scope="module")
def armed() -> Iterator[Server]:
    """A writable server, for hostile writes."""
    with running_server({"AIKG_TOKEN": TOKEN, "AIKG_MAX_BODY_BYTES": "100000"}) as server:
        yield server


def test_a_query_bomb_is_stopped_at_its_deadline_while_others_are_answered(server: Server) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        bomb = pool.submit(get, server, BOMB)
        answered_during_bomb = 0
        while not bomb.done():
            assert still_answers(server)
            answered_during_bomb += 1
        response = bomb.result()
        elapsed = time.monotonic() - started
    assert (response.status_code, response.json()["error"]) == (503, "query-timeout")
    assert elapsed < 3 + 1 + 1  # the deadline (3 s) + 1 s, with a second of slack for CI
    assert answered_during_bomb > 5
    assert still_answers(server)


def test_several_bombs_at_once_are_all_stopped(server: Server) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(lambda _: get(server, BOMB), range(3)))
    assert [r.status_code for r in responses] == [503, 503, 503]
    assert still_answers(server)


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("SELECT * WHERE " + "{" * 2500 + "}" * 2500, "nests brackets more than 100 deep"),
        (
            "SELECT * WHERE { FILTER (" + "(" * 100_000 + "1" + ")" * 100_000 + ") }",
            "nests brackets more than 100 deep",
        ),
        (  # brackets one deep, 10,000 operators in them
            "SELECT ?y WHERE { BIND(1 AS ?x) BIND(" + " + ".join(["?x"] * 10_000) + " AS ?y) }",
            "chain more than 4,000 operators",
        ),
        (  # a group one deep, 10,000 clauses in it
            "SELECT * WHERE { "
            + " ".join(f"OPTIONAL {{ ?s ?p ?o{i} }}" for i in range(10_000))
            + " }",
            "chain more than 4,000 patterns and clauses",
        ),
    ],
    ids=["groups", "parentheses", "a chain of operators", "a chain of clauses"],
)
def test_queries_deep_enough_to_crash_the_engine_are_refused_first(
    server: Server, query: str, said: str
) -> None:
    response = httpx.post(
        f"{server.url}/sparql",
        content=query.encode(),
        timeout=60,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert (response.status_code, response.json()["error"]) == (400, "query-refused")
    assert said in response.json()["message"]
    assert still_answers(server)


def test_a_crash_in_the_engine_costs_one_request_not_the_server() -> None:
    # With the depth limit lifted, 2,500 nested groups make Oxigraph die with SIGSEGV.
    with running_server({"AIKG_MAX_QUERY_DEPTH": "100000", "AIKG_WORKERS": "1"}) as server:
        response = httpx.post(
            f"{server.url}/sparql",
            timeout=60,
            content=("SELECT * WHERE " + "{" * 2500 + "}" * 2500).encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        assert (response.status_code, response.json()["error"]) == (500, "engine-crash")
        assert still_answers(server)
        assert server.process.poll() is None


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?o",
        "SELECT * WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY DESC(?o)",
        # Distinct rows ordered by an expression: the engine sorts.
        "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY "
        "DESC(COALESCE(?o, 0))",
        "SELECT ?o WHERE { { SELECT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?o "
        "LIMIT 5000 } }",
    ],
    ids=["sorted by aikg", "star, sorted by aikg", "sorted by the engine", "sorted in a subquery"],
)
def test_a_column_the_engines_own_sort_would_abort_on_is_answered_and_no_worker_dies(
    server: Server, query: str
) -> None:
    """Every literal of the bundled data in one column (numbers, text, dates): Oxigraph's
    own sort of it panics, which ends the worker's process."""
    keeper = children(server.process.pid)[0]
    workers = sorted(children(keeper))
    response = httpx.get(
        f"{server.url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:500]
    values = [row["o"] for row in response.json()["results"]["bindings"]]
    # The first page in the order of aikg.sparql.sorting.order_key:
    # numbers first; descending, the other literals first, xsd:date before xsd:anyURI.
    first = XSD + ("date" if "DESC" in query else "integer")
    assert len(values) == 50 and values[0].get("datatype") == first
    assert sorted(children(keeper)) == workers
    assert still_answers(server)


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        "PREFIX e: <{url}/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x ?y ?z.SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "BASE <{url}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_to_a_loopback_listener_is_refused_and_never_called(
    server: Server, listener: tuple[str, list[str]], template: str
) -> None:
    url, hits = listener
    response = get(server, template.format(url=url))
    assert (response.status_code, response.json()["error"]) == (400, "query-refused")
    assert hits == []
    assert still_answers(server)


def test_from_a_url_or_a_file_reads_nothing_and_says_so(
    server: Server, listener: tuple[str, list[str]]
) -> None:
    url, hits = listener
    for source in (f"{url}/data.ttl", "file:///etc/passwd"):
        for clause in ("FROM", "FROM NAMED"):
            response = get(server, f"SELECT * {clause} <{source}> WHERE {{ ?s ?p ?o }}")
            assert (response.status_code, response.json()["error"]) == (400, "unknown-graph")
            assert "nothing is ever fetched" in response.json()["message"]
    assert hits == []


def test_the_query_workers_have_no_network_at_all(listener: tuple[str, list[str]]) -> None:
    # The second line of defence: a SERVICE call that slipped past the guard would run in a
    # process without network interfaces.
    url, hits = listener
    host, port = url.removeprefix("http://").split(":")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        outcome = isolate_network()
        try:
            socket.create_connection((host, int(port)), timeout=2).close()
            outcome += ": connected"
        except OSError as error:
            outcome += f": {error.strerror}"
        os.write(write_end, outcome.encode())
        os._exit(0)
    os.waitpid(pid, 0)
    os.close(write_end)
    outcome = os.read(read_end, 1000).decode()
    assert outcome == "isolated: Network is unreachable"
    assert hits == []


def test_load_is_refused_and_fetches_nothing(
    armed: Server, listener: tuple[str, list[str]]
) -> None:
    url, hits = listener
    for source in (f"{url}/data.ttl", "file:///etc/passwd"):
        response = httpx.post(
            f"{armed.url}/sparql",
            content=f"LOAD <{source}>".encode(),
            timeout=30,
            headers={"Content-Type": "application/sparql-update", **armed.auth()},
        )
        assert (response.status_code, response.json()["error"]) == (400, "query-refused")
    assert hits == []


def test_json_ld_with_a_remote_context_is_refused_and_fetches_nothing(
    armed: Server, listener: tuple[str, list[str]]
) -> None:
    url, hits = listener
    response = httpx.put(
        f"{armed.url}/store",
        params={"graph": "http://example.org/g"},
        timeout=30,
        content=f'{{"@context": "{url}/context.jsonld", "@id": "http://e/x", "name": "x"}}',
        headers={"Content-Type": "application/ld+json", **armed.auth()},
    )
    assert response.status_code == 400
    assert hits == []


def test_rdf_xml_with_entities_is_refused_before_parsing(armed: Server) -> None:
    # The classic "billion laughs": ten levels of ten references, 10^9 "lol"s expanded.
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    bomb = f"""<?xml version="1.0"?><!DOCTYPE rdf:RDF [{entities}]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">
<rdf:Description rdf:about="http://e/x"><e:p>&lol9;</e:p></rdf:Description></rdf:RDF>"""
    started = time.monotonic()
    response = httpx.put(
        f"{armed.url}/store",
        params={"graph": "http://example.org/g"},
        timeout=30,
        content=bomb,
        headers={"Content-Type": "application/rdf+xml", **armed.auth()},
    )
    assert response.status_code == 400
    assert "DOCTYPE or entity declaration is refused" in response.json()["message"]
    assert time.monotonic() - started < 5
    assert still_answers(armed)


def test_a_body_over_the_limit_is_413(armed: Server) -> None:
    response = httpx.post(
        f"{armed.url}/sparql",
        content=b"#" * 200_000,
        timeout=30,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert (response.status_code, response.json()["error"]) == (413, "payload-too-large")
    assert still_answers(armed)


def test_reads_are_open_to_any_origin_without_credentials(server: Server) -> None:
    response = get(server, "ASK {}", Origin="https://elsewhere.example")
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "AIKG-Truncated" in response.headers["access-control-expose-headers"]


@pytest.mark.parametrize(
    ("method", "headers", "granted"),
    [
        ("POST", "content-type", True),
        ("GET", "", True),
        ("PUT", "content-type", False),
        ("DELETE", "", False),
        ("POST", "authorization, content-type", False),
    ],
)
def test_preflights_allow_reads_and_never_writes(
    server: Server, method: str, headers: str, granted: bool
) -> None:
    request_headers = {
        "Origin": "https://elsewhere.example",
        "Access-Control-Request-Method": method,
    }
    if headers:
        request_headers["Access-Control-Request-Headers"] = headers
    response = httpx.options(f"{server.url}/sparql", headers=request_headers, timeout=10)
    assert (response.status_code == 204) is granted
    assert ("access-control-allow-origin" in response.headers) is granted


def test_sigterm_stops_the_server_within_seconds_even_mid_query() -> None:
    """And the query in flight gets a JSON 503 it may send again, not a plain-text 500: a
    client or a load balancer can tell a restart from a failure."""
    with running_server({"AIKG_QUERY_TIMEOUT": "30"}) as server, ThreadPoolExecutor(1) as pool:
        asked = pool.submit(
            lambda: httpx.get(f"{server.url}/sparql", params={"query": BOMB}, timeout=60)
        )
        time.sleep(0.5)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=15)
        assert time.monotonic() - started < 5
        response = asked.result(timeout=15)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"] == "shutting-down"
    assert "check whether a write took effect" in response.json()["hint"]
