"""The dataset: one named graph per file, a union default graph, atomic validated loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from aikg import (
    InputError,
    KnowledgeGraph,
    NotFoundError,
    RdfSyntaxError,
    Settings,
    StoreError,
    ValidationError,
)
from aikg.store.local import rebase

DATA_FILES = [
    "concepts",
    "conflicts",
    "countries",
    "economy",
    "holdings",
    "innovation",
    "organizations",
    "people",
    "rankings",
    "recommendations",
    "sources",
    "statements",
]

VALID_EXTRA = """
@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/aikg/country/JP> a aikg:Country ; rdfs:label "Japan"@en ;
    aikg:mentionedIn <https://w3id.org/aikg/source/s1> .
"""

INVALID_HOLDING = """
@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/aikg/claim/h100-france-zero> a aikg:HardwareHolding ;
    aikg:basis aikg:stated ;
    rdfs:label "France holds 0 H100 GPUs"@en ;
    aikg:subject <https://w3id.org/aikg/country/FR> ;
    aikg:hardwareModel <https://w3id.org/aikg/hardware/nvidia-h100> ;
    aikg:quantity 0 ;
    prov:wasDerivedFrom <https://w3id.org/aikg/source/s1> ;
    aikg:evidence <https://w3id.org/aikg/quote/s1-table-gpu-units-france> .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(kg: KnowledgeGraph) -> int:
    return sum(1 for _ in kg.store.quads())


def test_each_data_file_loads_into_a_named_graph_of_its_own(kg: KnowledgeGraph) -> None:
    expected = sorted(
        [
            f"https://w3id.org/aikg/graph/{n}"
            for n in [*DATA_FILES, "ontology", "shapes", "inferred"]
        ]
    )
    assert kg.store.named_graphs() == expected


def test_the_default_graph_is_the_union_of_the_named_graphs(kg: KnowledgeGraph) -> None:
    # The holding lives in holdings.ttl, the label of its holder in countries.ttl.
    result = kg.query("""SELECT ?label WHERE { <claim/h100-korea-s1> aikg:subject ?c .
                         ?c rdfs:label ?label FILTER (lang(?label) = "en") }""")
    assert [str(r["label"]) for r in result] == ["South Korea"]  # type: ignore[union-attr]


def test_a_graph_clause_sees_one_file(kg: KnowledgeGraph) -> None:
    assert kg.query("ASK { GRAPH <graph/holdings> { <claim/h100-korea-s1> ?p ?o } }") is True
    assert kg.query("ASK { GRAPH <graph/countries> { <claim/h100-korea-s1> ?p ?o } }") is False


def test_default_graphs_restrict_what_a_query_sees(kg: KnowledgeGraph) -> None:
    only_countries = ["https://w3id.org/aikg/graph/countries"]
    assert kg.query("ASK { <claim/h100-korea-s1> ?p ?o }", default_graphs=only_countries) is False
    assert kg.query("ASK { <country/KR> ?p ?o }", default_graphs=only_countries) is True


def test_a_configured_base_iri_moves_the_data_but_not_the_ontology() -> None:
    kg = KnowledgeGraph.load(settings=Settings(base_iri="http://localhost:8000/"))
    assert kg.query("ASK { <http://localhost:8000/country/KR> a aikg:Country }") is True
    assert kg.query("ASK { <https://w3id.org/aikg/country/KR> ?p ?o }") is False
    assert "http://localhost:8000/graph/holdings" in kg.store.named_graphs()
    assert kg.holdings("country/KR").records[0].holder == "http://localhost:8000/country/KR"


def test_rebase_leaves_foreign_and_ontology_iris_alone() -> None:
    assert rebase("http://schema.org/name", "http://x/") == "http://schema.org/name"
    assert (
        rebase("https://w3id.org/aikg/shapes#ClaimShape", "http://x/")
        == "https://w3id.org/aikg/shapes#ClaimShape"
    )


