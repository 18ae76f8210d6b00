"""RDF descriptions of what the service offers: the saved queries as DCAT data services.

Each saved query is a ``dcat:DataService`` whose ``dcat:endpointURL`` runs it; its
parameters are schema.org ``PropertyValueSpecification``s of a ``schema:SearchAction``
(the way schema.org describes a parameterised URL), and its SPARQL text is ``schema:text``.

>>> triples = describe_saved_queries("http://localhost:8000/")
>>> service = ox.NamedNode("http://localhost:8000/queries/holdings")
>>> ox.Triple(service, RDF_TYPE, DCAT_DATA_SERVICE) in triples
True
"""

from __future__ import annotations

import pyoxigraph as ox

from aikg.namespaces import DCAT, DCTERMS, RDF, SCHEMA, XSD
from aikg.saved_queries import SavedQuery, catalog

RDF_TYPE = ox.NamedNode(RDF + "type")
DCAT_DATA_SERVICE = ox.NamedNode(DCAT + "DataService")
XSD_BOOLEAN = ox.NamedNode(XSD + "boolean")


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def saved_query_iri(base_url: str, name: str) -> ox.NamedNode:
    """Where a saved query runs: ``{base_url}queries/{name}``."""
    return ox.NamedNode(f"{base_url}queries/{name}")


def describe_saved_query(base_url: str, query: SavedQuery) -> list[ox.Triple]:
    """One saved query as a DCAT data service with a schema.org search action."""
    service = saved_query_iri(base_url, query.name)
    text = ox.NamedNode(f"{base_url}queries/{query.name}.rq")
    triples = [
        ox.Triple(service, RDF_TYPE, DCAT_DATA_SERVICE),
        ox.Triple(service, ox.NamedNode(DCTERMS + "identifier"), ox.Literal(query.name)),
        ox.Triple(service, ox.NamedNode(DCTERMS + "title"), _en(query.title)),
        ox.Triple(service, ox.NamedNode(DCTERMS + "description"), _en(query.description)),
        ox.Triple(service, ox.NamedNode(DCAT + "endpointURL"), service),
        ox.Triple(
            service,
            ox.NamedNode(DCAT + "endpointDescription"),
            ox.NamedNode(f"{base_url}openapi.json"),
        ),
        ox.Triple(
            service,
            ox.NamedNode(DCTERMS + "conformsTo"),
            ox.NamedNode("https://www.w3.org/TR/sparql11-query/"),
        ),
        ox.Triple(service, ox.NamedNode(SCHEMA + "text"), ox.Literal(query.text)),
        ox.Triple(service, ox.NamedNode(DCTERMS + "hasPart"), text),
    ]
    for tag in query.tags:
        triples.append(ox.Triple(service, ox.NamedNode(DCAT + "keyword"), ox.Literal(tag)))
    action = ox.BlankNode(f"action-{query.name}")
    template = "&".join(f"{p.name}={{{p.name}}}" for p in query.params)
    triples += [
        ox.Triple(service, ox.NamedNode(SCHEMA + "potentialAction"), action),
        ox.Triple(action, RDF_TYPE, ox.NamedNode(SCHEMA + "SearchAction")),
        ox.Triple(
            action,
            ox.NamedNode(SCHEMA + "target"),
            ox.Literal(f"{service.value}?{template}" if template else service.value),
        ),
    ]
    for p in query.params:
        spec = ox.BlankNode(f"parameter-{query.name}-{p.name}")
        triples += [
            ox.Triple(action, ox.NamedNode(SCHEMA + "query-input"), spec),
            ox.Triple(spec, RDF_TYPE, ox.NamedNode(SCHEMA + "PropertyValueSpecification")),
            ox.Triple(spec, ox.NamedNode(SCHEMA + "valueName"), ox.Literal(p.name)),
            ox.Triple(
                spec,
                ox.NamedNode(SCHEMA + "valueRequired"),
                ox.Literal("true" if p.required else "false", datatype=XSD_BOOLEAN),
            ),
            ox.Triple(spec, ox.NamedNode(SCHEMA + "description"), _en(p.description or p.expects)),
        ]
        if p.default is not None:
            triples.append(
                ox.Triple(spec, ox.NamedNode(SCHEMA + "defaultValue"), ox.Literal(p.default))
            )
    return triples


def describe_saved_queries(base_url: str) -> list[ox.Triple]:
    """Every saved query, described."""
    return [t for q in catalog().values() for t in describe_saved_query(base_url, q)]
