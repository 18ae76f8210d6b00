"""Fast SHACL validation: the shapes compiled to SPARQL and run on Oxigraph.

pySHACL checks one focus node at a time in Python, and re-parses every SHACL-SPARQL
constraint for each; on a million triples that takes minutes. Here each constraint of
each shape becomes one SPARQL query that finds *all* its violations at once, answered
by Oxigraph. The results are the same
:class:`~aikg.validation.pyshacl_engine.Violation` records pySHACL
gives (focus node, path, value, source shape, source constraint, component, message),
which a differential test checks on the shape examples and on generated data.

Compiled: targets ``sh:targetClass`` (with subclasses) and ``sh:targetSubjectsOf``;
property shapes with a predicate path and ``sh:minCount``, ``sh:maxCount``,
``sh:datatype``, ``sh:class``, ``sh:nodeKind``, ``sh:pattern``, ``sh:minInclusive``,
``sh:minExclusive``, ``sh:maxInclusive``, ``sh:maxExclusive``, ``sh:minLength``,
``sh:uniqueLang``, ``sh:disjoint``, ``sh:or`` of ``sh:class`` / ``sh:datatype``
alternatives and ``sh:qualifiedValueShape`` (``sh:datatype``, ``sh:languageIn``,
``sh:class``) with ``sh:qualifiedMinCount``; node-level ``sh:or`` / ``sh:xone`` of
"has this property" alternatives; and SHACL-SPARQL ``sh:select`` constraints. A shapes
graph using anything else is refused at compile time (:class:`UnsupportedShapeError`),
so that nothing is silently left unchecked: use pySHACL for it.

The shapes judge what the data states, never what the ontology entails from it (the
inferred graph, :mod:`aikg.inference`), as pySHACL on the data's quads does. Most checks
cannot tell the two apart on the union of a store's graphs: an entailed type is a
superclass of a stated one, which the compiled class tests already accept. A check that
reads a property the inferred graph also writes (a superproperty, such as
``dcterms:identifier`` above ``aikg:iso3166Alpha2``, or ``aikg:preferredLabel``) could:
it reads every graph but the inferred one (:attr:`Check.stated_only`, :func:`stated_graphs`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF as RDF_NS
from rdflib.namespace import SH as SH_NS

from aikg import package_data
from aikg.errors import UnsupportedShapeError
from aikg.machine import release_freed_memory
from aikg.namespaces import AIKG, RDF, RDFS, SH, XSD
from aikg.sparql.lexer import read_query
from aikg.terms import to_rdflib
from aikg.validation.pyshacl_engine import ValidationReport, Violation
from aikg.validation.reach import Anchor, Step, sparql_reach
from aikg.walks import ClassHierarchy, rdf_list

PROPERTY_KEYS = {
    "path",
    "minCount",
    "maxCount",
    "datatype",
    "class",
    "nodeKind",
    "pattern",
    "flags",
    "minInclusive",
    "minExclusive",
    "maxInclusive",
    "maxExclusive",
    "minLength",
    "uniqueLang",
    "disjoint",
    "or",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "message",
    "name",
    "description",
    "severity",
    "deactivated",
    "order",
    "group",
}
TARGETS = ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode", "target")
"""Every way SHACL targets nodes, so that a shape with a target the compiler does not
know is found, and refused, rather than ignored."""
NODE_KEYS = {
    "targetClass",
    "targetSubjectsOf",
    "property",
    "sparql",
    "or",
    "xone",
    "message",
    "severity",
    "deactivated",
}


FOCUS = "#focus\n"
"""Where a compiled query first binds ``?this``: a comment, so the full query is the
query itself; :meth:`Check.for_focus` puts a ``VALUES`` block there."""


_CAST_CHECKED = frozenset(XSD + name for name in ("boolean", "integer", "decimal"))
"""Datatypes whose ill-formed literals (``"maybe"^^xsd:boolean``) the engine stores as
they are: a value of one has the datatype only if it is a valid lexical form of it, as
SHACL's ``sh:datatype`` requires (a cast to the datatype then succeeds)."""


def _has_datatype(var: str, datatype: str) -> str:
    """An expression true when ``var`` is a well-formed literal of ``datatype`` (an IRI
    in angle brackets)."""
    test = f"isLiteral({var}) && DATATYPE({var}) = {datatype}"
    if datatype[1:-1] in _CAST_CHECKED:
        # A cast that fails leaves COALESCE its second value, which no cast gives.
        test += f' && !sameTerm(COALESCE({datatype}({var}), "ill-formed"), "ill-formed")'
    return f"({test})"


