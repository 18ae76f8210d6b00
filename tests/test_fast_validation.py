"""The fast validator (shapes compiled to SPARQL on Oxigraph) against pySHACL, the reference.

The differential test runs both on every shape example (valid and invalid, 192 of them)
and on generated data with and without injected violations, and requires the same
violations: focus node, path, value, source shape, source constraint, constraint
component and message.
"""

from __future__ import annotations

import platform
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from aikg import KnowledgeGraph, machine, package_data
from aikg.config import Settings
from aikg.errors import ConfigError, UnsupportedShapeError
from aikg.synthetic.generate import VIOLATION_KINDS, generate
from aikg.validation import fast as fast_engine
from aikg.validation import pyshacl_engine
from aikg.validation.fast import Compiler
from aikg.validation.pyshacl_engine import ValidationReport
from tests.test_shapes import CONTEXT, INVALID, VALID, quads_of

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

Key = tuple[str, str | None, str | None, str, str | None, str, str]


def _value(text: str | None) -> str | None:
    # Oxigraph stores numbers by value ("2.0"^^xsd:decimal comes back as "2"), pySHACL
    # keeps the lexical form: compare numbers as numbers.
    if text is None:
        return None
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return text


def keys(report: ValidationReport) -> list[Key]:
    return sorted(
        (
            v.focus_node,
            v.path,
            _value(v.value),
            v.source_shape,
            v.source_constraint,
            v.constraint_component,
            v.message,
        )
        for v in report.violations
    )


def both(quads: list[ox.Quad]) -> tuple[ValidationReport, ValidationReport]:
    return pyshacl_engine.validate_quads(quads), fast_engine.validate_quads(quads)


@pytest.mark.parametrize("example", VALID + INVALID, ids=lambda p: p.name)
def test_the_fast_validator_agrees_with_pyshacl_on_every_shape_example(example: Path) -> None:
    reference, fast = both([*quads_of(CONTEXT), *quads_of(example)])
    assert keys(fast) == keys(reference)
    assert fast.conforms == reference.conforms == ("-valid" in example.name)


def test_the_bundled_data_conforms_with_both_engines() -> None:
    kg = KnowledgeGraph.load()
    quads = list(kg.store.data_quads())
    reference, fast = both(quads)
    assert reference.conforms and fast.conforms
    assert kg.validate().conforms


def test_violations_name_their_graph_and_file_like_pyshacl() -> None:
    invalid = next(p for p in INVALID if p.name.startswith("HardwareHoldingShape"))
    quads = [*quads_of(CONTEXT), *quads_of(invalid)]
    files = {"https://example.org/graph/test": "holdings.ttl"}
    fast = fast_engine.validate_quads(quads, graph_files=files)
    reference = pyshacl_engine.validate_quads(quads, graph_files=files)
    assert fast.violations, "the example has violations"
    assert [(v.graph, v.file) for v in fast.violations] == [
        (v.graph, v.file) for v in reference.violations
    ]
    assert {v.file for v in fast.violations} == {"holdings.ttl"}


def test_the_report_graph_is_a_shacl_validation_report() -> None:
    invalid = INVALID[0]
    fast = fast_engine.validate_quads([*quads_of(CONTEXT), *quads_of(invalid)])
    graph = Graph().parse(data=fast.to_turtle(), format="turtle")
    report = next(graph.subjects(predicate=SH.conforms))
    assert not graph.value(report, SH.conforms).toPython()
    results = list(graph.objects(report, SH.result))
    assert len(results) == len(fast.violations) > 0
    for result in results:
        assert graph.value(result, SH.focusNode) is not None
        assert graph.value(result, SH.sourceShape) is not None
        assert graph.value(result, SH.resultSeverity) == SH.Violation


SHAPES_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
"""


@pytest.mark.parametrize(
    ("shape", "construct"),
    [
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .", "closed"),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
            "sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .",
            "expected an IRI",
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
            "sh:property [ sh:path ex:p ; sh:equals ex:q ] .",
            "equals",
        ),
        ("ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:nodeKind sh:IRI .", "targetNode"),
    ],
)
def test_shapes_it_cannot_compile_are_refused_not_skipped(shape: str, construct: str) -> None:
    shapes = ox.parse(SHAPES_PREFIXES + shape, format=ox.RdfFormat.TURTLE)
    with pytest.raises(UnsupportedShapeError) as caught:
        Compiler(shapes, []).compile()
    assert construct in str(caught.value)


def test_deactivated_shapes_and_severities_are_honoured() -> None:
    shapes = ox.parse(
        SHAPES_PREFIXES
        + """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
          sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "w" ] ;
          sh:property [ sh:path ex:q ; sh:minCount 1 ; sh:deactivated true ] .
        """,
        format=ox.RdfFormat.TURTLE,
    )
    checks = Compiler(shapes, []).compile()
    store = ox.Store()
    data = ox.NamedNode("https://example.org/g")
    store.add(
        ox.Quad(
            ox.NamedNode("https://example.org/x"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://example.org/C"),
            data,
        )
    )
    report = fast_engine.validate_store(store, checks, [data.value])
    assert [(v.path, v.severity, v.message) for v in report.violations] == [
        ("https://example.org/p", "Warning", "w")
    ]


def test_the_engine_is_a_setting() -> None:
    assert Settings().validator == "fast"
    assert Settings.from_env({"AIKG_VALIDATOR": "pyshacl"}).validator == "pyshacl"
    with pytest.raises(ConfigError) as caught:
        Settings(validator="jena")
    assert "fast, pyshacl" in str(caught.value.hint)
    kg = KnowledgeGraph.load(settings=Settings(validator="pyshacl"))
    assert kg.validate().conforms


GRAPH = "https://example.org/g"
"""The graph the screen tests' data is loaded into."""

