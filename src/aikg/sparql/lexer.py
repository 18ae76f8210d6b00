"""Lexical analysis of SPARQL text, and one reading of a query: its tokens, the IRIs it
names, its form.

The tokens are those the engine (Oxigraph) reads from the raw text, so that the guard
(:mod:`aikg.sparql.guard`), the remote store's checks (:mod:`aikg.store.remote`) and the dataset
of :func:`aikg.sparql.execute` all decide on what will run:

- ``\\u`` / ``\\U`` codepoint escapes are refused outside string literals (in an IRI, a
  prefixed name, a keyword, a comment). SPARQL 1.1 decodes them over the whole text
  before parsing, Oxigraph decodes them inside IRIs only, Virtuoso refuses them: no one
  reading would fit every engine, and SPARQL 1.1 lets a service refuse them. Inside a
  string literal they are string content, as every engine reads them.
- ``<`` is read as an IRI or as the less-than operator by its context, as the engine
  reads it: in ``FILTER(?a<2&&?b>0)`` the operator, in ``?s <p> ?o`` an IRI.
- a comment ends at a line feed or at a carriage return.

>>> [t.text for t in tokens('SELECT ?s WHERE { ?s a <x> . "str" } # comment')]
['SELECT', '?s', 'WHERE', '{', '?s', 'a', 'x', '.', '}']
>>> text = "SELECT * WHERE { ?s ?p ?o }"
>>> text[:where_group_start(text)]
'SELECT * WHERE {'
>>> reading = read_query("PREFIX e: <http://e/> SELECT * FROM e:g { ?s e:p 'x' }")
>>> [(m.role, m.iri) for m in reading.mentions]
[('prefix', 'http://e/'), ('from', 'http://e/g'), ('other', 'http://e/p')]
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from aikg.errors import QueryRefusedError

# The character classes of the SPARQL 1.1 grammar (PN_CHARS_BASE, PN_CHARS_U, PN_CHARS):
# a name is read exactly as far as the engine reads it, so that nothing the engine reads
# as code (``e:-bif:f(...)`` is ``e:`` minus a call) hides inside a longer name.
_BASE_CHARS = (
    r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U_CHARS = _BASE_CHARS + "_"
_CHARS = _U_CHARS + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PNAME = re.compile(
    rf"(?:[{_BASE_CHARS}](?:[{_CHARS}.]*[{_CHARS}])?)?:"
    rf"(?:(?:[{_U_CHARS}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?)?"
)
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")
_BLANK = re.compile(rf"_:[{_U_CHARS}0-9](?:[{_CHARS}.]*[{_CHARS}])?")
_VARIABLE = re.compile(rf"[?$][{_U_CHARS}0-9][{_U_CHARS}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
# An IRI as Oxigraph reads it: codepoint escapes are part of it (and then refused).
_IRI = re.compile(r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")
_STRING = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"',
    re.DOTALL,
)
_LANGTAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?")
# Keywords are runs of letters; digits are split off so that "1SERVICE" still shows
# SERVICE to the checks.
_LETTERS = re.compile(r"[A-Za-z_]+")
_DIGITS = re.compile(r"[0-9]+")
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME = re.compile(rf"[{_BASE_CHARS}](?:[{_CHARS}.]*[{_CHARS}])?")  # a prefix, or a word
_NAME_PIECE = re.compile(r"[A-Za-z_]+|[0-9]+|.", re.DOTALL)
_LINE_END = re.compile(r"[\r\n]")
_CODEPOINT_ESCAPE = re.compile(r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|\\[uU]")
_STRING_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_IRI_PARTS = re.compile(
    r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.DOTALL
)
OPEN = "({["
CLOSE = ")}]"
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

Role = Literal["service", "from", "from named", "function", "prefix", "base", "other"]
"""What an IRI is to the query: a SERVICE endpoint, a FROM / FROM NAMED graph, a function
called (an IRI or prefixed name followed by ``(``), a PREFIX or BASE declaration, or any
other mention (a term, a datatype, a GRAPH name...)."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "iri", "variable", "pname", "blank", "word", "number", "string", "langtag", "punct"
    text: str
    offset: int


@dataclass(frozen=True, slots=True)
class Mention:
    """An IRI a query names: ``iri`` resolved against the query's BASE and PREFIX
    declarations (None for a variable SERVICE endpoint or an undeclared prefix)."""

    role: Role
    iri: str | None
    token: Token


@dataclass(frozen=True)
class QueryReading:
    """One reading of a SPARQL text, as the engine reads it (see :func:`read_query`)."""

    tokens: tuple[Token, ...]
    """Every token, string literals included (comments are not tokens)."""
    mentions: tuple[Mention, ...]
    """Every IRI the text names, in order, with its role."""
    strings: tuple[str, ...]
    """The values of the string literals, escapes decoded."""
    form: str
    """The first query form or update keyword, lower case: "select", "construct",
    "describe", "ask", "update", or "unknown" when there is none."""
    update: bool
    """Whether the text looks like an update: its form, or an update keyword outside braces."""
    depth: int
    """How deep brackets nest."""
    deepest: int
    """The offset of the bracket that first reaches ``depth`` (-1 when there is none)."""
    declared: Mapping[str, str]
    """Every prefix the text may use: those given to :func:`read_query`, then its own
    PREFIX declarations."""

    def iris(self, *roles: Role) -> list[str]:
        """The resolved IRIs of the mentions with one of ``roles`` (all when none given).

        >>> read_query("SELECT * FROM <g> { ?s <p> ?o }", "http://e/").iris("from")
        ['http://e/g']
        """
        return [
            m.iri for m in self.mentions if m.iri is not None and (not roles or m.role in roles)
        ]

    @property
    def dataset(self) -> tuple[Mention, ...]:
        """The FROM and FROM NAMED clauses."""
        return tuple(m for m in self.mentions if m.role in ("from", "from named"))


def read_query(
    text: str, base_iri: str = "", prefixes: Mapping[str, str] | None = None
) -> QueryReading:
    """The tokens, named IRIs and form of a SPARQL query or update, read from its raw text.

    IRIs resolve against the text's BASE and PREFIX declarations, in order, starting from
    ``base_iri`` and ``prefixes``. :class:`QueryRefusedError` for a codepoint escape
    outside a string literal (see the module's documentation).

    Readings of texts of at most :data:`READINGS`'s ``max_text`` characters are kept: a
    request's text is read by the guard, the dataset and the remote store's checks, and
    saved queries come back again and again (reading one costs ~0.3 ms).

    >>> reading = read_query('PREFIX b: <bif:> SELECT (b:http_get("u") AS ?x) {}')
    >>> [(m.role, m.iri) for m in reading.mentions]
    [('prefix', 'bif:'), ('function', 'bif:http_get')]
    >>> read_query('SELECT * { BIND(<http://x/\\\\u0022> AS ?z) }')
    Traceback (most recent call last):
    aikg.errors.QueryRefusedError: the codepoint escape \\u0022 ('"') at line 1, column 27 ...
    """
    declared = dict(prefixes or {})
    key = (text, base_iri, tuple(declared.items()))
    reading = READINGS.get(key)
    if reading is None:
        reading = _read(_scanned(text), base_iri, declared)
        READINGS.put(key, reading)
    return reading


_Key = tuple[str, str, tuple[tuple[str, str], ...]]  # text, base IRI, prefixes


class ReadingCache:
    """Readings by text, least recently used first out, bounded in bytes: only texts of at
    most ``max_text`` characters are kept, and at most ``budget`` bytes of readings in all,
    by :meth:`weight` (a reading takes 10 to 100 bytes a character of text: one token may
    be one character)."""

    TOKEN_BYTES = 160
    """An upper bound on the bytes of one token, mention or string value with its text."""

    def __init__(self, *, max_text: int, budget: int):
        self.max_text = max_text
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict[_Key, tuple[QueryReading, int]] = OrderedDict()
        self._lock = threading.Lock()  # the server answers requests in threads

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def weight(cls, text: str, reading: QueryReading) -> int:
        """The bytes a reading of ``text`` holds, over-estimated."""
        parts = len(reading.tokens) + len(reading.mentions) + len(reading.strings)
        return 2 * len(text) + cls.TOKEN_BYTES * parts

    def get(self, key: _Key) -> QueryReading | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: _Key, reading: QueryReading) -> None:
        if len(key[0]) > self.max_text:
            return
        weight = self.weight(key[0], reading)
        with self._lock:
            if key in self._entries or weight > self.budget:
                return
            self._entries[key] = (reading, weight)
            self.size += weight
            while self.size > self.budget:
                _, (_, old) = self._entries.popitem(last=False)
                self.size -= old

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


