"""Structures read out of triples: RDF lists, and the class hierarchy.

One reader each, used by the validator's compiler, the ontology's documentation and the
resource pages.

>>> RDFS_SUB = ox.NamedNode(RDFS + "subClassOf")
>>> a, b, c = (ox.NamedNode(f"http://e/{n}") for n in "abc")
>>> tree = ClassHierarchy.from_quads([ox.Quad(b, RDFS_SUB, a), ox.Quad(c, RDFS_SUB, b)])
>>> tree.ancestors("http://e/c"), sorted(tree.descendants("http://e/a"))
(['http://e/b', 'http://e/a'], ['http://e/a', 'http://e/b', 'http://e/c'])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import pyoxigraph as ox

from aikg.namespaces import RDF, RDFS

Node = ox.NamedNode | ox.BlankNode | ox.Literal
_FIRST = ox.NamedNode(RDF + "first")
_REST = ox.NamedNode(RDF + "rest")
_NIL = RDF + "nil"
_SUBCLASS_OF = RDFS + "subClassOf"


class QuadSource(Protocol):
    """Anything that answers quad patterns (an Oxigraph store, a remote store)."""

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: ox.NamedNode | ox.BlankNode | ox.Literal | None,
        graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterable[ox.Quad]: ...


def rdf_list(
    source: QuadSource,
    head: Node | None,
    graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
) -> list[Node]:
    """The members of the RDF list that starts at ``head``, in order (a broken list ends
    where it breaks)."""
    found: list[Node] = []
    seen: set[Node] = set()
    while isinstance(head, ox.NamedNode | ox.BlankNode) and head.value != _NIL:
        if head in seen:  # a cycle is no list: stop rather than loop
            break
        seen.add(head)
        first = _one(source, head, _FIRST, graph)
        if first is None:
            break
        found.append(first)
        head = _one(source, head, _REST, graph)
    return found


def _one(
    source: QuadSource,
    subject: ox.NamedNode | ox.BlankNode,
    predicate: ox.NamedNode,
    graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None,
) -> Node | None:
    for quad in source.quads_for_pattern(subject, predicate, None, graph):
        if not isinstance(quad.object, ox.Triple):
            return quad.object
    return None


class ClassHierarchy:
    """``rdfs:subClassOf`` between named classes, walked up or down."""

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        self.parents: dict[str, list[str]] = {}
        self.children: dict[str, set[str]] = {}
        for sub, sup in pairs:
            if sup not in self.parents.setdefault(sub, []):
                self.parents[sub].append(sup)
            self.children.setdefault(sup, set()).add(sub)

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad]) -> ClassHierarchy:
        """The hierarchy the ``rdfs:subClassOf`` quads among ``quads`` state."""
        return cls(
            (q.subject.value, q.object.value)
            for q in quads
            if q.predicate.value == _SUBCLASS_OF
            and isinstance(q.subject, ox.NamedNode)
            and isinstance(q.object, ox.NamedNode)
        )

    @classmethod
    def of(cls, source: QuadSource) -> ClassHierarchy:
        """The hierarchy stated anywhere in ``source``."""
        return cls.from_quads(source.quads_for_pattern(None, ox.NamedNode(_SUBCLASS_OF), None))

    def ancestors(self, cls: str) -> list[str]:
        """Every class above ``cls``, nearest first (breadth first), without ``cls``."""
        found: list[str] = []
        frontier = list(self.parents.get(cls, []))
        while frontier:
            current = frontier.pop(0)
            if current not in found and current != cls:
                found.append(current)
                frontier += self.parents.get(current, [])
        return found

    def descendants(self, cls: str) -> set[str]:
        """``cls`` and every class below it."""
        found, frontier = {cls}, [cls]
        while frontier:
            for sub in self.children.get(frontier.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    frontier.append(sub)
        return found
