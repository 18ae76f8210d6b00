"""JSON-LD people can read as JSON: the one context, and documents compacted with it.

Oxigraph writes *expanded* JSON-LD: every key a full IRI, every value an array of
objects. A reader who does not speak RDF cannot use that as JSON, so every JSON-LD
document aikg writes (resource documents, CONSTRUCT and DESCRIBE answers, the dump) is
compacted with :func:`context`:

- ``id`` and ``type`` for ``@id`` and ``@type``; ``@base`` is the base IRI, so the data's
  own IRIs read as ``country/KR``, ``claim/h100-korea-s1`` (the same relative IRIs a
  query may use);
- a short key per property of the ontology (``quantity``, ``subject``, ``evidence``) and
  per reused term the data uses (``label``, ``sameAs``, ``wasDerivedFrom``): object
  properties are typed ``@id``; integers and booleans are JSON numbers and booleans;
  decimals and dates keep their datatype; labels, comments and other language-tagged
  text are language maps (``"label": {"en": "South Korea", "ko": "대한민국"}``);
  ``sameAs`` and ``evidence`` are always arrays;
- the vocabulary prefixes of the one prefix table (:func:`aikg.namespaces.prefix_table`)
  for everything else (``schema:headline``). The entity families (``country:``...) are
  left out: ``@base`` does their work, and their names (``index``, ``tier``, ``topic``)
  are also properties' short keys. ``wd:`` is left out too, so that ``sameAs`` gives
  Wikidata's URLs whole.

The context travels inside every document (``@base`` is ignored in a context loaded
from elsewhere, and a document that expands offline needs no fetch), and is published at
``/context.jsonld``. Nothing here ever fetches a context from the network: every pyld
call gets a document loader that refuses, and Oxigraph's parser refuses remote contexts
in what it reads.

>>> ctx = context("https://w3id.org/aikg/")["@context"]
>>> ctx["quantity"], ctx["sameAs"]["@container"], ctx["@base"]
({'@id': 'https://w3id.org/aikg/ontology#quantity'}, '@set', 'https://w3id.org/aikg/')
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

import pyoxigraph as ox
from pyld import jsonld

from aikg.errors import InputError, NotAcceptableError
from aikg.formats import RdfFormat
from aikg.namespaces import (
    DCTERMS,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
)
from aikg.package_data import ontology_file
from aikg.xml_text import rdf_xml

Form = Literal["compacted", "expanded", "flattened"]
PROFILES: dict[str, Form] = {
    "http://www.w3.org/ns/json-ld#compacted": "compacted",
    "http://www.w3.org/ns/json-ld#expanded": "expanded",
    "http://www.w3.org/ns/json-ld#flattened": "flattened",
}
PROFILE_OF: dict[Form, str] = {form: profile for profile, form in PROFILES.items()}

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
LANG_STRING = RDF + "langString"
NATIVE = {XSD + "integer", XSD + "boolean"}
"""Datatypes written as JSON numbers and booleans (when the lexical form is canonical)."""

# Reused vocabularies' terms the data uses: key -> (IRI, kind). Kinds: "iri" (an
# object property), "lang" (language-tagged text: a language map), "plain" (a string
# or a JSON number or boolean), or a datatype IRI (the value keeps it).
REUSED: dict[str, tuple[str, str]] = {
    "label": (RDFS + "label", "lang"),
    "comment": (RDFS + "comment", "lang"),
    "seeAlso": (RDFS + "seeAlso", "iri"),
    "isDefinedBy": (RDFS + "isDefinedBy", "iri"),
    "prefLabel": (SKOS + "prefLabel", "lang"),
    "altLabel": (SKOS + "altLabel", "lang"),
    "definition": (SKOS + "definition", "plain"),
    "note": (SKOS + "note", "lang"),
    "inScheme": (SKOS + "inScheme", "iri"),
    "sameAs": (SCHEMA + "sameAs", "iri"),
    "text": (SCHEMA + "text", "plain"),
    "headline": (SCHEMA + "headline", "plain"),
    "about": (SCHEMA + "about", "iri"),
    "location": (SCHEMA + "location", "iri"),
    "publisher": (SCHEMA + "publisher", "iri"),
    "manufacturer": (SCHEMA + "manufacturer", "iri"),
    "spokenByCharacter": (SCHEMA + "spokenByCharacter", "iri"),
    "unitText": (SCHEMA + "unitText", "plain"),
    "value": (SCHEMA + "value", "plain"),
    "wasDerivedFrom": (PROV + "wasDerivedFrom", "iri"),
    "wasAttributedTo": (PROV + "wasAttributedTo", "iri"),
    "identifier": (DCTERMS + "identifier", "plain"),
    "title": (DCTERMS + "title", "lang"),
    "description": (DCTERMS + "description", "lang"),
    "isPartOf": (DCTERMS + "isPartOf", "iri"),
    "hasPart": (DCTERMS + "hasPart", "iri"),
    "license": (DCTERMS + "license", "iri"),
    "created": (DCTERMS + "created", XSD + "date"),
    "modified": (DCTERMS + "modified", XSD + "date"),
    "member": (ORG + "member", "iri"),
    "organization": (ORG + "organization", "iri"),
    "role": (ORG + "role", "iri"),
    "hasUnit": (ORG + "hasUnit", "iri"),
    "unitOf": (ORG + "unitOf", "iri"),
    "versionInfo": (OWL + "versionInfo", "plain"),
}
ALWAYS_ARRAYS = {"sameAs", "evidence", "conflictingClaim", "mentionedIn"}
LEFT_OUT_PREFIXES = {"wd"}


def _refuse(url: str, options: Any = None) -> Any:
    """pyld's document loader: no context or document is ever fetched."""
    raise InputError(
        f"a JSON-LD document refers to a context elsewhere ({url}); none is fetched",
        where="@context",
        hint="put the context inline (aikg's is at /context.jsonld)",
    )


