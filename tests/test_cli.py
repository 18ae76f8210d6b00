"""The aikg command: formats, files and the documented exit codes."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from aikg import cli
from aikg.cli import EXIT_INPUT, EXIT_OK, EXIT_VIOLATIONS, main
from aikg.errors import ParameterError, QuerySyntaxError, UnsupportedFormatError
from aikg.formats import RDF_FORMATS
from aikg.interrupt import EXIT_INTERRUPTED
from aikg.knowledge_graph import KnowledgeGraph
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


KR_CODE = "CONSTRUCT WHERE { <country/KR> aikg:iso3166Alpha2 ?code }"


def test_xml_is_rdf_xml_for_a_graph_and_sparql_xml_for_a_table() -> None:
    code, out = run("query", "--format", "xml", KR_CODE)
    assert code == EXIT_OK
    assert [str(t) for t in ox.parse(out.encode(), format=ox.RdfFormat.RDF_XML)] == [
        '<https://w3id.org/aikg/country/KR> <https://w3id.org/aikg/ontology#iso3166Alpha2> "KR"'
    ]
    code, out = run(
        "query", "--format", "xml", "SELECT ?code WHERE { <country/KR> aikg:iso3166Alpha2 ?code }"
    )
    parsed = ox.parse_query_results(out.encode(), format=ox.QueryResultsFormat.XML)
    assert code == EXIT_OK and [s["code"] for s in parsed] == [ox.Literal("KR")]  # type: ignore[union-attr]


def test_a_graph_is_turtle_by_default() -> None:
    code, out = run("query", KR_CODE)
    assert (code, out) == (
        EXIT_OK,
        '<https://w3id.org/aikg/country/KR> <https://w3id.org/aikg/ontology#iso3166Alpha2> "KR" .\n',
    )


GRAPH_HINT = (
    "for {form} query use one of turtle, ntriples, nquads, trig, jsonld, xml (xml is RDF/XML here)"
)
TABLE_HINT = (
    "for {form} query use one of json, xml, csv, tsv, html (xml is SPARQL XML results here)"
)
MISFITS = [
    (KR_CODE, "csv", "a CONSTRUCT", "an RDF graph", GRAPH_HINT),
    (KR_CODE, "table", "a CONSTRUCT", "an RDF graph", GRAPH_HINT),
    ("DESCRIBE <country/KR>", "json", "a DESCRIBE", "an RDF graph", GRAPH_HINT),
    ("SELECT * WHERE { ?s ?p ?o }", "turtle", "a SELECT", "a table of results", TABLE_HINT),
    ("ASK { ?s ?p ?o }", "jsonld", "an ASK", "true or false", TABLE_HINT),
]


@pytest.mark.parametrize(("query", "fmt", "form", "answer", "hint"), MISFITS)
def test_a_format_that_does_not_fit_the_query_exits_2_and_prints_nothing(
    capsys: pytest.CaptureFixture[str], query: str, fmt: str, form: str, answer: str, hint: str
) -> None:
    code, out = run("query", "--format", fmt, query)
    assert (code, out) == (EXIT_INPUT, "")
    assert capsys.readouterr().err == (
        f"aikg: format {fmt!r} does not fit {form} query, whose answer is {answer}\n"
        "  where: --format\n"
        f"  fix:   {hint.format(form=form)}\n"
    )


def test_the_cli_the_python_api_and_http_refuse_a_format_with_one_message(
    capsys: pytest.CaptureFixture[str], kg: KnowledgeGraph, app_client: object
) -> None:
    message = "format 'csv' does not fit a CONSTRUCT query, whose answer is an RDF graph"
    hint = GRAPH_HINT.format(form="a CONSTRUCT")
    assert run("query", "--format", "csv", KR_CODE) == (EXIT_INPUT, "")
    assert f"aikg: {message}\n  where: --format\n  fix:   {hint}\n" == capsys.readouterr().err
    with pytest.raises(UnsupportedFormatError) as caught:
        kg.serialize_query(KR_CODE, "csv")
    assert (caught.value.message, caught.value.hint) == (message, hint)
    response = app_client.get("/sparql", params={"query": KR_CODE, "format": "csv"})  # type: ignore[attr-defined]
    assert response.status_code == 400
    assert response.json() == {
        "error": "unsupported-format",
        "status": 400,
        "message": message,
        "where": "parameter 'format'",
        "hint": hint,
    }


@pytest.mark.parametrize("command", ["query", "run"])
def test_help_lists_each_query_format_once(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert (
        "--format {table,json,xml,csv,tsv,html,turtle,ntriples,nquads,trig,jsonld}"
        in capsys.readouterr().out
    )


def test_a_bad_query_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("query", "SELECT * WHERE { ?s ?p }")
    assert code == EXIT_INPUT
    assert "SPARQL syntax error" in capsys.readouterr().err


def aikg_from_a_terminal(*args: str) -> list[str]:
    """The ``aikg`` command with ``args``, as a terminal starts it: Ctrl-C handled by
    Python, whatever this process inherited (a command started in the background of a
    script, as CI may run the tests, has SIGINT ignored, and so have its children)."""
    start = (
        "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from aikg.cli import command; command()"
    )
    return [sys.executable, "-c", start, *args]


def _cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far (Linux: /proc/PID/stat)."""
    # After the command's name, in brackets: utime and stime are the 12th and 13th fields.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_ctrl_c_stops_a_query_inside_the_engine_with_one_line() -> None:
    # Every triple with every other twice over: billions of rows to count on the
    # bundled data, without a row for the engine to hand back to Python meanwhile.
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    command = subprocess.Popen(
        aikg_from_a_terminal("query", endless),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The data loaded (about a second of CPU) and the query well under way: the
        # signal must find the engine running, not Python.
        deadline = time.monotonic() + 120
        while _cpu_seconds(command.pid) < 3:
            assert command.poll() is None, "the query ended on its own"
            assert time.monotonic() < deadline, "the query never got under way"
            time.sleep(0.1)
        command.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
    # Ended by the watching thread after its grace (Python never got control back), by
    # SIGINT itself, as a shell expects of a command Ctrl-C ended.
    assert time.monotonic() - sent >= 1.5
    assert command.returncode == -signal.SIGINT
    assert err == "aikg: interrupted (Ctrl-C)\n"  # no traceback
    assert out == ""


def test_ctrl_c_in_python_code_stops_the_command_and_leaves_no_trace(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def slow_stats(args: object, out: object) -> int:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(30)  # Python code: the signal raises KeyboardInterrupt here
        return EXIT_OK

    monkeypatch.setattr(cli, "cmd_stats", slow_stats)
    # Python's own Ctrl-C handling, as in a terminal (not inherited ignored, as in CI).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert main(["stats"]) == EXIT_INTERRUPTED
        assert capsys.readouterr().err == "aikg: interrupted (Ctrl-C)\n"
        # The process's own Ctrl-C handling is back, and the watching thread gone.
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert not [t for t in threading.enumerate() if t.name == "aikg-ctrl-c"]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_command_started_with_ctrl_c_ignored_keeps_ignoring_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As a command started in the background of a script: Ctrl-C is not for it.
    def stats_past_a_ctrl_c(args: object, out: object) -> int:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)
        return EXIT_OK

    monkeypatch.setattr(cli, "cmd_stats", stats_past_a_ctrl_c)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert main(["stats"]) == EXIT_OK
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=[f.name for f in RDF_FORMATS])
def test_export_writes_each_format_to_a_file(tmp_path: Path, fmt: object) -> None:
    target = tmp_path / f"dump.{fmt.extension}"  # type: ignore[attr-defined]
    code, _ = run("export", "--format", fmt.name, "-o", str(target))  # type: ignore[attr-defined]
    assert code == EXIT_OK
    assert len(list(ox.parse(path=str(target)))) > 2000


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_export_an_unknown_or_results_format_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", "--format", fmt])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"argument --format: invalid choice: '{fmt}'" in captured.err


