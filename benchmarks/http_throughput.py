"""HTTP throughput of the saved-query mix: aikg's server, rdflib-endpoint, Virtuoso.

Servers (each its own process, stopped on exit):

- ``aikg serve --store DIR`` (uvicorn; the store filled by ``aikg load``; ``AIKG_WORKERS``
  left at its default), asked ``GET /queries/NAME?params`` for SPARQL JSON;
- rdflib-endpoint 0.6.3 (:data:`RDFLIB_ENDPOINT`), the closest peer (FastAPI serving an
  rdflib Dataset), in a venv of its own, asked the same SPARQL texts by POST at /sparql;
- Virtuoso's /sparql, the same texts, directly.

The client (:func:`drive`, a job: its CPU is not the orchestrator's) runs N threads, each
with its own keep-alive httpx client, cycling through the mix from its own offset, for a
fixed duration; requests in flight at the end may finish (up to the request timeout),
and throughput is the successful answers over the time until the last one. The machine
has 2 cores: client and server share them, as they would on a small box.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import threading
import time
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import HERE, LOGS, log, running, summary_ms

RDFLIB_ENDPOINT = "rdflib-endpoint[cli]==0.6.3"  # [cli]: uvicorn, as its own `serve` needs
VENV = HERE / ".venv-rdflib-endpoint"
JSON_RESULTS = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5, trust_env=False) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited with {process.returncode}: see {LOGS}")
            try:
                if client.get(url, headers={"Accept": JSON_RESULTS}).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer {url} within {timeout:g} s")
            time.sleep(0.3)


@contextmanager
def aikg_server(store_dir: str) -> Iterator[str]:
    """``aikg serve --store DIR`` on a free port; its base URL."""
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    with (
        (LOGS / "aikg-serve.log").open("ab") as err,
        running(
            [
                sys.executable,
                "-m",
                "aikg.cli",
                "serve",
                "--store",
                store_dir,
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=err,
        ) as process,
    ):
        url = f"http://127.0.0.1:{port}"
        _wait_ready(process, f"{url}/health", 600, "aikg serve")
        yield url


def ensure_rdflib_endpoint() -> Path:
    """The peer's own venv, created on first use, holding the pinned rdflib-endpoint."""
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if not marker.exists() or marker.read_text() != RDFLIB_ENDPOINT:
        log(f"creating {VENV} with {RDFLIB_ENDPOINT}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", RDFLIB_ENDPOINT],
            check=True,
        )
        marker.write_text(RDFLIB_ENDPOINT)
    return python


def endpoint_version() -> str | None:
    python = VENV / "bin" / "python"
    if not python.exists():
        return None
    script = (
        "import importlib.metadata as m; v = m.version; print(f\"{v('rdflib-endpoint')} (rdflib "
        "{v('rdflib')}, fastapi {v('fastapi')}, uvicorn {v('uvicorn')})\")"
    )
    out = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=False)
    return out.stdout.strip() or None


