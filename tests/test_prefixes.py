"""One prefix table: what every output prints can be pasted back into every input."""

from __future__ import annotations

import contextlib
import io

import httpx
import pytest
import rdflib

from aikg import KnowledgeGraph
from aikg.cli import main
from aikg.config import Settings
from aikg.errors import InputError, QuerySyntaxError
from aikg.namespaces import ENTITY_FAMILIES, PREFIXES, prefix_table
from tests.server import Server

BASE = "https://w3id.org/aikg/"


def test_the_table_holds_every_vocabulary_and_every_entity_family() -> None:
    table = prefix_table(BASE)
    assert {name: table[name] for name in PREFIXES} == PREFIXES
    assert table["country"] == BASE + "country/"
    assert table["innovation-type"] == BASE + "innovation-type/"
    assert set(table) == set(PREFIXES) | set(ENTITY_FAMILIES)


def test_the_table_follows_the_base_iri() -> None:
    assert prefix_table("http://example.org/kg/")["claim"] == "http://example.org/kg/claim/"


def test_the_data_uses_no_prefix_outside_the_table(kg: KnowledgeGraph) -> None:
    """Every IRI of the data has a short name, so every table can be pasted back."""
    table = prefix_table(BASE)
    iris = kg.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER (isIRI(?s) && ?g NOT IN (graph:ontology, graph:shapes, graph:inferred)) }"
    ).column("s")
    assert len(iris) > 200
    unnamed = [iri for iri in iris if not any(str(iri).startswith(ns) for ns in table.values())]
    assert unnamed == []


def test_a_printed_table_can_be_pasted_back_as_a_query(kg: KnowledgeGraph) -> None:
    out = io.StringIO()
    code = main(["query", "SELECT ?c WHERE { ?c aikg:subject country:KR } LIMIT 1"], out)
    assert code == 0
    printed = out.getvalue().splitlines()[2]  # under the header and its rule: claim:...
    assert printed.startswith("claim:")
    pasted = kg.query(f"ASK {{ {printed} aikg:subject country:KR }}")
    assert pasted is True


def test_entity_family_prefixes_work_undeclared(kg: KnowledgeGraph) -> None:
    answer = kg.query("SELECT ?label WHERE { company:meta rdfs:label ?label }").values()
    assert answer == [{"label": "Meta"}]


def test_a_query_may_redeclare_a_prefix_of_the_table(kg: KnowledgeGraph) -> None:
    answer = kg.query(
        "PREFIX country: <https://w3id.org/aikg/company/> "
        "SELECT ?label WHERE { country:meta rdfs:label ?label }"
    ).values()
    assert answer == [{"label": "Meta"}]


def test_an_undeclared_prefix_is_named_with_where_and_a_did_you_mean(kg: KnowledgeGraph) -> None:
    with pytest.raises(QuerySyntaxError, match=r"prefix `contry:` is not declared") as caught:
        kg.query("SELECT ?p ?o WHERE {\n  contry:KR ?p ?o }")
    error = caught.value
    assert "known prefixes are aikg:, aikgsh:, claim:," in error.message
    assert error.where == "line 2, column 3 (character 23)"
    assert error.hint is not None and error.hint.startswith("did you mean `country:`?")


def test_an_undeclared_prefix_far_from_any_gets_no_suggestion(kg: KnowledgeGraph) -> None:
    with pytest.raises(QuerySyntaxError, match=r"prefix `zzqx:`") as caught:
        kg.query("SELECT * WHERE { ?s zzqx:p ?o }")
    assert caught.value.hint is not None and "did you mean" not in caught.value.hint


def test_the_cli_reports_an_undeclared_prefix_with_exit_2() -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["query", "SELECT * WHERE { compnay:meta ?p ?o }"], out)
    assert (code, out.getvalue()) == (2, "")
    assert "prefix `compnay:` is not declared" in err.getvalue()
    assert "did you mean `company:`?" in err.getvalue()


def test_turtle_output_declares_the_same_table(kg: KnowledgeGraph) -> None:
    turtle = kg.export("turtle").decode()
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    bound = dict(graph.namespaces())
    assert str(bound["country"]) == BASE + "country/"
    assert str(bound["claim"]) == BASE + "claim/"


