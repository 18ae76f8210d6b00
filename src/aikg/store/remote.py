"""A remote triple store (Virtuoso, Fuseki, GraphDB...) behind the store interface aikg uses.

:class:`RemoteStore` speaks the W3C SPARQL 1.1 Protocol (query and update) and the SPARQL
1.1 Graph Store HTTP Protocol, and offers the part of :class:`pyoxigraph.Store` that the
rest of aikg calls (``query``, ``update``, ``quads_for_pattern``, ``named_graphs``,
``extend``, ``dump``...), returning pyoxigraph's own result types, so that everything above
the store (the endpoint, saved queries, linked data, validation) works unchanged.

Choices, each for a reason (the Virtuoso 7 behaviours are from probing a real server):

- **aikg's graphs only.** A server holds graphs of its own (Virtuoso has three system
  graphs, 2,496 triples); aikg's dataset is the named graphs whose IRI starts with the
  base IRI. Every query gets those graphs as ``default-graph-uri`` and ``named-graph-uri``
  (the union default graph aikg queries expect), a FROM naming another graph is refused
  (Virtuoso adds FROM graphs to the protocol's instead of replacing them), and so is
  writing a graph outside the base.
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
- **Reads of a whole graph through the Graph Store** (GET, N-Triples), when it has one.
- **No server-side timeout parameter**: Virtuoso's ``timeout`` returns *wrong* partial
  answers with HTTP 200 (a COUNT with no row). The client gives up at the deadline (the
  server's own MaxQueryExecutionTime should be set no higher), and an answer marked as
  cut short (``X-SQL-State: S1TAT``, ``X-SPARQL-MaxRows``) is an error.
- **One connection pool per process**: the server forks query workers, and a pool must
  not be shared across a fork.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from aikg.config import redact_url
from aikg.errors import (
    InputError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
)
from aikg.namespaces import XSD
from aikg.sparql.lexer import QUERY_FORMS, QueryReading, position, read_query, reads_as_iri
from aikg.sparql.updates import graph_blocks, insert_data

if TYPE_CHECKING:
    import httpx  # imported where used: only a remote store needs it

_RESULTS_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"
_EXTENSION_SCHEMES = ("bif:", "sql:")
_XSD_BOOLEAN = XSD + "boolean"
DEFAULT = ox.DefaultGraph()
GRAPHS_TTL = 2.0
"""Seconds the list of aikg's graphs on the server is kept (see ``named_graphs``)."""
BATCH = 20_000
"""Triples per INSERT DATA request (a few MB: servers cap request bodies)."""
GRAPH_BLOCK = 2_000
"""Triples per GRAPH block of INSERT DATA (Virtuoso runs out of memory past ~5,000)."""
BLANK_GROUP = 1_000
"""Triples per INSERT { } WHERE { } operation (Virtuoso's limit is ~1,400)."""

