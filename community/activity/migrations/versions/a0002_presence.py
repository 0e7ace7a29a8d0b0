"""activity_presence: the (org, industry, province, need, week, simulated) rollup, backfilled from the events

Revision ID: a0002
Revises: a0001
"""

import sqlalchemy as sa
from alembic import op

revision = "a0002"
down_revision = "a0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_presence",
        sa.Column("week", sa.Date(), primary_key=True),
        sa.Column("org_id", sa.String(40), primary_key=True),
        sa.Column("industry", sa.String(32), primary_key=True),
        sa.Column("province", sa.String(16), primary_key=True),
        sa.Column("need", sa.String(80), primary_key=True),
        sa.Column("simulated", sa.Boolean(), primary_key=True),
    )
    op.create_index("ix_activity_presence_org_id", "activity_presence", ["org_id"])
    op.execute(
        "INSERT INTO activity_presence (week, org_id, industry, province, need, simulated) "
        "SELECT DISTINCT e.week, e.org_id, e.industry, e.province, n.need, e.simulated "
        "FROM activity_events e JOIN activity_event_needs n ON n.event_id = e.id"
    )


def downgrade() -> None:
    op.drop_table("activity_presence")
