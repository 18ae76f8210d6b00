"""Linked data and pages for people: the home page, dereferenceable IRIs, the ontology,
VoID/DCAT, dumps and the validation report.

**Dereferencing** follows the W3C note "Cool URIs for the Semantic Web". Entity, claim,
quotation, source and graph IRIs are slash IRIs of the base: ``GET {base}country/KR`` (the
path ``/country/KR`` on this server) answers **303 See Other** to a document about the
thing, chosen by ``Accept``: ``/doc/country/KR`` (HTML) or ``/doc/country/KR.ttl``
(``.jsonld``, ``.nt``, ``.rdf``, ``.trig``, ``.nq``); the thing and the documents about it
keep distinct URLs. Ontology terms are hash IRIs (``…/ontology#Country``): the request is
for ``/ontology`` itself, which answers **200** in the negotiated format, with
``Vary: Accept`` and ``Content-Location``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.concurrency import run_in_threadpool

from aikg import analyst, package_data
from aikg.config import ONTOLOGY_IRI, SHAPES_IRI
from aikg.errors import NotFoundError, ParameterError
from aikg.formats import RDF_FORMATS, format_names, rdf_format
from aikg.jsonld import context, jsonld_type
from aikg.linked_data.charts import holdings_chart, ranks_chart
from aikg.linked_data.findable import dataset_markup, robots_txt
from aikg.namespaces import prefix_table
from aikg.saved_queries import catalog
from aikg.search import MAX_LIMIT, MAX_TEXT, SEARCH_LIMIT, SEARCH_TEXT
from aikg.sparql.paging import page_number
from aikg.web.http import (
    accepts_gzip,
    choose,
    content_type,
    file_response,
    gateway,
    jsonld_form,
    not_modified,
    query_parameter,
    query_params,
    single,
)
from aikg.web.render import render, root, root_url
from aikg.workers.gateway import Service

router = APIRouter(tags=["Linked data"])

RDF_BY_EXTENSION = {f.extension: f for f in RDF_FORMATS}
DOCUMENT_OFFERS = ["text/html", *[f.media_type for f in RDF_FORMATS]]


def _offers(media_types: list[str], description: str = "The document") -> dict[int | str, Any]:
    """OpenAPI responses: a 200 in each media type the route negotiates."""
    return {200: {"description": description, "content": {m: {} for m in media_types}}}


RDF_OFFERS = _offers(DOCUMENT_OFFERS[1:])
NOT_MODIFIED: dict[int | str, Any] = {304: {"description": "Not modified (If-None-Match)"}}
# Examples in the OpenAPI document (for readers, and for fuzzers to reach past a 404).
Extension = Annotated[str, Path(description="An RDF format's extension", examples=["ttl", "nt"])]
ResourcePath = Annotated[
    str, Path(description="The IRI's path under the base IRI", examples=["country/KR"])
]
HTML_OR_RDF = _offers(DOCUMENT_OFFERS)
RDF_BY_NAME = format_names(RDF_FORMATS) | {"html": "text/html"}
EXAMPLE_QUERY = """SELECT ?holder ?quantity ?source WHERE {
  ?claim a aikg:HardwareHolding ;
         aikg:subject ?holder ;
         aikg:quantity ?quantity ;
         prov:wasDerivedFrom/dcterms:identifier ?source .
}
ORDER BY DESC(?quantity)"""
# The first path segments that are routes of the service, not IRIs of the data.
RESERVED = {
    "sparql",
    "store",
    "queries",
    "docs",
    "redoc",
    "openapi.json",
    "static",
    "dumps",
    "ontology",
    "shapes",
    "validation",
    ".well-known",
    "health",
    "doc",
    "favicon.ico",
    "prefixes",
    "search",
    "sources",
    "context.jsonld",
    "sitemap.xml",
    "robots.txt",
}


def _json_or_html(request: Request, offers: list[str]) -> str:
    """JSON or HTML, by ``Accept`` or ``?format=json|html``; ``offers`` first is the default."""
    names = {"json": "application/json", "html": "text/html"}
    return choose(request, offers, single(query_params(request), "format"), names)


def _iri(request: Request, path: str) -> str:
    return gateway(request).settings.base_iri + path


def _alternates(request: Request, path: str) -> list[tuple[str, str, str]]:
    base = root(request)
    return [(f.name, f.media_type, f"{base}doc/{path}.{f.extension}") for f in RDF_FORMATS]


@router.get(
    "/",
    summary="The home page: charts, a SPARQL editor, the saved queries",
    response_class=HTMLResponse,
)
async def home(
    request: Request,
    query: Annotated[
        str | None,
        Query(description="A SPARQL query to put in the editor (a shared link); the page runs it"),
    ] = None,
) -> HTMLResponse:
    service = gateway(request)
    holdings = analyst.holdings(await run_in_threadpool(service.select, "holdings"))
    positions = analyst.index_positions(await run_in_threadpool(service.select, "index-positions"))
    changes = analyst.rank_changes(await run_in_threadpool(service.select, "rank-changes"))
    graphs = await run_in_threadpool(service.graphs)
    page = render(
        request,
        "home.html",
        stats={"triples": graphs["union"], "graphs": len(graphs["graphs"])},
        holdings_svg=holdings_chart(holdings),
        ranks_svg=ranks_chart(positions, changes),
        example_query=EXAMPLE_QUERY if query is None else query,
        base_iri=service.settings.base_iri,
        dataset_markup=dataset_markup(root_url(request)),
        queries=list(catalog().values()),
        dumps=[f.extension for f in RDF_FORMATS],
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


SEARCH_DOC = {
    "parameters": [
        query_parameter(
            "q",
            "a part of a name (label, prefLabel or altLabel)",
            {"type": "string"},
            example="korea",
        ),
        query_parameter(
            "limit",
            f"at most this many (1 to {MAX_LIMIT})",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10},
        ),
    ],
}
SEARCH_PARAMETERS = {SEARCH_TEXT: "parameter 'q'", SEARCH_LIMIT: "parameter 'limit'"}
"""What the core calls the search's parameters, by their names here."""


