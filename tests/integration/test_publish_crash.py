"""A publish killed with SIGKILL (a real subprocess) never damages what partners are served, and the
next start (`build_container` → recovery) rolls it back or finishes it. See retrieval/publishing.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import make_stack, unique_collection

VICTIM = Path(__file__).resolve().parents[1] / "publish_victim.py"
DOC = "faq-crash-subject"
QUERY = "北极星规范 备份数据 保留"


def kill_at(phase: str, data_dir: Path, chroma: list[str]) -> None:
    """Run the victim until it reports `phase`, then SIGKILL it."""
    marker = data_dir.parent / f"reached-{phase}"
    data_dir.mkdir(parents=True, exist_ok=True)
    log = open(data_dir.parent / "victim.log", "wb")  # noqa: SIM115 - the child process writes it until killed
    proc = subprocess.Popen([sys.executable, str(VICTIM), str(data_dir), phase, str(marker), *chroma],
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"victim exited ({proc.returncode}) or hung:\n{(data_dir.parent / 'victim.log').read_text()}")
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def texts(stack) -> str:  # type: ignore[no-untyped-def]
    return " ".join(h.chunk.text for h in stack.retriever.search(QUERY, k=30) if h.chunk.doc_id == DOC)


@pytest.fixture(params=["persistent", pytest.param("http", marks=pytest.mark.chroma_server)])
def chroma(request: pytest.FixtureRequest) -> tuple[list[str], object]:
    """(victim arguments, Chroma config for the restarted container)."""
    from retrieval.vector_store import ChromaConfig

    if request.param == "persistent":
        return [], None
    host, port = request.getfixturevalue("chroma_server")
    collection = unique_collection()
    return [host, str(port), collection], ChromaConfig(mode="http", host=host, port=port, collection=collection)


def reopen(data_dir: Path, embedder, config):  # type: ignore[no-untyped-def]
    from retrieval.vector_store import ChromaConfig, make_chroma_client

    config = config or ChromaConfig(mode="persistent", path=str(data_dir / "chroma"))
    return make_stack(data_dir, embedder, make_chroma_client(config), collection=config.collection)


def restart(data_dir: Path, embedder, config):  # type: ignore[no-untyped-def]
    from api.container import build_container
    from api.settings import Settings

    extra = {"chroma": config} if config else {}
    return build_container(Settings(_env_file=None, data_dir=data_dir, **extra), embedder=embedder)


def test_a_publish_killed_before_its_swap_is_rolled_back_and_the_old_version_serves(tmp_path: Path, embedder, chroma) -> None:  # type: ignore[no-untyped-def]
    args, config = chroma
    data_dir = tmp_path / "var"
    kill_at("staged", data_dir, args)

    stack = reopen(data_dir, embedder, config)
    try:
        assert len(stack.keyword_index.staged_ids(DOC)) == 80  # the dead publish's chunks, staged
        served = texts(stack)
        assert "每日异地复制" in served and "灾备中心" not in served
        listed = stack.registry.get(DOC).chunk_ids  # type: ignore[union-attr]
        assert stack.keyword_ids(DOC) == set(listed) and len(listed) == len(set(listed)) == 1
    finally:
        stack.close()

    container = restart(data_dir, embedder, config)
    try:
        assert container.keyword_index.staged_ids() == set()
        assert container.vector_store.chunk_ids(DOC) == set(container.registry.get(DOC).chunk_ids)  # type: ignore[union-attr]
        version = container.editorial.version(DOC, 2)
        assert (version.state, version.reviewed_by) == ("in_review", None)  # the approval was withdrawn
        assert container.editorial.audit(doc_id=DOC)[0].action == "publish_failed"
        assert "每日异地复制" in texts(container)

        from corpus.editorial import Actor

        container.editorial.approve(DOC, 2, Actor("u-bob", "bob"))  # publishing again works
        served = texts(container)
        assert "灾备中心" in served and "每日异地复制" not in served
        assert container.keyword_index.chunk_ids(DOC) == set(container.registry.get(DOC).chunk_ids)  # type: ignore[union-attr]
        assert container.vector_store.chunk_ids(DOC) == container.keyword_index.chunk_ids(DOC)
        assert container.keyword_index.staged_ids() == set()
    finally:
        container.close()


def test_a_publish_killed_after_its_swap_is_finished_by_the_next_start(tmp_path: Path, embedder, chroma) -> None:  # type: ignore[no-untyped-def]
    args, config = chroma
    data_dir = tmp_path / "var"
    kill_at("swapped", data_dir, args)

    stack = reopen(data_dir, embedder, config)
    try:
        served = texts(stack)
        assert "灾备中心" in served and "每日异地复制" not in served  # the swap is the commit point
        assert stack.registry.get(DOC).version == "1"  # type: ignore[union-attr]
        assert stack.keyword_index.journal() != []
    finally:
        stack.close()

    container = restart(data_dir, embedder, config)
    try:
        entry = container.registry.get(DOC)
        assert entry is not None and entry.version == "2" and container.keyword_index.journal() == []
        assert container.keyword_index.chunk_ids(DOC) == set(entry.chunk_ids) and len(entry.chunk_ids) == 80
        assert container.vector_store.chunk_ids(DOC) == set(entry.chunk_ids)  # the old version's vector is gone
        assert [v.state for v in container.editorial.versions(DOC)] == ["superseded", "published"]
        assert "灾备中心" in texts(container)
    finally:
        container.close()
