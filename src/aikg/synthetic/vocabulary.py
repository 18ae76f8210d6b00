"""The vocabulary of the synthetic data: terms and literals in N-Quads syntax, the
graphs (slices) they go to, and the names and values the generated world is drawn from."""

from __future__ import annotations

from aikg.config import ONTOLOGY_NS
from aikg.namespaces import DCTERMS, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD

# The quads are built as N-Quads text, a dossier at a time, and parsed back by Oxigraph:
# three times faster than making each pyoxigraph.Quad in Python, and write() can send the
# text straight to the file. A term below is a string in N-Quads syntax.


def aikg_term(name: str) -> str:
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

COUNTRY = aikg_term("Country")
ORGANIZATION = aikg_term("Organization")
COMPANY = aikg_term("Company")
STARTUP = aikg_term("Startup")
PERSON = aikg_term("Person")
GROUP = aikg_term("Group")
EVENT = aikg_term("Event")
HARDWARE_MODEL = aikg_term("HardwareModel")
INDEX = aikg_term("Index")
INNOVATION_TYPE = aikg_term("InnovationType")
TIER = aikg_term("Tier")
STANCE = aikg_term("Stance")
ROLE = aikg_term("Role")
INDICATOR = aikg_term("Indicator")
TOPIC = aikg_term("Topic")
SOURCE = aikg_term("Source")
QUOTATION = aikg_term("Quotation")
TABLE_CELL = aikg_term("TableCell")
HARDWARE_HOLDING = aikg_term("HardwareHolding")
INDEX_POSITION = aikg_term("IndexPosition")
RANK_CHANGE = aikg_term("RankChange")
MEASUREMENT = aikg_term("Measurement")
UNREPORTED_VALUE = aikg_term("UnreportedValue")
STATEMENT = aikg_term("Statement")
MEMBERSHIP = aikg_term("Membership")
INNOVATION_ASSESSMENT = aikg_term("InnovationAssessment")
RECOMMENDATION = aikg_term("Recommendation")
CONFLICT = aikg_term("Conflict")

ISO = aikg_term("iso3166Alpha2")
BASED_IN = aikg_term("basedIn")
ANONYMOUS = aikg_term("anonymous")
MENTIONED_IN = aikg_term("mentionedIn")
PUBLISHED_BY = aikg_term("publishedBy")
TIER_OF = aikg_term("tierOf")
TIER_LEVEL = aikg_term("tierLevel")
TABLE_ROW = aikg_term("tableRow")
TABLE_COLUMN = aikg_term("tableColumn")
EVIDENCE = aikg_term("evidence")
BASIS = aikg_term("basis")
STATED = aikg_term("stated")
SUBJECT = aikg_term("subject")
VALUE_AS_WRITTEN = aikg_term("valueAsWritten")
PERIOD_AS_WRITTEN = aikg_term("periodAsWritten")
HARDWARE = aikg_term("hardwareModel")
HARDWARE_AS_WRITTEN = aikg_term("hardwareAsWritten")
QUANTITY = aikg_term("quantity")
P_INDEX = aikg_term("index")
RANK = aikg_term("rank")
RANKED_COUNT = aikg_term("rankedCount")
P_TIER = aikg_term("tier")
FROM_RANK = aikg_term("fromRank")
TO_RANK = aikg_term("toRank")
SUPPORTED_BY = aikg_term("supportedBy")
P_INDICATOR = aikg_term("indicator")
APPROXIMATE = aikg_term("approximate")
EQUIVALENT_OF = aikg_term("equivalentOf")
SPEAKER = aikg_term("speaker")
P_QUOTATION = aikg_term("quotation")
AT_EVENT = aikg_term("atEvent")
REPORTED_SPEECH = aikg_term("reportedSpeech")
OF_COUNTRY = aikg_term("ofCountry")
P_INNOVATION_TYPE = aikg_term("innovationType")
P_STANCE = aikg_term("stance")
P_TOPIC = aikg_term("topic")
CONFLICTING_CLAIM = aikg_term("conflictingClaim")

