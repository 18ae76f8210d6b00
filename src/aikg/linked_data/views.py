"""Linked data: what the graph says about one resource, for people (a page) and machines
(RDF), and the dataset's own description (VoID and DCAT).

Everything here reads the store directly (it runs in a query worker); the web layer only
renders it.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from aikg.analyst import Provenance
from aikg.config import ONTOLOGY_NS, Settings
from aikg.formats import RDF_FORMATS
from aikg.labels import labels_for
from aikg.linked_data import findable
from aikg.linked_data.catalog import describe_saved_queries
from aikg.namespaces import (
    DCAT,
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SH,
    SKOS,
    SPDX,
    VOID,
    XSD,
    prefixes,
)
from aikg.saved_queries import catalog
from aikg.store.local import Store
from aikg.walks import ClassHierarchy

VOID_PREFIXES = prefixes("void", "dcat", "dcterms", "spdx", "xsd", "schema", "owl")
TYPE = ox.NamedNode(RDF + "type")
COMMENT = ox.NamedNode(RDFS + "comment")
MAX_LINKS = 500


@dataclass(frozen=True)
class Term:
    """An RDF term ready to show: its kind, value, label, language and datatype."""

    kind: str  # "iri", "literal" or "bnode"
    value: str
    label: str | None = None
    lang: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class Basis:
    """Whether a claim's source states it, or the graph interprets or reads it in, and why."""

    basis: str
    """The aikg:basis term: aikg:stated, aikg:interpreted or aikg:readIn."""
    label: str
    """Its label: "stated", "interpreted", "read in"."""
    reading: str | None = None
    """The reason in words (aikg:reading), for a claim that is not stated."""

    @property
    def stated(self) -> bool:
        return self.basis == ONTOLOGY_NS + "stated"


@dataclass(frozen=True)
class ResourceView:
    """What a page about one resource shows."""

    iri: str
    labels: list[Term]
    types: list[Term]
    comments: list[Term]
    outgoing: list[tuple[Term, Term]]
    """(predicate, value) pairs, labelled."""
    inbound: list[tuple[Term, Term]]
    """(subject, predicate) pairs of triples pointing at the resource."""
    inbound_total: int
    claims: list[Provenance] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    saved_queries: list[tuple[str, str, str]] = field(default_factory=list)
    """(saved query name, title, parameter) of the saved queries that take this resource."""
    bases: dict[str, Basis] = field(default_factory=dict)
    """The basis of the resource (when it is a claim) and of each claim listed, by IRI."""

    @property
    def basis(self) -> Basis | None:
        """The resource's own basis, when it is a claim."""
        return self.bases.get(self.iri)

    @property
    def title(self) -> str:
        english = [t.value for t in self.labels if (t.lang or "").startswith("en")]
        return (english or [t.value for t in self.labels] or [self.iri])[0]


def known(store: Store, iri: str) -> bool:
    """Whether the graph says anything with this IRI as subject, or as object."""
    node = ox.NamedNode(iri)
    return any(True for _ in store.quads_for_pattern(node, None, None, None)) or any(
        True for _ in store.quads_for_pattern(None, None, node, None)
    )


def _term(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
    labels: dict[ox.NamedNode, ox.Literal],
) -> Term:
    if isinstance(term, ox.NamedNode):
        label = labels.get(term)
        return Term("iri", term.value, label.value if label else None)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        return Term(
            "literal",
            term.value,
            lang=term.language,
            datatype=None if term.language or datatype == XSD + "string" else datatype,
        )
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    return Term("literal", str(term))


def _types_with_superclasses(store: Store, types: set[ox.NamedNode]) -> set[str]:
    hierarchy = ClassHierarchy.of(store)
    return {t.value for t in types} | {a for t in types for a in hierarchy.ancestors(t.value)}


def saved_queries_for(types: set[str]) -> list[tuple[str, str, str]]:
    """Saved queries with an IRI parameter whose declared class the resource has."""
    found = []
    for query in catalog().values():
        for p in query.params:
            if p.type == "iri" and ("*" in p.classes or types.intersection(p.classes)):
                found.append((query.name, query.title, p.name))
                break
    return found


_BASIS = ox.NamedNode(ONTOLOGY_NS + "basis")
_READING = ox.NamedNode(ONTOLOGY_NS + "reading")


