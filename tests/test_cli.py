"""The aikg command: formats, files and the documented exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from aikg.cli import EXIT_INPUT, EXIT_OK, EXIT_VIOLATIONS, main
from aikg.formats import RDF_FORMATS
from tests.test_store import INVALID_HOLDING


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_validate_the_bundled_data_exits_0() -> None:
    code, out = run("validate")
    assert (code, out.strip()) == (EXIT_OK, "Conforms: the data satisfies every shape.")


def test_validate_violations_exit_1_with_file_focus_and_message(tmp_path: Path) -> None:
    bad = tmp_path / "zero.ttl"
    bad.write_text(INVALID_HOLDING)
    code, out = run("validate", str(bad))
    assert code == EXIT_VIOLATIONS
    assert f"{bad}: <https://w3id.org/aikg/claim/h100-france-zero>" in out
    assert "aikg:quantity, an xsd:integer > 0" in out


@pytest.mark.parametrize("fmt", ["json", "turtle"])
def test_validate_reports_in_json_and_turtle(tmp_path: Path, fmt: str) -> None:
    bad = tmp_path / "zero.ttl"
    bad.write_text(INVALID_HOLDING)
    code, out = run("validate", str(bad), "--format", fmt)
    assert code == EXIT_VIOLATIONS
    if fmt == "json":
        report = json.loads(out)
        assert report["conforms"] is False
        assert {v["path"] for v in report["violations"]} >= {
            "https://w3id.org/aikg/ontology#quantity"
        }
    else:
        graph = rdflib.Graph().parse(data=out, format="turtle")
        assert (
            None,
            rdflib.RDF.type,
            rdflib.URIRef("http://www.w3.org/ns/shacl#ValidationReport"),
        ) in graph


def test_validate_unparseable_input_exits_2_naming_file_line_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n")
    code, _ = run("validate", str(bad))
    assert code == EXIT_INPUT
    assert f"where: {bad}, line 2, column 11" in capsys.readouterr().err


def test_validate_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("validate", str(tmp_path / "absent.ttl"))
    assert code == EXIT_INPUT
    assert "no such file" in capsys.readouterr().err


def test_query_prints_a_table_by_default() -> None:
    code, out = run("query", "SELECT ?n WHERE { <claim/h100-tesla-s1> aikg:quantity ?n }")
    assert code == EXIT_OK
    assert out.splitlines() == ["n", "-----", "35000", "(1 rows)"]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("csv", "n\r\n35000\r\n"),
        ("tsv", '?n\n"35000"^^<http://www.w3.org/2001/XMLSchema#integer>\n'),
    ],
)
def test_query_writes_csv_and_tsv(fmt: str, expected: str) -> None:
    code, out = run(
        "query", "--format", fmt, "SELECT ?n WHERE { <claim/h100-tesla-s1> aikg:quantity ?n }"
    )
    assert (code, out) == (EXIT_OK, expected)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_query_writes_sparql_results_json_and_xml(fmt: str) -> None:
    code, out = run(
        "query", "--format", fmt, "SELECT ?n WHERE { <claim/h100-tesla-s1> aikg:quantity ?n }"
    )
    assert code == EXIT_OK
    parsed = ox.parse_query_results(
        out.encode(), format=getattr(ox.QueryResultsFormat, fmt.upper())
    )
    assert [s["n"] for s in parsed] == [
        ox.Literal("35000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    ]


def test_query_from_a_file_with_an_rdf_format_for_construct(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("CONSTRUCT WHERE { <country/KR> aikg:iso3166Alpha2 ?code }")
    code, out = run("query", "--file", str(query), "--format", "ntriples")
    assert (code, out) == (
        EXIT_OK,
        '<https://w3id.org/aikg/country/KR> <https://w3id.org/aikg/ontology#iso3166Alpha2> "KR" .\n',
    )


def test_a_bad_query_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("query", "SELECT * WHERE { ?s ?p }")
    assert code == EXIT_INPUT
    assert "SPARQL syntax error" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=[f.name for f in RDF_FORMATS])
def test_export_writes_each_format_to_a_file(tmp_path: Path, fmt: object) -> None:
    target = tmp_path / f"dump.{fmt.extension}"  # type: ignore[attr-defined]
    code, _ = run("export", "--format", fmt.name, "-o", str(target))  # type: ignore[attr-defined]
    assert code == EXIT_OK
    assert len(list(ox.parse(path=str(target)))) > 2000


def test_export_an_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", "--format", "yaml"])
    assert caught.value.code == 2


def test_stats_counts_triples_per_graph_and_instances_per_class() -> None:
    code, out = run("stats", "--format", "json")
    stats = json.loads(out)
    assert code == EXIT_OK
    assert stats["graphs"]["https://w3id.org/aikg/graph/holdings"] == 71
    assert stats["classes"]["https://w3id.org/aikg/ontology#HardwareHolding"] == 6
    assert stats["triples"] == sum(stats["graphs"].values())


def test_the_installed_command_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aikg.cli", "stats"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "triples in 15 named graphs" in done.stdout
