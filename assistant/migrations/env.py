"""Alembic environment of the assistant's tables; runs on the connection handed over by
assistant.tables.migrate_assistant, with a version table of its own."""

from alembic import context

from assistant.tables import VERSION_TABLE, AssistantBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through assistant.tables.migrate_assistant(engine)")

context.configure(
    connection=connection,
    target_metadata=AssistantBase.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
