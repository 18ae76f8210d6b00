"""Conflicts found by rules (aikg.conflicts): on the bundled data they find exactly the two
recorded conflicts and nothing else; on a fixture source (S4, tests/fixtures, never
bundled) they find each planted conflict, and not the figure that agrees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aikg import KnowledgeGraph, sources
from aikg.cli import main
from aikg.config import Settings
from aikg.conflicts import Candidate
from aikg.errors import ParameterError
from aikg.store.local import bundled_data_paths

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def pairs(found: list[Candidate]) -> set[tuple[str, str, str]]:
    return {(c.rule, short(c.claim), short(c.other_claim)) for c in found}


def test_on_the_bundled_data_nothing_is_left_unrecorded(kg: KnowledgeGraph) -> None:
    assert kg.conflict_candidates().records == []


def test_on_the_bundled_data_the_rules_find_both_recorded_conflicts(kg: KnowledgeGraph) -> None:
    found = kg.conflict_candidates(recorded=True).records
    listed = ["canada", "china", "singapore", "united-kingdom", "united-states"]
    assert pairs(found) == {
        ("same-figure", "accelerators-meta-s1", "h100-china-s1"),
        *(("left-out-of-list", "ai-maturity-france-s1", f"ai-maturity-{c}-s1") for c in listed),
    }
    assert {short(c.recorded_in or "") for c in found} == {"holder-of-350000", "france-ai-maturity"}
    meta = next(c for c in found if c.rule == "same-figure")
    assert (meta.value, meta.other_value, meta.source_id) == ("350000", "350000", "S1")
    assert (meta.subject_label, meta.other_subject_label) == ("Meta", "China")


@pytest.fixture(scope="module")
def with_s4(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """The bundled data with the fixture source S4 registered and its claims loaded."""
    folder = tmp_path_factory.mktemp("s4")
    shutil.copy(FIXTURES / "s4.txt", folder / "s4.txt")
    registered = folder / "s4-source.ttl"
    registered.write_text(
        sources.register(
            folder / "s4.txt",
            identifier="S4",
            title="Conflict fixture",
            base_iri="https://w3id.org/aikg/",
        ),
        "utf-8",
    )
    files = [*bundled_data_paths(), registered, FIXTURES / "s4-claims.ttl"]
    return KnowledgeGraph.load(files, settings=Settings(source_dirs=(str(folder),)))


def test_on_a_new_source_the_rules_find_the_planted_conflicts(with_s4: KnowledgeGraph) -> None:
    found = with_s4.conflict_candidates().records
    assert pairs(found) == {
        ("different-value", "h100-korea-s1", "h100-korea-s4"),
        ("different-value", "h100-korea-s2", "h100-korea-s4"),
        ("same-figure", "h100-singapore-s4", "h100-tesla-s1"),
        ("rank-contradicted", "global-ranking-france-s1", "global-ranking-france-s4"),
        ("rank-contradicted", "global-ranking-france-s4", "rank-change-france-s1"),
        ("rank-contradicted", "global-ranking-france-s4", "rank-change-france-s2"),
        ("rank-contradicted", "global-ranking-korea-s1", "global-ranking-korea-s4"),
        ("rank-contradicted", "global-ranking-china-s1", "global-ranking-korea-s4"),
    }
    assert all(c.recorded_in is None for c in found)
    korea = next(c for c in found if short(c.claim) == "h100-korea-s1")
    assert (korea.value, korea.other_value, korea.other_source_id) == ("2000", "3000", "S4")
    change = next(c for c in found if short(c.other_claim) == "rank-change-france-s1")
    assert (change.value, change.other_value) == ("rank 9", "from rank 13 to 5")
    # the figure that agrees with S1 and S2 is in no candidate
    assert not any("ai-companies" in c.claim + c.other_claim for c in found)
    # the recorded ones are still found when asked for
    assert len(with_s4.conflict_candidates(recorded=True).records) == len(found) + 6


def test_the_cli_lists_candidates_as_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conflicts", "--candidates"]) == 0
    assert capsys.readouterr().out == (
        "No candidate conflict that is not already recorded as an aikg:Conflict.\n"
    )
    assert main(["conflicts", "--candidates", "--recorded", "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert len(answer) == 6
    assert {a["rule"] for a in answer} == {"same-figure", "left-out-of-list"}
    assert answer[-1]["explanation"] == "the same hardware count for two different holders"
    assert main(["conflicts", "--candidates", "--recorded"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("6 candidate conflicts:\n")
    assert "recorded in https://w3id.org/aikg/conflict/holder-of-350000" in text


def test_the_cli_refuses_recorded_without_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conflicts", "--recorded"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--recorded only applies to candidates" in err
    assert "add --candidates" in err


def test_the_saved_query_takes_a_boolean(kg: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="recorded"):
        kg.saved("conflict-candidates", recorded="perhaps")