def test_stats_counts_triples_per_graph_and_instances_per_class() -> None:
    code, out = run("stats", "--format", "json")
    stats = json.loads(out)
    assert code == EXIT_OK
    assert stats["graphs"]["https://w3id.org/aikg/graph/holdings"] == 79
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


@pytest.mark.parametrize("place", ["missing-folder/out.csv", "."])
def test_an_output_that_cannot_be_written_is_exit_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], place: str
) -> None:
    output = str(tmp_path / place)
    code, out = run("query", "ASK {}", "--format", "json", "--output", output)
    err = capsys.readouterr().err
    assert (code, out) == (EXIT_INPUT, "")
    assert f"cannot write {output}" in err and "Traceback" not in err


def test_a_query_file_is_read_as_utf_8_with_or_without_a_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marked = tmp_path / "marked.rq"
    marked.write_bytes(b"\xef\xbb\xbfASK { ?s ?p ?o }")
    code, out = run("query", "--file", str(marked), "--format", "json")
    assert (code, json.loads(out)["boolean"]) == (EXIT_OK, True)
    utf16 = tmp_path / "utf16.rq"
    utf16.write_bytes("ASK {}".encode("utf-16"))
    code, out = run("query", "--file", str(utf16))
    err = capsys.readouterr().err
    assert (code, out) == (EXIT_INPUT, "")
    assert f"{utf16} is not UTF-8 text (byte 1 cannot be read)" in err
    assert "Traceback" not in err


