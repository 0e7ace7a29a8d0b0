"""The billing service: what the API and the CLI call (one method per question), built over the ledger,
rewards, plans and entitlements, the partner programme and pay-then-refund."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, insert, select

from accounts.store import AccountStore, OrganisationPublic
from accounts.tables import OrgKind
from accounts.widgets import WidgetStore
from billing.entitlements import Entitlements
from billing.ledger import BALANCES, FEN, Ledger, Skip, org_account, platform_account
from billing.plans import Plans, load_plans
from billing.programme import BillingError, Memberships
from billing.refunds import Refunds
from billing.rewards import ISSUANCE, REWARD, Rewards, RewardsConfig, counterparty_alias
from billing.suspicious import Download, suspicious_patterns
from billing.tables import PayoutRequestRow, migrate_billing, new_id, table_of, utcnow

__all__ = ["Billing", "BillingError"]

FEE_CREDIT = platform_account("fee_credit_issued", FEN)
PAYOUTS = table_of(PayoutRequestRow)
KIND_TITLES = {REWARD: "案例下载奖励", "points_conversion": "积分兑换使用费", "fee_refund": "使用费退还",
               "fee_payment": "年费付款", "fee_credit": "积分兑换的使用费抵扣"}  # fmt: skip


class Billing:
    def __init__(self, engine: Engine, accounts: AccountStore, widgets: WidgetStore | None = None, *,
                 rewards: RewardsConfig | None = None, plans: Plans | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:  # fmt: skip
        migrate_billing(engine)
        self.engine, self.accounts, self.clock = engine, accounts, clock
        self.ledger = Ledger(engine, clock=clock)
        self.memberships = Memberships(engine)
        self.refunds = Refunds(engine, self.ledger, orgs_with_code=self._orgs_with_code, code_of=self.code_of)
        count = {"widget_keys": lambda org: len(widgets.list(org_id=org))} if widgets is not None else {}
        self.entitlements = Entitlements(engine, plans or load_plans(), self.memberships, paid_year=self.refunds.paid_year,
                                         is_vendor=self._is_vendor, count=count, clock=clock)  # fmt: skip
        self.config = rewards or RewardsConfig()
        self.rewards = Rewards(self.ledger, self.entitlements, self.config, code_of=self.code_of)

    # -- organisations ---------------------------------------------------------------------------------------
    def _org(self, org_id: str) -> OrganisationPublic | None:
        return self.accounts.organisation(org_id)

    def code_of(self, org_id: str) -> str | None:
        org = self._org(org_id)
        return org.credit_code if org else None

    def _orgs_with_code(self, code: str) -> list[str]:
        return [o.id for o in self.accounts.list_organisations() if o.credit_code == code]

    def _is_vendor(self, org_id: str) -> bool:
        org = self._org(org_id)
        return org is not None and org.kind == OrgKind.vendor

    # -- a partner's view ------------------------------------------------------------------------------------
    def wallet(self, org_id: str, *, limit: int = 100) -> dict[str, Any]:
        account = org_account(org_id, "points").id
        balance = self.ledger.balance(account)
        entries = []
        for t in self.ledger.transfers(account_id=account, limit=limit):
            sign = 1 if t.credit == account else -1
            entries.append({"id": t.id, "kind": t.kind, "title": KIND_TITLES.get(t.kind, t.kind), "amount": sign * t.amount,
                            "state": t.state, "case_id": t.case_id,
                            "counterparty_org": counterparty_alias(org_id, t.counterparty_org) if t.counterparty_org else None,
                            "created_at": t.created_at.isoformat(),
                            "settles_at": t.settle_at.isoformat() if t.settle_at and t.state == "pending" else None})  # fmt: skip
        fee = self.ledger.balance(org_account(org_id, "fee").id)
        return {"balance": balance.posted, "pending": balance.pending, "fee_credit": fee.posted / 100,
                "unit": "points", "points_per_yuan": self.config.points_per_yuan, "entries": entries}  # fmt: skip

    def plan(self, org_id: str) -> dict[str, Any]:
        return {**self.entitlements.summary(org_id), "refund": self.refunds.progress(org_id, self.clock().date()),
                "membership": self.memberships.active(org_id, self.clock().date())}  # fmt: skip

    def convert(self, org_id: str, points: int, *, key: str | None = None) -> dict[str, Any]:
        """Points into fee credit (a transfer each way); the points must be posted (not pending)."""
        rate = self.config.points_per_yuan
        if points <= 0 or (points * 100) % rate:
            raise BillingError(f"兑换积分必须是正整数，且能换成整分钱（{rate} 积分 = ¥1）")
        key = key or uuid.uuid4().hex
        wallet = org_account(org_id, "points")

        def enough(conn: Any) -> None:
            posted = conn.scalar(select(BALANCES.c.posted).where(BALANCES.c.account_id == wallet.id)) or 0
            if int(posted) < points:
                raise Skip

        spent = self.ledger.transfer(key=f"convert:{org_id}:{key}:points", kind="points_conversion", debit=wallet,
                                     credit=ISSUANCE, amount=points, org_id=org_id, lock=[wallet.id], guard=enough)  # fmt: skip
        if spent is None:
            balance = self.ledger.balance(wallet.id).posted
            raise BillingError(f"可用积分不足：现有 {balance} 积分（待结算的积分不能兑换），申请兑换 {points}")
        fen = points * 100 // rate
        self.ledger.transfer(key=f"convert:{org_id}:{key}:fee", kind="fee_credit", debit=FEE_CREDIT,
                             credit=org_account(org_id, "fee"), amount=fen, org_id=org_id, detail={"points": points})  # fmt: skip
        return {"points": points, "fee_credit": fen / 100, "wallet": self.wallet(org_id, limit=20)}

    def request_payout(self, org_id: str, user_id: str, points: int, note: str = "") -> dict[str, Any]:
        """Cash payout is out of scope: the request is recorded for an admin, the points stay where they are."""
        available = self.ledger.balance(org_account(org_id, "points").id).posted
        if points <= 0 or points > available:
            raise BillingError(f"申请提现的积分必须大于 0 且不超过可用积分（{available}）")
        created = utcnow()
        row = {"id": new_id(), "org_id": org_id, "user_id": user_id, "points": points, "note": note.strip()[:500],
               "status": "open", "created_at": created}  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(insert(PAYOUTS).values(**row))
        return {**row, "created_at": created.isoformat()}

    # -- the admin's acts -----------------------------------------------------------------------------------
    def _known(self, org_id: str) -> None:
        org = self._org(org_id)
        if org is None or org.kind != OrgKind.partner:
            raise BillingError(f"没有这个渠道伙伴组织：{org_id[:40]}")

    def add_membership(self, *, org_id: str, starts_on: dt.date, ends_on: dt.date, package_order: str, by: str,
                       note: str = "") -> dict[str, Any]:  # fmt: skip
        self._known(org_id)
        return self.memberships.record(org_id=org_id, starts_on=starts_on, ends_on=ends_on, package_order=package_order,
                                       by=by, note=note)  # fmt: skip

    def record_payment(self, *, org_id: str, amount_fen: int, paid_on: dt.date, reference: str, by: str,
                       provider: str = "offline") -> dict[str, Any]:  # fmt: skip
        self._known(org_id)
        return self.refunds.record_payment(org_id=org_id, amount_fen=amount_fen, paid_on=paid_on, reference=reference, by=by,
                                           provider=provider)  # fmt: skip

    # -- the admin's view ------------------------------------------------------------------------------------
    def payout_requests(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [{**r._mapping, "created_at": r.created_at.isoformat()} for r in
                    conn.execute(select(PAYOUTS).order_by(PAYOUTS.c.created_at.desc()))]  # fmt: skip

    def organisations(self) -> list[dict[str, Any]]:
        out = []
        for org in self.accounts.list_organisations():
            if org.kind != OrgKind.partner:
                continue
            points = self.ledger.balance(org_account(org.id, "points").id)
            out.append({"id": org.id, "name": org.name, "credit_code": org.credit_code,
                        "plan": self.entitlements.plan_of(org.id).name, "points": points.posted, "pending": points.pending})  # fmt: skip
        return out

    def suspicious(self, *, days: int = 30) -> list[dict[str, Any]]:
        since = self.clock() - dt.timedelta(days=days)
        rewards = [t for t in self.ledger.transfers(kind=REWARD, limit=100_000) if t.created_at >= since]
        downloads = [Download(t.org_id or "", t.counterparty_org or "", t.created_at) for t in rewards]
        names = {o.id: o for o in self.accounts.list_organisations()}

        def created(org_id: str) -> dt.datetime | None:
            org = names.get(org_id)
            return None if org is None else org.created_at if org.created_at.tzinfo else org.created_at.replace(tzinfo=dt.UTC)

        found = suspicious_patterns(downloads, created_at=created)
        for item in found:
            item["names"] = [names[o].name if o in names else o for o in item["orgs"]]
        return found

    def admin_overview(self) -> dict[str, Any]:
        today = self.clock().date()
        return {"organisations": self.organisations(), "memberships": self.memberships.all(),
                "payments": self.refunds.payments(), "orders": self.refunds.orders(), "refunds": self.refunds.due(today),
                "suspicious": self.suspicious(), "payout_requests": self.payout_requests()}  # fmt: skip

    # -- upkeep ----------------------------------------------------------------------------------------------
    def settle(self) -> int:
        return self.ledger.settle()

    def verify(self) -> list[str]:
        return self.ledger.verify()

