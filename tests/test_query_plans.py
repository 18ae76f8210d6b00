"""Saved queries whose values are handed to the engine's planner answer as the plain query.

A ``planned`` parameter's value is given to Oxigraph as an initial binding beside the
``VALUES`` clause (see ``Parameter.planned``), so that it plans what depends on the value
from the value instead of reading the whole store. That must not change an answer: on
generated data, each planned query's answer for every value is the one the query text
gives when run as any other query (the VALUES clause alone). Likewise a parameter's
placeholder (``VALUES ?name { UNDEF }``), which binds its values inside a subquery or a
UNION branch: the answer is the one the text without placeholders gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aikg.config import DEFAULT_BASE_IRI
from aikg.errors import ConfigError
from aikg.knowledge_graph import KnowledgeGraph
from aikg.saved_queries import (
    Binding,
    catalog,
    parse_saved_query,
    placeholders,
    substitutions,
)
from aikg.sparql.execute import SelectResult
from aikg.synthetic.generate import generate


@pytest.fixture(scope="module")
def generated_kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """The bundled graph with 20,000 generated triples (persons with roles and without)."""
    path: Path = tmp_path_factory.mktemp("plans") / "generated.nq"
    path.write_text("".join(f"{q} .\n" for q in generate(20_000, seed=11)), encoding="utf-8")
    kg = KnowledgeGraph.load()
    kg.add_files([path], validate=False)
    return kg


def _rows(result: object) -> list[tuple[tuple[str, str], ...]]:
    assert isinstance(result, SelectResult)
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in result.rows)


def test_people_roles_answers_as_its_plain_text_for_every_person(
    generated_kg: KnowledgeGraph,
) -> None:
    query = catalog()["people-roles"]
    persons = [
        str(row["p"])
        for row in generated_kg.query("SELECT ?p WHERE { ?p a aikg:Person }")  # type: ignore[union-attr]
    ]
    assert len(persons) > 100
    with_roles = 0
    for person in persons:
        planned = generated_kg.saved("people-roles", lang=None, person=person)
        plain = generated_kg.query(query.sparql({"person": person}, DEFAULT_BASE_IRI))
        assert _rows(planned) == _rows(plain), person
        assert isinstance(planned, SelectResult)
        with_roles += any("role" in row for row in planned.rows)
    # Both kinds are compared: persons the OPTIONAL finds roles for, and persons alone.
    assert 0 < with_roles < len(persons)


def test_only_one_value_of_a_planned_parameter_is_handed_to_the_engine() -> None:
    query = catalog()["people-roles"]
    one = query.bind({"person": "person/ha-jung-woo"}, DEFAULT_BASE_IRI)
    assert {k: v.value for k, v in substitutions(query, one).items()} == {
        "person": DEFAULT_BASE_IRI + "person/ha-jung-woo"
    }
    assert substitutions(query, Binding()) == {}
    # Other parameters are never handed over: their queries do not promise the same answer.
    holdings = catalog()["holdings"]
    assert substitutions(holdings, holdings.bind({"holder": "country/KR"}, DEFAULT_BASE_IRI)) == {}


@pytest.mark.parametrize(
    ("spec", "select"),
    [
        ("#+     list: true\n", "SELECT ?x WHERE { ?x ?p ?o }"),
        ("", "SELECT ?o WHERE { ?x ?p ?o }"),
    ],
    ids=["list", "not-projected"],
)
def test_a_planned_parameter_is_single_and_projected(spec: str, select: str) -> None:
    text = (
        "#+ title: t\n#+ params:\n#+   x:\n#+     type: iri\n#+     planned: true\n" + spec + select
    )
    with pytest.raises(ConfigError, match="planned"):
        parse_saved_query("t", text)
    assert parse_saved_query("t", text.replace("planned: true", "planned: false")).params


def _without_placeholders(text: str) -> str:
    for start, end, _ in reversed(placeholders(text)):
        text = text[:start] + text[end:]
    return text


def _iris(kg: KnowledgeGraph, sparql: str) -> list[str]:
    return [str(row["x"]) for row in kg.query(sparql)]  # type: ignore[union-attr]


def _placed_as_plain(
    kg: KnowledgeGraph, name: str, variable: str, bindings: list[dict[str, object]]
) -> list[SelectResult]:
    """The saved query's answer for each binding, each checked to be the answer of its
    text without placeholders (the values in the outer VALUES clause alone), and not
    empty."""
    query = catalog()[name]
    assert [found for _, _, found in placeholders(query.text)] == [variable, variable]
    plain_text = _without_placeholders(query.text)
    answers = []
    for params in bindings:
        placed = kg.saved(name, lang=None, **params)
        plain = kg.query(query.bind(params, DEFAULT_BASE_IRI).apply(plain_text))
        assert _rows(placed) == _rows(plain), params
        assert isinstance(placed, SelectResult) and placed.rows
        answers.append(placed)
    return answers


def test_holdings_compared_answers_as_without_its_placeholders_for_every_baseline(
    generated_kg: KnowledgeGraph,
) -> None:
    holders = _iris(
        generated_kg,
        "SELECT DISTINCT ?x WHERE { ?c a aikg:HardwareHolding ; aikg:subject ?x } ORDER BY ?x",
    )
    assert len(holders) > 20
    bindings: list[dict[str, object]] = [
        {"baseline": baseline, "holders": holders[:3]} for baseline in holders
    ]
    _placed_as_plain(generated_kg, "holdings-compared", "baseline", bindings)


def test_companies_by_country_answers_as_without_its_placeholders_for_every_country(
    generated_kg: KnowledgeGraph,
) -> None:
    countries = _iris(generated_kg, "SELECT DISTINCT ?x WHERE { ?o aikg:basedIn ?x } ORDER BY ?x")
    assert len(countries) > 5
    everywhere, *each = _placed_as_plain(
        generated_kg,
        "companies-by-country",
        "country",
        [{}, *({"country": c} for c in countries)],
    )
    # The organizations placed in no country are listed when no country is asked for.
    assert any("basedIn" not in row for row in everywhere.rows)
    for country, answer in zip(countries, each, strict=True):
        assert {str(row["basedIn"]) for row in answer.rows} == {country}


PLAIN_INDEX_PUBLISHERS = """
SELECT ?index ?organization ?relation (COUNT(DISTINCT ?position) AS ?positions)
WHERE {
  ?index a aikg:Index .
  OPTIONAL {
    { ?index aikg:publishedBy ?organization . BIND ("published by" AS ?relation) }
    UNION
    { ?index aikg:basedOnDataOf ?organization . BIND ("based on data of" AS ?relation) }
  }
  OPTIONAL { ?position a aikg:IndexPosition ; aikg:index ?index }
}
GROUP BY ?index ?organization ?relation
"""
"""index-publishers as one aggregate: what its count read position by position."""


def test_index_publishers_counts_as_one_aggregate_would(
    generated_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    answer = generated_kg.saved("index-publishers", lang=None)
    assert _rows(answer) == _rows(generated_kg.query(PLAIN_INDEX_PUBLISHERS))
    assert isinstance(answer, SelectResult) and len(answer.rows) > 5
    # An index without positions (and without a publisher) counts 0 of them.
    extra = tmp_path / "unranked.ttl"
    extra.write_text(
        "@prefix aikg: <https://w3id.org/aikg/ontology#> .\n"
        "<https://w3id.org/aikg/index/unranked> a aikg:Index .\n",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.load()
    kg.add_files([extra], validate=False)
    answer = kg.saved("index-publishers", lang=None)
    assert _rows(answer) == _rows(kg.query(PLAIN_INDEX_PUBLISHERS))
    assert isinstance(answer, SelectResult)
    unranked = [r for r in answer.rows if str(r["index"]).endswith("/index/unranked")]
    assert [(str(r["positions"]), "organization" in r) for r in unranked] == [("0", False)]


SUBQUERY = (
    "#+ title: t\n#+ params:\n#+   x:\n#+     type: iri\n#+     list: true\n"
    "SELECT ?x ?n WHERE {\n"
    "  { SELECT ?x (COUNT(?o) AS ?n) WHERE { VALUES ?x { UNDEF } ?x ?p ?o } GROUP BY ?x }\n"
    '  FILTER (STR(?x) != "VALUES ?x { UNDEF }")\n'
    "}"
)


def test_a_placeholder_takes_its_parameters_values_and_goes_when_none_is_given() -> None:
    query = parse_saved_query("t", SUBQUERY)
    bound = query.bind({"x": ["country/KR", "country/CN"]}, DEFAULT_BASE_IRI).apply(query.text)
    kr, cn = (f"<{DEFAULT_BASE_IRI}country/{c}>" for c in ("KR", "CN"))
    # Once first in the WHERE group, as every parameter, and once in the subquery.
    assert bound.count(f"VALUES ?x {{ {kr} {cn} }}") == 2
    assert "{ UNDEF }" not in bound.replace('"VALUES ?x { UNDEF }"', "")
    # The same text inside a string literal is no placeholder: it stays as it was.
    assert '"VALUES ?x { UNDEF }"' in bound
    unbound = Binding().apply(query.text)
    assert "VALUES" not in unbound.replace('"VALUES ?x { UNDEF }"', "")


def test_a_placeholder_names_a_parameter() -> None:
    text = SUBQUERY.replace("VALUES ?x { UNDEF } ?x", "VALUES ?y { UNDEF } ?x")
    with pytest.raises(
        ConfigError, match=r"placeholder for \?y, which no parameter binds"
    ) as caught:
        parse_saved_query("t", text)
    assert caught.value.where == "queries/t.rq"
