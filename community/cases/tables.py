"""Case tables in the application database, with their own Alembic chain (community/cases/migrations).

`partner_cases` holds what may leave the author's organisation (and only once the author confirmed it);
`partner_case_private` holds the customer, the text as written and the redaction findings with their
originals, read only through `CaseStore.private(case_id, org_id)`. Downloads are rows of their own so that
rewards can be computed from them (who: organisation and user; when; which request).
Portable SQLAlchemy types only (SQLite by default, PostgreSQL for scale-out).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Engine, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from corpus.store import migrate
from corpus.tables import utcnow as utcnow  # one clock for every table (re-exported)

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "cases_alembic_version"
RowId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only


class CasesBase(DeclarativeBase):
    pass


def new_case_id() -> str:
    return secrets.token_hex(8)


class CaseRow(CasesBase):
    """The public half of a case. Until confirmation its text columns are empty."""

    __tablename__ = "partner_cases"
    __table_args__ = (Index("ix_partner_cases_status_industry", "status", "industry"),)

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_case_id)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    author_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    industry: Mapped[str] = mapped_column(String(32))
    segment: Mapped[str] = mapped_column(String(40), default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    need_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    solutions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Set at confirmation, from what the author chose:
    region_level: Mapped[str] = mapped_column(String(16), default="")
    region: Mapped[str] = mapped_column(String(20), default="")  # 浙江省 | 华东 | 全国
    handle: Mapped[str] = mapped_column(String(40), default="")  # "" = 匿名
    title: Mapped[str] = mapped_column(String(200), default="")  # the redacted title
    text: Mapped[str] = mapped_column(Text, default="")  # the confirmed redacted write-up (the download)
    summary: Mapped[str] = mapped_column(Text, default="")  # the published sections (the library, retrieval)
    text_sha256: Mapped[str] = mapped_column(String(64), default="")
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # kind, replacement, offsets; no original
    uniqueness: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    doc_id: Mapped[str | None] = mapped_column(String(80), nullable=True)  # the editorial document
    doc_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    taken_down_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    taken_down_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    taken_down_by_author: Mapped[bool] = mapped_column(Boolean, default=False)  # the author's organisation did it
    takedown_reason: Mapped[str] = mapped_column(Text, default="")


class CasePrivateRow(CasesBase):
    """The private half: only the author's organisation reads it."""

    __tablename__ = "partner_case_private"

    case_id: Mapped[str] = mapped_column(String(24), ForeignKey("partner_cases.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    customer: Mapped[str] = mapped_column(String(200))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # CaseFields as written (customer included)
    original: Mapped[str] = mapped_column(Text)  # the composed write-up before redaction
    proposed: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # the engine's findings
    undone: Mapped[list[str]] = mapped_column(JSON, default=list)  # keys "start:end" of findings the author undid
    manual: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{start, end}] the author added
    phrases: Mapped[list[str]] = mapped_column(JSON, default=list)  # phrases removed wherever they occur
    region_level: Mapped[str] = mapped_column(String(16), default="province")


class CaseDownloadRow(CasesBase):
    """One download of a published case: who (organisation, user), when, and the request's idempotency key."""

    __tablename__ = "partner_case_downloads"
    __table_args__ = (UniqueConstraint("org_id", "idempotency_key", name="uq_partner_case_downloads_key"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(24), ForeignKey("partner_cases.id", ondelete="CASCADE"), index=True)
    author_org_id: Mapped[str] = mapped_column(String(40), index=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)  # the downloader's organisation
    user_id: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HandleRow(CasesBase):
    """A user's public handle in the community (cases and discussions); never the organisation's name."""

    __tablename__ = "community_handles"

    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    handle: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def migrate_cases(engine: Engine) -> None:
    """Bring the case tables to the newest revision; idempotent."""
    migrate(engine, MIGRATIONS)
