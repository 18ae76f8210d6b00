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
