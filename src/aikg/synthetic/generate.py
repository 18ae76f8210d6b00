"""Synthetic aikg data: a deterministic, streaming generator for benchmarks and validators.

:func:`generate` yields about as many quads as asked for (within 2 %, from a thousand to
ten million and more), modelled the way the bundled data is: every fact is a claim node
with its source and the quotations it rests on, and everything conforms to
``ontology/shapes.ttl``. The same arguments always give the same quads, in the same order.

The data is a fixed *reference* part (concept schemes, roles, indicators, stances,
innovation types, recommendation topics, ranked and tiered indexes with their tiers,
hardware models and their makers, index publishers), then *dossiers*, one per synthetic
country, all of the same shape: four sources (three yearly editions of a report, the last
with a table, and an interview), the country, three companies, three people (one
anonymous), a group and an event, and their claims -- role claims, hardware holdings of
three holders in each edition plus a rival estimate that a conflict flags, a value the
table reports as N/A, ranks out of a ranked count, a tier, a rank change, measurements in
units and in currencies (one the equivalent of another), statements (one reported
speech), recommendations and innovation assessments. Extra hardware holdings top the
count up. Each kind of fact goes to the named graph ``{base_iri}graph/generated-<slice>``
(:data:`SLICES`); IRIs are readable: ``{base_iri}country/g12``,
``{base_iri}claim/holding-g125``, ``{base_iri}quote/holding-g125``.

``violations=K`` breaks K facts, spread over the dossiers and cycling through
:data:`VIOLATION_KINDS`; :func:`injected` names exactly the results a SHACL validator
reports for them (:class:`Expected`). :func:`write` streams the quads to a file.

>>> quads = list(generate(1_000, seed=7))
>>> 980 <= len(quads) <= 1_020
True
>>> quads[0].graph_name.value
'https://w3id.org/aikg/graph/generated-concepts'
>>> quads == list(generate(1_000, seed=7))
True
>>> [e.source_shape.rsplit("#", 1)[-1] for e in injected(1_000, 7, 2)]
['HardwareHoldingShape-quantity', 'ClaimShape-wasDerivedFrom']
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pyoxigraph as ox

from aikg.config import DEFAULT_BASE_IRI, ONTOLOGY_NS, SHAPES_NS
from aikg.namespaces import DCTERMS, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, WD, XSD

__all__ = [
    "SLICES",
    "VIOLATION_KINDS",
    "Expected",
    "generate",
    "injected",
    "minimum_triples",
    "write",
]

# The quads are built as N-Quads text, a dossier at a time, and parsed back by Oxigraph:
# three times faster than making each pyoxigraph.Quad in Python, and write() can send the
# text straight to the file. A term below is a string in N-Quads syntax.


def _a(name: str) -> str:
    return f"<{ONTOLOGY_NS}{name}>"


TYPE = f"<{RDF}type>"
LABEL = f"<{RDFS}label>"
COMMENT = f"<{RDFS}comment>"
PREF_LABEL = f"<{SKOS}prefLabel>"
ALT_LABEL = f"<{SKOS}altLabel>"
IN_SCHEME = f"<{SKOS}inScheme>"
DEFINITION = f"<{SKOS}definition>"
CONCEPT_SCHEME = f"<{SKOS}ConceptScheme>"
S_ARTICLE = f"<{SCHEMA}Article>"
S_TABLE = f"<{SCHEMA}Table>"
S_HEADLINE = f"<{SCHEMA}headline>"
S_GENRE = f"<{SCHEMA}genre>"
S_TEXT = f"<{SCHEMA}text>"
S_SPOKEN_BY = f"<{SCHEMA}spokenByCharacter>"
S_VALUE = f"<{SCHEMA}value>"
S_UNIT = f"<{SCHEMA}unitText>"
S_CURRENCY = f"<{SCHEMA}currency>"
S_MANUFACTURER = f"<{SCHEMA}manufacturer>"
S_SAME_AS = f"<{SCHEMA}sameAs>"
O_MEMBER = f"<{ORG}member>"
O_ROLE = f"<{ORG}role>"
O_ORGANIZATION = f"<{ORG}organization>"
DERIVED_FROM = f"<{PROV}wasDerivedFrom>"
ATTRIBUTED_TO = f"<{PROV}wasAttributedTo>"
IDENTIFIER = f"<{DCTERMS}identifier>"
IS_PART_OF = f"<{DCTERMS}isPartOf>"
HAS_PART = f"<{DCTERMS}hasPart>"

COUNTRY = _a("Country")
ORGANIZATION = _a("Organization")
COMPANY = _a("Company")
STARTUP = _a("Startup")
PERSON = _a("Person")
GROUP = _a("Group")
EVENT = _a("Event")
HARDWARE_MODEL = _a("HardwareModel")
INDEX = _a("Index")
INNOVATION_TYPE = _a("InnovationType")
TIER = _a("Tier")
STANCE = _a("Stance")
ROLE = _a("Role")
INDICATOR = _a("Indicator")
TOPIC = _a("Topic")
SOURCE = _a("Source")
QUOTATION = _a("Quotation")
TABLE_CELL = _a("TableCell")
HARDWARE_HOLDING = _a("HardwareHolding")
INDEX_POSITION = _a("IndexPosition")
RANK_CHANGE = _a("RankChange")
MEASUREMENT = _a("Measurement")
UNREPORTED_VALUE = _a("UnreportedValue")
STATEMENT = _a("Statement")
MEMBERSHIP = _a("Membership")
INNOVATION_ASSESSMENT = _a("InnovationAssessment")
RECOMMENDATION = _a("Recommendation")
CONFLICT = _a("Conflict")

ISO = _a("iso3166Alpha2")
BASED_IN = _a("basedIn")
ANONYMOUS = _a("anonymous")
MENTIONED_IN = _a("mentionedIn")
PUBLISHED_BY = _a("publishedBy")
TIER_OF = _a("tierOf")
TIER_LEVEL = _a("tierLevel")
TABLE_ROW = _a("tableRow")
TABLE_COLUMN = _a("tableColumn")
EVIDENCE = _a("evidence")
SUBJECT = _a("subject")
VALUE_AS_WRITTEN = _a("valueAsWritten")
PERIOD_AS_WRITTEN = _a("periodAsWritten")
HARDWARE = _a("hardwareModel")
HARDWARE_AS_WRITTEN = _a("hardwareAsWritten")
QUANTITY = _a("quantity")
P_INDEX = _a("index")
RANK = _a("rank")
RANKED_COUNT = _a("rankedCount")
P_TIER = _a("tier")
FROM_RANK = _a("fromRank")
TO_RANK = _a("toRank")
SUPPORTED_BY = _a("supportedBy")
P_INDICATOR = _a("indicator")
APPROXIMATE = _a("approximate")
EQUIVALENT_OF = _a("equivalentOf")
SPEAKER = _a("speaker")
P_QUOTATION = _a("quotation")
AT_EVENT = _a("atEvent")
REPORTED_SPEECH = _a("reportedSpeech")
OF_COUNTRY = _a("ofCountry")
P_INNOVATION_TYPE = _a("innovationType")
P_STANCE = _a("stance")
P_TOPIC = _a("topic")
CONFLICTING_CLAIM = _a("conflictingClaim")

_TRUE = f'"true"^^<{XSD}boolean>'
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _esc(text: str) -> str:
    if '"' in text or "\\" in text or "\n" in text or "\r" in text or "\t" in text:
        return text.translate(_ESCAPES)
    return text


def _en(text: str) -> str:
    """An English literal."""
    return f'"{_esc(text)}"@en'


def _str(text: str) -> str:
    """A plain (xsd:string) literal."""
    return f'"{_esc(text)}"'


def _int(n: int) -> str:
    return f'"{n}"^^<{XSD}integer>'


def _dec(lexical: str) -> str:
    return f'"{lexical}"^^<{XSD}decimal>'


SLICES = (
    "concepts",
    "sources",
    "entities",
    "memberships",
    "holdings",
    "rankings",
    "measurements",
    "statements",
    "recommendations",
    "assessments",
    "conflicts",
)
"""The named graphs ``{base_iri}graph/generated-<slice>``, in the order they are written.

