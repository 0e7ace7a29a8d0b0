"""Keyword tokenisation: jieba search-mode words (with domain terms) plus character bigrams."""

from __future__ import annotations

import pytest

from retrieval import tokenize


def test_words_keep_domain_terms_whole_and_also_yield_their_parts() -> None:
    words = tokenize.words("关键信息基础设施的数据出境要做安全评估")
    assert "关键信息基础设施" in words and "数据出境" in words
    assert {"关键", "信息", "数据", "出境"} <= set(words)


@pytest.mark.parametrize("term", ["等保", "信创", "零信任", "堡垒机", "数据库审计", "三级医院", "敏感个人信息"])
def test_domain_terms_survive_segmentation(term: str) -> None:
    assert term in tokenize.words(f"我们在讨论{term}相关的采购需求")


def test_words_drop_stop_words_and_punctuation() -> None:
    words = tokenize.words("医院的等保测评，需要什么？")
    assert "的" not in words and "什么" not in words and "需要" not in words
    assert not any(w in words for w in ("，", "？", " "))
    assert "医院" in words and "等保" in words


def test_words_are_lowercased() -> None:
    assert {"his", "pacs"} <= set(tokenize.words("HIS 与 PACS 系统"))


def test_words_of_only_stop_words_and_punctuation_are_empty() -> None:
    assert tokenize.words("的了吗？！") == []
    assert tokenize.words("") == []


def test_bigrams_overlap_and_ignore_punctuation_and_spaces() -> None:
    assert tokenize.bigrams("网络安全, 法!") == ["网络", "络安", "安全", "全法"]
    assert tokenize.bigrams("Ab C") == ["ab", "bc"]


def test_bigrams_of_short_text() -> None:
    assert tokenize.bigrams("网") == ["网"]
    assert tokenize.bigrams("") == []
    assert tokenize.bigrams("。，！") == []


def test_unique_keeps_first_occurrence_order() -> None:
    assert tokenize.unique(["安全", "网络", "安全", "日志", "网络"]) == ["安全", "网络", "日志"]


def test_question_and_statute_share_bigrams_even_when_words_differ() -> None:
    question = "日志要留存多久"
    statute = "按照规定留存相关的网络日志不少于六个月"
    assert {"日志", "留存"} <= set(tokenize.bigrams(question)) & set(tokenize.bigrams(statute))
