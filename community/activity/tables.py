"""Activity tables in the application database, with their own Alembic chain (community/activity/migrations).

One row per brief, answer, case download or shared case: who (the partner organisation, never the user),
about what kind of customer (industry, segment, province: never the name) and which needs, in which ISO week
(the Monday that starts it: no finer time is kept). The needs of an event are rows of their own, and
activity_presence keeps their distinct (organisation, industry, province, need, week) for the rankings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import BigInteger, Boolean, Connection, Date, Engine, ForeignKey, Index, Integer, String
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


class ActivityPresenceRow(ActivityBase):
    """Rollup kept at record time: this organisation worked on this need for this kind of customer that week.

    A pure function of the events (one row per distinct (org, industry, province, need, week, simulated) of
    events ⋈ needs), written with insert-or-ignore by every writer and deleted with the events, so a ranking
    refresh reads it instead of a DISTINCT over millions of event-need rows.
    """

    __tablename__ = "activity_presence"
    __table_args__ = (Index("ix_activity_presence_org_id", "org_id"),)

    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    industry: Mapped[str] = mapped_column(String(32), primary_key=True)
    province: Mapped[str] = mapped_column(String(16), primary_key=True)
    need: Mapped[str] = mapped_column(String(80), primary_key=True)
    simulated: Mapped[bool] = mapped_column(Boolean, primary_key=True)


PRESENCE_COLUMNS = "week, org_id, industry, province, need, simulated"
# Rebuilds the rollup rows of events with id >= :first (both SQLite and PostgreSQL; the WHERE also settles
# SQLite's INSERT … SELECT … ON CONFLICT parsing ambiguity).
PRESENCE_FROM_EVENTS = f"""
INSERT INTO activity_presence ({PRESENCE_COLUMNS})
SELECT DISTINCT e.week, e.org_id, e.industry, e.province, n.need, e.simulated
FROM activity_events e JOIN activity_event_needs n ON n.event_id = e.id
WHERE e.id >= :first
ON CONFLICT DO NOTHING
"""


def add_presence(conn: Connection, rows: list[dict[str, object]]) -> None:
    """Insert-or-ignore rollup rows (keys of ActivityPresenceRow) in the caller's transaction."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(ActivityPresenceRow).on_conflict_do_nothing(), rows)


def migrate_activity(engine: Engine) -> None:
    """Bring the activity tables to the newest revision; idempotent."""
    migrate(engine, MIGRATIONS)