READINGS = ReadingCache(max_text=32 * 1024, budget=16 * 1024 * 1024)
"""The kept readings (see :func:`read_query`): a saved query's weighs ~20 kB."""


def position(text: str, offset: int) -> str:
    """Where an offset of a text is, for people.

    >>> position("SELECT *\\nWHERE {", 11)
    'line 2, column 3 (character 11)'
    """
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return f"line {line}, column {column} (character {offset})"


def _refuse_escape(text: str, offset: int) -> None:
    found = _CODEPOINT_ESCAPE.match(text, offset)
    escape = found.group(0) if found else text[offset : offset + 2]
    digits = escape[2:]
    code = int(digits, 16) if digits else -1
    what = f" ({chr(code)!r})" if 0 <= code <= 0x10FFFF else ""
    where = position(text, offset)
    raise QueryRefusedError(
        f"the codepoint escape {escape}{what} at {where} is outside a string literal; "
        "the service reads such escapes only inside strings",
        where=where,
        hint="write the character itself (queries are UTF-8 text): an escape outside a "
        "string is read differently by different engines",
    )


def _operand_ends(tok: Token | None) -> bool:
    """Whether an expression operand can end with this token (then ``<`` is less-than)."""
    if tok is None:
        return False
    if tok.kind in ("variable", "number", "string", "langtag", "iri", "pname", "blank"):
        return True
    if tok.kind == "word":
        return tok.text.upper() in ("TRUE", "FALSE")
    return tok.text == ")"


