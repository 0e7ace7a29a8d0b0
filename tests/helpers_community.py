"""Builders for the community tests: activity in a chosen cell, a fresh PostgreSQL database when one answers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from community.activity import ActivityEvent, ActivityKind, ActivityLog

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


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


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh database on the local PostgreSQL server (dropped afterwards), or None when none answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"top_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        yield None
        return
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
