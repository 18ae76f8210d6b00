"""Connections: none held open by a client that sends no request, nor too many by one.

uvicorn closes a connection left idle between requests (``keep_alive``), but not one that
has sent nothing yet or only part of a request's head: a client can hold every file
descriptor of the server that way, a few bytes at a time (*slowloris*), until it accepts
no one else. So ``aikg serve`` speaks HTTP through :func:`guarded_protocol`, uvicorn's own
h11 protocol with two more rules:

- **a deadline for a request's head**: its request line and headers must all have come
  ``head_timeout`` seconds after its first byte, or the connection is closed; a
  connection that sends nothing is closed after ``keep_alive`` seconds, as an idle one
  between requests is (a body is read by the application, under the fair share);
- **connections per client**: one address (an IPv6 client by its /64, as the fair share
  tells clients apart) may hold ``client_connections`` open at once; one more is closed
  as it opens. A reverse proxy uvicorn trusts (``FORWARDED_ALLOW_IPS``) is exempt: its
  clients are told apart by ``X-Forwarded-For``, in the fair share.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import Counter
from typing import Any

import h11
from uvicorn.middleware.proxy_headers import _TrustedHosts
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from aikg.config import Settings
from aikg.web.fair_share import address_key

log = logging.getLogger("aikg.requests")

_OPEN: weakref.WeakKeyDictionary[ServerState, Counter[str]] = weakref.WeakKeyDictionary()
"""Open connections per client, for each server of this process."""


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for request heads and a cap on connections
    per client (see the module); :func:`guarded_protocol` sets the limits."""

    head_timeout: float = 10.0
    per_client: int = 0
    trusted_proxies: Any = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._counted: str | None = None
        host = self.client[0] if self.client else ""
        if self.per_client and host and host not in self.trusted_proxies:
            counts = _OPEN.setdefault(self.server_state, Counter())
            key = address_key(host)
            if counts[key] >= self.per_client:
                log.debug("refused a connection from %s: %d open already", host, counts[key])
                transport.close()
                return
            counts[key] += 1
            self._counted = key
        # Nothing sent yet: idle, as between two requests.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            if self._head_timer is None:  # the first bytes of a head: its clock starts
                self._head_timer = self.loop.call_later(self.head_timeout, self._head_overdue)
        elif self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def on_response_complete(self) -> None:
        # The next head's clock starts with its first byte, not now (a request pipelined
        # behind this one is read here, and its head is whole already).
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().on_response_complete()

    def _head_overdue(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            log.debug("closed a connection from %s: no whole request head", self.client)
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        if self._counted is not None:
            counts = _OPEN.get(self.server_state)
            if counts is not None:
                counts[self._counted] -= 1
                if counts[self._counted] <= 0:
                    del counts[self._counted]
            self._counted = None
        super().connection_lost(exc)


def guarded_protocol(settings: Settings, forwarded_allow_ips: str) -> type[GuardedH11Protocol]:
    """The protocol class for uvicorn (its ``http`` argument) with these settings' limits;
    ``forwarded_allow_ips`` names the proxies exempt from the cap, as uvicorn reads it."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {
            "head_timeout": settings.head_timeout,
            "per_client": settings.client_connections,
            "trusted_proxies": _TrustedHosts(forwarded_allow_ips),
        },
    )
