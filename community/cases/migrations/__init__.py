"""Alembic migrations of community.cases."""
