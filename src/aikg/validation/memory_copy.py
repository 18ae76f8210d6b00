"""A store's copy in memory, for a load validated in full.

A load past :data:`aikg.validation.incremental.FULL_ABOVE` triples validates the whole
store. Oxigraph answers the compiled checks about four times faster from memory than
from RocksDB (the 1M-triple load: 6 s against 26 s), so a load into a store on disk
validates a copy in memory instead, where it fits. The engine makes the copy with its own
serializer and parser, no Python object per triple and without Python's lock, in a
thread that runs while the loader checks the files (:func:`start`; the loader takes it
with :func:`made`, and validates it while it writes the files): the graphs the store
holds are dumped and read back (a load only adds graphs), the files read again. The
inferred graph is not copied: the shapes judge what the data states (see
:mod:`aikg.validation.fast`).
"""

from __future__ import annotations

import tempfile
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from aikg.config import DEFAULT_BASE_IRI, Settings
from aikg.errors import InputError
from aikg.formats import RdfFormat, rdf_format_for_path
from aikg.machine import available_memory
from aikg.store.local import Store, file_batches, graph_for_file

MEMORY_PER_QUAD = 650
"""Bytes an Oxigraph store in memory takes per quad at its peak, while it is built (646 MB
for a million, measured; 400 once built)."""


COPY_FROM_BYTES = 6_000_000
"""Files of at least this many bytes in all start a copy for a validation in memory
while they are checked: a load validated in full (past
:data:`aikg.validation.incremental.FULL_ABOVE` triples) takes about 60 bytes a triple in
Turtle, the densest syntax, 180 in N-Quads. A copy made for a smaller load is dropped."""


def start(store: Store, files: list[Path], settings: Settings) -> Future[ox.Store | None] | None:
    """Begin the store as loading ``files`` will leave it, copied in memory, in a
    thread (see the module).

    None for a store already in memory or elsewhere, for files too small to be
    validated in full, and for the pySHACL validator (it reads the store, not a copy: it
    must wait for the end of the write); the thread makes no copy (its answer is None)
    where the copy would take more than half the memory available: the store on disk is
    validated then. The copy's blank nodes are not the store's (a parser draws new ones):
    a violation at a blank node names it as the copy does."""
    engine = store.engine
    if not store.native or not store.path or not isinstance(engine, ox.Store):
        return None
    if settings.validator == "pyshacl":
        return None
    try:
        size = sum(path.stat().st_size for path in files)
        sources = [
            (p, rdf_format_for_path(p.name), graph_for_file(p.name, settings)) for p in files
        ]
    except (InputError, OSError):
        return None  # the check says what is wrong
    if size < COPY_FROM_BYTES:
        return None
    # The inferred graph stays out: the shapes judge what the data states.
    held: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    held += [ox.NamedNode(g) for g in store.named_graphs() if g != store.inferred_graph]
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aikg-validation-copy")
    future = pool.submit(_copy, engine, held, sources, settings.base_iri)
    pool.shutdown(wait=False)
    return future


LINE_FORMATS = frozenset({ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS})
BYTES_PER_TRIPLE_AT_LEAST = 20
"""The fewest bytes a triple takes in the other syntaxes (Turtle's ``;`` and ``,`` lists
repeat neither subject nor predicate): their files are counted as this many a triple."""


def _triples_at_most(path: Path, fmt: RdfFormat) -> int:
    """At least as many triples as the file holds, cheaply: the lines of a file of one
    triple a line (N-Triples, N-Quads: a second a gigabyte), else its size over the
    fewest bytes a triple takes."""
    if fmt.engine not in LINE_FORMATS:
        return path.stat().st_size // BYTES_PER_TRIPLE_AT_LEAST
    lines = 0
    with path.open("rb") as file:
        while chunk := file.read(1 << 24):
            lines += chunk.count(b"\n")
    return lines + 1


def _copy(
    engine: ox.Store,
    held: list[ox.NamedNode | ox.DefaultGraph],
    sources: list[tuple[Path, RdfFormat, str]],
    base: str,
) -> ox.Store | None:
    quads = len(engine) + sum(_triples_at_most(path, fmt) for path, fmt, _ in sources)
    if quads * MEMORY_PER_QUAD > available_memory() // 2:
        return None
    copy = ox.Store()
    for graph in held:
        with tempfile.TemporaryFile() as dumped:
            engine.dump(dumped, ox.RdfFormat.N_TRIPLES, from_graph=graph)
            dumped.seek(0)
            copy.bulk_load(dumped, ox.RdfFormat.N_TRIPLES, to_graph=graph)
    for path, fmt, into in sources:
        if base == DEFAULT_BASE_IRI:
            copy.bulk_load(path=path, format=fmt.engine, base_iri=base, to_graph=ox.NamedNode(into))
        else:
            for _, batch in file_batches(path, fmt, into, base):
                copy.bulk_extend(batch)
    return copy


def made(copying: Future[ox.Store | None] | None) -> ox.Store | None:
    """The copy, once its thread is done (None if none was begun, if it would not fit in
    memory, or if it failed: the check has then found what is wrong with the files)."""
    if copying is None:
        return None
    try:
        return copying.result()
    except Exception as error:  # the check reports the files' faults
        # Its frames hold the store's engine, which a store on disk must be rid of to
        # be put back or opened again.
        traceback.clear_frames(error.__traceback__)
        return None
