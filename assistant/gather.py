"""Stage 4 of a turn: gather the cited claims the reply is made of, as a `WriteRequest` for the writer.

One function per intent; each takes the `Subject` (the routed message and its customer) and, for
the intents built on a brief, the customer's `PlanResult`. Retrieval is scoped to the customer
(industry, segment, province: assistant/scope.py). Text of our own (greetings, questions to the
user, "暂无") states no facts; everything else is a cited sentence of the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant import followups
from assistant.answering import AnswerConfig, answer_sections, compare_sections, topic_text
from assistant.customer import Subject
from assistant.drafts import DRAFT_TITLES, draft_sections
from assistant.gazetteer import default_gazetteer
from assistant.models import INDUSTRY_LABELS, CategoryPlan, Choice, Claim, Profile
from assistant.outline import Section, brief_outline
from assistant.planner import PlanResult, Retriever
from assistant.scope import Scope
from assistant.sources import number_sources
from assistant.vocabulary import CorpusVocabulary
from assistant.writers import WriteRequest
from retrieval.models import Chunk, Hit, SearchFilters

__all__ = ["GatherConfig", "Gatherer", "industry_choices", "needs_plan"]

NEAREST_SOURCES = 3
GREETING = ("你好！我是渠道参谋：输入客户名称，我会分析它最可能的IT与安全需求、依据和厂商中立的可选方案；"
            "也可以直接提问。每一句事实都注明出处。")
THANKS = "不客气！还需要了解什么，随时告诉我。"
FOLLOW_UPS = "关于{name}，还可以问：有没有类似的案例、预算大概多少、推荐哪些厂商，或者让我写一封拜访邮件。"
ASK_INDUSTRY = "请补充客户的行业：点击下方的行业，或直接输入行业、地区等信息（例如“制造业，总部在深圳”），我再据此给出需求简报。"
NOT_A_CHOICE = "“{other}”不在可选的行业中：请选择最接近的一项，或补充客户的主营业务。"
ASK_CANDIDATE = "请点击下方选项确认是哪一家，或输入全称。"
ASK_CUSTOMER = "请先告诉我客户名称（例如“佛山市第一人民医院”），我会根据它的需求简报来写{what}。"
NO_CASES = "知识库中暂无{who}的已发布案例，因此不作列举。"
NO_FIGURES = "知识库中没有给出这类项目的预算金额或比例，因此不作估计；实际金额需向客户或厂商询价确认。"
NO_OPTIONS = "知识库中没有找到对应的方案指南，因此不推荐任何厂商。"
NEUTRAL_RECOMMEND = "以下为知识库中的选型要点与厂商清单，供比较；渠道参谋不推荐单一厂商。"
TIMING_LEAD = "预算与采购节奏："


def industry_choices() -> list[Choice]:
    """The 13 industries as choices; the value is what a user would type (the router reads it as a clarification)."""
    return [Choice(label=label, value=label) for label in INDUSTRY_LABELS.values()]


def needs_plan(subject: Subject) -> bool:
    """Whether this reply is built on the customer's needs plan (stage 3)."""
    profile = subject.profile
    return profile is not None and profile.known and subject.route.intent in ("customer", "clarify", "focus", "draft")


@dataclass(frozen=True)
class GatherConfig:
    answer: AnswerConfig = field(default_factory=AnswerConfig)
    nearest_sources: int = NEAREST_SOURCES


