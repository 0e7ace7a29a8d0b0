"""The profiler's LLM step against a real OpenAI-compatible HTTP server (tests/fake_llm.py).

Invented brand-style names (no sector word) stand for the listed companies the name rules cannot place.
"""

from __future__ import annotations

import json

import pytest
from fake_llm import MODEL, Fail, Reply

from api.container import industry_guesser
from api.settings import Settings
from assistant.composer import profile_line
from assistant.industry_llm import LLMIndustryGuesser, parse_guess
from assistant.openai_writer import WriterConfig
from assistant.profiler import LLM_CONFIDENCE, Profiler

BRAND = "青澜股份"


def make_profiler(fake_llm, timeout: float = 5.0) -> Profiler:  # type: ignore[no-untyped-def]
    return Profiler(guesser=LLMIndustryGuesser(base_url=fake_llm.base_url, model=MODEL, timeout=timeout))


def test_the_llm_places_a_name_the_rules_cannot_and_is_asked_once(fake_llm) -> None:  # type: ignore[no-untyped-def]
    assert Profiler().profile(BRAND).industry == "unknown"
    fake_llm.enqueue(Reply(json.dumps({"industry": "manufacturing", "reason": "主营工业机器人"}, ensure_ascii=False)))
    profiler = make_profiler(fake_llm)

    profile = profiler.profile(BRAND)
    assert profile.industry == "manufacturing" and profile.confidence == LLM_CONFIDENCE and profile.question is None
    llm = [e for e in profile.evidence if e.source == "llm" and e.field == "industry"]
    assert len(llm) == 1 and "主营工业机器人" in llm[0].detail and "未经核实" in llm[0].detail
    assert profile.regulators == ["工信部", "公安机关（等级保护）", "国家网信办"]  # the rest follows the industry
    assert next(e for e in profile.evidence if e.field == "regulators").source == "llm"

    assert "大模型判断，未经核实" in profile_line(profile)  # the brief says where the industry came from
    assert "大模型" not in profile_line(Profiler().profile("临江县人民医院"))
    sent = fake_llm.requests[0]["messages"]
    assert BRAND in sent[-1]["content"] and "real_estate" in sent[0]["content"]  # the name, and our codes
    assert profiler.profile(BRAND).industry == "manufacturing"
    assert len(fake_llm.requests) == 1  # cached


def test_names_the_rules_place_never_reach_the_llm(fake_llm) -> None:  # type: ignore[no-untyped-def]
    profiler = make_profiler(fake_llm)
    assert profiler.profile("临江县人民医院").industry == "healthcare"
    assert profiler.profile("国家数据局").industry == "government"
    assert fake_llm.requests == []


@pytest.mark.parametrize(
    "behaviour",
    [
        Reply('{"industry": "unknown", "reason": "不确定"}'),
        Reply('{"industry": "hospital", "reason": "不是我们的代码"}'),
        Reply("这家公司应该属于制造业。"),
        Fail(503),
        Fail(429, retry_after=1),
        Reply('{"industry": "finance", "reason": "太慢了"}', delay=3.0),
    ],
    ids=["unknown", "not-a-code", "not-json", "503", "429", "timeout"],
)
def test_no_usable_answer_leaves_unknown_and_the_question(fake_llm, behaviour) -> None:  # type: ignore[no-untyped-def]
    fake_llm.enqueue(behaviour)
    profile = make_profiler(fake_llm, timeout=1.0).profile(BRAND)
    assert profile.industry == "unknown" and profile.question and BRAND in profile.question
    assert not [e for e in profile.evidence if e.source == "llm"]


def test_a_failure_is_not_cached(fake_llm) -> None:  # type: ignore[no-untyped-def]
    fake_llm.enqueue(Fail(503), Reply('{"industry": "internet", "reason": "电商平台"}'))
    profiler = make_profiler(fake_llm)
    assert profiler.profile(BRAND).industry == "unknown"
    assert profiler.profile(BRAND).industry == "internet"


@pytest.mark.parametrize(
    ("text", "industry"),
    [
        ('```json\n{"industry": "Real_Estate", "reason": "住宅开发"}\n```', "real_estate"),
        ('判断如下：{"industry": "energy"}', "energy"),
        ('{"industry": "all"}', None),
        ('["finance"]', None),
        ("", None),
    ],
)
def test_parse_guess_takes_only_our_codes(text: str, industry: str | None) -> None:
    guess = parse_guess(text)
    assert (guess.industry if guess else None) == industry


def test_the_container_wires_the_step_only_for_an_llm_writer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert industry_guesser(base) is None  # the composer: no LLM anywhere
    llm = WriterConfig(kind="openai", base_url="http://127.0.0.1:9/v1")
    assert isinstance(industry_guesser(base.model_copy(update={"writer": llm})), LLMIndustryGuesser)
    assert industry_guesser(base.model_copy(update={"writer": llm, "profiler_llm": False})) is None


def test_the_advisor_asks_the_llm_only_for_names_that_are_not_topics(fake_llm, starter_container) -> None:  # type: ignore[no-untyped-def]
    from assistant.advisor import Advisor

    base = starter_container.advisor
    advisor = Advisor(profiler=make_profiler(fake_llm), planner=base.planner, retriever=base.retriever)
    topic = advisor.prepare("零信任")
    assert topic.mode == "answer" and fake_llm.requests == []  # a corpus topic never reaches the model

    fake_llm.enqueue(Reply('{"industry": "finance", "reason": "城市商业银行"}'))
    brief = advisor.prepare(BRAND)
    assert brief.mode == "brief" and brief.profile is not None and brief.profile.industry == "finance"
    assert len(fake_llm.requests) == 1

    fake_llm.enqueue(Reply('{"industry": "unknown", "reason": "不确定"}'))
    asked = advisor.prepare("北辰云帆")
    assert asked.mode == "ask_user" and asked.profile is not None and asked.profile.question