def test_a_persistent_store_keeps_its_data_across_restarts(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    with KnowledgeGraph.open(settings) as first:
        first.add_files([write(tmp_path, "japan.ttl", VALID_EXTRA)])
        before = count(first)
    del first
    reopened = KnowledgeGraph.open(settings)
    assert count(reopened) == before
    assert reopened.query("ASK { <country/JP> a aikg:Country }") is True
    assert reopened.validate().conforms


@pytest.mark.parametrize("update", ["CLEAR NAMED", "CLEAR ALL", "DROP ALL"])
def test_a_store_emptied_by_a_write_is_filled_again_when_it_opens(
    tmp_path: Path, update: str
) -> None:
    """Emptied, a store on disk is filled as a new one when it next opens (a server
    restarted on it serves the bundled data): CLEAR NAMED keeps its graphs, empty, and the
    open failed on them ("graph ... is already loaded"), so the server could not start."""
    from aikg.workers import jobs  # noqa: PLC0415

    settings = Settings(store=str(tmp_path / "store"))
    with KnowledgeGraph.open(settings) as kg:
        expected = count(kg)
        jobs.update(kg, False, update)
        assert kg.store.is_empty()
    with KnowledgeGraph.open(settings) as kg:
        assert count(kg) == expected
        assert kg.validate().conforms
        assert kg.search("한국")


def test_non_conforming_data_is_refused_with_a_report_and_nothing_is_loaded(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load()
    before = count(kg)
    bad = write(tmp_path, "zero.ttl", INVALID_HOLDING)
    with pytest.raises(ValidationError) as caught:
        kg.add_files([write(tmp_path, "japan.ttl", VALID_EXTRA), bad])
    assert count(kg) == before
    assert not kg.query("ASK { <country/JP> ?p ?o }")
    violation = caught.value.report.violations[0]
    assert violation.focus_node == "https://w3id.org/aikg/claim/h100-france-zero"
    assert violation.path == "https://w3id.org/aikg/ontology#quantity"
    assert violation.source_shape == "https://w3id.org/aikg/shapes#HardwareHoldingShape-quantity"
    assert violation.file == str(bad)
    assert "never 0" in violation.message
    assert str(bad) in caught.value.describe()


def test_unparseable_turtle_names_file_line_and_column_and_loads_nothing(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load()
    before = count(kg)
    bad = write(tmp_path, "broken.ttl", '@prefix ex: <http://e/> .\nex:a ex:b "unterminated .\n')
    with pytest.raises(RdfSyntaxError) as caught:
        kg.add_files([write(tmp_path, "japan.ttl", VALID_EXTRA), bad])
    assert (caught.value.source, caught.value.line, caught.value.column) == (str(bad), 2, 11)
    assert count(kg) == before


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such file"):
        KnowledgeGraph.load([tmp_path / "absent.ttl"])


def test_two_files_cannot_claim_the_same_graph(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="already loaded"):
        KnowledgeGraph.load().add_files([write(tmp_path, "holdings.ttl", VALID_EXTRA)])


def test_rdf_xml_with_entity_declarations_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = write(
        tmp_path,
        "lol.rdf",
        """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://e/"><rdf:Description rdf:about="http://e/x"><ex:p>&b;</ex:p>
</rdf:Description></rdf:RDF>""",
    )
    with pytest.raises(InputError, match="DOCTYPE or entity declaration is refused") as caught:
        KnowledgeGraph.load([bomb], validate=False)
    assert caught.value.where == f"{bomb}, line 2, column 1"


def test_json_ld_never_fetches_a_remote_or_local_context(
    tmp_path: Path, listener: tuple[str, list[str]]
) -> None:
    url, hits = listener
    for context in (f"{url}/context.jsonld", "file:///etc/passwd"):
        doc = write(
            tmp_path,
            "remote.jsonld",
            f'{{"@context": "{context}", "@id": "http://e/x", "name": "x"}}',
        )
        with pytest.raises(RdfSyntaxError):
            KnowledgeGraph.load([doc], validate=False)
    assert hits == []


def test_an_unusable_store_directory_is_a_clear_error(tmp_path: Path) -> None:
    not_a_dir = write(tmp_path, "file", "x")
    with pytest.raises(StoreError) as caught:
        KnowledgeGraph.open(Settings(store=str(not_a_dir)))
    assert caught.value.where == f"store directory {not_a_dir}"


def test_a_folder_of_other_files_is_not_made_a_store(tmp_path: Path) -> None:
    """RocksDB would write dozens of files among the user's, and the name index one
    beside the folder."""
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="is a folder of other files, not a store") as caught:
        KnowledgeGraph.open(Settings(store=str(folder)))
    assert "new or empty directory" in (caught.value.hint or "")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["papers"]
    new = tmp_path / "store"
    (new / "lost+found").mkdir(parents=True)  # a freshly formatted volume
    (new / ".gitkeep").touch()
    with KnowledgeGraph.open(Settings(store=str(new))) as kg:
        assert kg.knows("country:KR")
    with KnowledgeGraph.open(Settings(store=str(new))) as kg:  # a store's own folder opens
        assert kg.knows("country:KR")
