"""The domain brain: customer profiling, needs planning, answer composition (next issues)."""

__all__: list[str] = []
