"""The Python API: typed answers, exports that round-trip, the analyst's helpers, errors."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

import aikg
from aikg import (
    AikgError,
    KnowledgeGraph,
    NotFoundError,
    QueryRefusedError,
    QuerySyntaxError,
    SelectResult,
    Settings,
)
from aikg.errors import UnsupportedFormatError
from aikg.formats import RDF_FORMATS, rdf_format, result_format

KR = "https://w3id.org/aikg/country/KR"


def test_select_gives_rows_of_rdflib_terms_and_python_values(kg: KnowledgeGraph) -> None:
    result = kg.query("SELECT ?n WHERE { <claim/h100-xai-s1> aikg:quantity ?n }")
    assert isinstance(result, SelectResult)
    assert result.variables == ("n",)
    assert result[0]["n"] == Literal(100000)
    assert result.values() == [{"n": 100000}]


def test_unbound_variables_are_absent_from_their_row(kg: KnowledgeGraph) -> None:
    result = kg.query(
        "SELECT ?c ?model WHERE { ?c aikg:subject <company/meta> ; aikg:quantity ?q "
        "OPTIONAL { ?c aikg:hardwareModel ?model } }"
    )
    assert isinstance(result, SelectResult)
    assert result.rows == [{"c": URIRef("https://w3id.org/aikg/claim/accelerators-meta-s1")}]
    assert result.column("model") == [None]


def test_ask_gives_a_bool(kg: KnowledgeGraph) -> None:
    assert kg.query("ASK { <country/FR> aikg:iso3166Alpha2 'FR' }") is True
    assert kg.query("ASK { <country/FR> aikg:iso3166Alpha2 'XX' }") is False


def test_construct_and_describe_give_rdflib_graphs(kg: KnowledgeGraph) -> None:
    built = kg.query("CONSTRUCT { ?c <http://e/holds> ?n } WHERE { ?c aikg:quantity ?n }")
    assert isinstance(built, Graph)
    quantities = kg.query("SELECT ?c ?n WHERE { ?c aikg:quantity ?n }")
    assert isinstance(quantities, SelectResult)
    assert set(built.subject_objects(URIRef("http://e/holds"))) == {
        (row["c"], row["n"]) for row in quantities
    }
    assert len(built) == len(quantities) > 0
    described = kg.query("DESCRIBE <country/KR>")
    assert isinstance(described, Graph)
    assert (
        URIRef(KR),
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        Literal("South Korea", lang="en"),
    ) in described


def test_describe_returns_what_is_known_about_an_iri(kg: KnowledgeGraph) -> None:
    graph = kg.describe(KR)
    assert Literal("KR") in set(graph.objects(URIRef(KR), None))
    with pytest.raises(NotFoundError, match="nothing is known"):
        kg.describe("https://w3id.org/aikg/country/XX")


def test_the_row_limit_truncates_and_says_so(kg: KnowledgeGraph) -> None:
    result = kg.query("SELECT ?s WHERE { ?s a aikg:Quotation }", max_rows=5)
    assert isinstance(result, SelectResult)
    assert (len(result), result.truncated) == (5, True)
    whole = kg.query("SELECT ?s WHERE { ?s a aikg:TableCell }", max_rows=50)
    assert isinstance(whole, SelectResult)
    # The Key Metrics table: 3 countries (Korea, China, France) by 4 rows.
    assert (len(whole), whole.truncated) == (3 * 4, False)


def test_a_syntax_error_names_line_and_column(kg: KnowledgeGraph) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        kg.query("SELECT ?s\nWHERE { ?s ?p }")
    assert caught.value.where is not None
    assert caught.value.where.startswith("line 2, column 16")


def test_service_is_refused_in_process_too(kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryRefusedError, match="not on the allow-list"):
        kg.query("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=[f.name for f in RDF_FORMATS])
def test_every_export_format_parses_back_to_the_same_data(
    kg: KnowledgeGraph, fmt: aikg.formats.RdfFormat
) -> None:
    data = kg.export(fmt.name)
    parsed = list(ox.parse(data, format=fmt.engine))
    quads = list(kg.store.stated_quads())  # the inferred graph only when asked for
    if fmt.datasets:
        assert len(parsed) == len(quads)
        assert {q.graph_name for q in parsed} == {q.graph_name for q in quads}
    else:
        assert len(parsed) == len({(q.subject, q.predicate, q.object) for q in quads})


def test_one_graph_can_be_exported_alone(kg: KnowledgeGraph) -> None:
    data = kg.export("ntriples", kg.graph_iri("conflicts"))
    # Two conflicts (F06, F11), each typed, labelled and described (3 triples), naming
    # 2 and 6 conflicting claims, of which 2 and 1 disputed: 2 * 3 + 2 + 6 + 2 + 1 triples.
    assert len(data.decode().strip().splitlines()) == 2 * 3 + 2 + 6 + 2 + 1


def test_holdings_are_ranked_with_sources_quotes_and_conflicts(kg: KnowledgeGraph) -> None:
    holdings = kg.holdings().records
    assert [(h.holder_label, h.quantity, h.source_id) for h in holdings] == [
        ("China", 350000, "S1"),
        ("Meta", 350000, "S1"),
        ("xAI", 100000, "S1"),
        ("Tesla", 35000, "S1"),
        ("South Korea", 2000, "S1"),
        ("South Korea", 2000, "S2"),
    ]
    meta = holdings[1]
    assert meta.hardware_model is None and meta.hardware_label == "AI Accelerator"
    assert meta.conflict == "https://w3id.org/aikg/conflict/holder-of-350000"
    assert meta.quotes == ("Meta’s AI Accelerator: 350,000 vs 2,000 – The Unstoppable AI War",)
    assert [h.holder_label for h in kg.holdings(holder="country/KR").records] == ["South Korea"] * 2


def test_holdings_filter_by_hardware_model(kg: KnowledgeGraph) -> None:
    labels = {h.holder_label for h in kg.holdings(hardware="hardware/nvidia-h100").records}
    assert labels == {"China", "xAI", "Tesla", "South Korea"}


def test_index_positions_of_a_country(kg: KnowledgeGraph) -> None:
    positions = kg.index_positions("country/KR").records
    assert [
        (p.index_label, p.rank, p.ranked_count, p.tier_label, p.source_id) for p in positions
    ] == [
        ("AI Maturity Matrix", None, None, "stable competitive countries", "S1"),
        # The Senior Editor's "stable competitive", read as the same matrix's tier.
        ("AI Maturity Matrix", None, None, "stable competitive countries", "S2"),
        ("Manufacturing Competitiveness Index", 4, None, None, "S1"),
        ("global AI ranking", 35, None, None, "S1"),
        ("labor productivity (OECD-based)", 33, 38, None, "S1"),
    ]
    assert positions[0].publisher_label == "Boston Consulting Group"


def test_conflicts_group_their_claims(kg: KnowledgeGraph) -> None:
    conflicts = {c.label: c for c in kg.conflicts().records}
    holder = conflicts["Who holds 350,000: Meta or China?"]
    assert sorted(c.subject_label or "" for c in holder.claims) == ["China", "Meta"]
    assert holder.explanation is not None and "same figure" in holder.explanation
    france = conflicts["Is France among the AI leading countries?"]
    # France's "Leading" cell against the text's five leading countries (F11).
    assert len(france.claims) == 1 + 5
    assert [c.subject_label for c in france.claims if c.disputed] == ["France"]
    assert all(c.disputed for c in holder.claims)


def test_provenance_of_a_claim_gives_its_source_and_table_cell(kg: KnowledgeGraph) -> None:
    [record] = kg.provenance("claim/h100-china-s1").records
    assert (record.source_id, record.relation) == ("S1", None)
    [cell] = record.evidence
    assert (cell.text, cell.table_row, cell.table_column) == (
        "350,000",
        "GPU Units (H100)",
        "China",
    )


def test_provenance_of_an_entity_lists_every_claim_involving_it(kg: KnowledgeGraph) -> None:
    records = kg.provenance("person/min-woo-kim").records
    relations = {r.relation for r in records}
    assert "http://www.w3.org/ns/prov#wasAttributedTo" in relations
    assert "https://w3id.org/aikg/ontology#speaker" in relations
    assert all(r.source_id == "S2" for r in records)


KR_CODE = "CONSTRUCT WHERE { <country/KR> aikg:iso3166Alpha2 ?code }"


def test_a_format_name_is_read_for_the_query_form(kg: KnowledgeGraph) -> None:
    graph = kg.serialize_query(KR_CODE, "xml")
    assert (graph.media_type, graph.kind, graph.rows) == ("application/rdf+xml", "graph", 1)
    assert len(list(ox.parse(graph.body, format=ox.RdfFormat.RDF_XML))) == 1
    table = kg.serialize_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "xml")
    assert table.media_type == "application/sparql-results+xml"
    ask = kg.serialize_query("ASK { ?s ?p ?o }", "csv")
    assert (ask.body, ask.media_type) == (b"true", "text/csv")


@pytest.mark.parametrize(
    ("query", "fmt", "message"),
    [
        (
            KR_CODE,
            "csv",
            "format 'csv' does not fit a CONSTRUCT query, whose answer is an RDF graph",
        ),
        (
            KR_CODE,
            result_format("json"),
            "format 'json' does not fit a CONSTRUCT query, whose answer is an RDF graph",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o }",
            "turtle",
            "format 'turtle' does not fit a SELECT query, whose answer is a table of results",
        ),
        (
            "ASK { ?s ?p ?o }",
            rdf_format("nt"),
            "format 'ntriples' does not fit an ASK query, whose answer is true or false",
        ),
        ("SELECT * WHERE { ?s ?p ?o }", "yaml", "unknown format 'yaml'"),
    ],
)
def test_a_format_that_does_not_fit_is_refused_before_the_query_runs(
    kg: KnowledgeGraph, query: str, fmt: object, message: str
) -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        kg.serialize_query(query, fmt)  # type: ignore[arg-type]
    assert (caught.value.message, caught.value.where, caught.value.status) == (
        message,
        "argument fmt",
        400,
    )


def test_saved_queries_run_from_python(kg: KnowledgeGraph) -> None:
    result = kg.saved("holdings", holder="company/tesla")
    assert isinstance(result, SelectResult)
    assert [int(r["quantity"]) for r in result.values()] == [35000]


def test_errors_form_one_hierarchy_with_http_statuses() -> None:
    classes = [
        getattr(aikg, name)
        for name in aikg.__all__
        if isinstance(getattr(aikg, name), type) and issubclass(getattr(aikg, name), Exception)
    ]
    assert classes and all(issubclass(c, AikgError) for c in classes)
    error = NotFoundError("no such thing", where="here", hint="look elsewhere")
    assert error.to_dict() == {
        "error": "not-found",
        "status": 404,
        "message": "no such thing",
        "where": "here",
        "hint": "look elsewhere",
    }


def test_a_client_that_cannot_reach_its_server_says_so_in_aikg_s_words() -> None:
    """httpx's own ConnectError and UnsupportedProtocol came through, though every other
    error of the client is an AikgError."""
    with (
        aikg.Client("http://127.0.0.1:9", timeout=5) as client,
        pytest.raises(aikg.ServerUnreachableError) as caught,
    ):
        client.query("ASK {}")
    assert caught.value.message.startswith("cannot reach the aikg server at http://127.0.0.1:9")
    assert caught.value.status == 503 and "aikg serve" in (caught.value.hint or "")
    with pytest.raises(aikg.InputError, match="'not a url' is no server URL"):
        aikg.Client("not a url")

    class Stalling(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b'{"status": '
            raise httpx.ReadTimeout("the rest never came")

    stalled = httpx.MockTransport(lambda _: httpx.Response(200, stream=Stalling()))
    with pytest.raises(aikg.ServerUnreachableError, match="the rest never came"):
        aikg.Client("HTTP://127.0.0.1:8000", transport=stalled).health()


def test_a_client_goes_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """httpx honours HTTP_PROXY only for a client without a transport of its own."""
    asked: list[str] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = b'{"status": "ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy) as proxy:
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        assert aikg.Client("http://aikg.invalid:8000").health() == {"status": "ok"}
        proxy.shutdown()
    assert asked == ["http://aikg.invalid:8000/health"]


def test_bad_settings_say_which_variable_to_fix() -> None:
    with pytest.raises(aikg.ConfigError) as caught:
        Settings.from_env({"AIKG_QUERY_TIMEOUT": "soon"})
    assert caught.value.where == "environment variable AIKG_QUERY_TIMEOUT"
    with pytest.raises(aikg.ConfigError, match="base IRI"):
        Settings(base_iri="not an iri")
    # Taken before, each failed later, in a bare ValueError from wherever it was used.
    with pytest.raises(aikg.ConfigError, match="base IRI 'http://a b/' is not usable"):
        Settings(base_iri="http://a b/")
    for variable, url in [
        ("AIKG_STORE", "https://dba:secret@[::1"),
        ("AIKG_STORE_UPDATE", "http://127.0.0.1:99999/update"),
        ("AIKG_STORE_GRAPH_STORE", "ftp://host/store"),
    ]:
        with pytest.raises(aikg.ConfigError, match="is no http") as caught:
            Settings.from_env({variable: url})
        assert caught.value.where.endswith(variable)
        assert "secret" not in caught.value.message


@pytest.mark.parametrize(
    "variable", ["AIKG_QUERY_TIMEOUT", "AIKG_MAX_ROWS", "AIKG_WORKERS", "AIKG_KEEP_ALIVE"]
)
def test_a_setting_that_must_be_positive_refuses_zero(variable: str) -> None:
    with pytest.raises(aikg.ConfigError) as caught:
        Settings.from_env({variable: "0"})
    assert str(caught.value).startswith(f"{variable.removeprefix('AIKG_').lower()} must be")
    assert caught.value.where.endswith(variable)


def test_a_query_memory_budget_is_megabytes_or_zero_for_a_share() -> None:
    assert Settings.from_env({"AIKG_QUERY_MEMORY": "512"}).query_memory == 512
    assert Settings.from_env({}).query_memory == 0
    with pytest.raises(aikg.ConfigError, match="0 or more megabytes") as caught:
        Settings.from_env({"AIKG_QUERY_MEMORY": "-1"})
    assert caught.value.where == "query_memory / AIKG_QUERY_MEMORY"


# -- linked data in Python: what the server serves ---------------------------------------


def test_a_resource_view_is_what_the_page_shows(kg: KnowledgeGraph) -> None:
    view = kg.resource(KR)
    assert view.title == "South Korea"
    assert "https://w3id.org/aikg/ontology#Country" in {t.value for t in view.types}
    assert kg.knows(KR) and not kg.knows("https://w3id.org/aikg/country/XX")
    with pytest.raises(NotFoundError, match="nothing is known"):
        kg.resource("https://w3id.org/aikg/country/XX")


def test_a_resource_document_parses_back_and_names_the_resource(kg: KnowledgeGraph) -> None:
    data = kg.resource_rdf(KR, "ntriples")
    triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    assert any(t.subject == ox.NamedNode(KR) for t in triples)
    assert any(t.object == ox.NamedNode(KR) for t in triples)  # inbound links too


def test_graph_sizes_add_up_to_the_exported_dataset(kg: KnowledgeGraph) -> None:
    sizes = kg.graph_sizes()
    assert set(sizes["graphs"]) == set(kg.store.named_graphs())
    exported = list(ox.parse(kg.export("nquads", inferred=True), format=ox.RdfFormat.N_QUADS))
    assert sum(sizes["graphs"].values()) == len(exported)
    distinct = {(q.subject, q.predicate, q.object) for q in exported}
    assert sizes["union"] == len(distinct)


def test_a_streamed_dump_is_the_export(kg: KnowledgeGraph) -> None:
    chunks: list[bytes] = []
    kg.write_dump("nquads", chunks.append)
    assert b"".join(chunks) == kg.export("nquads")


def test_the_void_description_names_the_endpoint_and_every_dump(kg: KnowledgeGraph) -> None:
    void = Graph().parse(data=kg.void("http://localhost:8000/", "turtle"), format="turtle")
    sparql = URIRef("http://rdfs.org/ns/void#sparqlEndpoint")
    assert URIRef("http://localhost:8000/sparql") in set(void.objects(None, sparql))
    dumps = {str(o) for o in void.objects(None, URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert {f"http://localhost:8000/dumps/aikg.{f.extension}" for f in RDF_FORMATS} <= dumps


def test_the_ontology_documentation_covers_the_country_class(kg: KnowledgeGraph) -> None:
    docs = kg.ontology_docs()
    assert any(c.iri.endswith("#Country") for c in docs.classes)


def test_one_file_may_be_named_alone_and_settings_are_settings(tmp_path: Path) -> None:
    """A single string was read letter by letter ("cannot tell the RDF format of ''"), and
    a directory given to open() failed in an AttributeError."""
    notes = tmp_path / "notes.ttl"
    notes.write_text(
        "<https://w3id.org/aikg/note/1> <http://www.w3.org/2000/01/rdf-schema#comment> 'x' .",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.load(str(notes))
    assert kg.store.has_graph(kg.graph_iri("notes"))
    other = tmp_path / "more.ttl"
    other.write_text(notes.read_text(encoding="utf-8"), encoding="utf-8")
    assert kg.add_files(str(other)) == [kg.graph_iri("more")]
    with pytest.raises(aikg.InputError, match="takes Settings, not str"):
        KnowledgeGraph.open(str(tmp_path))  # type: ignore[arg-type]
