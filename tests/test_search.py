"""Find resources by a part of a name: English or Korean, ranked, in every interface."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aikg import KnowledgeGraph
from aikg.cli import main
from aikg.config import Settings
from aikg.errors import ParameterError, StoreError, ValidationError
from aikg.names import fold as normalize
from aikg.search import _scan
from aikg.workers import jobs

BASE = "https://w3id.org/aikg/"


def found(kg: KnowledgeGraph, text: str, limit: int = 10) -> list[str]:
    return [m.iri.removeprefix(BASE) for m in kg.search(text, limit=limit)]


def test_an_alternative_name_finds_the_country_first(kg: KnowledgeGraph) -> None:
    first = kg.search("korea")[0]
    assert (first.iri, first.label, first.matched, first.score) == (
        BASE + "country/KR",
        "South Korea",
        "Korea",
        1.0,
    )
    assert first.types == ("https://w3id.org/aikg/ontology#Country",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("한국", "country/KR"),  # a part of 대한민국 and the whole of 한국
        ("대한민국", "country/KR"),
        ("하정우", "person/ha-jung-woo"),
        ("유영상", "person/yoo-young-sang"),
        ("네이버", "company/naver-cloud"),  # a part of 네이버클라우드
        ("sk텔레콤", "company/sk-telecom"),  # mixed scripts, case ignored
    ],
)
def test_korean_names_find_their_resource(kg: KnowledgeGraph, text: str, expected: str) -> None:
    assert found(kg, text)[0] == expected


def test_case_and_width_are_ignored(kg: KnowledgeGraph) -> None:
    assert found(kg, "NVIDIA")[0] == found(kg, "nvidia")[0] == "company/nvidia"
    assert found(kg, "ＭＥＴＡ")[0] == "company/meta"  # full-width letters
    assert normalize("  Mistral   AI ") == "mistral ai"


def test_things_come_before_the_records_about_them(kg: KnowledgeGraph) -> None:
    answer = kg.search("meta", limit=20)
    records = ("claim/", "quote/", "source/", "conflict/")
    kinds = [m.iri.removeprefix(BASE).startswith(records) for m in answer]
    assert answer[0].iri == BASE + "company/meta"
    assert kinds == sorted(kinds)  # no thing after a record
    assert any(kinds)


def test_an_exact_name_beats_a_prefix_which_beats_a_part(kg: KnowledgeGraph) -> None:
    answer = kg.search("continuous innovation", limit=3)
    assert answer[0].iri == BASE + "innovation-type/continuous"
    assert answer[0].score == 1.0 or answer[0].score == 0.9


def test_each_resource_appears_once(kg: KnowledgeGraph) -> None:
    iris = [m.iri for m in kg.search("korea", limit=100)]
    assert len(iris) == len(set(iris)) > 10


def test_the_limit_is_kept_and_checked(kg: KnowledgeGraph) -> None:
    assert len(kg.search("a", limit=3)) == 3
    with pytest.raises(ParameterError, match="limit 0 is out of range"):
        kg.search("korea", limit=0)


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_text_is_refused(kg: KnowledgeGraph, text: str) -> None:
    with pytest.raises(ParameterError, match="nothing to search for") as caught:
        kg.search(text)
    assert caught.value.hint == "give a part of a name, such as korea or 한국"


def test_a_text_with_quotes_and_backslashes_is_text(kg: KnowledgeGraph) -> None:
    assert kg.search('"} } DROP ALL #\\') == []


def test_nothing_found_is_an_empty_list(kg: KnowledgeGraph) -> None:
    assert kg.search("zzzz-not-a-name") == []


def test_a_new_name_is_found_after_a_load(tmp_path: Path) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text(
        "@prefix aikg: <https://w3id.org/aikg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/aikg/company/example> a aikg:Company ; rdfs:label "삼성전자"@ko .\n'
    )
    kg = KnowledgeGraph.load()
    assert kg.search("삼성") == []
    kg.add_files([data], validate=False)
    assert [m.label for m in kg.search("삼성")] == ["삼성전자"]


def test_the_route_answers_json_and_html(app_client: TestClient) -> None:
    answer = app_client.get("/search", params={"q": "한국", "format": "json"})
    assert answer.status_code == 200
    assert answer.json()["results"][0]["iri"] == BASE + "country/KR"
    assert answer.json()["results"][0]["matched"] == "한국"
    page = app_client.get("/search", params={"q": "h100"}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "NVIDIA H100" in page.text and 'href="' in page.text
    empty = app_client.get("/search", headers={"Accept": "text/html"})
    assert empty.status_code == 200 and 'name="q"' in empty.text


def test_the_route_refuses_an_empty_text_with_400(app_client: TestClient) -> None:
    answer = app_client.get("/search", params={"q": " ", "format": "json"})
    assert answer.status_code == 400
    assert answer.json()["message"] == "nothing to search for: the text is empty"


@pytest.mark.parametrize(
    ("params", "message", "where"),
    [
        ({"q": ""}, "nothing to search for: the text is empty", "parameter 'q'"),
        ([("q", "ai"), ("q", "korea")], "parameter 'q' is given 2 times", "parameter 'q'"),
        ({"q": "ai", "limit": "abc"}, "limit 'abc' is not a whole number", "parameter 'limit'"),
        ({"q": "ai", "limit": "1.5"}, "limit '1.5' is not a whole number", "parameter 'limit'"),
        ({"q": "ai", "limit": "0"}, "limit 0 is out of range", "parameter 'limit'"),
    ],
)
def test_the_route_names_the_parameter_that_is_wrong(
    app_client: TestClient, params: Any, message: str, where: str
) -> None:
    answer = app_client.get("/search", params=params, headers={"Accept": "application/json"})
    assert answer.status_code == 400
    body = answer.json()
    assert (body["message"], body["where"]) == (message, where)
    assert body["hint"]


def test_every_page_has_the_search_box(app_client: TestClient) -> None:
    page = app_client.get("/ontology", headers={"Accept": "text/html"})
    assert 'action="/search"' in page.text or 'action="./search"' in page.text


def test_the_cli_prints_a_table_and_refuses_an_empty_text() -> None:
    out = io.StringIO()
    assert main(["search", "mistral", "--limit", "1"], out) == 0
    assert "company:mistral-ai" in out.getvalue() and "Mistral AI" in out.getvalue()
    out = io.StringIO()
    assert main(["search", "한국", "--format", "json"], out) == 0
    assert json.loads(out.getvalue())[0]["label"] == "South Korea"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["search", ""], out) == 2
    assert out.getvalue() == "" and "nothing to search for" in err.getvalue()
    assert "where: TEXT" in err.getvalue()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["search", "korea", "--limit", "0"], io.StringIO()) == 2
    assert "limit 0 is out of range" in err.getvalue() and "where: --limit" in err.getvalue()


def test_the_remote_store_finds_the_same(kg: KnowledgeGraph, any_remote_kg: KnowledgeGraph) -> None:
    for text in ("korea", "한국", "h100"):
        assert [m.iri for m in any_remote_kg.search(text)] == [m.iri for m in kg.search(text)]


def test_a_store_on_disk_keeps_its_name_index_beside_it(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    kg = KnowledgeGraph.open(settings)
    assert (tmp_path / "store.names.sqlite").is_file()
    assert kg.store.names is not None and kg.store.names.size() > 300
    assert kg.search("한국")[0].iri == BASE + "country/KR"
    kg.close()
    (tmp_path / "store.names.sqlite").unlink()  # lost: rebuilt when the store opens
    again = KnowledgeGraph.open(settings)
    assert again.search("한국")[0].iri == BASE + "country/KR"
    again.close()


def test_the_index_answers_as_the_scan_does(kg: KnowledgeGraph) -> None:
    """The same candidates with the index and without it (a remote store scans)."""
    assert kg.store.names is not None
    for text in ("korea", "한국", "ai", "h100", "continuous innovation", "네이버", "korea\0", "\0"):
        wanted = normalize(text)
        assert sorted(kg.store.names.find(wanted)) == sorted(
            c for c in _scan(kg.store, wanted) if wanted in normalize(c[2])
        ), text


def _name_newco(kg: KnowledgeGraph, label: str) -> None:
    """Write the English name ``label`` (as a SPARQL string holds it) of a new company,
    in a graph of its own (``graph/extra``)."""
    jobs.update(
        kg,
        False,
        f"INSERT DATA {{ GRAPH <graph/extra> {{ company:newco rdfs:label '{label}'@en }} }}",
    )


def test_a_name_is_found_by_its_words_after_a_nul_character() -> None:
    """FTS5 reads a text up to its first NUL: the index must hold the rest of the name
    too, and forget all of it when the name is removed."""
    kg = KnowledgeGraph.load()
    _name_newco(kg, "Zyxwv\\u0000Qrstu Labs")
    assert [m.label for m in kg.search("qrstu labs")] == ["Zyxwv\0Qrstu Labs"]
    assert [m.label for m in kg.search("v\0q")] == ["Zyxwv\0Qrstu Labs"]
    assert kg.search("v\ufffdq") == []
    jobs.update(kg, False, "DROP GRAPH <graph/extra>")
    assert kg.search("qrstu") == []


def test_the_index_follows_writes_and_refused_loads(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load()
    _name_newco(kg, "Zyxwv Labs")
    assert [m.label for m in kg.search("zyxwv")] == ["Zyxwv Labs"]
    jobs.update(kg, False, "DROP GRAPH <graph/extra>")
    assert kg.search("zyxwv") == []
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix aikg: <https://w3id.org/aikg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/aikg/company/broken> a aikg:HardwareHolding ; rdfs:label "Qqqzz"@en .\n'
    )
    with pytest.raises(ValidationError):
        kg.add_files([bad])
    assert kg.search("qqqzz") == []


def test_the_index_holds_the_names_of_the_default_graph(tmp_path: Path) -> None:
    """An update without ``GRAPH`` writes into the default graph, which queries read: the
    index follows it there, and holds it after the store is opened again."""
    settings = Settings(store=str(tmp_path / "store"))
    with KnowledgeGraph.open(settings) as kg:
        jobs.update(kg, False, "INSERT DATA { country:KR skos:altLabel 'Defgraphname'@en }")
        assert [m.iri for m in kg.search("defgraphname")] == [BASE + "country/KR"]
    with KnowledgeGraph.open(settings) as again:
        assert [m.iri for m in again.search("defgraphname")] == [BASE + "country/KR"]
        assert again.store.names is not None
        again.store.names.rebuild(again.store.indexed_quads())  # as for a lost index
        assert [m.iri for m in again.search("defgraphname")] == [BASE + "country/KR"]
        jobs.update(again, False, "DELETE DATA { country:KR skos:altLabel 'Defgraphname'@en }")
        assert again.search("defgraphname") == []


def test_an_unreadable_name_index_is_made_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    KnowledgeGraph.open(settings).close()
    index = tmp_path / "store.names.sqlite"
    index.write_bytes(b"this is not a database" * 100)
    with KnowledgeGraph.open(settings) as kg:
        assert kg.search("한국")[0].iri == BASE + "country/KR"
    assert f"the name index {index} is unreadable" in caplog.text


def test_a_directory_where_the_name_index_goes_is_a_clear_error(tmp_path: Path) -> None:
    """It is no file to make again: an IsADirectoryError traceback, before."""
    settings = Settings(store=str(tmp_path / "store"))
    KnowledgeGraph.open(settings).close()
    index = tmp_path / "store.names.sqlite"
    index.unlink()
    index.mkdir()
    with pytest.raises(StoreError, match=f"the name index {index} is a directory"):
        KnowledgeGraph.open(settings)
    assert index.is_dir()


def test_the_index_holds_a_row_for_each_name_the_store_holds(tmp_path: Path) -> None:
    """A name stated twice in a file is held once, as the store holds it, and a name
    with another datatype than its twin keeps its row when the twin goes."""
    kg = KnowledgeGraph.load()
    twice = tmp_path / "twice.ttl"
    twice.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/aikg/company/twice> rdfs:label "Dupname" .\n'
        '<https://w3id.org/aikg/company/twice> rdfs:label "Dupname" .\n'
    )
    kg.add_files([twice], validate=False)
    assert [m.iri for m in kg.search("dupname")] == [BASE + "company/twice"]
    jobs.update(
        kg, False, "DELETE DATA { GRAPH <graph/twice> { company:twice rdfs:label 'Dupname' } }"
    )
    assert kg.search("dupname") == []
    token = "<http://www.w3.org/2001/XMLSchema#token>"
    jobs.update(
        kg,
        False,
        "INSERT DATA { GRAPH <graph/extra> { country:KR rdfs:label 'Dtname', 'Dtname'^^"
        f"{token} }} }}",
    )
    jobs.update(
        kg,
        False,
        f"DELETE DATA {{ GRAPH <graph/extra> {{ country:KR rdfs:label 'Dtname'^^{token} }} }}",
    )
    assert [m.iri for m in kg.search("dtname")] == [BASE + "country/KR"]
