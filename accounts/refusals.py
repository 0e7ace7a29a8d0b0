"""Recent origins a widget key refused, so its owner sees which site tried to embed it (a portal opened as
http://127.0.0.1:8080 while http://localhost:8080 is allowed, www.example.com while example.com is).

Per key at most `KEEP` origins, each forgotten `RETENTION_DAYS` after it was last refused. They are kept as
expiring counters in the quota table (bucket `<key>:refused:<origin>`, expiry = last refusal + retention), which
already has what this needs (one row per name, a count, an expiry the quota purge honours): no table of its own.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from accounts.tables import QuotaUsageRow, utcnow

__all__ = ["KEEP", "RETENTION_DAYS", "RefusedOrigin", "RefusedOrigins"]

KEEP = 10
RETENTION_DAYS = 30
_RETENTION = dt.timedelta(days=RETENTION_DAYS)
_BUCKET_CHARS = 200  # QuotaUsageRow.bucket


class RefusedOrigin(BaseModel):
    origin: str
    count: int
    last_seen: dt.datetime


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class RefusedOrigins:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _prefix(key_id: str) -> str:
        return f"{key_id}:refused:"

    def record(self, key_id: str, origin: str) -> None:
        """Count one refusal of `origin` by the key; keeps the `KEEP` most recent origins of the key."""
        prefix = self._prefix(key_id)
        bucket = prefix + origin
        if len(bucket) > _BUCKET_CHARS:
            return  # no real origin is this long; nothing worth showing
        expires = utcnow() + _RETENTION
        bump = update(QuotaUsageRow).where(QuotaUsageRow.bucket == bucket).values(count=QuotaUsageRow.count + 1, expires_at=expires)
        try:
            with self.engine.begin() as conn:
                if conn.execute(bump).rowcount == 0:
                    conn.execute(insert(QuotaUsageRow).values(bucket=bucket, count=1, expires_at=expires))
                mine = QuotaUsageRow.bucket.startswith(prefix, autoescape=True)
                older = select(QuotaUsageRow.bucket).where(mine).order_by(QuotaUsageRow.expires_at.desc()).offset(KEEP)
                stale = list(conn.scalars(older))
                if stale:
                    conn.execute(delete(QuotaUsageRow).where(QuotaUsageRow.bucket.in_(stale)))
        except IntegrityError:  # the same origin refused at the same moment elsewhere: that one counted
            return

    def recent(self, key_id: str) -> list[RefusedOrigin]:
        """The key's refused origins still remembered, most recent first."""
        prefix = self._prefix(key_id)
        now = utcnow()
        query = (
            select(QuotaUsageRow)
            .where(QuotaUsageRow.bucket.startswith(prefix, autoescape=True))
            .order_by(QuotaUsageRow.expires_at.desc())
            .limit(KEEP)
        )
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
        return [
            RefusedOrigin(origin=row.bucket[len(prefix) :], count=row._mapping["count"], last_seen=_aware(row.expires_at) - _RETENTION)
            for row in rows
            if _aware(row.expires_at) > now
        ]

    def forget(self, key_id: str, origin: str | None = None) -> None:
        """Forget one origin (it was just allowed), or all of the key's (the key was deleted)."""
        prefix = self._prefix(key_id)
        which = QuotaUsageRow.bucket == prefix + origin if origin else QuotaUsageRow.bucket.startswith(prefix, autoescape=True)
        with self.engine.begin() as conn:
            conn.execute(delete(QuotaUsageRow).where(which))
