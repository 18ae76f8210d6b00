"""ORDER BY clauses: their conditions read, and rewritten so that Oxigraph sorts by a
total order.

Oxigraph 0.5 sorts with a comparison that is no order over some columns: it compares
two numbers by value but a number and a string by their text (``9 < 10``, ``10 < "5"``,
``"5" < 9``); a decimal and a double as doubles but two decimals exactly (0.1 as a
decimal, as a double and 0.100000000000000001 as a decimal); a date with a timezone and
one without by text where their times overlap. Rust's sort detects such a comparison and
panics, and a panic in the engine aborts its whole process, not just the query: the
Python process (``SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?o`` on
the bundled data did), the server's worker, or a remote ``oxigraph serve``. So every
ORDER BY condition Oxigraph is given is first made four (:func:`total_order`), each of
which it compares totally::

    ORDER BY ?o   becomes   ORDER BY (the kind of ?o) (a first key) (a second) (a third)

The kinds, in order: blank nodes and IRIs (0: the value itself, blank nodes first, IRIs
by their text); numbers (1: as a double, then as a decimal, which orders them by value
and leaves no two that differ tied unless they are equal as both); strings,
language-tagged strings and booleans (2: the value itself, by text, then datatype, then
language); any other literal (3: its datatype IRI; then, for a date or time, its time,
one without a timezone taken as UTC, and for a ``dayTimeDuration`` or
``yearMonthDuration`` its length, each through a function that fails on a value written
as none, which then sorts by its text alone; then its text); triple terms (4, all
tied). Unbound sorts first, as before. A condition whose value is always of one kind
that Oxigraph compares totally (``STR``, ``isIRI``, ``COUNT``, ``EXISTS``... : the
paging order's keys) is left as it is. Refused: a condition that calls a function
drawing anew at each call (``RAND()``: its four copies would draw four values), and
more than :data:`MAX_MADE` conditions in one text.

This is also the order :func:`aikg.sparql.sorting.order_key` sorts by in this process,
but for two things it leaves to the engine: dates, times and durations (found as rows
are read, the page then sorted by the engine), and the order among numbers equal as
doubles, which each breaks its own way. So a page sorted there and one sorted by the
engine agree.

The conditions are read where the query stands and in each subquery (one inside
another's condition too). A text with an ORDER BY that cannot be read here gets None,
and :func:`in_total_order` tells its own syntax error from a text the engine would sort
unprotected, which it refuses.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from aikg.errors import QueryRefusedError, QuerySyntaxError
from aikg.sparql.lexer import CLOSE, OPEN, QUERY_FORMS, UPDATE_KEYWORDS, Token, tokens

T = TypeVar("T")
_FORMS = frozenset({*QUERY_FORMS, *UPDATE_KEYWORDS})

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _iris(*names: str) -> str:
    return ", ".join(f"<{name if name.startswith('http') else _XSD + name}>" for name in names)


_TEXT = _iris("string", "boolean", _RDF + "langString", _RDF + "dirLangString")
"""The datatypes of kind 2: text that Oxigraph compares with text by its text."""
_TIMES = _iris(
    "dateTime", "dateTimeStamp", "date", "time", "gYear", "gYearMonth", "gMonth",
    "gMonthDay", "gDay",
)  # fmt: skip
"""Datatypes whose values Oxigraph compares in time, where their timezones allow."""
_LENGTHS = ("dayTimeDuration", "yearMonthDuration")
"""Durations that Oxigraph orders by length (an ``xsd:duration`` of months and days it
does not: one month and 30 days), each read through its cast, which an ill-typed value
fails (Oxigraph orders those by their text, among the others by length)."""
_NOT_ONCE = frozenset({"RAND", "UUID", "STRUUID", "BNODE"})
"""Functions whose every call draws anew: a condition copied into four keys would draw
four values (a number for its kind, a string for its value)."""
MAX_MADE = 200
"""The most conditions the keys are made for in one text: each becomes four of about
3 kB, and Oxigraph crashed (SIGSEGV) at about 2,800 such keys."""
_BLANK_KEY = re.compile(r"IF\(isBlank\(([?$]\w+)\), \1, \?aikg_unbound\w*\)")
"""The paging order's key for blank nodes (:func:`aikg.sparql.paging.order_keys`): a
blank node or unbound, of one kind."""
_DOUBLE, _DECIMAL = f"<{_XSD}double>", f"<{_XSD}decimal>"
"""The casts, written out: the query may not declare ``xsd:``."""
_ENDS = frozenset({"LIMIT", "OFFSET", "VALUES"})
_OF_ONE_KIND = frozenset(
    {
        # text
        "STR", "LANG", "LCASE", "UCASE", "CONCAT", "ENCODE_FOR_URI", "STRUUID", "TZ",
        "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "GROUP_CONCAT",
        # booleans
        "BOUND", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "SAMETERM",
        "LANGMATCHES", "REGEX", "CONTAINS", "STRSTARTS", "STRENDS",
        # numbers of one datatype (not ABS, ROUND or SUM, whose datatype is their input's)
        "STRLEN", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "RAND", "COUNT",
        # IRIs
        "DATATYPE", "IRI", "URI", "UUID",
        # blank nodes
        "BNODE",
    }
)  # fmt: skip
"""Functions whose value is always of one kind and datatype (or an error, which sorts as
unbound), which Oxigraph orders totally as it stands."""


def total_order(text: str) -> str | None:
    """``text`` with each ORDER BY condition made the conditions that Oxigraph compares
    totally (see the module); ``text`` itself when there is none to change; None when
    an ORDER BY cannot be read here.

    >>> print(total_order("SELECT ?o { ?s ?p ?o } ORDER BY DESC(?o) LIMIT 3"))
    ... # doctest: +ELLIPSIS
    SELECT ?o { ?s ?p ?o } ORDER BY
    DESC(IF(isNumeric(?o), 1, IF(isLiteral(?o), IF(DATATYPE(?o) IN (...), 2, 3), ...)))
    DESC(...)
    DESC(...)
    DESC(...)
    LIMIT 3
    >>> total_order("SELECT ?o { ?s ?p ?o } ORDER BY ?o ?")  # no condition: unreadable
    """
    if "order" not in text.lower():
        return text
    made = 0
    for start, _ in reversed(_clauses(text)):  # from the end: what precedes keeps its place
        end = _clause_end(list(tokens(text)), start, len(text))  # a clause inside has grown
        read = read_conditions(text, start, end)
        if not read:
            return None
        made += sum(not _of_one_kind(expression) for expression, _ in read)
        if made > MAX_MADE:
            raise QueryRefusedError(
                f"the ORDER BY clauses hold more than {MAX_MADE} conditions that aikg would "
                "have to make an order the engine sorts safely",
                where="ORDER BY",
                hint="sort by fewer keys",
            )
        keys = "\n".join(_total(expression, descending) for expression, descending in read)
        text = text[:start] + "\n" + keys + "\n" + text[end:]
    return text


def _clauses(text: str) -> list[tuple[int, int]]:
    """Where each ORDER BY clause's conditions begin and end, in the order they begin."""
    toks = list(tokens(text))
    return [
        (at, _clause_end(toks, at, len(text)))
        for order, by in itertools.pairwise(toks)
        if order.kind == by.kind == "word"
        and (order.text.upper(), by.text.upper()) == ("ORDER", "BY")
        for at in [by.offset + len(by.text)]
    ]


