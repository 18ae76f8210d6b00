"""Settings: base IRI, store, limits, timeouts and the write token.

Every setting has a default, can be given in Python, and is read from an ``AIKG_*``
environment variable by :meth:`Settings.from_env` (the CLI and the server use that).
A value that cannot be used raises :class:`~aikg.errors.SettingError` (a
``ConfigError``) naming the variable.

>>> Settings().base_iri
'https://w3id.org/aikg/'
>>> Settings.from_env({"AIKG_MAX_ROWS": "50"}).max_rows
50
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aikg.errors import SettingError

NOT_IN_IRIS = frozenset('<>"{}|^`\\ \n\r\t')
"""Characters no IRI holds (RFC 3987): a base IRI, or a name given by a user, holding one
is refused (:func:`aikg.namespaces.resolve_iri`)."""

DEFAULT_BASE_IRI = "https://w3id.org/aikg/"
"""Where every entity, claim and graph of the bundled data lives by default."""

ONTOLOGY_IRI = "https://w3id.org/aikg/ontology"
ONTOLOGY_NS = ONTOLOGY_IRI + "#"
SHAPES_IRI = "https://w3id.org/aikg/shapes"
SHAPES_NS = SHAPES_IRI + "#"

ENV_PREFIX = "AIKG_"
SECRET_FIELDS = ("token", "store_password")
VALIDATORS = ("fast", "pyshacl")


@dataclass(frozen=True)
class Settings:
    """How aikg runs. Immutable; derive a changed copy with :meth:`replace`."""

    base_iri: str = DEFAULT_BASE_IRI
    """Base of entity, claim and graph IRIs. The ontology and shapes namespaces are fixed."""
    store: str | None = None
    """None for the in-memory store, a directory for a persistent on-disk store, or the
    ``http(s)://`` URL of a remote SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB...)."""
    store_update: str | None = None
    """The remote store's SPARQL Update URL, when not the query URL (``oxigraph serve``:
    ``/update``)."""
    store_graph_store: str | None = None
    """The remote store's Graph Store Protocol URL (whole graphs are read through it), if
    it has one: Virtuoso's is ``/sparql-graph-crud``, ``oxigraph serve``'s ``/store``."""
    store_user: str | None = None
    """User name for the remote store (HTTP basic authentication)."""
    store_password: str | None = None
    token: str | None = None
    """Bearer token that enables writes (SPARQL Update, Graph Store PUT/POST/DELETE)."""
    query_timeout: float = 10.0
    """Seconds a query may run before it is stopped."""
    query_memory: int = 0
    """Megabytes of memory a query (or a write's dry run) may take on top of what its
    process shares with the store, before it is stopped. 0: an equal share of the memory
    available once the store is open, among the workers and one more."""
    queue_timeout: float = 30.0
    """Seconds a request may wait for a free query worker before it is refused (503)."""
    max_rows: int = 10_000
    """Most result rows returned; an answer that hits it says it was truncated."""
    citations: str | None = None
    """The file that records cited answers (SQLite), so that a permalink opened later
    can name the claims that changed. Default: beside a store on disk
    (``DIR.citations.sqlite``); for any other store, in memory until the server stops."""
    max_citations: int = 100_000
    """Most cited answers recorded; past it, permalinks still work but a changed answer
    can no longer name what changed in its claims."""
    max_query_length: int = 500_000
    """Longest query or update text accepted, in characters."""
    max_query_depth: int = 100
    """Deepest nesting of brackets accepted in a query (the engine crashes on deep ones)."""
    max_body_bytes: int = 10 * 1024 * 1024
    """Largest request body the server reads."""
    max_answer_bytes: int = 256 * 1024 * 1024
    """Largest answer the server sends (SPARQL results, a graph, a page): the server holds
    an answer whole while it sends it. Dumps are streamed from a file and not bounded."""
    service_allowlist: tuple[str, ...] = ()
    """Hosts a SERVICE clause may call. Empty: SERVICE is refused."""
    workers: int = 4
    """Query worker processes of the server (each a fork sharing the store's memory)."""
    host: str = "127.0.0.1"
    port: int = 8000
    keep_alive: int = 75
    """Seconds ``aikg serve`` keeps an idle HTTP/1.1 connection open. Longer than the
    clients' own pool expiry (httpx 5 s, aiohttp 15 s) and proxies' (nginx 60 s): the side
    that closes an idle connection first races the other side's next request on it, and the
    client then sees a reset instead of an answer. uvicorn's default of 5 s loses that race
    to httpx under load."""
    read_timeout: float = 10.0
    """Seconds a request may take to arrive whole (head and body) from its first byte, or
    from the connection's opening for the first, and one more for every 500 bytes that
    have come, before ``aikg serve`` closes the connection: a connection that sends
    nothing, or trickles a request, is not kept."""
    client_connections: int = 64
    """Connections one client (one address) may hold open at once; more are closed as they
    open. A reverse proxy trusted by ``FORWARDED_ALLOW_IPS`` is exempt. 0: no limit."""
    client_concurrency: int = 2
    """Requests of one client (one address) that run at once; the rest wait their turn.
    Keep it below ``workers``, so that one client never holds every worker. 0: no limit."""
    client_query_seconds: float = 60.0
    """Worker time one client may use per minute before its requests get a 429 (Wikidata's
    query service allows 60 s). 0: no limit."""
    require_sandbox: bool = False
    """Refuse to start unless the query workers run without network access (the kernel
    may refuse the namespace they need; a remote store needs the network)."""
    cors_origins: tuple[str, ...] = field(default=("*",))
    """Origins allowed to read cross-origin (never with credentials, never for writes)."""
    source_dirs: tuple[str, ...] = ()
    """Folders (comma-separated) where the text files of sources (``aikg:textFile``) are
    looked for after the bundled ``data/sources/``: where an analyst keeps a new source's
    text."""
    validator: str = "fast"
    """SHACL engine: ``fast`` (the shapes compiled to SPARQL on Oxigraph) or ``pyshacl``
    (the reference implementation, much slower; the two agree, as a test proves)."""

    def __post_init__(self) -> None:
        if (
            not self.base_iri.startswith(("http://", "https://"))
            or not self.base_iri.endswith(("/", "#"))
            or NOT_IN_IRIS & set(self.base_iri)
        ):
            raise SettingError(
                f"base IRI {self.base_iri!r} is not usable",
                where="base_iri / AIKG_BASE_IRI",
                hint="give an absolute http(s) IRI ending in '/', without spaces or <>\"{}|^`\\, "
                "e.g. https://example.org/aikg/",
            )
        urls = {"store": self.store if self.remote else None, "store_update": self.store_update}
        for name, url in {**urls, "store_graph_store": self.store_graph_store}.items():
            if url is not None and not _is_http_url(url):
                raise SettingError(
                    f"{name} {redact_url_text(url)!r} is no http(s) URL of a server",
                    where=f"{name} / {ENV_PREFIX}{name.upper()}",
                    hint="give the server's URL, such as http://127.0.0.1:8890/sparql",
                )
        for name in (
            "query_timeout",
            "queue_timeout",
            "max_rows",
            "max_citations",
            "max_query_length",
            "max_query_depth",
            "max_body_bytes",
            "max_answer_bytes",
            "workers",
            "keep_alive",
            "read_timeout",
        ):
            if getattr(self, name) <= 0:
                raise SettingError(
                    f"{name} must be greater than 0, not {getattr(self, name)!r}",
                    where=f"{name} / {ENV_PREFIX}{name.upper()}",
                    hint="give a positive number",
                )
        for name in ("client_concurrency", "client_query_seconds", "client_connections"):
            if getattr(self, name) < 0:
                raise SettingError(
                    f"{name} must be greater than 0, not {getattr(self, name)!r}",
                    where=f"{name} / {ENV_PREFIX}{name.upper()}",
                    hint="give a positive number, or 0 for no limit",
                )
        if self.query_memory < 0:
            raise SettingError(
                f"query_memory must be 0 or more megabytes, not {self.query_memory!r}",
                where=f"query_memory / {ENV_PREFIX}QUERY_MEMORY",
                hint="give megabytes, or 0 for a share of the memory available",
            )
        if self.validator not in VALIDATORS:
            raise SettingError(
                f"unknown validator {self.validator!r}",
                where=f"validator / {ENV_PREFIX}VALIDATOR",
                hint=f"use one of: {', '.join(VALIDATORS)}",
            )

    def __repr__(self) -> str:
        """Every setting, secrets masked (a repr ends up in logs and tracebacks)."""
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS and value:
                value = "***"
            elif f.name == "store" and value:
                value = redact_url(value)
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @property
    def remote(self) -> bool:
        """The store is a remote SPARQL endpoint."""
        return bool(self.store and self.store.startswith(("http://", "https://")))

    @property
    def writable(self) -> bool:
        """Writes are possible only when a token is configured."""
        return bool(self.token)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (validated like a new one)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``AIKG_*`` variables, then ``overrides`` (which win when not None)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _parse(f.name, raw, f.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _parse(name: str, raw: str, annotation: Any) -> Any:
    """Turn one environment string into the field's type, or say what is wrong with it."""
    text = str(annotation)
    try:
        if text.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if text == "int":
            return int(raw)
        if text == "float":
            return float(raw)
        if text == "bool":
            return _boolean(raw)
    except ValueError:
        raise SettingError(
            f"{ENV_PREFIX}{name.upper()}={raw!r} is not a {text}",
            where=f"environment variable {ENV_PREFIX}{name.upper()}",
            hint=f"set it to a {text}",
        ) from None
    return raw or None


def _boolean(raw: str) -> bool:
    words = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
    words[""] = False
    try:
        return words[raw.strip().lower()]
    except KeyError:
        raise ValueError(raw) from None


def _is_http_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL with a host (and a port, if any, in range)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a ValueError past 65535 or for one that is no number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def redact_url_text(url: str) -> str:
    """:func:`redact_url` of a text that may be no URL at all (a password before an ``@``
    masked all the same).

    >>> redact_url_text("https://dba:secret@[::1")
    'https://dba:***@[::1'
    """
    try:
        return redact_url(url)
    except ValueError:
        return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)


def redact_url(url: str) -> str:
    """The URL with any password in it masked (``http://user:***@host/``).

    >>> redact_url("http://dba:secret@127.0.0.1:8890/sparql")
    'http://dba:***@127.0.0.1:8890/sparql'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
