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
It runs on every backend through the store's own operations. After a load,
:func:`add_loaded` reads only what the load's own parse gathered (:class:`Loaded`) and
the subjects the store held before; after a write, :func:`apply` only what its change
touches.
Dumps leave the graph out unless asked for, and validation never counts it (the shapes
judge what the sources state: see :mod:`aikg.validation.fast`).

>>> from aikg.walks import ClassHierarchy
>>> pairs = closure(ClassHierarchy([("http://e/A", "http://e/B"), ("http://e/B", "http://e/C")]))
>>> pairs
[('http://e/A', 'http://e/B'), ('http://e/A', 'http://e/C'), ('http://e/B', 'http://e/C')]
"""

from __future__ import annotations

import sys

import pyoxigraph as ox

from aikg.names import INDEXED_PROPERTIES
from aikg.namespaces import AIKG, RDF, RDFS, SKOS
from aikg.store.local import Store
from aikg.validation.incremental import Change
from aikg.walks import ClassHierarchy

PREFERRED_LABEL = AIKG + "preferredLabel"
_TYPE = ox.NamedNode(RDF + "type")
_SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")
_SUBPROPERTY_OF = ox.NamedNode(RDFS + "subPropertyOf")
_LABELS = (ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "prefLabel"))
_NAMED_OR_LITERAL = (ox.NamedNode, ox.Literal)
"""For isinstance: a tuple is checked faster than a union, which matters per quad."""


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


class Loaded:
    """What the quads of a load state that the inferred graph and the name index depend
    on, gathered while the loader checks its files: the loader's own parse feeds it, so a
    load of any size brings both up to date without reading back what it wrote (reading
    costs ~5 microseconds a quad from a store on disk: 22 s of a 1M-triple load did that).

    Feed it every quad of the load in the form the store will hold (graph and IRIs as
    written), call :meth:`note_old` on the store before the load writes, then
    :func:`add_loaded` after it. Blank nodes are left out, as the inferred graph and the
    name index leave them out: a parser draws new labels on every read, so the parse's
    blank nodes are not the store's. Subjects and classes are kept as strings, whose
    hashes Python caches (a term's is computed again on every lookup).
    """

    TYPE, LABEL, RELATED, INDEXED, HIERARCHY = 1, 2, 4, 8, 16
    """What a predicate is to :meth:`add` (a bit each: a name can also be related)."""

    def __init__(self, store: Store):
        # A store elsewhere is recomputed in full after the load (add_loaded), and has no
        # name index here: nothing is gathered for it, nor its hierarchy asked for.
        self.superclasses = _above(store, _SUBCLASS_OF) if store.native else {}
        self.superproperties = _above(store, _SUBPROPERTY_OF) if store.native else {}
        lifted = {sup for sups in self.superproperties.values() for sup in sups}
        kinds: dict[str, int] = {}
        for predicates, kind in (
            ([_TYPE], self.TYPE),
            (_LABELS, self.LABEL),
            ([*self.superproperties, *lifted], self.RELATED),
            ([ox.NamedNode(p) for p in INDEXED_PROPERTIES], self.INDEXED),
            ([_SUBCLASS_OF, _SUBPROPERTY_OF], self.HIERARCHY),
        ):
            for predicate in predicates:
                kinds[predicate.value] = kinds.get(predicate.value, 0) | kind
        self.kinds = kinds if store.native else {}
        """Each predicate :meth:`add` keeps something of, by IRI: its kinds (one dict
        lookup a quad, on a string; a term's hash is computed again on every lookup)."""
        self.types: dict[str, tuple[str, ...]] = {}
        """Each subject's stated classes (a tuple: most have one, and a set is bigger)."""
        self.statements: set[tuple[str, str, ox.NamedNode | ox.Literal]] = set()
        """Statements with a property others are above or below: subject, property,
        value."""
        self.labels: dict[str, ox.Literal] = {}
        """Each subject's preferred label among the load's labels."""
        self.indexed: list[ox.Quad] = []
        """The load's quads the name index holds (names and texts)."""
        self.hierarchy_changed = False
        self.old: set[str] = set()
        """The subjects the store held before the load."""
        self.entailed: bytes | None = None
        """What the subjects new to the store entail, as N-Quads (:func:`entail_new`),
        until :func:`add_loaded` writes it."""
        self.prepared = False
        """Whether the name index holds :attr:`indexed` and :attr:`entailed` is computed
        (the knowledge graph's ``prepare_derived``, which the loader runs beside its
        write)."""

    def add(self, quad: ox.Quad, kind: int) -> None:
        """Keep what the inferred graph and the name index need of ``quad``, whose
        predicate is of ``kind`` (from :attr:`kinds`; the loader looks it up first, and
        puts only those quads in the form the store will hold)."""
        if kind & self.HIERARCHY:
            self.hierarchy_changed = True  # every entailment may change: recomputed
        subject, value = quad.subject, quad.object
        if not isinstance(subject, ox.NamedNode):
            return
        # One string per subject, class and property, however many quads name it: at 10M
        # triples the gatherings are millions of entries.
        name = sys.intern(subject.value)
        if isinstance(value, ox.Literal):
            if kind & self.INDEXED:
                self.indexed.append(quad)
            if kind & self.LABEL:
                best = self.labels.get(name)
                if best is None or _rank(value) < _rank(best):
                    self.labels[name] = value
        elif kind & self.TYPE and isinstance(value, ox.NamedNode):
            self.types[name] = (*self.types.get(name, ()), sys.intern(value.value))
        if kind & self.RELATED and isinstance(value, _NAMED_OR_LITERAL):
            self.statements.add((name, sys.intern(quad.predicate.value), value))

    def note_old(self, store: Store) -> None:
        """Which subjects the store already holds (before the load writes): what they
        entail is read from the store after the load; that of the others, new to it,
        from the load's gatherings alone (nothing is gathered for a store elsewhere: a
        lookup per subject would be a request each)."""
        subjects = {*self.types, *self.labels, *(key[0] for key in self.statements)}
        self.old = {
            s
            for s in subjects
            if next(iter(store.quads_for_pattern(ox.NamedNode(s), None, None)), None) is not None
        }


def add_loaded(store: Store, loaded: Loaded) -> None:
    """Add what a load entails (its quads already written): for the subjects new to the
    store, computed from what the load's parse gathered (:func:`entail_new`, which the
    loader runs beside its write); for those the store held, read again from the store
    (as :func:`apply` does), which also takes away what their new statements no longer
    leave to inference. A load that changes the class or property hierarchy, or a store
    elsewhere, recomputes everything (:func:`refresh`)."""
    if not store.native or loaded.hierarchy_changed:
        refresh(store)
        return
    old = loaded.old
    _reconcile(
        store,
        typed={ox.NamedNode(s) for s in loaded.types if s in old},
        joined={(ox.NamedNode(name), value) for name, _, value in loaded.statements if name in old},
        labelled={ox.NamedNode(s) for s in loaded.labels if s in old},
    )
    entail_new(store, loaded)
    if loaded.entailed:
        store.extend_nquads(loaded.entailed)
    loaded.entailed = None  # its memory back: it can be a hundred megabytes


def entail_new(store: Store, loaded: Loaded) -> None:
    """Compute what the load's subjects new to the store entail (those not in
    ``loaded.old``), from what its parse gathered alone, as N-Quads lines
    (``loaded.entailed``, which :func:`add_loaded` writes). It reads nothing of the store,
    so the loader runs it while the engine writes the files. Once per load; nothing where
    :func:`add_loaded` recomputes everything (a load that changes the hierarchy, a store
    elsewhere)."""
    if loaded.entailed is not None or not store.native or loaded.hierarchy_changed:
        return
    old = loaded.old
    # N-Quads lines for the engine's parser: a Python quad object each costs more than
    # the line (568,166 inferred quads of a 1M-triple load: 4.6 s against 1.6 s).
    graph = f" {ox.NamedNode(store.inferred_graph)} .\n"
    superclasses = {
        cls.value: [(sup.value, f" <{RDF}type> {sup}") for sup in sups]
        for cls, sups in loaded.superclasses.items()
    }
    lines: list[str] = []
    for name, stated in loaded.types.items():
        if name in old:
            continue
        lifted = {
            written
            for cls in stated
            for sup, written in superclasses.get(cls, ())
            if sup not in stated
        }
        lines += (f"<{name}>{written}{graph}" for written in lifted)
    statements = loaded.statements
    superproperties = {p.value: sups for p, sups in loaded.superproperties.items()}
    lifted_statements: set[tuple[str, str, ox.NamedNode | ox.Literal]] = set()
    for name, predicate, value in statements:
        if name in old:
            continue
        for sup in superproperties.get(predicate, ()):
            key = (name, sup.value, value)
            if key not in statements and key not in lifted_statements:
                lifted_statements.add(key)
                lines.append(f"<{name}> {sup} {value}{graph}")
    preferred = f" <{PREFERRED_LABEL}> "
    lines += (
        f"<{name}>{preferred}{label}{graph}"
        for name, label in loaded.labels.items()
        if name not in old
    )
    loaded.entailed = "".join(lines).encode()


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
    superproperties = _above(store, _SUBPROPERTY_OF)
    related = set(superproperties) | {sup for sups in superproperties.values() for sup in sups}
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
    _reconcile(store, typed=typed, joined=joined, labelled=labelled)


def _reconcile(
    store: Store,
    *,
    typed: set[ox.NamedNode],
    joined: set[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]],
    labelled: set[ox.NamedNode],
) -> None:
    """Recompute, as :func:`entailed` would, what the inferred graph holds about these
    subjects (their types; the statements between these pairs of nodes; their labels),
    reading the store, and write the difference from what it holds."""
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
