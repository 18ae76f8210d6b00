"""Query workers that can be killed, and a pool that heals when they die.

Oxigraph's ``Store.query`` has no timeout and no cancel: an aggregate over a cartesian
product runs inside one call, and some queries crash the engine outright. So the server
never runs a query in its own process:

- the **keeper** process opens the store (in memory or on disk) and does nothing else but
  fork **workers** and apply writes. It is single-threaded, which makes forking safe. It is
  started as a fresh interpreter (fork and exec), so that the server can start a new one
  at any time, from any thread, if the keeper dies;
- each **worker** is a fork of the keeper: it shares the store's memory copy-on-write,
  answers jobs one at a time over a socket, and is killed (SIGKILL) when a job outlives
  its deadline; the kernel kills it too when the keeper dies;
- the **pool**, in the server process, hands jobs to live workers, enforces the deadline,
  replaces every worker that dies (idle or mid-job: the out-of-memory killer does not
  ask) and restarts the keeper if it dies. It holds no store at all.

A supervisor thread of the pool checks every ``SUPERVISE_SECONDS`` that the keeper lives
and that every idle worker still answers (an idle worker's socket turns readable only when
it has died), and refills the pool to its size. A job is never handed to a dead worker:
the hand-over is checked, and a failed one is retried once on a fresh worker.

Writes go to the keeper. It first runs the write on a throwaway copy in a forked child
(under the same deadline), validates the result against the shapes, and only then
applies it to the real store: a refused or timed-out write changes nothing. Workers
forked before a write are retired before their next job, so every job dispatched after a
write is acknowledged sees it.

When no SERVICE host is allowed, the keeper moves itself (and so every worker) into a
network namespace of its own with no interfaces: a SERVICE clause the query guard missed
still reaches nothing. (Not with a remote store, which the workers must reach.)

The jobs are named by a module (``jobs_module``) that defines ``open_state(settings)``,
``READ_JOBS`` and ``WRITE_JOBS``: the keeper, a new interpreter, imports it by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import importlib
import logging
import os
import pickle
import secrets
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from typing import Any

from aikg.config import Settings
from aikg.errors import (
    AikgError,
    AnswerTooLargeError,
    EngineCrashError,
    QueryMemoryError,
    QueryTimeoutError,
    ServiceBusyError,
    StoreError,
)
from aikg.machine import libc
from aikg.workers import memory
from aikg.workers.wire import READ_BYTES, Frames, frame, write_all

log = logging.getLogger("aikg.workers")

_FORK_ATTEMPTS = 5
_FORK_READY_SECONDS = 2.0
_PR_SET_PDEATHSIG = 1
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
SUPERVISE_SECONDS = 0.2
"""How often the supervisor looks for dead workers and a dead keeper."""
KEEPER_START_SECONDS = 120.0
"""How long a new keeper may take to open the store (a large store on disk is slow)."""
SPOOL_MEMORY_BYTES = 4 * 1024 * 1024
"""A streamed answer beyond this size is spooled to a temporary file, not kept in memory."""
SPOOL_CHUNK_BYTES = 1024 * 1024
DIRECT_WRITE_BYTES = 32 * 1024
"""A job up to this size is written to an idle worker's socket at once (a Unix socket's
buffer holds far more, and an idle worker has read all it was sent)."""


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when the thread that forked it dies.

    Only for workers: the keeper forks them from its one thread, which lives as long as
    the keeper does.
    """
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def isolate_network() -> str:
    """Move this (single-threaded) process into a network namespace with no interfaces.

    Returns how it went: "isolated", or "unavailable: <reason>" where the kernel refuses
    (no CAP_SYS_ADMIN and no unprivileged user namespaces).
    """
    c_library = libc()
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if c_library.unshare(flags) == 0:
            return "isolated"
    return f"unavailable: {os.strerror(ctypes.get_errno())}"


Job = Callable[..., Any]


def streaming(job: Job) -> Job:
    """Mark a read job that streams: it is called with ``emit``, a function that sends one
    chunk of its answer to the pool as soon as it is ready."""
    job.streams = True  # type: ignore[attr-defined]
    return job