``concepts`` holds the reference part, ``sources`` the sources and their quotations,
``entities`` countries, companies, people, groups and events, ``holdings`` hardware
holdings and unreported values, ``rankings`` index positions and rank changes."""

# ------------------------------------------------------------------ reference data

_ROLES = (
    ("chief-executive", "chief executive officer"),
    ("minister", "minister of science and ICT"),
    ("senior-official", "senior official"),
    ("professor", "professor"),
    ("researcher", "research scientist"),
)
_INDICATORS = (
    ("ai-companies", "number of AI companies"),
    ("ai-investment", "AI investment"),
    ("ai-researchers", "number of AI researchers"),
    ("accelerator-units", "AI accelerator units"),
)
_STANCES = ("excels in", "lags in", "is driven by", "focuses on", "neglects")
_INNOVATION_TYPES = (
    ("continuous", "continuous innovation", "Innovation which improves existing products."),
    ("destructive", "destructive innovation", "Innovation which creates entirely new markets."),
)
_TOPICS = (
    "expand government support for AI startups",
    "advance AI optimization technologies to reduce GPU dependence",
    "strengthen research initiatives to retain AI talent",
    "build national compute capacity",
    "open public data sets for AI training",
    "fund AI semiconductor design",
)
_PUBLISHERS = ("Institute for Synthetic Benchmarks", "Council on Computing Capacity")
_RANKED_INDEXES = (("Synthetic AI Readiness Ranking", 60), ("Synthetic AI Talent Ranking", 40))
_TIERED_INDEXES = (
    ("Synthetic AI Maturity Matrix", ("AI leading", "AI contender", "stable competitive")),
    ("Synthetic Compute Capacity Classes", ("class A compute", "class B compute")),
)
_MAKERS = ("Helion Semiconductor", "Cobalt Devices")
_HARDWARE = (
    ("Helion H7 GPU", 0),
    ("Helion H9 GPU", 0),
    ("Cobalt C2 accelerator", 1),
    ("Cobalt C4 accelerator", 1),
)
_CURRENCIES = ("USD", "EUR", "CNY", "KRW", "JPY", "GBP", "INR")
_MICRO_USD = {  # one unit of each currency in millionths of a US dollar (synthetic rates)
    "USD": 1_000_000, "EUR": 1_100_000, "CNY": 140_000, "KRW": 750, "JPY": 6_800,
    "GBP": 1_270_000, "INR": 12_000,
}  # fmt: skip
_SYLLABLES_1 = (
    "Al", "Bor", "Cal", "Dor", "El", "Fen", "Gal", "Hal", "Is", "Jor", "Kal", "Lor", "Mar",
    "Nor", "Or", "Pel", "Quen", "Ros", "Sar", "Tal", "Ur", "Val", "Wes", "Xan", "Yor", "Zel",
)  # fmt: skip
_SYLLABLES_2 = ("a", "e", "i", "o", "an", "en", "ar", "or", "el", "is")
_SYLLABLES_3 = ("dia", "land", "stan", "ria", "via", "nia", "mark", "gard", "sia", "tia")
_COMPANY_SUFFIXES = ("AI", "Robotics", "Labs", "Systems", "Compute", "Dynamics", "Cloud")
_FIRST_NAMES = (
    "Ana", "Bo", "Chen", "Dara", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jin", "Kemal",
    "Lena", "Mira", "Nils", "Omar", "Priya", "Rafael", "Sora", "Tomas", "Yuna",
)  # fmt: skip
_LAST_NAMES = (
    "Alder", "Brandt", "Costa", "Dahl", "Eriksen", "Fischer", "Garcia", "Haas", "Ito", "Jung",
    "Kovac", "Lindqvist", "Moreau", "Novak", "Okafor", "Park", "Quist", "Rossi", "Sato", "Weber",
)  # fmt: skip
_REPORT_TITLES = ("AI Race Monitor", "Compute Outlook", "State of AI Capacity")

# ------------------------------------------------------------------ violations

# (kind, what it breaks, source shape, result path or None (the node shape itself),
#  SPARQL constraint or None). Each kind breaks its own node of a dossier, one that no
# other kind touches, and produces exactly one validation result.
_KINDS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
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

VIOLATION_KINDS = MappingProxyType({kind: what for kind, what, *_ in _KINDS})
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


# ------------------------------------------------------------------ layout and plan

# How many of each numbered thing a dossier has. Numbers are global: the i-th holding
# of dossier b is claim/holding-g{b * _HOLDINGS + i}.
_SOURCES = 4  # three yearly editions and an interview (plus the third edition's table)
_COMPANIES = 3
_PEOPLE = 3
_HOLDINGS = 10  # 3 holders x 3 editions, and a rival estimate
_POSITIONS = 3  # a rank in two editions, a tier
_MEASUREMENTS = 4
_STATEMENTS = 2
_ROLE_CLAIMS = 3
_RECOMMENDATIONS = 2
_ASSESSMENTS = 2
# ISO 3166-1 leaves these alpha-2 codes to users: no real country has one, so the
# generated countries g0 to g41 get one without clashing with real (or bundled) ones.
_ISO_CODES = (
    "AA",
    *(f"Q{c}" for c in "MNOPQRSTUVWXYZ"),
    *(f"X{chr(c)}" for c in range(ord("A"), ord("Z") + 1)),
    "ZZ",
)
_FILLER_BATCH = 64


def _target(kind: str, b: int, base: str) -> str:
    """The node that violation ``kind`` breaks in dossier ``b``."""
    claim = f"{base}claim/"
    targets = {
        "holding-quantity-zero": f"{claim}holding-g{b * _HOLDINGS + 3}",
        "claim-without-source": f"{claim}recommendation-g{b * _RECOMMENDATIONS}",
        "rank-beyond-count": f"{claim}position-g{b * _POSITIONS}",
        "evidence-from-other-source": f"{claim}assessment-g{b * _ASSESSMENTS}",
        "label-not-english": f"{base}person/g{b * _PEOPLE + 1}",
        "currency-not-iso": f"{claim}measurement-g{b * _MEASUREMENTS + 1}",
        "unreported-with-value": f"{claim}unreported-g{b}",
        "quotation-not-by-speaker": f"{claim}statement-g{b * _STATEMENTS}",
        "tier-of-other-index": f"{claim}position-g{b * _POSITIONS + 2}",
        "role-in-organization-and-country": f"{claim}role-g{b * _ROLE_CLAIMS}",
        "hardware-model-and-words": f"{claim}holding-g{b * _HOLDINGS + 4}",
        "entity-not-mentioned": f"{base}company/g{b * _COMPANIES + 2}",
        "conflict-of-one-claim": f"{base}conflict/g{b}",
        "recommendation-unattributed": f"{claim}recommendation-g{b * _RECOMMENDATIONS + 1}",
        "same-as-not-wikidata": f"{base}country/g{b}",
        "assessment-without-stance": f"{claim}assessment-g{b * _ASSESSMENTS + 1}",
        "unit-and-currency": f"{claim}measurement-g{b * _MEASUREMENTS}",
        "rank-change-without-change": f"{claim}rank-change-g{b}",
        "quotation-without-text": f"{base}quote/role-g{b * _ROLE_CLAIMS + 2}",
        "anonymous-with-identifier": f"{base}person/g{b * _PEOPLE + 2}",
        "measurement-negative": f"{claim}measurement-g{b * _MEASUREMENTS + 3}",
        "source-two-identifiers": f"{base}source/g{b * _SOURCES + 1}",
        "table-cell-without-column": f"{base}quote/unreported-g{b}",
    }
    return targets[kind]


@dataclass(frozen=True)
class _Plan:
    blocks: int
    """How many dossiers."""
    fillers: int
    """How many extra holdings after them."""
    broken: dict[int, frozenset[str]]
    """Dossier number -> the violation kinds injected in it."""
    expected: tuple[Expected, ...]


def _plan(triples: int, violations: int, base_iri: str) -> _Plan:
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
    if violations > blocks * len(_KINDS):
        raise ValueError(
            f"{violations} violations do not fit in {triples} triples: at most "
            f"{len(_KINDS)} per dossier of {block} triples, {blocks * len(_KINDS)} in all"
        )
    # Violation j goes to dossier j * blocks // violations: spread evenly, and the ones
    # sharing a dossier are consecutive, hence of different kinds.
    broken: dict[int, set[str]] = {}
    expected = []
    for j in range(violations):
        b = j * blocks // violations
        kind, _, shape, path, constraint = _KINDS[j % len(_KINDS)]
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
    return _Plan(
        blocks=blocks,
        fillers=fillers,
        broken={b: frozenset(kinds) for b, kinds in broken.items()},
        expected=tuple(expected),
    )


@functools.cache
def part_sizes() -> tuple[int, int, int]:
    """Quads in the reference part, in a dossier, and in an extra holding.

    Every dossier has the same number of quads whatever the seed and the dossier number
    (only values vary; a test holds this), which lets the plan be made beforehand.
    """
    gen = Generator(DEFAULT_BASE_IRI, 0)
    header = gen.header()[1]
    block = gen.block(0, frozenset())[1]
    filler = gen.fillers(0, 1, 1)[1]
    return header, block, filler


def minimum_triples() -> int:
    """The fewest quads :func:`generate` yields: the reference part and one dossier."""
    header, block, _ = part_sizes()
    return header + block


# ------------------------------------------------------------------ generation

_Add = Callable[[str, str, str], None]
_Chunk = tuple[str, int]
"""N-Quads text and the number of quads (lines) in it."""


def _place_name(rng: random.Random) -> str:
    return rng.choice(_SYLLABLES_1) + rng.choice(_SYLLABLES_2) + rng.choice(_SYLLABLES_3)


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Generator:
    """Makes the N-Quads text; keeps only one dossier's lines and the reference IRIs."""

    def __init__(self, base: str, seed: int):
        self.base = base
        self.seed = seed
        self.parts: dict[str, list[str]] = {name: [] for name in SLICES}
        self.add: dict[str, _Add] = {
            name: self._sink(f"<{base}graph/generated-{name}>", self.parts[name]) for name in SLICES
        }
        self.reference_source = f"<{base}source/g-reference>"
        self.roles = [f"<{base}role/g-{slug}>" for slug, _ in _ROLES]
        self.indicators = [f"<{base}indicator/g-{slug}>" for slug, _ in _INDICATORS]
        self.stances = [f"<{base}stance/g-{label.replace(' ', '-')}>" for label in _STANCES]
        self.innovation_types = [
            f"<{base}innovation-type/g-{slug}>" for slug, _, _ in _INNOVATION_TYPES
        ]
        self.topics = [f"<{base}topic/g{i + 1}>" for i in range(len(_TOPICS))]
        self.publishers = [
            f"<{base}organization/g-publisher-{i + 1}>" for i in range(len(_PUBLISHERS))
        ]
        self.makers = [f"<{base}company/g-maker-{i + 1}>" for i in range(len(_MAKERS))]
        self.hardware = [f"<{base}hardware/g{i + 1}>" for i in range(len(_HARDWARE))]
        self.ranked = [f"<{base}index/g{i + 1}>" for i in range(len(_RANKED_INDEXES))]
        first = len(_RANKED_INDEXES) + 1
        self.tiered = [f"<{base}index/g{first + i}>" for i in range(len(_TIERED_INDEXES))]
        self.tiers = [
            [f"<{base}tier/g{first + i}-{level + 1}>" for level in range(len(tiers))]
            for i, (_, tiers) in enumerate(_TIERED_INDEXES)
        ]
        self.last_holders: tuple[str, ...] = ("the country", "company one", "company two")
        """The names of the last dossier's holders, for the extra holdings."""

    @staticmethod
    def _sink(graph: str, out: list[str]) -> _Add:
        append = out.append

        def add(s: str, p: str, o: str) -> None:
            append(f"{s} {p} {o} {graph} .\n")

        return add

    def _drain(self) -> _Chunk:
        """The lines collected so far, slice by slice; the buffers are emptied."""
        lines = []
        for name in SLICES:
            part = self.parts[name]
            lines.extend(part)
            part.clear()
        return "".join(lines), len(lines)

    # -------------------------------------------------------------- reference part

    def header(self) -> _Chunk:
        """The reference part: concepts, indexes and tiers, hardware models and makers."""
        base = self.base
        add = self.add["concepts"]
        ref = self.reference_source
        add(ref, TYPE, SOURCE)
        add(ref, IDENTIFIER, _str("G-REF"))
        add(ref, LABEL, _en("G-REF: synthetic reference catalogue"))
        add(ref, COMMENT, _en("Made by aikg.synthetic.generate: every fact in it is synthetic."))

        def scheme(slug: str, label: str) -> str:
            node = f"<{base}scheme/g-{slug}>"
            add(node, TYPE, CONCEPT_SCHEME)
            add(node, LABEL, _en(label))
            add(node, PREF_LABEL, _en(label))
            return node

        def concept(node: str, cls: str, label: str, in_scheme: str) -> None:
            add(node, TYPE, cls)
            add(node, LABEL, _en(label))
            add(node, PREF_LABEL, _en(label))
            add(node, IN_SCHEME, in_scheme)

        def entity(node: str, cls: str, label: str) -> None:
            add(node, TYPE, cls)
            add(node, LABEL, _en(label))
            add(node, MENTIONED_IN, ref)

        in_scheme = scheme("roles", "Roles (synthetic)")
        for node, (_, label) in zip(self.roles, _ROLES, strict=True):
            concept(node, ROLE, label, in_scheme)
        in_scheme = scheme("indicators", "Indicators (synthetic)")
        for node, (_, label) in zip(self.indicators, _INDICATORS, strict=True):
            concept(node, INDICATOR, label, in_scheme)
        in_scheme = scheme("stances", "Stances towards an innovation type (synthetic)")
        for node, label in zip(self.stances, _STANCES, strict=True):
            concept(node, STANCE, label, in_scheme)
        in_scheme = scheme("innovation-types", "Innovation types (synthetic)")
        for node, (_, label, definition) in zip(
            self.innovation_types, _INNOVATION_TYPES, strict=True
        ):
            concept(node, INNOVATION_TYPE, label, in_scheme)
            add(node, DEFINITION, _en(definition))
            add(node, MENTIONED_IN, ref)
        in_scheme = scheme("recommendation-topics", "Recommended courses of action (synthetic)")
        for node, label in zip(self.topics, _TOPICS, strict=True):
            concept(node, TOPIC, label, in_scheme)
        for node, label in zip(self.publishers, _PUBLISHERS, strict=True):
            entity(node, ORGANIZATION, label)
        for node, label in zip(self.makers, _MAKERS, strict=True):
            entity(node, COMPANY, label)
        for node, (label, maker) in zip(self.hardware, _HARDWARE, strict=True):
            entity(node, HARDWARE_MODEL, label)
            add(node, S_MANUFACTURER, self.makers[maker])
        for i, (node, (label, _)) in enumerate(zip(self.ranked, _RANKED_INDEXES, strict=True)):
            entity(node, INDEX, label)
            add(node, PUBLISHED_BY, self.publishers[i % len(self.publishers)])
        for i, (node, (label, tiers)) in enumerate(zip(self.tiered, _TIERED_INDEXES, strict=True)):
            entity(node, INDEX, label)
            add(node, PUBLISHED_BY, self.publishers[i % len(self.publishers)])
            in_scheme = scheme(f"tiers-{len(_RANKED_INDEXES) + i + 1}", f"Tiers of the {label}")
            for level, (tier, tier_label) in enumerate(zip(self.tiers[i], tiers, strict=True)):
                concept(tier, TIER, tier_label, in_scheme)
                add(tier, TIER_OF, node)
                add(tier, TIER_LEVEL, _int(level + 1))
        return self._drain()

    # -------------------------------------------------------------- dossiers

    def block(self, b: int, broken: frozenset[str]) -> _Chunk:
        """Dossier ``b``, with the violations ``broken`` injected."""
        dossier = _Dossier(self, b, broken)
        dossier.build()
        self.last_holders = (dossier.country_name, *dossier.company_names[:2])
        return self._drain()

    def fillers(self, first: int, count: int, blocks: int) -> _Chunk:
        """Extra holdings ``first`` to ``first + count - 1``: further estimates of the
        holders of the last dossier, each with its own quotation."""
        base = self.base
        b = blocks - 1
        add = self.add["holdings"]
        add_src = self.add["sources"]
        for j in range(first, first + count):
            rng = random.Random(f"aikg-generate:{self.seed}:extra:{j}")  # noqa: S311
            k = j % 3
            source = f"<{base}source/g{b * _SOURCES + k}>"
            source_id = f"G{b * _SOURCES + k}"
            holder_no = j // 3 % 3
            holder = (
                f"<{base}country/g{b}>"
                if holder_no == 0
                else f"<{base}company/g{b * _COMPANIES + holder_no - 1}>"
            )
            holder_name = self.last_holders[holder_no]
            model = rng.randrange(len(_HARDWARE))
            quantity = rng.randrange(5, 5000) * 10
            hardware = f"{quantity:,} {_HARDWARE[model][0]} units"
            local = f"holding-g{blocks * _HOLDINGS + j}"
            quote = f"<{base}quote/{local}>"
            add_src(quote, TYPE, QUOTATION)
            add_src(quote, LABEL, _en(f"{source_id}, on {local}"))
            add_src(quote, S_TEXT, _str(f"Another estimate gives {holder_name} {hardware}."))
            add_src(quote, IS_PART_OF, source)
            node = f"<{base}claim/{local}>"
            add(node, TYPE, HARDWARE_HOLDING)
            add(node, LABEL, _en(f"{holder_name} holds {hardware}, another estimate ({source_id})"))
            add(node, SUBJECT, holder)
            add(node, HARDWARE, self.hardware[model])
            add(node, QUANTITY, _int(quantity))
            add(node, VALUE_AS_WRITTEN, _str(f"{quantity:,}"))
            add(node, DERIVED_FROM, source)
            add(node, EVIDENCE, quote)
        return self._drain()


