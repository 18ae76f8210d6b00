"""What the ontology entails, kept in a graph of its own (``graph/inferred``).

Analysts expect ``?c a aikg:Claim`` to find every claim, although the data types each
claim by its kind (``aikg:HardwareHolding``, ...), and ``a aikg:Organization`` to find the
companies. The inferred graph holds exactly what the ontology's own axioms add to the data
(RDFS entailment rules rdfs9 and rdfs7), and one convenience:

- for a resource typed with a class, its type in every superclass (``rdfs:subClassOf``,
  transitively);
- for a statement with a property, the same statement with every superproperty
  (``rdfs:subPropertyOf``, transitively);
- one ``aikg:preferredLabel`` per labelled resource: its English ``rdfs:label`` or
  ``skos:prefLabel``, else a label in another language (the least, in the engine's order,
  where a resource has several), so that joining on a label never doubles rows.

Only triples the data does not already state are added. The graph is recomputed by one
SPARQL update after every load and write (:func:`refresh`), so it is the same on every
backend; dumps leave it out unless asked for, and validation never sees it (the shapes
judge what the sources state).

>>> from aikg.walks import ClassHierarchy
>>> pairs = closure(ClassHierarchy([("http://e/A", "http://e/B"), ("http://e/B", "http://e/C")]))
>>> pairs
[('http://e/A', 'http://e/B'), ('http://e/A', 'http://e/C'), ('http://e/B', 'http://e/C')]
"""

from __future__ import annotations

from string import Template

import pyoxigraph as ox

from aikg.namespaces import AIKG, RDFS, SKOS, prefix_table
from aikg.store.local import Store
from aikg.walks import ClassHierarchy

PREFERRED_LABEL = AIKG + "preferredLabel"
_SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")
_SUBPROPERTY_OF = ox.NamedNode(RDFS + "subPropertyOf")


def closure(hierarchy: ClassHierarchy) -> list[tuple[str, str]]:
    """Every (sub, super) pair the hierarchy entails, sorted."""
    return sorted(
        (sub, sup) for sub in hierarchy.parents for sup in hierarchy.ancestors(sub) if sup != sub
    )


def _pairs(store: Store, predicate: ox.NamedNode) -> list[tuple[str, str]]:
    """The entailed pairs of ``predicate`` (subClassOf or subPropertyOf) that the ontology
    graph states between named terms."""
    ontology = ox.NamedNode(store.ontology_graph)
    return closure(
        ClassHierarchy(
            (q.subject.value, q.object.value)
            for q in store.quads_for_pattern(None, predicate, None, ontology)
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
        )
    )


def _values(pairs: list[tuple[str, str]]) -> str:
    return " ".join(f"({ox.NamedNode(sub)} {ox.NamedNode(sup)})" for sub, sup in pairs)


# The operations of one update. The inferred graph is emptied first, so the NOT EXISTS
# tests see only what the data states. Patterns name GRAPH ?g: in an update, the default
# graph is the store's unnamed one, not the union.
_DROP = "DROP SILENT GRAPH $inferred"
_TYPES = """INSERT { GRAPH $inferred { ?x a ?super } } WHERE {
  VALUES (?class ?super) { $pairs }
  GRAPH ?g { ?x a ?class }
  FILTER NOT EXISTS { GRAPH ?h { ?x a ?super } }
}"""
_PROPERTIES = """INSERT { GRAPH $inferred { ?s ?super ?o } } WHERE {
  VALUES (?property ?super) { $pairs }
  GRAPH ?g { ?s ?property ?o }
  FILTER NOT EXISTS { GRAPH ?h { ?s ?super ?o } }
}"""
# First the English labels, then, for what has none, a label in any language.
_PREFERRED = """INSERT { GRAPH $inferred { ?x $preferred ?best } } WHERE {
  { SELECT ?x (MIN(?label) AS ?best) WHERE {
      GRAPH ?g { ?x ?labelled ?label } VALUES ?labelled { $labels }
      $condition
  } GROUP BY ?x }
}"""
_ENGLISH = 'FILTER (langMatches(lang(?label), "en"))'
_NO_ENGLISH = """FILTER NOT EXISTS {
        GRAPH ?h { ?x ?other ?english } VALUES ?other { $labels }
        FILTER (langMatches(lang(?english), "en"))
      }"""


def entailment_update(store: Store) -> str:
    """The SPARQL update that recomputes the inferred graph from the data and ontology."""
    names = {
        "inferred": str(ox.NamedNode(store.inferred_graph)),
        "preferred": str(ox.NamedNode(PREFERRED_LABEL)),
        "labels": f"{ox.NamedNode(RDFS + 'label')} {ox.NamedNode(SKOS + 'prefLabel')}",
    }
    operations = [Template(_DROP).substitute(names)]
    if classes := _pairs(store, _SUBCLASS_OF):
        operations.append(Template(_TYPES).substitute(names, pairs=_values(classes)))
    if properties := _pairs(store, _SUBPROPERTY_OF):
        operations.append(Template(_PROPERTIES).substitute(names, pairs=_values(properties)))
    for condition in (_ENGLISH, Template(_NO_ENGLISH).substitute(names)):
        operations.append(Template(_PREFERRED).substitute(names, condition=condition))
    return " ;\n".join(operations)


def refresh(store: Store) -> None:
    """Recompute the inferred graph, in one update (one transaction on Oxigraph)."""
    store.update(entailment_update(store), prefix_table(store.settings.base_iri))
