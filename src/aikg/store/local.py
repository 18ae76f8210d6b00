"""The RDF dataset: open a backend, parse files into named graphs, load them, dump.

Layout of the dataset: every data file loads into a named graph of its own
(``{base}graph/{file stem}``), the ontology into ``{base}graph/ontology`` and the shapes
into ``{base}graph/shapes``. Queries see the union of all graphs as their default graph.

Query evaluation runs on Oxigraph (pyoxigraph): on 10k triples a five-pattern join that
rdflib's evaluator answers in 3.0 s takes Oxigraph 0.7 ms, and Oxigraph parses about 20x
faster. The store keeps Oxigraph terms; :mod:`aikg.terms` converts to rdflib at the edge.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import re
import shutil
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any, Literal, Protocol, TypeVar, cast

import pyoxigraph as ox

from aikg import package_data
from aikg.config import DEFAULT_BASE_IRI, ONTOLOGY_IRI, SHAPES_IRI, Settings
from aikg.errors import AikgError, InputError, NotFoundError, RdfSyntaxError, StoreError
from aikg.formats import RdfFormat, rdf_format, rdf_format_for_path
from aikg.jsonld import write_dump as write_jsonld
from aikg.names import INDEXED_PROPERTIES, NameIndex
from aikg.namespaces import RDF, prefix_table
from aikg.sparql.order_by import in_total_order
from aikg.store.engine import Engine
from aikg.store.remote import RemoteStore
from aikg.xml_text import RdfXmlSink, rdf_xml

T = TypeVar("T")


class Readable(Protocol):
    """Anything with ``read`` (a binary file, or a wrapper that counts what is read)."""

    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    """Where a dump goes: anything with a binary ``write``."""

    def write(self, data: bytes, /) -> int: ...


_GRAPH_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def graph_iri(settings: Settings, name: str) -> str:
    """The IRI of the named graph ``name`` (a file stem such as ``holdings``).

    >>> graph_iri(Settings(), "holdings")
    'https://w3id.org/aikg/graph/holdings'
    """
    return f"{settings.base_iri}graph/{name}"


def rebase(iri: str, base_iri: str) -> str:
    """Move an IRI of the default base to ``base_iri``; ontology and shape IRIs stay.

    >>> rebase("https://w3id.org/aikg/country/KR", "http://localhost:8000/")
    'http://localhost:8000/country/KR'
    >>> rebase("https://w3id.org/aikg/ontology#Country", "http://localhost:8000/")
    'https://w3id.org/aikg/ontology#Country'
    """
    if (
        base_iri != DEFAULT_BASE_IRI
        and iri.startswith(DEFAULT_BASE_IRI)
        and not iri.startswith((ONTOLOGY_IRI, SHAPES_IRI))
    ):
        return base_iri + iri[len(DEFAULT_BASE_IRI) :]
    return iri


def _rebase_term(term: T, base: str) -> T:
    if isinstance(term, ox.NamedNode):
        moved = rebase(term.value, base)
        if moved != term.value:
            return ox.NamedNode(moved)  # type: ignore[return-value]
    return term


def in_graph(quad: ox.Quad, graph: ox.NamedNode) -> ox.Quad:
    """A quad of the default graph moved to ``graph``; others keep their graph."""
    if isinstance(quad.graph_name, ox.DefaultGraph):
        return ox.Quad(quad.subject, quad.predicate, quad.object, graph)
    return quad


def rebase_quad(quad: ox.Quad, base_iri: str) -> ox.Quad:
    """A quad with its IRIs of the default base moved to ``base_iri``."""
    if base_iri == DEFAULT_BASE_IRI:
        return quad
    return ox.Quad(
        _rebase_term(quad.subject, base_iri),
        _rebase_term(quad.predicate, base_iri),
        _rebase_term(quad.object, base_iri),
        _rebase_term(quad.graph_name, base_iri),
    )


_BOM = b"\xef\xbb\xbf"


_GZIP = b"\x1f\x8b"
"""The first bytes of every gzip file (RFC 1952)."""


def open_rdf(path: Path) -> IO[bytes]:
    """An RDF file opened to be parsed, past a UTF-8 byte order mark if it starts with
    one (as Windows editors write): the engine's Turtle and N-Triples parsers take the
    mark for the first term."""
    file = path.open("rb")
    start = file.read(len(_BOM))
    if start.startswith(_GZIP):
        file.close()
        raise InputError(
            f"{path} is compressed (gzip), whatever its name says",
            where=str(path),
            hint="decompress it first (gunzip), then load the file",
        )
    if start != _BOM:
        file.seek(0)
    return file


def file_batches(
    path: Path, fmt: RdfFormat, graph: str, base: str, size: int = 100_000
) -> Iterator[tuple[int, list[ox.Quad]]]:
    """A file's quads in lists of ``size``, as the store holds them: its default graph's
    in ``graph``, IRIs of the default base moved to ``base``; with the count so far."""
    target = ox.NamedNode(graph)
    batch: list[ox.Quad] = []
    done = 0
    with open_rdf(path) as file:
        for quad in ox.parse(file, format=fmt.engine, base_iri=base):
            batch.append(rebase_quad(in_graph(quad, target), base))
            if len(batch) == size:
                done += len(batch)
                yield done, batch
                batch = []
    if batch:
        yield done + len(batch), batch


@dataclass(frozen=True)
class ParsedFile:
    """The quads of one file, bound for one named graph."""

    source: str
    """Where the quads came from (a path, or the name of a bundled file)."""
    graph: str
    """The IRI of the named graph they load into."""
    quads: tuple[ox.Quad, ...]


def parse_rdf(
    data: bytes,
    *,
    source: str,
    fmt: RdfFormat,
    graph: str,
    base_iri: str = DEFAULT_BASE_IRI,
    resolve_against: str | None = None,
) -> ParsedFile:
    """Parse RDF bytes into quads of ``graph``; quads of other graphs keep their graph.

    Safe by default: RDF/XML with a DOCTYPE or entity declaration is refused before it
    reaches a parser (a 0.9 KB "billion laughs" file cost rdflib 575 s of CPU), and
    JSON-LD remote or local ``@context`` documents are never fetched (the engine has no
    document loader). Syntax errors carry the source, line and column.

    IRIs of the default base move to ``base_iri``; relative IRIs resolve against
    ``resolve_against`` (default: ``base_iri``).
    """
    if fmt.name == "xml":
        refuse_xml_declarations(data, source)
    try:
        # A byte order mark, as Windows editors write, is no part of the text.
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise RdfSyntaxError(
            f"not valid UTF-8 (byte {error.start})",
            source=source,
            hint="save the file as UTF-8",
        ) from None
    target = ox.NamedNode(graph)
    quads: list[ox.Quad] = []
    try:
        for quad in ox.parse(text, format=fmt.engine, base_iri=resolve_against or base_iri):
            quads.append(rebase_quad(in_graph(quad, target), base_iri))
    except SyntaxError as error:
        raise rdf_syntax_error(error, fmt, source) from None
    return ParsedFile(source=source, graph=graph, quads=tuple(quads))


def refuse_xml_declarations(data: bytes, source: str) -> None:
    """Refuse RDF/XML with a DOCTYPE or entity declaration (entity expansion bombs),
    naming the line and column of the first."""
    if found := _DOCTYPE.search(data):
        # Valid syntax, refused: a bad request, placed as a syntax error is.
        line = data.count(b"\n", 0, found.start()) + 1
        line_start = data.rfind(b"\n", 0, found.start()) + 1
        column = len(data[line_start : found.start()].decode("utf-8", "replace")) + 1
        raise InputError(
            "RDF/XML with a DOCTYPE or entity declaration is refused",
            where=f"{source}, line {line}, column {column}",
            hint="remove the <!DOCTYPE ...> and <!ENTITY ...> declarations; "
            "entities can expand without bound",
        )


def rdf_syntax_error(error: SyntaxError, fmt: RdfFormat, source: str) -> RdfSyntaxError:
    """The parser's error, with the file, line and column."""
    line, column = _position(error)
    if "LoadDocumentCallback" in str(error.msg):  # the engine has no document loader
        return RdfSyntaxError(
            "the JSON-LD document names a @context (or @import) to fetch from elsewhere; "
            "nothing is ever fetched",
            source=source,
            line=line,
            column=column,
            hint="put the context in the document itself (an object, not a URL)",
        )
    return RdfSyntaxError(
        f"{fmt.name} syntax error: {_strip_position(str(error.msg))}",
        source=source,
        line=line,
        column=column,
    )


