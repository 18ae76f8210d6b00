"""The service behind the HTTP API: queries with deadlines, validated writes, versions.

:class:`Service` is what the web layer calls; it checks requests (the query guard, the
dataset parameters), hands the work to :class:`~aikg.workers.pool.WorkerPool` and reports
what happened: the serialized answer, its row count, which page of a long SELECT answer
it is and whether a next page follows, how long it took, and the data version it was
computed on (for ETags: a page is part of what an ETag is computed from).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyoxigraph as ox

from aikg.citations import CitationRegistry, citation_file
from aikg.config import Settings
from aikg.coverage import Coverage, check_source_id
from aikg.diff import Parts
from aikg.errors import (
    ConfigError,
    InputError,
    NotAcceptableError,
    NotFoundError,
    UnsupportedMediaTypeError,
)
from aikg.formats import RDF_FORMATS, RdfFormat, rdf_format
from aikg.jsonld import Form, jsonld_type, reshape
from aikg.linked_data.ontology_docs import OntologyView
from aikg.linked_data.views import ResourceView
from aikg.namespaces import prefix_table
from aikg.saved_queries import label_language, saved_query
from aikg.search import Match, check_limit, check_text
from aikg.sparql.execute import SelectResult, to_python
from aikg.sparql.guard import check_encoding, check_length, check_query
from aikg.sparql.lexer import insert_using, operation, using_clauses_conflict
from aikg.sparql.paging import page_number
from aikg.sparql.results import Serialized
from aikg.store.local import parse_rdf
from aikg.validation.pyshacl_engine import ValidationReport
from aikg.workers.accounting import charge
from aikg.workers.dumps import DumpFile, DumpFiles
from aikg.workers.pool import WorkerPool

log = logging.getLogger("aikg")

DUMP_TIMEOUT = 600.0
"""Seconds a dump's writer may go without sending a chunk (a compacted JSON-LD dump of
millions of triples takes minutes)."""
CACHE_BYTES = 32 * 1024 * 1024
"""What the per-version cache of derived documents (VoID, graph list...) may hold."""


@dataclass(frozen=True)
class Answer:
    """A serialized answer and what the response headers report about it."""

    result: Serialized
    elapsed_ms: float
    version: str


def _answer_key(job: str, options: Mapping[str, Any]) -> tuple[str, str, str]:
    """The answer cache's key of a query job (the data version goes in front of it)."""
    return ("answer", job, repr(sorted(options.items())))


def _iris(values: Sequence[str], parameter: str) -> list[str]:
    iris = []
    for value in values:
        try:
            iris.append(ox.NamedNode(value).value)
        except ValueError:
            raise InputError(
                f"{parameter} {value!r} is not an absolute IRI",
                where=f"parameter {parameter}",
                hint="give absolute IRIs such as https://w3id.org/aikg/graph/holdings",
            ) from None
    return iris


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _known_iri(iri: str) -> None:
    """A path that makes no IRI names nothing the graph knows of."""
    if not _is_iri(iri):
        raise NotFoundError(f"nothing is known about {iri!r}: it is not an IRI", hint="check it")


