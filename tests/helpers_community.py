"""Builders for the community tests: activity in a chosen cell, a fresh PostgreSQL database when one answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bench.pg import PG_ADMIN, postgres_database
from community.activity import ActivityEvent, ActivityKind, ActivityLog

__all__ = ["PG_ADMIN", "add_activity", "postgres_database"]  # the database helpers live in bench/pg.py



def add_activity(log: ActivityLog, orgs: Sequence[str], *, industry: str = "healthcare", province: str = "广东省",
                 needs: Sequence[str] = ("sol-database-audit",), week: dt.date, repeat: int = 1,
                 simulated: bool = False) -> None:  # fmt: skip
    """`repeat` events per organisation in one cell (an organisation still counts once)."""
    log.record_many(
        ActivityEvent(org_id=org, kind=ActivityKind.brief, industry=industry, province=province, needs=list(needs),
                      week=week, simulated=simulated)  # fmt: skip
        for org in orgs
        for _ in range(repeat)
    )
