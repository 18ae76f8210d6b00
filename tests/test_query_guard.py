"""Dangerous SPARQL is refused before it reaches the engine, and harmless SPARQL is not."""

from __future__ import annotations

import pytest

from aikg.errors import QueryRefusedError
from aikg.query_guard import check_query
from aikg.sparql_lexer import where_group_start


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
    with pytest.raises(QueryRefusedError):
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
