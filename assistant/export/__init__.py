"""A reply to take away: the brief (or answer) with its customer profile and numbered sources,
as Markdown, Word (.docx, python-docx) or PDF (fpdf2 with an embedded Noto Sans SC subset).

    service = ExportService(store)
    file = service.export(message_id, "pdf", owner=user_id, audience=org_id)   # ExportFile(content, media_type, filename)

Sources are listed per document (title, issuer, number), each with its numbered passages, so a
64-passage brief lists some twenty documents, every `[n]` still findable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from assistant.conversations import ConversationStore, ConversationSummary, MessagePublic
from assistant.models import Profile, SourceRef

__all__ = ["FORMATS", "ExportDocument", "ExportFile", "ExportService", "SourceGroup", "group_sources"]

ExportFormat = Literal["md", "docx", "pdf"]
FORMATS: tuple[str, ...] = ExportFormat.__args__  # type: ignore[attr-defined]
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
APP_NAME = "渠道参谋"
SOURCES_HEADING = "来源"
PROFILE_HEADING = "客户画像（系统推断，供核对）"


class SourceGroup(BaseModel):
    """One document and the numbered passages of it that the reply cites."""

    title: str
    details: str  # issuer, document number, url
    passages: list[tuple[int, str]]  # (n, locator)
    illustrative: bool = False


def group_sources(sources: list[SourceRef]) -> list[SourceGroup]:
    """Sources grouped by document, in order of first citation."""
    groups: dict[str, SourceGroup] = {}
    for source in sorted(sources, key=lambda s: s.n):
        group = groups.get(source.doc_id)
        if group is None:
            details = "｜".join(p for p in (source.issuer, source.document_number, source.vendor and f"厂商：{source.vendor}",
                                           source.url if re.match(r"https?://", source.url) else "") if p)
            group = groups[source.doc_id] = SourceGroup(title=f"《{source.title}》", details=details, passages=[],
                                                       illustrative=source.illustrative)
        group.passages.append((source.n, source.locator or "全文"))
    return list(groups.values())


class ExportDocument(BaseModel):
    """What every format shows, in this order."""

    title: str
    customer: str | None = None
    profile_facts: list[tuple[str, str]] = Field(default_factory=list)
    created_at: dt.datetime
    body: str  # the reply's Markdown, [n] markers included
    sources: list[SourceRef] = Field(default_factory=list)

    @classmethod
    def of(cls, conversation: ConversationSummary, message: MessagePublic) -> ExportDocument:
        profile = Profile.model_validate(message.profile) if message.profile else None
        known = profile is not None and profile.known
        first_heading = re.match(r"#\s+(.+)", message.content.strip())
        title = first_heading.group(1).strip() if first_heading else (conversation.customer or conversation.title)
        body = message.content.strip()
        if first_heading:
            body = body[first_heading.end():].lstrip("\n")
        return cls(
            title=title,
            customer=profile.name if profile is not None and known else conversation.customer,
            profile_facts=profile.facts() if profile is not None and known else [],
            created_at=message.created_at,
            body=body,
            sources=[SourceRef.model_validate(s) for s in message.sources],
        )

    @property
    def groups(self) -> list[SourceGroup]:
        return group_sources(self.sources)

    def filename(self, fmt: str) -> str:
        stem = re.sub(r'[\\/:*?"<>|\s]+', "_", self.customer or APP_NAME)[:60]
        return f"{stem}-{self.created_at:%Y-%m-%d}.{fmt}"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def markdown(document: ExportDocument) -> str:
    return "\n".join(_markdown_lines(document)) + "\n"


def _markdown_lines(document: ExportDocument) -> Iterator[str]:
    yield f"# {document.title}"
    yield ""
    if document.profile_facts:
        yield f"> {PROFILE_HEADING}：" + "｜".join(f"{label}：{value}" for label, value in document.profile_facts)
        yield ""
    yield document.body
    if document.sources:
        yield ""
        yield f"## {SOURCES_HEADING}"
        yield ""
        for group in document.groups:
            yield f"- {group.title}" + (f"｜{group.details}" if group.details else "") + ("｜示意案例" if group.illustrative else "")
            for n, locator in group.passages:
                yield f"  - [{n}] {locator}"
    yield ""
    yield f"*{APP_NAME}导出，{document.created_at:%Y-%m-%d}。客户画像为系统推断；每句事实后的 [n] 对应上方来源。*"


class ExportService:
    """A stored reply in a chosen format, for its owner or the audience its conversation is shared with."""

    def __init__(self, store: ConversationStore) -> None:
        self.store = store

    def export(self, message_id: str, fmt: str, *, owner: str | None, audience: str | None = None) -> ExportFile:
        if fmt not in FORMATS:
            raise ValueError(f"不支持的导出格式“{fmt}”：可选 {'、'.join(FORMATS)}")
        conversation, message = self.store.message(message_id, owner=owner, audience=audience)
        document = ExportDocument.of(conversation, message)
        if fmt == "docx":
            from assistant.export.word import docx_bytes

            content = docx_bytes(document)
        elif fmt == "pdf":
            from assistant.export.pdf import pdf_bytes

            content = pdf_bytes(document)
        else:
            content = markdown(document).encode("utf-8")
        return ExportFile(content, MEDIA_TYPES[fmt], document.filename(fmt))
