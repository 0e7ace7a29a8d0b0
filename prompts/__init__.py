"""Prompt templates as versioned text files (data only)."""

__all__: list[str] = []
