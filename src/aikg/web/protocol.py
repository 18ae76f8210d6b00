"""``/sparql``: the SPARQL 1.1 Protocol (query, update, service description).

- query by GET (``?query=``), by POST ``application/x-www-form-urlencoded`` and by POST
  ``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` override
  the query's FROM / FROM NAMED;
- update by POST (form ``update=`` or ``application/sparql-update``), with
  ``using-graph-uri`` / ``using-named-graph-uri``; it needs the bearer token;
- GET without a query answers the service description.

A SELECT answer longer than the row limit comes in pages: ``page=N`` (from 1) picks one,
and each page links to the next with ``Link: <...>; rel="next"`` (see
:mod:`aikg.sparql.paging`).
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from aikg.citations import CitedQuery
from aikg.errors import InputError, UnsupportedMediaTypeError
from aikg.formats import (
    ANSWERS,
    RDF_FORMATS,
    RDF_MEDIA_TYPES,
    RESULT_FORMATS,
    RESULT_MEDIA_TYPES,
    format_names,
    rdf_format,
)
from aikg.linked_data.service_description import describe_service
from aikg.web.citations import cite_answer, record
from aikg.web.http import (
    ANSWER_HEADERS,
    Params,
    answer_media,
    answer_response,
    body_response,
    choose,
    content_type,
    decode_text,
    gateway,
    jsonld_form,
    media_type,
    not_modified,
    page_links,
    parse_params,
    query_parameter,
    query_params,
    read_body,
    requested_page,
    require_utf8,
    require_writer,
    single,
    with_cite_as,
)
from aikg.web.render import results_page, root_url

router = APIRouter(tags=["SPARQL 1.1 Protocol"])

RESULT_NAMES = format_names(RESULT_FORMATS)
RDF_NAMES = format_names(RDF_FORMATS)

QUERY_DOC = {
    "parameters": [
        query_parameter(
            "query",
            "The SPARQL query. Without it, GET answers the service description.",
            {"type": "string"},
            example="SELECT ?holder ?n WHERE { ?c aikg:subject ?holder ; aikg:quantity ?n }",
        ),
        *(
            query_parameter(
                name,
                description,
                {"type": "array", "items": {"type": "string"}},
                style="form",
                explode=True,
            )
            for name, description in (
                ("default-graph-uri", "Graphs whose merge is the default graph (overrides FROM)."),
                ("named-graph-uri", "Named graphs the query may use (overrides FROM NAMED)."),
            )
        ),
        query_parameter(
            "format",
            "Answer format, overriding the Accept header (for browsers).",
            {"type": "string", "enum": sorted(set(RESULT_NAMES) | set(RDF_NAMES))},
        ),
        query_parameter(
            "page",
            "Which page of a SELECT answer longer than the row limit "
            "(AIKG_MAX_ROWS rows a page, in a stable order). Every page but the last links "
            'to the next one in a `Link: <...>; rel="next"` header (and an HTML page shows '
            "a next-page link); `AIKG-Page` says which page an answer is. A page that is no "
            "whole number from 1, a page after the last, or a page past the first of an ASK, "
            "CONSTRUCT or DESCRIBE answer (not paged: a graph is cut at the row limit and "
            "flagged AIKG-Truncated) is a 400 naming the parameter.",
            {"type": "integer", "minimum": 1, "default": 1},
        ),
    ],
}


INLINE_READ_CHARS = 2_048
"""Queries up to this long are read on the event loop (at most about 0.1 ms)."""


async def _run_query(request: Request, params: Params, sparql: str, head: bool = False) -> Response:
    service = gateway(request)
    fmt_param = single(params, "format")
    page = requested_page(params)
    # A long text is read off the event loop, the length limit first: reading is linear
    # in its size, and a 5 MB query must not stall every other request while it is
    # refused. A short one is read here: the hop to a thread and back cost more than the
    # reading (a sixth of the server's time on one-lookup queries).
    if len(sparql) <= INLINE_READ_CHARS:
        kind = service.operation(sparql)
    else:
        kind = await run_in_threadpool(service.operation, sparql)
    if kind == "update":
        raise InputError(
            "an update was sent as a query",
            hint="POST updates as update=... or application/sparql-update; a query reads",
        )
    # A text the lexer cannot read is answered as a SELECT would be: running it says why.
    chosen = answer_media(request, kind if kind in ANSWERS else "select", fmt_param)
    default_graphs = params.get("default-graph-uri", [])
    named_graphs = params.get("named-graph-uri", [])
    form = jsonld_form(request) if chosen == "application/ld+json" else "compacted"
    etag = service.etag(
        sparql,
        chosen,
        form,
        "\x01".join(default_graphs),
        "\x01".join(named_graphs),
        f"page={page}",
    )
    if request.method in ("GET", "HEAD") and (cached := not_modified(request, etag)):
        return cached
    html = chosen == "text/html"
    media = "application/sparql-results+json" if html else chosen
    # An answer in the cache is given here: the hop to a thread and back would cost more
    # than everything else the request does. A short text is guarded here too and its
    # job handed to a worker from the event loop, for the same reason.
    dataset = {"default_graphs": default_graphs, "named_graphs": named_graphs}
    answer = service.cached_query(sparql, media, **dataset, page=page)
    if answer is None and len(sparql) <= INLINE_READ_CHARS:
        answer = await service.query_async(sparql, media, **dataset, page=page)
    elif answer is None:
        answer = await run_in_threadpool(service.query, sparql, media, **dataset, page=page)
    # The other pages' links carry the query, whether it came in the URL or in a body.
    links = page_links(request, {**params, "query": [sparql]}, answer.result)
    cited = CitedQuery.sparql_query(sparql, default_graphs, named_graphs, page)
    citation = cite_answer(cited, answer)
    links = with_cite_as(links, citation.permalink(root_url(request)))
    if html:
        await run_in_threadpool(record, service, citation, answer)
        return results_page(request, answer, etag, links, title="Query results", citation=citation)
    if chosen == "application/ld+json":
        answer = await run_in_threadpool(service.jsonld_answer, answer, form)
    return answer_response(answer, etag, links, head=head)


async def _service_description(request: Request, params: Params, head: bool) -> Response:
    service = gateway(request)
    chosen = choose(request, RDF_MEDIA_TYPES, single(params, "format"), RDF_NAMES)
    endpoint = str(request.url.replace(query="", fragment=""))
    # The tag before the body: a write in between makes the body newer than its tag (a
    # revalidation then fetches it again), never older (a 304 would keep it for good).
    headers = {"Vary": "Accept", "ETag": service.etag("sd", chosen, endpoint)}
    if cached := not_modified(request, headers["ETag"]):
        return cached
    graphs = await run_in_threadpool(service.graphs)
    triples = describe_service(
        endpoint, service.settings, graphs["graphs"], default_graph_triples=graphs["union"]
    )
    body = bytes(ox.serialize(triples, format=rdf_format(chosen).engine) or b"")
    return body_response(body, content_type(chosen), headers, head=head)


@router.api_route("/sparql/", methods=["GET", "HEAD"], include_in_schema=False)
@router.head("/sparql", include_in_schema=False)
@router.get(
    "/sparql",
    operation_id="sparql_get",
    summary="Query (GET) or read the service description",
    openapi_extra=QUERY_DOC,
    responses={
        200: {
            "description": "SPARQL results (JSON, XML, CSV, TSV) or RDF",
            "content": {m: {} for m in (*RESULT_MEDIA_TYPES, *RDF_MEDIA_TYPES)},
            "headers": ANSWER_HEADERS,
        },
        304: {"description": "Not modified (If-None-Match)"},
    },
)
async def sparql_get(request: Request) -> Response:
    params = query_params(request)
    if "update" in params:
        raise InputError(
            "updates are not accepted by GET",
            hint="POST the update as update=... or application/sparql-update",
        )
    sparql = single(params, "query")
    head = request.method == "HEAD"
    if sparql is None:
        return await _service_description(request, params, head)
    return await _run_query(request, params, sparql, head=head)


@router.post("/sparql/", include_in_schema=False)
@router.post(
    "/sparql",
    operation_id="sparql_post",
    summary="Query or update (POST)",
    openapi_extra={
        "parameters": QUERY_DOC["parameters"][1:],
        "requestBody": {
            "required": True,
            "content": {
                "application/sparql-query": {"schema": {"type": "string"}},
                "application/sparql-update": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "update": {"type": "string"},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "page": {"type": "integer", "minimum": 1},
                            "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                },
            },
        },
    },
    responses={
        200: {
            "description": "SPARQL results or RDF",
            "content": {m: {} for m in (*RESULT_MEDIA_TYPES, *RDF_MEDIA_TYPES)},
            "headers": ANSWER_HEADERS,
        },
        204: {"description": "Update applied"},
    },
)
async def sparql_post(request: Request) -> Response:
    service = gateway(request)
    kind, type_params = media_type(request)
    url_params = query_params(request)
    body = await read_body(request, service.settings)
    if kind == "application/x-www-form-urlencoded":
        require_utf8(type_params)
        params = await run_in_threadpool(_form_params, body)
        for name, values in url_params.items():
            params.setdefault(name, []).extend(values)
        sparql = single(params, "query")
        update = single(params, "update")
        if (sparql is None) == (update is None):
            raise InputError(
                "a form POST needs exactly one of query= and update=",
                hint="send query=... to query, update=... to update",
            )
        if update is not None:
            return await _run_update(request, params, update)
        assert sparql is not None
        return await _run_query(request, params, sparql)
    if kind == "application/sparql-query":
        require_utf8(type_params)
        text = await run_in_threadpool(decode_text, body, "query")
        return await _run_query(request, url_params, text)
    if kind == "application/sparql-update":
        require_utf8(type_params)
        text = await run_in_threadpool(decode_text, body, "update")
        return await _run_update(request, url_params, text)
    raise UnsupportedMediaTypeError(
        f"POST /sparql does not take {kind or 'a body without Content-Type'}",
        hint="use application/sparql-query, application/sparql-update or "
        "application/x-www-form-urlencoded",
    )


def _form_params(body: bytes) -> Params:
    """A form body's parameters (up to AIKG_MAX_BODY_BYTES of text: not on the event loop)."""
    return parse_params(decode_text(body, "request body"), "request body")


async def _run_update(request: Request, params: Params, update: str) -> Response:
    service = gateway(request)
    require_writer(request, service.settings)
    await run_in_threadpool(
        service.update,
        update,
        using_graphs=params.get("using-graph-uri", []),
        using_named_graphs=params.get("using-named-graph-uri", []),
    )
    return Response(status_code=204, headers={"AIKG-Data-Version": service.version})
