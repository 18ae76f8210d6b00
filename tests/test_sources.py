"""What the sources state, what the graph reads in, and adding a source safely.

The bundled data is checked against its text by the product (aikg.sources, run by every
validation); the audit's findings each have a test here that fails on the data before
they were fixed; the analyst's workflow for a new source runs on a fixture text.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from aikg import KnowledgeGraph, SelectResult, sources
from aikg.cli import main
from aikg.errors import InputError, NotFoundError, ValidationError
from aikg.store.local import bundled_data_paths
from aikg.validation.incremental import Change
from aikg.validation.pyshacl_engine import Violation

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "s3.txt"
CHECK = "https://w3id.org/aikg/shapes#SourceTextCheck"


def ask(kg: KnowledgeGraph, query: str) -> bool:
    answer = kg.query(query)
    assert isinstance(answer, bool)
    return answer


def select(kg: KnowledgeGraph, query: str) -> list[dict[str, object]]:
    answer = kg.query(query)
    assert isinstance(answer, SelectResult)
    return answer.values()


# ------------------------------------------------------------------ the audit's findings


def test_the_s2_official_says_only_what_comes_before_but(kg: KnowledgeGraph) -> None:
    said = select(
        kg,
        """SELECT ?speaker ?text WHERE { claim:statement-it-industry-official-s2
           aikg:speaker ?speaker ; aikg:quotation/schema:text ?text }""",
    )
    assert [(str(r["speaker"]).rsplit("/", 1)[-1], r["text"]) for r in said] == [
        (
            "unnamed-it-industry-official-s2",
            "the challenge is immense at the individual company level",
        )
    ]
    kim = select(
        kg,
        """SELECT ?text WHERE { ?c a aikg:Statement ; aikg:speaker person:min-woo-kim ;
           aikg:quotation/schema:text ?text ; prov:wasDerivedFrom source:s2 }""",
    )
    assert {"with a coordinated effort, Korea can turn the tide"} <= {r["text"] for r in kim}


def test_the_two_unnamed_officials_are_not_merged(kg: KnowledgeGraph) -> None:
    assert not ask(kg, "ASK { person:unnamed-it-industry-official aikg:mentionedIn source:s2 }")
    assert ask(kg, "ASK { person:unnamed-it-industry-official-s2 aikg:anonymous true }")


def test_every_quotation_is_evidence_of_a_claim(kg: KnowledgeGraph) -> None:
    unused = select(
        kg,
        """SELECT ?q WHERE { ?q a aikg:Quotation . FILTER NOT EXISTS { ?c aikg:evidence ?q }
           FILTER NOT EXISTS { ?c aikg:quotation ?q } }""",
    )
    assert unused == []
    assert ask(
        kg,
        """ASK { ?c a aikg:Recommendation ; aikg:evidence quote:s2-france-lesson ;
                 prov:wasAttributedTo person:min-woo-kim }""",
    )


def test_no_company_is_placed_where_the_sources_do_not_say(kg: KnowledgeGraph) -> None:
    assert not ask(kg, "ASK { company:sk-telecom aikg:basedIn ?c }")
    assert not ask(kg, "ASK { company:naver-cloud aikg:basedIn ?c }")
    read_in = select(
        kg,
        """SELECT ?org WHERE { ?org aikg:basedIn country:CN ; skos:editorialNote ?note
           FILTER CONTAINS(STR(?note), "the graph's reading") }""",
    )
    assert {str(r["org"]).rsplit("/", 1)[-1] for r in read_in} == {"huawei", "tencent", "byd"}


def test_no_pronoun_the_text_does_not_give(kg: KnowledgeGraph) -> None:
    for path in bundled_data_paths():
        text = Path(path).read_text("utf-8")
        for pronoun in (" him ", ' him"', " his ", " her ", " she ", " he "):
            assert pronoun not in text, (path, pronoun)


def test_s2_backing_is_in_s2s_words(kg: KnowledgeGraph) -> None:
    backing = select(
        kg, "SELECT ?b WHERE { claim:chinese-companies-ai-s2 aikg:backing/rdfs:label ?b }"
    )
    assert {r["b"] for r in backing} == {"subsidies", "national strategy"}


def test_s2_talent_recommendation_is_in_dr_kims_words(kg: KnowledgeGraph) -> None:
    label = select(
        kg, "SELECT ?l WHERE { claim:recommendation-talent-s2 aikg:topic/rdfs:label ?l }"
    )
    assert [r["l"] for r in label] == ["retaining and attracting top AI talent"]


def test_the_senior_editors_opening_is_spoken_by_the_senior_editor(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        "ASK { quote:s2-senior-editor-opening schema:spokenByCharacter person:unnamed-senior-editor }",
    )


def test_the_readings_are_exactly_what_the_source_does_not_state(kg: KnowledgeGraph) -> None:
    readings = kg.saved("readings")
    assert isinstance(readings, SelectResult)
    got = {
        (str(r["claim"]).rsplit("/", 1)[-1], str(r["basis"]).rsplit("#", 1)[-1])
        for r in readings.values()
    }
    interpreted = {
        "score-china-s1",  # the bounds of "early 50s"
        "ai-maturity-united-states-s1",  # the list read as BCG's matrix
        "ai-maturity-china-s1",
        "ai-maturity-canada-s1",
        "ai-maturity-singapore-s1",
        "ai-maturity-united-kingdom-s1",
        "ai-maturity-france-s1",  # the table row read as BCG's matrix
        "global-ranking-korea-s1",  # the table row read as the global AI rankings
        "global-ranking-china-s1",
        "global-ranking-france-s1",
        "ai-maturity-korea-s2",  # the Senior Editor's "stable competitive" read as BCG's tier
        "korea-navigated-middle-income-trap-s2",  # "navigated" read as escaped
        "china-approach-s2",  # "strong government support" as government backing
        "korea-ahead-of-china-in-manufacturing-s1",  # a view once held, no one named
    }
    read_in = {
        "france-focuses-on-disruptive-innovation-s1",
        "france-approach-s1",
        "china-ahead-of-korea-in-ai-s1",  # ahead of whom: Korea, from the sentence
        "recommendation-act-swiftly-and-decisively-s2",  # for Korea, from the answer
    }
    assert got == {(c, "interpreted") for c in interpreted} | {(c, "readIn") for c in read_in}
    assert all(str(r["reading"]) for r in readings.values())


def test_every_claim_has_a_basis(kg: KnowledgeGraph) -> None:
    missing = select(
        kg, "SELECT ?c WHERE { ?c a aikg:Claim FILTER NOT EXISTS { ?c aikg:basis ?b } }"
    )
    assert missing == []


# ------------------------------------------------------------------ the product's check


def test_every_bundled_quotation_is_in_its_own_part_of_the_text(kg: KnowledgeGraph) -> None:
    texts, problems = sources.source_texts(kg)
    assert problems == []
    by_id = {t.identifier: t for t in texts.values() if t.identifier}
    assert by_id["S1"].text.startswith("Home » Business » Meta’s AI Accelerator")
    assert by_id["S2"].text.startswith("Korea’s AI Transition: Insights from an Expert")
    assert by_id["S2"].text.rstrip().endswith("left behind in this transformative revolution.")
    assert sources.check(kg) == ()


def _copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "triples"
    folder.mkdir()
    for path in bundled_data_paths():
        shutil.copy(path, folder / Path(path).name)
    return folder


def test_a_quotation_off_by_one_character_is_refused_naming_the_passage(tmp_path: Path) -> None:
    folder = _copy_data(tmp_path)
    file = folder / "sources.ttl"
    text = file.read_text("utf-8")
    right = "Korea excels in the former but lags in the latter."
    file.write_text(text.replace(right, "Korea excels in the former but lags in the later."))
    with pytest.raises(ValidationError, match="violation") as caught:
        KnowledgeGraph.load(sorted(folder.glob("*.ttl")))
    [violation] = caught.value.report.violations
    assert violation.source_shape == CHECK
    assert violation.focus_node == "https://w3id.org/aikg/quote/s1-excels-lags"
    assert violation.file is not None and violation.file.endswith("sources.ttl")
    assert repr(right[:-1]) in violation.message or repr(right) in violation.message
    assert "first difference at character 47: the text has 't', the quotation 'e'" in (
        violation.message
    )


def test_a_quotation_from_the_other_part_is_refused(tmp_path: Path) -> None:
    folder = _copy_data(tmp_path)
    file = folder / "sources.ttl"
    text = file.read_text("utf-8")
    s2_words = "Korea has just 2,000 H100 GPUs, a fraction of what global leaders like Tesla or XAI possess."
    # S1's quotation replaced by S2's words: right text, wrong source.
    file.write_text(text.replace("Korea excels in the former but lags in the latter.", s2_words, 1))
    with pytest.raises(ValidationError) as caught:
        KnowledgeGraph.load(sorted(folder.glob("*.ttl")))
    messages = [v.message for v in caught.value.report.violations if v.source_shape == CHECK]
    assert len(messages) == 1
    assert "It is in S2's text." in messages[0]


def test_a_table_cell_in_the_wrong_row_is_refused(tmp_path: Path) -> None:
    folder = _copy_data(tmp_path)
    file = folder / "sources.ttl"
    text = file.read_text("utf-8")
    file.write_text(
        text.replace(
            'schema:text "2nd" ;\n    aikg:tableRow "Global Ranking" ;',
            'schema:text "2nd" ;\n    aikg:tableRow "AI Companies" ;',
        )
    )
    with pytest.raises(ValidationError) as caught:
        KnowledgeGraph.load(sorted(folder.glob("*.ttl")))
    [violation] = [v for v in caught.value.report.violations if v.source_shape == CHECK]
    assert violation.message == (
        "The table cell at row 'AI Companies', column 'China' of "
        "https://w3id.org/aikg/source/s1-key-metrics is not '2nd': the cell reads '4,300'."
    )


def test_an_as_written_value_not_in_the_evidence_is_refused(tmp_path: Path) -> None:
    folder = _copy_data(tmp_path)
    file = folder / "rankings.ttl"
    text = file.read_text("utf-8")
    file.write_text(text.replace('aikg:valueAsWritten "fourth" ;', 'aikg:valueAsWritten "4th" ;'))
    with pytest.raises(ValidationError) as caught:
        KnowledgeGraph.load(sorted(folder.glob("*.ttl")))
    [violation] = caught.value.report.violations
    assert (violation.focus_node, violation.value, violation.source_shape) == (
        "https://w3id.org/aikg/claim/unido-mci-korea-s1",
        "4th",
        CHECK,
    )
    assert "is in none of the claim's evidence" in violation.message


def test_a_write_that_misquotes_is_refused_and_changes_nothing(kg: KnowledgeGraph) -> None:
    from aikg.loader import load_files  # noqa: PLC0415

    fresh = KnowledgeGraph.load()
    before = fresh.store.dump("nquads", None, inferred=False)
    bad = Path(__file__).resolve().parent / "fixtures" / "misquote.ttl"
    bad.write_text(
        """@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/aikg/quote/s1-invented> a aikg:Quotation ;
    rdfs:label "S1, words it does not have"@en ;
    schema:text "Korea holds 20,000 H100 GPUs." ;
    dcterms:isPartOf <https://w3id.org/aikg/source/s1> .
