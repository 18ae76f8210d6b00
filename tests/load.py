"""Helpers for the tests that load and attack a running server: clients with addresses of
their own, the server's processes, memory and latency figures."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

import httpx

RESULTS = Path(__file__).resolve().parent.parent / "build" / "reliability"


def client_from(address: str, url: str, **options: object) -> httpx.AsyncClient:
    """An HTTP client whose connections come from ``address`` (any 127.x.y.z is loopback
    on Linux): the server tells clients apart by address, as it would on a network."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=url, transport=transport, **options)  # type: ignore[arg-type]


def address(i: int) -> str:
    """The i-th client's loopback address (127.0.1.1, 127.0.1.2, ...)."""
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def rss_mb(pid: int) -> float:
    """The resident memory of one process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def percentiles(latencies_ms: list[float]) -> dict[str, float]:
    """p50, p99 and max of a list of latencies (ms)."""
    ordered = sorted(latencies_ms)
    if len(ordered) < 2:
        value = ordered[0] if ordered else 0.0
        return {"p50_ms": value, "p99_ms": value, "max_ms": value, "count": len(ordered)}
    quantiles = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(quantiles[49], 1),
        "p99_ms": round(quantiles[98], 1),
        "max_ms": round(ordered[-1], 1),
        "count": len(ordered),
    }
