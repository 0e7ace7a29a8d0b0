"""Alembic environment of the discussion tables; runs on the connection handed over by
community.discussions.tables.migrate_discussions, with a version table of its own."""

from community.discussions.tables import VERSION_TABLE, DiscussionsBase
from corpus.store import run_migrations_env

run_migrations_env(DiscussionsBase.metadata, entry="community.discussions.tables.migrate_discussions(engine)", version_table=VERSION_TABLE)
