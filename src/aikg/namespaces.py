"""Every namespace aikg reads or writes, and the one table of prefixes.

Modules name a vocabulary by the constant here, never by its IRI. The one prefix table
(:func:`prefix_table`: the vocabularies and the data's own entity families) serves
queries, Turtle, VoID and short names on pages alike.

>>> curie("http://www.w3.org/2000/01/rdf-schema#label")
'rdfs:label'
>>> prefix_table("https://w3id.org/aikg/")["claim"]
'https://w3id.org/aikg/claim/'
"""

from __future__ import annotations

import functools
from urllib.parse import urljoin, urlsplit

from aikg.config import NOT_IN_IRIS, ONTOLOGY_NS, SHAPES_NS
from aikg.errors import InputError

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

ENTITY_FAMILIES = (
    *("source", "quote", "claim", "conflict", "graph"),
    *("country", "company", "organization", "person", "group", "event", "role"),
    *("hardware", "index", "indicator", "tier", "scale", "scheme"),
    *("innovation-type", "stance", "topic"),
)
"""The families of the data's own IRIs: ``country:KR`` is ``{base}country/KR``."""


def prefixes(*names: str) -> dict[str, str]:
    """A slice of :data:`PREFIXES`, in the order given."""
    return {name: PREFIXES[name] for name in names}


@functools.cache
def prefix_table(base_iri: str) -> dict[str, str]:
    """The one table of prefixes: every vocabulary, then every entity family under
    ``base_iri``. Every output writes short names with it, and every input (queries,
    updates, saved queries, parameters) may use its prefixes without declaring them.

    Treat the answer as read-only: it is shared.

    >>> table = prefix_table("https://w3id.org/aikg/")
    >>> table["country"], table["schema"]
    ('https://w3id.org/aikg/country/', 'http://schema.org/')
    """
    return {**PREFIXES, **{family: f"{base_iri}{family}/" for family in ENTITY_FAMILIES}}


def curie(iri: str, table: dict[str, str] | None = None) -> str:
    """A short name for an IRI of a namespace in ``table`` (default: every prefix); the
    IRI itself otherwise."""
    for name, namespace in (PREFIXES if table is None else table).items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{name}:{iri[len(namespace) :]}"
    return iri


def expand(name: str, base_iri: str) -> str:
    """A short name of the prefix table (:func:`prefix_table`) as the IRI it stands for;
    anything else as it is.

    >>> expand("country:KR", "https://w3id.org/aikg/")
    'https://w3id.org/aikg/country/KR'
    >>> expand("http://example.org/x", "https://w3id.org/aikg/")
    'http://example.org/x'
    """
    prefix, colon, local = name.partition(":")
    namespace = prefix_table(base_iri).get(prefix) if colon else None
    return name if namespace is None else namespace + local


def resolve_iri(name: str, base_iri: str, *, where: str = "IRI") -> str:
    """The IRI a name given by a user stands for: an absolute IRI (as it is), one relative
    to the base IRI (``country/KR``) or a short name (``country:KR``: a name whose scheme
    is a prefix of the table is read as one); an :class:`InputError` naming ``where`` for
    anything that is no IRI.

    >>> resolve_iri("country/KR", "https://w3id.org/aikg/")
    'https://w3id.org/aikg/country/KR'
    """
    expanded = expand(name.strip(), base_iri)
    try:
        # An absolute IRI as it is (a join would drop an empty "#" or "?" and lower its
        # scheme); a relative one against the base.
        absolute = bool(urlsplit(expanded).scheme)
        resolved = expanded if absolute else urljoin(base_iri, expanded)
    except ValueError:  # an unclosed "[" of an IPv6 host, say
        resolved = ""
    if not expanded or not resolved or NOT_IN_IRIS & set(expanded):
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise InputError(
            f"{shown!r} is no IRI",
            where=where,
            hint=f"give an absolute IRI ({base_iri}country/KR), one relative to the base IRI "
            "(country/KR) or a short name (country:KR)",
        )
    return resolved