def in_total_order(
    text: str,
    run: Callable[[str], T],
    parse: Callable[[str], object],
    probe: Callable[[str], object],
) -> T:
    """``run(text)``, each ORDER BY of the text made a total order for Oxigraph
    (:func:`total_order`). Where it cannot be made, or the engine refuses what was made,
    the text's own syntax error is told from a text the engine would sort unprotected,
    without sorting anything: each clause alone (``probe``: ``SELECT * {} ORDER BY ...``
    on an empty store, one row), and the text with every clause's conditions made
    ``(1)`` (``parse``: on an empty store, where nothing is sorted by any value). A text
    that fails either is run as written, for the engine's own error in its own words and
    place (a text it cannot parse is never run); one that passes both is refused."""
    made = total_order(text)
    if made is text:
        return run(text)
    if made is not None:
        try:
            return run(made)
        except (SyntaxError, QuerySyntaxError):
            pass
    if _fails_to_parse(text, parse, probe):
        return run(text)
    raise QueryRefusedError(
        "aikg could not write this query's ORDER BY as an order the engine sorts safely "
        "(Oxigraph's own sort of values of mixed kinds aborts its process)",
        where="ORDER BY",
        hint="sort by variables bound to the keys (BIND(... AS ?key) ... ORDER BY ?key)",
    )


