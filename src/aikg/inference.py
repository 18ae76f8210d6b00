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
  ``skos:prefLabel``, else a label in another language (the first in code-point order,
  where a resource has several), so that joining on a label never doubles rows.

Only triples the data does not already state are added (an engine's union of graphs
keeps a triple once per graph, so a triple both stated and inferred would show twice), and
only triples without blank nodes. :func:`refresh` recomputes the graph after every load
and write: it reads the stated quads by pattern, computes what they entail here, and
writes only the difference from what the graph holds, so a small change writes little.
It runs on every backend through the store's own operations. After a load, :func:`add_for`
reads only the new graphs; after a write, :func:`apply` only what its change touches.
Dumps leave the graph out unless asked for, and validation never sees it (the shapes judge
what the sources state).

>>> from aikg.walks import ClassHierarchy
>>> pairs = closure(ClassHierarchy([("http://e/A", "http://e/B"), ("http://e/B", "http://e/C")]))
>>> pairs
[('http://e/A', 'http://e/B'), ('http://e/A', 'http://e/C'), ('http://e/B', 'http://e/C')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from aikg.namespaces import AIKG, RDF, RDFS, SKOS
from aikg.store.local import Store
from aikg.walks import ClassHierarchy

if TYPE_CHECKING:  # a write's change, as validation has it
    from aikg.validation.incremental import Change

PREFERRED_LABEL = AIKG + "preferredLabel"
_TYPE = ox.NamedNode(RDF + "type")
_SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")
_SUBPROPERTY_OF = ox.NamedNode(RDFS + "subPropertyOf")
_LABELS = (ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "prefLabel"))


def closure(hierarchy: ClassHierarchy) -> list[tuple[str, str]]:
    """Every (sub, super) pair the hierarchy entails, sorted."""
    return sorted(
        (sub, sup) for sub in hierarchy.parents for sup in hierarchy.ancestors(sub) if sup != sub
    )


def _above(store: Store, predicate: ox.NamedNode) -> dict[ox.NamedNode, list[ox.NamedNode]]:
    """For each term, every term above it by ``predicate`` (subClassOf or subPropertyOf)
    that the ontology graph states between named terms, transitively."""
    ontology = ox.NamedNode(store.ontology_graph)
    pairs = closure(
        ClassHierarchy(
            (q.subject.value, q.object.value)
            for q in store.quads_for_pattern(None, predicate, None, ontology)
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
        )
    )
    above: dict[ox.NamedNode, list[ox.NamedNode]] = {}
    for sub, sup in pairs:
        above.setdefault(ox.NamedNode(sub), []).append(ox.NamedNode(sup))
    return above


def _plain(*terms: object) -> bool:
    return not any(isinstance(term, ox.BlankNode) for term in terms)


def _rank(label: ox.Literal) -> tuple[int, str, str]:
    """English first, then by text: the preferred label is the least."""
    tag = (label.language or "").lower()
    return (0 if tag == "en" or tag.startswith("en-") else 1, label.value, tag)


def entailed(store: Store) -> set[ox.Quad]:
    """Every quad the inferred graph should hold (see the module)."""
    inferred = ox.NamedNode(store.inferred_graph)
    wanted: set[ox.Quad] = set()
    types: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    for quad in store.stated_with(_TYPE):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            types.setdefault(quad.subject, set()).add(quad.object)
    superclasses = _above(store, _SUBCLASS_OF)
    for resource, stated in types.items():
        for cls in stated:
            for sup in superclasses.get(cls, ()):
                if sup not in stated:
                    wanted.add(ox.Quad(resource, _TYPE, sup, inferred))
    for prop, sups in _above(store, _SUBPROPERTY_OF).items():
        stated_quads = list(store.stated_with(prop))
        for sup in sups:
            present = {(q.subject, q.object) for q in store.stated_with(sup)}
            for quad in stated_quads:
                if _plain(quad.subject, quad.object) and (quad.subject, quad.object) not in present:
                    wanted.add(ox.Quad(quad.subject, sup, quad.object, inferred))
    best: dict[ox.NamedNode, ox.Literal] = {}
    for label_property in _LABELS:
        for quad in store.stated_with(label_property):
            subject, label = quad.subject, quad.object
            if not (isinstance(subject, ox.NamedNode) and isinstance(label, ox.Literal)):
                continue
            if subject not in best or _rank(label) < _rank(best[subject]):
                best[subject] = label
    preferred = ox.NamedNode(PREFERRED_LABEL)
    wanted.update(ox.Quad(subject, preferred, label, inferred) for subject, label in best.items())
    return wanted


