"""Alembic environment: runs on the connection handed over by corpus.store.migrate."""

from alembic import context

from corpus.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through corpus.store.migrate(engine)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
