"""Writers by name: the two built in, and any a package installs as a plugin.

A writer for an LLM provider that is not OpenAI-compatible is a separate package: it declares
one entry point in the group `top_advisor.writers`, naming a factory

    # its pyproject.toml
    [project.entry-points."top_advisor.writers"]
    acme = "acme_writer:make"          # def make(config: WriterConfig, composer: Writer) -> Writer

and `TOP_WRITER__KIND=acme` selects it. The factory gets the `TOP_WRITER__*` settings (base_url, model,
api_key, timeout … and free-form `options` from TOP_WRITER__OPTIONS='{"region": "cn"}') and the composer,
which a writer should fall back to when its service fails, as `OpenAIWriter` does. The built-in writers
take their names first: a plugin cannot replace `composer` or `openai`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from assistant.openai_writer import OpenAIWriter, WriterConfig
from assistant.writers import Writer

__all__ = ["ENTRY_POINT_GROUP", "WriterFactory", "make_writer", "writer_factories"]

ENTRY_POINT_GROUP = "top_advisor.writers"
WriterFactory = Callable[[WriterConfig, Writer], Writer]


def _composer(config: WriterConfig, composer: Writer) -> Writer:
    return composer


def _openai(config: WriterConfig, composer: Writer) -> Writer:
    if not config.base_url:
        raise ValueError(
            "TOP_WRITER__BASE_URL is required when TOP_WRITER__KIND=openai "
            "(the OpenAI-compatible API root, e.g. https://api.deepseek.com/v1)"
        )
    return OpenAIWriter(config, fallback=composer)


BUILT_IN: dict[str, WriterFactory] = {"composer": _composer, "openai": _openai}


def writer_factories() -> dict[str, WriterFactory]:
    """Every writer by name: the built-in ones, then the installed plugins' (loaded lazily on use)."""
    found: dict[str, WriterFactory] = dict(BUILT_IN)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name not in found:
            found[point.name] = _lazy(point.name, point.load)
    return found


def _lazy(name: str, load: Callable[[], object]) -> WriterFactory:
    def factory(config: WriterConfig, composer: Writer) -> Writer:
        try:
            make = load()
        except Exception as exc:  # a broken plugin names itself rather than failing somewhere inside importlib
            raise ValueError(f"writer plugin {name!r} ({ENTRY_POINT_GROUP}) cannot be loaded: {exc}") from exc
        if not callable(make):
            raise ValueError(f"writer plugin {name!r} ({ENTRY_POINT_GROUP}) is not a factory: {make!r}")
        writer: Writer = make(config, composer)
        return writer

    return factory


def make_writer(config: WriterConfig, composer: Writer) -> Writer:
    """The writer TOP_WRITER__KIND names; an unknown name lists the available ones."""
    factories = writer_factories()
    factory = factories.get(config.kind)
    if factory is None:
        raise ValueError(f"unknown TOP_WRITER__KIND {config.kind!r}; expected one of: {', '.join(sorted(factories))}")
    return factory(config, composer)