SCREENED_SHAPE = """
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ;
                sh:minInclusive 0 ] ;
  sh:property [ sh:path ex:q ; sh:maxCount 1 ] .
"""


class RecordingStore:
    """A store that keeps the text of every query asked of it."""

    def __init__(self, turtle: str):
        self.store = ox.Store()
        self.store.load(
            SHAPES_PREFIXES + turtle,
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(GRAPH),
        )
        self.asked: list[str] = []

    def query(self, text: str, **options: object) -> object:
        self.asked.append(text)
        return self.store.query(text, **options)  # type: ignore[arg-type]

    def quads_for_pattern(self, *pattern: object) -> object:
        return self.store.quads_for_pattern(*pattern)  # type: ignore[arg-type]


def screened_checks() -> list[fast_engine.Check]:
    shapes = ox.parse(
        SHAPES_PREFIXES + "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + SCREENED_SHAPE,
        format=ox.RdfFormat.TURTLE,
    )
    return Compiler(shapes, []).compile()


def test_a_property_shapes_checks_run_only_where_its_screen_flags_a_node() -> None:
    checks = screened_checks()
    p_checks = [c for c in checks if c.path == "https://example.org/p"]
    assert len(p_checks) == 4 and len({c.screen for c in p_checks}) == 1
    assert all(c.screen is None for c in checks if c.path == "https://example.org/q")
    data = """
        ex:ok a ex:C ; ex:p 1 .
        ex:none a ex:C .
        ex:two a ex:C ; ex:p 1, 2 .
        ex:text a ex:C ; ex:p "one" .
        ex:below a ex:C ; ex:p -1 .
    """
    store = RecordingStore(data)
    report = fast_engine.validate_store(store, checks, [GRAPH])  # type: ignore[arg-type]
    found = {(v.focus_node.rsplit("/", 1)[-1], v.constraint_component) for v in report.violations}
    assert found == {
        ("none", "MinCountConstraintComponent"),
        ("two", "MaxCountConstraintComponent"),
        ("text", "DatatypeConstraintComponent"),
        ("text", "MinInclusiveConstraintComponent"),  # a string is not comparable with 0
        ("below", "MinInclusiveConstraintComponent"),
    }
    # The same violations as the checks give run one by one, each over every target.
    alone = [replace(c, screen=None) for c in checks]
    assert keys(fast_engine.validate_store(store.store, alone, [GRAPH])) == (keys(report))
    # The shape's four checks ran once each, on the four flagged nodes only (not ex:ok).
    focused = [q for q in store.asked if "VALUES ?this" in q]
    assert len(focused) == 4
    assert all("/none>" in q and "/below>" in q and "/ok>" not in q for q in focused)


def test_on_conforming_data_only_the_screen_runs_of_a_screened_shape() -> None:
    store = RecordingStore("ex:ok a ex:C ; ex:p 1 ; ex:q 2 .")
    report = fast_engine.validate_store(store, screened_checks(), [GRAPH])  # type: ignore[arg-type]
    assert report.conforms
    # One screen for ex:p's four checks, and ex:q's one check on its own.
    assert len(store.asked) == 2


def test_a_value_condition_that_fails_to_evaluate_flags_its_node() -> None:
    """The screen may flag more nodes than the checks find, never fewer: a condition in
    error (here a division by zero) flags the node, and the check itself decides."""
    store = RecordingStore("ex:x a ex:C ; ex:p 1 .")
    target = "{ SELECT DISTINCT ?this WHERE { ?this a <https://example.org/C> } }"
    screen = fast_engine._screen(target, "<https://example.org/p>", None, None, ["1/0 = 1"])
    flagged = fast_engine._flagged(store.store, screen)
    assert flagged == {ox.NamedNode("https://example.org/x")}
    assert fast_engine._flagged(store.store, screen.replace("1/0 = 1", "1 = 0")) == set()


