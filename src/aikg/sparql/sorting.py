"""Pages of a SELECT answer sorted in this process, where Oxigraph's ORDER BY is slow.

Oxigraph sorts with a comparison that evaluates each ORDER BY condition of both rows
again at every comparison, and on a store on disk every IRI or long string it compares is
read from the store's dictionary each time. On 10M triples on disk, the first page of
`unreported-values` (22,029 rows, 10,000 a page, label columns added) took 5.9 s sorted
by the engine, 2.9 s sorted here (``python -m benchmarks.sorting``).

So a page of a query on a store in this process is read this way: the query runs without
its ORDER BY, LIMIT and OFFSET, each ORDER BY condition projected as a column of its own
(``(LCASE(STR(?label)) AS ?aikg_order_1)``), so that the engine evaluates it once a row;
the rows are then ordered here by the same rules as the engine's (see :func:`order_key`),
ties broken by every projected column (each term by its N-Triples form: any two different
terms differ), and the page is the window of :mod:`aikg.sparql.paging`: the page's rows and
one more, inside the query's own LIMIT and OFFSET. Only the rows up to the end of the page
are kept while the answer is read, unless every page is asked for at once
(:func:`aikg.sparql.execute.execute_pages`): then an answer up to a bound is kept whole
and sorted once.

A query is read as :func:`aikg.sparql.paging.page_query` reads it instead (the engine
sorts) when a condition cannot be moved to a column: ``SELECT *`` (no column can be
added to it), ``SELECT DISTINCT`` or ``REDUCED`` ordered by anything but its own columns
(a column more would change which rows are the same: ``ORDER BY RAND()``), an ORDER BY
this module cannot split into conditions, or a query the engine refuses once rewritten.
Also when a value to sort by is one whose order this module does not model (a date, a
time, a duration: the engine orders them in time; a text with a direction), found as the
rows are read (:class:`Unordered`): the answer is then read twice, and so is each of
its pages. Every other value has its place (:func:`order_key`), the same as in the
order the engine is made to sort by (:mod:`aikg.sparql.order_by`), so a column mixing
numbers, text and IRIs is sorted here.
(Remembering which queries hold such values would need the store, its data version, the
dataset and the parameters in the key: a page of one query sorted by the engine after a
page sorted here would not continue it, since each breaks ties its own way.)
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from aikg.sparql.lexer import CLOSE, OPEN, Token, tokens
from aikg.sparql.order_by import read_conditions
from aikg.sparql.paging import SelectShape, select_shape

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(
    XSD + name
    for name in [
        "integer",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    ]
)
_STRING = XSD + "string"
_BOOLEAN = XSD + "boolean"


class Unordered(Exception):
    """A value to sort by whose order this module does not know: the engine sorts."""


@dataclass(frozen=True)
class SortPlan:
    """How to read a SELECT query's pages sorted in this process."""

    text: str
    """The query without ORDER BY, LIMIT and OFFSET, each condition that is not a
    projected variable as it stands a column after the projected ones."""
    columns: int
    """How many columns the query itself projects (the first ones of each row)."""
    keys: tuple[tuple[int, bool], ...]
    """Each condition, in order: the column that holds its value, and whether it is
    descending."""
    offset: int
    limit: int | None
    """The query's own window, which the pages divide."""


