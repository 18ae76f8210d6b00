"""Incremental validation against full validation: the same violations after a change.

A store of generated data that conforms is changed (dossiers added with every kind of
injected violation, random triples removed, types taken from nodes that only other nodes'
shapes reach, old nodes joined by new triples, all at once), then validated in full and at
the focus nodes the change can affect (:mod:`aikg.validation.incremental`); the two must
report the same violations, compared as (focus node, path, value, source shape, constraint,
component). An addition walks only what a positive part of a check reads, a removal only
what a negated part reads: the additions here that break old nodes are the proof that
nothing an addition can break is left to the removals' walks.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aikg import KnowledgeGraph, package_data
from aikg.config import DEFAULT_BASE_IRI
from aikg.errors import InputError, ValidationError
from aikg.namespaces import AIKG, RDF
from aikg.synthetic.dossier import Generator
from aikg.synthetic.generate import generate
from aikg.synthetic.violations import KINDS, VIOLATION_KINDS
from aikg.validation.fast import Found, bundled_checks, run_checks
from aikg.validation.incremental import Change, focus_nodes, run_focused
from aikg.validation.pyshacl_engine import Violation
from aikg.validation.reach import sparql_reach

Key = tuple[str, str | None, str | None, str, str | None, str]
SEED = 5
TYPE = ox.NamedNode(RDF + "type")


def keys(found: list[Found]) -> set[Key]:
    return {
        (
            v.focus_node,
            v.path,
            v.value,
            v.source_shape,
            v.source_constraint,
            v.constraint_component,
        )
        for v, _, _ in found
    }


@pytest.fixture(scope="module")
def base() -> list[ox.Quad]:
    """About 6,000 generated triples that conform, and the ontology."""
    ontology = ox.NamedNode("urn:test:ontology")
    quads = list(generate(6_000, seed=SEED))
    parsed = ox.parse(package_data.ontology_file().read_bytes(), format=ox.RdfFormat.TURTLE)
    return quads + [ox.Quad(t.subject, t.predicate, t.object, ontology) for t in parsed]


def store_of(quads: list[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(quads)
    return store


def store_without(
    quads: list[ox.Quad], rng: random.Random, removals: int
) -> tuple[ox.Store, list[ox.Quad]]:
    """A store of ``quads`` less ``removals`` of their data quads drawn at random, and
    those quads."""
    store = store_of(quads)
    removed = rng.sample(data_quads(quads), removals)
    for quad in removed:
        store.remove(quad)
    return store, removed


def dossier(b: int, broken: frozenset[str], *, header: bool = False) -> list[ox.Quad]:
    """Generated dossier ``b`` (new nodes, pointing at the shared reference nodes and at
    dossier ``b - 1``'s country), with the violations ``broken``; the reference part too
    with ``header``."""
    generator = Generator(DEFAULT_BASE_IRI, SEED)
    reference, _ = generator.header()
    text, _ = generator.block(b, broken)
    return list(ox.parse((reference if header else "") + text, format=ox.RdfFormat.N_QUADS))


def data_quads(quads: list[ox.Quad]) -> list[ox.Quad]:
    return [q for q in quads if q.graph_name != ox.NamedNode("urn:test:ontology")]


def assert_same_as_full(store: ox.Store, change: Change) -> set[Key]:
    checks = bundled_checks()
    full = keys(run_checks(store, checks))
    incremental = keys(run_focused(store, checks, change))
    assert incremental == full
    return full


def test_the_base_conforms(base: list[ox.Quad]) -> None:
    assert keys(run_checks(store_of(base), bundled_checks())) == set()


def test_an_addition_with_every_kind_of_violation_gives_the_full_verdict(
    base: list[ox.Quad],
) -> None:
    added = dossier(10_000, frozenset(VIOLATION_KINDS))
    store = store_of(base)
    store.bulk_extend(added)
    found = assert_same_as_full(store, Change.of(added=added))
    # Every kind's result (and a company based in dossier 9,999's country, not in the store)
    assert {key[3].rsplit("#", 1)[-1] for key in found} >= {shape for _, _, shape, *_ in KINDS}


def test_an_addition_without_injected_violations_looks_at_little(
    base: list[ox.Quad],
) -> None:
    added = dossier(50_000, frozenset())
    store = store_of(base)
    store.bulk_extend(added)
    # Its one violation: a company based in dossier 49,999's country, not in the store.
    assert [(k[2], k[5]) for k in assert_same_as_full(store, Change.of(added=added))] == [
        (DEFAULT_BASE_IRI + "country/g49999", "ClassConstraintComponent")
    ]
    bounded = [n for n in focus_nodes(store, bundled_checks(), Change.of(added=added)) if n]
    # No check looks at more nodes than the dossier has triples (the store has ~13x more).
    assert bounded and max(len(n) for n in bounded) < len(added)


@pytest.mark.parametrize(
    ("what", "node", "cls"),
    [
        ("a country that claims are about", "country/g3", "Country"),
        ("a quotation a claim rests on", "quote/holding-g31", "Quotation"),
        ("a source claims are derived from", "source/g13", "Source"),
        ("a tier index positions are in", "tier/g4-1", "Tier"),
        ("a company that holds hardware", "company/g9", "Company"),
    ],
)
def test_a_type_removed_from_a_node_other_shapes_reach(
    base: list[ox.Quad], what: str, node: str, cls: str
) -> None:
    """The violations are at the nodes whose sh:class (or sh:or of classes) points at the
    node, not at the node itself: they are found only through its neighbours' shapes."""
    store = store_of(base)
    removed = ox.Quad(ox.NamedNode(DEFAULT_BASE_IRI + node), TYPE, ox.NamedNode(AIKG + cls), None)
    removed = next(store.quads_for_pattern(removed.subject, TYPE, removed.object, None))
    store.remove(removed)
    found = assert_same_as_full(store, Change.of(removed=[removed]))
    assert any(focus != removed.subject.value for focus, *_ in found), what


def test_a_broken_chain_of_sources_is_found_at_the_claims_resting_on_it(
    base: list[ox.Quad],
) -> None:
    """ClaimShape-evidenceFromSource reads dcterms:isPartOf+ through quotations: cutting
    a quotation from its source breaks the claims two steps away."""
    store = store_of(base)
    part_of = ox.NamedNode("http://purl.org/dc/terms/isPartOf")
    removed = next(
        store.quads_for_pattern(ox.NamedNode(DEFAULT_BASE_IRI + "quote/holding-g31"), part_of, None)
    )
    store.remove(removed)
    found = assert_same_as_full(store, Change.of(removed=[removed]))
    assert any(key[4] and key[4].endswith("ClaimShape-evidenceFromSource") for key in found)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 2**32 - 1),
    removals=st.integers(1, 12),
    kinds=st.sets(st.sampled_from(sorted(VIOLATION_KINDS)), max_size=6),
)
def test_random_additions_and_removals_give_the_full_verdict(
    base: list[ox.Quad], seed: int, removals: int, kinds: set[str]
) -> None:
    rng = random.Random(seed)
    store, removed = store_without(base, rng, removals)
    added = dossier(20_000 + rng.randrange(1000), frozenset(kinds))
    # Part of a dossier too: what it points at may be missing.
    added = rng.sample(added, rng.randrange(1, len(added) + 1))
    store.bulk_extend(added)
    assert_same_as_full(store, Change.of(added=added, removed=removed))


