"""The saved queries measured in memory (``python -m benchmarks --memory FILE``): each
query runs in a fork of the process that loaded the graph, and a fork that runs past the
deadline, runs the machine short of memory or fails is reported as such, never taken for
a figure; and the same runs measure a store on disk (``--store DIR``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from benchmarks import big, report
from benchmarks.queries import mix

from aikg import KnowledgeGraph
from aikg.config import Settings
from aikg.sparql.execute import SelectResult
from aikg.synthetic.generate import write


def _runs(times_ms: list[float], *, sleep: float = 0.0) -> Iterator[dict[str, Any]]:
    for ms in times_ms:
        time.sleep(sleep)
        yield {"ms": ms, "rows": int(ms), "truncated": False}


def _cold_then_stuck() -> Iterator[dict[str, Any]]:
    yield {"ms": 1.0, "rows": 1, "truncated": False}
    time.sleep(60)
    yield {"ms": 60_000.0, "rows": 1, "truncated": False}


def _stuck() -> Iterator[dict[str, Any]]:
    time.sleep(60)
    yield {"ms": 60_000.0, "rows": 0, "truncated": False}


def _failing() -> Iterator[dict[str, Any]]:
    raise RuntimeError("the engine gave up")
    yield {}  # pragma: no cover - makes this a generator


def _failing_after_one_run() -> Iterator[dict[str, Any]]:
    yield {"ms": 5.0, "rows": 2, "truncated": False}
    raise RuntimeError("the engine gave up")


def test_a_fork_sends_back_every_run() -> None:
    answer = big._forked(lambda: _runs([10, 40, 20, 100, 30]), deadline=30, memory_floor_mb=0)
    # cold is the first run; warm the median of the four others (20, 30, 40, 100)
    assert answer["cold_ms"] == 10.0
    assert answer["warm_ms"] == 40.0
    assert answer["warm_runs"] == 4
    assert answer["rows"] == 30  # the last run's
    assert "stopped" not in answer
    assert answer["peak_rss_mb"] > 0


def test_the_deadline_is_for_each_run_not_for_all_of_them() -> None:
    # Five runs of 0.5 s each, 2.5 s in all, under a deadline of 2 s a run.
    answer = big._forked(lambda: _runs([1, 2, 3, 4, 5], sleep=0.5), deadline=2, memory_floor_mb=0)
    assert answer["warm_runs"] == 4
    assert "stopped" not in answer


def test_a_run_past_the_deadline_is_killed_and_the_runs_before_it_kept() -> None:
    started = time.monotonic()
    answer = big._forked(_cold_then_stuck, deadline=2, memory_floor_mb=0)
    assert time.monotonic() - started < 30  # killed, not waited for
    assert answer["cold_ms"] == 1.0
    assert answer["warm_runs"] == 0
    assert answer["stopped"] == "timed out after 2 s"


def test_a_cold_run_past_the_deadline_is_reported_as_timed_out() -> None:
    answer = big._forked(_stuck, deadline=0.5, memory_floor_mb=0)
    assert answer == {"error": "timed out after 0.5 s", "peak_rss_mb": answer["peak_rss_mb"]}


def test_a_fork_that_runs_the_machine_out_of_memory_is_stopped() -> None:
    # A floor above any machine's memory: the first check stops the fork.
    answer = big._forked(_stuck, deadline=30, memory_floor_mb=2**40)
    assert answer["error"] == f"stopped with under {2**40:,} MB of memory left"


def test_a_fork_that_fails_is_reported_as_failed() -> None:
    answer = big._forked(_failing, deadline=30, memory_floor_mb=0)
    assert answer["error"] == "failed (exit 1)"


def test_a_fork_that_fails_after_a_run_keeps_it_and_says_so() -> None:
    answer = big._forked(_failing_after_one_run, deadline=30, memory_floor_mb=0)
    assert answer["cold_ms"] == 5.0
    assert answer["stopped"] == "failed (exit 1)"
    row = report._query_rows({"q": answer})[0]
    assert row[2] == "– (then failed (exit 1))"


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


def test_a_store_on_disk_is_measured_by_the_same_runs(tmp_path: Path) -> None:
    store = tmp_path / "store"
    examples = {q.name: q.params for q in mix()}
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        answer = kg.saved("claims-by-source", **examples["claims-by-source"])
        assert isinstance(answer, SelectResult)
        expected = len(answer.rows)
    result = big.query(str(store), "claims-by-source", examples["claims-by-source"], reps=2)
    assert result["rows"] == expected > 0
    assert result["warm_runs"] == 2
    assert result["cold_ms"] > 0 and result["open_ms"] > 0
