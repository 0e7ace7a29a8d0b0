"""Alembic environment of the account tables; runs on the connection handed over by
accounts.tables.migrate_accounts, with a version table of its own."""

from alembic import context

from accounts.tables import VERSION_TABLE, AccountsBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through accounts.tables.migrate_accounts(engine)")

context.configure(
    connection=connection,
    target_metadata=AccountsBase.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
