"""Settings: TOP_ environment variables, nested `__` sections and a .env file in the working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import Settings
from corpus import STARTER_DIR


def test_defaults_work_without_any_configuration(tmp_path: Path) -> None:
    settings = Settings(_env_file=None)
    assert settings.data_dir == Path("./var")
    assert settings.corpus_dir == STARTER_DIR
    assert settings.chroma.mode == "persistent"
    assert settings.resolved_database_url == "sqlite:///var/top.db"
    assert settings.keyword_index_path == Path("var/keyword.sqlite3")
    assert settings.chroma_config.path == str(Path("var") / "chroma")


def test_settings_fixture_points_everything_at_the_tmp_data_dir(settings: Settings, data_dir: Path) -> None:
    assert settings.data_dir == data_dir
    assert settings.resolved_database_url == f"sqlite:///{(data_dir / 'top.db').as_posix()}"
    assert settings.keyword_index_path == data_dir / "keyword.sqlite3"
    assert settings.chroma_config.path == str(data_dir / "chroma")


def test_env_data_dir_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TOP_DATA_DIR", str(tmp_path / "elsewhere"))
    settings = Settings(_env_file=None)
    assert settings.data_dir == tmp_path / "elsewhere"
    assert settings.chroma_config.path == str(tmp_path / "elsewhere" / "chroma")


def test_env_nested_chroma_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOP_CHROMA__MODE", "http")
    monkeypatch.setenv("TOP_CHROMA__PORT", "9123")
    monkeypatch.setenv("TOP_CHROMA__HOST", "chroma.internal")
    settings = Settings(_env_file=None)
    assert (settings.chroma.mode, settings.chroma.host, settings.chroma.port) == ("http", "chroma.internal", 9123)
    assert settings.chroma_config.path is None  # http mode needs no local directory
    assert settings.chroma_config.collection == "top_advisor_chunks"


def test_env_database_url_overrides_the_sqlite_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOP_DATABASE_URL", "postgresql+psycopg://u@db/top")
    assert Settings(_env_file=None).resolved_database_url == "postgresql+psycopg://u@db/top"


@pytest.mark.parametrize(
    ("name", "value", "loc"),
    [
        ("TOP_CHROMA__MODE", "cloud", ("chroma", "mode")),
        ("TOP_CHROMA__PORT", "not-a-port", ("chroma", "port")),
        ("TOP_CHROMA__PORT", "70000", ("chroma", "port")),
        ("TOP_PORT", "0", ("port",)),
        ("TOP_EMBEDDING_THREADS", "0", ("embedding_threads",)),
        ("TOP_INGEST_WORKERS", "many", ("ingest_workers",)),
    ],
)
def test_invalid_values_raise_naming_the_field(monkeypatch: pytest.MonkeyPatch, name: str, value: str, loc: tuple[str, ...]) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None)
    assert [tuple(e["loc"]) for e in info.value.errors()] == [loc]


def test_dotenv_file_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "TOP_DATA_DIR=/srv/top\nTOP_CHROMA__MODE=http\nTOP_CHROMA__PORT=8111\nUNRELATED=1\n", encoding="utf-8"
    )
    settings = Settings()  # the autouse fixture made tmp_path the working directory
    assert settings.data_dir == Path("/srv/top")
    assert (settings.chroma.mode, settings.chroma.port) == ("http", 8111)


def test_environment_wins_over_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TOP_DATA_DIR=/from/dotenv\nTOP_PORT=8100\n", encoding="utf-8")
    monkeypatch.setenv("TOP_DATA_DIR", "/from/env")
    settings = Settings()
    assert settings.data_dir == Path("/from/env")
    assert settings.port == 8100


def test_no_dotenv_is_read_when_disabled(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TOP_DATA_DIR=/srv/top\n", encoding="utf-8")
    assert Settings(_env_file=None).data_dir == Path("./var")


def test_workers_default_to_the_cores_and_the_keyword_feed_to_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None)
    assert settings.resolved_workers == len(os.sched_getaffinity(0)) and not settings.resolved_keyword_feed
    monkeypatch.setenv("TOP_WORKERS", "3")
    monkeypatch.setenv("TOP_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/top")
    settings = Settings(_env_file=None)
    assert settings.resolved_workers == 3 and settings.resolved_keyword_feed
    monkeypatch.setenv("TOP_KEYWORD_FEED", "false")
    assert not Settings(_env_file=None).resolved_keyword_feed
    monkeypatch.setenv("TOP_WORKERS", "0")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
