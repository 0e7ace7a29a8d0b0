"""Prompt templates as versioned text files (data only).

Each file holds a system part and a user part, each introduced by a marker line
(`<!-- system -->`, `<!-- user -->`), with `${name}` placeholders for
`string.Template`. A new wording is a new file (`brief.v2.md`), never an edit
of a released one.

    system, user = split(load("brief.v1"))
"""

from __future__ import annotations

from importlib import resources

__all__ = ["SYSTEM_MARK", "USER_MARK", "load", "split"]

SYSTEM_MARK = "<!-- system -->"
USER_MARK = "<!-- user -->"


def load(name: str) -> str:
    """The text of prompt `name` (e.g. "brief.v1"), read from this package."""
    filename = name if name.endswith(".md") else f"{name}.md"
    path = resources.files(__name__).joinpath(filename)
    if not path.is_file():
        available = sorted(p.name.removesuffix(".md") for p in resources.files(__name__).iterdir() if p.name.endswith(".md"))
        raise FileNotFoundError(f"no prompt {name!r}; available: {', '.join(available)}")
    return path.read_text(encoding="utf-8")


def split(text: str) -> tuple[str, str]:
    """(system, user) parts of a prompt; anything before the system marker is a comment."""
    if SYSTEM_MARK not in text or USER_MARK not in text:
        raise ValueError(f"a prompt needs both {SYSTEM_MARK} and {USER_MARK} marker lines")
    system, user = text.split(SYSTEM_MARK, 1)[1].split(USER_MARK, 1)
    return system.strip(), user.strip()
