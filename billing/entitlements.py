"""Entitlements: which plan an organisation is on today, and the one check every gated endpoint makes.

    plan     partner programme membership active today → partner; a paid fee year covering today → paid; else free
    check    feature not on the plan → 402; its quota used in the period → 429; both name the plan that allows it
    spend    one use, idempotent on (organisation, feature, key)

Vendor organisations (editors, admins) are not on a plan and pass every check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from billing.plans import FEATURES, Plan, Plans, period_of
from billing.programme import Memberships
from billing.tables import UsageRow, table_of, utcnow

__all__ = ["Entitlements", "NotEntitled"]

USAGE = table_of(UsageRow)


class NotEntitled(Exception):
    """`status` 402 (not on this plan) or 429 (quota used); `message` (Chinese) names the plan that allows it."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


class Entitlements:
    def __init__(self, engine: Engine, plans: Plans, memberships: Memberships, *, paid_year: Callable[[str, dt.date], Any],
                 is_vendor: Callable[[str], bool], count: dict[str, Callable[[str], int]] | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:  # fmt: skip
        self.engine, self.plans, self.memberships = engine, plans, memberships
        self.paid_year, self.is_vendor = paid_year, is_vendor
        self.count = count or {}  # features counted by what exists (widget keys), not by uses
        self.clock = clock

    def plan_of(self, org_id: str) -> Plan:
        today = self.clock().date()
        if self.memberships.active(org_id, today) is not None:
            return self.plans.get("partner")
        if self.paid_year(org_id, today) is not None:
            return self.plans.get("paid")
        return self.plans.get("free")

    def used(self, org_id: str, feature: str) -> int:
        if feature in self.count:
            return self.count[feature](org_id)
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(USAGE).where(
                USAGE.c.org_id == org_id, USAGE.c.metric == feature, USAGE.c.period == period_of(feature, self.clock()))) or 0)  # fmt: skip

    def _spent(self, org_id: str, feature: str, key: str) -> bool:
        with self.engine.connect() as conn:
            return conn.scalar(select(USAGE.c.id).where(USAGE.c.org_id == org_id, USAGE.c.metric == feature,
                                                        USAGE.c.key == key[:200])) is not None  # fmt: skip

    def check(self, org_id: str, feature: str, *, key: str | None = None) -> None:
        """Raise NotEntitled unless the organisation's plan allows one more use (a key already spent passes)."""
        plan = self._plan_allowing(org_id, feature)
        limit = plan.quota(feature) if plan is not None else None
        if plan is None or limit is None or (key is not None and self._spent(org_id, feature, key)):
            return
        if self.used(org_id, feature) >= limit:
            raise self._used_up(plan, feature, limit)

    def _plan_allowing(self, org_id: str, feature: str) -> Plan | None:
        """The organisation's plan, NotEntitled (402) when it lacks the feature; None for vendors (no limits)."""
        if feature not in FEATURES:
            raise KeyError(feature)
        if self.is_vendor(org_id):
            return None
        plan = self.plan_of(org_id)
        if not plan.allows(feature):
            others = "、".join(f"「{p.title}」" for p in self.plans.allowing(feature)) or "更高的方案"
            raise NotEntitled(402, f"当前方案「{plan.title}」不包含{FEATURES[feature].title}：请升级到{others}")
        return plan

    def _used_up(self, plan: Plan, feature: str, limit: int) -> NotEntitled:
        better = "、".join(f"「{p.title}」（{p.quota(feature)}）" for p in self.plans.allowing(feature, more_than=limit))
        period = {"day": "今日", "month": "本月", "count": "当前"}[FEATURES[feature].period]
        hint = f"；更高额度见{better}" if better else ""
        title = FEATURES[feature].title
        return NotEntitled(429, f"{period}{title}额度已用完（方案「{plan.title}」：{limit}）{hint}", retry_after=self._retry_after(feature))

    def spend(self, org_id: str, feature: str, key: str) -> bool:
        """Count one use; False when this key was counted before."""
        return False if self.is_vendor(org_id) else self._record(org_id, feature, key)

    def check_and_spend(self, org_id: str, feature: str, key: str) -> None:
        """Check and count one use as one step: parallel requests of one organisation admit exactly the quota."""
        plan = self._plan_allowing(org_id, feature)
        if plan is not None:
            self._record(org_id, feature, key, within=plan)

    def _record(self, org_id: str, feature: str, key: str, *, within: Plan | None = None) -> bool:
        """Insert one use; False when its key was counted before. `within`: a plan whose quota the use must
        fit; the use is counted in the same transaction and taken back (NotEntitled 429) when it went over.
        The transactions of one organisation and feature queue on a lock: SQLite's write lock, or an advisory
        lock on PostgreSQL, where two inserts would otherwise not see each other."""
        limit = within.quota(feature) if within is not None else None
        now = self.clock()
        period = period_of(feature, now)
        try:
            with self.engine.begin() as conn:
                if limit is not None and conn.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(_lock_key(org_id, feature))))
                conn.execute(insert(USAGE).values(org_id=org_id, metric=feature, period=period, key=key[:200], at=now))
                if within is not None and limit is not None:
                    used = conn.scalar(select(func.count()).select_from(USAGE).where(
                        USAGE.c.org_id == org_id, USAGE.c.metric == feature, USAGE.c.period == period))  # fmt: skip
                    if int(used or 0) > limit:
                        raise self._used_up(within, feature, limit)  # leaving the block takes the insert back
        except IntegrityError:
            return False  # this key was counted before: an idempotent repeat passes
        return True

    def summary(self, org_id: str) -> dict[str, Any]:
        plan = self.plan_of(org_id)
        usage = {FEATURES[f].quota: self.used(org_id, f) for f in plan.features if FEATURES[f].quota}
        return {"plan": {"name": plan.name, "title": plan.title, "summary": plan.summary, "version": self.plans.version},
                "features": [{"name": f, "title": FEATURES[f].title} for f in plan.features], "quotas": dict(plan.quotas),
                "usage": usage}  # fmt: skip

    def _retry_after(self, feature: str) -> int | None:
        now = self.clock()
        kind = FEATURES[feature].period
        if kind == "day":
            ends = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
        elif kind == "month":
            first = now.date().replace(day=1)
            ends = dt.datetime.combine((first + dt.timedelta(days=32)).replace(day=1), dt.time(), dt.UTC)
        else:
            return None
        return max(1, int((ends - now).total_seconds()))


def _lock_key(org_id: str, feature: str) -> int:
    """A signed 64-bit PostgreSQL advisory-lock key for one organisation's use of one feature."""
    digest = hashlib.blake2b(f"usage:{org_id}:{feature}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
