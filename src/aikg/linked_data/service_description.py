"""The SPARQL 1.1 Service Description of the endpoint, as RDF.

>>> graphs = {"https://w3id.org/aikg/graph/holdings": 71}
>>> triples = describe_service("http://localhost:8000/sparql", Settings(), graphs)
>>> ox.Triple(ox.NamedNode("http://localhost:8000/sparql"), RDF_TYPE, SD("Service")) in triples
True
"""

from __future__ import annotations

import pyoxigraph as ox

from aikg import namespaces as ns
from aikg.config import Settings
from aikg.formats import RDF_FORMATS, RESULT_FORMATS

VOID_TRIPLES = ox.NamedNode(ns.VOID + "triples")
RDF_TYPE = ox.NamedNode(ns.RDF + "type")
DCTERMS_TITLE = ox.NamedNode(ns.DCTERMS + "title")
XSD_INTEGER = ox.NamedNode(ns.XSD + "integer")
XSD_ANY_URI = ox.NamedNode(ns.XSD + "anyURI")
SH_DECLARE = ox.NamedNode(ns.SH + "declare")
SH_PREFIX = ox.NamedNode(ns.SH + "prefix")
SH_NAMESPACE = ox.NamedNode(ns.SH + "namespace")

# W3C's IRIs for the formats (https://www.w3.org/ns/formats/).
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "nquads": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}


def SD(name: str) -> ox.NamedNode:
    """A term of the Service Description vocabulary."""
    return ox.NamedNode(ns.SD + name)


def _format_iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(ns.FORMATS + FORMAT_IRIS[name])


def describe_service(
    endpoint: str,
    settings: Settings,
    graphs: dict[str, int],
    *,
    default_graph_triples: int | None = None,
) -> list[ox.Triple]:
    """The ``sd:Service`` at ``endpoint``: languages, formats, features, default dataset,
    and the prefixes a query may use without declaring them (``sh:declare``)."""
    service = ox.NamedNode(endpoint)
    triples = [
        ox.Triple(service, RDF_TYPE, SD("Service")),
        ox.Triple(service, SD("endpoint"), service),
        ox.Triple(service, DCTERMS_TITLE, ox.Literal("aikg SPARQL endpoint", language="en")),
        ox.Triple(service, SD("supportedLanguage"), SD("SPARQL11Query")),
        ox.Triple(service, SD("feature"), SD("UnionDefaultGraph")),
        ox.Triple(
            service,
            SD("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
    ]
    if settings.writable:
        triples.append(ox.Triple(service, SD("supportedLanguage"), SD("SPARQL11Update")))
    if settings.service_allowlist:
        triples.append(ox.Triple(service, SD("feature"), SD("BasicFederatedQuery")))
    for fmt in RESULT_FORMATS:
        if fmt.name in FORMAT_IRIS:  # W3C names no IRI for an HTML table
            triples.append(ox.Triple(service, SD("resultFormat"), _format_iri(fmt.name)))
    for rdf in RDF_FORMATS:
        name = "rdfxml" if rdf.name == "xml" else rdf.name
        triples.append(ox.Triple(service, SD("resultFormat"), _format_iri(name)))
        if not rdf.datasets or rdf.name == "jsonld":
            triples.append(ox.Triple(service, SD("inputFormat"), _format_iri(name)))
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("defaultGraph")
    triples += [
        ox.Triple(service, SD("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, SD("Dataset")),
        ox.Triple(dataset, SD("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, SD("Graph")),
    ]
    # The prefixes every query may use undeclared, in SHACL's vocabulary for prefix
    # declarations (the one W3C vocabulary for them), so that tools can read them.
    for index, (prefix, namespace) in enumerate(ns.prefix_table(settings.base_iri).items()):
        declaration = ox.BlankNode(f"prefix{index}")
        triples += [
            ox.Triple(service, SH_DECLARE, declaration),
            ox.Triple(declaration, SH_PREFIX, ox.Literal(prefix)),
            ox.Triple(declaration, SH_NAMESPACE, ox.Literal(namespace, datatype=XSD_ANY_URI)),
        ]
    total = default_graph_triples if default_graph_triples is not None else sum(graphs.values())
    triples.append(ox.Triple(default, VOID_TRIPLES, ox.Literal(str(total), datatype=XSD_INTEGER)))
    for index, (name, count) in enumerate(sorted(graphs.items())):
        named = ox.BlankNode(f"namedGraph{index}")
        graph = ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, SD("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, SD("NamedGraph")),
            ox.Triple(named, SD("name"), ox.NamedNode(name)),
            ox.Triple(named, SD("graph"), graph),
            ox.Triple(graph, RDF_TYPE, SD("Graph")),
            ox.Triple(graph, VOID_TRIPLES, ox.Literal(str(count), datatype=XSD_INTEGER)),
        ]
    return triples
