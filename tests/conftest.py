"""Shared fixtures: the bundled graph, loaded once per session, and SPARQL helpers."""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aikg import KnowledgeGraph
from aikg.citations import CitationRegistry
from aikg.config import Settings
from aikg.web import create_app
from aikg.workers import jobs
from aikg.workers.dumps import DumpFiles
from aikg.workers.gateway import Service
from tests.oxigraph import OxigraphServer, find_oxigraph, running_oxigraph
from tests.server import Server, running_server
from tests.virtuoso import VirtuosoServer, running_virtuoso

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "sources" / "article.txt"

PREFIXES = """
PREFIX country:   <https://w3id.org/aikg/country/>
PREFIX company:   <https://w3id.org/aikg/company/>
PREFIX organization: <https://w3id.org/aikg/organization/>
PREFIX person:    <https://w3id.org/aikg/person/>
PREFIX group:     <https://w3id.org/aikg/group/>
PREFIX event:     <https://w3id.org/aikg/event/>
PREFIX hardware:  <https://w3id.org/aikg/hardware/>
PREFIX index:     <https://w3id.org/aikg/index/>
PREFIX tier:      <https://w3id.org/aikg/tier/>
PREFIX scale:     <https://w3id.org/aikg/scale/>
PREFIX innovation-type: <https://w3id.org/aikg/innovation-type/>
PREFIX stance:    <https://w3id.org/aikg/stance/>
PREFIX role:      <https://w3id.org/aikg/role/>
PREFIX indicator: <https://w3id.org/aikg/indicator/>
PREFIX topic:     <https://w3id.org/aikg/topic/>
PREFIX claim:     <https://w3id.org/aikg/claim/>
PREFIX conflict:  <https://w3id.org/aikg/conflict/>
PREFIX source:    <https://w3id.org/aikg/source/>
"""


