"""The SHACL shapes, tested against examples, after OGC GeoSPARQL 1.1's validator tests.

``tests/shapes/`` holds, for every node shape of ``ontology/shapes.ttl``, a valid example
(``<Shape>-valid.ttl``) and invalid ones (``<Shape>-invalid-NN.ttl``), plus a shared
``context.ttl`` of conforming resources the examples point at. Each invalid example starts
with the exact violations it must produce, one per line::

    # expect: <focus node> <path or -> <source shape> [<source SPARQL constraint>]

(``_:`` for a blank focus node.)
Every example is validated together with the context, through the same entry point the
loader uses (:func:`aikg.validation.pyshacl_engine.validate_quads`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef
from rdflib.term import Node

from aikg import package_data
from aikg.formats import rdf_format
from aikg.store.local import parse_rdf
from aikg.validation.pyshacl_engine import ValidationReport, validate_quads

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES_NS = "https://w3id.org/aikg/shapes#"
TEST_GRAPH = "https://example.org/graph/test"

EXAMPLES = Path(__file__).resolve().parent / "shapes"
CONTEXT = EXAMPLES / "context.ttl"
VALID = sorted(EXAMPLES.glob("*-valid.ttl"))
INVALID = sorted(EXAMPLES.glob("*-invalid-*.ttl"))
EXAMPLE_NAME = re.compile(r"^(?P<shape>[A-Za-z]+)-(?:valid|invalid-\d{2})\.ttl$")

Expectation = tuple[str, str | None, str, str | None]
"""(focus node, path or None, source shape, source SPARQL constraint or None)."""


# ------------------------------------------------------------------ helpers


@functools.cache
def quads_of(path: Path) -> tuple[ox.Quad, ...]:
    """The quads of one example file (parsed once per session)."""
    parsed = parse_rdf(
        path.read_bytes(), source=path.name, fmt=rdf_format("turtle"), graph=TEST_GRAPH
    )
    return parsed.quads


def validate_with_context(paths: Iterable[Path]) -> ValidationReport:
    quads = list(quads_of(CONTEXT))
    for path in paths:
        quads.extend(quads_of(path))
    return validate_quads(quads)


def found(report: ValidationReport) -> set[Expectation]:
    """The violations as expectations; a blank focus node (its label is drawn afresh on
    every parse) as ``_:``."""
    return {
        (v.focus_node if ":" in v.focus_node else "_:", v.path, v.source_shape, v.source_constraint)
        for v in report.violations
    }


def expected(path: Path) -> set[Expectation]:
    """The ``# expect:`` lines of the comment block an example starts with."""
    expectations: set[Expectation] = set()
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith("# expect:"):
            continue
        fields = [f.strip("<>") for f in line.removeprefix("# expect:").split()]
        if len(fields) not in (3, 4):
            raise ValueError(f"{path.name}: an expect line has 3 or 4 fields: {line!r}")
        focus, result_path, shape = fields[:3]
        constraint = fields[3] if len(fields) == 4 else None
        expectations.add((focus, None if result_path == "-" else result_path, shape, constraint))
    return expectations


def shape_of(path: Path) -> str:
    """The IRI of the node shape an example file is named after."""
    match = EXAMPLE_NAME.match(path.name)
    assert match, f"{path.name} is not named <Shape>-valid.ttl or <Shape>-invalid-NN.ttl"
    return SHAPES_NS + match["shape"]


@functools.cache
def shapes_graph() -> Graph:
    return Graph().parse(data=package_data.shapes_file().read_text("utf-8"), format="turtle")


@functools.cache
def ontology_graph() -> Graph:
    return Graph().parse(data=package_data.ontology_file().read_text("utf-8"), format="turtle")


def node_shapes() -> set[Node]:
    return set(shapes_graph().subjects(RDF.type, SH.NodeShape))


def property_shapes() -> set[Node]:
    g = shapes_graph()
    return set(g.subjects(RDF.type, SH.PropertyShape)) | set(g.objects(None, SH.property))


def sparql_constraints() -> set[Node]:
    g = shapes_graph()
    return set(g.subjects(RDF.type, SH.SPARQLConstraint)) | set(g.objects(None, SH.sparql))


def all_shapes() -> set[Node]:
    return node_shapes() | property_shapes() | sparql_constraints()


def owned_by(node_shape: Node) -> set[str]:
    """The node shape and its property shapes and SPARQL constraints, as IRIs."""
    g = shapes_graph()
    owned = {node_shape} | set(g.objects(node_shape, SH.property))
    owned |= set(g.objects(node_shape, SH.sparql))
    return {str(s) for s in owned}


def named_in(expectations: Iterable[Expectation]) -> set[str]:
    """The shape and constraint IRIs named by some expectations."""
    return {iri for _, _, shape, constraint in expectations for iri in (shape, constraint) if iri}


# Node-level constraints whose results name the node shape itself, with no result path.
NODE_LEVEL = (
    SH["or"],
    SH.xone,
    SH["and"],
    SH["not"],
    SH.node,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.hasValue,
    SH.closed,
    SH.pattern,
)


