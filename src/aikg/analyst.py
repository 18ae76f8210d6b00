"""The questions an analyst asks first, as typed Python.

Each helper runs a saved query (``queries/*.rq``: the same answer over HTTP and from the
CLI) and returns its answer as every query does (a :class:`~aikg.sparql.execute.SelectResult`:
``rows``, ``values()``, ``to_dataframe()``), with the rows also read as frozen
dataclasses of Python values in ``records``. The helpers live in :class:`AnalystQueries`,
which both :class:`~aikg.KnowledgeGraph` (in process) and :class:`~aikg.Client` (a
running server) provide.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aikg.conflicts import Candidate, candidates
from aikg.sparql.execute import QueryResult, Records, SelectResult


@dataclass(frozen=True)
class Holding:
    """A claim that someone holds a number of hardware units."""

    claim: str
    holder: str
    holder_label: str | None
    quantity: int
    hardware_model: str | None
    """The hardware model's IRI; None when the source names no model."""
    hardware_label: str | None
    """The model's label, or the source's own words for the hardware."""
    source_id: str
    source: str
    attributed_to: str | None
    conflict: str | None
    """The conflict this claim is flagged in, if any."""
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class IndexPosition:
    """A claim placing a country in an index, by rank or by tier."""

    claim: str
    country: str
    country_label: str | None
    index: str
    index_label: str | None
    publisher_label: str | None
    rank: int | None
    ranked_count: int | None
    tier: str | None
    tier_label: str | None
    as_written: str | None
    source_id: str
    source: str
    conflict: str | None
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class RankChange:
    """A claim that a country moved from one rank to another in an index."""

    claim: str
    country: str
    country_label: str | None
    index: str
    from_rank: int
    to_rank: int
    period: str | None
    supported_by: str | None
    source_id: str


@dataclass(frozen=True)
class ConflictingClaim:
    """One side of a conflict."""

    claim: str
    label: str | None
    subject: str | None
    subject_label: str | None
    source_id: str
    quotes: tuple[str, ...]
    disputed: bool = False
    """True for a claim the conflict puts in question, False for one it is weighed against."""


@dataclass(frozen=True)
class Conflict:
    """Claims that cannot all be true as stated, and why."""

    conflict: str
    label: str | None
    explanation: str | None
    claims: tuple[ConflictingClaim, ...]


@dataclass(frozen=True)
class Evidence:
    """A quotation or table cell a claim rests on."""

    quote: str
    text: str
    table_row: str | None
    table_column: str | None
    spoken_by: str | None


@dataclass(frozen=True)
class Provenance:
    """Where one claim comes from, and how the asked-about resource takes part in it."""

    claim: str
    claim_label: str | None
    relation: str | None
    """The property linking the claim to the resource (None when the resource is the claim)."""
    source_id: str
    source: str
    attributed_to: str | None
    attributed_to_label: str | None
    evidence: tuple[Evidence, ...]


def _quotes(value: Any) -> tuple[str, ...]:
    return tuple(value.split("\n")) if value else ()


def holdings(result: SelectResult) -> list[Holding]:
    """Rows of the ``holdings`` saved query as :class:`Holding`."""
    return [
        Holding(
            claim=row["claim"],
            holder=row["holder"],
            holder_label=row.get("holderLabel"),
            quantity=int(row["quantity"]),
            hardware_model=row.get("hardwareModel"),
            hardware_label=row.get("hardwareLabel"),
            source_id=row["sourceId"],
            source=row["source"],
            attributed_to=row.get("attributedTo"),
            conflict=row.get("conflict"),
            quotes=_quotes(row.get("quotes")),
        )
        for row in result.values()
    ]


def index_positions(result: SelectResult) -> list[IndexPosition]:
    """Rows of the ``index-positions`` saved query as :class:`IndexPosition`."""
    return [
        IndexPosition(
            claim=row["claim"],
            country=row["country"],
            country_label=row.get("countryLabel"),
            index=row["index"],
            index_label=row.get("indexLabel"),
            publisher_label=row.get("publisherLabel"),
            rank=None if row.get("rank") is None else int(row["rank"]),
            ranked_count=None if row.get("rankedCount") is None else int(row["rankedCount"]),
            tier=row.get("tier"),
            tier_label=row.get("tierLabel"),
            as_written=row.get("asWritten"),
            source_id=row["sourceId"],
            source=row["source"],
            conflict=row.get("conflict"),
            quotes=_quotes(row.get("quotes")),
        )
        for row in result.values()
    ]


def rank_changes(result: SelectResult) -> list[RankChange]:
    """Rows of the ``rank-changes`` saved query as :class:`RankChange`."""
    return [
        RankChange(
            claim=row["claim"],
            country=row["country"],
            country_label=row.get("countryLabel"),
            index=row["index"],
            from_rank=int(row["fromRank"]),
            to_rank=int(row["toRank"]),
            period=row.get("period"),
            supported_by=row.get("supportedBy"),
            source_id=row["sourceId"],
        )
        for row in result.values()
    ]


