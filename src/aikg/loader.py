"""Bulk loading: RDF files streamed into the store, with progress, validated, all or nothing.

A load runs in five phases (the first three reported to an optional progress callback):

1. **check**: every file is parsed once without touching the store (Oxigraph parses about a
   million triples a second). Syntax errors, unreadable files, unknown formats, RDF/XML
   entity declarations, graph names already in use and (when the load is validated)
   literals not written in their datatype's lexical form
   (:mod:`aikg.validation.literals`) are all found here, so bad input changes nothing.
   The pass also counts the triples, which makes the progress bar exact, and gathers what
   the inferred graph and the name index will need.
2. **write**: each file is streamed into its named graph (``{base}graph/{file stem}``;
   quads of a TriG or N-Quads file keep their own graph, which must be new too). When
   IRIs need no rebasing the engine's native bulk loader reads the file itself;
   otherwise the quads pass through Python to move them to the configured base IRI.
3. **validate**: the shapes are checked where the new data can change their verdict:
   its own nodes, and the old nodes whose shapes reach them (new data may point at old
   resources and the other way round; see :mod:`aikg.validation.incremental`). A load
   larger than :data:`aikg.validation.incremental.FULL_ABOVE` triples validates the
   whole store, on a copy in memory where it fits (:mod:`aikg.validation.memory_copy`):
   the copy holds the files already, so it is validated in a thread while they are
   written (the engine writes and reads outside the GIL, one core each). Then
   (**sources**) its quotations, and the claims resting on them, are checked against
   their sources' texts (:func:`aikg.sources.check`).
4. **infer**: the inferred graph and the name index take what the load added, from what
   the check's parse gathered (:class:`aikg.inference.Loaded`): nothing is read back.
   The part that writes nothing to the store runs while the files are written, after
   the validation beside them: the name index takes the load's names, and what the
   subjects new to the store entail is computed. After the write, the engine writes it,
   and what the load changes of the subjects the store held is read and written.
5. **commit**: a store on disk compacts what was written (interrupted there, the load is
   still rolled back) and drops its snapshot.

If writing or validating fails, or the process is interrupted, the store goes back to
its state before the load: a store on disk from the snapshot taken before writing (see
:meth:`aikg.store.local.Store.checkpoint`; a load killed by ``kill -9`` is rolled back the next
time the store opens), any other store by dropping the graphs the load created.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from concurrent import futures
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from aikg import inference
from aikg.config import DEFAULT_BASE_IRI
from aikg.errors import InputError, StoreError, ValidationError
from aikg.formats import RdfFormat, rdf_format_for_path
from aikg.store.local import (
    file_batches,
    graph_for_file,
    in_graph,
    open_rdf,
    rdf_syntax_error,
    rebase,
    rebase_quad,
    refuse_taken_graphs,
    refuse_xml_declarations,
    unreadable,
)
from aikg.validation import literals, memory_copy
from aikg.validation.incremental import FULL_ABOVE, Change
from aikg.validation.pyshacl_engine import ValidationReport, Violation, with_checks

if TYPE_CHECKING:  # the knowledge graph calls the loader; the loader only types it
    from aikg.knowledge_graph import KnowledgeGraph

BATCH = 100_000
"""Quads per write when quads pass through Python (bounded memory, regular progress)."""

ILL_FORMED_SHOWN = 1000
"""The most literals not in their lexical form a refused load reports (a file with
millions of them is refused all the same, without holding a violation for each)."""


@dataclass(frozen=True)
class Progress:
    """Where a load is: its phase, the file, and triples done out of the total."""

    phase: str
    """``check``, ``write``, ``validate`` or ``done``."""
    source: str
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class LoadedFile:
    source: str
    graph: str
    """The graph the file's triples went to (quads of named graphs keep theirs)."""
    triples: int


VERSION_READ_BACK = 100_000
"""Loads of at most this many triples move the data version by the hashes of their
quads, read back from the store (0.5 s at this size); a larger one leaves the version to
be read from the whole store when it is next asked for."""

