"""Alembic environment of the ranking tables; runs on the connection handed over by
community.rankings.tables.migrate_rankings, with a version table of its own."""

from alembic import context

from community.rankings.tables import VERSION_TABLE, RankingsBase

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic runs from a shell
    raise RuntimeError("run migrations through community.rankings.tables.migrate_rankings(engine)")

context.configure(connection=connection, target_metadata=RankingsBase.metadata, version_table=VERSION_TABLE,
                  render_as_batch=True)  # fmt: skip
with context.begin_transaction():
    context.run_migrations()
