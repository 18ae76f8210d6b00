"""Every entity of FACTS.md (E01-E34) is in the graph with its class and English label."""

from __future__ import annotations

import pytest

from aikg import KnowledgeGraph
from tests.conftest import ask

ENTITIES = [
    ("E01", "country:KR", "aikg:Country", "South Korea"),
    ("E02", "country:CN", "aikg:Country", "China"),
    ("E03", "country:FR", "aikg:Country", "France"),
    ("E04", "country:US", "aikg:Country", "United States"),
    ("E05", "country:CA", "aikg:Country", "Canada"),
    ("E06", "country:SG", "aikg:Country", "Singapore"),
    ("E07", "country:GB", "aikg:Country", "United Kingdom"),
    ("E08", "country:IE", "aikg:Country", "Ireland"),
    ("E09", "country:TW", "aikg:Country", "Taiwan"),
    ("E10", "company:nvidia", "aikg:Company", "NVIDIA"),
    ("E11", "company:meta", "aikg:Company", "Meta"),
    ("E12", "company:tesla", "aikg:Company", "Tesla"),
    ("E13", "company:xai", "aikg:Company", "xAI"),
    ("E14", "company:sk-telecom", "aikg:Company", "SK Telecom"),
    ("E15", "company:naver-cloud", "aikg:Company", "NAVER Cloud"),
    ("E16", "company:huawei", "aikg:Company", "Huawei"),
    ("E17", "company:tencent", "aikg:Company", "Tencent"),
    ("E18", "company:byd", "aikg:Company", "BYD"),
    ("E19", "company:mistral-ai", "aikg:Startup", "Mistral AI"),
    ("E20", "organization:boston-consulting-group", "aikg:Organization", "Boston Consulting Group"),
    ("E21", "organization:world-bank", "aikg:Organization", "World Bank"),
    ("E22", "organization:unido", "aikg:Organization", "UNIDO"),
    ("E23", "organization:oecd", "aikg:Organization", "OECD"),
    ("E24", "organization:harvard-business-school", "aikg:Organization", "Harvard Business School"),
    ("E25", "person:yoo-young-sang", "aikg:Person", "Yoo Young-sang"),
    ("E26", "person:ha-jung-woo", "aikg:Person", "Ha Jung-woo"),
    ("E27", "person:clayton-christensen", "aikg:Person", "Clayton Christensen"),
    ("E28", "person:emmanuel-macron", "aikg:Person", "Emmanuel Macron"),
    ("E29", "person:min-woo-kim", "aikg:Person", "Min-woo Kim"),
    (
        "E30",
        "person:unnamed-it-industry-official",
        "aikg:Person",
        "an unnamed IT industry official (S1)",
    ),
    ("E31", "event:sk-ai-summit", "aikg:Event", "SK AI Summit"),
    ("E32", "hardware:nvidia-h100", "aikg:HardwareModel", "NVIDIA H100"),
    ("E33", "innovation-type:continuous", "aikg:InnovationType", "continuous innovation"),
    ("E34", "innovation-type:destructive", "aikg:InnovationType", "destructive innovation"),
]


@pytest.mark.parametrize(("entity", "iri", "cls", "label"), ENTITIES, ids=[e[0] for e in ENTITIES])
def test_entity_has_its_class_english_label_and_a_source(
    kg: KnowledgeGraph, entity: str, iri: str, cls: str, label: str
) -> None:
    assert ask(kg, f'ASK {{ {iri} a {cls} ; rdfs:label "{label}"@en ; aikg:mentionedIn ?source }}')


def test_korean_names_carry_korean_labels(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        """ASK {
      country:KR rdfs:label "대한민국"@ko . company:sk-telecom rdfs:label "SK텔레콤"@ko .
      company:naver-cloud rdfs:label "네이버클라우드"@ko .
      person:yoo-young-sang rdfs:label "유영상"@ko . person:ha-jung-woo rdfs:label "하정우"@ko .
    }""",
    )


def test_countries_carry_their_iso_3166_code_and_wikidata_item(kg: KnowledgeGraph) -> None:
    assert ask(
        kg,
        """ASK { country:KR aikg:iso3166Alpha2 "KR" ;
      schema:sameAs <http://www.wikidata.org/entity/Q884> }""",
    )
    result = kg.query(
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c a aikg:Country ; aikg:iso3166Alpha2 ?code }"
    )
    assert result[0]["n"].toPython() == 9  # type: ignore[index]


def test_companies_are_placed_in_their_country(kg: KnowledgeGraph) -> None:
    result = kg.query("""SELECT ?company WHERE { ?company aikg:basedIn <country/CN> }
                         ORDER BY ?company""")
    assert [str(r["company"]).rsplit("/", 1)[1] for r in result] == ["byd", "huawei", "tencent"]  # type: ignore[union-attr]


def test_no_publication_date_is_invented(kg: KnowledgeGraph) -> None:
    assert not ask(
        kg,
        """ASK { ?source a aikg:Source ;
      (dcterms:date|dcterms:issued|schema:datePublished|dcterms:created) ?date }""",
    )