ROLLED_BACK = "the load was rolled back: the store holds what it held before"
"""The note a load's exception carries once the store has been put back (an interrupted
load says so: ``aikg load`` stopped by Ctrl-C prints it)."""

COMMITTED = "the load was committed before it: the store holds the files loaded"
"""The note of a Ctrl-C that came once the load was committed (the snapshot that would put
the store back is gone): it ends the command, and the load stays."""


@dataclass(frozen=True)
class LoadReport:
    """What a load did, and how long each phase took."""

    files: tuple[LoadedFile, ...]
    triples: int
    check_seconds: float
    write_seconds: float
    """Writing the files; beside it, the validation of a whole store on a copy in memory,
    then the part of the infer phase that writes nothing to the store."""
    validate_seconds: float
    """The shapes (:meth:`KnowledgeGraph.validate_shapes`): for a whole store validated on
    a copy beside the write, what it took past the end of the write."""
    sources_seconds: float
    """The quotations against their sources' texts (:meth:`KnowledgeGraph.check_sources`)."""
    infer_seconds: float
    """Bringing the inferred graph and the name index up to date (:mod:`aikg.inference`);
    for what ran beside the write, what it took past the end of the write."""
    commit_seconds: float
    """Keeping the load: a store on disk compacts what the engine's bulk loader wrote
    (:meth:`aikg.store.local.Store.settle`) and drops the snapshot taken before it."""
    validation: ValidationReport | None

    @property
    def seconds(self) -> float:
        return (
            self.check_seconds
            + self.write_seconds
            + self.validate_seconds
            + self.sources_seconds
            + self.infer_seconds
            + self.commit_seconds
        )


@dataclass(frozen=True)
class _Plan:
    path: Path
    source: str
    fmt: RdfFormat
    graph: str
    triples: int
    graphs: frozenset[str]
    """Every named graph the file writes to."""


class _CountingReader:
    """A binary file that reports how far it has been read (for progress of native loads)."""

    def __init__(self, file: IO[bytes], on_read: Callable[[int], None]):
        self.file = file
        self.on_read = on_read
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.position += len(data)
        self.on_read(self.position)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        count = self.file.readinto(buffer)  # type: ignore[attr-defined]
        self.position += count or 0
        self.on_read(self.position)
        return int(count or 0)


