"""organisations: the 统一社会信用代码 (verified by checksum; one company counts once for rewards)

Revision ID: c0003
Revises: c0002
"""

import sqlalchemy as sa
from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("credit_code", sa.String(18), nullable=True))
    op.create_index("ix_organisations_credit_code", "organisations", ["credit_code"])


def downgrade() -> None:
    op.drop_index("ix_organisations_credit_code", "organisations")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("credit_code")
