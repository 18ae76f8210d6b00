"""The name index: every name of every resource, in a full-text index kept beside the store.

Search (:mod:`aikg.search`) needs the names (``rdfs:label``, ``skos:prefLabel``,
``skos:altLabel``) that contain a text. Without an index, that is a scan of every name in
the store: about half a second on a million triples. This index answers it from SQLite's
FTS5 with the ``trigram`` tokenizer (SQLite, from Python's standard library; trigrams match
any part of a name in any script, Korean included, where a word tokenizer would need
spaces between words), in milliseconds. Texts of fewer than three characters, which
trigrams cannot match, are looked up by a scan of the index's own table, still far smaller
than the store.

Names are stored as the search compares them (:func:`aikg.search.normalize`: NFKC, case
folded). The index holds what the data states (never the inferred graph) and is kept in
step by the knowledge graph: added to after a load (the new graphs' names), changed by
what a write added and removed, rebuilt after any other change, and rebuilt when a store
on disk is opened without one or after a load was undone. In memory for a store in
memory; beside a store on disk (``DIR.names.sqlite``).

A server's workers are forked from the process that holds the index: an index in memory
is then the child's own copy; an index on disk is opened again by each process that uses
it (a SQLite connection must not cross a fork).
"""

from __future__ import annotations

import os
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from aikg.namespaces import RDFS, SKOS

NAME_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")

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
        db = sqlite3.connect(self.path or ":memory:", check_same_thread=False)
        db.executescript(_SCHEMA)
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

    def rebuild(self, quads: Iterable[ox.Quad]) -> None:
        """Index exactly these name quads, forgetting every other."""
        with self.db:
            self.db.execute("DELETE FROM names")
            self.db.execute("INSERT INTO names_text(names_text) VALUES ('delete-all')")
            self._insert(quads)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Index more name quads (those of graphs a load added)."""
        with self.db:
            self._insert(quads)

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        """Forget these name quads (those a write removed)."""
        with self.db:
            for iri, prop, name, lang, graph, folded in _rows(quads):
                found = self.db.execute(
                    "SELECT id FROM names WHERE iri = ? AND property = ? AND name = ? "
                    "AND lang IS ? AND graph = ?",
                    (iri, prop, name, lang, graph),
                ).fetchall()
                for (row,) in found:
                    # An external-content FTS5 table forgets a row by being told its text.
                    self.db.execute(
                        "INSERT INTO names_text (names_text, rowid, folded) "
                        "VALUES ('delete', ?, ?)",
                        (row, folded),
                    )
                    self.db.execute("DELETE FROM names WHERE id = ?", (row,))

    def _insert(self, quads: Iterable[ox.Quad]) -> None:
        rows = list(_rows(quads))
        first = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM names").fetchone()[0] + 1
        self.db.executemany(
            "INSERT INTO names (id, iri, property, name, lang, graph, folded) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(first + i, *row) for i, row in enumerate(rows)],
        )
        self.db.executemany(
            "INSERT INTO names_text (rowid, folded) VALUES (?, ?)",
            [(first + i, row[-1]) for i, row in enumerate(rows)],
        )

    def find(self, folded: str) -> list[Row]:
        """Every indexed name whose folded form contains ``folded`` (already folded)."""
        if len(folded) >= 3:
            phrase = '"' + folded.replace('"', '""') + '"'
            cursor = self.db.execute(
                "SELECT iri, property, name, lang FROM names "
                "WHERE id IN (SELECT rowid FROM names_text WHERE names_text MATCH ?)",
                (phrase,),
            )
        else:
            cursor = self.db.execute(
                "SELECT iri, property, name, lang FROM names WHERE instr(folded, ?) > 0",
                (folded,),
            )
        return [(iri, prop, name, lang) for iri, prop, name, lang in cursor]

    def size(self) -> int:
        count: int = self.db.execute("SELECT COUNT(*) FROM names").fetchone()[0]
        return count

    def close(self) -> None:
        self.db.close()


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