def _search_limit(text: str | None) -> int:
    if text is None:
        return 10
    try:
        return int(text)
    except ValueError:
        raise ParameterError(
            f"limit {text!r} is not a whole number",
            where="parameter 'limit'",
            hint=f"give a number from 1 to {MAX_LIMIT}",
        ) from None


@router.get(
    "/search",
    summary="Find resources by a part of a name, in English or Korean",
    responses=_offers(["application/json", "text/html"], "The resources found, best first"),
    openapi_extra=SEARCH_DOC,
)
async def find(request: Request) -> Response:
    service = gateway(request)
    params = query_params(request)
    q = single(params, "q") or ""
    limit = _search_limit(single(params, "limit"))
    html = _json_or_html(request, ["application/json", "text/html"]) == "text/html"
    try:
        if html and not q.strip():  # the empty search page, with its box
            matches = []
        else:
            matches = await run_in_threadpool(service.search, q, limit)
    except ParameterError as error:
        error.where = SEARCH_PARAMETERS.get(error.where or "", error.where)
        raise
    headers = {"Vary": "Accept", "AIKG-Data-Version": service.version}
    if not html:
        return JSONResponse(
            {"query": q, "results": [m.to_dict() for m in matches]}, headers=headers
        )
    page = render(request, "search.html", text=q, matches=matches, limit=limit, max_text=MAX_TEXT)
    return HTMLResponse(page, headers=headers)


@router.get(
    "/sources/{source}",
    summary="A source's text, each sentence and table cell with the claims it is evidence of",
    responses=_offers(["text/html", "application/json"], "The coverage report"),
)
async def source_coverage(
    request: Request,
    source: Annotated[str, Path(description="A source identifier", examples=["S1", "S2"])],
) -> Response:
    service = gateway(request)
    chosen = _json_or_html(request, ["text/html", "application/json"])
    report = await run_in_threadpool(service.coverage, source)
    headers = {"Vary": "Accept", "AIKG-Data-Version": service.version}
    if chosen == "application/json":
        return JSONResponse(report.to_dict(), headers=headers)
    return HTMLResponse(render(request, "coverage.html", report=report), headers=headers)


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context every JSON-LD document of this service is compacted with",
    responses=_offers(["application/ld+json"], "The context: short keys and typed values"),
)
async def jsonld_context(request: Request) -> Response:
    """Short keys for the ontology's and the reused vocabularies' terms, their types
    (``@id``, datatypes, language maps), the vocabulary prefixes and ``@base``."""
    body = json.dumps(context(gateway(request).settings.base_iri), ensure_ascii=False, indent=1)
    return Response(
        body.encode("utf-8"),
        media_type="application/ld+json",
        headers={"Cache-Control": "max-age=3600"},
    )