def file_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The files named: one path, or many (a single string is one file, not its letters).

    >>> file_paths("data/a.ttl"), file_paths(["a.ttl", Path("b.nq")])
    ([PosixPath('data/a.ttl')], [PosixPath('a.ttl'), PosixPath('b.nq')])
    """
    if isinstance(paths, str | Path):
        return [Path(paths)]
    return [Path(p) for p in paths]


def load_files(
    kg: KnowledgeGraph,
    paths: str | Path | Iterable[str | Path],
    *,
    validate: bool = True,
    progress: ProgressCallback | None = None,
) -> LoadReport:
    """Load RDF files into ``kg``'s store: every file or none. See the module docs."""
    report = progress or (lambda _: None)
    started = time.perf_counter()
    files = file_paths(paths)
    copying = memory_copy.start(kg.store, files, kg.settings) if validate else None
    loaded = inference.Loaded(kg.store)
    try:
        plans = _check(kg, files, report, loaded, literal_forms=validate)
    except BaseException:
        memory_copy.made(copying)  # its thread reads the store: done before the error
        raise
    loaded.note_old(kg.store)  # before anything is written
    held = kg.store.rough_size()
    checked = time.perf_counter()
    store = kg.store
    store.checkpoint()
    created = {g for plan in plans for g in plan.graphs}
    before = dict(kg.graph_files)
    # Violations name the file they are in.
    kg.graph_files.update({graph: plan.source for plan in plans for graph in plan.graphs})
    beside: Future[ValidationReport | None] | None = None
    preparing: Future[float | None] | None = None
    try:
        if validate and _whole(plans, held) and copying is not None:
            beside = _BESIDE.submit(_validate_copy, kg, copying)
            copying = None  # the thread waits for it
        # Then, in the same thread, the derived data that writes nothing to the store:
        # Python and SQLite work while the engine writes the files.
        preparing = _BESIDE.submit(_prepare_beside, kg, loaded, beside)
        try:
            for plan in plans:
                _write(kg, plan, report)
            written = time.perf_counter()  # the work beside it may take longer
        except BaseException:
            preparing.cancel()  # not begun yet: the load is undone anyway
            raise
        finally:
            # The store is not put back under the feet of the work beside the write.
            running: list[Future[Any]] = [job for job in (beside, preparing) if job is not None]
            futures.wait(running)
        # Past the end of the write, the time the preparation beside it took is the
        # infer phase's; the rest of the wait, the validation's.
        prepared_past_write = 0.0
        if (began := preparing.result()) is not None:  # its error, if any, is the load's
            prepared_past_write = max(0.0, time.perf_counter() - max(began, written))
        validation = None
        validated = written
        if validate:
            report(Progress("validate", "", 0, 1))
            change = _change(kg, plans, held)
            shapes = beside.result() if beside is not None else None
            if shapes is None:  # validated where it reaches, or no copy was made
                copy, copying = memory_copy.made(copying), None  # waited for, needed or not
                shapes = kg.validate_shapes(change, copy=copy if change is None else None)
                del copy  # its memory back before the next phase
            validated = time.perf_counter()
            validation = with_checks(shapes, kg.check_sources(change))
            if not validation.conforms:
                raise ValidationError(validation)
        checked_sources = time.perf_counter()
        # The data version moves by the hashes of what a small load wrote, read back; a
        # large one leaves it to be read from the whole store when it is next asked for.
        small = sum(plan.triples for plan in plans) <= VERSION_READ_BACK
        kg.derive(added=sorted(created) if small else None, loaded=loaded)
        del loaded  # freed here, in the phase that used it: 0.5 s at a million triples
        inferred = time.perf_counter()
        store.settle()  # seconds of compaction: a Ctrl-C there still rolls the load back
    except BaseException as error:  # interrupted too: the store must not keep half a load
        # The failed frames still hold the store's engine; a store on disk can only be
        # reopened once every reference to it is gone.
        traceback.clear_frames(error.__traceback__)
        memory_copy.made(copying)
        # A Ctrl-C can come while the load waits for the work beside the write: its
        # preparation (it writes to the name index) must be stopped or over before the
        # undo rebuilds the index. (A validation of the copy is left to end on its own.)
        if preparing is not None and not preparing.cancel():
            preparing.exception()  # waits for it to end, whatever its outcome
        _undo(kg, created)
        kg.graph_files = before
        error.add_note(ROLLED_BACK)
        raise
    try:
        store.commit()
        committed = time.perf_counter()
        total = sum(plan.triples for plan in plans)
        report(Progress("done", "", total, total))
        return LoadReport(
            files=tuple(LoadedFile(p.source, p.graph, p.triples) for p in plans),
            triples=total,
            check_seconds=checked - started,
            write_seconds=written - checked,
            validate_seconds=max(0.0, validated - written - prepared_past_write),
            sources_seconds=checked_sources - validated,
            infer_seconds=inferred - checked_sources + prepared_past_write,
            commit_seconds=committed - inferred,
            validation=validation,
        )
    except KeyboardInterrupt as error:
        # Once the snapshot is dropped, the load stays (with it, the store would be put
        # back when it next opens, as the interrupted command says of any load).
        if not store.has_checkpoint():
            error.add_note(COMMITTED)
        raise


FULL_FROM_SHARE = 20
"""A load of more than one twentieth of what the store held is validated in full: where
it reaches costs about 0.5 ms a triple loaded, the whole store 10-20 microseconds a quad
on disk (less on a copy in memory), so a load that large is cheaper checked whole (a
100,000-triple load into a new store: 8.6 s where it reaches, under 1 s in full)."""


