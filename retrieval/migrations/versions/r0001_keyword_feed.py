"""keyword_feed: the keyword index's change feed (one row per document, newest change last)

Revision ID: r0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "keyword_feed",
        sa.Column("generation", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("doc_id", sa.String(200), nullable=False, unique=True),
        sa.Column("rows_json", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("keyword_feed")