def _position(error: SyntaxError) -> tuple[int | None, int | None]:
    if error.lineno:
        return error.lineno, error.offset
    match = re.search(r"line (\d+) column (\d+)", str(error.msg))
    if match:
        return int(match.group(1)), int(match.group(2))
    return None, None


def _strip_position(message: str) -> str:
    return re.sub(
        r"^Parser error (at|between) line \d+ column \d+( and line \d+ column \d+)?: ", "", message
    )


def read_file(
    path: str | Path | Traversable, settings: Settings, graph: str | None = None
) -> ParsedFile:
    """Parse one RDF file into the named graph named after its stem (or ``graph``)."""
    if isinstance(path, str):
        path = Path(path)
    source = str(path)
    fmt = rdf_format_for_path(path.name)
    graph = graph or graph_for_file(path.name, settings)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise unreadable(error, source) from None
    return parse_rdf(data, source=source, fmt=fmt, graph=graph, base_iri=settings.base_iri)


def refuse_taken_graphs(
    taken: Iterable[str],
    new: Iterable[tuple[str, Iterable[str]]],
    system: Collection[str] = (),
) -> None:
    """Refuse a load whose files name a graph already in the store, a graph another of
    its files names too, or one of the ``system`` graphs (the ontology, the shapes, the
    inferred graph: aikg's own, whether the store holds them yet or not). ``new`` holds
    each file's source and graphs, in order.

    >>> refuse_taken_graphs(["http://e/g/a"], [("b.ttl", ["http://e/g/b"])])
    >>> refuse_taken_graphs([], [("b.ttl", ["http://e/g/b"]), ("B.ttl", ["http://e/g/b"])])
    Traceback (most recent call last):
    aikg.errors.InputError: graph http://e/g/b is already in b.ttl
    """
    loaded = set(taken)
    owners: dict[str, str] = {}
    for source, graphs in new:
        for graph in sorted(set(graphs)):
            if graph in system:
                raise InputError(
                    f"graph {graph} is one of aikg's own (the ontology, the shapes, the "
                    "inferred graph), which no file loads into; nothing was loaded",
                    where=source,
                    hint="rename the file (each file loads into the graph named after it), "
                    "or name another graph in it",
                )
            if graph in loaded or graph in owners:
                where = "loaded" if graph in loaded else f"in {owners[graph]}"
                raise InputError(
                    f"graph {graph} is already {where}",
                    where=source,
                    hint="rename the file (each file loads into the graph named after it), "
                    "or drop the graph first",
                )
        for graph in graphs:
            owners[graph] = source


