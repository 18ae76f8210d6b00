"""``aikg.Client``: the Python API against a running server.

The same calls as :class:`~aikg.KnowledgeGraph` (``query``, ``saved``, the analyst's
helpers ``holdings``, ``index_positions``, ``conflicts``, ``provenance``, and the linked
data: ``export``, ``resource_rdf``, ``knows``, ``void``, ``validate``), over HTTP; errors
come back as the same :class:`~aikg.errors.AikgError` classes.

>>> client = Client("http://127.0.0.1:8000")  # doctest: +SKIP
>>> client.holdings().records[0].quantity  # doctest: +SKIP
350000
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from aikg.analyst import AnalystQueries
from aikg.config import DEFAULT_BASE_IRI
from aikg.errors import DataChangedError, InputError, ServerUnreachableError, error_from_dict
from aikg.formats import RdfFormat, rdf_format
from aikg.namespaces import resolve_iri
from aikg.search import Match
from aikg.sparql.execute import QueryResult, SelectResult, iter_pages, to_python
from aikg.sparql.paging import page_number
from aikg.terms import triples_to_graph
from aikg.validation.pyshacl_engine import ValidationReport, Violation

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


class _Http(httpx.Client):
    """httpx's client, whose failures to reach the server (to connect, to send, to read
    the whole answer in time) are aikg's error, as the server's own answers are."""

    def send(self, request: httpx.Request, **options: Any) -> httpx.Response:
        try:
            return super().send(request, **options)
        except httpx.TransportError as error:
            raise ServerUnreachableError(
                f"cannot reach the aikg server at {self.base_url}: {error or type(error).__name__}",
                where=str(request.url),
                hint="check the URL and that the server runs (aikg serve); a query that "
                "timed out may need a longer timeout= here",
            ) from None


class Client(AnalystQueries):
    """A client of an aikg server at ``url`` (``token`` enables writes)."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        base_iri: str = DEFAULT_BASE_IRI,
        timeout: float = 60.0,
        max_rows: int = 1_000_000,
        transport: httpx.BaseTransport | None = None,
    ):
        if not url.lower().startswith(("http://", "https://")):
            raise InputError(
                f"{url!r} is no server URL",
                where="url",
                hint="give the server's http:// or https:// URL, such as http://127.0.0.1:8000",
            )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # No transport of its own unless given: httpx then honours HTTP(S)_PROXY.
        self.http = _Http(
            base_url=url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self.max_rows = max_rows
        self.base_iri = base_iri
        """The server's base IRI (``AIKG_BASE_IRI``): resources under it have documents."""

    def _check(self, response: httpx.Response) -> httpx.Response:
        if response.status_code >= 400:
            try:
                data = response.json()
            except ValueError:
                data = None
            if not isinstance(data, dict):
                # Not the server's error shape (a proxy in between, say): keep the status.
                data = {"message": f"HTTP {response.status_code}: {response.text[:200]}"}
            data.setdefault("status", response.status_code)
            raise error_from_dict(data)
        return response

    def _result(self, response: httpx.Response) -> QueryResult:
        media = response.headers.get("content-type", "").split(";")[0]
        if media == "application/sparql-results+json":
            parsed = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
            result = to_python(parsed, max_rows=self.max_rows)
            if isinstance(result, SelectResult):
                # What the server says of the page: its number, and whether one follows.
                result.truncated = response.headers.get("aikg-truncated") == "true"
                result.page = int(response.headers.get("aikg-page", "1"))
                result.next_page = next_page(response)
            return result
        return triples_to_graph(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))

    def query(self, sparql: str, *, page: int | None = None) -> QueryResult:
        """Run a SPARQL query: a SelectResult, a bool or an rdflib Graph. A SELECT answer
        longer than the server's row limit comes in pages: ``page`` picks one (from 1),
        ``next_page`` of the answer names the next, :meth:`pages` reads them all."""
        return self._result(self._query_response(sparql, page_number(page)))

    def pages(self, sparql: str) -> Iterator[SelectResult]:
        """Every page of a SELECT answer, first to last (as
        :meth:`aikg.KnowledgeGraph.pages`); a :class:`~aikg.errors.DataChangedError` if the
        server's data changes between two pages (their rows might not fit together)."""
        return self._pages(lambda n: self._query_response(sparql, n))

    def _query_response(self, sparql: str, page: int) -> httpx.Response:
        response = self.http.post(
            "/sparql",
            params={"page": str(page)},
            content=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": ACCEPT},
        )
        return self._check(response)

    def _pages(self, read: Callable[[int], httpx.Response]) -> Iterator[SelectResult]:
        """Page after page (``read(n)`` answers page ``n``) until the last, all from the
        one version of the server's data (``AIKG-Data-Version``: every write changes it)
        that answered the first."""
        first: list[str | None] = []

        def page(number: int) -> QueryResult:
            response = read(number)
            version = response.headers.get("aikg-data-version")
            if not first:
                first.append(version)
            elif version != first[0]:
                raise DataChangedError(
                    f"the server's data changed while its pages were read (version "
                    f"{first[0]} until page {number - 1}, {version} at page {number}): the "
                    "pages may not fit together",
                    where="AIKG-Data-Version",
                    hint="read the pages again from the first",
                )
            return self._result(response)

        return iter_pages(page)

    def update(self, sparql: str) -> None:
        """Apply a SPARQL update (the client needs the server's token)."""
        self._check(
            self.http.post(
                "/sparql",
                content=sparql.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update"},
            )
        )

    def saved(
        self,
        name: str,
        *,
        lang: str | None = "en",
        page: int | None = None,
        **params: str | Sequence[str] | None,
    ) -> QueryResult:
        """Run a saved query with its parameters (label columns in ``lang``); ``page``
        picks a page of a long answer, as for :meth:`query`."""
        return self._result(self._saved_response(name, lang, page_number(page), params))

    def _saved_response(
        self,
        name: str,
        lang: str | None,
        page: int,
        params: Mapping[str, str | Sequence[str] | None],
    ) -> httpx.Response:
        query: list[tuple[str, str | int | float | bool | None]] = [("page", str(page))]
        for key, value in params.items():
            if value is None:
                continue
            values = [value] if isinstance(value, str) else list(value)
            query.extend((key, v) for v in values)
        # An empty lang is sent, for the server to refuse as the Python API does.
        query.append(("lang", lang) if lang is not None else ("labels", "false"))
        response = self.http.get(
            f"/queries/{quote(name, safe='')}",  # a name is one path segment, whatever it holds
            params=query,
            headers={"Accept": "application/sparql-results+json"},
        )
        return self._check(response)

    def saved_pages(
        self, name: str, *, lang: str | None = "en", **params: str | Sequence[str] | None
    ) -> Iterator[SelectResult]:
        """Every page of a saved SELECT query's answer, first to last (as :meth:`pages`)."""
        return self._pages(lambda n: self._saved_response(name, lang, n, params))

    def queries(self) -> list[dict[str, Any]]:
        """The saved-query catalog."""
        data: list[dict[str, Any]] = self._check(
            self.http.get("/queries", headers={"Accept": "application/json"})
        ).json()
        return data

    # -- linked data --------------------------------------------------------------------

    def export(self, fmt: str | RdfFormat = "turtle") -> bytes:
        """The whole dataset in an RDF format (the server's dump)."""
        spec = rdf_format(fmt) if isinstance(fmt, str) else fmt
        return self._check(self.http.get(f"/dumps/aikg.{spec.extension}")).content

    def resource_rdf(self, iri: str, fmt: str | RdfFormat = "turtle") -> bytes:
        """The RDF document about ``iri`` (its triples and the triples pointing at it)."""
        spec = rdf_format(fmt) if isinstance(fmt, str) else fmt
        return self._check(self.http.get(f"/doc/{self._path(iri)}.{spec.extension}")).content

    def knows(self, iri: str) -> bool:
        """Whether the graph says anything about ``iri`` (as subject or object; a short
        name or a relative IRI as :meth:`aikg.KnowledgeGraph.knows` takes it)."""
        resolved = resolve_iri(iri, self.base_iri)
        if not resolved.startswith(self.base_iri):  # no page of its own: asked by a query
            term = ox.NamedNode(resolved)
            return bool(self.query(f"ASK {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }}"))
        response = self.http.get(f"/doc/{resolved[len(self.base_iri) :]}.nt")
        if response.status_code == 404:
            return False
        self._check(response)
        return True

    def search(self, text: str, *, limit: int = 10) -> list[Match]:
        """The resources with a name containing ``text``, best first (as
        :meth:`aikg.KnowledgeGraph.search`)."""
        params = {"q": text, "limit": str(limit), "format": "json"}
        found = self._check(self.http.get("/search", params=params)).json()["results"]
        return [
            Match(f["iri"], f["label"], f["matched"], f["lang"], tuple(f["types"]), f["score"])
            for f in found
        ]

    def void(self, fmt: str | RdfFormat = "turtle") -> bytes:
        """The VoID and DCAT description of the dataset, as the server publishes it."""
        spec = rdf_format(fmt) if isinstance(fmt, str) else fmt
        headers = {"Accept": spec.media_type}
        return self._check(self.http.get("/.well-known/void", headers=headers)).content

    def validate(self) -> ValidationReport:
        """The SHACL validation report of the server's current data."""
        data = self._check(self.http.get("/validation", params={"format": "json"})).json()
        violations = tuple(Violation(**v) for v in data["violations"])
        return ValidationReport(bool(data["conforms"]), violations)

    def _path(self, iri: str) -> str:
        """The path of the page of ``iri`` (a short name or relative IRI resolved first)."""
        iri = resolve_iri(iri, self.base_iri)
        if not iri.startswith(self.base_iri):
            raise InputError(
                f"{iri} is not under the server's base IRI {self.base_iri}",
                hint="give the IRI of a resource of the graph, or base_iri= to Client",
            )
        return iri[len(self.base_iri) :]

    def health(self) -> dict[str, Any]:
        data: dict[str, Any] = self._check(self.http.get("/health")).json()
        return data

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def next_page(response: httpx.Response) -> int | None:
    """The page that follows an answer (None: none): its ``AIKG-Next-Page`` header, else
    the page its ``Link: <...>; rel="next"`` header points at."""
    if (number := response.headers.get("aikg-next-page")) is not None:
        return int(number)
    target = response.links.get("next", {}).get("url")
    if target is None:
        return None
    pages = httpx.URL(target).params.get_list("page")
    return int(pages[0]) if pages else None
