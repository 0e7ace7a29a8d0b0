"""Alembic migrations of community.rankings."""
