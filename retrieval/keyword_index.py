"""Persistent BM25 keyword index: SQLite FTS5 over pre-segmented Chinese text.

Two FTS5 tables are ranked separately: jieba words and character bigrams
(separate tables, not two columns of one: a column filter still decodes the
other column's positions, which cost ~40% more per query). The index is
updated per document at ingest time and never rebuilt per query. Query
terms found in more than 10% (words) or 5% (bigrams) of chunks are dropped: their IDF is near zero
but their posting lists are the longest. The `chunks` table also stores each
chunk's text and metadata, so hits from any retriever are hydrated from here.

Safe publishing: retrieval/keyword_publish.py. Replicas' copies: retrieval/keyword_feed.py.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from retrieval import tokenize
from retrieval.keyword_browse import BrowsingReads, filter_sql
from retrieval.keyword_publish import STAGED_SUFFIX, PublishStaging, StagingLost
from retrieval.models import Chunk, SearchFilters

__all__ = ["STAGED_SUFFIX", "SqliteKeywordIndex", "StagingLost", "filter_sql", "index_tokens"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    industries TEXT NOT NULL,
    needs TEXT NOT NULL,
    locator TEXT NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS generation (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
INSERT OR IGNORE INTO generation(id, value) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS publish_journal (doc_id TEXT PRIMARY KEY, payload TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_words USING fts5(tokens, tokenize='unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_grams USING fts5(tokens, tokenize='unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS vocab_words USING fts5vocab(fts_words, 'row');
CREATE VIRTUAL TABLE IF NOT EXISTS vocab_grams USING fts5vocab(fts_grams, 'row');
"""
SCHEMA_VERSION = 2  # PRAGMA user_version; an older index is dropped and rebuilt by the next ingest
FTS_TABLES = {"words": ("fts_words", "vocab_words"), "grams": ("fts_grams", "vocab_grams")}
# Bigrams are many and individually weak, so they are pruned harder than words
# (on STARD: same recall, about half the bigram query time).
MAX_DOC_FREQUENCY = {"words": 0.10, "grams": 0.05}

# Per-query cap on terms: the rarest terms carry the ranking; very long
# questions otherwise pay for dozens of long posting lists.
MAX_QUERY_TERMS = 32

def _match_expr(terms: Sequence[str]) -> str | None:
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


