"""Connections: none held open by a client that sends no request, nor too many by one.

uvicorn closes a connection left idle between requests (``keep_alive``), but not one that
has sent nothing yet, or part of a request: a client can hold every file descriptor of the
server that way, a few bytes at a time (*slowloris*), until it accepts no one else. So
``aikg serve`` speaks HTTP through :func:`guarded_protocol`, uvicorn's own h11 protocol
with more rules:

- **a request must keep coming**: from its first byte (from the connection's opening, for
  the first), a request has ``read_timeout`` seconds, and one more for every
  :data:`MIN_RATE` bytes that have come, to arrive whole, head and body, and never
  ``read_timeout`` seconds without a byte; otherwise the connection is closed (Apache's
  ``RequestReadTimeout`` rule). While the request waits its turn under the fair share
  with what came not yet taken by the application, or with the client waiting for its
  go-ahead (``Expect: 100-continue``), the clock starts again. So a connection that sends
  nothing is closed after ``read_timeout``, one that trickles a header line or a body too;
- **a body not read is not waited for**: a request answered without its body being read
  (a 401, a 413) has ``read_timeout`` seconds for the rest, thrown away as it comes;
- **connections per client**: one address (an IPv6 client by its /64, as the fair share
  tells clients apart) may hold ``client_connections`` open at once; one more is closed
  as it opens, before anything is read. A reverse proxy uvicorn trusts
  (``FORWARDED_ALLOW_IPS``) is exempt: its clients are told apart by ``X-Forwarded-For``,
  in the fair share.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any, ClassVar

import h11
from uvicorn.middleware.proxy_headers import _TrustedHosts
from uvicorn.protocols.http.h11_impl import H11Protocol

from aikg.config import Settings
from aikg.web.fair_share import address_key

log = logging.getLogger("aikg.requests")

MIN_RATE = 500
"""Bytes a second a request must come at, past its first ``read_timeout`` seconds
(Apache's ``RequestReadTimeout`` default)."""


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's arrival and a cap on
    connections per client (see the module); :func:`guarded_protocol` sets the limits."""

    read_timeout: float = 10.0
    per_client: int = 0
    trusted_proxies: Any = None
    open_connections: ClassVar[Counter[str]] = Counter()
    """Open connections per client: one count for each class :func:`guarded_protocol`
    makes, which is one server's."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._clock: asyncio.TimerHandle | None = None
        self._since = self._last = 0.0
        self._received = 0
        self._draining = False
        self._counted: str | None = None
        host = self.client[0] if self.client else ""
        if self.per_client and host and host not in self.trusted_proxies:
            counts = self.open_connections
            key = address_key(host)
            if counts[key] >= self.per_client:
                log.debug("refused a connection from %s: %d open already", host, counts[key])
                transport.close()
                return
            counts[key] += 1
            self._counted = key
        self._start_clock()  # its first request's clock runs from the opening

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            return
        if not self._receiving():
            self._stop_clock()
            return
        if self._draining and self.conn.their_state is h11.IDLE:
            # The rest of the body not read has come (uvicorn, which arms its idle timer
            # only after an answer, has none running now): the next request's clock.
            self._stop_clock()
        if self._clock is None:  # the first bytes of the next request
            self._start_clock()
        self._received += len(data)
        self._last = self.loop.time()
        self._wind_clock()

    def on_response_complete(self) -> None:
        unread = self.conn.their_state is h11.SEND_BODY
        self._stop_clock()
        super().on_response_complete()  # reads a request pipelined behind, if any
        if self.transport.is_closing() or not self._receiving():
            return
        if unread and self.conn.their_state is h11.SEND_BODY:
            # Answered without its body read (a 401, a 413): the rest, thrown away as it
            # comes, may come within the timeout, and no longer. (Not closed at once: body
            # bytes that reach a closed socket reset it, and the client may lose the
            # answer before it has read it.)
            self._start_clock(draining=True)
        elif self.conn.their_state is h11.SEND_BODY or self.conn.trailing_data[0]:
            self._start_clock()  # a request pipelined behind this one has begun

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        if self._counted is not None:
            counts = self.open_connections
            counts[self._counted] -= 1
            if counts[self._counted] <= 0:
                del counts[self._counted]
            self._counted = None
        super().connection_lost(exc)

    def _receiving(self) -> bool:
        """A request is on its way in: its head has not come whole, or its body is owed."""
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)

    def _start_clock(self, *, draining: bool = False) -> None:
        self._since = self._last = self.loop.time()
        self._received = 0
        self._draining = draining
        self._wind_clock()

    def _wind_clock(self) -> None:
        """The deadline: the timeout from the start, one more second a :data:`MIN_RATE`
        bytes come, and never more than the timeout since the last byte (bytes sent early
        buy no silence later). The rest of a body not read: the timeout, no more."""
        if self._clock is not None:
            self._clock.cancel()
        deadline = self._since + self.read_timeout
        if not self._draining:
            deadline = min(deadline + self._received / MIN_RATE, self._last + self.read_timeout)
        self._clock = self.loop.call_at(deadline, self._overdue)

    def _stop_clock(self) -> None:
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None

    def _overdue(self) -> None:
        self._clock = None
        if self.transport.is_closing() or not self._receiving():
            return
        if not self._draining and (
            self.flow.read_paused or self.conn.they_are_waiting_for_100_continue
        ):
            # The application has not taken what came, or the client waits for its go
            # ahead (Expect: 100-continue), while the request waits its turn: the client
            # is not late. Its clock starts again.
            self._start_clock()
            return
        log.debug("closed a connection from %s: its request did not come whole", self.client)
        self.transport.close()


def guarded_protocol(settings: Settings, forwarded_allow_ips: str) -> type[GuardedH11Protocol]:
    """The protocol class for uvicorn (its ``http`` argument) with these settings' limits;
    ``forwarded_allow_ips`` names the proxies exempt from the cap, as uvicorn reads it."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {
            "read_timeout": settings.read_timeout,
            "per_client": settings.client_connections,
            "trusted_proxies": _TrustedHosts(forwarded_allow_ips),
            "open_connections": Counter(),
        },
    )
