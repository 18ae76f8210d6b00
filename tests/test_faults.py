"""Faults on a persistent store: the server killed mid-write, a read-only and a full data
directory. Every acknowledged write survives, none is half-applied, and a directory the
store cannot use gives a clear error, never corruption."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aikg import KnowledgeGraph
from aikg.config import Settings
from aikg.synthetic import generate
from tests.server import free_port

pytestmark = [pytest.mark.server, pytest.mark.alone]

TOKEN = "fault-token"
TRIPLES_PER_WRITE = 20


@contextlib.contextmanager
def serve(store: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``aikg serve`` on a store, in a process group of its own (so that kill -9 reaches
    the keeper and the workers too)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aikg.cli", "serve", "--port", str(port), "--log-level", "error"],
        env={**os.environ, "AIKG_STORE": str(store), "AIKG_TOKEN": TOKEN, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, "the server exited"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    try:
        yield url, process
    finally:
        kill_group(process)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """kill -9 the server, its keeper and its workers; return once all are gone (the
    store's lock is free then)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("the server's processes did not die")


def note(i: int) -> bytes:
    """The body of write number i: a graph of TRIPLES_PER_WRITE triples."""
    return "".join(
        f"<https://w3id.org/aikg/note/{i}> <http://www.w3.org/2000/01/rdf-schema#comment> "
        f'"note {i}, line {j}" .\n'
        for j in range(TRIPLES_PER_WRITE)
    ).encode()


def graph_of(i: int) -> str:
    return f"https://w3id.org/aikg/graph/note-{i}"


def note_graphs(store: Path) -> dict[str, int]:
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        return {g: n for g, n in kg.stats().graphs.items() if "/graph/note-" in g}


def test_kill_9_during_writes_loses_no_acknowledged_write_and_half_applies_none(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    acknowledged: list[int] = []
    with serve(store) as (url, process):
        stop = threading.Event()

        def writer() -> None:
            with httpx.Client(timeout=30) as client:
                i = 0
                while not stop.is_set():
                    try:
                        response = client.put(
                            f"{url}/store",
                            params={"graph": graph_of(i)},
                            content=note(i),
                            headers={
                                "Content-Type": "application/n-triples",
                                "Authorization": f"Bearer {TOKEN}",
                            },
                        )
                    except httpx.HTTPError:
                        return  # the server is gone
                    if response.status_code == 201:
                        acknowledged.append(i)
                    i += 1

        thread = threading.Thread(target=writer)
        thread.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 15:  # let writes flow, then kill everything mid-stream
            assert thread.is_alive(), "the writer stopped before 15 writes were acknowledged"
            assert time.monotonic() < deadline, f"only {len(acknowledged)} writes in 120 s"
            time.sleep(0.05)
        kill_group(process)
        stop.set()
        thread.join(timeout=60)
    found = note_graphs(store)  # the store opens
    for i in acknowledged:
        assert found.get(graph_of(i)) == TRIPLES_PER_WRITE, f"acknowledged write {i} lost"
    assert set(found.values()) <= {TRIPLES_PER_WRITE}, "a write was half-applied"
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        assert kg.validate().conforms
    with serve(store) as (url, _):  # and it serves again
        assert httpx.get(f"{url}/health", timeout=30).status_code == 200


def run_unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    """An aikg command that file permissions bind. Root ignores them through its
    capabilities; dropping those from the bounding set (instead of switching to another
    user, who may not be able to read the installed package) makes root's process obey
    the mode bits like anyone else's."""
    command = [sys.executable, "-m", "aikg.cli", *args]
    if os.geteuid() == 0:
        command = [
            "setpriv",
            "--bounding-set=-dac_override,-dac_read_search,-fowner",
            "--",
            *command,
        ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_a_read_only_data_directory_is_a_clear_error_and_is_left_as_it_was(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    KnowledgeGraph.open(Settings(store=str(store))).close()
    before = {p: p.read_bytes() for p in store.iterdir() if p.is_file()}
    read_only = [tmp_path, store, *store.iterdir()]
    for path in read_only:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        completed = run_unprivileged("stats", "--store", str(store))
        assert completed.returncode == 3, completed.stderr
        assert f"cannot open the store in {store}" in completed.stderr
        assert "fix:" in completed.stderr
        fresh = run_unprivileged("stats", "--store", str(tmp_path / "new"))
        assert fresh.returncode == 3 and "Permission denied" in fresh.stderr
    finally:
        for path in read_only:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert {p: p.read_bytes() for p in before} == before
    assert KnowledgeGraph.open(Settings(store=str(store))).stats().triples > 3000


@contextlib.contextmanager
def small_disk(tmp_path: Path, megabytes: int) -> Iterator[tuple[Path, list[str]]]:
    """A directory on a small tmpfs when this machine lets us mount one (a real full
    disk: ENOSPC); otherwise a plain directory and a file-size limit (RLIMIT_FSIZE:
    EFBIG), which fails the same writes the same way."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = (
        shutil.which("mount") is not None
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    limit = [] if mounted else ["prlimit", f"--fsize={megabytes * 1024 * 1024}"]
    try:
        yield mount, limit
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_data_directory_fails_the_load_clearly_and_keeps_the_store(
    tmp_path: Path,
) -> None:
    data = tmp_path / "big.nq"
    generate.write(data, 300_000, seed=9)  # ~60 MB: more than the disk holds
    with small_disk(tmp_path, megabytes=24) as (disk, limit):
        store = disk / "store"
        KnowledgeGraph.open(Settings(store=str(store))).close()
        before = note_graphs(store), KnowledgeGraph.open(Settings(store=str(store))).stats()
        completed = subprocess.run(
            [
                *limit,
                sys.executable,
                "-m",
                "aikg.cli",
                "load",
                "-q",
                "--store",
                str(store),
                str(data),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert completed.returncode == 3, completed.stderr
        assert "cannot write to the store" in completed.stderr
        assert "disk not full" in completed.stderr
        with KnowledgeGraph.open(Settings(store=str(store))) as kg:  # opens, as it was
            assert kg.stats() == before[1]
            assert kg.validate().conforms
        assert not (disk / "store.checkpoint").exists()


@pytest.mark.parametrize("store_kind", ["file in the way", "missing parent"])
def test_an_unusable_store_path_is_a_clear_error(tmp_path: Path, store_kind: str) -> None:
    target = tmp_path / "store"
    if store_kind == "file in the way":
        target.write_text("not a directory")
    else:
        target = tmp_path / "a-file" / "store"
        (tmp_path / "a-file").write_text("x")
    completed = subprocess.run(
        [sys.executable, "-m", "aikg.cli", "stats", "--store", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 3
    assert f"cannot open the store in {target}" in completed.stderr
