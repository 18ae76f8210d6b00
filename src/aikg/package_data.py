"""The files that travel with the package: ontology, shapes, data and saved queries.

They live at the top of the repository (``ontology/``, ``data/triples/``, ``data/sources/``,
``queries/``) and are installed as package data under ``aikg._resources``; they are found
through :mod:`importlib.resources` only, never through paths relative to the repository,
so a non-editable ``pip install .`` works from any directory.

>>> [f.name for f in data_files()][:2]
['concepts.ttl', 'conflicts.ttl']
>>> ontology_file().name, shapes_file().name
('aikg.ttl', 'shapes.ttl')
>>> ontology_version()
'0.1.0'
"""

from __future__ import annotations

import functools
from importlib.resources import files
from importlib.resources.abc import Traversable

import pyoxigraph as ox

from aikg.namespaces import OWL, RDF, SH

_OWL_VERSION_INFO = ox.NamedNode(OWL + "versionInfo")
_RDF_TYPE = ox.NamedNode(RDF + "type")
_NODE_SHAPE = ox.NamedNode(SH + "NodeShape")


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


def source_text_folder() -> Traversable:
    """The folder of the bundled source texts (``data/sources/``) that quotations are
    checked against."""
    return _folder("sources")


def query_files() -> list[Traversable]:
    """The saved queries, one ``.rq`` file each, sorted by name."""
    return sorted(
        (f for f in _folder("queries").iterdir() if f.name.endswith(".rq")),
        key=lambda f: f.name,
    )


@functools.cache
def ontology_version() -> str:
    """The bundled ontology's ``owl:versionInfo``: the one place the version is written."""
    triples = ox.parse(ontology_file().read_bytes(), format=ox.RdfFormat.TURTLE)
    versions = [str(t.object.value) for t in triples if t.predicate == _OWL_VERSION_INFO]
    if len(versions) != 1:
        raise AssertionError(f"the ontology has {len(versions)} owl:versionInfo, not one")
    return versions[0]


@functools.cache
def shape_count() -> int:
    """How many node shapes the bundled shapes define."""
    triples = ox.parse(shapes_file().read_bytes(), format=ox.RdfFormat.TURTLE)
    return sum(1 for t in triples if t.predicate == _RDF_TYPE and t.object == _NODE_SHAPE)
