"""Statements of the sources that the graph holds as claims beyond the FACTS list: each
rests on its exact sentence, is attributed to whom the text says, and says whether the
source states it or the graph interprets or reads it in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from aikg import KnowledgeGraph
from tests.conftest import ask

KIM = "person:min-woo-kim"
EDITOR = "person:unnamed-senior-editor"


@dataclass(frozen=True)
class Expected:
    source: str
    quotation: str
    by: str | None
    basis: str
    pattern: str


STATEMENTS = {
    "the Senior Editor: Korea is stable competitive": Expected(
        "S2",
        "According to recent data, Korea is classified as “stable competitive” in AI maturity, "
        "lagging behind global leaders like the US and China.",
        EDITOR,
        "interpreted",
        "?claim a aikg:IndexPosition ; aikg:subject country:KR ; aikg:tier tier:stable-competitive .",
    ),
    "Kim: Korea navigated the middle-income trap": Expected(
        "S2",
        "Korea has successfully navigated this trap in the past, but the AI era presents new "
        "challenges.",
        KIM,
        "interpreted",
        "?claim a aikg:Classification ; aikg:subject country:KR ;"
        " aikg:category topic:escaped-middle-income-trap .",
    ),
    "Kim defines the middle-income trap": Expected(
        "S2",
        "The middle-income trap is a phenomenon where a country achieves rapid economic growth "
        "but then stagnates as it struggles to transition to high-income status.",
        KIM,
        "stated",
        "?claim a aikg:ConceptDefinition ; aikg:definedConcept topic:middle-income-trap ;"
        ' aikg:definitionText "a phenomenon where a country achieves rapid economic growth but'
        ' then stagnates as it struggles to transition to high-income status" .',
    ),
    "the Senior Editor: China's massive government backing": Expected(
        "S2",
        "China has emerged as a global AI powerhouse, with 4,300 AI companies and massive "
        "government backing.",
        EDITOR,
        "stated",
        "?claim a aikg:Approach ; aikg:subject country:CN ; aikg:element topic:government-backing .",
    ),
    "Kim: China's strong government support": Expected(
        "S2",
        "China’s rise in AI is a testament to the power of destructive innovation and strong "
        "government support.",
        KIM,
        "interpreted",
        "?claim a aikg:Approach ; aikg:subject country:CN ;"
        " aikg:element topic:government-backing , innovation-type:destructive .",
    ),
    "Kim: a shift in mindset": Expected(
        "S2",
        "This requires a shift in mindset, increased government support, and a focus on "
        "long-term investments in AI research and talent.",
        KIM,
        "stated",
        "?claim a aikg:Recommendation ; aikg:subject country:KR ; aikg:topic topic:shift-in-mindset .",
    ),
    "Kim: increased government support": Expected(
        "S2",
        "This requires a shift in mindset, increased government support, and a focus on "
        "long-term investments in AI research and talent.",
        KIM,
        "stated",
        "?claim a aikg:Recommendation ; aikg:topic topic:increased-government-support .",
    ),
    "Kim: long-term investments in AI research and talent": Expected(
        "S2",
        "This requires a shift in mindset, increased government support, and a focus on "
        "long-term investments in AI research and talent.",
        KIM,
        "stated",
        "?claim a aikg:Recommendation ;"
        " aikg:topic topic:long-term-investments-in-ai-research-and-talent .",
    ),
    "Kim: fostering disruptive technologies": Expected(
        "S2",
        "To catch up, Korea needs to adopt a similar approach—fostering disruptive technologies, "
        "encouraging startups, and providing robust government support.",
        KIM,
        "stated",
        "?claim a aikg:Recommendation ; aikg:topic topic:fostering-disruptive-technologies .",
    ),
    "Kim: encouraging startups": Expected(
        "S2",
        "To catch up, Korea needs to adopt a similar approach—fostering disruptive technologies, "
        "encouraging startups, and providing robust government support.",
        KIM,
        "stated",
        "?claim a aikg:Recommendation ; aikg:topic topic:encouraging-startups .",
    ),
    "Kim: robust government support": Expected(
        "S2",
        "To catch up, Korea needs to adopt a similar approach—fostering disruptive technologies, "
        "encouraging startups, and providing robust government support.",
        KIM,
        "stated",
        "?claim a aikg:Recommendation ; aikg:topic topic:robust-government-support .",
    ),
    "Kim: act swiftly and decisively": Expected(
        "S2",
        "The key is to act swiftly and decisively.",
        KIM,
        "readIn",
        "?claim a aikg:Recommendation ; aikg:subject country:KR ;"
        " aikg:topic topic:act-swiftly-and-decisively .",
    ),
    "Kim: the GPU gap limits scalability and hinders R&D": Expected(
        "S2",
        "This hardware gap limits the scalability of AI projects and hinders research and "
        "development.",
        KIM,
        "stated",
        f"?claim a aikg:Statement ; aikg:speaker {KIM} ; aikg:quotation ?evidence .",
    ),
    "Kim: the transition has been slower than expected": Expected(
        "S2",
        "While the country has a strong foundation in conventional industries,its transition to "
        "AI-driven innovation has been slower than expected.",
        KIM,
        "stated",
        f"?claim a aikg:Statement ; aikg:speaker {KIM} ; aikg:quotation ?evidence .",
    ),
    "Kim defines continuous innovation": Expected(
        "S2",
        "Additionally, Korea’s focus on continuous innovation—improving existing products—has "
        "come at the expense of disruptive innovations that create entirely new markets.",
        KIM,
        "stated",
        "?claim a aikg:ConceptDefinition ; aikg:definedConcept innovation-type:continuous ;"
        ' aikg:definitionText "improving existing products" .',
    ),
    "Kim defines disruptive innovation": Expected(
        "S2",
        "Additionally, Korea’s focus on continuous innovation—improving existing products—has "
        "come at the expense of disruptive innovations that create entirely new markets.",
        KIM,
        "stated",
        "?claim a aikg:ConceptDefinition ; aikg:definedConcept innovation-type:destructive ;"
        ' aikg:definitionText "create entirely new markets" .',
    ),
    "Kim: destructive innovation creates new markets and industries": Expected(
        "S2",
        "To escape this trap, Korea needs to embrace “destructive innovation”—creating new "
        "markets and industries rather than simply improving existing ones.",
        KIM,
        "stated",
        "?claim a aikg:ConceptDefinition ; aikg:definedConcept innovation-type:destructive ;"
        ' aikg:definitionText "creating new markets and industries rather than simply'
        ' improving existing ones" .',
    ),
    "S1: China was once a step behind Korea in manufacturing": Expected(
        "S1",
        "China, once considered a step behind Korea in traditional manufacturing, has surged "
        "ahead in AI.",
        None,
        "interpreted",
        "?claim a aikg:Comparison ; aikg:subject country:KR ; aikg:aheadOf country:CN ;"
        ' aikg:field topic:traditional-manufacturing ; aikg:periodAsWritten "once" .',
    ),
    "S1: China has surged ahead in AI": Expected(
        "S1",
        "China, once considered a step behind Korea in traditional manufacturing, has surged "
        "ahead in AI.",
        None,
        "readIn",
        "?claim a aikg:Comparison ; aikg:subject country:CN ; aikg:aheadOf country:KR ;"
        " aikg:field topic:artificial-intelligence .",
    ),
    "S1: China is a global AI powerhouse": Expected(
        "S1",
        "with 4,300 AI companies, an industrial size of 500 billion yuan (approximately 100 "
        "trillion won), and second-place ranking in patent applications, China is now a global "
        "AI powerhouse.",
        None,
        "stated",
        "?claim a aikg:Classification ; aikg:subject country:CN ;"
        " aikg:category topic:global-ai-powerhouse .",
    ),
    "the Senior Editor: China is a global AI powerhouse": Expected(
        "S2",
        "China has emerged as a global AI powerhouse, with 4,300 AI companies and massive "
        "government backing.",
        EDITOR,
        "stated",
        "?claim a aikg:Classification ; aikg:subject country:CN ;"
        " aikg:category topic:global-ai-powerhouse .",
    ),
    "S1: reliance on export-oriented growth no longer sufficient": Expected(
        "S1",
        "Though, in the AI era, Korea’s reliance on export-oriented growth and continuous "
        "innovation is no longer sufficient.",
        None,
        "stated",
        "?claim a aikg:Approach ; aikg:subject country:KR ;"
        " aikg:element topic:export-oriented-growth , innovation-type:continuous ;"
        ' aikg:sufficient false ; aikg:periodAsWritten "in the AI era" .',
    ),
    "Kim: reliance on export-oriented growth no longer sufficient": Expected(
        "S2",
        "The country’s reliance on export-oriented growth and incremental innovation is no "
        "longer sufficient.",
        KIM,
        "stated",
        "?claim a aikg:Approach ; aikg:subject country:KR ;"
        " aikg:element topic:export-oriented-growth , innovation-type:continuous ;"
        " aikg:sufficient false .",
    ),
}


def _query(expected: Expected) -> str:
    by = (
        f"?claim prov:wasAttributedTo {expected.by} ."
        if expected.by
        else "FILTER NOT EXISTS { ?claim prov:wasAttributedTo ?anyone }"
    )
    reading = (
        "FILTER NOT EXISTS { ?claim aikg:reading ?why }"
        if expected.basis == "stated"
        else "?claim aikg:reading ?why ."
    )
    text = expected.quotation.replace('"', '\\"')
    return f"""
    ASK {{
      ?claim prov:wasDerivedFrom ?src ; aikg:evidence ?evidence ; aikg:basis aikg:{expected.basis} .
      ?src dcterms:identifier "{expected.source}" .
      ?evidence schema:text "{text}" ; dcterms:isPartOf ?src .
      {by}
      {reading}
      {expected.pattern}
    }}"""


@pytest.mark.parametrize("name", list(STATEMENTS))
def test_the_statement_is_a_claim_on_its_exact_sentence(kg: KnowledgeGraph, name: str) -> None:
    assert ask(kg, _query(STATEMENTS[name])), name


def test_a_wrong_attribution_is_not_found(kg: KnowledgeGraph) -> None:
    """The check is sharp: the same statement credited to someone else is not in the graph."""
    right = STATEMENTS["Kim: act swiftly and decisively"]
    wrong = Expected(right.source, right.quotation, EDITOR, right.basis, right.pattern)
    assert not ask(kg, _query(wrong))
    stated = Expected(right.source, right.quotation, KIM, "stated", right.pattern)
    assert not ask(kg, _query(stated))


def test_kims_words_are_spoken_by_him_and_the_editors_by_the_editor(kg: KnowledgeGraph) -> None:
    for expected in STATEMENTS.values():
        if expected.by is None:
            continue
        text = expected.quotation.replace('"', '\\"')
        assert ask(
            kg,
            f'ASK {{ ?q schema:text "{text}" ; schema:spokenByCharacter {expected.by} }}',
        ), expected.quotation
