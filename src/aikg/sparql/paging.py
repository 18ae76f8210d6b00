"""Pages of a SELECT answer: page N+1 holds exactly the rows that follow page N.

An answer longer than the row limit (``Settings.max_rows``) is read a page at a time;
each page is the query rewritten to hold one window of the answer in a total order:

- the query's own ORDER BY comes first; after it (or as the whole ORDER BY, when the
  query has none) every projected variable, each by keys that order any two RDF terms
  (see :func:`order_keys`), so that two rows that differ anywhere never tie, and rows
  that tie are the same row (a duplicate: which copy comes first does not matter);
- then ``OFFSET`` and ``LIMIT``: the page's rows and one row more, which says whether a
  next page follows without counting the whole answer. A query's own LIMIT and OFFSET
  are kept as the window the pages divide (``LIMIT 25`` read in pages of 10 is pages of
  10, 10 and 5 rows); a closing VALUES clause stays where it was.

Oxigraph's own ORDER BY of a bare variable is no total order over terms of mixed kinds
(numbers, strings, dates, language-tagged text: some pairs it leaves unordered, and
its sort aborts the process on a column that mixes them, unless each condition is made
the keys of :mod:`aikg.sparql.order_by`, as the store makes every one), and it sorts
with an unstable sort. The keys below compare only what it compares totally: simple strings
(``STR``, ``LANG``), IRIs (``DATATYPE``), booleans (``isIRI``) and blank nodes among
themselves; an unbound value sorts first in each. Virtuoso's ORDER BY of a bare
variable orders any two terms, and it sorts by at most 20 keys: there each column is
its own key (``plain``).

On a store in this process the rewritten query is the fallback: a page is first read
sorted by aikg (:mod:`aikg.sparql.sorting`: the query's own order, then every projected
column), which is faster wherever the engine's sort reads terms from disk.

ASK, CONSTRUCT and DESCRIBE are not paged: a boolean has one value, and a graph longer
than the row limit is cut at it and flagged as truncated, as before.

>>> print(page_query("SELECT ?s WHERE { ?s ?p ?o }", 2, 10))
SELECT ?s WHERE { ?s ?p ?o }
ORDER BY STR(?s) isIRI(?s) DATATYPE(?s) LANG(?s) IF(isBlank(?s), ?s, ?aikg_unbound)
OFFSET 10 LIMIT 11
>>> page_query("ASK { ?s ?p ?o }", 1, 10) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

from aikg.errors import ParameterError
from aikg.sparql.lexer import CLOSE, OPEN, QUERY_FORMS, Token, tokens

_MODIFIERS = ("LIMIT", "OFFSET", "VALUES")


@dataclass(frozen=True)
class SelectShape:
    """What paging needs to know of a SELECT query's top level."""

    projected: tuple[str, ...]
    """The projected variables, without ``?`` (for ``SELECT *``: every variable the text
    names, a harmless superset: a variable out of scope is unbound in every row)."""
    variables: frozenset[str]
    """Every variable the text names."""
    ordered: bool
    """Whether it has an ORDER BY."""
    modifiers_at: int
    """Where its LIMIT, OFFSET or closing VALUES begin (the end of the text if none)."""
    values_at: int | None
    """Where its closing VALUES clause begins, if it has one."""
    limit: int | None
    offset: int
    select_at: int = 0
    """Where the SELECT keyword begins (what comes before it is the prologue)."""
    order_by: tuple[int, int, int] | None = None
    """Where its ORDER BY keyword begins, and where its conditions begin and end, if it
    has one."""
    order_variables: frozenset[str] = frozenset()
    """The variables its ORDER BY conditions name."""
    has_dataset: bool = False
    """Whether it has FROM or FROM NAMED clauses (which a subquery cannot have)."""
    star: bool = False
    """Whether it is ``SELECT *`` (whose columns are the engine's to order)."""
    where_group: tuple[int, int] = (0, 0)
    """Where its WHERE group's opening and closing braces are."""


