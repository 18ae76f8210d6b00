"""Refuse dangerous SPARQL before it reaches the engine.

Oxigraph calls any URL named in a ``SERVICE`` clause (loopback included) and hands its
answer back, fetches any URL named by ``LOAD``, and dies with SIGSEGV on queries nested a
few thousand levels deep. This module reads the query's tokens (see
:mod:`aikg.sparql_lexer`: strings, IRIs and comments are told apart, ``\\u`` escapes are
decoded first, as the specification requires and as Oxigraph does) and refuses:

- text longer than ``max_length`` characters or nested deeper than ``max_depth`` brackets;
- ``SERVICE`` to a host not on the allow-list (a variable endpoint is always refused);
  where a name could be read as SERVICE (``trueSERVICE``, ``SERVICE:x``) it is treated
  as one;
- ``LOAD`` in an update, always: nothing is read from files or URLs because a request
  asked it to.

The query workers of the server also run without network access when the allow-list is
empty, so a SERVICE clause this lexer missed still reaches nothing.

>>> check_query("SELECT * WHERE { ?s ?p ?o }", max_length=1000, max_depth=10, allowed_hosts=())
>>> check_query("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
...             max_length=1000, max_depth=10, allowed_hosts=())
Traceback (most recent call last):
aikg.errors.QueryRefusedError: SERVICE to http://127.0.0.1:9/ is refused: host 127.0.0.1 ...
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

from aikg.errors import QueryRefusedError
from aikg.sparql_lexer import CLOSE, OPEN, Token, decoded_tokens


def check_query(
    text: str,
    *,
    max_length: int,
    max_depth: int,
    allowed_hosts: tuple[str, ...],
    update: bool = False,
) -> None:
    """Raise :class:`QueryRefusedError` if the query or update must not be run."""
    if len(text) > max_length:
        raise QueryRefusedError(
            f"the query is {len(text):,} characters long; the limit is {max_length:,}",
            hint="shorten the query (large VALUES blocks belong in the data)",
        )
    toks = decoded_tokens(text)
    _check_depth(toks, max_depth)
    prefixes: dict[str, str] = {}
    base = ""
    upper = [t.text.upper() if t.kind == "word" else "" for t in toks]
    for i, tok in enumerate(toks):
        word = upper[i]
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = urljoin(base, toks[i + 2].text)
        elif word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = urljoin(base, toks[i + 1].text)
        elif word == "LOAD" and update:
            raise QueryRefusedError(
                "LOAD is refused: the service never reads files or URLs because an update "
                "asks it to",
                hint="send the data itself (INSERT DATA, or PUT/POST to the Graph Store)",
            )
        elif "SERVICE" in word or _service_prefix(tok):
            if tok.kind == "pname":
                raise QueryRefusedError(
                    f"the name {tok.text!r} could be read as a SERVICE clause and is refused",
                    hint="rename the prefix so that it does not contain 'service'",
                )
            j = i + 1
            if j < len(toks) and upper[j] == "SILENT":
                j += 1
            endpoint = _endpoint(toks[j] if j < len(toks) else None, prefixes, base)
            _check_service(endpoint, allowed_hosts)


def _check_depth(toks: Sequence[Token], max_depth: int) -> None:
    depth = 0
    for tok in toks:
        if tok.kind != "punct":
            continue
        if tok.text in OPEN:
            depth += 1
            if depth > max_depth:
                raise QueryRefusedError(
                    f"the query nests brackets more than {max_depth} deep "
                    f"(at character {tok.offset})",
                    hint="flatten the query; such depth is never needed and can crash the engine",
                )
        elif tok.text in CLOSE:
            depth = max(0, depth - 1)


def _endpoint(tok: Token | None, prefixes: dict[str, str], base: str) -> str | None:
    if tok is None:
        return None
    if tok.kind == "iri":
        return urljoin(base, tok.text)
    if tok.kind == "pname" and not tok.text.startswith("_:"):
        prefix, _, local = tok.text.partition(":")
        namespace = prefixes.get(prefix)
        return namespace + local if namespace is not None else None
    return None


def _service_prefix(tok: Token) -> bool:
    """A prefixed name such as ``SERVICE:x`` could be read as SERVICE followed by ``:x``."""
    return tok.kind == "pname" and "SERVICE" in tok.text.partition(":")[0].upper()


def _check_service(endpoint: str | None, allowed_hosts: tuple[str, ...]) -> None:
    if endpoint is None:
        raise QueryRefusedError(
            "SERVICE with a variable or undeclared endpoint is refused",
            hint="name the endpoint IRI; only hosts on the allow-list "
            "(AIKG_SERVICE_ALLOWLIST) may be called",
        )
    host = (urlsplit(endpoint).hostname or "").lower()
    if host not in {h.lower() for h in allowed_hosts}:
        raise QueryRefusedError(
            f"SERVICE to {endpoint} is refused: host {host or '(none)'} is not on the allow-list",
            hint="federated queries may call only the hosts in AIKG_SERVICE_ALLOWLIST "
            "(empty by default)",
        )
