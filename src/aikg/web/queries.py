"""``/queries``: the saved queries, each an OpenAPI operation of its own.

- ``GET /queries``: the catalog, as JSON, an HTML page with a form per query, or RDF
  (each query a ``dcat:DataService``);
- ``GET /queries/{name}?param=...``: run it; SPARQL JSON, XML, CSV, TSV or an HTML table,
  by ``Accept`` or ``format=``; ``lang=`` picks the language of the label columns;
  ``page=`` a page of an answer longer than the row limit (each page but the last links
  to the next: ``Link: <...>; rel="next"``);
- ``GET /queries/{name}.rq``: the query's text.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from aikg.citations import CitedQuery
from aikg.errors import NotFoundError
from aikg.formats import RDF_FORMATS, RDF_MEDIA_TYPES, RESULT_FORMATS, format_names, rdf_format
from aikg.linked_data.catalog import describe_saved_queries
from aikg.saved_queries import RESERVED_PARAMETERS, SavedQuery, catalog, describe, saved_query
from aikg.web.citations import cite_answer, record
from aikg.web.http import (
    ANSWER_HEADERS,
    answer_media,
    answer_response,
    choose,
    content_type,
    gateway,
    not_modified,
    page_links,
    query_params,
    requested_page,
    single,
    with_cite_as,
)
from aikg.web.render import render, results_page, root, root_url

RESULT_OFFERS = [f.media_type for f in RESULT_FORMATS]
RESULT_BY_NAME = format_names(RESULT_FORMATS)
CATALOG_OFFERS = ["application/json", "text/html", *RDF_MEDIA_TYPES]
CATALOG_BY_NAME = format_names(RDF_FORMATS) | {"json": "application/json", "html": "text/html"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri-reference"},
    "string": {"type": "string"},
    "langString": {"type": "string", "pattern": "^[^@]*@[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"},
    "language": {"type": "string", "pattern": "^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "gYear": {"type": "string", "pattern": "^-?[0-9]{4,}$"},
}

router = APIRouter(tags=["Saved queries"])


def openapi_parameters(query: SavedQuery) -> list[dict[str, Any]]:
    """A saved query's parameters as OpenAPI parameter objects (plus lang and format)."""
    parameters = []
    for p in query.params:
        schema: dict[str, Any] = dict(SCHEMAS[p.type])
        if p.enum:
            schema["enum"] = list(p.enum)
        example: Any = p.example
        if p.list:
            schema = {"type": "array", "items": schema}
            example = p.example.split(",") if p.example else None
        if p.default is not None:
            schema["default"] = p.default
        parameter: dict[str, Any] = {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": f"{p.description} Expects {p.expects}.".strip(),
            "schema": schema,
        }
        if p.list:
            parameter.update({"style": "form", "explode": True})
        if example is not None:
            parameter["example"] = example
        parameters.append(parameter)
    parameters += [
        {
            "name": "lang",
            "in": "query",
            "required": False,
            "description": "Language of the label columns added beside IRI columns.",
            "schema": {
                "type": "string",
                "default": "en",
                "pattern": "^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$",
            },
        },
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "Answer format, overriding the Accept header.",
            "schema": {"type": "string", "enum": sorted(RESULT_BY_NAME)},
        },
        {
            "name": "labels",
            "in": "query",
            "required": False,
            "description": "false: no label columns.",
            "schema": {"type": "boolean", "default": True},
        },
        {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "Which page of an answer longer than the row limit (AIKG_MAX_ROWS "
            "rows a page, in a stable order). Every page but the last links to the next in a "
            '`Link: <...>; rel="next"` header (and the HTML page shows a next-page link); '
            "`AIKG-Page` says which page an answer is. A page that is no whole number from "
            "1, or a page after the last, is a 400 naming the parameter.",
            "schema": {"type": "integer", "minimum": 1, "default": 1},
        },
    ]
    return parameters


