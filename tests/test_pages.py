"""Pages of long SELECT answers: read page after page with a row limit of 7, they hold
exactly the whole answer (the same rows, as often as the whole answer has them), through
the Python API, the HTTP API (every format links to the next page) and the CLI."""

from __future__ import annotations

import os
import re
import shlex
from collections import Counter
from collections.abc import Iterable, Iterator
from urllib.parse import quote as url_quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib.term import Node

from aikg import KnowledgeGraph
from aikg.config import Settings
from aikg.errors import NotFoundError, ParameterError, QuerySyntaxError
from aikg.saved_queries import catalog
from aikg.sparql import execute
from aikg.sparql.execute import SelectResult
from aikg.sparql.paging import page_query, select_shape
from aikg.web import create_app
from tests.conftest import InlineService, remote_settings, require_program
from tests.test_cli import run
from tests.virtuoso import VirtuosoServer, running_virtuoso

PAGE = 7
JSON = {"Accept": "application/sparql-results+json"}
WHOLE = 10**6
REMOTE_PAGES = 5
"""The most pages a saved query's answer is read in on a remote store."""

QUERIES = {
    "no ORDER BY": "SELECT ?s ?label WHERE { ?s rdfs:label ?label }",
    "an ORDER BY that leaves ties": "SELECT ?c ?s WHERE { ?s a ?c } ORDER BY ?c",
    "DISTINCT": "SELECT DISTINCT ?c WHERE { ?s a ?c }",
    "duplicate rows": "SELECT ?c WHERE { ?s a ?c FILTER(STRSTARTS(STR(?c), STR(aikg:))) }",
    "unbound values": "SELECT ?s ?ko WHERE { ?s a ?c "
    'OPTIONAL { ?s rdfs:label ?ko FILTER(LANG(?ko) = "ko") } } ',
    "values of every kind in one column": "SELECT ?o WHERE { ?s ?p ?o "
    "FILTER(?p IN (rdfs:label, aikg:quantity, aikg:rank, aikg:subject, rdf:type)) }",
    "blank nodes": "SELECT ?s ?p WHERE { ?s ?p ?o FILTER(isBlank(?s)) }",
    "an aggregate": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "an aggregate ordered by a key it does not project": "SELECT ?s "
    '(GROUP_CONCAT(?c; SEPARATOR=" ") AS ?types) WHERE { ?s a ?c ; rdfs:label ?l } '
    "GROUP BY ?s ?l ORDER BY ?l",
    "SELECT *": "SELECT * WHERE { ?s aikg:subject ?o }",
    "its own LIMIT and OFFSET": "SELECT ?s ?c WHERE { ?s a ?c } ORDER BY ?c ?s LIMIT 30 OFFSET 3",
    "a closing VALUES": "SELECT ?s ?c WHERE { ?s a ?c } VALUES ?c { aikg:Country schema:Quotation }",
    "a comment at its end": "SELECT ?s WHERE { ?s a skos:Concept } # the concepts",
    "its own dataset": "SELECT ?s ?label FROM <https://w3id.org/aikg/graph/concepts> "
    "WHERE { ?s rdfs:label ?label } ORDER BY ?label",
}
SAVED = sorted(
    q.name
    for q in catalog().values()
    if q.kind == "select" and not any(p.required for p in q.params)
)


@pytest.fixture(scope="module")
def small_kg() -> KnowledgeGraph:
    """The bundled graph with a row limit of 7."""
    return KnowledgeGraph.load(settings=Settings().replace(max_rows=PAGE), validate=False)


@pytest.fixture(scope="module")
def small_app(small_kg: KnowledgeGraph) -> Iterator[TestClient]:
    with TestClient(create_app(small_kg.settings, service=InlineService(small_kg))) as client:
        yield client


def rows(body: bytes) -> Counter[tuple[tuple[str, str], ...]]:
    """The rows of a SPARQL JSON answer, each as its bound (variable, term) pairs."""
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return Counter(tuple((n, str(s[n])) for n in names if s[n] is not None) for s in parsed)


def result_rows(pages: list[bytes]) -> Counter[tuple[tuple[str, str], ...]]:
    total: Counter[tuple[tuple[str, str], ...]] = Counter()
    for body in pages:
        total += rows(body)
    return total


def quote(text: str) -> str:
    return url_quote(text, safe="")


