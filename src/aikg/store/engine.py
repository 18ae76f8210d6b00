"""The backend type: what every backend is, whoever uses it.

An engine is Oxigraph's own ``Store`` (in memory or on disk), or a
:class:`~aikg.store.remote.RemoteStore`, which offers the part of ``pyoxigraph.Store``
that aikg calls over the SPARQL 1.1 protocols. Code above the store types its parameters
with :data:`Engine` from here, not from the adapter.
"""

from __future__ import annotations

from typing import TypeAlias

import pyoxigraph as ox

from aikg.store.remote import RemoteStore

Engine: TypeAlias = ox.Store | RemoteStore
