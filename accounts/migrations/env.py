"""Alembic environment of the account tables; runs on the connection handed over by
accounts.tables.migrate_accounts, with a version table of its own."""

from accounts.tables import VERSION_TABLE, AccountsBase
from corpus.store import run_migrations_env

run_migrations_env(AccountsBase.metadata, entry="accounts.tables.migrate_accounts(engine)", version_table=VERSION_TABLE)
