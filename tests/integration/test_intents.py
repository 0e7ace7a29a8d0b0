"""Each intent through the advisor's stages over the starter corpus (composer writer), and a province's
rules ranking into briefs for that province only (a corpus written here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import Stack, make_profiler, write_doc

from assistant.advisor import Advisor
from assistant.citations import check_citations
from assistant.events import ChoicesEvent, DeltaEvent, ProfileEvent
from assistant.intents import ConversationState
from assistant.models import Profile, Region
from assistant.planner import Planner
from assistant.writers import WriteRequest

HOSPITAL = Profile(name="东陵市第二人民医院", industry="healthcare", segment="三级医院", mlps_level=3, confidence=0.9)
CITY_BANK = Profile(name="西川市商业银行", industry="finance", segment="城商行", mlps_level=3, confidence=0.9)


@pytest.fixture(scope="module")
def advisor(starter_stack: tuple[Stack, object]) -> Advisor:
    stack, _ = starter_stack
    return Advisor(profiler=make_profiler(stack), planner=Planner(stack.retriever), retriever=stack.retriever)


def text_of(advisor: Advisor, request: WriteRequest) -> str:
    return "".join(e.text for e in advisor.write(request) if isinstance(e, DeltaEvent))


def grounded(advisor: Advisor, request: WriteRequest) -> str:
    """The reply's text, after checking that every marker resolves and every factual sentence is cited and backed."""
    text = text_of(advisor, request)
    report = check_citations(text, request.sources)
    assert report.resolved_share == 1.0 and report.supported_share == 1.0, report.failed
    assert report.uncited_factual == 0, [s.text for s in report.failed]
    return text


def test_greeting_and_thanks_are_short_and_name_no_customer(advisor: Advisor) -> None:
    for message in ("你好", "谢谢！"):
        prepared = advisor.run_stages(message, ConversationState(customer=HOSPITAL))
        assert prepared.request.mode == "smalltalk" and not prepared.request.sources and not prepared.shows_profile
        text = text_of(advisor, prepared.request)
        assert len(text) < 200 and "客户需求简报" not in text


def test_an_unknown_name_is_asked_about_with_the_industries_as_choices_and_no_sources(advisor: Advisor) -> None:
    prepared = advisor.run_stages("北辰云帆")
    request = prepared.request
    assert request.mode == "ask_user" and request.sources == [] and len(request.choices) == 13
    events = list(advisor.write(request))
    assert isinstance(events[0], ProfileEvent) and not events[0].profile.known
    choices = next(e for e in events if isinstance(e, ChoicesEvent)).choices
    assert {c.value for c in choices} >= {"制造业", "金融", "医疗卫生"}
    text = "".join(e.text for e in events if isinstance(e, DeltaEvent))
    assert text.count("暂时无法判断") == 1


def test_a_typed_or_clicked_industry_completes_the_same_customer(advisor: Advisor) -> None:
    asked = advisor.run_stages("北辰云帆")
    for answer in ("制造业", "它是新能源汽车制造企业，总部在深圳"):
        prepared = advisor.run_stages(answer, asked.state)
        request = prepared.request
        assert request.intent == "clarify" and request.mode == "brief"
        assert request.profile is not None and request.profile.name == "北辰云帆" and request.profile.industry == "manufacturing"
        assert text_of(advisor, request).startswith("# 北辰云帆：客户需求简报")
    located = advisor.run_stages("它是新能源汽车制造企业，总部在深圳", asked.state).request.profile
    assert located is not None and located.region.city == "深圳市" and located.segment == "汽车制造"


def test_a_need_follow_up_is_a_brief_on_those_categories(advisor: Advisor) -> None:
    request = advisor.prepare("那他们的数据安全呢？", ConversationState(customer=HOSPITAL))
    assert request.intent == "focus" and request.plan is not None
    assert [c.category for c in request.plan.categories] == ["data_security"]