@router.get(
    "/sitemap.xml",
    summary="A sitemap of every resource's page (an index of pages past 50,000)",
    responses={**_offers(["application/xml"], "The sitemap"), **NOT_MODIFIED},
    openapi_extra={
        "parameters": [
            query_parameter(
                "page", "one page of a sitemap index", {"type": "integer", "minimum": 1}
            )
        ]
    },
)
async def sitemap(request: Request) -> Response:
    service = gateway(request)
    # Read as every page parameter is: a whole number from 1, given once.
    given = single(query_params(request), "page")
    page = None if given is None else page_number(given)
    etag = service.etag("sitemap", root_url(request), str(page))  # before the body, as above
    if cached := not_modified(request, etag):
        return cached
    body = await run_in_threadpool(service.sitemap, root_url(request), page)
    return Response(body, media_type="application/xml", headers={"ETag": etag})


@router.get(
    "/robots.txt",
    summary="What crawlers may read: the pages and the dumps, not the query services",
    response_class=PlainTextResponse,
)
async def robots(request: Request) -> PlainTextResponse:
    return PlainTextResponse(robots_txt(root_url(request)))


@router.get(
    "/prefixes",
    summary="The prefixes every query may use without declaring them",
    responses={200: {"description": "An object mapping each prefix to its namespace IRI"}},
)
async def prefix_list(request: Request) -> JSONResponse:
    """The one prefix table: what tables print (``country:KR``) can be pasted back."""
    table = prefix_table(gateway(request).settings.base_iri)
    return JSONResponse(table, headers={"Cache-Control": "max-age=3600"})


# -- the ontology and the shapes ----------------------------------------------------


def _vocabulary(request: Request, graph_iri: str, html: bool, ext: str | None) -> Response:
    service = gateway(request)
    params = query_params(request)
    if ext:
        spec = RDF_BY_EXTENSION.get(ext)
        if spec is None:
            raise NotFoundError(f"no format .{ext}", hint="use .ttl, .nt, .jsonld or .rdf")
        chosen = spec.media_type
    else:
        chosen = choose(
            request,
            DOCUMENT_OFFERS if html else DOCUMENT_OFFERS[1:],
            single(params, "format"),
            RDF_BY_NAME,
        )
    graph = (
        f"{service.settings.base_iri}graph/{'ontology' if graph_iri == ONTOLOGY_IRI else 'shapes'}"
    )
    headers = {"Vary": "Accept"}
    if chosen == "text/html":
        view = service.ontology_docs()
        downloads = [
            (f.name, f"{root(request)}ontology.{f.extension}")
            for f in RDF_FORMATS
            if not f.datasets or f.name == "jsonld"
        ]
        headers["Content-Location"] = f"{root(request)}ontology"
        return HTMLResponse(
            render(request, "ontology.html", o=view, downloads=downloads), headers=headers
        )
    spec = rdf_format(chosen)
    if not ext:
        name = "ontology" if graph_iri == ONTOLOGY_IRI else "shapes"
        headers["Content-Location"] = f"{root(request)}{name}.{spec.extension}"
    body = service.read_graph(graph, spec.name)
    media = content_type(chosen)
    if spec.name == "jsonld":  # the form the profile asks for, as for every document
        form = jsonld_form(request)
        body = service.jsonld(body, form)
        media = jsonld_type(form)
    return Response(body, media_type=media, headers=headers)


@router.get(
    "/ontology",
    summary="The ontology: HTML documentation or RDF, negotiated",
    responses=HTML_OR_RDF,
)
async def ontology(request: Request) -> Response:
    return await run_in_threadpool(_vocabulary, request, ONTOLOGY_IRI, True, None)


@router.get("/ontology.{ext}", summary="The ontology in one RDF format", responses=HTML_OR_RDF)
async def ontology_file(request: Request, ext: Extension) -> Response:
    return await run_in_threadpool(_vocabulary, request, ONTOLOGY_IRI, False, ext)


