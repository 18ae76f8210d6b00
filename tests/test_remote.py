"""The remote backend on real servers: the same graph, the same answers, and nothing of the
server's own (system graphs, ``bif:`` functions, pragmas) let through.

A test about SPARQL 1.1 behaviour takes ``remote_server`` or ``any_remote_kg`` and runs on
each engine (Virtuoso 7 and ``oxigraph serve``); one about a Virtuoso quirk takes
``virtuoso`` or ``remote_kg`` and runs there only."""

from __future__ import annotations

import re
import subprocess
import sys
import typing
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Literal

from aikg import KnowledgeGraph, labels
from aikg.config import Settings
from aikg.errors import (
    InputError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
    ValidationError,
)
from aikg.loader import load_files
from aikg.saved_queries import catalog
from aikg.sparql.execute import SelectResult
from aikg.store import remote
from aikg.store.remote import RemoteStore
from aikg.synthetic import generate
from aikg.workers import jobs
from tests.conftest import RemoteServer, remote_settings
from tests.oxigraph import OxigraphServer
from tests.server import running_server
from tests.virtuoso import VirtuosoServer

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(kg: KnowledgeGraph, query: str = COUNT) -> int:
    result = kg.query(query)
    return int(result[0]["n"].toPython())  # type: ignore[index]


def test_the_remote_dataset_is_the_same_graph(
    kg: KnowledgeGraph, any_remote_kg: KnowledgeGraph
) -> None:
    assert any_remote_kg.store.named_graphs() == kg.store.named_graphs()
    assert any_remote_kg.stats().graphs == kg.stats().graphs
    # The default graph is the union of aikg's graphs only: Virtuoso's 2,496 system triples
    # stay out, and Oxigraph's own default graph (no union of its graphs) is not used.
    assert count(any_remote_kg) == count(kg)
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(any_remote_kg, graphs) == count(kg, graphs)


