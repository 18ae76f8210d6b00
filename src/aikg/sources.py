"""Source texts: every quotation checked, character for character, against its source.

A source names the file that holds its text (``aikg:textFile``, a plain UTF-8 file) and
that file's SHA-256 (``spdx:checksum``). A source that is part of another
(``dcterms:isPartOf``) covers the stretch of the larger text between
``aikg:textStartsAt`` and ``aikg:textEndsBefore``: the page holds the file, the article
and the interview are its two parts, and the Key Metrics table a part of the article.

:func:`check` finds, for every quotation of such a source (``schema:text``, with
``dcterms:isPartOf`` the source), whether its text is in the source's stretch of the file,
and for a table cell (``aikg:tableRow``, ``aikg:tableColumn``) whether it is the cell at
that row and column. What it finds is reported as validation violations under
``aikgsh:SourceTextCheck``, beside the shapes', on load, by ``aikg validate`` and on every
write: a quotation that is not in its text names the closest passage and the first
character that differs; a claim resting on such a source whose as-written value
(``aikg:valueAsWritten``, ``periodAsWritten``, ``definitionText``, ``hardwareAsWritten``)
is in none of its evidence is refused; a missing file, a file whose SHA-256 has changed
since the source was registered, and markers that are not in the text are violations of
the source.

:func:`register` writes the Turtle that registers a new text as a source, with its
checksum, so that claims can be written against it (see the README, "Adding a source").

>>> closest_passage("the quick brown fox jumps", "quick brwn fox")
('quick brown fox', 4)
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from aikg import package_data
from aikg.errors import InputError, NotFoundError
from aikg.validation.pyshacl_engine import Violation

if TYPE_CHECKING:
    from aikg.knowledge_graph import KnowledgeGraph
    from aikg.validation.incremental import Change

SHAPES = "https://w3id.org/aikg/shapes#"
CHECK = SHAPES + "SourceTextCheck"
"""The IRI violations of the source-text check are reported under (shapes.ttl describes it)."""
SCHEMA_TEXT = "http://schema.org/text"
AIKG = "https://w3id.org/aikg/ontology#"
SPDX = "http://spdx.org/rdf/terms#"

_UNDER_TEXTS = """
SELECT DISTINCT ?source WHERE {
  ?root aikg:textFile ?rootFile .
  ?source dcterms:isPartOf* ?root .
  # A blank node is left to the shapes, which refuse it as a quotation.
  FILTER (isIRI(?source))
}"""
"""Every node within a source that has a text file (its parts, their quotations): a few,
found from the files. The quotations and claims are then read from them by pattern
lookups, not by a query: Oxigraph's plans for one over the data graphs read every
quotation or claim of the store first (1.5 s to 52 s at 1M triples, from one run to the
next)."""

_SOURCES = """
SELECT ?source ?id ?file ?sum ?parent ?start ?end ?g WHERE {
  {values}
  ?source a aikg:Source .
  OPTIONAL { GRAPH ?g { ?source a aikg:Source } }
  OPTIONAL { ?source dcterms:identifier ?id }
  OPTIONAL { ?source aikg:textFile ?file }
  OPTIONAL { ?source spdx:checksum ?c . ?c spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                                           spdx:checksumValue ?sum }
  OPTIONAL { ?source dcterms:isPartOf ?parent }
  OPTIONAL { ?source aikg:textStartsAt ?start }
  OPTIONAL { ?source aikg:textEndsBefore ?end }
}"""


@dataclass(frozen=True)
class SourceText:
    """The text a source covers: its whole file, or its stretch of a larger source's."""

    source: str
    identifier: str | None
    text: str
    file: Path


@dataclass(frozen=True)
class _Source:
    iri: str
    identifier: str | None
    file: str | None
    checksum: str | None
    parent: str | None
    starts_at: str | None
    ends_before: str | None
    graph: str | None


class _Problem(Exception):
    def __init__(self, source: _Source, path: str, value: str | None, message: str):
        super().__init__(message)
        self.source, self.path, self.value, self.message = source, path, value, message


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as lower-case hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def text_dirs(extra: Iterable[str] = ()) -> list[Traversable]:
    """Where text files are looked for: the bundled ``data/sources/``, then ``extra``."""
    return [package_data.source_text_folder(), *(Path(d) for d in extra)]


