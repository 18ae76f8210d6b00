"""The engine in this process is only ever asked to sort by a total order: a column that
mixes numbers and strings aborts the whole process when Oxigraph's own ORDER BY sorts it
(a Rust panic), and is answered, in order, when aikg runs the query."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap

import httpx
import pytest

from aikg import DEFAULT_BASE_IRI, KnowledgeGraph, SelectResult
from aikg.errors import QuerySyntaxError
from aikg.sparql.order_by import total_order
from aikg.sparql.sorting import order_key
from aikg.terms import to_oxigraph
from tests.conftest import remote_settings, require_program
from tests.oxigraph import find_oxigraph, running_oxigraph

# 3,000 things, each with a number or the same number written as a string: Oxigraph
# compares two numbers by value and a number and a string by text, which Rust's sort
# finds is no order.
RUN = textwrap.dedent(
    """
    import json, random, sys
    import pyoxigraph as ox
    from aikg.config import Settings
    from aikg.sparql.execute import execute_page
    from aikg.sparql.sorting import order_key
    from aikg.store.local import Store

    draw = random.Random(2)
    store = Store(Settings())
    store.extend([
        ox.Quad(
            ox.NamedNode(f"http://example.org/thing/{i}"),
            ox.NamedNode("http://example.org/value"),
            ox.Literal(n) if draw.random() < 0.5 else ox.Literal(str(n)),
            ox.NamedNode("http://example.org/graph"),
        )
        for i, n in enumerate(draw.randint(0, 1000) for _ in range(3000))
    ])
    way, text = sys.argv[1:]
    if way == "engine":
        list(store.query(text, use_default_graph_as_union=True))
    answer = execute_page(store, text, Settings(), page=1, max_rows=10**6)
    if isinstance(answer, ox.QueryTriples):
        print(len(list(answer)))
    else:  # each value's place in aikg's order, as the rows came
        print(json.dumps([list(order_key(row["v"])[:2]) for row in answer.rows]))
    """
)
THINGS = "?thing <http://example.org/value> ?v"


def run(way: str, text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, way, text],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_engines_own_sort_of_numbers_and_strings_aborts_the_process() -> None:
    """What the rewrite stands between: not an error, the end of the process."""
    done = run("engine", f"SELECT ?thing ?v WHERE {{ {THINGS} }} ORDER BY ?v")
    assert done.returncode == -signal.SIGABRT, done.stderr[-2000:]
    assert "does not correctly implement a total order" in done.stderr


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        (f"SELECT ?thing ?v WHERE {{ {THINGS} }} ORDER BY ?v", 3000),
        (f"SELECT * WHERE {{ {THINGS} }} ORDER BY DESC(?v)", 3000),
        (f"SELECT DISTINCT ?v WHERE {{ {THINGS} }} ORDER BY STR(?thing) ?v", 1576),
        (
            f"SELECT ?v WHERE {{ {{ SELECT ?v WHERE {{ {THINGS} }} ORDER BY ?v LIMIT 2000 }} }}",
            2000,
        ),
    ],
    ids=["sorted here", "star", "distinct by another column", "subquery"],
)
def test_aikg_sorts_the_same_column_and_the_process_lives(text: str, rows: int) -> None:
    done = run("aikg", text)
    assert done.returncode == 0, done.stderr[-2000:]
    places = json.loads(done.stdout)
    assert len(places) == rows
    kinds = [kind for _, kind in places]
    assert set(kinds) == {0, 1}  # numbers and strings, in the order of order_key
    if "ORDER BY ?v" in text and "DISTINCT" not in text:
        assert kinds == sorted(kinds, reverse="DESC" in text)


def test_a_construct_sorted_by_the_same_column_is_answered() -> None:
    done = run(
        "aikg", f"CONSTRUCT {{ ?thing <http://example.org/v> ?v }} WHERE {{ {THINGS} }} ORDER BY ?v"
    )
    assert (done.returncode, done.stdout) == (0, "3000\n"), done.stderr[-2000:]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?o",
        "SELECT * WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY DESC(?o)",
        "SELECT ?o WHERE { { SELECT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?o "
        "LIMIT 100000 } }",
    ],
    ids=["sorted here", "sorted by the engine", "in a subquery"],
)
def test_every_literal_of_the_bundled_data_in_one_sorted_column(
    kg: KnowledgeGraph, text: str
) -> None:
    """Numbers, then text, then dates and web addresses, by the order of ``order_key``."""
    answer = kg.query(text, max_rows=10**6)
    assert isinstance(answer, SelectResult) and not answer.truncated
    every = kg.query("SELECT ?o { ?s ?p ?o FILTER(isLiteral(?o)) }", max_rows=10**6)
    assert isinstance(every, SelectResult) and len(answer.rows) == len(every.rows)
    keys = [order_key(to_oxigraph(row["o"])) for row in answer.rows]
    assert keys == sorted(keys, reverse="DESC" in text)
    assert {key[1] for key in keys} == {0, 1, 2}  # numbers, text and other literals


def test_an_order_by_is_rewritten_where_it_stands_and_in_each_subquery_only() -> None:
    text = (
        'SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?b "ORDER BY ?b" } ORDER BY ?a LIMIT 5 } } '
        "ORDER BY DESC(COALESCE(?a, 0)) ?a OFFSET 2"
    )
    made = total_order(text)
    assert made.count("IF(isNumeric(?a)") == 2  # the subquery's ?a, the closing ?a
    assert made.count("IF(isNumeric(COALESCE(?a, 0))") == 1
    assert "DESC(IF(isNumeric(COALESCE(?a, 0))" in made and "ASC(IF(isNumeric(?a)" in made
    assert '"ORDER BY ?b"' in made  # a string is no clause
    assert made.endswith("OFFSET 2") and "LIMIT 5 } }" in made
    assert total_order("SELECT ?order WHERE { ?order ?p ?o }") == (
        "SELECT ?order WHERE { ?order ?p ?o }"
    )
    unreadable = "SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a ?"
    assert total_order(unreadable) == unreadable


def test_a_condition_whose_values_are_of_one_kind_is_left_as_it_is() -> None:
    """The paging order's keys (text, booleans, IRIs) need no kind before them."""
    text = "SELECT ?a WHERE { ?a ?b ?c } ORDER BY STR(?a) DESC(isIRI(?a)) datatype(?c) ?c"
    made = total_order(text).split("\n")
    assert made[1:4] == ["ASC(STR(?a))", "DESC(isIRI(?a))", "ASC(datatype(?c))"]
    assert made[4].startswith("ASC(IF(isNumeric(?c)") and made[6:] == [""]
    # A call whose value is of any kind, or more than one call, gets the kinds.
    for condition in ["COALESCE(?c, 1)", "(STR(?a))", "DESC(STR(?a) + 1)", "MAX(?c)"]:
        assert "isNumeric" in total_order(f"SELECT ?a WHERE {{ ?a ?b ?c }} ORDER BY {condition}")


