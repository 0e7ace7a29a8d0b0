"""Published rankings: one row per release and one per published cell (rank and band, never a count).

Own Alembic chain (community/rankings/migrations). A refresh writes a whole release in one transaction and then
drops the older ones, so readers always see one complete release.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Boolean, Date, DateTime, Engine, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from corpus.store import migrate
from corpus.tables import utcnow as utcnow  # one clock for every table (re-exported)

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "rankings_alembic_version"
ALL_INDUSTRIES = "all"
NATIONWIDE = "全国"


class RankingsBase(DeclarativeBase):
    pass


class RankingReleaseRow(RankingsBase):
    __tablename__ = "ranking_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reference_week: Mapped[dt.date] = mapped_column(Date)  # Monday of the newest week counted
    k: Mapped[int] = mapped_column(Integer)
    epsilon: Mapped[float | None] = mapped_column(Float, nullable=True)  # None: no noise
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)  # simulated events were counted


class RankingCellRow(RankingsBase):
    """One need's place in one list: (window, kind, period, industry, province) → rank."""

    __tablename__ = "ranking_cells"
    __table_args__ = (
        Index("ix_ranking_cells_list", "release_id", "window", "kind", "industry", "province", "rank"),
        Index("ix_ranking_cells_need", "release_id", "window", "kind", "industry", "need"),
    )

    release_id: Mapped[int] = mapped_column(Integer, ForeignKey("ranking_releases.id", ondelete="CASCADE"), primary_key=True)
    window: Mapped[str] = mapped_column(String(8), primary_key=True)  # 7d, 30d, quarter; week (trend points)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # top, rising
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # first Monday of the window
    industry: Mapped[str] = mapped_column(String(32), primary_key=True)  # code or "all"
    province: Mapped[str] = mapped_column(String(16), primary_key=True)  # full name or "全国"
    need: Mapped[str] = mapped_column(String(80), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(24))


def migrate_rankings(engine: Engine) -> None:
    """Bring the ranking tables to the newest revision; idempotent."""
    migrate(engine, MIGRATIONS)