def _fails_to_parse(
    text: str, parse: Callable[[str], object], probe: Callable[[str], object]
) -> bool:
    """Whether the engine refuses ``text`` as SPARQL (see :func:`in_total_order`)."""
    toks = list(tokens(text))
    form = next((t.offset for t in toks if t.kind == "word" and t.text.upper() in _FORMS), 0)
    outermost: list[tuple[int, int]] = []
    for start, end in _clauses(text):
        if not outermost or start >= outermost[-1][1]:
            outermost.append((start, end))
    blanked = text
    for start, end in reversed(outermost):
        blanked = blanked[:start] + " (1) " + blanked[end:]
    try:
        for start, end in outermost:
            probe(f"{text[:form]}\nSELECT * {{}} ORDER BY {text[start:end]}")
        parse(blanked)
    except SyntaxError:
        return True
    except Exception:  # it parses: what else fails on an empty store is moot
        return False
    return False


def _total(expression: str, descending: bool) -> str:
    """The conditions that order ``expression``'s values totally (see the module)."""
    direction = "DESC" if descending else "ASC"
    if _of_one_kind(expression):
        return f"{direction}({expression})"
    toks = list(tokens(expression))
    calls = (_call_name(toks, i) for i in range(len(toks)))
    drawn = next((call[0] for call in calls if call and call[0].upper() in _NOT_ONCE), None)
    if drawn is not None:
        raise QueryRefusedError(
            f"the ORDER BY condition {expression.strip()!r} calls {drawn}(), which draws a "
            "new value at every call: aikg cannot make it an order the engine sorts "
            "safely (Oxigraph's own sort of values of mixed kinds aborts its process)",
            where="ORDER BY",
            hint="bind it to a variable first (BIND(... AS ?key)) and ORDER BY ?key",
        )
    # A comment in the expression ends at a line end, which each copy keeps.
    e = f"{expression}\n" if "#" in expression else expression
    kind = (
        f"IF(isNumeric({e}), 1, IF(isLiteral({e}), IF(DATATYPE({e}) IN ({_TEXT}), 2, 3), "
        f"IF(isTRIPLE({e}), 4, 0)))"
    )
    # Each key is compared only between values of one kind (the kind comes first).
    first = (
        f"IF({kind} = 1, {_DOUBLE}({e}), IF({kind} = 3, STR(DATATYPE({e})), "
        f'IF({kind} = 4, "", {e})))'
    )
    time = f'IF(TZ({e}) = "", STRDT(CONCAT(STR({e}), "Z"), DATATYPE({e})), {e})'
    lengths = "".join(
        f"IF(DATATYPE({e}) = <{_XSD}{name}>, <{_XSD}{name}>({e}), " for name in _LENGTHS
    )
    other = f'IF(DATATYPE({e}) IN ({_TIMES}), {time}, {lengths}""{")" * len(_LENGTHS)})'
    second = f'IF({kind} = 1, {_DECIMAL}({e}), IF({kind} = 3, {other}, ""))'
    third = f'IF({kind} = 3, STR({e}), "")'
    return "\n".join(f"{direction}({key})" for key in (kind, first, second, third))


