"""Writes: SPARQL Update and the Graph Store Protocol, behind a token, validated, atomic."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib

from tests.server import Server, running_server

TOKEN = "write-token-for-tests"
JAPAN = """@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/aikg/country/JP> a aikg:Country ; rdfs:label "Japan"@en ;
    aikg:mentionedIn <https://w3id.org/aikg/source/s1> .
"""
NAMELESS_COUNTRY = """@prefix aikg: <https://w3id.org/aikg/ontology#> .
<https://w3id.org/aikg/country/XX> a aikg:Country .
"""


@pytest.fixture(scope="module")
def writable() -> Iterator[Server]:
    with running_server({"AIKG_TOKEN": TOKEN, "AIKG_QUERY_TIMEOUT": "10"}) as server:
        yield server


def ask(server: Server, query: str) -> bool:
    response = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def update(
    server: Server, text: str, headers: dict[str, str] | None = None, **params: str
) -> httpx.Response:
    return httpx.post(
        f"{server.url}/sparql",
        params=params,
        content=text.encode(),
        timeout=60,
        headers={
            "Content-Type": "application/sparql-update",
            **(server.auth() if headers is None else headers),
        },
    )


def store_put(
    server: Server, graph: dict[str, str], body: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    """A Graph Store PUT with the token (Turtle unless ``headers`` say otherwise)."""
    sent = {"Content-Type": "text/turtle", **(headers or {}), **server.auth()}
    return httpx.put(f"{server.url}/store", params=graph, content=body, headers=sent, timeout=30)


def version(server: Server) -> str:
    return str(httpx.get(f"{server.url}/health", timeout=10).json()["data_version"])


def test_writes_are_off_without_a_token(server: Server) -> None:
    response = update(server, "INSERT DATA { <http://e/a> <http://e/b> 1 }", headers={})
    assert (response.status_code, response.json()["error"]) == (403, "writes-disabled")
    put = httpx.put(
        f"{server.url}/store",
        params={"graph": "http://e/g"},
        content=JAPAN,
        headers={"Content-Type": "text/turtle"},
        timeout=30,
    )
    assert put.status_code == 403


@pytest.mark.parametrize(
    "header", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}]
)
def test_a_write_without_the_right_bearer_token_is_401(
    writable: Server, header: dict[str, str]
) -> None:
    before = version(writable)
    response = update(writable, "INSERT DATA { <http://e/a> <http://e/b> 1 }", headers=header)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert version(writable) == before


def test_an_update_with_the_token_is_applied_and_seen_by_the_next_query(writable: Server) -> None:
    before = version(writable)
    response = update(
        writable,
        "INSERT DATA { GRAPH <http://example.org/notes> { <http://example.org/n1> <http://example.org/says> 'hello' } }",
    )
    assert response.status_code == 204
    assert response.headers["aikg-data-version"] != before
    assert ask(writable, "ASK { GRAPH <http://example.org/notes> { ?s ?p 'hello' } }")


def test_a_form_encoded_update_is_accepted(writable: Server) -> None:
    response = httpx.post(
        f"{writable.url}/sparql",
        headers=writable.auth(),
        timeout=60,
        data={
            "update": "INSERT DATA { GRAPH <http://example.org/notes> { <http://example.org/n2> <http://example.org/says> 'form' } }"
        },
    )
    assert response.status_code == 204
    assert ask(writable, "ASK { ?s ?p 'form' }")


def test_an_update_that_breaks_the_shapes_is_422_and_changes_nothing(writable: Server) -> None:
    before = version(writable)
    response = update(
        writable,
        """PREFIX aikg: <https://w3id.org/aikg/ontology#>
        DELETE { GRAPH ?g { <https://w3id.org/aikg/claim/h100-tesla-s1> aikg:quantity ?n } }
        INSERT { GRAPH ?g { <https://w3id.org/aikg/claim/h100-tesla-s1> aikg:quantity 0 } }
        WHERE { GRAPH ?g { <https://w3id.org/aikg/claim/h100-tesla-s1> aikg:quantity ?n } }""",
    )
    body = response.json()
    assert (response.status_code, body["error"]) == (422, "shacl-violation")
    [violation] = body["report"]["violations"]
    assert violation["focus_node"] == "https://w3id.org/aikg/claim/h100-tesla-s1"
    assert violation["source_shape"] == "https://w3id.org/aikg/shapes#HardwareHoldingShape-quantity"
    assert version(writable) == before
    assert ask(writable, "ASK { <claim/h100-tesla-s1> aikg:quantity 35000 }")


def test_using_graph_uri_sets_the_update_dataset(writable: Server) -> None:
    response = update(
        writable,
        """INSERT { GRAPH <http://example.org/copied> { ?c <http://example.org/held> ?n } }
        WHERE { ?c <https://w3id.org/aikg/ontology#quantity> ?n }""",
        **{"using-graph-uri": "https://w3id.org/aikg/graph/holdings"},
    )
    assert response.status_code == 204
    result = httpx.get(
        f"{writable.url}/sparql",
        timeout=30,
        params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/copied> { ?s ?p ?o } }"
        },
    )
    assert result.json()["results"]["bindings"][0]["n"]["value"] == "6"


def test_using_graph_uri_with_using_in_the_update_is_400(writable: Server) -> None:
    response = update(
        writable,
        "INSERT { ?s ?p ?o } USING <http://e/x> WHERE { ?s ?p ?o }",
        **{"using-graph-uri": "http://e/y"},
    )
    assert response.status_code == 400
    assert "names its own dataset" in response.json()["message"]


def test_graph_store_put_get_post_delete(writable: Server) -> None:
    target = {"graph": "https://w3id.org/aikg/graph/japan"}
    created = httpx.put(
        f"{writable.url}/store",
        params=target,
        content=JAPAN,
        timeout=60,
        headers={"Content-Type": "text/turtle", **writable.auth()},
    )
    assert created.status_code == 201
    replaced = httpx.put(
        f"{writable.url}/store",
        params=target,
        content=JAPAN,
        timeout=60,
        headers={"Content-Type": "text/turtle", **writable.auth()},
    )
    assert replaced.status_code == 204
    read = httpx.get(
        f"{writable.url}/store",
        params=target,
        timeout=30,
        headers={"Accept": "application/n-triples"},
    )
    assert read.headers["content-type"].startswith("application/n-triples")
    assert len(read.text.strip().splitlines()) == 3
    head = httpx.head(f"{writable.url}/store", params=target, timeout=30)
    assert (head.status_code, head.content) == (200, b"")
    merged = httpx.post(
        f"{writable.url}/store",
        params=target,
        timeout=60,
        content='<https://w3id.org/aikg/country/JP> <http://www.w3.org/2004/02/skos/core#altLabel> "Nippon"@en .',
        headers={"Content-Type": "application/n-triples", **writable.auth()},
    )
    assert merged.status_code == 204
    assert ask(writable, 'ASK { GRAPH <graph/japan> { <country/JP> skos:altLabel "Nippon"@en } }')
    deleted = httpx.delete(
        f"{writable.url}/store", params=target, headers=writable.auth(), timeout=60
    )
    assert deleted.status_code == 204
    assert httpx.get(f"{writable.url}/store", params=target, timeout=30).status_code == 404
    again = httpx.delete(
        f"{writable.url}/store", params=target, headers=writable.auth(), timeout=60
    )
    assert again.status_code == 404


def test_a_graph_store_write_that_breaks_the_shapes_is_422_and_changes_nothing(
    writable: Server,
) -> None:
    before = version(writable)
    response = httpx.put(
        f"{writable.url}/store",
        params={"graph": "https://w3id.org/aikg/graph/bad"},
        content=NAMELESS_COUNTRY,
        timeout=60,
        headers={"Content-Type": "text/turtle", **writable.auth()},
    )
    assert response.status_code == 422
    paths = {v["path"] for v in response.json()["report"]["violations"]}
    assert "http://www.w3.org/2000/01/rdf-schema#label" in paths
    assert version(writable) == before
    assert not ask(writable, "ASK { GRAPH <graph/bad> { ?s ?p ?o } }")


def test_a_graph_store_write_with_an_ill_formed_literal_is_422_and_changes_nothing(
    writable: Server,
) -> None:
    before = version(writable)
    response = store_put(
        writable,
        {"graph": "https://w3id.org/aikg/graph/notes"},
        b"<https://w3id.org/aikg/note/1> <http://www.w3.org/2000/01/rdf-schema#comment> "
        b'"twelve"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        {"Content-Type": "application/n-triples"},
    )
    assert response.status_code == 422
    [violation] = response.json()["report"]["violations"]
    assert violation["source_shape"] == "https://w3id.org/aikg/shapes#LiteralFormCheck"
    assert violation["message"].startswith('"twelve" is not an xsd:integer: write it in digits')
    assert version(writable) == before
    assert not ask(writable, "ASK { GRAPH <graph/notes> { ?s ?p ?o } }")


def test_a_graph_store_write_honours_its_preconditions(writable: Server) -> None:
    """``If-None-Match: *`` creates and never replaces, ``If-Match: *`` writes only to a
    graph that exists; a tag in ``If-Match`` never holds (aikg's ETags are weak) and one
    in ``If-None-Match`` holds once the graph has changed. A 412 changes nothing."""
    target = {"graph": "https://w3id.org/aikg/graph/conditional"}
    note = '<https://w3id.org/aikg/note/{n}> <http://www.w3.org/2000/01/rdf-schema#comment> "{n}" .'

    def body(n: int) -> bytes:
        return note.format(n=n).encode()

    def held() -> list[str]:
        found = httpx.get(
            f"{writable.url}/store",
            params=target,
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        return found.text.split() if found.status_code == 200 else []

    def refused(response: httpx.Response, header: str) -> None:
        assert response.status_code == 412, response.text
        assert response.json()["error"] == "precondition-failed"
        assert response.json()["where"].startswith(header)

    nt = {"Content-Type": "application/n-triples"}
    before = version(writable)
    refused(store_put(writable, target, body(1), {**nt, "If-Match": "*"}), "header If-Match")
    assert (held(), version(writable)) == ([], before)
    assert store_put(writable, target, body(1), {**nt, "If-None-Match": "*"}).status_code == 201
    refused(store_put(writable, target, body(2), {**nt, "If-None-Match": "*"}), "header If-None")
    assert held()[2] == '"1"'
    # The ETag of what was read: If-Match never holds, If-None-Match holds once it changes.
    etag = httpx.get(f"{writable.url}/store", params=target, timeout=30).headers["ETag"]
    refused(store_put(writable, target, body(2), {**nt, "If-Match": etag}), "header If-Match")
    refused(store_put(writable, target, body(2), {**nt, "If-None-Match": etag}), "header If-None")
    assert held()[2] == '"1"'
    assert store_put(writable, target, body(2), {**nt, "If-Match": "*"}).status_code == 204
    assert store_put(writable, target, body(3), {**nt, "If-None-Match": etag}).status_code == 204
    assert held()[2] == '"3"'
    both = {**nt, "If-Match": "*", "If-None-Match": "*"}
    refused(store_put(writable, target, body(4), both), "headers If-Match")
    # An empty header names no condition (a fuzzer's find: it was a 412).
    empty = {**nt, "If-Match": "", "If-None-Match": ""}
    assert store_put(writable, target, body(3), empty).status_code == 204

    def delete(headers: dict[str, str]) -> httpx.Response:
        sent = {**headers, **writable.auth()}
        return httpx.delete(f"{writable.url}/store", params=target, headers=sent, timeout=30)

    refused(delete({"If-None-Match": "*"}), "header If-None-Match")
    assert held()[2] == '"3"'
    assert delete({"If-Match": "*"}).status_code == 204
    refused(delete({"If-Match": "*"}), "header If-Match")  # a 412 before a 404
    assert delete({}).status_code == 404
    spec = httpx.get(f"{writable.url}/openapi.json", timeout=30).json()
    for method in ("put", "post", "delete"):
        named = {p["name"] for p in spec["paths"]["/store"][method]["parameters"]}
        assert {"If-Match", "If-None-Match"} <= named, method
        assert "412" in spec["paths"]["/store"][method]["responses"], method


def test_the_graph_store_reads_the_graph_it_wrote_whatever_its_iri_s_scheme(
    writable: Server,
) -> None:
    """graph:notes is an absolute IRI to the protocol: a read expanded it as aikg's short
    name for .../graph/notes, and so read another graph than the write had written."""
    target = {"graph": "graph:notes"}
    triple = b'<https://w3id.org/aikg/note/9> <http://www.w3.org/2000/01/rdf-schema#comment> "n" .'
    written = store_put(writable, target, triple, {"Content-Type": "application/n-triples"})
    assert written.status_code == 201
    read = httpx.get(
        f"{writable.url}/store",
        params=target,
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert read.text.strip() == triple.decode()
    deleted = httpx.delete(
        f"{writable.url}/store", params=target, headers=writable.auth(), timeout=30
    )
    assert deleted.status_code == 204


def test_post_to_the_store_creates_a_graph_and_says_where(writable: Server) -> None:
    response = httpx.post(
        f"{writable.url}/store",
        content=JAPAN,
        timeout=60,
        headers={"Content-Type": "text/turtle", **writable.auth()},
    )
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith("https://w3id.org/aikg/graph/")
    read = httpx.get(
        f"{writable.url}/store",
        params={"graph": location},
        timeout=30,
        headers={"Accept": "text/turtle"},
    )
    assert (rdflib.URIRef("https://w3id.org/aikg/country/JP"), None, None) in rdflib.Graph().parse(
        data=read.text, format="turtle"
    )
    # The new graph does not exist before: If-None-Match: * holds, If-Match never does.
    before = version(writable)
    for condition, status in [({"If-Match": "*"}, 412), ({"If-Match": '"x"'}, 412)]:
        refused = httpx.post(
            f"{writable.url}/store",
            content=JAPAN,
            timeout=60,
            headers={"Content-Type": "text/turtle", **condition, **writable.auth()},
        )
        assert refused.status_code == status, condition
    assert version(writable) == before
    created = httpx.post(
        f"{writable.url}/store",
        content=JAPAN,
        timeout=60,
        headers={"Content-Type": "text/turtle", "If-None-Match": "*", **writable.auth()},
    )
    assert created.status_code == 201


def test_graph_store_errors(writable: Server) -> None:
    no_graph = httpx.get(f"{writable.url}/store", timeout=30)
    assert no_graph.status_code == 400
    both = httpx.get(
        f"{writable.url}/store", params={"graph": "http://e/g", "default": ""}, timeout=30
    )
    assert both.status_code == 400
    wrong_type = httpx.put(
        f"{writable.url}/store",
        params={"graph": "http://e/g"},
        content=b"x",
        headers={"Content-Type": "text/plain", **writable.auth()},
        timeout=30,
    )
    assert wrong_type.status_code == 415
    broken = httpx.put(
        f"{writable.url}/store",
        params={"graph": "http://e/g"},
        timeout=30,
        content=b"<http://e/a> <http://e/b> .",
        headers={"Content-Type": "text/turtle", **writable.auth()},
    )
    assert (broken.status_code, broken.json()["line"]) == (400, 1)


def test_writes_from_another_origin_are_refused(writable: Server) -> None:
    response = update(
        writable,
        "INSERT DATA { <http://e/a> <http://e/b> 2 }",
        headers={**writable.auth(), "Origin": "https://evil.example"},
    )
    assert (response.status_code, response.json()["error"]) == (403, "writes-disabled")


@pytest.mark.server
def test_writes_to_a_persistent_store_survive_a_restart(tmp_path: Path) -> None:
    env = {"AIKG_TOKEN": TOKEN, "AIKG_STORE": str(tmp_path / "store")}
    with running_server(env) as first:
        assert (
            update(
                first,
                "INSERT DATA { GRAPH <http://example.org/kept> { <http://example.org/a> <http://example.org/b> 'kept' } }",
            ).status_code
            == 204
        )
    with running_server(env) as second:
        assert ask(second, "ASK { GRAPH <http://example.org/kept> { ?s ?p 'kept' } }")
        assert ask(second, "ASK { <claim/h100-korea-s1> aikg:quantity 2000 }")
        # The name index beside the store, read by forked workers through their own
        # connection.
        found = httpx.get(f"{second.url}/search", params={"q": "한국"}, timeout=30).json()
        assert found["results"][0]["iri"] == "https://w3id.org/aikg/country/KR"


def test_clear_of_an_unknown_graph_succeeds_and_drop_of_one_is_400(writable: Server) -> None:
    assert update(writable, "CLEAR GRAPH <http://example.org/never-seen>").status_code == 204
    response = update(writable, "DROP GRAPH <http://example.org/never-seen>")
    assert (response.status_code, response.json()["error"]) == (400, "bad-request")
    assert "nothing was changed" in response.json()["message"]


def test_an_empty_graph_of_a_store_on_disk_can_be_deleted(tmp_path: Path) -> None:
    """A write to a store on disk is tried on a copy in memory first: the copy must hold
    the empty graphs too, or deleting one is refused as deleting no graph."""
    from aikg import KnowledgeGraph  # noqa: PLC0415
    from aikg.config import Settings  # noqa: PLC0415
    from aikg.workers import jobs  # noqa: PLC0415

    graph = "http://example.org/empty"
    with KnowledgeGraph.open(Settings(store=str(tmp_path / "store"))) as kg:
        assert jobs.put_graph(kg, False, graph, b"") == {"created": True, "triples": 0}
        assert kg.store.has_graph(graph)
        assert jobs.delete_graph(kg, True, graph) == {"deleted": True}  # the dry run
        assert jobs.delete_graph(kg, False, graph) == {"deleted": True}
        assert not kg.store.has_graph(graph)


def test_an_empty_graph_made_or_dropped_is_a_new_data_version(writable: Server) -> None:
    """No quad changes, but the dataset does: an answer cached for the version before
    (here, how many graphs there are) must not be given after, nor a 304 for the graph
    that is gone."""
    count = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { } }"

    def graphs() -> int:
        answer = httpx.get(f"{writable.url}/sparql", params={"query": count}, timeout=30)
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    store = f"{writable.url}/store"
    graph = {"graph": "http://example.org/made-empty"}
    before, held = version(writable), graphs()
    made = store_put(writable, graph, b"")
    assert made.status_code == 201
    assert version(writable) != before
    assert graphs() == held + 1
    etag = httpx.get(store, params=graph, timeout=30).headers["etag"]
    dropped = httpx.delete(store, params=graph, timeout=30, headers=writable.auth())
    assert dropped.status_code == 204
    assert version(writable) == before  # the same dataset as before: the same version
    assert graphs() == held
    gone = httpx.get(store, params=graph, timeout=30, headers={"If-None-Match": etag})
    assert gone.status_code == 404


def test_the_graph_store_reads_what_http_says(writable: Server) -> None:
    """HEAD says how long the GET's body is; ``If-None-Match: *`` is a 304 for a graph
    that is there and a 404 for one that is not."""
    store = f"{writable.url}/store"
    graph = {"graph": "https://w3id.org/aikg/graph/countries"}
    got = httpx.get(store, params=graph, timeout=30)
    head = httpx.head(store, params=graph, timeout=30)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(got.content)) != "0"
    assert head.headers["etag"] == got.headers["etag"]
    asked = {"query": "ASK { ?s ?p ?o }"}
    answer = httpx.get(f"{writable.url}/sparql", params=asked, timeout=30)
    head = httpx.head(f"{writable.url}/sparql", params=asked, timeout=30)
    assert head.headers["content-length"] == str(len(answer.content))
    star = {"If-None-Match": "*"}
    assert httpx.get(store, params=graph, headers=star, timeout=30).status_code == 304
    never = {"graph": "http://example.org/never-made"}
    assert httpx.get(store, params=never, headers=star, timeout=30).status_code == 404


@pytest.mark.parametrize(
    ("params", "headers", "body", "status", "says"),
    [
        (
            {"graph": "http://example.org/gz"},
            {"Content-Type": "text/turtle", "Content-Encoding": "gzip"},
            gzip.compress(b'<http://example.org/a> <http://example.org/p> "gz" .\n', mtime=0),
            415,
            "Content-Encoding: gzip",
        ),
        (
            {"graph": "http://example.org/br"},
            {"Content-Type": "text/turtle", "Content-Encoding": "br"},
            b'<http://example.org/a> <http://example.org/p> "br" .\n',
            415,
            "Content-Encoding: br",
        ),
        (
            {"graph": "http://example.org/latin"},
            {"Content-Type": "text/turtle; charset=iso-8859-1"},
            b'<http://example.org/a> <http://example.org/p> "caf\xe9" .\n',
            415,
            "charset iso-8859-1",
        ),
        (
            {"graph": ""},
            {"Content-Type": "text/turtle"},
            b'<http://example.org/a> <http://example.org/p> "x" .\n',
            400,
            "graph '' is no graph IRI",
        ),
        (
            {"graph": "<http://example.org/angled>"},
            {"Content-Type": "text/turtle"},
            b'<http://example.org/a> <http://example.org/p> "x" .\n',
            400,
            "is no graph IRI",
        ),
    ],
)
def test_a_graph_store_write_it_cannot_read_as_sent_changes_nothing(
    writable: Server,
    params: dict[str, str],
    headers: dict[str, str],
    body: bytes,
    status: int,
    says: str,
) -> None:
    before = version(writable)
    answer = store_put(writable, params, body, headers)
    assert answer.status_code == status, answer.text
    assert says in answer.json()["message"]
    assert answer.json()["hint"]
    assert version(writable) == before


def test_a_byte_order_mark_before_the_triples_is_no_part_of_them(writable: Server) -> None:
    graph = {"graph": "http://example.org/bom"}
    body = b'\xef\xbb\xbf<http://example.org/a> <http://example.org/p> "bom" .\n'
    made = store_put(writable, graph, body)
    assert made.status_code == 201, made.text
    assert ask(writable, 'ASK { GRAPH <http://example.org/bom> { ?s ?p "bom" } }')
    httpx.delete(f"{writable.url}/store", params=graph, headers=writable.auth(), timeout=30)


def test_a_refusal_names_a_bundled_file_as_the_repository_does(writable: Server) -> None:
    """Emptying the countries leaves claims about them without their subject: the 422
    names the file the broken data is in as the repository names it, never by where the
    server's package is installed."""
    answer = store_put(writable, {"graph": "https://w3id.org/aikg/graph/countries"}, b"")
    assert answer.status_code == 422
    # (A graph an earlier test wrote comes from no file: None.)
    files = {v["file"] for v in answer.json()["report"]["violations"]} - {None}
    assert files and all(f.startswith("data/triples/") for f in files), files
    assert answer.json()["where"].startswith("data/triples/")


def test_the_graph_store_gives_json_ld_in_the_form_asked_for(writable: Server) -> None:
    expanded = "http://www.w3.org/ns/json-ld#expanded"
    answer = httpx.get(
        f"{writable.url}/store",
        params={"graph": "https://w3id.org/aikg/graph/countries"},
        headers={"Accept": f'application/ld+json; profile="{expanded}"'},
        timeout=30,
    )
    assert answer.status_code == 200
    assert expanded in answer.headers["content-type"]
    body = answer.json()
    assert isinstance(body, list) and all("@id" in node for node in body)


def test_a_write_cut_short_before_its_derived_data_is_derived_again_when_the_store_opens(
    tmp_path: Path,
) -> None:
    """The engine commits a write at once; the inferred graph and the name index follow
    it. A process killed in between (here: as it begins to derive) left both behind the
    data for good (search found nothing of what the write added); the next opening now
    derives them again."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from aikg import KnowledgeGraph, Settings  # noqa: PLC0415

    store = tmp_path / "store"
    KnowledgeGraph.open(Settings(store=str(store))).close()
    dies = (
        "import os, sys; from aikg import KnowledgeGraph, Settings; "
        "from aikg.workers import jobs; "
        "KnowledgeGraph.derive = lambda self, **kwargs: os._exit(9); "
        "kg = KnowledgeGraph.open(Settings(store=sys.argv[1])); "
        'jobs.update(kg, False, "INSERT DATA { GRAPH <graph/extra> { '
        "company:qwxyz a aikg:Company ; rdfs:label 'Qwxyz Labs'@en } }\")"
    )
    assert subprocess.run([sys.executable, "-c", dies, str(store)], check=False).returncode == 9
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        assert [m.label for m in kg.search("qwxyz")] == ["Qwxyz Labs"]
        inferred = kg.store.inferred_graph
        assert (
            kg.query(f"ASK {{ GRAPH <{inferred}> {{ company:qwxyz a aikg:Organization }} }}")
            is True
        )
        assert kg.store.names is not None and not kg.store.names.write_pending()


def test_a_write_whose_derivation_failed_keeps_its_mark_through_later_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mark of a write not followed by what is derived stays until the store next
    opens: a later write, which derives only what it touches, must not clear it."""
    from aikg import KnowledgeGraph, Settings  # noqa: PLC0415
    from aikg.workers import jobs  # noqa: PLC0415

    settings = Settings(store=str(tmp_path / "store"))
    with KnowledgeGraph.open(settings) as kg:
        derive = KnowledgeGraph.derive

        def fails(self: KnowledgeGraph, **kwargs: object) -> None:
            raise RuntimeError("derivation failed")

        monkeypatch.setattr(KnowledgeGraph, "derive", fails)
        with pytest.raises(RuntimeError):
            jobs.update(
                kg, False, "INSERT DATA { GRAPH <graph/a> { company:zqa rdfs:label 'Zqa'@en } }"
            )
        monkeypatch.setattr(KnowledgeGraph, "derive", derive)
        jobs.update(
            kg, False, "INSERT DATA { GRAPH <graph/b> { company:zqb rdfs:label 'Zqb'@en } }"
        )
        assert kg.store.names is not None and kg.store.names.write_pending()
        assert [m.label for m in kg.search("zqa")] == []  # behind until the store reopens
    with KnowledgeGraph.open(settings) as kg:
        assert [m.label for m in kg.search("zqa")] == ["Zqa"]
        assert [m.label for m in kg.search("zqb")] == ["Zqb"]
        assert kg.store.names is not None and not kg.store.names.write_pending()