def sort_plan(text: str) -> SortPlan | None:
    """The plan for reading ``text``'s pages sorted here, or None when the engine must
    sort them (see the module).

    >>> plan = sort_plan("SELECT ?s { ?s ?p ?o } ORDER BY DESC(?o) LCASE(STR(?s)) ?s LIMIT 5")
    >>> print(plan.text)
    SELECT ?s
    (?o
     AS ?aikg_order_1) (LCASE(STR(?s))
     AS ?aikg_order_2) { ?s ?p ?o }
    >>> plan.columns, plan.keys, plan.limit
    (1, ((1, True), (2, False), (0, False)), 5)
    """
    shape = select_shape(text)
    if shape is None or shape.star:
        return None
    conditions: list[tuple[str, bool]] = []
    if shape.order_by is not None:
        split = read_conditions(text, shape.order_by[1], shape.order_by[2])
        if split is None:
            return None
        conditions = split
    toks = list(tokens(text))
    projected = {f"?{v}": at for at, v in enumerate(shape.projected)}
    projected.update({f"${v}": at for at, v in enumerate(shape.projected)})
    added: list[str] = []
    keys: list[tuple[int, bool]] = []
    names = iter(_fresh_names(shape, len(conditions)))
    for expression, descending in conditions:
        if expression in projected:  # the column is there already
            keys.append((projected[expression], descending))
            continue
        added.append(f"({expression}\n AS ?{next(names)})")
        keys.append((len(shape.projected) + len(added) - 1, descending))
    if added and _distinct(toks, shape):
        # A column more would change which rows are the same (ORDER BY RAND() most of all).
        return None
    insert_at = _projection_end(toks, shape)
    if insert_at is None:
        return None
    end = shape.order_by[0] if shape.order_by is not None else shape.modifiers_at
    values = "" if shape.values_at is None else "\n" + text[shape.values_at :]
    # After a line feed: the SELECT line may end in a comment.
    head = text[:insert_at].rstrip() + "\n"
    rewritten = head + (" ".join(added) + " " if added else "") + text[insert_at:end].strip()
    return SortPlan(
        text=rewritten + values,
        columns=len(shape.projected),
        keys=tuple(keys),
        offset=shape.offset,
        limit=shape.limit,
    )


def star_probe(text: str) -> str | None:
    """For a ``SELECT *`` query, the query that names its columns without reading a row
    (its ORDER BY, LIMIT and OFFSET made ``LIMIT 0``); None for any other text.

    >>> print(star_probe("SELECT * { ?s ?p ?o } ORDER BY ?o LIMIT 5 VALUES ?p { 1 }"))
    SELECT * { ?s ?p ?o }
    LIMIT 0
    VALUES ?p { 1 }
    """
    shape = select_shape(text)
    if shape is None or not shape.star:
        return None
    end = shape.order_by[0] if shape.order_by is not None else shape.modifiers_at
    values = "" if shape.values_at is None else "\n" + text[shape.values_at :]
    return text[:end].rstrip() + "\nLIMIT 0" + values


def with_columns(text: str, variables: Sequence[str]) -> str | None:
    """``SELECT *`` written out as the ``variables`` it projects (as the engine names
    them: every variable in scope), so that its pages can be sorted here as any other
    query's; None for a text that is not ``SELECT *`` or a star with nothing to name.

    >>> with_columns("SELECT DISTINCT * { ?s ?p ?o } ORDER BY ?o", ["o", "p", "s"])
    'SELECT DISTINCT ?o ?p ?s { ?s ?p ?o } ORDER BY ?o'
    """
    shape = select_shape(text)
    if shape is None or not shape.star or not variables:
        return None
    star = next((t for t in tokens(text) if t.offset > shape.select_at and t.kind == "punct"), None)
    if star is None or star.text != "*":
        return None
    named = " ".join(f"?{name}" for name in variables)
    return text[: star.offset] + named + text[star.offset + 1 :]


@dataclass
class SortedRows:
    """What :func:`sorted_rows` read of an answer."""

    variables: list[str]
    """The variables the query projects."""
    rows: list[tuple[Any, ...]]
    """The rows asked for, in order, each the projected values (None where unbound)."""
    whole: list[tuple[Any, ...]] | None = None
    """Every row of the answer (within the query's own LIMIT and OFFSET) in order, when
    it was asked for and the answer is short enough to keep; else None."""