# -- what a test costs ----------------------------------------------------------------
# Marks by cost, so that `scripts/test --fast` can leave out what needs more than the
# interpreter. A test gets its mark from the fixtures it uses (below), or from its
# module's `pytestmark` where it starts its own processes.
COSTS = {
    "server": "starts `aikg serve` in a process of its own",
    "virtuoso": "starts a Virtuoso 7 server (virtuoso-opensource-7-bin)",
    "remote": "starts another SPARQL 1.1 server for the remote store (`oxigraph serve`)",
    "browser": "drives Debian's Chromium through Playwright",
    "install": "builds and installs the package with pip",
    "load": "works hard for tens of seconds (a large `aikg load`; load, chaos, fair share)",
    "fuzz": "generates requests from the OpenAPI document (Schemathesis)",
    "alone": "measures a whole server's memory, latency or workers, or kills its "
    "processes: runs with nothing beside it",
}
FIXTURE_COSTS = {
    "server": "server",
    "documented_server": "server",
    "chaos_server": "server",
    "broken_server": "server",
    "armed": "server",
    "writable": "server",
    "virtuoso": "virtuoso",
    "remote_kg": "virtuoso",
    "stock_virtuoso": "virtuoso",
    "stock_remote_kg": "virtuoso",
    "oxigraph": "remote",
    "oxigraph_kg": "remote",
    "browser": "browser",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in COSTS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            if fixture in FIXTURE_COSTS:
                item.add_marker(FIXTURE_COSTS[fixture])


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that starts a server must say so (its mark), or the fast loop would run it:
    ``tests.server.running_server`` refuses to start for a test without the mark. (Set
    before any of the test's fixtures, module-scoped ones included, are made.)"""
    os.environ["AIKG_TEST_MAY_SERVE"] = "1" if item.get_closest_marker("server") else "0"


def require_program(
    name: str, package: str, *, path: str | None = None, install: str = "apt-get install"
) -> str:
    """The path of a program a test drives (found on PATH, unless ``path`` says where).
    Missing, the test skips with the reason, except in CI (``CI=true``), where it fails:
    nothing is skipped there silently.
    """
    path = path or shutil.which(name)
    if path is None:
        reason = f"{name} is not installed ({install} {package}; scripts/test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + ": CI must install it")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The bundled knowledge graph, in memory, validated."""
    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def virtuoso() -> Iterator[VirtuosoServer]:
    """A throwaway Virtuoso 7 on free loopback ports, for the whole session."""
    require_program("virtuoso-t", "virtuoso-opensource-7-bin")
    with running_virtuoso(http_port=0, sql_port=0) as server:
        yield server


#: The [SPARQL] settings of Virtuoso's own default virtuoso.ini, as users run it.
STOCK_SPARQL = {
    "result_set_max_rows": 10_000,
    "max_query_cost_estimation_time": 400,
    "max_query_execution_time": 60,
}


@pytest.fixture(scope="session")
def stock_virtuoso() -> Iterator[VirtuosoServer]:
    """A second throwaway Virtuoso 7, with the upstream default [SPARQL] settings (a row
    cap of 10,000 and cost estimation on), for the whole session."""
    require_program("virtuoso-t", "virtuoso-opensource-7-bin")
    with running_virtuoso(http_port=0, sql_port=0, **STOCK_SPARQL) as server:
        yield server


@pytest.fixture(scope="session")
def oxigraph() -> Iterator[OxigraphServer]:
    """A throwaway ``oxigraph serve`` (read-write, on disk, a free loopback port), for
    the whole session: the remote store's second engine."""
    binary = require_program(
        "oxigraph", "-c constraints.txt oxigraph", path=find_oxigraph(), install="pip install"
    )
    with running_oxigraph(binary) as server:
        yield server


RemoteServer = VirtuosoServer | OxigraphServer


def remote_settings(server: RemoteServer, **changes: object) -> Settings:
    """Settings for aikg on a SPARQL 1.1 server: its query endpoint, its update endpoint
    (Virtuoso's is the query endpoint) and its Graph Store."""
    return Settings(
        store=server.sparql_url,
        store_update=server.update_url,
        store_graph_store=server.graph_store_url,
    ).replace(**changes)


@pytest.fixture(scope="session")
def remote_kg(virtuoso: VirtuosoServer) -> KnowledgeGraph:
    """The bundled knowledge graph on Virtuoso (loaded into it once per session)."""
    return KnowledgeGraph.open(remote_settings(virtuoso))


@pytest.fixture(scope="session")
def stock_remote_kg(stock_virtuoso: VirtuosoServer) -> KnowledgeGraph:
    """The bundled knowledge graph on the Virtuoso with default settings."""
    return KnowledgeGraph.open(remote_settings(stock_virtuoso))


@pytest.fixture(scope="session")
def oxigraph_kg(oxigraph: OxigraphServer) -> KnowledgeGraph:
    """The bundled knowledge graph on Oxigraph's server (loaded into it once per session)."""
    return KnowledgeGraph.open(remote_settings(oxigraph))


#: The remote store's engines, each with its cost mark: a test about SPARQL 1.1 behaviour
#: takes ``remote_server`` or ``any_remote_kg`` and runs on each.
REMOTE_ENGINES = [
    pytest.param("virtuoso", marks=pytest.mark.virtuoso),
    pytest.param("oxigraph", marks=pytest.mark.remote),
]
ENGINE_KG = {"virtuoso": "remote_kg", "oxigraph": "oxigraph_kg"}


@pytest.fixture(params=REMOTE_ENGINES)
def remote_server(request: pytest.FixtureRequest) -> RemoteServer:
    """Each remote engine's server in turn: Virtuoso 7, then ``oxigraph serve``."""
    found: RemoteServer = request.getfixturevalue(request.param)
    return found


@pytest.fixture
def any_remote_kg(request: pytest.FixtureRequest, remote_server: RemoteServer) -> KnowledgeGraph:
    """The bundled knowledge graph on ``remote_server`` (the session's, loaded once)."""
    engine = "virtuoso" if isinstance(remote_server, VirtuosoServer) else "oxigraph"
    found: KnowledgeGraph = request.getfixturevalue(ENGINE_KG[engine])
    return found


@pytest.fixture(scope="session")
def disk_kg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeGraph]:
    """The bundled knowledge graph in a store on disk."""
    directory = tmp_path_factory.mktemp("disk-store") / "store"
    with KnowledgeGraph.open(Settings(store=str(directory))) as opened:
        yield opened


def drop_new_graphs(kg: KnowledgeGraph, before: set[str]) -> None:
    """Leave the session's store as it was."""
    for graph in set(kg.store.named_graphs()) - before:
        kg.store.remove_graph(graph)
    kg.derive()


def ask(kg: KnowledgeGraph, body: str) -> bool:
    """Run an ASK query (the common prefixes plus the instance prefixes above)."""
    result = kg.query(PREFIXES + body)
    assert isinstance(result, bool)
    return result


class InlinePool:
    """The worker pool's read jobs, run in this process on one graph (no deadlines)."""

    network = "isolated"
    instance = "inline"
    version = 0

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg

    @property
    def data_version(self) -> str | None:
        return self.kg.data_version

    def run(self, name: str, timeout: float | None = None, **kwargs: Any) -> Any:
        return jobs.READ_JOBS[name](self.kg, **kwargs)

    async def run_async(self, name: str, timeout: float | None = None, **kwargs: Any) -> Any:
        return self.run(name, timeout, **kwargs)

    def stream(self, name: str, timeout: float | None = None, **kwargs: Any) -> Iterator[bytes]:
        chunks: list[bytes] = []
        jobs.READ_JOBS[name](self.kg, emit=chunks.append, **kwargs)
        return iter(chunks)

    def close(self) -> None:
        """The graph belongs to the session."""


class InlineService(Service):
    """The gateway (its checks, its parsing of parameters) over an :class:`InlinePool`:
    the routes and the jobs of the server, without a process of their own."""

    def __init__(self, kg: KnowledgeGraph):  # no pool of worker processes to start
        self.settings = kg.settings
        self.pool = InlinePool(kg)  # type: ignore[assignment]
        self._cache = OrderedDict()
        self._cache_bytes = 0
        self._cache_lock = threading.Lock()
        self.dump_files = DumpFiles()
        self.citations = CitationRegistry()


@pytest.fixture(scope="session")
def app_client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    """The HTTP API in process, on the session's graph: for what routes answer, not for
    deadlines, workers or the network (the ``server`` fixture starts a real one)."""
    with TestClient(create_app(kg.settings, service=InlineService(kg))) as client:
        yield client


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """A read-only server on the bundled data (3 s query deadline, 50-row limit)."""
    with running_server(
        {"AIKG_QUERY_TIMEOUT": "3", "AIKG_MAX_ROWS": "50", "AIKG_WORKERS": "3", "AIKG_TOKEN": ""}
    ) as running:
        yield running


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that counts every request it gets (GET or POST)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(b'{"@context": {"name": "http://schema.org/name"}}')

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
