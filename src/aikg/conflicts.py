"""Conflicts found by rules, not only those the editors record.

The rules are SPARQL, in the saved query ``conflict-candidates`` (so they run on every
backend, a remote store too, and from the CLI, Python and HTTP alike); this module reads
its answer into :class:`Candidate` records and writes them as text or JSON. Each
candidate is a pair of claims that cannot both be true as recorded:

- ``different-value``: the same kind of claim about the same subject, with the same
  hardware model, indicator, unit and currency, scale or index, in the same period as
  written (none stated being a period of its own), and a different value;
- ``same-figure``: one hardware count given to two different holders;
- ``rank-contradicted``: two ranks for one subject in one index, a rank against the rank a
  change in that index ends at, two changes over the same period, or one rank given to
  two subjects;
- ``left-out-of-list``: a subject placed in a tier that a passage listing the tier's
  members (two or more claims resting on it) leaves out.

The claims of several subjects that share a count (``same-figure``), or a rank in one
index (``rank-contradicted``), are each paired once: with the first of them by IRI, or,
for the claims of that first claim's subject, with the first of another subject. Every
such claim is in a pair and the answer grows with the claims; pairing every one with
every other grew with their square (millions of pairs at 10M generated triples).

A pair already linked by an ``aikg:Conflict`` is recorded; the query leaves those out
unless asked for them.

>>> from aikg import KnowledgeGraph
>>> kg = KnowledgeGraph.load()
>>> kg.conflict_candidates().records
[]
>>> sorted({(c.rule, c.recorded_in.rsplit("/", 1)[-1])
...         for c in kg.conflict_candidates(recorded=True).records})
[('left-out-of-list', 'france-ai-maturity'), ('same-figure', 'holder-of-350000')]
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from aikg.sparql.execute import SelectResult

QUERY = "conflict-candidates"
"""The saved query that holds the rules."""

RULES: dict[str, str] = {
    "different-value": "the same kind of claim about the same subject, with a different value",
    "same-figure": "the same hardware count for two different holders",
    "rank-contradicted": "a rank that another claim contradicts",
    "left-out-of-list": "a subject placed in a tier that a list of its members leaves out",
}
"""Each rule's name and what it finds."""


@dataclass(frozen=True)
class Candidate:
    """Two claims that cannot both be true as recorded, and the rule that found them."""

    rule: str
    claim: str
    claim_label: str | None
    subject: str
    subject_label: str | None
    value: str
    source_id: str
    other_claim: str
    other_claim_label: str | None
    other_subject: str
    other_subject_label: str | None
    other_value: str
    other_source_id: str
    recorded_in: str | None
    """The aikg:Conflict that already links the two claims, if any."""

    @property
    def explanation(self) -> str:
        """What the rule finds, in words."""
        return RULES.get(self.rule, self.rule)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "explanation": self.explanation}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


Side = tuple[str, str | None, str, str | None, str, str]
"""One claim of a pair: claim, its label, subject, its label, value, source identifier."""


def _side(row: dict[str, Any], prefix: str) -> Side:
    def column(name: str) -> str:
        return prefix + name[0].upper() + name[1:] if prefix else name

    return (
        str(row[column("claim")]),
        _text(row.get(column("claimLabel"))),
        str(row[column("subject")]),
        _text(row.get(column("subjectLabel"))),
        str(row[column("value")]),
        str(row[column("sourceId")]),
    )


def candidates(result: SelectResult) -> list[Candidate]:
    """The saved query's rows as records."""
    return [
        Candidate(
            str(row["rule"]),
            *_side(row, ""),
            *_side(row, "other"),
            recorded_in=_text(row.get("recordedIn")),
        )
        for row in result.values()
    ]


def to_json(found: list[Candidate]) -> str:
    """The candidates as a JSON array, one object per pair."""
    return json.dumps([c.to_dict() for c in found], indent=2, ensure_ascii=False)


def to_text(found: list[Candidate], *, recorded: bool) -> str:
    """The candidates for a reader: per pair, the rule, both claims with their value and
    source, and the conflict that records them if any."""
    if not found:
        kept = "" if recorded else " that is not already recorded as an aikg:Conflict"
        return f"No candidate conflict{kept}."
    lines = [f"{len(found)} candidate conflict{'s' if len(found) != 1 else ''}:"]
    for c in found:
        lines.append("")
        lines.append(f"{c.rule}: {c.explanation}")
        for iri, label, value, source in (
            (c.claim, c.claim_label, c.value, c.source_id),
            (c.other_claim, c.other_claim_label, c.other_value, c.other_source_id),
        ):
            lines.append(f"  {iri}  [{source}] {value}")
            if label:
                lines.append(f"    {label}")
        lines.append(f"  recorded in {c.recorded_in}" if c.recorded_in else "  not recorded")
    return "\n".join(lines)
