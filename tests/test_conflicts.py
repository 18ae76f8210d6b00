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
from aikg.namespaces import AIKG
from aikg.store.local import bundled_data_paths
from aikg.synthetic.generate import write
from tests.conftest import RemoteServer, drop_new_graphs, remote_settings

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


S4_CLAIMS = ("s4-claims.ttl", "s4-more-claims.ttl")


def s4_files(folder: Path) -> list[Path]:
    """The fixture source S4 registered in ``folder``, and the files of its claims."""
    shutil.copy(FIXTURES / "s4.txt", folder / "s4.txt")
    registered = folder / "s4-source.ttl"
    turtle = sources.register(
        folder / "s4.txt",
        identifier="S4",
        title="Conflict fixture",
        base_iri="https://w3id.org/aikg/",
    )
    registered.write_text(turtle, "utf-8")
    return [registered, *(FIXTURES / f for f in S4_CLAIMS)]


def load_with_s4(folder: Path) -> KnowledgeGraph:
    """The bundled data with the fixture source S4 registered and its claims loaded."""
    files = [*bundled_data_paths(), *s4_files(folder)]
    return KnowledgeGraph.load(files, settings=Settings(source_dirs=(str(folder),)))


@pytest.fixture(scope="module")
def with_s4(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    return load_with_s4(tmp_path_factory.mktemp("s4"))


def test_on_a_new_source_the_rules_find_the_planted_conflicts(with_s4: KnowledgeGraph) -> None:
    found = with_s4.conflict_candidates().records
    assert pairs(found) == {
        ("different-value", "h100-korea-s1", "h100-korea-s4"),
        ("different-value", "h100-korea-s2", "h100-korea-s4"),
        # two figures for one year; the year before is no conflict
        ("different-value", "h100-taiwan-2023-count-s4", "h100-taiwan-2023-s4"),
        ("different-value", "ai-companies-taiwan-2023-count-s4", "ai-companies-taiwan-2023-s4"),
        ("different-value", "ai-maturity-canada-s1", "ai-maturity-canada-s4"),
        ("same-figure", "h100-singapore-s4", "h100-tesla-s1"),
        # Tesla's second claim of the count, with the first claim of another holder
        ("same-figure", "h100-singapore-s4", "h100-tesla-s4"),
        ("rank-contradicted", "global-ranking-france-s1", "global-ranking-france-s4"),
        ("rank-contradicted", "global-ranking-france-s4", "rank-change-france-s1"),
        ("rank-contradicted", "global-ranking-france-s4", "rank-change-france-s2"),
        ("rank-contradicted", "global-ranking-korea-s1", "global-ranking-korea-s4"),
        ("rank-contradicted", "global-ranking-china-s1", "global-ranking-korea-s4"),
    }
    assert all(c.recorded_in is None for c in found)
    korea = next(c for c in found if short(c.claim) == "h100-korea-s1")
    assert (korea.value, korea.other_value, korea.other_source_id) == ("2000", "3000", "S4")
    canada = next(c for c in found if short(c.claim) == "ai-maturity-canada-s1")
    assert (canada.value, canada.other_value) == (
        "AI leading countries",
        "stable competitive countries",
    )
    change = next(c for c in found if short(c.other_claim) == "rank-change-france-s1")
    assert (change.value, change.other_value) == ("rank 9", "from rank 13 to 5")
    # the figure that agrees with S1 and S2 is in no candidate
    assert not any("ai-companies-china" in c.claim + c.other_claim for c in found)
    # the recorded ones are still found when asked for
    assert len(with_s4.conflict_candidates(recorded=True).records) == len(found) + 6


def test_on_a_remote_store_the_rules_find_what_they_find_in_process(
    with_s4: KnowledgeGraph,
    any_remote_kg: KnowledgeGraph,
    remote_server: RemoteServer,
    tmp_path: Path,
) -> None:
    """The rules' SPARQL (the period key, the tiers' names read OPTIONAL, a count shared
    by three claims) on Virtuoso 7 and on ``oxigraph serve``: with S4's claims added to
    the bundled data there, the same pairs as in process."""
    remote = KnowledgeGraph.open(remote_settings(remote_server, source_dirs=(str(tmp_path),)))
    before = set(any_remote_kg.store.named_graphs())
    try:
        remote.add_files(s4_files(tmp_path))
        for recorded in (False, True):
            found = remote.conflict_candidates(recorded=recorded).records
            expected = with_s4.conflict_candidates(recorded=recorded).records
            assert sorted(found, key=str) == sorted(expected, key=str)
        assert ("same-figure", "h100-singapore-s4", "h100-tesla-s4") in pairs(found)
    finally:
        drop_new_graphs(remote, before)


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


# The rules that pair claims sharing a value across subjects: the rule, the claims' class,
# and the properties whose values they share.
SHARED_VALUE_RULES = {
    "same-figure": ("HardwareHolding", ("quantity",)),
    "rank-contradicted": ("IndexPosition", ("index", "rank")),
}


def shared_value_groups(
    kg: KnowledgeGraph, cls: str, keys: tuple[str, ...]
) -> list[dict[str, str]]:
    """The claims of ``cls`` grouped by their ``keys`` values, each group as claim ->
    subject, sorted by claim: the groups of two subjects or more, read without the rule."""
    columns = " ".join(f"?{k}" for k in keys)
    patterns = " ".join(f"; <{AIKG}{k}> ?{k}" for k in keys)
    answer = kg.query(
        f"SELECT ?claim ?subject {columns} "
        f"WHERE {{ ?claim a <{AIKG}{cls}> ; <{AIKG}subject> ?subject {patterns} }}"
    )
    groups: dict[tuple[str, ...], dict[str, str]] = {}
    for row in answer.values():
        key = tuple(str(row[k]) for k in keys)
        groups.setdefault(key, {})[str(row["claim"])] = str(row["subject"])
    return [dict(sorted(g.items())) for g in groups.values() if len(set(g.values())) > 1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """The bundled data and 60,000 generated triples, where claims of many subjects share
    a count or a rank (drawn from a few hundred values); then, for each rule, a twin of the
    first claim of the largest group: a second claim of that subject with the same value."""
    folder = tmp_path_factory.mktemp("generated")
    generated_file = folder / "generated.nq"
    write(generated_file, 60_000, 3)
    kg = KnowledgeGraph.load()
    kg.add_files([generated_file])
    originals = {
        min(max(shared_value_groups(kg, cls, keys), key=len))
        for cls, keys in SHARED_VALUE_RULES.values()
    }
    # the twins' quads go into graphs of their own: a load adds graphs, not to them
    twins = [
        line.replace(f"<{claim}> ", f"<{claim}-twin> ", 1).replace("> .", "-twins> .")
        for line in generated_file.read_text(encoding="utf-8").splitlines()
        for claim in originals
        if line.startswith(f"<{claim}> ")
    ]
    twins_file = folder / "twins.nq"
    twins_file.write_text("\n".join(twins) + "\n", encoding="utf-8")
    kg.add_files([twins_file])
    return kg


@pytest.fixture(scope="module")
def generated_candidates(generated: KnowledgeGraph) -> list[Candidate]:
    """Every candidate the rules find in the generated data, recorded ones included."""
    answer = generated.conflict_candidates(recorded=True)
    assert not answer.truncated
    return answer.records


@pytest.mark.parametrize("rule", SHARED_VALUE_RULES)
def test_claims_sharing_a_value_are_each_paired_once_not_with_every_other(
    generated: KnowledgeGraph, generated_candidates: list[Candidate], rule: str
) -> None:
    cls, keys = SHARED_VALUE_RULES[rule]
    found = {
        (c.claim, c.other_claim)
        for c in generated_candidates
        if c.rule == rule and c.subject != c.other_subject
    }
    groups = shared_value_groups(generated, cls, keys)
    # what makes pairing every claim with every other grow with the square is there:
    # values shared by three subjects or more, and a subject with two claims of one value
    assert max(len(g) for g in groups) >= 3
    assert any(len(g) > len(set(g.values())) for g in groups)
    # and a group whose first claim's subject has another claim (paired with the first
    # claim of another subject)
    assert any(sum(s == g[min(g)] for s in g.values()) > 1 for g in groups)
    for group in groups:
        in_group = {(a, b) for a, b in found if a in group}
        # claims of different subjects, in the order of their IRIs, within one group
        assert all(b in group and group[a] != group[b] and a < b for a, b in in_group)
        # every claim of the group is in a pair, and each but one makes exactly one
        assert {c for pair in in_group for c in pair} == set(group), (group, in_group)
        assert len(in_group) == len(group) - 1, (group, in_group)
    assert len(found) == sum(len(g) - 1 for g in groups)
