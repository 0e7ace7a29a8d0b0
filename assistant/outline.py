"""One outline, two writers: the structure of a reply as typed sections of cited claims.

The gather stage builds the sections (a brief: summary, drivers, one section per need category,
visit questions; an answer: the direct answer first, then the rest). The composer renders them
as Markdown; the LLM writer gets the very same rendering as its outline, so both use one set of
headings and labels (`PRIORITY_LABELS`, `LABELS`).

    sections = brief_outline(plan)
    lines = render(sections, cite)     # Markdown lines; cite(claim) -> "sentence[n]"
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

from pydantic import BaseModel, Field

from assistant.models import CATEGORY_LABELS, Claim, Need, NeedsPlan

__all__ = ["LABELS", "PRIORITY_LABELS", "Section", "brief_outline", "brief_title", "render"]

PRIORITY_LABELS = {1: "高", 2: "中", 3: "低"}
LABELS = {
    "why": "为什么",
    "practices": "最佳实践",
    "options": "可选方案",
    "cases": "典型案例（示意）",
    "questions": "可以问客户",
    "summary": "摘要",
    "drivers": "监管驱动",
    "visit_questions": "拜访时可以问的问题",
    "direct": "直接回答",
}
SUMMARY_LINES = 5

Layout = Literal["bullets", "paragraph", "direct"]


class Section(BaseModel):
    """A heading (the writer's own words, no facts), an optional lead sentence (no facts), cited claims."""

    heading: str | None = None
    level: int = 2  # Markdown heading level
    lead: str | None = None  # e.g. "排名不分先后。" — never a fact
    label: str | None = None  # bold label before a paragraph of claims
    claims: list[Claim] = Field(default_factory=list)
    layout: Layout = "bullets"
    labels: list[str] = Field(default_factory=list)  # bullets: a bold label per claim (same length as claims)


def brief_title(name: str) -> str:
    return f"{name}：客户需求简报"


def brief_outline(plan: NeedsPlan) -> list[Section]:
    """Summary first (the top needs with their drivers), then drivers, categories (needs as ###), questions."""
    sections = [Section(heading=brief_title(plan.profile.name), level=1)]
    summary = _summary(plan)
    if summary is not None:
        sections.append(summary)
    said = {c.text for c in summary.claims} if summary is not None else set()
    if plan.drivers:
        sections.append(Section(heading=LABELS["drivers"], claims=plan.drivers))
    for category in plan.categories:
        if not (category.overview or category.needs):
            continue
        sections.append(Section(heading=CATEGORY_LABELS[category.category], claims=category.overview, layout="paragraph"))
        for number, need in enumerate(category.needs, start=1):
            sections += _need(number, need, said)
    if plan.questions:
        sections.append(Section(heading=LABELS["visit_questions"], claims=plan.questions))
    return sections


def _summary(plan: NeedsPlan) -> Section | None:
    """One line per category: its top need and the sentence that says why (an article when there is one)."""
    tops = [(c.needs[0], c.category) for c in plan.categories if c.needs]
    tops.sort(key=lambda item: (item[0].priority, -item[0].score))
    claims: list[Claim] = []
    labels: list[str] = []
    for need, category in tops[:SUMMARY_LINES]:
        why = _driver_of(need)
        if why is None:
            continue
        claims.append(why)
        labels.append(f"{CATEGORY_LABELS[category]}·{need.title}")
    for driver in plan.drivers:
        if len(claims) >= 3:
            break
        if all(driver.text != c.text for c in claims):
            claims.append(driver)
            labels.append(LABELS["drivers"])
    if not claims:
        return None
    return Section(heading=LABELS["summary"], claims=claims, labels=labels)


def _driver_of(need: Need) -> Claim | None:
    for claim in need.why:
        if "第" in claim.text and "条" in claim.text:
            return claim
    return need.why[0] if need.why else None


def _need(number: int, need: Need, said: set[str]) -> list[Section]:
    """One need: why (one sentence the summary did not already give), practice, options, case, a question."""
    sections = [Section(heading=f"{number}. {need.title}（优先级：{PRIORITY_LABELS[need.priority]}）", level=3)]
    why = [c for c in need.why if c.text not in said][:1]
    for key, claims in (("why", why), ("practices", need.practices), ("options", need.options)):
        if claims:
            sections.append(Section(label=LABELS[key], claims=claims, layout="paragraph"))
    if need.single_vendor:
        sections.append(Section(lead=f"**中立性提示**：该需求的方案资料全部来自“{need.single_vendor}”一家厂商，"
                                     "不代表行业通行做法，请另行比较其他厂商的方案。"))
    elif len(need.vendors) == 1:
        sections.append(Section(lead="**中立性提示**：知识库只列出了一家厂商的方案，请另行比较其他厂商。"))
    for key, claims in (("cases", need.cases), ("questions", need.questions)):
        if claims:
            sections.append(Section(label=LABELS[key], claims=claims, layout="paragraph"))
    return sections


def render(sections: list[Section], cite: Callable[[Claim], str]) -> Iterator[str]:
    """Markdown lines, a blank line between blocks. `cite` ends a claim with its [n] markers."""
    blocks: list[list[str]] = []
    for section in sections:
        if section.heading:
            blocks.append([f"{'#' * section.level} {section.heading}"])
        if section.lead:
            blocks.append([section.lead])
        if not section.claims:
            continue
        if section.layout == "direct":
            blocks.append([f"**{LABELS['direct']}**：" + cite(section.claims[0])])
            if rest := section.claims[1:]:
                blocks.append([f"- {cite(c)}" for c in rest])
        elif section.layout == "paragraph":
            text = "".join(cite(c) for c in section.claims)
            blocks.append([f"**{section.label}**：{text}" if section.label else text])
        else:
            labels = section.labels if len(section.labels) == len(section.claims) else [""] * len(section.claims)
            lines = [f"- **{label}**：{cite(claim)}" if label else f"- {cite(claim)}" for label, claim in zip(labels, section.claims)]
            blocks.append(([f"**{section.label}**"] if section.label else []) + lines)
    for number, block in enumerate(blocks):
        if number:
            yield ""
        yield from block
