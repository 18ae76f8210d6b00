"""The shapes judge what the data states, never what the ontology entails from it.

The inferred graph (:mod:`aikg.inference`) holds, beside the data, each statement again
with every property above its own: an ISO code (``aikg:iso3166Alpha2``) is also a
``dcterms:identifier`` there, a definition text (``aikg:definitionText``) also a
``skos:definition``. A check that read the union of graphs would count those: a source
given an ISO code would have two identifiers, and a write that takes a definition away
would still find it there until the inferred graph followed. Every path that validates
(a load, a write's dry run, ``validate --all``) must give the verdict the data alone
gives.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aikg import KnowledgeGraph
from aikg.errors import ValidationError
from aikg.validation.fast import bundled_checks, stated_graphs
from aikg.workers import jobs

PREFIXES = (
    "PREFIX aikg: <https://w3id.org/aikg/ontology#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX dcterms: <http://purl.org/dc/terms/> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)
CONTINUOUS = "<https://w3id.org/aikg/innovation-type/continuous>"
CONCEPTS = "<https://w3id.org/aikg/graph/concepts>"
DEFINITION = '"Innovation which improves existing products (Christensen, as reported in S1)."@en'
S1 = "https://w3id.org/aikg/source/s1"


def entailed(kg: KnowledgeGraph, subject: str, predicate: str) -> set[str]:
    """The values the inferred graph gives ``subject`` for ``predicate``."""
    return {
        q.object.value
        for q in kg.store.quads_for_pattern(
            ox.NamedNode(subject),
            ox.NamedNode(predicate),
            None,
            ox.NamedNode(kg.store.inferred_graph),
        )
    }


def test_a_write_that_takes_away_the_statement_an_entailment_rests_on_is_refused() -> None:
    """An innovation type given a definition text as well, then stripped of both: the
    dry run must see that nothing defines it any more, although the inferred graph
    still held the text as a ``skos:definition`` when the write began."""
    kg = KnowledgeGraph.load()
    jobs.update(
        kg,
        False,
        PREFIXES + f'INSERT DATA {{ GRAPH {CONCEPTS} {{ {CONTINUOUS} aikg:definitionText "x" }} }}',
    )
    assert kg.validate().conforms
    with pytest.raises(ValidationError) as caught:
        jobs.update(
            kg,
            True,
            PREFIXES + f"DELETE DATA {{ GRAPH {CONCEPTS} {{ {CONTINUOUS} "
            f'skos:definition {DEFINITION} . {CONTINUOUS} aikg:definitionText "x" }} }}',
        )
    shapes = {v.source_shape.rsplit("#")[-1] for v in caught.value.report.violations}
    assert shapes == {"InnovationTypeShape-definition"}


def test_a_write_is_not_refused_for_an_entailment_it_takes_away() -> None:
    """A source first given an ISO code (entailed: an identifier), then the code swapped
    for its one identifier: what the write leaves conforms, and the dry run says so."""
    kg = KnowledgeGraph.load()
    s9 = "<https://w3id.org/aikg/source/s9>"
    graph = "<https://w3id.org/aikg/graph/extra>"
    jobs.update(
        kg,
        False,
        PREFIXES + f"INSERT DATA {{ GRAPH {graph} {{ {s9} a aikg:Source ; "
        f'rdfs:label "S9"@en ; aikg:iso3166Alpha2 "ZZ" }} }}',
    )
    assert entailed(kg, s9[1:-1], "http://purl.org/dc/terms/identifier") == {"ZZ"}
    jobs.update(
        kg,
        True,
        PREFIXES + f'DELETE DATA {{ GRAPH {graph} {{ {s9} aikg:iso3166Alpha2 "ZZ" }} }} ; '
        f'INSERT DATA {{ GRAPH {graph} {{ {s9} dcterms:identifier "S9" }} }}',
    )
    assert kg.validate().conforms


def test_an_identifier_only_the_ontology_entails_is_not_a_second_one(tmp_path: Path) -> None:
    """S1 given an ISO code: the inferred graph holds it as a second identifier, but the
    data states one; the load is accepted, and a whole validation agrees with it."""
    extra = tmp_path / "extra.ttl"
    extra.write_text(f'<{S1}> <https://w3id.org/aikg/ontology#iso3166Alpha2> "ZZ" .\n')
    kg = KnowledgeGraph.load()
    kg.add_files([extra])
    assert entailed(kg, S1, "http://purl.org/dc/terms/identifier") == {"ZZ"}
    report = kg.validate()
    assert report.conforms, [v.source_shape for v in report.violations]


def test_only_the_checks_that_read_an_entailed_property_leave_the_inferred_graph_out() -> None:
    """The checks on ``dcterms:identifier``, ``skos:definition``,
    ``prov:wasAttributedTo``, ``prov:wasDerivedFrom`` and ``rdfs:label`` (each above a
    property of the ontology) read every graph but the inferred one; the others keep
    the union of graphs, which is faster to query and, for them, the same."""
    flagged = {c.shape.rsplit("#")[-1] for c in bundled_checks() if c.stated_only}
    assert {
        "SourceShape-identifier",
        "InnovationTypeShape-definition",
        "RecommendationShape-attributedTo",
        "ClaimShape-wasDerivedFrom",
        "LabelShape-label",
    } <= flagged
    # aikg:subject is below schema:about: the inferred graph holds schema:about, never it.
    assert "ClaimShape-subject" not in flagged


def test_the_graphs_a_check_reads_instead_are_every_graph_but_the_inferred_one() -> None:
    kg = KnowledgeGraph.load()
    engine = kg.store.local()
    graphs = stated_graphs(engine, kg.store.inferred_graph)
    assert graphs is not None
    names = {g.value for g in graphs if isinstance(g, ox.NamedNode)}
    assert ox.DefaultGraph() in graphs
    assert names == set(kg.store.named_graphs()) - {kg.store.inferred_graph}
    assert stated_graphs(ox.Store(), kg.store.inferred_graph) is None
