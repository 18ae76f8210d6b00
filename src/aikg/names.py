"""The name index: every name of every resource, and every text (``schema:text``: the
quotations' words), in a full-text index kept beside the store.

Search (:mod:`aikg.search`) needs the names (``rdfs:label``, ``skos:prefLabel``,
``skos:altLabel``) that contain a text. Without an index, that is a scan of every name in
the store: about half a second on a million triples. This index answers it from SQLite's
FTS5 with the ``trigram`` tokenizer (SQLite, from Python's standard library; trigrams match
any part of a name in any script, Korean included, where a word tokenizer would need
spaces between words), in milliseconds. Texts of fewer than three characters, which
trigrams cannot match, are looked up by a scan of the index's own table, still far smaller
than the store.

The texts are in a table of their own, for the saved queries that look for a part of a
quotation's words (``quotes``): :meth:`NameIndex.find_texts` names the resources whose
text may contain a text, so the query reads only those instead of every text of the store
(:mod:`aikg.saved_queries`, ``text_of``).

Names are stored as the search compares them (:func:`aikg.search.normalize`: NFKC, case
folded). The index holds what the data states, in any graph (the default graph included;
never the inferred graph), and is kept in step by the knowledge graph: added to after a
load (the new graphs' names), changed by what a write added and removed, rebuilt after
any other change, and rebuilt when a store on disk is opened without one or after a load
was undone. In memory for a store in memory; beside a store on disk
(``DIR.names.sqlite``).

A server's workers are forked from the process that holds the index: an index in memory
is then the child's own copy; an index on disk is opened again by each process that uses
it (a SQLite connection must not cross a fork).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from aikg.errors import StoreError
from aikg.namespaces import RDFS, SCHEMA, SKOS

log = logging.getLogger("aikg")

NAME_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")
TEXT_PROPERTIES = (SCHEMA + "text",)
INDEXED_PROPERTIES = NAME_PROPERTIES + TEXT_PROPERTIES
"""Every property whose values the index holds: names, then texts."""

VERSION = 4
"""The layout of the index (SQLite's ``user_version``): an index of an older layout (one
without the texts, without the names and texts of the default graph, whose trigrams
end at a text's first NUL character, or whose texts were lowered by Python's Unicode
tables alone) is rebuilt when its store opens."""

NUL_AS = "\ufffd"
"""What a NUL character is in the trigram indexes (:func:`_searchable`)."""


_KNOWN: set[str] = set()
"""Characters met so far that Python's Unicode tables assign (see :func:`lowered`)."""

_LCASE = "SELECT ?text (LCASE(?text) AS ?lowered) WHERE {}"


def lowered(text: str) -> str:
    """``text`` in lower case as the engine's SPARQL ``LCASE`` gives it, which the query
    that a text index narrows compares with (``quotes``: the index must find at least what
    its FILTER keeps).

    Python's ``str.lower`` agrees with it on every character its own Unicode tables know
    (Unicode 14 in Python 3.11); the engine's are newer (Unicode 16 in Oxigraph 0.5) and
    lower characters encoded since, some to letters Python knows (U+A7CB to U+0264). A
    text holding a character Python does not know is lowered by the engine itself.

    >>> lowered("Road \ua7cb ΣΑΣ") == "road \u0264 σας"
    True
    """
    if text.isascii():
        return text.lower()
    for character in set(text) - _KNOWN:
        if unicodedata.category(character) == "Cn":
            return _lowered_by_engine(text)
        _KNOWN.add(character)
    return text.lower()


def _lowered_by_engine(text: str) -> str:
    result = ox.Store().query(_LCASE, substitutions={ox.Variable("text"): ox.Literal(text)})
    assert isinstance(result, ox.QuerySolutions)
    row = next(iter(result))
    answer = row["lowered"]
    assert isinstance(answer, ox.Literal)
    return answer.value


