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
``yearMonthDuration`` its length; then its text); triple terms (4, all tied). Unbound
sorts first, as before. A condition whose value is always of one kind that Oxigraph
compares totally (``STR``, ``isIRI``, ``COUNT``... : the paging order's keys) is left as
it is.

This is also the order :func:`aikg.sparql.sorting.order_key` sorts by in this process,
but for two things it leaves to the engine: dates, times and durations (found as rows
are read, the page then sorted by the engine), and the order among numbers equal as
doubles, which each breaks its own way. So a page sorted there and one sorted by the
engine agree.

The conditions are read where the query stands and in each subquery. A query with an
ORDER BY that cannot be read here gets None: the store then tells its own syntax error
from one the engine would run unprotected, which it refuses (:mod:`aikg.store.local`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from aikg.sparql.lexer import CLOSE, OPEN, Token, tokens

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
_LENGTHS = _iris("dayTimeDuration", "yearMonthDuration")
"""Durations that Oxigraph orders by length (an ``xsd:duration`` of months and days it
does not: one month and 30 days)."""
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
    toks = list(tokens(text))
    clauses = [
        (by.offset + len(by.text), _clause_end(text, toks, at + 2))
        for at, (order, by) in enumerate(itertools.pairwise(toks))
        if order.kind == by.kind == "word"
        and (order.text.upper(), by.text.upper()) == ("ORDER", "BY")
    ]
    for start, end in reversed(clauses):  # from the end, so that each offset still holds
        read = read_conditions(text, start, end)
        if not read:
            return None
        made = "\n".join(_total(expression, descending) for expression, descending in read)
        text = text[:start] + "\n" + made + "\n" + text[end:]
    return text


def _total(expression: str, descending: bool) -> str:
    """The conditions that order ``expression``'s values totally (see the module)."""
    direction = "DESC" if descending else "ASC"
    if _of_one_kind(expression):
        return f"{direction}({expression})"
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
    other = f'IF(DATATYPE({e}) IN ({_TIMES}), {time}, IF(DATATYPE({e}) IN ({_LENGTHS}), {e}, ""))'
    second = f'IF({kind} = 1, {_DECIMAL}({e}), IF({kind} = 3, {other}, ""))'
    third = f'IF({kind} = 3, STR({e}), "")'
    return "\n".join(f"{direction}({key})" for key in (kind, first, second, third))


def _of_one_kind(expression: str) -> bool:
    """Whether ``expression`` is a call of a function of :data:`_OF_ONE_KIND`, whole."""
    toks = list(tokens(expression))
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


def _clause_end(text: str, toks: Sequence[Token], at: int) -> int:
    """Where the ORDER BY clause whose conditions begin at token ``at`` ends: at its
    LIMIT, OFFSET or VALUES, at the brace that closes its subquery, or at the end."""
    depth = 0
    for tok in toks[at:]:
        if tok.kind == "punct" and tok.text in OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            if depth == 0:
                return tok.offset
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.text.upper() in _ENDS:
            return tok.offset
    return len(text)


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
