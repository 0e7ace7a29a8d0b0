"""Alembic environment of the activity tables; runs on the connection handed over by
community.activity.tables.migrate_activity, with a version table of its own."""

from community.activity.tables import VERSION_TABLE, ActivityBase
from corpus.store import run_migrations_env

run_migrations_env(ActivityBase.metadata, entry="community.activity.tables.migrate_activity(engine)", version_table=VERSION_TABLE)
