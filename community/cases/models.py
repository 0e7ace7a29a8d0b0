"""What the case service takes and returns, and its errors.

A case has two halves, kept apart on purpose:

* the private half (`CasePrivate`): the customer, its aliases, the write-up as typed, attachments, the
  redaction findings with their originals. Only users of the author's organisation ever read it;
* the public half (`CasePublic`): the redacted text *the author confirmed*, the summary published to
  retrieval, the findings without their originals, the uniqueness warning. Editors read it once the case is
  submitted, every signed-in user once it is published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES

__all__ = [
    "MAX_ATTACHMENTS",
    "Attachment",
    "CaseConflict",
    "CaseError",
    "CaseFields",
    "CaseForbidden",
    "CaseNotFound",
    "CaseStatus",
    "Product",
    "RegionLevel",
    "Viewer",
]

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_TEXT = 200_000
MAX_FIELD = 20_000


class CaseError(ValueError):
    """A case request that cannot be honoured as asked (bad input); message in Chinese."""


class CaseNotFound(LookupError):
    """No such case."""


class CaseForbidden(Exception):
    """The case exists but the caller may not see or do this (another organisation's draft, own approval)."""


class CaseConflict(CaseError):
    """The action does not fit the case's state (approving a draft, editing a published case)."""


class CaseStatus(StrEnum):
    draft = "draft"  # being written or redacted; nothing has left the author's organisation
    confirmed = "confirmed"  # the author accepted the redacted text; not yet sent for review
    in_review = "in_review"  # in the editors' queue
    rejected = "rejected"  # an editor sent it back (with a note)
    published = "published"  # a `kind: case` document in retrieval and the case library
    taken_down = "taken_down"  # out of retrieval and the library; history kept


STATUS_LABELS = {
    CaseStatus.draft: "草稿", CaseStatus.confirmed: "已确认脱敏", CaseStatus.in_review: "审核中",
    CaseStatus.rejected: "已退回", CaseStatus.published: "已发布", CaseStatus.taken_down: "已下线",
}  # fmt: skip
EDITABLE = frozenset({CaseStatus.draft, CaseStatus.confirmed, CaseStatus.rejected, CaseStatus.taken_down})
# States whose public half an editor may read: the author has sent it out of the organisation.
SUBMITTED = frozenset({CaseStatus.in_review, CaseStatus.rejected, CaseStatus.published, CaseStatus.taken_down})


class RegionLevel(StrEnum):
    """How precisely the published case names where the customer is."""

    province = "province"
    region = "region"  # 华东、西北 …
    national = "national"


@dataclass(frozen=True)
class Viewer:
    """Who is asking: the service decides everything from this (the API builds it from the session)."""

    user_id: str
    org_id: str
    name: str = ""
    editor: bool = False  # editor or admin: may review submitted cases
    admin: bool = False


class Product(BaseModel):
    """One line of the solution: a product category (a solution guide's id or free text), vendor, product."""

    category: str = Field(..., min_length=1, max_length=80, description="产品类别，如 sol-database-audit 或“数据库审计”")
    vendor: str = Field("", max_length=80, description="厂商（可写厂商名）")
    product: str = Field("", max_length=120, description="产品或型号")


class Attachment(BaseModel):
    """An attachment converted to Markdown by the corpus importers (the bytes are not kept)."""

    filename: str = Field(..., min_length=1, max_length=200)
    markdown: str


def _clean(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


class CaseFields(BaseModel):
    """Everything the author writes about a case. The customer and aliases never leave the organisation;
    the rest leaves only as the redacted text the author confirms."""

    title: str = Field(..., min_length=1, max_length=200, description="标题（会一并脱敏）")
    customer: str = Field(..., min_length=1, max_length=200, description="客户名称：只有本组织可见，绝不发布")
    aliases: list[str] = Field(default_factory=list, max_length=30, description="客户的简称、别名")
    industry: str = Field(..., description="行业代码")
    segment: str = Field("", max_length=40, description="细分，如 三级医院、城商行")
    province: str = Field("", max_length=20, description="省份")
    year: int | None = Field(None, ge=1990, le=2100, description="项目年份")
    size_band: str = Field("", max_length=40, description="规模档，如 1000–2000张床位")
    need_categories: list[str] = Field(default_factory=list, max_length=4)
    solutions: list[str] = Field(default_factory=list, max_length=20, description="方案类别（方案指南 id）")
    problem: str = Field("", max_length=MAX_FIELD, description="客户的问题和需求")
    solution: str = Field("", max_length=MAX_FIELD, description="方案（可写厂商名）")
    products: list[Product] = Field(default_factory=list, max_length=30)
    timeline: str = Field("", max_length=MAX_FIELD)
    budget: str = Field("", max_length=MAX_FIELD)
    outcome: str = Field("", max_length=MAX_FIELD)
    lessons: str = Field("", max_length=MAX_FIELD)
    text: str = Field("", max_length=MAX_TEXT, description="正文（自由撰写；也可只填结构化字段）")
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    watch_id: str | None = Field(None, max_length=40, description="来自本组织客户名录（关注列表）的条目")

    @field_validator("title", "customer", "segment", "province", "size_band")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("problem", "solution", "timeline", "budget", "outcome", "lessons", "text")
    @classmethod
    def _text(cls, value: str) -> str:
        return _clean(value)

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: list[str]) -> list[str]:
        cleaned = [" ".join(a.split()) for a in value]
        if any(len(a) > 100 for a in cleaned):
            raise ValueError("每个别名最多 100 个字")
        return [a for a in dict.fromkeys(cleaned) if a]

    @field_validator("industry")
    @classmethod
    def _industry(cls, value: str) -> str:
        if value not in INDUSTRY_CODES:
            raise ValueError(f"未知的行业代码“{value[:40]}”；可选：{', '.join(INDUSTRY_CODES)}")
        return value

    @field_validator("need_categories")
    @classmethod
    def _needs(cls, value: list[str]) -> list[str]:
        for need in value:
            if need not in NEED_CATEGORIES:
                raise ValueError(f"未知的需求类别“{need[:40]}”；可选：{', '.join(NEED_CATEGORIES)}")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _has_content(self) -> CaseFields:
        if not (self.text or self.problem or self.solution or self.outcome or self.attachments):
            raise ValueError("案例没有内容：请填写正文，或至少填写“问题”“方案”“成效”之一，或上传附件")
        return self


def public_dict(model: BaseModel | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json")


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
