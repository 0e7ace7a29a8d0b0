"""Fixed-window quota counters in the application database, so every API replica counts together.

One row per (bucket, window): `UPDATE … SET count = count + 1`, or INSERT when the window is new
(a concurrent INSERT of the same bucket loses on the primary key and retries the UPDATE). A hit that
goes over the limit still counts: whoever keeps knocking stays refused until the window ends.
Windows are aligned to the Unix epoch, so a day window ends at 00:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from accounts.tables import QuotaUsageRow

__all__ = ["DAY", "MINUTE", "QuotaCounter", "QuotaExceeded", "Quotas", "Window", "bucket_name", "check"]

MINUTE = 60
DAY = 86_400
PURGE_EVERY_SECONDS = 300


class QuotaExceeded(Exception):
    """Over a quota; `message` (Chinese) is for the user, `retry_after` for the Retry-After header."""

    def __init__(self, *, scope: str, limit: int, retry_after: int, message: str = "") -> None:
        super().__init__(f"quota {scope} of {limit} exceeded; retry after {retry_after} s")
        self.scope = scope
        self.limit = limit
        self.retry_after = retry_after
        self.message = message or f"请求过于频繁，请 {retry_after} 秒后再试。"


@dataclass(frozen=True)
class Window:
    """The current window of a `seconds`-long fixed window at `now`."""

    index: int
    ends_at: int

    @classmethod
    def at(cls, now: float, seconds: int) -> Window:
        index = int(now // seconds)
        return cls(index=index, ends_at=(index + 1) * seconds)


class Quotas(Protocol):
    """Fixed-window counters shared by every worker and replica: QuotaCounter (the database, default)
    or accounts.redis_store.RedisQuotaCounter (TOP_REDIS_URL)."""

    def hit(self, name: str, *, limit: int, seconds: int, scope: str = "") -> int: ...

    def used(self, name: str, *, seconds: int) -> int: ...


def bucket_name(name: str, seconds: int, window: Window) -> str:
    return f"{name}:{seconds}:{window.index}"[:200]


def check(count: int, *, name: str, limit: int, window: Window, now: float, scope: str) -> int:
    """The one rule of every counter: over `limit` raises QuotaExceeded with the wait to the window's end."""
    if count > limit:
        raise QuotaExceeded(scope=scope or name, limit=limit, retry_after=max(1, int(window.ends_at - now + 0.999)))
    return count


class QuotaCounter:
    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._last_purge = 0.0

    def hit(self, name: str, *, limit: int, seconds: int, scope: str = "") -> int:
        """Count one use of `name` in its current window; QuotaExceeded when that makes it more than
        `limit`. Returns the count so far in the window."""
        now = self.clock()
        window = Window.at(now, seconds)
        expires = dt.datetime.fromtimestamp(window.ends_at, dt.UTC)
        count = self._increment(bucket_name(name, seconds, window), expires)
        self._maybe_purge(now)
        return check(count, name=name, limit=limit, window=window, now=now, scope=scope)

    def _increment(self, bucket: str, expires: dt.datetime) -> int:
        plus_one = update(QuotaUsageRow).where(QuotaUsageRow.bucket == bucket).values(count=QuotaUsageRow.count + 1)
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    if conn.execute(plus_one).rowcount == 0:
                        conn.execute(insert(QuotaUsageRow).values(bucket=bucket, count=1, expires_at=expires))
                        return 1
                    return int(conn.scalar(select(QuotaUsageRow.count).where(QuotaUsageRow.bucket == bucket)) or 0)
            except IntegrityError:  # another replica inserted the window first: count on its row
                continue
        raise RuntimeError(f"could not count quota bucket {bucket}")

    def _maybe_purge(self, now: float) -> None:
        """Expired windows are deleted now and then (at most every few minutes per process)."""
        if now - self._last_purge < PURGE_EVERY_SECONDS:
            return
        self._last_purge = now
        cutoff = dt.datetime.fromtimestamp(now, dt.UTC)
        with self.engine.begin() as conn:
            conn.execute(delete(QuotaUsageRow).where(QuotaUsageRow.expires_at < cutoff))

    def used(self, name: str, *, seconds: int) -> int:
        """The count of `name` in its current window (for tests and dashboards)."""
        bucket = bucket_name(name, seconds, Window.at(self.clock(), seconds))
        with self.engine.connect() as conn:
            return int(conn.scalar(select(QuotaUsageRow.count).where(QuotaUsageRow.bucket == bucket)) or 0)
