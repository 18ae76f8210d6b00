"""What memory this machine, or the container this process runs in, has available, and
handing freed memory back to it; and the process's C library.

Two parts of aikg size their work by it: a load decides whether a copy of the store in
memory fits (:mod:`aikg.validation.memory_copy`), and the server shares it among its query
workers (:mod:`aikg.workers.memory`). In a container, the machine's free memory says
nothing of the container's limit, which the kernel enforces by killing processes: the
least of the two counts.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path


def available_memory() -> int:
    """Bytes of memory available to this process without swapping: Linux's
    ``MemAvailable`` (elsewhere the free physical pages), or less if the process is in a
    control group (a container) whose limit leaves less."""
    machine = None
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    machine = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if machine is None:
        machine = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    group = _left_in_control_group()
    return machine if group is None else min(machine, group)


_CGROUPS = Path("/sys/fs/cgroup")
_NO_LIMIT = 1 << 60
"""Past this a control group's limit is no limit (cgroup v1 writes "none" as about 2**63)."""
_V2 = ("memory.max", "memory.current", "inactive_file")
_V1 = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")


def _left_in_control_group(
    cgroup: Path = Path("/proc/self/cgroup"), root: Path = _CGROUPS
) -> int | None:
    """What this process's control groups leave of their memory limits (cgroup v2 or v1):
    the least, over its group and the groups above it, of a limit less what is used, the
    page cache the kernel can take back not counted as used. None without a limit."""
    try:
        lines = cgroup.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    left: list[int] = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":  # v2: a unified hierarchy, alone or beside v1's
            places = [(root, _V2), (root / "unified", _V2)]
        elif "memory" in controllers.split(","):
            places = [(root / "memory", _V1)]
        else:
            continue
        for base, names in places:
            # The group as this process names it and the groups above it; in a container
            # that mounts only its own group, the mount's root is that group.
            folder = base / path.strip("/")
            for group in (folder, *folder.parents):
                if group == base.parent:
                    break
                found = _left_in(group, names)
                if found is not None:
                    left.append(found)
    return min(left) if left else None


def _left_in(group: Path, names: tuple[str, str, str]) -> int | None:
    """What one group's limit leaves (None: no limit, or not a group)."""
    limit_file, use_file, reclaimable = names
    try:
        limit = (group / limit_file).read_text(encoding="ascii").strip()
        if limit == "max" or not limit.isdigit() or int(limit) >= _NO_LIMIT:
            return None
        used = int((group / use_file).read_text(encoding="ascii"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    cache = 0
    try:
        for line in (group / "memory.stat").read_text(encoding="ascii").splitlines():
            key, _, value = line.partition(" ")
            if key == reclaimable:
                cache = int(value)
    except (OSError, ValueError, UnicodeDecodeError):
        pass  # all of it counted as used
    return max(0, int(limit) - max(0, used - cache))


def libc() -> ctypes.CDLL:
    """The C library this process runs on (its functions Python has no binding for)."""
    return ctypes.CDLL(None, use_errno=True)


def release_freed_memory() -> bool:
    """Merge the memory the C allocator holds freed, and hand what it can back to the
    system (glibc's ``malloc_trim``); False where the C library has none.

    glibc keeps small blocks freed by a long query in lists by size and merges them only
    when a large block is next asked for, so that the next query pays for all of them: on
    10M triples on disk, the first incremental validation after a whole one took 1.4 s of
    CPU instead of 0.1 s (gone with ``GLIBC_TUNABLES=glibc.malloc.mxfast=0``, which keeps
    no such lists). Called after a whole validation, the work is done there, once."""
    try:
        trim = libc().malloc_trim
    except (OSError, AttributeError):  # not glibc
        return False
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    trim(0)
    return True
