"""Alembic migrations of billing."""