OPTIONS: dict[str, Any] = {"documentLoader": _refuse}


def _ontology_terms() -> dict[str, tuple[str, str]]:
    """The ontology's properties: local name -> (IRI, kind), read from its range."""
    quads = list(ox.parse(ontology_file().read_bytes(), format=ox.RdfFormat.TURTLE))
    types: dict[str, set[str]] = {}
    ranges: dict[str, str] = {}
    for q in quads:
        s = q.subject
        if not isinstance(s, ox.NamedNode) or not isinstance(q.object, ox.NamedNode):
            continue
        if q.predicate.value == RDF_TYPE:
            types.setdefault(s.value, set()).add(q.object.value)
        elif q.predicate.value == RDFS + "range":
            ranges[s.value] = q.object.value
    terms: dict[str, tuple[str, str]] = {}
    for iri, kinds in sorted(types.items()):
        if "#" not in iri:
            continue
        name = iri.rsplit("#", 1)[1]
        if OWL + "Class" in kinds:
            terms[name] = (iri, "class")
        elif OWL + "ObjectProperty" in kinds:
            terms[name] = (iri, "iri")
        elif OWL + "DatatypeProperty" in kinds:
            datatype = ranges.get(iri, XSD_STRING)
            if datatype == LANG_STRING:
                terms[name] = (iri, "lang")
            elif datatype in NATIVE or datatype == XSD_STRING:
                terms[name] = (iri, "plain")
            else:
                terms[name] = (iri, datatype)
    return terms


@functools.lru_cache(maxsize=8)
def _context(base_iri: str) -> str:
    ctx: dict[str, Any] = {"@version": 1.1, "@base": base_iri, "id": "@id", "type": "@type"}
    for prefix, namespace in PREFIXES.items():
        if prefix not in LEFT_OUT_PREFIXES:
            ctx[prefix] = namespace
    # The ontology's own terms first: a reused term of the same name keeps its prefix.
    for name, (iri, kind) in {**REUSED, **_ontology_terms()}.items():
        if kind == "class":
            ctx.setdefault(name, iri)
            continue
        definition: dict[str, Any] = {"@id": iri}
        if kind == "iri":
            definition["@type"] = "@id"
        elif kind == "lang":
            definition["@container"] = "@language"
        elif kind != "plain":
            definition["@type"] = kind
        if name in ALWAYS_ARRAYS:
            definition["@container"] = "@set"
        ctx[name] = definition
    return json.dumps({"@context": ctx}, ensure_ascii=False)


