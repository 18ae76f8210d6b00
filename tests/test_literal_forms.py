"""Literal forms: a literal of an XML Schema datatype is in that datatype's lexical space,
on load, on every write and in a whole validation, whatever its property."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, URIRef
from rdflib.namespace import SH

from aikg import KnowledgeGraph
from aikg.config import Settings
from aikg.errors import ValidationError
from aikg.namespaces import AIKG
from aikg.validation.literals import CHECK, XSD, problem
from aikg.validation.pyshacl_engine import ValidationReport, Violation, with_checks

VALID = [
    ("integer", "42"),
    ("integer", "+007"),
    ("integer", "-0"),
    ("integer", "99999999999999999999999"),  # XML Schema's integers have no bound
    ("integer", "1" * 5_000),  # past what Python reads as a number
    ("date", "1" * 4_996 + "2024-02-29"),  # a leap year, by its last four digits
    ("decimal", "1."),
    ("decimal", "-.5"),
    ("decimal", "0.1234567890123456789"),
    ("double", "1.5E-3"),
    ("double", "+INF"),
    ("double", "NaN"),
    ("float", "-INF"),
    ("boolean", "1"),
    ("byte", "-128"),
    ("unsignedLong", "18446744073709551615"),
    ("nonPositiveInteger", "0"),
    ("date", "2024-02-29"),
    ("date", "2000-02-29"),
    ("date", "0000-02-29"),  # 1 BCE, a leap year
    ("date", "-0044-03-15"),
    ("date", "12024-01-01Z"),
    ("date", "2024-01-01+14:00"),
    ("dateTime", "2024-01-01T24:00:00"),
    ("dateTime", "2024-03-01T09:30:00.25-05:00"),
    ("dateTimeStamp", "2024-03-01T09:30:00Z"),
    ("time", "23:59:59.999"),
    ("gYear", "0800"),
    ("gYearMonth", "2024-12"),
    ("gMonth", "--02"),
    ("gDay", "---31"),
    ("gMonthDay", "--02-29"),  # any year: Oxigraph refuses it, XML Schema does not
    ("duration", "-P1Y2M3DT4H5M6.7S"),
    ("duration", "PT0S"),
    ("dayTimeDuration", "P3DT4H"),
    ("yearMonthDuration", "P1Y2M"),
    ("hexBinary", "0FB7"),
    ("hexBinary", ""),
    ("language", "en-GB"),
    ("string", "anything at all"),
    ("anyURI", "not checked"),
]

INVALID = [
    ("integer", "4.2", "write it in digits"),
    ("integer", " 7", "write it in digits"),
    ("integer", "١٢", "write it in digits"),  # digits, but not XML Schema's
    ("integer", "", "write it in digits"),
    ("decimal", "1e3", "digits with an optional sign and point"),
    ("decimal", ".", "digits with an optional sign and point"),
    ("double", "nan", "INF, -INF or NaN"),  # Oxigraph reads it
    ("double", "1.5e", "INF, -INF or NaN"),
    ("boolean", "TRUE", "true, false, 1 or 0"),
    ("byte", "128", "it is above 127"),
    ("int", "-2147483649", "it is below -2147483648"),
    ("nonNegativeInteger", "-1", "it is below 0"),
    ("nonNegativeInteger", "-" + "9" * 5_000, "it is below 0"),
    ("long", "9" * 5_000, "it is above 9223372036854775807"),
    ("date", "1" * 4_996 + "2023-02-29", "has 28 days"),
    ("positiveInteger", "0", "it is below 1"),
    ("negativeInteger", "0", "it is above -1"),
    ("unsignedByte", "x", "from 0 to 255"),
    ("date", "2023-02-29", "February 2023 has 28 days"),
    ("date", "1900-02-29", "February 1900 has 28 days"),
    ("date", "2024-04-31", "April 2024 has 30 days"),
    ("date", "2024-13-01", "year-month-day"),
    ("date", "24-01-01", "year-month-day"),
    ("date", "02024-01-01", "year-month-day"),
    ("date", "2024-01-01+14:01", "year-month-day"),
    ("dateTime", "2024-01-01T24:00:01", "2024-03-01T09:30:00"),
    ("dateTime", "2024-01-01 12:00:00", "2024-03-01T09:30:00"),
    ("dateTime", "2024-01-01T12:00", "2024-03-01T09:30:00"),
    ("dateTime", "2024-06-31T00:00:00Z", "June 2024 has 30 days"),
    ("dateTimeStamp", "2024-03-01T09:30:00", "and a time zone"),
    ("time", "25:00:00", "09:30:00"),
    ("gYear", "24", "at least four digits"),
    ("gYearMonth", "2024-13", "year-month"),
    ("gMonth", "--13", "--03"),
    ("gDay", "---32", "---01"),
    ("gMonthDay", "--02-30", "February has 29 days"),
    ("gMonthDay", "--04-31", "April has 30 days"),
    ("duration", "P", "it has no part"),
    ("duration", "P1DT", "a T must be followed by hours, minutes or seconds"),  # Oxigraph reads it
    ("duration", "P1.5Y", "P1Y2M3DT4H5M6S"),
    ("duration", "P-1Y", "P1Y2M3DT4H5M6S"),
    ("dayTimeDuration", "P1Y", "it may not have years"),
    ("yearMonthDuration", "P1M2D", "it may not have days"),
    ("yearMonthDuration", "PT1H", "it may not have hours"),
    ("hexBinary", "0FB", "pairs of hexadecimal digits"),
    ("language", "english language", "a language tag"),
]


def literal(datatype: str, text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


def short(value: object) -> str:
    """A test id: the first characters of a long value."""
    shown = str(value)
    return shown if len(shown) <= 24 else f"{shown[:12]}...({len(shown)})"


@pytest.mark.parametrize(("datatype", "text"), VALID, ids=short)
def test_a_literal_in_its_lexical_form_passes(datatype: str, text: str) -> None:
    assert problem(literal(datatype, text)) is None


@pytest.mark.parametrize(("datatype", "text", "why"), INVALID, ids=short)
def test_a_literal_not_in_its_lexical_form_is_told_what_is_wrong(
    datatype: str, text: str, why: str
) -> None:
    found = problem(literal(datatype, text))
    assert found is not None
    assert found.startswith(f'"{text}" is not an xsd:{datatype}: ')
    assert why in found


def test_untyped_and_language_tagged_literals_are_not_checked() -> None:
    assert problem(ox.Literal("4.2")) is None
    assert problem(ox.Literal("vier", language="de")) is None


BAD_TURTLE = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/aikg/note/1> rdfs:comment "abc"^^xsd:integer ;
    rdfs:seeAlso "2024-02-29"^^xsd:date , "--02-29"^^xsd:gMonthDay .
[] rdfs:comment "300"^^xsd:byte .
"""


