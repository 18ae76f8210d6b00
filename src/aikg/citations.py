"""Citable answers: a permalink for every answer, ready citations, and what changed since.

A permalink records the query (a saved query's name and parameters, or the SPARQL text
and its dataset), the data version the answer came from and the answer's SHA-256, all in
its URL: ``{base}cite?saved=holdings&holder=country/KR&version=...&sha256=...``. It needs
no server state to be checked: opening it runs the query again and compares the SHA-256
of today's answer with the cited one (see :attr:`aikg.sparql.results.Serialized.sha256`
for what is hashed; anyone can check it with ``sha256sum`` on the TSV download).

To *name* what changed, the claims an answer rests on must be known as they were when it
was cited. A :class:`CitationRegistry` records them (their parts, as the claim diff reads
them: :func:`aikg.diff.claims`) the first time an answer is shown with its citation or its
permalink is opened while the data is still that version. A changed answer is then shown
with the claim diff between the recorded parts and today's.

The claims an answer rests on: the claims that appear in it, and the claims that name
one of the things that appear in it (a holding claim about a country in the answer).

>>> from aikg import KnowledgeGraph
>>> kg = KnowledgeGraph.load()
>>> cited = CitedQuery.saved_query("holdings", {"holder": ["company/tesla"]})
>>> citation = cite(kg, cited)
>>> citation.rows, len(citation.sha256)
(1, 64)
>>> citation.permalink("http://localhost:8000/").split("&version=")[0]
'http://localhost:8000/cite?saved=holdings&holder=company%2Ftesla'
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pyoxigraph as ox

from aikg.config import Settings
from aikg.diff import ClaimDiff, Parts, claims, compare
from aikg.errors import InputError
from aikg.linked_data.findable import LICENSE, TITLE
from aikg.saved_queries import RESERVED_PARAMETERS, saved_query
from aikg.sparql.lexer import operation
from aikg.sparql.paging import page_number

if TYPE_CHECKING:  # the knowledge graph is only typed here; the jobs pass one in
    from aikg.knowledge_graph import KnowledgeGraph

HEX64 = re.compile(r"^[0-9a-f]{64}$")
VERSION = re.compile(r"^[0-9a-zA-Z][0-9a-zA-Z-]{0,63}$")
RESERVED = ("saved", "query", "version", "sha256", "format")
"""Permalink parameters that are not a saved query's own."""
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
MAX_CLAIMS = 2_000
"""Most claims recorded for one answer: an answer that rests on more records its first
ones by IRI, and its changes are named among those."""

CITATION_MEDIA = {
    "text/plain": "text",
    "application/x-bibtex": "bibtex",
    "application/vnd.citationstyles.csl+json": "csl",
}
"""The citation formats a permalink serves, by media type (those the DOI resolvers
negotiate for the same purpose)."""


