"""Serialize query answers: SPARQL results (JSON, XML, CSV, TSV), RDF graphs, text tables.

SELECT answers are written here row by row rather than by Oxigraph's serializer so that
the row limit can stop them: the answer says how many rows it has and whether it was
truncated. Booleans and graphs use Oxigraph's serializers.

>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x,y")))
>>> csv = answer_format("csv", "select")
>>> out = serialize(store.query("SELECT ?s ?o WHERE { ?s ?p ?o }"), csv, 10)
>>> out.body, out.rows, out.truncated
(b's,o\\r\\nhttp://e/a,"x,y"\\r\\n', 1, False)
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from aikg.config import DEFAULT_BASE_IRI
from aikg.formats import RdfFormat, ResultFormat, answer_format
from aikg.jsonld import serialize_graph
from aikg.namespaces import RDF, XSD
from aikg.terms import OxTerm, triple_term_refused
from aikg.xml_text import check_text

T = TypeVar("T")
XSD_STRING = XSD + "string"
RDF_LANG_STRING = RDF + "langString"


@dataclass(frozen=True)
class Serialized:
    """A serialized answer with what the response headers report about it."""

    body: bytes
    media_type: str
    rows: int
    """Rows (SELECT), triples (CONSTRUCT/DESCRIBE) or 1 (ASK)."""
    truncated: bool
    """Whether rows (or triples) follow that this answer does not hold: for a SELECT, a
    next page (``next_page``); for a graph, the rest, cut at the row limit."""
    kind: str
    """"select", "ask" or "graph"."""
    sha256: str = ""
    """The SHA-256 (hex) of the answer in a form that does not depend on the format
    asked for, what a citation records: of a SELECT or ASK answer, its SPARQL TSV form
    (W3C SPARQL 1.1 Query Results TSV, rows in the answer's order), which anyone can
    check with ``sha256sum`` on a TSV download; of a graph, its N-Triples lines sorted
    (a graph has no order)."""
    page: int = 1
    """Which page of a SELECT answer this is (from 1)."""
    next_page: int | None = None
    """The page that holds the rows after these (None: these are the last)."""


@dataclass
class Table:
    """A SELECT answer as rows: each row maps every variable to a term, or None if unbound."""

    variables: list[str]
    rows: list[dict[str, OxTerm | None]]
    truncated: bool = False
    page: int = 1
    """Which page of the answer these rows are (see :mod:`aikg.sparql.paging`)."""

    @property
    def next_page(self) -> int | None:
        """The page that holds the rows after these, or None when these are the last."""
        return self.page + 1 if self.truncated else None


def table(result: ox.QuerySolutions, max_rows: int) -> Table:
    """The first ``max_rows`` rows of a SELECT answer (``truncated`` if there were more)."""
    variables = [v.value for v in result.variables]
    solutions, truncated = _take(result, max_rows)
    # A solution iterates over its values in the order of the variables (None where
    # unbound): zipped, they cost a third of looking each variable up by name.
    rows = [dict(zip(variables, s, strict=True)) for s in solutions]
    return Table(variables, rows, truncated)


def serialize(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Table,
    fmt: ResultFormat | RdfFormat,
    max_rows: int,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
) -> Serialized:
    """Serialize an answer in ``fmt``, stopping after ``max_rows`` rows or triples.

    A format that does not fit the answer (a results format for a graph, an RDF format
    for a table or a boolean) is an :class:`~aikg.errors.UnsupportedFormatError`, never
    swapped for another.
    """
    chosen = answer_format(fmt, answer_kind(result))
    if isinstance(result, ox.QueryTriples):
        assert isinstance(chosen, RdfFormat)
        triples, truncated = _take(result, max_rows)
        graph_bytes = serialize_graph(triples, chosen, base_iri) if triples else b""
        sha = _graph_sha(triples)
        return Serialized(graph_bytes, chosen.media_type, len(triples), truncated, "graph", sha)
    assert isinstance(chosen, ResultFormat)
    if isinstance(result, ox.QueryBoolean):
        tsv = b"true" if bool(result) else b"false"
        if chosen.engine is None:
            answer_bytes = _html_boolean(bool(result))
        else:
            answer_bytes = bytes(result.serialize(format=chosen.engine) or b"")
        return Serialized(answer_bytes, chosen.media_type, 1, False, "ask", sha256=_sha(tsv))
    answer = result if isinstance(result, Table) else table(result, max_rows)
    try:
        body = "".join(_WRITERS[chosen.name](answer.variables, answer.rows)).encode("utf-8")
        if chosen.name == "tsv":  # which writes any term, a triple term too, as N-Triples
            _refuse_triple_terms(answer)
    except AttributeError:  # a term without a value: a triple term, said so
        _refuse_triple_terms(answer)
        raise
    tsv = body if chosen.name == "tsv" else _tsv_bytes(answer)
    return Serialized(
        body,
        chosen.media_type,
        len(answer.rows),
        answer.truncated,
        "select",
        sha256=_sha(tsv),
        page=answer.page,
        next_page=answer.next_page,
    )


def _refuse_triple_terms(answer: Table) -> None:
    """Raise the error for the first triple term of ``answer``, if it holds one."""
    for row in answer.rows:
        for name, term in row.items():
            if isinstance(term, ox.Triple):
                raise triple_term_refused(term, name) from None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tsv_bytes(answer: Table) -> bytes:
    return "".join(_tsv(answer.variables, answer.rows)).encode("utf-8")


def _graph_sha(triples: list[ox.Triple]) -> str:
    lines = sorted(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)
    return _sha("".join(lines).encode("utf-8"))


def answer_kind(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Table) -> str:
    """The query form an answer comes from ("graph" for either CONSTRUCT or DESCRIBE)."""
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    return "graph" if isinstance(result, ox.QueryTriples) else "select"


def _take(items: Iterable[T], limit: int) -> tuple[list[T], bool]:
    taken: list[T] = []
    for item in items:
        if len(taken) >= limit:
            return taken, True
        taken.append(item)
    return taken, False


def _json_term(term: OxTerm) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    data = {"type": "literal", "value": term.value}
    if term.language:
        data["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        data["datatype"] = term.datatype.value
    return data


Row = dict[str, OxTerm | None]


_JSON_HEAD = json.JSONEncoder(separators=(",", ":")).encode
_JSON_BINDINGS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""Made once: ``json.dumps`` with any option makes a new encoder on every call, which
cost more than the rows of a small answer."""


def _json(variables: list[str], rows: list[Row]) -> Iterator[str]:
    yield _JSON_HEAD({"head": {"vars": variables}})[:-1]
    yield ',"results":{"bindings":'
    yield _JSON_BINDINGS(
        [{v: _json_term(t) for v in variables if (t := row.get(v)) is not None} for row in rows]
    )
    yield "}}"


def _xml_text(text: str) -> str:
    check_text(text, "SPARQL results in XML")
    return escape(text).replace("\n", "&#10;").replace("\r", "&#13;")


def _xml_term(term: OxTerm) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return (
            f"<literal datatype={quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
        )
    return f"<literal>{_xml_text(term.value)}</literal>"


def _xml(variables: list[str], rows: list[Row]) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
    yield "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    yield "</head><results>"
    for row in rows:
        yield "<result>"
        for v in variables:
            term = row.get(v)
            if term is not None:
                yield f"<binding name={quoteattr(v)}>{_xml_term(term)}</binding>"
        yield "</result>"
    yield "</results></sparql>\n"


def _csv_field(term: OxTerm | None) -> str:
    if term is None:
        return ""
    text = f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(variables: list[str], rows: list[Row]) -> Iterator[str]:
    yield ",".join(variables) + "\r\n"
    for row in rows:
        yield ",".join(_csv_field(row.get(v)) for v in variables) + "\r\n"


def _tsv(variables: list[str], rows: list[Row]) -> Iterator[str]:
    yield "\t".join(f"?{v}" for v in variables) + "\n"
    for row in rows:
        yield "\t".join("" if (t := row.get(v)) is None else str(t) for v in variables) + "\n"


def _html_cell(
    term: OxTerm | None, link: Callable[[str], str | None], label: OxTerm | None = None
) -> str:
    if term is None:
        return "<td></td>"
    if isinstance(term, ox.NamedNode):
        href = link(term.value)
        text = html.escape(label.value if isinstance(label, ox.Literal) else term.value)
        if href:
            return (
                f'<td><a href="{html.escape(href, quote=True)}" '
                f'title="{html.escape(term.value, quote=True)}">{text}</a></td>'
            )
        return f'<td title="{html.escape(term.value, quote=True)}">{text}</td>'

    if isinstance(term, ox.BlankNode):
        return f"<td>_:{html.escape(term.value)}</td>"
    lang = f' lang="{html.escape(term.language, quote=True)}"' if term.language else ""
    text = html.escape(term.value).replace("\n", "<br>")
    return f"<td{lang}>{text}</td>"


def _web_link(iri: str) -> str | None:
    """Only http(s) IRIs become links (never javascript: or data: ones)."""
    return iri if iri.startswith(("http://", "https://")) else None


def html_table(
    variables: list[str], rows: list[Row], link: Callable[[str], str | None] = _web_link
) -> str:
    """An HTML ``<table>`` of the rows; every text escaped, IRIs linked through ``link``.

    A column ``xLabel`` beside a column ``x`` of IRIs becomes the text of ``x``'s links (the
    IRI stays in the link's title) instead of a column of its own.
    """
    labelled = {v for v in variables if f"{v}Label" in variables}
    shown = [v for v in variables if not (v.endswith("Label") and v[: -len("Label")] in labelled)]
    head = "".join(f'<th scope="col">{html.escape(v)}</th>' for v in shown)
    body = "".join(
        "<tr>"
        + "".join(
            _html_cell(row.get(v), link, row.get(f"{v}Label") if v in labelled else None)
            for v in shown
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="table-scroll"><table class="results"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _html(variables: list[str], rows: list[Row]) -> Iterator[str]:
    yield (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>aikg query results</title></head><body>"
    )
    yield html_table(variables, rows)
    yield "</body></html>\n"


def _html_boolean(value: bool) -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>aikg answer'
        f"</title></head><body><p>{'true' if value else 'false'}</p></body></html>\n"
    ).encode()


_WRITERS = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv, "html": _html}


def text_table(
    variables: list[str] | tuple[str, ...],
    rows: Iterable[dict[str, object]],
    prefixes: dict[str, str],
    *,
    width: int = 72,
) -> str:
    """An aligned plain-text table, IRIs shortened with ``prefixes``, long cells cut.

    >>> print(text_table(["who", "n"], [{"who": "https://w3id.org/aikg/country/KR", "n": 2000}],
    ...                  {"country": "https://w3id.org/aikg/country/"}))
    who        | n
    -----------+-----
    country:KR | 2000
    """
    by_length = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def cell(value: object) -> str:
        if value is None:
            return ""
        text = str(value)
        for prefix, namespace in by_length:
            if text.startswith(namespace) and " " not in text:
                text = f"{prefix}:{text[len(namespace) :]}"
                break
        text = text.replace("\n", " | ")
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [[cell(row.get(v)) for v in variables] for row in rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    lines = [" | ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines.extend(
        " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
    )
    return "\n".join(lines)
