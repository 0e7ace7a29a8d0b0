"""Discussion tables in the application database, with their own Alembic chain (community/discussions/migrations).

A thread is about one topic (an industry, a regulation or standard, a need, or general); its first post is
its opening text. Moderation (hide, lock) and reports are columns and rows here, with who and when.
Portable SQLAlchemy types only (SQLite by default, PostgreSQL for scale-out).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from sqlalchemy import JSON, Boolean, DateTime, Engine, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from corpus.store import migrate
from corpus.tables import utcnow as utcnow  # one clock for every table (re-exported)

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "discussions_alembic_version"


class DiscussionsBase(DeclarativeBase):
    pass


def new_id() -> str:
    return secrets.token_hex(8)


class ThreadRow(DiscussionsBase):
    __tablename__ = "discussion_threads"
    __table_args__ = (Index("ix_discussion_threads_topic", "topic_kind", "topic"),)

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    topic_kind: Mapped[str] = mapped_column(String(16))  # industry | regulation | need | general
    topic: Mapped[str] = mapped_column(String(80), default="")  # an industry code or a document id
    title: Mapped[str] = mapped_column(String(120))
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    author_id: Mapped[str] = mapped_column(String(40))
    handle: Mapped[str] = mapped_column(String(40))
    posts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_post_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    hidden_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")


class PostRow(DiscussionsBase):
    __tablename__ = "discussion_posts"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    thread_id: Mapped[str] = mapped_column(String(24), ForeignKey("discussion_threads.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    author_id: Mapped[str] = mapped_column(String(40))
    handle: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[str]] = mapped_column(JSON, default=list)  # document ids written as [[id]]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    hidden_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")


class ReportRow(DiscussionsBase):
    """A report of abuse on a post, for the editors' moderation queue."""

    __tablename__ = "discussion_reports"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    post_id: Mapped[str] = mapped_column(String(24), ForeignKey("discussion_posts.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[str] = mapped_column(String(24))
    org_id: Mapped[str] = mapped_column(String(40), index=True)  # the reporter's organisation
    reporter_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    resolution: Mapped[str] = mapped_column(Text, default="")


def migrate_discussions(engine: Engine) -> None:
    """Bring the discussion tables to the newest revision; idempotent."""
    migrate(engine, MIGRATIONS)
