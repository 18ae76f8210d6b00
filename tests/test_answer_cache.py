"""Answers are cached per data version: a repeated request takes no worker, a write
makes every answer new, and a remote store's answers are never cached."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aikg import KnowledgeGraph
from aikg.web import create_app
from aikg.workers import jobs
from tests.conftest import InlineService

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/aikg/country/KR> ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


class Counting(InlineService):
    """The in-process service, counting the jobs its pool runs."""

    def __init__(self, kg: KnowledgeGraph):
        super().__init__(kg)
        self.jobs: list[str] = []
        run = self.pool.run

        def counted(name: str, timeout: float | None = None, **kwargs: Any) -> Any:
            self.jobs.append(name)
            return run(name, timeout, **kwargs)

        self.pool.run = counted  # type: ignore[method-assign]


@pytest.fixture
def counted() -> Iterator[tuple[KnowledgeGraph, Counting, TestClient]]:
    kg = KnowledgeGraph.load()
    service = Counting(kg)
    with TestClient(create_app(kg.settings, service=service)) as client:
        yield kg, service, client


def test_a_repeated_query_is_answered_without_a_worker(
    counted: tuple[KnowledgeGraph, Counting, TestClient],
) -> None:
    _kg, service, client = counted
    first = client.get("/sparql", params={"query": LOOKUP}, headers=JSON)
    again = client.get("/sparql", params={"query": LOOKUP}, headers=JSON)
    assert first.content == again.content and first.status_code == 200
    assert service.jobs.count("query") == 1
    client.get("/sparql", params={"query": LOOKUP + " LIMIT 3"}, headers=JSON)
    assert service.jobs.count("query") == 2  # another text, another answer
    client.get("/queries/holdings", params={"holder": "country/KR"}, headers=JSON)
    client.get("/queries/holdings", params={"holder": "country/KR"}, headers=JSON)
    assert service.jobs.count("saved") == 1


def test_a_write_makes_every_answer_new(
    counted: tuple[KnowledgeGraph, Counting, TestClient],
) -> None:
    kg, service, client = counted
    before = client.get("/sparql", params={"query": LOOKUP}, headers=JSON).json()
    insert = (
        "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/notes> { "
        '<https://w3id.org/aikg/country/KR> <http://www.w3.org/2000/01/rdf-schema#comment> "x" } }'
    )
    jobs.update(kg, dry_run=False, sparql=insert)
    after = client.get("/sparql", params={"query": LOOKUP}, headers=JSON).json()
    assert service.jobs.count("query") == 2
    rows = len(after["results"]["bindings"])
    assert rows == len(before["results"]["bindings"]) + 1


def test_a_remote_store_is_never_answered_from_the_cache(
    counted: tuple[KnowledgeGraph, Counting, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    _kg, service, client = counted
    # A remote store has no fingerprint of its data (other clients may change it).
    monkeypatch.setattr(type(service.pool), "data_version", property(lambda self: None))
    for _ in range(2):
        client.get("/sparql", params={"query": LOOKUP}, headers=JSON)
    assert service.jobs.count("query") == 2
