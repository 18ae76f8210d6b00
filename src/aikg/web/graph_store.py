"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (indirect graph identification).

``?graph=IRI`` names a graph (an IRI relative to the base IRI is resolved), ``?default``
the default graph. GET and HEAD are public; PUT (replace), POST (merge; to ``/store``
itself it creates a new graph and answers its Location) and DELETE need the bearer token
and are validated against the shapes: a write that would break them changes nothing.
A write to a named graph honours ``If-Match: *`` (only if the graph exists) and
``If-None-Match: *`` (only if it does not: a PUT that creates, never replaces), checked
in the write's own transaction; ``If-Match`` naming a tag never holds, aikg's ETags being
weak (RFC 9110, 13.1.1), and is a 412, never ignored.
"""

from __future__ import annotations

import uuid
from functools import partial
from urllib.parse import urljoin

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from aikg.errors import InputError, PreconditionFailedError, UnsupportedMediaTypeError
from aikg.formats import RDF_FORMATS, format_names, rdf_format
from aikg.jsonld import Form, jsonld_type
from aikg.web.http import (
    Params,
    body_response,
    choose,
    content_type,
    gateway,
    jsonld_form,
    media_type,
    not_modified,
    query_params,
    read_body,
    require_utf8,
    require_writer,
    single,
    write_condition,
)
from aikg.workers.gateway import Service

router = APIRouter(tags=["Graph Store Protocol"])

TRIPLE_FORMATS = [f for f in RDF_FORMATS if not f.datasets or f.name == "jsonld"]
OFFERS = [f.media_type for f in TRIPLE_FORMATS]
BY_NAME = format_names(TRIPLE_FORMATS)
GRAPH_PARAMS = [
    {
        "name": "graph",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "The graph's IRI (absolute, or relative to the base IRI).",
        "example": "graph/holdings",
    },
    {
        "name": "default",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "allowEmptyValue": True,
        "description": "Present (empty) to address the default graph.",
    },
]

CONDITION_PARAMS = [
    {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "`*`: write only to a graph that exists (412 if not). A tag never "
        "matches: aikg's ETags are weak.",
    },
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "`*`: write only a graph that does not exist (412 if it does); an "
        "ETag of a read: write only if the graph has changed since.",
    },
]
WRITE_PARAMS = GRAPH_PARAMS + CONDITION_PARAMS
PRECONDITION_FAILED = {"description": "If-Match or If-None-Match does not hold; nothing changed"}


def _target(request: Request, params: Params, *, optional: bool = False) -> tuple[bool, str | None]:
    """(named?, graph IRI) from ?graph= or ?default; exactly one of them."""
    graph = single(params, "graph")
    default = "default" in params
    if graph is not None and default:
        raise InputError("give ?graph= or ?default, not both", hint="name one graph")
    if graph is None and not default:
        if optional:
            return False, None
        raise InputError(
            "no graph named",
            where="URL query string",
            hint="add ?graph=<IRI> or ?default; the whole dataset is at /dumps",
        )
    if graph is None:
        return True, None
    if not graph.strip() or graph.startswith("<"):
        # An empty IRI would resolve to the base IRI itself, <...> to a mangled one.
        raise InputError(
            f"graph {graph!r} is no graph IRI",
            where="parameter 'graph'",
            hint="give the graph's IRI, absolute or relative to the base IRI, without angle "
            "brackets (graph=graph/holdings); ?default names the default graph",
        )
    base = gateway(request).settings.base_iri
    return True, urljoin(base, graph)


@router.head("/store", include_in_schema=False)
@router.get(
    "/store",
    operation_id="store_get",
    summary="Read a graph",
    openapi_extra={"parameters": GRAPH_PARAMS},
    responses={200: {"content": {m: {} for m in OFFERS}}, 404: {"description": "No such graph"}},
)
async def store_get(request: Request) -> Response:
    service = gateway(request)
    params = query_params(request)
    _, graph = _target(request, params)
    chosen = choose(request, OFFERS, single(params, "format"), BY_NAME)
    form = jsonld_form(request) if chosen == "application/ld+json" else "compacted"
    etag = _etag(service, graph, chosen, form)
    if cached := not_modified(request, etag, exists=False):
        return cached
    body = await run_in_threadpool(service.read_graph, graph, rdf_format(chosen).name)
    if form != "compacted":  # the JSON-LD profile asked for
        body = await run_in_threadpool(service.jsonld, body, form)
        chosen = jsonld_type(form)
    # The graph is there (a missing one is a 404 by now): "If-None-Match: *" holds it.
    if cached := not_modified(request, etag):
        return cached
    headers = {
        "ETag": etag,
        "Vary": "Accept",
        "Cache-Control": "no-cache",
        "AIKG-Data-Version": service.version,
    }
    return body_response(body, content_type(chosen), headers, head=request.method == "HEAD")


def _etag(service: Service, graph: str | None, media: str, form: Form) -> str:
    """The ETag of a graph's representation in ``media`` (JSON-LD in ``form``)."""
    return service.etag("store", graph or "", media, form)


