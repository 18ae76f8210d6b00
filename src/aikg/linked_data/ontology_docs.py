"""Documentation of the ontology for people: classes, properties, domains and ranges, the
SHACL constraints on each class (its own and those it inherits), and example instances.

Built from the served graphs (the ontology and shapes named graphs, the data for the
examples), so the page documents what the server actually holds. pyLODE documents an
ontology well but knows nothing of SHACL shapes or instance data, which is what an
analyst needs to know what the data will look like; so the page is made here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from aikg import namespaces
from aikg.config import ONTOLOGY_IRI
from aikg.labels import labels_for
from aikg.namespaces import DCTERMS, OWL, RDF, RDFS, SH, prefixes
from aikg.store.local import Store
from aikg.walks import ClassHierarchy, rdf_list

CURIE_PREFIXES = prefixes("xsd", "schema", "prov", "org", "skos", "dcterms", "rdfs", "aikg", "rdf")
"""The namespaces whose terms pages show by short name."""


def curie(iri: str) -> str:
    """A short name for an IRI of a well-known namespace.

    >>> curie("http://www.w3.org/2001/XMLSchema#integer")
    'xsd:integer'
    """
    return namespaces.curie(iri, CURIE_PREFIXES)


@dataclass(frozen=True)
class Ref:
    """A link to a term: its IRI, a short name and its label."""

    iri: str
    name: str
    label: str | None = None


@dataclass(frozen=True)
class Constraint:
    """One SHACL rule, in words."""

    shape: str
    path: Ref | None
    rule: str
    message: str
    inherited_from: Ref | None = None


@dataclass(frozen=True)
class ClassDoc:
    iri: str
    name: str
    label: str
    comment: str
    superclasses: list[Ref] = field(default_factory=list)
    subclasses: list[Ref] = field(default_factory=list)
    properties: list[Ref] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    examples: list[Ref] = field(default_factory=list)
    instances: int = 0


@dataclass(frozen=True)
class PropertyDoc:
    iri: str
    name: str
    label: str
    comment: str
    kind: str
    domains: list[Ref] = field(default_factory=list)
    ranges: list[Ref] = field(default_factory=list)
    superproperties: list[Ref] = field(default_factory=list)


@dataclass(frozen=True)
class OntologyView:
    iri: str
    header: dict[str, str]
    classes: list[ClassDoc]
    properties: list[PropertyDoc]


class _Graph:
    """Reads one named graph of the store."""

    def __init__(self, store: Store, graph: str):
        self.store = store
        self.graph = ox.NamedNode(graph)

    def objects(
        self, subject: ox.NamedNode | ox.BlankNode, predicate: str
    ) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        return [
            q.object
            for q in self.store.quads_for_pattern(
                subject, ox.NamedNode(predicate), None, self.graph
            )
            if not isinstance(q.object, ox.Triple)
        ]

    def subjects(
        self, predicate: str, obj: ox.NamedNode | ox.Literal
    ) -> list[ox.NamedNode | ox.BlankNode]:
        return [
            q.subject
            for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), obj, self.graph)
            if not isinstance(q.subject, ox.Triple)
        ]

    def value(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> str | None:
        values = self.objects(subject, predicate)
        english = [v for v in values if isinstance(v, ox.Literal) and v.language == "en"]
        chosen = (english or values or [None])[0]
        return None if chosen is None else chosen.value

    def items(
        self, head: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        """The members of an RDF list."""
        return rdf_list(self.store, head, self.graph)


def _rule(shapes: _Graph, shape: ox.NamedNode | ox.BlankNode) -> str:
    """A property shape's constraints in words ("exactly 1, an xsd:integer, > 0")."""
    parts = []
    low = shapes.value(shape, SH + "minCount")
    high = shapes.value(shape, SH + "maxCount")
    if high == "0":
        parts.append("must be absent")
    elif low and high and low == high:
        parts.append(f"exactly {low}")
    elif low and high:
        parts.append(f"{low} to {high}")
    elif low:
        parts.append(f"at least {low}")
    elif high:
        parts.append(f"at most {high}")
    for key, words in (
        ("datatype", "a {}"),
        ("class", "an instance of {}"),
        ("nodeKind", "{}"),
        ("pattern", "matching /{}/"),
        ("minInclusive", ">= {}"),
        ("minExclusive", "> {}"),
        ("maxInclusive", "<= {}"),
        ("maxExclusive", "< {}"),
        ("minLength", "at least {} characters"),
        ("disjoint", "not equal to {}"),
    ):
        value = shapes.value(shape, SH + key)
        if value is not None:
            parts.append(words.format(curie(value)))
    if shapes.value(shape, SH + "uniqueLang") == "true":
        parts.append("at most one per language")
    for alternatives in shapes.objects(shape, SH + "or"):
        options = []
        for option in shapes.items(alternatives):
            if isinstance(option, ox.BlankNode | ox.NamedNode):
                options.append(
                    " ".join(
                        curie(v)
                        for key in ("class", "datatype")
                        if (v := shapes.value(option, SH + key))
                    )
                )
        parts.append("one of: " + ", ".join(o for o in options if o))
    for qualified in shapes.objects(shape, SH + "qualifiedValueShape"):
        if isinstance(qualified, ox.BlankNode | ox.NamedNode):
            languages = [
                i.value
                for h in shapes.objects(qualified, SH + "languageIn")
                for i in shapes.items(h)
            ]
            count = shapes.value(shape, SH + "qualifiedMinCount")
            parts.append(f"at least {count} in language {', '.join(languages)}")
    return ", ".join(parts) or "see the message"


