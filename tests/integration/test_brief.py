"""Needs briefs and answers from the real starter corpus: planned, composed, cited."""

from __future__ import annotations

import re

import pytest
from helpers import Stack, make_profiler

from assistant.advisor import Advisor
from assistant.citations import check_citations
from assistant.composer import ComposerWriter
from assistant.events import DeltaEvent, DoneEvent, ProfileEvent, SourcesEvent
from assistant.intents import ConversationState
from assistant.models import Profile
from assistant.passages import has_article
from assistant.planner import Planner
from assistant.writers import WriteRequest

HOSPITAL = Profile(name="临江市第一人民医院", industry="healthcare", segment="三级医院", mlps_level=3, confidence=0.9)
BANK = Profile(name="青禾农商银行", industry="finance", segment="农商行", mlps_level=3, confidence=0.9)


@pytest.fixture(scope="module")
def advisor(starter_stack: tuple[Stack, object]) -> Advisor:
    stack, _ = starter_stack
    return Advisor(
        profiler=make_profiler(stack),
        planner=Planner(stack.retriever),
        retriever=stack.retriever,
    )


def _text(advisor: Advisor, request: WriteRequest) -> str:
    return "".join(e.text for e in advisor.write(request) if isinstance(e, DeltaEvent))


def _brief(advisor: Advisor, profile: Profile, focus: tuple[str, ...] = ()) -> WriteRequest:
    return advisor.brief(profile, focus)


def test_hospital_brief_covers_all_four_categories_with_grounded_needs(advisor: Advisor) -> None:
    request = _brief(advisor, HOSPITAL)
    plan = request.plan
    assert plan is not None
    assert [c.category for c in plan.categories] == ["it", "network_security", "data_security", "business"]
    for category in plan.categories:
        assert category.needs, f"no need planned for {category.category}"
        for need in category.needs:
            assert need.why and need.practices, need.title
            assert need.priority in (1, 2, 3)
    # Industry-specific guidance outranks the generic in its category.
    data_needs = next(c for c in plan.categories if c.category == "data_security").needs
    assert "医院" in data_needs[0].title
    text = _text(advisor, request)
    for heading in ("## 监管驱动", "## IT建设", "## 网络安全", "## 数据安全", "## 业务发展"):
        assert heading in text


def test_brief_names_regulations_with_articles_and_cites_the_article_itself(advisor: Advisor) -> None:
    request = _brief(advisor, HOSPITAL)
    assert request.plan is not None
    drivers = request.plan.drivers
    assert drivers and all("《" in d.text for d in drivers)
    assert any(has_article(d.text) for d in drivers)
    # A driver naming 《网络安全法》第二十三条 also cites the regulation digest's passage.
    cited_docs = {s.doc_id for s in request.sources}
    assert any(d.also for d in drivers)
    assert any(doc.startswith("reg-") for doc in cited_docs)


def test_every_marker_resolves_and_every_cited_sentence_is_supported(advisor: Advisor) -> None:
    for profile in (HOSPITAL, BANK):
        request = _brief(advisor, profile)
        text = _text(advisor, request)
        report = check_citations(text, request.sources)
        assert report.markers > 20
        assert report.resolved_share == 1.0
        assert report.supported_share == 1.0, list(report.failed)
        assert report.uncited_factual == 0, [s.text for s in report.failed]
        numbers = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
        assert numbers == {s.n for s in request.sources}, "every listed source is cited, every citation listed"


def test_options_name_at_least_two_vendors_when_the_corpus_names_vendors(advisor: Advisor) -> None:
    request = _brief(advisor, BANK)
    assert request.plan is not None
    needs = [n for c in request.plan.categories for n in c.needs if n.vendors]
    assert needs
    assert all(len(n.vendors) >= 2 for n in needs), [(n.title, n.vendors) for n in needs]


