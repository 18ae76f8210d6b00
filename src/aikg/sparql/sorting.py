"""Pages of a SELECT answer sorted in this process, where Oxigraph's ORDER BY is slow.

Oxigraph sorts with a comparison that evaluates each ORDER BY condition of both rows
again at every comparison, and on a store on disk every IRI or long string it compares is
read from the store's dictionary each time. On 10M triples, `unreported-values` (22,029
rows) took 5.3 s unsorted, 9.3 s as its first page in the paging order; its rows read
unsorted, with each condition's value, and sorted here, 3.6 s.

So a page of a query on a store in this process is read this way: the query runs without
its ORDER BY, LIMIT and OFFSET, each ORDER BY condition projected as a column of its own
(``(LCASE(STR(?label)) AS ?aikg_order_1)``), so that the engine evaluates it once a row;
the rows are then ordered here by the same rules as the engine's (see :func:`order_key`),
ties broken by every projected column (each term by its N-Triples form: any two different
terms differ), and the page is the window of :mod:`aikg.sparql.paging`: the page's rows and
one more, inside the query's own LIMIT and OFFSET. Only the rows up to the end of the page
are kept while the answer is read.

A query is read as :func:`aikg.sparql.paging.page_query` reads it instead (the engine
sorts) when a condition cannot be moved to a column: ``SELECT *`` (no column can be
added to it), ``SELECT DISTINCT`` or ``REDUCED`` whose conditions name a variable it does
not project (a column more would change which rows are the same), an ORDER BY this module
cannot split into conditions, or a query the engine refuses once rewritten. Also when a
value to sort by is a literal whose order this module does not know (a date, a duration:
anything but numbers, strings, language-tagged strings and booleans), found as the rows
are read (:class:`Unordered`).
"""

from __future__ import annotations

import heapq
import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from aikg.sparql.lexer import CLOSE, OPEN, Token, tokens
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
    """The query without ORDER BY, LIMIT and OFFSET, each condition a column after the
    projected ones."""
    columns: int
    """How many columns the query itself projects (the first ones of each row)."""
    descending: tuple[bool, ...]
    """Each condition's direction, in order: the condition columns follow the projected
    ones. A condition that is a projected variable as it stands still has its column."""
    offset: int
    limit: int | None
    """The query's own window, which the pages divide."""


def sort_plan(text: str) -> SortPlan | None:
    """The plan for reading ``text``'s pages sorted here, or None when the engine must
    sort them (see the module).

    >>> plan = sort_plan("SELECT ?s { ?s ?p ?o } ORDER BY DESC(?o) LCASE(STR(?s)) LIMIT 5")
    >>> print(plan.text)
    SELECT ?s (?o
     AS ?aikg_order_1) (LCASE(STR(?s))
     AS ?aikg_order_2) { ?s ?p ?o }
    >>> plan.columns, plan.descending, plan.limit
    (1, (True, False), 5)
    """
    shape = select_shape(text)
    if shape is None or shape.star:
        return None
    conditions: list[tuple[str, bool]] = []
    if shape.order_by is not None:
        split = _conditions(text, shape.order_by[1], shape.order_by[2])
        if split is None:
            return None
        conditions = split
    toks = list(tokens(text))
    if _distinct(toks, shape) and not shape.order_variables <= set(shape.projected):
        return None
    insert_at = _projection_end(toks, shape)
    if insert_at is None:
        return None
    names = _fresh_names(shape, len(conditions))
    added = " ".join(
        f"({expression}\n AS ?{name})"
        for (expression, _), name in zip(conditions, names, strict=True)
    )
    end = shape.order_by[0] if shape.order_by is not None else shape.modifiers_at
    values = "" if shape.values_at is None else "\n" + text[shape.values_at :]
    head = text[:insert_at].rstrip()
    rewritten = (f"{head} {added} " if added else head + " ") + text[insert_at:end].strip()
    return SortPlan(
        text=rewritten + values,
        columns=len(shape.projected),
        descending=tuple(descending for _, descending in conditions),
        offset=shape.offset,
        limit=shape.limit,
    )


