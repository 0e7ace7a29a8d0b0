"""Billing tables in the application database, with their own Alembic chain (billing/migrations).

The ledger (`ledger_*`) is append-only: a transfer's state moves pending → posted | voided, and every move
appends entries; nothing is updated except the state and the cached balances, which `verify` re-derives.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any, cast

from sqlalchemy import JSON, BigInteger, Date, DateTime, Engine, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from corpus.store import migrate
from corpus.tables import utcnow

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "billing_alembic_version"
ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class BillingBase(DeclarativeBase):
    pass


def table_of(row: type[BillingBase]) -> Table:
    """The Core table of a mapped class, for set-based statements (typed as a Table, not a FromClause)."""
    return cast(Table, row.__table__)


def new_id() -> str:
    return secrets.token_hex(12)


class LedgerAccountRow(BillingBase):
    """`org:<id>:points`, `org:<id>:fee`, `platform:<name>`; `unit` is points or fen (CNY cents)."""

    __tablename__ = "ledger_accounts"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    org_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerTransferRow(BillingBase):
    __tablename__ = "ledger_transfers"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    debit_account: Mapped[str] = mapped_column(String(80), ForeignKey("ledger_accounts.id"), index=True)
    credit_account: Mapped[str] = mapped_column(String(80), ForeignKey("ledger_accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(8), index=True)  # pending | posted | voided
    case_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    org_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)  # whose transfer it is
    counterparty_org: Mapped[str | None] = mapped_column(String(40), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    settle_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LedgerEntryRow(BillingBase):
    """One leg: `amount` signed (debit −, credit +) in the `pending` or `posted` layer of the account."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfers.id"), index=True)
    account_id: Mapped[str] = mapped_column(String(80), ForeignKey("ledger_accounts.id"), index=True)
    layer: Mapped[str] = mapped_column(String(8))  # pending | posted
    amount: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerBalanceRow(BillingBase):
    """The cache of an account's sums; its row is also the lock that serialises transfers on the account."""

    __tablename__ = "ledger_balances"

    account_id: Mapped[str] = mapped_column(String(80), ForeignKey("ledger_accounts.id"), primary_key=True)
    posted: Mapped[int] = mapped_column(BigInteger, default=0)
    pending: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class MembershipRow(BillingBase):
    """The partner programme: signed with the vendor and the starter package ordered, from `starts_on` to `ends_on`."""

    __tablename__ = "billing_memberships"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    package_order: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PaymentRow(BillingBase):
    """A yearly fee paid through a payment provider (today: an offline transfer an admin records)."""

    __tablename__ = "billing_payments"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    provider: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    year_starts: Mapped[dt.date] = mapped_column(Date)
    year_ends: Mapped[dt.date] = mapped_column(Date)
    transfer_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (UniqueConstraint("provider", "reference", name="uq_billing_payments_reference"),)


class OrderRow(BillingBase):
    """A vendor order (imported CSV): who ordered (credit code), when, how much."""

    __tablename__ = "billing_orders"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    ordered_on: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UsageRow(BillingBase):
    """One use of a quota (a brief, a download, an export), idempotent on its key."""

    __tablename__ = "billing_usage"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(String(40))
    metric: Mapped[str] = mapped_column(String(24))
    period: Mapped[str] = mapped_column(String(10))  # 2026-12-04 (day) or 2026-12 (month)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (UniqueConstraint("org_id", "metric", "key", name="uq_billing_usage_key"),)


class PayoutRequestRow(BillingBase):
    """A partner asked for points as cash: recorded for an admin; paying out is out of scope."""

    __tablename__ = "billing_payout_requests"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[str] = mapped_column(String(40))
    points: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def migrate_billing(engine: Engine) -> None:
    """Bring the billing tables to the newest revision; idempotent."""
    migrate(engine, MIGRATIONS)
