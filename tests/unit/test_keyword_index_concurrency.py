"""The keyword index read by one thread while another writes: a search never trips over the writer's
reset of the cached index size (found by the Redis change-feed test, which failed once in CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retrieval import tokenize
from retrieval.keyword_index import SqliteKeywordIndex
from retrieval.models import Chunk


class _WriterMeanwhile:
    """The index's connection, but each query first lets a writer invalidate the cached size, as
    `upsert` in another thread does between a reader's check and its use."""

    def __init__(self, index: SqliteKeywordIndex, conn: Any) -> None:
        self._index, self._conn = index, conn

    def execute(self, *args: Any) -> Any:
        self._index._size = None
        return self._conn.execute(*args)


def test_a_search_while_a_writer_resets_the_size_still_ranks(tmp_path: Path) -> None:
    index = SqliteKeywordIndex(tmp_path / "keyword.sqlite3")
    index.upsert([Chunk(chunk_id=f"doc-{i}#0", doc_id=f"doc-{i}", ordinal=0, locator="第一条", heading="总则",
                        text=text, metadata={"status": "published"})
                  for i, text in enumerate(["网络日志应当保存不少于六个月。", "数据分类分级保护制度。"])])  # fmt: skip
    real = index._connect()
    index._connect = lambda: _WriterMeanwhile(index, real)  # type: ignore[method-assign]
    found = index.search("grams", tokenize.unique(tokenize.bigrams("日志保存多久")), k=5)
    assert [cid for cid, _ in found][:1] == ["doc-0#0"]
