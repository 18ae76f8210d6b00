"""The A/B of reading every page (``python -m benchmarks.pages``): the other way really
reads the answer once a page, and both ways' figures are written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks import pages

from aikg import KnowledgeGraph
from aikg.config import Settings
from aikg.sparql import execute
from aikg.synthetic.generate import write
from tests.test_pages import engine_reads


def test_the_other_way_reads_the_answer_once_a_page_and_is_put_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kg = KnowledgeGraph.load(settings=Settings().replace(max_rows=3), validate=False)
    reads = engine_reads(kg, monkeypatch)
    with pages._each_page_alone():
        each = len(list(kg.saved_pages("companies-by-country")))
    assert (each, len(reads)) == (6, 6)
    reads.clear()
    assert len(list(kg.saved_pages("companies-by-country"))) == 6
    assert len(reads) == 1
    assert execute.KEPT_VALUES > 0


def test_the_ab_writes_both_ways_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "gen.nq"
    write(data, 3_000, 5)
    argv = ["--memory", str(data), "--queries", "entities", "--reps", "2", "--max-rows", "5"]
    pages.main([*argv, "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "| entities |" in printed and "5 rows a page" in printed
    (written,) = tmp_path.glob("pages-*.json")
    results = json.loads(written.read_text())
    assert (results["meta"]["reps"], results["meta"]["max_rows"]) == (2, 5)
    row = results["queries"]["entities"]
    assert row["pages"] >= 2 and row["rows"] > 5
    assert [len(row["runs"]["once"]), len(row["runs"]["each_page"])] == [2, 2]
    assert row["once_ms"] > 0 and row["each_page_ms"] > 0
