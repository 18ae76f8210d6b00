"""ORDER BY clauses: their conditions read, and rewritten so that the engine sorts by a
total order.

Oxigraph 0.5 sorts with a comparison that is no order over a column of mixed kinds: it
compares two numbers by value, but a number and a string by their text, so that ``9 <
10``, ``10 < "5"`` and ``"5" < 9`` all hold. Rust's sort detects such a comparison and
panics, and a panic in the engine aborts the whole Python process, not just the query:
``SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?o`` on the bundled
data did. So every ORDER BY condition the engine in this process is given is first
turned into two (:func:`total_order`): the kind of the value, then the value where the
engine orders values of that kind totally, else its datatype and text::

    ORDER BY ?o   becomes   ORDER BY ASC(kind of ?o) ASC(?o, or its datatype and text)

The kinds, in order: blank nodes, IRIs and triple terms (0, which the engine orders
among themselves as SPARQL does: blank nodes, then IRIs by their text); numbers (1, by
value across their datatypes); strings, language-tagged strings and booleans (2, by
text, then datatype, then language, as the engine compares them); any other literal (3:
dates, durations, a number not written as its datatype writes it, a datatype of one's
own), by datatype IRI, then text. A date column written with one timezone form sorts by
time; across forms, by text. Unbound sorts first, as before. This is the order
:func:`aikg.sparql.sorting.order_key` sorts by in this process, so a page sorted there
and a page sorted by the engine agree. ``oxigraph serve`` sorts the same way (its process
ends), so a remote store gets the same conditions, but for Virtuoso, whose ORDER BY
orders any two terms.

The conditions are read where the query stands and in each subquery; an ORDER BY that
cannot be read here is left as written.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from aikg.sparql.lexer import CLOSE, OPEN, Token, tokens

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TEXT_DATATYPES = ", ".join(
    f"<{iri}>"
    for iri in (_XSD + "string", _XSD + "boolean", _RDF + "langString", _RDF + "dirLangString")
)
"""The datatypes of kind 2: text the engine compares with text by its text."""
_ENDS = frozenset({"LIMIT", "OFFSET", "VALUES"})
_OF_ONE_KIND = frozenset(
    {
        # text
        "STR", "LANG", "LCASE", "UCASE", "CONCAT", "ENCODE_FOR_URI", "STRUUID", "TZ",
        "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "GROUP_CONCAT",
        # booleans
        "BOUND", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "SAMETERM",
        "LANGMATCHES", "REGEX", "CONTAINS", "STRSTARTS", "STRENDS",
        # numbers
        "STRLEN", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "ABS", "ROUND",
        "CEIL", "FLOOR", "RAND", "COUNT", "SUM", "AVG",
        # IRIs
        "DATATYPE", "IRI", "URI", "UUID",
    }
)  # fmt: skip
"""Functions whose value is always of one kind (or an error, which sorts as unbound):
the engine orders such a column totally as it stands, and the keys would only cost it
time (the paging order's ``STR(?x) isIRI(?x) DATATYPE(?x) LANG(?x)`` are such)."""


def total_order(text: str) -> str:
    """``text`` with each ORDER BY condition it can read made two that the engine
    compares totally (see the module); ``text`` itself when it has no ORDER BY.

    >>> print(total_order("SELECT ?o { ?s ?p ?o } ORDER BY DESC(?o) LIMIT 3"))
    ... # doctest: +ELLIPSIS
    SELECT ?o { ?s ?p ?o } ORDER BY
    DESC(IF(isNumeric(?o), 1, IF(isLiteral(?o), IF(DATATYPE(?o) IN (<...#string>, ...), 2, 3), 0)))
    DESC(IF(isLiteral(?o) && ... CONCAT(STR(DATATYPE(?o)), " ", STR(?o)), ?o))
    LIMIT 3
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
        if read:
            made = "\n".join(_total(expression, descending) for expression, descending in read)
            text = text[:start] + "\n" + made + "\n" + text[end:]
    return text


def _total(expression: str, descending: bool) -> str:
    """The two conditions that order ``expression``'s values totally (see the module).

    A space separates a datatype IRI from the text: no IRI holds one, and it comes
    before every character an IRI does hold, so that the joined string sorts as the
    pair would."""
    e = expression
    direction = "DESC" if descending else "ASC"
    if _of_one_kind(e):
        return f"{direction}({e})"
    text = f"DATATYPE({e}) IN ({_TEXT_DATATYPES})"
    kind = f"IF(isNumeric({e}), 1, IF(isLiteral({e}), IF({text}, 2, 3), 0))"
    other = f"isLiteral({e}) && !isNumeric({e}) && DATATYPE({e}) NOT IN ({_TEXT_DATATYPES})"
    value = f'IF({other}, CONCAT(STR(DATATYPE({e})), " ", STR({e})), {e})'
    return f"{direction}({kind})\n{direction}({value})"


def _of_one_kind(expression: str) -> bool:
    """Whether ``expression`` is a call of a function of :data:`_OF_ONE_KIND`, whole."""
    toks = list(tokens(expression))
    return (
        len(toks) > 2
        and toks[0].kind == "word"
        and toks[0].text.upper() in _OF_ONE_KIND
        and _opens(toks, 1)
        and _closing(toks, 1) == len(toks) - 1
    )


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
            read.append((inner.strip(), word == "DESC"))
            i = close + 1
            continue
        call = tok.kind in ("word", "pname", "iri") and _opens(toks, i + 1)
        if call or (tok.kind == "punct" and tok.text == "("):
            close = _closing(toks, i + 1 if call else i)
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
