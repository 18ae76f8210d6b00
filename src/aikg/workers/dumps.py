"""Dumps written once per data version, to files, beside their gzip-compressed copies.

Downloaders expect what a file server gives: a size up front, ``Range`` and ``If-Range``
to resume, a strong ``ETag`` and ``Last-Modified``. A dump streamed as it is serialized
can give none of these, and makes every download pay the serialization again. So the
first request for a dump of a data version writes it to a file (and its ``.gz`` at the
same time, hashing both as they are written); every later request, of any byte range,
reads the file. A new data version writes new files, and the old ones go (a download
in progress keeps reading its open file).

The gzip copy is deterministic (no file name, time 0 in its header), so its size and
SHA-256 are a property of the data and can be listed in VoID/DCAT.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from aikg.errors import NotAcceptableError
from aikg.linked_data.views import Hashing, gzip_writer


@dataclass(frozen=True)
class DumpFile:
    """One materialised dump: where it is, its size, SHA-256 and when it was written."""

    path: Path
    size: int
    sha256: str
    modified: float

    @property
    def etag(self) -> str:
        """A strong ETag (byte ranges need one): the content's own hash."""
        return f'"{self.sha256[:32]}"'


def write_with_gzip(chunks: Iterable[bytes], path: Path) -> tuple[DumpFile, DumpFile]:
    """Write ``chunks`` to ``path`` and a gzip copy to ``path.gz``, hashing both."""
    gz_path = path.with_name(path.name + ".gz")
    with path.open("wb") as raw_file, gz_path.open("wb") as gz_file:
        raw = Hashing(raw_file.write)
        packed = Hashing(gz_file.write)
        with gzip_writer(packed) as compressor:
            for chunk in chunks:
                raw.write(chunk)
                compressor.write(chunk)
    now = time.time()
    return (
        DumpFile(path, raw.size, raw.digest.hexdigest(), now),
        DumpFile(gz_path, packed.size, packed.digest.hexdigest(), now),
    )


class DumpFiles:
    """The dumps of the current data version, written on first request."""

    def __init__(self) -> None:
        self._directory: Path | None = None
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str, bool], threading.Lock] = {}
        self._files: dict[tuple[str, str, bool], tuple[DumpFile, DumpFile]] = {}
        # Dumps the data cannot be written in (a character XML cannot hold...), by the
        # same key: refused again without writing them again, until the data changes.
        self._refused: dict[tuple[str, str, bool], NotAcceptableError] = {}

    def get(
        self, version: str, ext: str, inferred: bool, produce: Callable[[], Iterable[bytes]]
    ) -> tuple[DumpFile, DumpFile]:
        """The dump (and its gzip copy) of ``version`` in the format with extension
        ``ext``: written now by ``produce`` if it is not yet. Two requests for the same
        dump wait for one writing."""
        key = (version, ext, inferred)
        with self._lock:
            self._known(key)
            if key in self._files:
                return self._files[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                self._known(key)
                if key in self._files:
                    return self._files[key]
            path = self.directory() / f"{version}-{'inferred-' if inferred else ''}aikg.{ext}"
            try:
                files = write_with_gzip(produce(), path)
            except BaseException as error:
                for leftover in (path, path.with_name(path.name + ".gz")):
                    leftover.unlink(missing_ok=True)
                with self._lock:
                    self._building.pop(key, None)
                    if isinstance(error, NotAcceptableError):
                        self._refused[key] = error
                raise
            with self._lock:
                self._files[key] = files
                self._building.pop(key, None)
                for old in [k for k in self._files if k[0] != version]:
                    for dump in self._files.pop(old):
                        dump.path.unlink(missing_ok=True)
                for old in [k for k in self._refused if k[0] != version]:
                    del self._refused[old]
            return files

    def _known(self, key: tuple[str, str, bool]) -> None:
        """Raise again the refusal of a dump already refused (a copy: one exception
        raised in several threads would gather their tracebacks)."""
        if (refused := self._refused.get(key)) is not None:
            raise NotAcceptableError(refused.message, where=refused.where, hint=refused.hint)

    def directory(self) -> Path:
        """The directory of the dump files, made at the first dump: a server that is
        killed (as the attack tests kill theirs) never cleans up, and most never serve
        a dump, so they leave no empty directory behind."""
        with self._lock:
            if self._directory is None:
                self._directory = Path(tempfile.mkdtemp(prefix="aikg-dumps-"))
            return self._directory

    def close(self) -> None:
        with self._lock:
            if self._directory is not None:
                shutil.rmtree(self._directory, ignore_errors=True)
                self._directory = None
