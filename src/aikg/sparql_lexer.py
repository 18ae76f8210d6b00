"""Lexical analysis of SPARQL text: tokens, codepoint escapes, where the WHERE group opens.

The tokens follow the SPARQL 1.1 grammar closely enough to tell strings, IRIs, comments,
variables and prefixed names apart, which is all the guard (:mod:`aikg.query_guard`) and
the parameter binding of saved queries need.

>>> [t.text for t in tokens('SELECT ?s WHERE { ?s a <x> . "str" } # comment')]
['SELECT', '?s', 'WHERE', '{', '?s', 'a', 'x', '.', '}']
>>> text = "SELECT * WHERE { ?s ?p ?o }"
>>> text[:where_group_start(text)]
'SELECT * WHERE {'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRING = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"',
    re.DOTALL,
)
_NAME_CHAR = r"A-Za-z0-9_\-\u00b7\u00c0-\ufffd\U00010000-\U000effff"
_START_CHAR = r"A-Za-z\u00c0-\ufffd\U00010000-\U000effff"
# A prefixed name as the SPARQL grammar defines it (PNAME_LN / PNAME_NS, and blank node
# labels): a dot may sit inside a name but never end it.
_PNAME = re.compile(
    rf"(?:[{_START_CHAR}_](?:[{_NAME_CHAR}.]*[{_NAME_CHAR}])?)?:"
    rf"(?:(?:[{_NAME_CHAR}:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])"
    rf"(?:(?:[{_NAME_CHAR}.:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])*"
    rf"(?:[{_NAME_CHAR}:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%]))?)?"
)
_VARIABLE = re.compile(r"[?$][A-Za-z0-9_\u00b7\u00c0-\ufffd\U00010000-\U000effff]+")
# Keywords are runs of letters; digits are split off so that "1SERVICE" still shows
# SERVICE to the check below.
_LETTERS = re.compile(r"[A-Za-z_]+")
_DIGITS = re.compile(r"[0-9]+")
OPEN = "({["
CLOSE = ")}]"


@dataclass(frozen=True)
class Token:
    kind: str  # "iri", "variable", "pname", "word", "number" or "punct"
    text: str
    offset: int


def unescape_codepoints(text: str) -> str:
    """Decode ``\\u`` escapes (four hex digits) and ``\\U`` escapes (eight), as SPARQL
    does before parsing.

    >>> unescape_codepoints("\\\\u0053ERVICE")
    'SERVICE'
    """

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(replace, text)


@functools.lru_cache(maxsize=256)
def decoded_tokens(text: str) -> tuple[Token, ...]:
    """The tokens of a query after its ``\\u`` escapes are decoded, as the engine reads it.

    Cached: a request's text is read by the guard, the dataset checks and the operation
    test, and the saved queries' texts come back again and again (tokenizing one costs
    ~0.5 ms, a quarter of answering it).
    """
    return tuple(tokens(unescape_codepoints(text)))


def tokens(text: str) -> Iterator[Token]:
    """The IRIs, names and punctuation of a SPARQL text; strings and comments are skipped."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "'\"":
            m = _STRING.match(text, i)
            i = m.end() if m else n  # an unterminated string: the engine will reject it
        elif c == "<" and (m := _IRI.match(text, i)):
            yield Token("iri", m.group(0)[1:-1], i)
            i = m.end()
        elif c in "?$" and (m := _VARIABLE.match(text, i)):
            yield Token("variable", m.group(0), i)
            i = m.end()
        elif (m := _PNAME.match(text, i)) and m.end() > i:
            yield Token("pname", m.group(0), i)
            i = m.end()
        elif m := _LETTERS.match(text, i):
            yield Token("word", m.group(0), i)
            i = m.end()
        elif m := _DIGITS.match(text, i):
            yield Token("number", m.group(0), i)
            i = m.end()
        else:
            yield Token("punct", c, i)
            i += 1


def where_group_start(text: str) -> int:
    """The offset just inside the opening brace of the query's WHERE group.

    It is the first ``{`` at bracket depth 0 after the ``WHERE`` keyword, or, for queries
    that leave the keyword out (``SELECT * { ... }``), the first ``{`` at depth 0 outside
    a CONSTRUCT template. ValueError when there is none.
    """
    depth = 0
    seen_where = False
    construct_template_pending = False
    for tok in tokens(text):
        word = tok.text.upper() if tok.kind == "word" else ""
        if depth == 0 and word == "WHERE":
            seen_where = True
        elif depth == 0 and word == "CONSTRUCT":
            construct_template_pending = True
        elif tok.kind == "punct" and tok.text in OPEN:
            if tok.text == "{" and depth == 0:
                if seen_where or not construct_template_pending:
                    return tok.offset + 1
                construct_template_pending = False
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            depth = max(0, depth - 1)
    raise ValueError("the query has no WHERE group")


QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
)


def operation(text: str) -> str:
    """What a SPARQL text asks for: "select", "construct", "describe", "ask", "update",
    or "unknown" when it starts with none of their keywords.

    >>> operation("PREFIX a: <http://e/> CONSTRUCT WHERE { ?s ?p ?o }")
    'construct'
    >>> operation("INSERT DATA { <a> <b> <c> }")
    'update'
    """
    for tok in decoded_tokens(text):
        word = tok.text.upper() if tok.kind == "word" else ""
        if word in QUERY_FORMS:
            return word.lower()
        if word in UPDATE_KEYWORDS:
            return "update"
    return "unknown"


def using_clauses_conflict(text: str) -> bool:
    """Whether an update names its own dataset (USING, USING NAMED or WITH)."""
    depth = 0
    for tok in tokens(text):
        if tok.kind == "punct" and tok.text in OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and tok.kind == "word" and tok.text.upper() in ("USING", "WITH"):
            return True
    return False


def insert_using(text: str, clause: str) -> str:
    """Put ``clause`` (USING ... clauses) before the WHERE of every DELETE/INSERT operation.

    ``DELETE WHERE`` shorthand takes no USING in the grammar and is left alone.

    >>> insert_using("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", "USING <http://e/g>")
    'INSERT { ?s ?p ?o } USING <http://e/g> WHERE { ?s ?p ?o }'
    """
    depth = 0
    previous = ""
    offsets = []
    for tok in tokens(text):
        word = tok.text.upper() if tok.kind == "word" else ""
        if tok.kind == "punct" and tok.text in OPEN:
            depth += 1
        elif tok.kind == "punct" and tok.text in CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and word == "WHERE" and previous != "DELETE":
            offsets.append(tok.offset)
        previous = word
    for offset in reversed(offsets):
        text = f"{text[:offset]}{clause} {text[offset:]}"
    return text


def has_dataset_clause(text: str) -> bool:
    """Whether a query names its own dataset (FROM or FROM NAMED).

    >>> has_dataset_clause("SELECT * FROM <http://e/g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT * { ?s <http://e/from> 'FROM' }")
    False
    """
    return any(t.kind == "word" and t.text.upper() == "FROM" for t in decoded_tokens(text))


def dataset_graphs(text: str, base_iri: str, prefixes: dict[str, str]) -> list[str]:
    """The graph IRIs a query's FROM and FROM NAMED clauses name, resolved against the
    query's BASE and PREFIX declarations (then ``base_iri`` and ``prefixes``).

    >>> dataset_graphs("PREFIX g: <http://e/graph/> SELECT * FROM g:a FROM NAMED <b> {}",
    ...                "http://e/", {})
    ['http://e/graph/a', 'http://e/b']
    """
    toks = decoded_tokens(text)
    declared = dict(prefixes)
    base = base_iri
    found = []
    for i, tok in enumerate(toks):
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = urljoin(base, toks[i + 1].text)
        elif word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            declared[toks[i + 1].text.rstrip(":")] = urljoin(base, toks[i + 2].text)
        elif word == "FROM":
            j = i + 2 if i + 1 < len(toks) and toks[i + 1].text.upper() == "NAMED" else i + 1
            if j < len(toks) and toks[j].kind == "iri":
                found.append(urljoin(base, toks[j].text))
            elif j < len(toks) and toks[j].kind == "pname":
                prefix, _, local = toks[j].text.partition(":")
                if prefix in declared:
                    found.append(declared[prefix] + local)
    return found


def clear_silently(text: str) -> str:
    """Make every CLEAR of an update SILENT.

    This store records named graphs, and Oxigraph fails a CLEAR of a graph it has never
    seen. SPARQL 1.1 Update lets a store treat every graph as existing and empty until it
    holds triples ("implementations which do not store empty graphs will always return
    success" for CLEAR), which is what clients expect (the W3C protocol test
    update_base_uri CLEARs a graph before creating it).

    >>> clear_silently("CLEAR GRAPH <http://e/g> ; CLEAR SILENT ALL")
    'CLEAR SILENT GRAPH <http://e/g> ; CLEAR SILENT ALL'
    """
    toks = list(tokens(text))
    offsets = [
        tok.offset + len(tok.text)
        for i, tok in enumerate(toks)
        if tok.kind == "word"
        and tok.text.upper() == "CLEAR"
        and not (i + 1 < len(toks) and toks[i + 1].text.upper() == "SILENT")
    ]
    for offset in reversed(offsets):
        text = f"{text[:offset]} SILENT{text[offset:]}"
    return text