def _whole(plans: list[_Plan], held: int | None) -> bool:
    """Whether the load is too large to be worth validating any other way than in full:
    past :data:`FULL_ABOVE` triples, or :data:`FULL_FROM_SHARE` of the ``held`` quads."""
    triples = sum(plan.triples for plan in plans)
    return triples > FULL_ABOVE or (held is not None and triples * FULL_FROM_SHARE > held)


def _change(kg: KnowledgeGraph, plans: list[_Plan], held: int | None) -> Change | None:
    """What the load added: the quads of its new graphs, read back from the store (None
    for a load validated whole, see :func:`_whole`)."""
    if _whole(plans, held):
        return None
    return kg.added_by(plan.source for plan in plans)


_BESIDE = futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="aikg-beside")
"""The thread that works beside the write: it validates a copy in memory while the files
are written, then prepares the derived data (:func:`_prepare_beside`)."""


def _validate_copy(kg: KnowledgeGraph, copying: Future[ox.Store | None]) -> ValidationReport | None:
    """The whole store validated on its copy in memory (which the load's files are in
    already), or None when no copy could be made (the store is then validated after the
    write). The copy goes when this returns: its memory back before the next phase."""
    copy = memory_copy.made(copying)
    if copy is None:
        return None
    return kg.validate_shapes(None, copy=copy)


def _prepare_beside(
    kg: KnowledgeGraph, loaded: inference.Loaded, validating: Future[ValidationReport | None] | None
) -> float | None:
    """The derived data that writes nothing to the store (the knowledge graph's
    ``prepare_derived``: the name index takes the load's names, what the new subjects
    entail is computed), while the files are written: after the validation beside the
    write, if there is one, and only if it passed (a refused load is undone: nothing to
    prepare). Undoing a load puts the name index back too (rebuilt from the store).
    Returns when it began (``time.perf_counter``), None if it did not.

    What it computes is written after the write, not beside it: two bulk loads at once
    into a store on disk (RocksDB ingesting two loaders' files at once) saved 2.9 s of a
    1M-triple load, but took 17% more memory, and in an earlier trial one load stalled."""
    if validating is not None:
        if validating.exception() is not None:
            return None
        shapes = validating.result()
        if shapes is not None and not shapes.conforms:
            return None
    began = time.perf_counter()
    kg.prepare_derived(loaded)
    return began


def _undo(kg: KnowledgeGraph, created: set[str]) -> None:
    if kg.store.path:
        try:
            kg.store.rollback()
        except StoreError as error:
            raise StoreError(
                f"the load failed, and so did putting the store back: {error.message}",
                where=error.where,
                hint="the store is put back the next time it opens; "
                + (error.hint or "check the directory"),
            ) from None
        return
    for graph in created:
        kg.store.remove_graph(graph)
    if kg.store.has_graph(kg.store.inferred_graph):
        kg.derive()  # it may have been recomputed with the data just removed


# -- check ------------------------------------------------------------------------


def _check(
    kg: KnowledgeGraph,
    paths: list[Path],
    report: ProgressCallback,
    loaded: inference.Loaded,
    *,
    literal_forms: bool,
) -> list[_Plan]:
    """Each file parsed, and what it would write: see the module docs, phase 1.
    ``literal_forms``: refuse literals not in their datatype's lexical form."""
    if not paths:
        raise InputError("no files to load", hint="name one or more RDF files")
    plans: list[_Plan] = []
    ill_formed: list[Violation] = []
    for path in paths:
        source = str(path)
        fmt = rdf_format_for_path(path.name, where=source)
        graph = graph_for_file(path.name, kg.settings)
        if path.is_dir():
            raise InputError(
                f"{source} is a directory", where=source, hint="name the RDF files in it"
            )
        if path.exists() and not path.is_file():
            raise InputError(
                f"{source} is not a regular file (a pipe or a device)",
                where=source,
                hint="save what it gives to a file first, and load that",
            )
        if not path.is_file():
            raise unreadable(FileNotFoundError(), source)
        triples, graphs = _scan(
            path,
            fmt,
            graph,
            kg.settings.base_iri,
            report=report,
            loaded=loaded,
            ill_formed=ill_formed if literal_forms else None,
        )
        plans.append(_Plan(path, source, fmt, graph, triples, frozenset(graphs)))
        # A file's own graph counts, even if it stays empty.
        claimed = [(p.source, p.graphs | {p.graph}) for p in plans]
        refuse_taken_graphs(kg.store.named_graphs(), claimed, kg.store.system_graphs)
    if ill_formed:
        raise ValidationError(with_checks(ValidationReport(conforms=True), ill_formed))
    return plans