class SqliteKeywordIndex(PublishStaging, BrowsingReads):
    """BM25 over jieba words and character bigrams, plus the chunk store: the schema, connections, writes,
    reads by id and search here; staged publishing in retrieval/keyword_publish.py, filtered browsing and
    the editor's statistics in retrieval/keyword_browse.py."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        conn = self._connect()
        with self._write_lock:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                # Derived data from an older layout: drop it all; the indexer sees the
                # registry's chunks missing here and re-indexes those documents.
                virtual = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")]
                for name in virtual:
                    conn.execute(f'DROP TABLE IF EXISTS "{name}"')
                plain = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                for name in plain:
                    if not name.startswith("sqlite_"):
                        conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            conn.executescript(SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.commit()
        self._size: int | None = None
        # told, after each committed write, which documents' live rows changed (retrieval/keyword_feed.py)
        self.on_change: Callable[[set[str]], None] | None = None

    def _changed(self, doc_ids: Iterable[str]) -> None:
        if self.on_change is not None:
            self.on_change(set(doc_ids))

    # -- connections: one per thread, so queries can run in parallel ------------
    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- writes -------------------------------------------------------------------
    def upsert(self, chunks: Iterable[Chunk], tokens: dict[str, tuple[str, str]] | None = None) -> int:
        """Insert or replace chunks; `tokens` may carry pre-computed (words, grams)."""
        rows = list(chunks)
        if not rows:
            return 0
        conn = self._connect()
        with self._write_lock, conn:
            self._delete_ids(conn, [c.chunk_id for c in rows])
            self._insert(conn, rows, tokens)
        self._size = None
        self._changed(c.doc_id for c in rows)
        return len(rows)

    @staticmethod
    def _insert(
        conn: sqlite3.Connection,
        rows: Sequence[Chunk],
        tokens: dict[str, tuple[str, str]] | None,
        *,
        staged: bool = False,
    ) -> None:
        for chunk in rows:
            meta = chunk.metadata
            cur = conn.execute(
                "INSERT INTO chunks(chunk_id, doc_id, ordinal, kind, status, industries, needs, locator, heading,"
                " text, metadata) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    chunk.chunk_id + STAGED_SUFFIX if staged else chunk.chunk_id,
                    chunk.doc_id,
                    chunk.ordinal,
                    meta.get("kind", ""),
                    "staging" if staged else meta.get("status", ""),
                    f",{meta.get('industries', '')},",
                    f",{meta.get('need_categories', '')},",
                    chunk.locator,
                    chunk.heading,
                    chunk.text,
                    json.dumps(meta, ensure_ascii=False),
                ),
            )
            words, grams = (tokens or {}).get(chunk.chunk_id) or index_tokens(chunk)
            conn.execute("INSERT INTO fts_words(rowid, tokens) VALUES (?,?)", (cur.lastrowid, words))
            conn.execute("INSERT INTO fts_grams(rowid, tokens) VALUES (?,?)", (cur.lastrowid, grams))

    @classmethod
    def _delete_rows(cls, conn: sqlite3.Connection, where: str, params: Sequence[object]) -> int:
        ids = [r[0] for r in conn.execute(f"SELECT chunk_id FROM chunks WHERE {where}", list(params))]
        return cls._delete_ids(conn, ids) if ids else 0

    @staticmethod
    def _delete_ids(conn: sqlite3.Connection, chunk_ids: Sequence[str]) -> int:
        # Every write passes here (upsert deletes first), inside its transaction.
        conn.execute("UPDATE generation SET value = value + 1 WHERE id = 1")
        removed = 0
        for start in range(0, len(chunk_ids), 500):
            part = list(chunk_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            rowids = [r[0] for r in conn.execute(f"SELECT rowid FROM chunks WHERE chunk_id IN ({marks})", part)]
            if rowids:
                rmarks = ",".join("?" * len(rowids))
                conn.execute(f"DELETE FROM fts_words WHERE rowid IN ({rmarks})", rowids)
                conn.execute(f"DELETE FROM fts_grams WHERE rowid IN ({rmarks})", rowids)
                conn.execute(f"DELETE FROM chunks WHERE rowid IN ({rmarks})", rowids)
                removed += len(rowids)
        return removed

    def delete(self, chunk_ids: Sequence[str]) -> int:
        conn = self._connect()
        ids = list(chunk_ids)
        with self._write_lock, conn:
            docs = {r[0] for i in range(0, len(ids), 500) for r in conn.execute(
                f"SELECT DISTINCT doc_id FROM chunks WHERE chunk_id IN ({','.join('?' * len(ids[i:i + 500]))})", ids[i:i + 500])}  # fmt: skip
            removed = self._delete_ids(conn, ids)
        self._size = None
        self._changed(docs)
        return removed

    # -- reads --------------------------------------------------------------------
    def generation(self) -> int:
        """A number that changes whenever the index content changes, in any process: for caches."""
        return int(self._connect().execute("SELECT value FROM generation WHERE id = 1").fetchone()[0])

    def chunk_ids(self, doc_id: str | None = None) -> set[str]:
        """Ids of the live (not staged) rows, of one document or all."""
        conn = self._connect()
        if doc_id is None:
            return {r[0] for r in conn.execute("SELECT chunk_id FROM chunks WHERE status != 'staging'")}
        sql = "SELECT chunk_id FROM chunks WHERE doc_id = ? AND status != 'staging'"
        return {r[0] for r in conn.execute(sql, (doc_id,))}

    def count(self) -> int:
        return int(self._connect().execute("SELECT count(*) FROM chunks").fetchone()[0])

    def get(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        """Hydrate chunks by id (unknown ids are absent from the result)."""
        found: dict[str, Chunk] = {}
        conn = self._connect()
        ids = list(chunk_ids)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in conn.execute(
                f"SELECT chunk_id, doc_id, ordinal, locator, heading, text, metadata FROM chunks"
                f" WHERE chunk_id IN ({marks})",
                part,
            ):
                found[row[0]] = Chunk(
                    chunk_id=row[0],
                    doc_id=row[1],
                    ordinal=row[2],
                    locator=row[3],
                    heading=row[4],
                    text=row[5],
                    metadata=json.loads(row[6]),
                )
        return found

    def _useful_terms(self, vocab: str, terms: Sequence[str], max_df: float) -> list[str]:
        """Terms present in the index and not too common, rarest first, at most MAX_QUERY_TERMS."""
        if not terms:
            return []
        conn = self._connect()
        size = self._size  # read once: a writer in another thread may reset it to None meanwhile
        if size is None:
            size = self._size = self.count()
        marks = ",".join("?" * len(terms))
        df = dict(conn.execute(f"SELECT term, doc FROM {vocab} WHERE term IN ({marks})", list(terms)).fetchall())
        limit = max(1.0, max_df * size)
        useful = [t for t in terms if 0 < df.get(t, 0) <= limit]
        if not useful:  # only common terms: better a weak ranking than none
            useful = [t for t in terms if df.get(t, 0) > 0]
        return sorted(useful, key=lambda t: df[t])[:MAX_QUERY_TERMS]

    def search(
        self, column: str, terms: Sequence[str], *, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """BM25 over 'words' or 'grams'; returns (chunk_id, score), best first, published only."""
        table, vocab = FTS_TABLES[column]
        expr = _match_expr(self._useful_terms(vocab, list(terms), MAX_DOC_FREQUENCY[column]))
        if expr is None:
            return []
        conn = self._connect()
        if filters is None or filters.empty:
            # FTS alone is fastest; the status check then runs on k rows only.
            ranked = conn.execute(
                f"SELECT rowid, -bm25({table}) FROM {table} WHERE {table} MATCH ? ORDER BY bm25({table}) LIMIT ?",
                (expr, k),
            ).fetchall()
            if not ranked:
                return []
            marks = ",".join("?" * len(ranked))
            ids = {
                r[0]: r[1]
                for r in conn.execute(
                    f"SELECT rowid, chunk_id FROM chunks WHERE rowid IN ({marks}) AND status = 'published'",
                    [r[0] for r in ranked],
                )
            }
            return [(ids[rowid], float(score)) for rowid, score in ranked if rowid in ids]
        where, params = filter_sql(filters)
        sql = (
            f"SELECT c.chunk_id, -bm25({table}) FROM {table} JOIN chunks c ON c.rowid = {table}.rowid"
            f" WHERE {table} MATCH ? AND {where} ORDER BY bm25({table}) LIMIT ?"
        )
        return [(r[0], float(r[1])) for r in conn.execute(sql, [expr, *params, k])]


def index_tokens(chunk: Chunk) -> tuple[str, str]:
    """The (words, grams) strings stored in FTS5 for a chunk."""
    return tokenize.index_strings(chunk.index_text)
