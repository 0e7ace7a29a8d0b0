"""Writer plugins: a package's `top_advisor.writers` entry point becomes a TOP_WRITER__KIND.

The plugin here is a real installed distribution (a `.dist-info` directory on sys.path, as pip leaves
it), found through importlib.metadata like any other; its writer computes its text from the request.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.composer import ComposerWriter
from assistant.events import DeltaEvent
from assistant.openai_writer import WriterConfig
from assistant.writer_plugins import ENTRY_POINT_GROUP, make_writer, writer_factories
from assistant.writers import WriteRequest

PLUGIN = '''
from assistant.events import DeltaEvent


class EchoWriter:
    """Says how many sources it was given, in the configured voice (options["voice"])."""

    name = "echo"
    computes = True

    def __init__(self, voice, fallback):
        self.voice, self.fallback = voice, fallback

    def write(self, request):
        yield DeltaEvent(text=f"{self.voice}：{len(request.sources)} 个来源，问题是“{request.question}”")


def make(config, composer):
    return EchoWriter(config.options.get("voice", "默认"), composer)
'''


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    module = f"echo_writer_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(PLUGIN, encoding="utf-8")
    info = tmp_path / "echo_writer-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-writer\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\necho = {module}:make\ncomposer = {module}:make\nbroken = {module}_missing:make\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield module
    sys.modules.pop(module, None)


def test_an_installed_plugin_is_selected_by_its_name_and_gets_its_options(installed_plugin: str) -> None:
    composer = ComposerWriter()
    writer = make_writer(WriterConfig(kind="echo", options={"voice": "回声"}), composer)

    assert writer.name == "echo" and writer.fallback is composer  # type: ignore[attr-defined]
    events = list(writer.write(WriteRequest(mode="answer", question="等保是什么？")))
    assert events == [DeltaEvent(text="回声：0 个来源，问题是“等保是什么？”")]


def test_a_plugin_cannot_take_a_built_in_name(installed_plugin: str) -> None:
    composer = ComposerWriter()
    assert make_writer(WriterConfig(kind="composer"), composer) is composer


def test_a_broken_plugin_and_an_unknown_name_are_clear_errors(installed_plugin: str) -> None:
    with pytest.raises(ValueError, match=r"writer plugin 'broken'.*cannot be loaded"):
        make_writer(WriterConfig(kind="broken"), ComposerWriter())
    with pytest.raises(ValueError, match=r"unknown TOP_WRITER__KIND 'nope'; expected one of: .*composer.*echo.*openai"):
        make_writer(WriterConfig(kind="nope"), ComposerWriter())


def test_without_plugins_the_built_in_writers_are_there() -> None:
    assert {"composer", "openai"} <= set(writer_factories())
