"""The A/B of who sorts a page (``python -m benchmarks.sorting``): the other way really is
the engine's, and both ways' figures are written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks import sorting

from aikg.sparql import execute, order_by
from aikg.synthetic.generate import write


def test_the_other_ways_are_the_engines_and_are_put_back() -> None:
    text = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o"
    assert execute.sort_plan(text) is not None
    with sorting._engine_sorts():
        assert execute.sort_plan(text) is None
        assert order_by.total_order(text) != text
    with sorting._engine_sorts_as_written():
        assert execute.sort_plan(text) is None
        assert order_by.total_order(text) == text
    assert execute.sort_plan(text) is not None
    assert order_by.total_order(text) != text


def test_the_ab_writes_both_ways_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "gen.nq"
    write(data, 3_000, 5)
    argv = ["--memory", str(data), "--queries", "unreported-values,entities", "--reps", "2"]
    sorting.main([*argv, "--star", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "| unreported-values |" in printed and "| entities |" in printed
    assert "| SELECT * (labels) |" in printed
    (written,) = tmp_path.glob("sorting-*.json")
    results = json.loads(written.read_text())
    assert results["meta"]["reps"] == 2
    for row in results["queries"].values():
        assert row["rows"] > 0
        assert [len(runs) for runs in row["runs"].values()] == [2, 2, 2]
        assert row["aikg_ms"] > 0 and row["engine_ms"] > 0 and row["engine_as_written_ms"] > 0
