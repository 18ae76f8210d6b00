"""Find resources by a part of any of their names, in any language.

A name is an ``rdfs:label``, a ``skos:prefLabel`` or a ``skos:altLabel``. Matching is on
case-folded text (Unicode NFKC, so full-width Latin letters and compatibility forms of
Hangul match their usual forms); Korean is matched as written, syllable by syllable, so
``한국`` finds ``대한민국`` and ``한국``.

Ranking, best first: things before the records about them (claims, quotations,
conflicts and sources come after countries, companies, people, concepts...); then a name
equal to the text, one that starts with it as a word, one that starts with it, one with
the text as a word, one with a word that starts with it, one that merely contains it; at
equal rank, a preferred name (label, prefLabel) before an alternative one, then the
shorter name. Each resource appears once, with its best match and its preferred label
(``aikg:preferredLabel``, see :mod:`aikg.inference`).

The candidates come from one SPARQL query on the store (any backend); ranking happens here.

>>> from aikg import KnowledgeGraph
>>> [(m.label, m.matched) for m in search(KnowledgeGraph.load().store, "korea", limit=2)]
[('South Korea', 'Korea'), ('Recommendations for Korea', 'Recommendations for Korea')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from aikg.errors import ParameterError
from aikg.inference import PREFERRED_LABEL
from aikg.names import NAME_PROPERTIES, fold
from aikg.namespaces import AIKG, RDFS, SKOS
from aikg.store.local import Store

MAX_TEXT = 200
"""The longest text searched for, in characters."""
MAX_LIMIT = 100
"""The most results one search returns."""

_NAMES = {RDFS + "label": 0, SKOS + "prefLabel": 0, SKOS + "altLabel": 1}
"""Name properties, and their rank: alternative names come after preferred ones."""


@dataclass(frozen=True)
class Match:
    """One resource found: its IRI, its preferred label, the name that matched (and its
    language), its stated types, and its score (1 is an exact match)."""

    iri: str
    label: str
    matched: str
    lang: str | None
    types: tuple[str, ...] = field(default=())
    score: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "iri": self.iri,
            "label": self.label,
            "matched": self.matched,
            "lang": self.lang,
            "types": list(self.types),
            "score": self.score,
        }


SEARCH_TEXT = "the text searched for"
"""Where a wrong search text is said to be (HTTP names its ``q``, the CLI its TEXT)."""
SEARCH_LIMIT = "the limit"
"""Where a wrong limit is said to be (HTTP names its ``limit``, the CLI its ``--limit``)."""


def check_text(text: str) -> str:
    """The normalized text to search for; ParameterError when there is nothing to search
    for or too much."""
    wanted = fold(text)
    if not wanted:
        raise ParameterError(
            "nothing to search for: the text is empty",
            where=SEARCH_TEXT,
            hint="give a part of a name, such as korea or 한국",
        )
    if len(wanted) > MAX_TEXT:
        raise ParameterError(
            f"the text to search for is {len(wanted)} characters long; the limit is {MAX_TEXT}",
            where=SEARCH_TEXT,
            hint="search for a part of a name",
        )
    return wanted


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ParameterError(
            f"limit {limit} is out of range",
            where=SEARCH_LIMIT,
            hint=f"give a number from 1 to {MAX_LIMIT}",
        )
    return limit


def _rank(name: str, wanted: str) -> float:
    """How well one normalized name matches (0 when it does not).

    >>> [_rank(n, "ai") for n in ("ai", "ai application", "aikg", "korea ai", "mainly")]
    [1.0, 0.9, 0.8, 0.7, 0.4]
    """
    if name == wanted:
        return 1.0
    whole = re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", name)
    if name.startswith(wanted):
        return 0.9 if whole and whole.start() == 0 else 0.8
    if whole:
        return 0.7
    if re.search(rf"(?<!\w){re.escape(wanted)}", name):
        return 0.6
    return 0.4 if wanted in name else 0.0


_CANDIDATES = """SELECT ?x ?property ?name WHERE {
  VALUES ?property { $properties }
  ?x ?property ?name .
  FILTER (isIRI(?x) && CONTAINS(LCASE(STR(?name)), $needle))
}"""
_FACTS = """SELECT ?x ?preferred ?record WHERE {
  VALUES ?x { $iris }
  OPTIONAL { ?x $preferred_label ?preferred }
  BIND (EXISTS { VALUES ?kind { $records } ?x a ?kind } AS ?record)
}"""
_RECORDS = ("Claim", "Quotation", "Conflict", "Source")
"""The classes of records about things (aikg's), ranked after the things."""

Candidate = tuple[str, str, str, str | None]
"""A name that may match: the resource's IRI, the name property, the name, its language."""


def _scan(store: Store, wanted: str) -> list[Candidate]:
    """The candidates by a scan of every name in the store, for a store with no name
    index (a remote one). LCASE is a first cut the engine can make; the exact comparison
    is on NFKC and case-folded text (LCASE and casefold differ on a few letters)."""
    query = _CANDIDATES.replace(
        "$properties", " ".join(str(ox.NamedNode(p)) for p in NAME_PROPERTIES)
    ).replace("$needle", str(ox.Literal(wanted.lower())))
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    found = []
    for row in result:
        iri, prop, name = row["x"], row["property"], row["name"]
        if isinstance(iri, ox.NamedNode) and isinstance(name, ox.Literal):
            assert isinstance(prop, ox.NamedNode)
            found.append((iri.value, prop.value, name.value, name.language))
    return found


def _facts(store: Store, iris: set[str]) -> dict[str, tuple[str | None, bool]]:
    """Each IRI's preferred label and whether it is a record, in one query."""
    if not iris:
        return {}
    query = (
        _FACTS.replace("$iris", " ".join(str(ox.NamedNode(i)) for i in sorted(iris)))
        .replace("$preferred_label", str(ox.NamedNode(PREFERRED_LABEL)))
        .replace("$records", " ".join(str(ox.NamedNode(AIKG + c)) for c in _RECORDS))
    )
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    facts: dict[str, tuple[str | None, bool]] = {}
    for row in result:
        iri, preferred, record = row["x"], row["preferred"], row["record"]
        if isinstance(iri, ox.NamedNode):
            label = preferred.value if isinstance(preferred, ox.Literal) else None
            facts[iri.value] = (label, isinstance(record, ox.Literal) and record.value == "true")
    return facts


def search(store: Store, text: str, *, limit: int = 10) -> list[Match]:
    """The resources with a name containing ``text``, best first (see the module): from
    the store's name index (:mod:`aikg.names`) where it has one, else by a scan."""
    wanted = check_text(text)
    check_limit(limit)
    candidates = store.names.find(wanted) if store.names is not None else _scan(store, wanted)
    scored = [(c, _rank(fold(c[2]), wanted)) for c in candidates]
    scored = [(c, score) for c, score in scored if score]
    facts = _facts(store, {c[0] for c, _ in scored})
    best: dict[str, tuple[tuple[bool, float, int, int], Match]] = {}
    for (iri, prop, name, lang), score in scored:
        preferred, record = facts.get(iri, (None, False))
        key = (record, -score, _NAMES[prop], len(name))
        if iri not in best or key < best[iri][0]:
            best[iri] = (key, Match(iri, preferred or name, name, lang, score=score))
    ranked = [match for _, match in sorted(best.values(), key=lambda kv: (kv[0], kv[1].iri))]
    found = ranked[:limit]
    types = store.stated_types(ox.NamedNode(m.iri) for m in found)
    return [
        Match(m.iri, m.label, m.matched, m.lang, tuple(sorted(types.get(m.iri, ()))), m.score)
        for m in found
    ]
