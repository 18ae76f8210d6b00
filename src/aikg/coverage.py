"""Coverage of a source: each of its sentences and table cells, and the claims it is evidence of.

A registered source's text (see :mod:`aikg.sources`) is cut into units: a line with no
closing punctuation is a heading, any other line is split into sentences (after ``.``,
``?`` or ``!`` and any closing quotation marks, where a space or a capital letter
follows; not after "Dr."), and a pipe table gives one unit per value cell (the header
row, the row headers and rule lines are not units).

A unit is **covered** when a quotation of the source (or of a part of it, such as its
table) that is a claim's evidence or a statement's quotation overlaps it; a cell, when a
table cell of the source sits at its row and column. A unit that no claim rests on is
**listed** when a file ``not-modelled.json`` beside the source texts names it (its exact
text, or the row and column of a cell) with the reason it is deliberately left out;
otherwise it is **uncovered**: a statement the graph may still lack. A listing that
names no unit of the text, or one that a claim covers, is **stale**, and reported.

>>> from aikg import KnowledgeGraph
>>> report = KnowledgeGraph.load().coverage("S1")
>>> report.counts()["uncovered"]
0
>>> [u.text for u in sentences("Dr. Kim said so.It rained! “Yes,” he said.")]
['Dr. Kim said so.', 'It rained!', '“Yes,” he said.']
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from aikg.errors import InputError, ParameterError
from aikg.sources import SourceText, source_texts, text_dirs, text_of

if TYPE_CHECKING:
    from aikg.knowledge_graph import KnowledgeGraph

LISTING = "not-modelled.json"
"""The file, in a folder of source texts, that lists the units deliberately not modelled."""

STATUSES = ("covered", "listed", "uncovered")

_END = re.compile(r"[.?!][”’\"')]*")
_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "st", "vs"}
_CLOSING = (".", "?", "!", ":", "”", '"', ")")

_SOURCE_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")

_EVIDENCE = """
PREFIX aikg: <https://w3id.org/aikg/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?claim ?label ?quote ?text ?row ?column WHERE {
  ?claim aikg:evidence|aikg:quotation ?quote .
  ?quote schema:text ?text ; dcterms:isPartOf ?part .
  ?part dcterms:isPartOf* <%s> .
  OPTIONAL { ?quote aikg:tableRow ?row ; aikg:tableColumn ?column }
  OPTIONAL { ?claim rdfs:label ?label FILTER (langMatches(lang(?label), "en")) }
}"""


@dataclass(frozen=True)
class ClaimRef:
    """A claim a unit is evidence of: its IRI and English label."""

    iri: str
    label: str


@dataclass(frozen=True)
class Unit:
    """A heading, sentence or table cell of a source text, where it is (character
    offsets into the source's text), and what the graph makes of it."""

    kind: str
    text: str
    start: int
    end: int
    row: str | None = None
    column: str | None = None
    claims: tuple[ClaimRef, ...] = ()
    reason: str | None = None

    @property
    def status(self) -> str:
        """``covered`` (evidence of a claim), ``listed`` (left out, with a reason) or
        ``uncovered``."""
        if self.claims:
            return "covered"
        return "listed" if self.reason is not None else "uncovered"

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "kind": self.kind,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "status": self.status,
            "claims": [{"iri": c.iri, "label": c.label} for c in self.claims],
        }
        if self.kind == "cell":
            found["row"], found["column"] = self.row, self.column
        if self.reason is not None:
            found["reason"] = self.reason
        return found


@dataclass(frozen=True)
class Coverage:
    """The coverage report of one source."""

    source: str
    iri: str
    text: str
    units: tuple[Unit, ...]
    stale: tuple[str, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """How many units are covered, listed and uncovered, and how many in all."""
        found = {s: sum(1 for u in self.units if u.status == s) for s in STATUSES}
        return {**found, "units": len(self.units)}

    def paragraphs(self) -> list[list[Unit]]:
        """The units grouped by the lines of the text they sit on (a table row is a line)."""
        found: list[list[Unit]] = []
        end = 0
        for unit in self.units:
            if not found or "\n" in self.text[end : unit.start]:
                found.append([])
            found[-1].append(unit)
            end = unit.end
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "iri": self.iri,
            "counts": self.counts(),
            "stale": list(self.stale),
            "units": [u.to_dict() for u in self.units],
        }


def sentences(line: str, offset: int = 0) -> list[Unit]:
    """The sentences of one line of text, with their offsets (``offset`` is the line's)."""
    found: list[Unit] = []
    start = 0
    for match in _END.finditer(line):
        end = match.end()
        following = line[end : end + 1]
        if end < len(line) and not (following.isspace() or following.isupper()):
            continue
        word = re.findall(r"(\w+)$", line[start : match.start()])
        if match.group() == "." and word and word[0].lower() in _ABBREVIATIONS:
            continue
        _add(found, "sentence", line, (start, end), offset)
        start = end
    _add(found, "sentence", line, (start, len(line)), offset)
    return found


def _add(found: list[Unit], kind: str, line: str, span: tuple[int, int], offset: int) -> None:
    start, end = span
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        first = offset + start + lead
        found.append(Unit(kind, stripped, first, first + len(stripped)))