@router.get(
    "/ontology/{version}",
    summary="A version of the ontology (its owl:versionIRI)",
    responses=HTML_OR_RDF,
)
async def ontology_version(
    request: Request, version: Annotated[str, Path(examples=["0.1.0"])]
) -> Response:
    current = package_data.ontology_version()
    if version != current:
        raise NotFoundError(
            f"no ontology version {version}", hint=f"the current version is {current}"
        )
    return await run_in_threadpool(_vocabulary, request, ONTOLOGY_IRI, True, None)


@router.get("/shapes", summary="The SHACL shapes in RDF, negotiated", responses=HTML_OR_RDF)
async def shapes(request: Request) -> Response:
    return await run_in_threadpool(_vocabulary, request, SHAPES_IRI, False, None)


@router.get("/shapes.{ext}", summary="The SHACL shapes in one RDF format", responses=HTML_OR_RDF)
async def shapes_file(request: Request, ext: Extension) -> Response:
    return await run_in_threadpool(_vocabulary, request, SHAPES_IRI, False, ext)


# -- the dataset: VoID / DCAT, dumps, validation -------------------------------------


@router.get(
    "/.well-known/void",
    summary="VoID and DCAT description of the dataset",
    responses={**RDF_OFFERS, **NOT_MODIFIED},
)
async def void(request: Request) -> Response:
    service = gateway(request)
    chosen = choose(
        request, DOCUMENT_OFFERS[1:], single(query_params(request), "format"), RDF_BY_NAME
    )
    # The tag before the body: a write in between makes the body newer than its tag (a
    # revalidation then fetches it again), never older (a 304 would keep it for good).
    etag = service.etag("void", chosen, root_url(request))
    if cached := not_modified(request, etag):
        return cached
    body = await run_in_threadpool(service.void, root_url(request), rdf_format(chosen).name)
    return Response(body, media_type=content_type(chosen), headers={"Vary": "Accept", "ETag": etag})


DUMP_NAMES = [f"aikg.{ext}" for ext in RDF_BY_EXTENSION] + [
    f"aikg.{ext}.gz" for ext in RDF_BY_EXTENSION
]


DUMP_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_offers([*DOCUMENT_OFFERS[1:], "application/gzip"], "The dump, or the byte range"),
    206: {"description": "The byte range asked for (Range)"},
    **NOT_MODIFIED,
    416: {"description": "The range starts past the end"},
}


@router.head(
    "/dumps/aikg.{ext}",
    operation_id="dump_head",
    summary="A dump's headers (size, ETag, Last-Modified) without its body",
    responses=DUMP_RESPONSES,
)
@router.get(
    "/dumps/aikg.{ext}",
    operation_id="dump",
    summary="The whole dataset in one RDF format, plain or gzip-compressed (aikg.nt.gz)",
    description="A file written once per data version: `HEAD`, `Range` and `If-Range` "
    "(resume with `curl -C -`), a strong `ETag`, `Last-Modified`, `If-None-Match`. "
    "`Accept-Encoding: gzip` gets the plain name gzip-encoded (`Content-Encoding: gzip`); "
    "`aikg.{ext}.gz` is the compressed file itself (`application/gzip`).",
    responses=DUMP_RESPONSES,
)
async def dump(
    request: Request,
    ext: Extension,
    inferred: Annotated[
        bool, Query(description="include the inferred graph (what the ontology entails)")
    ] = False,
) -> Response:
    service = gateway(request)
    compressed = ext.endswith(".gz")
    base_ext = ext.removesuffix(".gz")
    spec = RDF_BY_EXTENSION.get(base_ext)
    if spec is None:
        raise NotFoundError(f"no dump aikg.{ext}", hint="dumps are " + ", ".join(DUMP_NAMES))
    encoded = not compressed and accepts_gzip(request)
    dump_file = await run_in_threadpool(
        service.dump_file, base_ext, inferred=inferred, gzip=compressed or encoded
    )
    stem = "aikg-with-inferred" if inferred else "aikg"
    headers = {
        "AIKG-Data-Version": service.version,
        "Content-Disposition": f'attachment; filename="{stem}.{ext}"',
        "Vary": "Accept-Encoding",
        "Cache-Control": "no-cache",
    }
    media = "application/gzip" if compressed else content_type(spec.media_type)
    return file_response(request, dump_file, media, headers, encoding="gzip" if encoded else None)