def test_construct_blank_nodes_and_booleans_come_back_intact(
    kg: KnowledgeGraph, any_remote_kg: KnowledgeGraph
) -> None:
    construct = "CONSTRUCT WHERE { <country/KR> ?p ?o }"
    assert set(any_remote_kg.query(construct)) == set(kg.query(construct))  # type: ignore[arg-type]
    blank = "SELECT ?s WHERE { GRAPH <graph/shapes> { ?s ?p ?o } FILTER isBlank(?s) } LIMIT 1"
    row = any_remote_kg.query(blank)[0]  # type: ignore[index]
    assert type(row["s"]).__name__ == "BNode"
    flag = any_remote_kg.query("SELECT (true AS ?yes) (false AS ?no) WHERE {}")[0]  # type: ignore[index]
    assert (flag["yes"].toPython(), flag["no"].toPython()) == (True, False)
    assert any_remote_kg.query("ASK { <country/KR> ?p ?o }") is True


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_label_columns_on_the_remote_store_are_those_in_memory(
    kg: KnowledgeGraph, any_remote_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setattr(labels, "REMOTE_BATCH", 7)  # several batches for this table
    local, remote = (k.saved("companies-by-country", lang=lang) for k in (kg, any_remote_kg))
    assert isinstance(local, SelectResult) and isinstance(remote, SelectResult)
    assert remote.variables == local.variables and "organizationLabel" in local.variables
    assert len(local.rows) > 7
    assert {frozenset(r.items()) for r in remote.rows} == {frozenset(r.items()) for r in local.rows}
    if lang == "ko":
        assert any(row["organizationLabel"].language == "ko" for row in remote.rows)


LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PART_OF = ox.NamedNode("http://purl.org/dc/terms/isPartOf")


@pytest.mark.parametrize("position", ["subject", "object"])
def test_the_quads_of_many_nodes_read_together_are_those_of_a_lookup_each(
    kg: KnowledgeGraph,
    any_remote_kg: KnowledgeGraph,
    monkeypatch: pytest.MonkeyPatch,
    position: typing.Literal["subject", "object"],
) -> None:
    monkeypatch.setattr(remote, "NODES_PER_REQUEST", 5)  # several requests for these nodes
    s1 = ox.NamedNode("https://w3id.org/aikg/source/s1")
    parts = {q.subject for q in kg.store.quads_for_pattern(None, PART_OF, s1)}
    nodes = [s1, ox.NamedNode("https://w3id.org/aikg/country/KR")]
    nodes += [n for n in parts if isinstance(n, ox.NamedNode)]
    predicates = [LABEL, PART_OF] if position == "subject" else [PART_OF, TYPE]
    each = {
        q
        for n in nodes
        for p in predicates
        for q in (
            kg.store.quads_for_pattern(n, p, None)
            if position == "subject"
            else kg.store.quads_for_pattern(None, p, n)
        )
    }
    assert len(nodes) > 10 and len(each) > 10
    assert set(kg.store.quads_for_nodes(nodes, predicates, position)) == each
    assert set(any_remote_kg.store.quads_for_nodes(nodes, predicates, position)) == each
    # Read in pages too, as past a server's row cap.
    monkeypatch.setattr(any_remote_kg.store.engine, "page", 3)
    assert set(any_remote_kg.store.quads_for_nodes(nodes, predicates, position)) == each


@pytest.mark.parametrize("page", [10_000, 7], ids=["one read", "graph by graph past a page"])
def test_the_quads_of_a_property_in_many_graphs_read_together_are_those_graph_by_graph(
    kg: KnowledgeGraph, any_remote_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    monkeypatch.setattr(any_remote_kg.store.engine, "page", page)

    def same(here: list[ox.Quad], there: list[ox.Quad]) -> bool:
        """The same quads, blank nodes aside (each store names them its own way), and as
        many."""

        def named(quads: list[ox.Quad]) -> set[ox.Quad]:
            return {q for q in quads if not isinstance(q.subject, ox.BlankNode)}

        return len(here) == len(there) and named(here) == named(there)

    for predicate in (PART_OF, LABEL, TYPE):
        here = list(kg.store.stated_with(predicate))
        assert here and same(here, list(any_remote_kg.store.stated_with(predicate)))
    assert len({q.graph_name for q in here}) > 1  # the types: in many graphs
    # The inferred graph (which holds types too) is left out.
    assert ox.NamedNode(kg.store.inferred_graph) not in {q.graph_name for q in here}
    assert any(
        True
        for _ in kg.store.quads_for_pattern(None, TYPE, None, ox.NamedNode(kg.store.inferred_graph))
    )
    two = [g for g in kg.store.named_graphs() if g.endswith(("/countries", "/people"))]
    assert len(two) == 2
    assert same(
        list(kg.store.stated_with(None, two)), list(any_remote_kg.store.stated_with(None, two))
    )


GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?(?:;\s*SEPARATOR\s*=\s*\"((?:[^\"\\]|\\.)*)\")?\s*\)"
    r"\s*AS\s*\?(\w+)",
    re.IGNORECASE,
)


def concatenations(text: str) -> dict[str, str]:
    """The columns of a query that are GROUP_CONCATs, with their separators."""
    return {
        column: (separator or " ").replace("\\n", "\n").replace('\\"', '"')
        for separator, column in GROUP_CONCAT.findall(text)
    }


BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def canonical(
    result: SelectResult, joined: dict[str, str], *, booleans_as_integers: bool = False
) -> list[tuple[tuple[str, str], ...]]:
    """The rows, in an order of their own: SPARQL 1.1 leaves the order of the rows and of
    the parts a GROUP_CONCAT joins to the engine, so the parts are sorted (they must be the
    same parts), and engines differ on the language of the joined text (Oxigraph keeps
    the parts' common tag, Virtuoso gives a plain string) and on nothing to join
    (Oxigraph leaves the column unbound, Virtuoso binds ""), so its parts alone count;
    every other value must be the same term. ``booleans_as_integers``: a computed boolean
    as Virtuoso returns it (``BIND(true AS ?b)`` answers ``1``, an xsd:integer)."""

    def term(column: str, value: object) -> str:
        if column in joined:
            return repr(sorted(str(value).split(joined[column])) if str(value or "") else [])
        if booleans_as_integers and isinstance(value, Literal) and str(value.datatype) == BOOLEAN:
            value = Literal(str(int(value.toPython())), datatype=INTEGER)
        return value.n3() if hasattr(value, "n3") else repr(value)

    return sorted(
        tuple(
            sorted(
                (column, term(column, row.get(column)))
                for column in {*row, *(c for c in joined if c in result.variables)}
            )
        )
        for row in result.rows
    )


def test_every_saved_query_answers_as_in_the_embedded_store(
    kg: KnowledgeGraph, any_remote_kg: KnowledgeGraph, remote_server: RemoteServer
) -> None:
    """Every saved query of queries/, with its example parameters (and with none, where
    none is required), with and without label columns: the same columns and the same rows
    on the remote store as in memory."""
    quirks = {"booleans_as_integers": isinstance(remote_server, VirtuosoServer)}
    failures = []
    compared = 0
    for query in catalog().values():
        runs = [{p.name: p.example for p in query.params}]
        if not any(p.required for p in query.params):
            runs.append({})
        joined = concatenations(query.text)
        for params in runs:
            for lang in ("en", None):
                local = kg.saved(query.name, lang=lang, **params)
                remote = any_remote_kg.saved(query.name, lang=lang, **params)
                assert isinstance(local, SelectResult) and isinstance(remote, SelectResult)
                where = (query.name, params, lang)
                assert remote.variables == local.variables, where
                assert remote.truncated == local.truncated, where
                expected = canonical(local, joined, **quirks)
                if canonical(remote, joined, **quirks) != expected:
                    failures.append(where)
                compared += bool(local.rows)
    assert failures == []
    assert compared >= 2 * len(catalog())  # each query finds something, with its examples


def test_the_bundled_data_validates_on_the_remote_store(any_remote_kg: KnowledgeGraph) -> None:
    assert any_remote_kg.validate().conforms


def test_a_whole_validation_finds_an_ill_formed_literal_on_the_remote_store(
    any_remote_kg: KnowledgeGraph,
) -> None:
    """Written past aikg's checks, straight into the server: a whole validation reads it
    back by a query and refuses it, as it does in a store of this process. (Virtuoso
    refuses "abc"^^xsd:integer itself; an odd number of hexadecimal digits it takes.)"""
    graph = "https://w3id.org/aikg/graph/literal-forms"
    integer = "http://www.w3.org/2001/XMLSchema#integer"
    hex_binary = "http://www.w3.org/2001/XMLSchema#hexBinary"
    any_remote_kg.store.update(
        f"INSERT DATA {{ GRAPH <{graph}> {{ <https://w3id.org/aikg/note/1> "
        f'<http://www.w3.org/2000/01/rdf-schema#comment> "0FB"^^<{hex_binary}> , "42"^^<{integer}> }} }}',
        prefixes={},
    )
    try:
        found = any_remote_kg.check_literals()
        assert [(v.focus_node, v.value, v.graph) for v in found] == [
            ("https://w3id.org/aikg/note/1", f'"0FB"^^<{hex_binary}>', graph)
        ]
        assert not any_remote_kg.validate().conforms
    finally:
        any_remote_kg.store.remove_graph(graph)
    assert any_remote_kg.validate().conforms


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("SELECT (bif:http_get('{listener}') AS ?x) WHERE {{}}", "bif:http_get"),
        ("SELECT (<bif:http_get>('{listener}') AS ?x) WHERE {{}}", "bif:http_get"),
        ("PREFIX b: <bif:> SELECT (b:http_get('{listener}') AS ?x) WHERE {{}}", "bif:"),
        ('DEFINE get:soft "soft" SELECT * WHERE {{ GRAPH <{listener}> {{ ?s ?p ?o }} }}', "DEFINE"),
        (
            "SELECT * FROM <http://www.openlinksw.com/schemas/virtrdf#> WHERE {{ ?s ?p ?o }}",
            "not a graph of this store",
        ),
        (
            "SELECT * FROM NAMED <{listener}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            "not a graph of this store",
        ),
        ("SELECT (sql:system('id') AS ?x) WHERE {{}}", "sql:system"),
    ],
)
def test_server_extensions_and_foreign_graphs_are_refused_before_the_server_sees_them(
    any_remote_kg: KnowledgeGraph,
    listener: tuple[str, list[str]],
    query: str,
    refused: str,
) -> None:
    url, hits = listener
    with pytest.raises(InputError) as caught:  # refused (query-refused, unknown-graph)
        any_remote_kg.query(query.format(listener=url))
    assert refused in str(caught.value) or refused in (caught.value.hint or "")
    assert hits == []


