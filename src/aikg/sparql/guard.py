"""Refuse dangerous SPARQL before it reaches the engine.

Oxigraph calls any URL named in a ``SERVICE`` clause (loopback included) and hands its
answer back, fetches any URL named by ``LOAD``, and dies with SIGSEGV on queries nested a
few thousand levels deep. This module decides on the reading of the query that
:func:`aikg.sparql.lexer.read_query` gives (the tokens the engine reads from the raw text:
strings, IRIs, comments and the less-than operator told apart, codepoint escapes refused
outside strings) and refuses:

- text longer than ``max_length`` characters or nested deeper than ``max_depth`` brackets;
- a ``\\u`` / ``\\U`` escape outside a string literal (engines read those differently);
- ``SERVICE`` to a host not on the allow-list (a variable endpoint is always refused);
  where a name could be read as SERVICE (``trueSERVICE``, ``SERVICE:x``) it is treated
  as one, and a name that could be read as a PREFIX declaration (``PREFIXe:<x>``) is
  refused;
- ``LOAD`` in an update, always: nothing is read from files or URLs because a request
  asked it to (``LOADSILENT`` and ``LOAD:x`` are read as LOAD, as Oxigraph reads them).

:func:`syntax_error` explains a text the engine could not parse; an undeclared prefix is
named, with where it is and the closest known prefix.

The query workers of the server also run without network access when the allow-list is
empty, so a SERVICE clause this reading missed still reaches nothing.

>>> check_query("SELECT * WHERE { ?s ?p ?o }", max_length=1000, max_depth=10,
...             allowed_hosts=()).form
'select'
>>> check_query("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
...             max_length=1000, max_depth=10, allowed_hosts=())
Traceback (most recent call last):
aikg.errors.QueryRefusedError: SERVICE to http://127.0.0.1:9/ is refused: host 127.0.0.1 ...
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from aikg.errors import InputError, QueryRefusedError, QuerySyntaxError
from aikg.sparql.lexer import QueryReading, Token, position, read_query


def check_length(text: str, max_length: int) -> None:
    """Refuse a text over ``max_length`` characters: checked before anything reads it,
    since reading is linear in the text's size."""
    if len(text) > max_length:
        raise QueryRefusedError(
            f"the query is {len(text):,} characters long; the limit is {max_length:,}",
            hint="shorten the query (large VALUES blocks belong in the data)",
        )


