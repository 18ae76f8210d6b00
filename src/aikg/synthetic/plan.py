"""The plan of a run: how many dossiers and extra holdings make the triples asked for, and
which dossiers get which injected violations."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from aikg.config import SHAPES_NS
from aikg.synthetic.dossier import (
    ASSESSMENTS,
    COMPANIES,
    HOLDINGS,
    MEASUREMENTS,
    PEOPLE,
    POSITIONS,
    RECOMMENDATIONS,
    ROLE_CLAIMS,
    SOURCES,
    STATEMENTS,
    part_sizes,
)
from aikg.synthetic.violations import KINDS, Expected


def _target(kind: str, b: int, base: str) -> str:
    """The node that violation ``kind`` breaks in dossier ``b``."""
    claim = f"{base}claim/"
    targets = {
        "holding-quantity-zero": f"{claim}holding-g{b * HOLDINGS + 3}",
        "claim-without-source": f"{claim}recommendation-g{b * RECOMMENDATIONS}",
        "rank-beyond-count": f"{claim}position-g{b * POSITIONS}",
        "evidence-from-other-source": f"{claim}assessment-g{b * ASSESSMENTS}",
        "label-not-english": f"{base}person/g{b * PEOPLE + 1}",
        "currency-not-iso": f"{claim}measurement-g{b * MEASUREMENTS + 1}",
        "unreported-with-value": f"{claim}unreported-g{b}",
        "quotation-not-by-speaker": f"{claim}statement-g{b * STATEMENTS}",
        "tier-of-other-index": f"{claim}position-g{b * POSITIONS + 2}",
        "role-in-organization-and-country": f"{claim}role-g{b * ROLE_CLAIMS}",
        "hardware-model-and-words": f"{claim}holding-g{b * HOLDINGS + 4}",
        "entity-not-mentioned": f"{base}company/g{b * COMPANIES + 2}",
        "conflict-of-one-claim": f"{base}conflict/g{b}",
        "recommendation-unattributed": f"{claim}recommendation-g{b * RECOMMENDATIONS + 1}",
        "same-as-not-wikidata": f"{base}country/g{b}",
        "assessment-without-stance": f"{claim}assessment-g{b * ASSESSMENTS + 1}",
        "unit-and-currency": f"{claim}measurement-g{b * MEASUREMENTS}",
        "rank-change-without-change": f"{claim}rank-change-g{b}",
        "quotation-without-text": f"{base}quote/role-g{b * ROLE_CLAIMS + 2}",
        "anonymous-with-identifier": f"{base}person/g{b * PEOPLE + 2}",
        "measurement-negative": f"{claim}measurement-g{b * MEASUREMENTS + 3}",
        "source-two-identifiers": f"{base}source/g{b * SOURCES + 1}",
        "table-cell-without-column": f"{base}quote/unreported-g{b}",
    }
    return targets[kind]


@dataclass(frozen=True)
class Plan:
    blocks: int
    """How many dossiers."""
    fillers: int
    """How many extra holdings after them."""
    broken: dict[int, frozenset[str]]
    """Dossier number -> the violation kinds injected in it."""
    expected: tuple[Expected, ...]


def make_plan(triples: int, violations: int, base_iri: str) -> Plan:
    if triples < 0:
        raise ValueError(f"triples must be >= 0, not {triples}")
    if violations < 0:
        raise ValueError(f"violations must be >= 0, not {violations}")
    if not base_iri.startswith(("http://", "https://")) or not base_iri.endswith(("/", "#")):
        raise ValueError(f"base IRI {base_iri!r} is not an http(s) IRI ending in '/' or '#'")
    ox.NamedNode(base_iri)  # raises ValueError for characters an IRI cannot hold
    header, block, filler = part_sizes()
    blocks = max(1, (triples - header) // block)
    fillers = max(0, triples - header - blocks * block) // filler
    if violations > blocks * len(KINDS):
        raise ValueError(
            f"{violations} violations do not fit in {triples} triples: at most "
            f"{len(KINDS)} per dossier of {block} triples, {blocks * len(KINDS)} in all"
        )
    # Violation j goes to dossier j * blocks // violations: spread evenly, and the ones
    # sharing a dossier are consecutive, hence of different kinds.
    broken: dict[int, set[str]] = {}
    expected = []
    for j in range(violations):
        b = j * blocks // violations
        kind, _, shape, path, constraint = KINDS[j % len(KINDS)]
        broken.setdefault(b, set()).add(kind)
        expected.append(
            Expected(
                focus_node=_target(kind, b, base_iri),
                source_shape=SHAPES_NS + shape,
                path=path,
                source_constraint=SHAPES_NS + constraint if constraint else None,
                kind=kind,
            )
        )
    return Plan(
        blocks=blocks,
        fillers=fillers,
        broken={b: frozenset(kinds) for b, kinds in broken.items()},
        expected=tuple(expected),
    )
