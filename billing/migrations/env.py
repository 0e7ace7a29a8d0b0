"""Alembic environment of the billing tables; runs on the connection handed over by
billing.tables.migrate_billing, with a version table of its own."""

from alembic import context

from billing.tables import VERSION_TABLE, BillingBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through billing.tables.migrate_billing(engine)")

context.configure(connection=connection, target_metadata=BillingBase.metadata, version_table=VERSION_TABLE,
                  render_as_batch=True)  # fmt: skip
with context.begin_transaction():
    context.run_migrations()
