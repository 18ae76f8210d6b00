"""Start a real, throwaway Oxigraph server (``oxigraph serve``) for tests: the remote
store's second SPARQL 1.1 engine, beside Virtuoso 7.

The ``oxigraph`` binary comes with the ``oxigraph`` package from PyPI (the ``test`` extra,
pinned in ``constraints.txt``): pip puts it beside the interpreter, in the virtual
environment's ``bin``, which need not be on PATH.

``running_oxigraph()`` runs ``oxigraph serve --location DIR --bind 127.0.0.1:PORT`` on a
new directory (read-write: aikg writes through SPARQL Update), waits until ``/query``
answers, and on exit stops the server (SIGTERM, then SIGKILL after a grace period) and
deletes the directory. Its endpoints: ``/query`` (SPARQL 1.1 Query), ``/update`` (SPARQL
1.1 Update) and ``/store`` (the Graph Store HTTP Protocol). No ``--union-default-graph``:
the server's default graph is a graph of its own, as aikg finds it on a stock server.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.server import terminate
from tests.virtuoso import free_port


def find_oxigraph() -> str | None:
    """The ``oxigraph`` binary of the environment running the tests (where pip installs
    a package's scripts), else one on PATH, else None."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "oxigraph"
        if candidate.is_file():
            return str(candidate)
    return shutil.which("oxigraph")


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve``: its endpoints and its data directory."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sparql_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str | None:
        return f"{self.base_url}/update"

    @property
    def graph_store_url(self) -> str:
        return f"{self.base_url}/store"

    def log(self) -> str:
        """What the server printed so far."""
        path = self.directory / "oxigraph.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""


@contextmanager
def running_oxigraph(
    binary: str, *, port: int = 0, startup_timeout: float = 60
) -> Iterator[OxigraphServer]:
    """A fresh ``oxigraph serve`` on 127.0.0.1 (``port`` 0: a free one), writable,
    deleted on exit. Raises RuntimeError with the server's output when it exits during
    start-up or does not answer within ``startup_timeout``."""
    port = port or free_port()
    directory = Path(tempfile.mkdtemp(prefix="aikg-oxigraph-"))
    output = (directory / "oxigraph.log").open("wb")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(directory / "data"), "--bind", f"127.0.0.1:{port}"],
        cwd=directory,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = OxigraphServer(port, directory, process)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"oxigraph serve exited with {process.returncode} during start-up\n"
                    + server.log()
                )
            try:
                answer = httpx.get(server.sparql_url, params={"query": "ASK {}"}, timeout=2)
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"oxigraph serve did not answer on {server.sparql_url} within "
                    f"{startup_timeout} s\n" + server.log()
                )
            time.sleep(0.1)
        yield server
    finally:
        terminate(process, grace=20)
        output.close()
        shutil.rmtree(directory, ignore_errors=True)
