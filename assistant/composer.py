"""The grounded composer: the embedded default writer, no LLM.

It arranges sentences the planner took verbatim from the corpus into a brief
(or an answer) and ends each with the `[n]` markers of the passages that state
it. Its own words are limited to headings, labels and notices, which state no
facts about the world; so every factual sentence is cited and supported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.events import DeltaEvent
from assistant.models import CATEGORY_LABELS, Claim, Need, Profile, SourceRef
from assistant.writers import WriteRequest, WriterEvent
from corpus.document import PARTNER_LABEL
from retrieval.models import Chunk

PRIORITY_LABELS = {1: "高", 2: "中", 3: "低"}


def number_sources(claims: list[Claim], chunks: dict[str, Chunk]) -> list[SourceRef]:
    """Number the cited chunks in order of first use; `[n]` markers refer to these numbers."""
    order: list[str] = []
    for claim in claims:
        for chunk_id in (claim.chunk_id, *claim.also):
            if chunk_id in chunks and chunk_id not in order:
                order.append(chunk_id)
    return [source_ref(n, chunks[cid]) for n, cid in enumerate(order, start=1)]


def source_ref(n: int, chunk: Chunk) -> SourceRef:
    meta = chunk.metadata
    return SourceRef(
        n=n,
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=str(meta.get("title", chunk.doc_id)),
        kind=str(meta.get("kind", "")),
        locator=chunk.locator if chunk.locator != meta.get("title") else "",
        issuer=str(meta.get("issuer", "")),
        document_number=str(meta.get("document_number", "")),
        url=str(meta.get("url", "")),
        vendor=str(meta.get("vendor") or "") or None,
        illustrative=bool(meta.get("illustrative", False)),
        text=chunk.text,
    )


def profile_line(profile: Profile) -> str:
    """The profiler's inference, labelled as such (it is not a corpus fact and carries no marker)."""
    parts = [f"{label}：{value}" for label, value in profile.facts()]
    if any(e.field == "industry" and e.source == "llm" for e in profile.evidence):
        parts.append("行业依据：大模型判断，未经核实")
    return "> 客户画像（系统推断，供核对）：" + "｜".join(parts) + f"｜置信度：{profile.confidence:.0%}"


class ComposerWriter:
    name = "composer"

    def write(self, request: WriteRequest) -> Iterator[WriterEvent]:
        lines = {
            "brief": self._brief,
            "answer": self._answer,
            "not_found": self._not_found,
            "ask_user": self._ask_user,
        }[request.mode](request)
        for line in lines:
            yield DeltaEvent(text=line + "\n")

    # -- modes -----------------------------------------------------------------------
    def _brief(self, request: WriteRequest) -> Iterator[str]:
        plan = request.plan
        assert plan is not None, "brief needs a plan"
        cite = _citer(request)
        # The profile is an inference, not a corpus fact: it travels in the profile
        # event (and `profile_line` for plain-text output), never inside the cited text.
        yield f"# {plan.profile.name}：客户需求简报"
        if plan.drivers:
            yield ""
            yield "## 监管驱动"
            yield ""
            for claim in plan.drivers:
                yield f"- {cite(claim)}"
        for category in plan.categories:
            if not (category.overview or category.needs):
                continue
            yield ""
            yield f"## {CATEGORY_LABELS[category.category]}"
            if category.overview:
                yield ""
                yield "".join(cite(c) for c in category.overview)
            for number, need in enumerate(category.needs, start=1):
                yield ""
                yield from self._need(number, need, cite, case_label(request, need.cases))
        if plan.questions:
            yield ""
            yield "## 拜访时可以问的问题"
            yield ""
            for claim in plan.questions:
                yield f"- {cite(claim)}"

    def _need(self, number: int, need: Need, cite, cases_label: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
        yield f"### {number}. {need.title}（优先级：{PRIORITY_LABELS[need.priority]}）"
        yield ""
        for label, claims in (("为什么", need.why), ("最佳实践", need.practices), ("可选方案", need.options)):
            if claims:
                yield f"**{label}**：" + "".join(cite(c) for c in claims)
                yield ""
        if need.single_vendor:
            yield f"**中立性提示**：该需求的方案资料全部来自“{need.single_vendor}”一家厂商，不代表行业通行做法，请另行比较其他厂商的方案。"
            yield ""
        elif len(need.vendors) == 1:
            yield "**中立性提示**：知识库只列出了一家厂商的方案，请另行比较其他厂商。"
            yield ""
        for label, claims in ((cases_label, need.cases), ("可以问客户", need.questions)):
            if claims:
                yield f"**{label}**：" + "".join(cite(c) for c in claims)
                yield ""

    def _answer(self, request: WriteRequest) -> Iterator[str]:
        cite = _citer(request)
        yield "根据知识库中的资料："
        yield ""
        for claim in request.claims:
            yield f"- {cite(claim)}"

    def _not_found(self, request: WriteRequest) -> Iterator[str]:
        yield f"知识库中没有找到能回答“{request.question}”的内容，因此不作回答。"
        if request.sources:
            yield ""
            yield "最接近的资料如下，仅供参考："
            yield ""
            for source in request.sources:
                # A title ending in ？ would read as a sentence end inside the list item.
                yield f"- [{source.n}] {re.sub(r'[。！？!?]', '', source.label)}"

    def _ask_user(self, request: WriteRequest) -> Iterator[str]:
        profile = request.profile
        yield (profile.question if profile and profile.question else f"暂时无法判断“{request.question}”是哪类客户。")
        yield ""
        yield "请补充客户的行业（如政府、金融、医疗、教育、能源、制造等）或所在地区，我再据此给出需求简报。"


def case_label(request: WriteRequest, claims: list[Claim]) -> str:
    """典型案例（伙伴分享）for a case a partner shared, （示意）for the editors' illustrative ones."""
    ids = {c.chunk_id for c in claims}
    sources = [s for s in request.sources if s.chunk_id in ids]
    if any(s.issuer.startswith(PARTNER_LABEL) for s in sources):
        return f"典型案例（{PARTNER_LABEL}）"
    return "典型案例（示意）" if all(s.illustrative for s in sources) else "典型案例"


def _citer(request: WriteRequest):  # type: ignore[no-untyped-def]
    def cite(claim: Claim) -> str:
        numbers = []
        for chunk_id in (claim.chunk_id, *claim.also):
            try:
                numbers.append(request.source_number(chunk_id))
            except KeyError:
                continue
        return claim.text + "".join(f"[{n}]" for n in dict.fromkeys(numbers))

    return cite
