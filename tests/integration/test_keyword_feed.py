"""Each replica's own keyword index copy follows the database's change feed (retrieval/keyword_feed.py), on
SQLite and PostgreSQL: ingest, a changed text and a removed document reach another copy, and a new empty
copy is rebuilt from the feed on start."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import write_doc

from retrieval import tokenize
from retrieval.keyword_feed import KeywordFeed
from retrieval.keyword_index import SqliteKeywordIndex
from retrieval.stack import announce_changes, open_stack
from retrieval.vector_store import ChromaConfig, make_chroma_client

OLD = "# 蓝鲸协议\n\n## 日志\n\n蓝鲸协议规定网络日志保存不少于六个月。\n"
NEW = "# 蓝鲸协议\n\n## 日志\n\n蓝鲸协议规定网络日志保存不少于十二个月，并由审计部门复核。\n"


@pytest.fixture
def writer(database_url: str, tmp_path: Path, embedder) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    stack = open_stack(database_url=database_url, keyword_index_path=tmp_path / "a" / "keyword.sqlite3", embedder=embedder,
                       chroma_client=make_chroma_client(ChromaConfig(mode="persistent", path=str(tmp_path / "chroma"))),
                       keyword_feed=True)  # fmt: skip
    yield stack
    stack.close()


def copy(writer: Any, path: Path) -> tuple[SqliteKeywordIndex, KeywordFeed]:
    index = SqliteKeywordIndex(path)
    feed = KeywordFeed(writer.registry.engine, index, interval=0)
    feed.start()
    return index, feed


def texts(index: SqliteKeywordIndex, query: str) -> list[str]:
    ids = [cid for cid, _ in index.search("grams", tokenize.unique(tokenize.bigrams(query)), k=10)]
    return sorted(c.text for c in index.get(ids).values())


def test_another_copy_follows_ingest_changes_and_removals(writer: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_doc(corpus, "faq-lanjing", OLD, title="蓝鲸协议")
    write_doc(corpus, "faq-other", "# 其他\n\n## 说明\n\n政务外网接入前须完成安全评估。\n", title="其他")
    writer.indexer.ingest(corpus)
    index, feed = copy(writer, tmp_path / "b" / "keyword.sqlite3")  # a replica starting now: rebuilt from the feed
    assert index.chunk_ids() == writer.keyword_index.chunk_ids() and len(index.chunk_ids()) >= 2
    assert any("六个月" in t for t in texts(index, "日志保存多久"))
    before = index.generation()

    write_doc(corpus, "faq-lanjing", NEW, title="蓝鲸协议")
    (corpus / "faq-other.md").unlink()
    writer.indexer.ingest(corpus)
    assert any("六个月" in t for t in texts(index, "日志保存多久"))  # not followed yet
    assert feed.follow() == 2
    found = texts(index, "日志保存多久")
    assert any("十二个月" in t for t in found) and not any("六个月" in t for t in found)
    assert index.chunk_ids() == writer.keyword_index.chunk_ids() and index.generation() != before  # caches see it
    assert feed.follow() == 0  # nothing new

    _ = writer.retriever.generation  # the writer's own copy re-applies its change once, and stays the same
    assert writer.keyword_index.chunk_ids() == index.chunk_ids()
    assert writer.retriever.search("日志保存多久", k=3)[0].chunk.doc_id == "faq-lanjing"


def test_an_index_built_before_the_feed_seeds_it(database_url: str, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    write_doc(corpus, "faq-lanjing", OLD, title="蓝鲸协议")
    chroma = make_chroma_client(ChromaConfig(mode="persistent", path=str(tmp_path / "chroma")))
    old = open_stack(database_url=database_url, keyword_index_path=tmp_path / "a.sqlite3", embedder=embedder, chroma_client=chroma)
    old.indexer.ingest(corpus)
    old.close()
    upgraded = open_stack(database_url=database_url, keyword_index_path=tmp_path / "a.sqlite3", embedder=embedder,
                          chroma_client=chroma, keyword_feed=True)  # fmt: skip
    try:
        index = SqliteKeywordIndex(tmp_path / "b.sqlite3")
        KeywordFeed(upgraded.registry.engine, index).start()
        assert index.chunk_ids() == upgraded.keyword_index.chunk_ids() != set()
    finally:
        upgraded.close()


# -- index changes announced over Redis (retrieval/index_changes.py) --------------------------------------------
@pytest.mark.redis
def test_over_redis_another_copy_catches_up_at_once_and_an_outage_falls_back_to_polling(
    writer: Any, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    from accounts.redis_store import connect

    channel = redis_prefix + "index"
    announcer = announce_changes(connect(redis_url), writer.keyword_index, writer.vector_store, None, channel=channel)
    index = SqliteKeywordIndex(tmp_path / "b" / "keyword.sqlite3")
    feed = KeywordFeed(writer.registry.engine, index, interval=3600)  # its own polling would not run during the test
    feed.start()
    listener = announce_changes(connect(redis_url), index, writer.vector_store, feed.follow, channel=channel)
    down = KeywordFeed(writer.registry.engine, SqliteKeywordIndex(tmp_path / "c" / "keyword.sqlite3"), interval=0)
    down.start()  # a copy whose Redis is unreachable
    unreachable = announce_changes(connect("redis://127.0.0.1:1/0", ping=False), down.index, writer.vector_store,
                                   down.follow, channel=channel)  # fmt: skip
    try:
        assert listener.subscribed.wait(5)
        corpus = tmp_path / "corpus"
        write_doc(corpus, "faq-lanjing", OLD, title="蓝鲸协议")
        writer.indexer.ingest(corpus)  # announced by the writer's copy once recorded in the feed
        deadline = time.monotonic() + 5
        while not texts(index, "日志保存多久") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any("六个月" in t for t in texts(index, "日志保存多久")) and listener.received >= 1
        assert announcer.received == 0  # its own announcement needs no catching up

        assert not texts(down.index, "日志保存多久")  # no announcement reaches it ...
        assert down.follow() >= 1 and any("六个月" in t for t in texts(down.index, "日志保存多久"))  # ... polling does
        assert unreachable._thread.is_alive() and not unreachable.subscribed.is_set()
        unreachable.announce(1)  # logged, not raised
    finally:
        for changes in (announcer, listener, unreachable):
            changes.close()