""",
        "utf-8",
    )
    try:
        with pytest.raises(ValidationError, match="nothing was changed"):
            load_files(fresh, [bad])
    finally:
        bad.unlink()
    assert fresh.store.dump("nquads", None, inferred=False) == before


@pytest.mark.parametrize("into", ["GRAPH <https://w3id.org/aikg/graph/extra> {{ {} }}", "{}"])
def test_a_misquotation_written_outside_its_source_graph_is_refused(into: str) -> None:
    """A quotation's text is checked wherever it is stated: moved into another named
    graph, or into the default graph (an update without ``GRAPH``), a wrong text is as
    wrong as in the graph that says what the quotation is part of."""
    from aikg.workers import jobs  # noqa: PLC0415

    fresh = KnowledgeGraph.load()
    quote = ox.NamedNode("https://w3id.org/aikg/quote/s1-excels-lags")
    (stated,) = fresh.store.quads_for_pattern(quote, ox.NamedNode(sources.SCHEMA_TEXT), None)
    wrong = f'{quote} <{sources.SCHEMA_TEXT}> "Korea excels in the former but lags in the letter."'
    update = (
        f"DELETE DATA {{ GRAPH {stated.graph_name} {{ {quote} <{sources.SCHEMA_TEXT}> "
        f"{stated.object} }} }} ; INSERT DATA {{ {into.format(wrong)} }}"
    )
    with pytest.raises(ValidationError) as caught:
        jobs.update(fresh, True, update)  # the dry run a server makes of the write
    assert [(v.focus_node, v.source_shape) for v in caught.value.report.violations] == [
        (quote.value, sources.CHECK)
    ]
    assert not fresh.validate().conforms  # and a whole validation agrees


def test_a_source_stated_in_the_default_graph_still_has_its_quotations_checked() -> None:
    """The source's type moved into the default graph by an update without ``GRAPH``:
    its quotations are checked all the same (they were passed by, the source unseen)."""
    from aikg.workers import jobs  # noqa: PLC0415

    fresh = KnowledgeGraph.load()
    sources_graph = "<https://w3id.org/aikg/graph/sources>"
    page = "<https://w3id.org/aikg/source/page> a <https://w3id.org/aikg/ontology#Source>"
    jobs.update(
        fresh,
        False,
        f"DELETE DATA {{ GRAPH {sources_graph} {{ {page} }} }} ; INSERT DATA {{ {page} }}",
    )
    assert fresh.validate().conforms
    quote = "<https://w3id.org/aikg/quote/s1-h100-comparison>"
    text = f"<{sources.SCHEMA_TEXT}>"
    misquote = (
        f"DELETE {{ GRAPH {sources_graph} {{ {quote} {text} ?t }} }} "
        f"INSERT {{ GRAPH {sources_graph} {{ {quote} {text} ?new }} }} "
        f"WHERE {{ GRAPH {sources_graph} {{ {quote} {text} ?t }} "
        'BIND (REPLACE(?t, "critical", "crucial") AS ?new) }'
    )
    with pytest.raises(ValidationError) as caught:
        jobs.update(fresh, True, misquote)  # the dry run a server makes of the write
    assert [(v.focus_node, v.source_shape) for v in caught.value.report.violations] == [
        (quote.strip("<>"), sources.CHECK)
    ]


def test_a_quotation_that_is_a_blank_node_is_refused_not_a_crash() -> None:
    """Its text could not be checked against its source's (the check names quotations
    by IRI): the shapes refuse it, and the check of the texts passes it by instead of
    failing on it, in the dry run of a write and in a whole validation after it."""
    from aikg.workers import jobs  # noqa: PLC0415

    fresh = KnowledgeGraph.load()
    update = (
        "PREFIX aikg: <https://w3id.org/aikg/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/extra> { "
        "<https://w3id.org/aikg/claim/h100-tesla-s1> aikg:evidence _:q . "
        '_:q a aikg:Quotation ; rdfs:label "S1, unnamed"@en ; '
        f'<{sources.SCHEMA_TEXT}> "Tesla has 99 GPUs, says nobody." ; '
        "<http://purl.org/dc/terms/isPartOf> <https://w3id.org/aikg/source/s1> } }"
    )
    named = "https://w3id.org/aikg/shapes#QuotationShape-named"
    with pytest.raises(ValidationError) as caught:
        jobs.update(fresh, True, update)  # the dry run a server makes of the write
    assert named in {v.source_constraint for v in caught.value.report.violations}
    assert named in {v.source_constraint for v in fresh.validate().violations}


# ------------------------------------------------------------------ adding a source


def _register(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    texts = tmp_path / "texts"
    texts.mkdir()
    shutil.copy(FIXTURE, texts / "s3.txt")
    source_ttl = tmp_path / "s3-source.ttl"
    code = main(
        [
            "source",
            "add",
            str(texts / "s3.txt"),
            "--id",
            "S3",
            "--title",
            "Panel notes",
            "--genre",
            "notes",
            "-o",
            str(source_ttl),
        ]
    )
    assert code == 0
    return texts, source_ttl


CLAIMS = """@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/aikg/quote/s3-korea> a aikg:Quotation ;
    rdfs:label "S3, on Korea's GPUs"@en ;
    schema:text "QUOTE" ;
    dcterms:isPartOf <https://w3id.org/aikg/source/s3> .
