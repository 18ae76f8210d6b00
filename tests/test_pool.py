"""The worker pool as a component: it heals when workers or the keeper die.

The pool runs the jobs of ``tests.pool_jobs`` (jobs that sleep, crash, fail and stream on
purpose) in a keeper and its workers, as the server does with the real jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from aikg.config import Settings
from aikg.errors import (
    AnswerTooLargeError,
    EngineCrashError,
    InputError,
    QueryMemoryError,
    QueryTimeoutError,
    ServiceBusyError,
)
from aikg.workers import memory
from aikg.workers.pool import WorkerPool

ROOT = Path(__file__).resolve().parent.parent
SIZE = 3


def opened_pool(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[WorkerPool]:
    """A pool of the test jobs with these settings, closed afterwards."""
    # The keeper is a new interpreter: it must find the tests package to import the jobs.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    opened = WorkerPool(settings, "tests.pool_jobs")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerPool]:
    yield from opened_pool(monkeypatch, Settings(workers=SIZE, query_timeout=2, queue_timeout=5))


BUDGET_MB = 100
ANSWER_MB = 4


@pytest.fixture
def frugal_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerPool]:
    """A pool whose queries may take 100 MB each, and 30 s: a job stopped sooner was
    stopped for its memory."""
    settings = Settings(
        workers=SIZE,
        query_timeout=30,
        queue_timeout=5,
        query_memory=BUDGET_MB,
        max_answer_bytes=ANSWER_MB * memory.MB,
    )
    yield from opened_pool(monkeypatch, settings)


def wait_for_full_strength(pool: WorkerPool, within: float, replaced: int = 0) -> float:
    """Seconds until the pool has replaced ``replaced`` workers in all and has all its
    workers and a keeper again; fails past ``within``."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        status = pool.status()
        if status.healthy and status.replaced_workers >= replaced:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"the pool is not at full strength after {within} s: {pool.status()}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped) counts as dead.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"


def idle_worker(pool: WorkerPool) -> int:
    """The pid of a worker that has just finished a job (so it is idle now)."""
    pid: int = pool.run("pid")
    return pid


HOLD_SECONDS = 0.3


def every_worker(pool: WorkerPool) -> dict[int, int]:
    """Each worker's counter, by pid: one job per worker, sent at once from threads
    (one after the other, they would all go to the worker that finished last)."""
    with ThreadPoolExecutor(SIZE) as threads:
        answers = list(threads.map(lambda _: pool.run("held", seconds=HOLD_SECONDS), range(SIZE)))
    assert len(answers) == SIZE
    return dict(answers)


async def every_worker_async(pool: WorkerPool) -> dict[int, int]:
    """:func:`every_worker` from the event loop."""
    jobs = [pool.run_async("held", seconds=HOLD_SECONDS) for _ in range(SIZE)]
    return dict(await asyncio.gather(*jobs))


def test_the_worker_that_finished_last_takes_the_next_job(pool: WorkerPool) -> None:
    """Its pages are still in the CPU's caches; the others stay asleep."""
    workers = every_worker(pool)
    assert len(workers) == SIZE
    last = idle_worker(pool)
    assert {idle_worker(pool) for _ in range(SIZE * 3)} == {last}

    async def in_turn() -> set[int]:
        return {await pool.run_async("pid") for _ in range(SIZE * 3)}

    assert asyncio.run(in_turn()) == {last}


def test_a_worker_killed_while_idle_is_replaced_within_two_seconds(pool: WorkerPool) -> None:
    victim = idle_worker(pool)
    os.kill(victim, signal.SIGKILL)
    wait_for_full_strength(pool, within=2.0, replaced=1)
    assert pool.status().live == SIZE
    pids = every_worker(pool)
    assert len(pids) == SIZE
    assert victim not in pids


def test_a_job_is_never_handed_to_a_dead_worker(pool: WorkerPool) -> None:
    """Kill every worker, then send jobs at once, before the supervisor has looked."""
    victims = every_worker(pool)
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    answers = [pool.run("counter") for _ in range(SIZE * 2)]
    assert answers == [0] * (SIZE * 2)


