"""Conversion between Oxigraph terms (the engine) and rdflib terms (what Python users hold).

Oxigraph gives every simple literal the datatype ``xsd:string``; rdflib writes such a
literal without a datatype and compares the two forms as different, so ``xsd:string`` is
dropped on the way to rdflib and added back on the way to Oxigraph.

>>> to_rdflib(ox.Literal("2000", datatype=ox.NamedNode(str(XSD.integer)))).toPython()
2000
>>> to_rdflib(ox.Literal("Korea")) == Literal("Korea")
True
>>> to_oxigraph(URIRef("https://w3id.org/aikg/country/KR"))
<NamedNode value=https://w3id.org/aikg/country/KR>
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from aikg.errors import QueryRefusedError

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxSubject = ox.NamedNode | ox.BlankNode
_XSD_STRING = str(XSD.string)


def to_rdflib(term: OxTerm | ox.Triple | ox.DefaultGraph) -> Node:
    """The rdflib term for an Oxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.Triple):
        raise triple_term_refused(term)
    raise TypeError(f"no rdflib equivalent for {term!r}")


def triple_term_refused(term: ox.Triple, column: str | None = None) -> QueryRefusedError:
    """The error for an answer that holds a triple term (RDF 1.2), which aikg does not
    write: its answers and Python's rdflib hold RDF 1.1 terms."""
    where = f"column ?{column}" if column else None
    return QueryRefusedError(
        f"the answer holds a triple term, {term}, which aikg does not write (its answers "
        "hold IRIs, blank nodes and literals)",
        where=where,
        hint="answer with the triple's parts: SUBJECT(?t), PREDICATE(?t), OBJECT(?t)",
    )


def to_oxigraph(term: Node) -> OxTerm:
    """The Oxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = str(term.datatype) if term.datatype else _XSD_STRING
        return ox.Literal(str(term), datatype=ox.NamedNode(datatype))
    raise TypeError(f"no Oxigraph equivalent for {term!r}")


def triples_to_graph(triples: Iterable[ox.Triple | ox.Quad], graph: Graph | None = None) -> Graph:
    """An rdflib Graph holding the given Oxigraph triples (graph names are dropped)."""
    result = Graph() if graph is None else graph
    for t in triples:
        result.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return result