def find_text_file(name: str, dirs: Iterable[Traversable]) -> Path | None:
    """The first folder's file of that name (or the path itself, when absolute)."""
    if Path(name).is_absolute():
        return Path(name) if Path(name).is_file() else None
    for folder in dirs:
        candidate = folder / name
        if candidate.is_file():
            return Path(str(candidate))
    return None


def closest_passage(text: str, quotation: str) -> tuple[str, int]:
    """The passage of ``text`` most like ``quotation`` (as long as it, give or take what
    differs) and where it starts: what a person compares a misquotation with."""
    if not text or not quotation:
        return "", 0
    length = len(quotation)
    starts = [0]
    starts += [i for i in range(1, len(text)) if text[i - 1].isspace() and not text[i].isspace()]
    best, best_start, best_ratio = "", 0, -1.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quotation)
    for start in starts:
        window = text[start : start + length + 2]
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_start, best_ratio = window, start, ratio
    matcher.set_seq1(best)
    blocks = matcher.get_matching_blocks()
    end = max((b.a + b.size for b in blocks if b.size), default=len(best))
    return best[:end], best_start


def _first_difference(passage: str, quotation: str) -> str:
    for i, (a, b) in enumerate(zip(passage, quotation, strict=False)):
        if a != b:
            return f"character {i + 1}: the text has {a!r}, the quotation {b!r}"
    if len(passage) != len(quotation):
        return f"the text's passage has {len(passage)} characters, the quotation {len(quotation)}"
    return "none"


def table_cells(text: str) -> dict[tuple[str, str], str]:
    """The cells of the pipe tables in a text, by (row header, column header): the header
    row is a table's first line, its rows are the lines after it whose cells hold a letter
    or a digit (rule lines are skipped)."""
    cells: dict[tuple[str, str], str] = {}
    header: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            header = None
            continue
        parts = [c.strip() for c in stripped.strip("|").split("|")]
        if not any(ch.isalnum() for part in parts for ch in part):
            continue
        if header is None:
            header = parts
            continue
        for column, value in zip(header[1:], parts[1:], strict=False):
            cells[(parts[0], column)] = value
    return cells