# Server code hidden from a reading that differs from the server's: behind a codepoint
# escape, through a declared prefix or base, after a minus sign, in another case.
HIDDEN_CALLS = [
    'SELECT * {{ BIND(<http://x/\\u0022> AS ?z) BIND(bif:http_get("{listener}") AS ?x) '
    'FILTER(?z != "") }}',
    'SELECT * {{ BIND(bif:http\\u005fget("{listener}") AS ?x) }}',
    'SELECT * {{ BIND(\\u0062if:http_get("{listener}") AS ?x) }}',
    'PREFIX b: <bif:> SELECT * {{ BIND(b:http_get("{listener}") AS ?x) }}',
    'PREFIX b: <BiF:> SELECT * {{ BIND(b:http_get("{listener}") AS ?x) }}',
    'PREFIX: <bif:> SELECT * {{ BIND(:http_get("{listener}") AS ?x) }}',
    'BASE <bif:> SELECT * {{ BIND(<http_get>("{listener}") AS ?x) }}',
    'PREFIX e: <http://e/> SELECT (e:-bif:http_get("{listener}") AS ?x) {{}}',
    'PREFIX s: <sql:> SELECT (s:system("id") AS ?x) {{}}',
    'SELECT * {{ BIND("{listener}" AS ?u) BIND(1 AS ?a) FILTER(?a<2&&bif:http_get(?u)>"") }}',
]


