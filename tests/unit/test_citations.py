"""The citation check (`assistant.citations`): splitting, markers, support, enforcement.

Source passages are copied from the starter corpus (corpus/starter/faq/faq-log-retention-period.md,
faq-hospital-mlps-level3.md, solutions/sol-database-audit.md), as the chunker cuts them.
"""

from __future__ import annotations

import pytest

from assistant.citations import (
    DEFAULT_THRESHOLD,
    CitationFilter,
    SentenceCutter,
    check_citations,
    enforce,
    parse_markers,
    split_sentences,
    support,
)
from assistant.models import SourceRef

LOG = "《网络安全法》第二十三条（2025年修正前为第二十一条）要求网络运营者采取监测、记录网络运行状态和网络安全事件的技术措施，并按规定留存相关网络日志不少于六个月。这一要求适用于所有网络运营者，覆盖防火墙、服务器、数据库、应用系统和安全设备的运行与安全日志。不履行的，按第六十一条责令改正、给予警告，可处1万元以上5万元以下罚款，拒不改正或导致危害后果的罚款更高。"
RECORDS = "公安部令第82号《互联网安全保护技术措施规定》（2006年3月1日施行）要求互联网服务提供者和联网使用单位落实记录留存技术措施，第十三条规定这些措施应具备至少保存六十天记录备份的功能。它针对的是用户上网行为，例如用户注册信息、上网时间、IP地址分配和访问记录，是学校、酒店、商场和公共Wi-Fi采购上网行为管理与实名认证的主要依据。"
SYSTEMS = "原卫生部2011年《卫生行业信息安全等级保护工作的指导意见》要求三级甲等医院的核心业务系统不低于第三级，HIS、电子病历、LIS、PACS和集成平台通常定为第三级。互联网医院按《互联网医院管理办法（试行）》实施第三级等级保护。其他医院的核心系统按定级指南评估，多数也定为第三级。"
HEALTH = "《医疗卫生机构网络安全管理办法》（国卫规划发〔2022〕29号）要求重点保障第三级及以上网络、重要数据和个人信息；新建网络在规划和申报阶段确定等级，定级结果报上级主管部门审核同意；数据收集、存储、使用等全生命周期活动原则上在境内开展；新建信息化项目的网络安全预算不低于项目总预算的5%。第三级系统每年至少测评一次，医疗健康信息属于《个人信息保护法》第二十八条规定的敏感个人信息。"
DB_DEPLOY = "数据库审计最常见的是旁路部署：在核心交换机上做端口镜像，把数据库流量复制给审计设备，不影响业务性能。对本地登录、加密连接或云数据库，可补充Agent方式或使用云厂商提供的数据库审计服务。选型要点包括：支持的数据库类型和版本（尤其是国产数据库）；峰值SQL处理能力和存储压缩比，据此规划六个月以上的容量；应用关联审计效果；检索速度；能否把告警对接日志审计或SOC平台。"
DB_PITFALLS = "数据库审计的第一个误区是只采集不分析，告警无人查看。第二个误区是容量规划不足，实际留存达不到六个月。第三个误区是忽略运维人员在服务器本地或通过加密连接的访问，需用Agent或堡垒机补位。第四个误区是以为旁路审计可以阻断攻击，实际阻断需要串联的数据库防火墙。"

PASSAGES = [
    ("日志要留存多久？", "《网络安全法》：网络日志不少于六个月", LOG),
    ("日志要留存多久？", "公安部令第82号：上网记录至少六十天", RECORDS),
    ("医院做等保三级有哪些要求？", "哪些系统要做三级", SYSTEMS),
    ("医院做等保三级有哪些要求？", "卫健行业的附加要求", HEALTH),
    ("数据库审计方案指南", "部署方式与选型要点", DB_DEPLOY),
    ("数据库审计方案指南", "常见误区", DB_PITFALLS),
]
SOURCES = [
    SourceRef(n=n, chunk_id=f"c{n}", doc_id=f"d{n}", title=title, kind="faq", locator=locator, text=text)
    for n, (title, locator, text) in enumerate(PASSAGES, start=1)
]
N_LOG, N_RECORDS, N_SYSTEMS, N_HEALTH, N_DB_DEPLOY, N_DB_PITFALLS = range(1, 7)


