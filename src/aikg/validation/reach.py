"""What a compiled SHACL constraint can reach: which changed triples can change its verdict
on which focus nodes.

A constraint's verdict on a focus node depends only on the triples its query reads from
that node. An :class:`Anchor` says: when a triple with one of these predicates is added or
removed, the node at this position of it (subject or object) is reached from the focus
nodes it can affect by this :class:`Step` path; walking the path backwards from the node
finds them (an empty path: the node is itself the focus node). The compiler gives each
core constraint its anchors (:mod:`aikg.validation.fast`); a SHACL-SPARQL ``sh:select``
constraint's are found here, by reading its query (:func:`sparql_reach`).

Why walking the path in the data *after* the change is enough: a violation that exists
after a change and did not before has a witness, the triples its query matched. If one
of them was added, the witness joins it to the focus node in the data after the change.
If none was, a triple was removed from a part the query negates or counts (``FILTER NOT
EXISTS``, ``sh:minCount``, ``sh:class``); the positive part that joins that part to the
focus node is still there (on a chain, the part before the first removed link), so the
walk finds it. The differential test (``tests/test_incremental_validation.py``) checks
this against full validations.

Additions and removals do not reach alike. A query is monotone in the triples its
positive part reads (outside every negation): adding one can create a violation, removing
one cannot. It is antitone in those a negated part reads (``FILTER NOT EXISTS``,
``MINUS``, ``sh:minCount``, the type a ``sh:class`` value must have): only removing one can
create a violation. So each anchor says which of the two it is for (:attr:`Anchor.added`,
:attr:`Anchor.removed`), and an addition walks only the anchors of positive patterns,
along paths through positive patterns: the witness of a violation an addition created
matches no negated pattern, so no path through one is needed, and walking one back from a
shared node (every measurement of an indicator) is what made additions expensive. What
reads triples both ways (``OPTIONAL``, aggregates) counts for both. A query that negates
inside a negation, or reads a pattern under an expression of unknown direction, is not
split: every anchor counts for both, by every path, as before.

Where a query reads something that no path from the focus node joins (a pattern on its
own, a path form this module does not follow, a sub-select inside ``EXISTS``), its reach
cannot be bounded: :func:`sparql_reach` returns None and the constraint is validated in
full on every change, never skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

MAX_PATHS = 16
"""Paths from the focus node to one variable beyond which a constraint's reach counts as
unbounded (the walk from each changed node would multiply; none of the bundled shapes'
variables has more than two)."""


@dataclass(frozen=True)
class Step:
    """One step of a path from a focus node: along a triple with one of ``predicates``
    (None: any predicate), from subject to object (or object to subject when
    ``inverse``), once, or any number of times (zero included) when ``repeat``."""

    predicates: frozenset[str] | None
    inverse: bool = False
    repeat: bool = False


@dataclass(frozen=True)
class Anchor:
    """A changed triple with one of ``predicates`` (None: any) can change the verdict on
    the focus nodes from which ``path`` leads to its ``position`` (its subject, or its
    object)."""

    predicates: frozenset[str] | None
    position: str
    """``subject`` or ``object``."""
    path: tuple[Step, ...] = ()
    added: bool = True
    """Adding such a triple can create a violation (it is read where the query is positive)."""
    removed: bool = True
    """Removing such a triple can create a violation (it is read where the query negates or
    counts up to a minimum)."""
    objects: frozenset[str] | None = None
    """Only triples with one of these IRIs as object (a target's classes); None: any."""

    def nodes(self, triple: ox.Quad | ox.Triple) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
        """The node of a changed triple the path leads to, if the anchor applies to it."""
        if self.predicates is not None and triple.predicate.value not in self.predicates:
            return None
        if self.objects is not None and not (
            isinstance(triple.object, ox.NamedNode) and triple.object.value in self.objects
        ):
            return None
        node = triple.subject if self.position == "subject" else triple.object
        return node if isinstance(node, ox.NamedNode | ox.BlankNode | ox.Literal) else None


Term = ox.NamedNode | ox.BlankNode | ox.Literal


def walk_back(
    store: ox.Store, path: tuple[Step, ...], start: Iterable[Term], limit: int
) -> set[Term] | None:
    """The nodes from which ``path`` leads to one of ``start``, in the union of the
    store's graphs: the path walked backwards, one pattern lookup per node and step.
    None once more than ``limit`` nodes are reached at any step (the caller then gives
    up on bounding, rather than walking on)."""
    nodes: set[Term] | None = set(start)
    for step in reversed(path):
        if not nodes:
            break
        nodes = _step_back(store, step, nodes, limit)
        if nodes is None:
            return None
    return nodes if nodes is None or len(nodes) <= limit else None


def _step_back(store: ox.Store, step: Step, nodes: set[Term], limit: int) -> set[Term] | None:
    predicates: list[ox.NamedNode | None] = (
        [None] if step.predicates is None else [ox.NamedNode(p) for p in sorted(step.predicates)]
    )

    def before(node: Term) -> Iterator[Term]:
        for predicate in predicates:
            if step.inverse:  # the step went object -> subject: back is subject -> object
                if isinstance(node, ox.Literal):
                    continue
                for quad in store.quads_for_pattern(node, predicate, None, None):
                    if isinstance(quad.object, ox.NamedNode | ox.BlankNode | ox.Literal):
                        yield quad.object
            else:
                for quad in store.quads_for_pattern(None, predicate, node, None):
                    if isinstance(quad.subject, ox.NamedNode | ox.BlankNode):
                        yield quad.subject

    reached: set[Term] = set(nodes) if step.repeat else set()  # p*: zero steps too
    frontier = list(nodes)
    while frontier:
        node = frontier.pop()
        for found in before(node):
            if found not in reached:
                reached.add(found)
                if len(reached) > limit:
                    return None
                if step.repeat:
                    frontier.append(found)
    return reached


# -- SHACL-SPARQL constraints ------------------------------------------------------------


class _Unbounded(Exception):
    """The query reads something no path from the focus node bounds."""


Node = Variable | URIRef | Literal | BNode


@dataclass(frozen=True)
class _Pattern:
    """A triple pattern of one step (an IRI, ^IRI, IRI*, IRI+, IRI?, alternatives of
    IRIs, a variable); a sequence path is split into such patterns through fresh
    variables."""

    subject: Node
    step: Step
    object: Node
    sign: int = 1
    """+1: read where the query is positive (more such triples, more violations); -1:
    where it negates (fewer, more); 0: both ways, or a way not worked out."""
    depth: int = 0
    """How many negations (``NOT EXISTS``, ``MINUS``, ``!``) or expressions of unknown
    direction the pattern is read under."""


def sparql_reach(select: str) -> tuple[Anchor, ...] | None:
    """The anchors of a SHACL-SPARQL ``sh:select`` query (``$this`` written ``?this``, its
    prefixes declared), or None when its reach cannot be bounded (see the module)."""
    try:
        algebra = translateQuery(parseQuery(select)).algebra
        patterns = list(_patterns(algebra.p, _Scope(None, None, ""), 1, 0))
        everything = frozenset(range(len(patterns)))
        # Split only where each pattern is positive, or under exactly one negation with
        # nothing of unknown direction in between (see the module).
        if not all(p.depth == 0 or (p.depth == 1 and p.sign == -1) for p in patterns):
            return _anchors(patterns, everything, everything, added=True, removed=True)
        positive = frozenset(i for i, p in enumerate(patterns) if p.depth == 0)
        negated = frozenset(i for i, p in enumerate(patterns) if p.sign <= 0)
        # An addition's witness matches no negated pattern: its paths avoid them. A
        # removal's runs through the negated group it broke: every path counts.
        additions = _anchors(patterns, positive, positive, added=True, removed=False)
        removals = _anchors(patterns, negated, everything, added=False, removed=True)
        return _merged(additions + removals)
    except _Unbounded:
        return None


def _merged(anchors: Iterable[Anchor]) -> tuple[Anchor, ...]:
    """One anchor per predicates, position and path, for whichever changes any was for."""
    kinds: dict[tuple[frozenset[str] | None, str, tuple[Step, ...]], tuple[bool, bool]] = {}
    for a in anchors:
        added, removed = kinds.get((a.predicates, a.position, a.path), (False, False))
        kinds[(a.predicates, a.position, a.path)] = (added or a.added, removed or a.removed)
    return tuple(
        sorted(
            (
                Anchor(ps, position, path, added, removed)
                for (ps, position, path), (added, removed) in kinds.items()
            ),
            key=repr,
        )
    )


_fresh = count()


@dataclass(frozen=True)
class _Scope:
    """Where a variable lives: a sub-select's variables are its own, but for those it
    projects, which are the enclosing query's."""

    parent: _Scope | None
    projected: frozenset[str] | None
    tag: str

    def name(self, variable: str) -> str:
        if self.parent is None:
            return variable
        if self.projected is not None and variable not in self.projected:
            return self.tag + variable
        return self.parent.name(variable)


_SAME = {
    # Algebra, and the parsed form the algebra leaves inside EXISTS: what they read, they
    # read the way the enclosing pattern does.
    "SelectQuery",
    "Project",
    "Distinct",
    "Reduced",
    "OrderBy",
    "ToMultiSet",
    "Join",
    "Union",
    "BGP",
    "Filter",
    "GroupGraphPatternSub",
    "TriplesBlock",
    "GroupOrUnionGraphPattern",
    # Expressions: a conjunction or disjunction is monotone in each of its terms.
    "ConditionalAndExpression",
    "ConditionalOrExpression",
    "Builtin_EXISTS",
}
# Anything else (LIMIT and OFFSET among them: a solution removed can let another into the
# window) is of unknown direction.
_NEGATING = {"Builtin_NOTEXISTS", "UnaryNot", "MinusGraphPattern"}
_BOTH = {"OptionalGraphPattern", "Group", "AggregateJoin"}
"""Read both ways at the same depth: an optional part (a value that was missing may now
be there, and the other way round), an aggregate (a count grows or shrinks)."""


def _patterns(tree: Any, scope: _Scope, sign: int, depth: int) -> Iterator[_Pattern]:
    """Every triple pattern of a query's algebra (``EXISTS`` groups included), each
    variable named for its scope, with the direction (``sign``) and the ``depth`` of
    negation it is read under (see :class:`_Pattern`)."""
    if isinstance(tree, CompValue):
        if tree.name in {"Project", "SubSelect"}:
            projected = tree.get("PV") if tree.name == "Project" else tree.get("projection")
            if tree.name == "SubSelect":
                raise _Unbounded  # a sub-select inside EXISTS: not read
            names = frozenset(str(v) for v in projected or [])
            scope = _Scope(scope, names or None, f"_s{next(_fresh)}_")
        # The parts of these are read in different directions.
        if tree.name == "Minus":  # its right side is negated
            yield from _patterns(tree.get("p1"), scope, sign, depth)
            yield from _patterns(tree.get("p2"), scope, -sign, depth + 1)
            return
        if tree.name == "LeftJoin":  # OPTIONAL: what it adds may be there or missing
            yield from _patterns(tree.get("p1"), scope, sign, depth)
            yield from _patterns(tree.get("p2"), scope, 0, depth)
            yield from _patterns(tree.get("expr"), scope, 0, depth + 1)
            return
        if tree.name == "Extend":  # BIND: an expression of any direction
            yield from _patterns(tree.get("p"), scope, sign, depth)
            yield from _patterns(tree.get("expr"), scope, 0, depth + 1)
            return
        if tree.name in {"Builtin_EXISTS", "Builtin_NOTEXISTS"}:
            # The algebra of the group is set as an attribute; the item keeps the parsed
            # group, from which the translation took its FILTERs out.
            negated = tree.name == "Builtin_NOTEXISTS"
            graph = tree.graph
            yield from _patterns(graph, scope, -sign if negated else sign, depth + negated)
            return
        if tree.name in _NEGATING:
            sign, depth = -sign, depth + 1
        elif tree.name in _BOTH:
            sign = 0
        elif tree.name not in _SAME:
            sign, depth = 0, depth + 1  # an expression or form of unknown direction
        for key, value in tree.items():
            if key == "triples":
                for triple in value or []:
                    for s, p, o in _triples(triple):
                        yield from _split(_rename(s, scope), p, _rename(o, scope), sign, depth)
            elif key != "_vars":
                yield from _patterns(value, scope, sign, depth)
    elif isinstance(tree, dict):
        for value in tree.values():
            yield from _patterns(value, scope, sign, depth)
    elif isinstance(tree, list | tuple):
        for item in tree:
            yield from _patterns(item, scope, sign, depth)


def _rename(term: Any, scope: _Scope) -> Any:
    return Variable(scope.name(str(term))) if isinstance(term, Variable) else term


def _triples(terms: Any) -> Iterator[tuple[Any, Any, Any]]:
    """A triple, or (inside ``EXISTS``, which the algebra leaves as parsed) the triples of
    a ``;``-joined block, flat."""
    if not isinstance(terms, list | tuple) or not terms or len(terms) % 3:
        raise _Unbounded  # a form of pattern this module does not read
    for i in range(0, len(terms), 3):
        yield terms[i], terms[i + 1], terms[i + 2]


def _term(term: Any) -> Node:
    if isinstance(term, Variable | URIRef | Literal | BNode):
        return term
    raise _Unbounded


def _split(subject: Any, predicate: Any, obj: Any, sign: int, depth: int) -> Iterator[_Pattern]:
    """A triple pattern as patterns of one step each (a sequence path through fresh
    variables)."""
    s, o = _term(subject), _term(obj)
    if isinstance(predicate, SequencePath):
        links: list[Node] = [s]
        links += [Variable(f"_q{next(_fresh)}") for _ in predicate.args[1:]]
        links.append(o)
        for i, part in enumerate(predicate.args):
            yield from _split(links[i], part, links[i + 1], sign, depth)
        return
    yield _Pattern(s, _step(predicate), o, sign, depth)


def _step(predicate: Any) -> Step:
    if isinstance(predicate, Variable):
        return Step(None)  # (a variable predicate is renamed nowhere: it is never a node)
    if isinstance(predicate, URIRef):
        return Step(frozenset({str(predicate)}))
    if isinstance(predicate, InvPath) and isinstance(predicate.arg, URIRef):
        return Step(frozenset({str(predicate.arg)}), inverse=True)
    if isinstance(predicate, MulPath) and isinstance(predicate.path, URIRef):
        # p? and p+ lie within p*: walking p* finds every node p? or p+ reaches.
        return Step(frozenset({str(predicate.path)}), repeat=True)
    if isinstance(predicate, AlternativePath) and all(
        isinstance(a, URIRef) for a in predicate.args
    ):
        return Step(frozenset(str(a) for a in predicate.args))
    raise _Unbounded  # negated property sets, nested paths: not followed


def _anchors(
    patterns: list[_Pattern],
    anchored: frozenset[int],
    through: frozenset[int],
    *,
    added: bool,
    removed: bool,
) -> tuple[Anchor, ...]:
    """The anchors of the ``anchored`` patterns, by the paths from the focus node through
    the ``through`` patterns, for additions and/or removals."""
    edges: dict[Node, list[tuple[int, Step, Node]]] = {}
    for i, p in enumerate(patterns):
        if i not in through:
            continue
        edges.setdefault(p.subject, []).append((i, p.step, p.object))
        back = Step(p.step.predicates, not p.step.inverse, p.step.repeat)
        edges.setdefault(p.object, []).append((i, back, p.subject))
    paths = _all_paths(Variable("this"), edges)
    anchors: set[Anchor] = set()
    for i, p in enumerate(patterns):
        if i not in anchored:
            continue
        step = p.step
        # The data's triple runs from `start` to `end` (an inverse step the other way).
        start, end = (p.object, p.subject) if step.inverse else (p.subject, p.object)
        forward = Step(step.predicates, repeat=True)
        backward = Step(step.predicates, inverse=True, repeat=True)
        # Anchored at both ends, by every path: whichever the witness used is among
        # them. A path through this pattern itself is left out: it passes the other end
        # first, whose own paths cover it (and it would walk back through the changed
        # triple, missing its removal). On a chain (p*), the changed link lies anywhere:
        # its subject is p* from the chain's start, its object ^p* from the chain's end.
        found = False
        for node, position, chain in ((start, "subject", forward), (end, "object", backward)):
            for used, path in paths.get(node, []):
                if i in used:
                    continue
                found = True
                anchors.add(
                    Anchor(
                        step.predicates,
                        position,
                        (*path, chain) if step.repeat else path,
                        added,
                        removed,
                    )
                )
        if not found:
            raise _Unbounded  # no path from the focus node joins this pattern
    return tuple(sorted(anchors, key=repr))


def _all_paths(
    start: Node, edges: dict[Node, list[tuple[int, Step, Node]]]
) -> dict[Node, list[tuple[frozenset[int], tuple[Step, ...]]]]:
    """Every simple path from ``start`` to each node of the pattern graph, with the
    patterns it runs through. All of them, not the shortest: in a solution, the path
    that joins a pattern to the focus node may run through any of the patterns (another
    branch of a UNION holds a shorter one)."""
    paths: dict[Node, list[tuple[frozenset[int], tuple[Step, ...]]]] = {start: [(frozenset(), ())]}

    def extend(
        node: Node, used: frozenset[int], path: tuple[Step, ...], seen: frozenset[Node]
    ) -> None:
        for index, step, target in edges.get(node, []):
            if target in seen or isinstance(target, Literal):
                continue
            longer = (*path, step)
            found = paths.setdefault(target, [])
            found.append((used | {index}, longer))
            if len(found) > MAX_PATHS:
                raise _Unbounded
            # A constant is the same node in every solution: no path needs to pass it
            # (and through a class, every instance of it would be a neighbour).
            if isinstance(target, Variable):
                extend(target, used | {index}, longer, seen | {target})

    extend(start, frozenset(), (), frozenset({start}))
    return paths