def _ref(iri: str, labels: dict[ox.NamedNode, ox.Literal]) -> Ref:
    label = labels.get(ox.NamedNode(iri))
    return Ref(iri, curie(iri), label.value if label else None)


def document(store: Store) -> OntologyView:
    """The documentation of the ontology the store holds."""
    onto = _Graph(store, store.ontology_graph)
    shapes = _Graph(store, store.shapes_graph)
    owl_class = ox.NamedNode(OWL + "Class")
    class_iris = sorted(
        s.value for s in onto.subjects(RDF + "type", owl_class) if isinstance(s, ox.NamedNode)
    )
    property_iris = sorted(
        s.value
        for kind in ("ObjectProperty", "DatatypeProperty")
        for s in onto.subjects(RDF + "type", ox.NamedNode(OWL + kind))
        if isinstance(s, ox.NamedNode)
    )
    referenced: set[ox.NamedNode] = {ox.NamedNode(i) for i in class_iris + property_iris}
    labels = labels_for(store, referenced, "en")

    def parents(iri: str, predicate: str) -> list[str]:
        return [
            o.value
            for o in onto.objects(ox.NamedNode(iri), predicate)
            if isinstance(o, ox.NamedNode)
        ]

    hierarchy = ClassHierarchy.from_quads(
        onto.store.quads_for_pattern(None, ox.NamedNode(RDFS + "subClassOf"), None, onto.graph)
    )

    def constraints_of(cls: str) -> list[Constraint]:
        found = []
        for node_shape in shapes.subjects(SH + "targetClass", ox.NamedNode(cls)):
            found += _shape_constraints(shapes, node_shape, labels)
        return found

    classes = []
    for iri in class_iris:
        node = ox.NamedNode(iri)
        own = constraints_of(iri)
        inherited = [
            Constraint(c.shape, c.path, c.rule, c.message, _ref(parent, labels))
            for parent in hierarchy.ancestors(iri)
            if parent in class_iris and parent != iri
            for c in constraints_of(parent)
        ]
        instances = [
            q.subject
            for q in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), node, None)
            if isinstance(q.subject, ox.NamedNode)
        ]
        example_labels = labels_for(store, set(instances[:5]), "en")
        classes.append(
            ClassDoc(
                iri=iri,
                name=curie(iri),
                label=onto.value(node, RDFS + "label") or curie(iri),
                comment=onto.value(node, RDFS + "comment") or "",
                superclasses=[_ref(p, labels) for p in parents(iri, RDFS + "subClassOf")],
                subclasses=[
                    _ref(s.value, labels)
                    for s in onto.subjects(RDFS + "subClassOf", node)
                    if isinstance(s, ox.NamedNode)
                ],
                properties=[
                    _ref(p, labels) for p in property_iris if iri in parents(p, RDFS + "domain")
                ],
                constraints=own + inherited,
                examples=[
                    Ref(
                        e.value,
                        curie(e.value),
                        example_labels[e].value if e in example_labels else None,
                    )
                    for e in sorted(instances, key=lambda n: n.value)[:5]
                ],
                instances=len(set(instances)),
            )
        )
    properties = []
    for iri in property_iris:
        node = ox.NamedNode(iri)
        kinds = {o.value.rsplit("#", 1)[-1] for o in onto.objects(node, RDF + "type")}

        def refs(predicate: str, node: ox.NamedNode = node) -> list[Ref]:
            found = []
            for value in onto.objects(node, predicate):
                if isinstance(value, ox.NamedNode):
                    found.append(_ref(value.value, labels))
                elif isinstance(value, ox.BlankNode):  # an owl:unionOf of classes
                    for head in onto.objects(value, OWL + "unionOf"):
                        found += [
                            _ref(m.value, labels)
                            for m in onto.items(head)
                            if isinstance(m, ox.NamedNode)
                        ]
            return found

        properties.append(
            PropertyDoc(
                iri=iri,
                name=curie(iri),
                label=onto.value(node, RDFS + "label") or curie(iri),
                comment=onto.value(node, RDFS + "comment") or "",
                kind="object property" if "ObjectProperty" in kinds else "datatype property",
                domains=refs(RDFS + "domain"),
                ranges=refs(RDFS + "range"),
                superproperties=refs(RDFS + "subPropertyOf"),
            )
        )
    head = ox.NamedNode(ONTOLOGY_IRI)
    header = {
        key: value
        for key, predicate in (
            ("title", DCTERMS + "title"),
            ("description", DCTERMS + "description"),
            ("version", OWL + "versionInfo"),
            ("versionIRI", OWL + "versionIRI"),
            ("modified", DCTERMS + "modified"),
            ("license", DCTERMS + "license"),
            ("prefix", "http://purl.org/vocab/vann/preferredNamespacePrefix"),
            ("namespace", "http://purl.org/vocab/vann/preferredNamespaceUri"),
        )
        if (value := onto.value(head, predicate)) is not None
    }
    return OntologyView(ONTOLOGY_IRI, header, classes, properties)


