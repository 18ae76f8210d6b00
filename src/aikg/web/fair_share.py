"""Fair share: one client cannot take the whole server.

A public endpoint meets scripts that post bombs in a loop and notebooks that open 64
connections. Wikidata's query service answers them with a budget per client; so does
this server, per client address (an IPv6 client by its /64 network, which one host
usually holds whole):

- **concurrent requests**: at most ``client_concurrency`` of one client's requests run at
  once; the others wait their turn on the event loop (holding no thread and no worker) up
  to the queue timeout, then get a 429. Kept below the number of workers, it leaves
  workers free for everyone else whatever one client sends;
- **query time**: a client's requests may keep workers busy ``client_query_seconds`` per
  minute (Wikidata's figure is 60 s); past it, the client's requests get a 429 with
  ``Retry-After`` until enough of the last minute's time has expired.

``/health`` and static files are exempt. Calls from Python (no HTTP request) are never
limited. Behind a reverse proxy, every client has the proxy's address unless uvicorn is
told to trust the proxy's ``X-Forwarded-For`` (``FORWARDED_ALLOW_IPS``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

from aikg.errors import AikgError, TooManyRequestsError
from aikg.workers.accounting import billed

log = logging.getLogger("aikg.requests")

WINDOW_SECONDS = 60.0
"""The query-time budget is for this sliding window."""
EXEMPT_PATHS = ("/health", "/static/")
FORGET_AFTER = 2 * WINDOW_SECONDS
"""A client with nothing in flight and nothing used for this long is forgotten."""
MAX_CLIENTS = 100_000
"""Past this many remembered clients (a few hundred bytes each), the least recently seen
idle ones are forgotten at once: the table's size is bounded whoever sends requests."""


@dataclass
class _Client:
    slots: asyncio.Semaphore
    used: deque[tuple[float, float]] = field(default_factory=deque)  # (when, seconds)
    in_flight: int = 0
    last_seen: float = 0.0
    total: float = 0.0
    """The sum of ``used``, kept as entries come and go: summing the window on every
    request cost time in proportion to the request rate (18,000 entries at 300 req/s)."""

    def record(self, when: float, seconds: float) -> None:
        self.used.append((when, seconds))
        self.total += seconds

    def used_in_window(self, now: float) -> float:
        while self.used and self.used[0][0] <= now - WINDOW_SECONDS:
            self.total -= self.used.popleft()[1]
        if not self.used:
            self.total = 0.0  # no float drift survives an empty window
        return max(self.total, 0.0)

    def seconds_until_below(self, budget: float, now: float) -> int:
        """How long until the time used in the window drops below ``budget``."""
        total = self.used_in_window(now)
        for when, seconds in self.used:
            total -= seconds
            if total < budget:
                return max(1, math.ceil(when + WINDOW_SECONDS - now))
        return 1


def client_key(scope: Scope) -> str:
    """The client a request is billed to: its address, an IPv6 one by its /64."""
    client = scope.get("client")
    return address_key(client[0] if client else "")


def address_key(host: str) -> str:
    """The client an address belongs to: itself, an IPv6 one's /64 network (which one host
    usually holds whole), an IPv4 address mapped into IPv6 as IPv4."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class FairShare:
    """Pure ASGI middleware that holds every client to its share (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        concurrency: int,
        query_seconds: float,
        queue_timeout: float,
        refuse: Callable[[AikgError], ASGIApp],
        clock: Callable[[], float] = time.monotonic,
    ):
        self.app = app
        self.concurrency = concurrency
        self.query_seconds = query_seconds
        self.queue_timeout = queue_timeout
        self.refuse = refuse
        self.clock = clock
        self.clients: dict[str, _Client] = {}
        self._last_sweep = 0.0

    def _client(self, key: str, now: float) -> _Client:
        if now - self._last_sweep > WINDOW_SECONDS or len(self.clients) >= MAX_CLIENTS:
            self._forget_idle(now)
        state = self.clients.get(key)
        if state is None:
            state = self.clients[key] = _Client(asyncio.Semaphore(self.concurrency or 1))
        state.last_seen = now
        return state

    def _forget_idle(self, now: float) -> None:
        """Keep the table as small as the set of recent clients."""
        self._last_sweep = now
        idle = [(c.last_seen, k) for k, c in self.clients.items() if not c.in_flight]
        for last_seen, key in idle:
            if now - last_seen > FORGET_AFTER:
                del self.clients[key]
        if len(self.clients) >= MAX_CLIENTS:
            # Still full: forget the least recently seen idle half (they lose their
            # history of query time, which is the price of a bounded table).
            for _, key in sorted(idle)[: len(idle) // 2]:
                self.clients.pop(key, None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PATHS):
            await self.app(scope, receive, send)
            return
        key = client_key(scope)
        now = self.clock()
        state = self._client(key, now)
        if self.query_seconds and state.used_in_window(now) >= self.query_seconds:
            wait = state.seconds_until_below(self.query_seconds, now)
            log.info(
                "refused %s %s from %s: query time budget spent",
                scope["method"],
                scope["path"],
                key,
            )
            error = TooManyRequestsError(
                f"this client has used {self.query_seconds:g} s of query time in the last "
                f"{WINDOW_SECONDS:g} s, its share of the server",
                retry_after=wait,
                hint=f"retry in {wait} s; make queries cheaper (LIMIT, narrower patterns)",
            )
            await self.refuse(error)(scope, receive, send)
            return
        state.in_flight += 1
        try:
            if self.concurrency:
                try:
                    if state.slots.locked():
                        await asyncio.wait_for(state.slots.acquire(), timeout=self.queue_timeout)
                    else:
                        # A free slot is taken at once: wait_for's task and timer cost
                        # more than the rest of a cached answer's middleware.
                        await state.slots.acquire()
                except TimeoutError:
                    log.info(
                        "refused %s %s from %s: too many requests at once",
                        scope["method"],
                        scope["path"],
                        key,
                    )
                    error = TooManyRequestsError(
                        f"this client had more than {self.concurrency} requests running for "
                        f"{self.queue_timeout:g} s",
                        retry_after=1,
                        hint=f"send at most {self.concurrency} requests at once",
                    )
                    await self.refuse(error)(scope, receive, send)
                    return
            with billed() as bill:
                try:
                    await self.app(scope, receive, send)
                finally:
                    if self.concurrency:
                        state.slots.release()
            if bill.seconds:
                state.record(self.clock(), bill.seconds)
        finally:
            state.in_flight -= 1
