"""The assistant's tables in the application database, and their migrations.

The assistant keeps its own Alembic chain (`assistant/migrations`) with its own
version table, beside the corpus registry's, so neither package imports the other's schema.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase

from corpus.store import migrate
from corpus.tables import utcnow as utcnow  # one clock for every table (re-exported)

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "assistant_alembic_version"


class AssistantBase(DeclarativeBase):
    pass


def migrate_assistant(engine: Engine) -> None:
    """Bring the assistant's tables (customers, conversations, …) to the newest revision; idempotent."""
    migrate(engine, MIGRATIONS)
