"""Run a SPARQL query on the store and hand back typed results.

SELECT gives a :class:`SelectResult` (rows of rdflib terms: one page of the answer, with
the number of the next page when the answer goes on past the row limit), ASK a ``bool``,
CONSTRUCT and DESCRIBE an rdflib ``Graph``. Every query passes
:func:`aikg.sparql.guard.check_query` first. :func:`execute_page` reads one page of an
answer (see :mod:`aikg.sparql.paging`), :func:`execute_pages` every page in turn (an
answer sorted here read once for all of them), :func:`iter_pages` every page a reader
gives one by one (a remote aikg server's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Literal, Node

from aikg.config import Settings
from aikg.errors import (
    InputError,
    MissingDependencyError,
    ParameterError,
    QuerySyntaxError,
    UnknownGraphError,
)
from aikg.namespaces import XSD, prefix_table
from aikg.sparql.guard import check_query, syntax_error, undeclared_prefix
from aikg.sparql.paging import (
    PAGE_PARAMETER,
    SelectShape,
    page_query,
    past_the_end,
    select_shape,
)
from aikg.sparql.results import Table, table
from aikg.sparql.sorting import (
    SortPlan,
    Unordered,
    sort_plan,
    sorted_rows,
    star_probe,
    with_columns,
)
from aikg.store.local import Store
from aikg.terms import OxTerm, to_rdflib, triples_to_graph

OxResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


@dataclass
class SelectResult:
    """The answer to a SELECT query.

    Each row maps variable names to rdflib terms; an unbound variable is absent from its
    row. An answer longer than the row limit comes in pages: ``page`` is this one (from
    1), ``next_page`` the one that holds the rows after it (None on the last page), and
    ``truncated`` is True when a next page follows.
    """

    variables: tuple[str, ...]
    rows: list[dict[str, Node]] = field(default_factory=list)
    truncated: bool = False
    page: int = 1
    next_page: int | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Node]]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> dict[str, Node]:
        return self.rows[index]

    def values(self) -> list[dict[str, Any]]:
        """The rows as plain Python values (int, str, Decimal, ...); IRIs become strings."""
        return [{k: _python(v) for k, v in row.items()} for row in self.rows]

    def column(self, name: str) -> list[Node | None]:
        """One variable's values, row by row (None where unbound)."""
        return [row.get(name) for row in self.rows]

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (needs ``aikg[pandas]``), one column per
        variable, typed by the column's RDF datatypes: integers as ``int64`` (``Int64``
        where a row has no value), decimals, doubles and floats as ``float64``, booleans
        as ``boolean``, dates and date-times as ``datetime64``; other values (IRIs, text)
        as Python objects."""
        try:
            import pandas as pd  # noqa: PLC0415 - an optional extra
        except ImportError:
            raise MissingDependencyError(
                "to_dataframe needs pandas, which is not installed",
                hint="pip install 'aikg[pandas]'",
            ) from None
        frame = pd.DataFrame(self.values(), columns=list(self.variables))
        for name in self.variables:
            kind = _column_kind(self.column(name))
            if kind == "integer":
                frame[name] = frame[name].astype("int64" if frame[name].notna().all() else "Int64")
            elif kind == "float":
                frame[name] = frame[name].astype("float64")
            elif kind == "boolean":
                frame[name] = frame[name].astype("boolean")
            elif kind == "datetime":
                frame[name] = pd.to_datetime(frame[name])
        return frame


R = TypeVar("R")


@dataclass
class Records(SelectResult, Generic[R]):
    """A SELECT answer (rows, ``values()``, ``to_dataframe()``, as every other) that also
    carries its rows read as typed Python records (``records``): what the analyst's
    helpers (:mod:`aikg.analyst`) return."""

    records: list[R] = field(default_factory=list)


QueryResult = SelectResult | bool | Graph

_INTEGERS = {
    XSD + name
    for name in (
        *("integer", "int", "long", "short", "byte", "nonNegativeInteger"),
        *("positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong"),
        *("unsignedInt", "unsignedShort", "unsignedByte"),
    )
}
_FLOATS = {XSD + "decimal", XSD + "double", XSD + "float"}
_DATETIMES = {XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp"}


def _column_kind(terms: list[Node | None]) -> str:
    """The kind of a column: "integer", "float", "boolean" or "datetime" when every value is a
    literal of that kind (a column of integers and decimals is "float"); "" otherwise."""
    datatypes = {str(t.datatype) if isinstance(t, Literal) else "" for t in terms if t is not None}
    if not datatypes or "" in datatypes:
        return ""
    if datatypes <= _INTEGERS:
        return "integer"
    if datatypes <= _INTEGERS | _FLOATS:
        return "float"
    if datatypes == {XSD + "boolean"}:
        return "boolean"
    return "datetime" if datatypes <= _DATETIMES else ""


def _python(term: Node) -> Any:
    value = term.toPython() if hasattr(term, "toPython") else term
    return str(value) if isinstance(value, Node) else value


def execute(
    store: Store,
    query: str,
    settings: Settings,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    bound: Mapping[str, OxTerm] | None = None,
    max_rows: int | None = None,
) -> OxResult:
    """Run a query on an Oxigraph store after the guard's checks; Oxigraph results out.

    The default graph is the union of all graphs, unless the query has FROM / FROM NAMED
    or ``default_graphs`` names graphs (the SPARQL protocol's ``default-graph-uri``, which
    overrides the query's FROM).
    Relative IRIs resolve against the configured base IRI, so ``<country/KR>`` works, and
    the prefixes of :func:`aikg.namespaces.prefix_table` (``country:KR`` too) need no
    declaration; a query's own PREFIX wins.

    ``bound`` gives variables initial values (Oxigraph's ``substitutions``), for the
    planner's sake: on an engine in this process only; elsewhere the query must bind
    them itself (a saved query's VALUES clause does). ``max_rows``: the rows the caller
    keeps, which a remote store reads (and one more) of an answer its row cap cuts.
    """
    reading = check_query(
        query,
        max_length=settings.max_query_length,
        max_depth=settings.max_query_depth,
        allowed_hosts=settings.service_allowlist,
        base_iri=settings.base_iri,
        prefixes=prefix_table(settings.base_iri),
    )
    options: dict[str, Any] = {
        "base_iri": settings.base_iri,
        "prefixes": prefix_table(settings.base_iri),
    }
    for graph in reading.iris("from", "from named"):
        if not store.has_graph(graph):
            # Jena fetches a FROM graph from its URL, other stores answer as if it were
            # empty, which looks like "no results": say what happened instead. (The
            # protocol's default-graph-uri may name an unknown graph, an empty one, as
            # the W3C protocol tests expect.)
            raise UnknownGraphError(
                f"the query's dataset names <{graph}>, which is not a graph of this "
                "store; nothing is ever fetched from a URL or a file",
                hint="name graphs this store holds (the service description, GET /sparql, "
                "and `aikg stats` list them)",
            )
    if default_graphs is not None or named_graphs is not None:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or []]
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
    elif not reading.dataset:
        # The union of all graphs is the default graph, unless the query says otherwise.
        options["use_default_graph_as_union"] = True
    if bound and store.native:
        options["substitutions"] = {ox.Variable(name): term for name, term in bound.items()}
    if max_rows is not None and not store.native:
        options["max_rows"] = max_rows
    try:
        return store.query(query, **options)
    except SyntaxError as error:
        raise syntax_error(str(error.msg), query, reading) from None
    except QuerySyntaxError as error:  # a remote store's refusal: say why if we know
        raise undeclared_prefix(query, reading) or error from None


#: The most values (rows times columns) of an answer sorted in this process that
#: :func:`execute_pages` keeps, so that it reads the answer once, not once a page:
#: 200,000 rows of 5 columns. (Every page of ``figure-clashes`` on 10M triples, 172,326
#: rows of 5, read into a list: a peak RSS of 710 MB, against 374 MB for its first page.)
KEPT_VALUES = 1_000_000


def execute_pages(
    store: Store,
    query: str,
    settings: Settings,
    *,
    max_rows: int,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    bound: Mapping[str, OxTerm] | None = None,
) -> Iterator[Table | ox.QueryBoolean | ox.QueryTriples]:
    """Every page of a query's answer, first to last: the pages :func:`execute_page`
    gives one by one, row for row, in the same order (an ASK or graph answer is its one
    page).

    Where a page is sorted in this process, an answer of at most :data:`KEPT_VALUES`
    values is sorted whole when the first page is read, and the later pages are slices
    of it: the answer is read once, not once a page (the pages of ``figure-clashes`` on
    10M triples each took as long as the whole answer). They are then the pages of the
    data as it was when the first was read, even if the store changes while they are
    read, and of one draw of a random order (``ORDER BY RAND()``), where pages asked for
    one by one each draw their own. A longer answer, or one read another way, is read
    again for each page. The first page comes later than :func:`execute_page`'s: the
    answer is held (up to the bound) and sorted whole before it.
    """
    options: dict[str, Any] = {
        "max_rows": max_rows,
        "default_graphs": default_graphs,
        "named_graphs": named_graphs,
        "bound": bound,
    }
    first, whole = _page(store, query, settings, page=1, keep=KEPT_VALUES, **options)
    yield first
    if not isinstance(first, Table) or not first.truncated:
        return
    number = 2
    while True:
        if whole is not None:
            answer: Table | ox.QueryBoolean | ox.QueryTriples = _window(
                first.variables, whole, number, max_rows
            )
        else:
            answer = execute_page(store, query, settings, page=number, **options)
        yield answer
        if not isinstance(answer, Table) or not answer.truncated:
            return
        number += 1


def _window(variables: list[str], whole: list[tuple[Any, ...]], page: int, size: int) -> Table:
    """Page ``page`` (pages of ``size`` rows) of an answer held whole and in order."""
    rows = whole[(page - 1) * size : page * size]
    answer = Table(
        variables,
        [dict(zip(variables, row, strict=True)) for row in rows],
        truncated=len(whole) > page * size,
    )
    return _as_page(answer, page, size)


def execute_page(
    store: Store,
    query: str,
    settings: Settings,
    *,
    page: int,
    max_rows: int,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    bound: Mapping[str, OxTerm] | None = None,
) -> Table | ox.QueryBoolean | ox.QueryTriples:
    """Page ``page`` (from 1) of a query's answer, pages of ``max_rows`` rows in a total
    order (see :mod:`aikg.sparql.paging`); an ASK or graph answer as it is.

    The first page of a query without ORDER BY is first read as the query stands: an
    answer within the row limit is whole, in the engine's order, at no extra cost, on
    every backend; only an answer that goes on past the limit is read again in the
    paging order. On a store in this process, a query with an ORDER BY sorts its whole
    answer before its first row whichever way it is read, so its first page is read in
    the paging order straight away (its own order, ties broken): a long answer is sorted
    once, not twice; and the sort is this process's where it can be
    (:mod:`aikg.sparql.sorting`), the engine's otherwise. A remote store still reads it as
    it stands first, and its pages as subqueries (see
    :func:`~aikg.sparql.paging.page_query`): Virtuoso refuses the paging order's
    expressions on an aggregate's name (``STR(?n)`` for ``COUNT(*) AS ?n``) where the
    query stands, so a short answer there keeps working as it always has. A page
    after the last one, or a page past the first of an answer that has no pages (ASK,
    CONSTRUCT, DESCRIBE), is a :class:`~aikg.errors.ParameterError`.
    """
    answer, _ = _page(
        store,
        query,
        settings,
        page=page,
        max_rows=max_rows,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        bound=bound,
    )
    return answer


def _page(
    store: Store,
    query: str,
    settings: Settings,
    *,
    page: int,
    max_rows: int,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    bound: Mapping[str, OxTerm] | None,
    keep: int = 0,
) -> tuple[Table | ox.QueryBoolean | ox.QueryTriples, list[tuple[Any, ...]] | None]:
    """:func:`execute_page`'s page; and, where the page was sorted in this process and
    ``keep`` allows it, the whole answer in order (see :func:`execute_pages`)."""

    def run(text: str) -> OxResult:
        return execute(
            store,
            text,
            settings,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            bound=bound,
            max_rows=max_rows,
        )

    shape = select_shape(query)
    if shape is None:
        result = run(query)
        if isinstance(result, ox.QuerySolutions):  # a form the lexer could not tell
            return table(result, max_rows), None
        if page > 1:
            kind = "boolean" if isinstance(result, ox.QueryBoolean) else "graph"
            # Oxigraph's answers belong to the thread that made them: none may travel
            # with the error (the server's threads drop what an error holds elsewhere).
            del result
            raise ParameterError(
                f"page {page} of a {kind} answer: only SELECT answers have pages",
                where=PAGE_PARAMETER,
                hint="leave the page out; a graph longer than the row limit is cut at it "
                "(AIKG_MAX_ROWS) and flagged as truncated: narrow the query, or ask for its "
                "triples with a SELECT, which pages",
            )
        return result, None
    if page == 1 and not (shape.ordered and store.native):
        first = run(query)
        if not isinstance(first, ox.QuerySolutions):
            return first, None
        answer = table(first, max_rows)
        del first
        if not answer.truncated:
            return answer, None
    if store.native and (plan := _sort_plan(run, query, shape)) is not None:
        sorted_here = _sorted_here(run, plan, page, max_rows, keep)
        if sorted_here is not None:
            return sorted_here
    paged = page_query(query, page, max_rows, nested=not store.native, plain=store.orders_any_terms)
    assert paged is not None  # a SELECT has pages
    try:
        solutions = run(paged)
    except InputError:
        run(query)  # the query's own error, placed in its own text, if it has one
        raise
    assert isinstance(solutions, ox.QuerySolutions)
    answer = table(solutions, max_rows)
    del solutions  # read: see above
    return _as_page(answer, page, max_rows), None


def _sort_plan(run: Callable[[str], OxResult], query: str, shape: SelectShape) -> SortPlan | None:
    """How to sort ``query``'s pages here (:func:`~aikg.sparql.sorting.sort_plan`); a
    ``SELECT *`` first asks the engine which columns it has (a query that reads no row),
    and is sorted as the query that names them."""
    if not shape.star:
        return sort_plan(query)
    probe = star_probe(query)
    if probe is None:
        return None
    try:
        answer = run(probe)
    except InputError:
        return None  # the query's own error comes with the engine's reading of it
    if not isinstance(answer, ox.QuerySolutions):
        return None
    named = with_columns(query, [v.value for v in answer.variables])
    del answer  # read: see execute_page
    return None if named is None else sort_plan(named)


def _sorted_here(
    run: Callable[[str], OxResult], plan: SortPlan, page: int, max_rows: int, keep: int
) -> tuple[Table, list[tuple[Any, ...]] | None] | None:
    """Page ``page`` of the answer, sorted in this process (see :mod:`aikg.sparql.sorting`),
    with the whole answer in order if it has at most ``keep`` values; or None when the
    engine must sort it: it refuses the rewritten query, or a value to sort by is of an
    order not known here."""
    try:
        solutions = run(plan.text)
    except InputError:
        return None
    assert isinstance(solutions, ox.QuerySolutions)
    try:
        read = sorted_rows(solutions, plan, (page - 1) * max_rows, max_rows + 1, keep=keep)
    except Unordered:
        return None
    finally:
        del solutions  # read: see execute_page
    variables, rows = read.variables, read.rows
    answer = Table(
        variables,
        [dict(zip(variables, row, strict=True)) for row in rows[:max_rows]],
        truncated=len(rows) > max_rows,
    )
    return _as_page(answer, page, max_rows), read.whole


def _as_page(answer: Table, page: int, max_rows: int) -> Table:
    """``answer`` as page ``page``; an empty page after the first is past the end."""
    if page > 1 and not answer.rows:
        raise past_the_end(page, max_rows)
    answer.page = page
    return answer


def iter_pages(read: Callable[[int], QueryResult]) -> Iterator[SelectResult]:
    """Every page of a SELECT answer, first to last: ``read(n)`` answers page ``n``."""
    number: int | None = 1
    while number is not None:
        result = select_page(read(number))
        yield result
        number = result.next_page


def select_page(result: QueryResult) -> SelectResult:
    """A page of a SELECT answer as it is; any other answer, asked for as pages, is a
    :class:`~aikg.errors.ParameterError`."""
    if not isinstance(result, SelectResult):
        raise ParameterError(
            "only SELECT answers have pages",
            hint="run an ASK, CONSTRUCT or DESCRIBE query with query(), not pages()",
        )
    return result


def to_python(result: OxResult | Table, *, max_rows: int) -> QueryResult:
    """Oxigraph results as Python: SelectResult, bool or rdflib Graph."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return triples_to_graph(result)
    answer = result if isinstance(result, Table) else table(result, max_rows)
    # A term repeated down a column (a holder, a source, a count) is converted once:
    # an rdflib Literal costs about 12 us to make, most of a long table's conversion.
    converted: dict[OxTerm, Node] = {}

    def convert(term: OxTerm) -> Node:
        found = converted.get(term)
        if found is None:
            found = converted[term] = to_rdflib(term)
        return found

    rows = [
        {name: convert(term) for name, term in row.items() if term is not None}
        for row in answer.rows
    ]
    return SelectResult(
        tuple(answer.variables), rows, answer.truncated, answer.page, answer.next_page
    )
