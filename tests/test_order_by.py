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
import pyoxigraph as ox
import pytest

from aikg import DEFAULT_BASE_IRI, KnowledgeGraph, SelectResult
from aikg.config import Settings
from aikg.errors import QueryRefusedError, QuerySyntaxError
from aikg.sparql import order_by
from aikg.sparql.order_by import total_order
from aikg.sparql.sorting import Unordered, order_key
from aikg.store.local import Store
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
    if way == "engine":  # the engine itself, not aikg's store around it
        list(store.engine.query(text, use_default_graph_as_union=True))
    if way == "aikg-update":
        store.update(text, {})
        print(len(list(store.engine.quads_for_pattern(
            None, None, None, ox.NamedNode("http://example.org/top")))))
        sys.exit(0)
    answer = execute_page(store, text, Settings(), page=1, max_rows=10**6)
    if isinstance(answer, ox.QueryTriples):
        print(len(list(answer)))
    else:  # each value's place in aikg's order, as the rows came
        print(json.dumps([list(order_key(row["v"])[:2]) for row in answer.rows]))
    """
)
THINGS = "?thing <http://example.org/value> ?v"
XSD = "http://www.w3.org/2001/XMLSchema#"


def run_child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Python ``code`` in a child process: an abort ends the child, not the tests."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run(way: str, text: str) -> subprocess.CompletedProcess[str]:
    """:data:`RUN` in a child process: ``text`` sorted by the engine itself, or by aikg."""
    return run_child(RUN, way, text)


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
    ids=["ascending", "star, descending", "in a subquery"],
)
def test_every_literal_of_the_bundled_data_in_one_sorted_column(
    kg: KnowledgeGraph, text: str
) -> None:
    """Numbers, then text, then other literals: web addresses by text, then dates (by
    datatype IRI: xsd:anyURI before xsd:date) in time. The dates send the page to the
    engine, sorted as it is made to sort."""
    answer = kg.query(text, max_rows=10**6)
    assert isinstance(answer, SelectResult) and not answer.truncated
    every = kg.query("SELECT ?o { ?s ?p ?o FILTER(isLiteral(?o)) }", max_rows=10**6)
    assert isinstance(every, SelectResult) and len(answer.rows) == len(every.rows)
    values = [to_oxigraph(row["o"]) for row in answer.rows]
    keys = [_place(value) for value in values]
    assert keys == sorted(keys, reverse="DESC" in text)
    assert {key[:2] for key in keys} == {(3, 0), (3, 1), (3, 2)}
    dates = [str(value.value) for value in values if _place(value)[2] == XSD + "date"]
    assert len(dates) == 3 and dates == sorted(dates, reverse="DESC" in text)


def _place(value: object) -> tuple[object, ...]:
    """``order_key``'s place for a value, and for a date (which it leaves to the
    engine) its datatype, then its text: those of the bundled data share one form."""
    try:
        return order_key(value)
    except Unordered:
        assert isinstance(value, ox.Literal)
        return (3, 2, value.datatype.value, value.value)


def made_total(text: str) -> str:
    made = total_order(text)
    assert made is not None
    return made


def test_an_order_by_is_rewritten_where_it_stands_and_in_each_subquery_only() -> None:
    text = (
        'SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?b "ORDER BY ?b" } ORDER BY ?a LIMIT 5 } } '
        "ORDER BY DESC(COALESCE(?a, 0)) ?a OFFSET 2"
    )
    made = made_total(text)
    # Each condition's kind: the subquery's ?a, the closing ?a, the closing COALESCE.
    assert made.count("ASC(IF(isNumeric(?a), 1,") == 2
    assert made.count("DESC(IF(isNumeric(COALESCE(?a, 0)), 1,") == 1
    assert '"ORDER BY ?b"' in made  # a string is no clause
    assert made.endswith("OFFSET 2") and "LIMIT 5 } }" in made
    assert total_order("SELECT ?order WHERE { ?order ?p ?o }") == (
        "SELECT ?order WHERE { ?order ?p ?o }"
    )
    assert total_order("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a ?") is None  # unreadable


def test_a_condition_whose_values_are_of_one_kind_is_left_as_it_is() -> None:
    """The paging order's keys (text, booleans, IRIs) need no kind before them."""
    text = "SELECT ?a WHERE { ?a ?b ?c } ORDER BY STR(?a) DESC(isIRI(?a)) datatype(?c) ?c"
    made = made_total(text).split("\n")
    assert made[1:4] == ["ASC(STR(?a))", "DESC(isIRI(?a))", "ASC(datatype(?c))"]
    assert made[4].startswith("ASC(IF(isNumeric(?c)") and made[8:] == [""]  # four keys
    # A call whose value is of any kind, or more than one call, gets the kinds.
    for condition in ["COALESCE(?c, 1)", "(STR(?a))", "DESC(STR(?a) + 1)", "MAX(?c)"]:
        assert "isNumeric" in made_total(f"SELECT ?a WHERE {{ ?a ?b ?c }} ORDER BY {condition}")


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


