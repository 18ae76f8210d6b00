"""The violations the generator can inject, and the validation results each must produce."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from aikg.config import ONTOLOGY_NS
from aikg.namespaces import DCTERMS, PROV, RDFS, SCHEMA

# (kind, what it breaks, source shape, result path or None (the node shape itself),
#  SPARQL constraint or None). Each kind breaks its own node of a dossier, one that no
# other kind touches, and produces exactly one validation result.
KINDS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("holding-quantity-zero", "a hardware holding of quantity 0",
     "HardwareHoldingShape-quantity", ONTOLOGY_NS + "quantity", None),
    ("claim-without-source", "a recommendation without prov:wasDerivedFrom",
     "ClaimShape-wasDerivedFrom", PROV + "wasDerivedFrom", None),
    ("rank-beyond-count", "an index position ranked beyond its aikg:rankedCount",
     "IndexPositionShape", ONTOLOGY_NS + "rank", "IndexPositionShape-rankWithinCount"),
    ("evidence-from-other-source", "an assessment resting on a quotation of another source",
     "ClaimShape", ONTOLOGY_NS + "evidence", "ClaimShape-evidenceFromSource"),
    ("label-not-english", "a person labelled only in Korean",
     "LabelShape-label", RDFS + "label", None),
    ("currency-not-iso", 'a measurement in currency "yuan"',
     "MeasurementShape-currency", SCHEMA + "currency", None),
    ("unreported-with-value", "an unreported (N/A) value carrying schema:value 0",
     "UnreportedValueShape-noValue", SCHEMA + "value", None),
    ("quotation-not-by-speaker", "a statement whose quotation another person speaks",
     "StatementShape", ONTOLOGY_NS + "quotation", "StatementShape-spokenBySpeaker"),
    ("tier-of-other-index", "an index position in a tier of another index",
     "IndexPositionShape", ONTOLOGY_NS + "tier", "IndexPositionShape-tierOfIndex"),
    ("role-in-organization-and-country", "a role claim in an organization and for a country",
     "MembershipShape", ONTOLOGY_NS + "ofCountry", "MembershipShape-organizationOrCountry"),
    ("hardware-model-and-words", "a holding naming both a hardware model and hardware in words",
     "HardwareHoldingShape", None, None),
    ("entity-not-mentioned", "a company without aikg:mentionedIn",
     "EntityShape-mentionedIn", ONTOLOGY_NS + "mentionedIn", None),
    ("conflict-of-one-claim", "a conflict with a single conflicting claim",
     "ConflictShape-conflictingClaim", ONTOLOGY_NS + "conflictingClaim", None),
    ("recommendation-unattributed", "a recommendation without prov:wasAttributedTo",
     "RecommendationShape-attributedTo", PROV + "wasAttributedTo", None),
    ("same-as-not-wikidata", "a country whose schema:sameAs is a Wikidata page, not an item",
     "WikidataLinkShape-sameAs", SCHEMA + "sameAs", None),
    ("assessment-without-stance", "an innovation assessment without aikg:stance",
     "InnovationAssessmentShape-stance", ONTOLOGY_NS + "stance", None),
    ("unit-and-currency", "a measurement with both a unit and a currency",
     "MeasurementShape", None, None),
    ("rank-change-without-change", "a rank change to the rank it started from",
     "RankChangeShape", ONTOLOGY_NS + "toRank", "RankChangeShape-ranksDiffer"),
    ("quotation-without-text", "a quotation without schema:text",
     "QuotationShape-text", SCHEMA + "text", None),
    ("anonymous-with-identifier", "an anonymous person with a Wikidata identifier",
     "AgentShape", SCHEMA + "sameAs", "AgentShape-anonymousHasNoIdentifier"),
    ("measurement-negative", "a measurement of value -5",
     "MeasurementShape-value", SCHEMA + "value", None),
    ("source-two-identifiers", "a source with two dcterms:identifier",
     "SourceShape-identifier", DCTERMS + "identifier", None),
    ("table-cell-without-column", "a table cell without aikg:tableColumn",
     "TableCellShape-tableColumn", ONTOLOGY_NS + "tableColumn", None),
)  # fmt: skip

VIOLATION_KINDS = MappingProxyType({kind: what for kind, what, *_ in KINDS})
"""The kinds of violation ``violations=K`` injects, in the order they are used, each with
what it breaks. Violation ``j`` is of the kind ``j % len(VIOLATION_KINDS)``."""


@dataclass(frozen=True)
class Expected:
    """One validation result that an injected violation must produce.

    The fields a validator's result is compared on (see :meth:`key`): the focus node,
    the source shape (an ``https://w3id.org/aikg/shapes#`` node or property shape), the
    result path (None for a node-level constraint such as ``sh:xone``) and, for a SPARQL
    constraint, the constraint.
    """

    focus_node: str
    source_shape: str
    path: str | None
    source_constraint: str | None
    kind: str = field(default="", compare=False)
    """The :data:`VIOLATION_KINDS` entry that injected it (not compared)."""

    def key(self) -> tuple[str, str, str | None, str | None]:
        """(focus node, source shape, path, source constraint)."""
        return (self.focus_node, self.source_shape, self.path, self.source_constraint)
