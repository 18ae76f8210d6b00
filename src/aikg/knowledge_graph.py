"""The Python API: :class:`KnowledgeGraph`.

>>> kg = KnowledgeGraph.load()
>>> kg.query("ASK { <country/KR> ?p ?o }")
True
>>> top = kg.holdings().records[0]
>>> top.holder_label, top.quantity, top.source_id, top.conflict is not None
('China', 350000, 'S1', True)
>>> row = kg.query("SELECT ?n WHERE { <claim/h100-tesla-s1> aikg:quantity ?n }")[0]
>>> row["n"].toPython()
35000
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from aikg import inference, sources
from aikg.analyst import AnalystQueries
from aikg.config import Settings
from aikg.coverage import Coverage, identified_sources
from aikg.coverage import coverage as coverage_of
from aikg.errors import InputError, NotAcceptableError, NotFoundError, ParameterError
from aikg.formats import ANSWERS, RDF_FORMATS, RdfFormat, ResultFormat, answer_format, rdf_format
from aikg.jsonld import serialize_graph
from aikg.labels import add_labels
from aikg.linked_data import findable, views
from aikg.linked_data.ontology_docs import OntologyView, document
from aikg.names import INDEXED_PROPERTIES
from aikg.namespaces import prefix_table, resolve_iri
from aikg.saved_queries import (
    SavedQuery,
    check_classes,
    label_language,
    narrow_by_text,
    saved_query,
    substitutions,
)
from aikg.search import Match, search
from aikg.sparql.execute import (
    QueryResult,
    SelectResult,
    execute_page,
    execute_pages,
    select_page,
    to_python,
)
from aikg.sparql.lexer import operation
from aikg.sparql.paging import page_number
from aikg.sparql.results import Serialized, Table, answer_kind, serialize
from aikg.store.local import (
    Store,
    bundled_data_paths,
    fixed_files,
    graph_for_file,
    graph_iri,
)
from aikg.terms import OxTerm, triples_to_graph
from aikg.validation import literals
from aikg.validation.fast import Check, bundled_checks, stated_graphs, validate_store
from aikg.validation.fast import validate_quads as fast_validate_quads
from aikg.validation.incremental import Change, validate_change
from aikg.validation.pyshacl_engine import (
    ValidationReport,
    Violation,
    validate_quads,
    with_checks,
)


@dataclass(frozen=True)
class Stats:
    """What the graph holds: triples per named graph and instances per class."""

    triples: int
    graphs: dict[str, int]
    classes: dict[str, int]


_VALIDATION_CACHE: dict[str, ValidationReport] = {}


def _moved(fingerprint: str, previous: str) -> str:
    """The data version after a write that changed the data: its fingerprint, unless that
    is the one before. The fingerprint leaves blank-node labels out (see
    :meth:`aikg.store.local.Store.content_digest`), so it cannot tell blank nodes
    connected otherwise; a version of its own, for this process's life, keeps every cache
    and ETag from answering for the data before."""
    return secrets.token_hex(16) if fingerprint == previous else fingerprint


class KnowledgeGraph(AnalystQueries):
    """The aikg knowledge graph: an RDF dataset with its ontology, shapes and data.

    Create one with :meth:`load` (the bundled data, or your files, in memory) or
    :meth:`open` (a persistent store directory, filled with the bundled data on first
    use). Data that does not conform to the shapes is refused with a
    :class:`~aikg.errors.ValidationError` and nothing is loaded.
    """

    def __init__(self, store: Store, *, graph_files: dict[str, str] | None = None):
        self.store = store
        self.graph_files: dict[str, str] = dict(graph_files or {})
        self._data_version: str | None = None
        """The fingerprint of the quads (see :attr:`data_version`)."""
        self._version: str | None = None
        """:attr:`data_version` as last read: the quads' fingerprint and the empty graphs."""

    @property
    def settings(self) -> Settings:
        return self.store.settings

    @property
    def data_version(self) -> str | None:
        """The fingerprint of the data (32 hex digits, see
        :meth:`aikg.store.local.Store.content_digest`): equal data, equal version, in any
        process and after a restart; any change to a stated triple changes it. None for a
        remote store. Read from the whole store on first use (about 4.6 s per million
        triples); a load or a write then moves it by what it changed (a change by other
        means, followed by :meth:`derive` alone, is read in full again). The named graphs
        that hold nothing count too: creating or dropping one changes the dataset (its
        service description, a query's ``GRAPH ?g``), so it changes the version."""
        if self._version is not None:
            return self._version
        if self._data_version is None:
            self._data_version = self.store.content_digest()
        if self._data_version is None:
            return None
        self._version = self._data_version
        if empty := self.store.empty_graphs():
            names = "\n".join([self._data_version, *empty]).encode("utf-8")
            self._version = hashlib.sha256(names).hexdigest()[:32]
        return self._version

    # -- creating -------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        paths: str | Path | Iterable[str | Path] | None = None,
        *,
        settings: Settings | None = None,
        validate: bool = True,
    ) -> KnowledgeGraph:
        """A graph in memory: the ontology, the shapes, and the bundled data or ``paths``
        (one file, or many)."""
        settings = (settings or Settings()).replace(store=None)
        kg = cls(Store(settings))
        kg._fill(paths, validate=validate)
        return kg

    @classmethod
    def open(cls, settings: Settings | None = None, *, validate: bool = True) -> KnowledgeGraph:
        """The graph the settings point at: in memory, or a persistent store directory.

        A new or empty directory is filled with the bundled data; one that already holds
        data is opened as it is, with every write made to it before.
        """
        if settings is not None and not isinstance(settings, Settings):
            raise InputError(
                f"KnowledgeGraph.open takes Settings, not {type(settings).__name__}",
                where="settings",
                hint="KnowledgeGraph.open(Settings(store='DIR')) for a store on disk",
            )
        settings = settings or Settings()
        kg = cls(Store(settings))
        if kg.store.is_empty():
            kg._fill(None, validate=validate)
        else:
            kg.graph_files = {g: g.rsplit("/", 1)[-1] for g in kg.store.data_graphs()}
            # A store of this process written before these existed, or whose index was
            # lost. (A remote store is never written to by opening it: its server may be
            # read-only; `aikg load` and writes derive there.)
            names = kg.store.names
            if kg.store.native and (
                not kg.store.has_graph(kg.store.inferred_graph)
                or (names is not None and names.write_pending())  # a write cut short
            ):
                kg.derive()
                if names is not None:
                    kg.store.persist()  # what is derived is kept before the mark goes
                    names.mark_write(pending=False)
            elif kg.store.native and names and (not names.is_current() or names.load_pending()):
                # lost, of an older layout, or written by a load undone since
                names.rebuild(kg.store.indexed_quads())
        return kg

    def _fill(self, paths: str | Path | Iterable[str | Path] | None, *, validate: bool) -> None:
        """Fill an empty store: the ontology and the shapes, then the data (the bundled
        files, or ``paths``) through the bulk loader, the one path every load takes."""
        # A store with no quad may still name graphs: CLEAR NAMED empties them and keeps
        # them. Filled as a new store, it keeps none, so that its files load into theirs.
        for graph in self.store.named_graphs():
            self.store.remove_graph(graph)
        fixed = fixed_files(self.settings)
        self.store.add(fixed)
        self.graph_files.update({p.graph: f"ontology/{Path(p.source).name}" for p in fixed})
        from aikg.loader import file_paths  # noqa: PLC0415 - the loader types this class

        files = file_paths(paths) if paths is not None else bundled_data_paths()
        if files:
            self.add_files(files, validate=validate)
        else:
            self.derive()
        if paths is None:
            # Named as in the repository, not by where the package is installed: a
            # violation a server reports must not show its file system.
            self.graph_files.update(
                {
                    graph_for_file(Path(f).name, self.settings): f"data/triples/{Path(f).name}"
                    for f in files
                }
            )

    def derive(
        self,
        added: list[str] | None = None,
        change: Change | None = None,
        loaded: inference.Loaded | None = None,
        *,
        written: bool = False,
    ) -> None:
        """Bring what is derived from the data up to date: the inferred graph (what the
        ontology entails, see :mod:`aikg.inference`) and the name index search uses
        (:mod:`aikg.names`). Every load and write does it; call it after changing the
        store by other means. ``loaded``: what a load's parse gathered, so that nothing
        it wrote is read back (``added``: its graphs, when nothing else changed and they
        are small enough to read back for the data version); ``change``: what a write
        just added and removed, so that only what it touches is read; ``written``: a
        write whose change is not known (one that names no graph: ``GRAPH ?g``)."""
        previous, self._data_version = self._data_version, None
        self._version = None
        if previous is not None and (added is not None or change is not None):
            # The fingerprint follows the change (a full one reads the whole store).
            if change is not None:
                self._data_version = self.store.digest_after(previous, change.added, change.removed)
                if change.added or change.removed:
                    self._data_version = _moved(self._data_version, previous)
            else:
                new = (q for graph in added or [] for q in self.store.quads(graph))
                self._data_version = self.store.digest_after(previous, new, ())
        elif previous is not None and written:
            # Read whole now (as the next reading would): a write that may have changed
            # anything must move it.
            full = self.store.content_digest()
            self._data_version = None if full is None else _moved(full, previous)
        present = self.store.has_graph(self.store.inferred_graph)
        names = self.store.names
        # An index of an older layout (without the texts) is rebuilt whole, whatever changed.
        current = names is not None and names.is_current()
        if loaded is not None and present:
            self.prepare_derived(loaded)  # unless the loader did, beside its write
            inference.add_loaded(self.store, loaded)
        elif change is not None and present:
            inference.apply(self.store, change)
            if names is not None and current:
                names.remove(self._indexed(change.removed))
                names.add(self._indexed(change.added))
        else:
            inference.refresh(self.store)
            current = False
        if names is not None and not current:
            names.rebuild(self.store.indexed_quads())

    def prepare_derived(self, loaded: inference.Loaded) -> None:
        """The part of :meth:`derive` after a load that writes nothing to the store: the
        load's names into the name index (a file of its own), and what its subjects new
        to the store entail, computed (:func:`aikg.inference.entail_new`; :meth:`derive`
        writes it). The loader runs it while the engine writes the files, once the
        store's subjects before the load are noted
        (:meth:`aikg.inference.Loaded.note_old`). Once per load."""
        if loaded.prepared:
            return
        names = self.store.names
        # An index of an older layout is rebuilt whole by derive, whatever the load added.
        current = names is not None and names.is_current()
        # The name index (SQLite) takes the load's names while Python computes what they
        # entail: SQLite works mostly outside Python's lock.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aikg-names") as pool:
            indexing = (
                pool.submit(names.add, loaded.indexed) if names is not None and current else None
            )
            inference.entail_new(self.store, loaded)
            if indexing is not None:
                indexing.result()  # its error, if any, is the load's
        loaded.prepared = True

    def _indexed(self, quads: Iterable[ox.Quad]) -> list[ox.Quad]:
        """The quads among these that the name index holds: names and texts, in any
        graph but the inferred one (as :meth:`aikg.store.local.Store.indexed_quads`
        reads)."""
        inferred = ox.NamedNode(self.store.inferred_graph)
        return [
            q for q in quads if q.predicate.value in INDEXED_PROPERTIES and q.graph_name != inferred
        ]

    def add_files(
        self, paths: str | Path | Iterable[str | Path], *, validate: bool = True
    ) -> list[str]:
        """Load more files (one, or many), each into its own named graph; all of them or
        none (the bulk loader's path: see :func:`aikg.loader.load_files`).

        Returns the IRIs of the new graphs.
        """
        from aikg.loader import load_files  # noqa: PLC0415 - the loader types this class

        report = load_files(self, paths, validate=validate)
        return [loaded.graph for loaded in report.files]

    # -- querying -------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
        page: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL query: SELECT gives a :class:`~aikg.sparql.execute.SelectResult`, ASK a
        bool, CONSTRUCT and DESCRIBE an rdflib Graph.

        The common prefixes (aikg, rdf, rdfs, xsd, skos, schema, prov, dcterms, org) need
        no declaration, and relative IRIs resolve against the base IRI.

        A SELECT answer longer than the row limit (``max_rows``, else
        ``Settings.max_rows``) comes in pages: ``page`` picks one (from 1, the default),
        the answer's ``next_page`` names the next (None on the last), and :meth:`pages`
        reads them all. A page number that is no whole number from 1, or a page after the
        last, is a :class:`~aikg.errors.ParameterError`.
        """
        limit = self._row_limit(max_rows)
        result = self._execute_page(sparql, default_graphs, named_graphs, limit, page)
        return to_python(result, max_rows=limit)

    def pages(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
    ) -> Iterator[SelectResult]:
        """Every page of a SELECT answer, first to last (each as :meth:`query` gives it):
        together they hold every row of the answer once. On a store in this process an
        answer of up to a million values (rows times columns) that aikg sorts is read for
        the first page and sliced for the others, not read again for each (see
        :func:`~aikg.sparql.execute.execute_pages`).

        >>> kg = KnowledgeGraph.load()
        >>> pages = list(kg.pages("SELECT ?s WHERE { ?s a aikg:Country }", max_rows=2))
        >>> [len(p) for p in pages][:2], pages[-1].next_page
        ([2, 2], None)
        """
        limit = self._row_limit(max_rows)
        answers = execute_pages(
            self.store,
            sparql,
            self.settings,
            max_rows=limit,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )
        return (select_page(to_python(answer, max_rows=limit)) for answer in answers)

    def _execute_page(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        max_rows: int,
        page: int | None,
    ) -> Table | ox.QueryBoolean | ox.QueryTriples:
        return execute_page(
            self.store,
            sparql,
            self.settings,
            page=page_number(page),
            max_rows=max_rows,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )

    def serialize_query(
        self,
        sparql: str,
        fmt: str | ResultFormat | RdfFormat,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
        labels: str | None = None,
        page: int | None = None,
    ) -> Serialized:
        """Run a query and serialize its answer (SPARQL JSON/XML/CSV/TSV/HTML or an RDF
        format), with the number of rows, and for a SELECT the page it is and the next
        page (see :meth:`query`); a graph the row limit cut says it was truncated.

        A format name is read for the query's form (``xml`` is RDF/XML for CONSTRUCT and
        DESCRIBE); a format that does not fit the form is an
        :class:`~aikg.errors.UnsupportedFormatError` before the query runs.
        With ``labels`` (a language tag), SELECT answers get label columns beside IRIs.

        >>> KnowledgeGraph.load().serialize_query("SELECT * WHERE { ?s ?p ?o }", "ttl")
        Traceback (most recent call last):
        aikg.errors.UnsupportedFormatError: format 'ttl' does not fit a SELECT query, ...
        """
        limit = self._row_limit(max_rows)
        kind = operation(sparql)
        if kind in ANSWERS:
            fmt = answer_format(fmt, kind, where="argument fmt")
        number = page_number(page)
        result = self._execute_page(sparql, default_graphs, named_graphs, limit, number)
        if isinstance(fmt, str):  # a form the lexer could not tell: the answer tells it
            fmt = answer_format(fmt, answer_kind(result), where="argument fmt")
        if labels and isinstance(result, Table):
            result = add_labels(self.store, result, labels)
        return serialize(result, fmt, limit, base_iri=self.settings.base_iri)

    def saved(
        self,
        name: str,
        *,
        lang: str | None = "en",
        page: int | None = None,
        **params: str | Sequence[str] | None,
    ) -> QueryResult:
        """Run the saved query ``name`` with its parameters (see ``aikg queries``).

        SELECT answers have the query's columns whatever the rows (``SavedQuery.columns``):
        a label column in ``lang`` beside each IRI column the query labels (English by
        default; ``lang=None`` for none). A value of the wrong type or class, or an
        unknown parameter, is a :class:`~aikg.errors.ParameterError`. An answer longer
        than the row limit comes in pages, as :meth:`query`'s: ``page`` picks one,
        :meth:`saved_pages` reads them all.

        >>> kg = KnowledgeGraph.load()
        >>> row = kg.saved("holdings", holder="company/tesla")[0]
        >>> str(row["holderLabel"]), row["quantity"].toPython()
        ('Tesla', 35000)
        """
        answer = self._run_saved(name, params, lang, self.settings.max_rows, page)
        return to_python(answer, max_rows=self.settings.max_rows)

    def saved_pages(
        self, name: str, *, lang: str | None = "en", **params: str | Sequence[str] | None
    ) -> Iterator[SelectResult]:
        """Every page of a saved SELECT query's answer, first to last (as :meth:`pages`)."""
        limit = self.settings.max_rows
        query = saved_query(name)
        lang = label_language(lang, "lang")  # as saved() reads it
        text, bound = self._bind_saved(query, params)
        for answer in execute_pages(self.store, text, self.settings, max_rows=limit, bound=bound):
            labelled = (
                add_labels(self.store, answer, lang, query.labelled)
                if isinstance(answer, Table) and lang
                else answer
            )
            yield select_page(to_python(labelled, max_rows=limit))

    def serialize_saved(
        self,
        name: str,
        params: Mapping[str, str | Sequence[str] | None],
        fmt: str | ResultFormat | RdfFormat,
        *,
        lang: str | None = "en",
        max_rows: int | None = None,
        page: int | None = None,
    ) -> Serialized:
        """Run the saved query ``name`` and serialize its answer (as :meth:`saved`; the
        format must fit the query's form, as for :meth:`serialize_query`)."""
        spec = answer_format(fmt, saved_query(name).kind, where="argument fmt")
        limit = self._row_limit(max_rows)
        answer = self._run_saved(name, params, lang, limit, page)
        return serialize(answer, spec, limit, base_iri=self.settings.base_iri)

    def _run_saved(
        self,
        name: str,
        params: Mapping[str, str | Sequence[str] | None],
        lang: str | None,
        max_rows: int,
        page: int | None = None,
    ) -> Table | ox.QueryBoolean | ox.QueryTriples:
        """The one path of a saved query: bind the parameters, check their classes, narrow
        what a text parameter looks in through the text index, run it (the page asked
        for), and label the columns the query declares."""
        query = saved_query(name)  # an unknown name is the first thing to say
        lang = label_language(lang, "lang")
        number = page_number(page)
        text, bound = self._bind_saved(query, params)
        answer = execute_page(
            self.store, text, self.settings, page=number, max_rows=max_rows, bound=bound
        )
        if isinstance(answer, Table) and lang:
            answer = add_labels(self.store, answer, lang, query.labelled)
        return answer

    def _row_limit(self, max_rows: int | None) -> int:
        """The rows a page holds: ``max_rows``, else the setting; a count below one is
        refused (it would give pages of no row, each naming the next)."""
        if max_rows is None:
            return self.settings.max_rows
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise ParameterError(
                f"max_rows {max_rows!r} is not a number of rows: pages hold at least one",
                where="argument 'max_rows'",
                hint="give a whole number of at least 1, or leave it out for AIKG_MAX_ROWS",
            )
        return max_rows

    def _bind_saved(
        self, query: SavedQuery, params: Mapping[str, str | Sequence[str] | None]
    ) -> tuple[str, dict[str, OxTerm]]:
        """A saved query's text with the parameters bound, and the values bound for the
        planner: the parameters bound, their classes checked, and what a text parameter
        looks in narrowed through the text index."""
        binding = query.bind(params, self.settings.base_iri)
        check_classes(query, binding, self.store)
        binding = narrow_by_text(query, binding, self.store.names)
        return binding.apply(query.text), substitutions(query, binding)

    def describe(self, iri: str) -> Graph:
        """Every triple about ``iri`` (as subject), following blank nodes.

        Raises :class:`~aikg.errors.NotFoundError` when the graph knows nothing about it.
        """
        iri = self.resolve(iri)
        node = ox.NamedNode(iri)
        graph = triples_to_graph(
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self.store.quads_for_pattern(node, None, None, None)
        )
        if not len(graph):
            raise NotFoundError(
                f"nothing is known about {iri}",
                hint=f"check the IRI; entity IRIs start with {self.settings.base_iri}",
            )
        return graph

    # -- checking and exporting -----------------------------------------------------

    def validate(self, change: Change | None = None) -> ValidationReport:
        """Validate the instance data against the SHACL shapes, with the configured engine
        (``Settings.validator``): the compiled checks run on the store where the data is,
        or pySHACL on a copy. Beside the shapes, every quotation of a source with a text
        file is checked against that text (:mod:`aikg.sources`).

        Without ``change``, every focus node of the store (``aikg validate --all``). With
        the :class:`~aikg.validation.incremental.Change` a load or write just made, only
        the focus nodes it can affect (see :mod:`aikg.validation.incremental`; pySHACL
        always checks everything). The quotations, likewise (:func:`aikg.sources.check`),
        and the literals' forms (:mod:`aikg.validation.literals`)."""
        # The literals of a whole store of this process are read in a thread beside the
        # shapes: reading every quad of a store on disk is the engine's work (15 s a million
        # quads), which the shapes' queries mostly hide (1M on disk: 70 s both, 55-89 s the
        # shapes alone). A change's literals are few; a remote store's are one query.
        beside = change is None and self.store.native
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aikg-literals") as pool:
            literal_forms = pool.submit(self.check_literals, change) if beside else None
            shapes = self.validate_shapes(change)
            found = (
                *self.check_sources(change),
                *(literal_forms.result() if literal_forms else self.check_literals(change)),
            )
        return with_checks(shapes, found)

    def validate_shapes(
        self, change: Change | None = None, *, copy: ox.Store | None = None
    ) -> ValidationReport:
        """The SHACL half of :meth:`validate`: the shapes alone. ``copy``: the store's
        quads in another engine (the loader's copy in memory), read instead of the store;
        its graphs are the data graphs (the loader validates it while the files it holds
        are being written to the store)."""
        graphs = self.store.data_graphs(
            None
            if copy is None
            else (g.value for g in copy.named_graphs() if isinstance(g, ox.NamedNode))
        )
        if self.settings.validator == "pyshacl":
            return self._validate_data(list(self._data_quads()), self.graph_files)
        if change is not None and change.names_graph(self.store.ontology_graph):
            # A changed ontology changes what the inferred graph makes of nodes the
            # change never names (a new subclass types every node of it anew), and the
            # walks from the change follow the bundled shapes alone: the whole store.
            change = None
        # Compiled first, and the engine named only in the callee: the first compilation
        # leaves frames of its parser alive (freed by the garbage collector, not at once),
        # and with them their callers', which must not hold a store on disk open.
        return self._run_checks(bundled_checks(), change, graphs, copy or self.store.local())

    def _run_checks(
        self, checks: list[Check], change: Change | None, graphs: list[str], engine: ox.Store
    ) -> ValidationReport:
        # The shapes judge what the data states: the few checks that would see entailed
        # values in the union of graphs read every graph but the inferred one.
        stated = stated_graphs(engine, self.store.inferred_graph)
        if change is not None:
            return validate_change(engine, checks, change, graphs, self.graph_files, stated=stated)
        return validate_store(engine, checks, graphs, self.graph_files, stated=stated)

    def check_sources(self, change: Change | None = None) -> tuple[Violation, ...]:
        """The other half of :meth:`validate`: each quotation against its source's text
        (those ``change`` can affect; all with pySHACL, which checks everything)."""
        return sources.check(self, None if self.settings.validator == "pyshacl" else change)

    def check_literals(self, change: Change | None = None) -> tuple[Violation, ...]:
        """The third half of :meth:`validate`: each literal of an XML Schema datatype is
        in its lexical form (those ``change`` added; all without it). See
        :mod:`aikg.validation.literals`."""
        if change is not None:
            return tuple(literals.check_quads(change.added, self.graph_files))
        return tuple(literals.check_store(self))

    def data_rows(self, sparql: str, values: str = "") -> list[dict[str, str]]:
        """The rows of a SELECT over the data, its ``{values}`` filled with ``values``
        (``VALUES`` blocks), each term as its string: the data graphs, and on a store of
        this process the default graph too (an update without ``GRAPH`` writes there: what
        is stated there is checked all the same; a remote store keeps none for aikg)."""
        graphs = self.store.data_graphs()
        text = sparql.replace("{values}", values)
        if self.store.native:
            named = [ox.NamedNode(g) for g in graphs]
            solutions = self.store.query(
                text,
                default_graph=[*named, ox.DefaultGraph()],
                named_graphs=named,
                prefixes=prefix_table(self.settings.base_iri),
            )
            assert isinstance(solutions, ox.QuerySolutions)
            names = [v.value for v in solutions.variables]
            return [
                {
                    name: term.value
                    for name, term in zip(names, row, strict=True)
                    if term is not None
                }
                for row in solutions
            ]
        result = self.query(text, default_graphs=graphs, named_graphs=graphs, max_rows=2**62)
        assert isinstance(result, SelectResult)
        return [{k: str(v) for k, v in row.items()} for row in result.rows]

    def added_by(self, files: Iterable[str]) -> Change:
        """What loading ``files`` added to the graph: the quads of the graphs they went
        to, as a :class:`~aikg.validation.incremental.Change` for :meth:`validate`."""
        given = set(files)
        graphs = sorted(g for g, source in self.graph_files.items() if source in given)
        return Change.of(added=(q for graph in graphs for q in self.store.quads(graph)))

    def _data_quads(self) -> Iterable[ox.Quad]:
        return self.store.data_quads()

    def _validate_data(self, quads: list[ox.Quad], files: dict[str, str]) -> ValidationReport:
        if self.settings.validator == "fast":
            return fast_validate_quads(quads, graph_files=files)
        # The same data always gets the same report: cache it for the life of the
        # process, keyed by the data itself (pySHACL takes seconds).
        digest = hashlib.sha256()
        for line in sorted(str(q) for q in quads):
            digest.update(line.encode())
        for graph, source in sorted(files.items()):
            digest.update(f"{graph}={source}".encode())
        key = digest.hexdigest()
        if key not in _VALIDATION_CACHE:
            _VALIDATION_CACHE[key] = validate_quads(quads, graph_files=files)
        return _VALIDATION_CACHE[key]

    def export(
        self, fmt: str | RdfFormat = "turtle", graph: str | None = None, *, inferred: bool = False
    ) -> bytes:
        """The dataset (or one named graph) serialized in an RDF format.

        Formats with named graphs (TriG, N-Quads, JSON-LD) keep them; the others get the
        union of all graphs. The inferred graph (what the ontology entails) is left out
        unless ``inferred`` is set or ``graph`` names it. ``graph``: its IRI, a short name
        (``graph:holdings``) or the name of the file it was loaded from (``holdings``).
        """
        if graph is not None:
            named = graph.strip()
            bare = named and ":" not in named and "/" not in named
            graph = self.graph_iri(named) if bare else self.resolve(named, where="graph")
        return self.store.dump(fmt, graph, inferred=inferred)

    def stats(self) -> Stats:
        """Triples per named graph, and instances per class in the instance data."""
        graphs = {g: sum(1 for _ in self.store.quads(g)) for g in self.store.named_graphs()}
        classes: dict[str, int] = {}
        result = self.query(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } "
            "GROUP BY ?class ORDER BY DESC(?n) ?class",
            default_graphs=self.store.data_graphs(),
        )
        assert isinstance(result, SelectResult)
        for row in result.values():
            classes[row["class"]] = int(row["n"])
        return Stats(triples=sum(graphs.values()), graphs=graphs, classes=classes)

    # -- linked data: what the server serves, for Python too --------------------------

    def knows(self, iri: str) -> bool:
        """Whether the graph says anything about ``iri`` (as subject or object)."""
        return views.known(self.store, self.resolve(iri))

    def sitemap(self, base_url: str, page: int | None = None) -> str:
        """The sitemap of every resource's page on the service at ``base_url`` (an index
        of pages of it past 50,000 resources; ``page`` picks one): see
        :mod:`aikg.linked_data.findable`."""
        return findable.sitemap(findable.page_paths(self.store), base_url, page)

    def search(self, text: str, *, limit: int = 10) -> list[Match]:
        """The resources with a name (label, prefLabel, altLabel, in any language)
        containing ``text``, best first: see :mod:`aikg.search`.

        >>> [m.label for m in KnowledgeGraph.load().search("한국")]
        ['South Korea']
        """
        return search(self.store, text, limit=limit)

    def coverage(self, source: str) -> Coverage:
        """Each sentence and table cell of a source's text with the claims it is evidence
        of, or the reason it is not modelled: see :mod:`aikg.coverage`.

        >>> KnowledgeGraph.load().coverage("S2").counts()["uncovered"]
        0
        """
        return coverage_of(self, source)

    def coverage_all(self) -> list[Coverage]:
        """The coverage of every source that has an identifier and a text."""
        return [coverage_of(self, s) for s in identified_sources(self)]

    def resource(self, iri: str) -> views.ResourceView:
        """What the page about ``iri`` shows: its types, labels, statements both ways,
        the claims that involve it and the saved queries that take it.

        >>> from aikg import KnowledgeGraph
        >>> view = KnowledgeGraph.load().resource("https://w3id.org/aikg/country/KR")
        >>> view.title
        'South Korea'
        """
        iri = self.resolve(iri)
        self._require_known(iri)
        return views.describe_resource(self.store, iri, self.provenance(iri).records)

    def resource_rdf(self, iri: str, fmt: str | RdfFormat = "turtle") -> bytes:
        """The RDF document about ``iri``: its triples (blank nodes followed) and the
        triples that point at it, in an RDF format."""
        iri = self.resolve(iri)
        self._require_known(iri)
        spec = rdf_format(fmt) if isinstance(fmt, str) else fmt
        return serialize_graph(
            views.resource_triples(self.store, iri), spec, self.settings.base_iri
        )

    def graph_sizes(self) -> dict[str, Any]:
        """Every named graph with its number of triples (``graphs``), and the number of
        distinct triples in their union (``union``)."""
        counts = {g: sum(1 for _ in self.store.quads(g)) for g in self.store.named_graphs()}
        return {"graphs": counts, "union": self.store.union_size()}

    def export_default_graph(self, fmt: str | RdfFormat = "turtle") -> bytes:
        """The store's unnamed default graph (empty unless a write put triples there)."""
        return self.store.dump_default_graph(fmt)

    def write_dump(
        self, fmt: str | RdfFormat, emit: Callable[[bytes], None], *, inferred: bool = False
    ) -> None:
        """The whole dataset in ``fmt``, handed to ``emit`` in chunks of about a megabyte
        as it is written (a dump is never whole in memory); the inferred graph only if
        asked for."""
        writer = views.ChunkWriter(emit)
        self.store.write(fmt, writer, inferred=inferred)
        writer.flush()

    def void(
        self,
        base_url: str | None = None,
        fmt: str | RdfFormat = "turtle",
        version: str = "",
        dumps: dict[str, tuple[int, str]] | None = None,
    ) -> bytes:
        """The VoID and DCAT description of the dataset: statistics, partitions, the
        SPARQL endpoint at ``base_url`` (default: the base IRI), every dump with its size
        and checksum, its ``.gz`` copy too (``dumps`` gives them when they are known, by
        name such as ``nt.gz``; a format the data cannot be written in is left out),
        and each saved query as a data service."""
        if dumps is None:  # sizes and checksums of every dump, plain and gzip-compressed
            dumps = {}
            for spec in RDF_FORMATS:
                # A format may not carry the data: JSON-LD an IRI, XML a character.
                with contextlib.suppress(NotAcceptableError):
                    dumps.update(views.dump_digests(self.store, spec.extension))
        triples = views.describe_dataset(
            self.store, self.settings, base_url or self.settings.base_iri, dumps, version
        )
        spec = rdf_format(fmt) if isinstance(fmt, str) else fmt
        return serialize_graph(triples, spec, self.settings.base_iri, views.VOID_PREFIXES)

    def ontology_docs(self) -> OntologyView:
        """The ontology's documentation: every class and property with its labels,
        comments, hierarchy, the shapes that constrain it and examples from the data."""
        return document(self.store)

    def _require_known(self, iri: str) -> None:
        if not views.known(self.store, iri):
            raise NotFoundError(
                f"nothing is known about {iri}",
                hint="check the IRI; the saved query `entities` lists the entities",
            )

    def resolve(self, name: str, *, where: str = "IRI") -> str:
        """The IRI ``name`` stands for: an absolute IRI, one relative to the base IRI
        (``country/KR``) or a short name of the prefix table (``country:KR``); an
        :class:`~aikg.errors.InputError` naming ``where`` if it is no IRI.

        >>> KnowledgeGraph.load().resolve("country:KR")
        'https://w3id.org/aikg/country/KR'
        """
        return resolve_iri(name, self.settings.base_iri, where=where)

    def graph_iri(self, name: str) -> str:
        """The IRI of the named graph loaded from the file with stem ``name``."""
        return graph_iri(self.settings, name)

    # -- lifetime -------------------------------------------------------------------

    def probe(self) -> None:
        """Read the store once (the server checks that a forked worker can)."""
        self.store.named_graphs()
        self.store.is_empty()

    def close(self) -> None:
        """Flush a persistent store."""
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