def test_a_worker_that_dies_mid_job_costs_that_job_only(pool: WorkerPool) -> None:
    with pytest.raises(EngineCrashError, match="worker died"):
        pool.run("die")
    assert pool.run("counter") == 0
    wait_for_full_strength(pool, within=2.0)


def test_a_job_past_its_deadline_is_stopped_and_its_worker_replaced(pool: WorkerPool) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match=r"did not finish within 0\.5 s"):
        pool.run("sleep", timeout=0.5, seconds=30)
    assert time.monotonic() - started < 5
    wait_for_full_strength(pool, within=2.0)
    assert pool.run("sleep", seconds=0) == "woke"


def test_a_failing_job_reports_its_error_and_logs_the_traceback(
    pool: WorkerPool, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="aikg.workers"),
        pytest.raises(EngineCrashError, match="ZeroDivisionError: a bug in a job"),
    ):
        pool.run("fail")
    assert "Traceback" in caplog.text
    assert "ZeroDivisionError" in caplog.text
    with pytest.raises(InputError, match="a refusal"):
        pool.run("refuse")
    assert pool.status().live == SIZE


def test_an_abandoned_stream_leaves_no_worker_behind(pool: WorkerPool) -> None:
    stream = pool.stream("chunks", count=100_000)
    first = next(stream)
    assert first.startswith(b"chunk 0\n")
    # The answer was spooled: the worker is back in the pool while the reader dawdles.
    assert pool.status().busy == 0
    stream.close()
    assert pool.status().busy == 0
    assert pool.status().live == SIZE
    whole = b"".join(pool.stream("chunks", count=3))
    assert whole == b"chunk 0\nchunk 1\nchunk 2\n"


def test_a_read_after_a_write_sees_the_write(pool: WorkerPool) -> None:
    assert set(every_worker(pool).values()) == {0}
    assert pool.write("increment") == 1
    after = every_worker(pool)
    assert len(after) == SIZE
    assert set(after.values()) == {1}


def test_a_dead_keeper_is_replaced_and_queries_go_on(pool: WorkerPool) -> None:
    keeper = pool.keeper_pid
    instance = pool.instance
    workers = set(every_worker(pool))
    assert len(workers) == SIZE
    os.kill(keeper, signal.SIGKILL)
    # The workers die with their keeper (the kernel sees to that).
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(alive(pid) for pid in workers)
    assert pool.run("counter") == 0
    wait_for_full_strength(pool, within=5.0)
    assert pool.keeper_pid != keeper
    assert pool.instance != instance  # the data version says it is a new store process
    assert pool.status().restarts == 1


def test_run_and_stream_hand_out_the_same_workers(pool: WorkerPool) -> None:
    """One check-out path: a stream's worker is one of the pool's, returned after."""
    before = pool.status()
    assert b"".join(pool.stream("chunks", count=2)) == b"chunk 0\nchunk 1\n"
    with pytest.raises(QueryTimeoutError, match="did not finish within"):
        list(pool.stream("chunks", timeout=1e-9, count=10**7))
    wait_for_full_strength(pool, within=2.0)
    assert pool.status().live == before.live == SIZE


# -- the same from the event loop (how the HTTP server runs a query job) ----------------


def test_the_event_loop_gets_the_answers_a_thread_gets(pool: WorkerPool) -> None:
    async def answers() -> tuple[int, bytes, bytes]:
        counter = await pool.run_async("counter")
        blob = await pool.run_async("blob", size=5 * 1024 * 1024)  # several reads
        echoed = await pool.run_async("echo", data=os.urandom(1024 * 1024))
        return counter, blob, echoed

    counter, blob, echoed = asyncio.run(answers())
    assert counter == pool.run("counter") == 0
    assert blob == pool.run("blob", size=5 * 1024 * 1024)
    assert len(blob) == 5 * 1024 * 1024
    assert len(echoed) == 1024 * 1024
    assert pool.status().busy == 0
    assert pool.status().live == SIZE