PAGE_PARAMETER = "parameter 'page'"
"""Where a wrong page is said to be (the command line names its ``--page`` instead)."""


PAGE_DIGITS = 18
"""The most digits a page number has: a page further on is after the end of any answer
(its first row would be past the 10^18th)."""


def page_number(value: str | int | None, where: str = PAGE_PARAMETER) -> int:
    """A page number as given (a whole number from 1; None means page 1), or a
    :class:`~aikg.errors.ParameterError` that names ``where``.

    >>> page_number("3"), page_number(None)
    (3, 1)
    >>> page_number("0")
    Traceback (most recent call last):
    aikg.errors.ParameterError: page '0' is not a page number: pages are numbered from 1
    """
    if value is None:
        return 1
    text = str(value).strip()
    if len(text.lstrip("0")) > PAGE_DIGITS and text.isascii() and text.isdigit():
        # Python reads no number past 4,300 digits (a ValueError, a 500 over HTTP).
        raise ParameterError(
            f"page {text.lstrip('0')[:12]}... ({len(text.lstrip('0')):,} digits) is past the "
            "end of any answer",
            where=where,
            hint="ask for an earlier page; the last page is the one that names no next page",
        )
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ParameterError(
            f"page {value!r} is not a page number: pages are numbered from 1",
            where=where,
            hint="give a whole number from 1 (the first page); an answer over the row "
            "limit names its next page",
        )
    return int(text)


def past_the_end(page: int, size: int, where: str = PAGE_PARAMETER) -> ParameterError:
    """The error for a page after the last one (its window of the answer is empty)."""
    return ParameterError(
        f"page {page} is past the end of the answer: it has fewer than "
        f"{(page - 1) * size + 1:,} rows (pages of {size:,} rows)",
        where=where,
        hint="ask for an earlier page; the last page is the one that names no next page",
    )


def select_shape(text: str) -> SelectShape | None:
    """The top-level shape of a SELECT query, or None for any other text (ASK,
    CONSTRUCT, DESCRIBE, an update, or a text whose form the lexer cannot tell)."""
    toks = list(tokens(text))
    form_at = next(
        (
            i
            for i, tok in enumerate(toks)
            if tok.kind == "word" and tok.text.upper() in (*QUERY_FORMS, "INSERT", "DELETE")
        ),
        None,
    )
    if form_at is None or toks[form_at].text.upper() != "SELECT":
        return None
    variables = frozenset(t.text[1:] for t in toks if t.kind == "variable")
    projected, star, group_at = _projection(toks, form_at + 1)
    if group_at is None:
        return None
    depth = 0
    words: set[str] = set()
    modifiers_at: int | None = None
    values_at: int | None = None
    order_from: int | None = None
    order_at = 0
    order_variables: set[str] = set()
    group_end = len(text)
    numbers: dict[str, int] = {}
    for i in range(group_at, len(toks)):
        tok = toks[i]
        if order_from is not None and modifiers_at is None and tok.kind == "variable":
            order_variables.add(tok.text[1:])
        if tok.kind == "punct" and tok.text in OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            depth -= 1
            if depth == 0 and group_end == len(text):
                group_end = tok.offset
        elif depth == 0 and tok.kind == "word":
            word = tok.text.upper()
            words.add(word)
            if word in _MODIFIERS and modifiers_at is None:
                modifiers_at = tok.offset
            if word == "VALUES" and values_at is None:
                values_at = tok.offset
            following = toks[i + 1] if i + 1 < len(toks) else None
            if word in ("LIMIT", "OFFSET") and following and following.kind == "number":
                numbers[word] = int(following.text)
            if word == "ORDER" and following and order_from is None:
                order_at = tok.offset
                order_from = following.offset + len(following.text)  # after BY
    end = len(text) if modifiers_at is None else modifiers_at
    if not _window_reads(toks, end, len(text) if values_at is None else values_at):
        return None  # the engine's to refuse, placed in the query as written
    return SelectShape(
        projected=tuple(sorted(variables)) if star else projected,
        variables=variables,
        ordered="ORDER" in words,
        modifiers_at=end,
        values_at=values_at,
        limit=numbers.get("LIMIT"),
        offset=numbers.get("OFFSET", 0),
        select_at=toks[form_at].offset,
        order_by=None if order_from is None else (order_at, order_from, end),
        order_variables=frozenset(order_variables),
        has_dataset=any(
            t.kind == "word" and t.text.upper() == "FROM" for t in toks[form_at:group_at]
        ),
        where_group=(toks[group_at].offset, group_end),
        star=star,
    )