def graph_for_file(name: str, settings: Settings) -> str:
    """The named graph a file loads into: ``{base}graph/{stem}``."""
    stem = name.rsplit(".", 1)[0].lower()
    if not _GRAPH_NAME.match(stem):
        raise InputError(
            f"file name {name!r} cannot name a graph",
            where=name,
            hint="use letters, digits, '.', '-' or '_' in file names",
        )
    return graph_iri(settings, stem)


def unreadable(error: OSError, source: str) -> AikgError:
    """The error for a file that cannot be read, saying why."""
    if isinstance(error, FileNotFoundError):
        return NotFoundError(f"no such file: {source}", where=source, hint="check the path")
    return InputError(
        f"cannot read {source}: {error.strerror or error}",
        where=source,
        hint="check the path and its permissions",
    )


def fixed_files(settings: Settings) -> list[ParsedFile]:
    """The ontology and the shapes, parsed: what every store holds before any data."""
    return [
        read_file(package_data.ontology_file(), settings, graph_iri(settings, "ontology")),
        read_file(package_data.shapes_file(), settings, graph_iri(settings, "shapes")),
    ]


def bundled_data_paths() -> list[Path]:
    """The bundled data files as paths on disk, for the bulk loader.

    An installed package's data are files on disk; a package run from a zip archive
    would not have them, and says so.
    """
    found = []
    for file in package_data.data_files():
        if not isinstance(file, Path):
            raise StoreError(
                f"the bundled data file {file.name} is not a file on disk",
                hint="install aikg with pip (not from a zip archive)",
            )
        found.append(file)
    return found


def _holds_other_files(folder: Path) -> bool:
    """Whether ``folder`` is a directory with files in it that no store left there (a
    store's directory holds RocksDB's ``CURRENT`` file from its first open). A freshly
    formatted volume's ``lost+found`` and hidden files (``.gitkeep``) do not count."""
    try:
        if not folder.is_dir() or (folder / "CURRENT").exists():
            return False
        return any(p.name != "lost+found" and not p.name.startswith(".") for p in folder.iterdir())
    except OSError:
        return False  # opening it says what is wrong


@contextmanager
def _let_go(quads: Iterator[ox.Quad]) -> Iterator[Iterator[ox.Quad]]:
    """``quads``, closed on the way out: a write that stops midway (a format that cannot
    carry the data) lets the engine's iterator go in the thread that made it, which
    pyoxigraph requires (dropped in another, it prints an error and leaks it)."""
    try:
        yield quads
    finally:
        if close := getattr(quads, "close", None):
            close()