@pytest.mark.parametrize(
    "condition",
    [
        "MD5(STR(?thing))",
        "sha256(STR(?thing))",
        "NOT EXISTS { ?thing a ?v }",
        "EXISTS{?thing ?p ?v}",
        "DESC(?v # the largest first\n)",
        "<http://example.org/f>(?v)",
    ],
)
def test_every_form_of_condition_is_read_and_made_total(condition: str) -> None:
    """A builtin the lexer reads as a word and a number, a group pattern, a comment that
    ends inside the brackets: each is read, and the engine runs what was made."""
    text = f"SELECT ?thing ?v WHERE {{ {THINGS} }} ORDER BY ?v {condition}"
    made = made_total(text)
    assert made.count("ASC(IF(isNumeric(?v), 1,") == 1
    store = Store(Settings())
    if condition.startswith("<"):  # read, and run: a function the engine does not know
        with pytest.raises(RuntimeError, match="is not supported"):
            store.engine.query(made)
        return
    assert isinstance(store.engine.query(made), ox.QuerySolutions)


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        # Decimals that differ only past a double's precision, among doubles equal to them.
        (
            "SELECT ?v WHERE { ?thing <http://example.org/value> ?v } ORDER BY ?v",
            "DECIMALS",
        ),
    ],
)
def test_numbers_equal_as_doubles_but_not_as_decimals_are_sorted_and_the_process_lives(
    text: str, rows: str
) -> None:
    script = textwrap.dedent(
        """
        import random, sys
        import pyoxigraph as ox
        from aikg.config import Settings
        from aikg.sparql.execute import execute_page
        from aikg.store.local import Store

        D = "http://www.w3.org/2001/XMLSchema#"
        draw = random.Random(1)
        store = Store(Settings())
        values = []
        for i in range(5000):
            k = draw.randint(0, 200)
            if draw.random() < 0.5:
                values.append(ox.Literal(f"0.1{'0' * 14}{k:03d}",
                                         datatype=ox.NamedNode(D + "decimal")))
            else:
                values.append(ox.Literal(repr(0.1 + k * 1e-17),
                                         datatype=ox.NamedNode(D + "double")))
        store.extend([ox.Quad(ox.NamedNode(f"http://example.org/thing/{i}"),
                              ox.NamedNode("http://example.org/value"), v,
                              ox.NamedNode("http://example.org/graph"))
                      for i, v in enumerate(values)])
        way, text = sys.argv[1:]
        if way == "engine":
            list(store.engine.query(text, use_default_graph_as_union=True))
        # Through a subquery, so that the engine sorts, not aikg.
        sub = "SELECT ?v WHERE { { " + text + " LIMIT 100000 } }"
        answer = execute_page(store, sub, Settings(), page=1, max_rows=10**6)
        print(len(answer.rows))
        """
    )

    bare = run_child(script, "engine", text)
    assert bare.returncode == -signal.SIGABRT, bare.stderr[-2000:]
    done = run_child(script, "aikg", text)
    assert (done.returncode, done.stdout) == (0, "5000\n"), done.stderr[-2000:]


def test_an_update_sorting_in_a_subquery_runs_in_a_total_order() -> None:
    """A write's WHERE may sort too (a subquery with ORDER BY and LIMIT)."""
    done = run(
        "aikg-update",
        "INSERT { GRAPH <http://example.org/top> { ?thing <http://example.org/top> ?v } } "
        f"WHERE {{ {{ SELECT ?thing ?v WHERE {{ GRAPH ?g {{ {THINGS} }} }} ORDER BY ?v "
        "LIMIT 10 } }",
    )
    assert (done.returncode, done.stdout) == (0, "10\n"), done.stderr[-2000:]


def test_an_order_by_that_cannot_be_read_is_refused_unless_it_is_a_syntax_error(
    monkeypatch: pytest.MonkeyPatch, kg: KnowledgeGraph
) -> None:
    """Should aikg fail to read an ORDER BY the engine would run, the query is refused
    rather than sorted unprotected; a text the engine cannot parse gets its own error."""
    monkeypatch.setattr(order_by, "total_order", lambda text: None)
    with pytest.raises(QueryRefusedError, match="ORDER BY"):
        kg.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o")
    with pytest.raises(QuerySyntaxError):
        kg.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o LIMIT")
    # What was made but refused by the engine: the same.
    monkeypatch.setattr(order_by, "total_order", lambda text: text + " }")
    with pytest.raises(QueryRefusedError):
        kg.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o")


