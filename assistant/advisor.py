"""The advisor: from what the user typed to a stream of grounded answer events.

A customer name gets a needs brief (profile → plan → writer). A question gets
an answer from retrieved passages, or an honest "not found" with the nearest
sources. A follow-up about a known customer (e.g. "那他们的数据安全呢？") gets a
brief focused on the categories it names.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from assistant.composer import ComposerWriter, number_sources
from assistant.events import DeltaEvent, DoneEvent, NoticeEvent, ProfileEvent, SourcesEvent
from assistant.models import CategoryPlan, Claim, Profile
from assistant.name_rules import match_words
from assistant.passages import overlap, sentences, terms
from assistant.planner import Planner
from assistant.sanitize import without_html
from assistant.writers import WriteRequest, Writer
from corpus.text import InvalidText, check_text
from retrieval.hybrid import HybridRetriever
from retrieval.models import Chunk, Hit, SearchFilters

MAX_MESSAGE_CHARS = 2000
ORGANISATION_TIER = 3  # name_rules: words that say what kind of organisation it is

_QUESTION_MARKS = re.compile(r"[？?]|什么|哪些|哪个|如何|怎么|怎样|是否|为什么|多少|能否|有没有|区别|吗|呢$")
_ORG_SUFFIX = re.compile(r"(公司|集团|医院|银行|大学|学院|学校|中学|小学|政府|委员会|局|厅|中心|研究院|研究所)$")
# Phrases that name a need category in a question.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "it": ("IT", "信息化", "基础设施", "机房", "云"),
    "network_security": ("网络安全", "等保", "网安"),
    "data_security": ("数据安全", "数据保护", "个人信息"),
    "business": ("业务发展", "业务", "数字化转型"),
}
_ASKS_FOR_NEEDS = re.compile(r"需求|需要|推什么|推荐|适合|方案|机会|卖什么|做什么")
# "本指南介绍……": a document describing itself answers nothing.
_ABOUT_THE_DOCUMENT = re.compile(r"^本(文|问答|案例|指南|画像|篇|节|部分|材料)")
# Words every question uses; they say nothing about whether the corpus covers it.
_GENERIC_TERMS = frozenset("要求 规定 方案 客户 适合 推荐 单位 公司 情况 问题 介绍 一下 相关 主要 具体 哪里 谁".split())


class ProfilerLike(Protocol):
    def profile(
        self, name: str, *, industry_hint: str | None = None, region_hint: str | None = None, ask_remote: bool = True
    ) -> Profile: ...


AdvisorEvent = ProfileEvent | SourcesEvent | DeltaEvent | NoticeEvent | DoneEvent


@dataclass(frozen=True)
class Decision:
    kind: Literal["brief", "answer", "name_or_topic"]
    message: str
    profile: Profile | None = None
    focus: list[str] = field(default_factory=list)
    context: Profile | None = None


@dataclass(frozen=True)
class AdvisorConfig:
    answer_hits: int = 6
    answer_sentences: int = 5
    sentences_per_passage: int = 2
    min_coverage: float = 0.66  # share of the question's terms the passages must contain
    nearest_sources: int = 3


def clean_message(message: str) -> str:
    """Whitespace collapsed; InvalidText (a ValueError with a message for the user) when empty, too
    long, or holding a character no text may hold (corpus.text.check_text)."""
    message = " ".join(check_text(message, what="消息").split())
    if not message:
        raise InvalidText("消息不能为空")
    if len(message) > MAX_MESSAGE_CHARS:
        raise InvalidText(f"消息过长：{len(message)} 个字符，上限 {MAX_MESSAGE_CHARS}")
    return message


def is_question(message: str) -> bool:
    return bool(_QUESTION_MARKS.search(message)) or len(message) > 40


def mentioned_industries(message: str) -> set[str]:
    """Industries a message names by an organisation word (医院, 银行, 学校 …)."""
    return {m.rule.industry for m in match_words(message) if m.rule.tier == ORGANISATION_TIER}


def focus_categories(message: str) -> list[str]:
    return [cat for cat, words in CATEGORY_WORDS.items() if any(w in message for w in words)]


class Advisor:
    def __init__(
        self,
        *,
        profiler: ProfilerLike,
        planner: Planner,
        retriever: HybridRetriever,
        writer: Writer | None = None,
        config: AdvisorConfig | None = None,
    ) -> None:
        self.profiler = profiler
        self.planner = planner
        self.retriever = retriever
        self.writer: Writer = writer or ComposerWriter()
        self.config = config or AdvisorConfig()

    def warm_up(self) -> None:
        """Load the embedding model and open the indexes before the first user waits for it."""
        self.retriever.search("等级保护", k=1)

    # -- deciding what to do ------------------------------------------------------------
    def decide(self, message: str, *, context: Profile | None = None) -> Decision:
        """The cheap first step: what kind of reply, and for which customer (no retrieval yet)."""
        message = clean_message(message)
        if is_question(message):
            mentioned = mentioned_industries(message)
            if context is not None and mentioned and context.industry not in mentioned:
                context = None  # "等保三级对医院有什么要求？" asked while talking about a bank
            focus = focus_categories(message)
            follow_up = bool(focus) and len(message) <= 20  # "那他们的数据安全呢？"
            if context is not None and context.known and (_ASKS_FOR_NEEDS.search(message) or follow_up):
                return Decision("brief", message, context, focus)
            if context is None and len(mentioned) == 1:
                context = Profile(name=message, industry=next(iter(mentioned)))  # only to focus retrieval
                return Decision("answer", message, None, context=context)
            return Decision("answer", message, context)
        profile = self.profiler.profile(message, ask_remote=False)  # registry and LLM only once it is not a topic
        if profile.known:
            return Decision("brief", message, profile)
        return Decision("name_or_topic", message, profile, context=context)

    def build(self, decision: Decision) -> WriteRequest:
        """Plan or retrieve: everything a writer needs, with numbered sources."""
        if decision.kind == "brief":
            assert decision.profile is not None
            return self._brief(decision.message, decision.profile, focus=decision.focus)
        if decision.kind == "answer":
            return self._answer(decision.message, decision.profile, industry_of=decision.context)
        # Not a recognisable customer: maybe a topic ("数据库审计"); else a name the rules cannot place,
        # which the profiler's LLM step (when configured) may still know; else ask who it is.
        request = self._answer(decision.message, decision.context)
        message = decision.message
        if request.mode == "not_found" and (_ORG_SUFFIX.search(message) or len(message) <= 12):
            profile = self.profiler.profile(message)
            if profile.known:
                return self._brief(message, profile, focus=[])
            return WriteRequest(mode="ask_user", question=message, profile=profile, sources=request.sources)
        return request

    def prepare(self, message: str, *, context: Profile | None = None) -> WriteRequest:
        return self.build(self.decide(message, context=context))

    def _brief(self, message: str, profile: Profile, *, focus: list[str]) -> WriteRequest:
        result = self.planner.plan(profile)
        plan = result.plan
        if focus:
            plan = plan.model_copy(update={"categories": [c for c in plan.categories if c.category in focus]})
            plan = _without_unused_questions(plan)
        sources = number_sources(plan.claims(), result.chunks)
        return WriteRequest(mode="brief", question=message, profile=profile, plan=plan, sources=sources)

    def _answer(self, message: str, context: Profile | None, *, industry_of: Profile | None = None) -> WriteRequest:
        """A cited answer; retrieval leans on the customer's industry (or the one the question names)."""
        scope = context if context is not None and context.known else industry_of
        filters = SearchFilters(industries=[scope.industry]) if scope is not None and scope.known else None
        hits = self.retriever.search(message, k=self.config.answer_hits, filters=filters)
        query_terms = {t for t in terms(message) if t not in _GENERIC_TERMS}
        chunks = {h.chunk.chunk_id: h.chunk for h in hits}
        covered = set().union(*(terms(_searchable(h.chunk)) for h in hits)) if hits else set()
        coverage = len(query_terms & covered) / len(query_terms) if query_terms else 0.0
        claims = self._claims(query_terms, hits) if coverage >= self.config.min_coverage else []
        if not claims:
            nearest = [Claim(text="", chunk_id=h.chunk.chunk_id) for h in hits[: self.config.nearest_sources]]
            return WriteRequest(
                mode="not_found", question=message, profile=context, sources=number_sources(nearest, chunks)
            )
        return WriteRequest(
            mode="answer", question=message, profile=context, claims=claims, sources=number_sources(claims, chunks)
        )

    def _claims(self, query_terms: set[str], hits: list[Hit]) -> list[Claim]:
        """The sentences of the top passages that share most terms with the question."""
        scored: list[tuple[float, int, int, Claim]] = []
        for rank, hit in enumerate(hits):
            for position, sentence in enumerate(sentences(hit.chunk.text)):
                if _ABOUT_THE_DOCUMENT.match(sentence):
                    continue
                score = overlap(query_terms, sentence)
                if score > 0:
                    scored.append((score - 0.02 * rank, rank, position, Claim(text=sentence, chunk_id=hit.chunk.chunk_id)))
        scored.sort(key=lambda item: -item[0])
        picked: list[tuple[int, int, Claim]] = []
        per_chunk: dict[str, int] = {}
        for _score, rank, position, claim in scored:
            if per_chunk.get(claim.chunk_id, 0) >= self.config.sentences_per_passage:
                continue
            per_chunk[claim.chunk_id] = per_chunk.get(claim.chunk_id, 0) + 1
            picked.append((rank, position, claim))
            if len(picked) >= self.config.answer_sentences:
                break
        return [claim for _rank, _position, claim in sorted(picked, key=lambda item: (item[0], item[1]))]

    # -- streaming ------------------------------------------------------------------------
    def stream(self, message: str, *, context: Profile | None = None) -> Iterator[AdvisorEvent]:
        """Events in order: profile (as soon as it is known), sources, deltas/notices, done."""
        started = time.perf_counter()
        decision = self.decide(message, context=context)
        if decision.profile is not None and decision.kind == "brief":
            yield ProfileEvent(profile=decision.profile)
        request = self.build(decision)
        yield from self.write(request, started=started, profile_sent=decision.kind == "brief")

    def write(
        self, request: WriteRequest, *, started: float | None = None, profile_sent: bool = False
    ) -> Iterator[AdvisorEvent]:
        started = started or time.perf_counter()
        prepared = time.perf_counter()
        if request.profile is not None and not profile_sent:
            yield ProfileEvent(profile=request.profile)
        yield SourcesEvent(sources=request.sources)
        first_delta: float | None = None
        writer_name = self.writer.name
        for event in without_html(self.writer.write(request)):  # no raw HTML leaves, whatever a passage holds
            if first_delta is None:
                first_delta = time.perf_counter()
            if isinstance(event, NoticeEvent) and event.code == "llm_fallback":
                writer_name = "composer"  # what the reader finally sees came from the composer
            yield event
        done = time.perf_counter()
        yield DoneEvent(
            writer=writer_name,
            mode=request.mode,
            timing_ms={
                "prepare": round((prepared - started) * 1000, 2),
                "first_delta": round(((first_delta or done) - started) * 1000, 2),
                "total": round((done - started) * 1000, 2),
            },
        )


def _searchable(chunk: Chunk) -> str:
    return f"{chunk.metadata.get('title', '')} {chunk.heading} {chunk.text}"


def _without_unused_questions(plan):  # type: ignore[no-untyped-def]
    """A focused brief keeps only the visit questions that belong to its needs."""
    kept: list[CategoryPlan] = plan.categories
    need_questions = {q.text for c in kept for n in c.needs for q in n.questions}
    return plan.model_copy(update={"questions": [q for q in plan.questions if q.text in need_questions]})