@dataclass(frozen=True)
class Check:
    """One compiled constraint: the query finding its violations, and how to report them."""

    query: str
    shape: str
    component: str
    message: str
    path: str | None
    constraint: str | None = None
    """The SHACL-SPARQL constraint's IRI, for those."""
    severity: str = "Violation"
    reach: tuple[Anchor, ...] | None = None
    """Which changed triples can change its verdict on which focus nodes (see
    :mod:`aikg.validation.reach`); None: unbounded, validated in full on every change."""
    screen: str | None = None
    """The query its property shape is screened with in a full validation (see
    :func:`run_checks`): the focus nodes where this check or another of the same shape
    may be broken. None: the check runs on its own."""
    stated_only: bool = False
    """It reads a property the inferred graph also holds: it must not read that graph
    (see the module), where the union of graphs would show it entailed values."""

    def for_focus(self, nodes: Iterable[ox.NamedNode]) -> str:
        """The query restricted to these focus nodes: a ``VALUES ?this`` where the
        query first binds ``?this`` (its target, and the sub-selects that count)."""
        values = f"VALUES ?this {{ {' '.join(str(n) for n in nodes)} }}"
        return self.query.replace(FOCUS, values + "\n")


class _Shapes:
    def __init__(self, quads: Iterable[ox.Quad]):
        self.store = ox.Store()
        self.store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)

    def objects(
        self, subject: ox.NamedNode | ox.BlankNode, key: str
    ) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        found: list[ox.NamedNode | ox.BlankNode | ox.Literal] = []
        for quad in self.store.quads_for_pattern(subject, ox.NamedNode(SH + key), None, None):
            if not isinstance(quad.object, ox.Triple):
                found.append(quad.object)
        return found

    def one(
        self, subject: ox.NamedNode | ox.BlankNode, key: str
    ) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
        found = self.objects(subject, key)
        return found[0] if found else None

    def keys(self, subject: ox.NamedNode | ox.BlankNode) -> set[str]:
        return {
            q.predicate.value.removeprefix(SH)
            for q in self.store.quads_for_pattern(subject, None, None, None)
            if q.predicate.value.startswith(SH)
        }

    def items(
        self, head: ox.NamedNode | ox.BlankNode | ox.Literal | None
    ) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        """The members of an RDF list."""
        return rdf_list(self.store, head)

    def node_shapes(self) -> list[ox.NamedNode | ox.BlankNode]:
        shapes = {
            q.subject
            for q in self.store.quads_for_pattern(
                None, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "NodeShape"), None
            )
        }
        shapes |= {
            q.subject
            for key in TARGETS
            for q in self.store.quads_for_pattern(None, ox.NamedNode(SH + key), None, None)
        }
        named = [s for s in shapes if isinstance(s, ox.NamedNode | ox.BlankNode)]
        return sorted(named, key=str)

    def deactivated(self, shape: ox.NamedNode | ox.BlankNode) -> bool:
        flag = self.one(shape, "deactivated")
        return flag is not None and flag.value == "true"

    def severity(self, shape: ox.NamedNode | ox.BlankNode) -> str:
        """sh:Violation unless the shape says sh:Warning or sh:Info."""
        level = self.one(shape, "severity")
        return level.value.removeprefix(SH) if isinstance(level, ox.NamedNode) else "Violation"

    def prefixes(self, constraint: ox.NamedNode | ox.BlankNode) -> str:
        lines = []
        for owner in self.objects(constraint, "prefixes"):
            if isinstance(owner, ox.NamedNode | ox.BlankNode):
                for declaration in self.objects(owner, "declare"):
                    if isinstance(declaration, ox.NamedNode | ox.BlankNode):
                        prefix, namespace = (
                            self.one(declaration, "prefix"),
                            self.one(declaration, "namespace"),
                        )
                        if prefix is not None and namespace is not None:
                            lines.append(f"PREFIX {prefix.value}: <{namespace.value}>")
        return "\n".join(lines)


