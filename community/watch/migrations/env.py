"""Alembic environment of the watchlist tables; runs on the connection handed over by
community.watch.tables.migrate_watch, with a version table of its own."""

from alembic import context

from community.watch.tables import VERSION_TABLE, WatchBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through community.watch.tables.migrate_watch(engine)")

context.configure(connection=connection, target_metadata=WatchBase.metadata, version_table=VERSION_TABLE,
                  render_as_batch=True)  # fmt: skip
with context.begin_transaction():
    context.run_migrations()
