"""Alembic environment of the activity tables; runs on the connection handed over by
community.activity.tables.migrate_activity, with a version table of its own."""

from alembic import context

from community.activity.tables import VERSION_TABLE, ActivityBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through community.activity.tables.migrate_activity(engine)")

context.configure(connection=connection, target_metadata=ActivityBase.metadata, version_table=VERSION_TABLE,
                  render_as_batch=True)  # fmt: skip
with context.begin_transaction():
    context.run_migrations()
