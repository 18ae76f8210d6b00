"""Coverage of a source: every sentence and table cell of S1 and S2 is evidence of a claim
or listed as not modelled with a reason; the report in Python, on the command line, as a
page and as JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aikg import KnowledgeGraph
from aikg.cli import main
from aikg.config import Settings
from aikg.coverage import LISTING, units
from aikg.errors import InputError, NotFoundError, ParameterError

CLAIM = "https://w3id.org/aikg/claim/"


@pytest.mark.parametrize("source", ["S1", "S2"])
def test_every_sentence_is_evidence_of_a_claim_or_listed_with_a_reason(
    kg: KnowledgeGraph, source: str
) -> None:
    report = kg.coverage(source)
    assert [u.text for u in report.units if u.status == "uncovered"] == []
    assert report.stale == ()
    assert all(u.reason and u.reason.strip() for u in report.units if u.status == "listed")


def test_the_figures_of_s1_and_s2(kg: KnowledgeGraph) -> None:
    assert kg.coverage("S1").counts() == {"covered": 36, "listed": 14, "uncovered": 0, "units": 50}
    assert kg.coverage("S2").counts() == {"covered": 27, "listed": 26, "uncovered": 0, "units": 53}


def test_a_sentence_names_the_claims_it_is_evidence_of(kg: KnowledgeGraph) -> None:
    report = kg.coverage("S1")
    [unit] = [u for u in report.units if u.text.startswith("The World Bank notes")]
    assert unit.kind == "sentence"
    assert [c.iri for c in unit.claims] == [CLAIM + "middle-income-trap-escapees-s1"]
    assert report.text[unit.start : unit.end] == unit.text
    # Two sentences with no space between them are two units, each with its own claims.
    [h100] = [u for u in report.units if u.text.startswith("Korea possesses just 2,000")]
    [yoo] = [u for u in report.units if u.text.startswith("Yoo young-sang")]
    assert report.text[h100.end : yoo.start] == ""
    assert CLAIM + "statement-yoo-young-sang-s1" in {c.iri for c in yoo.claims}
    assert CLAIM + "statement-yoo-young-sang-s1" not in {c.iri for c in h100.claims}


def test_table_cells_are_units_matched_by_row_and_column(kg: KnowledgeGraph) -> None:
    cells = {(u.row, u.column): u for u in kg.coverage("S1").units if u.kind == "cell"}
    assert len(cells) == 12
    france = cells[("GPU Units (H100)", "France")]
    assert france.text == "N/A"
    assert [c.iri for c in france.claims] == [CLAIM + "h100-france-unreported-s1"]
    # "N/A" of another row is another cell, with other claims.
    assert cells[("AI Companies", "France")].claims != france.claims


def test_sentences_are_cut_at_their_end_not_after_a_title() -> None:
    found = [
        u.text for u in units("Dr.Min-woo Kim spoke. dr. Kim said “Yes.” Then?No.\nA heading\n")
    ]
    assert found == ["Dr.Min-woo Kim spoke.", "dr. Kim said “Yes.”", "Then?", "No.", "A heading"]
    assert [u.kind for u in units("A heading\nA sentence.\n")] == ["heading", "sentence"]


def _with_listing(tmp_path: Path, listing: object) -> KnowledgeGraph:
    (tmp_path / LISTING).write_text(json.dumps(listing), encoding="utf-8")
    return KnowledgeGraph.load(settings=Settings(source_dirs=(str(tmp_path),)))


def test_a_stale_listing_is_reported(tmp_path: Path) -> None:
    kg = _with_listing(
        tmp_path,
        {
            "S1": [
                {"text": "A sentence S1 does not have.", "reason": "none"},
                {"text": "The numbers tell a stark story.", "reason": "listed twice, still fine"},
                {
                    "text": "The World Bank notes that only three countries—Korea, Ireland, and "
                    "Taiwan—have escaped this trap.",
                    "reason": "but a claim rests on it",
                },
            ]
        },
    )
    stale = kg.coverage("S1").stale
    assert len(stale) == 2
    assert stale[0].startswith("A sentence S1 does not have.: names no sentence of S1")
    assert "evidence of https://w3id.org/aikg/claim/middle-income-trap-escapees-s1" in stale[1]


def test_a_listing_without_a_reason_is_refused(tmp_path: Path) -> None:
    kg = _with_listing(tmp_path, {"S1": [{"text": "The numbers tell a stark story."}]})
    with pytest.raises(InputError, match="non-empty reason"):
        kg.coverage("S1")
    (tmp_path / LISTING).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON"):
        kg.coverage("S1")


def test_an_unknown_or_malformed_source_is_refused_and_nothing_changes(kg: KnowledgeGraph) -> None:
    before = kg.stats().triples
    with pytest.raises(NotFoundError, match="no source 'S9'"):
        kg.coverage("S9")
    with pytest.raises(ParameterError, match="not a source identifier"):
        kg.coverage("S1/../x")
    assert kg.stats().triples == before


def test_the_command_reports_each_source(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main(["coverage"], out=out) == 0
    lines = out.getvalue().splitlines()
    assert lines == [
        "S1: 50 sentences and cells: 36 covered, 14 listed as not modelled, 0 uncovered",
        "S2: 53 sentences and cells: 27 covered, 26 listed as not modelled, 0 uncovered",
    ]
    out = io.StringIO()
    assert main(["coverage", "S2", "--format", "json"], out=out) == 0
    answer = json.loads(out.getvalue())
    assert answer["counts"]["uncovered"] == 0
    assert {u["status"] for u in answer["units"]} == {"covered", "listed"}
    assert main(["coverage", "S9"], out=io.StringIO()) == 2
    assert "no source 'S9'" in capsys.readouterr().err


def test_the_page_and_the_json_answer(app_client: TestClient) -> None:
    page = app_client.get("/sources/S1", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert 'class="unit covered sentence"' in page.text
    assert 'title="Not modelled: Introduces the figures' in page.text
    assert "/claim/middle-income-trap-escapees-s1" in page.text
    answer = app_client.get("/sources/S2", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["source"], body["counts"]["uncovered"]) == ("S2", 0)
    assert app_client.get("/sources/S2?format=json").json() == body


def test_the_page_refuses_an_unknown_source(app_client: TestClient) -> None:
    missing = app_client.get("/sources/S9", headers={"Accept": "application/json"})
    assert missing.status_code == 404
    bad = app_client.get("/sources/S%201", headers={"Accept": "application/json"})
    assert bad.status_code == 400
