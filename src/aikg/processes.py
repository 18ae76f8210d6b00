"""Query workers that can be killed: the store lives in a keeper process, queries in forks.

Oxigraph's ``Store.query`` has no timeout and no cancel: an aggregate over a cartesian
product runs inside one call, and some queries crash the engine outright. So the server
never runs a query in its own process:

- the **keeper** process opens the store (in memory or on disk) and does nothing else but
  fork **workers** and apply writes. It is single-threaded, which makes forking safe;
- each **worker** is a fork of the keeper: it shares the store's memory copy-on-write,
  answers jobs one at a time over a socket, and is killed (SIGKILL) when a job outlives
  its deadline, or replaced when it dies (a crash in the engine costs one request);
- the **pool**, in the server process, hands jobs to idle workers, enforces the deadline
  and asks the keeper for replacements. It holds no store at all.

Writes go to the keeper. It first runs the write on a throwaway copy in a forked child
(under the same deadline), validates the result against the shapes, and only then
applies it to the real store: a refused or timed-out write changes nothing. Workers
forked before a write are retired before their next job, so every job dispatched after a
write is acknowledged sees it.

When no SERVICE host is allowed, the keeper moves itself (and so every worker) into a
network namespace of its own with no interfaces: a SERVICE clause the query guard missed
still reaches nothing. (Not with a remote store, which the workers must reach.)
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import queue
import secrets
import select
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from typing import Any

from aikg.config import Settings
from aikg.errors import (
    AikgError,
    EngineCrashError,
    QueryTimeoutError,
    StoreError,
)

_FORK_ATTEMPTS = 5
_FORK_READY_SECONDS = 2.0
_PR_SET_PDEATHSIG = 1
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000


class ServiceBusyError(AikgError):
    """Every worker is busy for longer than the deadline."""

    status = 503
    code = "service-busy"


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when the process that forked it dies."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def isolate_network() -> str:
    """Move this (single-threaded) process into a network namespace with no interfaces.

    Returns how it went: "isolated", or "unavailable: <reason>" where the kernel refuses
    (no CAP_SYS_ADMIN and no unprivileged user namespaces).
    """
    libc = _libc()
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return "isolated"
    return f"unavailable: {os.strerror(ctypes.get_errno())}"


Job = Callable[..., Any]


@dataclass
class _Worker:
    pid: int
    conn: Connection
    generation: int


def streaming(job: Job) -> Job:
    """Mark a read job that streams: it is called with ``emit``, a function that sends one
    chunk of its answer to the pool as soon as it is ready."""
    job.streams = True  # type: ignore[attr-defined]
    return job


def _reply(conn: Connection, job: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run a job and send ("ok", result) or ("error", AikgError) back.

    A streaming job sends ("chunk", data) messages through ``emit``, then ("ok", None).
    """
    try:
        if getattr(job, "streams", False):
            kwargs["emit"] = lambda chunk: conn.send(("chunk", chunk))
        conn.send(("ok", job(*args, **kwargs)))
    except AikgError as error:
        conn.send(("error", error))
    except Exception as error:
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        conn.send(("error", EngineCrashError(f"the engine failed: {detail}")))


def _worker_loop(state: Any, jobs: dict[str, Job], conn: Connection) -> None:
    """A worker: answer jobs until the pool closes the connection."""
    while True:
        try:
            name, kwargs = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        _reply(conn, jobs[name], state, **kwargs)


