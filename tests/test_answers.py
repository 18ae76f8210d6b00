"""One kind of answer in Python: the analyst's helpers answer as every query does, and
DataFrames carry typed columns."""

from __future__ import annotations

import sys
from datetime import datetime

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from aikg import KnowledgeGraph
from aikg.errors import AikgError, MissingDependencyError
from aikg.sparql.execute import Records, SelectResult

pd = pytest.importorskip("pandas")


@pytest.mark.parametrize(
    ("helper", "args", "records"),
    [
        ("holdings", (), 6),
        ("index_positions", ("country/KR",), 5),
        ("rank_changes", (), 2),
        ("conflicts", (), 2),  # one record per conflict...
        ("provenance", ("claim/h100-china-s1",), 1),
    ],
)
def test_every_helper_answers_as_a_query_does(
    kg: KnowledgeGraph, helper: str, args: tuple[str, ...], records: int
) -> None:
    answer = getattr(kg, helper)(*args)
    assert isinstance(answer, Records) and isinstance(answer, SelectResult)
    assert len(answer.records) == records
    assert len(answer.values()) == len(answer.rows) >= records
    assert list(answer.to_dataframe().columns) == list(answer.variables)


def test_a_helper_answer_is_the_saved_query_answer(kg: KnowledgeGraph) -> None:
    helper = kg.holdings("country/KR")
    saved = kg.saved("holdings", lang=None, holder="country/KR")
    assert isinstance(saved, SelectResult)
    assert (helper.variables, helper.rows) == (saved.variables, saved.rows)
    assert [h.quantity for h in helper.records] == [2000, 2000]


def test_conflicts_are_one_row_per_claim_and_one_record_per_conflict(kg: KnowledgeGraph) -> None:
    answer = kg.conflicts()
    assert len(answer.rows) == 8  # 2 + 6 conflicting claims
    assert sorted(len(c.claims) for c in answer.records) == [2, 6]


def test_dataframe_columns_are_typed(kg: KnowledgeGraph) -> None:
    frame = kg.holdings().to_dataframe()
    assert frame["quantity"].dtype == "int64"
    assert pd.api.types.is_string_dtype(frame["holder"]) or frame["holder"].dtype == object
    compared = kg.saved("holdings-compared")
    assert isinstance(compared, SelectResult)
    multiples = compared.to_dataframe()
    assert multiples["multiple"].dtype == "float64"
    assert multiples["quantity"].dtype == "int64"


def test_missing_values_keep_an_integer_column_integer() -> None:
    answer = SelectResult(
        ("n", "flag", "when"),
        [
            {
                "n": Literal(3),
                "flag": Literal(True),
                "when": Literal("2024-05-01T10:00:00", datatype=XSD.dateTime),
            },
            {"flag": Literal(False), "when": Literal("2024-06-01", datatype=XSD.date)},
        ],
    )
    frame = answer.to_dataframe()
    assert str(frame["n"].dtype) == "Int64" and frame["n"].isna().tolist() == [False, True]
    assert str(frame["flag"].dtype) == "boolean"
    assert str(frame["when"].dtype).startswith("datetime64")
    assert frame["when"][0] == datetime(2024, 5, 1, 10, 0)


def test_a_column_of_mixed_kinds_stays_as_objects() -> None:
    answer = SelectResult(("x",), [{"x": Literal(1)}, {"x": URIRef("http://e/a")}])
    assert answer.to_dataframe()["x"].dtype == object


def test_without_pandas_the_error_is_an_aikg_error(
    kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with pytest.raises(MissingDependencyError, match="needs pandas") as caught:
        kg.holdings().to_dataframe()
    assert isinstance(caught.value, AikgError)
    assert caught.value.hint == "pip install 'aikg[pandas]'"
