"""Shared fixtures: the bundled graph, loaded once per session, and SPARQL helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from aikg import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "sources" / "article.txt"

PREFIXES = """
PREFIX country:   <https://w3id.org/aikg/country/>
PREFIX company:   <https://w3id.org/aikg/company/>
PREFIX organization: <https://w3id.org/aikg/organization/>
PREFIX person:    <https://w3id.org/aikg/person/>
PREFIX group:     <https://w3id.org/aikg/group/>
PREFIX event:     <https://w3id.org/aikg/event/>
PREFIX hardware:  <https://w3id.org/aikg/hardware/>
PREFIX index:     <https://w3id.org/aikg/index/>
PREFIX tier:      <https://w3id.org/aikg/tier/>
PREFIX scale:     <https://w3id.org/aikg/scale/>
PREFIX innovation-type: <https://w3id.org/aikg/innovation-type/>
PREFIX stance:    <https://w3id.org/aikg/stance/>
PREFIX role:      <https://w3id.org/aikg/role/>
PREFIX indicator: <https://w3id.org/aikg/indicator/>
PREFIX topic:     <https://w3id.org/aikg/topic/>
PREFIX claim:     <https://w3id.org/aikg/claim/>
PREFIX conflict:  <https://w3id.org/aikg/conflict/>
PREFIX source:    <https://w3id.org/aikg/source/>
"""


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The bundled knowledge graph, in memory, validated."""
    return KnowledgeGraph.load()


def ask(kg: KnowledgeGraph, body: str) -> bool:
    """Run an ASK query (the common prefixes plus the instance prefixes above)."""
    result = kg.query(PREFIXES + body)
    assert isinstance(result, bool)
    return result
