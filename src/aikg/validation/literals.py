"""Literal forms: a literal typed with an XML Schema datatype is written in its lexical form.

``"abc"^^xsd:integer`` parses as Turtle: a parser takes any text with any datatype. But it
names no integer; RDF calls it ill-typed. Oxigraph stores it as an opaque string (a cast or
a comparison of it fails), rdflib logs a traceback each time it reads it (an export, a
report), and a query filtering on the property's values skips it without a word. So a
literal whose datatype is one of the XML Schema types below must be in that type's lexical
space (XML Schema 1.1 Part 2), whether or not a shape constrains its property.

:func:`problem` says what is wrong with one literal. What is found is reported as
validation violations under ``aikgsh:LiteralFormCheck``, beside the shapes' and the source
texts', on load, by ``aikg validate`` and on every write; the load or write is refused with
nothing changed.

The lexical spaces are XML Schema's, not the engine's: Oxigraph refuses ``--02-29``, a
valid ``xsd:gMonthDay``, takes ``nan`` and ``P1DT``, which are not valid, and cannot hold
an integer past 64 bits or a decimal past 18 places (the compiled shapes refuse those where
a shape names the datatype; here they are valid).

>>> problem(ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))) is None
True
>>> problem(ox.Literal("4.2", datatype=ox.NamedNode(XSD + "integer")))
'"4.2" is not an xsd:integer: write it in digits with an optional sign (42, -7)'
>>> problem(ox.Literal("2023-02-29", datatype=ox.NamedNode(XSD + "date")))
'"2023-02-29" is not an xsd:date: February 2023 has 28 days'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from aikg.config import SHAPES_NS
from aikg.validation.pyshacl_engine import Violation

if TYPE_CHECKING:
    from aikg.knowledge_graph import KnowledgeGraph

XSD = "http://www.w3.org/2001/XMLSchema#"
CHECK = SHAPES_NS + "LiteralFormCheck"
"""The IRI violations of this check are reported under (shapes.ttl describes it)."""

_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_MONTH = "(?:0[1-9]|1[0-2])"
_DAY = "(?:0[1-9]|[12][0-9]|3[01])"
_ZONE_REQUIRED = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_ZONE = _ZONE_REQUIRED + "?"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_DURATION = re.compile(
    r"(-)?P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?"
    r"(T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?",
    re.ASCII,
)


@dataclass(frozen=True)
class _Form:
    """A datatype's lexical space: a pattern, then a test of what the pattern cannot say
    (a range, the days of a month); ``how``: the words that tell how to write it."""

    pattern: re.Pattern[str]
    how: str
    test: Callable[[re.Match[str]], str | None] = lambda _: None


def _form(
    pattern: str, how: str, test: Callable[[re.Match[str]], str | None] | None = None
) -> _Form:
    compiled = re.compile(pattern, re.ASCII)
    return _Form(compiled, how) if test is None else _Form(compiled, how, test)


def _in_range(low: int | None, high: int | None) -> Callable[[re.Match[str]], str | None]:
    if low is None and high is None:
        return lambda _: None  # xsd:integer has no bounds

    def test(match: re.Match[str]) -> str | None:
        written = match.group(0)
        if len(written.lstrip("+-").lstrip("0")) > 30:
            # Beyond every bound, on the side of its sign (and Python reads no number
            # past 4,300 digits).
            value = -(10**30) if written.startswith("-") else 10**30
        else:
            value = int(written)
        if low is not None and value < low:
            return f"it is below {low}"
        if high is not None and value > high:
            return f"it is above {high}"
        return None

    return test


_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def _days_in(month: int, year: int | None) -> int:
    """The days of ``month`` (of ``year``; None: any year, so February has 29)."""
    if month == 2:
        leap = year is None or (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _day_of_month(match: re.Match[str]) -> str | None:
    """The day exists in its month (XML Schema's proleptic Gregorian calendar, where the
    year 0000 is 1 BCE, a leap year)."""
    # Leap years repeat every 400 years, which divides 10,000: the last four digits tell
    # (a year of thousands of digits is no number Python reads).
    written = match.groupdict().get("year")
    year = int(("-" if written.startswith("-") else "") + written[-4:]) if written else None
    month, day = int(match["month"]), int(match["day"])
    days = _days_in(month, year)
    if day <= days:
        return None
    when = _MONTHS[month - 1] + (f" {match['year']}" if year is not None else "")
    return f"{when} has {days} days"


def _duration(kinds: str) -> Callable[[re.Match[str]], str | None]:
    """A duration has at least one part, a time part after ``T``, and only the parts of
    ``kinds`` (Y M D for a year, month, day; H N S for hours, minutes, seconds)."""

    def test(match: re.Match[str]) -> str | None:
        _, years, months, days, time, hours, minutes, seconds = match.groups()
        parts = dict(zip("YMDHNS", (years, months, days, hours, minutes, seconds), strict=True))
        if time is not None and hours is minutes is seconds is None:
            return "a T must be followed by hours, minutes or seconds"
        if all(value is None for value in parts.values()):
            return "it has no part"
        extra = [name for name, value in parts.items() if value is not None and name not in kinds]
        if extra:
            return "it may not have " + ", ".join(_PART_NAMES[name] for name in extra)
        return None

    return test


_PART_NAMES = dict(Y="years", M="months", D="days", H="hours", N="minutes", S="seconds")

_DATE = f"(?P<year>{_YEAR})-(?P<month>{_MONTH})-(?P<day>{_DAY})"
_INTEGER = "[+-]?[0-9]+"
_HOW_INTEGER = "write it in digits with an optional sign (42, -7)"
_HOW_DATE = "write it as year-month-day (2024-03-01), with an optional time zone"
_HOW_DATETIME = "write it as 2024-03-01T09:30:00, with an optional fraction and time zone"
_HOW_DURATION = "write it as P1Y2M3DT4H5M6S, leaving out the parts that are zero"


def _integer(low: int | None, high: int | None) -> _Form:
    if low is not None and high is not None:
        bounds = f", from {low} to {high}"
    elif low is not None:
        bounds = f", at least {low}"
    elif high is not None:
        bounds = f", at most {high}"
    else:
        bounds = ""
    return _form(_INTEGER, _HOW_INTEGER + bounds, _in_range(low, high))


_FORMS: dict[str, _Form] = {
    "boolean": _form("true|false|1|0", "write true, false, 1 or 0"),
    "decimal": _form(_DECIMAL, "write it in digits with an optional sign and point (4.2, -0.5)"),
    "integer": _integer(None, None),
    "long": _integer(-(2**63), 2**63 - 1),
    "int": _integer(-(2**31), 2**31 - 1),
    "short": _integer(-(2**15), 2**15 - 1),
    "byte": _integer(-(2**7), 2**7 - 1),
    "nonNegativeInteger": _integer(0, None),
    "positiveInteger": _integer(1, None),
    "nonPositiveInteger": _integer(None, 0),
    "negativeInteger": _integer(None, -1),
    "unsignedLong": _integer(0, 2**64 - 1),
    "unsignedInt": _integer(0, 2**32 - 1),
    "unsignedShort": _integer(0, 2**16 - 1),
    "unsignedByte": _integer(0, 2**8 - 1),
    "double": _form(
        f"{_DECIMAL}(?:[Ee][+-]?[0-9]+)?|[+-]?INF|NaN",
        "write it as a decimal with an optional exponent (4.2, 1.5E6), INF, -INF or NaN",
    ),
    "date": _form(_DATE + _ZONE, _HOW_DATE, _day_of_month),
    "dateTime": _form(f"{_DATE}T{_TIME}{_ZONE}", _HOW_DATETIME, _day_of_month),
    "dateTimeStamp": _form(
        f"{_DATE}T{_TIME}{_ZONE_REQUIRED}",
        "write it as 2024-03-01T09:30:00Z, with an optional fraction and a time zone",
        _day_of_month,
    ),
    "time": _form(_TIME + _ZONE, "write it as 09:30:00, with an optional fraction and time zone"),
    "gYear": _form(_YEAR + _ZONE, "write the year in at least four digits (2024, 0800)"),
    "gYearMonth": _form(f"{_YEAR}-{_MONTH}{_ZONE}", "write it as year-month (2024-03)"),
    "gMonth": _form(f"--{_MONTH}{_ZONE}", "write it as --03"),
    "gDay": _form(f"---{_DAY}{_ZONE}", "write it as ---01"),
    "gMonthDay": _form(
        f"--(?P<month>{_MONTH})-(?P<day>{_DAY}){_ZONE}", "write it as --03-01", _day_of_month
    ),
    "duration": _form(_DURATION.pattern, _HOW_DURATION, _duration("YMDHNS")),
    "dayTimeDuration": _form(
        _DURATION.pattern, "write it as P3DT4H5M6S, without years or months", _duration("DHNS")
    ),
    "yearMonthDuration": _form(
        _DURATION.pattern, "write it as P1Y2M, without days or a time", _duration("YM")
    ),
    "hexBinary": _form("(?:[0-9A-Fa-f]{2})*", "write it as pairs of hexadecimal digits (0FB7)"),
    "language": _form(
        "[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*", "write it as a language tag (en, ko, en-GB)"
    ),
}
_FORMS["float"] = _FORMS["double"]
_BY_IRI = {XSD + name: (name, form) for name, form in _FORMS.items()}

CHECKED = frozenset(_BY_IRI)
"""The datatypes whose literals are checked: XML Schema's numbers, booleans, dates and
times, durations, hexBinary and language (its strings and URIs take any text)."""


def problem(literal: ox.Literal) -> str | None:
    """What is wrong with ``literal``'s lexical form for its datatype, or None."""
    known = _BY_IRI.get(literal.datatype.value)
    if known is None:
        return None
    return _problem(literal.value, *known)


