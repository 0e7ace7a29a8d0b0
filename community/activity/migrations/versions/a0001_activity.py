"""activity events and their needs

Revision ID: a0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "a0001"
down_revision = None
branch_labels = None
depends_on = None

EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "activity_events",
        sa.Column("id", EVENT_ID, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("industry", sa.String(32), nullable=False),
        sa.Column("segment", sa.String(40), nullable=False),
        sa.Column("province", sa.String(16), nullable=False),
        sa.Column("topics", sa.String(100), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_activity_events_org_id", "activity_events", ["org_id"])
    op.create_index("ix_activity_events_week", "activity_events", ["week", "simulated"])
    op.create_table(
        "activity_event_needs",
        sa.Column("event_id", EVENT_ID, sa.ForeignKey("activity_events.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("need", sa.String(80), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("activity_event_needs")
    op.drop_table("activity_events")