ERROR_RESPONSE = {
    "description": "A parameter of the wrong type or value (the message names it)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _catalog_entry(request: Request, query: SavedQuery) -> dict[str, Any]:
    base = root(request)
    return describe(query) | {
        "url": f"{base}queries/{query.name}",
        "text": f"{base}queries/{query.name}.rq",
    }


@router.get(
    "/queries",
    summary="The saved-query catalog",
    responses={200: {"content": {m: {} for m in CATALOG_OFFERS}}},
)
async def catalog_route(request: Request) -> Response:
    params = query_params(request)
    chosen = choose(request, CATALOG_OFFERS, single(params, "format"), CATALOG_BY_NAME)
    queries = list(catalog().values())
    if chosen == "application/json":
        return JSONResponse(
            [_catalog_entry(request, q) for q in queries], headers={"Vary": "Accept"}
        )
    if chosen == "text/html":
        return HTMLResponse(
            render(
                request,
                "queries.html",
                queries=[{**_catalog_entry(request, q), "params": q.params} for q in queries],
            ),
            headers={"Vary": "Accept"},
        )
    base = str(request.base_url)
    body = bytes(
        ox.serialize(describe_saved_queries(base), format=rdf_format(chosen).engine) or b""
    )
    return Response(body, media_type=content_type(chosen), headers={"Vary": "Accept"})


@router.get(
    "/queries/{name}.rq",
    summary="A saved query's SPARQL text",
    responses={
        200: {"content": {"application/sparql-query": {}}},
        404: {"description": "No such saved query"},
    },
)
async def query_text(name: str) -> Response:
    return Response(saved_query(name).text, media_type="application/sparql-query; charset=utf-8")


async def run_saved(request: Request) -> Response:
    """Run the saved query this route was made for (its name is the route's name)."""
    name = str(request.scope["route"].name).removeprefix("saved:")
    service = gateway(request)
    params = query_params(request)
    given_lang = single(params, "lang")
    # An empty lang= is refused, as in Python and the CLI, not taken for English.
    lang = "en" if given_lang is None else given_lang
    labels = (single(params, "labels") or "true").lower() not in ("false", "0", "no")
    query = saved_query(name)
    chosen = answer_media(request, query.kind, single(params, "format"))
    page = requested_page(params)
    given = {k: v for k, v in params.items() if k not in RESERVED_PARAMETERS}
    for key in given:
        query.param(key)
    html = chosen == "text/html"
    media = "application/sparql-results+json" if html else chosen
    etag = service.etag(
        "saved", name, repr(sorted(given.items())), lang, str(labels), chosen, f"page={page}"
    )
    if cached := not_modified(request, etag):
        return cached
    shown = lang if labels else None
    # From the cache here, without the hop to a thread (see the SPARQL route).
    answer = service.cached_saved(name, given, media, shown, page)
    if answer is None:
        answer = await run_in_threadpool(service.saved, name, given, media, shown, page)
    cited = CitedQuery.saved_query(name, {k: v for k, v in params.items() if k != "format"})
    citation = cite_answer(cited, answer)
    links = with_cite_as(
        page_links(request, params, answer.result), citation.permalink(root_url(request))
    )
    if html:
        await run_in_threadpool(record, service, citation, answer)
        return results_page(
            request,
            answer,
            etag,
            links,
            title=query.title,
            description=query.description,
            citation=citation,
        )
    return answer_response(answer, etag, links)


def add_saved_query_routes(target: APIRouter) -> None:
    """One GET operation per saved query, with its typed parameters in the OpenAPI."""
    for query in catalog().values():
        target.add_api_route(
            f"/queries/{query.name}",
            run_saved,
            methods=["GET"],
            name=f"saved:{query.name}",
            summary=query.title,
            description=query.description,
            operation_id=f"saved_{query.name.replace('-', '_')}",
            tags=["Saved queries"],
            openapi_extra={"parameters": openapi_parameters(query)},
            responses={
                200: {
                    "description": "The answer",
                    "content": {m: {} for m in RESULT_OFFERS},
                    "headers": ANSWER_HEADERS,
                },
                400: ERROR_RESPONSE,
                503: {"description": "Stopped at the deadline or service busy"},
            },
        )


add_saved_query_routes(router)


@router.get("/queries/{name}", include_in_schema=False)
async def unknown_query(name: str) -> Response:
    saved_query(name)  # refused with the names that come close
    raise NotFoundError(f"no saved query {name!r}", hint="GET /queries lists them")