def _of_one_kind(expression: str) -> bool:
    """Whether ``expression`` is a call of a function of :data:`_OF_ONE_KIND`, an
    ``EXISTS`` (a boolean) or the paging order's blank-node key, whole."""
    if _BLANK_KEY.fullmatch(expression.strip()):
        return True
    toks = list(tokens(expression))
    exists = int(bool(toks) and toks[0].kind == "word" and toks[0].text.upper() == "NOT")
    if (
        len(toks) > exists + 1
        and toks[exists].kind == "word"
        and toks[exists].text.upper() == "EXISTS"
        and toks[exists + 1].text == "{"
    ):
        return _closing(toks, exists + 1) == len(toks) - 1
    named = _call_name(toks, 0)
    return (
        named is not None
        and named[0].upper() in _OF_ONE_KIND
        and _closing(toks, named[1]) == len(toks) - 1
    )


def _call_name(toks: Sequence[Token], at: int) -> tuple[str, int] | None:
    """The name of the builtin called at ``at`` (``MD5``: the lexer's word and number)
    and where its bracket opens; None when no word and bracket stand there."""
    if at >= len(toks) or toks[at].kind != "word":
        return None
    name, after = toks[at].text, at + 1
    follows = toks[after] if after < len(toks) else None
    if (
        follows is not None
        and follows.kind == "number"
        and follows.offset == toks[at].offset + len(name)
    ):
        name, after = name + follows.text, after + 1
    return (name, after) if _opens(toks, after) else None


def _clause_end(toks: Sequence[Token], start: int, end: int) -> int:
    """Where the ORDER BY clause whose conditions begin at offset ``start`` ends: at its
    LIMIT, OFFSET or VALUES, at the brace that closes its subquery, or at ``end``."""
    depth = 0
    for tok in (tok for tok in toks if tok.offset >= start):
        if tok.kind == "punct" and tok.text in OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            if depth == 0:
                return tok.offset
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.text.upper() in _ENDS:
            return tok.offset
    return end


def read_conditions(text: str, start: int, end: int) -> list[tuple[str, bool]] | None:
    """The ORDER BY conditions between ``start`` and ``end``, each as the text of its
    expression and whether it is descending; None for a text not read here."""
    toks = list(tokens(text[start:end]))
    read: list[tuple[str, bool]] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.upper() if tok.kind == "word" else ""
        if tok.kind == "variable":
            read.append((tok.text, False))
            i += 1
            continue
        if word in ("ASC", "DESC") and _opens(toks, i + 1):
            close = _closing(toks, i + 1)
            if close is None:
                return None
            inner = text[start + toks[i + 1].offset + 1 : start + toks[close].offset]
            read.append((inner.strip(" \t"), word == "DESC"))
            i = close + 1
            continue
        # EXISTS { ... } and NOT EXISTS { ... }
        exists = i + (word == "NOT")
        if (
            exists + 1 < len(toks)
            and toks[exists].kind == "word"
            and toks[exists].text.upper() == "EXISTS"
            and toks[exists + 1].text == "{"
        ):
            close = _closing(toks, exists + 1)
            if close is None:
                return None
            read.append((text[start + tok.offset : start + toks[close].offset + 1], False))
            i = close + 1
            continue
        named = _call_name(toks, i)
        opened = named[1] if named is not None else None
        if opened is None and tok.kind in ("pname", "iri") and _opens(toks, i + 1):
            opened = i + 1
        if opened is None and tok.kind == "punct" and tok.text == "(":
            opened = i
        if opened is not None:
            close = _closing(toks, opened)
            if close is None:
                return None
            read.append((text[start + tok.offset : start + toks[close].offset + 1], False))
            i = close + 1
            continue
        return None
    return read


def _opens(toks: Sequence[Token], at: int) -> bool:
    """Whether the token at ``at`` opens a bracket."""
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