def verdict(sentence: str, **kwargs: object) -> str:
    return check_citations(sentence, SOURCES, **kwargs).sentences[0].verdict  # type: ignore[arg-type]


# -- splitting ---------------------------------------------------------------------------

SAMPLES = [
    "网络日志不少于六个月[1]。上网记录至少六十天[2]！是否已集中？",
    "# 简报\n\n## 网络安全\n\n- 第一句[1]。 第二句[1][2]。\n1. 编号项[3]\n\n| 项目 | 说明 |\n|---|---|\n| 日志 | 六个月[1] |\n",
    "**为什么**：应当留存日志[1]。\r\n> 引用。\n   缩进的句子\n\n\n",
    "没有结尾标点的最后一句[1]",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_segments_rejoin_to_the_exact_text(text: str) -> None:
    assert "".join(s.text for s in split_sentences(text)) == text


def test_sentences_end_after_chinese_and_ascii_terminators() -> None:
    bodies = [s.body for s in split_sentences("应当留存日志[1]。真的吗？是的！Really?OK!")]
    assert bodies == ["应当留存日志[1]。", "真的吗？", "是的！", "Really?", "OK!"]


@pytest.mark.parametrize(
    "text, first",
    [
        ("留存不少于六个月。[1] 下一句。", "留存不少于六个月。[1]"),
        ("留存不少于六个月。[1][2]下一句。", "留存不少于六个月。[1][2]"),
        ("留存不少于六个月[1]。下一句。", "留存不少于六个月[1]。"),
        ("他说“留存六个月。”[1]下一句。", "他说“留存六个月。”[1]"),
        ("留存不少于六个月。 [1, 2] 下一句。", "留存不少于六个月。 [1, 2]"),
    ],
)
def test_trailing_markers_stay_with_their_sentence(text: str, first: str) -> None:
    assert split_sentences(text)[0].body == first


def test_semicolons_and_decimal_points_do_not_end_a_sentence() -> None:
    text = "等保2.0要求留存日志；并定期测评[1]。"
    assert [s.body for s in split_sentences(text)] == [text]


def test_headings_bullets_labels_and_tables_are_recognised() -> None:
    segments = split_sentences("## 网络安全\n- 甲[1]。乙[2]。\n**为什么**：丙[3]。\n| 日志 | 六个月[1] |\n")
    heading, first, second, labelled, row = segments
    assert (heading.kind, heading.level, heading.lead, heading.body) == ("heading", 2, "## ", "网络安全")
    assert (first.lead, first.body, first.first) == ("- ", "甲[1]。", True)
    assert (second.lead, second.body, second.first) == ("- ", "乙[2]。", False)
    assert (labelled.lead, labelled.body) == ("**为什么**：", "丙[3]。")
    assert (row.kind, row.body) == ("table", "| 日志 | 六个月[1] |")


# -- markers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, markers",
    [
        ("留存六个月[3]。", (3,)),
        ("留存六个月[1][2]。", (1, 2)),
        ("留存六个月[1,2]。", (1, 2)),
        ("留存六个月[1，2]。", (1, 2)),
        ("留存六个月[1、2]。", (1, 2)),
        ("留存六个月［4］。", (4,)),
        ("甲[2]，乙[1][2]。", (2, 1)),
        ("没有标记。", ()),
        ("见[链接](http://x) 与 [a]。", ()),
    ],
)
def test_markers_are_parsed_in_every_common_form(text: str, markers: tuple[int, ...]) -> None:
    assert parse_markers(text) == markers


# -- support: the examples the default threshold was chosen on ----------------------------

