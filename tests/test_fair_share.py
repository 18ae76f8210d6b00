"""The fair-share middleware on its own (the whole server under attack is in
test_resilience.py)."""

from __future__ import annotations

import asyncio

from aikg.web import fair_share


def test_the_table_of_clients_stays_bounded_whoever_calls() -> None:
    """A flood of addresses (an IPv6 attacker has many /64s) cannot grow it without end."""

    async def app(scope: object, receive: object, send: object) -> None:
        return None

    share = fair_share.FairShare(
        app, concurrency=2, query_seconds=60, queue_timeout=1, refuse=lambda e: app
    )

    async def flood() -> None:
        for i in range(fair_share.MAX_CLIENTS + 5_000):
            scope = {
                "type": "http",
                "path": "/sparql",
                "method": "GET",
                "client": (f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", 1),
            }
            await share(scope, None, None)  # type: ignore[arg-type]

    asyncio.run(flood())
    assert len(share.clients) <= fair_share.MAX_CLIENTS


def test_the_time_used_in_the_window_is_the_sum_of_the_entries_still_in_it() -> None:
    """The running total (kept so a request costs the same at any request rate) always
    equals the sum of the window's entries, as they come and go."""
    client = fair_share._Client(asyncio.Semaphore(1))
    window = fair_share.WINDOW_SECONDS
    entries = [(t * 0.5, 0.001 * (t % 7 + 1)) for t in range(1_000)]
    for when, seconds in entries:
        client.record(when, seconds)
        expected = sum(s for w, s in entries if w <= when and w > when - window)
        assert abs(client.used_in_window(when) - expected) < 1e-9
    assert client.used_in_window(entries[-1][0] + window + 1) == 0.0
    assert not client.used
