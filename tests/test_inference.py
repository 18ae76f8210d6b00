"""What the ontology entails holds at query time, in a graph of its own, on every backend."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from aikg import KnowledgeGraph, inference, loader
from aikg.config import Settings
from aikg.errors import InputError, ValidationError
from aikg.inference import entailed
from aikg.names import TEXT_PROPERTIES
from aikg.sparql.execute import SelectResult
from aikg.synthetic.generate import generate
from aikg.validation import memory_copy
from aikg.workers import jobs

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREFIXES = """@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix company: <https://w3id.org/aikg/company/> .
"""


def iris(kg: KnowledgeGraph, query: str) -> set[str]:
    answer = kg.query(query)
    assert isinstance(answer, SelectResult)
    return {str(row["x"]) for row in answer.rows}


def test_every_claim_is_a_claim(kg: KnowledgeGraph) -> None:
    claims = iris(kg, "SELECT DISTINCT ?x { ?x a aikg:Claim }")
    # Every claim rests on evidence; nothing else does.
    with_evidence = iris(kg, "SELECT DISTINCT ?x { ?x aikg:evidence ?e }")
    assert claims == with_evidence
    assert len(claims) == 95
    stated = iris(
        kg, "SELECT DISTINCT ?x { GRAPH ?g { ?x a aikg:Claim } FILTER (?g != graph:inferred) }"
    )
    assert stated == set()  # the data types each claim by its kind only


def test_companies_and_units_are_organizations(kg: KnowledgeGraph) -> None:
    organizations = iris(kg, "SELECT ?x { ?x a aikg:Organization }")
    assert len(organizations) == 16
    base = "https://w3id.org/aikg/"
    assert {
        base + "company/meta",
        base + "company/mistral-ai",
        base + "organization/oecd",
    } <= organizations
    # NAVER Cloud's AI Innovation Center is an organizational unit, a kind of organization.
    assert base + "organization/naver-cloud-ai-innovation-center" in organizations


def test_table_cells_are_quotations(kg: KnowledgeGraph) -> None:
    quotations = iris(kg, "SELECT ?x { ?x a aikg:Quotation }")
    cells = iris(kg, "SELECT ?x { ?x a aikg:TableCell }")
    assert len(cells) == 12 and cells < quotations
    stated = iris(
        kg,
        "SELECT DISTINCT ?x { VALUES ?kind { aikg:Quotation aikg:TableCell } "
        "GRAPH ?g { ?x a ?kind } FILTER (?g != graph:inferred) }",
    )
    assert quotations == stated
    assert iris(kg, "SELECT DISTINCT ?x { ?c aikg:evidence ?x }") <= quotations


def test_superproperties_hold(kg: KnowledgeGraph) -> None:
    # aikg:basedIn is a sub-property of schema:location.
    assert kg.query("ASK { company:byd schema:location country:CN }") is True
    assert kg.query("ASK { GRAPH graph:organizations { company:byd schema:location ?c } }") is False


def test_one_preferred_label_per_resource_never_doubles_a_join(kg: KnowledgeGraph) -> None:
    doubled = kg.query("SELECT ?label { country:KR rdfs:label ?label }")
    assert len(doubled) == 2  # English and Korean  # type: ignore[arg-type]
    one = kg.query("SELECT ?label { country:KR aikg:preferredLabel ?label }").values()  # type: ignore[union-attr]
    assert one == [{"label": "South Korea"}]
    several = kg.query(
        "SELECT ?x (COUNT(?l) AS ?n) { ?x aikg:preferredLabel ?l } GROUP BY ?x HAVING (COUNT(?l) > 1)"
    )
    assert len(several) == 0  # type: ignore[arg-type]


def test_a_resource_labelled_only_in_korean_gets_that_label(tmp_path: Path) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text(PREFIXES + 'company:example a aikg:Company ; rdfs:label "예시"@ko .\n')
    kg = KnowledgeGraph.load()
    kg.add_files([data], validate=False)
    answer = kg.query("SELECT ?l { company:example aikg:preferredLabel ?l }").values()  # type: ignore[union-attr]
    assert answer == [{"l": "예시"}]
    assert kg.query("ASK { company:example a aikg:Organization }") is True


def test_a_load_recomputes_and_a_refused_load_changes_nothing(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load()
    before = sorted(str(q) for q in kg.store.quads(kg.store.inferred_graph))
    bad = tmp_path / "bad.ttl"
    # A company with two ISO codes is no company the shapes accept... any violation will
    # do: a holding without its parts.
    bad.write_text(PREFIXES + "company:broken a aikg:Company , aikg:HardwareHolding .\n")
    with pytest.raises(ValidationError):
        kg.add_files([bad])
    assert sorted(str(q) for q in kg.store.quads(kg.store.inferred_graph)) == before
    assert kg.query("ASK { company:broken ?p ?o }") is False


def test_a_write_recomputes_the_inferred_graph() -> None:
    kg = KnowledgeGraph.load()
    jobs.update(
        kg,
        False,
        "INSERT DATA { GRAPH <graph/extra> { company:newco a aikg:Startup ; rdfs:label 'NewCo'@en } }",
    )
    assert kg.query("ASK { company:newco a aikg:Organization }") is True
    assert kg.query("ASK { company:newco aikg:preferredLabel 'NewCo'@en }") is True
    jobs.update(kg, False, "DROP GRAPH <graph/extra>")
    assert kg.query("ASK { company:newco ?p ?o }") is False


def test_a_write_to_the_inferred_graph_is_refused_and_changes_nothing() -> None:
    kg = KnowledgeGraph.load()
    before = kg.store.union_size()
    with pytest.raises(InputError, match="computed from the data and the ontology"):
        jobs.update(kg, False, "INSERT DATA { GRAPH graph:inferred { company:x a aikg:Claim } }")
    assert kg.store.union_size() == before


def test_dumps_leave_the_inferred_graph_out_unless_asked(kg: KnowledgeGraph) -> None:
    inferred = ox.NamedNode(kg.store.inferred_graph)
    plain = list(ox.parse(kg.export("nquads"), format=ox.RdfFormat.N_QUADS))
    full = list(ox.parse(kg.export("nquads", inferred=True), format=ox.RdfFormat.N_QUADS))
    assert all(q.graph_name != inferred for q in plain)
    assert len(full) - len(plain) == len(list(kg.store.quads(kg.store.inferred_graph))) > 800
    triples = list(ox.parse(kg.export("ntriples"), format=ox.RdfFormat.N_TRIPLES))
    preferred = ox.NamedNode("https://w3id.org/aikg/ontology#preferredLabel")
    assert [t for t in triples if t.predicate == preferred] == []


def test_validation_never_sees_the_inferred_graph(kg: KnowledgeGraph) -> None:
    assert kg.store.inferred_graph not in kg.store.data_graphs()
    assert kg.validate().conforms


def test_a_store_on_disk_keeps_the_inferred_graph(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    first = KnowledgeGraph.open(settings)
    count = len(list(first.store.quads(first.store.inferred_graph)))
    first.store.close()
    second = KnowledgeGraph.open(settings)
    assert len(list(second.store.quads(second.store.inferred_graph))) == count > 800
    second.store.close()


def test_the_remote_store_answers_the_same(
    kg: KnowledgeGraph, any_remote_kg: KnowledgeGraph
) -> None:
    for query in (
        "SELECT ?x { ?x a aikg:Claim }",
        "SELECT ?x { ?x a aikg:Organization }",
        "SELECT ?x { ?x a aikg:Quotation }",
    ):
        assert iris(any_remote_kg, query) == iris(kg, query)
    label = any_remote_kg.query("SELECT ?label { country:KR aikg:preferredLabel ?label }")
    assert label.values() == [{"label": "South Korea"}]  # type: ignore[union-attr]


def _differs_from_a_full_recompute(kg: KnowledgeGraph) -> set[ox.Quad]:
    present = set(kg.store.quads(kg.store.inferred_graph))
    return present ^ entailed(kg.store)


def test_a_load_adds_what_a_full_recompute_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load derives from what its own parse gathered and the subjects the store held
    before (not by recomputing): its inferred graph and name index must be the ones a
    full recompute gives, also where the new data relabels or retypes what was there."""
    data = tmp_path / "more.ttl"
    data.write_text(
        PREFIXES
        + "@prefix country: <https://w3id.org/aikg/country/> .\n"
        + "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        # an English label that sorts before "South Korea": the preferred label changes
        + 'country:KR rdfs:label "Korea, Republic of"@en .\n'
        # a type whose superclass the bundled data already gives it
        + "company:meta a aikg:Company .\n"
        # a type the inferred graph held: now stated, so no longer inferred
        + "company:tesla a aikg:Organization .\n"
        + 'company:newco a aikg:Startup ; rdfs:label "Newco"@en ; aikg:basedIn country:KR .\n'
    )
    generated = tmp_path / "generated.nq"
    generated.write_text("".join(f"{q} .\n" for q in generate(2_000, seed=5)), encoding="utf-8")
    kg = KnowledgeGraph.load()
    _no_full_recompute(monkeypatch)
    kg.add_files([data, generated], validate=False)
    assert _differs_from_a_full_recompute(kg) == set()
    _index_matches_the_data(kg)
    assert kg.query("SELECT ?l { country:KR aikg:preferredLabel ?l }").values() == [  # type: ignore[union-attr]
        {"l": "Korea, Republic of"}
    ]
    assert kg.query("ASK { company:newco schema:location country:KR }") is True