def _reply(
    conn: Connection,
    job: Callable[..., Any],
    *args: Any,
    max_bytes: int | None = None,
    **kwargs: Any,
) -> None:
    """Run a job and send ("ok", result) or ("error", AikgError) back.

    A streaming job sends ("chunk", data) messages through ``emit``, then ("ok", None).
    An unexpected exception comes back as an EngineCrashError that carries the traceback
    (the server logs it; the client sees only the one-line summary). An answer of more
    than ``max_bytes`` is refused here: the server would hold it whole, twice over while
    it is read (a stream's chunks go to a file instead).
    """
    try:
        if getattr(job, "streams", False):
            kwargs["emit"] = lambda chunk: conn.send(("chunk", chunk))
        answer = pickle.dumps(("ok", job(*args, **kwargs)), protocol=pickle.HIGHEST_PROTOCOL)
        if max_bytes is not None and len(answer) > max_bytes:
            raise AnswerTooLargeError(
                f"the answer takes {len(answer) / memory.MB:,.0f} MB, more than the "
                f"{max_bytes / memory.MB:,.0f} MB an answer may",
                hint="ask for fewer rows or shorter values (LIMIT), download a dump for "
                "the whole graph, or raise AIKG_MAX_ANSWER_BYTES",
            )
        conn.send_bytes(answer)
    except AikgError as error:
        conn.send(("error", error))
    except Exception as error:
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        crash = EngineCrashError(f"the engine failed: {detail}")
        crash.traceback = traceback.format_exc()  # type: ignore[attr-defined]
        conn.send(("error", crash))


def _worker_loop(state: Any, jobs: dict[str, Job], conn: Connection, max_bytes: int) -> None:
    """A worker: answer jobs (each of at most ``max_bytes``) until the pool closes the
    connection."""
    while True:
        try:
            name, kwargs = conn.recv()
            conn.send(("taken", None))  # the pool knows the job reached a live worker
        except (EOFError, OSError):
            os._exit(0)
        _reply(conn, jobs[name], state, max_bytes=max_bytes, **kwargs)


# -- the keeper (its own process) -----------------------------------------------------


class _Keeper:
    """The keeper process: owns the state (the knowledge graph), forks workers, writes."""

    def __init__(self, conn: Connection, jobs_module: str, settings: Settings):
        self.conn = conn
        jobs = importlib.import_module(jobs_module)
        self.read_jobs: dict[str, Job] = jobs.READ_JOBS
        self.write_jobs: dict[str, Job] = jobs.WRITE_JOBS
        self.settings = settings
        self.network = "available (SERVICE allow-list is not empty)"
        if settings.remote:
            # The store is across the network; the query guard still refuses SERVICE.
            self.network = "available (the store is remote)"
        elif not settings.service_allowlist:
            self.network = isolate_network()
        self.state = jobs.open_state(settings)
        self.version = 0
        # Once the store is open: an automatic budget shares what the store left.
        self.memory = memory.query_budget(settings.query_memory, settings.workers)

    def serve(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                break  # the server is gone: so is the reason to live
            kind = message[0]
            if kind == "spawn":
                fd = recv_handle(self.conn)
                self.conn.send(("ok", self._spawn(fd)))
            elif kind == "write":
                _, name, kwargs = message
                _reply(self.conn, self._write, name, kwargs)
            elif kind == "info":
                # The state's own fingerprint of its data (None if it has none): equal
                # for equal data, across restarts and processes.
                data = getattr(self.state, "data_version", None)
                info = {
                    "version": self.version,
                    "network": self.network,
                    "data": data,
                    "memory": self.memory,
                }
                self.conn.send(("ok", info))
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
                answer = self.settings.max_answer_bytes
                _worker_loop(self.state, self.read_jobs, Connection(fd), answer)
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
        forked_with = memory.private_bytes(pid)

        def stopped(error: AikgError) -> AikgError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return error

        with os.fdopen(read_end, "rb") as source:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return stopped(
                        QueryTimeoutError(
                            f"the write did not finish within {self.settings.query_timeout:g} "
                            "s and was stopped; nothing was changed",
                            hint="simplify the update, or raise AIKG_QUERY_TIMEOUT",
                        )
                    )
                wait = min(remaining, memory.WATCH_SECONDS)
                ready, _, _ = select.select([source], [], [], wait)
                if not ready:
                    grown = memory.growth(pid, forked_with)
                    if grown is not None and grown > self.memory:
                        return stopped(
                            QueryMemoryError(
                                f"the write took more than {self.memory // memory.MB:,} MB "
                                "of memory and was stopped; nothing was changed",
                                hint="simplify the update, or raise AIKG_QUERY_MEMORY",
                            )
                        )
                    continue
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


def keeper_main() -> None:
    """The keeper's entry point, in a new interpreter: ``python -c ... <fd>``.

    The server passes one end of a socket pair as the only argument, then sends the jobs
    module's name and the settings over it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    conn = Connection(int(sys.argv[1]))
    jobs_module, settings = conn.recv()
    try:
        keeper = _Keeper(conn, jobs_module, settings)
    except AikgError as error:
        conn.send(("error", error))
    except Exception as error:
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        conn.send(("error", StoreError(f"the store could not be opened: {detail}")))
    else:
        conn.send(("ok", keeper.network))
        keeper.serve()
    os._exit(0)


@dataclass
class _KeeperHandle:
    """The server's side of one keeper process."""

    process: subprocess.Popen[bytes]
    control: Connection
    network: str
    instance: str = field(default_factory=lambda: secrets.token_hex(4))
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


def _start_keeper(settings: Settings, jobs_module: str) -> _KeeperHandle:
    """Start a keeper in a new interpreter and wait until its store is open."""
    ours, theirs = _socket_pair()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-c",
            "from aikg.workers.pool import keeper_main; keeper_main()",
            str(theirs.fileno()),
        ],
        pass_fds=(theirs.fileno(),),
        stdin=subprocess.DEVNULL,
    )
    theirs.close()
    try:
        ours.send((jobs_module, settings))
        if not ours.poll(KEEPER_START_SECONDS):
            raise StoreError(
                f"the store process did not open the store within {KEEPER_START_SECONDS:g} s",
                hint="check the store directory, and the server's log",
            )
        status, value = ours.recv()
    except (EOFError, OSError):
        value = StoreError(
            "the store process exited while opening the store",
            hint="check the server's log for the reason",
        )
        status = "error"
    if status == "error":
        process.kill()
        process.wait()
        ours.close()
        raise value
    return _KeeperHandle(process=process, control=ours, network=value)


