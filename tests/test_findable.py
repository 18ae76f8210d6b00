"""Findable by the web's own tools: schema.org Dataset markup, a sitemap, robots.txt."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from aikg import KnowledgeGraph
from aikg.errors import NotFoundError
from aikg.formats import RDF_FORMATS
from aikg.linked_data.findable import LICENSE, SITEMAP_LIMIT, page_paths, sitemap

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_the_home_page_carries_schema_org_dataset_markup(app_client: TestClient) -> None:
    page = app_client.get("/").text
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    markup = json.loads(block)
    assert (markup["@context"], markup["@type"], markup["license"]) == (
        "https://schema.org/",
        "Dataset",
        LICENSE,
    )
    assert markup["name"].startswith("aikg")
    urls = {d["contentUrl"] for d in markup["distribution"]}
    for fmt in RDF_FORMATS:
        assert f"http://testserver/dumps/aikg.{fmt.extension}" in urls
        assert f"http://testserver/dumps/aikg.{fmt.extension}.gz" in urls
    targets = {a["target"] for a in markup["potentialAction"]}
    assert "http://testserver/sparql?query={sparql}" in targets
    assert "http://testserver/search?q={text}" in targets


def test_every_download_the_markup_names_is_served(app_client: TestClient) -> None:
    page = app_client.get("/").text
    markup = json.loads(re.findall(r'application/ld\+json">(.*?)</script>', page, re.S)[0])
    for download in markup["distribution"][:4]:  # nt, nt.gz, nq, nq.gz... cheap ones
        path = download["contentUrl"].removeprefix("http://testserver")
        assert app_client.head(path).status_code == 200, path


def test_the_sitemap_lists_every_resource_page(app_client: TestClient, kg: KnowledgeGraph) -> None:
    response = app_client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    locations = [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]
    paths = page_paths(kg.store)
    assert len(locations) == len(paths) + 1 > 300  # the home page and every resource
    assert "http://testserver/doc/country/KR" in locations
    assert "http://testserver/doc/claim/h100-korea-s1" in locations
    for location in locations[1:6]:
        assert app_client.get(location.removeprefix("http://testserver")).status_code == 200


def test_a_large_sitemap_is_an_index_of_pages() -> None:
    paths = [f"claim/c{i}" for i in range(SITEMAP_LIMIT * 2 + 1)]
    index = ET.fromstring(sitemap(paths, "http://h/"))
    assert index.tag == f"{SITEMAP}sitemapindex"
    pages = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert pages == [f"http://h/sitemap.xml?page={n}" for n in (1, 2, 3)]
    last = ET.fromstring(sitemap(paths, "http://h/", page=3))
    assert [loc.text for loc in last.iter(f"{SITEMAP}loc")][1:] == [
        f"http://h/doc/claim/c{SITEMAP_LIMIT * 2}"
    ]
    with pytest.raises(NotFoundError, match="no sitemap page 4: there are 3"):
        sitemap(paths, "http://h/", page=4)


def test_a_page_past_the_end_is_a_404(app_client: TestClient) -> None:
    response = app_client.get("/sitemap.xml", params={"page": 2})
    assert response.status_code == 404
    assert response.json()["message"] == "no sitemap page 2: there is 1"


@pytest.mark.parametrize("bad", ["0", "-1", "x", ["1", "1"]])
def test_a_bad_sitemap_page_is_a_400_naming_the_parameter(
    app_client: TestClient, bad: str | list[str]
) -> None:
    """As every page parameter: a whole number from 1, given once."""
    response = app_client.get("/sitemap.xml", params={"page": bad})
    assert (response.status_code, response.json()["where"]) == (400, "parameter 'page'")


def test_robots_keep_crawlers_off_the_query_services(app_client: TestClient) -> None:
    robots = app_client.get("/robots.txt")
    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    lines = robots.text.splitlines()
    assert "Disallow: /sparql" in lines and "Allow: /dumps/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