def targets_of(node_shape: Node, data: Graph) -> set[Node]:
    """The focus nodes of a node shape in ``data`` (subclasses from the ontology)."""
    g = shapes_graph()
    focus: set[Node] = set()
    for cls in g.objects(node_shape, SH.targetClass):
        for sub in ontology_graph().transitive_subjects(RDFS.subClassOf, cls):
            focus |= set(data.subjects(RDF.type, sub))
    for prop in g.objects(node_shape, SH.targetSubjectsOf):
        focus |= set(data.subjects(prop, None))
    for prop in g.objects(node_shape, SH.targetObjectsOf):
        focus |= set(data.objects(None, prop))
    focus |= {n for n in g.objects(node_shape, SH.targetNode) if (n, None, None) in data}
    return focus


# ------------------------------------------------------------------ the examples


def test_the_context_conforms_on_its_own() -> None:
    report = validate_with_context([])
    assert report.conforms, report.to_text()
    assert report.violations == ()


def test_every_valid_example_conforms_with_the_context() -> None:
    assert VALID, "no valid examples found"
    report = validate_with_context(VALID)
    assert report.conforms, report.to_text()
    assert report.violations == ()


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_example_has_a_focus_node_of_its_shape(path: Path) -> None:
    """A valid example proves nothing unless its shape actually applies to it."""
    data = Graph().parse(path, format="turtle")
    assert targets_of(URIRef(shape_of(path)), data), f"{path.name} has no focus node"
    assert not expected(path), f"{path.name} is valid but has # expect: lines"


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_example_yields_exactly_its_expected_violations(path: Path) -> None:
    expectations = expected(path)
    assert expectations, f"{path.name} has no # expect: line"
    report = validate_with_context([path])
    assert not report.conforms
    assert found(report) == expectations, report.to_text()
    assert all(v.severity == "Violation" for v in report.violations)
    assert all(v.message.strip() for v in report.violations), report.to_text()


# ------------------------------------------------------------------ coverage


def test_every_node_shape_has_a_valid_example() -> None:
    with_example = {shape_of(p) for p in VALID}
    missing = sorted(str(s) for s in node_shapes() if str(s) not in with_example)
    assert not missing, f"node shapes without a -valid.ttl example: {missing}"


def test_every_example_is_named_after_a_node_shape_and_trips_it() -> None:
    shapes = {str(s) for s in node_shapes()}
    for path in VALID + INVALID:
        assert shape_of(path) in shapes, f"{path.name}: no such node shape"
    for path in INVALID:
        assert named_in(expected(path)) & owned_by(URIRef(shape_of(path))), (
            f"{path.name} expects no violation of {shape_of(path)} or its parts"
        )


def test_every_shape_and_constraint_is_covered_by_an_expectation() -> None:
    """Adding a shape without an invalid example fails here."""
    covered: set[str] = set()
    for path in INVALID:
        covered |= named_in(expected(path))
    missing = sorted(
        str(s) for s in property_shapes() | sparql_constraints() if str(s) not in covered
    )
    missing += sorted(str(s) for s in node_shapes() if not owned_by(s) & covered)
    assert not missing, f"shapes no # expect: line covers: {missing}"


def test_every_node_level_constraint_is_covered_by_an_expectation() -> None:
    """A node shape's own sh:or / sh:xone (results without a path) has an invalid example."""
    pathless = {
        shape
        for path in INVALID
        for _, result_path, shape, constraint in expected(path)
        if result_path is None and constraint is None
    }
    g = shapes_graph()
    with_node_level = {
        str(s) for s in node_shapes() if any(g.value(s, p) is not None for p in NODE_LEVEL)
    }
    assert with_node_level, "expected sh:or / sh:xone node shapes in shapes.ttl"
    missing = sorted(with_node_level - pathless)
    assert not missing, f"node-level constraints without a pathless # expect: line: {missing}"


# ------------------------------------------------------------------ the shapes themselves


def test_every_shape_and_constraint_has_a_stable_iri() -> None:
    assert len(node_shapes()) > 1 and len(property_shapes()) > 1 and len(sparql_constraints()) > 1
    not_stable = sorted(
        str(s) for s in all_shapes() if not (isinstance(s, URIRef) and str(s).startswith(SHAPES_NS))
    )
    assert not not_stable, f"shapes without an aikgsh: IRI: {not_stable}"


def test_every_shape_and_constraint_has_a_message() -> None:
    g = shapes_graph()
    silent = sorted(str(s) for s in all_shapes() if not str(g.value(s, SH.message) or "").strip())
    assert not silent, f"shapes without an sh:message: {silent}"


def test_every_owl_class_is_the_target_class_of_a_node_shape() -> None:
    g = shapes_graph()
    targeted = {t for s in node_shapes() for t in g.objects(s, SH.targetClass)}
    classes = {c for c in ontology_graph().subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    assert classes, "no owl:Class in the ontology"
    untargeted = sorted(str(c) for c in classes - targeted)
    assert not untargeted, f"classes no node shape targets: {untargeted}"