def context(base_iri: str) -> dict[str, Any]:
    """The JSON-LD context for data under ``base_iri``: ``{"@context": {...}}`` (a fresh
    copy, the caller may change it)."""
    result: dict[str, Any] = json.loads(_context(base_iri))
    return result


# -- expanded JSON-LD from RDF terms -------------------------------------------------


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return {"@value": term.value}
        native = _native(term.value, datatype)
        if native is not None:
            return {"@value": native}
        return {"@value": term.value, "@type": datatype}
    raise InputError("RDF-star triples cannot be written as JSON-LD", hint="use N-Triples")


def _native(lexical: str, datatype: str) -> int | bool | None:
    """A JSON number or boolean for a canonical integer or boolean (else None: the
    lexical form is kept, so that the document expands back to the same literal)."""
    if datatype == XSD + "boolean" and lexical in ("true", "false"):
        return lexical == "true"
    if datatype == XSD + "integer":
        try:
            number = int(lexical)
        except ValueError:
            return None
        # JSON numbers beyond 2**53 lose digits in JavaScript readers; keep those typed.
        if str(number) == lexical and abs(number) < 2**53:
            return number
    return None


def _id(term: ox.NamedNode | ox.BlankNode) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def expanded_nodes(triples: Iterable[ox.Triple | ox.Quad]) -> list[dict[str, Any]]:
    """Expanded JSON-LD node objects, one per subject, in the order subjects first
    appear (``@type`` from ``rdf:type``). The graph names of quads are not kept."""
    nodes: dict[str, dict[str, Any]] = {}
    for t in triples:
        subject = t.subject
        if isinstance(subject, ox.Triple):
            raise InputError("RDF-star triples cannot be written as JSON-LD", hint="use N-Triples")
        key = _id(subject)
        node = nodes.setdefault(key, {"@id": key})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(t.object.value)
        else:
            node.setdefault(t.predicate.value, []).append(_value(t.object))
    return list(nodes.values())


