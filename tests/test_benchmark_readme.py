"""The README's scale targets are the figures of the one benchmark run they name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from benchmarks import readme
from benchmarks.common import REPO


def _run() -> dict[str, Any]:
    """The results of a small run, as ``scripts/bench`` records them (the parts the
    table reads)."""

    def load(seconds: float) -> dict[str, Any]:
        return {"seconds": seconds, "validate_s": 0.0, "sources_s": 0.0}

    def incremental(where: float, full: float, insert: float) -> dict[str, Any]:
        return {
            "median_s": {"incremental": where, "full": full},
            "write_median_s": {"INSERT DATA": insert, "DELETE DATA": insert / 2},
        }

    return {
        "meta": {
            "utc": "2026-11-30T13:00:00Z",
            "cpus": 2,
            "git_commit": "0123456789abcdef",
            "elapsed_s": 600,
        },
        "plan": {
            "sizes": [10000, 1000000],
            "only": ["load", "incremental"],
            "big": True,
            "deadline": 60.0,
        },
        "sizes": {
            "10000": {
                "load": {
                    "aikg (memory)": load(0.5),
                    "aikg (disk)": load(2.0),
                    "pyoxigraph (disk)": load(0.1),
                    "rdflib": load(1.0),
                },
                "incremental": incremental(0.09, 0.17, 0.026),
            },
            "1000000": {
                "load": {
                    "aikg (memory)": load(10.0),
                    "aikg (disk)": load(14.0),
                    "pyoxigraph (disk)": load(10.0),
                    "rdflib": load(120.0),
                },
                "incremental": incremental(0.12, 20.7, 0.028),
            },
        },
        "big": {
            "size": 10_000_000,
            "load": {"status": 0, "wall_s": 347.2, "peak_rss_mb": 10599.1},
            "incremental": incremental(1.5, 340.0, 0.186),
            "queries": {
                "quick": {"cold_ms": 80.0, "warm_ms": 5.0},
                "slow-warm": {"cold_ms": 2500.0, "warm_ms": 1500.0},
                "too-slow": {"cold_ms": 30000.0, "warm_ms": None},
                "timed-out": {"error": "timed out after 60 s", "timed_out": True},
            },
        },
        "http_overhead": {
            "ratios": {
                "aikg serve, no repeats, 1": {"bare": [0.30, 0.40, 0.37, 0.35, 0.38]},
                "aikg serve, no repeats, 8": {"bare": [0.50, 0.59, 0.57, 0.58, 0.55]},
            }
        },
    }


def _rows(text: str) -> dict[str, list[str]]:
    """The table's rows by their target, each the cells after it."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| target"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def test_the_readme_block_is_what_its_run_gives() -> None:
    assert readme.check() is None


def test_the_readme_names_a_run_that_measured_every_scale_target() -> None:
    text = (REPO / "README.md").read_text("utf-8")
    rows = _rows(text[text.index("<!-- scale targets from") : text.index(readme.END)])
    assert len(rows) == 7
    for target, cells in rows.items():
        if cells[0]:  # a target with a goal has a verdict, from a figure of the run
            assert cells[-1] in ("yes", "no"), target


def test_each_target_is_computed_from_the_run() -> None:
    text = readme.table(_run(), "benchmarks/results/run.json")
    assert text.startswith(
        "`scripts/bench --sizes 10000,1000000 --only load,incremental --big --deadline 60` "
        "(`benchmarks/results/run.json`, 2026-11-30T13:00:00Z, 2 CPUs, commit 0123456789ab, "
        "10.0 min)"
    )
    rows = _rows(text)
    head = text.splitlines()[2]
    assert head == "| target | goal | bundled data | 10k | 1M | 10M | met |"
    disk = rows["load on disk, aikg (validated, inferred) / Oxigraph bulk_load, time"]
    assert disk == ["<= 1.5", "", "20.00x", "1.40x", "", "yes"]
    memory = rows["load in memory, rdflib parse time / aikg (validated, inferred)"]
    assert memory == [">= 10", "", "2.0x", "12.0x", "", "yes"]
    assert rows["`aikg load --store DIR`, wall time (peak RSS)"][4] == "347 s (10,599 MB)"
    incremental = rows["validating a 1,000-triple addition where it reaches (in full)"]
    assert incremental == ["<= 1 s", "", "0.09 s (0.17)", "0.12 s (20.70)", "1.50 s (340)", "no"]
    inserts = rows["a 2-triple `INSERT DATA` as the server applies it, derived data included"]
    assert inserts[2:5] == ["26 ms", "28 ms", "186 ms"]
    # warm within 1 s: quick only; cold within 3 s: quick and slow-warm
    queries = rows["saved queries under 1 s warm (under 3 s cold)"]
    assert queries == ["all", "", "", "", "1 of 4 (2 of 4)", "no"]
    lookup = rows["one lookup over HTTP, never repeated, aikg / bare handler, 1; 8 clients"]
    assert lookup == [">= 0.7; 0.9", "0.37x; 0.57x", "", "", "", "no"]


