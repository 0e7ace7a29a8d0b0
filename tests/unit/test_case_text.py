"""Case text without a database: composing the write-up, the published summary, the redaction review state
(undo, manual spans, phrases, region), the side-by-side rows, findings as editors see them, the contributor field."""

from __future__ import annotations

import pytest

from community.cases.compose import compose, document_text, split_sections, summarise, summary_markdown
from community.cases.models import CaseFields, RegionLevel
from community.cases.review import RedactionState, finding_key, public_findings, side_by_side
from community.redaction import Finding, FindingKind, RedactionError, redact
from corpus.validate import parse_text

CUSTOMER = "临江市第一人民医院"


def fields(**extra: object) -> CaseFields:
    base = {"title": f"{CUSTOMER}数据库审计", "customer": CUSTOMER, "industry": "healthcare", "province": "浙江省",
            "problem": "数据库缺少审计。", "solution": "部署数据库审计。", "outcome": "测评通过。", "lessons": "先梳理资产。"}  # fmt: skip
    return CaseFields.model_validate({**base, **extra})


def test_compose_puts_each_field_under_its_heading_and_products_in_a_table() -> None:
    text = compose(fields(products=[{"category": "sol-database-audit", "vendor": "安恒信息", "product": "审计"}],
                          text="# 背景\n补充。"), {"sol-database-audit": "数据库审计"})  # fmt: skip
    parsed = split_sections(text)
    assert parsed.title == f"{CUSTOMER}数据库审计"
    assert [h for h, _ in parsed.sections] == ["客户需求", "方案要点", "成效", "经验与教训", "补充说明"]
    assert "| 数据库审计 | 安恒信息 | 审计 |" in text and "### 背景" in text


def test_the_summary_is_need_solution_and_outcome_and_never_the_rest() -> None:
    summary = summarise(compose(fields(budget="合同金额86万元。", timeline="三个月。")))
    assert [h for h, _ in summary] == ["客户需求", "方案要点", "成效"]
    assert "86万元" not in summary_markdown(summary) and "先梳理资产" not in summary_markdown(summary)


def test_a_free_text_write_up_summarises_its_opening_as_the_solution_and_cuts_at_a_sentence() -> None:
    text = compose(fields(problem="", solution="", outcome="", lessons="", text="我们为客户部署了堡垒机。" * 100))
    summary = summarise(text)
    assert [h for h, _ in summary] == ["方案要点"]
    assert summary[0][1].endswith("。") and len(summary[0][1]) <= 800


def test_free_text_headings_are_recognised_by_synonyms() -> None:
    text = compose(fields(problem="", solution="", outcome="", lessons="", text="## 项目背景\n缺审计。\n\n## 解决方案\n上审计。\n\n## 效果\n过测评。"))
    assert summarise(text) == [("客户需求", "缺审计。"), ("方案要点", "上审计。"), ("成效", "过测评。")]


def state_for(text: str, **extra: object) -> RedactionState:
    return RedactionState(original=text, proposed=redact(text, customer=CUSTOMER).findings, province="浙江省", **extra)  # type: ignore[arg-type]


def test_undo_manual_spans_and_phrases_combine_and_manual_wins_over_what_it_overlaps() -> None:
    text = f"{CUSTOMER}位于杭州市，项目代号QX-7，张伟主任负责。QX-7已上线。"
    state = state_for(text)
    person = next(f for f in state.proposed if f.kind is FindingKind.person)
    state.undone = {finding_key(person)}
    assert "张伟" in state.text() and CUSTOMER not in state.text()
    state.phrases = ["QX-7"]
    state.manual = [(0, 3)]  # inside the customer's name: the manual span replaces that finding
    result = state.text()
    assert result.count("[已删除]") == 3 and "QX-7" not in result
    changes = state.changes()
    assert next(c for c in changes if c["key"] == finding_key(person))["accepted"] is False
    assert {c["source"] for c in changes} >= {"engine", "manual"}


def test_a_coarser_region_replaces_the_province_everywhere() -> None:
    text = "医院位于杭州市西湖区，是浙江省内首家，浙江的同行都来参观。"
    state = state_for(text, region_level=RegionLevel.region)
    assert "浙江" not in state.text() and state.text().count("华东地区") == 3
    state.region_level = RegionLevel.national
    assert "浙江" not in state.text() and "华东" not in state.text() and "某省" in state.text()


def test_manual_spans_outside_the_text_are_refused() -> None:
    state = state_for("短文本")
    state.manual = [(1, 99)]
    with pytest.raises(RedactionError):
        state.check_manual()


def test_side_by_side_rows_rebuild_both_texts_and_keep_original_offsets() -> None:
    text = f"第一行{CUSTOMER}。\n\n张伟主任\n电话13912345678"
    state = state_for(text)
    findings = state.findings()
    rows = side_by_side(text, findings)
    assert "\n".join("".join(s[0] for s in r["original"]) for r in rows) == text
    assert "\n".join("".join(s[0] for s in r["redacted"]) for r in rows) == state.text()
    for row in rows:
        for segment, _key, start in row["original"]:
            assert text[start : start + len(segment)] == segment


def test_editors_see_findings_at_their_place_in_the_redacted_text_without_originals() -> None:
    text = f"{CUSTOMER}的张伟主任电话13912345678。"
    findings = redact(text, customer=CUSTOMER).findings
    redacted = redact(text, customer=CUSTOMER).text
    for f in public_findings(findings):
        assert "original" not in f and redacted[f["start"] : f["end"]] == f["replacement"]


def test_the_published_document_is_valid_and_labelled_with_the_handle() -> None:
    text = document_text(doc_id="pc-0123456789abcdef", case_id="0123456789abcdef", title="某医院数据库审计",
                         industry="healthcare", need_categories=["data_security"], region="华东地区", facts="行业：医疗卫生。",
                         handle="西湖老刘", summary="## 方案要点\n\n部署数据库审计。", day=__import__("datetime").date(2025, 1, 2),
                         tags=["三级医院"])  # fmt: skip
    document, problems = parse_text(text, "pc.md")
    assert not problems and document is not None
    meta = document.meta
    assert meta.contributor is not None and meta.contributor.handle == "西湖老刘" and meta.source.issuer == "伙伴分享 · 西湖老刘"
    assert meta.regions == [] and "华东地区" in meta.tags and not meta.illustrative


@pytest.mark.parametrize(
    ("contributor", "kind", "message"),
    [("{handle: 老刘}", "faq", "kind 'case'"), ("{label: 编辑部, handle: 老刘}", "case", "伙伴分享"),
     ("{handle: ''}", "case", "at least 1"), ("{handle: 老刘, extra: 1}", "case", "unknown field")],
)
def test_the_contributor_field_is_validated(contributor: str, kind: str, message: str) -> None:
    text = (f"---\nid: pc-abcdef\ntitle: t\nkind: {kind}\nindustries: [all]\nneed_categories: [it]\nsource: {{issuer: x}}\n"
            f"effective_date: 2025-01-01\nversion: '1'\nstatus: draft\ncontributor: {contributor}\n---\n正文\n")  # fmt: skip
    document, problems = parse_text(text, "x.md")
    assert document is None and any(message in p.message for p in problems), problems
    assert all(p.field.startswith("contributor") for p in problems)


def test_a_finding_that_does_not_match_is_a_clear_error() -> None:
    with pytest.raises(RedactionError):
        RedactionState(original="abc", proposed=[Finding(kind=FindingKind.manual, original="xyz", replacement="[已删除]",
                                                          start=0, end=3)]).text()  # fmt: skip