def sorted_rows(
    solutions: ox.QuerySolutions, plan: SortPlan, start: int, wanted: int, *, keep: int = 0
) -> SortedRows:
    """The rows ``start`` to ``start + wanted`` (the page and one row more) of the answer
    in order; with ``keep``, the whole answer in order too if it has at most ``keep``
    values (rows times the columns the query projects): the pages after this one are
    then slices of it, and the answer is not read again for them. Raises
    :class:`Unordered` on a value this module cannot order.

    Only the rows up to the end of the page are held while the answer is read, unless
    ``keep`` asks for more: then up to ``keep`` values are held until the answer proves
    longer, so a cross product costs at most that much memory, not its own.
    """
    variables = [v.value for v in solutions.variables][: plan.columns]
    first = plan.offset + start
    end = None if plan.limit is None else plan.offset + plan.limit
    last = first + wanted if end is None else min(first + wanted, end)
    keyed: Iterable[tuple[tuple[Any, ...], tuple[Any, ...]]] = _keyed(solutions, plan)
    keep //= max(1, plan.columns)  # in rows, the query's OFFSET counted
    if keep and end is not None and end <= keep:
        # The query's own window fits, however long the answer: its rows are the first
        # `end`, which is no more than the window's last page holds anyway.
        kept = heapq.nsmallest(end, keyed, key=_first)
        whole = [row[: plan.columns] for _, row in kept[plan.offset :]]
        return SortedRows(variables, whole[start : start + wanted], whole)
    if keep:
        read = list(itertools.islice(keyed, keep + 1))
        if len(read) <= keep:  # the whole answer, within what may be kept
            read.sort(key=_first)
            whole = [row[: plan.columns] for _, row in read[plan.offset : end]]
            return SortedRows(variables, whole[start : start + wanted], whole)
        keyed = itertools.chain(read, keyed)
    if last <= first:
        return SortedRows(variables, [])
    kept = heapq.nsmallest(last, keyed, key=_first)
    return SortedRows(variables, [row[: plan.columns] for _, row in kept[first:]])


def _first(pair: tuple[tuple[Any, ...], tuple[Any, ...]]) -> tuple[Any, ...]:
    return pair[0]


def _keyed(
    solutions: Iterable[ox.QuerySolution], plan: SortPlan
) -> Iterable[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Each row with its sort key: the conditions' keys (reversed where descending), then
    the ties' key (:class:`_Ties`)."""
    columns = plan.columns
    for solution in solutions:
        row = tuple(solution)
        key: list[Any] = []
        for at, desc in plan.keys:
            value = order_key(row[at])
            key.append(_Descending(value) if desc else value)
        key.append(_Ties(row, columns))
        yield tuple(key), row


class _Descending:
    """A key that sorts the other way."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[Any, ...]):
        self.key = key

    def __lt__(self, other: _Descending) -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.key == other.key

    __hash__ = None  # type: ignore[assignment]


class _Ties:
    """The last part of a row's sort key: its projected values, each by its N-Triples
    form (any two different terms differ), written out only when the row meets another
    equal to it on every condition. The first page of ``figure-clashes`` at 10M (172,326
    rows of five columns, rows already read): its sort 1.07 s against 1.31 s with every
    row's texts written out; ``conflicts`` (44,060 rows of ten) 0.62 s against 0.95 s."""

    __slots__ = ("_texts", "columns", "row")

    def __init__(self, row: tuple[Any, ...], columns: int):
        self.row = row
        self.columns = columns
        self._texts: tuple[str, ...] | None = None

    def texts(self) -> tuple[str, ...]:
        if self._texts is None:
            values = self.row[: self.columns]
            self._texts = tuple("" if term is None else str(term) for term in values)
        return self._texts

    def __lt__(self, other: _Ties) -> bool:
        return self.texts() < other.texts()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ties) and self.texts() == other.texts()

    __hash__ = None  # type: ignore[assignment]


