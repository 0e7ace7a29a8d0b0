"""Activity tables in the application database, with their own Alembic chain (community/activity/migrations).

One row per brief, answer, case download or shared case: who (the partner organisation, never the user),
about what kind of customer (industry, segment, province: never the name) and which needs, in which ISO week
(the Monday that starts it: no finer time is kept). The needs of an event are rows of their own so that
rankings are computed by set-based SQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import BigInteger, Boolean, Date, Engine, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from corpus.store import migrate

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "activity_alembic_version"
EventId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only


class ActivityBase(DeclarativeBase):
    pass


class ActivityEventRow(ActivityBase):
    __tablename__ = "activity_events"
    __table_args__ = (Index("ix_activity_events_week", "week", "simulated"),)

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # brief, answer, download, shared_case
    industry: Mapped[str] = mapped_column(String(32))  # an industry code or "unknown"
    segment: Mapped[str] = mapped_column(String(40), default="")
    province: Mapped[str] = mapped_column(String(16), default="")  # full name (广东省), "" when unknown
    topics: Mapped[str] = mapped_column(String(100), default="")  # need categories, comma-separated
    week: Mapped[dt.date] = mapped_column(Date)  # Monday of the ISO week
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)


class ActivityNeedRow(ActivityBase):
    """One need (a solution guide's id) an event was about."""

    __tablename__ = "activity_event_needs"

    event_id: Mapped[int] = mapped_column(EventId, ForeignKey("activity_events.id", ondelete="CASCADE"), primary_key=True)
    need: Mapped[str] = mapped_column(String(80), primary_key=True)


def migrate_activity(engine: Engine) -> None:
    """Bring the activity tables to the newest revision; idempotent."""
    migrate(engine, MIGRATIONS)