def _is_punct(tok: Token | None, char: str) -> bool:
    return tok is not None and tok.kind == "punct" and tok.text == char


def _paren_kind(stack: list[str], prev: Token | None, before: Token | None) -> str:
    """What an opening parenthesis opens: an expression ("expr") or a list of terms
    ("list": a collection, a VALUES row, a triple term)."""
    if _is_punct(prev, "<") and _is_punct(before, "<"):
        return "list"  # <<( s p o )>>, a triple term
    context = stack[-1] if stack else "top"
    if context in ("expr", "list"):
        return context
    if prev is not None and prev.kind == "word" and prev.text.upper() == "VALUES":
        return "list"
    if context == "top":
        return "expr"  # SELECT (...), GROUP BY (...), HAVING (...), ORDER BY ASC(...)
    # In triples: an expression after FILTER, BIND or a function name; else a collection.
    if prev is not None and prev.kind == "word":
        return "list" if prev.text == "a" else "expr"
    if (
        prev is not None
        and prev.kind in ("iri", "pname")
        and before is not None
        and before.kind == "word"
        and before.text.upper() == "FILTER"
    ):
        return "expr"
    return "list"


def _scan(text: str) -> Iterator[Token]:
    """Every token of a raw SPARQL text (strings included, comments skipped)."""
    stack: list[str] = []  # what each open bracket opened: "expr", "list", "group", "nodes"
    prev: Token | None = None
    before: Token | None = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            end = _LINE_END.search(text, i)
            stop = end.start() if end else n
            escape = text.find("\\", i, stop)
            while escape >= 0:
                if text[escape + 1 : escape + 2] in ("u", "U"):
                    _refuse_escape(text, escape)
                escape = text.find("\\", escape + 1, stop)
            i = stop
            continue
        if c in "'\"" and (m := _STRING.match(text, i)):
            tok = Token("string", m.group(0), i)
        elif (
            c == "<"
            and not (stack and stack[-1] == "expr" and _operand_ends(prev))
            and (m := _IRI.match(text, i))
        ):
            if (escape := text.find("\\", i, m.end())) >= 0:
                _refuse_escape(text, escape)
            tok = Token("iri", m.group(0)[1:-1], i)
        elif c in "?$" and (m := _VARIABLE.match(text, i)):
            tok = Token("variable", m.group(0), i)
        elif c == "_" and (m := _BLANK.match(text, i)):
            tok = Token("blank", m.group(0), i)
        elif c == "@" and (m := _LANGTAG.match(text, i)):
            tok = Token("langtag", m.group(0), i)
        elif (m := _NAME.match(text, i)) and not text.startswith(":", m.end()):
            # A name that is no prefixed name: its words, numbers and other characters,
            # read once (trying each inside position as a name again takes quadratic time).
            for piece in _NAME_PIECE.finditer(text, i, m.end()):
                first = piece.group(0)[0]
                kind = "number" if first.isdigit() else "word" if first in _WORD else "punct"
                tok = Token(kind, piece.group(0), piece.start())
                yield tok
                before, prev = prev, tok
            i = m.end()
            continue
        elif m := _PNAME.match(text, i):
            tok = Token("pname", m.group(0), i)
        elif m := _LETTERS.match(text, i):
            tok = Token("word", m.group(0), i)
        elif m := _DIGITS.match(text, i):
            tok = Token("number", m.group(0), i)
        else:
            if c == "\\" and text[i + 1 : i + 2] in ("u", "U"):
                _refuse_escape(text, i)
            # An unterminated string is read on as code: every engine refuses it, and
            # nothing after its quote hides from the checks.
            tok = Token("punct", c, i)
            if c == "(":
                stack.append(_paren_kind(stack, prev, before))
            elif c == "{":
                stack.append("group")
            elif c == "[":
                stack.append("nodes")
            elif c in CLOSE and stack:
                stack.pop()
            yield tok
            before, prev = prev, tok
            i += 1
            continue
        yield tok
        before, prev = prev, tok
        i = m.end()


