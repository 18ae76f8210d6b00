"""Dangerous SPARQL is refused before it reaches the engine, and harmless SPARQL is not."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
import time
import tracemalloc

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aikg.errors import QueryRefusedError
from aikg.saved_queries import catalog
from aikg.sparql.guard import check_query
from aikg.sparql.lexer import READINGS, read_query, resolve_iri, where_group_start


def check(
    text: str, *, update: bool = False, hosts: tuple[str, ...] = ("allowed.example",)
) -> None:
    check_query(text, max_length=5000, max_depth=20, allowed_hosts=hosts, update=update)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:8890/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://evil.example/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o.SERVICE <http://evil.example/> { ?a ?b ?c } }",
        "SELECT * WHERE { ?s ?p 1SERVICE <http://evil.example/> { ?a ?b ?c } }",
        "SELECT * WHERE { ?s ?p trueSERVICE <http://evil.example/> { ?a ?b ?c } }",
        "SELECT * WHERE { \\u0053ERVICE <http://evil.example/> { ?a ?b ?c } }",
        "SELECT * WHERE { \\U00000053ERVICE <http://evil.example/> { ?a ?b ?c } }",
        "PREFIX e: <http://evil.example/> SELECT * WHERE { SERVICE e:sparql { ?a ?b ?c } }",
        "PREFIX E: <http://evil.example/> PREFIX e: <http://allowed.example/> "
        "SELECT * WHERE { SERVICE E:x { ?a ?b ?c } }",
        "BASE <http://evil.example/> SELECT * WHERE { SERVICE <sparql> { ?a ?b ?c } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?a ?b ?c } }",
        "SELECT * WHERE { SERVICE undeclared:x { ?a ?b ?c } }",
        "PREFIX : <http://evil.example/> SELECT * WHERE { SERVICE:x { ?a ?b ?c } }",
        "SELECT * WHERE { FILTER (?a<?b && ?c>?d) SERVICE <http://evil.example/> {} }",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?a ?b ?c } }",
    ],
)
def test_service_to_a_host_off_the_allow_list_is_refused(text: str) -> None:
    with pytest.raises(QueryRefusedError, match=r"SERVICE|escape"):
        check(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }",
        'SELECT * WHERE { ?s ?p "SERVICE <http://evil.example/>" } # SERVICE <http://evil.example/>',
        "SELECT * WHERE { ?s ?p '''multi\nSERVICE <http://evil.example/>''' }",
        "SELECT * WHERE { ?s <http://schema.org/Service> ?o . ?s ?p ?SERVICE }",
        "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s schema:WebService ?o }",
    ],
)
def test_harmless_mentions_of_service_pass(text: str) -> None:
    check(text)


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX e: <http://allowed.example/> PREFIXe:<http://127.0.0.1:9/> "
        "SELECT * WHERE { SERVICE e:x { } }",
        "prefix: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE :x { } }",
    ],
)
def test_a_name_that_could_declare_a_prefix_is_refused(text: str) -> None:
    # Oxigraph reads "PREFIXe:<x>" as PREFIX e: <x>, a redeclaration.
    with pytest.raises(QueryRefusedError, match="could be read as a PREFIX declaration"):
        check(text)


def test_load_in_an_update_is_always_refused() -> None:
    with pytest.raises(QueryRefusedError, match="LOAD is refused"):
        check("LOAD <file:///etc/passwd> INTO GRAPH <http://e/g>", update=True, hosts=("",))
    with pytest.raises(QueryRefusedError, match="LOAD is refused"):
        check(
            "INSERT DATA { <http://e/a> <http://e/b> 1 } ; load <http://allowed.example/x>",
            update=True,
        )


def test_too_deep_nesting_is_refused_before_the_engine_can_crash() -> None:
    with pytest.raises(QueryRefusedError, match="more than 20 deep"):
        check("SELECT * WHERE " + "{" * 21 + "}" * 21)
    with pytest.raises(QueryRefusedError, match="more than 20 deep"):
        check("SELECT * WHERE { FILTER (" + "(" * 30 + "1" + ")" * 30 + ") }")
    check("SELECT * WHERE " + "{" * 19 + "}" * 19)


CHAINS = {
    "sum": "SELECT ?y WHERE {{ BIND(1 AS ?x) BIND({} AS ?y) }}",
    "alternatives": "SELECT ?x WHERE {{ BIND(1 AS ?x) FILTER({}) }}",
}


def chain(kind: str, operators: int) -> str:
    """A chain of about ``operators`` operators (``?x <= i ||`` is two)."""
    if kind == "sum":
        return CHAINS[kind].format(" + ".join(["?x"] * operators))
    return CHAINS[kind].format(" || ".join(f"?x <= {i}" for i in range(operators // 2)))


@pytest.mark.parametrize("kind", CHAINS)
def test_a_chain_of_operators_long_enough_to_crash_the_engine_is_refused(kind: str) -> None:
    """A chain nests as deep as it is long, in brackets only one deep: Oxigraph crashes
    (SIGSEGV, in a child process here) on 10,000 operators in one bracket."""
    crash = chain(kind, 10_000 if kind == "sum" else 20_000)  # 10,000 + or ||
    script = "import sys, pyoxigraph as ox; list(ox.Store().query(sys.stdin.read()))"
    bare = subprocess.run(
        [sys.executable, "-c", script], input=crash.encode(), check=False, timeout=120
    )
    assert bare.returncode == -signal.SIGSEGV
    long = {"max_length": 10**6, "max_depth": 100, "allowed_hosts": ()}
    with pytest.raises(QueryRefusedError, match="chain more than 4,000 operators") as refused:
        check_query(crash, **long)  # type: ignore[arg-type]
    assert "IN (...)" in (refused.value.hint or "")
    check_query(chain(kind, 4_000), **long)  # type: ignore[arg-type]  # || and <= are one each
    # Many operators in brackets of their own are no chain, nor are signs of numbers.
    spread = " ".join(f"FILTER(?x + {i} > 0)" for i in range(3_000))
    check_query(f"SELECT ?x WHERE {{ BIND(1 AS ?x) {spread} }}", **long)  # type: ignore[arg-type]
    negatives = " + ".join(["-1"] * 3_999)  # 3,998 operators, 3,999 signs
    check_query(f"SELECT ?y WHERE {{ BIND({negatives} AS ?y) }}", **long)  # type: ignore[arg-type]


GROUP_CHAINS = {
    "triple patterns": " . ".join(f"?s <http://e/p> ?o{i}" for i in range(10_000)),
    "OPTIONAL clauses": " ".join(f"OPTIONAL {{ ?s <http://e/p> ?o{i} }}" for i in range(10_000)),
    "FILTER clauses": " ".join(f"FILTER(?s != {i})" for i in range(10_000)),
    "objects of one list": "?s <http://e/p> " + ", ".join(f"?o{i}" for i in range(10_000)),
    "steps of a path": "?s " + "/".join(["<http://e/p>"] * 10_000) + " ?o",
    "UNION branches": " UNION ".join(["{ ?s <http://e/p> ?o }"] * 10_000),
}


@pytest.mark.parametrize("kind", GROUP_CHAINS)
def test_a_group_chaining_enough_patterns_to_crash_the_engine_is_refused(kind: str) -> None:
    """10,000 of each, one group deep: Oxigraph crashes (SIGSEGV) building them."""
    text = f"SELECT * WHERE {{ {GROUP_CHAINS[kind]} }}"
    if kind == "OPTIONAL clauses":  # one of them shown in a child process
        script = "import sys, pyoxigraph as ox; list(ox.Store().query(sys.stdin.read()))"
        bare = subprocess.run(
            [sys.executable, "-c", script], input=text.encode(), check=False, timeout=120
        )
        assert bare.returncode == -signal.SIGSEGV
    long = {"max_length": 10**7, "max_depth": 100, "allowed_hosts": ()}
    with pytest.raises(QueryRefusedError, match="chain more than 4,000 patterns and clauses"):
        check_query(text, **long)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [
        "VALUES ?x { " + " ".join(f"{i}.5" for i in range(50_000)) + " }",
        "VALUES ?x { " + " ".join(f"-{i}" for i in range(50_000)) + " }",
        "BIND(1 AS ?x) FILTER(?x IN (" + ", ".join(str(-i) for i in range(20_000)) + "))",
        " ".join(f"FILTER(?s != {i})" for i in range(3_000)),
    ],
    ids=["50,000 decimals", "50,000 negative numbers", "an IN list of 20,000", "3,000 filters"],
)
def test_long_flat_lists_are_no_chain(body: str) -> None:
    """Values in one VALUES block or IN list, which the engine reads flat, pass; so do
    3,000 clauses (8,000 ran)."""
    check_query(f"SELECT * WHERE {{ {body} }}", max_length=10**7, max_depth=100, allowed_hosts=())


def test_too_long_text_is_refused() -> None:
    with pytest.raises(QueryRefusedError, match="5,001 characters long"):
        check("#" * 5001)


@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE {"),
        ("SELECT * { ?s ?p ?o }", "SELECT * {"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {"),
        (
            "SELECT (EXISTS { ?a ?b ?c } AS ?x) WHERE { ?s ?p ?o }",
            "SELECT (EXISTS { ?a ?b ?c } AS ?x) WHERE {",
        ),
        (
            "PREFIX a: <http://e/#x> SELECT * # { comment\n WHERE { ?s ?p '{' }",
            "PREFIX a: <http://e/#x> SELECT * # { comment\n WHERE {",
        ),
    ],
)
def test_the_where_group_is_found_past_braces_in_iris_comments_and_templates(
    text: str, before: str
) -> None:
    assert text[: where_group_start(text)] == before


# -- one reading of a query: the guard decides on the tokens the engine reads -------------

REPORTED = (
    "SELECT * { BIND(<http://x/\\u0022> AS ?z) "
    'BIND(bif:http_get("http://127.0.0.1:1/") AS ?x) FILTER(?z != "") }'
)
BASE = "http://base/dir/"


def test_the_escape_that_hid_a_call_behind_an_iri_is_refused_by_name_and_place() -> None:
    with pytest.raises(QueryRefusedError, match=r"\\u0022 \('\"'\) at line 1, column 27") as caught:
        check(REPORTED)
    assert "write the character itself" in (caught.value.hint or "")
    assert caught.value.where == "line 1, column 27 (character 26)"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { \\u0053ERVICE <http://allowed.example/> { } }",
        "\\u0053ELECT * { }",
        "PREFIX e: <http://e/> SELECT * { ?s e:\\u0041 ?o }",
        "SELECT * { ?s ?p ?o } # \\u000a SERVICE <http://evil.example/> { }",
        "SELECT * { ?s ?p ?o } \\u0023",
        "SELECT * { ?s ?p ?o } \\uZZZZ",
        "SELECT * { ?s ?p ?o } \\U0000003F",
    ],
)
def test_a_codepoint_escape_outside_a_string_is_refused_wherever_it_stands(text: str) -> None:
    with pytest.raises(QueryRefusedError, match=r"codepoint escape \\[uU].* outside a string"):
        check(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('SELECT * { BIND("\\u0022" AS ?x) }', '"'),
        ("SELECT * { BIND('\\u0027 } SERVICE <http://evil.example/> { }' AS ?x) }", "' } SERVICE"),
        ('SELECT * { BIND("""\\U0001F600\\\\u0041""" AS ?x) }', "\U0001f600\\u0041"),
    ],
)
def test_a_codepoint_escape_inside_a_string_is_string_content(text: str, value: str) -> None:
    reading = check_query(text, max_length=5000, max_depth=20, allowed_hosts=())
    assert reading.strings[0].startswith(value)
    assert reading.mentions == ()


def test_a_carriage_return_ends_a_comment_as_it_does_for_the_engine() -> None:
    with pytest.raises(QueryRefusedError, match=r"SERVICE to http://evil\.example/"):
        check("SELECT * { # a comment\r SERVICE <http://evil.example/> { ?s ?p ?o } }")


def test_brackets_after_a_less_than_count_towards_the_depth() -> None:
    # "<2&&(((...)))>" would be an IRI to a lexer blind to context; Oxigraph reads a
    # comparison, and 20,000 such brackets kill it with SIGSEGV.
    deep = "(" * 30 + "1" + ")" * 30
    with pytest.raises(QueryRefusedError, match="more than 20 deep"):
        check(f"SELECT * {{ BIND(1 AS ?a) FILTER(?a<2&&{deep}>0) }}")
    reading = check_query(
        "SELECT * { ?s <http://e/p> ?o FILTER(?o<2&&?o>0) }",
        max_length=5000,
        max_depth=20,
        allowed_hosts=(),
    )
    assert reading.iris() == ["http://e/p"]


@pytest.mark.parametrize(
    "text",
    [
        "LOADSILENT<http://127.0.0.1:9/x>",
        "PREFIX : <http://127.0.0.1:9/> LOADSILENT:x",
        "PREFIX : <http://127.0.0.1:9/> LOAD:x",
    ],
)
def test_load_glued_to_a_name_is_still_load(text: str) -> None:
    with pytest.raises(QueryRefusedError, match="LOAD is refused"):
        check(text, update=True)


@pytest.mark.parametrize(
    ("text", "dataset"),
    [
        (
            "PREFIX : <http://e/> SELECT * FROM:g FROM NAMED:h { ?s ?p ?o }",
            [("from", "http://e/g"), ("from named", "http://e/h")],
        ),
        ("SELECT * FROMNAMED<http://e/g> { ?s ?p ?o }", [("from named", "http://e/g")]),
        (
            "BASE <http://e/a/> PREFIX g: <graph/> SELECT * FROM g:x FROM <../y> { }",
            [("from", "http://e/a/graph/x"), ("from", "http://e/y")],
        ),
        ("SELECT * { ?s <http://e/from> 'FROM <http://e/g>' }", []),
    ],
)
def test_the_dataset_is_read_as_oxigraph_reads_it(
    text: str, dataset: list[tuple[str, str]]
) -> None:
    assert [(m.role, m.iri) for m in read_query(text).dataset] == dataset


def test_every_named_iri_is_resolved_with_its_role() -> None:
    reading = read_query(
        "BASE <http://b/> PREFIX e: <e/> SELECT (e:f(?x) AS ?y) "
        "WHERE { SERVICE SILENT e:s { ?x a e:C } SERVICE ?v { } FILTER(<g>(?x)) }",
        "http://ignored/",
    )
    assert [(m.role, m.iri) for m in reading.mentions] == [
        ("base", "http://b/"),
        ("prefix", "http://b/e/"),
        ("function", "http://b/e/f"),
        ("service", "http://b/e/s"),
        ("other", "http://b/e/C"),
        ("service", None),
        ("function", "http://b/g"),
    ]
    assert (reading.form, reading.update) == ("select", False)
    assert read_query("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").update
    assert read_query("SELECT * {} INSERT DATA { }").update  # never sent as a query


@pytest.mark.parametrize("base", ["http://b/c/d?q#f", "bif:", "http://b", "urn:a:b", "file:///a/"])
@pytest.mark.parametrize(
    "ref",
    ["x", "../e", "//h/p", "?q", "#f", "", ".", "../../../x", "x/./y/../z", "/abs", "g;x",
     "HTTP://Z/../q", "a:b/../c", "%41", "x?y#z"],
)  # fmt: skip
def test_relative_iris_resolve_as_oxigraph_resolves_them(base: str, ref: str) -> None:
    result = ox.Store().query(f"SELECT ?x WHERE {{ BIND(<{ref}> AS ?x) }}", base_iri=base)
    assert isinstance(result, ox.QuerySolutions)
    engine = [row["x"].value for row in result]  # type: ignore[union-attr]
    assert [resolve_iri(base, ref)] == engine


# The differential test: queries carrying codepoint escapes of characters that matter to
# the grammar, in every place a query can hold them. For each, either the guard refuses
# it, or the guard's reading and Oxigraph's agree on every IRI and string the query
# binds; an escape inside a string is never refused.
ESCAPED = ['"', "'", ">", "<", "#", "{", "}", " ", "A", "S", "e", "é", "\\", ":", "\n", "?",
           ")", "(", "\U0001f600", "\t", "%", "."]  # fmt: skip
IN_STRINGS = [
    'SELECT * {{ BIND("a{E}b" AS ?v0) BIND(<http://y/> AS ?v1) }}',
    "SELECT * {{ BIND('a{E}b' AS ?v0) BIND(<http://y/> AS ?v1) }}",
    'SELECT * {{ BIND("""{E}""" AS ?v0) BIND(<http://y/> AS ?v1) }}',
    "SELECT * {{ BIND('''a{E}''' AS ?v0) BIND(<http://y/> AS ?v1) }}",
    'SELECT * {{ BIND("{E}" AS ?v0) BIND("x" AS ?v1) BIND(<http://y/> AS ?v2) }}',
    'SELECT * {{ BIND("\\\\{E}" AS ?v0) BIND(<http://y/> AS ?v1) }}',
]
ELSEWHERE = [
    'SELECT * {{ BIND(<http://x/{E}> AS ?z) BIND("http://127.0.0.1:1/" AS ?x) FILTER(?z != "") }}',
    "SELECT * {{ BIND(<http://x/{E}> AS ?v0) BIND(<http://y/> AS ?v1) }}",
    "SELECT * {{ BIND(<{E}rel> AS ?v0) BIND(<http://y/> AS ?v1) }}",
    "BASE <http://other/{E}/> SELECT * {{ BIND(<rel> AS ?v0) }}",
    "PREFIX e: <http://e/> SELECT * {{ BIND(e:a{E}b AS ?v0) BIND(<http://y/> AS ?v1) }}",
    "PREFIX e: <http://e/{E}> SELECT * {{ BIND(e:a AS ?v0) }}",
    "PREFIX e{E}: <http://e/> SELECT * {{ BIND(e{E}:a AS ?v0) }}",
    "PREFIX e: <http://e/> SELECT * {{ BIND(e:{E} AS ?v0) }}",
    "{E}ELECT * {{ BIND(<http://y/> AS ?v0) }}",
    "SELECT{E}* {{ BIND(<http://y/> AS ?v0) }}",
    "SELECT * {{ BI{E}D(<http://y/> AS ?v0) }}",
    "SELECT * {{ BIND(<http://x/a>{E}AS ?v0) BIND(<http://y/> AS ?v1) }}",
    'SELECT * {{ BIND("a"{E} AS ?v0) BIND(<http://y/> AS ?v1) }}',
    "SELECT * {{ # comment {E} BIND(<http://y/> AS ?v0)\n BIND(<http://z/> AS ?v1) }}",
    "SELECT * {{ BIND(<http://y/> AS ?v{E}) }}",
    "SELECT * {{ BIND(<http://y/> AS ?v0) }} {E}",
]
# Lexical corners without escapes, read the same way.
CORNERS = [
    "SELECT * { BIND(1 AS ?a) FILTER(?a<2&&?a>0) BIND(<http://y/> AS ?v0) }",
    "SELECT * { BIND(2 AS ?a) BIND(<http://y/> AS ?v0) FILTER(?a>1&&?a<3) }",
    "SELECT * { BIND(1 AS ?a) FILTER((?a)<(2)&&(?a)>=(0)) BIND(<http://y/> AS ?v0) }",
    "SELECT * { BIND(1 AS ?a) FILTER(?a<2&&((((1))))>0) BIND(<http://y/> AS ?v0) }",
    "SELECT * { # c\r BIND(<http://y/> AS ?v0) }",
    'SELECT * { # " unterminated\n BIND(<http://y/> AS ?v0) }',
    "SELECT * { BIND(<http://y/#frag> AS ?v0) } # } SERVICE <http://evil/> {}",
    "PREFIX : <http://e/> SELECT * { BIND(:a AS ?v0) }",
    "PREFIX e: <http://e/> SELECT * "
    "{ BIND(e:a\\-b AS ?v0) BIND(e:a%41 AS ?v1) BIND(e:a.b AS ?v2) BIND(e:a:b AS ?v3) }",
    "PREFIX e: <http://e/> SELECT * { BIND(e:é AS ?v0) BIND(e:a·b AS ?v1) BIND(e:1 AS ?v2) }",
    "BASE <http://b/c/d> SELECT * { BIND(<../x> AS ?v0) BIND(<?q> AS ?v1) BIND(<#f> AS ?v2) "
    "BIND(<> AS ?v3) BIND(<//h/p> AS ?v4) BIND(<./a/../b> AS ?v5) }",
    "BASE <urn:a:b> SELECT * { BIND(<x> AS ?v0) BIND(<.> AS ?v1) }",
    "BASE <http://b/> PREFIX e: <rel/> BASE <http://c/> SELECT * { BIND(e:x AS ?v0) "
    "BIND(<y> AS ?v1) }",
    "SELECT*{BIND(<http://y/>AS?v0)}",
    "SELECT * { VALUES (?v0 ?v1) { (<http://y/> <http://z/>) } }",
    "SELECT * { BIND(<http://y/> AS ?v0) FILTER(?v0 IN(<http://y/>)) }",
    'SELECT * { BIND("""a""b""" AS ?v0) BIND("""\\"""" AS ?v1) }',
    "SELECT * { BIND('''a''' AS ?v0) BIND('''''' AS ?v1) BIND('''a''b''' AS ?v2) }",
    'SELECT * { BIND("a\\tb\\n\\\\" AS ?v0) BIND("a"@en-US AS ?v1) }',
    'SELECT * { BIND("\\U0001F600\\u00e9" AS ?v0) }',
]


def _escapes(char: str) -> list[str]:
    code = ord(char)
    forms = [f"\\U{code:08X}"]
    if code <= 0xFFFF:
        forms += [f"\\u{code:04x}", f"\\u{code:04X}"]
    return forms


def _oxigraph_reading(text: str) -> tuple[set[str], set[str]] | None:
    """The IRIs and strings Oxigraph binds for a query on an empty store (None when it
    does not parse the query)."""
    try:
        result = ox.Store().query(text, base_iri=BASE)
    except (SyntaxError, ValueError, OSError, RuntimeError):
        return None
    assert isinstance(result, ox.QuerySolutions)
    iris, strings = set(), set()
    for row in result:
        for term in row:
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal) and term.datatype.value in (XSD_STRING, LANG_STRING):
                strings.add(term.value)
    return iris, strings


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _agrees(text: str) -> str | None:
    """None when the guard refuses the query or reads it as Oxigraph does; else why not."""
    try:
        reading = check_query(text, max_length=5000, max_depth=50, allowed_hosts=(), base_iri=BASE)
    except QueryRefusedError:
        return None
    engine = _oxigraph_reading(text)
    if engine is None:
        return None  # the engine refuses it: nothing runs
    mine = (set(reading.iris("other", "function")), set(reading.strings))
    return None if mine == engine else f"{text!r}: guard {mine}, Oxigraph {engine}"


@pytest.mark.parametrize("template", IN_STRINGS + ELSEWHERE)
def test_the_guard_and_oxigraph_read_every_escape_variant_alike(template: str) -> None:
    disagreements = []
    for char in ESCAPED:
        for escape in _escapes(char):
            text = template.format(E=escape)
            if template in IN_STRINGS:  # never refused
                check_query(text, max_length=5000, max_depth=50, allowed_hosts=())
            if (why := _agrees(text)) is not None:
                disagreements.append(why)
    assert disagreements == []


def test_the_guard_refuses_escapes_outside_strings_that_oxigraph_would_run() -> None:
    ran = refused = 0
    for template in ELSEWHERE:
        for char in ESCAPED:
            for escape in _escapes(char):
                text = template.format(E=escape)
                with pytest.raises(QueryRefusedError, match=re.escape(escape)):
                    check(text)
                refused += 1
                ran += _oxigraph_reading(text) is not None
    assert refused == 16 * 64
    assert ran > 100  # Oxigraph runs many of them: \u0041 in an IRI, in a comment...


@pytest.mark.parametrize("text", CORNERS)
def test_the_guard_and_oxigraph_read_lexical_corners_alike(text: str) -> None:
    assert _oxigraph_reading(text) is not None
    assert _agrees(text) is None


# -- the kept readings are bounded in bytes -----------------------------------------------


def test_reading_a_thousand_large_texts_keeps_the_cache_within_its_budget() -> None:
    READINGS.clear()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(1000):
            read_query(f"SELECT * WHERE {{ ?s ?p {i} }} #" + "x" * 100_000)
        held_after_large = tracemalloc.get_traced_memory()[0] - before
        for i in range(1000):  # just small enough to be kept, and 4x the budget in all
            read_query(f"SELECT * WHERE {{ ?s ?p {i} }} #" + "y" * 30_000)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held_after_large < 1_000_000  # 100 MB of text read, none of it kept
    assert READINGS.size <= READINGS.budget
    assert 0 < len(READINGS) < 1000
    assert held <= READINGS.budget


def test_a_saved_query_stays_read_once() -> None:
    READINGS.clear()
    text = catalog()["holdings"].text
    first = read_query(text)
    for i in range(200):
        read_query(f"SELECT * WHERE {{ ?s ?p {i} }}")
        assert read_query(text) is first


@pytest.mark.parametrize("piece", ["a1", "a.", "é1", "a-", "'''\\", "FILTER(?a<"])
def test_reading_takes_time_in_proportion_to_the_text(piece: str) -> None:
    # Trying every position of a long name as a prefixed name again took quadratic time:
    # 200,000 characters of "a1" took minutes, in the server's own thread.
    text = "SELECT * { " + piece * (200_000 // len(piece))
    started = time.monotonic()
    with contextlib.suppress(QueryRefusedError):
        read_query(text)
    assert time.monotonic() - started < 10


# Random compositions of the same pieces: whatever Oxigraph parses, the guard's reading
# holds every IRI and string Oxigraph binds (the guard sees all the engine sees).
PIECES = ['"', "'", ">", "<", "#", "{", "}", " ", "A", "é", "\\", ":", "\n", "\r", "?", ")",
          "(", ".", "-", "%41", "\\u0022", "\\u0041", "\\U00000027", "\\u003E", "\\\\",
          '\\"', "\\'", "a", "_", "1", "·", "'''", '"""', "e:", "<http://y/>", "&&", "# "]  # fmt: skip
