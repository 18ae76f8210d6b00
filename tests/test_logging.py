"""What the server tells its operator (the standard logging module, uvicorn's format), and
what it never tells anyone (secrets)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from aikg.config import Settings
from aikg.errors import TooManyRequestsError, error_from_dict
from aikg.web import create_app
from tests.load import children
from tests.server import running_server

TOKEN = "s3cret-token-value"


def aikg(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the ``aikg`` command with these AIKG_* variables; its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "aikg.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_never_show_their_secrets() -> None:
    settings = Settings(
        token=TOKEN, store_password="pa55word", store="http://dba:pa55word@127.0.0.1:1/sparql"
    )
    shown = repr(settings)
    assert TOKEN not in shown and "pa55word" not in shown
    assert "token='***'" in shown
    assert "store='http://dba:***@127.0.0.1:1/sparql'" in shown


@pytest.mark.server
@pytest.mark.alone  # it kills a worker
def test_the_log_names_settings_sandbox_refusals_and_worker_deaths_without_secrets() -> None:
    env = {"AIKG_TOKEN": TOKEN, "AIKG_TEST_LOG_LEVEL": "info", "AIKG_WORKERS": "2"}
    with running_server(env) as server:
        refused = httpx.get(f"{server.url}/sparql", params={"query": "LOAD <file:///etc/passwd>"})
        assert refused.status_code == 400
        keeper = children(server.process.pid)[0]
        victim = children(keeper)[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while f"worker {victim}" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        log = server.log()
    assert "INFO:     aikg: settings: Settings(" in log
    assert "token='***'" in log
    assert "aikg: query workers run without network access" in log
    assert (
        "INFO:     aikg.requests: refused GET /sparql from 127.0.0.1: 400 bad-request: "
        "an update was sent as a query" in log
    )
    assert f"WARNING:  aikg.workers: idle query worker {victim} died; replacing it" in log
    assert TOKEN not in log


@pytest.mark.server
def test_a_server_that_must_be_sandboxed_refuses_to_start_without_the_sandbox() -> None:
    """A SERVICE allow-list needs the network, so the workers cannot be isolated."""
    done = aikg(
        "serve",
        "--port",
        "1",
        AIKG_REQUIRE_SANDBOX="1",
        AIKG_SERVICE_ALLOWLIST="query.wikidata.org",
    )
    assert done.returncode == 3, done.stderr
    assert "AIKG_REQUIRE_SANDBOX is set and the query workers cannot be isolated" in done.stderr
    assert "where: require_sandbox / AIKG_REQUIRE_SANDBOX" in done.stderr


class BrokenService:
    """A service whose every call fails the way a bug would."""

    settings = Settings()

    def close(self) -> None:
        """Shutting down works (the app's lifespan calls it)."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: object, **kwargs: object) -> None:
            raise RuntimeError("an unexpected failure")

        return fail


def test_an_unexpected_failure_is_a_500_in_the_one_error_shape() -> None:
    app = create_app(Settings(), service=BrokenService())  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 500
    assert response.json()["error"] == "internal-error"
    assert response.json()["status"] == 500
    assert "an unexpected failure" not in response.text  # no internals to the client


def test_a_client_rebuilds_a_server_error_with_its_status() -> None:
    known = error_from_dict({"error": "too-many-requests", "status": 429, "message": "slow down"})
    assert isinstance(known, TooManyRequestsError) and known.status == 429
    unknown = error_from_dict({"error": "teapot", "status": 418, "message": "I am a teapot"})
    assert unknown.status == 418 and unknown.message == "I am a teapot"


def test_an_unreachable_store_is_named_without_its_password() -> None:
    done = aikg("stats", AIKG_STORE="http://dba:pa55word@127.0.0.1:9/sparql")
    assert done.returncode == 3, done.stderr
    assert "cannot reach the remote store at http://dba:***@127.0.0.1:9/sparql" in done.stderr
    assert "pa55word" not in done.stderr