def whole_answer(kg: KnowledgeGraph, query: str) -> bytes:
    answer = kg.serialize_query(query, "json", max_rows=WHOLE)
    assert answer.next_page is None
    return answer.body


# -- Python -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_pages_of_a_query_hold_its_whole_answer(small_kg: KnowledgeGraph, query: str) -> None:
    pages = list(small_kg.pages(query))
    whole = small_kg.query(query, max_rows=WHOLE)
    assert isinstance(whole, SelectResult) and whole.next_page is None
    assert python_rows(row for page in pages for row in page) == python_rows(whole)
    assert len(whole) > 2 * PAGE  # three pages at least: a middle one too
    assert [p.page for p in pages] == list(range(1, len(pages) + 1))
    assert all(len(p) == PAGE and p.next_page == p.page + 1 for p in pages[:-1])
    assert (pages[-1].next_page, pages[-1].truncated) == (None, False)
    assert 1 <= len(pages[-1]) <= PAGE


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("remote_kg", marks=pytest.mark.virtuoso, id="virtuoso"),
        pytest.param("oxigraph_kg", marks=pytest.mark.remote, id="oxigraph-serve"),
    ],
)
@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_pages_of_a_query_on_a_remote_store_hold_its_whole_answer(
    request: pytest.FixtureRequest, backend: str, query: str
) -> None:
    """A remote store reads a page as a subquery, the paging order around it: Virtuoso
    refuses the paging keys on an aggregate's name where the query stands, and answers
    nothing to a closing VALUES after a LIMIT."""
    remote: KnowledgeGraph = request.getfixturevalue(backend)
    kg = KnowledgeGraph.open(remote.settings.replace(max_rows=PAGE))
    pages = list(kg.pages(query))
    whole = kg.query(query, max_rows=WHOLE)
    assert isinstance(whole, SelectResult) and whole.next_page is None
    assert python_rows(row for page in pages for row in page) == python_rows(whole)
    assert len(pages) >= 3


def python_rows(found: Iterable[dict[str, Node]]) -> Counter[tuple[tuple[str, str], ...]]:
    return Counter(tuple(sorted((k, v.n3()) for k, v in row.items())) for row in found)


@pytest.mark.parametrize("name", SAVED)
def test_the_pages_of_a_saved_query_hold_its_whole_answer(
    small_kg: KnowledgeGraph, kg: KnowledgeGraph, name: str
) -> None:
    assert_pages_hold_the_whole_answer(small_kg, name)


def in_order(result: SelectResult) -> list[tuple[tuple[str, str], ...]]:
    return [tuple(sorted((k, v.n3()) for k, v in row.items())) for row in result]


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_reading_every_page_gives_each_page_as_asking_for_it_does(
    small_kg: KnowledgeGraph, query: str
) -> None:
    """``pages`` may slice an answer it read once: page N is still, row for row and in
    the same order, what ``query(page=N)`` answers."""
    pages = list(small_kg.pages(query))
    for page in pages:
        asked = small_kg.query(query, page=page.page)
        assert isinstance(asked, SelectResult)
        assert (in_order(page), page.next_page) == (in_order(asked), asked.next_page)


@pytest.mark.parametrize(
    ("name", "params"),
    [("claims", {}), ("companies-by-country", {}), ("readings", {}), ("recommendations", {})],
)
def test_reading_every_page_of_a_saved_query_gives_each_page_as_asking_for_it_does(
    small_kg: KnowledgeGraph, name: str, params: dict[str, str]
) -> None:
    pages = list(small_kg.saved_pages(name, **params))
    assert len(pages) >= 3
    for page in pages:
        asked = small_kg.saved(name, page=page.page, **params)
        assert isinstance(asked, SelectResult)
        assert (in_order(page), page.next_page) == (in_order(asked), asked.next_page)
        assert page.variables == asked.variables  # the label columns too


