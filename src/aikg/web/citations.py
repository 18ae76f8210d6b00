"""``/cite``: an answer's permalink, opened.

Every answer of a saved query or a SPARQL query carries its permalink (a
``Link: <...>; rel="cite-as"`` header, and on its page a "Cite this answer" section); see
:mod:`aikg.citations` for what a permalink records. Opening one runs the query on today's
data and says, first and plainly, whether the answer is the one cited; if not, it names
what changed in the claims the answer rests on. By ``Accept`` (or ``format=``): an HTML
page, the check as JSON, or today's citation as plain text, BibTeX or CSL-JSON.
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from aikg.citations import (
    CITATION_MEDIA,
    Citation,
    CitationCheck,
    CitedQuery,
    Permalink,
    answer_iris,
    compare_claims,
    read_permalink,
)
from aikg.saved_queries import saved_query
from aikg.sparql.lexer import operation
from aikg.web.http import choose, content_type, gateway, query_params, single
from aikg.web.render import answer_table, citation_context, render, root_url
from aikg.workers.gateway import Answer, Service

router = APIRouter(tags=["Citations"])

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
OFFERS = ["text/html", "application/json", *CITATION_MEDIA]
BY_NAME = {"html": "text/html", "json": "application/json"} | {
    name: media for media, name in CITATION_MEDIA.items()
}


def cite_answer(query: CitedQuery, answer: Answer) -> Citation:
    """The citation of an answer the server just gave."""
    return Citation(query, answer.version, answer.result.sha256, answer.result.rows)


def record(service: Service, citation: Citation, answer: Answer) -> None:
    """Record the claims a cited answer rests on, unless its permalink is recorded
    already (blocking: call it off the event loop)."""
    permalink = Permalink(citation.query, citation.data_version, citation.sha256)
    if not service.citations.has(permalink):
        parts = service.cited_claims(answer_iris(answer.result.body, answer.result.media_type))
        service.citations.record(permalink, parts)


def _rerun(service: Service, query: CitedQuery) -> Answer:
    """Today's answer to a permalink's query, in the format that lists its IRIs."""
    params, lang, page = query.run_options()
    if query.saved:
        media = N_TRIPLES if saved_query(query.saved).kind == "graph" else JSON_RESULTS
        return service.saved(query.saved, params, media, lang, page)
    sparql = query.sparql or ""
    graph = operation(sparql) in ("construct", "describe")
    return service.query(
        sparql,
        N_TRIPLES if graph else JSON_RESULTS,
        default_graphs=params.get("default-graph-uri", []),
        named_graphs=params.get("named-graph-uri", []),
        page=page,
    )


def check(service: Service, permalink: Permalink) -> tuple[CitationCheck, Answer]:
    """Open a permalink: today's answer, compared with the cited one (blocking)."""
    answer = _rerun(service, permalink.query)
    today = cite_answer(permalink.query, answer)
    recorded = service.citations.get(permalink)
    iris = answer_iris(answer.result.body, answer.result.media_type)
    if today.sha256 == permalink.sha256:
        if recorded is None and today.data_version == permalink.data_version:
            # Opened while its data is current: what it rests on can be recorded now.
            service.citations.record(permalink, service.cited_claims(iris))
        return CitationCheck(permalink, today, None, None), answer
    if recorded is None:
        return CitationCheck(permalink, today, None, None), answer
    # The recorded claims read again today, with those today's answer rests on.
    now = service.cited_claims(sorted({*iris, *recorded.claims}))
    changes = compare_claims(recorded, now)
    return CitationCheck(permalink, today, recorded.recorded, changes), answer


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media: {} for media in OFFERS}},
    400: {"description": "A permalink parameter missing or malformed (the message names it)"},
}


@router.head(
    "/cite",
    operation_id="open_permalink_head",
    summary="An answer's permalink, its headers only (AIKG-Answer-Unchanged, Link)",
    responses=RESPONSES,
)
@router.get(
    "/cite",
    operation_id="open_permalink",
    summary="Open an answer's permalink: today's answer, and whether it changed",
    description='The permalink an answer\'s `Link: <...>; rel="cite-as"` header or page '
    "gives: `saved=` (a saved query's name, with its parameters) or `query=` (SPARQL text, "
    "with `default-graph-uri`/`named-graph-uri`), then `version=` (the data version) and "
    "`sha256=` (the answer's SHA-256, of its TSV form). The query runs on today's data; "
    "the answer says whether it is the one cited and, if not, what changed in the claims "
    "it rests on. HTML, JSON (the check), or today's citation as `text/plain`, "
    "`application/x-bibtex` or `application/vnd.citationstyles.csl+json` (also "
    "`format=html|json|text|bibtex|csl`).",
    responses=RESPONSES,
)
async def open_permalink(request: Request) -> Response:
    params = query_params(request)
    chosen = choose(request, OFFERS, single(params, "format"), BY_NAME)
    permalink = read_permalink(params)
    service = gateway(request)
    result, answer = await run_in_threadpool(check, service, permalink)
    base = root_url(request)
    headers = {
        "Vary": "Accept",
        "Cache-Control": "no-cache",
        "Link": f'<{result.today.permalink(base)}>; rel="cite-as"',
        "AIKG-Data-Version": result.today.data_version,
        "AIKG-Answer-Unchanged": "true" if result.unchanged else "false",
    }
    if request.method == "HEAD":
        return Response(b"", media_type=content_type(chosen), headers=headers)
    if chosen == "application/json":
        return JSONResponse(result.to_dict(base), headers=headers)
    if chosen in CITATION_MEDIA:
        body = result.today.formatted(CITATION_MEDIA[chosen], base)
        return Response(body, media_type=content_type(chosen), headers=headers)
    return HTMLResponse(_page(request, result, answer), headers=headers)


def _page(request: Request, result: CitationCheck, answer: Answer) -> str:
    if answer.result.media_type == N_TRIPLES:
        table = f"<pre>{html.escape(answer.result.body.decode('utf-8'))}</pre>"
    else:
        table = answer_table(request, answer)
    context: dict[str, Any] = {
        "title": result.today.query.title,
        "statement": result.statement(),
        "unchanged": result.unchanged,
        "changes": result.changes,
        "recorded": result.recorded.isoformat(timespec="seconds") if result.recorded else "",
        "rows": answer.result.rows,
        "truncated": answer.result.truncated,
        "table": table,
        "citation": citation_context(request, result.today),
    }
    return render(request, "cite.html", **context)
