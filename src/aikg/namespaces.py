"""Every namespace aikg reads or writes, and the one table of prefixes.

Modules name a vocabulary by the constant here, never by its IRI; prefix tables (for
queries, for Turtle, for VoID, for short names on pages) are slices of :data:`PREFIXES`.

>>> curie("http://www.w3.org/2000/01/rdf-schema#label")
'rdfs:label'
>>> query_prefixes()["schema"]
'http://schema.org/'
"""

from __future__ import annotations

from aikg.config import ONTOLOGY_NS, SHAPES_NS

AIKG = ONTOLOGY_NS
AIKGSH = SHAPES_NS
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "http://schema.org/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
SPDX = "http://spdx.org/rdf/terms#"
WD = "http://www.wikidata.org/entity/"

PREFIXES: dict[str, str] = {
    "aikg": AIKG,
    "aikgsh": AIKGSH,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "sh": SH,
    "skos": SKOS,
    "schema": SCHEMA,
    "org": ORG,
    "prov": PROV,
    "dcterms": DCTERMS,
    "void": VOID,
    "dcat": DCAT,
    "sd": SD,
    "spdx": SPDX,
    "wd": WD,
}
"""Every vocabulary prefix aikg uses, and the namespace it stands for."""

QUERY_PREFIX_NAMES = (
    *("aikg", "rdf", "rdfs", "xsd", "owl"),
    *("skos", "schema", "prov", "dcterms", "org"),
)
"""The prefixes a query may use without declaring them."""


def prefixes(*names: str) -> dict[str, str]:
    """A slice of :data:`PREFIXES`, in the order given."""
    return {name: PREFIXES[name] for name in names}


def query_prefixes() -> dict[str, str]:
    """The prefixes every query may use without declaring them (its own PREFIX wins)."""
    return prefixes(*QUERY_PREFIX_NAMES)


def curie(iri: str, table: dict[str, str] | None = None) -> str:
    """A short name for an IRI of a namespace in ``table`` (default: every prefix); the
    IRI itself otherwise."""
    for name, namespace in (PREFIXES if table is None else table).items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{name}:{iri[len(namespace) :]}"
    return iri