EXTRACTIVE = [
    ("《网络安全法》第二十三条（2025年修正前为第二十一条）要求网络运营者采取监测、记录网络运行状态和网络安全事件的技术措施，并按规定留存相关网络日志不少于六个月。", N_LOG),
    ("第十三条规定这些措施应具备至少保存六十天记录备份的功能。", N_RECORDS),
    ("HIS、电子病历、LIS、PACS和集成平台通常定为第三级。", N_SYSTEMS),
    ("新建信息化项目的网络安全预算不低于项目总预算的5%。", N_HEALTH),
    ("数据库审计最常见的是旁路部署：在核心交换机上做端口镜像，把数据库流量复制给审计设备，不影响业务性能。", N_DB_DEPLOY),
    ("数据库审计的第一个误区是只采集不分析，告警无人查看。", N_DB_PITFALLS),
]
PARAPHRASED = [  # what an instructed LLM writes: reworded, numbers kept, some framing
    ("根据《网络安全法》第二十三条，网络运营者须采取监测和记录网络运行状态的技术措施，并留存网络日志不少于六个月。", N_LOG),
    ("公安部令第82号第十三条要求记录留存技术措施至少能保存六十天的记录备份。", N_RECORDS),
    ("医院的HIS、电子病历、LIS、PACS及集成平台一般定为第三级。", N_SYSTEMS),
    ("按照卫健行业要求，新建信息化项目的网络安全预算应不低于项目总预算的5%。", N_HEALTH),
    ("第三级系统每年至少要开展一次等级测评。", N_HEALTH),
    ("数据库审计通常采用旁路部署，通过核心交换机端口镜像复制数据库流量，不会影响业务性能。", N_DB_DEPLOY),
    ("数据库审计常见误区之一是只采集、不分析，告警没人看。", N_DB_PITFALLS),
    ("需要注意的是，旁路审计并不能阻断攻击，阻断需要串联部署数据库防火墙。", N_DB_PITFALLS),
    ("该院的HIS、电子病历、PACS等核心系统大概率需要按第三级开展等级保护。", N_SYSTEMS),
]
INVENTED = [  # facts no passage states
    ("医院必须在2025年底前完成零信任架构改造。", N_SYSTEMS),
    ("等保三级测评费用一般在十万元左右。", N_HEALTH),
    ("数据库审计产品必须通过国家密码管理局的商用密码认证。", N_DB_DEPLOY),
    ("日志审计系统应当部署在云端，由运营商统一托管。", N_LOG),
    ("上网行为管理设备必须支持对加密流量的全量解密。", N_RECORDS),
]
CHANGED_NUMBERS = [  # close to the passage, but with another number
    ("《网络安全法》要求网络日志至少保存一年。", N_LOG),
    ("公安部令第82号要求上网记录至少保存九十天。", N_RECORDS),
    ("医院的HIS和电子病历系统通常定为第二级。", N_SYSTEMS),
    ("新建信息化项目的网络安全预算不低于项目总预算的10%。", N_HEALTH),
]
WRONG_SOURCE = {N_LOG: N_DB_DEPLOY, N_RECORDS: N_HEALTH, N_SYSTEMS: N_DB_PITFALLS, N_HEALTH: N_LOG, N_DB_DEPLOY: N_SYSTEMS, N_DB_PITFALLS: N_RECORDS}


def check(sentence: str, n: int):  # type: ignore[no-untyped-def]
    return check_citations(f"{sentence.rstrip('。')}[{n}]。", SOURCES).sentences[0]


@pytest.mark.parametrize("sentence, n", EXTRACTIVE)
def test_extractive_sentences_are_fully_supported(sentence: str, n: int) -> None:
    result = check(sentence, n)
    assert result.verdict == "supported" and result.score == 1.0 and result.source == n


@pytest.mark.parametrize("sentence, n", PARAPHRASED)
def test_paraphrases_of_the_cited_passage_are_supported(sentence: str, n: int) -> None:
    result = check(sentence, n)
    assert result.verdict == "supported", result
    assert result.score is not None and result.score >= DEFAULT_THRESHOLD + 0.03  # not by a hair


