"""Search: metadata filters in both stores, hybrid search, the LangChain retriever and
result quality over the starter corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Stack, write_doc
from langchain_core.documents import Document as LCDocument

from corpus.document import INDUSTRY_CODES
from retrieval.hybrid import HybridRetriever
from retrieval.langchain import TopAdvisorRetriever
from retrieval.models import Hit, SearchFilters

COMMON = "网络安全 数据 合规 要求"


def filter_corpus(directory: Path) -> None:
    """Four documents that all match COMMON, with distinct kinds, industries and needs."""
    write_doc(directory, "reg-all", "# 法规\n\n所有行业的网络运营者都要满足网络安全和数据保护的合规要求，履行等级保护义务。",
              kind="regulation", industries=["all"], need_categories=["network_security", "data_security"])
    write_doc(directory, "case-health", "# 医院案例\n\n示例案例：某医院落实网络安全和数据保护的合规要求，部署数据库审计。",
              kind="case", industries=["healthcare"], need_categories=["data_security"], illustrative=True)
    write_doc(directory, "sol-fin", "# 银行方案\n\n银行信创云平台建设方案，兼顾网络安全与数据合规要求，分布式数据库迁移。",
              kind="solution", industries=["finance"], need_categories=["it"])
    write_doc(directory, "faq-edu-gov", "# 校园与政务\n\n智慧校园和数字政府建设中的网络安全与数据共享合规要求，业务系统上云。",
              kind="faq", industries=["education", "government"], need_categories=["business"])


ALL_DOCS = {"reg-all", "case-health", "sol-fin", "faq-edu-gov"}
FILTER_CASES = [
    (dict(), ALL_DOCS),
    (dict(industries=["healthcare"]), {"reg-all", "case-health"}),
    (dict(industries=["finance", "education"]), {"reg-all", "sol-fin", "faq-edu-gov"}),
    (dict(industries=["agriculture"]), {"reg-all"}),
    (dict(needs=["data_security"]), {"reg-all", "case-health"}),
    (dict(needs=["it", "business"]), {"sol-fin", "faq-edu-gov"}),
    (dict(kinds=["case"]), {"case-health"}),
    (dict(kinds=["regulation", "faq"]), {"reg-all", "faq-edu-gov"}),
    (dict(doc_ids=["sol-fin"]), {"sol-fin"}),
    (dict(industries=["healthcare"], needs=["network_security"]), {"reg-all"}),
    (dict(industries=["government"], needs=["business"], kinds=["faq"]), {"faq-edu-gov"}),
    (dict(industries=["healthcare"], kinds=["solution"]), set()),
]


def docs_of(scored: list[tuple[str, float]]) -> set[str]:
    return {cid.split(":", 1)[0] for cid, _ in scored}


@pytest.fixture
def filtered_stack(stack: Stack, corpus_dir: Path) -> Stack:
    filter_corpus(corpus_dir)
    report = stack.indexer.ingest(corpus_dir)
    assert sorted(report.added) == sorted(ALL_DOCS)
    return stack


def test_filters_work_in_the_keyword_index_and_in_the_dense_list(filtered_stack: Stack) -> None:
    stack = filtered_stack
    for kwargs, expected in FILTER_CASES:
        filters = SearchFilters(**kwargs)
        keyword = docs_of(stack.keyword_index.search("grams", ["网络", "安全", "合规"], k=50, filters=filters))
        words = docs_of(stack.keyword_index.search("words", ["网络安全", "合规"], k=50, filters=filters))
        dense = docs_of(stack.retriever.ranked_lists(COMMON, filters=filters, n=50).dense)
        assert keyword == expected, f"keyword index (grams), filters={kwargs}"
        assert words == expected, f"keyword index (words), filters={kwargs}"
        assert dense == expected, f"Chroma, filters={kwargs}"


def test_hybrid_search_applies_the_filters(filtered_stack: Stack) -> None:
    for kwargs, expected in FILTER_CASES:
        hits = filtered_stack.retriever.search(COMMON, k=50, filters=SearchFilters(**kwargs))
        assert {h.chunk.doc_id for h in hits} == expected, f"filters={kwargs}"


def test_all_industry_documents_match_any_industry_filter(filtered_stack: Stack) -> None:
    stack = filtered_stack
    for code in INDUSTRY_CODES:
        filters = SearchFilters(industries=[code])
        assert "reg-all" in docs_of(stack.keyword_index.search("grams", ["合规"], k=50, filters=filters)), code
        assert "reg-all" in docs_of(stack.retriever.ranked_lists(COMMON, filters=filters, n=50).dense), code


def test_hybrid_hits_are_hydrated_ranked_and_limited_to_k(filtered_stack: Stack) -> None:
    hits = filtered_stack.retriever.search("医院 数据库审计", k=2)

    assert 1 <= len(hits) <= 2
    assert all(isinstance(h, Hit) for h in hits)
    assert hits[0].chunk.doc_id == "case-health"
    assert hits[0].chunk.text and hits[0].chunk.metadata["title"]
    assert hits[0].dense_rank is not None and hits[0].keyword_rank is not None
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    as_dict = hits[0].as_dict()
    assert as_dict["source"]["issuer"] == "渠道参谋编辑部"
    assert as_dict["kind"] == "case" and as_dict["doc_id"] == "case-health"


@pytest.mark.parametrize("query", ["", "   ", "\n"])
def test_blank_query_returns_nothing(filtered_stack: Stack, query: str) -> None:
    assert filtered_stack.retriever.search(query, k=5) == []


def test_query_of_only_stop_words_does_not_fail(filtered_stack: Stack) -> None:
    hits = filtered_stack.retriever.search("的了吗？", k=3)
    assert len(hits) <= 3  # dense retrieval still answers; no empty FTS5 MATCH expression


def test_query_with_fts5_syntax_characters_is_safe(filtered_stack: Stack) -> None:
    hits = filtered_stack.retriever.search('医院 "数据库审计" OR NEAR(a b) * - : ^ (', k=3)
    assert hits and hits[0].chunk.doc_id == "case-health"


def test_search_on_an_empty_index_returns_nothing(stack: Stack) -> None:
    assert stack.retriever.search("医院 等保三级", k=5) == []


def test_langchain_retriever_returns_documents_with_citation_metadata(filtered_stack: Stack) -> None:
    retriever = TopAdvisorRetriever(hybrid=filtered_stack.retriever, k=5)

    docs = retriever.invoke("医院 数据库审计 合规")

    assert 1 <= len(docs) <= 5
    assert all(isinstance(d, LCDocument) for d in docs)
    top = docs[0]
    assert {"doc_id", "chunk_id", "title", "kind", "source", "score"} <= set(top.metadata)
    assert top.metadata["doc_id"] == "case-health"
    assert top.id == top.metadata["chunk_id"] and top.metadata["chunk_id"].startswith("case-health:")
    assert top.page_content and "text" not in top.metadata
    assert isinstance(top.metadata["score"], float)
    assert top.metadata["source"]["issuer"] == "渠道参谋编辑部"


def test_langchain_retriever_applies_its_filters(filtered_stack: Stack) -> None:
    retriever = TopAdvisorRetriever(hybrid=filtered_stack.retriever, k=5, filters=SearchFilters(kinds=["solution"]))
    docs = retriever.invoke(COMMON)
    assert [d.metadata["doc_id"] for d in docs] == ["sol-fin"]


# -- the starter corpus (ingested once per session) -----------------------------------------


@pytest.fixture(scope="module")
def starter(starter_stack: tuple[Stack, object]) -> HybridRetriever:
    stack, report = starter_stack
    assert report.problems == [] and len(report.added) >= 120  # type: ignore[attr-defined]
    return stack.retriever


def is_healthcare_hit(hit: Hit) -> bool:
    meta = hit.chunk.metadata
    text = f"{meta.get('title', '')} {hit.chunk.heading} {hit.chunk.text}"
    return "healthcare" in str(meta.get("industries", "")).split(",") or ("医院" in text and "三级" in text)


def test_hospital_mlps_question_finds_healthcare_passages(starter: HybridRetriever) -> None:
    hits = starter.search("医院 等保三级 要求", k=5)

    assert len(hits) == 5
    assert is_healthcare_hit(hits[0])
    assert sum(is_healthcare_hit(h) for h in hits) >= 4
    assert any("医院" in h.chunk.text and "三级" in h.chunk.text for h in hits)


def test_industry_filter_over_the_starter_corpus(starter: HybridRetriever) -> None:
    hits = starter.search("等保 测评 要求", k=10, filters=SearchFilters(industries=["finance"]))
    assert hits
    for hit in hits:
        industries = str(hit.chunk.metadata["industries"]).split(",")
        assert "finance" in industries or "all" in industries, hit.chunk.doc_id


def test_kind_and_need_filters_over_the_starter_corpus(starter: HybridRetriever) -> None:
    hits = starter.search("勒索病毒 备份 恢复", k=8, filters=SearchFilters(kinds=["case"], needs=["network_security"]))
    assert hits
    assert all(h.chunk.metadata["kind"] == "case" for h in hits)
    assert all("network_security" in str(h.chunk.metadata["need_categories"]).split(",") for h in hits)
    assert all(h.chunk.metadata["illustrative"] is True for h in hits)


def test_regulation_question_cites_an_article(starter: HybridRetriever) -> None:
    hits = starter.search("网络日志 留存 多久", k=5, filters=SearchFilters(kinds=["regulation", "faq"]))
    assert any("六个月" in h.chunk.text for h in hits)