def test_from_the_event_loop_a_job_past_its_deadline_is_stopped(pool: WorkerPool) -> None:
    victim = idle_worker(pool)
    pids = set(every_worker(pool))
    assert victim in pids
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match=r"did not finish within 0\.5 s"):
        asyncio.run(pool.run_async("sleep", timeout=0.5, seconds=30))
    assert time.monotonic() - started < 5
    wait_for_full_strength(pool, within=2.0)
    # The worker that ran it was killed: the pool holds SIZE live workers, none of them
    # the one that slept past its deadline.
    after = set(every_worker(pool))
    assert len(after) == SIZE
    assert len(pids - after) == 1
    assert not any(alive(pid) for pid in pids - after)
    assert asyncio.run(pool.run_async("sleep", seconds=0)) == "woke"


def test_from_the_event_loop_a_worker_that_dies_mid_job_costs_that_job_only(
    pool: WorkerPool,
) -> None:
    with pytest.raises(EngineCrashError, match="worker died"):
        asyncio.run(pool.run_async("die"))
    assert asyncio.run(pool.run_async("counter")) == 0
    wait_for_full_strength(pool, within=2.0, replaced=1)


def test_from_the_event_loop_a_job_is_never_handed_to_a_dead_worker(pool: WorkerPool) -> None:
    victims = every_worker(pool)
    for pid in victims:
        os.kill(pid, signal.SIGKILL)

    async def burst() -> list[int]:
        return [await pool.run_async("counter") for _ in range(SIZE * 2)]

    assert asyncio.run(burst()) == [0] * (SIZE * 2)


def test_from_the_event_loop_a_failing_job_reports_its_error(
    pool: WorkerPool, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="aikg.workers"),
        pytest.raises(EngineCrashError, match="ZeroDivisionError: a bug in a job"),
    ):
        asyncio.run(pool.run_async("fail"))
    assert "Traceback" in caplog.text
    with pytest.raises(InputError, match="a refusal"):
        asyncio.run(pool.run_async("refuse"))
    assert pool.status().live == SIZE
    assert pool.status().busy == 0


def test_from_the_event_loop_requests_wait_their_turn_for_a_worker(pool: WorkerPool) -> None:
    """More jobs at once than workers: the others wait in line, on the loop, and each
    gets its answer; past the queue timeout, a request is told the service is busy."""

    async def crowd(count: int) -> list[Any]:
        jobs = [pool.run_async("sleep", seconds=0.3) for _ in range(count)]
        return await asyncio.gather(*jobs, return_exceptions=True)

    assert asyncio.run(crowd(SIZE * 3)) == ["woke"] * (SIZE * 3)
    pool.settings = replace(pool.settings, queue_timeout=0.1)
    outcomes = asyncio.run(crowd(SIZE * 2))
    assert outcomes.count("woke") == SIZE
    busy = [o for o in outcomes if isinstance(o, ServiceBusyError)]
    assert len(busy) == SIZE
    assert pool.status().busy == 0
    assert pool.status().live == SIZE


def test_from_the_event_loop_a_cancelled_request_leaves_no_worker_behind(
    pool: WorkerPool,
) -> None:
    async def abandon() -> None:
        task = asyncio.ensure_future(pool.run_async("sleep", seconds=30))
        await asyncio.sleep(0.3)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    pids = set(every_worker(pool))
    asyncio.run(abandon())
    wait_for_full_strength(pool, within=2.0)
    after = set(every_worker(pool))
    assert len(after) == SIZE
    gone = pids - after
    assert len(gone) == 1  # the sleeping worker was killed, not left to sleep
    assert not any(alive(pid) for pid in gone)


def test_from_the_event_loop_a_read_after_a_write_sees_the_write(pool: WorkerPool) -> None:
    assert pool.write("increment") == 1

    after = asyncio.run(every_worker_async(pool))
    assert len(after) == SIZE
    assert set(after.values()) == {1}