def claim_bases(store: Store, claims: set[str]) -> dict[str, Basis]:
    """The basis of each of ``claims`` that has one, with its label and the reading."""
    found: dict[str, Basis] = {}
    for iri in sorted(claims):
        node = ox.NamedNode(iri)
        basis = next((q.object for q in store.quads_for_pattern(node, _BASIS, None, None)), None)
        if not isinstance(basis, ox.NamedNode):
            continue
        readings = sorted(
            q.object.value
            for q in store.quads_for_pattern(node, _READING, None, None)
            if isinstance(q.object, ox.Literal)
        )
        label = labels_for(store, {basis}, "en").get(basis)
        name = label.value if label else basis.value.rsplit("#", 1)[-1]
        found[iri] = Basis(basis.value, name, readings[0] if readings else None)
    return found


def describe_resource(store: Store, iri: str, claims: list[Provenance]) -> ResourceView:
    """Everything the data states about ``iri``: labels, types, facts, inbound links (what
    the inferred graph adds is left out: a page shows what the sources say)."""
    node = ox.NamedNode(iri)
    inferred = ox.NamedNode(store.inferred_graph)
    outgoing_quads = [
        q for q in store.quads_for_pattern(node, None, None, None) if q.graph_name != inferred
    ]
    inbound_quads = [
        q for q in store.quads_for_pattern(None, None, node, None) if q.graph_name != inferred
    ]
    linked: set[ox.NamedNode] = {node}
    for quad in outgoing_quads:
        linked.add(quad.predicate)
        if isinstance(quad.object, ox.NamedNode):
            linked.add(quad.object)
    for quad in inbound_quads[:MAX_LINKS]:
        linked.add(quad.predicate)
        if isinstance(quad.subject, ox.NamedNode):
            linked.add(quad.subject)
    labels = labels_for(store, linked, "en")
    seen: set[tuple[str, str]] = set()
    outgoing = []
    label_terms, type_terms, comment_terms = [], [], []
    types: set[ox.NamedNode] = set()
    for quad in outgoing_quads:
        key = (str(quad.predicate), str(quad.object))
        if key in seen:
            continue
        seen.add(key)
        value = _term(quad.object, labels)
        if quad.predicate.value in (RDFS + "label",):
            label_terms.append(value)
        elif quad.predicate == TYPE:
            type_terms.append(value)
            if isinstance(quad.object, ox.NamedNode):
                types.add(quad.object)
        elif quad.predicate == COMMENT:
            comment_terms.append(value)
        else:
            outgoing.append((_term(quad.predicate, labels), value))
    inbound: list[tuple[Term, Term]] = []
    inbound_seen: set[tuple[str, str]] = set()
    for quad in inbound_quads:
        key = (str(quad.subject), str(quad.predicate))
        if key in inbound_seen:
            continue
        inbound_seen.add(key)
        if len(inbound) < MAX_LINKS:
            inbound.append((_term(quad.subject, labels), _term(quad.predicate, labels)))
    graphs = sorted(
        {q.graph_name.value for q in outgoing_quads if isinstance(q.graph_name, ox.NamedNode)}
    )
    outgoing.sort(key=lambda pair: (pair[0].label or pair[0].value, pair[1].value))
    return ResourceView(
        iri=iri,
        labels=label_terms,
        types=type_terms,
        comments=comment_terms,
        outgoing=outgoing,
        inbound=inbound,
        inbound_total=len(inbound_seen),
        claims=claims,
        graphs=graphs,
        saved_queries=saved_queries_for(_types_with_superclasses(store, types)),
        bases=claim_bases(store, {iri} | {c.claim for c in claims}),
    )


def resource_triples(store: Store, iri: str) -> list[ox.Triple]:
    """The RDF about ``iri``: its triples (blank nodes followed) and those pointing at it."""
    node = ox.NamedNode(iri)
    triples: list[ox.Triple] = []
    seen: set[str] = set()
    frontier: list[ox.NamedNode | ox.BlankNode] = [node]
    visited: set[str] = set()
    while frontier:
        current = frontier.pop()
        if str(current) in visited:
            continue
        visited.add(str(current))
        for quad in store.quads_for_pattern(current, None, None, None):
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            if str(triple) not in seen:
                seen.add(str(triple))
                triples.append(triple)
            if isinstance(quad.object, ox.BlankNode):
                frontier.append(quad.object)
    for quad in store.quads_for_pattern(None, None, node, None):
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        if str(triple) not in seen:
            seen.add(str(triple))
            triples.append(triple)
    return triples


# -- dumps ---------------------------------------------------------------------------


class ChunkWriter:
    """A binary file-like object that hands what it is given to ``emit`` in chunks."""

    def __init__(self, emit: Callable[[bytes], None], size: int = 1 << 20):
        self.emit = emit
        self.size = size
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        self.buffer.extend(data)
        if len(self.buffer) >= self.size:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.emit(bytes(self.buffer))
            self.buffer.clear()


GZIP_LEVEL = 6


