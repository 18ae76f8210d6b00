"""A throwaway Virtuoso 7 for the benchmark, and its native bulk loader.

Modelled on ``tests/virtuoso.py`` (which explains each INI setting), with the sizes a
benchmark needs rather than a test's: a larger page cache (``NumberOfBuffers`` 340,000
pages of 8 kB, ~2.6 GB: Virtuoso's stock figure for a 4 GB machine, while 1M triples need
~100 MB), 2 GB of query memory, 32 HTTP threads and connections (the 16-client runs), and
the data directory in ``DirsAllowed`` so that ``ld_dir`` may read the generated files.
The server listens on loopback only, keeps every file in a temporary directory and is
deleted on exit.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from tests.virtuoso import make_ini, run_isql

from benchmarks.common import WORK, running
from benchmarks.http_throughput import free_port

SETUP_SQL = (
    'GRANT SPARQL_UPDATE TO "SPARQL";',
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 3);",
)


def available() -> bool:
    return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt"))


def _ini(directory: Path, http_port: int, sql_port: int, data_dir: Path, timeout: int) -> str:
    """The tests' virtuoso.ini, sized for a million triples and 16 clients, allowed to
    bulk-load from ``data_dir``."""
    return make_ini(
        directory,
        http_port,
        sql_port,
        max_query_execution_time=timeout,
        max_query_cost_estimation_time=0,
        result_set_max_rows=100_000_000,
        dirs_allowed=[data_dir],
        buffers=340_000,
        dirty_buffers=250_000,
        query_mem="2G",
        http_threads=32,
        keep_alive_s=30,
    )


@dataclass
class Virtuoso:
    http_port: int
    sql_port: int
    directory: Path

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    def isql(self, command: str, timeout: float = 3600) -> str:
        return run_isql("isql-vt", self.sql_port, command, timeout)

    def count(self, prefix: str) -> int:
        """Triples in the graphs under ``prefix``."""
        answer = httpx.post(
            self.sparql_url,
            data={
                "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER (STRSTARTS(STR(?g), "{prefix}")) }}'
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=600,
        )
        answer.raise_for_status()
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    def bulk_load(self, path: Path) -> float:
        """Virtuoso's own bulk loader on one N-Quads file; seconds including a checkpoint
        (the point where the data is durable, as a finished aikg load is)."""
        started = time.perf_counter()
        self.isql(
            f"ld_dir ('{path.parent}', '{path.name}', 'https://w3id.org/aikg/graph/bulk');\n"
            "rdf_loader_run ();\ncheckpoint;"
        )
        seconds = time.perf_counter() - started
        errors = self.isql(
            "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;"
        )
        if errors.strip():
            raise RuntimeError(f"Virtuoso's bulk loader reported: {errors}")
        return seconds


@contextmanager
def running_virtuoso(data_dir: Path, query_timeout: int = 600) -> Iterator[Virtuoso]:
    """A fresh, empty Virtuoso, writable by anonymous SPARQL; deleted on exit."""
    http_port = free_port()
    sql_port = free_port()
    while sql_port == http_port:
        sql_port = free_port()
    WORK.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=WORK))
    (directory / "vsp").mkdir()
    ini = directory / "virtuoso.ini"
    ini.write_text(_ini(directory, http_port, sql_port, data_dir.resolve(), query_timeout))
    server = Virtuoso(http_port, sql_port, directory)
    try:
        with (
            (directory / "stdout.log").open("wb") as out,
            running(
                ["virtuoso-t", "+foreground", "+configfile", str(ini)],
                cwd=directory,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            ) as process,
        ):
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"virtuoso-t exited: see {directory}/virtuoso.log")
                try:
                    ok = httpx.get(server.sparql_url, params={"query": "ASK {}"}, timeout=2)
                    if ok.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("Virtuoso did not start within 120 s")
                time.sleep(0.2)
            server.isql("\n".join(SETUP_SQL))
            yield server
    finally:
        shutil.rmtree(directory, ignore_errors=True)
