"""Case text in three shapes: the write-up as the author typed it, the summary the library and retrieval show,
and the corpus document that publishes the summary as a `kind: case`.

    original = compose(fields, titles)                 # Markdown: # 标题, ## 客户需求, ## 方案要点 … ## 附件：…
    summary = summarise(redacted)                      # ## 客户需求 / ## 方案要点 / ## 成效, each cut at a sentence
    text = document_text(meta=…, summary=summary)      # front matter + body, valid for corpus.validate.parse_text

Only the summary is indexed: a brief cites its 方案要点 and 成效 sentences (assistant/planner.py reads cases by
those section names). The full write-up (timeline, budget, lessons, attachments) is what a download returns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from community.cases.models import CaseFields
from corpus.document import ANONYMOUS_HANDLE, PARTNER_LABEL

__all__ = ["SECTIONS", "compose", "document_text", "split_sections", "summarise", "title_of"]

SECTIONS = (
    ("problem", "客户需求"), ("solution", "方案要点"), ("timeline", "实施过程"), ("budget", "预算与采购"),
    ("outcome", "成效"), ("lessons", "经验与教训"),
)  # fmt: skip
# Headings an author may have used in a free-text write-up, by the summary section they stand for.
SUMMARY_HEADINGS = {
    "客户需求": ("客户需求", "客户背景", "项目背景", "背景", "需求", "问题", "痛点", "驱动因素"),
    "方案要点": ("方案要点", "解决方案", "方案", "建设内容", "实施方案", "技术方案"),
    "成效": ("成效", "效果", "成果", "项目成效", "收益", "价值"),
}
SUMMARY_SECTION_CHARS = 800
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_SENTENCE_END = re.compile(r"[。！？；!?;]|\n")


def _demote(markdown: str, *, shift: int, floor: int) -> str:
    """Headings of pasted text moved below the case's own: nested in a `##` section (`# 概况` → `### 概况`, shift 1,
    floor 3), or as the write-up itself (`# 背景` → `## 背景`, `## 方案` stays: shift 0, floor 2)."""
    out = []
    for line in markdown.split("\n"):
        m = _HEADING.match(line)
        out.append(f"{'#' * min(6, max(floor, len(m.group(1)) + shift))} {m.group(2)}" if m else line)
    return "\n".join(out)


def _products(fields: CaseFields, titles: Mapping[str, str]) -> str:
    rows = ["| 类别 | 厂商 | 产品 |", "| --- | --- | --- |"]
    for p in fields.products:
        cells = (titles.get(p.category, p.category), p.vendor or "—", p.product or "—")
        rows.append("| " + " | ".join(c.replace("|", "／") for c in cells) + " |")
    return "\n".join(rows)


def compose(fields: CaseFields, titles: Mapping[str, str] | None = None) -> str:
    """The whole write-up as one Markdown text, title first; the redaction engine runs over exactly this."""
    titles = titles or {}
    parts = [f"# {fields.title}"]
    structured = any(getattr(fields, name) for name, _ in SECTIONS) or bool(fields.products)
    if fields.text and not structured:
        parts.append(_demote(fields.text, shift=0, floor=2))
    for name, heading in SECTIONS:
        body = getattr(fields, name)
        if name == "solution" and fields.products:
            body = f"{body}\n\n{_products(fields, titles)}".strip()
        if body:
            parts.append(f"## {heading}\n\n{_demote(body, shift=1, floor=3)}")
    if fields.text and structured:
        parts.append(f"## 补充说明\n\n{_demote(fields.text, shift=1, floor=3)}")
    for attachment in fields.attachments:
        parts.append(f"## 附件：{attachment.filename}\n\n{_demote(attachment.markdown, shift=1, floor=3)}")
    return "\n\n".join(parts) + "\n"


@dataclass
class Sections:
    title: str
    lead: str  # text between the title and the first `##` heading
    sections: list[tuple[str, str]]  # (heading, body) of each `##` section


def split_sections(markdown: str) -> Sections:
    title = ""
    lead: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in markdown.split("\n"):
        m = _HEADING.match(line)
        if m and len(m.group(1)) == 1 and not title and current is None and not any(s.strip() for s in lead):
            title = m.group(2).strip()
        elif m and len(m.group(1)) == 2:
            current = []
            sections.append((m.group(2).strip(), current))
        elif current is None:
            lead.append(line)
        else:
            current.append(line)
    return Sections(title, "\n".join(lead).strip(), [(h, "\n".join(body).strip()) for h, body in sections])


def title_of(markdown: str) -> str:
    return split_sections(markdown).title


def _cut(text: str, limit: int = SUMMARY_SECTION_CHARS) -> str:
    """At most `limit` characters, ending at a sentence end when there is one in the second half."""
    text = text.strip()
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
    cut = ends[-1] if ends and ends[-1] >= limit // 2 else limit
    return text[:cut].rstrip() + ("…" if cut == limit else "")


def _plain(body: str) -> str:
    """A section's prose without sub-headings and tables (the product table stays in the download)."""
    lines = [line for line in body.split("\n") if not line.lstrip().startswith("|")]
    return "\n".join(_HEADING.sub(r"\2", line) for line in lines).strip()


def summarise(redacted: str) -> list[tuple[str, str]]:
    """The published sections of a redacted write-up: 客户需求, 方案要点, 成效 (those it has)."""
    parsed = split_sections(redacted)
    found: dict[str, str] = {}
    for target, names in SUMMARY_HEADINGS.items():
        for heading, body in parsed.sections:
            if body and any(heading.startswith(n) for n in names) and not heading.startswith("附件"):
                found[target] = _plain(body)
                break
    if "方案要点" not in found:  # a free-text write-up: its opening is what was done
        opening = parsed.lead or next((b for h, b in parsed.sections if b and not h.startswith("附件")), "")
        if opening:
            found["方案要点"] = _plain(opening)
    return [(name, _cut(found[name])) for name in SUMMARY_HEADINGS if found.get(name)]


def summary_markdown(sections: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"## {heading}\n\n{body}" for heading, body in sections)


def document_text(
    *,
    doc_id: str,
    case_id: str,
    title: str,
    industry: str,
    need_categories: list[str],
    region: str,
    facts: str,
    handle: str,
    summary: str,
    day: dt.date,
    tags: list[str],
) -> str:
    """The corpus document publishing a case: `kind: case`, labelled 伙伴分享 with the author's handle."""
    handle = handle or ANONYMOUS_HANDLE
    meta = {
        "id": doc_id,
        "title": title,
        "kind": "case",
        "industries": [industry],
        "need_categories": need_categories,
        # Not `regions`: that limits a rule to where it applies; a case from one province is useful everywhere.
        "regions": [],
        "source": {"issuer": f"{PARTNER_LABEL} · {handle}", "url": f"/cases/{case_id}"},
        "effective_date": day,
        "version": "1",
        "status": "draft",
        "illustrative": False,
        "tags": list(dict.fromkeys([PARTNER_LABEL, *tags, *([region] if region and region != "全国" else [])])),
        "contributor": {"label": PARTNER_LABEL, "handle": handle, "case_id": case_id},
    }
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    note = (f"> {PARTNER_LABEL}：渠道伙伴“{handle}”分享的项目案例，作者已确认脱敏，经编辑审核后发布；"
            f"完整案例可在案例库下载。")  # fmt: skip
    return f"---\n{header}---\n\n# {title}\n\n{note}\n\n{facts}\n\n{summary}\n"
