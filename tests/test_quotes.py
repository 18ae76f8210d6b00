"""Every quotation is copied exactly from the source it claims to be part of."""

from __future__ import annotations

from aikg import KnowledgeGraph, SelectResult
from tests.conftest import ARTICLE

ARTICLE_TEXT = ARTICLE.read_text("utf-8")
S2_START = ARTICLE_TEXT.index("Korea’s AI Transition: Insights from an Expert")
S2_END = ARTICLE_TEXT.index("Leave a Comment")
TABLE_START = ARTICLE_TEXT.index("| Key Metrics |")
TABLE_END = ARTICLE_TEXT.index("Korea’s AI journey is far from over.")
SECTIONS = {
    "S1": ARTICLE_TEXT[:S2_START],
    "S2": ARTICLE_TEXT[S2_START:S2_END],
}


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
    assert len(rows) == 54
    misplaced = [
        (r["sourceId"], r["text"])
        for r in rows
        if str(r["text"]) not in SECTIONS[str(r["sourceId"])]
    ]
    assert misplaced == []


def test_every_table_cell_sits_in_its_row_of_the_key_metrics_table(kg: KnowledgeGraph) -> None:
    table = ARTICLE_TEXT[TABLE_START:TABLE_END].splitlines()
    header = [c.strip() for c in table[0].strip("| ").split("|")]
    cells = {}
    for line in table[2:]:
        parts = [c.strip() for c in line.strip().strip("|").split("|")]
        for column, value in zip(header[1:], parts[1:], strict=False):
            cells[(parts[0], column)] = value
    table_rows = [r for r in quotations(kg) if r.get("row")]
    assert len(table_rows) == 12
    for r in table_rows:
        assert cells[(r["row"], r["column"])] == r["text"]


def test_the_bundled_article_is_the_shared_source_text() -> None:
    # The repository keeps its own copy of the source so that the tests run from a fresh
    # clone; it must stay identical to the text the facts were taken from.
    assert ARTICLE_TEXT.startswith("Home » Business » Meta’s AI Accelerator: 350,000 vs 2,000")
    assert len(ARTICLE_TEXT) == 9724