def _condition(request: Request, service: Service, graph: str | None) -> bool | None:
    """What a write's preconditions require of the graph (see ``write_condition``),
    against the ETags of each of its representations."""

    def etags() -> set[str]:
        forms: list[Form] = ["compacted", "expanded", "flattened"]
        shapes: list[tuple[str, Form]] = [(m, "compacted") for m in OFFERS]
        shapes += [("application/ld+json", form) for form in forms]
        return {_etag(service, graph, media, form) for media, form in shapes}

    return write_condition(request, etags)


def _new_graph_condition(request: Request) -> None:
    """The preconditions of a POST that makes a new graph: ``If-None-Match: *`` holds (it
    does not exist yet); ``If-Match``, which wants one that does, never holds."""
    if write_condition(request, set):
        raise PreconditionFailedError(
            "If-Match: * holds for a graph that exists, and POST /store makes a new one; "
            "nothing was changed",
            where="header If-Match",
            hint="leave If-Match out, or name the graph to add to: POST /store?graph=IRI",
        )


async def _write(request: Request, method: str) -> Response:
    service = gateway(request)
    require_writer(request, service.settings)
    params = query_params(request)
    named, graph = _target(request, params, optional=method == "POST")
    location = None
    if not named:  # POST to the store itself: a new graph with an IRI of ours
        graph = f"{service.settings.base_iri}graph/{uuid.uuid4()}"
        location = graph
    kind, parameters = media_type(request)
    require_utf8(parameters)
    try:
        fmt = rdf_format(kind)
    except Exception:
        raise UnsupportedMediaTypeError(
            f"{kind or 'a body without Content-Type'} is not an RDF format taken here",
            hint="send " + ", ".join(OFFERS),
        ) from None
    body = await read_body(request, service.settings)
    if named:
        exists = _condition(request, service, graph)
    else:  # POST to /store itself makes a new graph: one that does not exist yet
        _new_graph_condition(request)
        exists = None
    result = await run_in_threadpool(
        partial(service.write_graph, exists=exists), method, graph, body, fmt
    )
    headers = {"AIKG-Data-Version": service.version}
    if location:
        headers["Location"] = location
    return Response(status_code=201 if result["created"] else 204, headers=headers)


@router.put(
    "/store",
    summary="Replace a graph",
    openapi_extra={"parameters": WRITE_PARAMS},
    status_code=204,
    responses={
        201: {"description": "Graph created"},
        204: {"description": "Graph replaced"},
        412: PRECONDITION_FAILED,
    },
)
async def store_put(request: Request) -> Response:
    return await _write(request, "PUT")


@router.post(
    "/store",
    summary="Add to a graph (or create one)",
    openapi_extra={"parameters": WRITE_PARAMS},
    status_code=204,
    responses={
        201: {"description": "Graph created"},
        204: {"description": "Triples added"},
        412: PRECONDITION_FAILED,
    },
)
async def store_post(request: Request) -> Response:
    return await _write(request, "POST")


@router.delete(
    "/store",
    summary="Delete a graph",
    openapi_extra={"parameters": WRITE_PARAMS},
    status_code=204,
    responses={
        204: {"description": "Graph deleted"},
        404: {"description": "No such graph"},
        412: PRECONDITION_FAILED,
    },
)
async def store_delete(request: Request) -> Response:
    service = gateway(request)
    require_writer(request, service.settings)
    _, graph = _target(request, query_params(request))
    exists = _condition(request, service, graph)
    await run_in_threadpool(partial(service.delete_graph, exists=exists), graph)
    return Response(status_code=204, headers={"AIKG-Data-Version": service.version})