def test_a_job_that_takes_more_memory_than_a_query_may_is_stopped(
    frugal_pool: WorkerPool, caplog: pytest.LogCaptureFixture
) -> None:
    """Stopped while it grows, long before its deadline, its worker replaced; a job
    under the budget runs to its end."""
    pool = frugal_pool
    assert pool.memory_budget == BUDGET_MB * memory.MB
    assert pool.run("grow", megabytes=BUDGET_MB // 2) > 0
    with (
        caplog.at_level(logging.WARNING, logger="aikg.workers"),
        pytest.raises(QueryMemoryError, match="took more than 100 MB of memory") as stopped,
    ):
        pool.run("grow", megabytes=2_000)
    assert (
        stopped.value.status == 503
        and stopped.value.hint
        and "AIKG_QUERY_MEMORY" in stopped.value.hint
    )
    assert "more than a query may (100 MB)" in caplog.text
    wait_for_full_strength(pool, within=2.0)
    assert pool.run("counter") == 0

    async def from_the_loop() -> None:
        with pytest.raises(QueryMemoryError):
            await pool.run_async("grow", megabytes=2_000)
        assert await pool.run_async("counter") == 0

    asyncio.run(from_the_loop())
    wait_for_full_strength(pool, within=2.0)


def test_a_worker_that_kept_memory_from_its_job_is_replaced_before_the_next(
    frugal_pool: WorkerPool,
) -> None:
    """It kept more than half the budget: the next query, which would have been stopped
    for the memory its worker held before it began, gets a fresh worker. One that kept
    less takes the next job."""
    pool = frugal_pool
    frugal = pool.run("grow", megabytes=BUDGET_MB // 4, keep=True)
    assert pool.run("pid") == frugal
    bloated = pool.run("grow", megabytes=BUDGET_MB * 2 // 5, keep=True)
    assert bloated == frugal  # the worker that finished last: it holds 65 MB now
    fresh = pool.run("grow", megabytes=BUDGET_MB // 2)  # 115 MB on the bloated one
    assert fresh != bloated
    assert not alive(bloated)
    wait_for_full_strength(pool, within=2.0, replaced=1)

    async def from_the_loop() -> tuple[int, int]:
        kept = await pool.run_async("grow", megabytes=BUDGET_MB * 3 // 5, keep=True)
        return kept, await pool.run_async("grow", megabytes=BUDGET_MB // 2)

    kept, next_one = asyncio.run(from_the_loop())
    assert next_one != kept and not alive(kept)


def test_a_write_whose_dry_run_takes_too_much_memory_changes_nothing(
    frugal_pool: WorkerPool,
) -> None:
    pool = frugal_pool
    with pytest.raises(QueryMemoryError, match=r"write took more than 100 MB.*nothing was changed"):
        pool.write("swell", megabytes=2_000)
    assert set(every_worker(pool).values()) == {0}
    assert pool.write("swell", megabytes=BUDGET_MB // 2) == 1
    assert set(every_worker(pool).values()) == {1}


def test_a_process_memory_is_read_without_stopping_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the budget is measured on: the growth of resident anonymous memory."""
    me = os.getpid()
    start = memory.private_bytes(me)
    assert start is not None and start > 0
    taken = b"x" * (64 * memory.MB)
    grown = memory.growth(me, start)
    assert grown is not None and grown >= 60 * memory.MB
    del taken
    assert memory.private_bytes(2**22 + 1) is None  # no such process
    assert memory.growth(me, None) is None
    monkeypatch.setattr(memory, "available_memory", lambda: 10_000 * memory.MB)
    assert memory.query_budget(0, workers=4) == 2_000 * memory.MB
    monkeypatch.setattr(memory, "available_memory", lambda: 0)  # a container at its limit
    assert memory.query_budget(0, workers=4) == memory.SMALLEST_BUDGET
    assert memory.query_budget(300, workers=4) == 300 * memory.MB


def test_an_answer_larger_than_the_server_sends_is_refused_by_its_worker(
    frugal_pool: WorkerPool,
) -> None:
    """Refused before it reaches the server, which would hold it whole; the worker is
    fine and takes the next job. A stream's chunks are not one answer."""
    pool = frugal_pool
    assert len(pool.run("blob", size=ANSWER_MB * memory.MB // 2)) == ANSWER_MB * memory.MB // 2
    worker = idle_worker(pool)
    with pytest.raises(
        AnswerTooLargeError, match=r"answer takes 8 MB, more than the 4 MB"
    ) as refused:
        pool.run("blob", size=2 * ANSWER_MB * memory.MB)
    assert refused.value.hint and "AIKG_MAX_ANSWER_BYTES" in refused.value.hint

    async def from_the_loop() -> None:
        with pytest.raises(AnswerTooLargeError):
            await pool.run_async("blob", size=2 * ANSWER_MB * memory.MB)

    asyncio.run(from_the_loop())
    assert idle_worker(pool) == worker  # not killed: it answered, with a refusal
    streamed = pool.stream("blobs", count=2 * ANSWER_MB, size=memory.MB)
    assert len(b"".join(streamed)) == 2 * ANSWER_MB * memory.MB


V1 = "memory/job/memory."
V1_NONE = "9223372036854771712"


@pytest.mark.parametrize(
    ("groups", "files", "left"),
    [
        (  # the reclaimable page cache is not counted as used
            "0::/app\n",
            {
                "app/memory.max": "3000",
                "app/memory.current": "2500",
                "app/memory.stat": "anon 1\ninactive_file 1500\n",
            },
            2000,
        ),
        ("0::/\n", {"memory.max": "max", "memory.current": "1000"}, None),
        (  # the least a group or one above it leaves
            "0::/outer/app\n",
            {
                "outer/app/memory.max": "max",
                "outer/app/memory.current": "10",
                "outer/memory.max": "700",
                "outer/memory.current": "100",
            },
            600,
        ),
        (
            "9:name=systemd:/\n4:memory:/job\n0::/\n",
            {
                V1 + "limit_in_bytes": "5000",
                V1 + "usage_in_bytes": "4000",
                V1 + "stat": "total_inactive_file 500\n",
            },
            1500,
        ),
        (  # a container that mounts its own group as the root
            "4:memory:/outside/job\n",
            {"memory/memory.limit_in_bytes": "5000", "memory/memory.usage_in_bytes": "6000"},
            0,
        ),
        ("4:memory:/job\n", {V1 + "limit_in_bytes": V1_NONE, V1 + "usage_in_bytes": "1"}, None),
        ("odd\n\n0::/\n", {"memory.max": "100", "memory.current": "x"}, None),
        ("", {}, None),
    ],
)
def test_the_memory_available_heeds_a_control_groups_limit(
    tmp_path: Path, groups: str, files: dict[str, str], left: int | None
) -> None:
    """A container's limit, not the machine's free memory, is what a budget may share."""
    from aikg.machine import _left_in_control_group  # noqa: PLC0415

    (tmp_path / "cgroup").write_text(groups)
    for name, text in files.items():
        (tmp_path / "fs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "fs" / name).write_text(text)
    assert _left_in_control_group(tmp_path / "cgroup", tmp_path / "fs") == left


def test_an_answer_is_read_off_the_socket_without_a_copy_of_its_own() -> None:
    """The server holds a large answer whole while it reads it: the frame's bytes and the
    answer made of them, not a third copy in between (a 100 MB answer took 200 MB more
    than its frame's bytes, now 100 MB)."""
    import tracemalloc  # noqa: PLC0415

    from aikg.workers.wire import Frames, frame  # noqa: PLC0415

    size = 32 * memory.MB
    payload = frame(("ok", b"x" * size))
    frames = Frames()
    for start in range(0, len(payload), memory.MB):
        frames.feed(payload[start : start + memory.MB])
    del payload
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        (message,) = list(frames.messages())
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert message == ("ok", b"x" * size)
    assert peak < size * 1.1, peak / memory.MB