def add_for(store: Store, graphs: list[str]) -> None:
    """Add what the quads of new ``graphs`` entail, reading only those graphs (a load
    adds graphs and changes no other): their types and properties lifted to what is
    above them, where no graph states it already, and the preferred label of each
    resource they label, chosen again among all its labels. For a store in this process,
    where a lookup per quad costs microseconds; elsewhere :func:`refresh`."""
    if not store.native:
        refresh(store)
        return
    inferred = ox.NamedNode(store.inferred_graph)
    added: list[ox.Quad] = []

    def stated(
        subject: ox.NamedNode,
        predicate: ox.NamedNode,
        value: ox.NamedNode | ox.BlankNode | ox.Literal,
    ) -> bool:
        return any(
            q.graph_name != inferred for q in store.quads_for_pattern(subject, predicate, value)
        )

    superclasses = _above(store, _SUBCLASS_OF)
    superproperties = _above(store, _SUBPROPERTY_OF)
    stale: list[ox.Quad] = []
    # What the new graphs state is no longer inferred: a type, or a statement under a
    # property that others specialise.
    for predicate in {_TYPE, *(sup for sups in superproperties.values() for sup in sups)}:
        for quad in store.stated_with(predicate, graphs):
            subject, value = quad.subject, quad.object
            if isinstance(subject, ox.NamedNode | ox.BlankNode) and isinstance(
                value, ox.NamedNode | ox.BlankNode | ox.Literal
            ):
                stale += store.quads_for_pattern(subject, predicate, value, inferred)
    for quad in store.stated_with(_TYPE, graphs):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            for sup in superclasses.get(quad.object, ()):
                if not stated(quad.subject, _TYPE, sup):
                    added.append(ox.Quad(quad.subject, _TYPE, sup, inferred))
    for prop, sups in superproperties.items():
        for quad in store.stated_with(prop, graphs):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(
                quad.object, ox.NamedNode | ox.Literal
            ):
                added += [
                    ox.Quad(quad.subject, sup, quad.object, inferred)
                    for sup in sups
                    if not stated(quad.subject, sup, quad.object)
                ]
    preferred = ox.NamedNode(PREFERRED_LABEL)
    labelled = {
        quad.subject
        for label_property in _LABELS
        for quad in store.stated_with(label_property, graphs)
        if isinstance(quad.subject, ox.NamedNode)
    }
    for subject in labelled:
        stale += store.quads_for_pattern(subject, preferred, None, inferred)
        labels = [
            q.object
            for label_property in _LABELS
            for q in store.quads_for_pattern(subject, label_property, None)
            if q.graph_name != inferred and isinstance(q.object, ox.Literal)
        ]
        added.append(ox.Quad(subject, preferred, min(labels, key=_rank), inferred))
    store.remove(stale)
    store.extend(added)


def apply(store: Store, change: Change) -> None:
    """Bring the inferred graph in line after ``change`` (already made), reading only what
    it touches: the types of the subjects it types, the statements between the nodes it
    joins by a property others are above or below, and the labels of the subjects it
    labels, each recomputed as :func:`entailed` would and written as the difference from
    what the graph holds. A change to the ontology's hierarchy, or a store elsewhere,
    recomputes everything (:func:`refresh`)."""
    ontology = ox.NamedNode(store.ontology_graph)
    hierarchy = {_SUBCLASS_OF, _SUBPROPERTY_OF}
    quads = (*change.added, *change.removed)
    if not store.native or any(q.graph_name == ontology or q.predicate in hierarchy for q in quads):
        refresh(store)
        return
    inferred = ox.NamedNode(store.inferred_graph)

    def stated(
        subject: ox.NamedNode,
        predicate: ox.NamedNode | None,
        value: ox.NamedNode | ox.Literal | None,
    ) -> list[ox.Quad]:
        """As :func:`entailed` reads: the named graphs but the inferred one."""
        return [
            q
            for q in store.quads_for_pattern(subject, predicate, value)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != inferred
        ]

    superclasses = _above(store, _SUBCLASS_OF)
    superproperties = _above(store, _SUBPROPERTY_OF)
    lifted = {sup for sups in superproperties.values() for sup in sups}
    related = set(superproperties) | lifted
    typed: set[ox.NamedNode] = set()
    joined: set[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = set()
    labelled: set[ox.NamedNode] = set()
    for quad in quads:
        subject, obj = quad.subject, quad.object
        if not isinstance(subject, ox.NamedNode):
            continue  # nothing about a blank node is inferred
        if quad.predicate == _TYPE:
            typed.add(subject)
        if quad.predicate in related and isinstance(obj, ox.NamedNode | ox.Literal):
            joined.add((subject, obj))
        if quad.predicate in _LABELS:
            labelled.add(subject)
    wanted: set[ox.Quad] = set()
    present: set[ox.Quad] = set()
    for resource in typed:
        types = {q.object for q in stated(resource, _TYPE, None)}
        wanted.update(
            ox.Quad(resource, _TYPE, sup, inferred)
            for cls in types
            if isinstance(cls, ox.NamedNode)
            for sup in superclasses.get(cls, ())
            if sup not in types
        )
        present.update(store.quads_for_pattern(resource, _TYPE, None, inferred))
    for subject, value in joined:
        between = {q.predicate for q in stated(subject, None, value)}
        wanted.update(
            ox.Quad(subject, sup, value, inferred)
            for prop in between
            for sup in superproperties.get(prop, ())
            if sup not in between
        )
        present.update(
            q
            for q in store.quads_for_pattern(subject, None, value, inferred)
            if q.predicate in lifted
        )
    preferred = ox.NamedNode(PREFERRED_LABEL)
    for subject in labelled:
        labels = [
            q.object
            for label_property in _LABELS
            for q in stated(subject, label_property, None)
            if isinstance(q.object, ox.Literal)
        ]
        if labels:
            wanted.add(ox.Quad(subject, preferred, min(labels, key=_rank), inferred))
        present.update(store.quads_for_pattern(subject, preferred, None, inferred))
    if stale := present - wanted:
        store.remove(list(stale))
    if new := wanted - present:
        store.extend(list(new))


def refresh(store: Store) -> None:
    """Bring the inferred graph in line with the data and the ontology, writing only
    what changed."""
    wanted = entailed(store)
    if store.has_graph(store.inferred_graph):
        present = set(store.quads(store.inferred_graph))
    else:
        present = set()
    stale = present - wanted
    if stale:
        store.remove(list(stale))
    if new := wanted - present:
        store.extend(list(new))