def test_a_syntax_error_after_the_order_by_is_placed_in_the_query_as_written(
    kg: KnowledgeGraph,
) -> None:
    text = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o LIMIT x"
    with pytest.raises(QuerySyntaxError) as raised:
        kg.query(text)
    # Where the engine stopped in the text as written (just past the word it could not
    # read), not in the longer text it was given first.
    assert raised.value.where == f"line 1, column {len(text) + 1}: {text}"


@pytest.mark.remote
def test_a_remote_oxigraph_server_is_sent_the_total_order_and_lives() -> None:
    """``oxigraph serve`` has the same sort: the query as written ends the server, the
    query aikg sends is answered. (A throwaway server: the session's must live.)"""
    binary = require_program(
        "oxigraph", "-c constraints.txt oxigraph", path=find_oxigraph(), install="pip install"
    )
    draw = random.Random(2)
    lines = [
        f"<http://example.org/thing/{i}> <http://example.org/value> "
        + (
            f'"{n}"^^<http://www.w3.org/2001/XMLSchema#integer>'
            if draw.random() < 0.5
            else f'"{n}"'
        )
        + " ."
        for i, n in enumerate(draw.randint(0, 1000) for _ in range(3000))
    ]
    text = f"SELECT ?thing ?v WHERE {{ {THINGS} }} ORDER BY ?v"
    graph = f"{DEFAULT_BASE_IRI}graph/mixed"  # one of aikg's, which it queries
    for way in ("aikg", "as written"):
        with running_oxigraph(binary) as server:
            put = httpx.put(
                server.graph_store_url,
                params={"graph": graph},
                content="\n".join(lines).encode(),
                headers={"Content-Type": "application/n-triples"},
                timeout=60,
            )
            assert put.status_code in (200, 201, 204), put.text
            if way == "aikg":
                with KnowledgeGraph.open(remote_settings(server), validate=False) as kg:
                    answer = kg.query(text, max_rows=10**6)
                assert isinstance(answer, SelectResult) and len(answer.rows) == 3000
                assert server.process.poll() is None
            else:
                with pytest.raises(httpx.TransportError):
                    httpx.post(
                        server.sparql_url,
                        data={"query": text, "default-graph-uri": graph},
                        timeout=60,
                    )
                assert server.process.wait(timeout=30) != 0
