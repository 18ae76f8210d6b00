"""The remote store on Virtuoso as users run it: the same loads, exports, writes and
answers with the upstream default [SPARQL] settings (a row cap of 10,000, cost estimation
on) as with the tests' tuned server, and refusals that name the setting that decided. The
load, export and validated write run on ``oxigraph serve`` too."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from aikg import KnowledgeGraph
from aikg.errors import InputError, QuerySyntaxError, ServerLimitError, ValidationError
from aikg.sparql.execute import SelectResult
from aikg.store.remote import STAGING, RemoteStore
from aikg.synthetic import generate
from aikg.workers import jobs
from tests.conftest import RemoteServer, drop_new_graphs, remote_settings
from tests.virtuoso import VirtuosoServer

BASE = "https://w3id.org/aikg/"
SERVERS = [
    pytest.param("virtuoso", marks=pytest.mark.virtuoso),
    pytest.param("stock_virtuoso", marks=pytest.mark.virtuoso),
    pytest.param("oxigraph", marks=pytest.mark.remote),
]


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> RemoteServer:
    """Each test runs on the tuned Virtuoso, on the one with default settings, and on
    ``oxigraph serve`` (which has no row cap and no limit on a request's size)."""
    found: RemoteServer = request.getfixturevalue(request.param)
    return found


def aikg(
    *args: str, timeout: str = "10", server: RemoteServer | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIKG_QUERY_TIMEOUT": timeout}
    if server is not None and server.update_url:
        env["AIKG_STORE_UPDATE"] = server.update_url
    return subprocess.run(
        [sys.executable, "-m", "aikg.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )


def server_counts(server: RemoteServer) -> dict[str, int]:
    """Triples per aikg graph, asked of the server itself (not through aikg)."""
    answer = httpx.post(
        server.sparql_url,
        data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    rows = answer.json()["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows if r["g"]["value"].startswith(BASE)}


def same_value(quad: ox.Quad) -> object:
    """A quad as Virtuoso keeps it: an xsd:decimal by its value (it writes 2.50 as 2.5)."""
    term = quad.object
    if isinstance(term, ox.Literal) and term.datatype.value.endswith("#decimal"):
        return (quad.subject, quad.predicate, Decimal(term.value), quad.graph_name)
    return quad


@pytest.mark.load
def test_a_30000_triple_load_and_an_export_of_every_triple(
    server: RemoteServer, tmp_path: Path
) -> None:
    kg = KnowledgeGraph.open(remote_settings(server))
    before = set(kg.store.named_graphs())
    data = tmp_path / "synthetic.nq"
    generate.write(data, 30_000, seed=5)
    loaded = {same_value(q) for q in ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS)}
    try:
        store = ["--store", server.sparql_url]
        completed = aikg("load", *store, str(data), server=server)
        assert completed.returncode == 0, completed.stderr
        assert f"loaded {len(loaded):,} triples" in completed.stderr
        out = tmp_path / "export.nq"
        completed = aikg(
            "export", *store, "--format", "nquads", "--output", str(out), server=server
        )
        assert completed.returncode == 0, completed.stderr
        exported = {same_value(q) for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)}
        assert loaded <= exported
        counts = server_counts(server)
        # Every triple the server holds, the inferred graph aside (an export leaves it out).
        assert len(exported) == sum(n for g, n in counts.items() if not g.endswith("/inferred"))
        # Graphs past Virtuoso's default row cap were among them (its own answers are cut
        # there).
        assert max(counts.values()) > 10_000
    finally:
        drop_new_graphs(kg, before)
    assert set(kg.store.named_graphs()) == before


def test_a_validated_write_larger_than_one_request_is_all_or_nothing(
    server: RemoteServer,
) -> None:
    kg = KnowledgeGraph.open(remote_settings(server))
    before = set(kg.store.named_graphs())
    counts = server_counts(server)
    graph = f"{BASE}graph/remote-large-note"
    # 3,000 triples: one INSERT DATA operation the default settings refuse (SP031).
    note = "".join(
        f'<{BASE}country/KR> <http://www.w3.org/2000/01/rdf-schema#comment> "note {i}"@en .\n'
        for i in range(3_000)
    ).encode()
    # A country with no label breaks the shapes.
    unlabelled = f"<{BASE}country/XX> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    broken = note + f"{unlabelled}<{BASE}ontology#Country> .\n".encode()
    with pytest.raises(ValidationError, match="nothing was changed"):
        jobs.put_graph(kg, True, graph, broken)  # the dry run refuses it
    assert server_counts(server) == counts
    try:
        for dry_run in (True, False):  # as the keeper does: try, then apply
            assert jobs.put_graph(kg, dry_run, graph, note) == {"created": True, "triples": 3_000}
        assert server_counts(server)[graph] == 3_000
        assert kg.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p 'note 2999'@en }} }}") is True
    finally:
        drop_new_graphs(kg, before)
    assert server_counts(server) == counts


