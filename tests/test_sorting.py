"""Pages sorted in this process: the same order as the engine's ORDER BY wherever the
engine's order is one, and the engine's own sort wherever this process cannot sort."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from aikg import KnowledgeGraph
from aikg.config import Settings
from aikg.saved_queries import catalog
from aikg.sparql import execute as execute_module
from aikg.sparql.execute import execute, execute_page
from aikg.sparql.order_by import total_order
from aikg.sparql.paging import page_query, select_shape, sorted_as_they_are
from aikg.sparql.sorting import Unordered, order_key, sort_plan
from aikg.store.local import Store

E = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
WHOLE = 10**6


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


# Each column: values of one kind, which the engine orders totally.
COLUMNS: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {
    "numbers of every numeric datatype": [
        typed("10", "integer"),
        typed("-3", "int"),
        typed("2.5", "decimal"),
        typed("1e2", "double"),
        typed("-INF", "double"),
        typed("0.1", "float"),
        typed("7", "nonNegativeInteger"),
        typed("2.25", "decimal"),
        typed("INF", "float"),
    ],
    "strings by code point": [
        ox.Literal("b"),
        ox.Literal("B"),
        ox.Literal("é"),
        ox.Literal("대한민국"),
        ox.Literal(""),
        ox.Literal("ab"),
        typed("a", "string"),
    ],
    "texts that begin others, followed there by the least code points": [
        ox.Literal("ab\x01"),
        ox.Literal("a"),
        ox.Literal("ab\x00"),
        ox.Literal("ab"),
        ox.Literal(""),
        ox.Literal("a\x00"),
    ],
    "language-tagged text": [
        ox.Literal("Korea", language="en"),
        ox.Literal("Corée", language="en"),
        ox.Literal("한국", language="en"),
    ],
    "IRIs by their text": [ox.NamedNode(E + x) for x in ("b", "a/b", "A", "a", "ä")],
    "booleans": [typed("true", "boolean"), typed("false", "boolean")],
    "plain, language-tagged and boolean text together": [
        ox.Literal("Seoul"),
        ox.Literal("Busan", language="en"),
        ox.Literal("Anyang", language="ko"),
        ox.Literal("Daegu"),
        ox.Literal("Incheon", language="en"),
        ox.Literal("Incheon"),
        ox.Literal("Incheon", language="de"),
        typed("true", "boolean"),
        ox.Literal("true"),
        ox.Literal("true", language="en"),
        typed("false", "boolean"),
        ox.Literal("\U0001f600"),
        ox.Literal("\uffff"),
    ],
    "IRIs, blank nodes and literals": [
        ox.NamedNode(E + "x"),
        ox.BlankNode("b1"),
        ox.Literal("text"),
        ox.NamedNode(E + "a"),
    ],
}


def store_of(values: list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]) -> Store:
    """Things 0..n with one value each (``e:value``), and a thing without one."""
    store = Store(Settings())
    graph = ox.NamedNode(E + "graph")
    quads = [
        ox.Quad(ox.NamedNode(f"{E}thing/{i}"), ox.NamedNode(E + "value"), value, graph)
        for i, value in enumerate(values)
    ]
    quads.append(
        ox.Quad(ox.NamedNode(E + "thing/none"), ox.NamedNode(E + "kind"), ox.Literal("x"), graph)
    )
    store.extend(quads)
    return store


QUERY = (
    "SELECT ?thing ?value WHERE { ?thing ?p ?o OPTIONAL { ?thing <http://example.org/value> "
    "?value } } ORDER BY {direction}(?value)"
)


def engine_order(store: Store, text: str | None) -> list[object]:
    """The things in the engine's own order (the query as written, sorted by the engine)."""
    assert text is not None
    answer = store.engine.query(text, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    return [row["thing"] for row in answer]


@pytest.fixture
def sorted_here(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each page read from here on: whether it was sorted in this process."""
    seen: list[bool] = []
    real = execute_module._sorted_here

    def watched(*args: object) -> object:
        answer = real(*args)  # type: ignore[arg-type]
        seen.append(answer is not None)
        return answer

    monkeypatch.setattr(execute_module, "_sorted_here", watched)
    return seen


def here_order(store: Store, text: str, page: int = 1, size: int = WHOLE) -> list[object]:
    answer = execute_page(store, text, Settings(), page=page, max_rows=size)
    assert not isinstance(answer, ox.QueryBoolean | ox.QueryTriples)
    return [row["thing"] for row in answer.rows]


def pages_of_three(store: Store, text: str, rows: int) -> list[object]:
    """The things of every page of three rows, page after page."""
    pages = [here_order(store, text, page, 3) for page in range(1, (rows + 2) // 3 + 1)]
    return [thing for page in pages for thing in page]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("column", COLUMNS, ids=list(COLUMNS))
def test_values_of_one_kind_sort_here_as_the_engine_sorts_them(
    column: str, direction: str, sorted_here: list[bool]
) -> None:
    store = store_of(COLUMNS[column])
    text = QUERY.replace("{direction}", direction)
    assert here_order(store, text) == engine_order(store, text)
    assert sorted_here == [True]
    # Page by page, the same order.
    whole = engine_order(store, text)
    assert pages_of_three(store, text, len(whole)) == whole


def test_the_order_of_values_follows_sparql() -> None:
    unbound, blank, iri = None, ox.BlankNode("z"), ox.NamedNode(E + "a")
    one, one_point_o = typed("1", "integer"), typed("1.0", "decimal")
    text, lang, yes = ox.Literal("a"), ox.Literal("a", language="en"), typed("true", "boolean")
    assert sorted([yes, lang, text, one, iri, blank, unbound], key=order_key) == [
        unbound,
        blank,
        iri,
        one,
        lang,  # text, then datatype IRI (rdf:langString before xsd:...), as the engine
        text,
        yes,
    ]
    assert order_key(one)[:3] == order_key(one_point_o)[:3] and order_key(one) == order_key(
        one_point_o
    )
    # xsd:float compares at its single precision, as the engine promotes it.
    assert order_key(typed("0.1", "float")) > order_key(typed("0.1", "double"))
    nan = typed("NaN", "double")
    assert sorted([nan, typed("1", "integer")], key=order_key)[0] == typed("1", "integer")


# Columns whose values the engine's own comparison does not order (a number and a string
# compare by text, two numbers by value; a date against a date by time where it can): each
# sorts here as the engine is made to sort it (aikg.sparql.order_by).
MIXED: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]] = {
    "numbers and strings": [
        typed("9", "integer"),
        ox.Literal("5"),
        typed("10", "integer"),
        ox.Literal("10 GPUs"),
        typed("2.5", "decimal"),
        ox.Literal("한국", language="ko"),
        typed("true", "boolean"),
    ],
    "numbers the engine holds as no number, among numbers": [
        typed(" 7", "integer"),
        typed("5_000", "integer"),
        typed("\u0665", "integer"),
        typed(str(2**63), "integer"),
        typed("1e5", "decimal"),
        typed("Infinity", "double"),
        typed("8", "integer"),
        typed("-1.5", "decimal"),
    ],
    "every kind together": [
        ox.NamedNode(E + "b"),
        ox.BlankNode("b1"),
        typed("3", "integer"),
        ox.Literal("three"),
        ox.Literal("three", language="en"),
        ox.Triple(ox.NamedNode(E + "s"), ox.NamedNode(E + "p"), typed("1", "integer")),
        ox.Literal("x", datatype=ox.NamedNode(E + "custom")),
        ox.Literal("a", datatype=ox.NamedNode(E + "custom")),
        typed("NaN", "double"),
        typed("-INF", "float"),
        typed("false", "boolean"),
        ox.NamedNode(E + "a"),
    ],
}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("column", MIXED, ids=list(MIXED))
def test_values_of_mixed_kinds_sort_here_as_the_engine_is_made_to_sort_them(
    column: str, direction: str, sorted_here: list[bool]
) -> None:
    store = store_of(MIXED[column])
    text = QUERY.replace("{direction}", direction)
    made = total_order(text)
    assert made != text
    whole = engine_order(store, made)
    assert here_order(store, text) == whole
    assert sorted_here == [True]
    assert pages_of_three(store, text, len(whole)) == whole
    # And the pages the engine sorts (page_query's keys after the query's own) agree.
    paged = page_query(text, 1, WHOLE)
    assert paged is not None
    assert engine_order(store, total_order(paged)) == whole


IN_TIME = {
    "dateTime": ["10:00:00+09:00", "05:00:00Z", "04:59:59.5Z", "06:00:00", "04:30:00-02:00"],
    "date": ["2024-01-02+14:00", "2024-01-01-12:00", "2024-01-01", "-0044-03-15", "12024-01-01"],
    "dayTimeDuration": ["PT2H", "P1D", "PT90M", "-PT1S"],
}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("datatype", IN_TIME, ids=list(IN_TIME))
def test_dates_times_and_durations_are_sorted_by_the_engine_in_time(
    datatype: str, direction: str
) -> None:
    """The engine compares them in time (a value without a timezone taken as UTC) or by
    length; aikg leaves them to it."""
    texts = IN_TIME[datatype]
    prefix = "2024-01-01T" if datatype == "dateTime" else ""
    values = [typed(prefix + text, datatype) for text in texts]
    with pytest.raises(Unordered):
        order_key(values[0])
    store = store_of(list(values))
    text = QUERY.replace("{direction}", direction)
    things = here_order(store, text)
    made = total_order(page_query(text, 1, WHOLE) or "")
    assert made is not None and things == engine_order(store, made)
    when = {
        "dateTime": [1, 5, 4.99, 6, 6.5],  # hours of 1 January 2024, UTC (06:00 taken as UTC)
        "date": [3.42, 3.5, 3, -1, 9],  # the start of each: 1 January 2024 (UTC) is 3
        "dayTimeDuration": [2, 24, 1.5, 0],
    }[datatype]
    by_time = sorted(range(len(texts)), key=lambda i: when[i], reverse=direction == "DESC")
    assert things[:-1] == [ox.NamedNode(f"{E}thing/{i}") for i in by_time] or things[1:] == [
        ox.NamedNode(f"{E}thing/{i}") for i in by_time
    ]


def test_the_kinds_come_in_order_and_other_literals_by_datatype_then_text() -> None:
    column = MIXED["every kind together"]
    ordered = sorted(column, key=order_key)
    assert ordered == [
        ox.BlankNode("b1"),
        ox.NamedNode(E + "a"),
        ox.NamedNode(E + "b"),
        typed("-INF", "float"),
        typed("3", "integer"),
        typed("NaN", "double"),  # after every number, as the engine puts it
        typed("false", "boolean"),
        ox.Literal("three", language="en"),
        ox.Literal("three"),
        ox.Literal("a", datatype=ox.NamedNode(E + "custom")),
        ox.Literal("x", datatype=ox.NamedNode(E + "custom")),
        ox.Triple(ox.NamedNode(E + "s"), ox.NamedNode(E + "p"), typed("1", "integer")),
    ]


@pytest.mark.parametrize(
    ("text", "datatype"),
    [
        (" 7", "integer"),
        ("5_000", "integer"),
        ("\u0665", "integer"),
        (str(2**63), "integer"),
        ("1e5", "decimal"),
        ("1_0.5", "double"),
        ("0x10", "int"),
    ],
)
def test_a_number_the_engine_holds_as_no_number_sorts_by_its_text(text: str, datatype: str) -> None:
    """The engine keeps a literal not written as XSD writes its datatype (or out of its
    range) as no number: so does the order here, among the other literals."""
    value = typed(text, datatype)
    assert order_key(value) == (3, 2, XSD + datatype, text)
    store = store_of([value])
    held = "ASK { ?thing <http://example.org/value> ?v FILTER(!isNumeric(?v)) }"
    answer = store.query(held, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QueryBoolean) and bool(answer)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?o",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o ?",
        "ASK { ?s ?p ?o }",
    ],
    ids=["distinct by a hidden variable", "unreadable", "ask"],
)
def test_a_query_whose_keys_cannot_be_columns_is_sorted_by_the_engine(text: str) -> None:
    assert sort_plan(text) is None


STAR = (
    "SELECT * WHERE { ?thing ?p ?o OPTIONAL { ?thing <http://example.org/value> ?value } } "
    "ORDER BY DESC(?value) ?thing"
)


def test_select_star_is_sorted_here_as_the_query_naming_its_columns(
    sorted_here: list[bool],
) -> None:
    store = store_of(MIXED["every kind together"])
    assert sort_plan(STAR) is None  # its columns are the engine's to name: asked first
    answer = execute_page(store, STAR, Settings(), page=1, max_rows=WHOLE)
    assert not isinstance(answer, ox.QueryBoolean | ox.QueryTriples)
    assert answer.variables == ["o", "p", "thing", "value"]  # the engine's own columns
    whole = engine_order(store, total_order(STAR))
    assert [row["thing"] for row in answer.rows] == whole
    assert sorted_here == [True]
    assert pages_of_three(store, STAR, len(whole)) == whole


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        (STAR.replace("OPTIONAL", "VALUES ?extra { 1 } OPTIONAL", 1), None),
        (STAR + " VALUES ?extra { 1 }", ["extra", "o", "p", "thing", "value"]),
        (STAR.replace("SELECT *", "SELECT DISTINCT *"), ["o", "p", "thing", "value"]),
        ("SELECT * WHERE { } ORDER BY ?x", []),
    ],
    ids=["values inside", "closing values", "distinct", "no variable"],
)
def test_the_columns_of_select_star_are_the_engines(text: str, columns: list[str] | None) -> None:
    store = store_of(MIXED["every kind together"])
    answer = execute_page(store, text, Settings(), page=1, max_rows=WHOLE)
    assert not isinstance(answer, ox.QueryBoolean | ox.QueryTriples)
    engine = store.query(text, use_default_graph_as_union=True)
    assert isinstance(engine, ox.QuerySolutions)
    assert answer.variables == [v.value for v in engine.variables]
    if columns is not None:
        assert answer.variables == columns
    assert len(answer.rows) == len(list(engine))


def test_a_rewritten_query_the_engine_refuses_is_sorted_by_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A grouped query ordered by a variable it does not group by: the engine sorts by the
    unbound value, and refuses it as a column."""
    store = store_of(COLUMNS["strings by code point"])
    text = "SELECT ?thing (COUNT(?o) AS ?n) WHERE { ?thing ?p ?o } GROUP BY ?thing ORDER BY ?o"
    plan = sort_plan(text)
    assert plan is not None
    with pytest.raises(SyntaxError, match="unbound"):
        store.query(plan.text)
    paged = page_query(text, 1, WHOLE)
    assert paged is not None
    assert here_order(store, text) == engine_order(store, paged)


def test_the_plan_moves_each_condition_to_a_column_and_keeps_the_window() -> None:
    text = (
        "PREFIX e: <http://e/> SELECT ?a (COUNT(?c) AS ?n) WHERE { ?a ?b ?c } GROUP BY ?a "
        "ORDER BY DESC(COUNT(?c)) e:f(?a) (?a) ASC(?a) DESC( ?n ) LIMIT 10 OFFSET 2 "
        "VALUES ?b { <http://e/p> }"
    )
    plan = sort_plan(text)
    assert plan is not None
    assert plan.text == (
        "PREFIX e: <http://e/> SELECT ?a (COUNT(?c) AS ?n)\n(COUNT(?c)\n AS ?aikg_order_1) "
        "(e:f(?a)\n AS ?aikg_order_2) ((?a)\n AS ?aikg_order_3) "
        "WHERE { ?a ?b ?c } GROUP BY ?a\nVALUES ?b { <http://e/p> }"
    )
    # A projected variable as it stands (an aggregate's name too) is sorted by its column.
    assert plan.columns == 2
    assert plan.keys == ((2, True), (3, False), (4, False), (0, False), (1, True))
    assert (plan.offset, plan.limit) == (2, 10)
    taken = sort_plan("SELECT ?aikg_order ?x WHERE { ?aikg_order ?p ?x } ORDER BY ?x ?p")
    assert taken is not None and "AS ?aikg_order__1)" in taken.text


def test_a_comment_closing_the_select_line_keeps_the_added_columns_out_of_it() -> None:
    store = store_of(COLUMNS["strings by code point"])
    text = (
        "SELECT ?thing # the things\nWHERE { ?thing ?p ?o OPTIONAL { ?thing "
        "<http://example.org/value> ?value } } ORDER BY DESC(?value)"
    )
    plan = sort_plan(text)
    assert plan is not None and plan.text.startswith("SELECT ?thing # the things\n(?value")
    assert here_order(store, text) == engine_order(store, text)


@pytest.mark.parametrize("call", ["RAND()", "BNODE()", "UUID()", "STRUUID()", "LCASE(?s)"])
def test_distinct_rows_ordered_by_an_expression_are_sorted_by_the_engine(call: str) -> None:
    """A column more would make rows distinct that are not (a random number in each)."""
    store = store_of(COLUMNS["strings by code point"])
    text = f"SELECT DISTINCT ?p WHERE {{ ?s ?p ?o }} ORDER BY {call}"
    assert sort_plan(text) is None
    answer = execute_page(store, text, Settings(), page=1, max_rows=WHOLE)
    assert not isinstance(answer, ox.QueryBoolean | ox.QueryTriples)
    assert len(answer.rows) == 2  # e:value and e:kind, once each
    distinct = sort_plan("SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY DESC(?p)")
    assert distinct is not None and distinct.keys == ((0, True),)


def test_a_grouped_query_ordered_by_its_aggregate_is_sorted_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = store_of(COLUMNS["strings by code point"])
    text = "SELECT ?p (COUNT(?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p"
    monkeypatch.setattr(execute_module, "page_query", lambda *_, **__: pytest.fail("engine"))
    answer = execute_page(store, text, Settings(), page=1, max_rows=WHOLE)
    assert not isinstance(answer, ox.QueryBoolean | ox.QueryTriples)
    assert [(row["p"], row["n"]) for row in answer.rows] == [
        (ox.NamedNode(E + "value"), typed("7", "integer")),
        (ox.NamedNode(E + "kind"), typed("1", "integer")),
    ]


def test_triple_terms_come_last_all_tied_and_a_text_with_a_direction_is_left_to_the_engine(
    sorted_here: list[bool],
) -> None:
    triple = ox.Triple(ox.NamedNode(E + "s"), ox.NamedNode(E + "p"), ox.NamedNode(E + "o"))
    assert order_key(triple) == (4,) > order_key(typed("1", "integer"))
    with pytest.raises(Unordered):
        order_key(ox.Literal("x", language="ar", direction=ox.BaseDirection.RTL))
    store = store_of(MIXED["numbers and strings"])
    # The triples' objects mix numbers and text, which the engine's own sort aborts on.
    text = "SELECT ?thing ?t WHERE { ?thing ?p ?o BIND(TRIPLE(?thing, ?p, ?o) AS ?t) } ORDER BY ?t"
    things = here_order(store, text)
    assert sorted_here == [True]
    # All tied: the rows come by their N-Triples text, as every tie here.
    assert things == sorted(things, key=str)
    made = total_order(page_query(text, 1, WHOLE) or "")
    assert made is not None and len(engine_order(store, made)) == len(things)


SAVED = sorted(q.name for q in catalog().values() if q.kind == "select")


@pytest.mark.parametrize("name", SAVED)
def test_every_saved_query_sorts_here_as_the_engine_sorts_it(kg: KnowledgeGraph, name: str) -> None:
    """On the bundled data: the columns the query's ORDER BY names as they stand come in
    the same sequence whichever sorts (the rest of a row may differ among rows the query's
    own order leaves tied)."""
    query = catalog()[name]
    params = {p.name: p.example for p in query.params if p.example is not None}
    text = query.bind(params, kg.settings.base_iri).apply(query.text)
    shape = select_shape(text)
    assert shape is not None
    keys = sorted(sorted_as_they_are(text, shape))
    here = execute_page(kg.store, text, kg.settings, page=1, max_rows=WHOLE)
    paged = page_query(text, 1, WHOLE)
    assert paged is not None and not isinstance(here, ox.QueryBoolean | ox.QueryTriples)
    engine = execute(kg.store, paged, kg.settings)  # the engine's sort, as the query runs
    assert isinstance(engine, ox.QuerySolutions)
    engine_rows = [tuple(row[k] for k in keys) for row in engine]
    assert [tuple(row.get(k) for k in keys) for row in here.rows] == engine_rows