def sorted_rows(
    solutions: ox.QuerySolutions, plan: SortPlan, start: int, wanted: int
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The variables the query projects, and its rows ``start`` to ``start + wanted`` (the
    page and one row more) of the answer in order, each row the projected values (None
    where unbound). Raises :class:`Unordered` on a value this module cannot order."""
    variables = [v.value for v in solutions.variables][: plan.columns]
    first = plan.offset + start
    last = first + wanted
    if plan.limit is not None:
        last = min(last, plan.offset + plan.limit)
    if last <= first:
        return variables, []
    keyed = _keyed(solutions, plan)
    kept = heapq.nsmallest(last, keyed, key=lambda pair: pair[0])
    return variables, [row[: plan.columns] for _, row in kept[first:]]


def _keyed(
    solutions: Iterable[ox.QuerySolution], plan: SortPlan
) -> Iterable[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Each row with its sort key: the conditions' keys (reversed where descending), then
    every projected value's N-Triples form."""
    columns = plan.columns
    directions = [(columns + i, desc) for i, desc in enumerate(plan.descending)]
    for solution in solutions:
        row = tuple(solution)
        key: list[Any] = []
        for at, desc in directions:
            value = order_key(row[at])
            key.append(_Descending(value) if desc else value)
        key.extend("" if term is None else str(term) for term in row[:columns])
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


def order_key(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> tuple[Any, ...]:
    """Where a value sorts under ORDER BY, as SPARQL orders and Oxigraph compares: unbound
    first, then blank nodes, IRIs (by their text), literals; numbers by value across their
    datatypes (an ``xsd:float`` at its single precision), strings by code point, booleans
    false first. Where Oxigraph leaves two literals unordered (a number and a string, two
    languages of one text), this order still orders them, by kind then text: the tie-break
    keys would have ordered them otherwise, and any order of them is as much the query's.

    >>> [order_key(t) for t in (None, ox.NamedNode("http://e/a"), ox.Literal("2.50",
    ...     datatype=ox.NamedNode(XSD + "decimal")), ox.Literal("b"))]
    [(0,), (2, 'http://e/a'), (3, 0, False, Decimal('2.50')), (3, 1, 'b')]
    """
    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    if term.language:
        return (3, 3, term.value, term.language.lower())
    datatype = term.datatype.value
    if datatype == _STRING:
        return (3, 1, term.value)
    number = _number(term.value, datatype)
    if number is not None:
        nan = isinstance(number, float) and math.isnan(number)
        return (3, 0, nan, 0 if nan else number)
    if datatype == _BOOLEAN and term.value in ("true", "false", "1", "0"):
        return (3, 2, term.value in ("true", "1"))
    raise Unordered(f"no order known here for a value of datatype <{datatype}>")


def _number(text: str, datatype: str) -> int | Decimal | float | None:
    """A numeric literal's value, None for another datatype; :class:`Unordered` for a
    number not written as its datatype says (the engine's business)."""
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype == XSD + "decimal":
            value = Decimal(text)
            if not value.is_finite():
                raise Unordered(f"{text!r} is no xsd:decimal")
            return value
        if datatype == XSD + "double":
            return float(text)
        if datatype == XSD + "float":
            return float(struct.unpack("f", struct.pack("f", float(text)))[0])
    except (ValueError, InvalidOperation, OverflowError) as error:
        raise Unordered(f"{text!r} is no number of datatype <{datatype}>") from error
    return None


def _conditions(text: str, start: int, end: int) -> list[tuple[str, bool]] | None:
    """The ORDER BY conditions between ``start`` and ``end``, each as the text of its
    expression and whether it is descending; None for a text not read here."""
    toks = list(tokens(text[start:end]))
    conditions: list[tuple[str, bool]] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.upper() if tok.kind == "word" else ""
        if tok.kind == "variable":
            conditions.append((tok.text, False))
            i += 1
            continue
        if word in ("ASC", "DESC") and _opens(toks, i + 1):
            close = _closing(toks, i + 1)
            if close is None:
                return None
            inner = text[start + toks[i + 1].offset + 1 : start + toks[close].offset]
            conditions.append((inner.strip(), word == "DESC"))
            i = close + 1
            continue
        call = tok.kind in ("word", "pname", "iri") and _opens(toks, i + 1)
        if call or (tok.kind == "punct" and tok.text == "("):
            close = _closing(toks, i + 1 if call else i)
            if close is None:
                return None
            conditions.append((text[start + tok.offset : start + toks[close].offset + 1], False))
            i = close + 1
            continue
        return None
    return conditions


def _opens(toks: Sequence[Token], at: int) -> bool:
    return at < len(toks) and toks[at].kind == "punct" and toks[at].text == "("


def _closing(toks: Sequence[Token], at: int) -> int | None:
    """The index of the token that closes the bracket opened at ``at``."""
    depth = 0
    for i in range(at, len(toks)):
        tok = toks[i]
        if tok.kind == "punct" and tok.text in OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            depth -= 1
            if depth == 0:
                return i
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
