"""Drafts a partner takes to a customer: a visit email, a meeting agenda, a proposal outline.

The wording is a template in prompts/ (draft-email.v1, draft-agenda.v1, draft-outline.v1) that states
no facts; its `${needs}`, `${drivers}`, `${questions}`, `${options}` and `${cases}` blocks are filled
with cited sentences of the customer's brief, so every fact in a draft carries its source.

    sections = draft_sections("email", plan)
"""

from __future__ import annotations

import re
from string import Template

import prompts
from assistant.models import INDUSTRY_LABELS, Claim, NeedsPlan
from assistant.outline import Section

__all__ = ["DRAFT_TEMPLATES", "DRAFT_TITLES", "draft_sections"]

DRAFT_TEMPLATES = {"email": "draft-email.v1", "agenda": "draft-agenda.v1", "outline": "draft-outline.v1"}
DRAFT_TITLES = {"email": "拜访邮件", "agenda": "会议议程", "outline": "方案建议书提纲"}
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_SLOT = re.compile(r"^\$\{(needs|drivers|questions|options|cases)\}$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
MAX_NEEDS = 4


def _slots(plan: NeedsPlan) -> dict[str, tuple[list[Claim], list[str]]]:
    """(claims, labels) for each block placeholder, from the plan's top needs."""
    tops = sorted((c.needs[0] for c in plan.categories if c.needs), key=lambda n: (n.priority, -n.score))[:MAX_NEEDS]
    needs = [(n.why[0], n.title) for n in tops if n.why]
    options = [(n.options[0], n.title) for n in tops if n.options]
    cases = [(n.cases[0], n.title) for n in tops if n.cases]
    questions = [q for n in tops for q in n.questions] + plan.questions
    unique_questions = list({q.text: q for q in questions}.values())[:4]
    return {
        "needs": ([c for c, _ in needs], [t for _, t in needs]),
        "drivers": (plan.drivers[:2], []),
        "questions": (unique_questions, []),
        "options": ([c for c, _ in options], [t for _, t in options]),
        "cases": ([c for c, _ in cases], [t for _, t in cases]),
    }


def draft_sections(kind: str, plan: NeedsPlan) -> list[Section]:
    """The filled template as sections: template text as non-factual leads, slots as cited lines."""
    template = _COMMENT.sub("", prompts.load(DRAFT_TEMPLATES[kind])).strip()
    profile = plan.profile
    words = {"customer": profile.name, "industry": INDUSTRY_LABELS.get(profile.industry, "")}
    slots = _slots(plan)
    sections: list[Section] = []
    for block in re.split(r"\n\s*\n", template):
        block = block.strip()
        if slot := _SLOT.match(block):
            claims, labels = slots[slot.group(1)]
            sections.append(Section(claims=claims, labels=labels) if claims else Section(lead="[待补充]"))
            continue
        text = Template(block).safe_substitute(words)
        if heading := _HEADING.match(text):
            sections.append(Section(heading=heading.group(2), level=len(heading.group(1))))
        else:
            sections.append(Section(lead=text))
    return sections
