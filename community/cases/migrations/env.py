"""Alembic environment of the case tables; runs on the connection handed over by
community.cases.tables.migrate_cases, with a version table of its own."""

from community.cases.tables import VERSION_TABLE, CasesBase
from corpus.store import run_migrations_env

run_migrations_env(CasesBase.metadata, entry="community.cases.tables.migrate_cases(engine)", version_table=VERSION_TABLE)