class _Keeper:
    """The keeper process: owns the state (the knowledge graph), forks workers, writes."""

    def __init__(
        self,
        conn: Connection,
        open_state: Callable[[], Any],
        read_jobs: dict[str, Job],
        write_jobs: dict[str, Job],
        settings: Settings,
    ):
        self.conn = conn
        self.read_jobs = read_jobs
        self.write_jobs = write_jobs
        self.settings = settings
        self.network = "available (SERVICE allow-list is not empty)"
        if settings.remote:
            # The store is across the network; the query guard still refuses SERVICE.
            self.network = "available (the store is remote)"
        elif not settings.service_allowlist:
            self.network = isolate_network()
        self.state = open_state()
        self.version = 0

    def serve(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                break
            kind = message[0]
            if kind == "spawn":
                fd = recv_handle(self.conn)
                self.conn.send(("ok", self._spawn(fd)))
            elif kind == "write":
                _, name, kwargs = message
                _reply(self.conn, self._write, name, kwargs)
            elif kind == "info":
                self.conn.send(("ok", {"version": self.version, "network": self.network}))
            elif kind == "shutdown":
                break
        close = getattr(self.state, "close", None)
        if close:
            close()

    def _fork(self) -> int:
        """Fork a child that can use the store; 0 in the child, its pid in the keeper.

        RocksDB (the store on disk) runs background threads, and a fork copies their
        mutexes as they are: one held at that instant stays held in the child forever,
        and the child's first read hangs on it. So each child first reads the store
        (``probe``) and says it is ready; one that does not within a few seconds is
        killed and forked again, once the background work has moved on.
        """
        probe = getattr(self.state, "probe", None)
        for attempt in range(_FORK_ATTEMPTS):
            ready_read, ready_write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(ready_read)
                _die_with_parent()
                if probe:
                    probe()
                os.write(ready_write, b"R")
                os.close(ready_write)
                return 0
            os.close(ready_write)
            ready, _, _ = select.select([ready_read], [], [], _FORK_READY_SECONDS * (attempt + 1))
            answer = os.read(ready_read, 1) if ready else b""
            os.close(ready_read)
            if answer == b"R":
                return pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        raise StoreError(
            f"a worker could not read the store after {_FORK_ATTEMPTS} attempts",
            hint="check the store directory, and the server's log",
        )

    def _spawn(self, fd: int) -> int:
        pid = self._fork()
        if pid == 0:
            try:
                self.conn.close()
                _worker_loop(self.state, self.read_jobs, Connection(fd))
            finally:
                os._exit(0)
        os.close(fd)
        return pid

    def _write(self, name: str, kwargs: dict[str, Any]) -> Any:
        """Dry-run the write in a forked child under the deadline, then apply it here."""
        job = self.write_jobs[name]
        outcome = self._dry_run(lambda: job(self.state, dry_run=True, **kwargs))
        if isinstance(outcome, BaseException):
            raise outcome
        result = job(self.state, dry_run=False, **kwargs)
        self.version += 1
        return result

    def _dry_run(self, attempt: Callable[[], Any]) -> Any:
        read_end, write_end = os.pipe()
        pid = self._fork()
        if pid == 0:
            os.close(read_end)
            try:
                try:
                    payload = pickle.dumps(("ok", attempt()))
                except AikgError as error:
                    payload = pickle.dumps(("error", error))
                except Exception as error:
                    payload = pickle.dumps(
                        ("error", EngineCrashError(f"the write failed: {error}"))
                    )
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
            finally:
                os._exit(0)
        os.close(write_end)
        chunks: list[bytes] = []
        deadline = time.monotonic() + self.settings.query_timeout
        with os.fdopen(read_end, "rb") as source:
            while True:
                remaining = deadline - time.monotonic()
                ready, _, _ = select.select([source], [], [], max(0.0, remaining))
                if not ready:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    return QueryTimeoutError(
                        f"the write did not finish within {self.settings.query_timeout:g} s "
                        "and was stopped; nothing was changed",
                        hint="simplify the update, or raise AIKG_QUERY_TIMEOUT",
                    )
                chunk = source.read1(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        if not chunks:
            return EngineCrashError("the write crashed the engine; nothing was changed")
        status, value = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child
        if status == "error":
            return value
        return None


class WorkerPool:
    """Killable query workers behind a keeper process (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        open_state: Callable[[], Any],
        read_jobs: dict[str, Job],
        write_jobs: dict[str, Job],
    ):
        self.settings = settings
        self.instance = secrets.token_hex(4)
        self._control_lock = threading.Lock()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._generation = 0
        self._closed = False
        main_end, keeper_end = _socket_pair()
        pid = os.fork()
        if pid == 0:  # the keeper
            try:
                main_end.close()
                _die_with_parent()
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
                try:
                    keeper = _Keeper(keeper_end, open_state, read_jobs, write_jobs, settings)
                except AikgError as error:
                    keeper_end.send(("error", error))
                else:
                    keeper_end.send(("ok", keeper.network))
                    keeper.serve()
            finally:
                os._exit(0)
        keeper_end.close()
        self.keeper_pid = pid
        self._control = main_end
        status, value = self._control.recv()
        if status == "error":
            raise value
        self.network: str = value
        self.version = 0
        for _ in range(settings.workers):
            self._idle.put(self._spawn())

    # -- control channel --------------------------------------------------------------

    def _call(self, *message: Any, fd: int | None = None) -> Any:
        with self._control_lock:
            try:
                self._control.send(message)
                if fd is not None:
                    send_handle(self._control, fd, self.keeper_pid)
                status, value = self._control.recv()
            except (EOFError, OSError, BrokenPipeError):
                raise StoreError(
                    "the store process has stopped",
                    hint="restart the server; a persistent store keeps every acknowledged write",
                ) from None
        if status == "error":
            raise value
        return value

    def _spawn(self) -> _Worker:
        ours, theirs = _socket_pair()
        try:
            pid = self._call("spawn", fd=theirs.fileno())
        finally:
            theirs.close()
        return _Worker(pid=pid, conn=ours, generation=self._generation)

    def _kill(self, worker: _Worker) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.conn.close()

    # -- jobs -------------------------------------------------------------------------

    def _next_idle(self) -> _Worker:
        """The next free worker, waiting in line up to AIKG_QUEUE_TIMEOUT (not the query's
        deadline: under load a request waits its turn rather than failing)."""
        wait = self.settings.queue_timeout
        try:
            return self._idle.get(timeout=wait)
        except queue.Empty:
            raise ServiceBusyError(
                f"every worker stayed busy for {wait:g} s",
                hint="retry later; AIKG_WORKERS sets how many queries run at once",
            ) from None

    def run(self, name: str, timeout: float | None = None, **kwargs: Any) -> Any:
        """Run a read job in a worker; kill the worker if it outlives ``timeout``."""
        if self._closed:
            raise StoreError("the service is shutting down", hint="retry in a moment")
        timeout = self.settings.query_timeout if timeout is None else timeout
        worker = self._next_idle()
        if worker.generation != self._generation:
            self._kill(worker)  # forked before the last write: its data is stale
            worker = self._spawn()
        try:
            worker.conn.send((name, kwargs))
            if not worker.conn.poll(timeout):
                self._kill(worker)
                worker = self._spawn()
                raise QueryTimeoutError(
                    f"the query did not finish within {timeout:g} s and was stopped",
                    hint="add LIMIT, narrow the patterns, or raise AIKG_QUERY_TIMEOUT",
                )
            try:
                status, value = worker.conn.recv()
            except (EOFError, OSError):
                self._kill(worker)
                worker = self._spawn()
                raise EngineCrashError(
                    "the query crashed the engine; the service is still running",
                    hint="simplify the query; report it if it is valid SPARQL",
                ) from None
        finally:
            self._idle.put(worker)
        if status == "error":
            raise value
        return value

    def stream(self, name: str, timeout: float | None = None, **kwargs: Any) -> Iterator[Any]:
        """Run a streaming read job; each chunk must come within ``timeout`` of the last.

        A consumer that stops early (a client that hangs up) costs the worker, which is
        killed mid-stream and replaced.
        """
        timeout = self.settings.query_timeout if timeout is None else timeout
        worker = self._next_idle()
        if worker.generation != self._generation:
            self._kill(worker)
            worker = self._spawn()
        finished = False
        try:
            worker.conn.send((name, kwargs))
            while True:
                if not worker.conn.poll(timeout):
                    raise QueryTimeoutError(
                        f"no progress for {timeout:g} s; stopped",
                        hint="retry, or raise AIKG_QUERY_TIMEOUT",
                    )
                try:
                    status, value = worker.conn.recv()
                except (EOFError, OSError):
                    raise EngineCrashError("the engine stopped while streaming") from None
                if status == "chunk":
                    yield value
                elif status == "ok":
                    finished = True
                    return
                else:
                    finished = True
                    raise value
        finally:
            if not finished:
                self._kill(worker)
                worker = self._spawn()
            self._idle.put(worker)

    def write(self, name: str, **kwargs: Any) -> Any:
        """Run a write job in the keeper: dry run, validation, then the real write."""
        result = self._call("write", name, kwargs)
        self.version = self._call("info")["version"]
        self._generation += 1
        return result

    def close(self) -> None:
        """Stop the workers and the keeper (which flushes a persistent store)."""
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                self._kill(self._idle.get_nowait())
            except queue.Empty:
                break
        with self._control_lock, contextlib.suppress(OSError, BrokenPipeError):
            self._control.send(("shutdown",))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                done, _ = os.waitpid(self.keeper_pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done:
                break
            time.sleep(0.02)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.keeper_pid, signal.SIGKILL)
        self._control.close()


def _socket_pair() -> tuple[Connection, Connection]:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    return Connection(left.detach()), Connection(right.detach())
