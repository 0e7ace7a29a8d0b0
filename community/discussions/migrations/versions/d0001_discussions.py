"""discussion threads, posts and abuse reports

Revision ID: d0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "d0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "discussion_threads",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("topic_kind", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(80), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("author_id", sa.String(40), nullable=False),
        sa.Column("handle", sa.String(40), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        _when("created_at", False),
        _when("last_post_at", False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("locked_by", sa.String(40), nullable=True),
        _when("locked_at"),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("hidden_by", sa.String(40), nullable=True),
        _when("hidden_at"),
        sa.Column("hidden_reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_discussion_threads_topic", "discussion_threads", ["topic_kind", "topic"])
    op.create_index("ix_discussion_threads_org_id", "discussion_threads", ["org_id"])
    op.create_index("ix_discussion_threads_last_post_at", "discussion_threads", ["last_post_at"])
    op.create_table(
        "discussion_posts",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("thread_id", sa.String(24), sa.ForeignKey("discussion_threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("author_id", sa.String(40), nullable=False),
        sa.Column("handle", sa.String(40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("mentions", sa.JSON(), nullable=False),
        _when("created_at", False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("hidden_by", sa.String(40), nullable=True),
        _when("hidden_at"),
        sa.Column("hidden_reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_discussion_posts_thread_id", "discussion_posts", ["thread_id"])
    op.create_index("ix_discussion_posts_org_id", "discussion_posts", ["org_id"])
    op.create_table(
        "discussion_reports",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("post_id", sa.String(24), sa.ForeignKey("discussion_posts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("thread_id", sa.String(24), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("reporter_id", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _when("created_at", False),
        _when("resolved_at"),
        sa.Column("resolved_by", sa.String(40), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
    )
    op.create_index("ix_discussion_reports_post_id", "discussion_reports", ["post_id"])
    op.create_index("ix_discussion_reports_org_id", "discussion_reports", ["org_id"])
    op.create_index("ix_discussion_reports_resolved_at", "discussion_reports", ["resolved_at"])


def downgrade() -> None:
    op.drop_table("discussion_reports")
    op.drop_table("discussion_posts")
    op.drop_table("discussion_threads")
