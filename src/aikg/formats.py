"""Media types, file extensions and format names, and the one content-negotiation function.

Every RDF and SPARQL-results format aikg reads or writes is declared once here; the CLI,
the Python API and the server look formats up by name, extension or media type.

>>> rdf_format("ttl").media_type
'text/turtle'
>>> rdf_format_for_path("slice.nq").name
'nquads'
>>> negotiate("text/csv;q=0.5, application/sparql-results+json", RESULT_MEDIA_TYPES)
'application/sparql-results+json'
>>> answer_format("xml", "construct").media_type, answer_format("xml", "select").media_type
('application/rdf+xml', 'application/sparql-results+xml')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from aikg.errors import NotAcceptableError, UnsupportedFormatError


@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialization."""

    name: str
    media_type: str
    extension: str
    engine: ox.RdfFormat
    aliases: tuple[str, ...] = ()

    @property
    def datasets(self) -> bool:
        """Whether the format carries named graphs."""
        return bool(self.engine.supports_datasets)


@dataclass(frozen=True)
class ResultFormat:
    """A SPARQL query-results serialization (SELECT and ASK answers)."""

    name: str
    media_type: str
    extension: str
    engine: ox.QueryResultsFormat | None
    """Oxigraph's serializer, or None for formats aikg writes itself (HTML)."""
    aliases: tuple[str, ...] = ()


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "text/turtle", "ttl", ox.RdfFormat.TURTLE, ("ttl",)),
    RdfFormat(
        "ntriples", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES, ("nt", "n-triples")
    ),
    RdfFormat("nquads", "application/n-quads", "nq", ox.RdfFormat.N_QUADS, ("nq", "n-quads")),
    RdfFormat("trig", "application/trig", "trig", ox.RdfFormat.TRIG),
    RdfFormat("jsonld", "application/ld+json", "jsonld", ox.RdfFormat.JSON_LD, ("json-ld",)),
    RdfFormat(
        "xml",
        "application/rdf+xml",
        "rdf",
        ox.RdfFormat.RDF_XML,
        ("rdfxml", "rdf", "rdf/xml", "owl"),
    ),
)

RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json", "application/sparql-results+json", "srj", ox.QueryResultsFormat.JSON, ("srj",)
    ),
    ResultFormat(
        "xml", "application/sparql-results+xml", "srx", ox.QueryResultsFormat.XML, ("srx",)
    ),
    ResultFormat("csv", "text/csv", "csv", ox.QueryResultsFormat.CSV),
    ResultFormat("tsv", "text/tab-separated-values", "tsv", ox.QueryResultsFormat.TSV),
    ResultFormat("html", "text/html", "html", None, ("htm",)),
)

RDF_MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in RDF_FORMATS)


def format_names(formats: Iterable[RdfFormat | ResultFormat]) -> dict[str, str]:
    """Every name, extension and alias of ``formats``, mapped to its media type: what a
    ``format=`` parameter may say (the first format to claim a name keeps it).

    >>> format_names(RDF_FORMATS)["ttl"], format_names(RESULT_FORMATS)["json"]
    ('text/turtle', 'application/sparql-results+json')
    """
    names: dict[str, str] = {}
    for fmt in formats:
        for key in (fmt.name, fmt.extension, *fmt.aliases):
            names.setdefault(key, fmt.media_type)
    return names


RESULT_MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in RESULT_FORMATS)


def _find(
    formats: Iterable[RdfFormat | ResultFormat], name: str, kind: str
) -> RdfFormat | ResultFormat:
    key = name.strip().lower()
    for candidate in formats:
        if key in (candidate.name, candidate.extension, candidate.media_type, *candidate.aliases):
            return candidate
    raise UnsupportedFormatError(
        f"unknown {kind} format {name!r}",
        hint="use one of " + ", ".join(f.name for f in formats),
    )


def rdf_format(name: str) -> RdfFormat:
    """The RDF format with this name, alias, extension or media type."""
    found = _find(RDF_FORMATS, name, "RDF")
    assert isinstance(found, RdfFormat)
    return found


def result_format(name: str) -> ResultFormat:
    """The SPARQL results format with this name, alias, extension or media type."""
    found = _find(RESULT_FORMATS, name, "results")
    assert isinstance(found, ResultFormat)
    return found


ANSWERS: dict[str, str] = {
    "select": "a table of results",
    "ask": "true or false",
    "construct": "an RDF graph",
    "describe": "an RDF graph",
    "graph": "an RDF graph",
}
"""What each query form answers with: the formats that fit it follow from it."""


def formats_for(kind: str) -> tuple[RdfFormat, ...] | tuple[ResultFormat, ...]:
    """The formats an answer of this query form can be written in."""
    return RDF_FORMATS if ANSWERS.get(kind) == ANSWERS["graph"] else RESULT_FORMATS