class _Dossier:
    """One dossier: its sources, entities and claims. Only ``broken`` changes its shape."""

    def __init__(self, gen: Generator, b: int, broken: frozenset[str]):
        self.gen = gen
        self.b = b
        self.broken = broken
        self.rng = rng = random.Random(f"aikg-generate:{gen.seed}:{b}")  # noqa: S311
        base = self.base = gen.base
        self.add_src = gen.add["sources"]
        self.year = 2019 + rng.randrange(5)
        self.sources = [f"<{base}source/g{b * _SOURCES + k}>" for k in range(_SOURCES)]
        self.source_ids = [f"G{b * _SOURCES + k}" for k in range(_SOURCES)]
        self.interview = self.sources[3]
        self.table = f"<{base}source/g{b * _SOURCES + 2}-table>"
        self.country = f"<{base}country/g{b}>"
        self.country_name = _place_name(rng)
        self.companies = [f"<{base}company/g{b * _COMPANIES + i}>" for i in range(_COMPANIES)]
        self.company_names = [
            f"{_place_name(rng)} {rng.choice(_COMPANY_SUFFIXES)}" for _ in range(_COMPANIES)
        ]
        self.people = [f"<{base}person/g{b * _PEOPLE + i}>" for i in range(_PEOPLE)]
        self.person_names = [
            _person_name(rng),
            _person_name(rng),
            f"an unnamed official of {self.company_names[1]}",
        ]
        self.group = f"<{base}group/g{b}>"
        self.event = f"<{base}event/g{b}>"

    def build(self) -> None:
        self.make_sources()
        self.make_entities()
        self.make_role_claims()
        self.make_holdings()
        self.make_rankings()
        self.make_measurements()
        self.make_statements()
        self.make_recommendations()
        self.make_assessments()

    # -- helpers

    def source_id(self, source: str) -> str:
        return self.source_ids[self.sources.index(source)]

    def quote(
        self,
        local: str,
        part_of: str,
        text: str,
        *,
        speaker: str | None = None,
        cell: tuple[str, str] | None = None,
    ) -> str:
        """The quotation ``quote/<local>`` (a table cell when ``cell`` gives its headers)."""
        add = self.add_src
        node = f"<{self.base}quote/{local}>"
        owner = self.source_ids[2] if part_of == self.table else self.source_id(part_of)
        add(node, TYPE, TABLE_CELL if cell else QUOTATION)
        add(node, LABEL, _en(f"{owner}{' table' if cell else ''}, on {local}"))
        if not (
            local == f"role-g{self.b * _ROLE_CLAIMS + 2}"
            and "quotation-without-text" in self.broken
        ):
            add(node, S_TEXT, _str(text))
        if cell:
            add(node, TABLE_ROW, _str(cell[0]))
            if not (
                local == f"unreported-g{self.b}" and "table-cell-without-column" in self.broken
            ):
                add(node, TABLE_COLUMN, _str(cell[1]))
        add(node, IS_PART_OF, part_of)
        if speaker is not None:
            add(node, S_SPOKEN_BY, speaker)
        return node

    def claim(
        self, add: _Add, local: str, cls: str, label: str, *, source: str, evidence: str
    ) -> str:
        """The claim ``claim/<local>``: its class, label, source and evidence."""
        node = f"<{self.base}claim/{local}>"
        add(node, TYPE, cls)
        add(node, LABEL, _en(label))
        add(node, DERIVED_FROM, source)
        add(node, EVIDENCE, evidence)
        return node

    # -- sources and entities

    def make_sources(self) -> None:
        add = self.add_src
        title = self.rng.choice(_REPORT_TITLES)
        for k in range(3):
            source, source_id = self.sources[k], self.source_ids[k]
            headline = f"{title} {self.year + k}: {self.country_name}"
            add(source, TYPE, SOURCE)
            add(source, TYPE, S_ARTICLE)
            add(source, IDENTIFIER, _str(source_id))
            add(source, LABEL, _en(f"{source_id}: {headline} (synthetic)"))
            add(source, S_HEADLINE, _str(headline))
        if "source-two-identifiers" in self.broken:
            add(self.sources[1], IDENTIFIER, _str(self.source_ids[1] + "-bis"))
        interview, interview_id = self.interview, self.source_ids[3]
        add(interview, TYPE, SOURCE)
        add(interview, TYPE, S_ARTICLE)
        add(interview, IDENTIFIER, _str(interview_id))
        add(interview, LABEL, _en(f"{interview_id}: interview on AI in {self.country_name}"))
        add(interview, S_GENRE, _str("interview"))
        add(self.table, TYPE, SOURCE)
        add(self.table, TYPE, S_TABLE)
        add(self.table, LABEL, _en(f"{self.source_ids[2]}: key figures table"))
        add(self.table, IS_PART_OF, self.sources[2])
        add(self.sources[2], HAS_PART, self.table)

    def make_entities(self) -> None:
        add = self.gen.add["entities"]
        b, base, broken = self.b, self.base, self.broken
        country, name = self.country, self.country_name
        add(country, TYPE, COUNTRY)
        add(country, LABEL, _en(name))
        if b < len(_ISO_CODES):
            add(country, ISO, _str(_ISO_CODES[b]))
        else:
            add(country, ALT_LABEL, _en(f"{name} (g{b})"))
        add(country, MENTIONED_IN, self.sources[0])
        add(country, MENTIONED_IN, self.interview)
        if "same-as-not-wikidata" in broken:
            add(country, S_SAME_AS, f"<https://www.wikidata.org/wiki/Q{b + 1}>")
        for i, (company, company_name) in enumerate(
            zip(self.companies, self.company_names, strict=True)
        ):
            add(company, TYPE, STARTUP if self.rng.random() < 0.3 else COMPANY)
            add(company, LABEL, _en(company_name))
            # The third company of a dossier is based in the previous dossier's country.
            add(company, BASED_IN, country if i < 2 or b == 0 else f"<{base}country/g{b - 1}>")
            if not (i == 2 and "entity-not-mentioned" in broken):
                add(company, MENTIONED_IN, self.sources[0])
        for i, (person, person_name) in enumerate(zip(self.people, self.person_names, strict=True)):
            add(person, TYPE, PERSON)
            if i == 1 and "label-not-english" in broken:
                add(person, LABEL, f'"{_esc(person_name)}"@ko')
            else:
                add(person, LABEL, _en(person_name))
            add(person, MENTIONED_IN, self.interview)
        add(self.people[2], ANONYMOUS, _TRUE)
        if "anonymous-with-identifier" in broken:
            add(self.people[2], S_SAME_AS, f"<{WD}Q{b + 1}>")
        add(self.group, TYPE, GROUP)
        add(self.group, LABEL, _en(f"unnamed experts on {name}"))
        add(self.group, ANONYMOUS, _TRUE)
        add(self.group, MENTIONED_IN, self.sources[1])
        add(self.event, TYPE, EVENT)
        add(self.event, LABEL, _en(f"{name} AI Summit {self.year + 2}"))
        add(self.event, MENTIONED_IN, self.interview)

    # -- claims

    def make_role_claims(self) -> None:
        add = self.gen.add["memberships"]
        first = self.b * _ROLE_CLAIMS
        roles = (  # (organization, country, source, where) for people 0, 1, 2
            (self.companies[0], None, self.sources[0], self.company_names[0]),
            (None, self.country, self.interview, self.country_name),
            (self.companies[1], None, self.sources[1], self.company_names[1]),
        )
        for i, (organization, of_country, source, where) in enumerate(roles):
            local = f"role-g{first + i}"
            person_name, role_label = self.person_names[i], _ROLES[i][1]
            text = (
                f"A {role_label} of {where}, who asked not to be named, agreed."
                if i == 2
                else f"{person_name}, {role_label} of {where}, agreed."
            )
            node = self.claim(
                add,
                local,
                MEMBERSHIP,
                f"{person_name}: {role_label} of {where} ({self.source_id(source)})",
                source=source,
                evidence=self.quote(local, source, text),
            )
            add(node, O_MEMBER, self.people[i])
            add(node, O_ROLE, self.gen.roles[i])
            if organization is not None:
                add(node, O_ORGANIZATION, organization)
                if i == 0 and "role-in-organization-and-country" in self.broken:
                    add(node, OF_COUNTRY, self.country)
            if of_country is not None:
                add(node, OF_COUNTRY, of_country)

    def make_holdings(self) -> None:
        """Three holders, a claim per yearly edition; a rival estimate; a value N/A."""
        add, rng, broken = self.gen.add["holdings"], self.rng, self.broken
        first = self.b * _HOLDINGS
        holders = (self.country, self.companies[0], self.companies[1])
        holder_names = (self.country_name, self.company_names[0], self.company_names[1])
        table_holding, table_quantity = "", 1
        for i, (holder, holder_name) in enumerate(zip(holders, holder_names, strict=True)):
            model = rng.randrange(len(_HARDWARE))
            in_words = i == 2 and rng.random() < 0.5
            hardware = "AI accelerators" if in_words else f"{_HARDWARE[model][0]} units"
            quantity = rng.randrange(5, 500) * 100
            for k in range(3):
                n = first + 3 * i + k
                local, source_id = f"holding-g{n}", self.source_ids[k]
                zero = n == first + 3 and "holding-quantity-zero" in broken
                written = "0" if zero else f"{quantity:,}"
                period = f"in {self.year + k}"
                if i == 0 and k == 2:
                    evidence = self.quote(
                        local, self.table, written, cell=("AI accelerator units", holder_name)
                    )
                else:
                    evidence = self.quote(
                        local, self.sources[k], f"{holder_name} held {written} {hardware} {period}."
                    )
                node = self.claim(
                    add,
                    local,
                    HARDWARE_HOLDING,
                    f"{holder_name} holds {written} {hardware} {period} ({source_id})",
                    source=self.sources[k],
                    evidence=evidence,
                )
                add(node, SUBJECT, holder)
                if in_words:
                    add(node, HARDWARE_AS_WRITTEN, _str(hardware))
                else:
                    add(node, HARDWARE, self.gen.hardware[model])
                    if n == first + 4 and "hardware-model-and-words" in broken:
                        add(node, HARDWARE_AS_WRITTEN, _str("GPUs"))
                add(node, QUANTITY, _int(0 if zero else quantity))
                add(node, VALUE_AS_WRITTEN, _str(written))
                add(node, PERIOD_AS_WRITTEN, _str(period))
                if i == 0 and k == 2:
                    table_holding, table_quantity = node, quantity
                quantity = quantity * rng.randrange(110, 250) // 100

        # The interviewee's estimate for the table's year, which the table contradicts.
        local = f"holding-g{first + 9}"
        rival = table_quantity * rng.choice((40, 60, 150, 200)) // 100
        period = f"in {self.year + 2}"
        speaker, speaker_name = self.people[0], self.person_names[0]
        rival_holding = self.claim(
            add,
            local,
            HARDWARE_HOLDING,
            f"{self.country_name} holds about {rival:,} AI accelerators {period} "
            f"({self.source_ids[3]}, {speaker_name})",
            source=self.interview,
            evidence=self.quote(
                local,
                self.interview,
                f"I would say {self.country_name} had about {rival:,} accelerators {period}.",
                speaker=speaker,
            ),
        )
        add(rival_holding, SUBJECT, self.country)
        add(rival_holding, HARDWARE_AS_WRITTEN, _str("accelerators"))
        add(rival_holding, QUANTITY, _int(rival))
        add(rival_holding, VALUE_AS_WRITTEN, _str(f"about {rival:,}"))
        add(rival_holding, PERIOD_AS_WRITTEN, _str(period))
        add(rival_holding, ATTRIBUTED_TO, speaker)

        conflict = f"<{self.base}conflict/g{self.b}>"
        add_conflict = self.gen.add["conflicts"]
        add_conflict(conflict, TYPE, CONFLICT)
        add_conflict(
            conflict,
            LABEL,
            _en(f"How many AI accelerators did {self.country_name} hold {period}?"),
        )
        add_conflict(
            conflict,
            COMMENT,
            _en(
                f"The {self.source_ids[2]} table gives {table_quantity:,} for {self.year + 2}, "
                f"while {speaker_name} ({self.source_ids[3]}) says about {rival:,}."
            ),
        )
        add_conflict(conflict, CONFLICTING_CLAIM, table_holding)
        if "conflict-of-one-claim" not in broken:
            add_conflict(conflict, CONFLICTING_CLAIM, rival_holding)

        local = f"unreported-g{self.b}"
        company_name = self.company_names[2]
        node = self.claim(
            add,
            local,
            UNREPORTED_VALUE,
            f"{company_name}'s AI accelerator units: N/A ({self.source_ids[2]} table)",
            source=self.sources[2],
            evidence=self.quote(
                local, self.table, "N/A", cell=("AI accelerator units", company_name)
            ),
        )
        add(node, SUBJECT, self.companies[2])
        add(node, P_INDICATOR, self.gen.indicators[3])
        add(node, VALUE_AS_WRITTEN, _str("N/A"))
        if "unreported-with-value" in broken:
            add(node, S_VALUE, _int(0))

    def make_rankings(self) -> None:
        """A rank in two editions, a tier in the table, and the rank change."""
        add, rng, broken, gen = self.gen.add["rankings"], self.rng, self.broken, self.gen
        name = self.country_name
        first = self.b * _POSITIONS
        which = rng.randrange(len(gen.ranked))
        index, (index_label, ranked_count) = gen.ranked[which], _RANKED_INDEXES[which]
        ranks = [rng.randrange(1, ranked_count + 1), rng.randrange(1, ranked_count + 1)]
        if ranks[1] == ranks[0]:
            ranks[1] = ranks[0] + 1 if ranks[0] < ranked_count else ranks[0] - 1
        beyond = ranked_count + 1 + rng.randrange(5)
        for k in range(2):
            local = f"position-g{first + k}"
            rank = beyond if k == 0 and "rank-beyond-count" in broken else ranks[k]
            written = f"{_ordinal(rank)} out of {ranked_count}"
            node = self.claim(
                add,
                local,
                INDEX_POSITION,
                f"{name} ranks {written} in the {index_label} ({self.source_ids[k]})",
                source=self.sources[k],
                evidence=self.quote(
                    local, self.sources[k], f"{name} ranked {written} in the {index_label}."
                ),
            )
            add(node, SUBJECT, self.country)
            add(node, P_INDEX, index)
            add(node, RANK, _int(rank))
            add(node, RANKED_COUNT, _int(ranked_count))
            add(node, VALUE_AS_WRITTEN, _str(written))
            add(node, ATTRIBUTED_TO, gen.publishers[which % len(gen.publishers)])

        tiered = rng.randrange(len(gen.tiered))
        tiered_label, tier_labels = _TIERED_INDEXES[tiered]
        level = rng.randrange(len(tier_labels))
        tier = gen.tiers[tiered][level]
        if "tier-of-other-index" in broken:
            tier = gen.tiers[(tiered + 1) % len(gen.tiered)][0]
        local = f"position-g{first + 2}"
        written = tier_labels[level].title()
        node = self.claim(
            add,
            local,
            INDEX_POSITION,
            f"{name}: {tier_labels[level]}, {tiered_label} ({self.source_ids[2]} table)",
            source=self.sources[2],
            evidence=self.quote(local, self.table, written, cell=(tiered_label, name)),
        )
        add(node, SUBJECT, self.country)
        add(node, P_INDEX, gen.tiered[tiered])
        add(node, P_TIER, tier)
        add(node, VALUE_AS_WRITTEN, _str(written))
        add(node, ATTRIBUTED_TO, gen.publishers[tiered % len(gen.publishers)])

        local = f"rank-change-g{self.b}"
        from_rank = ranks[0]
        to_rank = from_rank if "rank-change-without-change" in broken else ranks[1]
        period = f"between {self.year} and {self.year + 1}"
        moved = f"{name} moved from {_ordinal(from_rank)} to {_ordinal(to_rank)}"
        node = self.claim(
            add,
            local,
            RANK_CHANGE,
            f"{moved} in the {index_label} {period} ({self.source_ids[1]})",
            source=self.sources[1],
            evidence=self.quote(
                local,
                self.sources[1],
                f"{moved} {period}, with the support of {self.person_names[1]}.",
            ),
        )
        add(node, SUBJECT, self.country)
        add(node, P_INDEX, index)
        add(node, FROM_RANK, _int(from_rank))
        add(node, TO_RANK, _int(to_rank))
        add(node, PERIOD_AS_WRITTEN, _str(period))
        add(node, SUPPORTED_BY, self.people[1])

    def make_measurements(self) -> None:
        """A count, an amount of money and its equivalent in another currency, a headcount."""
        add, rng, broken, gen = self.gen.add["measurements"], self.rng, self.broken, self.gen
        name, company_name = self.country_name, self.company_names[0]
        first = self.b * _MEASUREMENTS
        currency = rng.choice(_CURRENCIES)
        other = "EUR" if currency == "USD" else "USD"
        billions = rng.randrange(5, 900)
        # The amount in the other currency, in its cents: integer arithmetic only.
        cents = billions * 10**11 * _MICRO_USD[currency] // _MICRO_USD[other]
        approx = f"{cents // 10**11}.{cents % 10**11 // 10**9:02d}"
        count = rng.randrange(50, 5000)
        researchers = rng.randrange(20, 3000)
        if "measurement-negative" in broken:
            researchers = -5
        rows = (  # subject, indicator, value, unit or currency, as written, source, sentence
            (self.country, 0, _int(count), (S_UNIT, "companies"), f"{count:,}", 0,
             f"{name} has {count:,} AI companies"),
            (self.country, 1, _int(billions * 10**9), (S_CURRENCY, currency),
             f"{billions} billion {currency}", 1,
             f"{name} invested {billions} billion {currency} in AI"),
            (self.country, 1, _dec(f"{cents // 100}.{cents % 100:02d}"), (S_CURRENCY, other),
             f"approximately {approx} billion {other}", 1,
             f"{name} invested approximately {approx} billion {other} in AI"),
            (self.companies[0], 2, _int(researchers), (S_UNIT, "researchers"),
             f"{researchers:,}", 2, f"{company_name} employs {researchers:,} AI researchers"),
        )  # fmt: skip
        amount = ""
        for i, (subject, indicator, value, (unit_p, unit), written, k, sentence) in enumerate(rows):
            local, source = f"measurement-g{first + i}", self.sources[k]
            node = self.claim(
                add,
                local,
                MEASUREMENT,
                f"{sentence} ({self.source_ids[k]})",
                source=source,
                evidence=self.quote(local, source, f"{sentence}, the report says."),
            )
            add(node, SUBJECT, subject)
            add(node, P_INDICATOR, gen.indicators[indicator])
            add(node, S_VALUE, value)
            add(node, unit_p, _str("yuan" if i == 1 and "currency-not-iso" in broken else unit))
            if i == 0 and "unit-and-currency" in broken:
                add(node, S_CURRENCY, _str("USD"))
            add(node, VALUE_AS_WRITTEN, _str(written))
            if i == 1:
                amount = node
            elif i == 2:
                add(node, APPROXIMATE, _TRUE)
                add(node, EQUIVALENT_OF, amount)

    def make_statements(self) -> None:
        """One said at the summit, one the interviewer reports (reported speech)."""
        add = self.gen.add["statements"]
        first = self.b * _STATEMENTS
        interview, interview_id = self.interview, self.source_ids[3]
        speaker, speaker_name = self.people[0], self.person_names[0]
        local = f"statement-g{first}"
        spoken_by = self.people[1] if "quotation-not-by-speaker" in self.broken else speaker
        words = self.quote(
            local,
            interview,
            f"{self.country_name} must build its own compute before {self.year + 5}.",
            speaker=spoken_by,
        )
        node = self.claim(
            add,
            local,
            STATEMENT,
            f"{speaker_name} at the {self.country_name} AI Summit: build our own compute "
            f"({interview_id})",
            source=interview,
            evidence=words,
        )
        add(node, SPEAKER, speaker)
        add(node, P_QUOTATION, words)
        add(node, AT_EVENT, self.event)
        add(node, SUBJECT, self.country)
        add(node, ATTRIBUTED_TO, speaker)

        local = f"statement-g{first + 1}"
        speaker, speaker_name = self.people[2], self.person_names[2]
        words = self.quote(
            local,
            interview,
            f"An official of {self.company_names[1]} told me the challenge is immense.",
        )
        node = self.claim(
            add,
            local,
            STATEMENT,
            f"{speaker_name}, as reported: the challenge is immense ({interview_id})",
            source=interview,
            evidence=words,
        )
        add(node, SPEAKER, speaker)
        add(node, P_QUOTATION, words)
        add(node, REPORTED_SPEECH, _TRUE)
        add(node, SUBJECT, self.companies[1])
        add(node, ATTRIBUTED_TO, speaker)

    def make_recommendations(self) -> None:
        add, broken = self.gen.add["recommendations"], self.broken
        first = self.b * _RECOMMENDATIONS
        by = (
            (self.sources[1], self.group, "Experts"),
            (self.interview, self.people[0], self.person_names[0]),
        )
        for i, (source, who, who_name) in enumerate(by):
            topic = self.rng.randrange(len(_TOPICS))
            local = f"recommendation-g{first + i}"
            should = f"{self.country_name} should {_TOPICS[topic]}"
            node = f"<{self.base}claim/{local}>"
            add(node, TYPE, RECOMMENDATION)
            add(node, LABEL, _en(f"{who_name}: {should} ({self.source_id(source)})"))
            if not (i == 0 and "claim-without-source" in broken):
                add(node, DERIVED_FROM, source)
            add(node, EVIDENCE, self.quote(local, source, f"{should}."))
            add(node, SUBJECT, self.country)
            add(node, P_TOPIC, self.gen.topics[topic])
            if not (i == 1 and "recommendation-unattributed" in broken):
                add(node, ATTRIBUTED_TO, who)

    def make_assessments(self) -> None:
        add, broken, gen = self.gen.add["assessments"], self.broken, self.gen
        first = self.b * _ASSESSMENTS
        assessed = (
            (self.country, self.country_name, self.sources[0]),
            (self.companies[0], self.company_names[0], self.sources[1]),
        )
        for i, (subject, subject_name, source) in enumerate(assessed):
            stance = self.rng.randrange(len(_STANCES))
            kind = self.rng.randrange(len(_INNOVATION_TYPES))
            local = f"assessment-g{first + i}"
            sentence = f"{subject_name} {_STANCES[stance]} {_INNOVATION_TYPES[kind][1]}"
            quoted_from = (
                self.interview if i == 0 and "evidence-from-other-source" in broken else source
            )
            node = self.claim(
                add,
                local,
                INNOVATION_ASSESSMENT,
                f"{sentence} ({self.source_id(source)})",
                source=source,
                evidence=self.quote(local, quoted_from, f"{sentence}, in our assessment."),
            )
            add(node, SUBJECT, subject)
            add(node, P_INNOVATION_TYPE, gen.innovation_types[kind])
            if not (i == 1 and "assessment-without-stance" in broken):
                add(node, P_STANCE, gen.stances[stance])