def test_prefixes_route_and_service_description_serve_the_table(server: Server) -> None:
    served = httpx.get(f"{server.url}/prefixes", timeout=30)
    assert served.status_code == 200
    assert served.json() == prefix_table(Settings().base_iri)
    description = httpx.get(
        f"{server.url}/sparql", headers={"Accept": "text/turtle"}, timeout=30
    ).text
    graph = rdflib.Graph().parse(data=description, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    declared = {
        str(graph.value(d, sh.prefix)): str(graph.value(d, sh.namespace))
        for d in graph.objects(None, sh.declare)
    }
    assert declared == prefix_table(Settings().base_iri)


def test_an_undeclared_prefix_over_http_is_a_400_naming_it(server: Server) -> None:
    response = httpx.get(
        f"{server.url}/sparql", params={"query": "SELECT * { hardwre:x ?p ?o }"}, timeout=30
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith("prefix `hardwre:` is not declared")
    assert body["hint"].startswith("did you mean `hardware:`?")


def test_the_remote_store_takes_the_same_table_and_gives_the_same_message(
    any_remote_kg: KnowledgeGraph,
) -> None:
    answer = any_remote_kg.query("SELECT ?label WHERE { company:meta rdfs:label ?label }")
    assert answer.values() == [{"label": "Meta"}]
    with pytest.raises(QuerySyntaxError, match=r"prefix `contry:` is not declared") as caught:
        any_remote_kg.query("SELECT * WHERE { contry:KR ?p ?o }")
    assert caught.value.hint is not None and caught.value.hint.startswith("did you mean")


def test_a_short_name_the_tool_prints_may_be_pasted_into_a_parameter(kg: KnowledgeGraph) -> None:
    """A saved query's IRI parameter: the answer was empty (claim:... was taken as an IRI
    of the scheme "claim"), or the value refused as of no class."""
    claim = "https://w3id.org/aikg/claim/h100-china-s1"
    whole = kg.saved("provenance", resource=claim)
    assert len(whole) > 0
    assert kg.saved("provenance", resource="claim:h100-china-s1").rows == whole.rows
    korea = kg.saved("holdings", holder="country:KR")
    assert korea.rows == kg.saved("holdings", holder="https://w3id.org/aikg/country/KR").rows
    assert len(korea) > 0


def test_the_python_api_takes_short_and_relative_names_and_refuses_what_is_no_iri(
    kg: KnowledgeGraph,
) -> None:
    korea = "https://w3id.org/aikg/country/KR"
    assert kg.knows("country:KR") and kg.knows("country/KR")
    assert kg.resource("country:KR").title == kg.resource(korea).title == "South Korea"
    assert len(kg.describe("country/KR")) == len(kg.describe(korea)) > 0
    countries = kg.export("nt", graph="https://w3id.org/aikg/graph/countries")
    assert countries and kg.export("nt", graph="graph:countries") == countries
    assert kg.export("nt", graph="countries") == countries
    # An absolute IRI is taken as it is: a join dropped an empty "#" and lowered a scheme.
    for iri in ("https://w3id.org/aikg/ontology#", "https://ex.org/a?", "HTTPS://ex.org/A"):
        assert kg.resolve(iri) == iri
    assert not kg.knows("https://w3id.org/aikg/ontology#")
    for bad in ("", "a b", "http://x/a b", "<country/KR>", "https://[::1"):
        with pytest.raises(InputError, match="is no IRI") as caught:
            kg.describe(bad)
        assert "country:KR" in (caught.value.hint or "")
    with pytest.raises(InputError) as caught:
        kg.export("nt", graph="http://x/a b")
    assert caught.value.where == "graph"


def test_the_cli_export_takes_a_short_graph_name_and_refuses_a_bad_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["export", "--format", "ntriples", "--graph", "graph:countries"]) == 0
    assert "<https://w3id.org/aikg/country/KR>" in capsys.readouterr().out
    assert main(["export", "--format", "ntriples", "--graph", "http://x/a b"]) == 2
    err = capsys.readouterr().err
    assert "is no IRI" in err and "Traceback" not in err