def test_a_vendor_question_gets_criteria_and_several_vendors_unranked(advisor: Advisor) -> None:
    request = advisor.prepare("推荐哪家厂商的防火墙？", ConversationState(customer=HOSPITAL))
    assert request.intent == "recommend" and request.mode == "answer"
    text = grounded(advisor, request)
    assert "排名不分先后" in text and "选型要点" in text
    assert len(re.findall(r"厂商包括([^。]+)", text)[0].split("、")) >= 2, "at least two options"
    assert not re.search(r"(最好|首选|第一名|推荐使用)", text), "never one winner"


def test_cases_are_the_customers_industry_and_segment_or_an_honest_none(advisor: Advisor) -> None:
    request = advisor.prepare("有没有类似的案例？", ConversationState(customer=HOSPITAL))
    text = grounded(advisor, request)
    assert request.intent == "cases" and request.sources
    assert all(s.kind == "case" for s in request.sources) and all("医院" in s.title for s in request.sources)
    assert "示例案例" not in text and "本案例为编辑部" not in text, "no disclaimer repeated as a fact"
    bank = advisor.prepare("有没有类似的案例？", ConversationState(customer=CITY_BANK))
    assert all("农商" not in s.title for s in bank.sources), "another segment's case is not this customer's"
    telecom = Profile(name="某省通信管理局", industry="government", segment="省级部门", confidence=0.9)
    none = advisor.prepare("有没有做过5G专网的案例", ConversationState(customer=telecom))
    assert none.sources == [] or all("政" in s.title or s.kind == "case" for s in none.sources)


def test_budget_states_figures_only_from_sources_and_leads_with_a_figure(advisor: Advisor) -> None:
    request = advisor.prepare("预算大概多少？", ConversationState(customer=HOSPITAL))
    text = grounded(advisor, request)
    first = text.strip().splitlines()[0]
    assert "%" in first or "万元" in first, first
    assert not first.rstrip("[]0123456789").endswith(("？", "?")), "the first line is not a question"


def test_budget_without_figures_in_the_corpus_says_so(advisor: Advisor) -> None:
    request = advisor.prepare("5G专网项目一般要投入多少钱？", ConversationState(customer=CITY_BANK))
    text = grounded(advisor, request)
    assert "万元" in text or "%" in text or "没有给出" in text


def test_drafts_are_filled_from_the_brief_and_every_fact_is_cited(advisor: Advisor) -> None:
    for message, marker in (("帮我写一封拜访邮件", "**主题**"), ("准备一份会议议程", "议程"), ("写一份方案建议书大纲", "提纲")):
        request = advisor.prepare(message, ConversationState(customer=HOSPITAL))
        assert request.intent == "draft" and request.sources
        text = grounded(advisor, request)
        assert marker in text and HOSPITAL.name in text and "[" in text
    nobody = advisor.prepare("帮我写一封拜访邮件")
    assert nobody.mode == "ask_user" and "客户名称" in text_of(advisor, nobody)


def test_a_comparison_is_side_by_side(advisor: Advisor) -> None:
    request = advisor.prepare("等保二级和三级有什么区别")
    text = grounded(advisor, request)
    assert request.intent == "compare" and "## 等保二级" in text and "## 等保三级" in text


@pytest.mark.parametrize(
    ("question", "key"),
    [("网络安全事件要在多长时间内报告？", "1小时"), ("重要数据处理者多久做一次风险评估？", "每年度"), ("网络日志要保存多久？", "六个月")],
)
def test_a_factual_question_opens_with_the_answer(advisor: Advisor, question: str, key: str) -> None:
    text = grounded(advisor, advisor.prepare(question))
    first = text.strip().splitlines()[0]
    assert first.startswith("**直接回答**") and key in first


def test_a_city_bank_brief_never_speaks_of_rural_banks(advisor: Advisor) -> None:
    text = text_of(advisor, advisor.brief(CITY_BANK))
    assert "农商" not in text and "农信" not in text and "农村商业银行" not in text


def test_the_brief_opens_with_a_short_cited_summary_and_promises_no_list_it_does_not_give(advisor: Advisor) -> None:
    text = text_of(advisor, advisor.brief(HOSPITAL))
    summary = text.split("## 摘要", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in summary.splitlines() if line.startswith("- ")]
    assert 3 <= len(lines) <= 5 and all(re.search(r"\[\d+\]$", line) for line in lines)
    assert text.index("## 摘要") < text.index("## 监管驱动")
    for sentence in re.split(r"(?<=[。！？])", text):
        assert not re.search(r"(?:覆盖|包括|分为|有)[一二三四五六七八九十两几]\s*(?:个|种|类|项)(?:层面|方面|方式|部分)[。]", sentence), sentence