def test_a_store_that_did_not_conform_keeps_its_old_violations_out_of_reach(
    base: list[ox.Quad],
) -> None:
    """What a change cannot reach is not looked at: every new violation is found, and
    nothing is reported that a full validation would not."""
    old = dossier(30_000, frozenset({"holding-quantity-zero"}))
    store = store_of(base + old)
    checks = bundled_checks()
    before = keys(run_checks(store, checks))
    added = dossier(30_001, frozenset({"measurement-negative"}))
    store.bulk_extend(added)
    full = keys(run_checks(store, checks))
    incremental = keys(run_focused(store, checks, Change.of(added=added)))
    assert incremental == full - before
    assert before and before <= full


def test_a_constraint_whose_reach_cannot_be_bounded_runs_in_full() -> None:
    disconnected = "SELECT ?this WHERE { ?this <http://e/p> ?v . ?x <http://e/q> ?y }"
    assert sparql_reach(disconnected) is None
    negated = "SELECT ?this WHERE { ?this !<http://e/p> ?v }"
    assert sparql_reach(negated) is None
    chained = sparql_reach("SELECT ?this WHERE { ?this <http://e/p>/<http://e/q> ?v }")
    assert chained is not None and {a.predicates for a in chained} == {
        frozenset({"http://e/p"}),
        frozenset({"http://e/q"}),
    }
    assert all(c.reach is not None for c in bundled_checks())