@router.get(
    "/validation",
    summary="The SHACL validation report of the current data",
    responses=_offers(["text/html", "application/json"], "The report"),
)
async def validation(request: Request) -> Response:
    service = gateway(request)
    report = await run_in_threadpool(service.validation)
    chosen = _json_or_html(request, ["text/html", "application/json"])
    if chosen == "application/json":
        return JSONResponse(report.to_dict(), headers={"Vary": "Accept"})
    groups: dict[str, list[object]] = defaultdict(list)
    for violation in report.violations:
        groups[violation.focus_node].append(violation)
    shapes_count = package_data.shape_count()
    return HTMLResponse(
        render(
            request,
            "validation.html",
            report=report,
            groups=sorted(groups.items()),
            version=service.version,
            shapes=shapes_count,
        ),
        headers={"Vary": "Accept"},
    )


# -- documents about things, and the things themselves ------------------------------


@router.get(
    "/doc/{path:path}",
    summary="A document about a resource: HTML, or RDF by extension",
    responses=HTML_OR_RDF,
)
async def document(request: Request, path: ResourcePath) -> Response:
    service = gateway(request)
    stem, dot, ext = path.rpartition(".")
    if dot and ext in RDF_BY_EXTENSION:
        spec = RDF_BY_EXTENSION[ext]
        iri = _iri(request, stem)
        if await _is_graph(service, iri):
            return RedirectResponse(
                f"{root(request)}store?graph={quote(iri, safe='')}&format={spec.name}",
                status_code=303,
            )
        body = await run_in_threadpool(service.resource_rdf, iri, spec.name)
        media = content_type(spec.media_type)
        if spec.name == "jsonld":
            form = jsonld_form(request)
            body = await run_in_threadpool(service.jsonld, body, form)
            media = jsonld_type(form)
        return Response(
            body,
            media_type=media,
            headers={"Link": f'<{iri}>; rel="describes"', "Vary": "Accept"},
        )
    iri = _iri(request, path)
    if await _is_graph(service, iri):
        graphs = await run_in_threadpool(service.graphs)
        base = root(request)
        downloads = [
            (f.name, f"{base}store?graph={quote(iri, safe='')}&format={f.name}")
            for f in RDF_FORMATS
            if not f.datasets or f.name == "jsonld"
        ]
        return HTMLResponse(
            render(
                request,
                "graph.html",
                iri=iri,
                name=path,
                triples=graphs["graphs"][iri],
                downloads=downloads,
            )
        )
    view = await run_in_threadpool(service.resource, iri)
    report = await run_in_threadpool(service.validation)
    violations = [v for v in report.violations if v.focus_node == iri]
    alternates = _alternates(request, path)
    links = ", ".join(f'<{url}>; rel="alternate"; type="{media}"' for _, media, url in alternates)
    return HTMLResponse(
        render(request, "entity.html", view=view, alternates=alternates, violations=violations),
        headers={"Link": f'<{iri}>; rel="describes", {links}'},
    )


async def _is_graph(service: Service, iri: str) -> bool:
    graphs = await run_in_threadpool(service.graphs)
    return iri in graphs["graphs"]


@router.get(
    "/{path:path}",
    summary="Dereference an IRI of the data (303 See Other to a document)",
    responses={
        303: {"description": "See the document about the resource"},
        404: {"description": "The graph knows nothing of this IRI"},
    },
)
async def dereference(request: Request, path: ResourcePath) -> Response:
    service = gateway(request)
    first = path.split("/", 1)[0]
    if not path or first in RESERVED:
        raise NotFoundError(f"no route /{path}", hint="see /docs for the routes")
    iri = _iri(request, path)
    if path == "dataset":
        return RedirectResponse(
            f"{root(request)}.well-known/void", status_code=303, headers={"Vary": "Accept"}
        )
    if not await _is_graph(service, iri):
        known = await run_in_threadpool(service.known, iri)
        if not known:
            raise NotFoundError(
                f"nothing is known about {iri}",
                hint="check the IRI; /queries/entities lists entities",
            )
    chosen = choose(request, DOCUMENT_OFFERS, single(query_params(request), "format"), RDF_BY_NAME)
    target = f"{root(request)}doc/{path}"
    if chosen != "text/html":
        target += "." + rdf_format(chosen).extension
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})
