"""Dumps as downloaders expect them: HEAD, gzip, Range and If-Range, strong ETags,
Last-Modified; resumed with curl's own ``-C -``; listed with sizes and checksums."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from aikg import KnowledgeGraph
from aikg.errors import NotAcceptableError
from aikg.web import create_app
from aikg.workers import jobs
from aikg.workers.dumps import DumpFiles
from tests.conftest import InlineService, require_program
from tests.server import Server

SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def test_head_gives_the_headers_of_get_without_a_body(app_client: TestClient) -> None:
    got = app_client.get("/dumps/aikg.nt", headers={"Accept-Encoding": "identity"})
    head = app_client.head("/dumps/aikg.nt", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    for name in ("etag", "last-modified", "content-length", "accept-ranges", "content-type"):
        assert head.headers[name] == got.headers[name]
    assert int(head.headers["content-length"]) == len(got.content)
    assert got.headers["etag"].startswith('"')  # strong: byte ranges need one


def test_gzip_by_accept_encoding_and_as_a_file_of_its_own(app_client: TestClient) -> None:
    plain = app_client.get("/dumps/aikg.nt", headers={"Accept-Encoding": "identity"}).content
    encoded = app_client.get(
        "/dumps/aikg.nt", headers={"Accept-Encoding": "gzip"}, follow_redirects=False
    )
    assert encoded.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in encoded.headers["vary"]
    assert encoded.content == plain  # httpx decodes it: the same bytes
    packed = app_client.get("/dumps/aikg.nt.gz")
    assert packed.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in packed.headers
    assert gzip.decompress(packed.content) == plain
    assert len(packed.content) < len(plain) / 5


def test_ranges_if_range_and_past_the_end(app_client: TestClient) -> None:
    whole = app_client.get("/dumps/aikg.ttl", headers={"Accept-Encoding": "identity"})
    size, etag = len(whole.content), whole.headers["etag"]
    part = app_client.get(
        "/dumps/aikg.ttl", headers={"Range": "bytes=100-199", "Accept-Encoding": "identity"}
    )
    assert part.status_code == 206 and part.content == whole.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    tail = app_client.get(
        "/dumps/aikg.ttl",
        headers={"Range": "bytes=-50", "If-Range": etag, "Accept-Encoding": "identity"},
    )
    assert tail.status_code == 206 and tail.content == whole.content[-50:]
    stale = app_client.get(
        "/dumps/aikg.ttl",
        headers={"Range": "bytes=0-9", "If-Range": '"another"', "Accept-Encoding": "identity"},
    )
    assert stale.status_code == 200 and stale.content == whole.content  # the whole, afresh
    past = app_client.get(
        "/dumps/aikg.ttl", headers={"Range": f"bytes={size}-", "Accept-Encoding": "identity"}
    )
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{size}"
    same = app_client.get(
        "/dumps/aikg.ttl", headers={"If-None-Match": etag, "Accept-Encoding": "identity"}
    )
    assert same.status_code == 304
    missing = app_client.get("/dumps/aikg.csv.gz")
    assert missing.status_code == 404 and "aikg.nt.gz" in missing.json()["hint"]


def dump_sizes(app_client: TestClient) -> dict[str, tuple[int, str]]:
    """Each dump the VoID description lists: its byte size and SHA-256, by file name."""
    void = rdflib.Graph().parse(
        data=app_client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text,
        format="turtle",
    )
    sizes = {}
    for dist in void.subjects(rdflib.RDF.type, DCAT.Distribution):
        url = str(void.value(dist, DCAT.downloadURL))
        checksum = void.value(dist, SPDX.checksum)
        sizes[url.rsplit("/", 1)[1]] = (
            int(void.value(dist, DCAT.byteSize)),  # type: ignore[arg-type]
            str(void.value(checksum, SPDX.checksumValue)),
        )
    return sizes


def test_void_lists_every_dump_and_its_gzip_copy_with_size_and_checksum(
    app_client: TestClient,
) -> None:
    sizes = dump_sizes(app_client)
    assert {"aikg.nt", "aikg.nt.gz", "aikg.jsonld.gz", "aikg.ttl.gz"} <= set(sizes)
    for name in ("aikg.nt", "aikg.nt.gz", "aikg.jsonld"):
        body = app_client.get(f"/dumps/{name}", headers={"Accept-Encoding": "identity"}).content
        assert sizes[name] == (len(body), hashlib.sha256(body).hexdigest())


def test_a_dump_the_data_cannot_be_written_in_says_why_and_void_leaves_it_out() -> None:
    """An IRI JSON-LD cannot carry (``<schema:foo>``, read back as a compact IRI): the
    JSON-LD dump is refused with what to do, and the VoID description, which lists every
    dump, lists the others instead of failing with it."""
    kg = KnowledgeGraph.load()
    jobs.update(
        kg, False, "INSERT DATA { GRAPH <graph/r> { <thing/r> rdfs:seeAlso <schema:foo> } }"
    )
    with TestClient(create_app(kg.settings, service=InlineService(kg))) as client:
        refused = client.get("/dumps/aikg.jsonld")
        assert refused.status_code == 406 and "<schema:foo>" in refused.json()["message"]
        sizes = dump_sizes(client)
    assert "aikg.jsonld" not in sizes and "aikg.jsonld.gz" not in sizes
    assert {"aikg.nq", "aikg.nq.gz", "aikg.ttl"} <= set(sizes)


def test_xml_carries_a_carriage_return_and_refuses_what_it_cannot_hold() -> None:
    """XML 1.0 reads a raw carriage return and line feed back as a line feed, and cannot
    hold a NUL at all: RDF/XML writes the one as a reference, and refuses the other (406,
    with the formats that can carry it) in every place it is written, as SPARQL results
    in XML do; the VoID description lists the dumps that could be written."""
    kg = KnowledgeGraph.load()
    jobs.update(kg, False, "INSERT DATA { GRAPH <graph/r> { <thing/r> rdfs:comment 'a\\r\\nb' } }")
    comment = rdflib.URIRef(kg.settings.base_iri + "thing/r")
    for xml in (kg.export("xml"), kg.export("xml", graph="graph/r")):
        read = rdflib.Graph().parse(data=xml, format="xml")
        assert [str(o) for o in read.objects(comment, rdflib.RDFS.comment)] == ["a\r\nb"]
    jobs.update(kg, False, "INSERT DATA { GRAPH <graph/r> { <thing/r> rdfs:comment 'c\\u0000d' } }")
    with TestClient(create_app(kg.settings, service=InlineService(kg))) as client:
        for path in ("/dumps/aikg.rdf", "/doc/thing/r.rdf", "/store?graph=graph/r&format=xml"):
            refused = client.get(path, headers={"Accept": "application/rdf+xml"})
            assert refused.status_code == 406, path
            assert "U+0000" in refused.json()["message"] and "N-Quads" in refused.json()["hint"]
        asked = "SELECT ?c WHERE { <thing/r> rdfs:comment ?c }"
        results = client.get("/sparql", params={"query": asked, "format": "xml"})
        assert results.status_code == 406 and "U+0000" in results.json()["message"]
        assert client.get("/sparql", params={"query": asked, "format": "json"}).status_code == 200
        sizes = dump_sizes(client)
    assert "aikg.rdf" not in sizes and "aikg.rdf.gz" not in sizes
    assert {"aikg.nq", "aikg.jsonld", "aikg.ttl"} <= set(sizes)


def test_curl_resumes_a_cut_download_to_the_same_bytes(server: Server, tmp_path: Path) -> None:
    curl = require_program("curl", "curl")
    url = f"{server.url}/dumps/aikg.nq"
    whole = tmp_path / "whole.nq"
    subprocess.run([curl, "-sf", "-o", str(whole), url], check=True)
    cut = tmp_path / "cut.nq"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])  # a download cut short
    done = subprocess.run(
        [curl, "-sf", "-C", "-", "-o", str(cut), "-w", "%{http_code}", url],
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout == "206"
    assert cut.read_bytes() == whole.read_bytes()
    head = subprocess.run([curl, "-sfI", url], check=True, capture_output=True, text=True)
    assert "accept-ranges: bytes" in head.stdout.lower()


def test_the_dump_directory_is_made_at_the_first_dump_and_goes_at_close() -> None:
    dumps = DumpFiles()
    assert dumps._directory is None  # a server that serves no dump leaves nothing behind
    raw, packed = dumps.get("v1", "nt", False, lambda: [b"<x:s> <x:p> <x:o> .\n"])
    directory = dumps.directory()
    assert raw.path.parent == directory and raw.path.read_bytes() == b"<x:s> <x:p> <x:o> .\n"
    assert gzip.decompress(packed.path.read_bytes()) == raw.path.read_bytes()
    dumps.close()
    assert not directory.exists()


def test_a_refused_dump_leaves_no_file_and_is_refused_again_without_writing_it() -> None:
    """A dump the data cannot be written in is refused at its first request; its partial
    file goes, and later requests for the same data version get the same refusal without
    writing it again (each would read the store up to where it failed)."""
    dumps = DumpFiles()

    def refused() -> Iterator[bytes]:
        yield b"<rdf:RDF>"
        raise NotAcceptableError("the data holds U+0000", hint="ask for N-Quads")

    def never() -> list[bytes]:
        raise AssertionError("written again")

    for produce in (refused, never):
        with pytest.raises(NotAcceptableError, match="U\\+0000"):
            dumps.get("v1", "rdf", False, produce)
    assert list(dumps.directory().iterdir()) == []
    raw, _ = dumps.get("v2", "rdf", False, lambda: [b"<rdf:RDF/>"])  # the data changed
    assert raw.path.read_bytes() == b"<rdf:RDF/>"
    dumps.close()


def test_void_the_sitemap_and_the_service_description_answer_if_none_match() -> None:
    """Each sends an ETag: sent back, it is a 304 without the body while the data is the
    same, and the whole body once a write changed it."""
    kg = KnowledgeGraph.load()
    with TestClient(create_app(kg.settings, service=InlineService(kg))) as client:
        paths = [("/.well-known/void", "text/turtle"), ("/sitemap.xml", "application/xml")]
        paths.append(("/sparql", "text/turtle"))
        tags = {}
        for path, accept in paths:
            first = client.get(path, headers={"Accept": accept})
            assert first.status_code == 200 and first.content, path
            tags[path] = first.headers["etag"]
            again = client.get(path, headers={"Accept": accept, "If-None-Match": tags[path]})
            assert (again.status_code, again.content) == (304, b""), path
            assert again.headers["etag"] == tags[path]
        jobs.update(kg, False, "INSERT DATA { GRAPH <graph/r> { <thing/r> rdfs:label 'R'@en } }")
        for path, accept in paths:
            after = client.get(path, headers={"Accept": accept, "If-None-Match": tags[path]})
            assert after.status_code == 200 and after.headers["etag"] != tags[path], path
