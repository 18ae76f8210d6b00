"""The synthetic data generator: conforming, sized, deterministic, streaming, and its
injected violations are exactly what pySHACL reports.

pySHACL is slow on this data (about 2 s per thousand triples on a 2-core machine: it
re-parses each SPARQL constraint for every focus node), so the validated sizes stay in the
thousands; every dossier has the same shape, so a larger graph has no new kind of node.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import tracemalloc
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from aikg import KnowledgeGraph, package_data
from aikg.config import DEFAULT_BASE_IRI, ONTOLOGY_NS, SHAPES_NS
from aikg.synthetic.generate import (
    SLICES,
    VIOLATION_KINDS,
    Expected,
    Generator,
    generate,
    injected,
    minimum_triples,
    part_sizes,
    write,
)
from aikg.validation.pyshacl_engine import ValidationReport, validate_quads

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
Key = tuple[str, str, str | None, str | None]


def reported(report: ValidationReport) -> list[Key]:
    """(focus node, source shape, path, source constraint) of each result, as Expected.key."""
    return [(v.focus_node, v.source_shape, v.path, v.source_constraint) for v in report.violations]


def classes(quads: list[ox.Quad]) -> Counter[str]:
    return Counter(
        q.object.value.removeprefix(ONTOLOGY_NS) for q in quads if q.predicate.value == RDF_TYPE
    )


# ------------------------------------------------------------------ conformance


def test_two_thousand_generated_triples_conform_to_the_shapes() -> None:
    quads = list(generate(2_000, seed=1))
    report = validate_quads(quads)
    assert report.conforms, report.to_text()
    assert report.violations == ()


def test_six_thousand_generated_triples_on_another_base_conform_to_the_shapes() -> None:
    base = "http://localhost:8000/"
    quads = list(generate(6_000, seed=2, base_iri=base))
    report = validate_quads(quads)
    assert report.conforms, report.to_text()
    assert all(q.subject.value.startswith(base) for q in quads)


def test_the_smallest_set_has_one_of_every_kind_of_fact() -> None:
    quads = list(generate(0, seed=3))
    assert len(quads) == minimum_triples()
    found = classes(quads)
    for cls in (
        "Country", "Company", "Person", "Group", "Event", "Source", "Quotation", "TableCell",
        "HardwareModel", "Index", "Tier", "Role", "Indicator", "Stance", "InnovationType",
        "Topic", "Membership", "HardwareHolding", "UnreportedValue", "IndexPosition",
        "RankChange", "Measurement", "Statement", "Recommendation", "InnovationAssessment",
        "Conflict",
    ):  # fmt: skip
        assert found[cls] >= 1, cls
    predicates = {q.predicate.value.removeprefix(ONTOLOGY_NS) for q in quads}
    for p in ("rank", "rankedCount", "tier", "tierOf", "basedIn", "speaker", "quotation"):
        assert p in predicates, p
    assert {"http://schema.org/currency", "http://schema.org/unitText"} <= predicates


def test_holders_have_holdings_from_several_sources_over_the_years() -> None:
    quads = list(generate(0, seed=4))
    holding = f"{DEFAULT_BASE_IRI}claim/holding-g"
    by_claim: dict[str, dict[str, str]] = {}
    for q in quads:
        if q.subject.value.startswith(holding):
            by_claim.setdefault(q.subject.value, {})[q.predicate.value] = q.object.value
    sources: dict[str, set[str]] = {}
    for claim in by_claim.values():
        sources.setdefault(claim[ONTOLOGY_NS + "subject"], set()).add(
            claim["http://www.w3.org/ns/prov#wasDerivedFrom"]
            + claim[ONTOLOGY_NS + "periodAsWritten"]
        )
    assert len(sources) == 3
    assert all(len(s) >= 3 for s in sources.values())


def test_the_data_uses_only_terms_of_the_ontology_and_of_the_bundled_data() -> None:
    ontology = {
        q.subject.value
        for q in ox.parse(package_data.ontology_file().read_bytes(), format=ox.RdfFormat.TURTLE)
        if isinstance(q.subject, ox.NamedNode)
    }
    bundled: set[str] = set()
    for f in package_data.data_files():
        for q in ox.parse(f.read_bytes(), format=ox.RdfFormat.TURTLE):
            bundled.add(q.predicate.value)
            if q.predicate.value == RDF_TYPE:
                bundled.add(q.object.value)
    used = set()
    for q in generate(3_000, seed=5, violations=len(VIOLATION_KINDS)):
        used.add(q.predicate.value)
        if q.predicate.value == RDF_TYPE:
            used.add(q.object.value)
    assert {t for t in used if t.startswith(ONTOLOGY_NS)} <= ontology
    assert {t for t in used if not t.startswith(ONTOLOGY_NS)} <= bundled


# ------------------------------------------------------------------ size


@pytest.mark.parametrize("triples", [1_000, 10_000, 100_000, 12_345])
def test_the_count_is_within_two_percent_of_the_request(triples: int) -> None:
    count = sum(1 for _ in generate(triples, seed=6))
    assert abs(count - triples) <= 0.02 * triples


def test_fewer_triples_than_one_complete_set_give_one_complete_set() -> None:
    assert 500 < minimum_triples() < 980
    assert sum(1 for _ in generate(10, seed=7)) == minimum_triples()


def test_every_dossier_has_the_same_number_of_quads_whatever_the_seed() -> None:
    _, block, _ = part_sizes()
    for seed in range(5):
        gen = Generator(DEFAULT_BASE_IRI, seed)
        # 41 is the last country with an ISO code, 42 the first without.
        for b in (0, 1, 41, 42, 123_456):
            assert gen.block(b, frozenset())[1] == block


# ------------------------------------------------------------------ determinism


def test_the_same_seed_gives_byte_identical_output(tmp_path: Path) -> None:
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    assert write(first, 5_000, 11) == write(second, 5_000, 11)
    assert first.read_bytes() == second.read_bytes()
    assert list(generate(5_000, 11, violations=9)) == list(generate(5_000, 11, violations=9))


def test_country_codes_are_unique_and_never_real_ones() -> None:
    iso = ONTOLOGY_NS + "iso3166Alpha2"
    codes = [q.object.value for q in generate(30_000, 23) if q.predicate.value == iso]
    assert len(codes) == len(set(codes)) == 42
    assert all(c == "AA" or c == "ZZ" or c[0] in "QX" for c in codes)


def test_the_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    here, there = tmp_path / "here.nq", tmp_path / "there.nq"
    write(here, 3_000, 12, violations=5)
    code = "import sys; from aikg.synthetic.generate import write; write(sys.argv[1], 3_000, 12, violations=5)"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(there)], check=True, env=env)
    assert here.read_bytes() == there.read_bytes()


def test_a_different_seed_gives_different_output() -> None:
    one, other = list(generate(5_000, 13)), list(generate(5_000, 14))
    assert len(one) == len(other)
    assert one != other
    # Values differ; the IRIs, hence the broken nodes, do not.
    assert {q.subject for q in one} == {q.subject for q in other}


# ------------------------------------------------------------------ violations


def test_injected_violations_are_exactly_what_pyshacl_reports() -> None:
    expected = injected(2_000, 15, 12)
    report = validate_quads(generate(2_000, 15, violations=12))
    found = reported(report)
    assert len(found) == 12 == len(expected)
    assert set(found) == {e.key() for e in expected}
    assert len({e.source_shape for e in expected}) >= 8
    assert len({e.kind for e in expected}) == 12


def test_every_violation_kind_in_one_dossier_is_reported_exactly() -> None:
    kinds = len(VIOLATION_KINDS)
    expected = injected(0, 16, kinds)
    report = validate_quads(generate(0, 16, violations=kinds))
    assert sorted(reported(report)) == sorted(e.key() for e in expected)
    assert [e.kind for e in expected] == list(VIOLATION_KINDS)


def test_injected_names_shapes_of_the_shapes_file() -> None:
    shapes = {
        q.subject.value
        for q in ox.parse(package_data.shapes_file().read_bytes(), format=ox.RdfFormat.TURTLE)
        if isinstance(q.subject, ox.NamedNode)
    }
    for e in injected(100_000, 0, 3 * len(VIOLATION_KINDS)):
        assert e.source_shape in shapes
        assert e.source_constraint is None or e.source_constraint in shapes
        assert e.source_shape.startswith(SHAPES_NS)


def test_violations_are_spread_over_the_dossiers() -> None:
    expected = injected(100_000, 0, 10)
    holdings = [e for e in expected if e.kind == "holding-quantity-zero"]
    assert holdings == [
        Expected(f"{DEFAULT_BASE_IRI}claim/holding-g3", f"{SHAPES_NS}HardwareHoldingShape-quantity",
                 f"{ONTOLOGY_NS}quantity", None)
    ]  # fmt: skip
    header, block, _ = part_sizes()
    dossiers = (100_000 - header) // block
    assert [e.focus_node for e in expected][-1] == (
        f"{DEFAULT_BASE_IRI}claim/role-g{9 * dossiers // 10 * 3}"  # the 10th kind, 1st role
    )


def test_more_violations_than_the_dossiers_hold_are_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        generate(0, 1, violations=len(VIOLATION_KINDS) + 1)
    with pytest.raises(ValueError, match="do not fit"):
        injected(0, 1, len(VIOLATION_KINDS) + 1)


@pytest.mark.parametrize(
    ("triples", "violations", "base_iri"),
    [(-1, 0, DEFAULT_BASE_IRI), (10, -1, DEFAULT_BASE_IRI), (10, 0, "urn:x:"),
     (10, 0, "http://a b/")],
)  # fmt: skip
def test_bad_arguments_are_refused_before_anything_is_generated(
    triples: int, violations: int, base_iri: str
) -> None:
    with pytest.raises(ValueError, match=r"must be >= 0|base IRI|IRI"):
        generate(triples, 1, violations=violations, base_iri=base_iri)


# ------------------------------------------------------------------ streaming


def test_generate_is_a_lazy_generator() -> None:
    quads = generate(10_000_000, 17)
    assert inspect.isgenerator(quads)
    first = next(quads)
    assert isinstance(first, ox.Quad)
    quads.close()


def test_memory_stays_flat_while_two_hundred_thousand_triples_stream() -> None:
    peaks = []
    for triples in (20_000, 200_000):
        tracemalloc.start()
        try:
            count = sum(1 for _ in generate(triples, 18))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert abs(count - triples) <= 0.02 * triples
    assert peaks[1] < 1_000_000  # a dossier's lines, not 200,000 quads
    assert peaks[1] < 1.5 * peaks[0]


def test_quads_go_to_the_generated_named_graphs() -> None:
    graphs = Counter(q.graph_name.value for q in generate(3_000, 19))
    assert set(graphs) == {f"{DEFAULT_BASE_IRI}graph/generated-{name}" for name in SLICES}


# ------------------------------------------------------------------ files


def test_written_nquads_load_with_the_ontology(tmp_path: Path) -> None:
    path = tmp_path / "generated.nq"
    count = write(path, 1_000, 20)
    kg = KnowledgeGraph.load([path])
    stored = sum(
        n
        for g, n in kg.stats().graphs.items()
        if g.startswith(f"{DEFAULT_BASE_IRI}graph/generated-")
    )
    assert stored == count == sum(1 for _ in generate(1_000, 20))
    holdings = kg.holdings().records
    assert len(holdings) >= 10
    assert any(h.conflict for h in holdings)
    assert {p.rank is not None for p in kg.index_positions().records} == {True, False}


def test_written_nquads_are_what_oxigraph_serializes(tmp_path: Path) -> None:
    path = tmp_path / "generated.nq"
    write(path, 4_000, 21, violations=7)
    quads = generate(4_000, 21, violations=7)
    assert path.read_bytes() == ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def test_written_trig_holds_the_same_quads(tmp_path: Path) -> None:
    path = tmp_path / "generated.trig"
    count = write(path, 4_000, 22, fmt="trig")
    quads = list(ox.parse(path=path, format=ox.RdfFormat.TRIG))
    assert count == len(quads)
    assert quads == list(generate(4_000, 22))


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        write(tmp_path / "x.ttl", 1_000, 1, fmt="turtle")
    assert not (tmp_path / "x.ttl").exists()