def test_specific_guidance_leads_and_generic_leads_only_when_nothing_specific_applies(advisor: Advisor) -> None:
    firsts = {}
    for name, industry in (("某某互联网科技有限公司", "internet"), ("某某置业有限公司", "real_estate"), ("西川市商业银行", "finance")):
        plan = advisor.brief(Profile(name=name, industry=industry, confidence=0.9)).plan
        assert plan is not None
        firsts[industry] = next(c.needs[0].title for c in plan.categories if c.category == "it")
    assert firsts["finance"] != firsts["internet"] or firsts["finance"] != firsts["real_estate"]
    plan = advisor.brief(HOSPITAL).plan
    assert plan is not None
    assert "医院" in next(c for c in plan.categories if c.category == "data_security").needs[0].title


# -- a province's own rules ----------------------------------------------------------------------------
PROFILE = """# 医疗卫生行业画像

本画像用于测试。

## 网络安全需求

医院网络安全需求以等保三级建设和年度测评整改为主线。

## 监管驱动

《网络安全法》第二十三条要求落实等级保护，并留存网络日志不少于六个月。
"""
GUIDE = """# 等保合规建设方案指南

## 解决什么问题

等保合规建设要解决核心系统达不到第三级要求的问题。

## 合规依据

等保建设的依据是《网络安全法》第二十三条规定的等级保护义务。

## 核心能力

等保建设的核心能力包括边界防护、日志审计和数据库审计。

## 可选产品与厂商

提供等保整体方案的厂商包括甲安科技、乙盾网络等，排名不分先后。
"""
PROVINCE_RULE = """# {province}医疗机构网络安全管理规定要点

## 第十二条 网络安全事件报告

{province}医疗机构应当在发现网络安全事件后两小时内向{province}卫生健康委报告，并每半年开展一次应急演练。
"""


def test_a_provinces_rules_rank_into_briefs_for_customers_there_and_nowhere_else(stack: Stack, corpus_dir: Path) -> None:
    write_doc(corpus_dir, "ind-healthcare-test", PROFILE, kind="industry_profile", industries=["healthcare"],
              need_categories=["network_security"], title="医疗卫生行业画像")
    write_doc(corpus_dir, "sol-mlps-test", GUIDE, kind="solution", industries=["all"], need_categories=["network_security"],
              title="等保合规建设方案指南")
    for slug, province in (("gd", "广东省"), ("zj", "浙江省")):
        write_doc(corpus_dir, f"reg-{slug}-hospital-rule", PROVINCE_RULE.format(province=province), kind="regulation",
                  industries=["healthcare"], need_categories=["network_security"], regions=[province],
                  title=f"{province}医疗机构网络安全管理规定要点", issuer=f"{province}卫生健康委员会")
    stack.indexer.ingest(corpus_dir)
    advisor = Advisor(profiler=make_profiler(stack), planner=Planner(stack.retriever), retriever=stack.retriever)

    def brief(province: str | None) -> str:
        region = Region(province=province, city=None) if province else Region()
        profile = Profile(name="某市第一人民医院", industry="healthcare", segment="三级医院", region=region, confidence=0.9)
        request = advisor.brief(profile)
        return "\n".join(f"{s.title}" for s in request.sources) + "\n" + text_of(advisor, request)

    guangdong = brief("广东省")
    assert "广东省医疗机构应当在发现网络安全事件后两小时内" in guangdong and "浙江省" not in guangdong
    zhejiang = brief("浙江省")
    assert "浙江省医疗机构应当" in zhejiang and "广东省" not in zhejiang
    elsewhere = brief("江苏省")
    assert "广东省" not in elsewhere and "浙江省" not in elsewhere
    assert "广东省" not in brief(None), "a customer of unknown place gets no province's rules"
