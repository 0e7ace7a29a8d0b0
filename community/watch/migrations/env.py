"""Alembic environment of the watchlist tables; runs on the connection handed over by
community.watch.tables.migrate_watch, with a version table of its own."""

from community.watch.tables import VERSION_TABLE, WatchBase
from corpus.store import run_migrations_env

run_migrations_env(WatchBase.metadata, entry="community.watch.tables.migrate_watch(engine)", version_table=VERSION_TABLE)
