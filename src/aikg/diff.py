"""What changed between two versions of the data, claim by claim.

A reviewer of a data change reads claims, not triples: :func:`diff_paths` opens two
versions (each a persistent store directory, a folder of RDF files, one RDF file, or the
``http(s)://`` SPARQL endpoint of a remote store), and :func:`diff_graphs` compares the
claims of two open graphs: the claims added, the claims removed, and for each claim in
both, the parts that changed (a property with the values it lost and gained). A claim's
parts are what the data states about it (its own triples, the inferred graph left out)
and the text of each quotation it rests on, so a quotation reworded is a change to every
claim that cites it.

>>> from aikg import KnowledgeGraph
>>> kg = KnowledgeGraph.load()
>>> diff_graphs(kg, kg).empty
True
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aikg.config import Settings
from aikg.errors import InputError, NotFoundError
from aikg.formats import RDF_FORMATS
from aikg.knowledge_graph import KnowledgeGraph
from aikg.namespaces import curie, prefix_table
from aikg.sparql.execute import SelectResult
from aikg.store.local import Store

QUOTATION_TEXT = "aikg:evidence/schema:text"
"""The name of the part that holds the texts of the quotations a claim rests on."""

# A claim is known by its type aikg:Claim, which the inferred graph gives every claim on
# every store: the class hierarchy walked with rdfs:subClassOf* beside a VALUES block
# finds no claim on Virtuoso.
_PARTS = """
PREFIX aikg: <https://w3id.org/aikg/ontology#>
SELECT DISTINCT ?claim ?property ?value WHERE {
  AMONG
  ?claim a aikg:Claim .
  GRAPH ?graph { ?claim ?property ?value }
  FILTER (?graph != <INFERRED>)
}
"""

_QUOTATIONS = """
PREFIX aikg: <https://w3id.org/aikg/ontology#>
PREFIX schema: <http://schema.org/>
SELECT DISTINCT ?claim ?value WHERE {
  AMONG
  ?claim a aikg:Claim ; aikg:evidence ?quotation .
  ?quotation schema:text ?value .
}
"""

Parts = dict[str, frozenset[str]]
"""A claim's parts: each property (a short name) with its values (in Turtle syntax)."""


@dataclass(frozen=True)
class Claim:
    """A claim added or removed, with all its parts."""

    claim: str
    label: str | None
    parts: dict[str, tuple[str, ...]]

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "label": self.label, "parts": self.parts}


@dataclass(frozen=True)
class PartChange:
    """One property of a claim: the values the new version drops and those it adds."""

    property: str
    removed: tuple[str, ...]
    added: tuple[str, ...]


@dataclass(frozen=True)
class ChangedClaim:
    """A claim in both versions whose parts differ."""

    claim: str
    label: str | None
    """The new version's label."""
    changes: tuple[PartChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "label": self.label,
            "changes": [
                {"property": c.property, "removed": list(c.removed), "added": list(c.added)}
                for c in self.changes
            ],
        }


