"""Alembic environment of the assistant's tables; runs on the connection handed over by
assistant.tables.migrate_assistant, with a version table of its own."""

from assistant.tables import VERSION_TABLE, AssistantBase
from corpus.store import run_migrations_env

run_migrations_env(AssistantBase.metadata, entry="assistant.tables.migrate_assistant(engine)", version_table=VERSION_TABLE)
