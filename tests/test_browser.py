"""The home page in a real headless browser (Debian's Chromium, driven by Playwright).

It opens the home page, sees both charts, runs a saved query from its form, sees the
table, follows an entity link to the entity's page, and runs a SPARQL query from the
editor; and no request leaves the server's origin (the page loads nothing from outside).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import require_program
from tests.server import Server

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = require_program("chromium", "chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[tuple[Page, list[str]]]:
    """A page that records the URL of every request it makes."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    yield page, requests
    context.close()


def test_home_page_charts_a_saved_query_and_an_entity_page(
    page: tuple[Page, list[str]], server: Server
) -> None:
    tab, requests = page
    tab.goto(server.url + "/")
    assert tab.title().startswith("The global AI race")

    holdings = tab.locator("svg.chart-holdings")
    assert holdings.is_visible()
    assert holdings.locator("g.bar").count() == 6
    assert holdings.locator("g.bar.conflict").count() == 2  # Meta and China, 350,000 each
    assert "log scale" in holdings.locator("title").first.text_content()  # type: ignore[operator]
    ranks = tab.locator("svg.chart-ranks")
    assert ranks.is_visible() and ranks.locator("circle").count() >= 5
    assert ranks.locator("g.rank-change").count() == 2  # France 13 -> 5, in S1 and S2

    form = tab.locator('form[data-query="holdings"]')
    form.locator('input[name="holder"]').fill("country/KR")
    form.locator('button[type="submit"]').click()
    tab.wait_for_load_state()
    assert tab.locator("h1").text_content() == "Hardware holdings, ranked"
    table = tab.locator("table.results")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 2
    assert "2 rows" in tab.locator("p.meta").text_content()  # type: ignore[operator]

    table.locator('a[href="/country/KR"]').first.click()
    tab.wait_for_load_state()
    assert tab.url == server.url + "/doc/country/KR"
    assert tab.locator("h1").text_content() == "South Korea"
    assert tab.locator("blockquote").count() > 10  # the quotations behind its facts

    assert requests and all(url.startswith(server.url) for url in requests), requests


def test_the_sparql_editor_runs_a_query_into_a_table(
    page: tuple[Page, list[str]], server: Server
) -> None:
    tab, requests = page
    tab.goto(server.url + "/")
    tab.locator("textarea.sparql").fill("SELECT ?c WHERE { ?c a aikg:Country } ORDER BY ?c")
    tab.locator("form.sparql-form button").click()
    tab.wait_for_load_state()
    rows = tab.locator("table.results tbody tr")
    assert rows.count() == 9
    assert all(url.startswith(server.url) for url in requests)
