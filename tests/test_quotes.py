"""Every quotation is copied exactly from the source it claims to be part of.

The check itself is the product's (:mod:`aikg.sources`, run by every validation); these
tests pin what it covers on the bundled data, and that it agrees with the text read here.
"""

from __future__ import annotations

from aikg import KnowledgeGraph, SelectResult, sources
from tests.conftest import ARTICLE

ARTICLE_TEXT = ARTICLE.read_text("utf-8")


def quotations(kg: KnowledgeGraph) -> list[dict[str, object]]:
    result = kg.query("""
        SELECT ?quote ?text ?sourceId ?row ?column WHERE {
          ?quote schema:text ?text ; dcterms:isPartOf+ ?source .
          ?source dcterms:identifier ?sourceId .
          OPTIONAL { ?quote aikg:tableRow ?row ; aikg:tableColumn ?column }
        }""")
    assert isinstance(result, SelectResult)
    return result.values()


def test_every_quotation_appears_verbatim_in_its_own_source(kg: KnowledgeGraph) -> None:
    rows = quotations(kg)
    assert len(rows) == 67
    texts, problems = sources.source_texts(kg)
    assert problems == []
    own = {t.identifier: t.text for t in texts.values() if t.identifier}
    assert set(own) == {"S1", "S2"}
    assert [
        (r["sourceId"], r["text"]) for r in rows if str(r["text"]) not in own[str(r["sourceId"])]
    ] == []
    assert sources.check(kg) == ()


def test_every_table_cell_sits_in_its_row_of_the_key_metrics_table(kg: KnowledgeGraph) -> None:
    texts, _ = sources.source_texts(kg)
    [table] = [t for t in texts.values() if t.source.endswith("/source/s1-key-metrics")]
    cells = sources.table_cells(table.text)
    assert len(cells) == 12
    table_rows = [r for r in quotations(kg) if r.get("row")]
    assert len(table_rows) == 12
    for r in table_rows:
        assert cells[(str(r["row"]), str(r["column"]))] == r["text"]


def test_the_bundled_article_is_the_shared_source_text() -> None:
    # The repository keeps its own copy of the source so that the tests run from a fresh
    # clone; it must stay identical to the text the facts were taken from, whose SHA-256
    # the page's source node records.
    assert ARTICLE_TEXT.startswith("Home » Business » Meta’s AI Accelerator: 350,000 vs 2,000")
    assert len(ARTICLE_TEXT) == 9724
    assert sources.sha256(ARTICLE) == (
        "2e79efbf71c7f7befae34e502320a51a79347712e049157119795f784025a14f"
    )