def reads_as_iri(text: str, offset: int) -> bool:
    """Whether a lexer blind to context (Virtuoso's) reads an IRI at ``offset``: it does
    wherever ``<...>`` fits the IRI syntax, even where Oxigraph reads a less-than.

    >>> reads_as_iri("FILTER(?a<2&&?b>0)", 9), reads_as_iri("FILTER(?a < 2)", 10)
    (True, False)
    """
    return _IRI.match(text, offset) is not None


def tokens(text: str) -> Iterator[Token]:
    """The IRIs, names and punctuation of a SPARQL text; strings and comments are skipped.

    :class:`QueryRefusedError` for a codepoint escape outside a string literal.
    """
    return (tok for tok in _scanned(text) if tok.kind != "string")


SCANNED_TEXT_CHARS = 2048
"""Texts up to this long keep their tokens for a while (see :func:`_scanned`)."""


@functools.lru_cache(maxsize=16)
def _scanned_short(text: str) -> tuple[Token, ...]:
    return tuple(_scan(text))


def _scanned(text: str) -> tuple[Token, ...]:
    """The tokens of a text, string literals included. A request's text is scanned to
    tell its form, by the guard (with the server's prefixes) and to page it, in the
    server and again in its worker: each scan would cost the same again (~20 us for a
    one-lookup query). So the last 16 short texts keep theirs (a few hundred bytes a
    token: a few MB at the very worst, a few kB as a rule)."""
    if len(text) <= SCANNED_TEXT_CHARS:
        return _scanned_short(text)
    return tuple(_scan(text))