def found(report: ValidationReport) -> set[tuple[str, str | None, str | None]]:
    return {(v.focus_node, v.path, v.value) for v in report.violations}


def test_a_load_with_ill_formed_literals_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    kg = KnowledgeGraph.load()
    before = set(kg.store.quads())
    bad = tmp_path / "notes.ttl"
    bad.write_text(BAD_TURTLE, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        kg.add_files([bad])
    violations = caught.value.report.violations
    assert {(v.path, v.value, v.source_shape, v.file) for v in violations} == {
        (
            "http://www.w3.org/2000/01/rdf-schema#comment",
            f'"abc"^^<{XSD}integer>',
            CHECK,
            str(bad),
        ),
        ("http://www.w3.org/2000/01/rdf-schema#comment", f'"300"^^<{XSD}byte>', CHECK, str(bad)),
    }
    messages = sorted(v.message for v in violations)
    assert messages[0].startswith('"300" is not an xsd:byte: it is above 127; or, if it is')
    assert messages[1].startswith('"abc" is not an xsd:integer: write it in digits')
    assert set(kg.store.quads()) == before
    assert not kg.store.has_graph(kg.graph_iri("notes"))


def test_a_load_not_validated_takes_them_and_a_whole_validation_finds_them(
    tmp_path: Path,
) -> None:
    """The whole store's check reads only what the engine could not read, and decides in
    Python: ``--02-29``, which Oxigraph cannot read, is valid; ``nan``, which it reads (and
    holds as ``NaN``), is no longer there to refuse."""
    notes = tmp_path / "notes.ttl"
    notes.write_text(
        BAD_TURTLE + '<https://w3id.org/aikg/note/2> rdfs:comment "nan"^^xsd:double , '
        '"24"^^xsd:gYear , "42"^^xsd:integer .\n',
        encoding="utf-8",
    )
    kg = KnowledgeGraph.open(Settings(store=str(tmp_path / "store")))
    kg.add_files([notes], validate=False)
    report = kg.validate()
    note = "https://w3id.org/aikg/note/"
    comment = "http://www.w3.org/2000/01/rdf-schema#comment"
    assert {f for f in found(report) if f[0].startswith(note)} == {
        (note + "1", comment, f'"abc"^^<{XSD}integer>'),
        (note + "2", comment, f'"24"^^<{XSD}gYear>'),
    }
    # Oxigraph holds an xsd:byte as an xsd:integer: 300 is one.
    assert not [v for v in report.violations if v.value and "300" in v.value]
    assert {v.graph for v in report.violations if v.source_shape == CHECK} == {
        kg.graph_iri("notes")
    }
    kg.close()


def test_a_write_with_an_ill_formed_literal_is_refused() -> None:
    """A dry run on a copy, as the server tries every write before making it."""
    from aikg.workers import jobs  # noqa: PLC0415

    kg = KnowledgeGraph.load()
    date = f"<{XSD}date>"
    writes = {
        # Bounded to the graph it names: what it added is checked.
        '"yesterday"': "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/notes> { "
        f'<https://w3id.org/aikg/note/1> <http://schema.org/dateCreated> "yesterday"^^{date} }} }}',
        # Bounded to no graph: the whole store is.
        '"2023-02-29"': "INSERT { GRAPH ?g { ?c <http://schema.org/dateCreated> "
        f'"2023-02-29"^^{date} }} }} WHERE {{ GRAPH ?g {{ ?c a <{AIKG}Country> }} }}',
    }
    for value, write in writes.items():
        tried = KnowledgeGraph(kg.store.scratch_copy(), graph_files=kg.graph_files)
        with pytest.raises(ValidationError) as caught:
            jobs.update(tried, True, write)
        assert "the write was refused" in caught.value.message
        assert {(v.value, v.source_shape) for v in caught.value.report.violations} == {
            (f"{value}^^{date}", CHECK)
        }


def test_a_blank_focus_node_is_shown_and_reported_as_one() -> None:
    violation = Violation(
        focus_node="b0",
        path="http://www.w3.org/2000/01/rdf-schema#comment",
        value=f'"300"^^<{XSD}byte>',
        source_shape=CHECK,
        source_constraint=None,
        constraint_component="LiteralFormCheck",
        severity="Violation",
        message="m",
        file="notes.ttl",
    )
    assert violation.location() == (
        "notes.ttl: _:b0, path <http://www.w3.org/2000/01/rdf-schema#comment>"
    )
    report = with_checks(ValidationReport(conforms=True), [violation])
    assert not report.conforms
    assert list(report.graph.objects(None, SH.focusNode)) == [BNode("b0")]
    named = with_checks(
        ValidationReport(conforms=True),
        [Violation(**{**violation.__dict__, "focus_node": "https://w3id.org/aikg/note/1"})],
    )
    assert list(named.graph.objects(None, SH.focusNode)) == [URIRef("https://w3id.org/aikg/note/1")]