def write_file(path: Path, quads: list[ox.Quad]) -> Path:
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    return path


def test_a_load_with_a_violation_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load()
    good = write_file(tmp_path / "good.nt", dossier(0, frozenset(), header=True))
    assert kg.add_files([good]) == [kg.graph_iri("good")]
    before = set(kg.store.quads())
    bad = write_file(tmp_path / "bad.nt", dossier(1, frozenset({"rank-beyond-count"})))
    with pytest.raises(ValidationError) as caught:
        kg.add_files([bad])
    assert [(v.source_constraint, v.file) for v in caught.value.report.violations] == [
        ("https://w3id.org/aikg/shapes#IndexPositionShape-rankWithinCount", str(bad))
    ]
    assert set(kg.store.quads()) == before
    assert kg.validate().conforms


AIKG_PREFIXES = f"PREFIX aikg: <{AIKG}> PREFIX schema: <http://schema.org/> " + (
    "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX prov: <http://www.w3.org/ns/prov#> "
)


@pytest.mark.parametrize(
    ("what", "construct", "expected"),
    [
        (
            "a type given to a node that has nothing its new shape needs",
            "{ ?x a aikg:Measurement } WHERE { ?x a aikg:Company }",
            ("MeasurementShape-indicator", "MinCountConstraintComponent"),
        ),
        (
            "a second value where one is the most",
            "{ ?m aikg:subject ?c } WHERE { ?m a aikg:Measurement ; aikg:subject ?old . "
            "?c a aikg:Country FILTER (?c != ?old) }",
            ("MeasurementShape-subject", "MaxCountConstraintComponent"),
        ),
        (
            "a value of none of the classes allowed",
            "{ ?h aikg:subject ?q } WHERE { ?h a aikg:HardwareHolding . ?q a aikg:Quotation }",
            ("HardwareHoldingShape-subject", "OrConstraintComponent"),
        ),
        (
            "a reading on a claim its source states",
            '{ ?c aikg:reading "because"@en } WHERE { ?c aikg:basis aikg:stated }',
            ("ClaimShape-readingOnlyWhenRead", "SPARQLConstraintComponent"),
        ),
        (
            "the second of two alternatives only one of which may be there",
            '{ ?m schema:currency "USD" } WHERE { ?m a aikg:Measurement ; schema:unitText ?u }',
            ("MeasurementShape", "XoneConstraintComponent"),
        ),
        (
            "an equivalent measurement of another indicator",
            "{ ?a aikg:equivalentOf ?b } WHERE { ?a a aikg:Measurement ; aikg:indicator ?i . "
            "?b a aikg:Measurement ; aikg:indicator ?j FILTER (?i != ?j) }",
            ("MeasurementShape-equivalentOfSameThing", "SPARQLConstraintComponent"),
        ),
        (
            "a tier of another index",
            "{ ?p aikg:tier ?t } WHERE { ?p a aikg:IndexPosition ; aikg:index ?i . "
            "?t aikg:tierOf ?other FILTER (?other != ?i) }",
            ("IndexPositionShape-tierOfIndex", "SPARQLConstraintComponent"),
        ),
        (
            "evidence from a source the claim is not derived from",
            "{ ?c aikg:evidence ?q } WHERE { ?c prov:wasDerivedFrom ?s . "
            "?q a aikg:Quotation ; dcterms:isPartOf ?other FILTER (?other != ?s) }",
            ("ClaimShape-evidenceFromSource", "SPARQLConstraintComponent"),
        ),
        (
            "a speaker who did not speak the statement's quotation",
            "{ ?s aikg:speaker ?p } WHERE { ?s a aikg:Statement ; aikg:speaker ?old . "
            "?p a aikg:Person FILTER (?p != ?old) "
            "FILTER NOT EXISTS { ?s aikg:reportedSpeech true } }",
            ("StatementShape-spokenBySpeaker", "SPARQLConstraintComponent"),
        ),
    ],
)
def test_an_addition_that_breaks_old_nodes_is_found(
    base: list[ox.Quad], what: str, construct: str, expected: tuple[str, str]
) -> None:
    """Triples added between old nodes (the first match of each pattern), each breaking
    a check where it reads what the addition joined: found by the additions' walks."""
    store = store_of(base)
    template, where = construct.split(" WHERE ")
    query = f"{AIKG_PREFIXES} CONSTRUCT {template} WHERE {{ SELECT * WHERE {where} LIMIT 1 }}"
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryTriples)
    graph = ox.NamedNode("urn:test:added")
    added = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in result]
    assert added, what
    store.bulk_extend(added)
    found = assert_same_as_full(store, Change.of(added=added))
    shapes = {((key[4] or key[3]).rsplit("#", 1)[-1], key[5]) for key in found}
    assert expected in shapes, what


