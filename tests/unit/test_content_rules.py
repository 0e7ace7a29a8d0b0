"""Content rules of `corpus validate`: versioned article citations and case dates."""

from __future__ import annotations

import pytest

from corpus.content_rules import case_cites_later_rules, check_documents, unversioned_article_citations
from corpus.instruments import lookup, named_in, normalise
from corpus.validate import parse_text


def doc(body: str, *, title: str = "测试文档", kind: str = "faq", date: str = "2026-03-01"):
    text = (
        "---\n"
        f"id: test-doc\ntitle: {title}\nkind: {kind}\nindustries: [all]\nneed_categories: [network_security]\n"
        f"source:\n  issuer: 渠道参谋编辑部\neffective_date: {date}\nversion: \"1\"\nstatus: published\n"
        f"illustrative: {'true' if kind == 'case' else 'false'}\n"
        "---\n\n" + body
    )
    document, problems = parse_text(text, "faq/test-doc.md")
    assert document is not None, problems
    return document


@pytest.mark.parametrize(
    "sentence",
    [
        "《网络安全法》第二十一条要求落实等级保护制度。",
        "《中华人民共和国网络安全法》第二十三条要求日志留存不少于六个月。",
        "《商用密码管理条例》第三十八条要求关基通过密评。",
        "按《网络安全审查办法》第七条，赴国外上市须申报审查。",
    ],
)
def test_article_of_an_amended_law_without_a_version_is_flagged(sentence: str) -> None:
    problems = unversioned_article_citations(doc(f"# 标题\n\n导语。\n\n## 小节\n\n{sentence}\n"))
    assert len(problems) == 1
    problem = problems[0]
    assert problem.field == "body" and problem.line == 21  # the sentence's own line in the file
    assert "without naming the version" in problem.message


@pytest.mark.parametrize(
    "sentence",
    [
        "《网络安全法》（2025年修正）第二十三条要求落实等级保护制度。",
        "2016年版《网络安全法》第二十一条是原来的等保条款。",
        "等级保护由原第二十一条变为第二十三条。",
        "修正后《网络安全法》第六十一条提高了罚款。",
        "《商用密码管理条例》（2023年7月1日起施行）第三十八条要求关基通过密评。",
        "《电力监控系统安全防护规定》（第27号令）第四条要求分区防护。",
        "《数据安全法》第二十一条要求数据分类分级。",  # not amended: no version needed
        "《个人信息保护法》第五十四条要求定期合规审计。",
        "网络安全法要求落实等级保护。",  # no article number at all
    ],
)
def test_versioned_or_unamended_citations_pass(sentence: str) -> None:
    assert unversioned_article_citations(doc(f"# 标题\n\n{sentence}\n")) == []


def test_a_bare_article_belongs_to_the_law_the_title_names() -> None:
    body = "# 网络安全法要点\n\n## 第二十三条 等级保护\n\n第二十三条要求留存日志。\n"
    problems = unversioned_article_citations(doc(body, title="网络安全法要点：等级保护"))
    assert [p.line for p in problems] == [19]
    title_of_another_law = doc(body.replace("网络安全法", "数据安全法"), title="数据安全法要点")
    assert unversioned_article_citations(title_of_another_law) == []


def test_a_bare_article_after_a_named_law_belongs_to_it_until_the_section_ends() -> None:
    body = (
        "# 指南\n\n## 合规依据\n\n《网络安全法》（2025年修正）第二十三条要求等级保护。不履行的依第六十一条处罚。\n\n"
        "## 其他\n\n不履行的依第六十一条处罚。\n"
    )
    problems = unversioned_article_citations(doc(body))
    assert [p.line for p in problems] == [19]  # the second sentence of 合规依据, not the one under 其他
    assert "第六十一条" in problems[0].message


def test_each_sentence_needs_its_own_marker_because_answers_quote_sentences_alone() -> None:
    body = "《网络安全法》（2025年修正）第二十三条要求等级保护；第二十七条要求应急预案。\n"
    assert len(unversioned_article_citations(doc(body))) == 1


def test_headings_are_not_sentences() -> None:
    assert unversioned_article_citations(doc("# 标题\n\n## 第二十三条 《网络安全法》第二十三条\n\n正文没有条号。\n")) == []


def test_a_case_dated_before_a_rule_it_cites_is_flagged() -> None:
    body = "> 示例案例：匿名。\n\n## 驱动因素\n\n《网络数据安全管理条例》第三十条要求风险评估。\n"
    early = case_cites_later_rules(doc(body, kind="case", date="2024-06-30"))
    assert len(early) == 1 and "2024-09-24" in early[0].message
    assert case_cites_later_rules(doc(body, kind="case", date="2025-02-01")) == []
    assert case_cites_later_rules(doc(body, kind="faq", date="2024-06-30")) == []  # only cases have a story date


def test_a_case_citing_a_later_version_or_standard_is_flagged() -> None:
    version = "《网络安全法》（2025年修正）第二十三条要求等级保护。\n"
    assert len(case_cites_later_rules(doc(version, kind="case", date="2024-05-01"))) == 1
    assert case_cites_later_rules(doc(version, kind="case", date="2026-02-01")) == []
    old = "当时适用《网络安全法》（2016年版）第二十一条。\n"
    assert case_cites_later_rules(doc(old, kind="case", date="2024-05-01")) == []
    standard = "按GB/T 43697-2024做数据分类分级。\n"
    assert len(case_cites_later_rules(doc(standard, kind="case", date="2023-12-31"))) == 1
    assert case_cites_later_rules(doc(standard, kind="case", date="2024-12-31")) == []


def test_check_documents_runs_every_rule() -> None:
    body = "《网络安全法》第二十三条要求等级保护。《网络数据安全管理条例》第九条要求安全措施。\n"
    problems = check_documents([doc(body, kind="case", date="2024-01-01")])
    assert {p.message.split(" ")[0] for p in problems} == {"cites", "the"}


def test_names_are_normalised() -> None:
    assert normalise("中华人民共和国网络安全法") == "网络安全法"
    assert normalise("网络安全法（2025年修正）") == "网络安全法"
    assert lookup("中华人民共和国电子签名法") is not None and lookup("中华人民共和国电子签名法").amended
    assert lookup("数据安全法") is not None and not lookup("数据安全法").amended
    assert lookup("某省某条例") is None
    assert named_in("个人信息保护合规审计管理办法要点").name == "个人信息保护合规审计管理办法"
