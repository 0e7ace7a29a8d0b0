"""The intent router on its own: rules over the message and the conversation state (no corpus, no I/O).

The corpus signal (is this a topic?) is a stand-in set here; the labelled set in bench/data/routing.jsonl
measures the router with the real corpus (`make bench`).
"""

from __future__ import annotations

import pytest

from assistant.customer import CustomerStage, next_state
from assistant.intents import ConversationState, IntentRouter
from assistant.message import MAX_MESSAGE_CHARS, UserMessage
from assistant.models import OrgCandidate, Profile, Region

TOPICS = {"零信任", "数据库审计", "态势感知"}
ROUTER = IntentRouter(known_topic=lambda text: text in TOPICS)
HOSPITAL = Profile(name="东陵市第二人民医院", industry="healthcare", segment="三级医院", confidence=0.9)
UNKNOWN = Profile(name="远帆智造", question="未能判断")
FRESH = ConversationState()
TALKING = ConversationState(customer=HOSPITAL)
ASKING = ConversationState(customer=None, pending=UNKNOWN)


def intent(message: str, state: ConversationState = FRESH) -> str:
    return ROUTER.route(UserMessage.parse(message), state).intent


@pytest.mark.parametrize(
    ("message", "state", "expected"),
    [
        ("您好！", FRESH, "greeting"),
        ("helo", FRESH, "greeting"),  # one typo
        ("Good evening", TALKING, "greeting"),
        ("你能干什么？", FRESH, "greeting"),
        ("多谢啦", TALKING, "thanks"),
        ("thank u", TALKING, "thanks"),
        ("🙏", TALKING, "thanks"),
        ("收到，明白了", TALKING, "thanks"),
        ("南川县人民医院", FRESH, "customer"),
        ("帮我分析一下北湖师范学院", TALKING, "customer"),
        ("那西川市商业银行呢", TALKING, "customer"),
        ("远帆智造", FRESH, "customer"),  # not a corpus topic: a name to profile
        ("零信任", FRESH, "question"),  # a corpus topic
        ("建筑业", ASKING, "clarify"),
        ("它是做连锁超市的，在成都", ASKING, "clarify"),
        ("制造亚", ASKING, "clarify"),  # one mistyped character
        ("it's a logistics company", ASKING, "clarify"),
        ("规模大约800人", ASKING, "clarify"),
        ("其实是二甲医院", TALKING, "clarify"),
        ("那他们的数据保护呢？", TALKING, "focus"),
        ("IT方面有什么机会", TALKING, "focus"),
        ("how about network security?", TALKING, "focus"),
        ("堡垒机有哪些厂商可以选", TALKING, "recommend"),
        ("which vendor should we use for EDR?", TALKING, "recommend"),
        ("同类医院是怎么做的？", TALKING, "cases"),
        ("any case studies?", TALKING, "cases"),
        ("这类项目大概要花多少钱", TALKING, "budget"),
        ("他们一般几月份招标", TALKING, "budget"),
        ("给信息科写封邮件约个时间", TALKING, "draft"),
        ("帮我整理一份拜访议程", TALKING, "draft"),
        ("proposal outline please, draft it", TALKING, "draft"),
        ("态势感知和SOC的区别", FRESH, "compare"),
        ("EDR vs 杀毒软件", FRESH, "compare"),
        ("日志要保存多久？", TALKING, "question"),
        ("等保测评多久一次", TALKING, "question"),
        ("学校的数据安全要求是什么？", TALKING, "question"),
    ],
)
def test_intents_from_rules_and_context(message: str, state: ConversationState, expected: str) -> None:
    assert intent(message, state) == expected


def test_a_clarification_carries_what_was_told() -> None:
    route = ROUTER.route(UserMessage.parse("它是新能源汽车制造企业，总部在深圳，员工约3000人"), ASKING)
    assert route.intent == "clarify" and route.clarification is not None
    told = route.clarification
    assert (told.industry, told.segment, told.region) == ("manufacturing", "汽车制造", "深圳")
    assert told.size and "3000" in told.size


def test_not_this_but_that_takes_the_industry_after_the_negation() -> None:
    route = ROUTER.route(UserMessage.parse("不是医院，是一所学校"), ASKING)
    assert route.clarification is not None and route.clarification.industry == "education"


def test_an_organisation_inside_a_sentence_is_found_and_a_kind_of_one_is_not() -> None:
    assert ROUTER.organisation_in("帮我给南川县人民医院写一封拜访邮件") == "南川县人民医院"
    assert ROUTER.organisation_in("等保三级对医院有什么要求？") is None
    assert ROUTER.organisation_in("城商行有什么需求") is None
    assert ROUTER.organisation_in("互联网公司") is None


def test_comparison_sides_are_read_around_the_marker() -> None:
    assert ROUTER.route(UserMessage.parse("等保二级和三级有什么区别"), FRESH).sides == ("等保二级", "三级")
    assert ROUTER.route(UserMessage.parse("EDR vs 杀毒软件"), FRESH).sides == ("EDR", "杀毒软件")
    english = ROUTER.route(UserMessage.parse("what's the difference between DLP and database audit?"), FRESH)
    assert english.sides == ("DLP", "database audit")


def test_a_chosen_candidate_names_the_customer() -> None:
    pending = UNKNOWN.model_copy(update={"candidates": [OrgCandidate(name="远帆智造股份有限公司", industry="manufacturing")]})
    route = ROUTER.route(UserMessage.parse("远帆智造股份有限公司"), ConversationState(pending=pending))
    assert route.intent == "customer" and route.name == "远帆智造股份有限公司"


class _Profiler:
    """Profiles by hint only: enough to see what the customer stage asks for and keeps."""

    def profile(self, name: str, *, industry_hint=None, region_hint=None, ask_remote=True):  # type: ignore[no-untyped-def]
        region = Region(province="广东省", city="深圳市") if region_hint == "深圳" else Region()
        return Profile(name=name, industry=industry_hint or "unknown", region=region, confidence=0.9 if industry_hint else 0.0)


def test_a_clarification_merges_into_the_customer_and_never_renames_it() -> None:
    stage = CustomerStage(_Profiler())
    route = ROUTER.route(UserMessage.parse("它是新能源汽车制造企业，总部在深圳"), ASKING)
    subject = stage.resolve(route, ASKING)
    assert subject.changed and subject.profile is not None
    profile = subject.profile
    assert profile.name == "远帆智造" and profile.industry == "manufacturing"
    assert profile.segment == "汽车制造" and profile.region.city == "深圳市"
    state = next_state(ASKING, subject)
    assert state.customer == profile and state.pending is None


def test_an_unidentified_name_is_asked_about_and_then_pending() -> None:
    stage = CustomerStage(_Profiler())
    route = ROUTER.route(UserMessage.parse("远帆智造"), FRESH)
    subject = stage.resolve(route, FRESH)
    assert subject.unidentified
    assert next_state(FRESH, subject).pending == subject.profile


@pytest.mark.parametrize(("raw", "fragment"), [("", "不能为空"), ("  \n ", "不能为空"), ("字" * (MAX_MESSAGE_CHARS + 1), "消息过长"), (5, "文本")])
def test_a_message_is_validated_once_with_a_reason(raw: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        UserMessage.parse(raw)
    assert UserMessage.parse("  北湖  师范学院 ") == "北湖 师范学院"