_fragment = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
_term = st.tuples(
    st.sampled_from(["<http://x/{}>", "<{}>", "e:a{}", "'{}'", '"{}"', "'''{}'''", '"""{}"""']),
    _fragment,
).map(lambda shape: shape[0].format(shape[1]))
_clause = st.tuples(
    st.sampled_from(
        [
            "BIND({t}{f} AS ?v{i})",
            "BIND({t} AS ?v{i}){f}",
            "FILTER(?n<2&&{f}?n>0) BIND({t} AS ?v{i})",
        ]
    ),
    _term,
    _fragment,
)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_clause, min_size=1, max_size=3))
def test_the_guard_sees_every_iri_and_string_oxigraph_binds(
    clauses: list[tuple[str, str, str]],
) -> None:
    body = " ".join(shape.format(t=t, f=f, i=i) for i, (shape, t, f) in enumerate(clauses))
    text = f"PREFIX e: <http://e/> SELECT * {{ BIND(1 AS ?n) {body} }}"
    try:
        reading = check_query(text, max_length=5000, max_depth=50, allowed_hosts=(), base_iri=BASE)
    except QueryRefusedError:
        return
    engine = _oxigraph_reading(text)
    if engine is not None:
        assert engine[0] <= set(reading.iris("other", "function"))
        assert engine[1] <= set(reading.strings)
