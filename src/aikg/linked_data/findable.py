"""What makes the dataset findable by the web's own tools: schema.org ``Dataset`` markup
(read by dataset search engines from the home page), a sitemap of every resource's page,
and ``robots.txt``.

The dataset's title, description and licence are written once here; the VoID/DCAT
description (:func:`aikg.linked_data.views.describe_dataset`) uses the same.

>>> markup = dataset_markup("http://localhost:8000/")
>>> markup["@type"], markup["license"]
('Dataset', 'https://creativecommons.org/licenses/by/4.0/')
>>> print(robots_txt("http://localhost:8000/").splitlines()[3])
Disallow: /sparql
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote
from xml.sax.saxutils import escape

import pyoxigraph as ox

from aikg.errors import NotFoundError
from aikg.formats import RDF_FORMATS
from aikg.store.local import Store

TITLE = "aikg: a knowledge graph of the global AI race"
DESCRIPTION = (
    "Claims about the global AI race (GPU holdings, national AI rankings, companies, "
    "people, innovation types), each with its source and the exact quotation it rests "
    "on. First source: a web page on Korea's AI transition (an article and an "
    "interview)."
)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
SITEMAP_LIMIT = 50_000
"""URLs in one sitemap file, as the sitemap protocol allows; more go in further pages."""


def dataset_markup(base_url: str) -> dict[str, object]:
    """The schema.org ``Dataset`` of the service at ``base_url``, as JSON-LD: its
    licence, every dump (plain and gzip) as a ``DataDownload``, the SPARQL endpoint and
    the search as actions a client can take."""
    downloads: list[dict[str, object]] = []
    for fmt in RDF_FORMATS:
        for suffix, encoding in (("", fmt.media_type), (".gz", "application/gzip")):
            downloads.append(
                {
                    "@type": "DataDownload",
                    "name": f"aikg.{fmt.extension}{suffix}",
                    "encodingFormat": encoding,
                    "contentUrl": f"{base_url}dumps/aikg.{fmt.extension}{suffix}",
                }
            )
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": f"{base_url}#dataset",
        "name": TITLE,
        "description": DESCRIPTION,
        "url": base_url,
        "license": LICENSE,
        "isAccessibleForFree": True,
        "keywords": ["artificial intelligence", "GPU", "AI rankings", "Korea", "knowledge graph"],
        "distribution": downloads,
        "subjectOf": {"@type": "WebPage", "url": f"{base_url}.well-known/void"},
        "potentialAction": [
            {
                "@type": "SearchAction",
                "target": f"{base_url}search?q={{text}}",
                "query-input": "required name=text",
            },
            {
                "@type": "SearchAction",
                "name": "SPARQL 1.1 endpoint",
                "target": f"{base_url}sparql?query={{sparql}}",
                "query-input": "required name=sparql",
            },
        ],
    }


def robots_txt(base_url: str) -> str:
    """Crawlers may read the pages and the dumps; the query services are not for them."""
    return (
        "User-agent: *\n"
        "Allow: /\n"
        "Allow: /dumps/\n"
        "Disallow: /sparql\n"
        "Disallow: /store\n"
        "Disallow: /search\n"
        "Disallow: /queries/\n"
        f"Sitemap: {base_url}sitemap.xml\n"
    )


def page_paths(store: Store) -> list[str]:
    """The path (under the base IRI) of every resource the data states something about,
    sorted: each has a page at ``doc/<path>``."""
    base = store.settings.base_iri
    inferred = ox.NamedNode(store.inferred_graph)
    result = store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER (isIRI(?s) && STRSTARTS(STR(?s), {ox.Literal(base)}) && ?g != {inferred}) }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    return sorted(
        row["s"].value[len(base) :] for row in result if isinstance(row["s"], ox.NamedNode)
    )


def sitemap(paths: list[str], base_url: str, page: int | None = None) -> str:
    """The sitemap: one ``urlset`` of the pages when they fit in one file; otherwise an
    index of the pages of it (``sitemap.xml?page=N``), and the ``urlset`` of page N."""
    pages = max(1, -(-len(paths) // SITEMAP_LIMIT))
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"
    if page is None and pages > 1:
        entries = "".join(
            f"  <sitemap><loc>{escape(base_url)}sitemap.xml?page={n}</loc></sitemap>\n"
            for n in range(1, pages + 1)
        )
        return f'{head}<sitemapindex xmlns="{namespace}">\n{entries}</sitemapindex>\n'
    if page is not None and not 1 <= page <= pages:
        raise NotFoundError(
            f"no sitemap page {page}: there {'is' if pages == 1 else 'are'} {pages}",
            where="parameter page",
            hint="sitemap.xml lists its pages",
        )
    chosen = paths if page is None else paths[(page - 1) * SITEMAP_LIMIT : page * SITEMAP_LIMIT]
    return f'{head}<urlset xmlns="{namespace}">\n{"".join(_urls(chosen, base_url))}</urlset>\n'


def _urls(paths: list[str], base_url: str) -> Iterator[str]:
    yield f"  <url><loc>{escape(base_url)}</loc></url>\n"
    for path in paths:
        yield f"  <url><loc>{escape(base_url + 'doc/' + quote(path, safe='/'))}</loc></url>\n"
