"""Request and response models of the editor's JSON API (api/routes/editor.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.inputs import Position
from corpus.screening import ReviewWarning
from corpus.text import CheckedInput


# -- models ------------------------------------------------------------------------------
class DocumentWrite(CheckedInput):
    """Markdown with front matter in `text`, or a file to convert: `filename` + `content_base64`."""

    text: str | None = Field(None, max_length=2_000_000, description="整篇 Markdown（含 YAML front matter）")
    filename: str | None = Field(None, max_length=255, description="上传文件名（.md/.docx/.pdf/.html…）")
    content_base64: str | None = Field(None, max_length=14_000_000, description="文件内容（base64）")
    note: str = Field("", max_length=1000, description="修改说明")

    @model_validator(mode="after")
    def _one_source(self) -> DocumentWrite:
        if (self.text is None) == (self.content_base64 is None):
            raise ValueError("请提供 text，或 filename 加 content_base64（二选一）")
        if self.content_base64 is not None and not self.filename:
            raise ValueError("上传文件时需要 filename")
        return self


class ReviewNote(CheckedInput):
    note: str = Field("", max_length=1000)


class ApprovalNote(ReviewNote):
    acknowledge_warnings: bool = Field(False, description="已核实此版本的审核提醒（warnings），仍然发布")


class RollbackRequest(CheckedInput):
    to: Position = Field(..., description="回滚到的版本号")
    note: str = Field("", max_length=1000)


class HitTestRequest(CheckedInput):
    query: str = Field(..., min_length=1, max_length=500)
    k: int = Field(10, ge=1, le=50)


Short = Annotated[str, Field(max_length=500)]
Items = Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=200)]


class FormFields(BaseModel):
    """The metadata form; a field left out is not touched, an empty optional one is removed."""

    model_config = ConfigDict(extra="forbid")

    title: Short | None = None
    kind: Short | None = None
    industries: Items | None = None
    need_categories: Items | None = None
    regions: Items | None = None
    vendor: Short | None = None
    issuer: Short | None = None
    document_number: Short | None = None
    articles: Items | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    effective_date: Short | None = None
    review_by: Short | None = None
    illustrative: bool | None = None


class MetadataForm(CheckedInput):
    """The document text, and optionally form fields to write into its front matter."""

    text: str = Field(..., max_length=2_000_000)
    fields: FormFields | None = None


class VersionPublic(BaseModel):
    doc_id: str
    number: int
    state: str
    title: str
    kind: str
    content_hash: str
    created_by: str
    created_at: dt.datetime
    submitted_by: str | None
    submitted_at: dt.datetime | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    published_at: dt.datetime | None
    retired_at: dt.datetime | None
    note: str
    text: str | None = None
    warnings: list[ReviewWarning] = Field(default_factory=list, description="审核提醒：疑似注入指令或原始 HTML，批准前须确认")


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    kind: str
    industries: list[str]
    need_categories: list[str]
    state: str = Field(description="最新版本的状态")
    latest_version: int
    published_version: int | None
    review_by: dt.date | None
    stale: bool


class DocumentDetail(DocumentSummary):
    versions: list[VersionPublic]
    people: dict[str, str] = Field(default_factory=dict, description="版本中出现的用户 id → 显示名")
    suggestions: dict[str, list[str]] = Field(default_factory=dict, description="上传转换时各字段的预填依据")
    approve_refusal: str | None = Field(
        None, description="最新版本待审核、而调用者不能批准它时的原因（例如自己撰写的版本）；能批准时为 null"
    )


class DocumentPage(BaseModel):
    items: list[DocumentSummary]
    total: int


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    doc_id: str
    version: int | None
    detail: dict[str, Any]
