"""Alembic environment of the discussion tables; runs on the connection handed over by
community.discussions.tables.migrate_discussions, with a version table of its own."""

from alembic import context

from community.discussions.tables import VERSION_TABLE, DiscussionsBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through community.discussions.tables.migrate_discussions(engine)")

context.configure(connection=connection, target_metadata=DiscussionsBase.metadata, version_table=VERSION_TABLE,
                  render_as_batch=True)  # fmt: skip
with context.begin_transaction():
    context.run_migrations()
