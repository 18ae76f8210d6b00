"""What a one-lookup request costs over HTTP: aikg, a bare handler, Oxigraph's own server.

``python -m benchmarks.http_overhead [--duration S] [--out DIR]``

Three servers on the bundled data, each asked the same small SPARQL SELECT (every
statement about one resource) for SPARQL JSON, by keep-alive clients (1, then 8), for
``--duration`` seconds each, in one run:

- ``aikg serve`` (the main job: the embedded store in memory, its query workers, every
  guard and header), ``GET /sparql?query=...``: the same text again and again (answered
  from the answer cache after the first), and texts that never repeat (a comment numbers
  them), each of which takes a query worker;
- a bare handler: FastAPI under uvicorn with aikg's own uvicorn settings (h11), one route
  that returns aikg's answer to the same request as fixed bytes. What no Python server
  on this stack can beat: the price of the HTTP stack itself;
- ``oxigraph serve-read-only`` (the engine's own Rust server, from the ``oxigraph``
  package) on a store directory holding the same quads (inferred graph included), with
  ``--union-default-graph`` (aikg's default graph is the union of its graphs).

The report gives requests a second, p50 and p99 latency for each, and aikg's ratio to
the bare handler at each client count; results go to
``benchmarks/results/http-overhead-<UTC time>.{json,md}``. Client and servers share this
machine's cores, as they would on a small box.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from benchmarks.common import HERE, LOGS, log, run_job, running, stop_all
from benchmarks.http_throughput import JSON_RESULTS, _wait_ready, drive, free_port

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/aikg/country/KR> ?p ?o }"
CLIENTS = (1, 8)

BARE_APP = """
import sys
import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

body = open(sys.argv[1], "rb").read()
app = FastAPI()