class Hashing:
    """A binary sink that counts and hashes what it is given, and passes it on."""

    def __init__(self, out: Callable[[bytes], object] = lambda data: None):
        self.out = out
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.out(data)
        return len(data)

    def flush(self) -> None:
        pass


def gzip_writer(sink: Hashing) -> gzip.GzipFile:
    """A deterministic gzip stream into ``sink`` (no file name, time 0 in the header):
    the same dump always compresses to the same bytes, so its size and SHA-256 can be
    published."""
    return gzip.GzipFile(filename="", mode="wb", fileobj=sink, compresslevel=GZIP_LEVEL, mtime=0)


def dump_digests(store: Store, ext: str) -> dict[str, tuple[int, str]]:
    """Byte size and SHA-256 of the dump with extension ``ext`` and of its gzip copy
    (``ext.gz``), computed by writing them."""
    raw, packed = Hashing(), Hashing()
    with gzip_writer(packed) as compressor:

        def emit(chunk: bytes) -> None:
            raw.write(chunk)
            compressor.write(chunk)

        writer = ChunkWriter(emit)
        store.write(ext, writer)
        writer.flush()
    return {
        ext: (raw.size, raw.digest.hexdigest()),
        f"{ext}.gz": (packed.size, packed.digest.hexdigest()),
    }


# -- VoID and DCAT -------------------------------------------------------------------

IANA = "https://www.iana.org/assignments/media-types/"
CC_BY = ox.NamedNode(findable.LICENSE)


def _distribution(
    dataset: ox.NamedNode, base_url: str, media_type: str, name: str, digest: tuple[int, str]
) -> list[ox.Triple]:
    """A dump as a DCAT distribution: where, what, how big, its SHA-256 (and, for a
    ``.gz``, that it is gzip-compressed)."""
    url = ox.NamedNode(f"{base_url}dumps/aikg.{name}")
    distribution = ox.BlankNode(f"dump-{name.replace('.', '-')}")
    checksum = ox.BlankNode(f"checksum-{name.replace('.', '-')}")
    size, sha256 = digest
    triples = [
        ox.Triple(dataset, ox.NamedNode(VOID + "dataDump"), url),
        ox.Triple(dataset, ox.NamedNode(DCAT + "distribution"), distribution),
        ox.Triple(distribution, TYPE, ox.NamedNode(DCAT + "Distribution")),
        ox.Triple(distribution, ox.NamedNode(DCAT + "downloadURL"), url),
        ox.Triple(distribution, ox.NamedNode(DCAT + "accessURL"), url),
        ox.Triple(distribution, ox.NamedNode(DCAT + "mediaType"), ox.NamedNode(IANA + media_type)),
        ox.Triple(
            distribution,
            ox.NamedNode(DCAT + "byteSize"),
            ox.Literal(str(size), datatype=ox.NamedNode(XSD + "nonNegativeInteger")),
        ),
        ox.Triple(distribution, ox.NamedNode(DCTERMS + "license"), CC_BY),
        ox.Triple(distribution, ox.NamedNode(SPDX + "checksum"), checksum),
        ox.Triple(checksum, TYPE, ox.NamedNode(SPDX + "Checksum")),
        ox.Triple(
            checksum,
            ox.NamedNode(SPDX + "algorithm"),
            ox.NamedNode(SPDX + "checksumAlgorithm_sha256"),
        ),
        ox.Triple(
            checksum,
            ox.NamedNode(SPDX + "checksumValue"),
            ox.Literal(sha256, datatype=ox.NamedNode(XSD + "hexBinary")),
        ),
    ]
    if name.endswith(".gz"):
        triples.append(
            ox.Triple(
                distribution,
                ox.NamedNode(DCAT + "compressFormat"),
                ox.NamedNode(IANA + "application/gzip"),
            )
        )
    return triples


def _count(store: Store, query: str) -> int:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    for solution in result:
        value = solution["n"]
        return int(value.value) if isinstance(value, ox.Literal) else 0
    return 0


def _partitions(store: Store, query: str) -> Iterator[tuple[ox.NamedNode, int]]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    for solution in result:
        key, value = solution["k"], solution["n"]
        if isinstance(key, ox.NamedNode) and isinstance(value, ox.Literal):
            yield key, int(value.value)