def test_stream_sends_profile_then_sources_then_text_then_done(advisor: Advisor) -> None:
    events = list(advisor.write(_brief(advisor, HOSPITAL)))
    assert isinstance(events[0], ProfileEvent)
    assert isinstance(events[1], SourcesEvent)
    assert isinstance(events[-1], DoneEvent) and events[-1].writer == "composer"
    assert all(isinstance(e, DeltaEvent) for e in events[2:-1])
    assert len(events) > 20, "the brief streams in many deltas"


def test_free_question_gets_a_cited_answer(advisor: Advisor) -> None:
    request = advisor.prepare("等保三级对医院有什么要求？")
    assert request.mode == "answer"
    text = _text(advisor, request)
    report = check_citations(text, request.sources)
    assert report.cited >= 3 and report.supported_share == 1.0 and report.resolved_share == 1.0
    assert "第三级" in text or "三级" in text


def test_question_the_corpus_cannot_answer_is_declined_with_nearest_sources(advisor: Advisor) -> None:
    request = advisor.prepare("草莓大棚的滴灌系统怎么设计？")
    assert request.mode == "not_found"
    text = _text(advisor, request)
    assert "知识库中没有找到" in text
    assert request.sources, "the nearest sources are still listed"
    cited_lines = [line for line in text.splitlines() if re.search(r"\[\d+\]", line)]
    assert cited_lines and all(re.match(r"- \[\d+\] 《", line) for line in cited_lines), "they are listed, not quoted"
    assert check_citations(text, request.sources).uncited_factual == 0


def test_follow_up_about_a_known_customer_focuses_on_the_named_category(advisor: Advisor) -> None:
    request = advisor.prepare("那他们的数据安全呢？", ConversationState(customer=BANK))
    assert request.mode == "brief"
    assert request.plan is not None
    assert [c.category for c in request.plan.categories] == ["data_security"]
    assert request.profile is not None and request.profile.name == BANK.name


def test_recommendation_question_with_context_is_a_focused_brief(advisor: Advisor) -> None:
    request = advisor.prepare("这个客户适合推什么数据安全方案？", ConversationState(customer=HOSPITAL))
    assert request.mode == "brief"
    assert request.plan is not None and [c.category for c in request.plan.categories] == ["data_security"]


@pytest.mark.parametrize("message", ["", "   ", "字" * 2001])
def test_empty_or_overlong_messages_are_refused_with_a_reason(advisor: Advisor, message: str) -> None:
    with pytest.raises(ValueError, match="消息"):
        advisor.prepare(message)


def test_composer_writes_nothing_it_was_not_given() -> None:
    request = WriteRequest(mode="answer", question="问题", sections=[], sources=[])
    text = "".join(e.text for e in ComposerWriter().write(request) if isinstance(e, DeltaEvent))
    assert check_citations(text, []).uncited_factual == 0


def test_plans_are_reused_for_the_same_industry_and_segment_until_the_index_changes(
    starter_stack: tuple[Stack, object],
) -> None:
    stack, _ = starter_stack
    planner = Planner(stack.retriever)
    first = planner.plan(HOSPITAL)
    other = HOSPITAL.model_copy(update={"name": "东陵市第一人民医院"})
    second = planner.plan(other)
    assert second.plan.profile.name == "东陵市第一人民医院", "the cached plan carries the new customer"
    assert second.plan.categories == first.plan.categories and second.chunks is first.chunks
    # Any write to the index (here: re-upserting one chunk) invalidates the cache.
    chunk = next(iter(first.chunks.values()))
    stack.keyword_index.upsert([chunk])
    third = planner.plan(other)
    assert third.chunks is not first.chunks and third.plan.categories == first.plan.categories


def test_a_question_about_another_industry_is_not_a_follow_up(advisor: Advisor) -> None:
    request = advisor.prepare("等保三级对医院有什么要求？", ConversationState(customer=BANK))
    assert request.mode == "answer"
    assert all("银行" not in s.title for s in request.sources)
    assert any("医院" in s.title for s in request.sources)
