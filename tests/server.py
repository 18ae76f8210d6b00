"""Start a real aikg server (uvicorn, in its own process) on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    token: str | None
    log_path: str = ""

    def log(self) -> str:
        """What the server has written to stderr so far (its log)."""
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@contextmanager
def running_server(
    env: dict[str, str] | None = None, startup_timeout: float = 90
) -> Iterator[Server]:
    """``aikg serve`` with the given AIKG_* environment, stopped with SIGTERM at the end."""
    if os.environ.get("AIKG_TEST_MAY_SERVE") == "0":
        raise RuntimeError(
            "this test starts a server but has no `server` mark: add it (tests/conftest.py "
            "marks the tests that use a server fixture; a module or test that starts one "
            "itself needs pytest.mark.server)"
        )
    port = free_port()
    environment = {**os.environ, **(env or {})}
    # The log goes to a file, never to a pipe nobody reads: a chatty server would block
    # once the pipe's buffer is full.
    log = tempfile.NamedTemporaryFile(prefix="aikg-server-", suffix=".log", delete=False)  # noqa: SIM115
    level = environment.get("AIKG_TEST_LOG_LEVEL", "warning")
    process = subprocess.Popen(
        [sys.executable, "-m", "aikg.cli", "serve", "--port", str(port), "--log-level", level],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup_timeout
    while True:
        if process.poll() is not None:
            with open(log.name, encoding="utf-8", errors="replace") as written:
                raise RuntimeError(f"server exited: {written.read()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("server did not start")
        time.sleep(0.1)
    try:
        yield Server(
            url=url, process=process, token=environment.get("AIKG_TOKEN"), log_path=log.name
        )
    finally:
        terminate(process, grace=15)
        log.close()
        os.unlink(log.name)


def terminate(process: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM (a server shuts down cleanly), then SIGKILL if it outlives ``grace`` s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