def _values(variable: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{variable} {{ {' '.join(f'<{iri}>' for iri in sorted(iris))} }}"


def _under_texts(kg: KnowledgeGraph) -> set[str]:
    return {row["source"] for row in kg.data_rows(_UNDER_TEXTS)}


def _resolve(
    sources: Mapping[str, _Source], dirs: list[Traversable]
) -> tuple[dict[str, SourceText], list[_Problem]]:
    texts: dict[str, SourceText] = {}
    failed: set[str] = set()
    problems: list[_Problem] = []

    def text_of(iri: str, seen: frozenset[str]) -> SourceText | None:
        if iri in texts:
            return texts[iri]
        source = sources.get(iri)
        if source is None or iri in seen or iri in failed:
            return None
        if source.file is not None:
            found = _read_file(source, dirs)
        else:
            parent = text_of(source.parent, seen | {iri}) if source.parent else None
            found = None if parent is None else _cut(source, parent)
        if found is None:
            failed.add(iri)
        else:
            texts[iri] = found
        return found

    def _read_file(source: _Source, dirs: list[Traversable]) -> SourceText | None:
        assert source.file is not None
        path = find_text_file(source.file, dirs)
        if path is None:
            where = ", ".join(_folder_name(d) for d in dirs)
            problems.append(
                _Problem(
                    source,
                    AIKG + "textFile",
                    source.file,
                    f"The text file {source.file!r} of {source.iri} is not in {where}: "
                    "the quotations of the source cannot be checked. Put it there or add its "
                    "folder to AIKG_SOURCE_DIRS.",
                )
            )
            return None
        actual = sha256(path)
        if source.checksum is None:
            problems.append(
                _Problem(
                    source,
                    SPDX + "checksum",
                    None,
                    f"The source {source.iri} names a text file but no SHA-256 "
                    f"(spdx:checksum); the file {path} has {actual}.",
                )
            )
            return None
        if actual != source.checksum.lower():
            problems.append(
                _Problem(
                    source,
                    SPDX + "checksum",
                    source.checksum,
                    f"The text file {path} has changed since the source was registered: its "
                    f"SHA-256 is {actual}, the source records {source.checksum}. Check the "
                    "quotations against the new text, then record the new checksum.",
                )
            )
            return None
        return SourceText(source.iri, source.identifier, path.read_text("utf-8"), path)

    def _cut(source: _Source, parent: SourceText) -> SourceText | None:
        text = parent.text
        start = 0
        if source.starts_at is not None:
            if text.count(source.starts_at) != 1:
                problems.append(_marker(source, "textStartsAt", source.starts_at, text))
                return None
            start = text.index(source.starts_at)
        end = len(text)
        if source.ends_before is not None:
            if text.count(source.ends_before) != 1 or text.index(source.ends_before) < start:
                problems.append(_marker(source, "textEndsBefore", source.ends_before, text))
                return None
            end = text.index(source.ends_before)
        return SourceText(source.iri, source.identifier, text[start:end], parent.file)

    for iri in sources:
        text_of(iri, frozenset())
    return texts, problems


def _folder_name(folder: Traversable) -> str:
    if isinstance(folder, Path):
        return str(folder)
    return "the bundled data/sources/"


def _marker(source: _Source, prop: str, marker: str, text: str) -> _Problem:
    count = text.count(marker)
    said = (
        "is not in"
        if count == 0
        else f"occurs {count} times in"
        if count > 1
        else "is out of order in"
    )
    return _Problem(
        source,
        AIKG + prop,
        marker,
        f"aikg:{prop} {marker!r} of {source.iri} {said} the text of the source it is part of: "
        "give words that occur there exactly once.",
    )


def source_texts(
    kg: KnowledgeGraph, extra_dirs: Iterable[str] = (), under: set[str] | None = None
) -> tuple[dict[str, SourceText], list[_Problem]]:
    """The text of every source that has one (by source IRI), and what stopped the others.
    ``under``: the nodes within a source with a text file, when already read."""
    under = _under_texts(kg) if under is None else under
    return _resolve(_sources(kg, under), text_dirs(extra_dirs))


def _sources(kg: KnowledgeGraph, under: set[str]) -> dict[str, _Source]:
    sources: dict[str, _Source] = {}
    if not under:
        return sources
    for row in kg.data_rows(_SOURCES, _values("source", under)):
        sources[row["source"]] = _Source(
            row["source"],
            row.get("id"),
            row.get("file"),
            row.get("sum"),
            row.get("parent"),
            row.get("start"),
            row.get("end"),
            row.get("g"),
        )
    return sources


def text_of(kg: KnowledgeGraph, identifier: str) -> SourceText:
    """The text of the source with this ``dcterms:identifier`` (``S1``)."""
    texts, problems = source_texts(kg, kg.settings.source_dirs)
    for found in texts.values():
        if found.identifier == identifier:
            return found
    for problem in problems:
        if problem.source.identifier == identifier:
            raise InputError(problem.message, where=f"source {identifier}")
    known = sorted(t.identifier for t in texts.values() if t.identifier)
    raise NotFoundError(
        f"no source {identifier!r} with a text",
        where="source",
        hint=f"sources with a text: {', '.join(known) or 'none'}",
    )


_SOURCE_PREDICATES = frozenset(
    {
        AIKG + "textFile",
        AIKG + "textStartsAt",
        AIKG + "textEndsBefore",
        SPDX + "checksum",
        SPDX + "algorithm",
        SPDX + "checksumValue",
    }
)
"""What says where a source's text is: a change to any of it checks every quotation."""
_QUOTE_PREDICATES = frozenset(
    {SCHEMA_TEXT, str(DCTERMS.isPartOf), AIKG + "tableRow", AIKG + "tableColumn"}
)
_EVIDENCE = AIKG + "evidence"
_AS_WRITTEN_PREDICATES = frozenset(
    {
        _EVIDENCE,
        AIKG + "valueAsWritten",
        AIKG + "periodAsWritten",
        AIKG + "definitionText",
        AIKG + "hardwareAsWritten",
    }
)
FOCUS_LIMIT = 20_000
"""A change that reaches more quotations and claims than this is checked in full."""


@dataclass(frozen=True)
class _Focus:
    quotes: frozenset[str]
    claims: frozenset[str]


def _focus(kg: KnowledgeGraph, change: Change, under: set[str]) -> _Focus | None:
    """The quotations and claims whose check a change can affect: those it adds or removes
    a text, source, cell or evidence or as-written value of, and the claims resting on
    such quotations. None (check everything) when it changes where a source's text is,
    or what a source is part of, or reaches more than :data:`FOCUS_LIMIT` of them."""
    source_type = f"{AIKG}Source"
    quotes: set[str] = set()
    claims: set[str] = set()
    for quad in (*change.added, *change.removed):
        predicate = quad.predicate.value
        subject = quad.subject
        if predicate in _SOURCE_PREDICATES or (
            predicate == str(RDF.type) and quad.object == ox.NamedNode(source_type)
        ):
            return None
        if not isinstance(subject, ox.NamedNode):
            return None  # a blank node cannot be named in a VALUES block
        if predicate == str(DCTERMS.isPartOf) and _has_parts(kg, subject):
            return None  # a source moved: its quotations' texts may change
        if predicate in _QUOTE_PREDICATES:
            quotes.add(subject.value)
        if predicate in _AS_WRITTEN_PREDICATES:
            claims.add(subject.value)
    if len(quotes) + len(claims) > FOCUS_LIMIT:
        return None
    evidence = [ox.NamedNode(_EVIDENCE)]
    for quad in kg.store.quads_for_nodes([ox.NamedNode(q) for q in quotes], evidence, "object"):
        if not isinstance(quad.subject, ox.NamedNode):
            return None
        claims.add(quad.subject.value)
    if len(quotes) + len(claims) > FOCUS_LIMIT:
        return None
    # A quotation outside every source with a text is not checked: leave it out.
    return _Focus(frozenset(quotes & under), frozenset(claims))


def _has_parts(kg: KnowledgeGraph, node: ox.NamedNode) -> bool:
    """Whether anything is part of ``node``, or it is typed a source (so it is one)."""
    part_of = ox.NamedNode(str(DCTERMS.isPartOf))
    source = ox.NamedNode(f"{AIKG}Source")
    return any(True for _ in kg.store.quads_for_pattern(None, part_of, node)) or any(
        True for _ in kg.store.quads_for_pattern(node, ox.NamedNode(str(RDF.type)), source)
    )


class _Data:
    """Pattern lookups in the data (what the shapes judge): its named graphs and the
    default graph (an update without ``GRAPH`` writes there), not the inferred graph.

    On a remote store, the lookups of many nodes are made together first (:meth:`prefetch`,
    :meth:`pointing_at`): one round trip each would cost more than the check."""

    def __init__(self, kg: KnowledgeGraph):
        self.store = kg.store
        self.graphs = set(kg.store.data_graphs())
        self._known: dict[tuple[str, str], list[ox.Quad]] = {}

    def _in_data(self, quad: ox.Quad) -> bool:
        graph = quad.graph_name
        return isinstance(graph, ox.DefaultGraph) or (
            isinstance(graph, ox.NamedNode) and graph.value in self.graphs
        )

    def prefetch(self, subjects: Iterable[str], predicates: Sequence[str]) -> None:
        """Read the quads of these subjects with these predicates now, in a few requests,
        for :meth:`quads` to answer from (a store in process needs none of this)."""
        if self.store.native:
            return
        wanted = {s for s in subjects if any((s, p) not in self._known for p in predicates)}
        if not wanted:
            return
        found: dict[tuple[str, str], list[ox.Quad]] = {
            (s, p): [] for s in wanted for p in predicates
        }
        for quad in self.store.quads_for_nodes(
            [ox.NamedNode(s) for s in wanted], [ox.NamedNode(p) for p in predicates]
        ):
            if self._in_data(quad) and isinstance(quad.subject, ox.NamedNode):
                found.setdefault((quad.subject.value, quad.predicate.value), []).append(quad)
        self._known.update(found)  # only once all is read: a failed read leaves nothing

    def evidence_of(self, claims: Iterable[str]) -> Iterator[str]:
        """The quotations and table cells the claims rest on."""
        for claim in claims:
            for quad in self.quads(claim, _EVIDENCE):
                if isinstance(quad.object, ox.NamedNode):
                    yield quad.object.value

    def pointing_at(self, objects: Iterable[str], predicate: str) -> list[ox.Quad]:
        """The quads with ``predicate`` whose object is one of ``objects``, together."""
        nodes = [ox.NamedNode(o) for o in objects]
        found = self.store.quads_for_nodes(nodes, [ox.NamedNode(predicate)], "object")
        return [q for q in found if self._in_data(q)]

    def quads(
        self, subject: str | None, predicate: str, obj: ox.NamedNode | None = None
    ) -> list[ox.Quad]:
        known = None if subject is None else self._known.get((subject, predicate))
        if known is not None:
            return [q for q in known if obj is None or q.object == obj]
        return [
            q
            for q in self.store.quads_for_pattern(
                None if subject is None else ox.NamedNode(subject), ox.NamedNode(predicate), obj
            )
            if self._in_data(q)
        ]


_PART_OF = str(DCTERMS.isPartOf)


def _text(quad: ox.Quad) -> str:
    """The object's lexical form or IRI (SPARQL's STR)."""
    obj = quad.object
    return str(obj) if isinstance(obj, ox.Triple) else obj.value


def _quotations(data: _Data, under: set[str], focus: frozenset[str] | None) -> list[dict[str, str]]:
    """Each quotation of a node within a source with a text (of ``focus``, when given):
    each of its texts, in whatever graph of the data it is stated (a wrong text written
    elsewhere is a misquotation all the same), its source, and its table row and column
    if any."""
    pairs: set[tuple[str, str]] = set()
    if focus is None:
        for source in under:
            pairs.update(
                (q.subject.value, source)
                for q in data.quads(None, _PART_OF, ox.NamedNode(source))
                if isinstance(q.subject, ox.NamedNode)
            )
    else:
        data.prefetch(focus, _QUOTATION_PREDICATES)
        for quote in focus:
            pairs.update(
                (quote, q.object.value)
                for q in data.quads(quote, _PART_OF)
                if isinstance(q.object, ox.NamedNode) and q.object.value in under
            )
    data.prefetch((quote for quote, _ in pairs), _QUOTATION_PREDICATES)
    rows = []
    for quote, source in sorted(pairs):
        rows_of = [_text(q) for q in data.quads(quote, AIKG + "tableRow")]
        columns = [_text(q) for q in data.quads(quote, AIKG + "tableColumn")]
        cells = [{"row": r, "column": c} for r in rows_of for c in columns] or [{}]
        for text in data.quads(quote, SCHEMA_TEXT):
            graph = text.graph_name
            base = {"quote": quote, "text": _text(text), "source": source}
            if isinstance(graph, ox.NamedNode):
                base["g"] = graph.value
            rows += [{**base, **cell} for cell in cells]
    return rows


_AS_WRITTEN_VALUES = (
    AIKG + "valueAsWritten",
    AIKG + "periodAsWritten",
    AIKG + "definitionText",
    AIKG + "hardwareAsWritten",
)
_CLAIM_PREDICATES = (_EVIDENCE, *_AS_WRITTEN_VALUES)
_QUOTATION_PREDICATES = (_PART_OF, AIKG + "tableRow", AIKG + "tableColumn", SCHEMA_TEXT)


def _as_written(data: _Data, under: set[str], focus: frozenset[str] | None) -> list[dict[str, str]]:
    """Each as-written value of a claim resting on a quotation of a node within a source
    with a text (of ``focus``, when given) that none of the claim's evidence contains."""
    claims: set[str] = set()
    if focus is None:
        for source in under:
            quotes = {
                q.subject.value
                for q in data.quads(None, _PART_OF, ox.NamedNode(source))
                if isinstance(q.subject, ox.NamedNode)
            }
            claims.update(
                q.subject.value
                for q in data.pointing_at(quotes, _EVIDENCE)
                if isinstance(q.subject, ox.NamedNode)
            )
    else:
        data.prefetch(focus, _CLAIM_PREDICATES)
        data.prefetch(data.evidence_of(focus), (_PART_OF, SCHEMA_TEXT))
        for claim in focus:
            for evidence in data.quads(claim, _EVIDENCE):
                if isinstance(evidence.object, ox.NamedNode) and any(
                    isinstance(q.object, ox.NamedNode) and q.object.value in under
                    for q in data.quads(evidence.object.value, _PART_OF)
                ):
                    claims.add(claim)
                    break
    data.prefetch(claims, _CLAIM_PREDICATES)
    data.prefetch(data.evidence_of(claims), (SCHEMA_TEXT,))
    rows = []
    for claim in sorted(claims):
        texts = [
            _text(t)
            for e in data.quads(claim, _EVIDENCE)
            if isinstance(e.object, ox.NamedNode)
            for t in data.quads(e.object.value, SCHEMA_TEXT)
        ]
        for path in _AS_WRITTEN_VALUES:
            for quad in data.quads(claim, path):
                value = _text(quad)
                if not any(value in text for text in texts):
                    graph = quad.graph_name
                    rows.append(
                        {"claim": claim, "path": path, "value": value}
                        | ({"g": graph.value} if isinstance(graph, ox.NamedNode) else {})
                    )
    return rows


def check(kg: KnowledgeGraph, change: Change | None = None) -> tuple[Violation, ...]:
    """Every quotation of a source with a text, checked against that text (see the module).

    With the :class:`~aikg.validation.incremental.Change` a load or write just made, only
    the quotations and claims it can affect (what it adds, removes, and the claims resting
    on those quotations), and the problems of the sources they are in; a change to where
    a source's text is checks everything. A file on disk changed since is found by a
    check of everything (``aikg validate --all``)."""
    under = _under_texts(kg)
    if not under:
        return ()
    focus = None if change is None else _focus(kg, change, under)
    if focus is not None and not focus.quotes and not focus.claims:
        return ()
    sources = _sources(kg, under)
    texts, problems = _resolve(sources, text_dirs(kg.settings.source_dirs))
    files = kg.graph_files
    data = _Data(kg)
    quotations = _quotations(data, under, None if focus is None else focus.quotes)
    if focus is not None:
        # Only the problems of the sources the quotations are in, or of sources above
        # them (what stops a source's text stops its parts'), as they are not checked.
        within: set[str] = set()
        for row in quotations:
            iri: str | None = row["source"]
            while iri is not None and iri not in within:
                within.add(iri)
                iri = sources[iri].parent if iri in sources else None
        problems = [p for p in problems if p.source.iri in within]
    violations = [
        _violation(p.source.iri, p.path, p.value, p.message, p.source.graph, files)
        for p in problems
    ]
    cells_by_source: dict[str, dict[tuple[str, str], str]] = {}
    for row in quotations:
        source = texts.get(row["source"])
        if source is None:
            continue  # the source's own violation says why it has no text
        quote, quoted = row["quote"], row["text"]
        name = source.identifier or source.source
        if "row" in row:
            cells = cells_by_source.setdefault(source.source, table_cells(source.text))
            cell = cells.get((row["row"], row["column"]))
            if cell != quoted:
                found = "no such cell" if cell is None else f"the cell reads {cell!r}"
                violations.append(
                    _violation(
                        quote,
                        SCHEMA_TEXT,
                        quoted,
                        f"The table cell at row {row['row']!r}, column {row['column']!r} of "
                        f"{name} is not {quoted!r}: {found}.",
                        row.get("g"),
                        files,
                    )
                )
            continue
        if quoted in source.text:
            continue
        passage, _ = closest_passage(source.text, quoted)
        elsewhere = [
            t.identifier or t.source
            for t in texts.values()
            if t.source != source.source and quoted in t.text and source.text not in t.text
        ]
        also = f" It is in {', '.join(sorted(elsewhere))}'s text." if elsewhere else ""
        violations.append(
            _violation(
                quote,
                SCHEMA_TEXT,
                quoted,
                f"The quotation is not, character for character, in the text of {name} "
                f"({source.file.name}).{also} Closest passage: {passage!r}; first "
                f"difference at {_first_difference(passage, quoted)}.",
                row.get("g"),
                files,
            )
        )
    for row in _as_written(data, under, None if focus is None else focus.claims):
        violations.append(
            _violation(
                row["claim"],
                row["path"],
                row["value"],
                f"{row['value']!r} is given as the source's own words but is in none of the "
                "claim's evidence: copy it character for character from a quotation or table "
                "cell the claim rests on.",
                row.get("g"),
                files,
            )
        )
    return tuple(violations)


def _violation(  # noqa: PLR0917 - the parts of one violation, in its order
    focus: str,
    path: str,
    value: str | None,
    message: str,
    graph: str | None,
    files: Mapping[str, str],
) -> Violation:
    return Violation(
        focus_node=focus,
        path=path,
        value=value,
        source_shape=CHECK,
        source_constraint=None,
        constraint_component="SourceTextCheck",
        severity="Violation",
        message=message,
        graph=graph,
        file=files.get(graph) if graph else None,
    )


def register(
    text_file: Path,
    *,
    identifier: str,
    title: str,
    base_iri: str,
    url: str | None = None,
    genre: str | None = None,
    published: str | None = None,
) -> str:
    """The Turtle that registers ``text_file`` as a source: ``{base}source/{id}`` with its
    identifier, title, text file name and SHA-256, and only what is given (no date, no
    address is invented). Claims are then written against it; ``aikg validate`` checks
    their quotations against the text."""
    if not text_file.is_file():
        raise NotFoundError(
            f"no text file {str(text_file)!r}",
            where="TEXT",
            hint="give the path of the source's plain-text (UTF-8) file",
        )
    try:
        text_file.read_text("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{text_file} is not UTF-8 text: {error}",
            where="TEXT",
            hint="save the source's text as UTF-8",
        ) from error
    if not identifier or not identifier.replace("-", "").isalnum():
        raise InputError(
            f"source identifier {identifier!r} is not usable",
            where="--id",
            hint="letters, digits and hyphens, such as S3",
        )
    if not title.strip():
        raise InputError("a source needs a title", where="--title", hint='--title "..."')
    iri = f"<{base_iri}source/{identifier.lower()}>"
    lines = [
        f"@prefix aikg:    <{AIKG}> .",
        f"@prefix rdfs:    <{RDFS}> .",
        f"@prefix dcterms: <{DCTERMS}> .",
        "@prefix schema:  <http://schema.org/> .",
        f"@prefix spdx:    <{SPDX}> .",
        f"@prefix xsd:     <{XSD}> .",
        "",
        f"{iri}",
        "    a aikg:Source ;",
        f"    dcterms:identifier {Literal(identifier).n3()} ;",
        f"    rdfs:label {Literal(f'{identifier}: {title}', lang='en').n3()} ;",
        f"    schema:headline {Literal(title).n3()} ;",
    ]
    if url:
        if not url.startswith(("http://", "https://")) or any(c in url for c in ' <>"{}|\\^`'):
            raise InputError(
                f"{url!r} is not an http(s) address", where="--url", hint="--url https://..."
            )
        lines.append(f"    schema:url <{url}> ;")
    if genre:
        lines.append(f"    schema:genre {Literal(genre).n3()} ;")
    if published:
        try:
            date.fromisoformat(published)
        except ValueError as error:
            raise InputError(
                f"{published!r} is not a date",
                where="--published",
                hint="YYYY-MM-DD, as the source gives it",
            ) from error
        lines.append(f"    schema:datePublished {Literal(published, datatype=XSD.date).n3()} ;")
    lines += [
        f"    aikg:textFile {Literal(text_file.name).n3()} ;",
        "    spdx:checksum [",
        "        a spdx:Checksum ;",
        "        spdx:algorithm spdx:checksumAlgorithm_sha256 ;",
        f'        spdx:checksumValue "{sha256(text_file)}"',
        "    ] .",
        "",
    ]
    return "\n".join(lines)


__all__ = [
    "CHECK",
    "SourceText",
    "check",
    "closest_passage",
    "find_text_file",
    "register",
    "sha256",
    "source_texts",
    "table_cells",
    "text_dirs",
    "text_of",
]
