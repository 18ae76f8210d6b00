"""The text index: the quotations' words (``schema:text``) in the index beside the store,
which saved queries with a ``text_of`` parameter (``quotes``) read instead of every text
of the store. With it or without it (a remote store has none), the same answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from aikg import ConfigError, KnowledgeGraph, SelectResult
from aikg import saved_queries as saved_queries_module
from aikg.config import Settings
from aikg.saved_queries import catalog, narrow_by_text, parse_saved_query
from aikg.workers import jobs

BASE = "https://w3id.org/aikg/"


def answer(kg: KnowledgeGraph, name: str, **params: Any) -> list[dict[str, Any]]:
    result = kg.saved(name, **params)
    assert isinstance(result, SelectResult)
    return result.values()


def without_index(kg: KnowledgeGraph, name: str, **params: Any) -> list[dict[str, Any]]:
    """The answer as a store without a text index gives it: the query's FILTER alone."""
    index, kg.store.names = kg.store.names, None
    try:
        return answer(kg, name, **params)
    finally:
        kg.store.names = index


@pytest.fixture
def fresh() -> KnowledgeGraph:
    """A graph of its own, for the tests that write."""
    return KnowledgeGraph.load()


TEXTS = (
    "h100",
    "H100",
    "AI",
    "ai",
    "의",
    "350,000",
    "the",
    "Korea",
    'say "no"',
    "zzzq-absent",
    "   ",
    "Meta’s AI",
    "ＡＩ",
    "İ",
    "*",
    "NEAR(a b)",
    "\0",
    "AI\0",
    "\0\0Korea",
)


@pytest.mark.parametrize("text", TEXTS)
def test_quotes_answers_the_same_with_the_index_and_without(kg: KnowledgeGraph, text: str) -> None:
    assert answer(kg, "quotes", text=text) == without_index(kg, "quotes", text=text)


def test_the_index_narrows_the_query_to_the_quotations_that_hold_the_text(
    kg: KnowledgeGraph,
) -> None:
    query = catalog()["quotes"]
    binding = narrow_by_text(query, query.bind({"text": "H100"}, BASE), kg.store.names)
    quotes = {term.value for term in binding.values["quote"]}
    assert len(quotes) == 4
    assert quotes == {row["quote"] for row in answer(kg, "quotes", text="h100")}
    none = narrow_by_text(query, query.bind({"text": "zzzq-absent"}, BASE), kg.store.names)
    assert none.values["quote"] == []  # found in no text: the query reads none
    assert narrow_by_text(query, query.bind({"text": "H100"}, BASE), None).values.keys() == {"text"}