def _problem(text: str, name: str, form: _Form) -> str | None:
    match = form.pattern.fullmatch(text)
    reason = form.how if match is None else form.test(match)
    return None if reason is None else f'"{text}" is not an xsd:{name}: {reason}'


def violation(quad: ox.Quad, reason: str, graph: str | None, files: Mapping[str, str]) -> Violation:
    """The violation of ``quad``, whose object is the ill-typed literal ``reason`` says."""
    return Violation(
        focus_node=str(subject)
        if isinstance(subject := quad.subject, ox.Triple)
        else subject.value,
        path=quad.predicate.value,
        value=str(quad.object),
        source_shape=CHECK,
        source_constraint=None,
        constraint_component="LiteralFormCheck",
        severity="Violation",
        message=f"{reason}; or, if it is not meant as a value of that datatype, give it "
        "another (a plain string for text).",
        graph=graph,
        file=files.get(graph) if graph else None,
    )


def check_quads(quads: Iterable[ox.Quad], files: Mapping[str, str]) -> list[Violation]:
    """The violations among ``quads``; ``files`` names the file of each graph."""
    found = []
    for quad in quads:
        literal = quad.object
        if type(literal) is ox.Literal and (reason := problem(literal)) is not None:
            graph = quad.graph_name
            name = graph.value if isinstance(graph, ox.NamedNode) else None
            found.append(violation(quad, reason, name, files))
    return found