TRUE_LITERAL = f'"true"^^<{XSD}boolean>'
ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def escape_literal(text: str) -> str:
    if '"' in text or "\\" in text or "\n" in text or "\r" in text or "\t" in text:
        return text.translate(ESCAPES)
    return text


def en_literal(text: str) -> str:
    """An English literal."""
    return f'"{escape_literal(text)}"@en'


def string_literal(text: str) -> str:
    """A plain (xsd:string) literal."""
    return f'"{escape_literal(text)}"'


def integer_literal(n: int) -> str:
    return f'"{n}"^^<{XSD}integer>'


def decimal_literal(lexical: str) -> str:
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

ROLES = (
    ("chief-executive", "chief executive officer"),
    ("minister", "minister of science and ICT"),
    ("senior-official", "senior official"),
    ("professor", "professor"),
    ("researcher", "research scientist"),
)
INDICATORS = (
    ("ai-companies", "number of AI companies"),
    ("ai-investment", "AI investment"),
    ("ai-researchers", "number of AI researchers"),
    ("accelerator-units", "AI accelerator units"),
)
STANCES = ("excels in", "lags in", "is driven by", "focuses on", "neglects")
INNOVATION_TYPES = (
    ("continuous", "continuous innovation", "Innovation which improves existing products."),
    ("destructive", "destructive innovation", "Innovation which creates entirely new markets."),
)
TOPICS = (
    "expand government support for AI startups",
    "advance AI optimization technologies to reduce GPU dependence",
    "strengthen research initiatives to retain AI talent",
    "build national compute capacity",
    "open public data sets for AI training",
    "fund AI semiconductor design",
)
PUBLISHERS = ("Institute for Synthetic Benchmarks", "Council on Computing Capacity")
RANKED_INDEXES = (("Synthetic AI Readiness Ranking", 60), ("Synthetic AI Talent Ranking", 40))
TIERED_INDEXES = (
    ("Synthetic AI Maturity Matrix", ("AI leading", "AI contender", "stable competitive")),
    ("Synthetic Compute Capacity Classes", ("class A compute", "class B compute")),
)
MAKERS = ("Helion Semiconductor", "Cobalt Devices")
HARDWARE_MODELS = (
    ("Helion H7 GPU", 0),
    ("Helion H9 GPU", 0),
    ("Cobalt C2 accelerator", 1),
    ("Cobalt C4 accelerator", 1),
)
CURRENCIES = ("USD", "EUR", "CNY", "KRW", "JPY", "GBP", "INR")
MICRO_USD = {  # one unit of each currency in millionths of a US dollar (synthetic rates)
    "USD": 1_000_000, "EUR": 1_100_000, "CNY": 140_000, "KRW": 750, "JPY": 6_800,
    "GBP": 1_270_000, "INR": 12_000,
}  # fmt: skip
SYLLABLES_1 = (
    "Al", "Bor", "Cal", "Dor", "El", "Fen", "Gal", "Hal", "Is", "Jor", "Kal", "Lor", "Mar",
    "Nor", "Or", "Pel", "Quen", "Ros", "Sar", "Tal", "Ur", "Val", "Wes", "Xan", "Yor", "Zel",
)  # fmt: skip
SYLLABLES_2 = ("a", "e", "i", "o", "an", "en", "ar", "or", "el", "is")
SYLLABLES_3 = ("dia", "land", "stan", "ria", "via", "nia", "mark", "gard", "sia", "tia")
COMPANY_SUFFIXES = ("AI", "Robotics", "Labs", "Systems", "Compute", "Dynamics", "Cloud")
FIRST_NAMES = (
    "Ana", "Bo", "Chen", "Dara", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jin", "Kemal",
    "Lena", "Mira", "Nils", "Omar", "Priya", "Rafael", "Sora", "Tomas", "Yuna",
)  # fmt: skip
LAST_NAMES = (
    "Alder", "Brandt", "Costa", "Dahl", "Eriksen", "Fischer", "Garcia", "Haas", "Ito", "Jung",
    "Kovac", "Lindqvist", "Moreau", "Novak", "Okafor", "Park", "Quist", "Rossi", "Sato", "Weber",
)  # fmt: skip
REPORT_TITLES = ("AI Race Monitor", "Compute Outlook", "State of AI Capacity")