def _window_reads(toks: list[Token], start: int, end: int) -> bool:
    """Whether the text from ``start`` to ``end`` is LIMIT and OFFSET clauses, each with a
    whole number: paging rewrites them, so a text that is not (``LIMIT x``, ``OFFSET
    -1``, ``LIMIT 1.5``) must reach the engine as written, to be refused there."""
    window = [tok for tok in toks if start <= tok.offset < end]
    seen: set[str] = set()
    for word, number in zip(window[::2], window[1::2], strict=False):
        name = word.text.upper() if word.kind == "word" else ""
        if name not in ("LIMIT", "OFFSET") or name in seen:
            return False
        if number.kind != "number" or not number.text.isdigit():
            return False
        seen.add(name)
    return len(window) % 2 == 0


def _projection(toks: list[Token], start: int) -> tuple[tuple[str, ...], bool, int | None]:
    """The variables a SELECT clause projects (from the token after SELECT), whether it
    is ``SELECT *``, and the index of the token that opens the WHERE group."""
    projected: list[str] = []
    star = False
    depth = 0
    for i in range(start, len(toks)):
        tok = toks[i]
        if tok.kind == "punct" and tok.text == "{" and depth == 0:
            return tuple(dict.fromkeys(projected)), star, i
        if tok.kind == "punct" and tok.text in OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            depth -= 1
        elif tok.kind == "variable" and (
            depth == 0 or (depth == 1 and toks[i - 1].text.upper() == "AS")
        ):
            projected.append(tok.text[1:])
        elif tok.kind == "punct" and tok.text == "*" and depth == 0:
            star = True
    return (), star, None


def order_keys(variable: str, unbound: str) -> str:
    """ORDER BY conditions that order any two values of ``?variable`` (see the module's
    documentation); ``unbound`` names a variable bound nowhere in the query."""
    v = f"?{variable}"
    return f"STR({v}) isIRI({v}) DATATYPE({v}) LANG({v}) IF(isBlank({v}), {v}, ?{unbound})"


def projected_columns(shape: SelectShape) -> str:
    """What a query that wraps ``shape``'s query in a subquery projects: the same columns
    in the same order (``SELECT *`` around it would leave their order to the engine, and
    a page's columns would then differ from the whole answer's)."""
    return "*" if shape.star else " ".join(f"?{v}" for v in shape.projected)


def sorted_as_they_are(text: str, shape: SelectShape) -> frozenset[str]:
    """The variables the query's own ORDER BY sorts by as they stand (``?v``, ``ASC(?v)``,
    ``DESC(?v)``): a plain key on one of them again would add nothing but a key, and
    Virtuoso sorts by at most 20.

    >>> text = "SELECT ?a ?b ?c { ?a ?b ?c } ORDER BY DESC(?a) LCASE(?b) ?c"
    >>> sorted(sorted_as_they_are(text, select_shape(text)))
    ['a', 'c']
    """
    if shape.order_by is None:
        return frozenset()
    toks = list(tokens(text[shape.order_by[1] : shape.order_by[2]]))
    found: set[str] = set()
    depth = 0
    for i, tok in enumerate(toks):
        if tok.kind == "punct" and tok.text in OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            depth -= 1
        elif tok.kind == "variable" and (
            depth == 0
            or (
                depth == 1
                and i >= 2
                and toks[i - 2].text.upper() in ("ASC", "DESC")
                and i + 1 < len(toks)
                and toks[i + 1].text == ")"
            )
        ):
            found.add(tok.text[1:])
    return frozenset(found)


