"""Alembic migrations of community.discussions."""
