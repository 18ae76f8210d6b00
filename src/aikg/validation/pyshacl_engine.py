"""SHACL validation with pySHACL, turned into a typed report.

The data graph is the union of the instance-data graphs; the ontology is mixed in
(``ont_graph``) so that ``sh:class`` sees subclasses; no inference is run. Each violation
names its focus node, path, value, source shape (and, for SPARQL constraints, the
constraint), message, and the named graph and file it sits in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib.plugins.sparql
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from aikg import namespaces, package_data
from aikg.terms import triples_to_graph

SH = Namespace(namespaces.SH)


@dataclass(frozen=True)
class Violation:
    """One result of a SHACL validation."""

    focus_node: str
    path: str | None
    value: str | None
    source_shape: str
    source_constraint: str | None
    constraint_component: str
    severity: str
    message: str
    graph: str | None = None
    """The named graph holding the focus node's triples, when known."""
    file: str | None = None
    """The file that graph was loaded from, when known."""

    def order(self) -> tuple[str, str, str, str, str]:
        """The order reports list violations in: by file (or graph), focus node, path,
        shape and value, whichever engine found them."""
        return (
            self.file or self.graph or "",
            self.focus_node,
            self.path or "",
            self.source_shape,
            self.value or "",
        )

    def location(self) -> str:
        """Where the violation is, for people: file (or graph), focus node, path."""
        place = self.file or self.graph or "data"
        path = f", path <{self.path}>" if self.path else ""
        return f"{place}: {_shown(self.focus_node)}{path}"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: conforms, and the violations if not."""

    conforms: bool
    violations: tuple[Violation, ...] = ()
    graph: Graph = field(default_factory=Graph, compare=False, repr=False)
    """The SHACL validation report graph (``sh:ValidationReport``)."""

    def to_text(self) -> str:
        """A readable report, one violation per paragraph."""
        if self.conforms:
            return "Conforms: the data satisfies every shape."
        lines = [f"Does not conform: {len(self.violations)} violation(s)."]
        for v in self.violations:
            lines.append("")
            lines.append(f"- {v.location()}")
            lines.append(f"  {v.message}")
            if v.value is not None:
                lines.append(f"  value: {v.value}")
            lines.append(f"  shape: <{v.source_constraint or v.source_shape}>")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"conforms": self.conforms, "violations": [asdict(v) for v in self.violations]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_turtle(self) -> str:
        """The SHACL validation report graph in Turtle."""
        return self.graph.serialize(format="turtle")


def _node(focus: str) -> URIRef | BNode:
    """A focus node as reported (an IRI, or a blank node's label) in rdflib's terms."""
    return URIRef(focus) if _is_iri(focus) else BNode(focus)


def _is_iri(focus: str) -> bool:
    """Whether a focus node as reported is an IRI (an absolute IRI has a scheme and a colon;
    a blank node's label, which the engines report without ``_:``, has none)."""
    return ":" in focus


def _shown(focus: str) -> str:
    return f"<{focus}>" if _is_iri(focus) else f"_:{focus}"


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _shapes_and_ontology() -> tuple[Graph, Graph]:
    shapes = Graph().parse(data=package_data.shapes_file().read_text("utf-8"), format="turtle")
    ontology = Graph().parse(data=package_data.ontology_file().read_text("utf-8"), format="turtle")
    return shapes, ontology


_CACHE: dict[str, tuple[Graph, Graph]] = {}


def _cached_shapes_and_ontology() -> tuple[Graph, Graph]:
    # Parsing the shapes and ontology with rdflib takes ~0.3 s; they do not change while
    # the process runs.
    if "bundled" not in _CACHE:
        _CACHE["bundled"] = _shapes_and_ontology()
    return _CACHE["bundled"]


def validate_quads(
    quads: Iterable[ox.Quad],
    *,
    graph_files: Mapping[str, str] | None = None,
) -> ValidationReport:
    """Validate instance-data quads against the bundled shapes.

    ``graph_files`` maps named-graph IRIs to the files they came from, so that each
    violation can name its file.
    """
    quads = list(quads)
    data = triples_to_graph(quads)
    shapes, ontology = _cached_shapes_and_ontology()
    # Imported here: pySHACL takes a quarter of a second to import, and the default
    # validator does not use it.
    from pyshacl import validate as pyshacl_validate  # noqa: PLC0415

    # pySHACL evaluates SHACL-SPARQL constraints with rdflib's engine, which would fetch
    # FROM <...> graphs over the network or from the file system: off while it runs (and
    # only then, so that aikg changes nothing for the rest of a program using rdflib).
    loads_graphs = rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    try:
        conforms, report_graph, _ = pyshacl_validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
    finally:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = loads_graphs
    subject_graphs: dict[str, str] = {}
    for q in quads:
        if isinstance(q.subject, ox.NamedNode | ox.BlankNode) and isinstance(
            q.graph_name, ox.NamedNode
        ):
            subject_graphs.setdefault(q.subject.value, q.graph_name.value)
    files = dict(graph_files or {})
    violations = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = str(report_graph.value(result, SH.focusNode))
        graph = subject_graphs.get(focus)
        violations.append(
            Violation(
                focus_node=focus,
                path=_text(report_graph.value(result, SH.resultPath)),
                value=_text(report_graph.value(result, SH.value)),
                source_shape=str(report_graph.value(result, SH.sourceShape)),
                source_constraint=_source_constraint(report_graph, result),
                constraint_component=str(
                    report_graph.value(result, SH.sourceConstraintComponent)
                ).rsplit("#", 1)[-1],
                severity=str(report_graph.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                message=str(report_graph.value(result, SH.resultMessage) or ""),
                graph=graph,
                file=files.get(graph) if graph else None,
            )
        )
    violations.sort(key=Violation.order)
    return ValidationReport(
        conforms=bool(conforms), violations=tuple(violations), graph=report_graph
    )


def with_checks(report: ValidationReport, found: Iterable[Violation]) -> ValidationReport:
    """The report with the violations of aikg's checks beside the shapes added (the
    source texts, :mod:`aikg.sources`; the literal forms,
    :mod:`aikg.validation.literals`), in the report graph too."""
    found = tuple(found)
    if not found:
        return report
    graph = Graph()
    for triple in report.graph:
        graph.add(triple)
    report_node = next(iter(graph.subjects(RDF.type, SH.ValidationReport)), None)
    if report_node is not None:
        graph.set((report_node, SH.conforms, Literal(False)))
    for v in found:
        result = BNode()
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, _node(v.focus_node)))
        if v.path:
            graph.add((result, SH.resultPath, URIRef(v.path)))
        if v.value is not None:
            graph.add((result, SH.value, Literal(v.value)))
        graph.add((result, SH.sourceShape, URIRef(v.source_shape)))
        graph.add((result, SH.resultSeverity, SH.Violation))
        graph.add((result, SH.resultMessage, Literal(v.message)))
        if report_node is not None:
            graph.add((report_node, SH.result, result))
    violations = tuple(sorted((*report.violations, *found), key=Violation.order))
    return ValidationReport(conforms=False, violations=violations, graph=graph)


def _source_constraint(report: Graph, result: Node) -> str | None:
    constraint = report.value(result, SH.sourceConstraint)
    return str(constraint) if isinstance(constraint, URIRef) else None