class Compactor:
    """Compaction with :func:`context`, written for the node objects
    :func:`expanded_nodes` makes (pyld's general algorithm takes about a millisecond a
    triple, too slow for a dump of millions). The tests prove that what it writes
    expands, with pyld, back to exactly the triples it was given."""

    def __init__(self, base_iri: str):
        self.base = base_iri
        ctx = context(base_iri)["@context"]
        self.prefixes = sorted(
            (
                (name, ns)
                for name, ns in ctx.items()
                if isinstance(ns, str)
                and name[0] != "@"
                and ns.endswith(("#", "/"))
                and name not in ("id", "type")
            ),
            key=lambda pair: -len(pair[1]),
        )
        self.classes = {
            iri: name
            for name, iri in ctx.items()
            if isinstance(iri, str)
            and not iri.endswith(("#", "/"))
            and name[0] != "@"
            and name not in ("id", "type")
        }
        self.prefix_names = {name for name in ctx if name[0] != "@"}
        """Every term of the context: a reader expands ``term:rest`` through any of them
        that ends in a delimiter."""
        self.terms: dict[str, tuple[str, dict[str, Any]]] = {
            d["@id"]: (name, d) for name, d in ctx.items() if isinstance(d, dict)
        }

    def iri(self, iri: str, *, vocab: bool) -> str:
        """An IRI made short: a term (types), relative to the base (ids), a compact IRI
        with a vocabulary prefix, or whole."""
        if vocab and iri in self.classes:
            return str(self.classes[iri])
        if not vocab and (relative := self.relative(iri)) is not None:
            return relative
        return self.curie(iri)

    def relative(self, iri: str) -> str | None:
        """``iri`` relative to the base, where a reader resolves it back to ``iri``; else
        None. Against a base ending in ``#``, a fragment (``#x``). Against one ending in
        ``/``, a path that is not read as something else: no scheme or compact IRI in its
        first segment, no ``.`` or ``..`` segment (resolving drops them: ``a/../b`` is
        ``b``), and no leading ``@`` (a JSON-LD reader takes ``@kw`` for a keyword and
        drops the statement)."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :]
        if self.base.endswith("#"):
            return None if "#" in self.base[:-1] else "#" + rest
        path = re.split(r"[?#]", rest, maxsplit=1)[0]
        if (
            not rest
            or "?" in self.base  # a path would replace the base's query
            or "#" in self.base
            or rest in self.prefix_names  # "id" and "type" are read as @id and @type
            or ":" in rest.split("/", 1)[0]
            or rest.startswith(("/", "?", "#", ".", "@"))
            or any(segment in (".", "..") for segment in path.split("/"))
        ):
            return None
        return rest

    def curie(self, iri: str) -> str:
        """An IRI with a vocabulary prefix (``schema:headline``), or whole. Whole, an IRI
        whose scheme is a prefix of the context (``schema:foo``) would be read as a
        compact IRI, another IRI: it is refused."""
        for name, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns) :].startswith("/"):
                return f"{name}:{iri[len(ns) :]}"
        scheme, colon, rest = iri.partition(":")
        if colon and not rest.startswith("//") and scheme in self.prefix_names:
            raise NotAcceptableError(
                f"<{iri}> cannot be written in aikg's JSON-LD: its context names "
                f"'{scheme}:' a prefix, so a reader would take the IRI for a compact IRI "
                "and read another",
                where=iri,
                hint=f"export as N-Quads, TriG or Turtle; or, if <{iri}> is a prefixed "
                "name written in angle brackets, write it without them, with its PREFIX",
            )
        return iri

    def _full_value(self, value: dict[str, Any]) -> Any:
        if "@id" in value:
            return {"@id": self._id(value["@id"])}
        if "@type" in value:
            return {"@value": value["@value"], "@type": self.iri(value["@type"], vocab=True)}
        if "@language" in value:
            return value
        return value["@value"]

    def _id(self, iri: str) -> str:
        return iri if iri.startswith("_:") else self.iri(iri, vocab=False)

    def node(self, node: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self._id(node["@id"])}
        if "@type" in node:
            types = [self.iri(t, vocab=True) for t in node["@type"]]
            out["type"] = types[0] if len(types) == 1 else types
        rest: dict[str, Any] = {}
        for predicate, values in node.items():
            if predicate[0] == "@":
                continue
            fallback = self.curie(predicate)
            term = self.terms.get(predicate)
            matched: list[Any] = []
            others: list[Any] = []
            if term is None:
                others = [self._full_value(v) for v in values]
            else:
                name, definition = term
                coerce = definition.get("@type")
                container = definition.get("@container")
                if container == "@language":
                    langs: dict[str, Any] = {}
                    for v in values:
                        if "@language" in v:
                            held = langs.get(v["@language"])
                            if held is None:
                                langs[v["@language"]] = v["@value"]
                            elif isinstance(held, list):
                                held.append(v["@value"])
                            else:
                                langs[v["@language"]] = [held, v["@value"]]
                        else:
                            others.append(self._full_value(v))
                    if langs:
                        rest[name] = langs
                else:
                    for v in values:
                        if coerce == "@id" and "@id" in v:
                            matched.append(self._id(v["@id"]))
                        elif "@id" not in v and "@language" not in v and v.get("@type") == coerce:
                            matched.append(v["@value"])
                        else:
                            others.append(self._full_value(v))
                    if matched:
                        rest[name] = (
                            matched if len(matched) > 1 or container == "@set" else matched[0]
                        )
            if others:
                rest[fallback] = others if len(others) > 1 else others[0]
        for key in sorted(rest):
            out[key] = rest[key]
        return out


@functools.lru_cache(maxsize=8)
def compactor(base_iri: str) -> Compactor:
    return Compactor(base_iri)


def compact(nodes: list[dict[str, Any]], base_iri: str) -> dict[str, Any]:
    """Expanded node objects compacted with the context, always under ``@graph`` (a
    list, even of one node) so that readers find the nodes in one place."""
    shorten = compactor(base_iri)
    return {**context(base_iri), "@graph": [shorten.node(n) for n in nodes]}


def document(triples: Iterable[ox.Triple | ox.Quad], base_iri: str) -> bytes:
    """A compacted JSON-LD document of these triples."""
    return _dumps(compact(expanded_nodes(triples), base_iri))


def reshape(body: bytes, form: Form, base_iri: str) -> bytes:
    """A JSON-LD document aikg wrote (compacted) in another form: ``expanded`` (every
    key an IRI, every value an array) or ``flattened`` (every node at the top,
    compacted with the context)."""
    if form == "compacted":
        return body
    doc = json.loads(body)
    expanded = jsonld.expand(doc, {**OPTIONS, "base": base_iri})
    if form == "expanded":
        return _dumps(expanded)
    flat: Any = jsonld.flatten(expanded, context(base_iri), {**OPTIONS, "base": base_iri})
    return _dumps(flat)


def jsonld_type(form: Form) -> str:
    """The media type of a JSON-LD document in this form, with its profile."""
    return f'application/ld+json; profile="{PROFILE_OF[form]}"'


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


# -- the dump: compacted as it is written ---------------------------------------------

BATCH = 2000
"""Triples compacted together: pyld reads the context once per batch."""


def write_dump(quads: Iterator[ox.Quad], base_iri: str, write: Callable[[bytes], object]) -> None:
    """The dataset as one compacted JSON-LD document, written as it is read: quads must
    come grouped by graph, then by subject (Oxigraph's order). Each named graph is an
    object ``{"id": graph, "@graph": [nodes]}``; the default graph's nodes are at the
    top. Never whole in memory: subjects are compacted a batch at a time."""
    head = json.dumps(context(base_iri), ensure_ascii=False, indent=1)
    write((head[:-2] + ',\n "@graph": [\n').encode("utf-8"))
    counts = {"top": 0, "inner": 0}
    graph_key: str | None = None
    batch: list[ox.Quad] = []

    def item(text: str, level: str) -> None:
        write((",\n" if counts[level] else "").encode() + text.encode("utf-8"))
        counts[level] += 1

    def flush() -> None:
        if batch:
            level = "inner" if graph_key else "top"
            for node in compact(expanded_nodes(batch), base_iri)["@graph"]:
                item(json.dumps(node, ensure_ascii=False), level)
            batch.clear()

    def close_graph() -> None:
        flush()
        if graph_key:
            write(b"\n]}")

    last_subject: object = None
    for quad in quads:
        graph = quad.graph_name
        key = "" if isinstance(graph, ox.DefaultGraph) else _id(graph)
        if key != graph_key:
            close_graph()
            graph_key = key
            if key:
                short = compactor(base_iri).iri(key, vocab=False)
                item(f'{{"id": {json.dumps(short)}, "@graph": [\n', "top")
                counts["inner"] = 0
            last_subject = None
        elif len(batch) >= BATCH and quad.subject != last_subject:
            flush()
        batch.append(quad)
        last_subject = quad.subject
    close_graph()
    write(b"\n]}\n")


def serialize_graph(
    triples: Iterable[ox.Triple | ox.Quad],
    spec: RdfFormat,
    base_iri: str,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """Triples in an RDF format: JSON-LD compacted with the context, the others as
    Oxigraph writes them (with ``prefixes`` where the format has them)."""
    if spec.name == "jsonld":
        return document(triples, base_iri)
    plain = [
        t if isinstance(t, ox.Triple) else ox.Triple(t.subject, t.predicate, t.object)
        for t in triples
    ]
    written = bytes(
        ox.serialize(plain, format=spec.engine, prefixes=None if spec.datasets else prefixes) or b""
    )
    return rdf_xml(written) if spec.name == "xml" else written