def test_loads_on_disk_under_another_base_derive_what_a_full_recompute_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loads into a store on disk whose IRIs move to another base: the quads the parse
    gathers must be those the store holds. A second load labels and types resources of the
    first (which the store held by then) and brings new ones."""
    first, second = tmp_path / "first.nq", tmp_path / "second.ttl"
    first.write_text("".join(f"{q} .\n" for q in generate(20_000, seed=11)), encoding="utf-8")
    renamed = next(q.subject for q in generate(20_000, seed=11) if q.predicate.value == RDFS_LABEL)
    second.write_text(
        PREFIXES
        + f'{renamed} rdfs:label "Aardvark"@en ; a aikg:Startup .\n'
        + 'company:brandnew a aikg:Startup ; rdfs:label "Brand new"@ko , "Brand new"@en .\n'
    )
    kg = KnowledgeGraph.open(
        Settings(store=str(tmp_path / "store"), base_iri="http://localhost:8000/")
    )
    _no_full_recompute(monkeypatch)
    kg.add_files([first], validate=False)
    kg.add_files([second], validate=False)
    assert _differs_from_a_full_recompute(kg) == set()
    _index_matches_the_data(kg)
    moved = renamed.value.replace("https://w3id.org/aikg/", "http://localhost:8000/")
    label = kg.query(f"SELECT ?l {{ <{moved}> aikg:preferredLabel ?l }}")
    assert label.values() == [{"l": "Aardvark"}]  # type: ignore[union-attr]
    assert iris(kg, "SELECT ?x { ?x a aikg:Organization ; rdfs:label 'Brand new'@ko }") == {
        "http://localhost:8000/company/brandnew"
    }
    kg.close()


@pytest.fixture
def prepared_in(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread each load's ``prepare_derived`` ran in (the loader's beside the write,
    or the caller's after it)."""
    threads: list[str] = []
    prepare = KnowledgeGraph.prepare_derived

    def spied(kg: KnowledgeGraph, loaded: inference.Loaded) -> None:
        if not loaded.prepared:
            threads.append(threading.current_thread().name)
        prepare(kg, loaded)

    monkeypatch.setattr(KnowledgeGraph, "prepare_derived", spied)
    return threads