@pytest.mark.parametrize("sentence, n", EXTRACTIVE + PARAPHRASED)
def test_citing_the_wrong_passage_fails(sentence: str, n: int) -> None:
    result = check(sentence, WRONG_SOURCE[n])
    assert result.verdict == "unsupported"
    assert result.score is not None and result.score < DEFAULT_THRESHOLD - 0.15


@pytest.mark.parametrize("sentence, n", INVENTED)
def test_invented_facts_fail_even_with_a_plausible_marker(sentence: str, n: int) -> None:
    assert check(sentence, n).verdict == "unsupported"


@pytest.mark.parametrize("sentence, n", CHANGED_NUMBERS)
def test_a_number_the_passage_does_not_state_fails(sentence: str, n: int) -> None:
    result = check(sentence, n)
    assert result.verdict == "unsupported" and result.missing_numbers


@pytest.mark.parametrize("sentence", ["网络日志留存不少于6个月", "依据网络安全法第23条，网络日志留存不少于六个月"])
def test_arabic_and_chinese_numerals_are_the_same_number(sentence: str) -> None:
    assert check(sentence, N_LOG).verdict == "supported"


def test_support_is_the_best_of_the_cited_sources() -> None:
    sentence = EXTRACTIVE[0][0]
    result = check_citations(f"{sentence}[{N_DB_DEPLOY}][{N_LOG}]", SOURCES).sentences[0]
    assert (result.verdict, result.source, result.score) == ("supported", N_LOG, 1.0)


def test_support_ignores_markers_and_punctuation() -> None:
    assert support("留存相关网络日志[1]，不少于六个月！", LOG) == 1.0
    assert support("[1]", LOG) == 0.0


# -- unresolved and uncited ----------------------------------------------------------------


def test_a_marker_naming_no_source_is_unresolved() -> None:
    report = check_citations("网络运营者应当留存网络日志不少于六个月[1][9]。数据库审计通常旁路部署[7]。", SOURCES)
    assert [s.verdict for s in report.sentences] == ["unresolved", "unresolved"]
    assert report.sentences[0].resolved == (1,)
    assert report.markers == 3 and report.resolved_share == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    "sentence",
    [
        "网络日志须留存180天。",
        "依据第二十三条开展日志留存工作。",
        "《数据安全法》对此有专门条款。",
        "网络运营者应当按规定留存日志。",
        "医院核心系统要求定为第三级。",
        "网络安全法明确了运营者的责任。",
        "数据库审计是等保测评中的常见配置。",
        "不履行义务的将被责令改正。",
    ],
)
def test_uncited_statements_of_fact_are_flagged(sentence: str) -> None:
    assert verdict(sentence) == "uncited_factual"


@pytest.mark.parametrize(
    "text",
    [
        "以下按四类需求分述。",
        "## 第二十三条 日志留存",
        "**可选方案**",
        "目前核心系统的日志是否已集中保存满六个月？",
        "建议结合客户实际情况进一步沟通。",
        "|---|---|",
    ],
)
def test_headings_connectives_and_questions_need_no_citation(text: str) -> None:
    assert verdict(text) in ("not_factual", "structure")


def test_uncited_restatement_of_the_profile_is_grounded_in_context() -> None:
    context = "客户名称：某市人民医院\n细分类型：三级医院\n核心系统可能的等保级别：第三级"
    assert verdict("某市人民医院是三级医院。", context=context) == "context"
    assert verdict("某市人民医院是二级医院。", context=context) == "uncited_factual"
    assert verdict("某市人民医院是三级医院，必须在今年完成等保测评。", context=context) == "uncited_factual"


# -- report and enforcement --------------------------------------------------------------

