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

The three servers run at once and are measured in turns: ``--rounds`` rounds (5 by
default), each giving every cell ``--duration / --rounds`` seconds, one cell after the
other. A machine whose other load comes and goes (a shared box) then slows every server
alike, instead of whichever one happened to be measured at the time; the ratios are
taken round by round (each between cells a few seconds apart) and the report gives
their median and range.

The report gives requests a second (all rounds together), the median of the rounds' p50
and p99 latency for each cell, and aikg's ratios to the bare handler and to Oxigraph at
each client count; results go to ``benchmarks/results/http-overhead-<UTC time>.{json,md}``.
Client and servers share this machine's cores, as they would on a small box.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from benchmarks.common import (
    HERE,
    LOGS,
    log,
    median,
    run_job,
    running,
    stop_all,
    write_results,
)
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


def requests_for(url: str, distinct: int = 1, salt: str = "") -> list[dict[str, Any]]:
    """The lookup, as ``distinct`` texts (a comment numbers them, after ``salt``, which
    sets one turn's texts apart from another's): one text is answered from aikg's answer
    cache after its first request, texts that never repeat within a run each take a
    query worker."""
    return [
        {
            "name": "lookup",
            "method": "GET",
            "url": url,
            "params": {"query": LOOKUP + (f"\n# {salt}{i}" if distinct > 1 else "")},
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
    url: str, distinct: int, clients: int, duration: float, timeout: float, *, salt: str = ""
) -> dict[str, Any]:
    """Job: the lookups (built here: thousands of texts do not fit a command line)."""
    return drive(requests_for(url, distinct, salt), clients, duration, timeout)


@dataclass(frozen=True)
class Cell:
    """One server's (or one way of asking it) row of the report."""

    name: str
    url: str
    distinct: int = 1


def measure(cells: list[Cell], duration: float, rounds: int) -> dict[str, Any]:
    """Every cell at each client count, in ``rounds`` turns of ``duration / rounds``
    seconds each (the order rotates from round to round); each turn's figures."""
    turns: dict[str, dict[str, list[dict[str, Any]]]] = {
        cell.name: {str(c): [] for c in CLIENTS} for cell in cells
    }
    share = duration / rounds
    for clients in CLIENTS:
        for turn in range(rounds):
            order = cells[turn % len(cells) :] + cells[: turn % len(cells)]
            for cell in order:
                result = run_job(
                    "http_overhead:drive_lookups",
                    share + 120,
                    "http-overhead",
                    url=cell.url,
                    distinct=cell.distinct,
                    clients=clients,
                    duration=share,
                    timeout=30,
                    salt=f"{clients}.{turn}.",
                )
                turns[cell.name][str(clients)].append(result)
            log(
                f"{clients} client(s), round {turn + 1}/{rounds}: "
                + ", ".join(
                    f"{cell.name} {turns[cell.name][str(clients)][-1].get('rps', 0):.0f}"
                    for cell in cells
                )
                + " req/s"
            )
    return turns


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One cell's turns as one figure: requests a second over all of them, the median of
    their p50 and p99, and their errors."""
    ok = sum(r.get("ok", 0) for r in runs)
    elapsed = sum(r.get("elapsed_s", 0.0) for r in runs)
    errors: dict[str, int] = {}
    for r in runs:
        for key, count in r.get("errors", {}).items():
            errors[key] = errors.get(key, 0) + count
        if "error" in r:
            errors["job"] = errors.get("job", 0) + 1
    return {
        "rps": ok / elapsed if elapsed else 0.0,
        "ok": ok,
        "p50_ms": median([r["p50_ms"] for r in runs if r.get("p50_ms") is not None]),
        "p99_ms": median([r["p99_ms"] for r in runs if r.get("p99_ms") is not None]),
        "errors": errors,
        "rounds_rps": [round(r.get("rps", 0.0), 1) for r in runs],
    }


def round_ratios(
    turns: dict[str, dict[str, list[dict[str, Any]]]], name: str, other: str, clients: int
) -> list[float]:
    """``name``'s requests a second over ``other``'s at ``clients``, round by round."""
    return [
        ours.get("rps", 0.0) / theirs["rps"]
        for ours, theirs in zip(turns[name][str(clients)], turns[other][str(clients)], strict=True)
        if theirs.get("rps")
    ]


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# HTTP overhead of a one-lookup request ({results['stamp']})",
        "",
        f"`{LOOKUP}` for SPARQL JSON, keep-alive clients, {results['duration_s']:g} s per "
        f"cell in {results['rounds']} rounds (the servers measured in turns); "
        "`python -m benchmarks.http_overhead`.",
        "",
        "| server | clients | req/s | p50 ms | p99 ms | req/s by round |",
        "|---|---|---|---|---|---|",
    ]
    for name, entry in results["servers"].items():
        for clients in CLIENTS:
            cell = entry[str(clients)]
            by_round = ", ".join(f"{v:,.0f}" for v in cell["rounds_rps"])
            lines.append(
                f"| {name} | {clients} | {cell['rps']:,.0f} | {_ms(cell['p50_ms'])} | "
                f"{_ms(cell['p99_ms'])} | {by_round} |"
            )
    lines += [
        "",
        "Ratios of requests a second, taken round by round: median (lowest - highest).",
        "",
        "| aikg, clients | / bare handler | / oxigraph serve-read-only |",
        "|---|---|---|",
    ]
    for key, ratio in results["ratios"].items():
        lines.append(f"| {key} | {_ratio(ratio['bare'])} | {_ratio(ratio['oxigraph'])} |")
    return "\n".join(lines) + "\n"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _ratio(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{median(values):.2f}x ({min(values):.2f} - {max(values):.2f})"


def run_servers(duration: float, rounds: int = 5) -> dict[str, Any]:
    """The three servers, all running, measured in turns at every client count; their
    figures and aikg's ratios to the other two, round by round."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results: dict[str, Any] = {
        "stamp": stamp,
        "duration_s": duration,
        "rounds": rounds,
        "servers": {},
    }
    work = Path(tempfile.mkdtemp(prefix="aikg-http-overhead-"))
    try:
        oxigraph_store(work / "oxigraph")
        with ExitStack() as servers:
            url = servers.enter_context(aikg_server())
            body = httpx.get(url, headers={"Accept": JSON_RESULTS}, timeout=30).content
            (work / "body.json").write_bytes(body)
            (work / "bare.py").write_text(BARE_APP)
            port = free_port()
            bare_url = f"http://127.0.0.1:{port}/sparql"
            command = [sys.executable, str(work / "bare.py"), str(work / "body.json"), str(port)]
            servers.enter_context(server(command, bare_url, "bare handler"))
            port = free_port()
            binary = Path(sys.executable).with_name("oxigraph")
            command = [str(binary), "serve-read-only", "--location", str(work / "oxigraph")]
            command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
            query_url = f"http://127.0.0.1:{port}/query"
            ready = f"{query_url}?{httpx.QueryParams(query=LOOKUP)}"
            servers.enter_context(server(command, ready, "oxigraph serve-read-only"))
            cells = [
                Cell("aikg serve", url),
                # More distinct texts than a turn can send (and each turn's its own):
                # every one takes a worker.
                Cell("aikg serve, no repeats", url, int(duration * 2_000)),
                Cell("bare handler", bare_url),
                Cell("oxigraph serve-read-only", query_url),
            ]
            turns = measure(cells, duration, rounds)
    finally:
        stop_all()
        subprocess.run(["rm", "-rf", str(work)], check=False)
    results["servers"] = {
        name: {c: combine(runs) for c, runs in by.items()} for name, by in turns.items()
    }
    results["turns"] = turns
    results["ratios"] = {
        f"{name}, {c}": {
            "bare": round_ratios(turns, name, "bare handler", c),
            "oxigraph": round_ratios(turns, name, "oxigraph serve-read-only", c),
        }
        for name in ("aikg serve", "aikg serve, no repeats")
        for c in CLIENTS
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per cell")
    parser.add_argument("--rounds", type=int, default=5, help="turns each cell's time is cut in")
    parser.add_argument("--out", default=str(HERE / "results"), help="where results go")
    args = parser.parse_args(argv)
    results = run_servers(args.duration, args.rounds)
    text = markdown(results)
    write_results(args.out, "http-overhead", results, text, stamp=results["stamp"])
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
