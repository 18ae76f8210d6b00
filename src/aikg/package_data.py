"""The files that travel with the package: ontology, shapes, data and saved queries.

They live at the top of the repository (``ontology/``, ``data/triples/``, ``queries/``)
and are installed as package data under ``aikg._resources``; they are found through
:mod:`importlib.resources` only, never through paths relative to the repository, so a
non-editable ``pip install .`` works from any directory.

>>> [f.name for f in data_files()][:2]
['concepts.ttl', 'conflicts.ttl']
>>> ontology_file().name, shapes_file().name
('aikg.ttl', 'shapes.ttl')
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def _folder(name: str) -> Traversable:
    return files(f"aikg._resources.{name}")


def ontology_file() -> Traversable:
    """The OWL ontology (Turtle)."""
    return _folder("ontology") / "aikg.ttl"


def shapes_file() -> Traversable:
    """The SHACL shapes (Turtle)."""
    return _folder("ontology") / "shapes.ttl"


def data_files() -> list[Traversable]:
    """The bundled instance data, one Turtle file per slice, sorted by name."""
    return sorted(
        (f for f in _folder("triples").iterdir() if f.name.endswith(".ttl")),
        key=lambda f: f.name,
    )


def query_files() -> list[Traversable]:
    """The saved queries, one ``.rq`` file each, sorted by name."""
    return sorted(
        (f for f in _folder("queries").iterdir() if f.name.endswith(".rq")),
        key=lambda f: f.name,
    )