def check_encoding(text: str) -> None:
    """Refuse a text that holds no text somewhere: a lone surrogate, which is how Python
    reads bytes that are not UTF-8 from a command line (the engine cannot take it)."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise QuerySyntaxError(
            f"the query holds bytes that are not UTF-8 at {position(text, error.start)}",
            hint="write the query in UTF-8",
        ) from None


MAX_CHAIN = 4_000
"""The most links one bracket chains at its own level: operators (``+``, ``||``,
``=``...) in an expression's brackets; in a group's braces, its patterns and clauses
(``.``, ``;``, ``,``, a path's ``/`` and ``|``, ``UNION``, ``OPTIONAL``, ``MINUS``,
``FILTER``, ``BIND``, a group within). A chain nests as deep as it is long, which the
bracket-depth limit does not see, and Oxigraph crashed (SIGSEGV) on 10,000 links of
each kind tried: ``?x + ?x + ...`` in a ``BIND`` (6,000 ran), ``?x = n ||`` in a
``FILTER`` (8,000 ran), triple patterns, ``OPTIONAL``, ``MINUS``, ``BIND`` and
``FILTER`` clauses (8,000 ran), objects in one list, steps of a path, ``UNION``
branches."""
_SIGNS = frozenset("+-*/|&=<>!^")
_LINKS = frozenset(".;,/|")
_CLAUSES = frozenset({"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE"})
_OPERANDS = frozenset({"variable", "number", "string", "iri", "pname", "blank", "langtag"})


def _check_chains(text: str, reading: QueryReading) -> None:
    """Refuse a bracket that chains more than :data:`MAX_CHAIN` links at its level."""
    levels: list[tuple[str, int]] = []  # each open bracket, and where it opens
    counts: list[int] = []
    prev: Token | None = None
    sign_end = -1  # where the last sign ends: "||" or "<=" is one operator
    for tok in reading.tokens:
        punct = tok.text if tok.kind == "punct" else ""
        if punct and punct in "({[":
            if punct == "{" and levels and levels[-1][0] != "(":
                _link(text, levels, counts)  # a group within a group
            levels.append((punct, tok.offset))
            counts.append(0)
        elif punct and punct in ")}]":
            if levels:
                levels.pop()
                counts.pop()
        elif levels and levels[-1][0] == "(":
            # An operator; + or - after no operand is a number's sign.
            if punct in _SIGNS and (_operand(prev) or punct not in "+-"):
                if tok.offset != sign_end:
                    _link(text, levels, counts)
                sign_end = tok.offset + 1
        elif levels and (
            (punct in _LINKS and not _decimal_point(prev, tok, text))
            or (tok.kind == "word" and tok.text.upper() in _CLAUSES)
        ):
            _link(text, levels, counts)  # a pattern or clause more in a group
        prev = tok


def _link(text: str, levels: list[tuple[str, int]], counts: list[int]) -> None:
    """One link more in the innermost bracket; refused past :data:`MAX_CHAIN`."""
    counts[-1] += 1
    if counts[-1] <= MAX_CHAIN:
        return
    kind, at = levels[-1]
    expression = kind == "("
    raise QueryRefusedError(
        f"the brackets at {position(text, at)} chain more than {MAX_CHAIN:,} "
        f"{'operators' if expression else 'patterns and clauses'}: such a chain can "
        "crash the engine",
        hint="test membership with IN (...) or VALUES instead of a chain of || and =, or "
        "split the expression"
        if expression
        else "put the values in one VALUES block, or split the query",
    )


def _operand(tok: Token | None) -> bool:
    """Whether ``tok`` ends an operand (after one, + and - are operators)."""
    return tok is not None and (tok.kind in _OPERANDS or tok.text in (")", "]"))


def _decimal_point(prev: Token | None, point: Token, text: str) -> bool:
    """Whether ``point`` is a decimal's, glued to a digit on each side (the lexer reads
    ``1.5`` as ``1``, ``.``, ``5``)."""
    after = point.offset + 1
    return (
        point.text == "."
        and prev is not None
        and prev.kind == "number"
        and prev.offset + len(prev.text) == point.offset
        and text[after : after + 1].isdigit()
    )


def check_query(
    text: str,
    *,
    max_length: int,
    max_depth: int,
    allowed_hosts: tuple[str, ...],
    update: bool = False,
    base_iri: str = "",
    prefixes: Mapping[str, str] | None = None,
) -> QueryReading:
    """Raise :class:`QueryRefusedError` if the query or update must not be run; else its
    reading (relative IRIs and prefixed names resolved against ``base_iri`` and
    ``prefixes``, as the engine will resolve them)."""
    check_length(text, max_length)
    check_encoding(text)
    reading = read_query(text, base_iri, prefixes)
    if not update and reading.form == "update":
        # As the server says it (the engine would say "expected CONSTRUCT" at its first word).
        raise InputError(
            "an update was sent as a query",
            hint="POST updates as update=... or application/sparql-update; a query reads",
        )
    if reading.depth > max_depth:
        raise QueryRefusedError(
            f"the query nests brackets more than {max_depth} deep "
            f"({reading.depth} at {position(text, reading.deepest)})",
            hint="flatten the query; such depth is never needed and can crash the engine",
        )
    _check_chains(text, reading)
    for tok in reading.tokens:
        word = tok.text.upper() if tok.kind in ("word", "pname") else ""
        prefix = word.partition(":")[0] if tok.kind == "pname" else ""
        if "SERVICE" in prefix:
            raise QueryRefusedError(
                f"the name {tok.text!r} could be read as a SERVICE clause and is refused",
                hint="rename the prefix so that it does not contain 'service'",
            )
        if prefix.startswith("PREFIX") and word.endswith(":"):
            # Oxigraph reads "PREFIXe:<x>" as a declaration of e:, and a DESCRIBE may
            # name the namespace "prefixe:" itself: which one the engine reads depends
            # on the grammar around it.
            raise QueryRefusedError(
                f"the name {tok.text!r} at {position(text, tok.offset)} could be read as a "
                "PREFIX declaration and is refused",
                hint="write a space after PREFIX, or rename the prefix",
            )
        if update and "LOAD" in (prefix if tok.kind == "pname" else word):
            raise QueryRefusedError(
                f"LOAD is refused ({tok.text!r} at {position(text, tok.offset)}): the service "
                "never reads files or URLs because an update asks it to",
                hint="send the data itself (INSERT DATA, or PUT/POST to the Graph Store); "
                "a prefix whose name contains 'load' must be renamed",
            )
    for mention in reading.mentions:
        if mention.role == "service":
            _check_service(mention.iri, allowed_hosts)
    return reading


def syntax_error(
    message: str, text: str, reading: QueryReading, kind: str = "query"
) -> QuerySyntaxError:
    """The error for a query or update (``kind``) the engine could not parse (its
    ``message``).

    When the text uses a prefix that is neither declared nor given, that is said (which
    prefix, where, the closest known one): the engine's own message for it lists the
    grammar's character classes. Diagnosed only after the engine refused the text, so a
    backend that knows prefixes of its own is never second-guessed.
    """
    return undeclared_prefix(text, reading) or QuerySyntaxError(
        f"SPARQL {'update ' if kind == 'update' else ''}syntax error: {message}",
        where=_where(message, text),
        hint=f"check the {kind} against the SPARQL 1.1 grammar",
    )


def undeclared_prefix(text: str, reading: QueryReading) -> QuerySyntaxError | None:
    """The error for the first prefixed name whose prefix the text neither declares nor
    was given (None when there is none)."""
    token = next(
        (
            m.token
            for m in reading.mentions
            if m.iri is None and m.token.kind == "pname" and m.role != "service"
        ),
        None,
    )
    if token is None:
        return None
    prefix = token.text.partition(":")[0]
    names = sorted(reading.declared)
    close = difflib.get_close_matches(prefix, names, n=1, cutoff=0.6)
    suggestion = f"did you mean `{close[0]}:`? " if close else ""
    return QuerySyntaxError(
        f"prefix `{prefix}:` is not declared; known prefixes are "
        + ", ".join(f"{name}:" for name in names),
        where=position(text, token.offset),
        hint=f"{suggestion}declare it (PREFIX {prefix}: <...>) or use a known prefix",
    )


def _where(message: str, text: str) -> str | None:
    """'line L, column C' from Oxigraph's 'error at L:C' message, with the offending line."""
    match = re.search(r"at (\d+):(\d+)", message)
    if not match:
        return None
    line, column = int(match.group(1)), int(match.group(2))
    lines = text.splitlines()
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"line {line}, column {column}: {shown.strip()[:120]}"


def _check_service(endpoint: str | None, allowed_hosts: tuple[str, ...]) -> None:
    if endpoint is None:
        raise QueryRefusedError(
            "SERVICE with a variable or undeclared endpoint is refused",
            hint="name the endpoint IRI; only hosts on the allow-list "
            "(AIKG_SERVICE_ALLOWLIST) may be called",
        )
    try:
        host = (urlsplit(endpoint).hostname or "").lower()
    except ValueError:  # not an IRI urlsplit can read ("http://[::1")
        host = ""
    if host not in {h.lower() for h in allowed_hosts}:
        raise QueryRefusedError(
            f"SERVICE to {endpoint} is refused: host {host or '(none)'} is not on the allow-list",
            hint="federated queries may call only the hosts in AIKG_SERVICE_ALLOWLIST "
            "(empty by default)",
        )