@pytest.mark.parametrize("query", HIDDEN_CALLS)
def test_hidden_server_calls_are_refused_without_a_server(query: str) -> None:
    store = RemoteStore("http://127.0.0.1:9/sparql", graph_prefix="https://w3id.org/aikg/")
    with pytest.raises(
        QueryRefusedError, match=r"(?i)(bif|sql):.* server extension|codepoint escape"
    ):
        store.query(query.format(listener="http://127.0.0.1:9/"))


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX : <http://www.openlinksw.com/schemas/virtrdf#> SELECT * FROM:x {{ }}",
        "SELECT * FROMNAMED<http://www.openlinksw.com/schemas/virtrdf#> {{ }}",
        "SELECT * FROM ?g {{ }}",
        'DEFINE get:soft "soft" SELECT * {{ }}',
        "SELECT * {{ BIND(1 AS ?a) FILTER(?a<2&&?a>0) }}",
    ],
)
def test_foreign_graphs_pragmas_and_ambiguous_less_thans_are_refused_without_a_server(
    query: str,
) -> None:
    store = RemoteStore("http://127.0.0.1:9/sparql", graph_prefix="https://w3id.org/aikg/")
    with pytest.raises(QueryRefusedError, match=r"FROM may only name|server pragma|less-than"):
        store.query(query.format())