def _scan(
    path: Path,
    fmt: RdfFormat,
    graph: str,
    base_iri: str,
    *,
    report: ProgressCallback,
    loaded: inference.Loaded,
    ill_formed: list[Violation] | None,
) -> tuple[int, set[str]]:
    """Parse a file without keeping it: its triple count and the graphs it writes to;
    ``loaded`` is shown each quad as the store will hold it; ``ill_formed`` (if given)
    takes the violations of its literals not in their lexical form, the first
    :data:`ILL_FORMED_SHOWN` of them."""
    source = str(path)
    if fmt.name == "xml":
        try:
            refuse_xml_declarations(path.read_bytes(), source)
        except OSError as error:
            raise unreadable(error, source) from None
    count = 0
    graphs = set()
    target = ox.NamedNode(graph)
    kinds = loaded.kinds
    try:
        with open_rdf(path) as file:
            for quad in ox.parse(file, format=fmt.engine, base_iri=base_iri):
                count += 1
                name = quad.graph_name
                if isinstance(name, ox.DefaultGraph):
                    graphs.add(graph)
                elif isinstance(name, ox.NamedNode):
                    graphs.add(rebase(name.value, base_iri))
                else:
                    raise InputError(
                        f"a graph named by a blank node ({name}) cannot be loaded",
                        where=source,
                        hint="name the graph with an IRI",
                    )
                if kind := kinds.get(quad.predicate.value):
                    loaded.add(rebase_quad(in_graph(quad, target), base_iri), kind)
                if (
                    ill_formed is not None
                    and type(value := quad.object) is ox.Literal
                    and (reason := literals.problem(value)) is not None
                    and len(ill_formed) < ILL_FORMED_SHOWN
                ):
                    stored = rebase_quad(in_graph(quad, target), base_iri)
                    named = stored.graph_name
                    assert isinstance(named, ox.NamedNode)  # a blank one is refused above
                    ill_formed.append(
                        literals.violation(stored, reason, named.value, {named.value: source})
                    )
                if count % BATCH == 0:
                    report(Progress("check", source, count, 0))
    except SyntaxError as error:
        raise rdf_syntax_error(error, fmt, source) from None
    except OSError as error:
        raise unreadable(error, source) from None
    return count, graphs


# -- write ------------------------------------------------------------------------


def _write(kg: KnowledgeGraph, plan: _Plan, report: ProgressCallback) -> None:
    store = kg.store
    base = kg.settings.base_iri
    try:
        for name in plan.graphs:
            store.add_graph(name)
        if base == DEFAULT_BASE_IRI and store.native:
            size = plan.path.stat().st_size or 1
            with open_rdf(plan.path) as file:
                reader = _CountingReader(
                    file,
                    lambda done: report(
                        Progress("write", plan.source, plan.triples * done // size, plan.triples)
                    ),
                )
                store.bulk_load(reader, plan.fmt, base, plan.graph)
        else:
            for done, batch in file_batches(plan.path, plan.fmt, plan.graph, base, BATCH):
                store.extend(batch)
                report(Progress("write", plan.source, done, plan.triples))
        store.persist()
    except OSError as error:
        raise StoreError(
            f"cannot write to the store: {error}",
            where=f"store {store.path or 'in memory'}",
            hint="check the directory is writable and the disk not full",
        ) from None
    except SyntaxError as error:  # the file changed since it was checked
        raise rdf_syntax_error(error, plan.fmt, plan.source) from None
