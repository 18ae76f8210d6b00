"""A dossier, the repeating unit of the synthetic data (one country with its sources,
entities and claims), and the reference part before the first; their sizes in quads."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable

from aikg.config import DEFAULT_BASE_IRI
from aikg.namespaces import WD
from aikg.synthetic.vocabulary import (
    ALT_LABEL,
    ANONYMOUS,
    APPROXIMATE,
    AT_EVENT,
    ATTRIBUTED_TO,
    BASED_IN,
    BASIS,
    COMMENT,
    COMPANY,
    COMPANY_SUFFIXES,
    CONCEPT_SCHEME,
    CONFLICT,
    CONFLICTING_CLAIM,
    COUNTRY,
    CURRENCIES,
    DEFINITION,
    DERIVED_FROM,
    EQUIVALENT_OF,
    EVENT,
    EVIDENCE,
    FIRST_NAMES,
    FROM_RANK,
    GROUP,
    HARDWARE,
    HARDWARE_AS_WRITTEN,
    HARDWARE_HOLDING,
    HARDWARE_MODEL,
    HARDWARE_MODELS,
    HAS_PART,
    IDENTIFIER,
    IN_SCHEME,
    INDEX,
    INDEX_POSITION,
    INDICATOR,
    INDICATORS,
    INNOVATION_ASSESSMENT,
    INNOVATION_TYPE,
    INNOVATION_TYPES,
    IS_PART_OF,
    ISO,
    LABEL,
    LAST_NAMES,
    MAKERS,
    MEASUREMENT,
    MEMBERSHIP,
    MENTIONED_IN,
    MICRO_USD,
    O_MEMBER,
    O_ORGANIZATION,
    O_ROLE,
    OF_COUNTRY,
    ORGANIZATION,
    P_INDEX,
    P_INDICATOR,
    P_INNOVATION_TYPE,
    P_QUOTATION,
    P_STANCE,
    P_TIER,
    P_TOPIC,
    PERIOD_AS_WRITTEN,
    PERSON,
    PREF_LABEL,
    PUBLISHED_BY,
    PUBLISHERS,
    QUANTITY,
    QUOTATION,
    RANK,
    RANK_CHANGE,
    RANKED_COUNT,
    RANKED_INDEXES,
    RECOMMENDATION,
    REPORT_TITLES,
    REPORTED_SPEECH,
    ROLE,
    ROLES,
    S_ARTICLE,
    S_CURRENCY,
    S_GENRE,
    S_HEADLINE,
    S_MANUFACTURER,
    S_SAME_AS,
    S_SPOKEN_BY,
    S_TABLE,
    S_TEXT,
    S_UNIT,
    S_VALUE,
    SLICES,
    SOURCE,
    SPEAKER,
    STANCE,
    STANCES,
    STARTUP,
    STATED,
    STATEMENT,
    SUBJECT,
    SUPPORTED_BY,
    SYLLABLES_1,
    SYLLABLES_2,
    SYLLABLES_3,
    TABLE_CELL,
    TABLE_COLUMN,
    TABLE_ROW,
    TIER,
    TIER_LEVEL,
    TIER_OF,
    TIERED_INDEXES,
    TO_RANK,
    TOPIC,
    TOPICS,
    TRUE_LITERAL,
    TYPE,
    UNREPORTED_VALUE,
    VALUE_AS_WRITTEN,
    decimal_literal,
    en_literal,
    escape_literal,
    integer_literal,
    string_literal,
)

# How many of each numbered thing a dossier has. Numbers are global: the i-th holding
# of dossier b is claim/holding-g{b * HOLDINGS + i}.
SOURCES = 4  # three yearly editions and an interview (plus the third edition's table)
COMPANIES = 3
PEOPLE = 3
HOLDINGS = 10  # 3 holders x 3 editions, and a rival estimate
POSITIONS = 3  # a rank in two editions, a tier
MEASUREMENTS = 4
STATEMENTS = 2
ROLE_CLAIMS = 3
RECOMMENDATIONS = 2
ASSESSMENTS = 2
# ISO 3166-1 leaves these alpha-2 codes to users: no real country has one, so the
# generated countries g0 to g41 get one without clashing with real (or bundled) ones.
_ISO_CODES = (
    "AA",
    *(f"Q{c}" for c in "MNOPQRSTUVWXYZ"),
    *(f"X{chr(c)}" for c in range(ord("A"), ord("Z") + 1)),
    "ZZ",
)
FILLER_BATCH = 64


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


Add = Callable[[str, str, str], None]
Chunk = tuple[str, int]
"""N-Quads text and the number of quads (lines) in it."""


def _place_name(rng: random.Random) -> str:
    return rng.choice(SYLLABLES_1) + rng.choice(SYLLABLES_2) + rng.choice(SYLLABLES_3)


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Generator:
    """Makes the N-Quads text; keeps only one dossier's lines and the reference IRIs."""

    def __init__(self, base: str, seed: int):
        self.base = base
        self.seed = seed
        self.parts: dict[str, list[str]] = {name: [] for name in SLICES}
        self.add: dict[str, Add] = {
            name: self._sink(f"<{base}graph/generated-{name}>", self.parts[name]) for name in SLICES
        }
        self.reference_source = f"<{base}source/g-reference>"
        self.roles = [f"<{base}role/g-{slug}>" for slug, _ in ROLES]
        self.indicators = [f"<{base}indicator/g-{slug}>" for slug, _ in INDICATORS]
        self.stances = [f"<{base}stance/g-{label.replace(' ', '-')}>" for label in STANCES]
        self.innovation_types = [
            f"<{base}innovation-type/g-{slug}>" for slug, _, _ in INNOVATION_TYPES
        ]
        self.topics = [f"<{base}topic/g{i + 1}>" for i in range(len(TOPICS))]
        self.publishers = [
            f"<{base}organization/g-publisher-{i + 1}>" for i in range(len(PUBLISHERS))
        ]
        self.makers = [f"<{base}company/g-maker-{i + 1}>" for i in range(len(MAKERS))]
        self.hardware = [f"<{base}hardware/g{i + 1}>" for i in range(len(HARDWARE_MODELS))]
        self.ranked = [f"<{base}index/g{i + 1}>" for i in range(len(RANKED_INDEXES))]
        first = len(RANKED_INDEXES) + 1
        self.tiered = [f"<{base}index/g{first + i}>" for i in range(len(TIERED_INDEXES))]
        self.tiers = [
            [f"<{base}tier/g{first + i}-{level + 1}>" for level in range(len(tiers))]
            for i, (_, tiers) in enumerate(TIERED_INDEXES)
        ]
        self.last_holders: tuple[str, ...] = ("the country", "company one", "company two")
        """The names of the last dossier's holders, for the extra holdings."""

    @staticmethod
    def _sink(graph: str, out: list[str]) -> Add:
        append = out.append

        def add(s: str, p: str, o: str) -> None:
            append(f"{s} {p} {o} {graph} .\n")

        return add

    def _drain(self) -> Chunk:
        """The lines collected so far, slice by slice; the buffers are emptied."""
        lines = []
        for name in SLICES:
            part = self.parts[name]
            lines.extend(part)
            part.clear()
        return "".join(lines), len(lines)

    # -------------------------------------------------------------- reference part

    def header(self) -> Chunk:
        """The reference part: concepts, indexes and tiers, hardware models and makers."""
        base = self.base
        add = self.add["concepts"]
        ref = self.reference_source
        add(ref, TYPE, SOURCE)
        add(ref, IDENTIFIER, string_literal("G-REF"))
        add(ref, LABEL, en_literal("G-REF: synthetic reference catalogue"))
        add(
            ref,
            COMMENT,
            en_literal("Made by aikg.synthetic.generate: every fact in it is synthetic."),
        )

        def scheme(slug: str, label: str) -> str:
            node = f"<{base}scheme/g-{slug}>"
            add(node, TYPE, CONCEPT_SCHEME)
            add(node, LABEL, en_literal(label))
            add(node, PREF_LABEL, en_literal(label))
            return node

        def concept(node: str, cls: str, label: str, in_scheme: str) -> None:
            add(node, TYPE, cls)
            add(node, LABEL, en_literal(label))
            add(node, PREF_LABEL, en_literal(label))
            add(node, IN_SCHEME, in_scheme)

        def entity(node: str, cls: str, label: str) -> None:
            add(node, TYPE, cls)
            add(node, LABEL, en_literal(label))
            add(node, MENTIONED_IN, ref)

        in_scheme = scheme("roles", "Roles (synthetic)")
        for node, (_, label) in zip(self.roles, ROLES, strict=True):
            concept(node, ROLE, label, in_scheme)
        in_scheme = scheme("indicators", "Indicators (synthetic)")
        for node, (_, label) in zip(self.indicators, INDICATORS, strict=True):
            concept(node, INDICATOR, label, in_scheme)
        in_scheme = scheme("stances", "Stances towards an innovation type (synthetic)")
        for node, label in zip(self.stances, STANCES, strict=True):
            concept(node, STANCE, label, in_scheme)
        in_scheme = scheme("innovation-types", "Innovation types (synthetic)")
        for node, (_, label, definition) in zip(
            self.innovation_types, INNOVATION_TYPES, strict=True
        ):
            concept(node, INNOVATION_TYPE, label, in_scheme)
            add(node, DEFINITION, en_literal(definition))
            add(node, MENTIONED_IN, ref)
        in_scheme = scheme("recommendation-topics", "Recommended courses of action (synthetic)")
        for node, label in zip(self.topics, TOPICS, strict=True):
            concept(node, TOPIC, label, in_scheme)
        for node, label in zip(self.publishers, PUBLISHERS, strict=True):
            entity(node, ORGANIZATION, label)
        for node, label in zip(self.makers, MAKERS, strict=True):
            entity(node, COMPANY, label)
        for node, (label, maker) in zip(self.hardware, HARDWARE_MODELS, strict=True):
            entity(node, HARDWARE_MODEL, label)
            add(node, S_MANUFACTURER, self.makers[maker])
        for i, (node, (label, _)) in enumerate(zip(self.ranked, RANKED_INDEXES, strict=True)):
            entity(node, INDEX, label)
            add(node, PUBLISHED_BY, self.publishers[i % len(self.publishers)])
        for i, (node, (label, tiers)) in enumerate(zip(self.tiered, TIERED_INDEXES, strict=True)):
            entity(node, INDEX, label)
            add(node, PUBLISHED_BY, self.publishers[i % len(self.publishers)])
            in_scheme = scheme(f"tiers-{len(RANKED_INDEXES) + i + 1}", f"Tiers of the {label}")
            for level, (tier, tier_label) in enumerate(zip(self.tiers[i], tiers, strict=True)):
                concept(tier, TIER, tier_label, in_scheme)
                add(tier, TIER_OF, node)
                add(tier, TIER_LEVEL, integer_literal(level + 1))
        return self._drain()

    # -------------------------------------------------------------- dossiers

    def block(self, b: int, broken: frozenset[str]) -> Chunk:
        """Dossier ``b``, with the violations ``broken`` injected."""
        dossier = _Dossier(self, b, broken)
        dossier.build()
        self.last_holders = (dossier.country_name, *dossier.company_names[:2])
        return self._drain()

    def fillers(self, first: int, count: int, blocks: int) -> Chunk:
        """Extra holdings ``first`` to ``first + count - 1``: further estimates of the
        holders of the last dossier, each with its own quotation."""
        base = self.base
        b = blocks - 1
        add = self.add["holdings"]
        add_src = self.add["sources"]
        for j in range(first, first + count):
            rng = random.Random(f"aikg-generate:{self.seed}:extra:{j}")  # noqa: S311
            k = j % 3
            source = f"<{base}source/g{b * SOURCES + k}>"
            source_id = f"G{b * SOURCES + k}"
            holder_no = j // 3 % 3
            holder = (
                f"<{base}country/g{b}>"
                if holder_no == 0
                else f"<{base}company/g{b * COMPANIES + holder_no - 1}>"
            )
            holder_name = self.last_holders[holder_no]
            model = rng.randrange(len(HARDWARE_MODELS))
            quantity = rng.randrange(5, 5000) * 10
            hardware = f"{quantity:,} {HARDWARE_MODELS[model][0]} units"
            local = f"holding-g{blocks * HOLDINGS + j}"
            quote = f"<{base}quote/{local}>"
            add_src(quote, TYPE, QUOTATION)
            add_src(quote, LABEL, en_literal(f"{source_id}, on {local}"))
            add_src(
                quote, S_TEXT, string_literal(f"Another estimate gives {holder_name} {hardware}.")
            )
            add_src(quote, IS_PART_OF, source)
            node = f"<{base}claim/{local}>"
            add(node, TYPE, HARDWARE_HOLDING)
            add(node, BASIS, STATED)
            add(
                node,
                LABEL,
                en_literal(f"{holder_name} holds {hardware}, another estimate ({source_id})"),
            )
            add(node, SUBJECT, holder)
            add(node, HARDWARE, self.hardware[model])
            add(node, QUANTITY, integer_literal(quantity))
            add(node, VALUE_AS_WRITTEN, string_literal(f"{quantity:,}"))
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
        self.sources = [f"<{base}source/g{b * SOURCES + k}>" for k in range(SOURCES)]
        self.source_ids = [f"G{b * SOURCES + k}" for k in range(SOURCES)]
        self.interview = self.sources[3]
        self.table = f"<{base}source/g{b * SOURCES + 2}-table>"
        self.country = f"<{base}country/g{b}>"
        self.country_name = _place_name(rng)
        self.companies = [f"<{base}company/g{b * COMPANIES + i}>" for i in range(COMPANIES)]
        self.company_names = [
            f"{_place_name(rng)} {rng.choice(COMPANY_SUFFIXES)}" for _ in range(COMPANIES)
        ]
        self.people = [f"<{base}person/g{b * PEOPLE + i}>" for i in range(PEOPLE)]
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
        add(node, LABEL, en_literal(f"{owner}{' table' if cell else ''}, on {local}"))
        if not (
            local == f"role-g{self.b * ROLE_CLAIMS + 2}" and "quotation-without-text" in self.broken
        ):
            add(node, S_TEXT, string_literal(text))
        if cell:
            add(node, TABLE_ROW, string_literal(cell[0]))
            if not (
                local == f"unreported-g{self.b}" and "table-cell-without-column" in self.broken
            ):
                add(node, TABLE_COLUMN, string_literal(cell[1]))
        add(node, IS_PART_OF, part_of)
        if speaker is not None:
            add(node, S_SPOKEN_BY, speaker)
        return node

    def claim(
        self, add: Add, local: str, cls: str, label: str, *, source: str, evidence: str
    ) -> str:
        """The claim ``claim/<local>``: its class, label, source and evidence."""
        node = f"<{self.base}claim/{local}>"
        add(node, TYPE, cls)
        add(node, BASIS, STATED)
        add(node, LABEL, en_literal(label))
        add(node, DERIVED_FROM, source)
        add(node, EVIDENCE, evidence)
        return node

    # -- sources and entities

    def make_sources(self) -> None:
        add = self.add_src
        title = self.rng.choice(REPORT_TITLES)
        for k in range(3):
            source, source_id = self.sources[k], self.source_ids[k]
            headline = f"{title} {self.year + k}: {self.country_name}"
            add(source, TYPE, SOURCE)
            add(source, TYPE, S_ARTICLE)
            add(source, IDENTIFIER, string_literal(source_id))
            add(source, LABEL, en_literal(f"{source_id}: {headline} (synthetic)"))
            add(source, S_HEADLINE, string_literal(headline))
        if "source-two-identifiers" in self.broken:
            add(self.sources[1], IDENTIFIER, string_literal(self.source_ids[1] + "-bis"))
        interview, interview_id = self.interview, self.source_ids[3]
        add(interview, TYPE, SOURCE)
        add(interview, TYPE, S_ARTICLE)
        add(interview, IDENTIFIER, string_literal(interview_id))
        add(interview, LABEL, en_literal(f"{interview_id}: interview on AI in {self.country_name}"))
        add(interview, S_GENRE, string_literal("interview"))
        add(self.table, TYPE, SOURCE)
        add(self.table, TYPE, S_TABLE)
        add(self.table, LABEL, en_literal(f"{self.source_ids[2]}: key figures table"))
        add(self.table, IS_PART_OF, self.sources[2])
        add(self.sources[2], HAS_PART, self.table)

    def make_entities(self) -> None:
        add = self.gen.add["entities"]
        b, base, broken = self.b, self.base, self.broken
        country, name = self.country, self.country_name
        add(country, TYPE, COUNTRY)
        add(country, LABEL, en_literal(name))
        if b < len(_ISO_CODES):
            add(country, ISO, string_literal(_ISO_CODES[b]))
        else:
            add(country, ALT_LABEL, en_literal(f"{name} (g{b})"))
        add(country, MENTIONED_IN, self.sources[0])
        add(country, MENTIONED_IN, self.interview)
        if "same-as-not-wikidata" in broken:
            add(country, S_SAME_AS, f"<https://www.wikidata.org/wiki/Q{b + 1}>")
        for i, (company, company_name) in enumerate(
            zip(self.companies, self.company_names, strict=True)
        ):
            add(company, TYPE, STARTUP if self.rng.random() < 0.3 else COMPANY)
            add(company, LABEL, en_literal(company_name))
            # The third company of a dossier is based in the previous dossier's country.
            add(company, BASED_IN, country if i < 2 or b == 0 else f"<{base}country/g{b - 1}>")
            if not (i == 2 and "entity-not-mentioned" in broken):
                add(company, MENTIONED_IN, self.sources[0])
        for i, (person, person_name) in enumerate(zip(self.people, self.person_names, strict=True)):
            add(person, TYPE, PERSON)
            if i == 1 and "label-not-english" in broken:
                add(person, LABEL, f'"{escape_literal(person_name)}"@ko')
            else:
                add(person, LABEL, en_literal(person_name))
            add(person, MENTIONED_IN, self.interview)
        add(self.people[2], ANONYMOUS, TRUE_LITERAL)
        if "anonymous-with-identifier" in broken:
            add(self.people[2], S_SAME_AS, f"<{WD}Q{b + 1}>")
        add(self.group, TYPE, GROUP)
        add(self.group, LABEL, en_literal(f"unnamed experts on {name}"))
        add(self.group, ANONYMOUS, TRUE_LITERAL)
        add(self.group, MENTIONED_IN, self.sources[1])
        add(self.event, TYPE, EVENT)
        add(self.event, LABEL, en_literal(f"{name} AI Summit {self.year + 2}"))
        add(self.event, MENTIONED_IN, self.interview)

    # -- claims

    def make_role_claims(self) -> None:
        add = self.gen.add["memberships"]
        first = self.b * ROLE_CLAIMS
        roles = (  # (organization, country, source, where) for people 0, 1, 2
            (self.companies[0], None, self.sources[0], self.company_names[0]),
            (None, self.country, self.interview, self.country_name),
            (self.companies[1], None, self.sources[1], self.company_names[1]),
        )
        for i, (organization, of_country, source, where) in enumerate(roles):
            local = f"role-g{first + i}"
            person_name, role_label = self.person_names[i], ROLES[i][1]
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
        first = self.b * HOLDINGS
        holders = (self.country, self.companies[0], self.companies[1])
        holder_names = (self.country_name, self.company_names[0], self.company_names[1])
        table_holding, table_quantity = "", 1
        for i, (holder, holder_name) in enumerate(zip(holders, holder_names, strict=True)):
            model = rng.randrange(len(HARDWARE_MODELS))
            in_words = i == 2 and rng.random() < 0.5
            hardware = "AI accelerators" if in_words else f"{HARDWARE_MODELS[model][0]} units"
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
                    add(node, HARDWARE_AS_WRITTEN, string_literal(hardware))
                else:
                    add(node, HARDWARE, self.gen.hardware[model])
                    if n == first + 4 and "hardware-model-and-words" in broken:
                        add(node, HARDWARE_AS_WRITTEN, string_literal("GPUs"))
                add(node, QUANTITY, integer_literal(0 if zero else quantity))
                add(node, VALUE_AS_WRITTEN, string_literal(written))
                add(node, PERIOD_AS_WRITTEN, string_literal(period))
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
        add(rival_holding, HARDWARE_AS_WRITTEN, string_literal("accelerators"))
        add(rival_holding, QUANTITY, integer_literal(rival))
        add(rival_holding, VALUE_AS_WRITTEN, string_literal(f"about {rival:,}"))
        add(rival_holding, PERIOD_AS_WRITTEN, string_literal(period))
        add(rival_holding, ATTRIBUTED_TO, speaker)

        conflict = f"<{self.base}conflict/g{self.b}>"
        add_conflict = self.gen.add["conflicts"]
        add_conflict(conflict, TYPE, CONFLICT)
        add_conflict(
            conflict,
            LABEL,
            en_literal(f"How many AI accelerators did {self.country_name} hold {period}?"),
        )
        add_conflict(
            conflict,
            COMMENT,
            en_literal(
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
        add(node, VALUE_AS_WRITTEN, string_literal("N/A"))
        if "unreported-with-value" in broken:
            add(node, S_VALUE, integer_literal(0))

    def make_rankings(self) -> None:
        """A rank in two editions, a tier in the table, and the rank change."""
        add, rng, broken, gen = self.gen.add["rankings"], self.rng, self.broken, self.gen
        name = self.country_name
        first = self.b * POSITIONS
        which = rng.randrange(len(gen.ranked))
        index, (index_label, ranked_count) = gen.ranked[which], RANKED_INDEXES[which]
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
            add(node, RANK, integer_literal(rank))
            add(node, RANKED_COUNT, integer_literal(ranked_count))
            add(node, VALUE_AS_WRITTEN, string_literal(written))
            add(node, ATTRIBUTED_TO, gen.publishers[which % len(gen.publishers)])

        tiered = rng.randrange(len(gen.tiered))
        tiered_label, tier_labels = TIERED_INDEXES[tiered]
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
        add(node, VALUE_AS_WRITTEN, string_literal(written))
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
        add(node, FROM_RANK, integer_literal(from_rank))
        add(node, TO_RANK, integer_literal(to_rank))
        add(node, PERIOD_AS_WRITTEN, string_literal(period))
        add(node, SUPPORTED_BY, self.people[1])

    def make_measurements(self) -> None:
        """A count, an amount of money and its equivalent in another currency, a headcount."""
        add, rng, broken, gen = self.gen.add["measurements"], self.rng, self.broken, self.gen
        name, company_name = self.country_name, self.company_names[0]
        first = self.b * MEASUREMENTS
        currency = rng.choice(CURRENCIES)
        other = "EUR" if currency == "USD" else "USD"
        billions = rng.randrange(5, 900)
        # The amount in the other currency, in its cents: integer arithmetic only.
        cents = billions * 10**11 * MICRO_USD[currency] // MICRO_USD[other]
        approx = f"{cents // 10**11}.{cents % 10**11 // 10**9:02d}"
        count = rng.randrange(50, 5000)
        researchers = rng.randrange(20, 3000)
        if "measurement-negative" in broken:
            researchers = -5
        rows = (  # subject, indicator, value, unit or currency, as written, source, sentence
            (self.country, 0, integer_literal(count), (S_UNIT, "companies"), f"{count:,}", 0,
             f"{name} has {count:,} AI companies"),
            (self.country, 1, integer_literal(billions * 10**9), (S_CURRENCY, currency),
             f"{billions} billion {currency}", 1,
             f"{name} invested {billions} billion {currency} in AI"),
            (self.country, 1, decimal_literal(f"{cents // 100}.{cents % 100:02d}"),
             (S_CURRENCY, other),
             f"approximately {approx} billion {other}", 1,
             f"{name} invested approximately {approx} billion {other} in AI"),
            (self.companies[0], 2, integer_literal(researchers), (S_UNIT, "researchers"),
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
            add(
                node,
                unit_p,
                string_literal("yuan" if i == 1 and "currency-not-iso" in broken else unit),
            )
            if i == 0 and "unit-and-currency" in broken:
                add(node, S_CURRENCY, string_literal("USD"))
            add(node, VALUE_AS_WRITTEN, string_literal(written))
            if i == 1:
                amount = node
            elif i == 2:
                add(node, APPROXIMATE, TRUE_LITERAL)
                add(node, EQUIVALENT_OF, amount)

    def make_statements(self) -> None:
        """One said at the summit, one the interviewer reports (reported speech)."""
        add = self.gen.add["statements"]
        first = self.b * STATEMENTS
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
        add(node, REPORTED_SPEECH, TRUE_LITERAL)
        add(node, SUBJECT, self.companies[1])
        add(node, ATTRIBUTED_TO, speaker)

    def make_recommendations(self) -> None:
        add, broken = self.gen.add["recommendations"], self.broken
        first = self.b * RECOMMENDATIONS
        by = (
            (self.sources[1], self.group, "Experts"),
            (self.interview, self.people[0], self.person_names[0]),
        )
        for i, (source, who, who_name) in enumerate(by):
            topic = self.rng.randrange(len(TOPICS))
            local = f"recommendation-g{first + i}"
            should = f"{self.country_name} should {TOPICS[topic]}"
            node = f"<{self.base}claim/{local}>"
            add(node, TYPE, RECOMMENDATION)
            add(node, BASIS, STATED)
            add(node, LABEL, en_literal(f"{who_name}: {should} ({self.source_id(source)})"))
            if not (i == 0 and "claim-without-source" in broken):
                add(node, DERIVED_FROM, source)
            add(node, EVIDENCE, self.quote(local, source, f"{should}."))
            add(node, SUBJECT, self.country)
            add(node, P_TOPIC, self.gen.topics[topic])
            if not (i == 1 and "recommendation-unattributed" in broken):
                add(node, ATTRIBUTED_TO, who)

    def make_assessments(self) -> None:
        add, broken, gen = self.gen.add["assessments"], self.broken, self.gen
        first = self.b * ASSESSMENTS
        assessed = (
            (self.country, self.country_name, self.sources[0]),
            (self.companies[0], self.company_names[0], self.sources[1]),
        )
        for i, (subject, subject_name, source) in enumerate(assessed):
            stance = self.rng.randrange(len(STANCES))
            kind = self.rng.randrange(len(INNOVATION_TYPES))
            local = f"assessment-g{first + i}"
            sentence = f"{subject_name} {STANCES[stance]} {INNOVATION_TYPES[kind][1]}"
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