def test_generate_refuses_a_file_it_would_not_write_in_its_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every name but .trig got N-Quads: out.ttl held N-Quads that no Turtle parser reads;
    and --expected naming the data's file overwrote the data."""
    turtle = tmp_path / "out.ttl"
    assert run("generate", str(turtle), "--triples", "10")[0] == EXIT_INPUT
    assert "writes N-Quads (.nq, .nquads) or TriG (.trig)" in capsys.readouterr().err
    same = tmp_path / "same.nq"
    code, _ = run("generate", str(same), "--triples", "10", "--expected", str(same))
    assert code == EXIT_INPUT
    assert "--expected names the file the data goes to" in capsys.readouterr().err
    assert not turtle.exists() and not same.exists()
    upper = tmp_path / "OUT.NQ"
    assert run("generate", str(upper), "--triples", "10")[0] == EXIT_OK
    assert upper.read_text(encoding="utf-8").count(" .\n") > 10


def test_a_query_of_bytes_that_are_not_utf_8_is_refused_where_they_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Python reads such bytes of a command line as lone surrogates, which the engine
    cannot take: a UnicodeEncodeError from deep inside it, before."""
    text = "ASK { FILTER ('\udcff' = 'a') }"
    code, out = run("query", text)
    err = capsys.readouterr().err
    assert (code, out) == (EXIT_INPUT, "")
    assert "bytes that are not UTF-8 at line 1, column 16" in err and "Traceback" not in err
    with pytest.raises(QuerySyntaxError, match="not UTF-8 at line 1, column 16"):
        KnowledgeGraph.load().query(text)


@pytest.mark.parametrize("bad", ["x y", "", "e"])
def test_a_label_language_is_a_language_tag_in_the_cli_and_python_as_over_http(
    capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        run("run", "holdings", "--lang", bad)
    assert caught.value.code == EXIT_INPUT
    assert f"argument --lang: lang {bad!r} is not a BCP 47 language tag" in capsys.readouterr().err
    kg = KnowledgeGraph.load()
    with pytest.raises(ParameterError, match="is not a BCP 47 language tag") as refused:
        kg.saved("holdings", lang=bad)
    assert refused.value.where == "lang"
    assert len(kg.saved("holdings", lang="ko")) == len(kg.saved("holdings", lang=None)) > 0


def test_a_setting_that_cannot_be_used_is_unusable_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 2, not 3 (the service cannot do it): the user gave it."""
    assert run("stats", "--base-iri", "ftp://x/")[0] == EXIT_INPUT
    assert "base IRI" in capsys.readouterr().err
    monkeypatch.setenv("AIKG_MAX_ROWS", "abc")
    assert run("stats")[0] == EXIT_INPUT
    assert "AIKG_MAX_ROWS" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_refuses_a_port_that_is_none(capsys: pytest.CaptureFixture[str], port: str) -> None:
    with pytest.raises(SystemExit) as caught:
        run("serve", "--port", port)
    assert caught.value.code == EXIT_INPUT
    err = capsys.readouterr().err
    assert f"argument --port: {port!r} is no TCP port" in err and "Traceback" not in err
