"""Alembic environment of the case tables; runs on the connection handed over by
community.cases.tables.migrate_cases, with a version table of its own."""

from alembic import context

from community.cases.tables import VERSION_TABLE, CasesBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through community.cases.tables.migrate_cases(engine)")

context.configure(connection=connection, target_metadata=CasesBase.metadata, version_table=VERSION_TABLE,
                  render_as_batch=True)  # fmt: skip
with context.begin_transaction():
    context.run_migrations()