def _searchable(text: str) -> str:
    """A text as its trigram index holds it: FTS5 reads a text up to its first NUL
    character, so each NUL is the replacement character there (what is found through it
    is checked against the text itself, see :meth:`NameIndex._containing`)."""
    return text.replace("\0", NUL_AS)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS names (
    id INTEGER PRIMARY KEY,
    iri TEXT NOT NULL,
    property TEXT NOT NULL,
    name TEXT NOT NULL,
    lang TEXT,
    graph TEXT NOT NULL,
    folded TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS names_by_graph ON names (graph);
CREATE INDEX IF NOT EXISTS names_by_iri ON names (iri);
CREATE VIRTUAL TABLE IF NOT EXISTS names_text USING fts5(
    folded, content='names', content_rowid='id', tokenize='trigram'
);
CREATE TABLE IF NOT EXISTS texts (
    id INTEGER PRIMARY KEY,
    iri TEXT NOT NULL,
    lowered TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS texts_text USING fts5(
    lowered, content='texts', content_rowid='id', tokenize='trigram'
);
CREATE TABLE IF NOT EXISTS load_pending (since REAL NOT NULL);
CREATE TABLE IF NOT EXISTS write_pending (since REAL NOT NULL);
"""

Row = tuple[str, str, str, str | None]
"""A name found: the resource's IRI, the name property, the name, its language."""


def fold(text: str) -> str:
    """Text as names are compared: NFKC, case folded, spaces collapsed.

    >>> fold("  ＡＩ   Maturity ")
    'ai maturity'
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class NameIndex:
    """The names of a store's resources, searchable by any part (see the module)."""

    def __init__(self, path: str | Path | None = None):
        self.path = str(path) if path else None
        self._pid = os.getpid()
        self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.DatabaseError as error:
            if not self.path:
                raise
            # The index is derived from the store: an unreadable file (damaged, or not
            # an index at all) is replaced by an empty one, which the store's opening
            # finds empty and rebuilds.
            if Path(self.path).is_dir():
                raise StoreError(
                    f"the name index {self.path} is a directory",
                    where=self.path,
                    hint="move it away: aikg keeps the store's index of names in that file",
                ) from None
            log.warning("the name index %s is unreadable (%s): it is made again", self.path, error)
            for leftover in ("", "-wal", "-shm", "-journal"):
                Path(self.path + leftover).unlink(missing_ok=True)
            return self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path or ":memory:", check_same_thread=False)
        try:
            db.executescript(_SCHEMA)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @property
    def db(self) -> sqlite3.Connection:
        """The connection of this process: an index on disk is opened again after a
        fork; one in memory is the child's own copy."""
        if self.path and os.getpid() != self._pid:
            self._pid = os.getpid()
            self._db = self._connect()
        return self._db

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM names LIMIT 1").fetchone() is None

    def is_current(self) -> bool:
        """Whether the index holds anything, in the layout of this version (an index made
        before the texts were indexed has none of them: it must be rebuilt)."""
        version: int = self.db.execute("PRAGMA user_version").fetchone()[0]
        return version == VERSION and not self.is_empty()

    def mark_load(self, pending: bool) -> None:
        """Mark that a load which may yet be undone writes to the index (its store keeps a
        snapshot to go back to, but the index lives outside it), or that it is kept. A
        process that dies between the two leaves the mark, and the index is rebuilt when
        its store next opens (:meth:`load_pending`)."""
        with self.db:
            self.db.execute("DELETE FROM load_pending")
            if pending:
                self.db.execute("INSERT INTO load_pending VALUES (julianday('now'))")

    def load_pending(self) -> bool:
        """Whether a load that may have been undone since wrote to the index."""
        return self.db.execute("SELECT 1 FROM load_pending LIMIT 1").fetchone() is not None

    def mark_write(self, pending: bool) -> None:
        """Mark that a write is about to change the store, or that what is derived from the
        store (this index, the inferred graph) has followed it. The engine commits the
        write at once, and what is derived follows after: a process that dies between the
        two leaves the mark, and everything derived is made again when the store next
        opens (:meth:`write_pending`)."""
        with self.db:
            self.db.execute("DELETE FROM write_pending")
            if pending:
                self.db.execute("INSERT INTO write_pending VALUES (julianday('now'))")

    def write_pending(self) -> bool:
        """Whether a write changed the store and the process died before what is derived
        from the store followed it."""
        return self.db.execute("SELECT 1 FROM write_pending LIMIT 1").fetchone() is not None

    def rebuild(self, quads: Iterable[ox.Quad]) -> None:
        """Index exactly these quads (names and texts), forgetting every other."""
        with self.db:
            self.db.execute("DELETE FROM names")
            self.db.execute("INSERT INTO names_text(names_text) VALUES ('delete-all')")
            self.db.execute("DELETE FROM texts")
            self.db.execute("INSERT INTO texts_text(texts_text) VALUES ('delete-all')")
            self._insert(quads)
            self.db.execute(f"PRAGMA user_version = {VERSION}")
            self.db.execute("DELETE FROM load_pending")

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Index more quads (the names and texts of graphs a load added). A quad stated
        twice in a file is parsed twice but held once, as the store holds it: one row
        per quad, so that removing it removes its row."""
        with self.db:
            self._insert(dict.fromkeys(quads))

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        """Forget these quads (the names and texts a write removed)."""
        names, texts = _split(quads)
        with self.db:
            for quad in texts:
                subject, text = quad.subject, quad.object
                if not (isinstance(subject, ox.NamedNode) and isinstance(text, ox.Literal)):
                    continue
                lower = lowered(text.value)
                # One row per quad: the same text in another graph keeps its own row.
                found = self.db.execute(
                    "SELECT id FROM texts WHERE iri = ? AND lowered = ? LIMIT 1",
                    (subject.value, lower),
                ).fetchone()
                if found:
                    self.db.execute(
                        "INSERT INTO texts_text (texts_text, rowid, lowered) "
                        "VALUES ('delete', ?, ?)",
                        (found[0], _searchable(lower)),
                    )
                    self.db.execute("DELETE FROM texts WHERE id = ?", (found[0],))
            for iri, prop, name, lang, graph, folded in _rows(names):
                # One row per quad: the same name with another datatype keeps its own.
                found = self.db.execute(
                    "SELECT id FROM names WHERE iri = ? AND property = ? AND name = ? "
                    "AND lang IS ? AND graph = ? LIMIT 1",
                    (iri, prop, name, lang, graph),
                ).fetchone()
                if found:
                    (row,) = found
                    # An external-content FTS5 table forgets a row by being told its text.
                    self.db.execute(
                        "INSERT INTO names_text (names_text, rowid, folded) "
                        "VALUES ('delete', ?, ?)",
                        (row, _searchable(folded)),
                    )
                    self.db.execute("DELETE FROM names WHERE id = ?", (row,))

    def _insert(self, quads: Iterable[ox.Quad]) -> None:
        names, texts = _split(quads)
        self._insert_names(names)
        self._insert_texts(texts)

    def _insert_texts(self, quads: list[ox.Quad]) -> None:
        rows = [
            (quad.subject.value, lowered(quad.object.value))
            for quad in quads
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal)
        ]
        first = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM texts").fetchone()[0] + 1
        self.db.executemany(
            "INSERT INTO texts (id, iri, lowered) VALUES (?, ?, ?)",
            [(first + i, *row) for i, row in enumerate(rows)],
        )
        self.db.executemany(
            "INSERT INTO texts_text (rowid, lowered) VALUES (?, ?)",
            [(first + i, _searchable(row[-1])) for i, row in enumerate(rows)],
        )

    def _insert_names(self, quads: list[ox.Quad]) -> None:
        rows = list(_rows(quads))
        first = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM names").fetchone()[0] + 1
        self.db.executemany(
            "INSERT INTO names (id, iri, property, name, lang, graph, folded) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(first + i, *row) for i, row in enumerate(rows)],
        )
        self.db.executemany(
            "INSERT INTO names_text (rowid, folded) VALUES (?, ?)",
            [(first + i, _searchable(row[-1])) for i, row in enumerate(rows)],
        )

    def find(self, folded: str) -> list[Row]:
        """Every indexed name whose folded form contains ``folded`` (already folded)."""
        cursor = self._containing("iri, property, name, lang", "names", "folded", folded)
        return [(iri, prop, name, lang) for iri, prop, name, lang in cursor]

    def find_texts(self, text: str) -> set[str]:
        """The IRIs of the resources with a text (``schema:text``) that may contain
        ``text``, ignoring case: every one whose text, lower-cased as SPARQL's ``LCASE``
        does, contains ``text`` lower-cased (a few more, which SQLite's case folding
        makes alike, can be among them: the query's own FILTER decides)."""
        cursor = self._containing("iri", "texts", "lowered", lowered(text))
        return {iri for (iri,) in cursor}

    def _containing(
        self, columns: str, table: str, column: str, part: str
    ) -> Iterable[tuple[str, ...]]:
        """The rows of ``table`` whose ``column`` contains ``part``: through its trigram
        index, or, for fewer characters than a trigram, a scan of the table itself."""
        if len(part) >= 3:
            # The trigrams hold a NUL as NUL_AS: what a part with either finds is kept
            # only if it holds the whole of the part.
            exact = "\0" not in part and NUL_AS not in part
            phrase = '"' + _searchable(part).replace('"', '""') + '"'
            rows = self.db.execute(
                f"SELECT {column}, {columns} FROM {table} WHERE id IN "  # noqa: S608 - ours
                f"(SELECT rowid FROM {table}_text WHERE {table}_text MATCH ?)",
                (phrase,),
            )
            return [row[1:] for row in rows if exact or part in row[0]]
        if "\0" in part:
            # instr() reads its arguments up to the first NUL character: the rows are
            # found by the longest run without one, then kept if they hold all of ``part``.
            longest = max(part.split("\0"), key=len)
            found = self._containing(f"{column}, {columns}", table, column, longest)
            return [row[1:] for row in found if part in row[0]]
        return self.db.execute(
            f"SELECT {columns} FROM {table} WHERE instr({column}, ?) > 0",  # noqa: S608
            (part,),
        )

    def size(self) -> int:
        count: int = self.db.execute("SELECT COUNT(*) FROM names").fetchone()[0]
        return count

    def close(self) -> None:
        self.db.close()


def _split(quads: Iterable[ox.Quad]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """Names apart from texts (each has a table of its own)."""
    names: list[ox.Quad] = []
    texts: list[ox.Quad] = []
    for quad in quads:
        (texts if quad.predicate.value in TEXT_PROPERTIES else names).append(quad)
    return names, texts


def _rows(quads: Iterable[ox.Quad]) -> Iterator[tuple[str, str, str, str | None, str, str]]:
    for quad in quads:
        subject, name, graph = quad.subject, quad.object, quad.graph_name
        if isinstance(subject, ox.NamedNode) and isinstance(name, ox.Literal):
            graph_iri = graph.value if isinstance(graph, ox.NamedNode) else ""
            yield (
                subject.value,
                quad.predicate.value,
                name.value,
                name.language,
                graph_iri,
                fold(name.value),
            )