# ------------------------------------------------------------------ public API


def _chunks(plan: _Plan, seed: int, base_iri: str) -> Iterator[_Chunk]:
    gen = Generator(base_iri, seed)
    yield gen.header()
    for b in range(plan.blocks):
        yield gen.block(b, plan.broken.get(b, frozenset()))
    for first in range(0, plan.fillers, _FILLER_BATCH):
        yield gen.fillers(first, min(_FILLER_BATCH, plan.fillers - first), plan.blocks)


def _stream(chunks: Iterable[_Chunk]) -> Iterator[ox.Quad]:
    for text, _ in chunks:
        yield from ox.parse(text, format=ox.RdfFormat.N_QUADS)


def generate(
    triples: int,
    seed: int,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    violations: int = 0,
) -> Iterator[ox.Quad]:
    """Yield about ``triples`` synthetic quads (within 2 %) that conform to the shapes.

    Returns a generator: the quads are made a dossier (about 430 quads) at a time, so
    memory does not grow with ``triples``. Asking for fewer than :func:`minimum_triples`
    gives that minimum. The same arguments give the same quads in the same order.

    ``violations=K`` breaks K facts, one :data:`VIOLATION_KINDS` kind after the other,
    spread evenly over the dossiers (each adds or removes at most one quad);
    :func:`injected` lists the results a SHACL validator must report for them.

    Raises :class:`ValueError`, before the first quad, for a negative number, a base IRI
    that is not an http(s) IRI ending in ``/`` or ``#``, or more violations than the
    dossiers hold (``len(VIOLATION_KINDS)`` per dossier).
    """
    plan = _plan(triples, violations, base_iri)
    return _stream(_chunks(plan, seed, base_iri))


