"""partner cases (public and private halves), their downloads, community handles

Revision ID: k0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "k0001"
down_revision = None
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "partner_cases",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("author_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("industry", sa.String(32), nullable=False),
        sa.Column("segment", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("need_categories", sa.JSON(), nullable=False),
        sa.Column("solutions", sa.JSON(), nullable=False),
        sa.Column("region_level", sa.String(16), nullable=False),
        sa.Column("region", sa.String(20), nullable=False),
        sa.Column("handle", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("uniqueness", sa.JSON(), nullable=True),
        sa.Column("doc_id", sa.String(80), nullable=True),
        sa.Column("doc_version", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        _when("created_at", False),
        _when("updated_at", False),
        _when("confirmed_at"),
        sa.Column("confirmed_by", sa.String(40), nullable=True),
        _when("submitted_at"),
        sa.Column("submitted_by", sa.String(40), nullable=True),
        _when("reviewed_at"),
        sa.Column("reviewed_by", sa.String(40), nullable=True),
        _when("published_at"),
        _when("taken_down_at"),
        sa.Column("taken_down_by", sa.String(40), nullable=True),
        sa.Column("taken_down_by_author", sa.Boolean(), nullable=False),
        sa.Column("takedown_reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_partner_cases_org_id", "partner_cases", ["org_id"])
    op.create_index("ix_partner_cases_status_industry", "partner_cases", ["status", "industry"])
    op.create_table(
        "partner_case_private",
        sa.Column("case_id", sa.String(24), sa.ForeignKey("partner_cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("original", sa.Text(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("undone", sa.JSON(), nullable=False),
        sa.Column("manual", sa.JSON(), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("region_level", sa.String(16), nullable=False),
    )
    op.create_index("ix_partner_case_private_org_id", "partner_case_private", ["org_id"])
    op.create_table(
        "partner_case_downloads",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(24), sa.ForeignKey("partner_cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_org_id", sa.String(40), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=False),
        _when("at", False),
        sa.UniqueConstraint("org_id", "idempotency_key", name="uq_partner_case_downloads_key"),
    )
    for column in ("case_id", "author_org_id", "org_id"):
        op.create_index(f"ix_partner_case_downloads_{column}", "partner_case_downloads", [column])
    op.create_table(
        "community_handles",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("handle", sa.String(40), nullable=False),
        _when("updated_at", False),
    )
    op.create_index("ix_community_handles_org_id", "community_handles", ["org_id"])


def downgrade() -> None:
    op.drop_table("community_handles")
    op.drop_table("partner_case_downloads")
    op.drop_table("partner_case_private")
    op.drop_table("partner_cases")