Term = ox.NamedNode | ox.BlankNode | ox.Literal
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


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
        self, method: str, url: str, *, missing_ok: bool = False, **kwargs: Any
    ) -> httpx.Response:
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
        if response.headers.get("x-sparql-maxrows"):
            raise StoreError(
                "the remote store cut the answer at its row limit "
                f"({response.headers['x-sparql-maxrows']} rows)",
                where=redact_url(url),
                hint="add LIMIT to the query, or raise the server's ResultSetMaxRows",
            )
        if response.status_code == 404 and missing_ok:
            return response
        if response.status_code == 400:
            raise QuerySyntaxError(
                f"the remote store refused the request: {_message(response)}",
                hint="check the query against the SPARQL 1.1 grammar",
            )
        if response.status_code >= 400:
            raise StoreError(
                f"the remote store answered {response.status_code}: {_message(response)}",
                where=redact_url(url),
                hint="check the server's log; writes need update rights (e.g. Virtuoso's "
                "SPARQL_UPDATE role)",
            )
        return response

    @property
    def _nothing(self) -> str:
        """A graph that never exists: naming only it keeps a dataset empty."""
        return self.graph_prefix + "graph/.none"

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
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query on the server; pyoxigraph's result types back."""
        reading = read_query(query, base_iri or "", prefixes)
        form = reading.form
        if form.upper() not in QUERY_FORMS or reading.update:
            raise QuerySyntaxError(
                "not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)",
                hint="send updates to the update operation",
            )
        self._refuse_extensions(query, reading)
        if use_default_graph_as_union:
            params = self._graphs_params()
        else:
            defaults = [default_graph] if isinstance(default_graph, GraphName) else default_graph
            params = [
                ("default-graph-uri", self._own(g).value) for g in defaults or [] if g != DEFAULT
            ]
            params += [("named-graph-uri", self._own(g).value) for g in named_graphs or []]
            if not params:
                params = [("default-graph-uri", self._nothing)]
        response = self._send(
            "POST",
            self.query_url,
            data=_form([("query", _prologue(base_iri, prefixes) + query), *params]),
            # One format each: Virtuoso answers a CONSTRUCT in JSON results if allowed.
            headers={"Accept": _RESULTS_JSON if form in ("select", "ask") else _N_TRIPLES},
        )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media in (_RESULTS_JSON, "application/json"):
            return ox.parse_query_results(
                _mend_json_results(response.content), format=ox.QueryResultsFormat.JSON
            )
        if media in (_N_TRIPLES, "text/plain"):
            return _as_query_triples(response.content)
        raise StoreError(
            f"the remote store answered in {media or 'no media type'}, which aikg does not read",
            where=redact_url(self.query_url),
            hint="point AIKG_STORE at a SPARQL 1.1 endpoint",
        )

    def update(
        self,
        update: str,
        *,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Run a SPARQL update on the server."""
        self._refuse_extensions(update, read_query(update, base_iri or "", prefixes))
        self._graphs = None  # the update may add or drop graphs
        self._send(
            "POST",
            self.update_url,
            content=(_prologue(base_iri, prefixes) + update).encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: Term | None,
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern, over aikg's graphs."""
        s = str(subject) if subject is not None else "?s"
        p = str(predicate) if predicate is not None else "?p"
        o = str(object) if object is not None else "?o"
        if isinstance(graph_name, ox.DefaultGraph):
            return iter(())  # a server's default graph is its union: aikg keeps none there
        if (
            self.graph_store_url
            and isinstance(graph_name, ox.NamedNode)
            and subject is None
            and predicate is None
            and object is None
        ):
            return self._graph_quads(graph_name)
        g = str(graph_name) if graph_name is not None else "?g"
        result = self.query(
            f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}",
            use_default_graph_as_union=True,
        )
        assert isinstance(result, ox.QuerySolutions)
        quads = []
        for row in result:
            quads.append(
                ox.Quad(
                    subject or row["s"],
                    predicate or row["p"],
                    object or row["o"],
                    graph_name or row["g"],
                )
            )
        return iter(quads)

    def _graph_quads(self, graph: ox.NamedNode) -> Iterator[ox.Quad]:
        """Every triple of one graph, read through the Graph Store (GET, N-Triples)."""
        assert self.graph_store_url
        self._own(graph)
        response = self._send(
            "GET",
            self.graph_store_url,
            params={"graph-uri": graph.value},
            headers={"Accept": _N_TRIPLES},
            missing_ok=True,
        )
        if response.status_code == 404:
            return iter(())
        triples = ox.parse(io.BytesIO(response.content), format=ox.RdfFormat.N_TRIPLES)
        return iter([ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])

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
        result = ox.parse_query_results(
            _mend_json_results(response.content), format=ox.QueryResultsFormat.JSON
        )
        assert isinstance(result, ox.QuerySolutions)
        graphs = sorted(
            {
                row["g"].value
                for row in result
                if isinstance(row["g"], ox.NamedNode) and self._is_own(row["g"].value)
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
        """Add quads with SPARQL Update, in requests of about :data:`BATCH` triples."""
        plain: list[ox.Quad] = []
        with_blank_nodes: list[ox.Quad] = []
        for quad in quads:
            self._own(quad.graph_name)
            blank = isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
            (with_blank_nodes if blank else plain).append(quad)
            if len(plain) >= BATCH:
                self.update(insert_data(plain, GRAPH_BLOCK)[0])
                plain = []
        if plain:
            self.update(insert_data(plain, GRAPH_BLOCK)[0])
        # Virtuoso fails ("string_output_string needs a string output") on a template
        # with blank nodes in more than one GRAPH block: one graph per operation.
        by_graph: dict[str, list[ox.Quad]] = {}
        for quad in with_blank_nodes:
            by_graph.setdefault(str(quad.graph_name), []).append(quad)
        operations = [
            _insert_where(group)
            for quads_of_graph in by_graph.values()
            for group in _blank_node_groups(quads_of_graph)
        ]
        for start in range(0, len(operations), 20):
            self.update(" ;\n".join(operations[start : start + 20]))

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


def _as_query_triples(data: bytes) -> ox.QueryTriples:
    """N-Triples as pyoxigraph's CONSTRUCT result type (which only a query makes)."""
    scratch = ox.Store()
    scratch.extend(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in ox.parse(io.BytesIO(data), format=ox.RdfFormat.N_TRIPLES)
    )
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result


def _mend_json_results(data: bytes) -> bytes:
    """Virtuoso's SPARQL JSON results made standard: blank nodes named ``nodeID://b1``
    become ``b1``, a ``lang`` key ``xml:lang``, and xsd:boolean values ``"1"`` / ``"0"``
    become ``"true"`` / ``"false"``."""
    document = json.loads(data)
    for row in document.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode" and term.get("value", "").startswith("nodeID://"):
                term["value"] = term["value"][len("nodeID://") :]
            if "lang" in term:  # "xml:lang" in the standard
                term["xml:lang"] = term.pop("lang")
            if term.get("datatype") == _XSD_BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(document).encode("utf-8")


def _insert_where(quads: list[ox.Quad]) -> str:
    """INSERT { } WHERE { } for quads of one graph whose blank nodes appear in no other
    operation."""
    return f"INSERT {{ {' '.join(graph_blocks(quads))} }} WHERE {{ }}"


def _blank_node_groups(quads: list[ox.Quad]) -> list[list[ox.Quad]]:
    """Quads grouped so that each blank node's quads are in one group (of at most
    :data:`BLANK_GROUP`, unless one blank node alone has more): a blank node label names
    one node only within one operation."""
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
        if current and len(current) + len(component) > BLANK_GROUP:
            groups.append(current)
            current = []
        current.extend(component)
    if current:
        groups.append(current)
    return groups


def _message(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:300] or response.reason_phrase