@contextmanager
def rdflib_endpoint_server(full: str, startup_timeout: float) -> Iterator[str]:
    """rdflib-endpoint serving ``full`` (parsed at start: that can take minutes at 1M)."""
    python = ensure_rdflib_endpoint()
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    with (
        (LOGS / "rdflib-endpoint.log").open("ab") as err,
        running(
            [str(python), str(HERE / "rdflib_endpoint_serve.py"), full, str(port)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        ) as process,
    ):
        url = f"http://127.0.0.1:{port}"
        _wait_ready(process, f"{url}/sparql?query=ASK%7B%7D", startup_timeout, "rdflib-endpoint")
        yield url


# -- requests ------------------------------------------------------------------------


def aikg_requests(url: str) -> list[dict[str, Any]]:
    from benchmarks.queries import mix  # noqa: PLC0415

    return [
        {
            "name": q.name,
            "method": "GET",
            "url": f"{url}/queries/{q.name}",
            "params": list(q.params.items()),
            "headers": {"Accept": JSON_RESULTS},
        }
        for q in mix()
    ]


def sparql_requests(url: str, *, form: bool) -> list[dict[str, Any]]:
    """The mix's texts (with the prologue) for a plain SPARQL endpoint: POST, either
    ``application/sparql-query`` (rdflib-endpoint double-decodes form bodies) or a form
    (Virtuoso, as aikg's RemoteStore sends them)."""
    from benchmarks.queries import mix, prologue  # noqa: PLC0415

    head = prologue()
    requests = []
    for q in mix():
        request: dict[str, Any] = {"name": q.name, "method": "POST", "url": url}
        if form:
            request["data"] = {"query": head + q.sparql}
            request["headers"] = {"Accept": JSON_RESULTS}
        else:
            request["content"] = head + q.sparql
            request["headers"] = {
                "Accept": JSON_RESULTS,
                "Content-Type": "application/sparql-query",
            }
        requests.append(request)
    return requests


def _send(client: httpx.Client, request: dict[str, Any]) -> httpx.Response:
    return client.request(
        request["method"],
        request["url"],
        params=request.get("params"),
        data=request.get("data"),
        content=request.get("content"),
        headers=request.get("headers"),
    )


def check(requests: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    """One pass over the mix before timing: each query's status and row count (the same
    rows from every engine, or the report says which differ)."""
    answers: dict[str, Any] = {}
    with httpx.Client(timeout=timeout, trust_env=False) as client:
        for request in requests:
            try:
                response = _send(client, request)
                entry: dict[str, Any] = {"status": response.status_code}
                if "aikg-elapsed-ms" in response.headers:  # the server's own time for it
                    entry["server_ms"] = float(response.headers["aikg-elapsed-ms"])
                if response.status_code == 200:
                    entry["rows"] = len(response.json().get("results", {}).get("bindings", []))
                else:
                    entry["error"] = response.text[:200]
            except httpx.HTTPError as error:
                entry = {"status": None, "error": f"{type(error).__name__}: {error}"}
            answers[request["name"]] = entry
    return answers


def floor(url: str, count: int = 300) -> float:
    """p50 (ms) of a request that runs no query (aikg's /health), one client."""
    times = []
    with httpx.Client(timeout=30, trust_env=False) as client:
        for _ in range(count):
            started = time.perf_counter()
            client.get(url).read()
            times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[count // 2]


def drive(
    requests: list[dict[str, Any]], clients: int, duration: float, timeout: float
) -> dict[str, Any]:
    """Job: ``clients`` threads send the mix for ``duration`` seconds."""
    samples: dict[str, list[float]] = {r["name"]: [] for r in requests}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    started = time.perf_counter()
    stop_at = started + duration
    last_done = [started]

    def client_loop(offset: int) -> None:
        with httpx.Client(timeout=timeout, trust_env=False) as client:
            i = offset
            while time.perf_counter() < stop_at:
                request = requests[i % len(requests)]
                i += 1
                sent = time.perf_counter()
                try:
                    response = _send(client, request)
                    response.read()
                    status = str(response.status_code)
                except httpx.TimeoutException:
                    status = "timeout"
                except httpx.HTTPError as error:
                    status = type(error).__name__
                done = time.perf_counter()
                with lock:
                    last_done[0] = max(last_done[0], done)
                    if status == "200":
                        samples[request["name"]].append((done - sent) * 1000)
                    else:
                        errors[f"{request['name']}:{status}"] = (
                            errors.get(f"{request['name']}:{status}", 0) + 1
                        )
                        if status == "timeout":
                            samples[request["name"]].append(float("inf"))

    threads = [
        threading.Thread(target=client_loop, args=(k * len(requests) // clients,), daemon=True)
        for k in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = last_done[0] - started
    ok = sum(1 for values in samples.values() for v in values if v != float("inf"))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    groups = [values for values in samples.values() if values]
    per_query = {
        name: sorted(values)[len(values) // 2] if values else None
        for name, values in samples.items()
    }
    return {
        "clients": clients,
        "duration_s": duration,
        "elapsed_s": elapsed,
        "ok": ok,
        "errors": errors,
        "rps": ok / elapsed if elapsed > 0 else 0.0,
        **summary_ms(groups),
        "per_query_p50_ms": {
            k: (None if v is None or v == float("inf") else v) for k, v in per_query.items()
        },
        "client_cpu_s": usage.ru_utime + usage.ru_stime,
    }
