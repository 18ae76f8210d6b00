"""HTML for people: Jinja2 templates (autoescaped) and result tables with local links."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

import jinja2
import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse

from aikg.citations import Citation
from aikg.linked_data.ontology_docs import curie
from aikg.sparql.results import html_table
from aikg.workers.gateway import Answer

ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(files("aikg.web") / "templates")),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)


def root(request: Request) -> str:
    """The path the app is mounted at, ending in '/'."""
    return str(request.scope.get("root_path", "")).rstrip("/") + "/"


def root_url(request: Request) -> str:
    """The absolute URL of the service's root, ending in '/'."""
    return str(request.base_url)


def local_link(request: Request, iri: str) -> str | None:
    """Where a browser should go for an IRI: this server's page for IRIs of the base,
    the IRI itself for other http(s) IRIs, nowhere for other schemes."""
    base = request.app.state.settings.base_iri
    if iri.startswith(base):
        return root(request) + iri[len(base) :]
    return iri if iri.startswith(("http://", "https://")) else None


def render(request: Request, template: str, **context: Any) -> str:
    """A page: every value escaped; ``link`` maps IRIs to where a browser should go."""
    return ENVIRONMENT.get_template(template).render(
        root=root(request),
        request=request,
        curie=curie,
        link=lambda iri: local_link(request, iri),
        **context,
    )


def answer_table(request: Request, answer: Answer) -> str:
    """A SPARQL JSON answer as HTML: a table, or the boolean of an ASK."""
    parsed = ox.parse_query_results(answer.result.body, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return f'<p class="boolean">{"true" if bool(parsed) else "false"}</p>'
    variables = [v.value for v in parsed.variables]
    rows = [{v: s[v] for v in variables} for s in parsed]
    return html_table(variables, rows, link=lambda iri: local_link(request, iri))


def results_page(
    request: Request,
    answer: Answer,
    etag: str,
    links: Mapping[str, str],
    *,
    title: str,
    description: str = "",
    citation: Citation | None = None,
) -> HTMLResponse:
    """A SPARQL JSON answer shown as an HTML table, with download links (of this page),
    links to the next and previous pages (``links``: the paging headers and the
    permalink, also sent) and, given its citation, the permalink and ready citations."""
    table_html = answer_table(request, answer)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    downloads = [
        (name, f"{request.url.path}?{urlencode([*params, ('format', name)])}")
        for name in ("csv", "tsv", "json", "xml")
    ]
    body = render(
        request,
        "results.html",
        title=title,
        description=description,
        table=table_html,
        rows=answer.result.rows,
        page=answer.result.page,
        paged=answer.result.page > 1 or answer.result.next_page is not None,
        next_page=answer.result.next_page,
        next_url=_link(links, "next"),
        prev_url=_link(links, "prev"),
        elapsed=f"{answer.elapsed_ms:.1f}",
        downloads=downloads,
        citation=citation_context(request, citation),
    )
    return HTMLResponse(
        body,
        headers={
            "ETag": etag,
            "Vary": "Accept",
            "AIKG-Rows": str(answer.result.rows),
            "AIKG-Truncated": "true" if answer.result.truncated else "false",
            **links,
            "AIKG-Elapsed-Ms": f"{answer.elapsed_ms:.2f}",
            "AIKG-Data-Version": answer.version,
        },
    )


def _link(links: Mapping[str, str], rel: str) -> str | None:
    """The target of the ``rel`` link of a ``Link`` header aikg wrote (None if absent)."""
    for link in links.get("Link", "").split(", "):
        target, _, params = link.partition(">; ")
        if params == f'rel="{rel}"':
            return target.removeprefix("<")
    return None


def citation_context(request: Request, citation: Citation | None) -> dict[str, str] | None:
    """What a page shows of a citation: the permalink, the SHA-256, the citation as
    text, BibTeX and CSL-JSON."""
    if citation is None:
        return None
    base = root_url(request)
    return {
        "permalink": citation.permalink(base),
        "sha256": citation.sha256,
        "version": citation.data_version,
        "text": citation.text(base),
        "bibtex": citation.bibtex(base),
        "csl": citation.formatted("csl", base),
    }
