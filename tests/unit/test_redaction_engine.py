"""Offsets, undo, manual redactions, generalisation and the uniqueness estimate."""

from __future__ import annotations

import pytest

from community.redaction import (
    Finding,
    FindingKind,
    RedactionError,
    add_manual,
    apply,
    assess_uniqueness,
    redact,
    with_findings,
)

CASE = """# 杭州市第一人民医院等保三级复盘

| 项目 | 内容 |
|---|---|
| 联系人 | 信息科科长张伟，手机 138 0013 8000 |
| 预算 | 128.5万元 |

- 2023年3月15日立项，床位1500张，员工约3200人。
- 机房在杭州市西湖区文三路90号东部软件园5号楼。
"""


def test_offsets_point_into_the_original() -> None:
    result = redact(CASE, customer="杭州市第一人民医院")
    assert result.findings
    for f in result.findings:
        assert CASE[f.start : f.end] == f.original
    starts = [f.start for f in result.findings]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(result.findings, result.findings[1:]))
    assert apply(CASE, result.findings) == result.text


def test_offsets_hold_for_full_width_and_traditional_text() -> None:
    text = "聯繫人：張偉，電話：１３８００１３８０００，預算１２０萬元。"
    result = redact(text)
    assert {f.kind for f in result.findings} >= {FindingKind.person, FindingKind.phone, FindingKind.amount}
    for f in result.findings:
        assert text[f.start : f.end] == f.original


def test_undo_keeps_the_original_words() -> None:
    result = redact(CASE, customer="杭州市第一人民医院")
    person = next(f for f in result.findings if f.kind is FindingKind.person)
    undone = with_findings(CASE, [f for f in result.findings if f is not person])
    assert "张伟" in undone.text
    assert "138 0013 8000" not in undone.text
    assert with_findings(CASE, []).text == CASE


def test_manual_redaction_replaces_overlapping_findings() -> None:
    result = redact(CASE, customer="杭州市第一人民医院")
    start = CASE.index("信息科科长张伟")
    edited = add_manual(CASE, result, start, start + len("信息科科长张伟"))
    assert "[已删除]" in edited.text
    assert "信息科科长" not in edited.text
    assert any(f.kind is FindingKind.manual for f in edited.findings)
    assert not any(f.kind is FindingKind.person and f.start >= start and f.end <= start + 7 for f in edited.findings)


def test_manual_phrases_are_removed_everywhere() -> None:
    result = redact("我们的项目代号是青鸟，青鸟二期明年上线。", manual=["青鸟"])
    assert result.text == "我们的项目代号是[已删除]，[已删除]二期明年上线。"


def test_bad_edits_are_refused_with_a_clear_message() -> None:
    with pytest.raises(RedactionError, match="超出文本"):
        add_manual("短文本", redact("短文本"), 2, 10)
    with pytest.raises(RedactionError, match="为空：结束位置须大于开始位置"):
        add_manual("短文本", redact("短文本"), 2, 1)  # reversed, though inside the text
    wrong = Finding(kind=FindingKind.person, original="李四", replacement="李某", start=0, end=2)
    with pytest.raises(RedactionError, match="不符"):
        with_findings("张三来了", [wrong])
    a = Finding(kind=FindingKind.person, original="张三", replacement="张某", start=0, end=2)
    b = Finding(kind=FindingKind.manual, original="三来", replacement="[已删除]", start=1, end=3)
    with pytest.raises(RedactionError, match="重叠"):
        with_findings("张三来了", [a, b])


@pytest.mark.parametrize(
    ("text", "original", "replacement"),
    [
        ("项目预算128.5万元，", "128.5万元", "100–300万元"),
        ("合同额¥1,280,000。", "¥1,280,000", "100–300万元"),
        ("中标价：五十六万元", "五十六万元", "50–100万元"),
        ("2023年3月15日立项", "2023年3月15日", "2023年第一季度"),
        ("2024-11-02 验收", "2024-11-02", "2024年第四季度"),
        ("床位1500张", "1500张", "1000–2000张"),
        ("员工约3200人", "3200人", "3000–5000人"),
        ("在校生3.2万人", "3.2万人", "3–5万人"),
        ("客户在苏州，", "苏州", "江苏"),
        ("杭州市西湖区的客户", "杭州市西湖区", "浙江省"),
    ],
)
def test_quasi_identifiers_are_generalised(text: str, original: str, replacement: str) -> None:
    found = {f.original: f.replacement for f in redact(text).findings}
    assert found.get(original) == replacement


def test_counts_that_are_not_money_stay() -> None:
    text = "日志量每天300万条，覆盖5000台终端。"
    assert redact(text).text == text


def test_generalisation_can_be_switched_off() -> None:
    result = redact("2023年3月15日，预算128.5万元，客户在苏州。", generalise=False)
    assert result.findings == []


def test_a_rare_combination_gets_a_warning_and_a_coarser_region() -> None:
    warning = assess_uniqueness(industry="finance", segment="城商行", province="宁夏回族自治区", year=2023)
    assert warning is not None and warning.unique
    assert warning.suggested_region in ("西北", "全国")
    assert "宁夏回族自治区" in warning.message


def test_provinces_may_be_short_but_must_exist() -> None:
    short = assess_uniqueness(industry="finance", segment="城商行", province="宁夏")
    assert short is not None and short.attributes["省份"] == "宁夏回族自治区"
    with pytest.raises(RedactionError, match="未知的省份"):
        assess_uniqueness(industry="finance", province="火星")


def test_a_common_combination_gets_no_suggestion() -> None:
    result = assess_uniqueness(industry="healthcare", segment="三级医院", province="广东省")
    assert result is not None and not result.unique and result.suggestion is None


def test_the_org_knowledge_base_can_supply_real_counts() -> None:
    class Counter:
        def count(self, *, industry, segment, provinces, size_band):  # type: ignore[no-untyped-def]
            return 3 if provinces == ("广东省",) else 500

    result = assess_uniqueness(industry="healthcare", segment="三级医院", province="广东省", counter=Counter())
    assert result is not None and result.unique and result.estimate == 3
    assert result.suggested_region == "华南"


def test_the_public_shape_is_text_and_findings() -> None:
    shape = redact("联系人张伟，手机13800138000").public()
    assert set(shape) == {"text", "findings"}
    assert set(shape["findings"][0]) == {"kind", "original", "replacement", "start", "end"}  # type: ignore[index]
