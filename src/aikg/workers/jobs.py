"""The jobs the server's processes run on the knowledge graph.

Read jobs run in query workers (forks of the keeper, killed at their deadline); write jobs
run in the keeper, first as a dry run on a throwaway copy (``dry_run=True``: apply, then
validate against the shapes) and then for real (``dry_run=False``). See
:mod:`aikg.workers.pool`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from aikg import inference
from aikg.citations import claims_resting_on
from aikg.config import Settings
from aikg.coverage import Coverage
from aikg.diff import Parts
from aikg.errors import InputError, NotFoundError, PreconditionFailedError, ValidationError
from aikg.formats import RESULT_FORMATS, RdfFormat, ResultFormat, rdf_format
from aikg.knowledge_graph import KnowledgeGraph
from aikg.linked_data.ontology_docs import OntologyView
from aikg.linked_data.views import ResourceView
from aikg.names import NameIndex
from aikg.namespaces import prefix_table
from aikg.search import Match
from aikg.sparql.guard import syntax_error
from aikg.sparql.lexer import clear_silently, read_query
from aikg.sparql.results import Serialized
from aikg.sparql.updates import graphs_written, insert_data
from aikg.validation.incremental import Change
from aikg.validation.pyshacl_engine import ValidationReport
from aikg.workers.pool import streaming


def open_state(settings: Settings) -> KnowledgeGraph:
    """What the keeper holds: the knowledge graph the settings name."""
    return KnowledgeGraph.open(settings)


# -- read jobs -----------------------------------------------------------------------


def _format(media: str) -> ResultFormat | RdfFormat:
    """The format with this media type (media types, unlike names, are unambiguous)."""
    for result in RESULT_FORMATS:
        if result.media_type == media:
            return result
    return rdf_format(media)


def query(
    kg: KnowledgeGraph,
    *,
    sparql: str,
    fmt: str,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    max_rows: int | None = None,
    page: int = 1,
) -> Serialized:
    """Run a query and serialize its answer (page ``page`` of a SELECT) in the format with
    media type ``fmt``."""
    return kg.serialize_query(
        sparql,
        _format(fmt),
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        max_rows=max_rows,
        page=page,
    )


def saved(
    kg: KnowledgeGraph,
    *,
    query: str,
    params: Mapping[str, Sequence[str]],
    fmt: str,
    lang: str | None,
    max_rows: int | None = None,
    page: int = 1,
) -> Serialized:
    """Run the saved query ``query`` and serialize its answer (page ``page`` of a SELECT)
    in the format with media type ``fmt``."""
    return kg.serialize_saved(query, params, _format(fmt), lang=lang, max_rows=max_rows, page=page)


def graphs(kg: KnowledgeGraph) -> dict[str, Any]:
    return kg.graph_sizes()


def dump(kg: KnowledgeGraph, fmt: str, graph: str | None = None, default: bool = False) -> bytes:
    """One named graph (by its IRI, as the Graph Store Protocol names it: no short name
    is expanded), the default graph (``default``), or the whole dataset."""
    return kg.export_default_graph(fmt) if default else kg.store.dump(fmt, graph)


def resource(kg: KnowledgeGraph, iri: str) -> ResourceView:
    return kg.resource(iri)


def resource_rdf(kg: KnowledgeGraph, iri: str, fmt: str) -> bytes:
    return kg.resource_rdf(iri, fmt)


@streaming
def dump_stream(
    kg: KnowledgeGraph, fmt: str, emit: Callable[[bytes], None], inferred: bool = False
) -> None:
    kg.write_dump(fmt, emit, inferred=inferred)


def void(
    kg: KnowledgeGraph,
    base_url: str,
    fmt: str,
    version: str,
    dumps: dict[str, tuple[int, str]] | None = None,
) -> bytes:
    return kg.void(base_url, fmt, version, dumps)


def ontology_docs(kg: KnowledgeGraph) -> OntologyView:
    return kg.ontology_docs()


def validate(kg: KnowledgeGraph) -> ValidationReport:
    report = kg.validate()
    return ValidationReport(report.conforms, report.violations)


def known(kg: KnowledgeGraph, iri: str) -> bool:
    return kg.knows(iri)


def search(kg: KnowledgeGraph, text: str, limit: int) -> list[Match]:
    return kg.search(text, limit=limit)


def sitemap(kg: KnowledgeGraph, base_url: str, page: int | None) -> str:
    return kg.sitemap(base_url, page)


def coverage(kg: KnowledgeGraph, source: str) -> Coverage:
    return kg.coverage(source)


def cited_claims(kg: KnowledgeGraph, iris: list[str]) -> dict[str, Parts]:
    return claims_resting_on(kg, iris)


READ_JOBS: dict[str, Callable[..., Any]] = {
    "cited_claims": cited_claims,
    "known": known,
    "search": search,
    "sitemap": sitemap,
    "coverage": coverage,
    "query": query,
    "saved": saved,
    "graphs": graphs,
    "dump": dump,
    "resource": resource,
    "resource_rdf": resource_rdf,
    "dump_stream": dump_stream,
    "void": void,
    "ontology_docs": ontology_docs,
    "validate": validate,
}

# -- write jobs ----------------------------------------------------------------------


def _target(kg: KnowledgeGraph, dry_run: bool) -> KnowledgeGraph:
    """Where a write goes: the real graph, or for a dry run a copy that can be thrown away.

    A dry run happens in a forked child: an in-memory store is already a private
    copy-on-write copy there; a store on disk or a remote store is shared with the keeper
    and must not be written by the child, so its quads are copied into memory.
    """
    if not dry_run or not kg.store.shared:
        return kg
    return KnowledgeGraph(kg.store.scratch_copy(), graph_files=kg.graph_files)


def _check(
    kg: KnowledgeGraph, dry_run: bool, before: set[ox.Quad] | None, graphs: list[str]
) -> None:
    """Validate a dry run: where the write can have changed a verdict, from the quads of
    the graphs it names before and after it (``before`` None: everything).

    The inferred graph first follows the write, as it will after the real one. The
    shapes judge what the data states, and read the inferred graph nowhere it could
    differ from that, but only if it is current: a type the write took away, still
    entailed there, would pass a ``sh:class`` test the data no longer passes."""
    if not dry_run:
        return
    change = _change(kg, before, graphs)
    if kg.store.has_graph(kg.store.inferred_graph):
        if change is None:
            inference.refresh(kg.store)
        else:
            inference.apply(kg.store, change)
    report = kg.validate(change)
    if not report.conforms:
        raise ValidationError(report, action="the write")


def update(kg: KnowledgeGraph, dry_run: bool, sparql: str) -> dict[str, Any]:
    """Apply a SPARQL update (already checked by the guard), in one transaction."""
    target = _target(kg, dry_run)
    prefixes = prefix_table(kg.settings.base_iri)
    reading = read_query(sparql, kg.settings.base_iri, prefixes)
    if kg.store.inferred_graph in reading.iris():
        raise InputError(
            f"the update names <{kg.store.inferred_graph}>, which is computed from the data "
            "and the ontology after every write; nothing was changed",
            hint="write the statements to a graph of their own: the inferred graph follows",
        )
    written = graphs_written(reading)
    # aikg's own graphs the update may write, read before a dry run to refuse a change
    # to them after it.
    fixed = _fixed_graphs(target, written) if dry_run else {}
    # What the graphs the update names held before it: to validate (a dry run) and derive
    # (a write) from what it changed only. A remote store derives everything anyway (and
    # is never read by graphs it does not keep); its dry runs run on a copy in memory.
    bounded = written is not None and (dry_run or target.store.native)
    before = target.store.graph_quads(written or []) if bounded else None
    # The engine commits the write at once; the inferred graph and the name index follow
    # it below: a process killed in between leaves the mark, and the store's next opening
    # derives them again.
    names = None if dry_run else kg.store.names
    if names is not None and names.write_pending():
        # A write before this one was not followed by what is derived (its derivation
        # failed): the mark stays for the store's next opening, whatever this one does.
        names = None
    if names is not None:
        names.mark_write(pending=True)
    try:
        target.store.update(clear_silently(sparql), prefixes=prefixes)
    except SyntaxError as error:
        _unmark(names)
        raise syntax_error(str(error.msg), sparql, reading, "update") from None
    except RuntimeError as error:  # the engine refuses the operation (DROP of no graph...)
        _unmark(names)
        raise InputError(
            f"the update failed: {error}; nothing was changed",
            hint="check that the graphs it names exist, or add SILENT",
        ) from None
    if dry_run and kg.store.remote and _writes_default_graph(target):
        # aikg's dataset on a server is its named graphs: what a server's default graph
        # holds no query of aikg sees (Oxigraph keeps it apart, Virtuoso has none).
        raise InputError(
            "the update writes into the default graph, which a remote store does not keep "
            "for aikg; nothing was changed",
            hint="write into a named graph: INSERT DATA { GRAPH <graph/NAME> { ... } }, "
            "or PUT /store?graph=...",
        )
    _refuse_changes_to_fixed_graphs(target, fixed)
    _check(target, dry_run, before, written or [])
    if not dry_run:
        change = _change(kg, before, written or [])
        kg.derive(change=change, written=change is None)
        kg.store.persist()
        _unmark(names)
    return {"applied": True}


def _unmark(names: NameIndex | None) -> None:
    """The write is over, or changed nothing: nothing is left to derive again."""
    if names is not None:
        names.mark_write(pending=False)


def _fixed_graphs(kg: KnowledgeGraph, written: list[str] | None) -> dict[str, set[ox.Quad]]:
    """The quads of the ontology and shapes graphs (aikg's own files, which the shapes
    every write must pass are compiled from) among the graphs an update may write
    (``written``; None: any)."""
    fixed = (kg.store.ontology_graph, kg.store.shapes_graph)
    return {g: set(kg.store.quads(g)) for g in fixed if written is None or g in written}


def _refuse_changes_to_fixed_graphs(tried: KnowledgeGraph, before: dict[str, set[ox.Quad]]) -> None:
    """Refuse a dry run that changed the ontology or the shapes graph other than by
    dropping it whole (``DROP ALL``, as the W3C protocol tests reset a store).

    The compiled shapes, and the walks that find what a change can break, follow aikg's
    own files, while the inferred graph follows the store's ontology: a subclass written
    there would make claims of nodes no later write's validation looks at, and a shape
    written there would never be enforced."""
    for graph, quads in before.items():
        after = set(tried.store.quads(graph))
        if after != quads and after:
            raise InputError(
                f"the write changes <{graph}>, which holds aikg's own "
                f"{'ontology' if graph == tried.store.ontology_graph else 'shapes'}: a write "
                "may drop it whole, but not change it; nothing was changed",
                hint="write the statements to a graph of their own; to change the ontology "
                "or the shapes, edit ontology/aikg.ttl or ontology/shapes.ttl and load a new "
                "store",
            )


def _writes_default_graph(tried: KnowledgeGraph) -> bool:
    """Whether the dry run of a write to a remote store left triples in the default graph
    of the copy (which starts without any: a remote store's quads are its named graphs)."""
    return (
        next(tried.store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None
    )


def _change(kg: KnowledgeGraph, before: set[ox.Quad] | None, graphs: list[str]) -> Change | None:
    """What a write changed in the graphs it names (None: it named none it could be
    bounded to)."""
    if before is None:
        return None
    after = kg.store.graph_quads(graphs)
    return Change.of(added=after - before, removed=before - after)


def _graph_ref(graph: str | None) -> str:
    return f"GRAPH {ox.NamedNode(graph)}" if graph else "DEFAULT"


def _insert_data(graph: str | None, nquads: bytes) -> tuple[str, int]:
    """INSERT DATA of the body's triples into ``graph`` (None: the default graph)."""
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    parsed = ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
    return insert_data(ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed)


def _exists(kg: KnowledgeGraph, graph: str | None, required: bool | None = None) -> bool:
    """Whether the graph exists (the default graph always does); ``required``: whether
    the write's precondition needs it to (``If-Match: *``) or not to (``If-None-Match:
    *``), a 412 if not, read in the write's own transaction."""
    exists = graph is None or kg.store.has_graph(graph)
    if required is None or exists == required:
        return exists
    if required:
        raise PreconditionFailedError(
            f"If-Match: * holds for a graph that exists, and there is no graph <{graph}>; "
            "nothing was changed",
            where="header If-Match",
            hint="leave If-Match out to create the graph",
        )
    what = f"the graph <{graph}>" if graph else "the default graph, which always"
    raise PreconditionFailedError(
        f"If-None-Match: * holds for a graph that does not exist, and {what} does; "
        "nothing was changed",
        where="header If-None-Match",
        hint="leave If-None-Match out to write to it as it is",
    )


def put_graph(
    kg: KnowledgeGraph,
    dry_run: bool,
    graph: str | None,
    nquads: bytes,
    exists: bool | None = None,
) -> dict[str, Any]:
    """Replace a named graph (or the default graph, ``graph=None``) with new triples,
    in one transaction (an update that drops and refills it); ``exists``: whether it must
    exist first (see :func:`_exists`)."""
    existed = _exists(kg, graph, exists)
    insert, count = _insert_data(graph, nquads)
    create = f"CREATE SILENT {_graph_ref(graph)} ;" if graph else ""
    operations = f"DROP SILENT {_graph_ref(graph)} ; {create} {insert}"
    update(kg, dry_run, operations.strip().rstrip(";"))
    return {"created": not existed, "triples": count}


def post_graph(
    kg: KnowledgeGraph,
    dry_run: bool,
    graph: str | None,
    nquads: bytes,
    exists: bool | None = None,
) -> dict[str, Any]:
    """Add triples to a named graph (created if new) or to the default graph; ``exists``:
    whether it must exist first (see :func:`_exists`)."""
    existed = _exists(kg, graph, exists)
    insert, count = _insert_data(graph, nquads)
    create = f"CREATE SILENT {_graph_ref(graph)} ;" if graph and not existed else ""
    operations = f"{create} {insert}".strip().rstrip(";")
    if operations:
        update(kg, dry_run, operations)
    return {"created": not existed, "triples": count}


def delete_graph(
    kg: KnowledgeGraph, dry_run: bool, graph: str | None, exists: bool | None = None
) -> dict[str, Any]:
    """Remove a named graph, or empty the default graph; ``exists``: whether it must exist
    first (see :func:`_exists`)."""
    if not _exists(kg, graph, exists):
        raise NotFoundError(
            f"no graph {graph}",
            where="graph parameter",
            hint="the service description (GET /sparql) lists the named graphs",
        )
    update(kg, dry_run, f"DROP {_graph_ref(graph)}")
    return {"deleted": True}


WRITE_JOBS: dict[str, Callable[..., Any]] = {
    "update": update,
    "put_graph": put_graph,
    "post_graph": post_graph,
    "delete_graph": delete_graph,
}