def page_query(
    text: str, page: int, size: int, *, nested: bool = False, plain: bool = False
) -> str | None:
    """The query that answers page ``page`` (from 1) of ``size`` rows of a SELECT, and
    one row more when a next page follows; None for a text that is no SELECT.

    ``nested`` asks for the query as a subquery, the paging order and window around it,
    for stores that refuse the keys where the query stands: Virtuoso refuses ``STR(?n)``
    on an aggregate's name (``COUNT(*) AS ?n``), and answers nothing when a closing
    ``VALUES`` follows ``LIMIT`` (nor at the end of a subquery). Around a subquery, each
    projected variable is a plain variable; a closing ``VALUES`` is joined with the WHERE
    group inside it, which is what SPARQL makes of it (the group, then the join, then
    grouping and the rest). A query whose ORDER BY names a variable it does not project,
    or that names its dataset (FROM: a subquery has none), is paged as it stands.

    ``plain`` orders by each projected variable itself (but those the query's own ORDER
    BY already sorts by as they stand), for an engine whose ORDER BY orders any two
    different terms: Virtuoso, which also refuses more than 20 keys in all (four columns'
    worth of :func:`order_keys`, fewer with the query's own).

    >>> print(page_query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o } ORDER BY ?n", 1, 10, nested=True))
    SELECT ?n WHERE {
    { SELECT (COUNT(*) AS ?n) { ?s ?p ?o }
    }
    }
    ORDER BY ?n
    STR(?n) isIRI(?n) DATATYPE(?n) LANG(?n) IF(isBlank(?n), ?n, ?aikg_unbound)
    OFFSET 0 LIMIT 11
    >>> print(page_query("SELECT ?s ?o { ?s ?p ?o }", 2, 10, plain=True))
    SELECT ?s ?o { ?s ?p ?o }
    ORDER BY ?s ?o
    OFFSET 10 LIMIT 11
    """
    shape = select_shape(text)
    if shape is None:
        return None
    unbound = "aikg_unbound"
    while unbound in shape.variables:
        unbound += "_"
    if plain:
        sorted_already = sorted_as_they_are(text, shape)
        keys = " ".join(f"?{v}" for v in shape.projected if v not in sorted_already)
    else:
        keys = " ".join(order_keys(v, unbound) for v in shape.projected)
    start = (page - 1) * size
    wanted = size + 1
    if shape.limit is not None:
        wanted = max(0, min(wanted, shape.limit - start))
    window = f"OFFSET {shape.offset + start} LIMIT {wanted}"
    values = "" if shape.values_at is None else text[shape.values_at :]
    if nested and not shape.has_dataset and shape.order_variables <= set(shape.projected):
        own = "" if shape.order_by is None else text[shape.order_by[1] : shape.order_by[2]]
        opening, closing = shape.where_group
        inner = text[shape.select_at : opening + 1]
        if values:
            inner += "{" + text[opening + 1 : closing] + "}\n" + values + "\n"
        else:
            inner += text[opening + 1 : closing]
        # Without its ORDER BY: the order is the outer query's.
        rest = text[closing : shape.modifiers_at if shape.order_by is None else shape.order_by[0]]
        parts = [
            text[: shape.select_at] + f"SELECT {projected_columns(shape)} WHERE {{",
            "{ " + inner + rest.rstrip(),
            "}\n}",
            "ORDER BY " + "\n".join(part for part in (own.strip(), keys) if part),
            window,
        ]
        return "\n".join(part for part in parts if part)
    head = text[: shape.modifiers_at].rstrip()
    order = ("" if shape.ordered else "ORDER BY ") + keys if keys else ""
    tail = "" if not values else "\n" + values
    return "\n".join(part for part in (head, order, window) if part) + tail
