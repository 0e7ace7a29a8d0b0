"""Alembic environment: runs on the connection handed over by corpus.store.migrate."""

from corpus.store import run_migrations_env
from corpus.tables import Base

run_migrations_env(Base.metadata, entry="corpus.store.migrate(engine)")
