"""Corpus document model: Markdown with YAML front matter, validated by pydantic.

The front matter is the contract between editors and the retrieval layer: every
field here ends up as chunk metadata and is filterable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class CorpusError(Exception):
    """Base error of the corpus package; the API maps it to a 4xx."""


class Kind(StrEnum):
    regulation = "regulation"
    standard = "standard"
    industry_profile = "industry_profile"
    solution = "solution"
    case = "case"
    faq = "faq"


class Industry(StrEnum):
    government = "government"
    finance = "finance"
    healthcare = "healthcare"
    education = "education"
    energy = "energy"
    manufacturing = "manufacturing"
    telecom = "telecom"
    internet = "internet"
    transport = "transport"
    retail = "retail"
    media = "media"
    real_estate = "real_estate"
    agriculture = "agriculture"
    all = "all"


class NeedCategory(StrEnum):
    it = "it"
    network_security = "network_security"
    data_security = "data_security"
    business = "business"


class Status(StrEnum):
    draft = "draft"
    in_review = "in_review"
    published = "published"
    retired = "retired"


INDUSTRY_CODES: tuple[str, ...] = tuple(i.value for i in Industry if i is not Industry.all)
NEED_CATEGORIES: tuple[str, ...] = tuple(n.value for n in NeedCategory)
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{2,79}")  # always fullmatch: `$` would let "abc\n" through


class Source(BaseModel):
    """Where the facts come from: the issuing body and the instrument."""

    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(min_length=1, description="Issuing body, e.g. 全国人民代表大会常务委员会")
    document_number: str | None = Field(default=None, description="文号 or standard number")
    articles: list[str] = Field(default_factory=list, description="Articles or clauses digested")
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        """Only http(s) addresses, or a path on this site (a partner case's page, `/cases/…`): a `javascript:`
        or `data:` URL would run or render in a reader's browser."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        if re.fullmatch(r"/(?![/\\])[^\s]*", value):  # "/cases/…", never "//host" or "/\\host"
            return value
        try:
            parts = urlsplit(value)
        except ValueError:
            parts = None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http:// or https:// address or a path on this site (got {value[:80]!r})")
        if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise ValueError("must not contain spaces or control characters")
        return value

    @field_validator("articles", mode="before")
    @classmethod
    def _articles_list(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        return value

    @field_validator("articles")
    @classmethod
    def _articles_as_text(cls, value: list[object]) -> list[str]:
        return [str(a) for a in value]


PARTNER_LABEL = "伙伴分享"
ANONYMOUS_HANDLE = "匿名"


class Contributor(BaseModel):
    """Who shared a partner case: the label readers see (伙伴分享) and the author's public handle.

    Never the partner's organisation or user: the handle is what the author chose to be known by, or 匿名."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(PARTNER_LABEL, description="always 伙伴分享")
    handle: str = Field(ANONYMOUS_HANDLE, min_length=1, max_length=40, description="public handle, or 匿名")
    case_id: str | None = Field(default=None, max_length=40, description="the case in the case library")

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        if value != PARTNER_LABEL:
            raise ValueError(f"must be {PARTNER_LABEL!r}")
        return value

    @field_validator("handle")
    @classmethod
    def _handle_one_line(cls, value: str) -> str:
        value = value.strip()
        if not value or any(ord(c) < 0x20 for c in value):
            raise ValueError("must be one line of visible text")
        return value


class FrontMatter(BaseModel):
    """The YAML header of a corpus document."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    id: str
    title: str = Field(min_length=1, max_length=200)
    kind: Kind
    industries: list[Industry] = Field(min_length=1)
    need_categories: list[NeedCategory] = Field(min_length=1)
    regions: list[str] = Field(default_factory=list)
    vendor: str | None = None
    source: Source
    effective_date: dt.date
    version: str = Field(min_length=1, max_length=40)
    status: Status
    illustrative: bool = False
    review_by: dt.date | None = None
    tags: list[str] = Field(default_factory=list)
    contributor: Contributor | None = None  # partner-shared cases only

    @field_validator("id")
    @classmethod
    def _id_slug(cls, value: str) -> str:
        if not ID_PATTERN.fullmatch(value):
            raise ValueError(
                "must be a slug of 3-80 characters: lowercase a-z, 0-9 and '-', starting with a letter or digit"
            )
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        # YAML reads `version: 1` as an int; editors should not have to quote it.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("regions", "tags", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, list):  # YAML reads `2025` or `1.0` as numbers; keep them as text
            return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]
        return value

    @field_validator("vendor", mode="before")
    @classmethod
    def _blank_vendor(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("industries")
    @classmethod
    def _industries_consistent(cls, value: list[Industry]) -> list[Industry]:
        if Industry.all in value and len(value) > 1:
            raise ValueError("'all' cannot be combined with other industry codes")
        if len(set(value)) != len(value):
            raise ValueError("duplicate industry codes")
        return value

    @field_validator("need_categories")
    @classmethod
    def _needs_unique(cls, value: list[NeedCategory]) -> list[NeedCategory]:
        if len(set(value)) != len(value):
            raise ValueError("duplicate need categories")
        return value

    @field_validator("contributor")
    @classmethod
    def _contributor_only_on_cases(cls, value: Contributor | None, info: ValidationInfo) -> Contributor | None:
        if value is not None and info.data.get("kind") not in (Kind.case, None):
            raise ValueError("only documents of kind 'case' (partner-shared cases) have a contributor")
        return value

    def covers_industry(self, code: str) -> bool:
        return Industry.all in self.industries or any(i.value == code for i in self.industries)


class Document(BaseModel):
    """A parsed corpus document: metadata plus the Markdown body."""

    meta: FrontMatter
    body: str
    path: str | None = None
    body_line: int = 1  # 1-based line of the body's first line in the file
    id_line: int = 2  # 1-based line of the `id:` field, for duplicate-id messages

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def content_hash(self) -> str:
        """Hash of everything that affects indexing: metadata and body."""
        payload = self.meta.model_dump_json() + "\x00" + self.body
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def relative_name(path: Path, root: Path | None) -> str:
    """A path as shown in messages: relative to the corpus root when possible."""
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)