def engine_reads(kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the engine is given from now on, in order."""
    texts: list[str] = []
    run = kg.store.query

    def counted(sparql: str, **options: object) -> object:
        texts.append(sparql)
        return run(sparql, **options)

    monkeypatch.setattr(kg.store, "query", counted)
    return texts


ORDERED = (
    "SELECT ?s ?c WHERE { ?s a ?c FILTER (?c IN (aikg:Country, aikg:Company, aikg:Person)) } "
    "ORDER BY ?c"
)


def test_every_page_of_an_answer_sorted_here_is_read_from_one_reading_of_it(
    small_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_by_one = [in_order(small_kg.query(ORDERED, page=n)) for n in range(1, 4)]
    reads = engine_reads(small_kg, monkeypatch)
    pages = list(small_kg.pages(ORDERED))
    assert len(pages) >= 3
    assert len(reads) == 1
    assert [in_order(p) for p in pages[:3]] == one_by_one
    reads.clear()
    list(small_kg.pages(ORDERED.replace("ORDER BY ?c", "")))  # as it stands, then sorted
    assert len(reads) == 2


def test_a_window_of_its_own_within_what_is_kept_is_read_once_however_long_the_answer(
    small_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the query's own LIMIT is held, not the answer it is cut from."""
    query = "SELECT ?s ?c WHERE { ?s a ?c } ORDER BY ?c ?s LIMIT 20 OFFSET 3"
    one_by_one = [in_order(small_kg.query(query, page=n)) for n in range(1, 4)]
    monkeypatch.setattr(execute, "KEPT_VALUES", 2 * 23)  # the window and its offset
    reads = engine_reads(small_kg, monkeypatch)
    pages = list(small_kg.pages(query))
    assert len(reads) == 1
    assert [in_order(p) for p in pages] == one_by_one
    assert [len(p) for p in pages] == [7, 7, 6]


def test_a_saved_query_says_an_unknown_name_before_a_bad_page(small_kg: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match="no saved query 'nope'"):
        small_kg.saved("nope", page=0)
    with pytest.raises(NotFoundError, match="no saved query 'nope'"):
        next(small_kg.saved_pages("nope"))


def test_an_answer_longer_than_what_is_kept_is_read_again_for_each_page(
    small_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = small_kg.query(ORDERED, max_rows=WHOLE)
    monkeypatch.setattr(execute, "KEPT_VALUES", 2 * PAGE * 2)  # two pages of two columns
    reads = engine_reads(small_kg, monkeypatch)
    pages = list(small_kg.pages(ORDERED))
    assert len(pages) > 2
    assert len(reads) == len(pages)
    assert [row for page in pages for row in in_order(page)] == in_order(whole)


@pytest.mark.parametrize("name", SAVED)
def test_the_pages_of_a_saved_query_on_a_remote_store_hold_its_whole_answer(
    any_remote_kg: KnowledgeGraph, name: str
) -> None:
    """What a saved query adds to paging (an aggregate, a GROUP BY, many columns, its own
    ORDER BY), as each remote engine's compiler takes it: at scale every long answer is
    read this way, on the bundled data only with a small row limit. A remote engine
    computes the whole answer again for each page, so a long answer is read in at most
    :data:`REMOTE_PAGES` pages (``claims``, 434 rows, took 62 pages of 7 twice: 68 s)."""
    rows = any_remote_kg.serialize_saved(name, {}, "json", max_rows=WHOLE).rows
    size = max(PAGE, -(-rows // REMOTE_PAGES))
    with KnowledgeGraph.open(any_remote_kg.settings.replace(max_rows=size)) as kg:
        assert_pages_hold_the_whole_answer(kg, name, size)


CAP = 30
"""The row cap of ``capped_virtuoso``: above the graphs it lists (aikg's and its own)."""


@pytest.fixture(scope="module")
def capped_virtuoso() -> Iterator[VirtuosoServer]:
    """A Virtuoso whose row cap is aikg's row limit, as with Virtuoso's default settings
    (10,000 both): every page of a long answer (the limit and one row more) is cut by it
    and read again in windows the cap allows."""
    require_program("virtuoso-t", "virtuoso-opensource-7-bin")
    with running_virtuoso(http_port=0, sql_port=0, result_set_max_rows=CAP) as server:
        yield server


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", ["claims", "claims-by-source"])
def test_the_pages_of_a_saved_query_past_virtuosos_row_cap_hold_its_whole_answer(
    capped_virtuoso: VirtuosoServer, name: str
) -> None:
    """Each page read again past the cap sorts by the page's own order and by no column
    twice: a saved query of 14 columns would otherwise pass Virtuoso's 20 sort keys."""
    with KnowledgeGraph.open(remote_settings(capped_virtuoso, max_rows=CAP)) as kg:
        assert_pages_hold_the_whole_answer(kg, name, CAP)
        assert kg.saved(name).next_page == 2  # longer than a page: the cap cut each page


def assert_pages_hold_the_whole_answer(kg: KnowledgeGraph, name: str, size: int = PAGE) -> None:
    pages = list(kg.saved_pages(name))
    whole = kg.serialize_saved(name, {}, "json", max_rows=WHOLE)
    assert whole.next_page is None
    assert result_rows([page_json(kg, name, p.page) for p in pages]) == rows(whole.body)
    assert len(pages) == max(1, -(-whole.rows // size))
    assert pages[-1].next_page is None
    # The columns are the query's, in its order, on every page.
    columns = ox.parse_query_results(whole.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(columns, ox.QuerySolutions)
    assert {p.variables for p in pages} == {tuple(v.value for v in columns.variables)}


def page_json(kg: KnowledgeGraph, name: str, page: int) -> bytes:
    return kg.serialize_saved(name, {}, "json", page=page).body


def test_a_short_answer_is_one_page_in_the_engines_order(kg: KnowledgeGraph) -> None:
    query = "SELECT ?s WHERE { ?s a aikg:Country }"
    answer = kg.query(query)
    assert (answer.page, answer.next_page, answer.truncated) == (1, None, False)
    assert [r["s"] for r in answer] == [r["s"] for r in kg.query(query, page=1)]


def test_a_query_with_its_own_limit_is_paged_within_it(small_kg: KnowledgeGraph) -> None:
    query = "SELECT ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 17"
    assert [len(p) for p in small_kg.pages(query)] == [7, 7, 3]
    assert [len(p) for p in small_kg.pages(query.replace("17", "14"))] == [7, 7]


@pytest.mark.parametrize("bad", [0, -1, "x", "1.5", "", True])
def test_a_bad_page_number_is_refused_naming_the_parameter(
    small_kg: KnowledgeGraph, bad: object
) -> None:
    with pytest.raises(ParameterError) as caught:
        small_kg.query("SELECT * WHERE { ?s ?p ?o }", page=bad)  # type: ignore[arg-type]
    assert caught.value.where == "parameter 'page'"
    assert "pages are numbered from 1" in caught.value.message


def test_a_page_number_of_thousands_of_digits_is_past_the_end(small_kg: KnowledgeGraph) -> None:
    """Python reads no whole number past 4,300 digits: such a page was a ValueError."""
    assert small_kg.query("SELECT * WHERE { ?s ?p ?o }", page="0" * 30 + "1").page == 1
    for digits in (19, 4_300, 5_000):
        with pytest.raises(ParameterError) as caught:
            small_kg.query("SELECT * WHERE { ?s ?p ?o }", page="9" * digits)
        assert caught.value.where == "parameter 'page'"
        assert caught.value.message == (
            f"page 999999999999... ({digits:,} digits) is past the end of any answer"
        )


def test_a_page_past_the_end_is_refused_and_the_answer_stays_whole(
    small_kg: KnowledgeGraph,
) -> None:
    query = QUERIES["DISTINCT"]
    last = list(small_kg.pages(query))[-1].page
    with pytest.raises(ParameterError, match=f"page {last + 1} is past the end") as caught:
        small_kg.query(query, page=last + 1)
    assert caught.value.where == "parameter 'page'"
    assert small_kg.query(query, page=last).next_page is None


def test_ask_and_graphs_have_no_pages_past_the_first(small_kg: KnowledgeGraph) -> None:
    assert small_kg.query("ASK { ?s ?p ?o }", page=1) is True
    graph = small_kg.serialize_query("CONSTRUCT WHERE { ?s ?p ?o }", "nt")
    assert (graph.rows, graph.truncated) == (PAGE, True)  # cut and flagged, as before
    for query in ("ASK { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"):
        with pytest.raises(ParameterError, match="only SELECT answers have pages"):
            small_kg.query(query, page=2)
    with pytest.raises(ParameterError, match="only SELECT answers have pages"):
        list(small_kg.pages("ASK { ?s ?p ?o }"))


def test_a_syntax_error_is_placed_in_the_query_as_written(small_kg: KnowledgeGraph) -> None:
    with pytest.raises(Exception) as paged:
        small_kg.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s ?", page=2)
    with pytest.raises(Exception) as plain:
        small_kg.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s ?", max_rows=WHOLE)
    assert str(paged.value) == str(plain.value)


@pytest.mark.parametrize("window", ["LIMIT x", "OFFSET -1", "LIMIT 1.5", "LIMIT 2 LIMIT 3"])
@pytest.mark.parametrize("order", ["", "ORDER BY ?s "])
def test_a_window_the_engine_cannot_read_is_refused_not_paged_away(
    small_kg: KnowledgeGraph, window: str, order: str
) -> None:
    """Paging rewrites a query's LIMIT and OFFSET: one it cannot read reaches the engine
    as written and is refused there, instead of answered without it."""
    text = f"SELECT ?s WHERE {{ ?s ?p ?o }} {order}{window}"
    assert select_shape(text) is None
    with pytest.raises(QuerySyntaxError) as refused:
        small_kg.query(text, max_rows=10)
    assert refused.value.where is not None and refused.value.where.endswith(text)


def test_the_paging_order_keeps_the_querys_own_order_first() -> None:
    text = "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY DESC(?n)"
    paged = page_query(text, 3, 10)
    assert paged is not None
    assert paged.startswith(text + "\nSTR(?s) isIRI(?s)")
    assert paged.endswith(
        "STR(?n) isIRI(?n) DATATYPE(?n) LANG(?n) "
        "IF(isBlank(?n), ?n, ?aikg_unbound)\nOFFSET 20 LIMIT 11"
    )
    shape = select_shape("SELECT * { ?aikg_unbound ?p ?o } LIMIT 5 OFFSET 2 VALUES ?p { 1 }")
    assert shape is not None
    assert (shape.limit, shape.offset, shape.projected) == (5, 2, ("aikg_unbound", "o", "p"))
    assert "?aikg_unbound_)" in (page_query("SELECT * { ?aikg_unbound ?p ?o }", 1, 5) or "")


# -- HTTP ---------------------------------------------------------------------------------

NEXT = re.compile(r'<([^>]*)>; rel="next"')


def next_link(response: object) -> str | None:
    found = NEXT.search(response.headers.get("link", ""))  # type: ignore[attr-defined]
    return found.group(1) if found else None


def follow(client: TestClient, url: str, **kwargs: object) -> list[object]:
    """Every page from ``url`` on, by the Link headers, each checked as it comes."""
    responses = []
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    while True:
        assert response.status_code == 200, response.text
        responses.append(response)
        link = next_link(response)
        assert (response.headers["aikg-truncated"] == "true") == (link is not None)
        if link is None:
            return responses
        response = client.get(link, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_endpoints_pages_by_link_hold_the_whole_answer(
    small_app: TestClient, small_kg: KnowledgeGraph, query: str
) -> None:
    pages = follow(small_app, "/sparql?" + "query=" + quote(query), headers=JSON)
    assert result_rows([p.content for p in pages]) == rows(whole_answer(small_kg, query))  # type: ignore[attr-defined]
    assert [p.headers["aikg-page"] for p in pages] == [  # type: ignore[attr-defined]
        str(n) for n in range(1, len(pages) + 1)
    ]
    assert len({p.headers["etag"] for p in pages}) == len(pages)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["claims", "entities", "companies-by-country", "holdings"])
def test_a_saved_querys_pages_by_link_hold_the_whole_answer(
    small_app: TestClient, small_kg: KnowledgeGraph, name: str
) -> None:
    pages = follow(small_app, f"/queries/{name}", headers=JSON)
    whole = small_kg.serialize_saved(name, {}, "json", max_rows=WHOLE)
    assert result_rows([p.content for p in pages]) == rows(whole.body)  # type: ignore[attr-defined]
    assert len(pages) == max(1, -(-whole.rows // PAGE))


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml", "html"])
def test_every_format_links_to_the_next_page(small_app: TestClient, fmt: str) -> None:
    first = small_app.get("/queries/claims", params={"format": fmt})
    assert first.status_code == 200
    link = next_link(first)
    assert link is not None and link.startswith("/queries/claims?")
    assert "format=" + fmt in link and link.endswith("page=2")
    second = small_app.get(link)
    assert (second.status_code, second.headers["aikg-page"]) == (200, "2")
    assert "<" + "/queries/claims?format=" + fmt + '&page=1>; rel="prev"' in second.headers["link"]
    assert second.content != first.content


def test_the_html_pages_show_a_next_page_link_until_the_last(
    small_app: TestClient,
) -> None:
    for url in (
        "/queries/entities?format=html",
        "/sparql?format=html&query=" + quote(QUERIES["DISTINCT"]),
    ):
        page = small_app.get(url)
        assert 'rel="next"' in page.text and ">next page (2)</a>" in page.text
        pages = follow(small_app, url)
        last = pages[-1].text  # type: ignore[attr-defined]
        assert ">next page" not in last and ">previous page</a>" in last
        assert ", the last" in last


def test_the_html_page_of_a_query_too_long_to_link_says_more_rows_follow(
    small_app: TestClient,
) -> None:
    """Its next page has no link (the URL would carry the query): the page still says that
    one follows, and how to ask for it."""
    query = QUERIES["DISTINCT"] + "\n# " + "x" * 9_000
    page = small_app.post(
        "/sparql?format=html",
        content=query,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert (page.status_code, page.headers["aikg-next-page"]) == (200, "2")
    assert "page 1, more rows follow" in page.text and ", the last" not in page.text
    assert 'rel="next"' not in page.text
    assert "next page (2): send the query again with <code>page=2</code>" in page.text


def test_a_posted_query_links_to_its_next_page_as_a_get(
    small_app: TestClient, small_kg: KnowledgeGraph
) -> None:
    query = QUERIES["DISTINCT"]
    form = small_app.post("/sparql", data={"query": query, "page": "2"}, headers=JSON)
    body = small_app.post(
        "/sparql?page=2",
        content=query,
        headers={"Content-Type": "application/sparql-query", **JSON},
    )
    assert form.content == body.content
    assert (
        next_link(form)
        == next_link(body)
        == f"/sparql?query={quote(query)}&page=3".replace("%20", "+")
    )
    rest = follow(small_app, next_link(body) or "", headers=JSON)
    first = small_app.post("/sparql", data={"query": query}, headers=JSON)
    assert result_rows([first.content, body.content, *[p.content for p in rest]]) == rows(  # type: ignore[attr-defined]
        whole_answer(small_kg, query)
    )


@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5", "", "9999"])
def test_a_bad_page_is_a_400_naming_the_parameter(small_app: TestClient, bad: str) -> None:
    for url in ("/queries/claims", "/sparql"):
        params = {"page": bad, **({"query": QUERIES["DISTINCT"]} if url == "/sparql" else {})}
        response = small_app.get(url, params=params, headers=JSON)
        assert response.status_code == 400, response.text
        error = response.json()
        assert (error["error"], error["where"]) == ("invalid-parameter", "parameter 'page'")
        assert "link" not in response.headers
    twice = small_app.get("/queries/claims", params=[("page", "1"), ("page", "2")], headers=JSON)
    assert twice.status_code == 400
    assert twice.json()["error"] == "bad-request"
    assert twice.json()["message"] == "parameter 'page' is given 2 times"


def test_ask_and_graphs_keep_their_answers_without_pages(small_app: TestClient) -> None:
    ask = small_app.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
    assert ask.status_code == 200 and "aikg-page" not in ask.headers
    # Their only link is their permalink: no next or previous page.
    assert ask.headers["link"].count("<") == 1 and 'rel="cite-as"' in ask.headers["link"]
    graph = small_app.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert graph.headers["aikg-truncated"] == "true"
    assert graph.headers["link"].count("<") == 1 and 'rel="cite-as"' in graph.headers["link"]
    refused = small_app.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "page": "2"}
    )
    assert refused.status_code == 400
    assert "only SELECT answers have pages" in refused.json()["message"]


def test_a_page_is_part_of_the_etag(small_app: TestClient) -> None:
    first = small_app.get("/queries/claims", headers=JSON)
    second = small_app.get("/queries/claims", params={"page": "2"}, headers=JSON)
    assert first.headers["etag"] != second.headers["etag"]
    again = small_app.get(
        "/queries/claims",
        params={"page": "2"},
        headers={"If-None-Match": second.headers["etag"], **JSON},
    )
    assert again.status_code == 304
    other = small_app.get(
        "/queries/claims",
        params={"page": "3"},
        headers={"If-None-Match": second.headers["etag"], **JSON},
    )
    assert other.status_code == 200


def test_the_openapi_describes_the_page_parameter(small_app: TestClient) -> None:
    spec = small_app.get("/openapi.json").json()
    for path in ("/sparql", "/queries/claims"):
        parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert parameters["page"]["schema"]["minimum"] == 1
        assert 'rel="next"' in parameters["page"]["description"]


# -- the command line -----------------------------------------------------------------------


def cli_pages(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[list[str], list[str]]:
    """Run the command, then every next page it names on stderr; the outputs and the
    commands run."""
    outputs, commands = [], [shlex.join(["aikg", *argv])]
    while True:
        code, out = run(*argv)
        err = capsys.readouterr().err
        assert code == 0, err
        outputs.append(out)
        found = re.search(r"the next page: (AIKG_MAX_ROWS=(\d+) )?(aikg .*)$", err, re.M)
        if found is None:
            assert err == ""
            return outputs, commands
        # The row limit the pages were cut at goes with the command: the next page is
        # the rows after this one only under the same limit.
        assert found.group(2) == os.environ.get("AIKG_MAX_ROWS")
        commands.append(found.group(3))
        argv = shlex.split(found.group(3))[1:]


def test_the_cli_names_the_command_for_the_next_page_until_the_last(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, kg: KnowledgeGraph
) -> None:
    monkeypatch.setenv("AIKG_MAX_ROWS", str(PAGE))
    query = QUERIES["DISTINCT"]
    outputs, commands = cli_pages(capsys, ["query", query, "--format", "csv"])
    assert commands[1] == shlex.join(["aikg", "query", query, "--format", "csv", "--page", "2"])
    header = outputs[0].splitlines()[0]
    read = Counter(line for out in outputs for line in out.splitlines()[1:])
    whole = kg.serialize_query(query, "csv", max_rows=WHOLE).body.decode()
    assert {out.splitlines()[0] for out in outputs} == {header}
    assert read == Counter(whole.splitlines()[1:])
    assert len(outputs) == -(-sum(read.values()) // PAGE) > 2


def test_the_cli_next_page_of_a_query_after_a_double_dash_puts_the_page_before_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIKG_MAX_ROWS", str(PAGE))
    query = QUERIES["DISTINCT"]
    outputs, commands = cli_pages(capsys, ["query", "--format", "csv", "--", query])
    assert commands[1] == shlex.join(
        ["aikg", "query", "--format", "csv", "--page", "2", "--", query]
    )
    assert len(outputs) > 2


def test_the_cli_run_pages_a_saved_query_as_a_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIKG_MAX_ROWS", str(PAGE))
    outputs, commands = cli_pages(capsys, ["run", "entities"])
    assert commands == ["aikg run entities", "aikg run entities --page 2"]
    assert outputs[0].rstrip().endswith(f"({PAGE} rows, page 1)")
    assert outputs[1].rstrip().endswith("(2 rows, page 2, the last)")


@pytest.mark.parametrize("bad", ["0", "-1", "x"])
def test_the_cli_refuses_a_bad_page(capsys: pytest.CaptureFixture[str], bad: str) -> None:
    with pytest.raises(SystemExit) as caught:
        run("run", "entities", "--page", bad)
    assert caught.value.code == 2
    assert "argument --page: page" in capsys.readouterr().err


def test_the_cli_refuses_a_page_past_the_end(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIKG_MAX_ROWS", str(PAGE))
    code, out = run("run", "entities", "--page", "3")
    assert (code, out) == (2, "")
    err = capsys.readouterr().err
    assert "page 3 is past the end of the answer" in err
    assert "--page" in err and "parameter 'page'" not in err  # the option, by its name


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_a_page_size_below_one_row_is_refused_and_says_how_to_fix_it(bad: object) -> None:
    """``max_rows`` of no row, or fewer, would give pages that hold nothing and each
    name the next: refused in the Python API, as ``AIKG_MAX_ROWS=0`` is."""
    kg = KnowledgeGraph.load()
    query = "SELECT ?s WHERE { ?s a aikg:Country }"
    for call in (
        lambda: kg.query(query, max_rows=bad),  # type: ignore[arg-type]
        lambda: next(iter(kg.pages(query, max_rows=bad))),  # type: ignore[arg-type]
    ):
        with pytest.raises(ParameterError) as caught:
            call()
        assert caught.value.where == "argument 'max_rows'"
        assert "at least 1" in (caught.value.hint or "")
    assert len(kg.query(query, max_rows=1)) == 1