# -- the pool (in the server process) --------------------------------------------------


@dataclass(eq=False)
class _Worker:
    pid: int
    conn: Connection
    generation: int
    forked_with: int | None = None
    """Its anonymous memory when it was ready, the store it shares included (see
    :mod:`aikg.workers.memory`); None where it cannot be read."""
    over_memory: bool = False
    """Stopped by the pool for taking more memory than a query may."""

    def looks_dead(self) -> bool:
        """An idle worker never speaks first: a readable socket means it has died."""
        try:
            return self.conn.poll(0)
        except (OSError, ValueError):
            return True


@dataclass
class _Lease:
    """A worker checked out for one job, and whether it finished cleanly."""

    worker: _Worker
    clean: bool = False


class _KeeperGone(Exception):
    """The keeper's control channel broke: the keeper has died (or must be replaced)."""


@dataclass(frozen=True)
class PoolStatus:
    """What ``/health`` reports about the pool."""

    size: int
    live: int
    busy: int
    keeper_alive: bool
    restarts: int
    replaced_workers: int

    @property
    def healthy(self) -> bool:
        return self.keeper_alive and self.live >= self.size


class WorkerPool:
    """Killable query workers behind a keeper process (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        jobs_module: str = "aikg.workers.jobs",
        account: Callable[[float], None] | None = None,
    ):
        """``account`` is told the seconds each job held its worker (for fair shares)."""
        self.settings = settings
        self.jobs_module = jobs_module
        self.account = account
        self.size = settings.workers
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()
        """Requests on an event loop waiting for a free worker (threads wait on _cond)."""
        self._busy = 0
        self._generation = 0
        self._closed = False
        self._restart_lock = threading.Lock()
        self.restarts = 0
        self.replaced_workers = 0
        self.version = 0
        self._live: dict[int, _Worker] = {}
        """Every worker forked and not yet killed, idle or busy, by pid: whose memory the
        watcher reads."""
        self._live_lock = threading.Lock()
        self._keeper = _start_keeper(settings, jobs_module)
        self.network: str = self._keeper.network
        info = self._call("info")
        self.data_version: str | None = info["data"]
        """The keeper's fingerprint of its data (see ``KnowledgeGraph.data_version``)."""
        self.memory_budget: int = info["memory"]
        """Bytes a query may grow its worker by (see :mod:`aikg.workers.memory`)."""
        log.info(
            "a query may take %s MB of memory beyond the store (AIKG_QUERY_MEMORY)",
            f"{self.memory_budget // memory.MB:,}",
        )
        for _ in range(self.size):
            self._idle.append(self._spawn())
        if any(worker.forked_with is None for worker in self._idle):
            log.warning(
                "the memory of query workers cannot be read here (no /proc/PID/status): "
                "AIKG_QUERY_MEMORY is not applied"
            )
        self._supervisor = threading.Thread(
            target=self._supervise, name="aikg-pool-supervisor", daemon=True
        )
        self._supervisor.start()
        self._memory_watch = threading.Thread(
            target=self._watch_memory, name="aikg-pool-memory", daemon=True
        )
        self._memory_watch.start()

    @property
    def instance(self) -> str:
        """Changes whenever a new keeper starts (an in-memory store starts afresh then)."""
        return self._keeper.instance

    @property
    def keeper_pid(self) -> int:
        return self._keeper.process.pid

    # -- the keeper -----------------------------------------------------------------

    def _call(
        self, *message: Any, fd: int | None = None, keeper: _KeeperHandle | None = None
    ) -> Any:
        """Send the keeper a message and wait for its answer; _KeeperGone if it has died."""
        keeper = keeper or self._keeper
        with keeper.lock:
            try:
                keeper.control.send(message)
                if fd is not None:
                    send_handle(keeper.control, fd, keeper.process.pid)
                status, value = keeper.control.recv()
            except (EOFError, OSError):
                raise _KeeperGone from None
        if status == "error":
            raise value
        return value

    def _restart_keeper(self, dead: _KeeperHandle) -> None:
        """Start a new keeper in place of ``dead`` (once, whoever notices first).

        A keeper whose control channel broke is of no use even if it still runs: it is
        killed, then replaced.
        """
        with self._restart_lock:
            if self._keeper is not dead or self._closed:
                return  # another thread already did
            with contextlib.suppress(ProcessLookupError):
                dead.process.kill()
            code = dead.process.wait()
            log.error(
                "the store process (pid %d) died (%s); starting a new one",
                dead.process.pid,
                _exit_reason(code),
            )
            if self.version and not self.settings.store:
                log.warning(
                    "the store was in memory: the %d write(s) applied since start are lost",
                    self.version,
                )
            with contextlib.suppress(OSError):
                dead.control.close()
            with self._cond:
                stale, self._idle = self._idle, []
            for worker in stale:
                self._kill(worker)  # dead already with their keeper, as a rule
            self._keeper = _start_keeper(self.settings, self.jobs_module)
            self.network = self._keeper.network
            self.version = 0
            info = self._call("info")
            self.data_version, self.memory_budget = info["data"], info["memory"]
            self.restarts += 1
            self._generation += 1
            log.warning("a new store process (pid %d) is serving", self._keeper.process.pid)

    # -- workers ----------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        """A new worker; if the keeper has died, a new keeper first (one retry)."""
        for _attempt in range(2):
            keeper = self._keeper
            generation = self._generation
            ours, theirs = _socket_pair()
            try:
                pid = self._call("spawn", fd=theirs.fileno(), keeper=keeper)
            except _KeeperGone:
                ours.close()
                self._restart_keeper(keeper)
                continue
            except BaseException:
                ours.close()
                raise
            finally:
                theirs.close()
            worker = _Worker(pid, ours, generation, forked_with=memory.private_bytes(pid))
            with self._live_lock:
                self._live[pid] = worker
            return worker
        raise StoreError(
            "the store process keeps stopping; no query worker could be started",
            hint="check the server's log (memory, the store directory)",
        )

    def _kill(self, worker: _Worker) -> None:
        with self._live_lock:
            if self._live.get(worker.pid) is worker:
                del self._live[worker.pid]
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.conn.close()

    def _replace(self, worker: _Worker, why: str) -> _Worker:
        self._kill(worker)
        if why:
            self.replaced_workers += 1
            log.warning("query worker %d %s; replacing it", worker.pid, why)
        return self._spawn()

    def _reap_idle(self) -> list[_Worker]:
        """Take the dead ones out of the idle list (the caller replaces them)."""
        with self._cond:
            dead = [w for w in self._idle if w.looks_dead()]
            if dead:
                self._idle = [w for w in self._idle if w not in dead]
        return dead

    def _supervise(self) -> None:
        """Keep the keeper alive and the pool at full strength."""
        while not self._closed:
            time.sleep(SUPERVISE_SECONDS)
            try:
                keeper = self._keeper
                if not keeper.alive:
                    self._restart_keeper(keeper)
                for worker in self._reap_idle():
                    self._kill(worker)
                    self.replaced_workers += 1
                    log.warning("idle query worker %d died; replacing it", worker.pid)
                while not self._closed:
                    with self._cond:
                        missing = self.size - len(self._idle) - self._busy
                    if missing <= 0:
                        break
                    fresh = self._spawn()
                    self._check_in(fresh, counted=False)
            except AikgError as error:
                log.error("the pool could not replace a worker: %s", error.message)
                time.sleep(1.0)
            except Exception:
                log.exception("the pool's supervisor failed; it carries on")
                time.sleep(1.0)

    def _watch_memory(self) -> None:
        """Stop a query that takes more than its budget of memory (see
        :mod:`aikg.workers.memory`)."""
        while not self._closed:
            time.sleep(memory.WATCH_SECONDS)
            try:
                self._stop_the_greedy()
            except Exception:  # the watch must outlive anything one look runs into
                log.exception("the pool's memory watch failed; it carries on")
                time.sleep(1.0)

    def _stop_the_greedy(self) -> None:
        budget = self.memory_budget
        with self._live_lock:
            workers = list(self._live.values())
        for worker in workers:
            grown = memory.growth(worker.pid, worker.forked_with)
            if grown is None or grown <= budget or worker.over_memory:
                continue
            with self._live_lock:
                # Still the worker read (a pid is reused only after the kernel has gone
                # through every other, and a worker leaves this map when it is killed).
                if self._live.get(worker.pid) is not worker:
                    continue
                worker.over_memory = True
                # Only signalled: whoever waits on its job closes its socket (see
                # _exchange) and tells the client why (_died).
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)
            log.warning(
                "query worker %d took %s MB, more than a query may (%s MB); stopping it",
                worker.pid,
                f"{grown // memory.MB:,}",
                f"{budget // memory.MB:,}",
            )

    def _kept_too_much(self, worker: _Worker) -> bool:
        """Whether a worker that has just finished a job still holds more than a share of
        the budget (an allocator keeps what it freed), which the next query would not have:
        it is then replaced, not given another job. A read of a few microseconds, made
        before the worker is idle again (a watch of idle workers would come too late: the
        worker that finished last takes the next job)."""
        grown = memory.growth(worker.pid, worker.forked_with)
        if grown is None or grown <= self.memory_budget // memory.IDLE_SHARE:
            return False
        self.replaced_workers += 1
        log.info(
            "query worker %d kept %s MB from its job; replacing it",
            worker.pid,
            f"{grown // memory.MB:,}",
        )
        return True

    def status(self) -> PoolStatus:
        """Live and busy workers now (dead idle ones are not counted)."""
        with self._cond:
            live = sum(1 for w in self._idle if not w.looks_dead()) + self._busy
            busy = self._busy
        return PoolStatus(
            size=self.size,
            live=live,
            busy=busy,
            keeper_alive=self._keeper.alive,
            restarts=self.restarts,
            replaced_workers=self.replaced_workers,
        )

    def _check_out(self) -> _Worker:
        """The next free worker, waiting in line up to AIKG_QUEUE_TIMEOUT (not the query's
        deadline: under load a request waits its turn rather than failing)."""
        if self._closed:
            raise StoreError("the service is shutting down", hint="retry in a moment")
        wait = self.settings.queue_timeout
        with self._cond:
            if not self._cond.wait_for(lambda: self._idle or self._closed, timeout=wait):
                raise ServiceBusyError(
                    f"every worker stayed busy for {wait:g} s",
                    hint="retry later; AIKG_WORKERS sets how many queries run at once",
                )
            if self._closed:
                raise StoreError("the service is shutting down", hint="retry in a moment")
            worker = self._take_idle()
            self._busy += 1
        try:
            if worker.looks_dead():
                return self._replace(worker, "died while idle")
            if worker.generation != self._generation:
                return self._replace(worker, "")  # forked before the last write: stale data
            return worker
        except BaseException:
            self._check_in(None)
            raise

    def _take_idle(self) -> _Worker:
        """The idle worker that finished last (called under ``_cond``, with one idle).

        Last in, first out: a worker that has just answered still has its pages in the
        CPU's caches, and the others stay asleep. Taken in turn, each of four workers ran
        its job cold: a one-lookup job, 0.19 ms in process, took 1.0 ms from the event
        loop; taken last in, first out, 0.8 ms.
        """
        return self._idle.pop()

    def _check_in(self, worker: _Worker | None, *, counted: bool = True) -> None:
        """Return a worker to the pool (None: the request's worker is gone, and the
        supervisor will refill the pool)."""
        with self._cond:
            if counted:
                self._busy -= 1
            if worker is not None:
                if self._closed:
                    self._kill(worker)
                    return
                self._idle.append(worker)
            self._cond.notify()
            self._wake_one()

    def _wake_one(self) -> None:
        """Tell the first request waiting on an event loop that a worker may be free
        (it looks again: a thread may have taken it first). Called under ``_cond``."""
        while self._waiters:
            loop, waiter = self._waiters.popleft()
            if not waiter.done():
                with contextlib.suppress(RuntimeError):  # that loop is closed
                    loop.call_soon_threadsafe(_resolve, waiter)
                    return

    @contextlib.contextmanager
    def _job(self, name: str, kwargs: dict[str, Any]) -> Iterator[_Lease]:
        """Check out a live worker and hand it the job.

        Afterwards the worker goes back to the pool if the body marked the lease
        ``clean`` (it read the job's whole answer); otherwise it is killed, since a worker
        in an unknown state is never given another job, and a fresh one takes its place.
        """
        lease = _Lease(self._check_out())
        started = time.monotonic()
        try:
            if not self._hand_over(lease.worker, name, kwargs):
                # It died between the check and the hand-over: once more, on a fresh one.
                lease.worker = self._replace(lease.worker, "died before taking its job")
                if not self._hand_over(lease.worker, name, kwargs):
                    raise EngineCrashError(
                        "two query workers in a row died before taking the job",
                        hint="retry; the server's log says why its workers die",
                    )
            yield lease
        finally:
            if self.account:
                self.account(time.monotonic() - started)
            if lease.clean and not self._kept_too_much(lease.worker):
                self._check_in(lease.worker)
            elif lease.clean:
                # Its answer is in: the caller does not wait for a fork (the supervisor
                # forks its successor).
                self._kill(lease.worker)
                self._check_in(None)
            else:
                self._kill(lease.worker)
                fresh: _Worker | None = None
                with contextlib.suppress(AikgError):
                    fresh = self._spawn()  # else the supervisor refills the pool
                self._check_in(fresh)

    def _hand_over(self, worker: _Worker, name: str, kwargs: dict[str, Any]) -> bool:
        """Send a job and wait for the worker to say it has taken it; False if the worker
        turned out to be dead (a job it never took can safely go to another)."""
        try:
            worker.conn.send((name, kwargs))
            if not worker.conn.poll(self.settings.query_timeout):
                self._kill(worker)
                raise QueryTimeoutError(
                    f"a query worker did not take its job within {self.settings.query_timeout:g} s",
                    hint="the server is overloaded; retry later",
                )
            taken = worker.conn.recv()
        except (EOFError, OSError, ValueError):
            return False
        return bool(taken[0] == "taken")

    def _receive(self, worker: _Worker, timeout: float, what: str) -> tuple[str, Any]:
        """The worker's next message within ``timeout``; the worker is killed otherwise."""
        if not worker.conn.poll(timeout):
            self._kill(worker)
            raise QueryTimeoutError(
                f"{what} did not finish within {timeout:g} s and was stopped",
                hint="add LIMIT, narrow the patterns, or raise AIKG_QUERY_TIMEOUT",
            )
        try:
            message: tuple[str, Any] = worker.conn.recv()
        except (EOFError, OSError):
            self._kill(worker)
            raise self._died(worker) from None
        if message[0] == "error":
            _log_crash(message[1])
        return message

    def run(self, name: str, timeout: float | None = None, **kwargs: Any) -> Any:
        """Run a read job in a worker; kill the worker if it outlives ``timeout``."""
        timeout = self.settings.query_timeout if timeout is None else timeout
        with self._job(name, kwargs) as lease:
            status, value = self._receive(lease.worker, timeout, "the query")
            lease.clean = True
        if status == "error":
            raise value
        return value

    def stream(self, name: str, timeout: float | None = None, **kwargs: Any) -> Iterator[bytes]:
        """Run a streaming read job: its whole answer is taken from the worker first
        (spooled to a temporary file past a few MB), then handed out in chunks.

        So a client that reads slowly holds a file, never a worker: the worker is back in
        the pool as soon as it has produced the answer. Each chunk must come within
        ``timeout`` of the last.
        """
        timeout = self.settings.query_timeout if timeout is None else timeout
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
        try:
            with self._job(name, kwargs) as lease:
                while True:
                    status, value = self._receive(lease.worker, timeout, "the answer")
                    if status == "chunk":
                        spool.write(value)
                        continue
                    lease.clean = True
                    if status == "error":
                        raise value
                    break
            spool.seek(0)
            while chunk := spool.read(SPOOL_CHUNK_BYTES):
                yield chunk
        finally:
            spool.close()

    # -- from the event loop ------------------------------------------------------------
    #
    # A query job of the HTTP server is handed to its worker from the event loop itself:
    # a hop to a thread and back, and a thread blocked on the socket, cost more than the
    # rest of a one-lookup request. The guarantees are the thread path's: the job runs in
    # a worker that is killed at its deadline (a timer on the loop sends SIGKILL), a worker
    # that dies before taking its job is replaced and the job retried once, and a worker
    # that did not finish cleanly is never given another job. Only forking a worker (a
    # call to the keeper, which blocks) goes to a thread.

    async def run_async(self, name: str, timeout: float | None = None, **kwargs: Any) -> Any:
        """:meth:`run`, awaited on the event loop: the same job, deadline and answer."""
        timeout = self.settings.query_timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        worker = await self._check_out_async(loop)
        started = time.monotonic()
        payload = frame((name, kwargs))
        clean = False
        try:
            message = await self._exchange(loop, worker, payload, timeout)
            if message is None:
                # It died between the check and the hand-over: once more, on a fresh one.
                worker = await self._replace_async(loop, worker, "died before taking its job")
                message = await self._exchange(loop, worker, payload, timeout)
                if message is None:
                    raise EngineCrashError(
                        "two query workers in a row died before taking the job",
                        hint="retry; the server's log says why its workers die",
                    )
            clean = True
        finally:
            if self.account:
                self.account(time.monotonic() - started)
            if clean and not self._kept_too_much(worker):
                self._check_in(worker)
            else:
                # In an unknown state (past its deadline, dead, or its request cancelled):
                # killed, and a fresh worker forked in its place off the loop.
                self._kill(worker)
                loop.run_in_executor(None, self._refill)
        status, value = message
        if status == "error":
            raise value
        return value

    async def _replace_async(
        self, loop: asyncio.AbstractEventLoop, worker: _Worker, why: str
    ) -> _Worker:
        """:meth:`_replace` in a thread (forking asks the keeper, which blocks). If the
        request is cancelled meanwhile, the fresh worker is killed when it comes: the
        request's slot is given back by its caller, and the supervisor refills it."""
        forking = loop.run_in_executor(None, self._replace, worker, why)
        try:
            return await asyncio.shield(forking)
        except asyncio.CancelledError:
            forking.add_done_callback(
                lambda done: (
                    None
                    if done.cancelled() or done.exception() is not None
                    else self._kill(done.result())
                )
            )
            raise

    def _refill(self) -> None:
        """Fork a worker in place of one killed mid-job (else the supervisor will)."""
        fresh: _Worker | None = None
        try:
            fresh = self._spawn()
        except AikgError as error:
            log.error("the pool could not replace a worker: %s", error.message)
        finally:
            self._check_in(fresh)

    async def _check_out_async(self, loop: asyncio.AbstractEventLoop) -> _Worker:
        """:meth:`_check_out` for the event loop: wait in line without a thread."""
        deadline = loop.time() + self.settings.queue_timeout
        while True:
            with self._cond:
                if self._closed:
                    raise StoreError("the service is shutting down", hint="retry in a moment")
                if self._idle:
                    worker = self._take_idle()
                    self._busy += 1
                    break
                waiter: asyncio.Future[None] = loop.create_future()
                self._waiters.append((loop, waiter))
            try:
                await asyncio.wait_for(waiter, timeout=max(0.0, deadline - loop.time()))
            except TimeoutError:
                with self._cond:
                    if self._idle or self._closed:
                        continue  # freed as time ran out: look once more
                wait = self.settings.queue_timeout
                raise ServiceBusyError(
                    f"every worker stayed busy for {wait:g} s",
                    hint="retry later; AIKG_WORKERS sets how many queries run at once",
                ) from None
            except asyncio.CancelledError:
                with self._cond:
                    if waiter.done() and not waiter.cancelled():
                        self._wake_one()  # the wake-up was ours: pass it on
                raise
        try:
            if worker.looks_dead():
                return await self._replace_async(loop, worker, "died while idle")
            if worker.generation != self._generation:
                # Forked before the last write: stale data.
                return await self._replace_async(loop, worker, "")
            return worker
        except BaseException:
            self._check_in(None)
            raise

    async def _exchange(
        self, loop: asyncio.AbstractEventLoop, worker: _Worker, payload: bytes, timeout: float
    ) -> tuple[str, Any] | None:
        """Hand a worker its job (a frame) and wait for its answer on the loop; None if
        the worker was dead before it took the job (it may safely go to another).

        The worker first says it has taken the job, within the query deadline (as in
        :meth:`_hand_over`), then answers within ``timeout``; it is killed when either
        runs out.
        """
        fd = worker.conn.fileno()
        frames = Frames()
        answer: asyncio.Future[tuple[str, Any] | None] = loop.create_future()
        taken = False

        # The callbacks only signal the worker: its socket is closed after the reader is
        # off the loop (a closed descriptor's number can be reused at once).
        def expire(message: str, hint: str) -> None:
            if not answer.done():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)
                answer.set_exception(QueryTimeoutError(message, hint=hint))

        take = self.settings.query_timeout
        timer = loop.call_later(
            take,
            expire,
            f"a query worker did not take its job within {take:g} s",
            "the server is overloaded; retry later",
        )

        def readable() -> None:
            nonlocal taken, timer
            try:
                data = os.read(fd, READ_BYTES)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                if answer.done():
                    return
                if taken:
                    answer.set_exception(self._died(worker))
                else:
                    answer.set_result(None)
                return
            frames.feed(data)
            for message in frames.messages():
                if message[0] == "taken" and not taken:
                    taken = True
                    timer.cancel()
                    timer = loop.call_later(
                        timeout,
                        expire,
                        f"the query did not finish within {timeout:g} s and was stopped",
                        "add LIMIT, narrow the patterns, or raise AIKG_QUERY_TIMEOUT",
                    )
                elif not answer.done():
                    answer.set_result(message)

        # The socket stays blocking (the thread path's Connection needs it so): a read
        # happens only when the loop says it is readable, and a small job is written at
        # once into the empty buffer of an idle worker's socket. A large one is written
        # without blocking.
        large = len(payload) > DIRECT_WRITE_BYTES
        loop.add_reader(fd, readable)
        try:
            try:
                if large:
                    os.set_blocking(fd, False)
                    await write_all(loop, fd, payload)
                else:
                    written = 0
                    while written < len(payload):  # one write, barring a signal
                        written += os.write(fd, payload[written:])
            except OSError:
                return None  # the worker's end is closed: it died while idle
            finally:
                if large:
                    os.set_blocking(fd, True)
            message = await answer
        finally:
            timer.cancel()
            loop.remove_reader(fd)
        if message is not None and message[0] == "error":
            _log_crash(message[1])
        return message

    def _died(self, worker: _Worker) -> AikgError:
        """The error of a job whose worker died while running it."""
        self.replaced_workers += 1
        if worker.over_memory:
            return QueryMemoryError(
                f"the query took more than {self.memory_budget // memory.MB:,} MB of memory "
                "and was stopped",
                hint="add LIMIT, narrow the patterns, or raise AIKG_QUERY_MEMORY",
            )
        log.warning("query worker %d died during a job; replacing it", worker.pid)
        return EngineCrashError(
            "the query's worker died (the query crashed the engine, or the system "
            "stopped the process); the service is still running",
            hint="retry; if it happens again, simplify the query",
        )

    def write(self, name: str, **kwargs: Any) -> Any:
        """Run a write job in the keeper: dry run, validation, then the real write."""
        keeper = self._keeper
        try:
            result = self._call("write", name, kwargs, keeper=keeper)
            # Workers forked before the write go first, then the version moves: a job
            # that starts under the new version never runs on the old data (its answer
            # would be cached under the new version).
            self._generation += 1
            info = self._call("info", keeper=keeper)
            self.version, self.data_version = info["version"], info["data"]
        except _KeeperGone:
            self._restart_keeper(keeper)
            raise StoreError(
                "the store process stopped during the write; it may not have been applied "
                "(a store in memory has lost every write)",
                hint="check the data, and retry the write if it is missing",
            ) from None
        return result

    def close(self) -> None:
        """Stop the workers and the keeper (which flushes a persistent store)."""
        if self._closed:
            return
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
            while self._waiters:
                self._wake_one()
        for worker in idle:
            self._kill(worker)
        keeper = self._keeper
        with keeper.lock, contextlib.suppress(OSError):
            keeper.control.send(("shutdown",))
        try:
            keeper.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            keeper.process.kill()
            keeper.process.wait()
        keeper.control.close()


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _log_crash(error: Any) -> None:
    trace = getattr(error, "traceback", None)
    if trace:
        log.error("a job failed in a query worker:\n%s", trace.rstrip())


def _socket_pair() -> tuple[Connection, Connection]:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    return Connection(left.detach()), Connection(right.detach())