@app.get("/sparql")
async def sparql() -> Response:
    return Response(body, media_type="application/sparql-results+json")


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            server_header=False, http="h11")
"""


@contextmanager
def server(command: list[str], url: str, what: str) -> Iterator[str]:
    LOGS.mkdir(parents=True, exist_ok=True)
    with (
        (LOGS / "http-overhead.log").open("ab") as err,
        running(command, stdout=subprocess.DEVNULL, stderr=err) as process,
    ):
        _wait_ready(process, url, 300, what)
        yield url


def aikg_server() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "aikg.cli", "serve", "--port", str(port)]
    command += ["--log-level", "warning"]
    url = f"http://127.0.0.1:{port}/sparql?{httpx.QueryParams(query=LOOKUP)}"
    return server(command, url, "aikg serve")


def requests_for(url: str, distinct: int = 1) -> list[dict[str, Any]]:
    """The lookup, as ``distinct`` texts (a comment numbers them): one text is answered
    from aikg's answer cache after its first request, texts that never repeat within a
    run each take a query worker."""
    return [
        {
            "name": "lookup",
            "method": "GET",
            "url": url,
            "params": {"query": LOOKUP + (f"\n# {i}" if distinct > 1 else "")},
            "headers": {"Accept": JSON_RESULTS},
        }
        for i in range(distinct)
    ]


def oxigraph_store(directory: Path) -> None:
    """The quads aikg serves (its dump, inferred graph included) in a store directory."""
    from aikg import KnowledgeGraph  # noqa: PLC0415 - the orchestrator's only aikg use

    kg = KnowledgeGraph.load()
    store = ox.Store(str(directory))
    store.bulk_load(kg.store.dump("nquads", inferred=True), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store


def drive_lookups(
    url: str, distinct: int, clients: int, duration: float, timeout: float
) -> dict[str, Any]:
    """Job: the lookups (built here: thousands of texts do not fit a command line)."""
    return drive(requests_for(url, distinct), clients, duration, timeout)


def measure(label: str, url: str, duration: float, distinct: int = 1) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for clients in CLIENTS:
        log(f"{label}: {clients} client(s), {duration:g} s")
        entry[str(clients)] = run_job(
            "http_overhead:drive_lookups",
            duration + 120,
            "http-overhead",
            url=url,
            distinct=distinct,
            clients=clients,
            duration=duration,
            timeout=30,
        )
        log(f"{label} x{clients}: {entry[str(clients)].get('rps', 0):.0f} req/s")
    return entry


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# HTTP overhead of a one-lookup request ({results['stamp']})",
        "",
        f"`{LOOKUP}` for SPARQL JSON, {results['duration_s']:g} s per cell, keep-alive "
        "clients; `python -m benchmarks.http_overhead`.",
        "",
        "| server | clients | req/s | p50 ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    for name, entry in results["servers"].items():
        for clients in CLIENTS:
            cell = entry[str(clients)]
            lines.append(
                f"| {name} | {clients} | {cell.get('rps', 0):,.0f} | "
                f"{cell.get('p50_ms', float('nan')):.2f} | {cell.get('p99_ms', float('nan')):.2f} |"
            )
    lines += ["", "| aikg, clients | / bare handler | / oxigraph serve-read-only |"]
    lines.append("|---|---|---|")
    for key, ratio in results["ratios"].items():
        lines.append(f"| {key} | {ratio['bare']:.2f}x | {ratio['oxigraph']:.2f}x |")
    return "\n".join(lines) + "\n"


def run_servers(duration: float) -> dict[str, Any]:
    """The three servers, one after the other, each driven at every client count; their
    figures and aikg's ratios to the other two."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results: dict[str, Any] = {"stamp": stamp, "duration_s": duration, "servers": {}}
    work = Path(tempfile.mkdtemp(prefix="aikg-http-overhead-"))
    try:
        with aikg_server() as url:
            body = httpx.get(url, headers={"Accept": JSON_RESULTS}, timeout=30).content
            results["servers"]["aikg serve"] = measure("aikg serve", url, duration)
            # More distinct texts than the run can send: every one takes a worker.
            results["servers"]["aikg serve, no repeats"] = measure(
                "aikg serve, no repeats", url, duration, distinct=int(duration * 2_000)
            )
        (work / "body.json").write_bytes(body)
        (work / "bare.py").write_text(BARE_APP)
        port = free_port()
        bare_url = f"http://127.0.0.1:{port}/sparql"
        command = [sys.executable, str(work / "bare.py"), str(work / "body.json"), str(port)]
        with server(command, bare_url, "bare handler"):
            results["servers"]["bare handler"] = measure("bare handler", bare_url, duration)
        oxigraph_store(work / "oxigraph")
        port = free_port()
        binary = Path(sys.executable).with_name("oxigraph")
        command = [str(binary), "serve-read-only", "--location", str(work / "oxigraph")]
        command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        query_url = f"http://127.0.0.1:{port}/query"
        ready = f"{query_url}?{httpx.QueryParams(query=LOOKUP)}"
        with server(command, ready, "oxigraph serve-read-only"):
            results["servers"]["oxigraph serve-read-only"] = measure(
                "oxigraph serve-read-only", query_url, duration
            )
    finally:
        stop_all()
        subprocess.run(["rm", "-rf", str(work)], check=False)
    servers = results["servers"]
    results["ratios"] = {
        f"{name}, {c}": {
            "bare": servers[name][str(c)]["rps"] / servers["bare handler"][str(c)]["rps"],
            "oxigraph": servers[name][str(c)]["rps"]
            / servers["oxigraph serve-read-only"][str(c)]["rps"],
        }
        for name in ("aikg serve", "aikg serve, no repeats")
        for c in CLIENTS
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per cell")
    parser.add_argument("--out", default=str(HERE / "results"), help="where results go")
    args = parser.parse_args(argv)
    results = run_servers(args.duration)
    stamp = results["stamp"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"http-overhead-{stamp}.json").write_text(json.dumps(results, indent=2))
    text = markdown(results)
    (out / f"http-overhead-{stamp}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