def test_a_staged_update_that_fails_half_way_changes_nothing(
    stock_virtuoso: VirtuosoServer, stock_remote_kg: KnowledgeGraph
) -> None:
    """Too large for one request, the update is staged graph by graph; the second graph
    (one blank node with 2,000 triples, which no request under the default settings
    holds) fails after the first was staged: nothing reaches the dataset, no staging
    graph is left."""
    store = stock_remote_kg.store.engine
    assert isinstance(store, RemoteStore)
    counts = server_counts(stock_virtuoso)
    plain = " ".join(f"<{BASE}s{i}> <{BASE}p> {i} ." for i in range(2_000))
    blank = " ".join(f"_:b <{BASE}p> {i} ." for i in range(2_000))
    update = (
        f"INSERT DATA {{ GRAPH <{BASE}graph/a> {{ {plain} }} GRAPH <{BASE}graph/b> {{ {blank} }} }}"
    )
    with pytest.raises(ServerLimitError, match="cannot be split") as caught:
        store.update(update)
    assert "MaxQueryCostEstimationTime" in (caught.value.where or "")
    assert server_counts(stock_virtuoso) == counts  # staging graphs included: none left
    assert not any(STAGING in g for g in server_counts(stock_virtuoso))


def test_an_update_into_the_default_graph_is_refused_whole(
    stock_remote_kg: KnowledgeGraph, stock_virtuoso: VirtuosoServer
) -> None:
    store = stock_remote_kg.store.engine
    assert isinstance(store, RemoteStore)
    counts = server_counts(stock_virtuoso)
    plain = " ".join(f"<{BASE}s{i}> <{BASE}p> {i} ." for i in range(2_000))
    with pytest.raises(InputError, match="keeps aikg's graphs only"):
        store.update(f"INSERT DATA {{ GRAPH <{BASE}graph/a> {{ {plain} }} <{BASE}x> <{BASE}p> 1 }}")
    assert server_counts(stock_virtuoso) == counts


def test_a_select_past_the_row_cap_is_paged_and_marked_truncated(
    stock_remote_kg: KnowledgeGraph, kg: KnowledgeGraph
) -> None:
    cross = (
        "SELECT ?a ?b ?k WHERE { ?a a owl:Class . ?b a owl:Class "
        "FILTER (isIRI(?a) && isIRI(?b)) VALUES ?k { 1 2 3 4 5 6 7 8 9 10 } }"
    )
    expected = kg.query("SELECT (COUNT(*) AS ?n) WHERE " + cross.split("WHERE", 1)[1])
    assert isinstance(expected, SelectResult)
    total = int(expected.values()[0]["n"])
    assert total > 10_000  # past the default row cap
    # A row limit above the cap, given with the query: read on past the cap to it.
    answer = stock_remote_kg.query(cross, max_rows=total)
    ordered = stock_remote_kg.query(cross + " ORDER BY DESC(?k)", max_rows=total)
    local = kg.query(cross)
    assert isinstance(answer, SelectResult) and isinstance(local, SelectResult)
    as_set = {tuple(sorted(r.items())) for r in answer.values()}
    assert len(answer.values()) == total and as_set == {
        tuple(sorted(r.items())) for r in kg.query(cross, max_rows=total).values()
    }  # type: ignore[union-attr]
    assert isinstance(ordered, SelectResult)
    keys = [int(r["k"]) for r in ordered.values()]
    assert len(keys) == total and keys == sorted(keys, reverse=True)
    cut = stock_remote_kg.serialize_query(cross, "csv")
    assert (cut.rows, cut.truncated) == (10_000, True)


