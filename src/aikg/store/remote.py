"""A remote triple store (Virtuoso, ``oxigraph serve``, Fuseki, GraphDB...) behind the store
interface aikg uses.

:class:`RemoteStore` speaks the W3C SPARQL 1.1 Protocol (query and update) and the SPARQL
1.1 Graph Store HTTP Protocol, and offers the part of :class:`pyoxigraph.Store` that the
rest of aikg calls (``query``, ``update``, ``quads_for_pattern``, ``named_graphs``,
``extend``, ``dump``...), returning pyoxigraph's own result types, so that everything above
the store (the endpoint, saved queries, linked data, validation) works unchanged.

Choices, each for a reason (the Virtuoso 7 and Oxigraph behaviours are from probing real
servers; the tests run on both):

- **aikg's graphs only.** A server holds graphs of its own (Virtuoso has three system
  graphs, 2,496 triples; Oxigraph's default graph is a graph of its own, not the union);
  aikg's dataset is the named graphs whose IRI starts with the base IRI. Every query gets
  those graphs as ``default-graph-uri`` and ``named-graph-uri`` (the union default graph
  aikg queries expect), or the dataset it was given, always both parameters (see
  ``_dataset_params``); a FROM naming another graph is refused (Virtuoso adds FROM graphs
  to the protocol's instead of replacing them), and so is writing a graph outside the
  base.
- **Server extensions are refused** before they reach the server: Virtuoso runs ``bif:``
  functions (``bif:http_get`` fetches any URL), ``sql:`` procedures and ``DEFINE``
  pragmas, and executes an update sent as a query; only query forms are sent as queries.
- **Results in SPARQL JSON, RDF in N-Triples.** Virtuoso's XML results lose whitespace in
  pyoxigraph's parser and its Turtle loses datatypes; its JSON names blank nodes
  ``nodeID://b1`` and booleans ``"1"``, which are mended before parsing.
- **Writes as SPARQL Update**, not Graph Store POST: Virtuoso's Graph Store turns integers
  beyond 32 bits into decimals and refuses literals over 64 kB. INSERT DATA takes at most
  ~5,000 triples a GRAPH block and no blank nodes; triples with blank nodes go in
  ``INSERT { } WHERE { }`` operations, each blank node's triples together.
- **Reads of a whole graph through the Graph Store** (GET ``?graph=``, N-Triples), when
  it has one.
- **No server-side timeout parameter**: Virtuoso's ``timeout`` returns *wrong* partial
  answers with HTTP 200 (a COUNT with no row). The client gives up at the deadline (the
  server's own MaxQueryExecutionTime should be set no higher), and an answer marked as
  cut short (``X-SQL-State: S1TAT``, ``X-SPARQL-MaxRows``) is an error.
- **One connection pool per process**: the server forks query workers, and a pool must
  not be shared across a fork.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Literal

import pyoxigraph as ox

from aikg.config import redact_url
from aikg.errors import (
    AikgError,
    InputError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    ServerLimitError,
    StoreError,
)
from aikg.namespaces import XSD
from aikg.sparql.guard import undeclared_prefix
from aikg.sparql.lexer import QUERY_FORMS, QueryReading, position, read_query, reads_as_iri
from aikg.sparql.order_by import in_total_order
from aikg.sparql.paging import (
    SelectShape,
    projected_columns,
    select_shape,
    sorted_as_they_are,
)
from aikg.sparql.updates import delete_data, graph_blocks, insert_data

if TYPE_CHECKING:
    import httpx  # imported where used: only a remote store needs it

_RESULTS_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"
_EXTENSION_SCHEMES = ("bif:", "sql:")
_NO_UPDATES_HERE = frozenset({404, 405, 415})
"""Answers of a URL that takes no SPARQL Update: not found, method not allowed, and
unsupported media type (``oxigraph serve``'s ``/query`` answers an update with 415)."""
_XSD_BOOLEAN = XSD + "boolean"
DEFAULT = ox.DefaultGraph()
GRAPHS_TTL = 2.0
"""Seconds the list of aikg's graphs on the server is kept (see ``named_graphs``)."""
BATCH = 20_000
"""Triples per write request at first (a few MB: servers cap request bodies); halved on
each refusal for size, and kept at the size the server accepts."""
GRAPH_BLOCK = 2_000
"""Triples per GRAPH block of INSERT DATA (Virtuoso runs out of parser memory at ~5,000)."""
BLANK_GROUP = 1_000
"""Triples per INSERT { } WHERE { } operation at most (Virtuoso's limit is ~1,400)."""
NODES_PER_REQUEST = 500
"""Nodes per request of :meth:`RemoteStore.quads_for_nodes` (a query of some 50 kB)."""
PAGE = 10_000
"""Rows per page of a paged read at first; the server's row cap once it has said it."""
STAGING = "graph/.staging/"
"""Where (under the base IRI) a write too large for one request is staged: graphs there
are no part of aikg's dataset."""
_ESTIMATE = re.compile(r"estimated execution time (-?[\d.e+]+) \(sec\) exceeds the limit of (\d+)")
_SQL_TOO_LONG = "generated SQL text has exceeded"
_TOO_LARGE = ("SP031", "memory exhausted", "SQ199", "Too many arguments")
"""Virtuoso's refusals of a request for its size: SQL text over 10,000 lines (which it
generates for the data of an update when cost estimation is on), its parser's stack, and
its code vector, and the arguments of one operator (a long VALUES or IN). A smaller
request passes."""

Term = ox.NamedNode | ox.BlankNode | ox.Literal
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class RequestTooLargeError(ServerLimitError):
    """The server refused a request for its size; a smaller one passes (writes are split
    and retried on it, so it only reaches a user for a query, or for one blank node with
    more triples than any request may hold)."""


@dataclass(frozen=True)
class ServerInfo:
    """What a remote store says about itself: product and version (its ``Server``
    header), and the limits its configuration sets, where it publishes them. Virtuoso's
    service description names none, and its answers name the row cap only when they are
    cut, but it lets any client read its ``virtuoso.ini``
    (``bif:cfg_item_value``): aikg reads the four settings that decide its requests."""

    url: str
    product: str | None = None
    version: str | None = None
    row_cap: int | None = None
    """[SPARQL] ResultSetMaxRows"""
    deadline: float | None = None
    """[SPARQL] MaxQueryExecutionTime, in seconds (0: none)"""
    cost_limit: float | None = None
    """[SPARQL] MaxQueryCostEstimationTime, in seconds (0: off)"""
    query_memory: str | None = None
    """[Parameters] MaxQueryMem"""
    notes: tuple[str, ...] = field(default=())

    def report(self, query_timeout: float) -> list[tuple[str, str]]:
        """Lines for people, each with its level (``info`` or ``warning``)."""
        product = " ".join(p for p in (self.product, self.version) if p) or "a server"
        lines = [("info", f"remote store: {product} at {self.url}")]

        def limit(setting: str, value: object) -> None:
            shown = "not published" if value is None else value
            lines.append(("info", f"  {setting}: {shown}"))

        limit("row cap ([SPARQL] ResultSetMaxRows)", self.row_cap)
        limit(
            "deadline ([SPARQL] MaxQueryExecutionTime)",
            None if self.deadline is None else f"{self.deadline:g} s" if self.deadline else "none",
        )
        limit(
            "cost limit ([SPARQL] MaxQueryCostEstimationTime)",
            None
            if self.cost_limit is None
            else f"{self.cost_limit:g} s"
            if self.cost_limit
            else "off",
        )
        limit("query memory ([Parameters] MaxQueryMem)", self.query_memory)
        lines += [("info", f"  {note}") for note in self.notes]
        if self.deadline is not None and (self.deadline == 0 or self.deadline > query_timeout):
            stated = f"{self.deadline:g} s" if self.deadline else "none"
            lines.append(
                (
                    "warning",
                    f"the remote store's deadline ([SPARQL] MaxQueryExecutionTime: {stated}) "
                    f"exceeds AIKG_QUERY_TIMEOUT ({query_timeout:g} s): a query aikg gives "
                    "up on keeps the server busy; set MaxQueryExecutionTime to "
                    f"{query_timeout:g} or less in the server's virtuoso.ini",
                )
            )
        return lines


class RemoteStore:
    """A SPARQL 1.1 server used as aikg's store."""

    def __init__(
        self,
        query_url: str,
        *,
        graph_prefix: str,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        timeout: float = 10.0,
        auth: tuple[str, str] | None = None,
    ):
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.graph_prefix = graph_prefix
        self.timeout = timeout
        self.auth = auth
        self._client: httpx.Client | None = None
        self._graphs: tuple[float, list[ox.NamedNode]] | None = None
        self._pid = 0
        self.row_cap: int | None = None
        """The server's row cap, once an answer or :meth:`server_info` has said it."""
        self.page = PAGE
        self.batch = BATCH
        self._info: ServerInfo | None = None

    # -- HTTP -----------------------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        import httpx  # noqa: PLC0415 - see the imports

        if self._client is None or self._pid != os.getpid():
            self._client = httpx.Client(
                auth=self.auth,
                timeout=httpx.Timeout(self.timeout + 5.0, connect=5.0),
                trust_env=False,  # no proxy from the environment: the store is where it says
            )
            self._pid = os.getpid()
        return self._client

    def _send(
        self,
        method: str,
        url: str,
        *,
        missing_ok: bool = False,
        cut_ok: bool = False,
        statuses_ok: frozenset[int] = frozenset(),
        query: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request; an error that says what the server refused, and which of its
        settings decides. ``cut_ok``: an answer the row cap cut is returned (the caller
        pages), after :attr:`page` has shrunk to the cap. ``missing_ok``, ``statuses_ok``:
        an answer with 404, or with one of these statuses, is returned (the caller says
        what it means)."""
        import httpx  # noqa: PLC0415 - see the imports

        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise QueryTimeoutError(
                f"the remote store did not answer within {self.timeout:g} s",
                hint="simplify the query, or raise AIKG_QUERY_TIMEOUT",
            ) from None
        except httpx.HTTPError as error:
            raise StoreError(
                f"cannot reach the remote store at {redact_url(url)}: {error}",
                where=redact_url(url),
                hint="check the server runs and AIKG_STORE points at its SPARQL endpoint",
            ) from None
        if response.headers.get("x-sql-state") == "S1TAT":
            raise QueryTimeoutError(
                f"the remote store stopped the query at its deadline ({self.timeout:g} s) "
                "and would have returned a partial answer",
                hint="simplify the query, or raise AIKG_QUERY_TIMEOUT",
            )
        cap = response.headers.get("x-sparql-maxrows", "")
        if cap.isdigit():
            self.row_cap = int(cap)
            self.page = min(self.page, int(cap))
            if not cut_ok:
                raise ServerLimitError(
                    f"the remote store cut the answer at its row cap ({cap} rows)",
                    where="[SPARQL] ResultSetMaxRows of the remote store",
                    hint="add LIMIT to the query, or raise ResultSetMaxRows in the server's "
                    "virtuoso.ini",
                )
        if (response.status_code == 404 and missing_ok) or response.status_code in statuses_ok:
            return response
        if response.status_code >= 400:
            raise _server_error(response, url, query=query)
        return response

    @property
    def _nothing(self) -> str:
        """A graph that never exists: naming only it keeps a dataset empty."""
        return self.graph_prefix + "graph/.none"

    def _dataset_params(
        self,
        reading: QueryReading,
        union: bool,
        default_graph: GraphName | Sequence[GraphName] | None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None,
    ) -> list[tuple[str, str]]:
        """The query's dataset as the protocol's parameters, always both of them, as
        pyoxigraph's ``Store.query`` reads its arguments: the union of aikg's graphs as
        the default graph; or the graphs given (no ``named_graphs``: every one of aikg's
        graphs is named; no ``default_graph``: the empty default graph); or, given none,
        the query's own FROM and FROM NAMED (already checked to be aikg's), else the empty
        default graph and every graph named.

        Both are always sent because servers fill in what is missing differently: given a
        default graph only, Oxigraph names no graph and Virtuoso names every graph it has,
        its system graphs too; given a FROM, Oxigraph answers from the protocol's graphs
        alone and Virtuoso from both (so the FROM graphs are sent as the protocol's)."""
        if union:
            return self._graphs_params()
        if default_graph is None and named_graphs is None and reading.dataset:
            defaults = reading.iris("from")
            named = reading.iris("from named")
        else:
            given = [default_graph] if isinstance(default_graph, GraphName) else default_graph
            defaults = [self._own(g).value for g in given or [] if g != DEFAULT]
            named = (
                [g.value for g in self.named_graphs()]
                if named_graphs is None
                else [self._own(g).value for g in named_graphs]
            )
        return [("default-graph-uri", g) for g in defaults or [self._nothing]] + [
            ("named-graph-uri", g) for g in named or [self._nothing]
        ]

    def _graphs_params(self) -> list[tuple[str, str]]:
        graphs = [g.value for g in self.named_graphs()] or [self._nothing]
        return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]

    def _refuse_extensions(self, text: str, reading: QueryReading) -> None:
        """Refuse what a server would run beyond SPARQL, and graphs beyond aikg's.

        The reading is the guard's: the tokens Oxigraph reads. Virtuoso reads them alike,
        except that its lexer reads ``<...>`` as an IRI wherever it fits, also after an
        operand where Oxigraph reads a less-than (``?a<2&&?b>0``): such text is refused
        (Virtuoso fails it anyway), so that both read the same tokens.
        """
        for mention in reading.mentions:
            tok = mention.token
            # Virtuoso knows bif: and sql: without a declaration.
            prefix = tok.text.partition(":")[0] if tok.kind == "pname" else ""
            if (mention.iri or "").lower().startswith(_EXTENSION_SCHEMES) or (
                prefix.lower() + ":" in _EXTENSION_SCHEMES
            ):
                written = f"<{tok.text}>" if tok.kind == "iri" else tok.text
                named = f" (<{mention.iri}>)" if mention.iri not in (None, tok.text) else ""
                raise QueryRefusedError(
                    f"{written}{named} at {position(text, tok.offset)} is a server extension "
                    "and is refused",
                    hint="use standard SPARQL 1.1 functions and no pragmas "
                    "(Virtuoso runs server code for bif: and sql: names)",
                )
            if mention.role in ("from", "from named") and (
                mention.iri is None or not self._is_own(mention.iri)
            ):
                raise QueryRefusedError(
                    "FROM may only name aikg's graphs on a remote store",
                    hint=f"name graphs under {self.graph_prefix}",
                )
        for tok in reading.tokens:
            if tok.kind == "word" and "DEFINE" in tok.text.upper():
                raise QueryRefusedError(
                    f"{tok.text!r} at {position(text, tok.offset)} is a server pragma and "
                    "is refused",
                    hint="use standard SPARQL 1.1 functions and no pragmas",
                )
            if tok.kind == "punct" and tok.text == "<" and reads_as_iri(text, tok.offset):
                raise QueryRefusedError(
                    f"the less-than at {position(text, tok.offset)} would be read as the "
                    "start of an IRI by the remote store",
                    hint="put a space after '<' when it compares",
                )

    def server_info(self) -> ServerInfo:
        """What the server says about itself (asked once per store object): see
        :class:`ServerInfo`."""
        if self._info is None:
            self._info = self._ask_server()
            if self._info.row_cap:
                self.row_cap = self._info.row_cap
                self.page = min(self.page, self._info.row_cap)
        return self._info

    @property
    def is_oxigraph(self) -> bool:
        """Whether the server says it is Oxigraph (``oxigraph serve``; asked once)."""
        return "oxigraph" in (self.server_info().product or "").lower()

    @property
    def is_virtuoso(self) -> bool:
        """Whether the server says it is Virtuoso (its ``Server`` header; asked once). A
        Virtuoso behind a proxy that hides the header is taken for any other engine."""
        return "virtuoso" in (self.server_info().product or "").lower()

    def _ask_server(self) -> ServerInfo:
        url = redact_url(self.query_url)
        response = self._send(
            "GET", self.query_url, params={"query": "ASK {}"}, headers={"Accept": _RESULTS_JSON}
        )
        product, _, rest = response.headers.get("server", "").partition("/")
        version = rest.split()[0] if rest.split() else None
        if "virtuoso" not in product.lower():
            return ServerInfo(url, product or None, version, row_cap=self.row_cap)
        settings = {
            "rows": ("SPARQL", "ResultSetMaxRows"),
            "deadline": ("SPARQL", "MaxQueryExecutionTime"),
            "cost": ("SPARQL", "MaxQueryCostEstimationTime"),
            "memory": ("Parameters", "MaxQueryMem"),
        }
        columns = " ".join(
            f"(bif:cfg_item_value(bif:virtuoso_ini_path(), '{section}', '{name}') AS ?{key})"
            for key, (section, name) in settings.items()
        )
        try:  # the store's own query: no user text reaches a bif: function
            answer = self._send(
                "POST",
                self.query_url,
                data={"query": f"SELECT {columns} WHERE {{}}"},
                headers={"Accept": _RESULTS_JSON},
            )
            rows = json.loads(answer.content)["results"]["bindings"]
            values = {k: v["value"] for k, v in (rows[0] if rows else {}).items()}
        except (StoreError, ValueError, KeyError) as error:
            return ServerInfo(
                url,
                product,
                version,
                row_cap=self.row_cap,
                notes=(
                    f"its settings are not readable ({error}): aikg learns the row cap "
                    "from the first answer it cuts",
                ),
            )

        def number(key: str) -> float | None:
            try:
                return float(values[key])
            except (KeyError, ValueError):
                return None

        rows_cap = number("rows")
        return ServerInfo(
            url,
            product,
            version,
            row_cap=int(rows_cap) if rows_cap is not None else self.row_cap,
            deadline=number("deadline"),
            cost_limit=number("cost"),
            query_memory=values.get("memory"),
        )

    # -- pyoxigraph.Store's interface ---------------------------------------------------

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: GraphName | Sequence[GraphName] | None = None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None,
        max_rows: int | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query on the server; pyoxigraph's result types back.

        A SELECT the server's row cap cuts is read on, in windows the cap allows: to
        ``max_rows`` rows and one more where the caller says how many it keeps (aikg's
        SPARQL layer: the one more says that the answer goes on), else to its last row,
        as pyoxigraph gives every row (aikg's own lookups: labels, search, checks)."""
        reading = read_query(query, base_iri or "", prefixes)
        form = reading.form
        if form.upper() not in QUERY_FORMS or reading.update:
            raise QuerySyntaxError(
                "not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)",
                hint="send updates to the update operation",
            )
        self._refuse_extensions(query, reading)
        if undeclared := undeclared_prefix(query, reading):
            # Said here, in the words the embedded store's error gets: each server's
            # parser words it its own way (only Virtuoso's says "syntax error").
            raise undeclared
        params = self._dataset_params(
            reading, use_default_graph_as_union, default_graph, named_graphs
        )
        prologue = _prologue(base_iri, prefixes)
        text = prologue + query
        shape = select_shape(query) if form == "select" else None
        select_at = _top_level(reading)[0]
        if (
            shape is not None
            and select_at >= 0
            and shape.ordered
            and (shape.limit is not None or shape.offset)
            and shape.values_at is None
            and (not shape.has_dataset or self.is_virtuoso)
        ):
            # Sorted in a subquery, windowed outside it: Virtuoso refuses an ORDER BY
            # whose OFFSET and LIMIT reach past its row cap (SR353), as a page of a long
            # answer does (aikg.sparql.paging). A query that names its dataset (FROM) is
            # wrapped for Virtuoso only: SPARQL gives a subquery no FROM, and Oxigraph
            # refuses one, where Virtuoso reads it.
            text = prologue + _window(
                query, select_at, shape, "", offset=shape.offset, limit=shape.limit
            )
        response = self._post_query(text, params, form, cut_ok=form == "select")
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media in (_RESULTS_JSON, "application/json"):
            document = _mend_json_results(response.content)
            if response.headers.get("x-sparql-maxrows"):
                document = self._past_the_cap(
                    query,
                    prologue,
                    params,
                    document,
                    select_at=select_at,
                    shape=shape,
                    max_rows=max_rows,
                )
            return _results(document)
        if media in (_N_TRIPLES, "text/plain"):
            parsed = list(ox.parse(io.BytesIO(response.content), format=ox.RdfFormat.N_TRIPLES))
            self._check_not_cut(len(parsed))
            return _as_query_triples(parsed)
        raise StoreError(
            f"the remote store answered in {media or 'no media type'}, which aikg does not read",
            where=redact_url(self.query_url),
            hint="point AIKG_STORE at a SPARQL 1.1 endpoint",
        )

    def _post_query(
        self, text: str, params: list[tuple[str, str]], form: str, *, cut_ok: bool = False
    ) -> httpx.Response:
        return self._send(
            "POST",
            self.query_url,
            data=_form([("query", text), *params]),
            # One format each: Virtuoso answers a CONSTRUCT in JSON results if allowed.
            headers={"Accept": _RESULTS_JSON if form in ("select", "ask") else _N_TRIPLES},
            cut_ok=cut_ok,
            query=True,
        )

    def _past_the_cap(
        self,
        query: str,
        prologue: str,
        params: list[tuple[str, str]],
        first: dict[str, Any],
        *,
        select_at: int,
        shape: SelectShape | None,
        max_rows: int | None,
    ) -> dict[str, Any]:
        """A SELECT the server's row cap cut: enough rows for the caller (``max_rows`` and
        one more, so that aikg can say a next page follows; None: every row), or the
        query's own window (its OFFSET and LIMIT) if smaller, read page by page in a
        stable order.

        The order is the query's own ORDER BY with every column it does not already sort
        by after it, or every column, in a subquery; a query with a closing VALUES
        cannot be paged and is refused with the setting that cut it. ``select_at`` and
        ``shape``: where the query's SELECT starts, and its shape, as :meth:`query` read
        them.
        """
        bindings: list[dict[str, Any]] = first["results"]["bindings"]
        if select_at < 0 or shape is None or shape.values_at is not None:
            raise ServerLimitError(
                f"the remote store cut the answer at its row cap ({self.row_cap} rows), and "
                "a query with a final VALUES cannot be read in pages",
                where="[SPARQL] ResultSetMaxRows of the remote store",
                hint="move the VALUES into the WHERE group, or raise ResultSetMaxRows in "
                "the server's virtuoso.ini",
            )
        wanted = sys.maxsize if max_rows is None else max_rows + 1
        if shape.limit is not None:
            wanted = min(wanted, shape.limit)
        if len(bindings) >= wanted:
            return first
        # Its own ORDER BY first (a page's already names every column), then each column
        # it does not already sort by as it stands: Virtuoso sorts by at most 20 keys.
        sorted_already = sorted_as_they_are(query, shape)
        keys = " ".join(f"?{name}" for name in first["head"]["vars"] if name not in sorted_already)
        rows: list[dict[str, Any]] = []
        while len(rows) < wanted:
            page = self.page
            asked = min(page, wanted - len(rows))
            window = _window(
                query, select_at, shape, keys, offset=shape.offset + len(rows), limit=asked
            )
            response = self._post_query(prologue + window, params, "select", cut_ok=True)
            if self.page < page:
                continue  # the cap is smaller than the page asked for: ask again
            got = _mend_json_results(response.content)["results"]["bindings"]
            rows.extend(got)
            if len(got) < asked:
                break
        return {"head": first["head"], "results": {"bindings": rows[:wanted]}}

    def _check_not_cut(self, triples: int) -> None:
        """A CONSTRUCT or DESCRIBE answer as long as the row cap may have been cut (the
        server says nothing when it cuts one)."""
        cap = self.row_cap if self.row_cap is not None else self.server_info().row_cap
        if cap and triples >= cap:
            raise ServerLimitError(
                f"the remote store's answer has {triples} triples, its row cap: it may "
                "have been cut short",
                where="[SPARQL] ResultSetMaxRows of the remote store",
                hint="narrow the query (or use a SELECT, which aikg reads in pages), or "
                "raise ResultSetMaxRows in the server's virtuoso.ini",
            )

    def update(
        self,
        update: str,
        *,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Run a SPARQL update on the server: in one request, or, when the server refuses
        it for its size, staged (see :meth:`_staged_update`). Either way all or nothing."""
        self._refuse_extensions(update, read_query(update, base_iri or "", prefixes))
        try:
            self._post_update(_prologue(base_iri, prefixes) + update)
        except RequestTooLargeError:
            # Refused while compiling: nothing of it ran (Virtuoso compiles the whole
            # request before running any of its operations).
            self._staged_update(update, base_iri, prefixes)

    def _post_update(self, text: str) -> None:
        self._graphs = None  # the update may add or drop graphs
        response = self._send(
            "POST",
            self.update_url,
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            statuses_ok=_NO_UPDATES_HERE,
        )
        if response.status_code in _NO_UPDATES_HERE:
            raise StoreError(
                f"the remote store takes no SPARQL update at {redact_url(self.update_url)} "
                f"({response.status_code}: {_message(response)}); nothing was changed",
                where="AIKG_STORE_UPDATE (the remote store's update URL; unset: AIKG_STORE)",
                hint="set AIKG_STORE_UPDATE to the server's update endpoint where it is not "
                "the query endpoint (oxigraph serve: http://HOST:PORT/update; Fuseki: "
                ".../DATASET/update)",
            )

    def _staged_update(
        self, update: str, base_iri: str | None, prefixes: dict[str, str] | None
    ) -> None:
        """An update too large for one request, made of requests the server accepts and
        still all or nothing.

        Its effect is worked out on a copy in memory (Oxigraph applies the same update
        to aikg's graphs as read from the server); the new content of each graph it
        changes is written into a staging graph (as many requests as the server's size
        limits need: no part of the dataset yet), and one last request moves every staging
        graph onto its graph and drops the graphs the update emptied. A failure before
        that last request drops the staging graphs and changes nothing; the last request
        is a few MOVE operations, refused or accepted as a whole when compiled.
        """
        before = ox.Store()
        before.extend(self.quads_for_pattern(None, None, None, None))
        after = ox.Store()
        after.extend(before.quads_for_pattern(None, None, None, None))
        in_total_order(  # Oxigraph runs it here: a subquery's sort is made a total order
            update,
            lambda text: after.update(text, base_iri=base_iri, prefixes=prefixes),
            parse=lambda text: ox.Store().update(text, base_iri=base_iri, prefixes=prefixes),
            probe=lambda text: ox.Store().query(text, base_iri=base_iri, prefixes=prefixes),
        )
        if next(iter(after.quads_for_pattern(None, None, None, DEFAULT)), None) is not None:
            self._own(DEFAULT)  # refused: aikg keeps nothing in the server's default graph
        graphs = {g for store in (before, after) for g in store.named_graphs()}
        token = uuid.uuid4().hex
        moves: list[str] = []
        drops: list[str] = []
        staged: list[ox.NamedNode] = []
        try:
            for index, graph in enumerate(sorted(graphs, key=str)):
                new = set(after.quads_for_pattern(None, None, None, graph))
                if new == set(before.quads_for_pattern(None, None, None, graph)):
                    continue
                target = self._own(graph)
                if not new:
                    drops.append(f"DROP SILENT GRAPH {target}")
                    continue
                stage = ox.NamedNode(f"{self.graph_prefix}{STAGING}{token}/{index}")
                staged.append(stage)
                self.extend(ox.Quad(q.subject, q.predicate, q.object, stage) for q in new)
                moves.append(f"MOVE SILENT GRAPH {stage} TO GRAPH {target}")
            if moves or drops:
                self._post_update(" ;\n".join(moves + drops))
        except BaseException:
            for stage in staged:
                # Out of the dataset all the same; the first error says what failed.
                with contextlib.suppress(StoreError):
                    self._post_update(f"DROP SILENT GRAPH {stage}")
            raise

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: Term | None,
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern, over aikg's graphs: every one of them, however
        many the server's row cap lets one answer hold (see :meth:`_rows`)."""
        if isinstance(graph_name, ox.DefaultGraph):
            return iter(())  # a server's default graph is its union: aikg keeps none there
        if subject is None and predicate is None and object is None:
            # Graph by graph: small answers, small sorts where a graph needs pages.
            graphs = [graph_name] if graph_name is not None else list(self.named_graphs())
            return iter(
                [q for g in graphs if isinstance(g, ox.NamedNode) for q in self._graph_quads(g)]
            )
        terms = {"s": subject, "p": predicate, "o": object, "g": graph_name}
        pattern = "GRAPH {g} {{ {s} {p} {o} }}".format(
            **{name: str(term) if term is not None else f"?{name}" for name, term in terms.items()}
        )
        variables = [name for name, term in terms.items() if term is None]
        if not variables:
            found = self.query(f"ASK {{ {pattern} }}", use_default_graph_as_union=True)
            return iter([ox.Quad(subject, predicate, object, graph_name)] if found else [])  # type: ignore[arg-type]
        return iter(
            [
                ox.Quad(
                    subject or row["s"],
                    predicate or row["p"],
                    object or row["o"],
                    graph_name or row["g"],
                )
                for row in self._rows(variables, pattern)
            ]
        )

    def quads_for_nodes(
        self,
        nodes: Collection[ox.NamedNode],
        predicates: Collection[ox.NamedNode],
        position: Literal["subject", "object"],
    ) -> Iterator[ox.Quad]:
        """The quads, over aikg's graphs, with one of ``nodes`` as their subject (or
        object) and one of ``predicates``: what a lookup per node and predicate would
        find, in a request per :data:`NODES_PER_REQUEST` nodes (each round trip costs
        milliseconds on a server, more than the lookup)."""
        if not nodes or not predicates:
            return iter(())
        node_var = "s" if position == "subject" else "o"
        other = "o" if position == "subject" else "s"
        listed = sorted(nodes, key=str)
        verbs = " ".join(sorted(str(p) for p in predicates))
        quads: list[ox.Quad] = []
        for start in range(0, len(listed), NODES_PER_REQUEST):
            chunk = " ".join(str(n) for n in listed[start : start + NODES_PER_REQUEST])
            pattern = (
                f"VALUES ?{node_var} {{ {chunk} }} VALUES ?p {{ {verbs} }} GRAPH ?g {{ ?s ?p ?o }}"
            )
            quads += (
                ox.Quad(row["s"], row["p"], row["o"], row["g"])
                for row in self._rows([node_var, "p", other, "g"], pattern)
            )
        return iter(quads)

    def quads_in_graphs(
        self, predicate: ox.NamedNode | None, graphs: Collection[ox.NamedNode]
    ) -> Iterator[ox.Quad]:
        """The quads with ``predicate`` (None: any) in ``graphs``, in one read while they
        fit in a page (a read per graph would cost a count and a read each)."""
        if not graphs:
            return iter(())
        listed = " ".join(sorted(str(g) for g in graphs))
        verb = "?p" if predicate is None else str(predicate)
        pattern = f"VALUES ?g {{ {listed} }} GRAPH ?g {{ ?s {verb} ?o }}"
        expected = self._count(pattern)
        if expected >= self.page:
            # Past a page, graph by graph: each page of one read would sort all of them.
            return (q for g in graphs for q in self.quads_for_pattern(None, predicate, None, g))
        variables = ["s", "o", "g"] if predicate is not None else ["s", "p", "o", "g"]
        return iter(
            [
                ox.Quad(row["s"], predicate or row["p"], row["o"], row["g"])
                for row in self._rows(variables, pattern, expected)
            ]
        )

    def _rows(
        self, variables: list[str], pattern: str, expected: int | None = None
    ) -> list[ox.QuerySolution]:
        """Every solution of a pattern over aikg's graphs, counted first (or ``expected``):
        as one answer when they fit under the server's row cap, else in pages of the cap
        (ordered by every variable, so that pages neither overlap nor leave a gap). A read
        that lost rows is an error, never a short answer."""
        names = " ".join(f"?{name}" for name in variables)
        expected = self._count(pattern) if expected is None else expected
        params = self._graphs_params()
        rows: list[ox.QuerySolution] = []
        while True:
            page = self.page
            if expected < page:
                text = f"SELECT {names} WHERE {{ {pattern} }}"
            else:
                # Sorted in a subquery, paged outside it: Virtuoso refuses an ORDER BY
                # whose OFFSET and LIMIT reach past its row cap (SR353).
                # The columns named outside too: Virtuoso loses a VALUES variable of the
                # subquery from a SELECT * ("No column").
                text = (
                    f"SELECT {names} WHERE {{ {{ SELECT {names} WHERE {{ {pattern} }} "
                    f"ORDER BY {names} }} }} LIMIT {page} OFFSET {len(rows)}"
                )
            response = self._post_query(text, params, "select", cut_ok=True)
            if self.page < page:
                rows = []  # the cap is smaller than the page asked for: ask again
                continue
            result = _results(_mend_json_results(response.content))
            assert isinstance(result, ox.QuerySolutions)
            got = list(result)
            rows.extend(got)
            if expected < page or len(got) < page:
                break
        if len(rows) != expected:
            raise StoreError(
                f"the remote store gave {len(rows)} of the {expected} results of {{ {pattern} }}",
                where=redact_url(self.query_url),
                hint="retry (another client may have written meanwhile); if it persists, "
                "the server orders these results unstably: raise its [SPARQL] "
                "ResultSetMaxRows above the store's size",
            )
        return rows

    def _count(self, pattern: str) -> int:
        response = self._post_query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", self._graphs_params(), "select"
        )
        rows = _mend_json_results(response.content)["results"]["bindings"]
        return int(rows[0]["n"]["value"]) if rows else 0

    def _graph_quads(self, graph: ox.NamedNode) -> Iterator[ox.Quad]:
        """Every triple of one graph, counted: read through the Graph Store (GET,
        N-Triples) where there is one, else by SELECT. Virtuoso's Graph Store cuts a
        graph at the row cap without a sign: such a graph is read in pages instead."""
        self._own(graph)
        pattern = f"GRAPH {graph} {{ ?s ?p ?o }}"
        expected = self._count(pattern)
        if not expected:
            return iter(())
        if self.graph_store_url:
            response = self._send(
                "GET",
                self.graph_store_url,
                # The protocol's own parameter: Oxigraph reads no other (given
                # Virtuoso's ``graph-uri``, it answers for its whole dataset).
                params={"graph": graph.value},
                headers={"Accept": _N_TRIPLES},
                missing_ok=True,
            )
            if response.status_code != 404:
                data = io.BytesIO(response.content)
                triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
                if len(triples) == expected:
                    return iter([ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])
        rows = self._rows(["s", "p", "o"], pattern, expected)
        return iter([ox.Quad(row["s"], row["p"], row["o"], graph) for row in rows])

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """aikg's named graphs on the server (those under the base IRI).

        Listing them is a query of its own, and every query needs them as its dataset:
        the list is kept for :data:`GRAPHS_TTL` seconds, and
        forgotten at once when this store writes. (Another writer's new graph shows
        within that time.)
        """
        now = time.monotonic()
        if self._graphs is None or now - self._graphs[0] > GRAPHS_TTL:
            self._graphs = (now, self._list_graphs())
        return iter(self._graphs[1])

    def _list_graphs(self) -> list[ox.NamedNode]:
        response = self._send(
            "POST",
            self.query_url,
            # GROUP BY, not DISTINCT, and the prefix tested here, not in a FILTER:
            # Virtuoso answers this form from its graph index (49 ms on 1M triples)
            # where the DISTINCT form scans every quad (1.3-3 s).
            data={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
            headers={"Accept": _RESULTS_JSON},
        )
        result = _results(_mend_json_results(response.content))
        assert isinstance(result, ox.QuerySolutions)
        graphs = sorted(
            {
                row["g"].value
                for row in result
                if isinstance(row["g"], ox.NamedNode)
                and self._is_own(row["g"].value)
                and not row["g"].value.startswith(self.graph_prefix + STAGING)
            }
        )
        return [ox.NamedNode(g) for g in graphs]

    def contains_named_graph(self, graph_name: GraphName) -> bool:
        # Not ASK { GRAPH <g> { ?s ?p ?o } }: with a dataset given, Virtuoso answers true
        # for a graph outside it (and COUNT(*) gives 1).
        return graph_name in set(self.named_graphs())

    def add_graph(self, graph_name: GraphName) -> None:
        # Servers keep no empty graphs (Virtuoso lists a graph while it has triples):
        # a graph comes into being with its first triple.
        self._own(graph_name)

    def remove_graph(self, graph_name: GraphName) -> None:
        self.update(f"DROP SILENT GRAPH {self._own(graph_name)}")

    def clear_graph(self, graph_name: GraphName) -> None:
        self.update(f"CLEAR SILENT GRAPH {self._own(graph_name)}")

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads with SPARQL Update, in requests the server accepts: of at most
        :attr:`batch` triples, halved on each refusal for size (and kept at the size that
        passes). Several requests are not one transaction: the callers make the whole
        all or nothing (a load drops the graphs it created; a staged update moves its
        staging graphs at the end)."""
        plain: list[ox.Quad] = []
        with_blank_nodes: list[ox.Quad] = []
        for quad in quads:
            self._own(quad.graph_name)
            blank = isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
            (with_blank_nodes if blank else plain).append(quad)
        done = 0
        while done < len(plain):
            part = plain[done : done + self.batch]
            if self._sized(insert_data(part, GRAPH_BLOCK)[0], len(part)):
                done += len(part)
        # Virtuoso fails ("string_output_string needs a string output") on a template
        # with blank nodes in more than one GRAPH block: one graph per operation, and one
        # operation per request (Virtuoso compiles a request's operations together).
        by_graph: dict[str, list[ox.Quad]] = {}
        for quad in with_blank_nodes:
            by_graph.setdefault(str(quad.graph_name), []).append(quad)
        for quads_of_graph in by_graph.values():
            pending = _blank_node_groups(quads_of_graph, min(BLANK_GROUP, self.batch))
            while pending:
                group = pending[0]
                if self._sized(_insert_where(group), len(group)):
                    pending.pop(0)
                else:  # the group was too large: regroup what is left at the new size
                    rest = [q for g in pending for q in g]
                    pending = _blank_node_groups(rest, self.batch)
                    if len(pending[0]) >= len(group):
                        raise _indivisible(len(group))

    def remove_quads(self, quads: Sequence[ox.Quad]) -> None:
        """Remove quads without blank nodes with DELETE DATA, in requests the server
        accepts (sized as :meth:`extend`'s)."""
        done = 0
        while done < len(quads):
            part = quads[done : done + self.batch]
            for quad in part:
                self._own(quad.graph_name)
            if self._sized(delete_data(part, GRAPH_BLOCK), len(part)):
                done += len(part)

    def _sized(self, text: str, triples: int) -> bool:
        """Send one write of ``triples`` triples: True when done, False when the server
        refused it for its size (:attr:`batch` is then smaller than ``triples``)."""
        try:
            self._post_update(text)
        except RequestTooLargeError:
            if triples <= 1:
                raise
            self.batch = min(self.batch, max(1, triples // 2))
            return False
        return True

    bulk_extend = extend

    def dump(
        self,
        output: IO[bytes] | None = None,
        format: ox.RdfFormat | None = None,
        *,
        from_graph: GraphName | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> bytes | None:
        """Serialize aikg's graphs (or one) in an RDF format."""
        fmt = format or ox.RdfFormat.N_QUADS
        quads = self.quads_for_pattern(None, None, None, from_graph)
        if from_graph is None and fmt.supports_datasets:
            return ox.serialize(quads, output, format=fmt, prefixes=prefixes)
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        return ox.serialize(triples, output, format=fmt, prefixes=prefixes)

    def flush(self) -> None:
        """Nothing to flush: the server persists each request."""

    def _is_own(self, iri: str) -> bool:
        return iri.startswith(self.graph_prefix)

    def _own(self, graph_name: GraphName) -> ox.NamedNode:
        if not isinstance(graph_name, ox.NamedNode) or not self._is_own(graph_name.value):
            raise InputError(
                f"the remote store keeps aikg's graphs only; {graph_name} is not one",
                hint=f"name graphs under {self.graph_prefix} (the base IRI), "
                "or use the embedded store",
            )
        return graph_name


def _form(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields for httpx, where a name may repeat (default-graph-uri)."""
    form: dict[str, list[str]] = {}
    for name, value in fields:
        form.setdefault(name, []).append(value)
    return form


def _prologue(base_iri: str | None, prefixes: dict[str, str] | None) -> str:
    """BASE and PREFIX declarations the query's own may override (later ones win)."""
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items()]
    return "\n".join(lines) + "\n" if lines else ""


def _as_query_triples(triples: Iterable[ox.Triple]) -> ox.QueryTriples:
    """Triples as pyoxigraph's CONSTRUCT result type (which only a query makes)."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result


def _mend_json_results(data: bytes) -> dict[str, Any]:
    """Virtuoso's SPARQL JSON results made standard: blank nodes named ``nodeID://b1``
    become ``b1``, a ``lang`` key ``xml:lang``, and xsd:boolean values ``"1"`` / ``"0"``
    become ``"true"`` / ``"false"``."""
    document: dict[str, Any] = json.loads(data)
    for row in document.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode" and term.get("value", "").startswith("nodeID://"):
                term["value"] = term["value"][len("nodeID://") :]
            if "lang" in term:  # "xml:lang" in the standard
                term["xml:lang"] = term.pop("lang")
            if term.get("datatype") == _XSD_BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return document


def _results(document: dict[str, Any]) -> ox.QuerySolutions | ox.QueryBoolean:
    return ox.parse_query_results(
        json.dumps(document).encode("utf-8"), format=ox.QueryResultsFormat.JSON
    )


def _insert_where(quads: list[ox.Quad]) -> str:
    """INSERT { } WHERE { } for quads of one graph whose blank nodes appear in no other
    operation."""
    return f"INSERT {{ {' '.join(graph_blocks(quads))} }} WHERE {{ }}"


def _blank_node_groups(quads: list[ox.Quad], limit: int) -> list[list[ox.Quad]]:
    """Quads grouped so that each blank node's quads are in one group (of at most
    ``limit``, unless one blank node alone has more): a blank node label names one node
    only within one operation."""
    parent: dict[str, str] = {}

    def find(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for quad in quads:
        labels = [t.value for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        for other in labels[1:]:
            parent[find(other)] = find(labels[0])
    components: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        node = quad.subject if isinstance(quad.subject, ox.BlankNode) else quad.object
        assert isinstance(node, ox.BlankNode)
        components.setdefault(find(node.value), []).append(quad)
    groups: list[list[ox.Quad]] = []
    current: list[ox.Quad] = []
    for component in components.values():
        if current and len(current) + len(component) > limit:
            groups.append(current)
            current = []
        current.extend(component)
    if current:
        groups.append(current)
    return groups


def _indivisible(triples: int) -> RequestTooLargeError:
    return RequestTooLargeError(
        f"the remote store refuses to insert {triples} triples joined by blank nodes in one "
        "operation, and a blank node's triples cannot be split",
        where="[SPARQL] MaxQueryCostEstimationTime of the remote store",
        hint="give the blank nodes IRIs (skolemize them), or set MaxQueryCostEstimationTime "
        "= 0 in the server's virtuoso.ini (it makes Virtuoso compile data into SQL text)",
    )


def _server_error(response: httpx.Response, url: str, *, query: bool = False) -> AikgError:
    """The error for a refusal: which of the server's settings decided it, if one did; a
    syntax error only when the server says the text does not parse, or (for a ``query``)
    when its compiler refuses what the text says."""
    text = _message(response)
    if found := _ESTIMATE.search(text):
        return ServerLimitError(
            "the remote store refused to run the query: its estimate of the time it takes "
            f"({found[1]} s, as the server computes it) exceeds its limit of {found[2]} s",
            where="[SPARQL] MaxQueryCostEstimationTime of the remote store",
            hint="narrow the query (bind more of its variables), or raise "
            "MaxQueryCostEstimationTime in the server's virtuoso.ini (0 turns it off)",
        )
    if query and "SP031" in text and _SQL_TOO_LONG not in text:
        # Virtuoso's compiler says SP031 for the size of the SQL it generates, and for
        # what a request says that it will not take. An update is split on either (down
        # to the one operation refused, which then says so); a query cannot be split: it
        # is the query's own fault, said as such.
        return QuerySyntaxError(
            f"the remote store's SPARQL compiler refuses the query: {text}",
            hint="its message names what it refuses; Virtuoso is stricter than SPARQL "
            "1.1 there (a variable used outside an aggregate must be grouped by, even "
            "in ORDER BY)",
        )
    if any(mark in text for mark in _TOO_LARGE):
        return RequestTooLargeError(
            f"the remote store refused the request for its size: {text}",
            where="[SPARQL] MaxQueryCostEstimationTime of the remote store",
            hint="split the query into smaller ones; with MaxQueryCostEstimationTime = 0 "
            "Virtuoso compiles less text",
        )
    if "SR171" in text or "Transaction timed out" in text:
        return QueryTimeoutError(
            f"the remote store stopped the request at its own deadline: {text}",
            where="[SPARQL] MaxQueryExecutionTime of the remote store",
            hint="simplify the query, or raise MaxQueryExecutionTime in the server's "
            "virtuoso.ini (no higher than AIKG_QUERY_TIMEOUT)",
        )
    if "MaxQueryMem" in text or "memory pool" in text.lower():
        return ServerLimitError(
            f"the remote store ran out of query memory: {text}",
            where="[Parameters] MaxQueryMem of the remote store",
            hint="narrow the query, or raise MaxQueryMem in the server's virtuoso.ini",
        )
    if response.status_code == 400 and ("SP030" in text or "syntax error" in text.lower()):
        return QuerySyntaxError(
            f"the remote store cannot read the request: {text}",
            hint="check the query against the SPARQL 1.1 grammar",
        )
    return StoreError(
        f"the remote store failed the request ({response.status_code}): {text}",
        where=redact_url(url),
        hint="the server's message says why; check its log. Writes need update rights "
        "(e.g. Virtuoso's SPARQL_UPDATE role)",
    )


def _window(
    query: str, select_at: int, shape: SelectShape, keys: str, *, offset: int, limit: int | None
) -> str:
    """A SELECT sorted in a subquery (its own ORDER BY, then ``keys``) and windowed outside
    it, without its own OFFSET and LIMIT, which ``offset`` and ``limit`` replace."""
    order = f"\n{keys}" if shape.ordered else f"\nORDER BY {keys}"
    body = query[select_at : shape.modifiers_at]
    window = f" OFFSET {offset}" + ("" if limit is None else f" LIMIT {limit}")
    columns = projected_columns(shape)
    return f"{query[:select_at]}SELECT {columns} WHERE {{ {{ {body}{order}\n}} }}{window}"


def _top_level(reading: QueryReading) -> tuple[int, set[str]]:
    """Where a query's SELECT starts (-1: none at the top level), and the keywords at
    its top level after its WHERE group (ORDER, LIMIT, OFFSET, VALUES...)."""
    depth = 0
    select_at = -1
    grouped = False
    words: set[str] = set()
    for tok in reading.tokens:
        if tok.kind == "punct" and tok.text == "{":
            depth += 1
            grouped = True
        elif tok.kind == "punct" and tok.text == "}":
            depth -= 1
        elif tok.kind == "word" and depth == 0:
            word = tok.text.upper()
            if word == "SELECT" and select_at < 0:
                select_at = tok.offset
            elif grouped:
                words.add(word)
    return select_at, words


def _message(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:300] or response.reason_phrase
