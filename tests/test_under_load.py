"""The server under load: many clients run the saved-query mix while another sends query
bombs. Bounded (loopback only, a fixed number of clients for a fixed time); each client
has a loopback address of its own, as clients on a network do.

Every normal request must succeed and every bomb must be stopped at its deadline; the
latencies and throughput are measured, printed and written to
``build/reliability/under-load.json``, never asserted (the machines are noisy).
``AIKG_LOAD_CLIENTS`` (64) and ``AIKG_LOAD_SECONDS`` (30) change the size of the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from dataclasses import dataclass, field

import httpx
import pytest

from aikg.saved_queries import catalog
from tests.load import RESULTS, address, client_from
from tests.server import Server, running_server

pytestmark = [pytest.mark.server, pytest.mark.load, pytest.mark.alone]

CLIENTS = int(os.environ.get("AIKG_LOAD_CLIENTS", "64"))
SECONDS = float(os.environ.get("AIKG_LOAD_SECONDS", "30"))
DEADLINE = 5.0
TIMEOUT = httpx.Timeout(DEADLINE * 6)
BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def mix() -> list[tuple[str, dict[str, str]]]:
    """Every saved query, with its example parameters (the mix the analysts run)."""
    return [
        (query.name, {p.name: p.example for p in query.params if p.example is not None})
        for query in catalog().values()
    ]


@dataclass
class Figures:
    clients: int
    seconds: float
    deadline_s: float
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    bombs: int = 0
    bomb_stops_s: list[float] = field(default_factory=list)
    bomb_answers: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.latencies_ms)
        quantile = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else ordered * 99
        return {
            "clients": self.clients,
            "seconds": self.seconds,
            "requests": self.requests,
            "errors": len(self.errors),
            "throughput_rps": round(self.requests / self.seconds, 1),
            "p50_ms": round(quantile[49], 1),
            "p99_ms": round(quantile[98], 1),
            "max_ms": round(ordered[-1], 1) if ordered else None,
            "bombs": self.bombs,
            "bomb_deadline_s": self.deadline_s,
            "bomb_stopped_after_s": {
                "min": round(min(self.bomb_stops_s), 2),
                "median": round(statistics.median(self.bomb_stops_s), 2),
                "max": round(max(self.bomb_stops_s), 2),
            },
        }


async def analyst(server: Server, figures: Figures, stop: float, offset: int) -> None:
    async with client_from(address(offset), server.url, timeout=TIMEOUT) as client:
        await analyse(client, figures, stop, offset)


async def analyse(client: httpx.AsyncClient, figures: Figures, stop: float, offset: int) -> None:
    queries = mix()
    i = offset
    while time.monotonic() < stop:
        name, params = queries[i % len(queries)]
        i += 1
        started = time.monotonic()
        try:
            response = await client.get(
                f"/queries/{name}",
                params=params,
                headers={"Accept": "application/sparql-results+json"},
            )
            ok = response.status_code == 200 and "results" in response.json()
            detail = f"{name}: {response.status_code} {response.text[:200]}"
        except httpx.HTTPError as error:
            ok, detail = False, f"{name}: {type(error).__name__} {error}"
        figures.requests += 1
        figures.latencies_ms.append((time.monotonic() - started) * 1000)
        if not ok:
            figures.errors.append(detail)


async def bomber(server: Server, figures: Figures, stop: float) -> None:
    async with client_from(address(CLIENTS), server.url, timeout=TIMEOUT) as client:
        await bomb(client, figures, stop)


async def bomb(client: httpx.AsyncClient, figures: Figures, stop: float) -> None:
    while time.monotonic() < stop:
        started = time.monotonic()
        response = await client.get(
            "/sparql",
            params={"query": BOMB},
            headers={"Accept": "application/sparql-results+json"},
        )
        figures.bombs += 1
        figures.bomb_stops_s.append(time.monotonic() - started)
        figures.bomb_answers.append(f"{response.status_code} {response.json().get('error')}")


async def run(server: Server) -> Figures:
    figures = Figures(clients=CLIENTS, seconds=SECONDS, deadline_s=DEADLINE)
    stop = time.monotonic() + SECONDS
    await asyncio.gather(
        bomber(server, figures, stop),
        *(analyst(server, figures, stop, i) for i in range(CLIENTS)),
    )
    return figures


def test_the_saved_query_mix_under_load_with_bombs() -> None:
    env = {"AIKG_QUERY_TIMEOUT": str(DEADLINE), "AIKG_TOKEN": ""}
    with running_server(env) as server:
        figures = asyncio.run(run(server))
        after = httpx.get(f"{server.url}/health", timeout=30)
    summary = figures.summary()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "under-load.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    assert figures.errors == [], figures.errors[:5]
    assert figures.requests > CLIENTS
    assert figures.bombs >= 2
    # Every bomb was stopped by the deadline (a 503 query-timeout), none ran on; once the
    # bomber has used its minute's share of query time, it is turned away (429).
    assert figures.bomb_answers[0] == "503 query-timeout"
    assert set(figures.bomb_answers) <= {"503 query-timeout", "429 too-many-requests"}
    assert max(figures.bomb_stops_s) < DEADLINE * 3
    assert after.status_code == 200
    assert after.json()["status"] == "ok"
