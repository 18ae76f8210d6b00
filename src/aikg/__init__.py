"""aikg: a knowledge graph of the global AI race, where every fact is a sourced claim.

>>> from aikg import KnowledgeGraph
>>> kg = KnowledgeGraph.load()
>>> [c.label for c in kg.conflicts().records]
['Is France among the AI leading countries?', 'Who holds 350,000: Meta or China?']
"""

from typing import TYPE_CHECKING, Any

from aikg.analyst import Conflict, ConflictingClaim, Evidence, Holding, IndexPosition, Provenance
from aikg.config import DEFAULT_BASE_IRI, Settings
from aikg.errors import (
    AikgError,
    AnswerTooLargeError,
    ConfigError,
    DataChangedError,
    InputError,
    NotFoundError,
    ParameterError,
    QueryMemoryError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    RdfSyntaxError,
    ServerUnreachableError,
    SettingError,
    StoreError,
    UnsupportedFormatError,
    ValidationError,
)
from aikg.knowledge_graph import KnowledgeGraph, Stats
from aikg.sparql.execute import QueryResult, SelectResult
from aikg.validation.pyshacl_engine import ValidationReport, Violation

__version__ = "0.1.0"

if TYPE_CHECKING:
    from aikg.client import Client


def __getattr__(name: str) -> Any:
    # The HTTP client (and httpx) is loaded on first use: most programs never need it.
    if name == "Client":
        from aikg.client import Client  # noqa: PLC0415

        return Client
    raise AttributeError(f"module 'aikg' has no attribute {name!r}")


__all__ = [
    "DEFAULT_BASE_IRI",
    "AikgError",
    "AnswerTooLargeError",
    "Client",
    "ConfigError",
    "Conflict",
    "ConflictingClaim",
    "DataChangedError",
    "Evidence",
    "Holding",
    "IndexPosition",
    "InputError",
    "KnowledgeGraph",
    "NotFoundError",
    "ParameterError",
    "Provenance",
    "QueryMemoryError",
    "QueryRefusedError",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "RdfSyntaxError",
    "SelectResult",
    "ServerUnreachableError",
    "SettingError",
    "Settings",
    "Stats",
    "StoreError",
    "UnsupportedFormatError",
    "ValidationError",
    "ValidationReport",
    "Violation",
    "__version__",
]
