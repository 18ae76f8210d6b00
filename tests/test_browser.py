"""The home page in a real headless browser (Debian's Chromium, driven by Playwright).

It opens the home page, sees both charts, runs a saved query from its form, sees the
table and follows an entity link to the entity's page. In the SPARQL editor it types a
query through completion (a prefix, a class, a property, an entity by its English and by
its Korean name), runs it, sorts the table, sees the chart and follows a link; loads an
example; opens a shared link and sees it run; reads an error; and, without JavaScript,
posts the plain form. An answer's page gives its citation, and its permalink reopens it. No request leaves the server's origin (the page loads nothing from
outside).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

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


def test_an_answer_page_gives_its_citation_and_its_permalink_reopens_it(
    page: tuple[Page, list[str]], server: Server
) -> None:
    tab, requests = page
    tab.goto(server.url + "/queries/holdings?holder=country/KR")
    citation = tab.locator("section.citation")
    assert citation.locator("h2").text_content() == "Cite this answer"
    sha = citation.locator("code.sha256").text_content() or ""
    assert len(sha) == 64
    text = citation.locator("p.citation-text").text_content() or ""
    assert "Hardware holdings, ranked (holder=country/KR)" in text and sha in text
    citation.locator("summary", has_text="BibTeX").click()
    assert citation.locator("pre.bibtex").is_visible()
    assert (citation.locator("pre.bibtex").text_content() or "").startswith("@misc{aikg-")
    citation.locator("a.permalink").click()
    tab.wait_for_load_state()
    assert "/cite?saved=holdings" in tab.url
    statement = tab.locator("p.statement").text_content() or ""
    assert statement.startswith("This is the answer as cited")
    assert tab.locator("table.results tbody tr").count() == 2
    assert requests and all(url.startswith(server.url) for url in requests), requests


def test_without_javascript_the_sparql_form_posts_into_a_table(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(server.url + "/")
    assert tab.locator(".CodeMirror").count() == 0  # the plain textarea, not the editor
    tab.locator("textarea.sparql").fill("SELECT ?c WHERE { ?c a aikg:Country } ORDER BY ?c")
    tab.locator("form.sparql-form button").click()
    tab.wait_for_load_state()
    rows = tab.locator("table.results tbody tr")
    assert rows.count() == 9
    assert all(url.startswith(server.url) for url in requests)
    context.close()


# -- the SPARQL editor ------------------------------------------------------------------

HOLDINGS = (
    "SELECT ?holder ?quantity WHERE { ?claim a aikg:HardwareHolding ; "
    "aikg:subject ?holder ; aikg:quantity ?quantity }"
)


def open_editor(tab: Page, url: str) -> None:
    tab.goto(url)
    tab.locator(".CodeMirror").wait_for()


def editor_text(tab: Page) -> str:
    return str(tab.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()"))


def clear_editor(tab: Page) -> None:
    tab.locator(".CodeMirror").click()
    tab.keyboard.press("Control+a")
    tab.keyboard.press("Delete")


def pick(tab: Page, text: str) -> None:
    """Choose the completion that shows ``text`` with the keyboard, as people do (a click
    would take the focus from the editor for a moment, and lose what is typed next)."""
    hints = tab.locator("li.CodeMirror-hint")
    hints.filter(has_text=text).first.wait_for()
    position = next(i for i, shown in enumerate(hints.all_text_contents()) if text in shown)
    for _ in range(position):
        tab.keyboard.press("ArrowDown")
    tab.keyboard.press("Enter")
    tab.locator("ul.CodeMirror-hints").wait_for(state="detached")


def results_column(tab: Page, n: int) -> list[str]:
    cells = tab.locator(f"table.editor-table tbody tr td:nth-child({n})")
    return [text.strip() for text in cells.all_text_contents()]


def test_the_editor_completes_runs_sorts_charts_and_links(
    page: tuple[Page, list[str]], server: Server
) -> None:
    tab, requests = page
    open_editor(tab, server.url + "/")
    clear_editor(tab)
    # A prefix (offered while typing), then a class of the ontology with its label.
    tab.keyboard.type("SELECT ?holder ?quantity WHERE { ?claim a aik")
    pick(tab, "aikg:")
    tab.keyboard.type("HardwareHol")
    assert "hardware holding" in tab.locator("li.CodeMirror-hint").first.text_content()  # type: ignore[operator]
    pick(tab, "aikg:HardwareHolding")
    # A property, offered after the colon and narrowed by its name.
    tab.keyboard.type(" ; aikg:subj")
    pick(tab, "aikg:subject")
    tab.keyboard.type(" ?holder ; aikg:quantity ?quantity }")
    tab.keyboard.press("Escape")
    assert editor_text(tab) == HOLDINGS

    tab.keyboard.press("Control+Enter")
    table = tab.locator("table.editor-table")
    table.wait_for()
    assert table.locator("tbody tr").count() == 6
    assert "6 rows" in tab.locator(".editor-results p.meta").text_content()  # type: ignore[operator]
    # Numbers grouped and right-aligned; IRIs short and linked to their pages.
    assert sorted(results_column(tab, 2)) == sorted(
        ["350,000", "350,000", "100,000", "35,000", "2,000", "2,000"]
    )
    assert set(results_column(tab, 1)) == {
        "company:meta",
        "company:xai",
        "company:tesla",
        "country:CN",
        "country:KR",
    }
    # A label column and a number column: a bar chart, one bar per row.
    chart = tab.locator("svg.chart-editor")
    assert chart.locator("g.bar").count() == 6

    quantity = table.locator("th", has_text="?quantity")
    quantity.locator("button").click()
    assert quantity.get_attribute("aria-sort") == "ascending"
    assert results_column(tab, 2) == ["2,000", "2,000", "35,000", "100,000", "350,000", "350,000"]
    quantity.locator("button").click()
    assert quantity.get_attribute("aria-sort") == "descending"
    assert results_column(tab, 2)[:3] == ["350,000", "350,000", "100,000"]
    holder = table.locator("th", has_text="?holder")
    holder.locator("button").click()
    assert results_column(tab, 1)[0] == "company:meta"

    # The address now reproduces the query.
    assert "query=" in tab.url

    table.locator('a[href="/company/tesla"]').click()
    tab.wait_for_load_state()
    assert tab.url == server.url + "/doc/company/tesla"
    assert tab.locator("h1").text_content() == "Tesla"
    assert requests and all(url.startswith(server.url) for url in requests), requests


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        ("Korea", True),  # a bare word: looked up on Ctrl-Space
        ("한국", True),  # South Korea's Korean alternative name
        ("country:Kor", False),  # after an entity prefix: looked up as you type
    ],
)
def test_the_editor_completes_an_entity_by_its_name_in_english_or_korean(
    page: tuple[Page, list[str]], server: Server, typed: str, asked: bool
) -> None:
    tab, requests = page
    open_editor(tab, server.url + "/")
    clear_editor(tab)
    tab.keyboard.type("SELECT ?p ?o WHERE { ")
    tab.keyboard.type(typed)
    if asked:
        tab.keyboard.press("Control+Space")
    assert "South Korea" in tab.locator("li.CodeMirror-hint").first.text_content()  # type: ignore[operator]
    pick(tab, "country:KR")
    tab.keyboard.type(" rdfs:label ?o }")
    tab.keyboard.press("Escape")
    assert editor_text(tab) == "SELECT ?p ?o WHERE { country:KR rdfs:label ?o }"
    tab.keyboard.press("Control+Enter")
    tab.locator("table.editor-table").wait_for()
    assert {"South Korea @en", "대한민국 @ko"} <= set(results_column(tab, 2))
    assert all(url.startswith(server.url) for url in requests), requests


def test_an_example_loads_and_runs_and_its_shared_link_reproduces_it(
    page: tuple[Page, list[str]], server: Server
) -> None:
    tab, requests = page
    open_editor(tab, server.url + "/")
    tab.locator("select.examples").select_option("holdings")
    tab.locator("table.editor-table").wait_for()
    assert editor_text(tab).startswith("#+ title: Hardware holdings, ranked")
    assert tab.locator("table.editor-table tbody tr").count() == 6
    # The bars are named by the label column: Meta's and China's 350,000 first.
    names = tab.locator("svg.chart-editor g.bar text:not(.value)").all_text_contents()
    assert sorted(names[:2]) == ["China", "Meta"]
    shared = tab.locator("a.share-link").get_attribute("href")
    assert shared and shared.startswith("/?query=")

    # The example's link, and links written by hand in both forms, run in a new tab.
    for url in (
        server.url + shared,
        server.url + "/?" + urlencode({"query": HOLDINGS}) + "#sparql",
        server.url + "/#" + urlencode({"query": HOLDINGS}),
    ):
        fresh = tab.context.new_page()
        open_editor(fresh, url)
        fresh.locator("table.editor-table").wait_for()
        assert fresh.locator("table.editor-table tbody tr").count() == 6
        assert "350,000" in results_column(fresh, 2) or "350,000" in results_column(fresh, 4)
        fresh.close()
    assert all(url.startswith(server.url) for url in requests), requests


def test_the_editor_shows_graphs_as_turtle_and_errors_readably(
    page: tuple[Page, list[str]], server: Server
) -> None:
    tab, requests = page
    construct = "CONSTRUCT { <country/KR> rdfs:label ?l } WHERE { <country/KR> rdfs:label ?l }"
    open_editor(tab, server.url + "/?" + urlencode({"query": construct}))
    turtle = tab.locator("pre.turtle")
    turtle.wait_for()
    assert '"대한민국"@ko' in turtle.text_content()  # type: ignore[operator]

    clear_editor(tab)
    tab.keyboard.type("SELECT ?x WHERE { ?x a aikg:Country")
    tab.keyboard.press("Escape")
    tab.keyboard.press("Control+Enter")
    error = tab.locator(".editor-error")
    error.wait_for()
    text = error.inner_text()
    assert text.startswith("400")
    assert "line 1, column" in text
    assert "how to fix it" in text
    assert tab.locator(".editor-error-line").count() == 1
    assert all(url.startswith(server.url) for url in requests), requests
