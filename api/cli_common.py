"""What every `top-advisor` command module shares: the settings, the container and the console.

The command modules (api/cli.py and api/cli_*.py) import these from here, so none reaches
back into another's private names. Settings and the container are built on first use, once
per invocation (`ctx.obj`), never at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from pydantic import ValidationError
from rich.console import Console

from retrieval.vector_store import VectorStoreError

if TYPE_CHECKING:
    from api.container import Container
    from api.settings import Settings

__all__ = ["console", "container_of", "settings_of"]

console = Console(stderr=True)


def settings_of(ctx: click.Context) -> Settings:
    """The invocation's settings (TOP_* variables, .env); a bad value is a clear error, not a traceback."""
    from api.settings import Settings

    if ctx.obj is None:
        try:
            ctx.obj = Settings()
        except ValidationError as exc:
            lines = [f"  TOP_{'__'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()]
            raise click.ClickException("invalid settings:\n" + "\n".join(lines)) from None
    settings: Settings = ctx.obj
    return settings


def container_of(ctx: click.Context) -> Container:
    """A container built from the invocation's settings; an unreachable Chroma server is a clear error."""
    from api.container import build_container

    try:
        return build_container(settings_of(ctx))
    except VectorStoreError as exc:
        raise click.ClickException(str(exc)) from None