def test_a_step_left_out_is_not_measured() -> None:
    run = _run()
    del run["http_overhead"], run["big"]
    del run["sizes"]["1000000"]["load"]["pyoxigraph (disk)"]
    rows = _rows(readme.table(run, "r.json"))
    disk = rows["load on disk, aikg (validated, inferred) / Oxigraph bulk_load, time"]
    assert disk == ["<= 1.5", "", "20.00x", "–", "", "not measured"]
    assert rows["saved queries under 1 s warm (under 3 s cold)"][-2:] == ["–", "not measured"]
    lookup = rows["one lookup over HTTP, never repeated, aikg / bare handler, 1; 8 clients"]
    assert lookup[1] == "–" and lookup[-1] == "not measured"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A README with a block naming one run, beside that run's results."""
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "old.json").write_text(json.dumps(_run()), "utf-8")
    (tmp_path / "README.md").write_text(
        f"# Title\n\nBefore.\n\n{readme.BEGIN.format(source='results/old.json')}\n"
        f"hand-made\n{readme.END}\n\nAfter.\n",
        "utf-8",
    )
    return tmp_path


def test_regenerating_rewrites_the_block_and_nothing_else(repo: Path) -> None:
    newer = _run()
    newer["meta"]["git_commit"] = "fedcba9876543210"
    (repo / "results" / "new.json").write_text(json.dumps(newer), "utf-8")
    assert readme.check(repo / "README.md", repo) is not None  # the hand-made block
    assert readme.regenerate("results/new.json", repo / "README.md", repo) is True
    text = (repo / "README.md").read_text("utf-8")
    assert text.startswith("# Title\n\nBefore.\n\n<!-- scale targets from results/new.json:")
    assert text.endswith(f"{readme.END}\n\nAfter.\n")
    assert "commit fedcba987654" in text and "hand-made" not in text
    assert readme.check(repo / "README.md", repo) is None
    assert readme.regenerate("results/new.json", repo / "README.md", repo) is False


def test_an_edit_by_hand_is_found(repo: Path) -> None:
    readme.regenerate("results/old.json", repo / "README.md", repo)
    path = repo / "README.md"
    path.write_text(path.read_text("utf-8").replace("20.00x", "1.20x"), "utf-8")
    problem = readme.check(path, repo)
    assert problem is not None
    assert "differ from what results/old.json gives" in problem
    assert "python -m benchmarks.readme results/old.json" in problem


@pytest.mark.parametrize(
    ("source", "content", "says"),
    [
        ("results/missing.json", None, "no such results file"),
        ("results/bad.json", "{not json", "line 1: not JSON"),
        ("results/store.json", '{"queries": {}}', "not the results of a `scripts/bench` run"),
    ],
)
def test_unreadable_results_change_nothing(
    repo: Path, source: str, content: str | None, says: str
) -> None:
    if content is not None:
        (repo / source).write_text(content, "utf-8")
    before = (repo / "README.md").read_bytes()
    with pytest.raises(readme.ReadmeError, match=says):
        readme.regenerate(source, repo / "README.md", repo)
    assert (repo / "README.md").read_bytes() == before


def test_a_readme_without_the_markers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text("# No block here\n", "utf-8")
    with pytest.raises(readme.ReadmeError, match="no generated block: put the two lines"):
        readme.check(path, tmp_path)
    assert path.read_text("utf-8") == "# No block here\n"


def test_the_command_line_says_what_it_did(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readme, "REPO", repo)
    monkeypatch.chdir(repo)
    assert readme.main(["--check", "--readme", "README.md"]) == 1
    assert readme.main(["results/old.json", "--readme", "README.md"]) == 0
    assert "rewritten from results/old.json" in capsys.readouterr().out
    assert readme.main(["--check", "--readme", "README.md"]) == 0
    assert readme.main(["/elsewhere/run.json", "--readme", "README.md"]) == 2
    assert "outside the repository" in capsys.readouterr().err