def string_value(literal: str) -> str:
    r"""The value of a string literal as written in SPARQL (quotes and escapes).

    >>> string_value(r"'a\tb\u0022'")
    'a\tb"'
    >>> string_value(r"'''x\\u0041'''")
    'x\\u0041'
    """
    quote = 3 if len(literal) >= 6 and literal[:3] in ('"""', "'''") else 1
    return _STRING_ESCAPE.sub(_unescape, literal[quote:-quote])


def _unescape(match: re.Match[str]) -> str:
    if match.group(3) is not None:
        return _ECHAR.get(match.group(3), match.group(0))
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def resolve_iri(base: str, ref: str) -> str:
    """An IRI reference resolved against a base IRI (RFC 3986, section 5.2), as Oxigraph
    resolves it: an IRI with a scheme is taken as it is, and so is any reference when the
    base is empty or relative.

    >>> resolve_iri("http://e/a/b", "../c")
    'http://e/c'
    >>> resolve_iri("bif:", "http_get")
    'bif:http_get'
    """
    if _SCHEME.match(ref) or not _SCHEME.match(base):
        return ref
    base_parts = _IRI_PARTS.fullmatch(base)
    ref_parts = _IRI_PARTS.fullmatch(ref)
    # every part is optional: any text matches
    assert base_parts is not None
    assert ref_parts is not None
    scheme, base_authority, base_path, base_query, _ = base_parts.groups()
    _, authority, path, query, fragment = ref_parts.groups()
    if authority is not None:
        path = _remove_dot_segments(path)
    else:
        authority = base_authority
        if not path:
            path = base_path
            query = base_query if query is None else query
        elif path.startswith("/"):
            path = _remove_dot_segments(path)
        elif base_authority is not None and not base_path:
            path = _remove_dot_segments("/" + path)
        else:
            path = _remove_dot_segments(base_path[: base_path.rfind("/") + 1] + path)
    resolved = f"{scheme}:"
    if authority is not None:
        resolved += f"//{authority}"
    resolved += path
    if query is not None:
        resolved += f"?{query}"
    if fragment is not None:
        resolved += f"#{fragment}"
    return resolved


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            end = path.find("/", 1)
            end = len(path) if end < 0 else end
            output.append(path[:end])
            path = path[end:]
    return "".join(output)


def _expand(pname: str, prefixes: Mapping[str, str]) -> str | None:
    prefix, _, local = pname.partition(":")
    namespace = prefixes.get(prefix)
    return None if namespace is None else namespace + _LOCAL_ESCAPE.sub(r"\1", local)


def _glued(tok: Token, keyword: str) -> str | None:
    """``:x`` when a prefixed name is ``KEYWORD:x``: Oxigraph reads a keyword followed by
    a name with the empty prefix there (``FROM:g``, ``SERVICE:x``)."""
    if tok.kind != "pname":
        return None
    prefix, _, local = tok.text.partition(":")
    return ":" + local if prefix.upper() == keyword else None


