"""The examples in the package's docstrings run and give the answers they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import aikg

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(aikg.__path__, "aikg.")
    if not name.startswith("aikg._resources")
)
DOCUMENTED = [
    "aikg",
    "aikg.config",
    "aikg.errors",
    "aikg.formats",
    "aikg.knowledge_graph",
    "aikg.sparql.guard",
    "aikg.sparql.results",
    "aikg.saved_queries",
    "aikg.sparql.lexer",
    "aikg.store.local",
    "aikg.terms",
]


def run_examples(name: str) -> doctest.TestResults:
    module = importlib.import_module(name)
    return doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)


@pytest.mark.parametrize("name", ["aikg", *MODULES])
def test_docstring_examples_hold(name: str) -> None:
    assert run_examples(name).failed == 0


@pytest.mark.parametrize("name", DOCUMENTED)
def test_core_modules_show_examples(name: str) -> None:
    assert run_examples(name).attempted > 0