@dataclass(frozen=True)
class CitedQuery:
    """What a permalink runs: a saved query with its parameters, or a SPARQL query with
    its dataset. ``params`` are (name, value) pairs in a fixed order."""

    saved: str | None
    sparql: str | None
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def saved_query(cls, name: str, params: Mapping[str, Sequence[str]]) -> CitedQuery:
        pairs = tuple(sorted((k, v) for k, values in params.items() for v in values))
        return cls(saved_query(name).name, None, pairs)

    @classmethod
    def sparql_query(
        cls,
        sparql: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        page: int = 1,
    ) -> CitedQuery:
        pairs = (
            [("default-graph-uri", g) for g in default_graphs]
            + [("named-graph-uri", g) for g in named_graphs]
            + ([("page", str(page))] if page > 1 else [])
        )
        return cls(None, sparql, tuple(pairs))

    def url_params(self) -> list[tuple[str, str]]:
        head = [("saved", self.saved)] if self.saved else [("query", self.sparql or "")]
        return [*head, *self.params]

    def params_dict(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for key, value in self.params:
            grouped.setdefault(key, []).append(value)
        return grouped

    def run_options(self) -> tuple[dict[str, list[str]], str | None, int]:
        """How to run it again: the query's own parameters, the language of the label
        columns (None: no label columns) and the page."""
        params = self.params_dict()
        lang = params.pop("lang", ["en"])[0]
        labels = params.pop("labels", ["true"])[0].lower() not in ("false", "0", "no")
        page = page_number(params.pop("page", [None])[0])
        return params, (lang if labels else None), page

    @property
    def title(self) -> str:
        """What the answer is an answer to, in words."""
        if self.saved:
            shown = ", ".join(f"{k}={v}" for k, v in self.params if k not in ("lang", "labels"))
            title = saved_query(self.saved).title
            return f"{title} ({shown})" if shown else title
        return "SPARQL query"


@dataclass(frozen=True)
class Citation:
    """An answer as cited: the query, the data version, the answer's SHA-256 and rows."""

    query: CitedQuery
    data_version: str
    sha256: str
    rows: int
    retrieved: datetime = field(default_factory=lambda: datetime.now(UTC))

    def permalink(self, base_url: str) -> str:
        params = [*self.query.url_params(), ("version", self.data_version)]
        return f"{base_url}cite?{urlencode([*params, ('sha256', self.sha256)])}"

    def text(self, base_url: str) -> str:
        """The citation as a sentence for a reference list."""
        return (
            f"{TITLE}. Answer to: {self.query.title}. Data version {self.data_version}, "
            f"{self.rows} row{'s' if self.rows != 1 else ''}, SHA-256 {self.sha256}. "
            f"Retrieved {self.retrieved:%Y-%m-%d}. {self.permalink(base_url)}"
        )

    def bibtex(self, base_url: str) -> str:
        key = f"aikg-{self.retrieved:%Y%m%d}-{self.sha256[:8]}"
        fields = {
            "title": f"{{{_bibtex_escape(self.query.title)}}}",
            "howpublished": f"{{\\url{{{self.permalink(base_url)}}}}}",
            "organization": f"{{{_bibtex_escape(TITLE)}}}",
            "year": f"{{{self.retrieved:%Y}}}",
            "urldate": f"{{{self.retrieved:%Y-%m-%d}}}",
            "version": f"{{{self.data_version}}}",
            "note": f"{{Data version {self.data_version}; answer SHA-256 {self.sha256}; "
            f"{self.rows} rows}}",
        }
        body = ",\n".join(f"  {name} = {value}" for name, value in fields.items())
        return f"@misc{{{key},\n{body}\n}}\n"

    def csl_json(self, base_url: str) -> dict[str, Any]:
        """The citation as a CSL-JSON item (what Zotero and citeproc read)."""
        date = [self.retrieved.year, self.retrieved.month, self.retrieved.day]
        return {
            "id": f"aikg-{self.sha256[:16]}",
            "type": "dataset",
            "title": self.query.title,
            "container-title": TITLE,
            "URL": self.permalink(base_url),
            "version": self.data_version,
            "accessed": {"date-parts": [date]},
            "issued": {"date-parts": [date]},
            "license": LICENSE,
            "note": f"Answer SHA-256 {self.sha256}; {self.rows} rows",
        }

    def formatted(self, form: str, base_url: str) -> str:
        """The citation in one of :data:`CITATION_MEDIA`'s forms."""
        if form == "bibtex":
            return self.bibtex(base_url)
        if form == "csl":
            return json.dumps([self.csl_json(base_url)], indent=2, ensure_ascii=False)
        return self.text(base_url) + "\n"

    def to_dict(self, base_url: str) -> dict[str, Any]:
        return {
            "permalink": self.permalink(base_url),
            "data_version": self.data_version,
            "sha256": self.sha256,
            "rows": self.rows,
            "retrieved": self.retrieved.isoformat(timespec="seconds"),
            "text": self.text(base_url),
            "bibtex": self.bibtex(base_url),
            "csl": self.csl_json(base_url),
        }


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([{}&%$#_])", r"\\\1", text)


@dataclass(frozen=True)
class Permalink:
    """A permalink read back: the query it runs and what the answer was."""

    query: CitedQuery
    data_version: str
    sha256: str

    @property
    def key(self) -> str:
        """What identifies the cited answer in the registry."""
        return json.dumps([self.query.url_params(), self.data_version, self.sha256])


def read_permalink(params: Mapping[str, Sequence[str]]) -> Permalink:
    """The permalink's parameters read, checked, and refused with what to fix."""

    def one(name: str, hint: str) -> str:
        values = params.get(name, [])
        if len(values) != 1 or not values[0]:
            raise InputError(
                f"a permalink needs one {name!r} parameter; it has {len(values)}",
                where=f"parameter {name!r}",
                hint=hint,
            )
        return values[0]

    def matching(name: str, pattern: re.Pattern[str], what: str, hint: str) -> str:
        value = one(name, hint)
        if not pattern.match(value):
            raise InputError(
                f"{name} {value[:80]!r} is not {what}",
                where=f"parameter {name!r}",
                hint="copy the whole permalink, as the answer's page or Link header gives it",
            )
        return value

    sha = matching(
        "sha256",
        HEX64,
        "64 lowercase hex digits",
        "copy the whole permalink: it ends with &sha256=<64 hex digits>",
    )
    version = matching(
        "version",
        VERSION,
        "a data version",
        "copy the whole permalink: it holds &version=<data version>",
    )
    if ("saved" in params) == ("query" in params):
        raise InputError(
            "a permalink names either a saved query (saved=) or a SPARQL query (query=)",
            where="parameters 'saved' and 'query'",
            hint="copy the whole permalink, as the answer's page or Link header gives it",
        )
    own = {k: list(v) for k, v in params.items() if k not in RESERVED}
    if "saved" in params:
        name = one("saved", "give the saved query's name, as GET /queries lists them")
        query = CitedQuery.saved_query(name, own)
        for key in own:
            if key not in RESERVED_PARAMETERS:
                saved_query(name).param(key)  # an unknown one is refused with near names
    else:
        unknown = sorted(set(own) - {*DATASET_PARAMS, "page"})
        if unknown:
            raise InputError(
                f"parameter {unknown[0]!r} is not one a SPARQL permalink takes",
                where=f"parameter {unknown[0]!r}",
                hint="a SPARQL permalink has query=, default-graph-uri=, named-graph-uri=, "
                "version= and sha256=",
            )
        query = CitedQuery.sparql_query(
            one("query", "give the SPARQL text"),
            own.get("default-graph-uri", []),
            own.get("named-graph-uri", []),
        )
        query = replace(query, params=tuple(sorted(query.params + _pairs(own, "page"))))
    query.run_options()  # a page that is not a page number is refused here
    return Permalink(query, version, sha)


def _pairs(params: Mapping[str, Sequence[str]], name: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, value) for value in params.get(name, []))


def permalink_from_url(url: str) -> Permalink:
    """A permalink given as a whole URL (``.../cite?...``)."""
    return read_permalink(parse_qs(urlsplit(url).query, keep_blank_values=True))


def answer_iris(body: bytes, media_type: str = "application/sparql-results+json") -> list[str]:
    """The IRIs in an answer: a SPARQL JSON results document (an ASK answer has none) or
    an N-Triples graph."""
    if media_type.startswith("application/n-triples"):
        terms = (
            term
            for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
            for term in (triple.subject, triple.predicate, triple.object)
        )
        return sorted({term.value for term in terms if isinstance(term, ox.NamedNode)})
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return []
    found = {t.value for solution in parsed for t in solution if isinstance(t, ox.NamedNode)}
    return sorted(found)


# Two queries, each reading from the IRIs given. As one (the IRIs in a VALUES block before
# a UNION of "is one" and "names one"), Oxigraph read every statement of the store for the
# second branch (3 s for the 83 IRIs of one saved query's answer on the bundled data,
# against 5 ms), and Virtuoso found no claim at all; a class hierarchy walked with
# rdfs:subClassOf* beside a VALUES block finds none on Virtuoso either. Every claim is
# typed aikg:Claim in the inferred graph, on every store.
_AMONG = """
SELECT DISTINCT ?claim WHERE {
  VALUES ?claim { THINGS }
  ?claim a <https://w3id.org/aikg/ontology#Claim> .
}
"""
_NAMING = """
SELECT DISTINCT ?claim WHERE {
  VALUES ?thing { THINGS }
  ?claim ?property ?thing ; a <https://w3id.org/aikg/ontology#Claim> .
}
"""


def claims_resting_on(kg: KnowledgeGraph, iris: Iterable[str]) -> dict[str, Parts]:
    """The claims an answer with these IRIs rests on (those among them, and those that
    name one of them), with their parts, at most :data:`MAX_CLAIMS`."""
    things = sorted(set(iris))
    found: set[str] = set()
    for start in range(0, len(things), 500):
        batch = " ".join(f"<{iri}>" for iri in things[start : start + 500])
        for query in (_AMONG, _NAMING):
            result = kg.query(query.replace("THINGS", batch), max_rows=2**62)
            found.update(str(row["claim"]) for row in result.rows)  # type: ignore[union-attr]
    return claims(kg, sorted(found)[:MAX_CLAIMS])


def citation_file(settings: Settings) -> Path | None:
    """Where the server records cited answers: the ``citations`` setting, else beside a
    store on disk, else nowhere (memory)."""
    if settings.citations:
        return Path(settings.citations)
    if settings.store and not settings.remote:
        beside = Path(settings.store).resolve()
        return beside.with_name(beside.name + ".citations.sqlite")
    return None


@dataclass(frozen=True)
class Recorded:
    """What the registry holds of a cited answer."""

    recorded: datetime
    claims: dict[str, Parts]


class CitationRegistry:
    """The cited answers' claims, as they were when cited (SQLite: a file, or memory).

    One connection, used under a lock: the server records from its request threads.
    """

    def __init__(self, path: str | Path | None = None, *, limit: int = 100_000):
        self.path = str(path) if path else ":memory:"
        self.limit = limit
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS cited (key TEXT PRIMARY KEY, recorded TEXT NOT NULL, "
            "claims TEXT NOT NULL)"
        )
        self._db.commit()

    def get(self, permalink: Permalink) -> Recorded | None:
        with self._lock:
            row = self._db.execute(
                "SELECT recorded, claims FROM cited WHERE key = ?", (permalink.key,)
            ).fetchone()
        if row is None:
            return None
        stored = json.loads(row[1])
        parts = {c: {p: frozenset(v) for p, v in ps.items()} for c, ps in stored.items()}
        return Recorded(datetime.fromisoformat(row[0]), parts)

    def has(self, permalink: Permalink) -> bool:
        with self._lock:
            found = self._db.execute("SELECT 1 FROM cited WHERE key = ?", (permalink.key,))
            return found.fetchone() is not None

    def record(self, permalink: Permalink, parts: Mapping[str, Parts]) -> bool:
        """Record the claims of a cited answer (once: the first record stands). False when
        the registry is full."""
        text = json.dumps({c: {p: sorted(v) for p, v in ps.items()} for c, ps in parts.items()})
        with self._lock:
            (count,) = self._db.execute("SELECT count(*) FROM cited").fetchone()
            if count >= self.limit:
                return False
            self._db.execute(
                "INSERT OR IGNORE INTO cited VALUES (?, ?, ?)",
                (permalink.key, datetime.now(UTC).isoformat(timespec="seconds"), text),
            )
            self._db.commit()
        return True

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass(frozen=True)
class CitationCheck:
    """A permalink opened: the answer as cited, today's, and what changed between."""

    cited: Permalink
    today: Citation
    recorded: datetime | None
    """When the cited answer's claims were recorded (None: they were not)."""
    changes: ClaimDiff | None
    """The claims that changed (None when unchanged or not recorded)."""

    @property
    def unchanged(self) -> bool:
        return self.today.sha256 == self.cited.sha256

    def statement(self) -> str:
        """What a reader of the permalink must know first, plainly."""
        then, now = self.cited.data_version, self.today.data_version
        if self.unchanged:
            if then == now:
                return f"This is the answer as cited: the data is the same (version {then})."
            return (
                f"The data has changed since this answer was cited (version {then}, now "
                f"{now}), but this answer has not: it is the same as cited."
            )
        if then == now:
            return (
                f"This answer does not match the permalink: the data is the version it "
                f"names ({now}), but today's answer has SHA-256 {self.today.sha256}, not "
                f"{self.cited.sha256}. The permalink was altered, or the query's order is "
                "not fixed (add an ORDER BY over every column)."
            )
        said = (
            f"The answer has changed since it was cited: the data was version {then}, it "
            f"is now {now}; the cited answer had SHA-256 {self.cited.sha256}, today's has "
            f"{self.today.sha256}. Below is today's answer."
        )
        if self.changes is None:
            return (
                said + " The claims it rested on were not recorded when it was cited, so "
                "what changed in them cannot be named."
            )
        if self.changes.empty:
            return said + " None of the claims it rested on changed; other data did."
        return said + " What changed in the claims it rests on is listed below."

    def to_dict(self, base_url: str) -> dict[str, Any]:
        return {
            "unchanged": self.unchanged,
            "statement": self.statement(),
            "cited": {"data_version": self.cited.data_version, "sha256": self.cited.sha256},
            "today": self.today.to_dict(base_url),
            "recorded": self.recorded.isoformat(timespec="seconds") if self.recorded else None,
            "changes": self.changes.to_dict() if self.changes is not None else None,
        }


def compare_claims(recorded: Recorded | None, now: Mapping[str, Parts]) -> ClaimDiff | None:
    """The claim diff from the recorded claims to ``now`` (the same claims read today,
    and those today's answer rests on)."""
    if recorded is None:
        return None
    return compare(recorded.claims, dict(now))


def cite(kg: KnowledgeGraph, query: CitedQuery) -> Citation:
    """Run ``query`` on ``kg`` and cite its answer (in Python; the server does the same
    through its workers)."""
    params, lang, page = query.run_options()
    if query.saved:
        fmt = "nt" if saved_query(query.saved).kind == "graph" else "tsv"
        answer = kg.serialize_saved(query.saved, params, fmt, lang=lang, page=page)
    else:
        sparql = query.sparql or ""
        answer = kg.serialize_query(
            sparql,
            "nt" if operation(sparql) in ("construct", "describe") else "tsv",
            default_graphs=params.get("default-graph-uri"),
            named_graphs=params.get("named-graph-uri"),
            page=page,
        )
    return Citation(query, kg.data_version or "unversioned", answer.sha256, answer.rows)
