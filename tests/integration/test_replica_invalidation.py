"""Two replicas (containers with their own data directories and keyword copies) sharing PostgreSQL and Redis:
an index change on one is in the other's keyword copy at once, told over Redis pub/sub, before any read there
would have polled the change feed (retrieval/index_changes.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers import write_doc
from helpers_community import postgres_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LANJING = "# 蓝鲸协议\n\n## 日志\n\n蓝鲸协议规定网络日志保存不少于六个月。\n"


def test_an_ingest_on_one_replica_reaches_the_others_keyword_copy_at_once(tmp_path: Path, embedder, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    from api.container import build_container
    from api.settings import Settings

    with postgres_database() as url:
        if url is None:
            if os.environ.get("CI"):
                pytest.fail("no PostgreSQL server answers at 127.0.0.1:5432")
            pytest.skip("no PostgreSQL server answers at 127.0.0.1:5432")
        corpus = tmp_path / "corpus"
        write_doc(corpus, "faq-lanjing", LANJING, title="蓝鲸协议")
        replicas = [build_container(Settings(_env_file=None, data_dir=tmp_path / name, database_url=url, redis_url=redis_url,
                                             corpus_dir=corpus), embedder=embedder)  # fmt: skip
                    for name in ("a", "b")]  # fmt: skip
        a, b = replicas
        try:
            assert b.stack.changes is not None and b.stack.changes.subscribed.wait(5)
            assert not b.keyword_index.chunk_ids()
            a.indexer.ingest(corpus)
            deadline = time.monotonic() + 5
            while b.keyword_index.chunk_ids() != a.keyword_index.chunk_ids() and time.monotonic() < deadline:
                time.sleep(0.05)  # no read on b: only the announcement can bring the change
            assert b.keyword_index.chunk_ids() == a.keyword_index.chunk_ids() and b.stack.changes.received >= 1
            ids = [c for c, _ in b.keyword_index.search("words", ["蓝鲸", "日志"], k=3)]
            assert ids and all(c.startswith("faq-lanjing") for c in ids)
        finally:
            for container in replicas:
                container.close()