@pytest.mark.parametrize("on_disk", [True, False])
def test_a_load_prepares_its_derived_data_beside_its_write(
    tmp_path: Path, prepared_in: list[str], on_disk: bool
) -> None:
    """The names and what the new subjects entail are prepared by the thread beside the
    write, and the result is still what a full recompute gives."""
    generated = tmp_path / "generated.nq"
    generated.write_text("".join(f"{q} .\n" for q in generate(3_000, seed=7)), encoding="utf-8")
    settings = Settings(store=str(tmp_path / "store") if on_disk else None)
    with KnowledgeGraph.open(settings) as kg:
        prepared_in.clear()
        kg.add_files([generated])
        assert [name.startswith("aikg-beside") for name in prepared_in] == [True]
        assert _differs_from_a_full_recompute(kg) == set()
        _index_matches_the_data(kg)


def _derived_data(kg: KnowledgeGraph) -> tuple[list[str], list[tuple[str, ...]]]:
    names = kg.store.names
    assert names is not None
    return (
        sorted(str(q) for q in kg.store.quads(kg.store.inferred_graph)),
        sorted(names.db.execute("SELECT iri, property, name, lang, graph FROM names")),
    )


BROKEN = PREFIXES + (
    'company:broken a aikg:Company , aikg:HardwareHolding ; rdfs:label "Broken Co"@en .\n'
)
"""A new subject with a type, a superclass to infer and a name to index, which the shapes
refuse (a holding without its parts)."""


