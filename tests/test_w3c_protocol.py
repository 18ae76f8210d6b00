"""The W3C SPARQL 1.1 Protocol test suite (34 tests), replayed against a running server.

The manifest is vendored in ``tests/w3c/protocol-manifest.ttl`` (w3c/rdf-tests, with the
structured ``ht:requests`` modeling) and read with rdflib. For every entry, in
``mf:entries`` order:

- the dataset is reset (``DROP ALL``) and each ``ut:graphData`` file is loaded into the
  graph named by its ``rdfs:label`` through the Graph Store Protocol (first graph PUT,
  the others POST, ``application/n-triples``), as the suite's runner does;
- every request of ``ht:requests`` is sent in order exactly as modeled - method, path,
  body in its ``cnt:characterEncoding`` (UTF-16 is sent with a BOM), headers - with
  ``http.client`` so that nothing is re-encoded or added (no Accept, no Content-Type the
  manifest does not give), plus ``Authorization: Bearer <token>`` like the W3C runner;
- the status class is checked, booleans are parsed from the SPARQL results (JSON or XML
  by Content-Type), ``mf:expectedFormat`` is checked against the media types valid for
  that kind of answer (and the body parsed as such), and the one prose expectation
  (update_base_uri) is checked.

The manifest's paths are ``/sparql/...``; the server's endpoint is ``/sparql``. Each test
is replayed twice, on the path mapped onto ``/sparql`` and on the path as written
(``/sparql/``), from a fresh dataset each time, and must pass on both.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS

from tests.server import Server, running_server

W3C = Path(__file__).resolve().parent / "w3c"
MANIFEST = W3C / "protocol-manifest.ttl"
TOKEN = "w3c-test-token"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"

STATUS_CLASSES = {HT.StatusCode2xx: 2, HT.StatusCode3xx: 3, HT.StatusCode4xx: 4}

# Media types valid for each mf:expectedFormat, with the rdflib parser for RDF ones.
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "text/n3": "n3",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}

# The manifest's endpoint path, and the server's.
MANIFEST_ENDPOINT = "/sparql/"
SERVER_ENDPOINT = "/sparql"


# -- the manifest -------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    statuses: frozenset[int]
    boolean: bool | None = None
    format: str | None = None
    prose: str | None = None


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None
    headers: tuple[tuple[str, str], ...]
    expected: Expected


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    graph_data: tuple[tuple[str, Path], ...]  # (graph IRI, file), sorted by IRI
    requests: tuple[Request, ...]


def _text(graph: Graph, node: object, prop: URIRef) -> str | None:
    value = graph.value(node, prop)  # type: ignore[arg-type]
    return None if value is None else str(value)


def _graph_data(graph: Graph, test: URIRef) -> tuple[tuple[str, Path], ...]:
    """``ut:graphData`` as (graph IRI, file), sorted by IRI (data1, data2, data3: the
    manifest's order; rdflib does not keep it, and after DROP ALL it does not matter)."""
    found = []
    for node in graph.objects(test, UT.graphData):
        iri = _text(graph, node, RDFS.label)
        data = graph.value(node, UT.graph)
        assert iri and isinstance(data, URIRef), f"{test}: incomplete ut:graphData"
        found.append((iri, Path(urlsplit(str(data)).path)))
    return tuple(sorted(found))


def _request(graph: Graph, node: object) -> Request:
    method = _text(graph, node, HT.methodName)
    path = _text(graph, node, HT.absolutePath)
    assert method and path
    body = None
    if (content := graph.value(node, HT.body)) is not None:  # type: ignore[arg-type]
        chars = _text(graph, content, CNT.chars)
        encoding = _text(graph, content, CNT.characterEncoding) or "UTF-8"
        assert chars is not None
        # Python's "utf-16" codec writes a byte-order mark, as the manifest's comments say.
        body = chars.encode(encoding.lower())
    headers = []
    if (first := graph.value(node, HT.headers)) is not None:  # type: ignore[arg-type]
        for header in Collection(graph, first):
            name = _text(graph, header, HT.fieldName)
            value = _text(graph, header, HT.fieldValue)
            assert name and value is not None
            headers.append((name, value))
    response = graph.value(node, HT.resp)  # type: ignore[arg-type]
    assert response is not None
    statuses = frozenset(STATUS_CLASSES[s] for s in graph.objects(response, MF.expectedStatus))
    assert statuses, "a response without mf:expectedStatus"
    boolean = graph.value(response, MF.expectedBoolean)
    expected = Expected(
        statuses=statuses,
        boolean=None if boolean is None else bool(boolean.toPython()),  # type: ignore[union-attr]
        format=_text(graph, response, MF.expectedFormat),
        prose=_text(graph, response, MF.expectation),
    )
    return Request(method, path, body, tuple(headers), expected)


def load_manifest() -> list[ProtocolTest]:
    graph = Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = URIRef(MANIFEST.as_uri())
    entries = graph.value(manifest, MF.entries)
    assert entries is not None, "the manifest has no mf:entries"
    tests = []
    for test in Collection(graph, entries):
        assert isinstance(test, URIRef)
        action = graph.value(test, MF.action)
        first = graph.value(action, HT.requests)  # type: ignore[arg-type]
        assert first is not None, f"{test}: no ht:requests"
        tests.append(
            ProtocolTest(
                name=test.fragment,
                graph_data=_graph_data(graph, test),
                requests=tuple(_request(graph, r) for r in Collection(graph, first)),
            )
        )
    return tests


TESTS = load_manifest()
# The SPARQL 1.1 Protocol suite has 34 tests; fewer or more means the wrong file.
assert len(TESTS) == 34, f"the manifest has {len(TESTS)} entries, not 34"
assert len({t.name for t in TESTS}) == 34, "duplicate test names in the manifest"

# w3c/rdf-tests#78: query_multiple_dataset, as implemented in kasei's protocol validator
# (the test the WG approved), sets up two named graphs and sends TWO named-graph-uri
# parameters. The structured manifest percent-encodes the "&" and "=" between them
# ("...data1.rdf%26named-graph-uri%3Dhttp..."), which makes them one parameter whose
# value is a single (strange) IRI. The harness sends the two parameters; the path as
# written is checked separately below (the server must decode it once, to one IRI).
DOUBLE_ENCODED = "%26named-graph-uri%3D"
ERRATA = {"query_multiple_dataset": (DOUBLE_ENCODED, "&named-graph-uri=")}


# -- talking to the server ----------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    media_type: str
    body: bytes


def send(
    server: Server,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Reply:
    """One request, sent as given: the path is not re-encoded and no header is added but
    Host, Content-Length (0 for a POST or PUT without body) and the bearer token."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (*headers, *server.auth().items()):
            connection.putheader(name, value)
        if body is not None or method in ("POST", "PUT"):
            connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
        kind = (response.getheader("content-type") or "").split(";")[0].strip().lower()
        return Reply(response.status, kind, data)
    finally:
        connection.close()


def reset(server: Server, graph_data: tuple[tuple[str, Path], ...]) -> None:
    """An empty dataset, then each ut:graphData file in its graph (first PUT, then POST)."""
    cleared = send(
        server,
        "POST",
        SERVER_ENDPOINT,
        b"DROP ALL",
        (("Content-Type", "application/sparql-update"),),
    )
    assert cleared.status // 100 == 2, f"setup: DROP ALL answered {cleared.status}"
    for i, (iri, path) in enumerate(graph_data):
        loaded = send(
            server,
            "PUT" if i == 0 else "POST",
            f"/store?graph={quote(iri, safe='')}",
            path.read_bytes(),
            (("Content-Type", "application/n-triples"),),
        )
        assert loaded.status // 100 == 2, (
            f"setup: loading {path.name} into <{iri}> answered {loaded.status}: "
            f"{loaded.body[:300]!r}"
        )


def boolean_of(reply: Reply) -> bool:
    if reply.media_type == "application/sparql-results+json":
        value = json.loads(reply.body)["boolean"]
        assert isinstance(value, bool)
        return value
    assert reply.media_type == "application/sparql-results+xml", reply.media_type
    element = ET.fromstring(reply.body).find(f"{RESULTS_NS}boolean")
    assert element is not None and element.text in ("true", "false")
    return element.text == "true"


def rows_of(reply: Reply) -> list[dict[str, tuple[str, str]]]:
    """SELECT results as rows of variable -> (term type, value)."""
    if reply.media_type == "application/sparql-results+json":
        data = json.loads(reply.body)
        return [
            {k: (v["type"], v["value"]) for k, v in row.items()}
            for row in data["results"]["bindings"]
        ]
    if reply.media_type == "application/sparql-results+xml":
        rows = []
        for result in ET.fromstring(reply.body).iter(f"{RESULTS_NS}result"):
            row = {}
            for binding in result.iter(f"{RESULTS_NS}binding"):
                term = binding[0]
                row[binding.attrib["name"]] = (term.tag.removeprefix(RESULTS_NS), term.text or "")
            rows.append(row)
        return rows
    delimiter = "," if reply.media_type == "text/csv" else "\t"
    return [
        {k: ("?", v) for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(reply.body.decode()), delimiter=delimiter)
    ]


def check_format(reply: Reply, kind: str) -> None:
    """The Content-Type is one valid for this kind of answer, and the body is one."""
    if kind == "boolean":
        assert reply.media_type in BOOLEAN_TYPES, f"not a boolean result type: {reply.media_type}"
        boolean_of(reply)
    elif kind == "tabular":
        assert reply.media_type in TABULAR_TYPES, f"not a tabular result type: {reply.media_type}"
        rows_of(reply)
    elif kind == "RDF":
        assert reply.media_type in RDF_TYPES, f"not an RDF media type: {reply.media_type}"
        Graph().parse(
            data=reply.body, format=RDF_TYPES[reply.media_type], publicID="http://example.org/base"
        )
    else:
        raise AssertionError(f"unknown mf:expectedFormat {kind!r}")


def check_prose(reply: Reply, prose: str) -> None:
    # update_base_uri: "one result with `?o` bound to an IRI that is _not_ `<test>`"
    assert prose == "one result with `?o` bound to an IRI that is _not_ `<test>`", prose
    rows = rows_of(reply)
    assert len(rows) == 1, f"expected one result, got {rows}"
    kind, value = rows[0]["o"]
    assert kind in ("uri", "?"), f"?o is bound to a {kind}, not an IRI"
    assert value != "test", "the relative IRI <test> was stored unresolved"
    assert urlsplit(value).scheme, f"?o = {value!r} is not an absolute IRI"


def run(server: Server, test: ProtocolTest, endpoint: str) -> None:
    """Reset the dataset, send every request of the test, check every answer."""
    reset(server, test.graph_data)
    for step, request in enumerate(test.requests, 1):
        assert request.path.startswith(MANIFEST_ENDPOINT), request.path
        path = endpoint + request.path.removeprefix(MANIFEST_ENDPOINT)
        if test.name in ERRATA:
            wrong, right = ERRATA[test.name]
            assert wrong in path, "the erratum is gone from the manifest: drop the correction"
            path = path.replace(wrong, right)
        reply = send(server, request.method, path, request.body, request.headers)
        where = f"{test.name} request {step} ({request.method} {path})"
        expected = request.expected
        assert reply.status // 100 in expected.statuses, (
            f"{where}: status {reply.status}, expected "
            f"{' or '.join(f'{c}xx' for c in sorted(expected.statuses))}: {reply.body[:400]!r}"
        )
        if expected.format is not None:
            check_format(reply, expected.format)
        if expected.boolean is not None:
            assert boolean_of(reply) is expected.boolean, f"{where}: wrong boolean"
        if expected.prose is not None:
            check_prose(reply, expected.prose)


# -- the tests ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """One writable server for the module: the tests rewrite the whole dataset."""
    with running_server({"AIKG_TOKEN": TOKEN, "AIKG_STORE": ""}) as running:
        yield running


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_protocol(server: Server, test: ProtocolTest) -> None:
    failures = []
    for endpoint in (SERVER_ENDPOINT, MANIFEST_ENDPOINT):
        try:
            run(server, test, endpoint)
        except AssertionError as error:
            failures.append(f"on {endpoint}: {error}")
    assert not failures, "\n".join(failures)
    if test.name == "query_multiple_dataset":
        check_double_encoded_path(server, test)


def check_double_encoded_path(server: Server, test: ProtocolTest) -> None:
    """As written, ``named-graph-uri=...data1.rdf%26named-graph-uri%3D...data2.rdf`` is ONE
    parameter, and its value, decoded once, is one IRI: the query's dataset is then that
    single (empty) named graph and the ASK is false; once a graph of that very name holds
    both documents, the ASK is true. Splitting the value into two parameters (decoding
    twice) would answer true at once; leaving it encoded would never answer true."""
    (request,) = test.requests
    one_iri = (
        "http://kasei.us/2009/09/sparql/data/data1.rdf&named-graph-uri="
        "http://kasei.us/2009/09/sparql/data/data2.rdf"
    )
    as_written = SERVER_ENDPOINT + request.path.removeprefix(MANIFEST_ENDPOINT)
    assert DOUBLE_ENCODED in as_written
    reset(server, test.graph_data)
    reply = send(server, "POST", as_written, request.body, request.headers)
    assert reply.status == 200, reply.body[:400]
    assert boolean_of(reply) is False, "the one percent-encoded value was split in two"
    both = b"".join((W3C / f"data{n}.nt").read_bytes() for n in (1, 2))
    loaded = send(
        server,
        "PUT",
        f"/store?graph={quote(one_iri, safe='')}",
        both,
        (("Content-Type", "application/n-triples"),),
    )
    assert loaded.status // 100 == 2, loaded.body[:400]
    reply = send(server, "POST", as_written, request.body, request.headers)
    assert reply.status == 200, reply.body[:400]
    assert boolean_of(reply) is True, f"named-graph-uri was not read as <{one_iri}>"
