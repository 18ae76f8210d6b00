"""The saved queries on a graph in memory (``python -m benchmarks --memory FILE``): each
query runs in a fork of the process that loaded the graph, and a fork that runs past the
deadline or fails is reported, never taken for a figure."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from benchmarks import big, report
from benchmarks.queries import mix

from aikg import KnowledgeGraph
from aikg.sparql.execute import SelectResult
from aikg.synthetic.generate import write


def _quick(runs: int) -> Iterator[dict[str, Any]]:
    for i in range(runs):
        yield {"ms": 10.0 * (i + 1), "rows": 3, "truncated": False}


def _slow() -> Iterator[dict[str, Any]]:
    yield {"ms": 1.0, "rows": 1, "truncated": False}
    time.sleep(60)
    yield {"ms": 60_000.0, "rows": 1, "truncated": False}


def _slow_from_the_start() -> Iterator[dict[str, Any]]:
    time.sleep(60)
    yield {"ms": 60_000.0, "rows": 0, "truncated": False}


def _failing() -> Iterator[dict[str, Any]]:
    raise RuntimeError("the engine gave up")
    yield {}  # pragma: no cover - makes this a generator


def test_a_fork_sends_back_every_run() -> None:
    answer = big._forked(lambda: _quick(4), deadline=30, memory_floor_mb=0)
    # cold is the first run; warm the median of the three others (20, 30, 40)
    assert answer["cold_ms"] == 10.0
    assert answer["warm_ms"] == 30.0
    assert answer["warm_runs"] == 3
    assert answer["rows"] == 3
    assert answer["peak_rss_mb"] > 0


def test_a_run_past_the_deadline_is_killed_and_the_runs_before_it_kept() -> None:
    started = time.monotonic()
    answer = big._forked(_slow, deadline=0.5, memory_floor_mb=0)
    assert time.monotonic() - started < 30  # killed, not waited for
    assert answer["cold_ms"] == 1.0
    assert answer["warm_runs"] == 0


def test_a_cold_run_past_the_deadline_is_reported_as_timed_out() -> None:
    answer = big._forked(_slow_from_the_start, deadline=0.5, memory_floor_mb=0)
    assert answer["error"] == "timed out after 0.5 s"
    assert answer["timed_out"] is True


def test_a_fork_that_runs_the_machine_out_of_memory_is_stopped() -> None:
    # A floor above any machine's memory: the first check stops the fork.
    answer = big._forked(_slow_from_the_start, deadline=30, memory_floor_mb=2**40)
    assert answer["error"].startswith("stopped: under")
    assert answer["timed_out"] is True


def test_a_fork_that_fails_is_reported_as_failed() -> None:
    answer = big._forked(_failing, deadline=30, memory_floor_mb=0)
    assert answer["error"] == "failed (exit 1)"
    assert answer["timed_out"] is False


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("memory") / "gen.nq"
    write(path, 3_000, 5)
    return path


def test_the_figures_are_those_of_the_graph_the_python_api_makes(generated: Path) -> None:
    names = ["claims-by-source", "unreported-values"]
    examples = {q.name: q.params for q in mix()}
    result = big.memory_queries(str(generated), reps=1, deadline=60, names=names)
    with KnowledgeGraph.load() as kg:
        kg.add_files([generated])
        assert result["triples"] == kg.store.union_size()
        for name in names:
            answer = kg.saved(name, **examples[name])
            assert isinstance(answer, SelectResult)
            assert result["queries"][name]["rows"] == len(answer.rows) > 0
            assert result["queries"][name]["warm_runs"] == 1
    assert list(result["queries"]) == names

    text = report.saved_queries_markdown(
        {"saved_queries_scale": {**result, "store": "a graph in memory"}, "plan": {"reps": 1}}
    )
    assert f"({result['triples']:,} triples)" in text
    assert "Loaded once by `KnowledgeGraph.load()`" in text
    assert (
        f"| unreported-values | {report._num(result['queries']['unreported-values']['cold_ms'])}"
        in text
    )