def test_the_listener_hears_what_virtuoso_fetches(
    virtuoso: VirtuosoServer, listener: tuple[str, list[str]]
) -> None:
    """The control for the test below: unguarded, Virtuoso calls the listener, also for
    a call after a minus sign that a longer prefixed name once hid."""
    url, hits = listener
    for call in ("bif:http_get", "e:-bif:http_get"):
        query = f'PREFIX e: <http://e/> SELECT ({call}("{url}/control") AS ?x) {{}}'
        answer = httpx.post(
            virtuoso.sparql_url,
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert answer.status_code == 200
    assert hits == ["/control", "/control"]


@pytest.mark.parametrize("query", HIDDEN_CALLS)
def test_hidden_server_calls_never_reach_virtuoso(
    remote_kg: KnowledgeGraph, listener: tuple[str, list[str]], query: str
) -> None:
    url, hits = listener
    text = query.format(listener=url)
    with pytest.raises(QueryRefusedError):  # by the guard
        remote_kg.query(text)
    with pytest.raises(QueryRefusedError):  # by the remote store itself
        remote_kg.store.engine.query(text)
    assert hits == []


def test_an_update_is_never_sent_as_a_query(any_remote_kg: KnowledgeGraph) -> None:
    with pytest.raises(QuerySyntaxError):
        any_remote_kg.store.engine.query("INSERT DATA { GRAPH <graph/x> { <a> <b> <c> } }")
    assert "https://w3id.org/aikg/graph/x" not in any_remote_kg.store.named_graphs()


def test_a_query_names_aikgs_graphs_and_its_own_from_as_the_embedded_store_does(
    kg: KnowledgeGraph, any_remote_kg: KnowledgeGraph
) -> None:
    """Given no dataset, a query sees every one of aikg's graphs by name (none of the
    server's own); given FROM / FROM NAMED, those graphs, as the embedded store does."""
    engine = any_remote_kg.store.engine
    listed = engine.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(listed, ox.QuerySolutions)
    assert sorted(row["g"].value for row in listed) == kg.store.named_graphs()
    for query in (
        "SELECT (COUNT(*) AS ?n) FROM <graph/countries> WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n) FROM <graph/countries> FROM <graph/holdings> WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n) FROM <graph/countries> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?g (COUNT(*) AS ?n) FROM NAMED <graph/holdings> WHERE { GRAPH ?g { ?s ?p ?o } } "
        "GROUP BY ?g",
    ):
        assert any_remote_kg.query(query).values() == kg.query(query).values(), query  # type: ignore[union-attr]
    assert count(kg, "SELECT (COUNT(*) AS ?n) FROM <graph/countries> WHERE { ?s ?p ?o }") > 0


def test_a_write_into_the_default_graph_is_refused_and_changes_nothing(
    any_remote_kg: KnowledgeGraph,
) -> None:
    """A server's default graph is no part of aikg's dataset (Oxigraph would keep the
    triples where no query of aikg sees them): the dry run refuses such a write."""
    before = any_remote_kg.stats().graphs
    for write in (
        lambda: jobs.update(any_remote_kg, True, "INSERT DATA { <country/KR> <p> 'x' }"),
        lambda: jobs.put_graph(any_remote_kg, True, None, b'<http://e/s> <http://e/p> "1" .\n'),
    ):
        with pytest.raises(InputError, match="writes into the default graph") as caught:
            write()
        assert "nothing was changed" in str(caught.value)
        assert "GRAPH <graph/NAME>" in (caught.value.hint or "")
    assert any_remote_kg.stats().graphs == before
    assert jobs.update(any_remote_kg, True, "INSERT DATA { GRAPH <graph/x> { <a> <b> 1 } }")


def test_an_update_url_that_takes_no_update_is_a_clear_error(oxigraph: OxigraphServer) -> None:
    """oxigraph serve answers queries at /query and updates at /update: with the query
    URL alone, a write says which setting to give, and changes nothing."""
    store = RemoteStore(oxigraph.sparql_url, graph_prefix="https://w3id.org/aikg/")
    with pytest.raises(StoreError) as caught:
        store.update("INSERT DATA { GRAPH <https://w3id.org/aikg/graph/x> { <a:b> <a:c> 1 } }")
    assert "takes no SPARQL update" in str(caught.value) and "415" in str(caught.value)
    assert "AIKG_STORE_UPDATE" in (caught.value.where or "")
    assert "/update" in (caught.value.hint or "")
    assert ox.NamedNode("https://w3id.org/aikg/graph/x") not in set(store.named_graphs())
    writable = RemoteStore(
        oxigraph.sparql_url, graph_prefix="https://w3id.org/aikg/", update_url=oxigraph.update_url
    )
    writable.update("INSERT DATA { GRAPH <https://w3id.org/aikg/graph/x> { <a:b> <a:c> 1 } }")
    assert ox.NamedNode("https://w3id.org/aikg/graph/x") in set(writable.named_graphs())
    writable.remove_graph(ox.NamedNode("https://w3id.org/aikg/graph/x"))
    assert ox.NamedNode("https://w3id.org/aikg/graph/x") not in set(writable.named_graphs())


def test_graphs_outside_the_base_iri_are_refused(any_remote_kg: KnowledgeGraph) -> None:
    outside = ox.NamedNode("http://www.openlinksw.com/schemas/virtrdf#")
    with pytest.raises(InputError) as caught:
        any_remote_kg.store.engine.remove_graph(outside)
    assert "keeps aikg's graphs only" in str(caught.value)


def test_a_load_onto_the_remote_store_is_all_or_nothing(
    remote_server: RemoteServer, tmp_path: Path
) -> None:
    kg = KnowledgeGraph.open(remote_settings(remote_server))
    before = kg.stats().graphs
    broken = tmp_path / "broken.nq"
    generate.write(broken, 2_000, seed=3, violations=2)
    with pytest.raises(ValidationError):
        load_files(kg, [broken])
    assert kg.stats().graphs == before
    good = tmp_path / "good.nq"
    generate.write(good, 2_000, seed=3)
    report = load_files(kg, [good])
    after = kg.stats().graphs
    added = {g: n for g, n in after.items() if g not in before}
    assert sum(added.values()) == report.triples
    for graph in added:  # leave the session's store as it was
        kg.store.engine.remove_graph(ox.NamedNode(graph))
    kg.derive()  # what the removed graphs entailed goes too
    assert kg.stats().graphs == before


def test_a_query_past_its_deadline_stops_with_a_timeout(virtuoso: VirtuosoServer) -> None:
    kg = KnowledgeGraph.open(remote_settings(virtuoso, query_timeout=1.0))
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(QueryTimeoutError):
        kg.query(heavy)


def test_an_unreachable_store_is_a_clear_error_with_exit_code_3() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "aikg.cli", "stats", "--store", "http://127.0.0.1:9/sparql"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 3
    assert "cannot reach the remote store at http://127.0.0.1:9/sparql" in completed.stderr
    with pytest.raises(StoreError):
        KnowledgeGraph.open(Settings(store="http://127.0.0.1:9/sparql"))


@pytest.mark.server
def test_the_server_runs_unchanged_on_the_remote_store(
    remote_server: RemoteServer, any_remote_kg: KnowledgeGraph
) -> None:
    env = {
        "AIKG_STORE": remote_server.sparql_url,
        "AIKG_STORE_GRAPH_STORE": remote_server.graph_store_url,
        "AIKG_TOKEN": "remote-secret",
        "AIKG_WORKERS": "2",
    }
    if remote_server.update_url:
        env["AIKG_STORE_UPDATE"] = remote_server.update_url
    with running_server(env) as server:
        answer = httpx.get(
            f"{server.url}/queries/holdings",
            headers={"Accept": "application/sparql-results+json"},
            params={"holder": "https://w3id.org/aikg/country/KR"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        bindings = answer.json()["results"]["bindings"]
        assert bindings and all(b["holder"]["value"].endswith("/country/KR") for b in bindings)
        put = httpx.put(
            f"{server.url}/store",
            params={"graph": "https://w3id.org/aikg/graph/remote-note"},
            content=b'<https://w3id.org/aikg/country/KR> <http://www.w3.org/2000/01/rdf-schema#comment> "via the server" .',
            headers={"Content-Type": "application/n-triples", **server.auth()},
            timeout=60,
        )
        assert put.status_code == 201, put.text
        ask = httpx.post(
            f"{server.url}/sparql",
            data={"query": "ASK { GRAPH <graph/remote-note> { ?s ?p 'via the server' } }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert ask.json()["boolean"] is True
        deleted = httpx.delete(
            f"{server.url}/store",
            params={"graph": "https://w3id.org/aikg/graph/remote-note"},
            headers=server.auth(),
            timeout=60,
        )
        assert deleted.status_code in (200, 204)
    assert "https://w3id.org/aikg/graph/remote-note" not in any_remote_kg.store.named_graphs()


def test_opening_a_remote_store_never_writes_to_it(
    any_remote_kg: KnowledgeGraph, remote_server: RemoteServer
) -> None:
    """Its server may be read-only: opening one whose inferred graph is missing (data
    loaded by another tool) leaves it missing; loads and writes derive it."""
    inferred = any_remote_kg.store.inferred_graph
    any_remote_kg.store.remove_graph(inferred)
    try:
        KnowledgeGraph.open(remote_settings(remote_server))
        assert inferred not in any_remote_kg.store.named_graphs()
    finally:
        any_remote_kg.derive()
    assert inferred in any_remote_kg.store.named_graphs()
