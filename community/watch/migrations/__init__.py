"""Alembic migrations of community.watch."""