def answer_format(
    fmt: str | RdfFormat | ResultFormat, kind: str, *, where: str | None = None
) -> RdfFormat | ResultFormat:
    """The format to write the answer of a ``kind`` query in (select, ask, construct or
    describe): a name, alias, extension or media type is looked up among the formats that
    fit that form, so ``xml`` is SPARQL XML results for SELECT and ASK and RDF/XML for
    graphs. A format of the other kind is refused, never swapped for another: the CLI,
    the Python API and the HTTP API all refuse it with this message. (``graph`` stands
    for either graph form, where only the answer is known.)

    >>> answer_format("csv", "construct")
    Traceback (most recent call last):
    aikg.errors.UnsupportedFormatError: format 'csv' does not fit a CONSTRUCT query, whose ...
    """
    fits = formats_for(kind)
    if not isinstance(fmt, str):
        if fmt in fits:
            return fmt
        raise misfit(fmt.name, kind, where)
    try:
        return _find(fits, fmt, "")
    except UnsupportedFormatError:
        pass
    other = RESULT_FORMATS if fits is RDF_FORMATS else RDF_FORMATS
    try:
        _find(other, fmt, "")
    except UnsupportedFormatError:
        raise UnsupportedFormatError(
            f"unknown format {fmt!r}", where=where, hint=_fitting(kind)
        ) from None
    raise misfit(fmt, kind, where)


def misfit(name: str, kind: str, where: str | None) -> UnsupportedFormatError:
    """The error for a format that does not fit a query form (what ``answer_format``
    raises; the CLI raises it for its text table too)."""
    return UnsupportedFormatError(
        f"format {name!r} does not fit {_form(kind)} query, whose answer is {ANSWERS[kind]}",
        where=where,
        hint=_fitting(kind),
    )


def _fitting(kind: str) -> str:
    names = ", ".join(f.name for f in formats_for(kind))
    xml = "RDF/XML" if formats_for(kind) is RDF_FORMATS else "SPARQL XML results"
    return f"for {_form(kind)} query use one of {names} (xml is {xml} here)"


def _form(kind: str) -> str:
    """The form with its article: a SELECT, an ASK, a CONSTRUCT or DESCRIBE."""
    form = "CONSTRUCT or DESCRIBE" if kind == "graph" else kind.upper()
    return ("an " if form[0] in "AEIOU" else "a ") + form


def rdf_format_for_path(path: str, *, where: str | None = None) -> RdfFormat:
    """The RDF format a file name's extension stands for (``where``: the path to name
    in an error, when ``path`` is the file's name alone)."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    for fmt in RDF_FORMATS:
        if suffix in (fmt.extension, *fmt.aliases, fmt.name):
            return fmt
    known = sorted(
        {f".{s}" for f in RDF_FORMATS for s in (f.extension, *f.aliases, f.name) if "/" not in s}
    )
    hint = f"name the file {', '.join(known)}"
    if suffix in ("gz", "bz2", "xz", "zst", "zip"):
        hint = f"decompress it first ({suffix} is a compressed file), then load the file"
    raise UnsupportedFormatError(
        f"cannot tell the RDF format of {path!r} from its extension",
        where=where or path,
        hint=hint,
    )


def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    """Media ranges of an Accept header as (range, q, position), best first."""
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media_range = fields[0].lower()
        if not media_range:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media_range, max(0.0, min(q, 1.0)), position))
    return ranges


def _specificity(media_range: str, offer: str) -> int | None:
    """How specifically a media range matches an offer: 2 exact, 1 type/*, 0 */*."""
    if media_range == offer:
        return 2
    kind, _, _ = offer.partition("/")
    if media_range == f"{kind}/*":
        return 1
    if media_range in ("*/*", "*"):
        return 0
    return None


def negotiate(accept: str | None, offers: tuple[str, ...] | list[str]) -> str:
    """Pick the offer an ``Accept`` header prefers (RFC 9110 section 12.5.1).

    Each offer takes the q-value of the most specific media range matching it; the highest
    q wins, ties go to the earlier offer (the server's preference). A missing or empty
    header accepts the first offer. When nothing matches, or every match has q=0,
    :class:`NotAcceptableError` lists what is on offer.

    >>> negotiate(None, ["text/turtle", "application/ld+json"])
    'text/turtle'
    >>> negotiate("application/*;q=0.9, text/turtle;q=0.1", ["text/turtle", "application/ld+json"])
    'application/ld+json'
    >>> negotiate("image/png", ["text/turtle"])
    Traceback (most recent call last):
    aikg.errors.NotAcceptableError: none of the representations on offer matches Accept: image/png
    """
    if accept is None or not accept.strip():
        return offers[0]
    ranges = _parse_accept(accept)
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for index, offer in enumerate(offers):
        matches = [
            (spec, q)
            for media_range, q, _ in ranges
            if (spec := _specificity(media_range, offer)) is not None
        ]
        if not matches:
            continue
        q = max(matches, key=lambda m: m[0])[1]
        if q <= 0:
            continue
        if best is None or q > best[0] or (q == best[0] and index < best[1]):
            best, chosen = (q, index), offer
    if chosen is None:
        raise NotAcceptableError(
            f"none of the representations on offer matches Accept: {accept}",
            hint="accept one of " + ", ".join(offers),
        )
    return chosen