_STORED = """
SELECT ?s (isBlank(?s) AS ?blank) ?p (STR(?o) AS ?text) (DATATYPE(?o) AS ?datatype) ?g WHERE {
  ?s ?p ?o .
  FILTER (isLiteral(?o) && DATATYPE(?o) IN ({datatypes}))
  OPTIONAL { GRAPH ?g { ?s ?p ?o } }
}"""


def check_store(kg: KnowledgeGraph) -> list[Violation]:
    """The violations of every literal of the data (its graphs, and on a store of this
    process the default graph too)."""
    if kg.store.native:
        # Every quad through Python: 15 s at a million triples on disk, nearly all of it
        # the engine reading them, where its own scan with a FILTER on the datatype took
        # 130 s.
        return check_quads(kg.store.data_quads(), kg.graph_files)
    checked = ", ".join(f"<{d}>" for d in sorted(CHECKED))
    query = _STORED.replace("{datatypes}", checked)
    found: dict[tuple[str, str, str, str], Violation] = {}
    for row in kg.data_rows(query):
        datatype, text = row["datatype"], row["text"]
        reason = _problem(text, *_BY_IRI[datatype])
        key = (row["s"], row["p"], text, datatype)
        if reason is None or key in found:
            continue
        subject: ox.NamedNode | ox.BlankNode = (
            ox.BlankNode(row["s"]) if row["blank"] == "true" else ox.NamedNode(row["s"])
        )
        quad = ox.Quad(
            subject,
            ox.NamedNode(row["p"]),
            ox.Literal(text, datatype=ox.NamedNode(datatype)),
        )
        found[key] = violation(quad, reason, row.get("g"), kg.graph_files)
    return list(found.values())