def test_the_pages_of_an_answer_past_the_row_cap_hold_it_whole(
    stock_remote_kg: KnowledgeGraph, kg: KnowledgeGraph
) -> None:
    """Pages of AIKG_MAX_ROWS rows, each one row more than the server's cap: each is
    sorted in a subquery and read in windows the cap allows (no SR353)."""
    cross = (
        "SELECT ?a ?b ?k WHERE { ?a a owl:Class . ?b a owl:Class "
        "FILTER (isIRI(?a) && isIRI(?b)) VALUES ?k { 1 2 3 4 5 6 7 8 9 10 } }"
    )
    for query in (cross, cross + " ORDER BY DESC(?k)"):
        pages = list(stock_remote_kg.pages(query))
        assert [len(p) for p in pages[:-1]] == [10_000] * (len(pages) - 1)
        assert len(pages) >= 2 and pages[-1].next_page is None
        read = Counter(tuple(sorted(r.items())) for p in pages for r in p.values())
        whole = kg.query(query, max_rows=10**6)
        assert isinstance(whole, SelectResult)
        assert read == Counter(tuple(sorted(r.items())) for r in whole.values())
    ordered = [
        int(r["k"]) for p in stock_remote_kg.pages(cross + " ORDER BY DESC(?k)") for r in p.values()
    ]
    assert ordered == sorted(ordered, reverse=True)


def test_refusals_name_the_setting_and_are_never_syntax_errors(
    stock_remote_kg: KnowledgeGraph,
) -> None:
    # A query's own LIMIT past the cap is read in windows the cap allows, and paged.
    # (Virtuoso fails some pages Oxigraph answers, "No column k" for SELECT * of the
    # same pattern; the README says so.)
    limited = stock_remote_kg.query(
        "SELECT ?a ?b ?k WHERE { ?a a owl:Class . ?b a owl:Class "
        "FILTER (isIRI(?a) && isIRI(?b)) VALUES ?k { 1 2 3 4 5 6 7 8 9 10 } } LIMIT 12000"
    )
    assert isinstance(limited, SelectResult)
    assert (len(limited), limited.next_page) == (10_000, 2)
    with pytest.raises(ServerLimitError) as caught:
        stock_remote_kg.query(
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o } LIMIT 1"
        )
    assert caught.value.where == "[SPARQL] MaxQueryCostEstimationTime of the remote store"
    huge = " ".join(f"<{BASE}e{i}>" for i in range(6_000))
    with pytest.raises(Exception) as failed:
        stock_remote_kg.query(f"SELECT ?x WHERE {{ VALUES ?x {{ {huge} }} ?x ?p ?o }}")
    assert not isinstance(failed.value, QuerySyntaxError)
    assert "remote store" in str(failed.value)


def test_a_query_virtuosos_compiler_refuses_is_the_querys_fault_not_its_size(
    stock_remote_kg: KnowledgeGraph,
) -> None:
    # Virtuoso will not order by an expression of an aggregate's name (SP031), which
    # SPARQL 1.1 allows: the query's own fault, not a size a smaller request would pass.
    with pytest.raises(QuerySyntaxError) as caught:
        stock_remote_kg.query(
            "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY STR(?n)"
        )
    assert caught.value.message.startswith(
        "the remote store's SPARQL compiler refuses the query: Virtuoso 37000 Error SP031"
    )
    assert "outside aggregate" in caught.value.message
    assert "for its size" not in caught.value.message
    assert "grouped by" in (caught.value.hint or "")


@pytest.mark.parametrize(("fixture", "cap"), [("virtuoso", "1000000"), ("stock_virtuoso", "10000")])
def test_stats_reports_the_server_and_warns_of_a_longer_deadline(
    request: pytest.FixtureRequest, fixture: str, cap: str
) -> None:
    server: VirtuosoServer = request.getfixturevalue(fixture)
    completed = aikg("stats", "--store", server.sparql_url)
    assert completed.returncode == 0, completed.stderr
    report = completed.stderr
    assert "remote store: Virtuoso 07." in report
    assert f"row cap ([SPARQL] ResultSetMaxRows): {cap}" in report
    assert "deadline ([SPARQL] MaxQueryExecutionTime): 60 s" in report
    assert "warning: the remote store's deadline" in report and "(10 s)" in report
    in_line = aikg("stats", "--store", server.sparql_url, timeout="60")
    assert in_line.returncode == 0 and "warning" not in in_line.stderr