@dataclass(frozen=True)
class ClaimDiff:
    """The claims added, removed and changed from one version to the next, by claim IRI."""

    added: tuple[Claim, ...] = field(default=())
    removed: tuple[Claim, ...] = field(default=())
    changed: tuple[ChangedClaim, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [c.to_dict() for c in self.added],
            "removed": [c.to_dict() for c in self.removed],
            "changed": [c.to_dict() for c in self.changed],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        """For a reviewer: a summary line, then each claim, ``+`` added, ``-`` removed,
        ``~`` changed with its changed parts."""
        if self.empty:
            return "No claim added, removed or changed."
        lines = [
            f"{len(self.added)} claims added, {len(self.removed)} removed, "
            f"{len(self.changed)} changed."
        ]
        for mark, claims in (("+", self.added), ("-", self.removed)):
            for claim in claims:
                lines += ["", f"{mark} {claim.claim}  {claim.label or ''}".rstrip()]
                for prop, values in claim.parts.items():
                    lines += [f"    {prop} {value}" for value in values]
        for changed in self.changed:
            lines += ["", f"~ {changed.claim}  {changed.label or ''}".rstrip()]
            for change in changed.changes:
                lines += [f"    {change.property}  - {value}" for value in change.removed]
                lines += [f"    {change.property}  + {value}" for value in change.added]
        return "\n".join(lines)


def _term(value: Any, table: dict[str, str]) -> str:
    n3: str = value.n3()
    if n3.startswith("<") and n3.endswith(">"):
        short = curie(n3[1:-1], table)
        return short if short != n3[1:-1] else n3
    lexical, typed, datatype = n3.rpartition("^^<")
    if typed and datatype.endswith(">"):  # a typed literal: its datatype by a short name
        return f"{lexical}^^{curie(datatype[:-1], table)}"
    return n3


AMONG_BATCH = 500
"""Claim IRIs per query when only some claims are read."""


def claims(kg: KnowledgeGraph, among: Iterable[str] | None = None) -> dict[str, Parts]:
    """Every claim of ``kg`` (or those of ``among`` that are claims) with its parts, by
    claim IRI."""
    if among is None:
        return _claims(kg, "")
    wanted = sorted(set(among))
    found: dict[str, Parts] = {}
    for start in range(0, len(wanted), AMONG_BATCH):
        batch = " ".join(f"<{iri}>" for iri in wanted[start : start + AMONG_BATCH])
        found.update(_claims(kg, f"VALUES ?claim {{ {batch} }}"))
    return found


def _claims(kg: KnowledgeGraph, among: str) -> dict[str, Parts]:
    table = prefix_table(kg.settings.base_iri)
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    parts_query = _PARTS.replace("INFERRED", kg.store.inferred_graph)
    parts = kg.query(parts_query.replace("AMONG", among), max_rows=2**62)
    quotations = kg.query(_QUOTATIONS.replace("AMONG", among), max_rows=2**62)
    assert isinstance(parts, SelectResult)
    assert isinstance(quotations, SelectResult)
    for row in parts.rows:
        prop = curie(str(row["property"]), table)
        found[str(row["claim"])][prop].add(_term(row["value"], table))
    for row in quotations.rows:
        found[str(row["claim"])][QUOTATION_TEXT].add(_term(row["value"], table))
    return {c: {p: frozenset(v) for p, v in ps.items()} for c, ps in found.items()}


def _label(parts: Parts) -> str | None:
    labels = sorted(parts.get("rdfs:label", ()))
    english = [v for v in labels if v.endswith("@en")] or labels
    return english[0].rsplit("@", 1)[0].strip('"') if english else None


def _whole(iri: str, parts: Parts) -> Claim:
    return Claim(iri, _label(parts), {p: tuple(sorted(v)) for p, v in sorted(parts.items())})


def compare(old: dict[str, Parts], new: dict[str, Parts]) -> ClaimDiff:
    """The difference between two versions' claims (as :func:`claims` gives them)."""
    changed = []
    for iri in sorted(old.keys() & new.keys()):
        before, after = old[iri], new[iri]
        changes = tuple(
            PartChange(
                prop,
                tuple(sorted(before.get(prop, frozenset()) - after.get(prop, frozenset()))),
                tuple(sorted(after.get(prop, frozenset()) - before.get(prop, frozenset()))),
            )
            for prop in sorted(before.keys() | after.keys())
            if before.get(prop) != after.get(prop)
        )
        if changes:
            changed.append(ChangedClaim(iri, _label(after), changes))
    return ClaimDiff(
        added=tuple(_whole(i, new[i]) for i in sorted(new.keys() - old.keys())),
        removed=tuple(_whole(i, old[i]) for i in sorted(old.keys() - new.keys())),
        changed=tuple(changed),
    )


def diff_graphs(old: KnowledgeGraph, new: KnowledgeGraph) -> ClaimDiff:
    """The claims added, removed and changed from ``old`` to ``new``."""
    return compare(claims(old), claims(new))


_EXTENSIONS = {e for f in RDF_FORMATS for e in (f.extension, *f.aliases)}


def _rdf_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lstrip(".").lower() in _EXTENSIONS
    )


def _existing(settings: Settings, where: str) -> KnowledgeGraph:
    """A store as it is: never filled with the bundled data, as opening one for use is."""
    kg = KnowledgeGraph(Store(settings))
    if kg.store.is_empty():
        kg.close()
        raise InputError(
            f"the store {where!r} holds no data",
            where=where,
            hint="give a store that 'aikg load --store' or 'aikg serve' has filled",
        )
    return kg


def open_version(where: str, settings: Settings | None = None) -> KnowledgeGraph:
    """One version of the data, opened for reading: a store directory (a persistent
    store, never created or filled here), a folder of RDF files, one RDF file, or the
    ``http(s)://`` endpoint of a remote store. Files are loaded without validation: a
    version that does not conform can still be compared."""
    settings = settings or Settings()
    if where.startswith(("http://", "https://")):
        return _existing(settings.replace(store=where), where)
    path = Path(where)
    if not path.exists():
        raise NotFoundError(
            f"no store, folder or file {where!r}",
            where=where,
            hint="give a store directory, a folder of RDF files, an RDF file or an "
            "http(s):// SPARQL endpoint",
        )
    if path.is_file():
        return KnowledgeGraph.load([path], settings=settings, validate=False)
    if (path / "CURRENT").is_file():  # a persistent (RocksDB) store directory
        return _existing(settings.replace(store=str(path)), where)
    files = _rdf_files(path)
    if not files:
        raise InputError(
            f"{where!r} is neither a store directory nor a folder of RDF files",
            where=where,
            hint="give a store made by 'aikg load --store DIR', or a folder holding "
            ".ttl, .nt, .nq, .trig, .jsonld or .rdf files",
        )
    return KnowledgeGraph.load(files, settings=settings, validate=False)


def diff_paths(old: str | Path, new: str | Path, settings: Settings | None = None) -> ClaimDiff:
    """The claims added, removed and changed from the version at ``old`` to the one at
    ``new`` (see :func:`open_version` for what each may be)."""
    before = open_version(str(old), settings)
    try:
        if Path(old).resolve() == Path(new).resolve():
            # One version against itself (a store on disk opens once at a time: a second
            # open would fail on its lock).
            return ClaimDiff()
        after = open_version(str(new), settings)
        try:
            return diff_graphs(before, after)
        finally:
            after.close()
    finally:
        before.close()