def _shape_constraints(
    shapes: _Graph, node_shape: ox.NamedNode | ox.BlankNode, labels: dict[ox.NamedNode, ox.Literal]
) -> list[Constraint]:
    found = []
    for prop in shapes.objects(node_shape, SH + "property"):
        if not isinstance(prop, ox.NamedNode | ox.BlankNode):
            continue
        path = shapes.objects(prop, SH + "path")
        path_ref = (
            _ref(path[0].value, labels) if path and isinstance(path[0], ox.NamedNode) else None
        )
        found.append(
            Constraint(
                str(prop.value),
                path_ref,
                _rule(shapes, prop),
                shapes.value(prop, SH + "message") or "",
            )
        )
    for sparql in shapes.objects(node_shape, SH + "sparql"):
        if isinstance(sparql, ox.NamedNode | ox.BlankNode):
            found.append(
                Constraint(
                    str(sparql.value),
                    None,
                    "SHACL-SPARQL rule",
                    shapes.value(sparql, SH + "message") or "",
                )
            )
    for key in ("or", "xone"):
        if shapes.objects(node_shape, SH + key):
            found.append(
                Constraint(
                    str(node_shape.value),
                    None,
                    "one of several properties"
                    if key == "xone"
                    else "at least one of several properties",
                    shapes.value(node_shape, SH + "message") or "",
                )
            )
    return found
