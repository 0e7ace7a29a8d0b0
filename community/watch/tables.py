"""Watchlists: the core customers a partner organisation follows, each user's last visit, digests sent.

Own Alembic chain (community/watch/migrations). A watched customer's name stays with its organisation: every
read is filtered by `org_id`, and nothing here is counted into rankings.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from sqlalchemy import Date, DateTime, Engine, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from corpus.store import migrate
from corpus.tables import utcnow as utcnow  # one clock for every table (re-exported)

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "watch_alembic_version"


class WatchBase(DeclarativeBase):
    pass


def new_id() -> str:
    return secrets.token_hex(16)


class WatchedCustomerRow(WatchBase):
    __tablename__ = "watched_customers"
    __table_args__ = (UniqueConstraint("org_id", "name_key", name="uq_watched_customers_org_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(32))
    segment: Mapped[str] = mapped_column(String(40), default="")
    province: Mapped[str] = mapped_column(String(16), default="")
    city: Mapped[str] = mapped_column(String(40), default="")
    created_by: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WatchVisitRow(WatchBase):
    """When a user last marked the updates as read (the badge counts what came after)."""

    __tablename__ = "watch_visits"

    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WatchDigestRow(WatchBase):
    """One weekly digest sent to one user: sending twice in a week (two replicas, a rerun) is a no-op."""

    __tablename__ = "watch_digests"

    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def migrate_watch(engine: Engine) -> None:
    """Bring the watchlist tables to the newest revision; idempotent."""
    migrate(engine, MIGRATIONS)
