"""watched customers, last visits, weekly digests

Revision ID: w0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "w0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "watched_customers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("industry", sa.String(32), nullable=False),
        sa.Column("segment", sa.String(40), nullable=False),
        sa.Column("province", sa.String(16), nullable=False),
        sa.Column("city", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.UniqueConstraint("org_id", "name_key", name="uq_watched_customers_org_name"),
    )
    op.create_index("ix_watched_customers_org_id", "watched_customers", ["org_id"])
    op.create_table(
        "watch_visits",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("seen_at", ts, nullable=False),
    )
    op.create_index("ix_watch_visits_org_id", "watch_visits", ["org_id"])
    op.create_table(
        "watch_digests",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("week", sa.Date(), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("sent_at", ts, nullable=False),
    )
    op.create_index("ix_watch_digests_org_id", "watch_digests", ["org_id"])


def downgrade() -> None:
    op.drop_table("watch_digests")
    op.drop_table("watch_visits")
    op.drop_table("watched_customers")