@pytest.mark.parametrize("on_disk", [True, False])
def test_a_refused_load_takes_back_what_it_prepared_beside_its_write(
    tmp_path: Path, prepared_in: list[str], on_disk: bool
) -> None:
    """Validated where it reaches, after the write: the name index holds the load's names
    when the verdict comes, and undoing the load takes them back; the inferred graph is
    as it was."""
    bad = tmp_path / "bad.ttl"
    bad.write_text(BROKEN)
    with KnowledgeGraph.open(Settings(store=str(tmp_path / "store") if on_disk else None)) as kg:
        before = _derived_data(kg)
        prepared_in.clear()
        with pytest.raises(ValidationError):
            kg.add_files([bad])
        assert [name.startswith("aikg-beside") for name in prepared_in] == [True]
        assert _derived_data(kg) == before
        assert kg.query("ASK { company:broken ?p ?o }") is False


def test_a_ctrl_c_while_the_load_waits_for_its_preparation_still_undoes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interrupt comes while the load waits for the thread beside the write, which is
    still adding the load's names: the undo waits for it, so the rebuilt name index does
    not keep them."""
    data = tmp_path / "more.ttl"
    data.write_text(PREFIXES + 'company:newco a aikg:Startup ; rdfs:label "Newco"@en .\n')
    prepare = KnowledgeGraph.prepare_derived

    def slow(kg: KnowledgeGraph, loaded: inference.Loaded) -> None:
        time.sleep(0.5)  # the interrupt comes first
        prepare(kg, loaded)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(KnowledgeGraph, "prepare_derived", slow)
    with KnowledgeGraph.open(Settings(store=str(tmp_path / "store"))) as kg:
        before = _derived_data(kg)
        monkeypatch.setattr(loader.futures, "wait", interrupted)
        with pytest.raises(KeyboardInterrupt):
            kg.add_files([data])
        monkeypatch.undo()
        loader._BESIDE.submit(lambda: None).result()  # whatever it was doing is done
        assert _derived_data(kg) == before
        assert kg.query("ASK { company:newco ?p ?o }") is False


def test_a_load_refused_beside_its_write_prepares_nothing(
    tmp_path: Path, prepared_in: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validated whole, on a copy in memory beside the write: a refused load prepares
    nothing, and changes nothing."""
    monkeypatch.setattr(memory_copy, "COPY_FROM_BYTES", 0)  # a copy, however small
    bad = tmp_path / "bad.ttl"
    bad.write_text(BROKEN)
    with KnowledgeGraph.open(Settings(store=str(tmp_path / "store"))) as kg:
        before = _derived_data(kg)
        monkeypatch.setattr(loader, "FULL_ABOVE", 0)  # validated whole
        prepared_in.clear()
        with pytest.raises(ValidationError):
            kg.add_files([bad])
        assert prepared_in == []
        assert _derived_data(kg) == before


def _index_matches_the_data(kg: KnowledgeGraph) -> None:
    """The name index holds exactly the names and the texts the data states."""
    names = kg.store.names
    assert names is not None
    quads = list(kg.store.indexed_quads())
    indexed = sorted(names.db.execute("SELECT iri, property, name, lang, graph FROM names"))
    stated = sorted(
        (q.subject.value, q.predicate.value, q.object.value, q.object.language, q.graph_name.value)  # type: ignore[union-attr]
        for q in quads
        if q.predicate.value not in TEXT_PROPERTIES
    )
    assert indexed == stated
    texts = sorted(names.db.execute("SELECT iri, lowered FROM texts"))
    assert texts == sorted(
        (q.subject.value, q.object.value.lower())
        for q in quads
        if q.predicate.value in TEXT_PROPERTIES
    )


