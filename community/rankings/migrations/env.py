"""Alembic environment of the ranking tables; runs on the connection handed over by
community.rankings.tables.migrate_rankings, with a version table of its own."""

from community.rankings.tables import VERSION_TABLE, RankingsBase
from corpus.store import run_migrations_env

run_migrations_env(RankingsBase.metadata, entry="community.rankings.tables.migrate_rankings(engine)", version_table=VERSION_TABLE)