class Service:
    """Queries, writes and graph-store operations on the knowledge graph, out of process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.pool = WorkerPool(settings, "aikg.workers.jobs", account=charge)
        network = self.pool.network
        if network == "isolated":
            log.info("query workers run without network access")
        else:
            log.warning(
                "query workers can reach the network (%s): only the query guard stands "
                "between a SERVICE clause and the network",
                network,
            )
            if settings.require_sandbox:
                self.pool.close()
                raise ConfigError(
                    f"AIKG_REQUIRE_SANDBOX is set and the query workers cannot be isolated "
                    f"from the network ({network})",
                    where="require_sandbox / AIKG_REQUIRE_SANDBOX",
                    hint="run as root or allow unprivileged user namespaces "
                    "(sysctl kernel.unprivileged_userns_clone=1), or unset it",
                )
        self._cache: OrderedDict[tuple[Any, ...], tuple[int, Any]] = OrderedDict()
        self._cache_bytes = 0
        self._cache_lock = threading.Lock()
        self.dump_files = DumpFiles()
        self.citations = CitationRegistry(citation_file(settings), limit=settings.max_citations)

    @property
    def version(self) -> str:
        """The data version: the fingerprint of the data a store of this process holds
        (equal data, equal version, across restarts: ETags and citations stay valid); for
        a remote store, whose data other clients may change, one that changes with every
        acknowledged write and every restart."""
        if self.pool.data_version:
            return self.pool.data_version
        return f"{self.pool.instance}-{self.pool.version}"

    def etag(self, *parts: str) -> str:
        """A weak ETag for an answer computed from these request parts on this version."""
        digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:16]
        return f'W/"{self.version}-{digest}"'

    def operation(self, sparql: str) -> str:
        """What a text asks for (see :func:`aikg.sparql.lexer.operation`), length first."""
        check_length(sparql, self.settings.max_query_length)
        check_encoding(sparql)
        return operation(sparql)

    def check(self, sparql: str, *, update: bool = False) -> None:
        """Refuse a dangerous query or update before it takes a worker."""
        check_query(
            sparql,
            max_length=self.settings.max_query_length,
            max_depth=self.settings.max_query_depth,
            allowed_hosts=self.settings.service_allowlist,
            update=update,
            base_iri=self.settings.base_iri,
            prefixes=prefix_table(self.settings.base_iri),
        )

    def query(
        self,
        sparql: str,
        fmt: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        page: int = 1,
    ) -> Answer:
        """Run a query in a worker under the deadline; serialize the answer (page ``page``
        of a SELECT) in the format with media type ``fmt``."""
        options = self._query_options(sparql, fmt, default_graphs, named_graphs, page)
        self.check(sparql)
        return self._run("query", options)

    async def query_async(
        self,
        sparql: str,
        fmt: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        page: int = 1,
    ) -> Answer:
        """:meth:`query` on the event loop: the guard reads the text here (call it for
        short texts only: reading is linear in the length), the worker is spoken to
        without a thread (see :meth:`WorkerPool.run_async`)."""
        options = self._query_options(sparql, fmt, default_graphs, named_graphs, page)
        self.check(sparql)
        return await self._run_async("query", options)

    def cached_query(
        self,
        sparql: str,
        fmt: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        page: int = 1,
    ) -> Answer | None:
        """The answer :meth:`query` would give if it is in the answer cache, else None;
        never blocks (the event loop asks it first). A cached answer's text passed the
        guard when it was first run, under the same settings."""
        return self._from_cache(
            "query", self._query_options(sparql, fmt, default_graphs, named_graphs, page)
        )

    def _query_options(
        self,
        sparql: str,
        fmt: str,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
        page: int,
    ) -> dict[str, Any]:
        dataset = bool(default_graphs or named_graphs)
        return {
            "sparql": sparql,
            "fmt": fmt,
            "default_graphs": _iris(default_graphs, "default-graph-uri") if dataset else None,
            "named_graphs": _iris(named_graphs, "named-graph-uri") if dataset else None,
            "page": page_number(page),
        }

    def saved(
        self,
        name: str,
        params: Mapping[str, Sequence[str]],
        fmt: str,
        lang: str | None,
        page: int = 1,
    ) -> Answer:
        """Run a saved query with its parameters, label columns in ``lang`` (None: none),
        page ``page`` of a long SELECT answer.

        The parameters are parsed and bound here, so a wrong one is refused (400) before
        the query takes a worker.
        """
        options = self._saved_options(name, params, fmt, lang, page)
        sparql = saved_query(name).sparql(params, self.settings.base_iri)
        self.check(sparql)
        # The worker binds them again, checks the classes of IRI values on the store and
        # labels the query's columns: the one path a saved query takes everywhere.
        return self._run("saved", options)

    def cached_saved(
        self,
        name: str,
        params: Mapping[str, Sequence[str]],
        fmt: str,
        lang: str | None,
        page: int = 1,
    ) -> Answer | None:
        """The answer :meth:`saved` would give if it is in the answer cache, else None
        (never blocks)."""
        return self._from_cache("saved", self._saved_options(name, params, fmt, lang, page))

    def _saved_options(
        self,
        name: str,
        params: Mapping[str, Sequence[str]],
        fmt: str,
        lang: str | None,
        page: int,
    ) -> dict[str, Any]:
        label_language(lang)
        return {
            "query": name,
            "params": {k: list(v) for k, v in params.items()},
            "fmt": fmt,
            "lang": lang,
            "page": page_number(page),
        }

    def _run(self, job: str, options: dict[str, Any]) -> Answer:
        """Run a query job, or give the answer it had on this data version.

        Equal data gives equal answers, so a store of this process (whose version is the
        fingerprint of its data) answers a repeated request from the cache, without a
        worker: a dashboard, a chart or a linked-data client asking the same thing again
        costs the HTTP stack alone. A remote store's data can change behind aikg's back:
        its answers are never cached.
        """
        started = time.perf_counter()
        if self.pool.data_version:
            result = self._cached(
                _answer_key(job, options),
                lambda: self.pool.run(job, max_rows=self.settings.max_rows, **options),
            )
        else:
            result = self.pool.run(job, max_rows=self.settings.max_rows, **options)
        return Answer(result, (time.perf_counter() - started) * 1000, self.version)

    async def _run_async(self, job: str, options: dict[str, Any]) -> Answer:
        """:meth:`_run` on the event loop."""
        started = time.perf_counter()
        version = self.version  # before the job: see WorkerPool.write
        result = await self.pool.run_async(job, max_rows=self.settings.max_rows, **options)
        if self.pool.data_version:
            self._keep((version, *_answer_key(job, options)), result)
        return Answer(result, (time.perf_counter() - started) * 1000, self.version)

    def _from_cache(self, job: str, options: dict[str, Any]) -> Answer | None:
        if not self.pool.data_version:
            return None
        started = time.perf_counter()
        full = (self.version, *_answer_key(job, options))
        with self._cache_lock:
            entry = self._cache.get(full)
            if entry is None:
                return None
            self._cache.move_to_end(full)
        return Answer(entry[1], (time.perf_counter() - started) * 1000, self.version)

    def update(
        self,
        sparql: str,
        *,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Apply a SPARQL update: validated, atomic, or refused with nothing changed."""
        self.check(sparql, update=True)
        if operation(sparql) not in ("update", "unknown"):
            raise InputError(
                "a query was sent as an update",
                hint="send queries as query=..., updates as update=...",
            )
        if using_graphs or using_named_graphs:
            if using_clauses_conflict(sparql):
                raise InputError(
                    "the update names its own dataset (USING or WITH) and the request names "
                    "one too (using-graph-uri / using-named-graph-uri)",
                    hint="name the dataset in one place only (SPARQL 1.1 Protocol 2.2.3)",
                )
            clause = " ".join(
                [f"USING {ox.NamedNode(g)}" for g in _iris(using_graphs, "using-graph-uri")]
                + [
                    f"USING NAMED {ox.NamedNode(g)}"
                    for g in _iris(using_named_graphs, "using-named-graph-uri")
                ]
            )
            sparql = insert_using(sparql, clause)
        result: dict[str, Any] = self.pool.write("update", sparql=sparql)
        return result

    # -- the graph store ----------------------------------------------------------------

    def graphs(self) -> dict[str, Any]:
        """Named graphs with their triple counts, and the union graph's size ("union"),
        cached per data version."""
        graphs: dict[str, Any] = self._cached(("graphs",), lambda: self.pool.run("graphs"))
        return graphs

    def read_graph(self, graph: str | None, fmt: str) -> bytes:
        """A named graph, or the default graph (``graph=None``), serialized."""
        _iris([graph] if graph else [], "graph")
        data: bytes = self.pool.run("dump", fmt=fmt, graph=graph, default=graph is None)
        return data

    def write_graph(
        self,
        method: str,
        graph: str | None,
        body: bytes,
        fmt: RdfFormat,
        *,
        exists: bool | None = None,
    ) -> dict[str, Any]:
        """PUT (replace) or POST (merge) RDF into a graph; validated and atomic.
        ``exists``: whether the graph must exist first (True) or must not (False)."""
        _iris([graph] if graph else [], "graph")
        if fmt.datasets and fmt.name != "jsonld":
            raise UnsupportedMediaTypeError(
                f"a graph takes triples, not a dataset ({fmt.media_type})",
                hint="send Turtle, N-Triples, RDF/XML or JSON-LD",
            )
        parsed = parse_rdf(
            body,
            source="request body",
            fmt=fmt,
            graph="urn:aikg:body",
            base_iri=self.settings.base_iri,
            resolve_against=graph or self.settings.base_iri,
        )
        if any(q.graph_name != ox.NamedNode("urn:aikg:body") for q in parsed.quads):
            raise InputError(
                "the body names graphs of its own",
                hint="send the triples of one graph, without named graphs",
            )
        nquads = bytes(
            ox.serialize(
                (ox.Quad(q.subject, q.predicate, q.object) for q in parsed.quads),
                format=ox.RdfFormat.N_QUADS,
            )
            or b""
        )
        job = "put_graph" if method == "PUT" else "post_graph"
        result: dict[str, Any] = self.pool.write(job, graph=graph, nquads=nquads, exists=exists)
        return result

    def delete_graph(self, graph: str | None, *, exists: bool | None = None) -> dict[str, Any]:
        """Drop a named graph, or empty the default graph; ``exists`` as for
        :meth:`write_graph`."""
        _iris([graph] if graph else [], "graph")
        result: dict[str, Any] = self.pool.write("delete_graph", graph=graph, exists=exists)
        return result

    # -- linked data ------------------------------------------------------------------

    def _cached(self, key: tuple[Any, ...], compute: Any) -> Any:
        """A value computed once per data version (the key includes the version).

        Bounded in bytes, least recently used first out: a key may come from a request
        (the Host a VoID document names), so its variety is the client's to choose.
        """
        full = (self.version, *key)
        with self._cache_lock:  # request threads share it; the computing is outside
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full][1]
        value = compute()
        self._keep(full, value)
        return value

    def _keep(self, full: tuple[Any, ...], value: Any) -> None:
        """Put a value in the cache under its full key (data version first)."""
        size = len(pickle.dumps(value))
        if size <= CACHE_BYTES // 4:
            with self._cache_lock:
                if full not in self._cache:
                    self._cache[full] = (size, value)
                    self._cache_bytes += size
                while self._cache_bytes > CACHE_BYTES and self._cache:
                    _, (dropped, _) = self._cache.popitem(last=False)
                    self._cache_bytes -= dropped

    def select(self, name: str, lang: str = "en", **params: str) -> SelectResult:
        """A saved SELECT query's answer as a SelectResult, with English label columns
        (for pages and charts)."""
        answer = self.saved(
            name, {k: [v] for k, v in params.items()}, "application/sparql-results+json", lang
        )
        parsed = ox.parse_query_results(answer.result.body, format=ox.QueryResultsFormat.JSON)
        result = to_python(parsed, max_rows=self.settings.max_rows)
        assert isinstance(result, SelectResult)
        return result

    def known(self, iri: str) -> bool:
        """Whether the graph says anything about ``iri`` (nothing, if it is no IRI)."""
        if not _is_iri(iri):
            return False
        found: bool = self.pool.run("known", iri=iri)
        return found

    def sitemap(self, base_url: str, page: int | None) -> str:
        """The sitemap (see :mod:`aikg.linked_data.findable`), cached per data version."""
        found: str = self._cached(
            ("sitemap", base_url, page),
            lambda: self.pool.run("sitemap", base_url=base_url, page=page),
        )
        return found

    def cited_claims(self, iris: list[str]) -> dict[str, Parts]:
        """The claims an answer with these IRIs rests on, with their parts (see
        :func:`aikg.citations.claims_resting_on`), cached per data version."""
        key = ("cited_claims", hashlib.sha256("\x00".join(iris).encode()).hexdigest())
        found: dict[str, Parts] = self._cached(
            key, lambda: self.pool.run("cited_claims", iris=iris)
        )
        return found

    def search(self, text: str, limit: int) -> list[Match]:
        """Resources by a part of a name (see :mod:`aikg.search`), cached per data
        version; the text and the limit are checked before a worker is taken."""
        check_text(text)
        check_limit(limit)
        found: list[Match] = self._cached(
            ("search", text, limit), lambda: self.pool.run("search", text=text, limit=limit)
        )
        return found

    def coverage(self, source: str) -> Coverage:
        """Each sentence and table cell of a source with the claims it is evidence of (see
        :mod:`aikg.coverage`), cached per data version; the identifier is checked first."""
        check_source_id(source)
        found: Coverage = self._cached(
            ("coverage", source), lambda: self.pool.run("coverage", source=source)
        )
        return found

    def resource(self, iri: str) -> ResourceView:
        _known_iri(iri)
        view: ResourceView = self.pool.run("resource", iri=iri)
        return view

    def resource_rdf(self, iri: str, fmt: str) -> bytes:
        _known_iri(iri)
        data: bytes = self.pool.run("resource_rdf", iri=iri, fmt=fmt)
        return data

    def jsonld(self, body: bytes, form: Form) -> bytes:
        """A compacted JSON-LD document aikg wrote, in the form asked for (expanded or
        flattened; compacted as it is)."""
        return reshape(body, form, self.settings.base_iri)

    def jsonld_answer(self, answer: Answer, form: Form) -> Answer:
        """A CONSTRUCT or DESCRIBE answer in JSON-LD, in the form asked for."""
        body = self.jsonld(answer.result.body, form) if answer.result.body else b""
        result = replace(answer.result, body=body, media_type=jsonld_type(form))
        return replace(answer, result=result)

    def dump(self, fmt: str, *, inferred: bool = False) -> Iterator[bytes]:
        """The whole dataset in ``fmt``, streamed in chunks (the inferred graph only if
        asked for)."""
        return self.pool.stream("dump_stream", fmt=fmt, inferred=inferred)

    def dump_file(self, ext: str, *, inferred: bool = False, gzip: bool = False) -> DumpFile:
        """The dump with extension ``ext`` (or its gzip copy) of the current data version,
        as a file: written on the first request of each version, read by every other."""
        spec = rdf_format(ext)
        raw, packed = self.dump_files.get(
            self.version,
            spec.extension,
            inferred,
            lambda: self.pool.stream(
                "dump_stream", fmt=spec.name, inferred=inferred, timeout=DUMP_TIMEOUT
            ),
        )
        return packed if gzip else raw

    def void(self, base_url: str, fmt: str) -> bytes:
        """VoID / DCAT of the live dataset (cached per data version), with the size and
        SHA-256 of every dump file and its gzip copy."""

        def compute() -> bytes:
            dumps: dict[str, tuple[int, str]] = {}
            for spec in RDF_FORMATS:
                for packed in (False, True):
                    try:
                        dump = self.dump_file(spec.extension, gzip=packed)
                    except NotAcceptableError:  # the data cannot be written in it
                        break
                    name = spec.extension + (".gz" if packed else "")
                    dumps[name] = (dump.size, dump.sha256)
            data: bytes = self.pool.run(
                "void", base_url=base_url, fmt=fmt, version=self.version, dumps=dumps
            )
            return data

        data: bytes = self._cached(("void", base_url, fmt), compute)
        return data

    def ontology_docs(self) -> OntologyView:
        view: OntologyView = self._cached(("ontology",), lambda: self.pool.run("ontology_docs"))
        return view

    def validation(self) -> ValidationReport:
        """The SHACL report of the current data (cached per data version)."""
        report: ValidationReport = self._cached(
            ("validation",),
            lambda: self.pool.run("validate", timeout=max(self.settings.query_timeout, 120)),
        )
        return report

    def close(self) -> None:
        self.pool.close()
        self.dump_files.close()
        self.citations.close()
