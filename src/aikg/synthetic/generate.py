"""Synthetic aikg data: a deterministic, streaming generator for benchmarks and validators.

:func:`generate` yields about as many quads as asked for (within 2 %, from a thousand to
ten million and more), modelled the way the bundled data is: every fact is a claim node
with its source and the quotations it rests on, and everything conforms to
``ontology/shapes.ttl``. The same arguments always give the same quads, in the same order.

The data is a fixed *reference* part (concept schemes, roles, indicators, stances,
innovation types, recommendation topics, ranked and tiered indexes with their tiers,
hardware models and their makers, index publishers), then *dossiers*, one per synthetic
country, all of the same shape: four sources (three yearly editions of a report, the last
with a table, and an interview), the country, three companies, three people (one
anonymous), a group and an event, and their claims -- role claims, hardware holdings of
three holders in each edition plus a rival estimate that a conflict flags, a value the
table reports as N/A, ranks out of a ranked count, a tier, a rank change, measurements in
units and in currencies (one the equivalent of another), statements (one reported
speech), recommendations and innovation assessments. Extra hardware holdings top the
count up. Each kind of fact goes to the named graph ``{base_iri}graph/generated-<slice>``
(:data:`SLICES`); IRIs are readable: ``{base_iri}country/g12``,
``{base_iri}claim/holding-g125``, ``{base_iri}quote/holding-g125``.

``violations=K`` breaks K facts, spread over the dossiers and cycling through
:data:`VIOLATION_KINDS`; :func:`injected` names exactly the results a SHACL validator
reports for them (:class:`Expected`). :func:`write` streams the quads to a file.

>>> quads = list(generate(1_000, seed=7))
>>> 980 <= len(quads) <= 1_020
True
>>> quads[0].graph_name.value
'https://w3id.org/aikg/graph/generated-concepts'
>>> quads == list(generate(1_000, seed=7))
True
>>> [e.source_shape.rsplit("#", 1)[-1] for e in injected(1_000, 7, 2)]
['HardwareHoldingShape-quantity', 'ClaimShape-wasDerivedFrom']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from aikg.config import DEFAULT_BASE_IRI, ONTOLOGY_NS
from aikg.namespaces import DCTERMS, ORG, PROV, RDF, RDFS, SCHEMA, SKOS
from aikg.synthetic.dossier import FILLER_BATCH, Chunk, Generator, minimum_triples, part_sizes
from aikg.synthetic.plan import Plan, make_plan
from aikg.synthetic.violations import VIOLATION_KINDS, Expected
from aikg.synthetic.vocabulary import SLICES

__all__ = [
    "SLICES",
    "VIOLATION_KINDS",
    "Expected",
    "Generator",
    "generate",
    "injected",
    "minimum_triples",
    "part_sizes",
    "write",
]


def _chunks(plan: Plan, seed: int, base_iri: str) -> Iterator[Chunk]:
    gen = Generator(base_iri, seed)
    yield gen.header()
    for b in range(plan.blocks):
        yield gen.block(b, plan.broken.get(b, frozenset()))
    for first in range(0, plan.fillers, FILLER_BATCH):
        yield gen.fillers(first, min(FILLER_BATCH, plan.fillers - first), plan.blocks)


def _stream(chunks: Iterable[Chunk]) -> Iterator[ox.Quad]:
    for text, _ in chunks:
        yield from ox.parse(text, format=ox.RdfFormat.N_QUADS)


def generate(
    triples: int,
    seed: int,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    violations: int = 0,
) -> Iterator[ox.Quad]:
    """Yield about ``triples`` synthetic quads (within 2 %) that conform to the shapes.

    Returns a generator: the quads are made a dossier (about 430 quads) at a time, so
    memory does not grow with ``triples``. Asking for fewer than :func:`minimum_triples`
    gives that minimum. The same arguments give the same quads in the same order.

    ``violations=K`` breaks K facts, one :data:`VIOLATION_KINDS` kind after the other,
    spread evenly over the dossiers (each adds or removes at most one quad);
    :func:`injected` lists the results a SHACL validator must report for them.

    Raises :class:`ValueError`, before the first quad, for a negative number, a base IRI
    that is not an http(s) IRI ending in ``/`` or ``#``, or more violations than the
    dossiers hold (``len(VIOLATION_KINDS)`` per dossier).
    """
    plan = make_plan(triples, violations, base_iri)
    return _stream(_chunks(plan, seed, base_iri))


def injected(
    triples: int,
    seed: int,
    violations: int,
    base_iri: str = DEFAULT_BASE_IRI,
) -> list[Expected]:
    """What a SHACL validator must report for ``generate(triples, seed, violations=...)``.

    One :class:`Expected` per injected violation, in injection order, and nothing else:
    the set of :meth:`Expected.key` equals the set of (focus node, source shape, path,
    source constraint) of the validation results. Nothing is generated, so it is cheap;
    the broken nodes do not depend on the seed, which is taken to mirror :func:`generate`.
    """
    del seed
    return list(make_plan(triples, violations, base_iri).expected)


_FORMATS = {"nq": "nq", "nquads": "nq", "n-quads": "nq", "trig": "trig"}


def write(
    path: str | Path,
    triples: int,
    seed: int,
    *,
    fmt: str = "nq",
    violations: int = 0,
    base_iri: str = DEFAULT_BASE_IRI,
) -> int:
    """Write what :func:`generate` yields to ``path``; return the number of quads written.

    ``fmt`` is ``"nq"`` (N-Quads, also ``"nquads"``, ``"n-quads"``) or ``"trig"``. Streams:
    the file is written a dossier at a time. N-Quads are the bytes Oxigraph's serializer
    would write for the same quads.
    """
    try:
        kind = _FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(_FORMATS)}") from None
    plan = make_plan(triples, violations, base_iri)
    written = 0
    with open(path, "wb") as out:
        if kind == "nq":
            for text, count in _chunks(plan, seed, base_iri):
                out.write(text.encode("utf-8"))
                written += count
            return written

        def counted() -> Iterator[ox.Quad]:
            nonlocal written
            for quad in _stream(_chunks(plan, seed, base_iri)):
                written += 1
                yield quad

        prefixes = {
            "aikg": ONTOLOGY_NS,
            "rdf": RDF,
            "rdfs": RDFS,
            "skos": SKOS,
            "schema": SCHEMA,
            "org": ORG,
            "prov": PROV,
            "dcterms": DCTERMS,
        }
        ox.serialize(counted(), out, ox.RdfFormat.TRIG, prefixes=prefixes)
    return written
