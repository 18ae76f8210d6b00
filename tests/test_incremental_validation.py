"""Incremental validation against full validation: the same violations after a change.

A store of generated data that conforms is changed (dossiers added with every kind of
injected violation, random triples removed, types taken from nodes that only other nodes'
shapes reach, both at once), then validated in full and at the focus nodes the change can
affect (:mod:`aikg.validation.incremental`); the two must report the same violations,
compared as (focus node, path, value, source shape, constraint, component).
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aikg import KnowledgeGraph, package_data
from aikg.config import DEFAULT_BASE_IRI
from aikg.errors import ValidationError
from aikg.namespaces import AIKG, RDF
from aikg.synthetic.dossier import Generator
from aikg.synthetic.generate import generate
from aikg.synthetic.violations import KINDS, VIOLATION_KINDS
from aikg.validation.fast import Found, bundled_checks, run_checks
from aikg.validation.incremental import Change, focus_nodes, run_focused
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
    store = store_of(base)
    removed = rng.sample(data_quads(base), removals)
    for quad in removed:
        store.remove(quad)
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
