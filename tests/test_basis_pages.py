"""Entity pages show a claim's basis: whether its source states it or the graph reads it
in, with the reason (aikg:reading), on the claim's own page and beside each claim listed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from markupsafe import escape

from aikg import KnowledgeGraph

STATED = "Stated by its source."
READING = "Not stated as recorded: the graph's reading"


def page(client: TestClient, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert response.status_code == 200, path
    return response.text


def reading(kg: KnowledgeGraph, claim: str) -> str:
    [row] = kg.query(f"SELECT ?r WHERE {{ <{claim}> aikg:reading ?r }}")  # type: ignore[misc]
    return str(row["r"])


def test_a_stated_claim_says_so(app_client: TestClient, kg: KnowledgeGraph) -> None:
    text = page(app_client, "/claim/h100-korea-s1")
    assert STATED in text and READING not in text
    view = kg.resource("https://w3id.org/aikg/claim/h100-korea-s1")
    assert view.basis is not None and view.basis.stated and view.basis.reading is None


def test_an_interpreted_claim_shows_its_reading(app_client: TestClient, kg: KnowledgeGraph) -> None:
    claim = "https://w3id.org/aikg/claim/score-china-s1"
    text = page(app_client, "/claim/score-china-s1")
    assert f"{READING} (interpreted).</strong> {escape(reading(kg, claim))}" in text
    assert STATED not in text


def test_a_read_in_claim_shows_its_reading(app_client: TestClient, kg: KnowledgeGraph) -> None:
    claim = "https://w3id.org/aikg/claim/france-approach-s1"
    text = page(app_client, "/claim/france-approach-s1")
    assert f"{READING} (read in).</strong> {escape(reading(kg, claim))}" in text


def test_the_claims_listed_on_an_entity_page_say_their_basis(
    app_client: TestClient, kg: KnowledgeGraph
) -> None:
    text = page(app_client, "/country/FR")
    maturity = "https://w3id.org/aikg/claim/ai-maturity-france-s1"
    assert f"Reading: {escape(reading(kg, maturity))}" in text
    assert '<span class="basis-tag basis-reading"' in text
    assert '<span class="basis-tag basis-stated">stated</span>' in text  # e.g. its rank change
    view = kg.resource("https://w3id.org/aikg/country/FR")
    assert view.basis is None  # a country is no claim
    labels = {view.bases[c.claim].label for c in view.claims}
    assert labels == {"stated", "interpreted", "read in"}