def test_a_text_found_in_too_many_quotations_is_left_to_the_filter(
    kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    everywhere = answer(kg, "quotes", text="a")
    assert len(everywhere) > 3
    monkeypatch.setattr(saved_queries_module, "MAX_NARROWED", 3)
    query = catalog()["quotes"]
    binding = narrow_by_text(query, query.bind({"text": "a"}, BASE), kg.store.names)
    assert "quote" not in binding.values
    assert answer(kg, "quotes", text="a") == everywhere


def test_the_index_follows_writes(fresh: KnowledgeGraph) -> None:
    jobs.update(
        fresh,
        False,
        "INSERT DATA { GRAPH <graph/extra> { <quote/new> schema:text 'Qwxyz GPUs ordered' ; "
        "dcterms:isPartOf <source/s1> } }",
    )
    found = answer(fresh, "quotes", text="QWXYZ")
    assert [(r["quote"], r["words"], r["sourceId"]) for r in found] == [
        (BASE + "quote/new", "Qwxyz GPUs ordered", "S1")
    ]
    jobs.update(fresh, False, "DROP GRAPH <graph/extra>")
    assert answer(fresh, "quotes", text="qwxyz") == []


def test_a_text_with_a_nul_character_is_found_whole(fresh: KnowledgeGraph) -> None:
    """SQLite reads a search phrase up to its first NUL character: the index must not
    answer for the part before it, nor fail."""
    jobs.update(
        fresh,
        False,
        "INSERT DATA { GRAPH <graph/extra> { "
        "<quote/nul> schema:text 'Qwxyz\\u0000GPUs ordered' ; dcterms:isPartOf <source/s1> . "
        "<quote/plain> schema:text 'Qwxyz GPUs' ; dcterms:isPartOf <source/s1> } }",
    )
    assert fresh.store.names is not None
    assert fresh.store.names.find_texts("qwxyz\0gpus") == {BASE + "quote/nul"}
    assert fresh.store.names.find_texts("\0") == {BASE + "quote/nul"}
    assert fresh.store.names.find_texts("z\0g") == {BASE + "quote/nul"}
    for text in ("Qwxyz\0GPUs", "\0", "z\0g"):
        found = answer(fresh, "quotes", text=text)
        assert [r["quote"] for r in found] == [BASE + "quote/nul"]
        assert found == without_index(fresh, "quotes", text=text)
    assert len(answer(fresh, "quotes", text="qwxyz")) == 2
    # The words after the NUL are in the index too (they were not: its trigrams ended
    # there), and the replacement character the trigrams hold for it finds no NUL.
    assert fresh.store.names.find_texts("gpus ordered") == {BASE + "quote/nul"}
    assert [r["quote"] for r in answer(fresh, "quotes", text="GPUs ordered")] == [
        BASE + "quote/nul"
    ]
    assert fresh.store.names.find_texts("z\ufffdg") == set()


def test_a_text_is_lowered_as_the_engine_lowers_it(fresh: KnowledgeGraph) -> None:
    """The engine's LCASE knows letters Python's Unicode tables do not (U+A7CC and U+A7CB
    have lower cases in Unicode 16): the index lowers such a text as the query's FILTER
    does, so that it narrows the query to a set that still holds every quotation the
    FILTER keeps."""
    jobs.update(
        fresh,
        False,
        "INSERT DATA { GRAPH <graph/extra> { "
        "<quote/u16> schema:text 'Sign \\uA7CC\\uA7CC\\uA7CC and \\uA7CB\\uA7CB\\uA7CB' ; "
        "dcterms:isPartOf <source/s1> } }",
    )
    for text in ("\ua7cd\ua7cd\ua7cd", "\ua7cc", "\u0264\u0264\u0264", "\u0264"):
        found = answer(fresh, "quotes", text=text)
        assert [r["quote"] for r in found] == [BASE + "quote/u16"], text
        assert found == without_index(fresh, "quotes", text=text)


def test_an_index_without_the_texts_is_rebuilt_when_its_store_opens(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    KnowledgeGraph.open(settings).close()
    index = tmp_path / "store.names.sqlite"
    with sqlite3.connect(index) as db:  # as an index made before texts were indexed
        db.execute("DELETE FROM texts")
        db.execute("INSERT INTO texts_text(texts_text) VALUES ('delete-all')")
        db.execute("PRAGMA user_version = 1")
    db.close()
    with KnowledgeGraph.open(settings) as kg:
        assert len(answer(kg, "quotes", text="h100")) == 4
        assert kg.store.names is not None and kg.store.names.is_current()


def test_text_of_must_name_a_variable_of_the_query() -> None:
    text = (
        "#+ title: t\n#+ params:\n#+   text:\n#+     type: string\n#+     text_of: nowhere\n"
        "SELECT ?q WHERE { ?q <http://schema.org/text> ?w FILTER CONTAINS(?w, ?text) }"
    )
    with pytest.raises(ConfigError, match="text_of 'nowhere'"):
        parse_saved_query("t", text)
    integer = text.replace("type: string", "type: integer").replace("nowhere", "q")
    with pytest.raises(ConfigError, match="no string"):
        parse_saved_query("t", integer)
    assert parse_saved_query("t", text.replace("nowhere", "q")).params[0].text_of == "q"
