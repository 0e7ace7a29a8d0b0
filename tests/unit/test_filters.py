"""Search filters: validation and their translation to Chroma `where` and SQL."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pydantic import ValidationError

from retrieval.keyword_index import filter_sql
from retrieval.models import SearchFilters
from retrieval.vector_store import chroma_where


@pytest.mark.parametrize(
    ("field", "value"),
    [("industries", "hospital"), ("industries", "all"), ("needs", "security"), ("kinds", "blog")],
)
def test_search_filters_reject_unknown_codes(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as info:
        SearchFilters(**{field: [value]})
    assert value in str(info.value)
    assert info.value.errors()[0]["loc"] == (field,)


def test_search_filters_accept_known_codes() -> None:
    filters = SearchFilters(industries=["healthcare", "finance"], needs=["data_security"], kinds=["regulation", "case"])
    assert not filters.empty
    assert SearchFilters().empty


def _walk(node: Any) -> list[tuple[str, Any]]:
    """Every (operator, operand) pair in a where clause."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((key, value))
            found.extend(_walk(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_walk(item))
    return found


def test_where_without_filters_is_published_only() -> None:
    assert chroma_where(None) == {"status": "published"}
    assert chroma_where(SearchFilters()) == {"status": "published"}


def test_where_with_one_filter_uses_and_with_status() -> None:
    assert chroma_where(SearchFilters(kinds=["case"])) == {
        "$and": [{"status": "published"}, {"kind": {"$in": ["case"]}}]
    }
    assert chroma_where(SearchFilters(doc_ids=["doc-a"])) == {
        "$and": [{"status": "published"}, {"doc_id": {"$in": ["doc-a"]}}]
    }


def test_where_leaves_industry_and_need_filters_to_the_chunk_store() -> None:
    # Chroma keeps only status/kind/doc_id; industries and needs are enforced in SQLite.
    assert chroma_where(SearchFilters(industries=["healthcare"], needs=["it"])) == {"status": "published"}


OPTIONS = {
    "industries": [[], ["healthcare"], ["healthcare", "finance"]],
    "needs": [[], ["it"], ["it", "data_security"]],
    "kinds": [[], ["case"], ["case", "faq"]],
    "doc_ids": [[], ["doc-a"], ["doc-a", "doc-b"]],
}


@pytest.mark.parametrize("combo", list(itertools.product(*OPTIONS.values())), ids=lambda c: "-".join(str(len(x)) for x in c))
def test_where_is_always_well_formed(combo: tuple[list[str], ...]) -> None:
    filters = SearchFilters(**dict(zip(OPTIONS, combo)))
    where = chroma_where(filters)

    assert len(where) == 1  # Chroma wants exactly one operator or field at the top
    for op, operand in _walk(where):
        if op in ("$and", "$or"):
            assert isinstance(operand, list) and len(operand) >= 2, where  # Chroma rejects 0/1-element $and/$or
        if op in ("$in", "$nin"):
            assert operand, where  # never `$in: []`
    _, _, kinds, doc_ids = combo
    conditions = bool(kinds) + bool(doc_ids) + 1  # + status; industries/needs are not Chroma's job
    if conditions >= 2:
        assert set(where) == {"$and"} and len(where["$and"]) == conditions
    else:
        assert where == {"status": "published"}


def test_sql_filter_is_published_only_and_parameterised() -> None:
    sql, params = filter_sql(None)
    assert sql == "c.status = 'published'" and params == []

    sql, params = filter_sql(SearchFilters(industries=["healthcare"], needs=["it", "business"], kinds=["faq"]))
    assert sql.startswith("c.status = 'published' AND ")
    assert "',all,'" in sql
    assert params == ["faq", ",healthcare,", ",it,", ",business,"]
