"""Alembic migrations of community.activity."""