def conflicts(result: SelectResult) -> list[Conflict]:
    """Rows of the ``conflicts`` saved query grouped into :class:`Conflict`, in order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in result.values():
        grouped.setdefault(row["conflict"], []).append(row)
    return [
        Conflict(
            conflict=iri,
            label=rows[0].get("conflictLabel"),
            explanation=rows[0].get("explanation"),
            claims=tuple(
                ConflictingClaim(
                    claim=r["claim"],
                    label=r.get("claimLabel"),
                    subject=r.get("subject"),
                    subject_label=r.get("subjectLabel"),
                    source_id=r["sourceId"],
                    quotes=_quotes(r.get("quotes")),
                    disputed=r.get("disputed") is True,
                )
                for r in rows
            ),
        )
        for iri, rows in grouped.items()
    ]


def provenance(result: SelectResult) -> list[Provenance]:
    """Rows of the ``provenance`` saved query grouped by claim and relation."""
    grouped: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for row in result.values():
        grouped.setdefault((row["claim"], row.get("relation")), []).append(row)
    records = []
    for (claim, relation), rows in grouped.items():
        first = rows[0]
        evidence: dict[str, Evidence] = {}
        for r in rows:
            evidence.setdefault(
                r["quote"],
                Evidence(
                    quote=r["quote"],
                    text=r["quoteText"],
                    table_row=r.get("tableRow"),
                    table_column=r.get("tableColumn"),
                    spoken_by=r.get("spokenBy"),
                ),
            )
        records.append(
            Provenance(
                claim=claim,
                claim_label=first.get("claimLabel"),
                relation=relation,
                source_id=first["sourceId"],
                source=first["source"],
                attributed_to=first.get("attributedTo"),
                attributed_to_label=first.get("attributedToLabel"),
                evidence=tuple(evidence.values()),
            )
        )
    return records


T = TypeVar("T")


def _read(result: SelectResult, reader: Callable[[SelectResult], list[T]]) -> Records[T]:
    """The answer as it is, with its rows also read as records."""
    return Records(
        result.variables,
        result.rows,
        result.truncated,
        result.page,
        result.next_page,
        records=reader(result),
    )


class AnalystQueries(ABC):
    """The analyst's first questions, asked through :meth:`saved`."""

    @abstractmethod
    def saved(
        self,
        name: str,
        *,
        lang: str | None = "en",
        page: int | None = None,
        **params: str | Sequence[str] | None,
    ) -> QueryResult:
        """Run a saved query with its parameters (one page of a long answer)."""

    def _select(self, name: str, lang: str | None = None, **params: str | None) -> SelectResult:
        result = self.saved(name, lang=lang, page=1, **params)
        if not isinstance(result, SelectResult):
            raise TypeError(f"saved query {name!r} is not a SELECT")
        return result

    def holdings(self, holder: str | None = None, hardware: str | None = None) -> Records[Holding]:
        """Hardware holdings, largest first, each with its source and quotes.

        ``holder`` and ``hardware`` are IRIs, absolute or relative to the base IRI.
        """
        return _read(self._select("holdings", holder=holder, hardware=hardware), holdings)

    def index_positions(
        self, country: str | None = None, index: str | None = None
    ) -> Records[IndexPosition]:
        """Positions in indexes and rankings, optionally of one country or one index.

        >>> from aikg import KnowledgeGraph
        >>> for p in KnowledgeGraph.load().index_positions("country/KR").records:
        ...     print(p.index_label, p.rank or p.tier_label)
        AI Maturity Matrix stable competitive countries
        AI Maturity Matrix stable competitive countries
        Manufacturing Competitiveness Index 4
        global AI ranking 35
        labor productivity (OECD-based) 33
        """
        return _read(self._select("index-positions", country=country, index=index), index_positions)

    def rank_changes(self, country: str | None = None) -> Records[RankChange]:
        """How countries' ranks changed, each claim with its period and source."""
        return _read(self._select("rank-changes", lang="en", country=country), rank_changes)

    def conflicts(self) -> Records[Conflict]:
        """Claims flagged as conflicting: one row per claim, one record per conflict."""
        return _read(self._select("conflicts"), conflicts)

    def conflict_candidates(self, *, recorded: bool = False) -> Records[Candidate]:
        """Pairs of claims that the rules of :mod:`aikg.conflicts` find in conflict, left
        out those an ``aikg:Conflict`` already links unless ``recorded``."""
        answer = self._select(
            "conflict-candidates", lang="en", recorded="true" if recorded else "false"
        )
        return _read(answer, candidates)

    def provenance(self, iri: str) -> Records[Provenance]:
        """Where a claim comes from, or every claim involving an entity.

        >>> from aikg import KnowledgeGraph
        >>> [(p.source_id, [e.text for e in p.evidence])
        ...  for p in KnowledgeGraph.load().provenance("claim/h100-china-s1").records]
        [('S1', ['350,000'])]
        """
        return _read(self._select("provenance", resource=iri), provenance)