def old_nodes_joined(base: list[ox.Quad], rng: random.Random, count: int) -> list[ox.Quad]:
    """``count`` triples between nodes of the data, each with a predicate the data uses
    and an object that predicate has somewhere (a node of another kind, or a literal):
    the additions most likely to break what shapes read through shared nodes."""
    data = data_quads(base)
    graph = ox.NamedNode("urn:test:joined")
    subjects = sorted({q.subject for q in data}, key=str)
    by_predicate: dict[ox.NamedNode, list[ox.Quad]] = {}
    for quad in data:
        by_predicate.setdefault(quad.predicate, []).append(quad)
    predicates = sorted(by_predicate, key=str)
    joined = []
    for _ in range(count):
        predicate = rng.choice(predicates)
        obj = rng.choice(by_predicate[predicate]).object
        joined.append(ox.Quad(rng.choice(subjects), predicate, obj, graph))
    return joined


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), additions=st.integers(1, 20), removals=st.integers(0, 6))
def test_old_nodes_joined_at_random_give_the_full_verdict(
    base: list[ox.Quad], seed: int, additions: int, removals: int
) -> None:
    rng = random.Random(seed)
    store, removed = store_without(base, rng, removals)
    added = old_nodes_joined(base, rng, additions)
    store.bulk_extend(added)
    assert_same_as_full(store, Change.of(added=added, removed=removed))


def test_a_query_is_split_into_what_additions_and_removals_can_break() -> None:
    """Anchors of positive patterns are for additions, of negated ones for removals; an
    optional part is for both; a negation inside a negation is not split."""

    def kinds(query: str) -> dict[tuple[str, str], tuple[bool, bool]]:
        anchors = sparql_reach(query)
        assert anchors is not None
        found: dict[tuple[str, str], tuple[bool, bool]] = {}
        for a in anchors:
            if not a.path:
                key = (next(iter(a.predicates or {"*"})).rsplit("/", 1)[-1], a.position)
                added, removed = found.get(key, (False, False))
                found[key] = (added or a.added, removed or a.removed)
        return found

    split = kinds(
        "SELECT ?this WHERE { ?this <http://e/p> ?v . OPTIONAL { ?this <http://e/o> ?w } "
        "FILTER NOT EXISTS { ?this <http://e/n> ?v } MINUS { ?this <http://e/m> ?v } }"
    )
    assert split[("p", "subject")] == (True, False)
    assert split[("o", "subject")] == (True, True)
    assert split[("n", "subject")] == (False, True)
    assert split[("m", "subject")] == (False, True)
    # A positive pattern's far end is reached only through a negated one: no addition
    # anchor there (an addition cannot make the negated pattern part of a violation).
    shared = sparql_reach(
        "SELECT ?this WHERE { ?this <http://e/a> ?v ; <http://e/i> ?i . "
        "FILTER NOT EXISTS { ?v <http://e/i> ?i } }"
    )
    assert shared is not None
    assert all(not a.path for a in shared if a.added)
    nested = kinds(
        "SELECT ?this WHERE { ?this <http://e/p> ?v . "
        "FILTER NOT EXISTS { ?v <http://e/q> ?w FILTER NOT EXISTS { ?w <http://e/r> ?this } } }"
    )
    assert set(nested.values()) == {(True, True)}
    # The pattern of the inner negation is read too (the parsed group left it out).
    assert ("r", "object") in nested
    # A window (LIMIT): removing a solution can let another in, so it is not split.
    windowed = kinds("SELECT ?this WHERE { ?this <http://e/p> ?v } LIMIT 5")
    assert set(windowed.values()) == {(True, True)}