def _iri(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if not isinstance(term, ox.NamedNode):
        raise UnsupportedShapeError(f"expected an IRI in the shapes, got {term}")
    return f"<{term.value}>"


def _number(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if not isinstance(term, ox.Literal):
        raise UnsupportedShapeError(f"expected a literal in the shapes, got {term}")
    return str(term)


def _screen(target: str, path: str, fewest: str | None, most: str | None, bad: list[str]) -> str:
    """The query screening a property shape: every focus node whose number of values
    is out of its bounds, or one of whose values meets a condition in ``bad``, in one
    pass over the targets and their values. A condition that cannot be evaluated (an
    error) flags its node too: the screen may flag more than the checks find, never less."""
    pattern = f"?this {path} ?value ."
    if bad:
        either = " || ".join(f"({condition})" for condition in bad)
        pattern += f" BIND (COALESCE(IF({either}, 1, 0), 1) AS ?_bad)"
    having = []
    if fewest is not None:
        pattern = f"OPTIONAL {{ {pattern} }}"  # no value at all is too few
        having.append(f"COUNT(DISTINCT ?value) < {fewest}")
    if most is not None:
        having.append(f"COUNT(DISTINCT ?value) > {most}")
    if bad:
        having.append("SUM(COALESCE(?_bad, 0)) > 0")
    return (
        f"SELECT ?this WHERE {{ {target} {pattern} }} GROUP BY ?this HAVING ({' || '.join(having)})"
    )


def entailed_properties(ontology: Iterable[ox.Quad]) -> frozenset[str]:
    """The properties whose statements the inferred graph may hold beside the data's: the
    superproperties of the ontology, and ``aikg:preferredLabel``."""
    above = {
        q.object.value
        for q in ontology
        if q.predicate.value == RDFS + "subPropertyOf" and isinstance(q.object, ox.NamedNode)
    }
    return frozenset({*above, AIKG + "preferredLabel"})


class Compiler:
    """Turns a shapes graph into :class:`Check` queries, given the class hierarchy."""

    def __init__(self, shapes: Iterable[ox.Quad], ontology: Iterable[ox.Quad]):
        self.shapes = _Shapes(shapes)
        ontology = list(ontology)
        self.hierarchy = ClassHierarchy.from_quads(ontology)
        self.entailed = entailed_properties(ontology)

    def closure(self, cls: str) -> set[str]:
        """A class and every class below it."""
        return self.hierarchy.descendants(cls)

    def is_instance(self, var: str, cls: str) -> str:
        """An expression true when ``var`` is an instance of the class (subclasses count)."""
        classes = ", ".join(f"<{c}>" for c in sorted(self.closure(cls)))
        return f"EXISTS {{ {var} <{RDF}type> ?_k FILTER (?_k IN ({classes})) }}"

    def target(self, shape: ox.NamedNode | ox.BlankNode) -> str:
        """The shape's focus nodes, as a sub-select: the instances of its target classes
        (each class once, however many of its target classes it is below), and the
        subjects of its target properties.

        The classes are one ``FILTER`` on the nodes' types. Restricted to a few focus
        nodes (:meth:`Check.for_focus`), Oxigraph then looks up their types: with
        ``VALUES ?_class`` it read every instance of every class first (1.3 s against
        3 ms for 213 claims of a 1M-triple store), and with one pattern a class, 33 ms
        against 5 ms for 200 nodes (LabelShape's 42 classes). Read in full, a pattern a
        class was faster in memory (the 1M store validated whole in 4.0 s against 5.4 s)
        but no faster on 10M on disk (165-188 s against 162 s), and slower there for the
        checks that run on their own (242 s against 203 s, every check alone)."""
        classes = sorted(
            {
                c
                for cls in self.shapes.objects(shape, "targetClass")
                for c in self.closure(_iri(cls)[1:-1])
            }
        )
        parts = []
        if len(classes) == 1:
            parts.append(f"{{ ?this <{RDF}type> <{classes[0]}> }}")
        elif classes:
            listed = ", ".join(f"<{c}>" for c in classes)
            parts.append(f"{{ ?this <{RDF}type> ?_class FILTER (?_class IN ({listed})) }}")
        for prop in self.shapes.objects(shape, "targetSubjectsOf"):
            parts.append(f"{{ ?this {_iri(prop)} ?_any }}")
        if not parts:
            raise UnsupportedShapeError(f"shape {shape} has no target the fast validator knows")
        return "{ SELECT DISTINCT ?this WHERE { " + FOCUS + " UNION ".join(parts) + " } }"

    def target_reach(self, shape: ox.NamedNode | ox.BlankNode) -> tuple[Anchor, ...]:
        """A node enters the target with its type, or a triple it is subject of: only an
        addition (a node that leaves it takes its violations with it)."""
        anchors = []
        if classes := self.shapes.objects(shape, "targetClass"):
            # Only a type of the target (a subclass's included) brings a node in.
            closure = frozenset(c for cls in classes for c in self.closure(_iri(cls)[1:-1]))
            anchors.append(
                Anchor(frozenset({RDF + "type"}), "subject", removed=False, objects=closure)
            )
        for prop in self.shapes.objects(shape, "targetSubjectsOf"):
            anchors.append(Anchor(frozenset({_iri(prop)[1:-1]}), "subject", removed=False))
        return tuple(anchors)

    def compile(self) -> list[Check]:
        checks = []
        for shape in self.shapes.node_shapes():
            unknown = self.shapes.keys(shape) - NODE_KEYS
            if unknown:
                raise UnsupportedShapeError(f"shape {shape} uses {', '.join(sorted(unknown))}")
            if self.shapes.deactivated(shape):
                continue
            target = self.target(shape)
            found: list[Check] = []
            for prop in self.shapes.objects(shape, "property"):
                if isinstance(prop, ox.NamedNode | ox.BlankNode) and not self.shapes.deactivated(
                    prop
                ):
                    found += self.property_checks(prop, target)
            for constraint in self.shapes.objects(shape, "sparql"):
                if isinstance(constraint, ox.NamedNode | ox.BlankNode):
                    found.append(self.sparql_check(shape, constraint, target))
            for key in ("or", "xone"):
                for head in self.shapes.objects(shape, key):
                    found.append(self.node_logic_check(shape, key, head, target))
            # Every check reads its target too: a node that gains or loses a type.
            targeted = self.target_reach(shape)
            checks += [
                c if c.reach is None else replace(c, reach=(*targeted, *c.reach)) for c in found
            ]
        return [
            replace(c, stated_only=True) if self.entailed & set(read_query(c.query).iris()) else c
            for c in checks
        ]

    # -- property shapes ------------------------------------------------------------

    def property_checks(self, prop: ox.NamedNode | ox.BlankNode, target: str) -> list[Check]:
        s = self.shapes
        unknown = s.keys(prop) - PROPERTY_KEYS
        if unknown:
            raise UnsupportedShapeError(f"property shape {prop} uses {', '.join(sorted(unknown))}")
        path = _iri(s.one(prop, "path"))
        shape = prop.value
        message_term = s.one(prop, "message")
        message = message_term.value if message_term is not None else ""
        checks = []
        # Every check of a property shape reads the focus node's values for the path: a
        # value added can break a bound on each value or a maximum; only a value removed
        # can break a minimum.
        own = Anchor(frozenset({path[1:-1]}), "subject", removed=False)
        fewer = Anchor(frozenset({path[1:-1]}), "subject", added=False)
        # sh:class (alone, in sh:or or in a qualified shape) also reads each value's type:
        # a value that loses one breaks the nodes pointing at it (one it gains cannot).
        typed = Anchor(
            frozenset({RDF + "type"}), "subject", (Step(frozenset({path[1:-1]})),), added=False
        )

        # What the screen of the shape asks (see run_checks): the bounds on the number of
        # values, and the conditions that make a value a violation.
        fewest: str | None = None
        most: str | None = None
        bad: list[str] = []
        screened: list[int] = []

        def add(component: str, query: str, *more: Anchor, reads: Anchor = own) -> None:
            checks.append(
                Check(
                    query,
                    shape,
                    component,
                    message,
                    path[1:-1],
                    severity=s.severity(prop),
                    reach=(reads, *more),
                )
            )

        def values(condition: str) -> str:
            screened.append(len(checks))
            bad.append(condition)
            return (
                f"SELECT ?this ?value WHERE {{ {target} ?this {path} ?value . "
                f"FILTER ({condition}) }}"
            )

        if (low := s.one(prop, "minCount")) is not None:
            fewest = _number(low)
            screened.append(len(checks))
            add(
                "MinCountConstraintComponent",
                f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?_v }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {_number(low)})",
                reads=fewer,
            )
        if (high := s.one(prop, "maxCount")) is not None:
            most = _number(high)
            screened.append(len(checks))
            add(
                "MaxCountConstraintComponent",
                f"SELECT ?this WHERE {{ {target} ?this {path} ?_v }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {_number(high)})",
            )
        if (datatype := s.one(prop, "datatype")) is not None:
            add("DatatypeConstraintComponent", values(self.not_datatype("?value", _iri(datatype))))
        if (cls := s.one(prop, "class")) is not None:
            add(
                "ClassConstraintComponent",
                values(f"!{self.is_instance('?value', _iri(cls)[1:-1])}"),
                typed,
            )
        if (kind := s.one(prop, "nodeKind")) is not None:
            tests = {
                "IRI": "isIRI(?value)",
                "BlankNode": "isBlank(?value)",
                "Literal": "isLiteral(?value)",
                "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
                "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
                "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
            }
            add(
                "NodeKindConstraintComponent",
                values(f"!{tests[_iri(kind)[1:-1].removeprefix(SH)]}"),
            )
        if (pattern := s.one(prop, "pattern")) is not None:
            flags = s.one(prop, "flags")
            flag_arg = f", {flags}" if flags is not None else ""
            add(
                "PatternConstraintComponent",
                values(f"isBlank(?value) || !REGEX(STR(?value), {pattern}{flag_arg})"),
            )
        for key, op in (
            ("minInclusive", ">="),
            ("minExclusive", ">"),
            ("maxInclusive", "<="),
            ("maxExclusive", "<"),
        ):
            if (bound := s.one(prop, key)) is not None:
                component = key[0].upper() + key[1:] + "ConstraintComponent"
                add(component, values(f"!COALESCE(?value {op} {_number(bound)}, false)"))
        if (length := s.one(prop, "minLength")) is not None:
            add(
                "MinLengthConstraintComponent",
                values(f"isBlank(?value) || STRLEN(STR(?value)) < {_number(length)}"),
            )
        if (unique := s.one(prop, "uniqueLang")) is not None and unique.value == "true":
            add(
                "UniqueLangConstraintComponent",
                f"SELECT ?this WHERE {{ {target} ?this {path} ?_a , ?_b . "
                f'FILTER (?_a != ?_b && LANG(?_a) != "" && LANG(?_a) = LANG(?_b)) }} '
                "GROUP BY ?this (LANG(?_a) AS ?_lang)",
            )
        if (other := s.one(prop, "disjoint")) is not None:
            add(
                "DisjointConstraintComponent",
                f"SELECT ?this ?value WHERE {{ {target} ?this {path} ?value . "
                f"?this {_iri(other)} ?value }}",
                Anchor(frozenset({_iri(other)[1:-1]}), "subject", removed=False),
            )
        for head in s.objects(prop, "or"):
            alternatives = [self.value_conforms(alt) for alt in s.items(head)]
            add(
                "OrConstraintComponent",
                values(" && ".join(f"!({a})" for a in alternatives)),
                typed,
            )
        if (qualified := s.one(prop, "qualifiedValueShape")) is not None:
            low = s.one(prop, "qualifiedMinCount")
            if low is None or not isinstance(qualified, ox.NamedNode | ox.BlankNode):
                raise UnsupportedShapeError(f"{prop}: only sh:qualifiedMinCount is compiled")
            add(
                "QualifiedMinCountConstraintComponent",
                f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?value . "
                f"FILTER ({self.value_conforms(qualified)}) }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {_number(low)})",
                typed,
                reads=fewer,
            )
        if len(screened) > 1:  # one check alone is its own screen
            screen = _screen(target, path, fewest, most, bad)
            for i in screened:
                checks[i] = replace(checks[i], screen=screen)
        return checks

    def not_datatype(self, var: str, datatype: str) -> str:
        return f"!{_has_datatype(var, datatype)}"

    def value_conforms(self, shape: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
        """An expression on ?value true when it conforms to a small value shape."""
        if not isinstance(shape, ox.NamedNode | ox.BlankNode):
            raise UnsupportedShapeError(f"unexpected value shape {shape}")
        s = self.shapes
        unknown = s.keys(shape) - {"class", "datatype", "languageIn"}
        if unknown:
            raise UnsupportedShapeError(f"value shape {shape} uses {', '.join(sorted(unknown))}")
        tests = []
        if (cls := s.one(shape, "class")) is not None:
            tests.append(self.is_instance("?value", _iri(cls)[1:-1]))
        if (datatype := s.one(shape, "datatype")) is not None:
            tests.append(_has_datatype("?value", _iri(datatype)))
        for head in s.objects(shape, "languageIn"):
            tags = " || ".join(f"langMatches(LANG(?value), {tag})" for tag in s.items(head))
            tests.append(f"({tags})")
        return " && ".join(tests) or "true"

    # -- node-level logic and SHACL-SPARQL ------------------------------------------

    def node_logic_check(
        self,
        shape: ox.NamedNode | ox.BlankNode,
        key: str,
        head: ox.NamedNode | ox.BlankNode | ox.Literal,
        target: str,
    ) -> Check:
        s = self.shapes
        tests: list[str] = []
        counts: list[str] = []
        reach: list[Anchor] = []
        for i, alternative in enumerate(s.items(head)):
            if (
                not isinstance(alternative, ox.NamedNode | ox.BlankNode)
                or s.keys(alternative) - {"path", "minCount"}
                or s.one(alternative, "minCount") is None
            ):
                raise UnsupportedShapeError(
                    f"{shape}: sh:{key} alternatives must be [sh:path p; sh:minCount n]"
                )
            tests.append(f"?_n{i} >= {_number(s.one(alternative, 'minCount'))}")
            path = _iri(s.one(alternative, "path"))
            # sh:or fails when every count falls short: only by a removal. sh:xone also
            # when a second alternative is met: by an addition too.
            reach.append(Anchor(frozenset({path[1:-1]}), "subject", added=key == "xone"))
            # How many values each node has for this alternative's path (0 when none).
            counts.append(
                f"OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?_x{i}) AS ?_m{i}) "
                f"WHERE {{ {FOCUS}?this {path} ?_x{i} }} GROUP BY ?this }} "
                f"BIND (COALESCE(?_m{i}, 0) AS ?_n{i})"
            )
        satisfied = " + ".join(f"IF({t}, 1, 0)" for t in tests)
        rule = "= 0" if key == "or" else "!= 1"
        query = (
            f"SELECT ?this (?this AS ?value) WHERE {{ {target} {' '.join(counts)} "
            f"FILTER (({satisfied}) {rule}) }}"
        )
        message = s.one(shape, "message")
        component = "OrConstraintComponent" if key == "or" else "XoneConstraintComponent"
        return Check(
            query,
            shape.value,
            component,
            message.value if message else "",
            None,
            severity=s.severity(shape),
            reach=tuple(reach),
        )

    def sparql_check(
        self,
        shape: ox.NamedNode | ox.BlankNode,
        constraint: ox.NamedNode | ox.BlankNode,
        target: str,
    ) -> Check:
        s = self.shapes
        select = s.one(constraint, "select")
        if select is None:
            raise UnsupportedShapeError(f"{constraint}: only sh:select constraints are compiled")
        body = select.value.replace("$this", "?this")
        prefixes = s.prefixes(constraint)
        query = (
            f"{prefixes}\nSELECT ?this ?path ?value WHERE {{ {target} {{ {_bind_focus(body)} }} }}"
        )
        message = s.one(constraint, "message")
        return Check(
            query,
            shape.value,
            "SPARQLConstraintComponent",
            message.value if message else "",
            None,
            constraint.value,
            severity=s.severity(shape),
            reach=sparql_reach(f"{prefixes}\n{body}"),
        )


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _bind_focus(body: str) -> str:
    """The constraint's query with :data:`FOCUS` at the start of its WHERE group, where
    SHACL pre-binds ``$this``: a sub-select is evaluated on its own, so a focus bound
    only outside it would not spare it the whole store. Only where nothing before the
    group can hold a string or a comment the marker would land in; elsewhere the body is
    left as it is (the target's binding still restricts the answer)."""
    where = _WHERE.search(body)
    if where is None or any(c in body[: where.start()] for c in "\"'#"):
        return body
    return body[: where.end()] + FOCUS + body[where.end() :]


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str | None:
    if term is None:
        return None
    return term.value if not isinstance(term, ox.Triple) else str(term)


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")

Found = tuple[
    Violation, ox.NamedNode | ox.BlankNode, ox.NamedNode | ox.BlankNode | ox.Literal | None
]
"""A violation with its focus node and value as terms, for the report graph."""


def _fill(template: str, **bound: str | None) -> str:
    """A message template with its {$this} / {?value} placeholders filled, as pySHACL does."""
    return _PLACEHOLDER.sub(lambda m: bound.get(m.group(1)) or m.group(0), template)


Stated = list[ox.NamedNode | ox.DefaultGraph] | None
"""The graphs a check that must not read the inferred graph reads (None: the union)."""


def stated_graphs(store: ox.Store, inferred: str) -> Stated:
    """Every graph of the store but the inferred graph ``inferred``: what a check that
    must not read it reads (see the module). None when the store holds no such graph:
    the union of graphs is then the data, and faster to query than a list (a whole
    validation of the 1M store on disk, its 26 graphs listed: 156 s against 17-21 s)."""
    graph = ox.NamedNode(inferred)
    if not store.contains_named_graph(graph):
        return None
    others = (g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g != graph)
    return [ox.DefaultGraph(), *others]


def _dataset(graphs: Stated) -> dict[str, Any]:
    """A query's dataset: the union of the store's graphs, or these graphs."""
    if graphs is None:
        return {"use_default_graph_as_union": True}
    return {"default_graph": graphs}


def run_checks(store: ox.Store, checks: list[Check], stated: Stated = None) -> list[Found]:
    """Run every check on the store's union of graphs (a check that must not read the
    inferred graph on ``stated``, see :func:`stated_graphs`); the violations, in check
    order.

    The checks of a property shape that share a screen (:attr:`Check.screen`) run as
    one query first, which reads each target's values once for all of them; each check
    then runs only on the focus nodes it flags (on data that conforms, as a rule none):
    246 of the bundled shapes' 285 checks are screened, by 92 screens; the others run
    on their own. A whole validation of the 1M generated triples took 3.75 s instead of
    5.2 in memory, 13.3 s instead of 16.7 on disk (medians of 3, in turns).

    The queries run on a few threads: Oxigraph evaluates a query without holding the GIL
    for most of the work, which makes validation ~1.4x faster on two cores. (The union
    of all graphs is also ~2.5x faster to query than an explicit list of graphs.)
    """
    per_check: list[list[Found]] = [[] for _ in checks]
    screens: dict[str, list[int]] = {}
    alone: list[int] = []
    for i, check in enumerate(checks):
        if check.screen is None:
            alone.append(i)
        else:
            screens.setdefault(check.screen, []).append(i)

    def screened(screen: str) -> None:
        shared = screens[screen]
        reads = stated if any(checks[i].stated_only for i in shared) else None
        flagged = _flagged(store, screen, reads)
        for i in shared:
            per_check[i] = run_on(store, checks[i], flagged, stated)

    def one(i: int) -> None:
        per_check[i] = run_check(store, checks[i], stated=stated)

    jobs = [partial(screened, screen) for screen in screens] + [partial(one, i) for i in alone]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        list(pool.map(lambda job: job(), jobs))  # list(): a job's error is raised here
    # The engine's aggregates freed millions of small blocks: merged here, not by the
    # next query (see aikg.machine.release_freed_memory).
    release_freed_memory()
    return [found for results in per_check for found in results]


def _flagged(
    store: ox.Store, screen: str, graphs: Stated = None
) -> set[ox.NamedNode | ox.BlankNode]:
    result = store.query(screen, **_dataset(graphs))
    assert isinstance(result, ox.QuerySolutions)
    return {f for row in result if isinstance(f := row["this"], ox.NamedNode | ox.BlankNode)}


BATCH = 1_000
"""Focus nodes per ``VALUES`` block (:func:`run_on`): a query per batch, each a join
driven by the block."""

FOCUS_LIMIT = 20_000
"""A check asked about more focus nodes than this runs in full (:func:`run_on`): past
it, its batches cost more than one pass over its targets."""


def run_on(
    store: ox.Store,
    check: Check,
    nodes: set[ox.NamedNode | ox.BlankNode] | None,
    stated: Stated = None,
) -> list[Found]:
    """The violations of one check at some focus nodes (None: at every one)."""
    if nodes is None:
        return run_check(store, check, stated=stated)
    if not nodes:
        return []
    iris = sorted((n for n in nodes if isinstance(n, ox.NamedNode)), key=str)
    if len(iris) < len(nodes) or len(iris) > FOCUS_LIMIT:
        # A blank node cannot be named in a query, and too many nodes cost more in
        # batches: the check runs in full, its answer kept to the focus nodes.
        return [found for found in run_check(store, check, stated=stated) if found[1] in nodes]
    found: list[Found] = []
    for first in range(0, len(iris), BATCH):
        batch = check.for_focus(iris[first : first + BATCH])
        found += run_check(store, check, batch, stated=stated)
    return found


def run_check(
    store: ox.Store, check: Check, query: str | None = None, *, stated: Stated = None
) -> list[Found]:
    """The violations of one check: its query, or ``query`` (the same restricted to some
    focus nodes, :meth:`Check.for_focus`); on ``stated`` if the check must not read the
    inferred graph."""
    result = store.query(query or check.query, **_dataset(stated if check.stated_only else None))
    assert isinstance(result, ox.QuerySolutions)
    names = {v.value for v in result.variables}
    found = []
    for row in result:
        focus = row["this"]
        value = row["value"] if "value" in names else None
        path = row["path"] if "path" in names else None
        if not isinstance(focus, ox.NamedNode | ox.BlankNode) or isinstance(value, ox.Triple):
            continue  # SHACL focus nodes are IRIs or blank nodes; RDF-star is not data here
        violation = Violation(
            focus_node=focus.value,
            path=_text(path) if check.constraint else check.path,
            value=_text(value),
            source_shape=check.shape,
            source_constraint=check.constraint,
            constraint_component=check.component,
            severity=check.severity,
            message=_fill(check.message, this=_text(focus), value=_text(value), path=_text(path)),
        )
        found.append((violation, focus, value))
    return found


def validate_store(
    store: ox.Store,
    checks: list[Check],
    data_graphs: Iterable[str],
    graph_files: Mapping[str, str] | None = None,
    *,
    stated: Stated = None,
) -> ValidationReport:
    """Validate the data in a store with compiled checks; the store is only read.

    The data is the union of all the store's graphs, the ontology included (as pySHACL's
    ``ont_graph``: ``sh:class`` sees the class hierarchy), but for the checks that must
    not read the inferred graph (see the module). A shapes graph in the store
    does no harm: no shape targets anything in it (a test checks this). ``data_graphs``
    are the graphs a violation's focus node is looked for in, to say where it is;
    ``stated``, the graphs read by a check that must not read the inferred graph (see
    :func:`stated_graphs`).
    """
    return report_of(store, run_checks(store, checks, stated), data_graphs, graph_files)


def report_of(
    store: ox.Store,
    found: list[Found],
    data_graphs: Iterable[str],
    graph_files: Mapping[str, str] | None = None,
) -> ValidationReport:
    """The report of the violations found in a store: each located in its graph and file,
    in report order, with the SHACL report graph."""
    files = graph_files or {}
    wanted = set(data_graphs)
    located = []
    for violation, focus, _ in found:
        graph = _graph_of(store, focus, wanted)
        file = files.get(graph) if graph else None
        located.append(replace(violation, graph=graph, file=file))
    located.sort(key=Violation.order)
    conforms = not any(v.severity == "Violation" for v in located)  # warnings allowed
    return ValidationReport(
        conforms=conforms, violations=tuple(located), graph=_report_graph(found, conforms)
    )


def _graph_of(
    store: ox.Store, focus: ox.NamedNode | ox.BlankNode, data_graphs: set[str]
) -> str | None:
    for quad in store.quads_for_pattern(focus, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in data_graphs:
            return quad.graph_name.value
    return None


def _report_graph(found: list[Found], conforms: bool) -> Graph:
    """The SHACL validation report graph (``sh:ValidationReport``) of the violations."""
    report = Graph()
    report.bind("sh", SH)
    root = BNode()
    report.add((root, RDF_NS.type, SH_NS.ValidationReport))
    report.add((root, SH_NS.conforms, Literal(conforms)))
    for violation, focus, value in found:
        result = BNode()
        report.add((root, SH_NS.result, result))
        report.add((result, RDF_NS.type, SH_NS.ValidationResult))
        report.add((result, SH_NS.focusNode, to_rdflib(focus)))
        if violation.path:
            report.add((result, SH_NS.resultPath, URIRef(violation.path)))
        if value is not None:
            report.add((result, SH_NS.value, to_rdflib(value)))
        report.add((result, SH_NS.sourceShape, _shape_node(violation.source_shape)))
        if violation.source_constraint:
            report.add((result, SH_NS.sourceConstraint, _shape_node(violation.source_constraint)))
        report.add((result, SH_NS.sourceConstraintComponent, SH_NS[violation.constraint_component]))
        report.add((result, SH_NS.resultSeverity, SH_NS[violation.severity]))
        report.add((result, SH_NS.resultMessage, Literal(violation.message)))
    return report


def _shape_node(name: str) -> URIRef | BNode:
    return URIRef(name) if ":" in name else BNode(name)


_ONTOLOGY_GRAPH = "urn:aikg:validation:ontology"
_COMPILED: dict[str, list[Check]] = {}


def bundled_checks() -> list[Check]:
    """The bundled shapes, compiled once per process."""
    if "bundled" not in _COMPILED:
        shapes = ox.parse(package_data.shapes_file().read_bytes(), format=ox.RdfFormat.TURTLE)
        ontology = list(
            ox.parse(package_data.ontology_file().read_bytes(), format=ox.RdfFormat.TURTLE)
        )
        _COMPILED["bundled"] = Compiler(shapes, ontology).compile()
    return _COMPILED["bundled"]


def validate_quads(
    quads: Iterable[ox.Quad],
    *,
    graph_files: Mapping[str, str] | None = None,
) -> ValidationReport:
    """Validate instance-data quads against the bundled shapes: the same report as
    :func:`aikg.validation.pyshacl_engine.validate_quads`, from the compiled checks on Oxigraph."""
    store = ox.Store()
    store.bulk_extend(quads)
    data_graphs = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    ontology = ox.NamedNode(_ONTOLOGY_GRAPH)
    store.bulk_extend(
        ox.Quad(t.subject, t.predicate, t.object, ontology)
        for t in ox.parse(package_data.ontology_file().read_bytes(), format=ox.RdfFormat.TURTLE)
    )
    return validate_store(store, bundled_checks(), data_graphs, graph_files)
