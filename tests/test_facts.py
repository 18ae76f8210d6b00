"""Every fact of FACTS.md (F01-F33) is in the graph, with its source and its quotation.

Each test asks SPARQL for a claim with the fact's values, derived from the right source
(S1 or S2), resting on a quotation (or table cell) that contains the words the fact comes
from. A test fails if the value, the source or the quote is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aikg import KnowledgeGraph
from aikg.errors import ValidationError
from tests.conftest import ask


def claim(source: str, quote: str, pattern: str) -> str:
    """ASK for a claim matching ``pattern`` (on ?claim), from ``source``, quoting ``quote``."""
    return f"""
    ASK {{
      ?claim prov:wasDerivedFrom ?src ; aikg:evidence ?evidence .
      ?src dcterms:identifier "{source}" .
      ?evidence schema:text ?quote .
      FILTER (CONTAINS(?quote, "{quote}"))
      {pattern}
    }}"""


def cell(source: str, row: str, column: str, text: str, pattern: str) -> str:
    """ASK for a claim resting on the table cell (row, column) that reads ``text``."""
    return f"""
    ASK {{
      ?claim prov:wasDerivedFrom ?src ; aikg:evidence ?cell .
      ?src dcterms:identifier "{source}" .
      ?cell a aikg:TableCell ; aikg:tableRow "{row}" ; aikg:tableColumn "{column}" ;
            schema:text "{text}" .
      {pattern}
    }}"""


HOLDING = "?claim a aikg:HardwareHolding ; aikg:subject {holder} ; aikg:quantity {n} ."
H100 = "?claim aikg:hardwareModel hardware:nvidia-h100 ."


def test_f01_korea_holds_2000_h100_in_s1_text_table_and_s2(kg: KnowledgeGraph) -> None:
    korea = HOLDING.format(holder="country:KR", n=2000) + H100
    assert ask(kg, claim("S1", "Korea possesses just 2,000 NVIDIA H100 GPUs", korea))
    assert ask(kg, cell("S1", "GPU Units (H100)", "Korea", "2,000", korea))
    assert ask(kg, claim("S2", "Korea has just 2,000 H100 GPUs", korea))


def test_f02_tesla_holds_35000_h100(kg: KnowledgeGraph) -> None:
    assert ask(
        kg, claim("S1", "Tesla’s 35,000", HOLDING.format(holder="company:tesla", n=35000) + H100)
    )


def test_f03_xai_holds_100000_h100(kg: KnowledgeGraph) -> None:
    assert ask(
        kg, claim("S1", "XAI’s 100,000", HOLDING.format(holder="company:xai", n=100000) + H100)
    )


def test_f04_meta_holds_350000_per_the_title_without_a_model(kg: KnowledgeGraph) -> None:
    meta = HOLDING.format(holder="company:meta", n=350000)
    assert ask(
        kg,
        claim(
            "S1",
            "Meta’s AI Accelerator: 350,000 vs 2,000",
            meta + '?claim aikg:hardwareAsWritten "AI Accelerator" .',
        ),
    )
    assert not ask(kg, "ASK { ?c aikg:subject company:meta ; aikg:hardwareModel ?m }")


def test_f05_china_holds_350000_h100_per_the_table(kg: KnowledgeGraph) -> None:
    china = HOLDING.format(holder="country:CN", n=350000) + H100
    assert ask(kg, cell("S1", "GPU Units (H100)", "China", "350,000", china))


def test_f06_the_two_350000_claims_are_kept_and_flagged_as_a_conflict(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        """ASK {
      ?conflict a aikg:Conflict ; rdfs:comment ?why ;
                aikg:conflictingClaim ?meta , ?china .
      ?meta aikg:subject company:meta ; aikg:quantity 350000 .
      ?china aikg:subject country:CN ; aikg:quantity 350000 .
    }""",
    )


def test_f07_france_h100_count_is_unknown_not_zero(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        cell(
            "S1",
            "GPU Units (H100)",
            "France",
            "N/A",
            """
      ?claim a aikg:UnreportedValue ; aikg:subject country:FR ;
             aikg:indicator indicator:h100-gpu-units .
      FILTER NOT EXISTS { ?claim aikg:quantity ?any }
      FILTER NOT EXISTS { ?claim schema:value ?any2 }""",
        ),
    )
    assert not ask(kg, "ASK { ?c a aikg:HardwareHolding ; aikg:subject country:FR }")


def test_f08_yoo_young_sang_said_it_at_the_sk_ai_summit_as_ceo_of_sk_telecom(
    kg: KnowledgeGraph,
) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "lamented at the SK AI Summit",
            """
      ?claim a aikg:Statement ; aikg:speaker person:yoo-young-sang ;
             aikg:atEvent event:sk-ai-summit ; aikg:quotation ?words .
      ?words schema:text "Korea has only 2,000 H100 GPUs throughout the whole." ;
             schema:spokenByCharacter person:yoo-young-sang .""",
        ),
    )
    assert ask(
        kg,
        claim(
            "S1",
            "Yoo young-sang, CEO of SK Telecom",
            """
      ?claim a aikg:Membership ; org:member person:yoo-young-sang ; org:role role:ceo ;
             org:organization company:sk-telecom .""",
        ),
    )


def test_f09_bcg_classifies_korea_stable_competitive_second_tier(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "“stable competitive country,” placing it in the second tier",
            """
      ?claim a aikg:IndexPosition ; aikg:subject country:KR ;
             aikg:index index:bcg-ai-maturity-matrix ; aikg:tier tier:stable-competitive ;
             prov:wasAttributedTo organization:boston-consulting-group .
      tier:stable-competitive aikg:tierLevel 2 .
      index:bcg-ai-maturity-matrix aikg:publishedBy organization:boston-consulting-group .""",
        ),
    )


@pytest.mark.parametrize("country", ["US", "CN", "CA", "SG", "GB"])
def test_f10_ai_leading_countries_of_the_matrix(kg: KnowledgeGraph, country: str) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "far cry from the “AI leading countries” like the United States",
            f"""
      ?claim a aikg:IndexPosition ; aikg:subject country:{country} ;
             aikg:index index:bcg-ai-maturity-matrix ; aikg:tier tier:ai-leading .""",
        ),
    )


@pytest.mark.parametrize(
    ("column", "text", "country", "tier"),
    [
        ("Korea", "Stable Competitive", "KR", "stable-competitive"),
        ("China", "Leading", "CN", "ai-leading"),
        ("France", "Leading", "FR", "ai-leading"),
    ],
)
def test_f11_table_ai_maturity(
    kg: KnowledgeGraph, column: str, text: str, country: str, tier: str
) -> None:
    assert ask(
        kg,
        cell(
            "S1",
            "AI Maturity",
            column,
            text,
            f"""
      ?claim aikg:subject country:{country} ; aikg:tier tier:{tier} .""",
        ),
    )


def test_f11_france_leading_conflicts_with_the_text_list(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        """ASK {
      ?conflict a aikg:Conflict ; aikg:conflictingClaim ?france , ?listed .
      ?france aikg:subject country:FR ; aikg:tier tier:ai-leading .
      ?listed aikg:subject country:US ; aikg:tier tier:ai-leading .
    }""",
    )
    assert not ask(kg, claim("S1", "AI leading countries", "?claim aikg:subject country:FR ."))


def disputed_in(kg: KnowledgeGraph, conflict: str) -> set[str]:
    result = kg.query(f"SELECT ?c WHERE {{ <conflict/{conflict}> aikg:disputedClaim ?c }}")
    return {str(row["c"]).rsplit("/", 1)[-1] for row in result}  # type: ignore[union-attr]


def test_f06_both_holders_of_350000_are_in_question(kg: KnowledgeGraph) -> None:
    # The source gives the same figure to Meta (title) and China (table) and no ground to
    # prefer either, so neither claim is taken as the settled one.
    assert disputed_in(kg, "holder-of-350000") == {"accelerators-meta-s1", "h100-china-s1"}


def test_f11_only_frances_leading_claim_is_in_question(kg: KnowledgeGraph) -> None:
    # The table's "Leading" for France is weighed against the text's list, which leaves
    # France out; nothing questions the five countries the text lists.
    assert disputed_in(kg, "france-ai-maturity") == {"ai-maturity-france-s1"}


def test_a_disputed_claim_outside_its_conflict_is_refused(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load()
    extra = tmp_path / "dispute.ttl"
    extra.write_text(
        "<https://w3id.org/aikg/conflict/holder-of-350000> "
        "<https://w3id.org/aikg/ontology#disputedClaim> "
        "<https://w3id.org/aikg/claim/h100-korea-s1> .\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="would not conform") as caught:
        kg.add_files([extra])
    [violation] = caught.value.report.violations
    assert (violation.focus_node, violation.value, violation.source_constraint) == (
        "https://w3id.org/aikg/conflict/holder-of-350000",
        "https://w3id.org/aikg/claim/h100-korea-s1",
        "https://w3id.org/aikg/shapes#ConflictShape-disputedAmongClaims",
    )
    assert "not one of the conflict's claims" in violation.message
    assert disputed_in(kg, "holder-of-350000") == {"accelerators-meta-s1", "h100-china-s1"}


def test_f12_world_bank_only_three_escaped_the_middle_income_trap(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "only three countries—Korea, Ireland, and Taiwan",
            """
      ?claim a aikg:Classification ; aikg:category topic:escaped-middle-income-trap ;
             aikg:subject country:KR , country:IE , country:TW ;
             aikg:exhaustive true ; aikg:memberCount 3 ;
             prov:wasAttributedTo organization:world-bank .""",
        ),
    )


def test_f13_transition_in_the_1960s_is_kept_as_written_without_a_date(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "to a high-income economy in the 1960s",
            """
      ?claim a aikg:EconomicTransition ; aikg:subject country:KR ;
             aikg:fromStatus topic:developing-economy ; aikg:toStatus topic:high-income-economy ;
             aikg:periodAsWritten "in the 1960s" .""",
        ),
    )
    assert not ask(
        kg,
        """ASK { ?s ?p ?o FILTER (datatype(?o) IN
      (xsd:gYear, xsd:date, xsd:dateTime, xsd:gYearMonth)) FILTER (?p != dcterms:created
      && ?p != dcterms:modified) }""",
    )


def test_f14_christensen_distinguishes_continuous_from_destructive(kg: KnowledgeGraph) -> None:
    for concept, words in [
        ("continuous", "improves existing products"),
        ("destructive", "creates entirely new markets"),
    ]:
        assert ask(
            kg,
            claim(
                "S1",
                "Clayton Christensen, a Harvard Business School professor",
                f"""
          ?claim a aikg:ConceptDefinition ; aikg:definedConcept innovation-type:{concept} ;
                 aikg:definitionText "{words}" ;
                 prov:wasAttributedTo person:clayton-christensen .""",
            ),
        )
    assert ask(
        kg,
        """ASK { ?m a aikg:Membership ; org:member person:clayton-christensen ;
      org:role role:professor ; org:organization organization:harvard-business-school }""",
    )
    assert ask(
        kg,
        """ASK { innovation-type:destructive skos:altLabel "disruptive innovation"@en ;
      skos:inScheme ?scheme . innovation-type:continuous skos:inScheme ?scheme }""",
    )


def test_f15_korea_excels_in_continuous_and_lags_in_destructive(kg: KnowledgeGraph) -> None:
    assess = "?claim a aikg:InnovationAssessment ; aikg:subject country:KR ; aikg:innovationType innovation-type:{t} ; aikg:stance stance:{s} ."
    assert ask(
        kg,
        claim(
            "S1",
            "Korea excels in the former but lags in the latter",
            assess.format(t="continuous", s="excels-in"),
        ),
    )
    assert ask(
        kg,
        claim(
            "S1",
            "Korea excels in the former but lags in the latter",
            assess.format(t="destructive", s="lags-in"),
        ),
    )
    assert ask(
        kg,
        claim(
            "S2",
            "has focused on incremental improvements",
            assess.format(t="continuous", s="focuses-on"),
        ),
    )


def test_f16_korea_ranks_4th_in_unido_mci(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "Korea ranks fourth in the UNIDO Manufacturing Competitiveness Index",
            """
      ?claim a aikg:IndexPosition ; aikg:subject country:KR ; aikg:rank 4 ;
             aikg:index index:unido-manufacturing-competitiveness-index .
      index:unido-manufacturing-competitiveness-index aikg:publishedBy organization:unido .""",
        ),
    )


def test_f17_korea_ranks_33rd_of_38_in_oecd_labor_productivity(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "33rd out of 38 countries",
            """
      ?claim a aikg:IndexPosition ; aikg:subject country:KR ; aikg:rank 33 ;
             aikg:rankedCount 38 ; aikg:index index:oecd-labor-productivity .
      index:oecd-labor-productivity aikg:basedOnDataOf organization:oecd .""",
        ),
    )


def test_f18_china_has_4300_ai_companies_in_s1_text_table_and_s2(kg: KnowledgeGraph) -> None:
    companies = """?claim a aikg:Measurement ; aikg:subject country:CN ;
                   aikg:indicator indicator:ai-companies ; schema:value 4300 ."""
    assert ask(kg, claim("S1", "with 4,300 AI companies", companies))
    assert ask(kg, cell("S1", "AI Companies", "China", "4,300", companies))
    assert ask(kg, claim("S2", "with 4,300 AI companies", companies))


def test_f19_china_ai_industry_500_billion_yuan_about_100_trillion_won(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "500 billion yuan (approximately 100 trillion won)",
            """
      ?claim a aikg:Measurement ; aikg:subject country:CN ; aikg:indicator indicator:ai-industry-size ;
             schema:value 500000000000 ; schema:currency "CNY" .
      ?won aikg:equivalentOf ?claim ; schema:value 100000000000000 ; schema:currency "KRW" ;
           aikg:approximate true .""",
        ),
    )


def test_f20_china_second_in_patent_applications(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "second-place ranking in patent applications",
            """
      ?claim a aikg:IndexPosition ; aikg:subject country:CN ; aikg:rank 2 ;
             aikg:index index:patent-applications .""",
        ),
    )


def test_f21_ha_jung_woo_scores_china_early_50s_as_a_range_and_korea_30(kg: KnowledgeGraph) -> None:
    words = "If you score 100 points,China will be in the early 50s and 30 points in Korea."
    assert ask(
        kg,
        claim(
            "S1",
            words,
            """
      ?claim a aikg:Score ; aikg:subject country:CN ; aikg:scale ?scale ;
             aikg:lowerBound 50 ; aikg:upperBoundExclusive 60 ; aikg:valueAsWritten "early 50s" ;
             prov:wasAttributedTo person:ha-jung-woo .
      ?scale aikg:referenceScore 100 .
      FILTER NOT EXISTS { ?claim schema:value ?exact }""",
        ),
    )
    assert ask(
        kg,
        claim(
            "S1",
            words,
            """
      ?claim a aikg:Score ; aikg:subject country:KR ; schema:value 30 .""",
        ),
    )
    assert ask(
        kg,
        claim(
            "S1",
            "head of the NAVER Cloud AI Innovation Center",
            """
      ?claim a aikg:Membership ; org:member person:ha-jung-woo ; org:role role:head ;
             org:organization ?center .
      ?center org:unitOf company:naver-cloud .""",
        ),
    )
    assert not ask(kg, "ASK { scale:ha-jung-woo-100-points aikg:subject ?someone }")


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("S1", "China’s success is driven by “destructive innovation.”"),
        ("S2", "testament to the power of destructive innovation"),
    ],
)
def test_f22_china_driven_by_destructive_innovation(
    kg: KnowledgeGraph, source: str, words: str
) -> None:
    assert ask(
        kg,
        claim(
            source,
            words,
            """
      ?claim a aikg:InnovationAssessment ; aikg:subject country:CN ;
             aikg:innovationType innovation-type:destructive ; aikg:stance stance:driven-by .""",
        ),
    )


@pytest.mark.parametrize(
    ("source", "words", "backing"),
    [
        ("S1", "backed by massive government subsidies", "topic:government-subsidies"),
        (
            "S2",
            "backed by significant subsidies and a clear national strategy",
            "topic:subsidies , topic:national-strategy",
        ),
    ],
)
def test_f23_huawei_tencent_byd_apply_ai_listed_together_not_pairwise(
    kg: KnowledgeGraph, source: str, words: str, backing: str
) -> None:
    assert ask(
        kg,
        claim(
            source,
            words,
            """
      ?claim a aikg:AIApplication ;
             aikg:subject company:huawei , company:tencent , company:byd ;
             aikg:applicationArea topic:smart-manufacturing , topic:cloud-computing ,
                                  topic:autonomous-vehicles ;
             aikg:backing BACKING .""".replace("BACKING", backing),
        ),
    )
    result = kg.query(f"""SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a aikg:AIApplication ;
        prov:wasDerivedFrom/dcterms:identifier "{source}" }}""")
    assert result[0]["n"].toPython() == 1  # type: ignore[index]


def test_f24_france_jumped_from_13th_to_5th_with_macrons_support(kg: KnowledgeGraph) -> None:
    change = """?claim a aikg:RankChange ; aikg:subject country:FR ; aikg:index index:global-ai-ranking ;
                aikg:fromRank 13 ; aikg:toRank 5 ; aikg:periodAsWritten "within a year" ."""
    assert ask(
        kg,
        claim(
            "S1",
            "jumped from 13th to 5th in global AI rankings within a year",
            change + "?claim aikg:supportedBy person:emmanuel-macron .",
        ),
    )
    assert ask(kg, claim("S2", "jumping from 13th to 5th in global rankings within a year", change))
    assert ask(
        kg,
        claim(
            "S1",
            "With President Emmanuel macron’s full support",
            """
      ?claim a aikg:Membership ; org:member person:emmanuel-macron ; org:role role:president ;
             aikg:ofCountry country:FR .""",
        ),
    )


def test_f25_mistral_ai_french_startup_open_source_llms(kg: KnowledgeGraph) -> None:
    development = """?claim a aikg:Development ; aikg:subject company:mistral-ai ;
                     aikg:product topic:large-language-models ; aikg:rivals country:US , country:CN ."""
    assert ask(
        kg,
        claim("S1", "mistral AI, a french startup", development + "?claim aikg:openSource true ."),
    )
    assert ask(
        kg,
        claim(
            "S2",
            "startups like Mistral AI",
            development + "FILTER NOT EXISTS { ?claim aikg:openSource ?said }",
        ),
    )
    assert ask(kg, "ASK { company:mistral-ai a aikg:Startup ; aikg:basedIn country:FR }")


@pytest.mark.parametrize(
    ("column", "text", "country", "rank"),
    [
        ("Korea", "35th", "KR", 35),
        ("China", "2nd", "CN", 2),
        ("France", "5th", "FR", 5),
    ],
)
def test_f26_key_metrics_global_ranking(
    kg: KnowledgeGraph, column: str, text: str, country: str, rank: int
) -> None:
    assert ask(
        kg,
        cell(
            "S1",
            "Global Ranking",
            column,
            text,
            f"""
      ?claim a aikg:IndexPosition ; aikg:subject country:{country} ; aikg:rank {rank} ;
             aikg:index index:global-ai-ranking .""",
        ),
    )


@pytest.mark.parametrize(("column", "country"), [("Korea", "KR"), ("France", "FR")])
def test_f27_ai_companies_na_is_unknown_not_zero(
    kg: KnowledgeGraph, column: str, country: str
) -> None:
    assert ask(
        kg,
        cell(
            "S1",
            "AI Companies",
            column,
            "N/A",
            f"""
      ?claim a aikg:UnreportedValue ; aikg:subject country:{country} ;
             aikg:indicator indicator:ai-companies .""",
        ),
    )
    assert not ask(
        kg,
        f"""ASK {{ ?m a aikg:Measurement ; aikg:subject country:{country} ;
      aikg:indicator indicator:ai-companies }}""",
    )


@pytest.mark.parametrize(
    ("topic", "s1_words", "s2_words"),
    [
        (
            "government-support-for-ai-startups",
            "expanded government support for AI startups",
            "the government must expand its support for AI startups",
        ),
        (
            "ai-optimization-technologies",
            "AI optimization technologies to reduce GPU dependence",
            "invest in AI optimization technologies to reduce its dependence on GPUs",
        ),
        (
            "retain-ai-talent",
            "stronger research initiatives to retain AI talent",
            "retaining and attracting top AI talent is crucial",
        ),
    ],
)
def test_f28_recommendations_by_experts_and_dr_kim(
    kg: KnowledgeGraph, topic: str, s1_words: str, s2_words: str
) -> None:
    # Each source's recommendation in its own words: S2's talent topic is retaining and
    # attracting, related to S1's retaining.
    s2_topic = {"retain-ai-talent": "retain-and-attract-top-ai-talent"}.get(topic, topic)
    rec = "?claim a aikg:Recommendation ; aikg:subject country:KR ; aikg:topic topic:{} ."
    s1 = rec.format(topic) + "?claim prov:wasAttributedTo group:experts ."
    s2 = rec.format(s2_topic) + "?claim prov:wasAttributedTo person:min-woo-kim ."
    assert ask(kg, claim("S1", s1_words, s1))
    assert ask(kg, claim("S2", s2_words, s2))


def test_f29_it_industry_official_quoted_in_s1_and_reported_in_s2(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "As one IT industry official noted",
            """
      ?claim a aikg:Statement ; aikg:speaker person:unnamed-it-industry-official ;
             aikg:quotation/schema:text "It is indeed very arduous to follow at the individual company level." .""",
        ),
    )
    assert ask(
        kg,
        claim(
            "S2",
            "the challenge is immense at the individual company level",
            """
      ?claim a aikg:Statement ; aikg:speaker person:unnamed-it-industry-official-s2 ;
             aikg:reportedSpeech true .""",
        ),
    )
    assert ask(kg, "ASK { person:unnamed-it-industry-official aikg:anonymous true }")


def test_f30_dr_kim_a_fraction_of_what_tesla_or_xai_possess(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S2",
            "a fraction of what global leaders like Tesla or XAI possess",
            """
      ?claim a aikg:Statement ; aikg:speaker person:min-woo-kim ;
             aikg:mentions company:tesla , company:xai .""",
        ),
    )


def test_f31_continuous_focus_at_the_expense_of_disruptive_innovation(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S2",
            "has come at the expense of disruptive innovations",
            """
      ?claim a aikg:InnovationAssessment ; aikg:subject country:KR ;
             aikg:innovationType innovation-type:destructive ; aikg:stance stance:at-the-expense-of ;
             prov:wasAttributedTo person:min-woo-kim .""",
        ),
    )


def test_f32_france_approach_backing_open_source_disruptive(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        claim(
            "S1",
            "importance of government backing and a focus on disruptive technologies",
            """
      ?claim a aikg:Approach ; aikg:subject country:FR ;
             aikg:element topic:government-backing , innovation-type:destructive .""",
        ),
    )
    assert ask(
        kg,
        claim(
            "S2",
            "a focus on open-source technologies and disruptive innovation",
            """
      ?claim a aikg:Approach ; aikg:subject country:FR ;
             aikg:element topic:government-backing , topic:open-source-technologies ,
                          innovation-type:destructive .""",
        ),
    )


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (
            "S1",
            "powerhouse in conventional manufacturing industries like semiconductors and automobiles",
        ),
        ("S2", "powerhouse in conventional industries like semiconductors and automobiles"),
    ],
)
def test_f33_korea_strong_in_semiconductors_and_automobiles(
    kg: KnowledgeGraph, source: str, words: str
) -> None:
    assert ask(
        kg,
        claim(
            source,
            words,
            """
      ?claim a aikg:IndustryStrength ; aikg:subject country:KR ;
             aikg:industry topic:semiconductors , topic:automobiles .""",
        ),
    )


def test_no_claim_is_without_a_source_or_a_quotation(kg: KnowledgeGraph) -> None:
    assert not ask(
        kg,
        """ASK {
      ?claim a aikg:Claim ; prov:wasDerivedFrom ?s .
      FILTER NOT EXISTS { ?claim aikg:evidence/schema:text ?quote }
    }""",
    )
