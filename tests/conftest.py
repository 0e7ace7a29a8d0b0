"""Shared fixtures: isolated settings, one embedder per session, a real Chroma server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import Stack, make_stack, unique_collection

pytest_plugins = ["ui_browser"]  # headless Chromium and the chat `page` for the UI tests

os.environ["ANONYMIZED_TELEMETRY"] = "False"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer TOP_* variables, no .env, no ./var: every test runs in its own tmp dir."""
    for name in list(os.environ):
        if name.startswith("TOP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def settings(data_dir: Path):  # type: ignore[no-untyped-def]
    from api.settings import Settings

    return Settings(_env_file=None, data_dir=data_dir)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    path = tmp_path / "corpus"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from retrieval.embeddings import UseEmbedder

    model = UseEmbedder()
    model.warm_up()
    return model


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL runs with the embedded Chroma, Redis-backed counters once (not every pair of parameters)."""

    def redundant(item: pytest.Item) -> bool:
        params = getattr(getattr(item, "callspec", None), "params", {})
        return params.get("database_url") == "postgresql" and (params.get("vector_mode") == "http" or params.get("counter") == "redis")

    dropped = [i for i in items if redundant(i)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in dropped]


# -- databases ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The application database of a store test: SQLite in tmp_path, or a fresh PostgreSQL database
    (dropped afterwards) on the machine's server. Skips only when no server answers and not in CI."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'top.db').as_posix()}"
        return
    from helpers_community import postgres_database

    with postgres_database() as url:
        if url is None:
            message = "no PostgreSQL server answers at 127.0.0.1:5432 (trust auth, user postgres)"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        yield url


@pytest.fixture
def activity_engine(database_url: str) -> Iterator[Any]:
    """An engine on `database_url` with the activity and rankings tables (the community tests' store)."""
    from community.activity.tables import migrate_activity
    from community.rankings.tables import migrate_rankings
    from corpus.store import make_engine

    engine = make_engine(database_url)
    migrate_activity(engine)
    migrate_rankings(engine)
    yield engine
    engine.dispose()


# -- Chroma server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server for the whole session; yields (host, port)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    binary = Path(sys.executable).parent / "chroma"
    if not binary.exists():
        pytest.fail(f"the `chroma` executable is missing at {binary}; it ships with chromadb")
    host, port = "127.0.0.1", _free_port()
    root = tmp_path_factory.mktemp("chroma-server")
    log_path = root / "server.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(binary), "run", "--path", str(root / "data"), "--host", host, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 60
        last_error: Exception | None = None
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma server exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                client = chromadb.HttpClient(
                    host=host, port=port, settings=ChromaSettings(anonymized_telemetry=False)
                )
                client.heartbeat()
                break
            except Exception as exc:  # not up yet
                last_error = exc
            if time.monotonic() > deadline:
                pytest.fail(f"chroma server did not answer within 60 s ({last_error}):\n{log_path.read_text(errors='replace')}")
            time.sleep(0.25)
        yield host, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _chroma_client(mode: str, data_dir: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    from retrieval.vector_store import ChromaConfig, make_chroma_client

    if mode == "persistent":
        return make_chroma_client(ChromaConfig(mode="persistent", path=str(data_dir / "chroma"))), None
    host, port = request.getfixturevalue("chroma_server")
    return make_chroma_client(ChromaConfig(mode="http", host=host, port=port)), unique_collection()


@pytest.fixture(
    params=[
        pytest.param("persistent", id="persistent"),
        pytest.param("http", id="http", marks=pytest.mark.chroma_server),
    ]
)
def vector_mode(request: pytest.FixtureRequest) -> str:
    """Chroma mode of the stack: embedded PersistentClient or the session's `chroma run` server."""
    return str(request.param)


@pytest.fixture
def stack(vector_mode: str, data_dir: Path, embedder, request: pytest.FixtureRequest) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """Registry + keyword index + Chroma (in `vector_mode`) + indexer + hybrid retriever, all real."""
    # A test module that lists `database_url` among its fixtures runs on PostgreSQL as well (embedded Chroma).
    database_url = request.getfixturevalue("database_url") if "database_url" in request.fixturenames else None
    client, collection = _chroma_client(vector_mode, data_dir, request)
    built = make_stack(data_dir, embedder, client, **({"collection": collection} if collection else {}),
                       database_url=database_url)  # fmt: skip
    try:
        yield built
    finally:
        built.close()
        if collection:
            with contextlib.suppress(Exception):  # the test may have dropped it already
                client.delete_collection(collection)


@pytest.fixture(scope="session")
def starter_stack(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[Stack, object]]:  # type: ignore[no-untyped-def]
    """The whole starter corpus ingested once per session (persistent Chroma); yields (stack, report)."""
    from corpus import STARTER_DIR
    from retrieval.vector_store import ChromaConfig, make_chroma_client

    data = tmp_path_factory.mktemp("starter-index")
    client = make_chroma_client(ChromaConfig(mode="persistent", path=str(data / "chroma")))
    built = make_stack(data, embedder, client)
    try:
        report = built.indexer.ingest(STARTER_DIR)
        yield built, report
    finally:
        built.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repository (evaluation data); tests skip when it is absent."""
    return Path(__file__).resolve().parents[2] / "shared"


# -- fake LLM ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _fake_llm_server() -> Iterator[object]:
    from fake_llm import FakeLLM, serve

    with serve(FakeLLM(), _free_port()) as fake:
        yield fake


@pytest.fixture
def fake_llm(_fake_llm_server):  # type: ignore[no-untyped-def]
    """A real OpenAI-compatible server (uvicorn, free port) with an empty reply queue; see tests/fake_llm.py."""
    _fake_llm_server.reset()
    yield _fake_llm_server
    _fake_llm_server.reset()


# -- live server --------------------------------------------------------------------------


class LiveServer:
    """A real uvicorn server in a thread, serving `create_app(container=...)` on a free port."""

    def __init__(self, container, port: int) -> None:  # type: ignore[no-untyped-def]
        import threading

        import uvicorn

        from api.app import create_app

        self.container = container
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(create_app(container=container), host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, name=f"uvicorn-{port}", daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=30)


@pytest.fixture(scope="session")
def starter_container(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """The production container (composer writer) over the whole starter corpus, in its own data dir."""
    from api.container import build_container
    from api.settings import Settings

    data = tmp_path_factory.mktemp("live-var")
    container = build_container(Settings(_env_file=None, data_dir=data), embedder=embedder)
    container.indexer.ingest(container.settings.corpus_dir)
    yield container
    container.close()


@pytest.fixture(scope="session")
def live_server(starter_container) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """`make run`'s app over HTTP: real uvicorn, real SSE, starter corpus, composer writer."""
    with LiveServer(starter_container, _free_port()) as server:
        yield server


@pytest.fixture(scope="session")
def llm_server(starter_container, _fake_llm_server) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """`live_server` with the OpenAI-compatible writer pointed at the fake LLM (composer as fallback)."""
    import dataclasses

    from assistant.advisor import Advisor
    from assistant.chat import ChatService
    from assistant.composer import ComposerWriter
    from assistant.openai_writer import OpenAIWriter, WriterConfig
    from assistant.planner import Planner

    base = starter_container
    config = WriterConfig(kind="openai", base_url=_fake_llm_server.base_url, model="fake-model", timeout=10)
    advisor = Advisor(
        profiler=base.profiler,
        planner=Planner(base.retriever),
        retriever=base.retriever,
        writer=OpenAIWriter(config, fallback=ComposerWriter()),
    )
    container = dataclasses.replace(base, advisor=advisor, chat=ChatService(advisor, base.chat.store))
    with LiveServer(container, _free_port()) as server:
        yield server


# -- Redis -------------------------------------------------------------------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The machine's Redis (127.0.0.1:6379, or TEST_REDIS_URL); skips with a message when none answers."""
    from accounts.redis_store import connect

    try:
        connect(REDIS_URL).close()
    except ConnectionError as exc:
        pytest.skip(f"no Redis server answers ({exc}); start one, e.g. `redis-server --daemonize yes`")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other test uses; every key under it is deleted afterwards."""
    from accounts.redis_store import connect

    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = connect(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
