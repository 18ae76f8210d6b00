"""A corpus of hostile input, sent to a running server that accepts writes.

Every case is one HTTP request. Each must get a 4xx that names what was wrong (the JSON
error document, with its code, or for requests the HTTP layer itself refuses, a 4xx);
after each the server still answers a query, nothing is changed, and at the end the
loopback listener the hostile requests point at has counted zero hits.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.server import Server, running_server

pytestmark = pytest.mark.server

TOKEN = "hostile-token"
LISTENER = "{listener}"  # replaced by the loopback listener's URL


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    body: bytes | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int | tuple[int, ...] = 400
    error: str | None = None
    """The error code the JSON document must carry (None: the HTTP layer answers)."""
    says: str | None = None
    """Words the message must contain."""
    auth: bool = False
    raw: bytes | None = None
    """Bytes sent as they are, for requests no client library would send (the HTTP layer
    refuses them; uvicorn answers 400 before the application sees them)."""


def sparql(query: str, **kwargs: object) -> dict[str, object]:
    return {"params": {"query": query}, **kwargs}


def update(text: str) -> dict[str, object]:
    return {
        "body": text,
        "headers": {"Content-Type": "application/sparql-update"},
        "auth": True,
    }


def upload(content: bytes | str, media: str) -> dict[str, object]:
    return {
        "params": {"graph": "https://w3id.org/aikg/graph/hostile"},
        "body": content,
        "headers": {"Content-Type": media},
        "auth": True,
    }


ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
    '<rdf:Description rdf:about="http://e/x"><e:p>&i;</e:p></rdf:Description></rdf:RDF>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
    '<rdf:Description rdf:about="http://e/x"><e:p>&x;</e:p></rdf:Description></rdf:RDF>'
)

CASES = [
    # -- malformed and enormous SPARQL
    Case(
        "syntax error",
        "GET",
        "/sparql",
        **sparql("SELECT ?x WHERE { ?x"),
        error="sparql-syntax-error",
        says="error at 1:21",
    ),
    Case(
        "not a query at all",
        "GET",
        "/sparql",
        **sparql("\x00\x01\x02"),
        error="sparql-syntax-error",
    ),
    Case(
        "enormous query",
        "POST",
        "/sparql",
        body="SELECT * WHERE { ?s ?p ?o } #" + "x" * 600_000,
        headers={"Content-Type": "application/sparql-query"},
        status=(400, 413),
    ),
    Case(
        "deep group nesting",
        "GET",
        "/sparql",
        **sparql("SELECT * WHERE " + "{" * 5000 + "}" * 5000),
        error="query-refused",
        says="nests brackets",
    ),
    Case(
        "deep expression nesting",
        "GET",
        "/sparql",
        **sparql("SELECT (" + "(" * 3000 + "1" + ")" * 3000 + " AS ?x) {}"),
        error="query-refused",
        says="nests brackets",
    ),
    Case(
        "update sent as a query",
        "GET",
        "/sparql",
        **sparql("DROP ALL"),
        error="bad-request",
        says="an update was sent as a query",
    ),
    # -- SERVICE, LOAD and FROM towards the listener and the file system
    Case(
        "SERVICE to the listener",
        "GET",
        "/sparql",
        **sparql(f"SELECT * WHERE {{ SERVICE <{LISTENER}/sparql> {{ ?s ?p ?o }} }}"),
        error="query-refused",
        says="SERVICE",
    ),
    Case(
        "SERVICE to a file",
        "GET",
        "/sparql",
        **sparql("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }"),
        error="query-refused",
        says="SERVICE",
    ),
    Case(
        "SERVICE with a variable endpoint",
        "GET",
        "/sparql",
        **sparql("SELECT * WHERE { BIND(<x> AS ?e) SERVICE ?e { ?s ?p ?o } }"),
        error="query-refused",
        says="variable",
    ),
    Case(
        "FROM the listener",
        "GET",
        "/sparql",
        **sparql(f"SELECT * FROM <{LISTENER}/data.ttl> WHERE {{ ?s ?p ?o }}"),
        error="unknown-graph",
        says="nothing is ever fetched",
    ),
    Case(
        "FROM NAMED a file",
        "GET",
        "/sparql",
        **sparql("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }"),
        error="unknown-graph",
        says="nothing is ever fetched",
    ),
    Case(
        "LOAD from the listener",
        "POST",
        "/sparql",
        **update(f"LOAD <{LISTENER}/data.ttl> INTO GRAPH <https://w3id.org/aikg/graph/x>"),
        error="query-refused",
        says="LOAD",
    ),
    Case(
        "LOAD from a file",
        "POST",
        "/sparql",
        **update("LOAD <file:///etc/passwd>"),
        error="query-refused",
        says="LOAD",
    ),
    Case(
        "SERVICE inside an update",
        "POST",
        "/sparql",
        **update(f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{LISTENER}/> {{ ?s ?p ?o }} }}"),
        error="query-refused",
        says="SERVICE",
    ),
    # -- documents that fetch or expand
    Case(
        "JSON-LD with a remote context",
        "PUT",
        "/store",
        **upload(
            f'{{"@context": "{LISTENER}/ctx.jsonld", "@id": "http://e/x", "n": 1}}',
            "application/ld+json",
        ),
        error="rdf-syntax-error",
    ),
    Case(
        "JSON-LD with a file context",
        "PUT",
        "/store",
        **upload(
            '{"@context": "file:///etc/passwd", "@id": "http://e/x", "n": 1}', "application/ld+json"
        ),
        error="rdf-syntax-error",
    ),
    Case(
        "XML entity bomb",
        "PUT",
        "/store",
        **upload(ENTITY_BOMB, "application/rdf+xml"),
        error="bad-request",
        says="DOCTYPE or entity declaration is refused",
    ),
    Case(
        "XML external entity",
        "PUT",
        "/store",
        **upload(XXE, "application/rdf+xml"),
        error="bad-request",
        says="DOCTYPE or entity declaration is refused",
    ),
    # -- invalid UTF-8
    Case(
        "invalid UTF-8 query body",
        "POST",
        "/sparql",
        body=b'SELECT * WHERE { ?s ?p "\xff\xfe" }',
        headers={"Content-Type": "application/sparql-query"},
        error="bad-request",
        says="UTF-8",
    ),
    Case(
        "invalid UTF-8 in a form",
        "POST",
        "/sparql",
        body=b"query=ASK%20%7B%7D%FF",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        says="UTF-8",
    ),
    Case(
        "invalid UTF-8 Turtle",
        "PUT",
        "/store",
        **upload(b'<http://e/x> <http://e/p> "\xc3\x28" .', "text/turtle"),
        error="rdf-syntax-error",
        says="UTF-8",
    ),
    # -- huge bodies and headers
    Case(
        "body over the limit",
        "POST",
        "/sparql",
        body=b"#" * 11_000_000,
        headers={"Content-Type": "application/sparql-query"},
        status=413,
        error="payload-too-large",
    ),
    Case(
        "huge header",
        "GET",
        "/sparql",
        raw=b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Filler: "
        + b"x" * 200_000
        + b"\r\n\r\n",
    ),
    Case(
        "a hundred thousand headers",
        "GET",
        "/sparql",
        raw=b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n"
        + b"".join(b"X-H%d: y\r\n" % i for i in range(100_000))
        + b"\r\n",
    ),
    Case(
        "huge URL",
        "GET",
        "/sparql",
        raw=b"GET /sparql?query=ASK%7B%7D%23" + b"z" * 300_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    ),
    # -- saved-query parameter injection
    Case(
        "IRI parameter closing the pattern",
        "GET",
        "/queries/holdings",
        params={"holder": "https://w3id.org/aikg/country/KR> } ; DROP ALL ; { <x"},
        error="invalid-parameter",
        says="is not an IRI",
    ),
    Case(
        "number parameter with SPARQL",
        "GET",
        "/queries/holdings",
        params={"min": "1) || true || (1"},
        error="invalid-parameter",
    ),
    Case(
        "unknown parameter",
        "GET",
        "/queries/holdings",
        params={"holdr": "x"},
        error="invalid-parameter",
        says="has no parameter",
    ),
    Case("unknown saved query", "GET", "/queries/..%2F..%2Fetc%2Fpasswd", status=404),
    # -- path traversal in IRIs and dump names
    Case("traversal in a resource path", "GET", "/doc/..%2F..%2F..%2Fetc%2Fpasswd", status=404),
    Case("traversal in a dump name", "GET", "/dumps/..%2F..%2Fpyproject.toml", status=404),
    Case("dotted dump name", "GET", "/dumps/../../etc/passwd", status=404),
    Case("NUL in a dump name", "GET", "/dumps/aikg.ttl%00.html", status=404),
    Case("traversal in static files", "GET", "/static/..%2F..%2F..%2Fpyproject.toml", status=404),
    Case(
        "graph named by a file IRI",
        "GET",
        "/store",
        params={"graph": "file:///etc/passwd"},
        status=404,
        error="not-found",
    ),
    Case(
        "graph named by a relative path",
        "GET",
        "/store",
        params={"graph": "../../etc/passwd"},
        status=404,
        error="not-found",
    ),
    # -- writes without the token
    Case(
        "update without the token",
        "POST",
        "/sparql",
        body="DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
        status=401,
    ),
    Case(
        "update with a wrong token",
        "POST",
        "/sparql",
        body="DROP ALL",
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer nope"},
        status=(401, 403),
    ),
]


@pytest.fixture(scope="module")
def armed() -> Iterator[Server]:
    with running_server({"AIKG_TOKEN": TOKEN, "AIKG_QUERY_TIMEOUT": "5"}) as server:
        yield server


def _fill(value: object, listener: str) -> object:
    if isinstance(value, str):
        return value.replace(LISTENER, listener)
    if isinstance(value, dict):
        return {k: _fill(v, listener) for k, v in value.items()}
    return value


def _send(server: Server, case: Case, listener: str) -> httpx.Response:
    headers = dict(_fill(case.headers, listener))  # type: ignore[call-overload]
    if case.auth:
        headers["Authorization"] = f"Bearer {TOKEN}"
    body = _fill(case.body, listener)
    return httpx.request(
        case.method,
        server.url + case.path,
        params=_fill(case.params, listener),  # type: ignore[arg-type]
        content=body.encode("utf-8") if isinstance(body, str) else body,
        headers=headers,
        timeout=60,
    )


def _raw_status(server: Server, request: bytes) -> int:
    """Send request bytes as they are (httpx would normalise a path with '..', and
    refuses to send a URL or headers this large); the status of the answer."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        # The server may answer and close before reading everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(request)
        status_line = connection.recv(4096).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def answers(server: Server) -> bool:
    response = httpx.get(
        f"{server.url}/sparql",
        params={"query": "ASK { <country/KR> a aikg:Country }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    return response.status_code == 200 and response.json()["boolean"] is True


def triples(server: Server) -> int:
    response = httpx.get(
        f"{server.url}/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_gets_a_clear_4xx_and_changes_nothing(
    armed: Server, listener: tuple[str, list[str]], case: Case
) -> None:
    url, hits = listener
    before = triples(armed)
    if case.raw is not None or "/../" in case.path:
        request = case.raw or f"GET {case.path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        status = _raw_status(armed, request)
        document = None
    else:
        response = _send(armed, case, url)
        status = response.status_code
        document = response.json() if "json" in response.headers.get("content-type", "") else None
    expected = case.status if isinstance(case.status, tuple) else (case.status,)
    assert status in expected, (status, document)
    if case.error is not None:
        assert document is not None and document["error"] == case.error, document
    if document is not None:
        assert document["message"] and document.get("hint"), document
    if case.says is not None:
        assert document is not None and case.says in document["message"], document
    assert answers(armed)
    assert triples(armed) == before
    assert hits == []