def test_a_change_to_the_ontology_is_validated_in_full() -> None:
    """A class new to the ontology graph, under ``aikg:Claim``, and a node of it with
    nothing a claim needs: the inferred graph makes the node a claim (it reads the store's
    ontology), which no walk from the change reaches (the compiled checks know the bundled
    classes). So a change that names the ontology graph is validated whole, as
    ``aikg validate --all`` would. (A write may not make such a change, see
    ``test_a_write_may_drop_aikg_s_own_graphs_but_not_change_them``; a store changed by
    other means, or a caller of the Python API, can.)"""
    kg = KnowledgeGraph.load()
    ontology, extra = ox.NamedNode(kg.store.ontology_graph), ox.NamedNode(kg.graph_iri("extra"))
    rumour, claim = ox.NamedNode(f"{AIKG}Rumour"), ox.NamedNode(f"{AIKG}Claim")
    node = ox.NamedNode(f"{DEFAULT_BASE_IRI}claim/rumour")
    sub_class_of = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    change = Change.of(
        added=[ox.Quad(rumour, sub_class_of, claim, ontology), ox.Quad(node, TYPE, rumour, extra)]
    )
    kg.store.extend(list(change.added))
    kg.derive(change=change)

    def shapes_of(report_violations: Iterable[Violation]) -> set[tuple[str, str]]:
        return {(v.focus_node, v.source_shape.rsplit("#", 1)[-1]) for v in report_violations}

    whole = shapes_of(kg.validate().violations)
    assert (node.value, "ClaimShape-evidence") in whole
    assert shapes_of(kg.validate(change).violations) == whole


def test_a_write_may_drop_aikg_s_own_graphs_but_not_change_them() -> None:
    """The ontology and the shapes are aikg's own files, which the shapes every write
    must pass are compiled from: a write that adds a subclass to the ontology graph, or a
    shape to the shapes graph, is refused (a later write typing a node with the subclass
    would be validated by walks that do not know it); dropping them, as ``DROP ALL``
    does, is not."""
    from aikg.workers import jobs  # noqa: PLC0415

    kg = KnowledgeGraph.load()
    prefixes = f"PREFIX aikg: <{AIKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    for graph, triple in [
        (kg.store.ontology_graph, "aikg:Rumour rdfs:subClassOf aikg:Claim"),
        (kg.store.shapes_graph, "<https://w3id.org/aikg/shapes#X> rdfs:label 'x'"),
    ]:
        tried = KnowledgeGraph(kg.store.scratch_copy(), graph_files=kg.graph_files)
        with pytest.raises(InputError) as caught:
            jobs.update(tried, True, f"{prefixes} INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}")
        assert f"the write changes <{graph}>" in caught.value.message
        assert "ontology/aikg.ttl" in (caught.value.hint or "")
    # Dropped whole: the data left is validated in full, and conforms.
    assert jobs.update(kg, True, "DROP ALL") == {"applied": True}