def test_a_screen_that_flags_many_nodes_runs_the_checks_in_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the focus limit, a query per batch of flagged nodes would cost more than one
    pass over the targets: each check runs once, whole, with the same verdict."""
    data = "ex:a a ex:C . ex:b a ex:C . ex:c a ex:C ; ex:p 1 ."
    checks = screened_checks()
    batched = RecordingStore(data)
    expected = fast_engine.validate_store(batched, checks, [GRAPH])  # type: ignore[arg-type]
    monkeypatch.setattr(fast_engine, "FOCUS_LIMIT", 1)
    whole = RecordingStore(data)
    report = fast_engine.validate_store(whole, checks, [GRAPH])  # type: ignore[arg-type]
    assert keys(report) == keys(expected) and len(report.violations) == 2
    alone = [replace(c, screen=None) for c in checks]
    assert keys(report) == keys(fast_engine.validate_store(whole.store, alone, [GRAPH]))
    assert any("VALUES ?this" in q for q in batched.asked)
    assert not any("VALUES ?this" in q for q in whole.asked)


def test_a_target_names_each_class_once_though_several_of_its_classes_are_above_it() -> None:
    shapes = ox.parse(
        SHAPES_PREFIXES
        + "ex:S a sh:NodeShape ; sh:targetClass ex:C , ex:D ; "
        + "sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 ] .",
        format=ox.RdfFormat.TURTLE,
    )
    ontology = ox.parse(
        "<https://example.org/D> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<https://example.org/C> .",
        format=ox.RdfFormat.N_TRIPLES,
    )
    checks = Compiler(shapes, ontology).compile()
    assert len(checks) == 2
    for check in checks:
        # ex:D is named, and is below ex:C: one filter, each class in it once.
        for query in (check.query, check.screen or ""):
            assert query.count("?_class IN (<https://example.org/C>, <https://example.org/D>)") == 1
            assert query.count("<https://example.org/D>") == 1
    store = RecordingStore(
        "ex:c a ex:C . ex:d a ex:D . ex:both a ex:C , ex:D ; ex:p 1 , 2 . ex:ok a ex:D ; ex:p 1 ."
    )
    report = fast_engine.validate_store(store, checks, [GRAPH])  # type: ignore[arg-type]
    found = sorted(
        (v.focus_node.rsplit("/", 1)[-1], v.constraint_component) for v in report.violations
    )
    assert found == [
        ("both", "MaxCountConstraintComponent"),
        ("c", "MinCountConstraintComponent"),
        ("d", "MinCountConstraintComponent"),
    ]


def test_screened_checks_find_what_each_check_alone_finds_on_generated_data() -> None:
    """Every kind of injected violation, in generated data with the bundled shapes: the
    screens send each check to exactly the nodes where it finds something."""
    store = ox.Store()
    store.bulk_extend(generate(3_000, seed=8, violations=len(VIOLATION_KINDS)))
    graphs = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    store.bulk_load(
        package_data.ontology_file().read_bytes(),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode("https://example.org/ontology"),
    )
    checks = fast_engine.bundled_checks()
    assert sum(1 for c in checks if c.screen) > len({c.screen for c in checks if c.screen}) > 50
    alone = [replace(c, screen=None) for c in checks]
    screened = fast_engine.validate_store(store, checks, graphs)
    assert keys(screened) == keys(fast_engine.validate_store(store, alone, graphs))
    assert len(screened.violations) >= len(VIOLATION_KINDS)


def test_a_whole_validation_merges_the_memory_its_queries_freed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Left to glibc, the blocks a whole validation's aggregates freed were merged by the
    next query: 1.4 s of CPU for the first incremental validation after one at 10M."""
    released: list[bool] = []
    monkeypatch.setattr(fast_engine, "release_freed_memory", lambda: released.append(True))
    fast_engine.validate_store(
        RecordingStore("ex:ok a ex:C ; ex:p 1 ."), screened_checks(), [GRAPH]
    )  # type: ignore[arg-type]
    assert released == [True]
    assert machine.release_freed_memory() is (platform.libc_ver()[0] == "glibc")


@pytest.mark.parametrize("lexical", ["maybe", "yes", "2"])
@pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")  # rdflib's, expected
def test_a_literal_of_a_datatype_in_name_only_is_refused_as_pyshacl_refuses_it(
    lexical: str,
) -> None:
    """``"maybe"^^xsd:boolean`` is stored as written, with the datatype, but it is no
    boolean: ``sh:datatype`` wants a valid lexical form. (pySHACL's value is rdflib's
    reading of it, ``false``: the rest of the violation is compared.)"""
    aikg = "https://w3id.org/aikg/ontology#"
    person = ox.NamedNode("https://example.org/maybe-anonymous")
    graph = ox.NamedNode("https://example.org/graph/test")
    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [
        *quads_of(CONTEXT),
        ox.Quad(person, ox.NamedNode(RDF_TYPE), ox.NamedNode(aikg + "Person"), graph),
        ox.Quad(person, label, ox.Literal("someone", language="en"), graph),
        ox.Quad(
            person,
            ox.NamedNode(aikg + "mentionedIn"),
            ox.NamedNode("https://example.org/source-s1"),
            graph,
        ),
        ox.Quad(
            person, ox.NamedNode(aikg + "anonymous"), ox.Literal(lexical, datatype=boolean), graph
        ),
    ]
    pyshacl, fast = both(quads)
    wanted = [
        (person.value, aikg + "anonymous", "https://w3id.org/aikg/shapes#AgentShape-anonymous")
    ]
    assert [(v.focus_node, v.path, v.source_shape) for v in fast.violations] == wanted
    assert [(v.focus_node, v.path, v.source_shape) for v in pyshacl.violations] == wanted
    assert fast.violations[0].value == lexical