# Durations written as no duration ("PT1Q"), among real ones: Oxigraph orders the real
# ones by length and the rest by text, which is no order (PT9S < PT10S < PT1Q < PT9S).
DURATIONS = """
    import aikg
    from aikg.store.local import Store
    from aikg.config import Settings
    texts = ("PT62Q PT99S PT32Q PT19S PT95Q PT22Q PT57Q PT38Q PT3Q PT28S PT44Q PT49Q PT47S "
             "PT91S PT21Q PT68Q PT61S PT50S PT24Q PT46S PT89Q PT18Q PT33S PT1Q PT98S PT94S "
             "PT95Q PT3Q PT26S PT46Q PT60S PT74Q PT36S PT43S PT77Q PT24Q PT87Q PT78S PT1S "
             "PT89S").split()
    values = " ".join(f'"{t}"^^<http://www.w3.org/2001/XMLSchema#dayTimeDuration>' for t in texts)
    query = f"SELECT ?d WHERE {{ VALUES ?d {{ {values} }} }} ORDER BY ?d"
    store = Store(Settings())
    if WAY == "engine":
        list(store.engine.query(query))
    print(" ".join(row["d"].value for row in store.query(query)))
"""


def test_durations_some_written_as_none_are_sorted_and_the_process_lives() -> None:
    bare = run_child(DURATIONS.replace("WAY", '"engine"'))
    assert bare.returncode == -signal.SIGABRT, bare.stderr[-2000:]
    done = run_child(DURATIONS.replace("WAY", '"aikg"'))
    assert done.returncode == 0, done.stderr[-2000:]
    order = done.stdout.split()
    real = [t for t in order if not t.endswith("Q")]  # as the engine writes them: PT1M39S

    def seconds(text: str) -> int:
        minutes, _, rest = text[2:].rpartition("M")
        return int(minutes or 0) * 60 + int(rest.rstrip("S") or 0)

    assert len(order) == 40 and len(real) == 18  # 18 durations, 22 written as none
    assert real == sorted(real, key=seconds)  # by length
    # Each kind of value together: the ill-typed, by text, among themselves.
    ill = [t for t in order if t.endswith("Q")]
    assert ill == sorted(ill)
    assert order == real + ill or order == ill + real


def test_a_condition_drawing_a_new_value_at_each_call_is_refused_where_the_engine_sorts(
    kg: KnowledgeGraph,
) -> None:
    """Copied into four keys, RAND() would draw four values: a number for the kind and a
    string for the value. Sorted by aikg (a column, drawn once a row), it is answered."""
    numbers = " ".join(str(i) for i in range(-50, 50))
    text = (
        f"SELECT {{d}} ?x WHERE {{{{ VALUES ?x {{{{ {numbers} }}}} }}}} "
        "ORDER BY IF(RAND() < 0.5, ?x, STR(?x))"
    )
    with pytest.raises(QueryRefusedError, match=r"calls RAND\(\)") as refused:
        kg.query(text.format(d="DISTINCT"))
    assert "BIND" in (refused.value.hint or "")
    answer = kg.query(text.format(d=""))
    assert isinstance(answer, SelectResult) and len(answer.rows) == 100


def test_an_order_by_inside_another_is_made_total_too() -> None:
    """A subquery sorted inside an EXISTS that is itself a condition: both clauses are
    read (the outer one after the inner has grown), as a query and as a write."""
    done = run_child(
        """
        import aikg
        from aikg.config import Settings
        from aikg.store.local import Store
        mixed = " ".join(f'{i} "{i}"' for i in range(-1500, 1500))
        inner = "EXISTS { SELECT ?b WHERE { VALUES ?b { 1 } } ORDER BY ?b LIMIT 1 }"
        where = f"SELECT ?x WHERE {{ VALUES ?x {{ {mixed} }} }} ORDER BY ?x ({inner}) LIMIT 1"
        store = Store(Settings())
        print(bool(store.query(f"ASK {{ {{ {where} }} }}")))
        store.update(
            "INSERT { GRAPH <http://example.org/g> { <http://example.org/s> "
            f"<http://example.org/p> ?x }} }} WHERE {{ {{ {where} }} }}", {})
        print(len(list(store.engine.quads_for_pattern(None, None, None, None))))
        """
    )
    assert (done.returncode, done.stdout.split()) == (0, ["True", "1"]), done.stderr[-2000:]


def test_an_order_by_of_too_many_conditions_is_refused_not_crashed(kg: KnowledgeGraph) -> None:
    """Each condition becomes four keys of about 3 kB: Oxigraph crashed (SIGSEGV) at
    about 2,800 of them, so more than MAX_MADE conditions are refused."""
    conditions = " ?x" * (order_by.MAX_MADE + 1)
    text = f"SELECT ?x WHERE {{ {{ SELECT ?x WHERE {{ VALUES ?x {{ 1 2 }} }} ORDER BY{conditions} LIMIT 1 }} }}"
    with pytest.raises(QueryRefusedError, match="more than 200 conditions"):
        kg.query(text)
    fewer = text.replace(conditions, " ?x" * order_by.MAX_MADE)
    answer = kg.query(fewer)
    assert isinstance(answer, SelectResult) and len(answer.rows) == 1