def units(text: str) -> list[Unit]:
    """A text cut into headings, sentences and table cells, in reading order."""
    found: list[Unit] = []
    offset = 0
    header: list[str] | None = None
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped.startswith("|"):
            header = _table_line(found, body, offset, header)
        else:
            header = None
            if stripped.endswith(_CLOSING):
                found.extend(sentences(body, offset))
            else:
                _add(found, "heading", body, (0, len(body)), offset)
        offset += len(line)
    return found


def _table_line(found: list[Unit], line: str, offset: int, header: list[str] | None) -> list[str]:
    """Cells of one table line (the header row, rule lines and row headers give none)."""
    bounds = [i for i, ch in enumerate(line) if ch == "|"]
    cells = [(a + 1, b) for a, b in itertools.pairwise(bounds)]
    values = [line[a:b].strip() for a, b in cells]
    if not any(ch.isalnum() for v in values for ch in v):
        return header or []
    if header is None:
        return values
    for (a, b), value, column in zip(cells[1:], values[1:], header[1:], strict=False):
        if value:
            first = offset + a + line[a:b].index(value)
            found.append(Unit("cell", value, first, first + len(value), values[0], column))
    return header


def _listings(dirs: list[Traversable]) -> dict[str, list[dict[str, str]]]:
    """The not-modelled listings of every folder of source texts, by source identifier."""
    merged: dict[str, list[dict[str, str]]] = {}
    for folder in dirs:
        path = folder / LISTING
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise InputError(f"{LISTING} is not JSON: {e}", where=str(path)) from None
        if not isinstance(data, dict):
            raise InputError(f"{LISTING} must map source identifiers to lists", where=str(path))
        for source, entries in data.items():
            if not isinstance(entries, list) or not all(
                isinstance(e, dict)
                and isinstance(e.get("reason"), str)
                and e["reason"].strip()
                and (isinstance(e.get("text"), str) or isinstance(e.get("column"), str))
                for e in entries
            ):
                raise InputError(
                    f"every entry of {source!r} needs a non-empty reason and a text "
                    "(or a row and column)",
                    where=str(path),
                )
            merged.setdefault(source, []).extend(entries)
    return merged


def _key(entry: dict[str, str]) -> tuple[str, ...]:
    if "column" in entry:
        return ("cell", entry.get("row", ""), entry["column"])
    return ("text", entry["text"])


def _unit_key(unit: Unit) -> tuple[str, ...]:
    if unit.kind == "cell":
        return ("cell", unit.row or "", unit.column or "")
    return ("text", unit.text)


def coverage(kg: KnowledgeGraph, identifier: str) -> Coverage:
    """The coverage report of the source with this ``dcterms:identifier`` (``S1``)."""
    check_source_id(identifier)
    source: SourceText = text_of(kg, identifier)
    found = units(source.text)
    spans: list[tuple[int, int, ClaimRef]] = []
    cells: dict[tuple[str, str], list[ClaimRef]] = {}
    for row in kg.data_rows(_EVIDENCE % source.source):
        claim = ClaimRef(row["claim"], row.get("label") or row["claim"])
        if "row" in row and "column" in row:
            cells.setdefault((row["row"], row["column"]), []).append(claim)
            continue
        quoted, at = row["text"], source.text.find(row["text"])
        while quoted and at >= 0:
            spans.append((at, at + len(quoted), claim))
            at = source.text.find(quoted, at + 1)
    listed = {_key(e): e for e in _listings(text_dirs(kg.settings.source_dirs)).get(identifier, [])}
    matched: set[tuple[str, ...]] = set()
    result: list[Unit] = []
    for unit in found:
        if unit.kind == "cell":
            refs = cells.get((unit.row or "", unit.column or ""), [])
        else:
            refs = [c for a, b, c in spans if a < unit.end and unit.start < b]
        claims = tuple(sorted(set(refs), key=lambda c: c.iri))
        entry = listed.get(_unit_key(unit))
        reason = None
        if entry is not None:
            matched.add(_unit_key(unit))
            reason = entry["reason"]
        result.append(
            Unit(unit.kind, unit.text, unit.start, unit.end, unit.row, unit.column, claims, reason)
        )
    stale = [
        f"{' | '.join(key[1:])}: names no {'cell' if key[0] == 'cell' else 'sentence'} "
        f"of {identifier}"
        for key in listed
        if key not in matched
    ]
    stale += [
        f"{u.text}: listed as not modelled, but evidence of {', '.join(c.iri for c in u.claims)}"
        for u in result
        if u.claims and u.reason is not None
    ]
    return Coverage(identifier, source.source, source.text, tuple(result), tuple(stale))


def check_source_id(identifier: str) -> None:
    """Refuse an identifier no source could have, before any work is done."""
    if not _SOURCE_ID.fullmatch(identifier):
        raise ParameterError(
            f"{identifier[:40]!r} is not a source identifier",
            where="source",
            hint="letters, digits, '-' or '_', up to 40 characters, such as S1",
        )


def identified_sources(kg: KnowledgeGraph) -> list[str]:
    """The identifiers of the sources that have a text, sorted."""
    texts, _ = source_texts(kg, kg.settings.source_dirs)
    return sorted({t.identifier for t in texts.values() if t.identifier})