<https://w3id.org/aikg/claim/h100-korea-s3> a aikg:HardwareHolding ;
    aikg:basis aikg:stated ;
    rdfs:label "Korea holds 2,000 H100 GPUs (S3)"@en ;
    aikg:subject <https://w3id.org/aikg/country/KR> ;
    aikg:quantity 2000 ;
    aikg:hardwareModel <https://w3id.org/aikg/hardware/nvidia-h100> ;
    aikg:valueAsWritten "2,000" ;
    prov:wasDerivedFrom <https://w3id.org/aikg/source/s3> ;
    aikg:evidence <https://w3id.org/aikg/quote/s3-korea> .
"""


def test_a_registered_source_records_its_text_and_nothing_invented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, source_ttl = _register(tmp_path, capsys)
    turtle = source_ttl.read_text("utf-8")
    assert 'dcterms:identifier "S3"' in turtle
    assert 'aikg:textFile "s3.txt"' in turtle
    assert f'spdx:checksumValue "{sources.sha256(FIXTURE)}"' in turtle
    assert 'schema:genre "notes"' in turtle
    assert "datePublished" not in turtle and "schema:url" not in turtle


def _run_workflow(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    quotation: str,
    *,
    after_registering: str = "",
) -> tuple[int, str]:
    """Register the fixture text, write a claim quoting it, maybe change the text, and
    validate: the exit code and what was printed."""
    texts, source_ttl = _register(tmp_path, capsys)
    claims = tmp_path / "s3-claims.ttl"
    claims.write_text(CLAIMS.replace("QUOTE", quotation))
    if after_registering:
        with (texts / "s3.txt").open("a", encoding="utf-8") as text:
            text.write(after_registering)
    capsys.readouterr()
    code = main(
        ["validate", "--with-bundled", "--source-dir", str(texts), str(source_ttl), str(claims)]
    )
    return code, capsys.readouterr().out


EXACT = "Korea has 2,000 H100 GPUs, one speaker said."


def test_the_workflow_accepts_claims_quoted_from_the_new_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run_workflow(tmp_path, capsys, EXACT)
    assert (code, out.strip()) == (0, "Conforms: the data satisfies every shape.")


def test_the_workflow_refuses_a_quotation_off_by_one_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run_workflow(tmp_path, capsys, "Korea has 2,000 H100 GPUs, one speaker sad.")
    assert code == 1
    assert "https://w3id.org/aikg/quote/s3-korea" in out
    assert "Closest passage: 'Korea has 2,000 H100 GPUs, one speaker said" in out


def test_the_workflow_refuses_a_text_changed_after_registration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run_workflow(tmp_path, capsys, EXACT, after_registering="A line added later.\n")
    assert code == 1
    assert "has changed since the source was registered" in out


def test_the_workflow_refuses_a_text_it_cannot_find(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, source_ttl = _register(tmp_path, capsys)
    capsys.readouterr()
    assert main(["validate", "--with-bundled", str(source_ttl)]) == 1
    assert "The text file 's3.txt' of https://w3id.org/aikg/source/s3 is not in" in (
        capsys.readouterr().out
    )


def test_registering_refuses_bad_input_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.ttl"
    base = ["source", "add", str(FIXTURE), "--title", "Panel notes", "-o", str(out)]
    assert main([*base, "--id", "S 3"]) == 2
    assert "source identifier 'S 3' is not usable" in capsys.readouterr().err
    assert main([*base, "--id", "S3", "--published", "last spring"]) == 2
    assert "'last spring' is not a date" in capsys.readouterr().err
    assert main(["source", "add", str(tmp_path / "none.txt"), "--id", "S3", "--title", "x"]) == 2
    assert not out.exists()
    text = tmp_path / "s5.txt"
    text.write_text("The words.", encoding="utf-8")
    assert main(["source", "add", str(text), "--id", "S5", "--title", "x", "-o", str(text)]) == 2
    assert "--output names the source's own text" in capsys.readouterr().err
    assert text.read_text(encoding="utf-8") == "The words."
    with pytest.raises(NotFoundError, match="no text file"):
        sources.register(
            tmp_path / "none.txt", identifier="S3", title="x", base_iri="https://e.org/"
        )
    with pytest.raises(InputError, match="needs a title"):
        sources.register(FIXTURE, identifier="S3", title=" ", base_iri="https://e.org/")


# ------------------------------------------------------------------ checking a change

BASE = "https://w3id.org/aikg/"
GRAPH = ox.NamedNode(BASE + "graph/changed")


def _node(path: str) -> ox.NamedNode:
    return ox.NamedNode(BASE + path)


def kg_quads(kg: KnowledgeGraph, subject: str, predicate: str) -> list[ox.Quad]:
    return list(kg.store.quads_for_pattern(_node(subject), ox.NamedNode(predicate), None))


@pytest.fixture(scope="module")
def changed() -> KnowledgeGraph:
    """The bundled data in a graph of its own, to change and put back."""
    return KnowledgeGraph.load()


SCHEMA_TEXT = "http://schema.org/text"
AIKG_ONTOLOGY = "https://w3id.org/aikg/ontology#"
PART_OF = "http://purl.org/dc/terms/isPartOf"


def _misquote(kg: KnowledgeGraph) -> Change:
    quote = _node("quote/s1-invented")
    return Change.of(
        added=[
            ox.Quad(
                quote, ox.NamedNode(SCHEMA_TEXT), ox.Literal("Korea holds 20,000 GPUs."), GRAPH
            ),
            ox.Quad(quote, ox.NamedNode(PART_OF), _node("source/s1"), GRAPH),
        ]
    )


def _as_written_elsewhere(kg: KnowledgeGraph) -> Change:
    """A new claim resting on an old quotation, in words the quotation does not have."""
    claim = _node("claim/invented-s1")
    return Change.of(
        added=[
            ox.Quad(
                claim, ox.NamedNode(AIKG_ONTOLOGY + "evidence"), _node("quote/s1-unido-oecd"), GRAPH
            ),
            ox.Quad(
                claim, ox.NamedNode(AIKG_ONTOLOGY + "valueAsWritten"), ox.Literal("eleventh"), GRAPH
            ),
        ]
    )


def _text_taken_from_evidence(kg: KnowledgeGraph) -> Change:
    """An old quotation loses its text: the old claim resting on it quotes nothing."""
    return Change.of(removed=kg_quads(kg, "quote/s1-unido-oecd", SCHEMA_TEXT))


def _cell_moved(kg: KnowledgeGraph) -> Change:
    [row] = kg_quads(kg, "quote/s1-table-global-ranking-korea", AIKG_ONTOLOGY + "tableRow")
    return Change.of(
        removed=[row],
        added=[ox.Quad(row.subject, row.predicate, ox.Literal("AI Companies"), GRAPH)],
    )


def _part_moved(kg: KnowledgeGraph) -> Change:
    """A source's stretch of text starts at words its text does not have: the source is
    checked again, with every quotation."""
    [start] = kg_quads(kg, "source/s1-key-metrics", AIKG_ONTOLOGY + "textStartsAt")
    return Change.of(
        removed=[start],
        added=[
            ox.Quad(start.subject, start.predicate, ox.Literal("Words it does not have"), GRAPH)
        ],
    )


def _unrelated(kg: KnowledgeGraph) -> Change:
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    return Change.of(added=[ox.Quad(_node("country/KR"), label, ox.Literal("Korea"), GRAPH)])


CHANGES_FOUND = [
    (_misquote, {"quote/s1-invented"}),
    (_as_written_elsewhere, {"claim/invented-s1"}),
    (_text_taken_from_evidence, {"claim/unido-mci-korea-s1", "claim/labor-productivity-korea-s1"}),
    (_cell_moved, {"quote/s1-table-global-ranking-korea"}),
    (_part_moved, {"source/s1-key-metrics"}),
    (_unrelated, set()),
]
"""Changes, and the nodes where the check finds what each breaks."""


def checked_while_changed(
    kg: KnowledgeGraph, made: Change
) -> tuple[tuple[Violation, ...], tuple[Violation, ...]]:
    """The check of the change and the check of everything, with the change made to the
    store; the store as it was after."""
    kg.store.extend(list(made.added))
    kg.store.remove(list(made.removed))
    try:
        return sources.check(kg, made), sources.check(kg)
    finally:
        kg.store.remove(list(made.added))
        kg.store.extend(list(made.removed))


@pytest.mark.parametrize(("change", "found"), CHANGES_FOUND)
def test_a_change_is_checked_where_it_can_break_a_quotation(
    changed: KnowledgeGraph, change: Callable[[KnowledgeGraph], Change], found: set[str]
) -> None:
    """Checking the quotations and claims a change reaches finds what checking them all
    finds (the bundled data conforms: every violation is the change's)."""
    assert sources.check(changed) == ()
    incremental, full = checked_while_changed(changed, change(changed))
    assert set(incremental) == set(full)
    assert {v.focus_node.removeprefix(BASE) for v in full} == found


def test_a_change_on_a_remote_store_is_checked_as_in_process(any_remote_kg: KnowledgeGraph) -> None:
    """On a server, where the check reads many nodes a request, each change is found where
    it breaks a quotation, by the check of the change and by the check of everything."""
    kg = any_remote_kg
    assert sources.check(kg) == ()
    for change, found in CHANGES_FOUND:
        incremental, full = checked_while_changed(kg, change(kg))
        assert set(incremental) == set(full), change.__name__
        assert {v.focus_node.removeprefix(BASE) for v in full} == found, change.__name__
    assert sources.check(kg) == ()


def test_a_remote_check_reads_many_claims_a_request(
    any_remote_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checking a change of 40 claims on a server takes as many requests as checking one:
    the claims and their evidence are read together, not one lookup each."""
    kg = any_remote_kg
    engine = kg.store.engine
    requests: list[str] = []
    send = engine._send

    def counted(method: str, url: str, **options: Any) -> Any:
        requests.append(url)
        return send(method, url, **options)

    def claims(n: int) -> Change:
        evidence = ox.NamedNode(AIKG_ONTOLOGY + "evidence")
        written = ox.NamedNode(AIKG_ONTOLOGY + "valueAsWritten")
        return Change.of(
            added=[
                quad
                for i in range(n)
                for quad in (
                    ox.Quad(
                        _node(f"claim/many-{i}"), evidence, _node("quote/s1-unido-oecd"), GRAPH
                    ),
                    ox.Quad(_node(f"claim/many-{i}"), written, ox.Literal(f"eleventh {i}"), GRAPH),
                )
            ]
        )

    monkeypatch.setattr(engine, "_send", counted)
    counts = []
    for n in (1, 40):
        made = claims(n)
        kg.store.extend(list(made.added))
        try:
            requests.clear()
            found = sources.check(kg, made)
            counts.append(len(requests))
        finally:
            kg.store.remove(list(made.added))
        assert {v.focus_node.removeprefix(BASE) for v in found} == {
            f"claim/many-{i}" for i in range(n)
        }
    # As many, but for the list of aikg's graphs, asked again once its two seconds pass.
    assert counts[1] <= counts[0] + 2, counts