class Store:
    """An Oxigraph dataset, in memory or in a directory, holding aikg's named graphs."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.remote = settings.remote
        self.path = None if self.remote else settings.store
        """The store's directory, for a store on disk."""
        self.engine: Engine = self._open()
        self.names: NameIndex | None = None
        """The full-text index of the data's names and texts (:mod:`aikg.names`), for a
        store in this process; a remote store's own engine answers name searches."""
        if not self.remote:
            beside = Path(self.path).resolve() if self.path else None
            self.names = NameIndex(
                beside.with_name(beside.name + ".names.sqlite") if beside else None
            )
        if self.has_checkpoint():
            # Holding the store's lock, no load can be running: this one was killed.
            self.rollback()

    def _open(self) -> Engine:
        if self.remote:
            assert self.settings.store
            auth = None
            if self.settings.store_user:
                auth = (self.settings.store_user, self.settings.store_password or "")
            return RemoteStore(
                self.settings.store,
                graph_prefix=self.settings.base_iri,
                update_url=self.settings.store_update,
                graph_store_url=self.settings.store_graph_store,
                timeout=self.settings.query_timeout,
                auth=auth,
            )
        if self.path and _holds_other_files(Path(self.path)):
            raise StoreError(
                f"{self.path} is a folder of other files, not a store: aikg would write "
                "its store's files among them",
                where=f"store directory {self.path}",
                hint="give a new or empty directory for a new store, or the directory of a "
                "store aikg made",
            )
        try:
            if not self.path:
                return ox.Store()
            engine = ox.Store(self.path)
            # Finish the compactions RocksDB would otherwise run in background threads
            # while the server forks its workers (see :meth:`settle`); cheap on a store
            # that a load left compacted.
            engine.optimize()
            return engine
        except OSError as error:
            raise StoreError(
                f"cannot open the store in {self.path}: {error}",
                where=f"store directory {self.path}",
                hint="give a writable directory (created if missing) that no other "
                "process has open",
            ) from None

    # -- checkpoints: a load into a store on disk is all or nothing -----------------
    #
    # Before a bulk load, the store is snapshotted beside its directory (Oxigraph's
    # backup: RocksDB hard links, so it costs milliseconds, not a copy). A failed load
    # puts the snapshot back; a load killed half-way leaves the snapshot, which the next
    # open puts back. The snapshot is made under a temporary name and renamed when
    # complete, so a half-made one is never restored.

    def _checkpoint_paths(self) -> tuple[Path, Path]:
        assert self.path
        directory = Path(self.path).resolve()
        return (
            directory.with_name(directory.name + ".checkpoint"),
            directory.with_name(directory.name + ".checkpoint-partial"),
        )

    def has_checkpoint(self) -> bool:
        """Whether a snapshot of a store on disk waits: :meth:`commit` has not dropped it,
        and the store is put back to it when it next opens."""
        return bool(self.path) and self._checkpoint_paths()[0].exists()

    def checkpoint(self) -> None:
        """Snapshot a store on disk, so that :meth:`rollback` can return to this state."""
        if not self.path:
            return
        ready, partial = self._checkpoint_paths()
        if ready.exists():
            raise StoreError(
                f"a load into {self.path} is already in progress (found {ready})",
                where=f"store directory {self.path}",
                hint="wait for it to finish; if none runs, open the store once to recover",
            )
        shutil.rmtree(partial, ignore_errors=True)
        try:
            assert isinstance(self.engine, ox.Store)  # a store with a path is on disk
            self.engine.flush()
            self.engine.backup(partial)
            partial.rename(ready)
            if self.names is not None:  # beside the store, outside its snapshot
                self.names.mark_load(pending=True)
        except OSError as error:
            shutil.rmtree(partial, ignore_errors=True)
            raise StoreError(
                f"cannot snapshot the store before loading: {error}",
                where=f"directory beside {self.path}",
                hint="the store's parent directory must be writable, on the same disk",
            ) from None

    def settle(self) -> None:
        """Finish the engine's work on what was written since :meth:`checkpoint`, before
        :meth:`commit` (the snapshot still there: an interruption here is rolled back).

        The engine's bulk loader leaves RocksDB background work behind it, and a worker
        forked while that work holds a lock hangs on its first query that needs the lock.
        ``optimize`` finishes that work now: it compacts what was written (about 2 s after
        a 1M-triple load, 26 s after 10M).
        """
        if not self.path:
            return
        assert isinstance(self.engine, ox.Store)  # a store with a path is on disk
        self.engine.flush()
        self.engine.optimize()

    def commit(self) -> None:
        """Keep what was written since :meth:`checkpoint` (:meth:`settle` first) and drop
        the snapshot."""
        if not self.path:
            return
        ready, _ = self._checkpoint_paths()
        # Dropped in one step, then deleted: a snapshot half deleted (the process stopped
        # on the way) would be restored over the store when it next opens.
        dropped = ready.with_name(f"{ready.name}-dropped-{os.getpid()}")
        try:
            ready.rename(dropped)
        except FileNotFoundError:
            pass
        except OSError:  # where a rename cannot be made, deleted in place as before
            dropped = ready
        shutil.rmtree(dropped, ignore_errors=True)
        if self.names is not None:
            self.names.mark_load(pending=False)

    def rollback(self) -> None:
        """Return a store on disk to its state at :meth:`checkpoint`, its name index too."""
        if not self.path:
            return
        self.engine = ox.Store()  # releases the directory (Oxigraph has no close)
        gc.collect()  # ...once nothing else holds it, not even a reference cycle
        ready, partial = self._checkpoint_paths()
        shutil.rmtree(partial, ignore_errors=True)
        restored = ready.exists()
        if restored:
            self._restore(ready)
        self.engine = self._open()
        if restored and self.names is not None:  # beside the store, not in its snapshot
            self.names.rebuild(self.indexed_quads())

    def _restore(self, ready: Path) -> None:
        directory = Path(self.path or "").resolve()
        discarded = directory.with_name(directory.name + ".discarded")
        shutil.rmtree(discarded, ignore_errors=True)
        if directory.exists():
            directory.rename(discarded)
        ready.rename(directory)
        shutil.rmtree(discarded, ignore_errors=True)

    @property
    def shared(self) -> bool:
        """Writes made in a forked process would reach the real data (on disk, or remote)."""
        return bool(self.path) or self.remote

    @property
    def ontology_graph(self) -> str:
        return graph_iri(self.settings, "ontology")

    @property
    def shapes_graph(self) -> str:
        return graph_iri(self.settings, "shapes")

    @property
    def inferred_graph(self) -> str:
        """What the ontology entails from the data (see :mod:`aikg.inference`)."""
        return graph_iri(self.settings, "inferred")

    @property
    def system_graphs(self) -> set[str]:
        """The graphs that hold no instance data: the ontology, the shapes and the
        inferred graph."""
        return {self.ontology_graph, self.shapes_graph, self.inferred_graph}

    def server_report(self) -> list[tuple[str, str]]:
        """For a remote store, what its server says about itself and its limits, with a
        warning where they do not fit aikg's settings (``(level, line)`` pairs); nothing
        for Oxigraph."""
        if not isinstance(self.engine, RemoteStore):
            return []
        return self.engine.server_info().report(self.settings.query_timeout)

    def is_empty(self) -> bool:
        if isinstance(self.engine, RemoteStore):  # aikg keeps nothing outside its graphs
            return not self.named_graphs()
        return next(iter(self.engine.quads_for_pattern(None, None, None, None)), None) is None

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self.engine.named_graphs() if isinstance(g, ox.NamedNode))

    def data_graphs(self, among: Iterable[str] | None = None) -> list[str]:
        """Named graphs that hold instance data (all but the system graphs): of this
        store's graphs, or of those ``among`` (another engine's, such as a copy's)."""
        system = self.system_graphs
        return [g for g in (self.named_graphs() if among is None else among) if g not in system]

    # -- the engine's operations, for the code above the store (which never holds the
    # engine itself: the backend stays this class's business) --------------------------

    @property
    def native(self) -> bool:
        """The quads are in Oxigraph in this process (not on a remote server): pattern
        lookups are cheap and the bulk paths are there."""
        return isinstance(self.engine, ox.Store)

    @property
    def orders_any_terms(self) -> bool:
        """Whether the engine's ORDER BY of a bare variable orders any two different
        terms: a remote Virtuoso's does (strings, language-tagged strings, numbers, IRIs,
        each kind in turn) and refuses more than 20 sort keys, so its pages sort by the
        columns themselves; Oxigraph's leaves some pairs unordered, and an engine not
        known to order them all gets the keys that do on any engine (see
        :func:`aikg.sparql.paging.page_query`)."""
        return isinstance(self.engine, RemoteStore) and self.engine.is_virtuoso

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: ox.NamedNode | ox.BlankNode | ox.Literal | None,
        graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern (None matches anything), in every graph unless
        ``graph_name`` says which."""
        return iter(self.engine.quads_for_pattern(subject, predicate, object, graph_name))

    def quads_for_nodes(
        self,
        nodes: Collection[ox.NamedNode],
        predicates: Collection[ox.NamedNode],
        position: Literal["subject", "object"] = "subject",
    ) -> Iterator[ox.Quad]:
        """The quads, in every graph, with one of ``nodes`` as their subject (or object)
        and one of ``predicates``: a lookup per node and predicate in process, a few
        requests for them all on a remote server."""
        if isinstance(self.engine, RemoteStore):
            return self.engine.quads_for_nodes(nodes, predicates, position)
        lookup = self.engine.quads_for_pattern
        if position == "subject":
            return (q for n in nodes for p in predicates for q in lookup(n, p, None))
        return (q for n in nodes for p in predicates for q in lookup(None, p, n))

    @property
    def sorts_by_oxigraph(self) -> bool:
        """Whether Oxigraph sorts this store's queries (in this process, or behind a
        remote ``oxigraph serve``): its sort of a column it has no order for aborts its
        process, so each ORDER BY it is given is made a total order first
        (:mod:`aikg.sparql.order_by`)."""
        return self.native or (isinstance(self.engine, RemoteStore) and self.engine.is_oxigraph)

    def query(
        self, sparql: str, **options: Any
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a (checked) query on the engine; ``options`` as ``pyoxigraph.Store.query``.
        Oxigraph is given each ORDER BY as a total order (see :meth:`sorts_by_oxigraph`)."""
        if not self.sorts_by_oxigraph:
            return self.engine.query(sparql, **options)
        parse = {k: v for k, v in options.items() if k in ("base_iri", "prefixes")}
        return in_total_order(
            sparql,
            lambda text: self.engine.query(text, **options),
            parse=lambda text: ox.Store().query(text, **parse),
            probe=lambda text: ox.Store().query(text, **parse),
        )

    def add_graph(self, graph: str) -> None:
        self.engine.add_graph(ox.NamedNode(graph))

    def remove_graph(self, graph: str) -> None:
        self.engine.remove_graph(ox.NamedNode(graph))

    def bulk_load(self, source: Readable, fmt: RdfFormat, base_iri: str, graph: str) -> None:
        """Let the engine read a whole file itself into ``graph`` (Oxigraph in this process
        only: no Python object per triple)."""
        assert isinstance(self.engine, ox.Store), "bulk_load is for a native store"
        self.engine.bulk_load(
            source,  # type: ignore[arg-type] # pyoxigraph reads any object with read()
            fmt.engine,
            base_iri=base_iri,
            to_graph=ox.NamedNode(graph),
        )

    def extend(self, quads: list[ox.Quad]) -> None:
        """Add quads, through the engine's bulk path where it has one."""
        if isinstance(self.engine, ox.Store):
            self.engine.bulk_extend(quads)
        else:
            self.engine.extend(quads)

    def extend_nquads(self, data: bytes) -> None:
        """Add quads written as N-Quads: parsed by the engine where it is in this
        process (cheaper than a Python object per quad), else parsed here and sent."""
        if isinstance(self.engine, ox.Store):
            self.engine.bulk_load(data, ox.RdfFormat.N_QUADS)
        else:
            self.extend(list(ox.parse(data, format=ox.RdfFormat.N_QUADS)))

    def remove(self, quads: list[ox.Quad]) -> None:
        """Remove quads (without blank nodes, for a remote store): one by one in process,
        in DELETE DATA requests the server accepts on a server."""
        if isinstance(self.engine, ox.Store):
            for quad in quads:
                self.engine.remove(quad)
            return
        self.engine.remove_quads(quads)

    def stated_with(
        self, predicate: ox.NamedNode | None, graphs: Iterable[str] | None = None
    ) -> Iterator[ox.Quad]:
        """The quads with ``predicate`` (None: any) in ``graphs`` (default: every named
        graph but the inferred one; read graph by graph, so the inferred graph, often the
        largest, is never read; on a remote server, the graphs together in one read)."""
        wanted = [
            ox.NamedNode(graph)
            for graph in (self.named_graphs() if graphs is None else graphs)
            if graph != self.inferred_graph
        ]
        if isinstance(self.engine, RemoteStore):
            yield from self.engine.quads_in_graphs(predicate, wanted)
            return
        for graph in wanted:
            yield from self.engine.quads_for_pattern(None, predicate, None, graph)

    def indexed_quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        """The quads the name index holds (:mod:`aikg.names`: names, label, prefLabel,
        altLabel, and texts, ``schema:text``) in ``graphs`` (default: every graph but the
        inferred one, the default graph included: an update without ``GRAPH`` writes
        there, and queries read it)."""
        for indexed in INDEXED_PROPERTIES:
            predicate = ox.NamedNode(indexed)
            yield from self.stated_with(predicate, graphs)
            if graphs is None and self.native:
                yield from self.engine.quads_for_pattern(None, predicate, None, ox.DefaultGraph())

    def stated_types(self, iris: Iterable[ox.NamedNode]) -> dict[str, set[str]]:
        """The classes the data states each IRI to be an instance of (not those the
        inferred graph adds), in one query. (Its answer stays in this frame: an engine's
        answer must not outlive the thread that asked.)"""
        values = " ".join(sorted({str(iri) for iri in iris}))
        if not values:
            return {}
        result = self.engine.query(
            f"SELECT ?x ?type WHERE {{ VALUES ?x {{ {values} }} "
            f"GRAPH ?g {{ ?x <{RDF}type> ?type }} "
            f"FILTER (?g != {ox.NamedNode(self.inferred_graph)}) }}"
        )
        assert isinstance(result, ox.QuerySolutions)
        found: dict[str, set[str]] = {}
        for row in result:
            x, type_ = row["x"], row["type"]
            if isinstance(x, ox.NamedNode) and isinstance(type_, ox.NamedNode):
                found.setdefault(x.value, set()).add(type_.value)
        return found

    def has_graph(self, graph: str) -> bool:
        return bool(self.engine.contains_named_graph(ox.NamedNode(graph)))

    def empty_graphs(self) -> list[str]:
        """The named graphs that hold no quad (a graph store's PUT of no triples makes
        one), sorted: part of the dataset, though no quad says so."""
        return [
            graph
            for graph in self.named_graphs()
            if next(self.engine.quads_for_pattern(None, None, None, ox.NamedNode(graph)), None)
            is None
        ]

    def rough_size(self) -> int | None:
        """About how many quads the store holds, without counting them (a count reads
        every quad: 2 s at 10M on disk): in memory, its count; on disk, its files' bytes
        over 340, what RocksDB took a quad with Oxigraph's indexes on a generated 1.57M
        quads; None for a store elsewhere."""
        if not isinstance(self.engine, ox.Store):
            return None
        if not self.path:
            return len(self.engine)
        total = 0
        for entry in os.scandir(self.path):
            try:
                total += entry.stat().st_size
            except FileNotFoundError:  # compacted away since it was listed
                continue
        return total // 340

    def union_size(self) -> int:
        """The number of distinct triples in the union of all graphs."""
        result = self.engine.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
            use_default_graph_as_union=True,
        )
        assert isinstance(result, ox.QuerySolutions)
        count = next(iter(result))["n"]
        return int(count.value) if isinstance(count, ox.Literal) else 0

    def dump_default_graph(self, fmt: RdfFormat | str) -> bytes:
        """The unnamed default graph (not the union), serialized."""
        spec = rdf_format(fmt) if isinstance(fmt, str) else fmt
        quads = self.engine.quads_for_pattern(None, None, None, ox.DefaultGraph())
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        written = bytes(ox.serialize(triples, format=spec.engine) or b"")
        return rdf_xml(written) if spec.name == "xml" else written

    def update(self, sparql: str, prefixes: dict[str, str]) -> None:
        """Run a SPARQL update (already checked) against the base IRI, in one transaction.

        SyntaxError and RuntimeError come from the engine as they are: the caller says
        what they mean for its request.
        """
        base = self.settings.base_iri
        if not self.sorts_by_oxigraph:
            self.engine.update(sparql, base_iri=base, prefixes=prefixes)
            return
        in_total_order(  # a subquery of its WHERE may sort
            sparql,
            lambda text: self.engine.update(text, base_iri=base, prefixes=prefixes),
            parse=lambda text: ox.Store().update(text, base_iri=base, prefixes=prefixes),
            probe=lambda text: ox.Store().query(text, base_iri=base, prefixes=prefixes),
        )

    def scratch_copy(self) -> Store:
        """A store in memory holding the same graphs and quads, to try a write on and
        throw away (an empty graph too: a write may drop it)."""
        scratch = Store(self.settings.replace(store=None))
        for graph in self.engine.named_graphs():
            scratch.engine.add_graph(graph)
        scratch.extend(list(self.quads()))
        return scratch

    def graph_quads(self, graphs: Iterable[str]) -> set[ox.Quad]:
        """The quads of these named graphs and of the default graph: what a write that
        names them can change, read before and after it to know what it did."""
        found: set[ox.Quad] = set(
            self.engine.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )
        for graph in graphs:
            found.update(self.engine.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        return found

    def data_quads(self) -> Iterator[ox.Quad]:
        """The instance data: every quad outside the system graphs, the default graph
        included (updates without GRAPH write there)."""
        return self._quads_outside(self.system_graphs)

    def _quads_outside(self, graphs: set[str]) -> Iterator[ox.Quad]:
        for quad in self.engine.quads_for_pattern(None, None, None, None):
            name = quad.graph_name
            if not (isinstance(name, ox.NamedNode) and name.value in graphs):
                yield quad

    def stated_quads(self) -> Iterator[ox.Quad]:
        """Every quad but the inferred ones: what was loaded and written."""
        return self._quads_outside({self.inferred_graph})

    def content_digest(self) -> str | None:
        """A fingerprint of the stated quads, equal for equal data whatever the order
        they were loaded in and whichever process holds them: 32 hex digits. None for a
        remote store, whose quads this process cannot read at engine speed.

        Each quad's N-Quads line is hashed and the hashes are added modulo 2**128 (a
        multiset hash: order-free, and a change to any quad changes the sum). Blank node
        labels are dropped before hashing, because a parser draws new ones on every load
        of the same file; two graphs differing only in how their blank nodes connect get
        the same fingerprint, a price worth paying for one that survives restarts.
        """
        if not isinstance(self.engine, ox.Store):
            return None
        sink = self._digest_sink()
        self.engine.dump(cast(IO[bytes], sink), format=ox.RdfFormat.N_QUADS)
        return sink.hexdigest()

    def digest_after(
        self, digest: str, added: Iterable[ox.Quad], removed: Iterable[ox.Quad]
    ) -> str:
        """The fingerprint of :meth:`content_digest` after a change, from the one before
        it: the hashes of the added quads added, those of the removed ones taken away (the
        sum allows both), so a write or a load pays for what it changed, not for the
        store. The quads are written by the same serializer the dump uses."""
        plus, minus = self._digest_sink(), self._digest_sink()
        for sink, quads in ((plus, added), (minus, removed)):
            ox.serialize(quads, cast(IO[bytes], sink), format=ox.RdfFormat.N_QUADS)
            sink.hexdigest()  # the last line in
        total = (int(digest, 16) + plus.total - minus.total) % _DIGEST_MODULUS
        return f"{total:032x}"

    def _digest_sink(self) -> _DigestSink:
        return _DigestSink(f" <{self.inferred_graph}> .".encode())

    def local(self) -> ox.Store:
        """The quads in an Oxigraph store of this process: the store itself, or for a
        remote store a copy in memory (for validation, and for dry runs of writes)."""
        if isinstance(self.engine, ox.Store):
            return self.engine
        copy = ox.Store()
        copy.extend(self.quads())
        return copy

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """The quads of one named graph, or of the whole dataset."""
        graph_name = ox.NamedNode(graph) if graph else None
        return iter(self.engine.quads_for_pattern(None, None, None, graph_name))

    def add(self, parsed: Iterable[ParsedFile]) -> None:
        """Insert parsed files in one transaction: all of them, or none on failure."""
        quads = [q for p in parsed for q in p.quads]
        graphs = {p.graph for p in parsed}
        try:
            for graph in graphs:
                self.engine.add_graph(ox.NamedNode(graph))
            try:
                self.engine.extend(quads)
            except BaseException:
                if isinstance(self.engine, RemoteStore):  # several requests: undo them
                    for graph in graphs:
                        self.engine.remove_graph(ox.NamedNode(graph))
                raise
            if self.path:
                self.engine.flush()
        except OSError as error:
            raise StoreError(
                f"cannot write to the store: {error}",
                where=f"store directory {self.path}",
                hint="check the directory is writable and the disk not full",
            ) from None

    def write(
        self,
        fmt: RdfFormat | str,
        output: Writable,
        graph: str | None = None,
        *,
        inferred: bool = False,
    ) -> None:
        """Serialize the dataset (or one named graph) into ``output`` as it goes: a dump is
        never whole in memory.

        A format without named graphs (Turtle, N-Triples, RDF/XML) gets every triple of
        every graph; a triple two graphs share appears twice, which the graph the
        serialization describes (a set) does not mind. The inferred graph is left out
        unless ``inferred`` (or ``graph`` names it).
        """
        spec = rdf_format(fmt) if isinstance(fmt, str) else fmt
        prefixes = prefix_table(self.settings.base_iri)
        sink = cast(IO[bytes], output)
        if spec.name == "xml":  # as XML 1.0 reads it back (see aikg.xml_text)
            sink = cast(IO[bytes], RdfXmlSink(sink))
        if graph is not None and not self.has_graph(graph):
            raise NotFoundError(
                f"no graph {graph}",
                hint="the service description (GET /sparql) and `aikg stats` list the graphs",
            )
        if spec.name == "jsonld":  # compacted with aikg's context (see aikg.jsonld)
            with _let_go(self._quads_to_write(graph, inferred)) as quads:
                write_jsonld(quads, self.settings.base_iri, sink.write)
            return
        if graph is not None:
            self.engine.dump(
                output=sink,
                format=spec.engine,
                from_graph=ox.NamedNode(graph),
                prefixes=None if spec.datasets else prefixes,
            )
            return
        everything = inferred or not self.has_graph(self.inferred_graph)
        quad_prefixes = prefixes if spec.name == "trig" else None
        if spec.datasets and everything:  # the engine's own dump: the fastest path
            self.engine.dump(output=sink, format=spec.engine, prefixes=quad_prefixes)
            return
        with _let_go(self.quads() if everything else self.stated_quads()) as quads:
            if spec.datasets:
                ox.serialize(quads, output=sink, format=spec.engine, prefixes=quad_prefixes)
            else:
                triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
                ox.serialize(triples, output=sink, format=spec.engine, prefixes=prefixes)

    def _quads_to_write(self, graph: str | None, inferred: bool) -> Iterator[ox.Quad]:
        """What a dump writes: one graph's triples (in the default graph), or every quad
        (the inferred graph's only if asked for)."""
        if graph is not None:
            return (ox.Quad(q.subject, q.predicate, q.object) for q in self.quads(graph))
        everything = inferred or not self.has_graph(self.inferred_graph)
        return iter(self.quads() if everything else self.stated_quads())

    def dump(
        self, fmt: RdfFormat | str, graph: str | None = None, *, inferred: bool = False
    ) -> bytes:
        """The dataset (or one named graph) serialized in an RDF format, as bytes (the
        inferred graph only if asked for)."""
        buffer = io.BytesIO()
        self.write(fmt, buffer, graph, inferred=inferred)
        return buffer.getvalue()

    def persist(self) -> None:
        """Make the last writes durable on disk (a no-op in memory)."""
        if self.path:
            self.engine.flush()

    def close(self) -> None:
        """Flush a persistent store to disk and release it (its directory lock too).

        Oxigraph has no close(): dropping the last reference releases the store, so the
        engine is swapped for an empty in-memory one that nothing else holds.
        """
        if self.path:
            self.engine.flush()
            self.engine = ox.Store()
            if self.names is not None:
                self.names.close()
                self.names = NameIndex()


_BLANK_LABEL = re.compile(rb"_:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-]")
_DIGEST_MODULUS = 1 << 128


class _DigestSink:
    """A file-like target for the engine's N-Quads dump that sums the hashes of its
    lines (see :meth:`Store.content_digest`), streaming: no dump is held in memory."""

    def __init__(self, skip_suffix: bytes):
        self.skip_suffix = skip_suffix
        self.total = 0
        self.partial = b""

    def write(self, data: bytes) -> int:
        lines = (self.partial + bytes(data)).split(b"\n")
        self.partial = lines.pop()
        blake2b, total = hashlib.blake2b, self.total
        for line in lines:
            if not line or line.endswith(self.skip_suffix):
                continue
            hashed = _BLANK_LABEL.sub(b"_:", line) if b"_:" in line else line
            total += int.from_bytes(blake2b(hashed, digest_size=16).digest(), "big")
        self.total = total % _DIGEST_MODULUS
        return len(data)

    def flush(self) -> None:
        """Nothing to flush (the engine's writer calls it at the end)."""

    def hexdigest(self) -> str:
        self.write(b"\n")
        return f"{self.total:032x}"
