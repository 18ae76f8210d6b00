"""Pages through a running server (its query workers) and ``aikg.Client``: read page after
page with a row limit of 7, they hold exactly the whole answer; a write between two pages
is noticed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import httpx
import pytest
from rdflib.term import BNode, Node

from aikg import Client, KnowledgeGraph, SelectResult
from aikg.errors import DataChangedError, ParameterError
from tests.server import Server, running_server
from tests.test_pages import PAGE, QUERIES, WHOLE
from tests.test_writes import JAPAN, TOKEN

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def small_server() -> Iterator[Server]:
    """A writable server on the bundled data with a row limit of 7."""
    with running_server(
        {"AIKG_MAX_ROWS": str(PAGE), "AIKG_TOKEN": TOKEN, "AIKG_QUERY_TIMEOUT": "10"}
    ) as server:
        yield server


def python_rows(found: Iterable[dict[str, Node]]) -> Counter[tuple[tuple[str, str], ...]]:
    """The rows, each as its (variable, term) pairs; a blank node as ``_:`` (the server's
    store names them otherwise than this process's)."""
    return Counter(
        tuple(sorted((k, "_:" if isinstance(v, BNode) else v.n3()) for k, v in row.items()))
        for row in found
    )


CLIENT_QUERIES = list(QUERIES.values())


@pytest.mark.parametrize("query", CLIENT_QUERIES)
def test_the_clients_pages_hold_the_whole_answer(
    small_server: Server, kg: KnowledgeGraph, query: str
) -> None:
    with Client(small_server.url) as client:
        pages = list(client.pages(query))
    whole = kg.query(query, max_rows=WHOLE)
    assert isinstance(whole, SelectResult)
    assert python_rows(row for page in pages for row in page) == python_rows(whole)
    assert [p.page for p in pages] == list(range(1, len(pages) + 1))
    assert all(len(p) == PAGE and p.next_page == p.page + 1 for p in pages[:-1])
    assert (pages[-1].next_page, pages[-1].truncated) == (None, False)


@pytest.mark.parametrize("name", ["claims", "entities", "companies-by-country"])
def test_the_clients_saved_pages_hold_the_whole_answer(
    small_server: Server, kg: KnowledgeGraph, name: str
) -> None:
    with Client(small_server.url) as client:
        pages = list(client.saved_pages(name))
        second = client.saved(name, page=2)
    whole = kg.saved(name)
    assert isinstance(whole, SelectResult) and whole.next_page is None
    assert python_rows(row for page in pages for row in page) == python_rows(whole)
    assert python_rows(second) == python_rows(pages[1])
    assert len(pages) == -(-len(whole) // PAGE)


def test_the_client_refuses_bad_pages_with_the_servers_message(small_server: Server) -> None:
    with Client(small_server.url) as client:
        with pytest.raises(ParameterError, match="pages are numbered from 1"):
            client.query(QUERIES["DISTINCT"], page=0)
        with pytest.raises(ParameterError, match="page 999 is past the end") as caught:
            client.saved("entities", page=999)
        assert caught.value.where == "parameter 'page'"
        # Refused before any worker ran it: the server refuses the same over HTTP.
        response = httpx.get(f"{small_server.url}/queries/entities", params={"page": "x"})
        assert (response.status_code, response.json()["where"]) == (400, "parameter 'page'")


def test_a_write_between_two_pages_is_noticed(small_server: Server) -> None:
    query = "SELECT ?s WHERE { ?s a aikg:Country }"
    with Client(small_server.url, token=TOKEN) as client:
        pages = client.pages(query)
        first = next(pages)
        assert first.next_page == 2
        response = client.http.put(
            "/store",
            params={"graph": "https://w3id.org/aikg/graph/japan"},
            content=JAPAN.encode(),
            headers={"Content-Type": "text/turtle"},
        )
        assert response.status_code in (201, 204), response.text
        with pytest.raises(DataChangedError) as caught:
            next(pages)
        assert (caught.value.status, caught.value.where) == (409, "AIKG-Data-Version")
        # Read again from the first page, the pages fit together (Japan among them).
        labels = [str(r["s"]) for page in client.pages(query) for r in page]
        assert "https://w3id.org/aikg/country/JP" in labels
        assert len(labels) == len(set(labels))


def test_a_long_posted_query_pages_without_repeating_itself_in_every_header(
    small_server: Server,
) -> None:
    """The links to a POSTed query's other pages carry its text. Past 8,000 characters
    they are left out (httpx refuses 100 KB of headers: a 37 KB query failed on its
    second page); ``AIKG-Next-Page`` still says which page follows, and the client reads
    every page."""
    iris = [f"<https://w3id.org/aikg/test/long-query-{i:04d}>" for i in range(300)]
    query = f"SELECT ?c WHERE {{ VALUES ?c {{ {' '.join(iris)} }} }}"
    assert len(query) > 12_000
    response = httpx.post(
        f"{small_server.url}/sparql",
        params={"page": "2"},
        content=query.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    assert response.status_code == 200
    assert (response.headers["aikg-page"], response.headers["aikg-next-page"]) == ("2", "3")
    link = response.headers.get("link", "")
    assert len(link) < 8_000 and "VALUES" not in link
    with Client(small_server.url) as client:
        pages = list(client.pages(query))
    assert len(pages) == -(-len(iris) // PAGE)
    assert sorted(str(row["c"]) for page in pages for row in page) == sorted(
        iri[1:-1] for iri in iris
    )