BRIEF = f"""# 某市人民医院：客户需求简报

以下按四类需求分述。

## 网络安全

- {EXTRACTIVE[0][0].rstrip('。')}[1]。 {PARAPHRASED[1][0].rstrip('。')}[2]。
- 网络日志须留存一年[1]。
- 该院应当在明年完成全部系统的等保测评。

**可选方案**：{EXTRACTIVE[4][0].rstrip('。')}[5]。

## 数据安全

数据库审计可以直接阻断所有SQL注入攻击[9]。

## 业务发展

目前核心系统的日志是否已集中保存满六个月？
"""


def test_report_counts_resolved_supported_and_uncited() -> None:
    report = check_citations(BRIEF, SOURCES)
    verdicts = [s.verdict for s in report.sentences if s.verdict not in ("structure",)]
    assert verdicts == ["not_factual", "supported", "supported", "unsupported", "uncited_factual", "supported", "unresolved", "not_factual"]
    assert report.markers == 5 and report.resolved_share == pytest.approx(4 / 5)
    assert report.cited == 5 and report.supported == 3 and report.supported_share == pytest.approx(3 / 5)
    assert report.uncited_factual == 1
    assert len(report.failed) == 3


def test_enforce_drops_failed_sentences_and_keeps_the_rest_verbatim() -> None:
    clean, report = enforce(BRIEF, SOURCES)
    assert clean == f"""# 某市人民医院：客户需求简报

以下按四类需求分述。

## 网络安全

- {EXTRACTIVE[0][0].rstrip('。')}[1]。 {PARAPHRASED[1][0].rstrip('。')}[2]。

**可选方案**：{EXTRACTIVE[4][0].rstrip('。')}[5]。

## 业务发展

目前核心系统的日志是否已集中保存满六个月？
"""
    # the 数据安全 heading went with its only sentence; the two failed bullets went whole
    assert len(report.failed) == 3
    assert check_citations(clean, SOURCES).failed == ()


def test_enforce_keeps_a_bullet_when_one_of_its_sentences_survives() -> None:
    clean, _ = enforce(f"- 网络日志须留存一年[1]。{EXTRACTIVE[2][0].rstrip('。')}[3]。\n- 下一项。\n", SOURCES)
    assert clean == f"- {EXTRACTIVE[2][0].rstrip('。')}[3]。\n- 下一项。\n"


def test_enforce_can_mark_instead_of_dropping() -> None:
    clean, _ = enforce("网络日志须留存一年[1]。数据库审计可以直接阻断攻击[9]。\n", SOURCES, on_fail="mark")
    assert clean == "【待核实】网络日志须留存一年[1]。【待核实】数据库审计可以直接阻断攻击[9]。\n"


def test_a_text_without_failures_is_unchanged() -> None:
    text = f"## 网络安全\n\n{EXTRACTIVE[0][0].rstrip('。')}[1]。\n\n- {EXTRACTIVE[3][0].rstrip('。')}[4]。\n"
    assert enforce(text, SOURCES)[0] == text


# -- streaming ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 5, 11, 10_000])
def test_cutting_a_stream_gives_the_same_segments_and_the_same_clean_text(size: int) -> None:
    cutter, checker, segments, out = SentenceCutter(), CitationFilter(SOURCES), [], []
    for start in range(0, len(BRIEF), size):
        for segment in cutter.feed(BRIEF[start : start + size]):
            segments.append(segment)
            out.append(checker.push(segment))
    for segment in cutter.flush():
        segments.append(segment)
        out.append(checker.push(segment))
    out.append(checker.finish())
    assert segments == split_sentences(BRIEF)
    assert "".join(out) == enforce(BRIEF, SOURCES)[0]


def test_a_finished_sentence_waits_for_markers_split_across_chunks() -> None:
    cutter = SentenceCutter()
    assert cutter.feed("网络日志不少于六个月。") == []
    assert cutter.feed("[") == []
    assert cutter.feed("1") == []
    assert cutter.feed("]") == []
    [done] = cutter.feed("下")
    assert done.body == "网络日志不少于六个月。[1]"
    assert [s.body for s in cutter.flush()] == ["下"]
