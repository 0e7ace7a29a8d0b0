"""Alembic environment of the keyword index's change feed; runs on the connection handed over by
retrieval.keyword_feed.migrate_feed, with a version table of its own."""

from alembic import context

from retrieval.keyword_feed import VERSION_TABLE, FeedBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through retrieval.keyword_feed.migrate_feed(engine)")

context.configure(
    connection=connection,
    target_metadata=FeedBase.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
