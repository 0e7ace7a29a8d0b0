"""messages: intent and choices; conversations: shared with an audience (read-only for colleagues)

Revision ID: a0003
Revises: a0002
"""

import sqlalchemy as sa
from alembic import op

revision = "a0003"
down_revision = "a0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("intent", sa.String(16), nullable=True))
        batch.add_column(sa.Column("choices_json", sa.Text(), nullable=False, server_default="[]"))
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("shared_with", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("shared_with")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("choices_json")
        batch.drop_column("intent")