WRITES = [
    # a startup with a label: typed as an organization, labelled
    "INSERT DATA { GRAPH <graph/extra> { company:newco a aikg:Startup ; "
    "rdfs:label 'NewCo'@en , 'NewCo KR'@ko } }",
    # an English label that sorts first: the preferred label changes
    "INSERT DATA { GRAPH <graph/extra> { country:KR rdfs:label 'Korea, Republic of'@en } }",
    # a type the inferred graph held, now stated: no longer inferred
    "INSERT DATA { GRAPH <graph/extra> { company:tesla a aikg:Organization } }",
    # that statement taken back: inferred again
    "DELETE DATA { GRAPH <graph/extra> { company:tesla a aikg:Organization } }",
    # a statement under a subproperty, and its superproperty's inferred copy
    "INSERT DATA { GRAPH <graph/extra> { company:newco aikg:basedIn country:KR } }",
    # a name changed in place
    "DELETE { GRAPH <graph/extra> { company:newco rdfs:label 'NewCo'@en } } "
    "INSERT { GRAPH <graph/extra> { company:newco rdfs:label 'Newer Co'@en } } WHERE {}",
    # the added label taken back: the preferred label is the old one again
    "DELETE DATA { GRAPH <graph/extra> { country:KR rdfs:label 'Korea, Republic of'@en } }",
    # a stated type and every label removed: what they entailed goes
    "DELETE WHERE { GRAPH <graph/extra> { company:newco a ?t ; rdfs:label ?l } }",
    # a text (the index keeps texts apart): stated in two graphs, then taken from one
    "INSERT DATA { GRAPH <graph/extra> { company:tesla schema:text 'Gigafactory' } }",
    "INSERT DATA { GRAPH <graph/other> { company:tesla schema:text 'Gigafactory' } }",
    "DELETE DATA { GRAPH <graph/other> { company:tesla schema:text 'Gigafactory' } }",
    # a whole graph dropped
    "DROP GRAPH <graph/extra>",
]


def _no_full_recompute(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(store: object) -> None:
        raise AssertionError("a write that names its graphs recomputed everything")

    monkeypatch.setattr(inference, "refresh", refused)


def test_a_write_derives_what_a_full_recompute_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write updates the inferred graph and the name index from what it changed (not
    by recomputing them): after each, both are what recomputing them gives."""
    kg = KnowledgeGraph.load()
    _no_full_recompute(monkeypatch)
    prefixes = "PREFIX country: <https://w3id.org/aikg/country/> "
    for write in WRITES:
        jobs.update(kg, False, prefixes + write)
        assert _differs_from_a_full_recompute(kg) == set(), write
        _index_matches_the_data(kg)
        if "graph/other" in write:
            # the text stays found while one graph still states it
            assert "https://w3id.org/aikg/company/tesla" in kg.store.names.find_texts("gigafact")  # type: ignore[union-attr]
    assert kg.query("ASK { company:newco ?p ?o }") is False
    assert kg.query("SELECT ?l { country:KR aikg:preferredLabel ?l }").values() == [  # type: ignore[union-attr]
        {"l": "South Korea"}
    ]
    assert kg.store.names.find_texts("gigafact") == set()  # type: ignore[union-attr]


def test_a_write_to_generated_data_derives_what_a_full_recompute_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same on generated data, with a write that removes from one graph and adds to
    another: names, types and what they entail."""
    generated = tmp_path / "generated.nq"
    generated.write_text("".join(f"{q} .\n" for q in generate(2_000, seed=5)), encoding="utf-8")
    kg = KnowledgeGraph.load()
    kg.add_files([generated], validate=False)
    _no_full_recompute(monkeypatch)
    jobs.update(
        kg,
        False,
        "DELETE { GRAPH <graph/generated-entities> { ?s rdfs:label ?l } } "
        "INSERT { GRAPH <graph/extra> { ?s rdfs:label 'Renamed'@en ; a aikg:Startup } } "
        "WHERE { GRAPH <graph/generated-entities> { ?s a aikg:Company ; rdfs:label ?l } }",
    )
    assert _differs_from_a_full_recompute(kg) == set()
    _index_matches_the_data(kg)
    assert len(kg.store.names.find("renamed")) == 6  # type: ignore[union-attr]
