"""What changed between two versions of the data, claim by claim (aikg.diff, aikg diff)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from aikg import KnowledgeGraph
from aikg.cli import main
from aikg.config import Settings
from aikg.diff import ClaimDiff, diff_paths
from aikg.errors import InputError, NotFoundError
from aikg.store.local import bundled_data_paths

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLAIM = "https://w3id.org/aikg/claim/"


def _copy(folder: Path) -> Path:
    folder.mkdir()
    for path in bundled_data_paths():
        shutil.copy(path, folder / Path(path).name)
    return folder


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bundled data, and a version of it in which a claim's figure changed, a claim was
    removed, a quotation was reworded, and the fixture source's claims were added."""
    root = tmp_path_factory.mktemp("versions")
    old, new = _copy(root / "old"), _copy(root / "new")
    holdings = new / "holdings.ttl"
    text = holdings.read_text("utf-8").replace("aikg:quantity 35000 ;", "aikg:quantity 36000 ;")
    text = re.sub(r"claim:h100-xai-s1\n.*?\n\n", "", text, flags=re.S)
    holdings.write_text(text, "utf-8")
    quotes = new / "sources.ttl"
    quotes.write_text(
        quotes.read_text("utf-8").replace(
            "Korea excels in the former but lags in the latter.",
            "Korea excels in the former but lags in the later.",
        ),
        "utf-8",
    )
    shutil.copy(FIXTURES / "s4-claims.ttl", new / "s4-claims.ttl")
    return old, new


def short(iri: str) -> str:
    return iri.removeprefix(CLAIM)


def test_the_same_data_has_no_difference(versions: tuple[Path, Path]) -> None:
    old, _ = versions
    assert diff_paths(old, old).empty


def test_claims_added_removed_and_changed_with_their_parts(versions: tuple[Path, Path]) -> None:
    found = diff_paths(*versions)
    assert [short(c.claim) for c in found.added] == [
        "ai-companies-china-s4",
        "global-ranking-france-s4",
        "global-ranking-korea-s4",
        "h100-korea-s4",
        "h100-singapore-s4",
    ]
    [removed] = found.removed
    assert short(removed.claim) == "h100-xai-s1"
    assert removed.label == "xAI holds 100,000 H100 GPUs (S1)"
    assert removed.parts["aikg:quantity"] == ('"100000"^^xsd:integer',)
    assert removed.parts["aikg:subject"] == ("company:xai",)
    changed = {short(c.claim): c for c in found.changed}
    [tesla] = changed.pop("h100-tesla-s1").changes
    assert (tesla.property, tesla.removed, tesla.added) == (
        "aikg:quantity",
        ('"35000"^^xsd:integer',),
        ('"36000"^^xsd:integer',),
    )
    # the reworded quotation changes each claim that rests on it, and nothing else
    assert changed
    for claim in changed.values():
        [change] = claim.changes
        assert change.property == "aikg:evidence/schema:text"
        assert change.removed == ('"Korea excels in the former but lags in the latter."',)
        assert change.added == ('"Korea excels in the former but lags in the later."',)


def test_the_cli_prints_text_and_json(
    versions: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = map(str, versions)
    assert main(["diff", old, new]) == 0
    text = capsys.readouterr().out
    assert text.startswith("5 claims added, 1 removed, ")
    assert f"- {CLAIM}h100-xai-s1  xAI holds 100,000 H100 GPUs (S1)\n" in text
    assert (
        f"~ {CLAIM}h100-tesla-s1  Tesla holds 35,000 H100 GPUs (S1)\n"
        '    aikg:quantity  - "35000"^^xsd:integer\n'
        '    aikg:quantity  + "36000"^^xsd:integer\n'
    ) in text
    assert main(["diff", old, new, "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert set(answer) == {"added", "removed", "changed"}
    assert [c["claim"] for c in answer["removed"]] == [f"{CLAIM}h100-xai-s1"]
    tesla = next(c for c in answer["changed"] if c["claim"].endswith("tesla-s1"))
    assert tesla["changes"] == [
        {
            "property": "aikg:quantity",
            "removed": ['"35000"^^xsd:integer'],
            "added": ['"36000"^^xsd:integer'],
        }
    ]
    assert main(["diff", old, old]) == 0
    assert capsys.readouterr().out == "No claim added, removed or changed.\n"


def test_a_store_directory_and_a_single_file_are_versions_too(
    versions: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = versions
    store = tmp_path / "store"
    KnowledgeGraph.open(Settings(store=str(store))).close()  # filled with the bundled data
    assert diff_paths(store, old).empty
    # The same store twice (it opens once at a time: the second open failed on its lock).
    assert diff_paths(store, f"{store}/").empty
    one = diff_paths(old / "holdings.ttl", new / "holdings.ttl")
    assert ([short(c.claim) for c in one.removed], [short(c.claim) for c in one.changed]) == (
        ["h100-xai-s1"],
        ["h100-tesla-s1"],
    )
    assert isinstance(one, ClaimDiff) and one.added == ()


def test_unusable_input_is_refused_and_nothing_is_written(
    versions: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, _ = versions
    missing = tmp_path / "missing"
    assert main(["diff", str(old), str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"no store, folder or file '{missing}'" in err and "fix:" in err
    assert not missing.exists()  # not created as a store
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="neither a store directory nor a folder of RDF"):
        diff_paths(empty, old)
    assert list(empty.iterdir()) == []  # not filled with the bundled data
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", "utf-8")
    assert main(["diff", str(broken), str(old)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "broken.ttl" in err and "line 1" in err
    with pytest.raises(NotFoundError):
        diff_paths(missing, old)
