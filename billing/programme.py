"""The partner programme: a vendor admin records that an organisation signed with the vendor and ordered the
starter package (签约渠道且下单大礼包), from a start date to an end date; the partner plan ends with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert, select

from billing.tables import MembershipRow, new_id, table_of, utcnow

__all__ = ["BillingError", "Memberships"]

MEMBERSHIPS = table_of(MembershipRow)


class BillingError(ValueError):
    """Bad billing input (dates, amounts, codes); the message is Chinese and names the fault."""


class Memberships:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, *, org_id: str, starts_on: dt.date, ends_on: dt.date, package_order: str, by: str,
               note: str = "") -> dict[str, Any]:  # fmt: skip
        if ends_on < starts_on:
            raise BillingError(f"会员结束日期 {ends_on} 早于开始日期 {starts_on}")
        if not package_order.strip():
            raise BillingError("请填写大礼包订单号（package_order）：伙伴计划需要签约并下单大礼包")
        row = {"id": new_id(), "org_id": org_id, "starts_on": starts_on, "ends_on": ends_on,
               "package_order": package_order.strip()[:100], "note": note.strip()[:1000], "recorded_by": by,
               "created_at": utcnow()}  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(insert(MEMBERSHIPS).values(**row))
        return _view(row)

    def active(self, org_id: str, on: dt.date) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(MEMBERSHIPS).where(MEMBERSHIPS.c.org_id == org_id, MEMBERSHIPS.c.starts_on <= on,
                                                         MEMBERSHIPS.c.ends_on >= on)
                               .order_by(MEMBERSHIPS.c.ends_on.desc())).first()  # fmt: skip
        return _view(row._mapping) if row else None

    def all(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [_view(r._mapping) for r in conn.execute(select(MEMBERSHIPS).order_by(MEMBERSHIPS.c.created_at.desc()))]


def _view(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "org_id": row["org_id"], "starts_on": row["starts_on"].isoformat(),
            "ends_on": row["ends_on"].isoformat(), "package_order": row["package_order"], "note": row["note"],
            "recorded_by": row["recorded_by"]}  # fmt: skip