def _read(toks: tuple[Token, ...], base: str, declared: dict[str, str]) -> QueryReading:
    mentions: list[Mention] = []
    strings: list[str] = []
    form = "unknown"
    update = False
    depth = deepest = 0
    deepest_at = -1
    read_with: set[int] = set()  # tokens read with a keyword before them
    n = len(toks)

    def term(j: int) -> str | None:
        tok = toks[j]
        if tok.kind == "iri":
            return resolve_iri(base, tok.text)
        return _expand(tok.text, declared) if tok.kind == "pname" else None

    def clause(i: int, keyword: str, modifier: str) -> tuple[str | None, Token, bool]:
        """The IRI the keyword at ``i`` names (after an optional modifier: SILENT, NAMED),
        the token naming it, and whether the modifier was there."""
        glued = _glued(toks[i], keyword)
        if glued is not None:
            return _expand(glued, declared), toks[i], False
        found = modifier in toks[i].text.upper()  # FROMNAMED, SERVICESILENT
        j = i + 1
        if j < n and toks[j].kind == "word" and modifier in toks[j].text.upper():
            found = True
            read_with.add(j)
            j += 1
        elif j < n and (glued := _glued(toks[j], modifier)) is not None:
            read_with.add(j)
            return _expand(glued, declared), toks[j], True
        if j >= n:
            return None, toks[i], found
        read_with.add(j)
        return term(j), toks[j], found

    for i, tok in enumerate(toks):
        if tok.kind == "punct":
            if tok.text in OPEN:
                depth += 1
                if depth > deepest:
                    deepest, deepest_at = depth, tok.offset
            elif tok.text in CLOSE:
                depth = max(0, depth - 1)
            continue
        if tok.kind == "string":
            strings.append(string_value(tok.text))
            continue
        if i in read_with:
            continue
        word = tok.text.upper() if tok.kind == "word" else ""
        nxt = toks[i + 1] if i + 1 < n else None
        if form == "unknown" and word in QUERY_FORMS:
            form = word.lower()
        elif word in UPDATE_KEYWORDS:
            form = "update" if form == "unknown" else form
            update = update or depth == 0
        if _glued(tok, "PREFIX") == ":" and nxt is not None and nxt.kind == "iri":
            # "PREFIX:<x>" declares the empty prefix
            declared[""] = resolve_iri(base, nxt.text)
            mentions.append(Mention("prefix", declared[""], nxt))
            read_with.add(i + 1)
        elif (
            word == "PREFIX"
            and nxt is not None
            and nxt.kind == "pname"
            and nxt.text.endswith(":")
            and i + 2 < n
            and toks[i + 2].kind == "iri"
        ):
            declared[nxt.text[:-1]] = resolve_iri(base, toks[i + 2].text)
            mentions.append(Mention("prefix", declared[nxt.text[:-1]], toks[i + 2]))
            read_with.update((i + 1, i + 2))
        elif word == "BASE" and nxt is not None and nxt.kind == "iri":
            base = resolve_iri(base, nxt.text)
            mentions.append(Mention("base", base, nxt))
            read_with.add(i + 1)
        elif "SERVICE" in word or _glued(tok, "SERVICE") is not None:
            # "trueSERVICE" is read as true SERVICE, "SERVICE:x" as SERVICE :x.
            iri, named_by, _ = clause(i, "SERVICE", "SILENT")
            mentions.append(Mention("service", iri, named_by))
        elif "FROM" in word or (depth == 0 and _glued(tok, "FROM") is not None):
            iri, named_by, named = clause(i, "FROM", "NAMED")
            mentions.append(Mention("from named" if named else "from", iri, named_by))
        elif tok.kind in ("iri", "pname"):
            call = nxt is not None and nxt.kind == "punct" and nxt.text == "("
            mentions.append(Mention("function" if call else "other", term(i), tok))
    return QueryReading(
        tokens=toks,
        mentions=tuple(mentions),
        strings=tuple(strings),
        form=form,
        update=update or form == "update",
        depth=deepest,
        deepest=deepest_at,
        declared=declared,
    )


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


def operation(text: str) -> str:
    """What a SPARQL text asks for: "select", "construct", "describe", "ask", "update",
    or "unknown" when it starts with none of their keywords.

    >>> operation("PREFIX a: <http://e/> CONSTRUCT WHERE { ?s ?p ?o }")
    'construct'
    >>> operation("INSERT DATA { <a> <b> <c> }")
    'update'
    """
    return read_query(text).form


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
