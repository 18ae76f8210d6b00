"""The ontology is documented, versioned and reuses the standard vocabularies."""

from __future__ import annotations

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from aikg import package_data

AIKG = rdflib.Namespace("https://w3id.org/aikg/ontology#")
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
ONTOLOGY = rdflib.URIRef("https://w3id.org/aikg/ontology")
ONTOLOGY_GRAPH = rdflib.Graph().parse(
    data=package_data.ontology_file().read_text("utf-8"), format="turtle"
)
TERMS = sorted(
    s
    for s in set(ONTOLOGY_GRAPH.subjects())
    if isinstance(s, rdflib.URIRef) and str(s).startswith(str(AIKG))
)
PROPERTIES = sorted(
    set(ONTOLOGY_GRAPH.subjects(RDF.type, OWL.ObjectProperty))
    | set(ONTOLOGY_GRAPH.subjects(RDF.type, OWL.DatatypeProperty))
)


def test_header_names_title_description_license_version_and_prefix() -> None:
    for predicate in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.license,
        OWL.versionIRI,
        OWL.versionInfo,
        DCTERMS.modified,
        VANN.preferredNamespacePrefix,
    ):
        assert ONTOLOGY_GRAPH.value(ONTOLOGY, predicate) is not None, predicate
    assert str(ONTOLOGY_GRAPH.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "aikg"


def test_every_term_has_an_english_label_and_comment() -> None:
    assert len(TERMS) > 80
    for term in TERMS:
        labels = [o for o in ONTOLOGY_GRAPH.objects(term, RDFS.label) if o.language == "en"]
        comments = [o for o in ONTOLOGY_GRAPH.objects(term, RDFS.comment) if o.language == "en"]
        assert labels and comments, term


def test_every_property_has_a_domain_and_a_range_unless_any_entity_fits() -> None:
    open_ended = {AIKG.subject, AIKG.mentions, AIKG.mentionedIn, AIKG.preferredLabel}
    for prop in PROPERTIES:
        if prop in open_ended:
            continue
        assert ONTOLOGY_GRAPH.value(prop, RDFS.domain) is not None, prop
        assert ONTOLOGY_GRAPH.value(prop, RDFS.range) is not None, prop


def test_classes_specialise_standard_vocabularies() -> None:
    expected = {
        AIKG.Country: "http://schema.org/Country",
        AIKG.Organization: "http://www.w3.org/ns/org#Organization",
        AIKG.Person: "http://www.w3.org/ns/prov#Person",
        AIKG.Claim: "http://www.w3.org/ns/prov#Entity",
        AIKG.InnovationType: "http://www.w3.org/2004/02/skos/core#Concept",
        AIKG.Membership: "http://www.w3.org/ns/org#Membership",
        AIKG.Quotation: "http://schema.org/Quotation",
    }
    for cls, parent in expected.items():
        assert rdflib.URIRef(parent) in set(ONTOLOGY_GRAPH.objects(cls, RDFS.subClassOf)), cls


def test_the_card_classes_exist() -> None:
    for name in (
        "Country",
        "Company",
        "Organization",
        "Person",
        "Event",
        "HardwareModel",
        "HardwareHolding",
        "InnovationType",
        "Source",
        "Quotation",
        "IndexPosition",
        "Measurement",
        "Recommendation",
    ):
        assert (AIKG[name], RDF.type, OWL.Class) in ONTOLOGY_GRAPH, name
