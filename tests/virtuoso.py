"""Start a real, throwaway Virtuoso 7 (Debian's ``virtuoso-opensource-7-bin``) for tests.

``running_virtuoso()`` makes a temporary directory, writes a minimal ``virtuoso.ini`` into it,
runs ``virtuoso-t +foreground`` on it, waits until ``/sparql`` answers, opens the endpoint to
the anonymous user, and on exit stops the server and deletes the directory. Nothing outside
the temporary directory is read or written (the package's own ``/etc`` and ``/var/lib`` files,
which only ``virtuoso-opensource-7`` would bring, are not needed: the binary alone suffices).

CI needs: ``apt-get update && apt-get install -y virtuoso-opensource-7-bin`` (it installs no
service, so nothing listens on 1111/8890 by itself).

Why each INI setting is there:

[Database] / [TempDatabase]
    ``DatabaseFile``, ``ErrorLogFile``, ``LockFile``, ``TransactionFile``,
    ``xa_persistent_file``: every file the server creates, pointed into the temporary
    directory, so that nothing touches ``/var/lib/virtuoso-opensource-7`` and parallel or
    leftover runs cannot share a database. ``TempStorage = TempDatabase`` names the section
    holding the temporary database (sorts, hash joins), also in the directory.
    ``ErrorLogLevel = 7``: the full log, which is printed when start-up fails.
    ``FileExtend = 200``: grow the database file in small steps (pages), as the stock INI does.
    ``Striping = 0``: one database file, not segments.

[Parameters]
    ``ServerPort = 127.0.0.1:SQLPORT``: the SQL (ODBC/isql) listener, on loopback only.
    ``DisableUnixSocket = 1``: no socket file outside the directory.
    ``DirsAllowed``: the files the server may read or write with SQL functions (file_to_string,
    ld_dir bulk loading): only its own directory.
    ``NumberOfBuffers = 10000`` / ``MaxDirtyBuffers = 6000``: 8 kB pages of cache (~80 MB),
    the stock "2 GB machine" values: keeps the test server small.
    ``MaxQueryMem = 256M``: bound the query processor's memory (the stock value is 2G).
    ``ThreadsPerQuery = 2``: the machines here have 2 cores.
    ``MaxClientConnections = 20``: concurrent SQL (isql/ODBC) connections.
    ``CheckpointInterval = 0``: no periodic checkpoints; the database is thrown away anyway.
    ``CaseMode = 2``: the stock SQL identifier case mode (upper case), which the system
    procedures expect.
    ``AllowOSCalls = 0``: no ``system()`` from SQL.

[HTTPServer]
    ``ServerPort = 127.0.0.1:HTTPPORT``: the web server holding ``/sparql`` and
    ``/sparql-graph-crud``, on loopback only.
    ``ServerRoot``: the (empty) document root, in the directory.
    ``ServerThreads = 10`` / ``MaxClientConnections = 10``: concurrent HTTP requests.
    ``MaxKeepAlives`` / ``KeepAliveTimeout``: allow persistent client connections.
    ``Charset = UTF-8``: the default character set of responses.
    ``EnabledGzipContent = 0``: plain response bodies (easier to read in probes).

[SPARQL]
    ``ResultSetMaxRows`` (default 1000000 here; the tests' second server runs the stock
    10000, which aikg pages through): the endpoint cuts results to this many rows: a SELECT
    answers 200 with the header ``X-SPARQL-MaxRows: N``, a CONSTRUCT and a Graph Store GET
    are cut with no sign at all.
    ``MaxQueryExecutionTime`` (seconds, default 60 here): a query still running then fails
    with HTTP 500 ``SR171: Transaction timed out``. A request that carries the ``timeout``
    parameter (milliseconds) is instead cut at min(timeout, this) and answers 200 with
    whatever it had (the "anytime" feature), marked by ``X-SQL-State: S1TAT``.
    ``MaxQueryCostEstimationTime`` (seconds, default 0 = off here): the optimiser refuses,
    before running it, a query whose estimated cost is larger (HTTP 500 "The estimated
    execution time N (sec) exceeds the limit of M (sec)"); estimates are rough, so it is off
    here. On (the stock 400), the endpoint also compiles the data of an update into SQL text,
    which it caps at 10,000 lines (SP031: ~1,430 triples an operation); aikg splits its
    writes to fit, as the second test server (``STOCK_SPARQL`` in conftest) checks.
    No ``DefaultGraph``: a query without FROM or default-graph-uri sees the union of every
    graph, the system graphs included.

[Plugins] is absent: the hosting plugins (wiki renderers) are not installed by ``-bin``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.server import terminate

#: Where the server binary may be, besides PATH (Debian's package, then upstream's layouts).
KNOWN_LOCATIONS = (
    "/usr/bin/virtuoso-t",
    "/usr/local/virtuoso-opensource/bin/virtuoso-t",
    "/opt/virtuoso-opensource/bin/virtuoso-t",
)

#: SQL run (as dba) once the server is up, so that the anonymous HTTP user can update.
#: "SPARQL" is the SQL account that /sparql and /sparql-graph-crud run anonymous requests as;
#: out of the box it holds SPARQL_SELECT only (INSERT answers "SR186: No permission to execute
#: procedure DB.DBA.SPARQL_INSERT_DICT_CONTENT", Graph Store PUT answers 403). SPARQL_UPDATE
#: allows SPARQL Update and the Graph Store's writes. RDF_DEFAULT_USER_PERMS_SET('nobody', 3)
#: then narrows the graph-level permissions of anonymous users from the default 15 to read (1)
#: and write (2): without the sponge bit (4), LOAD, ``DEFINE get:soft`` and
#: ``DEFINE input:grab-all`` can no longer make the server fetch URLs. (SERVICE and
#: ``<bif:http_get>`` still can: a client must refuse those itself.)
SETUP_SQL = (
    'GRANT SPARQL_UPDATE TO "SPARQL";',
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 3);",
)


def find_binary(name: str) -> str | None:
    """The path of a Virtuoso binary (``virtuoso-t``, ``isql-vt``), or None."""
    found = shutil.which(name)
    if found:
        return found
    for location in KNOWN_LOCATIONS:
        candidate = Path(location).with_name(name)
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_isql() -> str | None:
    """Debian names the client ``isql-vt``; upstream builds install it as ``isql`` beside
    ``virtuoso-t`` (a bare ``isql`` on PATH may be unixODBC's, so it is not looked up)."""
    found = find_binary("isql-vt")
    if found:
        return found
    server = find_binary("virtuoso-t")
    if server:
        candidate = Path(server).with_name("isql")
        if candidate.is_file():
            return str(candidate)
    return None


def virtuoso_available() -> bool:
    """Whether both ``virtuoso-t`` and its isql client can be found."""
    return find_binary("virtuoso-t") is not None and find_isql() is not None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _check_port_free(port: int, what: str) -> None:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as error:
            raise RuntimeError(
                f"cannot start Virtuoso: its {what} port 127.0.0.1:{port} is already in use "
                f"({error.strerror}); stop what holds it or pass another port (0 picks a free one)"
            ) from error


def make_ini(
    directory: Path,
    http_port: int,
    sql_port: int,
    max_query_execution_time: int,
    max_query_cost_estimation_time: int,
    result_set_max_rows: int,
    *,
    dirs_allowed: Sequence[Path] = (),
    buffers: int = 10_000,
    dirty_buffers: int = 6_000,
    query_mem: str = "256M",
    http_threads: int = 10,
    keep_alive_s: int = 10,
) -> str:
    """The text of a minimal virtuoso.ini keeping every file in ``directory``.

    The keyword arguments size it: the defaults suit the tests' small data; the
    benchmarks give it more memory and threads, and a data directory to bulk-load from.
    """
    d = directory
    allowed = ", ".join([".", str(d), *(str(path) for path in dirs_allowed)])
    return f"""\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 20
CheckpointInterval   = 0
CaseMode             = 2
AllowOSCalls         = 0
DirsAllowed          = {allowed}
NumberOfBuffers      = {buffers}
MaxDirtyBuffers      = {dirty_buffers}
MaxQueryMem          = {query_mem}
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {d}/vsp
ServerThreads        = {http_threads}
MaxClientConnections = {http_threads}
MaxKeepAlives        = {http_threads}
KeepAliveTimeout     = {keep_alive_s}
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows           = {result_set_max_rows}
MaxQueryExecutionTime      = {max_query_execution_time}
MaxQueryCostEstimationTime = {max_query_cost_estimation_time}
"""


def run_isql(isql_binary: str, sql_port: int, command: str, timeout: float = 120) -> str:
    """Run SQL as dba; return the result rows as isql prints them (no banner, prompt or
    column headers).

    The text goes to isql on standard input, each statement ending with ``;`` at the end
    of a line (several statements on one line are sent as one). It is not passed as
    ``exec=...``, which turns ``+`` into a space. Raises RuntimeError when isql fails or
    reports an error: isql carries on with the next statement and exits 0 all the same,
    so the error is recognised by its ``*** Error`` line."""
    completed = subprocess.run(
        [
            isql_binary,
            f"127.0.0.1:{sql_port}",
            "dba",
            "dba",
            "BANNER=OFF",
            "VERBOSE=OFF",
            "PROMPT=OFF",
        ],
        input=(command.rstrip() + "\n").encode(),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    output = completed.stdout.decode("utf-8", "replace")
    errors = completed.stderr.decode("utf-8", "replace")
    if completed.returncode != 0 or "*** Error" in output or "*** Error" in errors:
        raise RuntimeError(f"isql {command!r} failed ({completed.returncode}): {output}{errors}")
    return output


@dataclass
class VirtuosoServer:
    """A running Virtuoso: its endpoints, its SQL port and an isql helper."""

    http_port: int
    sql_port: int
    directory: Path
    process: subprocess.Popen[bytes]
    isql_binary: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def update_url(self) -> str | None:
        """None: the query endpoint takes updates too."""
        return None

    @property
    def graph_store_url(self) -> str:
        return f"{self.base_url}/sparql-graph-crud"

    def isql(self, command: str, timeout: float = 120) -> str:
        """Run SQL as dba (see :func:`run_isql`)."""
        return run_isql(self.isql_binary, self.sql_port, command, timeout)

    def log(self) -> str:
        """The server's log so far."""
        path = self.directory / "virtuoso.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""


def _log_tail(directory: Path, lines: int = 40) -> str:
    text = ""
    for name in ("virtuoso.log", "stdout.log"):
        path = directory / name
        if path.exists():
            text += f"--- {name}\n" + "\n".join(
                path.read_text("utf-8", "replace").splitlines()[-lines:]
            )
    return text


@contextmanager
def running_virtuoso(
    http_port: int = 8890,
    sql_port: int = 1111,
    *,
    startup_timeout: float = 60,
    max_query_execution_time: int = 60,
    max_query_cost_estimation_time: int = 0,
    result_set_max_rows: int = 1_000_000,
) -> Iterator[VirtuosoServer]:
    """A fresh Virtuoso on 127.0.0.1, writable by anonymous SPARQL, deleted on exit.

    A port of 0 picks a free one. Raises RuntimeError with a clear message when a port is
    taken, the binaries are missing, or the server does not answer within ``startup_timeout``.
    """
    server_binary = find_binary("virtuoso-t")
    isql_binary = find_isql()
    if server_binary is None or isql_binary is None:
        raise RuntimeError(
            "Virtuoso is not installed: apt-get install -y virtuoso-opensource-7-bin"
        )
    http_port = http_port or free_port()
    while not sql_port or sql_port == http_port:
        sql_port = free_port()
    _check_port_free(http_port, "HTTP")
    _check_port_free(sql_port, "SQL")

    directory = Path(tempfile.mkdtemp(prefix="aikg-virtuoso-"))
    (directory / "vsp").mkdir()
    ini = directory / "virtuoso.ini"
    ini.write_text(
        make_ini(
            directory,
            http_port,
            sql_port,
            max_query_execution_time,
            max_query_cost_estimation_time,
            result_set_max_rows,
        )
    )
    stdout = (directory / "stdout.log").open("wb")
    process = subprocess.Popen(
        [server_binary, "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = VirtuosoServer(http_port, sql_port, directory, process, isql_binary)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"virtuoso-t exited with {process.returncode} during start-up\n"
                    + _log_tail(directory)
                )
            try:
                answer = httpx.get(server.sparql_url, params={"query": "ASK {}"}, timeout=2)
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"Virtuoso did not answer on {server.sparql_url} within {startup_timeout} s\n"
                    + _log_tail(directory)
                )
            time.sleep(0.2)
        server.isql("\n".join(SETUP_SQL))
        yield server
    finally:
        terminate(process, grace=20)
        stdout.close()
        shutil.rmtree(directory, ignore_errors=True)
