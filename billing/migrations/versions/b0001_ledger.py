"""the ledger (accounts, transfers, entries, cached balances), memberships, payments, orders, usage, payouts

Revision ID: b0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "b0001"
down_revision = None
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=True, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        _when("created_at"),
    )
    op.create_table(
        "ledger_transfers",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("debit_account", sa.String(80), sa.ForeignKey("ledger_accounts.id"), nullable=False, index=True),
        sa.Column("credit_account", sa.String(80), sa.ForeignKey("ledger_accounts.id"), nullable=False, index=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False, index=True),
        sa.Column("case_id", sa.String(40), nullable=True, index=True),
        sa.Column("org_id", sa.String(40), nullable=True, index=True),
        sa.Column("counterparty_org", sa.String(40), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        _when("created_at"),
        _when("settle_at", True),
        _when("closed_at", True),
    )
    op.create_index("ix_ledger_transfers_created_at", "ledger_transfers", ["created_at"])
    op.create_index("ix_ledger_transfers_settle_at", "ledger_transfers", ["settle_at"])
    op.create_table(
        "ledger_entries",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("transfer_id", ROW_ID, sa.ForeignKey("ledger_transfers.id"), nullable=False, index=True),
        sa.Column("account_id", sa.String(80), sa.ForeignKey("ledger_accounts.id"), nullable=False, index=True),
        sa.Column("layer", sa.String(8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        _when("at"),
    )
    op.create_table(
        "ledger_balances",
        sa.Column("account_id", sa.String(80), sa.ForeignKey("ledger_accounts.id"), primary_key=True),
        sa.Column("posted", sa.BigInteger(), nullable=False),
        sa.Column("pending", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "billing_memberships",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False, index=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("package_order", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(40), nullable=False),
        _when("created_at"),
    )
    op.create_table(
        "billing_payments",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False, index=True),
        sa.Column("provider", sa.String(24), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("year_starts", sa.Date(), nullable=False),
        sa.Column("year_ends", sa.Date(), nullable=False),
        sa.Column("transfer_id", sa.BigInteger(), nullable=True),
        sa.Column("recorded_by", sa.String(40), nullable=False),
        _when("created_at"),
        sa.UniqueConstraint("provider", "reference", name="uq_billing_payments_reference"),
    )
    op.create_table(
        "billing_orders",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("credit_code", sa.String(18), nullable=False, index=True),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        _when("imported_at"),
    )
    op.create_table(
        "billing_usage",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("metric", sa.String(24), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        _when("at"),
        sa.UniqueConstraint("org_id", "metric", "key", name="uq_billing_usage_key"),
    )
    op.create_index("ix_billing_usage_period", "billing_usage", ["org_id", "metric", "period"])
    op.create_table(
        "billing_payout_requests",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False, index=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _when("created_at"),
    )


def downgrade() -> None:
    for table in ("billing_payout_requests", "billing_usage", "billing_orders", "billing_payments", "billing_memberships",
                  "ledger_balances", "ledger_entries", "ledger_transfers", "ledger_accounts"):  # fmt: skip
        op.drop_table(table)