def injected(
    triples: int,
    seed: int,
    violations: int,
    base_iri: str = DEFAULT_BASE_IRI,
) -> list[Expected]:
    """What a SHACL validator must report for ``generate(triples, seed, violations=...)``.

    One :class:`Expected` per injected violation, in injection order, and nothing else:
    the set of :meth:`Expected.key` equals the set of (focus node, source shape, path,
    source constraint) of the validation results. Nothing is generated, so it is cheap;
    the broken nodes do not depend on the seed, which is taken to mirror :func:`generate`.
    """
    del seed
    return list(_plan(triples, violations, base_iri).expected)


_FORMATS = {"nq": "nq", "nquads": "nq", "n-quads": "nq", "trig": "trig"}


def write(
    path: str | Path,
    triples: int,
    seed: int,
    *,
    fmt: str = "nq",
    violations: int = 0,
    base_iri: str = DEFAULT_BASE_IRI,
) -> int:
    """Write what :func:`generate` yields to ``path``; return the number of quads written.

    ``fmt`` is ``"nq"`` (N-Quads, also ``"nquads"``, ``"n-quads"``) or ``"trig"``. Streams:
    the file is written a dossier at a time. N-Quads are the bytes Oxigraph's serializer
    would write for the same quads.
    """
    try:
        kind = _FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(_FORMATS)}") from None
    plan = _plan(triples, violations, base_iri)
    written = 0
    with open(path, "wb") as out:
        if kind == "nq":
            for text, count in _chunks(plan, seed, base_iri):
                out.write(text.encode("utf-8"))
                written += count
            return written

        def counted() -> Iterator[ox.Quad]:
            nonlocal written
            for quad in _stream(_chunks(plan, seed, base_iri)):
                written += 1
                yield quad

        prefixes = {
            "aikg": ONTOLOGY_NS,
            "rdf": RDF,
            "rdfs": RDFS,
            "skos": SKOS,
            "schema": SCHEMA,
            "org": ORG,
            "prov": PROV,
            "dcterms": DCTERMS,
        }
        ox.serialize(counted(), out, ox.RdfFormat.TRIG, prefixes=prefixes)
    return written
