"""The watchlist repository: every method takes the caller's organisation and never crosses it."""

from __future__ import annotations

import builtins
import datetime as dt

from pydantic import BaseModel
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from assistant.models import INDUSTRY_LABELS, Profile
from assistant.name_rules import clean_name, name_key
from community.watch.tables import WatchDigestRow, WatchedCustomerRow, WatchVisitRow, utcnow
from corpus.store import rows_affected

__all__ = ["MAX_WATCHED", "WatchError", "WatchNotFound", "WatchStore", "WatchedCustomer"]

MAX_WATCHED = 200  # a partner's core customers are a handful; this only stops runaway scripts


class WatchError(ValueError):
    """A watchlist request that cannot be honoured (bad input, too many)."""


class WatchNotFound(LookupError):
    """No such watched customer in the caller's organisation."""


class WatchedCustomer(BaseModel):
    id: str
    customer: str
    industry: str
    industry_label: str
    segment: str
    province: str
    city: str
    created_at: dt.datetime


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _public(row: WatchedCustomerRow) -> WatchedCustomer:
    return WatchedCustomer(id=row.id, customer=row.name, industry=row.industry,
                           industry_label=INDUSTRY_LABELS.get(row.industry, "未知"), segment=row.segment,
                           province=row.province, city=row.city, created_at=_aware(row.created_at))  # fmt: skip


class WatchStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(self, *, org_id: str, user_id: str, name: str, profile: Profile) -> tuple[WatchedCustomer, bool]:
        """Watch a customer with the profile read off its name; (entry, created). Watching twice is a no-op."""
        name = clean_name(name)
        key = name_key(name)
        if not key:
            raise WatchError("客户名称不能为空")
        if len(name) > 200:
            raise WatchError(f"客户名称过长（{len(name)} 字，上限 200 字）")
        with self._sessions.begin() as s:
            found = s.scalars(select(WatchedCustomerRow).where(WatchedCustomerRow.org_id == org_id,
                                                               WatchedCustomerRow.name_key == key)).first()  # fmt: skip
            if found is not None:
                return _public(found), False
            if len(s.scalars(select(WatchedCustomerRow.id).where(WatchedCustomerRow.org_id == org_id)).all()) >= MAX_WATCHED:
                raise WatchError(f"关注的客户已达上限（{MAX_WATCHED} 个），请先取消关注一些客户")
            row = WatchedCustomerRow(
                org_id=org_id, name=name, name_key=key, industry=profile.industry, segment=(profile.segment or "")[:40],
                province=profile.region.province or "", city=(profile.region.city or "")[:40], created_by=user_id,
                created_at=utcnow(),
            )  # fmt: skip
            s.add(row)
            try:
                s.flush()
            except IntegrityError:  # the same name added concurrently
                s.rollback()
                return self.add(org_id=org_id, user_id=user_id, name=name, profile=profile)
            return _public(row), True

    def list(self, org_id: str) -> list[WatchedCustomer]:
        with self._sessions() as s:
            rows = s.scalars(select(WatchedCustomerRow).where(WatchedCustomerRow.org_id == org_id)
                             .order_by(WatchedCustomerRow.created_at, WatchedCustomerRow.name))  # fmt: skip
            return [_public(r) for r in rows]

    def remove(self, *, org_id: str, watch_id: str) -> None:
        with self._sessions.begin() as s:
            done = s.execute(delete(WatchedCustomerRow).where(WatchedCustomerRow.org_id == org_id,
                                                              WatchedCustomerRow.id == watch_id))  # fmt: skip
            if not rows_affected(done):
                raise WatchNotFound("没有这个关注的客户")

    # -- visits ---------------------------------------------------------------------------------
    def seen_at(self, user_id: str) -> dt.datetime | None:
        with self._sessions() as s:
            row = s.get(WatchVisitRow, user_id)
            return _aware(row.seen_at) if row is not None else None

    def mark_seen(self, *, user_id: str, org_id: str, at: dt.datetime | None = None) -> dt.datetime:
        at = at or utcnow()
        with self._sessions.begin() as s:
            row = s.get(WatchVisitRow, user_id) or WatchVisitRow(user_id=user_id)
            row.org_id, row.seen_at = org_id, at
            s.merge(row)
        return at

    # -- digests --------------------------------------------------------------------------------
    def claim_digest(self, *, user_id: str, org_id: str, week: dt.date) -> bool:
        """True once per user and week: the caller that gets True sends the digest."""
        with self._sessions() as s:
            try:
                with s.begin():
                    s.add(WatchDigestRow(user_id=user_id, week=week, org_id=org_id, sent_at=utcnow()))
                return True
            except IntegrityError:
                return False

    def release_digest(self, *, user_id: str, week: dt.date) -> None:
        """Forget a claim whose mail could not be sent, so the next run tries again."""
        with self._sessions.begin() as s:
            s.execute(delete(WatchDigestRow).where(WatchDigestRow.user_id == user_id, WatchDigestRow.week == week))

    def organisations(self) -> builtins.list[str]:
        with self._sessions() as s:
            return list(s.scalars(select(WatchedCustomerRow.org_id).distinct()))

    def delete_organisation(self, org_id: str) -> int:
        """Remove an organisation's watchlist, visits and digest records (PIPL deletion); returns customers removed."""
        with self._sessions.begin() as s:
            removed = rows_affected(s.execute(delete(WatchedCustomerRow).where(WatchedCustomerRow.org_id == org_id)))
            s.execute(delete(WatchVisitRow).where(WatchVisitRow.org_id == org_id))
            s.execute(delete(WatchDigestRow).where(WatchDigestRow.org_id == org_id))
            return int(removed)