class Gatherer:
    def __init__(self, retriever: Retriever, vocabulary: CorpusVocabulary, config: GatherConfig | None = None) -> None:
        self.retriever = retriever
        self.vocabulary = vocabulary
        self.config = config or GatherConfig()
        self.gazetteer = default_gazetteer()

    def gather(self, subject: Subject, plan: PlanResult | None) -> WriteRequest:
        route = subject.route
        intent = route.intent
        if intent in ("greeting", "thanks"):
            return self._smalltalk(subject)
        if subject.unidentified:
            return self._ask_user(subject)
        if intent in ("customer", "clarify", "focus") and plan is not None:
            return self._brief(subject, plan, focus=route.focus if intent == "focus" else ())
        if intent == "draft":
            return self._draft(subject, plan)
        if intent == "recommend":
            found = followups.recommend(self.retriever, route.topic, subject.profile)
            if found.empty:
                return self._reply(subject, [Section(lead=NO_OPTIONS)], {})
            return self._reply(subject, [Section(lead=NEUTRAL_RECOMMEND), *found.sections], found.chunks)
        if intent == "cases":
            found = followups.cases(self.retriever, route.topic, subject.profile, route.focus)
            if found.empty:
                return self._reply(subject, [Section(lead=NO_CASES.format(who=_who(subject.profile)))], {})
            return self._reply(subject, found.sections, found.chunks)
        if intent == "budget":
            return self._budget(subject)
        if intent == "compare" and route.sides is not None:
            hits = self._hits(subject, route.message)
            sections = compare_sections(route.sides, route.message, hits, self._scope(subject), self.config.answer,
                                        self.vocabulary.weights())
            if sections:
                return self._reply(subject, sections, {h.chunk.chunk_id: h.chunk for h in hits})
        return self._answer(subject)

    # -- briefs and drafts -----------------------------------------------------------------------
    def _brief(self, subject: Subject, result: PlanResult, *, focus: tuple[str, ...]) -> WriteRequest:
        plan = result.plan
        if focus:
            kept: list[CategoryPlan] = [c for c in plan.categories if c.category in focus]
            need_questions = {q.text for c in kept for n in c.needs for q in n.questions}
            plan = plan.model_copy(update={"categories": kept, "questions": [q for q in plan.questions if q.text in need_questions]})
        sections = brief_outline(plan)
        sources = number_sources([c for s in sections for c in s.claims], result.chunks)
        return WriteRequest(mode="brief", intent=subject.route.intent, question=subject.route.message, profile=plan.profile,
                            plan=plan, sections=sections, sources=sources)

    def _draft(self, subject: Subject, result: PlanResult | None) -> WriteRequest:
        kind = subject.route.draft or "email"
        if result is None:
            what = DRAFT_TITLES[kind]
            return WriteRequest(mode="ask_user", intent="draft", question=subject.route.message,
                                sections=[Section(lead=ASK_CUSTOMER.format(what=what))])
        sections = draft_sections(kind, result.plan)
        claims = [c for s in sections for c in s.claims]
        return WriteRequest(mode="answer", intent="draft", question=subject.route.message, profile=subject.profile,
                            plan=result.plan, sections=sections, sources=number_sources(claims, result.chunks))

    # -- answers --------------------------------------------------------------------------------
    def _scope(self, subject: Subject) -> Scope:
        named = self.gazetteer.find(subject.route.message)
        return Scope.of(subject.profile, region=named.region if named else None, strict=False)

    def _hits(self, subject: Subject, query: str) -> list[Hit]:
        profile = subject.profile
        industries = sorted(subject.route.industries) if profile is None else [profile.industry] if profile.known else []
        filters = SearchFilters(industries=industries) if len(industries) == 1 else None
        return self.retriever.search(query, k=self.config.answer.hits, filters=filters)

    def _answer(self, subject: Subject) -> WriteRequest:
        route = subject.route
        hits = self._hits(subject, topic_text(route.message))
        sections = answer_sections(route.message, hits, self._scope(subject), self.config.answer, self.vocabulary.weights())
        if not sections:
            nearest = [Claim(text="", chunk_id=h.chunk.chunk_id) for h in hits[: self.config.nearest_sources]]
            return WriteRequest(mode="not_found", intent=route.intent, question=route.message, profile=subject.profile,
                                sources=number_sources(nearest, {h.chunk.chunk_id: h.chunk for h in hits}))
        return self._reply(subject, sections, {h.chunk.chunk_id: h.chunk for h in hits})

    def _budget(self, subject: Subject) -> WriteRequest:
        route = subject.route
        figures, timing = followups.budget(self.retriever, route.topic, subject.profile)
        sections: list[Section] = []
        if figures.empty:
            sections.append(Section(lead=NO_FIGURES))
        else:
            sections += figures.sections
        if not timing.empty:
            sections.append(Section(label=TIMING_LEAD, claims=timing.sections[0].claims, layout="bullets"))
        return self._reply(subject, sections, {**figures.chunks, **timing.chunks})

    def _reply(self, subject: Subject, sections: list[Section], chunks: dict[str, Chunk]) -> WriteRequest:
        claims = [c for s in sections for c in s.claims]
        return WriteRequest(mode="answer", intent=subject.route.intent, question=subject.route.message,
                            profile=subject.profile, sections=sections, sources=number_sources(claims, chunks))

    # -- our own words ------------------------------------------------------------------------------
    def _smalltalk(self, subject: Subject) -> WriteRequest:
        text = GREETING if subject.route.intent == "greeting" else THANKS
        sections = [Section(lead=text)]
        if subject.profile is not None and subject.profile.known:
            sections.append(Section(lead=FOLLOW_UPS.format(name=subject.profile.name)))
        return WriteRequest(mode="smalltalk", intent=subject.route.intent, question=subject.route.message, sections=sections)

    def _ask_user(self, subject: Subject) -> WriteRequest:
        profile = subject.profile
        assert profile is not None
        if profile.candidates:
            choices = [Choice(label=c.label, value=c.name) for c in profile.candidates]
            hint = ASK_CANDIDATE
        elif profile.question and "地名" in profile.question:
            choices, hint = [], ""  # a place: the question asks for an organisation, not an industry
        else:
            choices, hint = industry_choices(), ASK_INDUSTRY
        told = subject.route.clarification
        question = _question(profile) if told is None or not told.other else NOT_A_CHOICE.format(other=told.other)
        sections = [Section(lead=question)] + ([Section(lead=hint)] if hint else [])
        return WriteRequest(mode="ask_user", intent=subject.route.intent, question=subject.route.message, profile=profile,
                            sections=sections, choices=choices)


def _question(profile: Profile) -> str:
    if profile.question and "地名" in profile.question:
        return profile.question
    known = "、".join(f"{label}：{value}" for label, value in profile.facts() if value != "未知")
    told = f"（已知{known}）" if known else ""
    return f"暂时无法判断“{profile.name}”属于哪个行业{told}。"


def _who(profile: Profile | None) -> str:
    if profile is None or not profile.known:
        return "相关"
    return profile.segment or INDUSTRY_LABELS[profile.industry] + "行业"