def describe_dataset(
    store: Store,
    settings: Settings,
    base_url: str,
    dumps: dict[str, tuple[int, str]],
    version: str,
) -> list[ox.Triple]:
    """VoID and DCAT 3 for the live dataset: statistics, partitions, endpoint, dumps
    (with byte size and checksum), license, and each saved query as a data service."""
    base = settings.base_iri
    dataset = ox.NamedNode(f"{base}dataset")
    endpoint = ox.NamedNode(f"{base_url}sparql")

    def n(name: str, namespace: str = VOID) -> ox.NamedNode:
        return ox.NamedNode(namespace + name)

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))

    triples = [
        ox.Triple(dataset, TYPE, n("Dataset")),
        ox.Triple(dataset, TYPE, n("Dataset", DCAT)),
        ox.Triple(dataset, n("title", DCTERMS), ox.Literal(findable.TITLE, language="en")),
        ox.Triple(
            dataset, n("description", DCTERMS), ox.Literal(findable.DESCRIPTION, language="en")
        ),
        ox.Triple(dataset, n("license", DCTERMS), ox.NamedNode(findable.LICENSE)),
        ox.Triple(dataset, n("source", DCTERMS), ox.NamedNode(f"{base}source/page")),
        ox.Triple(dataset, ox.NamedNode(OWL + "versionInfo"), ox.Literal(version)),
        ox.Triple(dataset, n("sparqlEndpoint"), endpoint),
        ox.Triple(dataset, n("uriSpace"), ox.Literal(base)),
        ox.Triple(dataset, n("exampleResource"), ox.NamedNode(f"{base}country/KR")),
        ox.Triple(dataset, n("exampleResource"), ox.NamedNode(f"{base}claim/h100-korea-s1")),
        ox.Triple(
            dataset,
            n("triples"),
            integer(
                _count(
                    store,
                    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
                )
            ),
        ),
        ox.Triple(
            dataset,
            n("entities"),
            integer(
                _count(
                    store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER isIRI(?s) }"
                )
            ),
        ),
        ox.Triple(
            dataset,
            n("distinctSubjects"),
            integer(_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")),
        ),
        ox.Triple(
            dataset,
            n("distinctObjects"),
            integer(_count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")),
        ),
        ox.Triple(
            dataset,
            n("properties"),
            integer(_count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")),
        ),
        ox.Triple(
            dataset,
            n("classes"),
            integer(_count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")),
        ),
    ]
    for vocabulary in (ONTOLOGY_NS, SCHEMA, PROV, ORG, SKOS, DCTERMS, SH):
        triples.append(ox.Triple(dataset, n("vocabulary"), ox.NamedNode(vocabulary)))
    for index, (cls, count) in enumerate(
        _partitions(
            store, "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?k } GROUP BY ?k ORDER BY ?k"
        )
    ):
        part = ox.BlankNode(f"class{index}")
        triples += [
            ox.Triple(dataset, n("classPartition"), part),
            ox.Triple(part, n("class"), cls),
            ox.Triple(part, n("entities"), integer(count)),
        ]
    for index, (prop, count) in enumerate(
        _partitions(store, "SELECT ?k (COUNT(*) AS ?n) WHERE { ?s ?k ?o } GROUP BY ?k ORDER BY ?k")
    ):
        part = ox.BlankNode(f"property{index}")
        triples += [
            ox.Triple(dataset, n("propertyPartition"), part),
            ox.Triple(part, n("property"), prop),
            ox.Triple(part, n("triples"), integer(count)),
        ]
    for graph in store.named_graphs():
        subset = ox.NamedNode(graph)
        triples += [
            ox.Triple(dataset, n("subset"), subset),
            ox.Triple(subset, TYPE, n("Dataset")),
            ox.Triple(subset, n("triples"), integer(sum(1 for _ in store.quads(graph)))),
            ox.Triple(subset, n("dataDump"), ox.NamedNode(f"{base_url}store?graph={graph}")),
        ]
    for spec in RDF_FORMATS:
        for compressed in (False, True):
            name = spec.extension + (".gz" if compressed else "")
            if name in dumps:  # not a format the data cannot be written in
                triples += _distribution(dataset, base_url, spec.media_type, name, dumps[name])
    sparql_service = ox.NamedNode(f"{base_url}sparql")
    triples += [
        ox.Triple(dataset, n("service", DCAT), sparql_service),
        ox.Triple(sparql_service, TYPE, n("DataService", DCAT)),
        ox.Triple(sparql_service, n("endpointURL", DCAT), sparql_service),
        ox.Triple(sparql_service, n("servesDataset", DCAT), dataset),
        ox.Triple(
            sparql_service,
            n("conformsTo", DCTERMS),
            ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"),
        ),
        ox.Triple(
            sparql_service, n("title", DCTERMS), ox.Literal("SPARQL 1.1 endpoint", language="en")
        ),
    ]
    for triple in describe_saved_queries(base_url):
        triples.append(triple)
        if triple.predicate == TYPE and triple.object == n("DataService", DCAT):
            triples += [
                ox.Triple(dataset, n("service", DCAT), triple.subject),
                ox.Triple(triple.subject, n("servesDataset", DCAT), dataset),
            ]
    return triples
