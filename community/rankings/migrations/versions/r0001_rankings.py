"""ranking releases and published cells

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
        "ranking_releases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference_week", sa.Date(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=True),
        sa.Column("simulated", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "ranking_cells",
        sa.Column("release_id", sa.Integer(), sa.ForeignKey("ranking_releases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("window", sa.String(8), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("period", sa.Date(), primary_key=True),
        sa.Column("industry", sa.String(32), primary_key=True),
        sa.Column("province", sa.String(16), primary_key=True),
        sa.Column("need", sa.String(80), primary_key=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(24), nullable=False),
    )
    op.create_index("ix_ranking_cells_list", "ranking_cells", ["release_id", "window", "kind", "industry", "province", "rank"])
    op.create_index("ix_ranking_cells_need", "ranking_cells", ["release_id", "window", "kind", "industry", "need"])


def downgrade() -> None:
    op.drop_table("ranking_cells")
    op.drop_table("ranking_releases")