def order_key(term: object) -> tuple[Any, ...]:
    """Where a value sorts under ORDER BY, as SPARQL orders and as the engine is made to
    (:mod:`aikg.sparql.order_by`): unbound first, then blank nodes, IRIs (by their text),
    literals, triple terms (all tied). Numbers by value across their datatypes (an
    ``xsd:float`` at its single precision); then strings, language-tagged strings and
    booleans together, by text, then datatype IRI, then language tag, as the engine
    compares them; then any other literal (a number not written as its datatype writes
    it, a web address, a datatype of one's own), by datatype IRI, then text. A date, a
    time or a duration is :class:`Unordered`: the engine orders them in time.

    >>> [order_key(t) for t in (None, ox.NamedNode("http://e/a"), ox.Literal("2.50",
    ...     datatype=ox.NamedNode(XSD + "decimal")))]
    [(0,), (2, 'http://e/a'), (3, 0, False, Decimal('2.50'))]
    >>> order_key(ox.Literal("b", language="en"))[2:]
    ('b', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString', 'en')
    >>> order_key(ox.Literal("x", datatype=ox.NamedNode("http://e/t")))
    (3, 2, 'http://e/t', 'x')
    """
    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    if isinstance(term, ox.Triple):
        return (4,)
    if not isinstance(term, ox.Literal) or term.direction is not None:
        raise Unordered(f"no order known here for {term}")  # a text with a direction
    datatype = term.datatype.value
    if term.language or datatype in (_STRING, _BOOLEAN):
        return (3, 1, term.value, datatype, term.language or "")
    number = _number(term.value, datatype)
    if number is not None:
        nan = isinstance(number, float) and math.isnan(number)
        return (3, 0, nan, 0 if nan else number)
    if datatype in _IN_TIME:
        raise Unordered(f"no order known here for a value of datatype <{datatype}>")
    return (3, 2, datatype, term.value)


_IN_TIME = frozenset(
    XSD + name
    for name in [
        "dateTime", "dateTimeStamp", "date", "time", "gYear", "gYearMonth", "gMonth",
        "gMonthDay", "gDay", "duration", "dayTimeDuration", "yearMonthDuration",
    ]
)  # fmt: skip
"""Datatypes the engine orders in time (dates and times) or by length (durations)."""


_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)")
_I64 = 2**63
_DECIMAL_LIMIT = Decimal(2**127) / Decimal(10**18)
"""Oxigraph's xsd:decimal: 128 bits, 18 of its digits after the point."""


def _number(text: str, datatype: str) -> int | Decimal | float | None:
    """A numeric literal's value; None for another datatype, and for one the engine
    holds as no number (not written as XSD writes its datatype, or out of the engine's
    range), which sorts with the other literals by its text."""
    if datatype in _INTEGERS and _INTEGER.fullmatch(text):
        value = int(text)
        return value if -_I64 <= value < _I64 else None
    if datatype == XSD + "decimal" and _DECIMAL.fullmatch(text):
        number = Decimal(text)
        exponent = number.as_tuple().exponent
        if abs(number) < _DECIMAL_LIMIT and isinstance(exponent, int) and exponent >= -18:
            return number
        return None
    if datatype == XSD + "double" and _DOUBLE.fullmatch(text):
        return float(text)
    if datatype == XSD + "float" and _DOUBLE.fullmatch(text):
        try:
            return float(struct.unpack("f", struct.pack("f", float(text)))[0])
        except OverflowError:
            return math.copysign(math.inf, float(text))
    return None


def _distinct(toks: Sequence[Token], shape: SelectShape) -> bool:
    """Whether the query's own SELECT is DISTINCT or REDUCED."""
    for tok in toks:
        if tok.offset > shape.select_at:
            return tok.kind == "word" and tok.text.upper() in ("DISTINCT", "REDUCED")
    return False


def _projection_end(toks: Sequence[Token], shape: SelectShape) -> int | None:
    """Where the query's SELECT clause ends: at its FROM, WHERE or WHERE group."""
    depth = 0
    for tok in toks:
        if tok.offset <= shape.select_at:
            continue
        if tok.offset >= shape.where_group[0]:
            return shape.where_group[0]
        if tok.kind == "punct" and tok.text in OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.text.upper() in ("FROM", "WHERE"):
            return tok.offset
    return None


def _fresh_names(shape: SelectShape, count: int) -> list[str]:
    """``count`` variable names the query does not use."""
    base = "aikg_order"
    while any(v.startswith(base) for v in shape.variables):
        base += "_"
    return [f"{base}_{i + 1}" for i in range(count)]
