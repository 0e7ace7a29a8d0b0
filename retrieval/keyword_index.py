"""Persistent BM25 keyword index: SQLite FTS5 over pre-segmented Chinese text.

Two FTS5 tables are ranked separately: jieba words and character bigrams
(separate tables, not two columns of one: a column filter still decodes the
other column's positions, which cost ~40% more per query). The index is
updated per document at ingest time and never rebuilt per query. Query
terms found in more than 10% (words) or 5% (bigrams) of chunks are dropped: their IDF is near zero
but their posting lists are the longest. The `chunks` table also stores each
chunk's text and metadata, so hits from any retriever are hydrated from here.

Safe publishing (see retrieval/publishing.py): a new version's chunks are first
written with status `staging` under the id `<chunk_id>#staging` (never
retrievable: every read filters `status = 'published'`), then `swap` promotes
them and deletes the old version's rows in one transaction, which also writes
a `publish_journal` row for the registry update that follows.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from retrieval import tokenize
from retrieval.models import Chunk, SearchFilters

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

STAGED_SUFFIX = "#staging"  # never part of a real chunk id ("<doc_id>:<hex>[-n]")


class StagingLost(RuntimeError):
    """The staged rows of a publish are not all there (another process rolled them back)."""


def _match_expr(terms: Sequence[str]) -> str | None:
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def filter_sql(filters: SearchFilters | None) -> tuple[str, list[object]]:
    """SQL conditions on the `chunks` table (alias c); published only, always."""
    clauses = ["c.status = 'published'"]
    params: list[object] = []
    if filters is None:
        return " AND ".join(clauses), params
    if filters.kinds:
        clauses.append(f"c.kind IN ({','.join('?' * len(filters.kinds))})")
        params.extend(filters.kinds)
    if filters.doc_ids:
        clauses.append(f"c.doc_id IN ({','.join('?' * len(filters.doc_ids))})")
        params.extend(filters.doc_ids)
    if filters.industries:
        ors = ["instr(c.industries, ?) > 0" for _ in filters.industries] + ["instr(c.industries, ',all,') > 0"]
        clauses.append("(" + " OR ".join(ors) + ")")
        params.extend(f",{i}," for i in filters.industries)
    if filters.needs:
        ors = ["instr(c.needs, ?) > 0" for _ in filters.needs]
        clauses.append("(" + " OR ".join(ors) + ")")
        params.extend(f",{n}," for n in filters.needs)
    return " AND ".join(clauses), params


class SqliteKeywordIndex:
    """BM25 over jieba words and character bigrams, plus the chunk store."""

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

    # -- staged publishing ------------------------------------------------------------
    def stage(self, chunks: Sequence[Chunk], tokens: dict[str, tuple[str, str]] | None = None) -> int:
        """Write chunks as `staging` rows (not retrievable), replacing any staged earlier for their documents."""
        rows = list(chunks)
        conn = self._connect()
        with self._write_lock, conn:
            for doc_id in {c.doc_id for c in rows}:
                self._delete_rows(conn, "doc_id = ? AND status = 'staging'", [doc_id])
            self._insert(conn, rows, tokens, staged=True)
        self._size = None
        return len(rows)

    def staged_ids(self, doc_id: str | None = None) -> set[str]:
        """Ids (without the suffix) of staged rows, of one document or all."""
        where, params = ("status = 'staging'", []) if doc_id is None else ("status = 'staging' AND doc_id = ?", [doc_id])
        rows = self._connect().execute(f"SELECT chunk_id FROM chunks WHERE {where}", params)
        return {r[0].removesuffix(STAGED_SUFFIX) for r in rows}

    def clear_staged(self) -> int:
        """Delete every staged row (the rollback of publishes that never swapped)."""
        conn = self._connect()
        with self._write_lock, conn:
            removed = self._delete_rows(conn, "status = 'staging'", [])
        self._size = None
        return removed

    def swap(self, doc_id: str, *, expected: int, journal: dict[str, object]) -> None:
        """One transaction: the document's live rows go, its staged rows become published, and the
        journal records the registry update still to do. Raises StagingLost (changing nothing) when
        the staged rows are not all there."""
        conn = self._connect()
        with self._write_lock, conn:
            conn.execute("UPDATE generation SET value = value + 1 WHERE id = 1")
            self._delete_rows(conn, "doc_id = ? AND status != 'staging'", [doc_id])
            promoted = conn.execute(
                "UPDATE chunks SET chunk_id = substr(chunk_id, 1, length(chunk_id) - ?), status = 'published'"
                " WHERE doc_id = ? AND status = 'staging'",
                (len(STAGED_SUFFIX), doc_id),
            ).rowcount
            if promoted != expected:
                raise StagingLost(f"{doc_id}: {promoted} staged chunks found, {expected} expected")
            self._journal(conn, doc_id, journal)
        self._size = None
        self._changed([doc_id])

    def withdraw(self, doc_id: str, *, journal: dict[str, object]) -> int:
        """One transaction: every row of the document goes (out of retrieval at once), plus a journal row."""
        conn = self._connect()
        with self._write_lock, conn:
            conn.execute("UPDATE generation SET value = value + 1 WHERE id = 1")
            removed = self._delete_rows(conn, "doc_id = ?", [doc_id])
            self._journal(conn, doc_id, journal)
        self._size = None
        self._changed([doc_id])
        return removed

    @staticmethod
    def _journal(conn: sqlite3.Connection, doc_id: str, payload: dict[str, object]) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO publish_journal(doc_id, payload) VALUES (?, ?)",
            (doc_id, json.dumps(payload, ensure_ascii=False)),
        )

    def journal(self) -> list[dict[str, object]]:
        """Registry updates committed in the index but not yet confirmed done (see `swap`)."""
        rows = self._connect().execute("SELECT payload FROM publish_journal ORDER BY doc_id")
        return [json.loads(r[0]) for r in rows]

    def clear_journal(self, doc_id: str) -> None:
        conn = self._connect()
        with self._write_lock, conn:
            conn.execute("DELETE FROM publish_journal WHERE doc_id = ?", (doc_id,))

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

    def browse(self, filters: SearchFilters, *, heading_contains: str | None = None) -> list[Chunk]:
        """Every published chunk passing the filters, in document order (no ranking).

        For structured reads of small, filtered slices (one industry profile,
        the solution guides of one need category), where a search would cost
        an embedding for nothing.
        """
        where, params = filter_sql(filters)
        if heading_contains:
            where += " AND instr(c.heading, ?) > 0"
            params.append(heading_contains)
        rows = self._connect().execute(
            "SELECT chunk_id, doc_id, ordinal, locator, heading, text, metadata FROM chunks c"
            f" WHERE {where} ORDER BY c.doc_id, c.ordinal",
            params,
        )
        return [
            Chunk(chunk_id=r[0], doc_id=r[1], ordinal=r[2], locator=r[3], heading=r[4], text=r[5], metadata=json.loads(r[6]))
            for r in rows
        ]

    def allowed(self, chunk_ids: Sequence[str], filters: SearchFilters | None) -> set[str]:
        """The subset of chunk_ids that are published and pass the filters."""
        where, params = filter_sql(filters)
        conn = self._connect()
        ids = list(chunk_ids)
        keep: set[str] = set()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT c.chunk_id FROM chunks c WHERE c.chunk_id IN ({marks}) AND {where}"
            keep.update(r[0] for r in conn.execute(sql, [*part, *params]))
        return keep

    def published_documents(self) -> list[tuple[str, str, list[str], list[str]]]:
        """(doc_id, kind, industries, needs) of every retrievable document."""
        rows = self._connect().execute(
            "SELECT doc_id, min(kind), min(industries), min(needs) FROM chunks WHERE status = 'published'"
            " GROUP BY doc_id ORDER BY doc_id"
        )
        return [(r[0], r[1], [x for x in r[2].split(",") if x], [x for x in r[3].split(",") if x]) for r in rows]

    def duplicate_passages(self, limit: int = 50) -> list[tuple[str, list[str]]]:
        """Passages published, word for word, in more than one document: (text, doc_ids)."""
        rows = self._connect().execute(
            "SELECT text, group_concat(DISTINCT doc_id) FROM chunks WHERE status = 'published'"
            " GROUP BY text HAVING count(DISTINCT doc_id) > 1 LIMIT ?",
            (limit,),
        )
        return [(r[0], sorted(r[1].split(","))) for r in rows]

    def _useful_terms(self, vocab: str, terms: Sequence[str], max_df: float) -> list[str]:
        """Terms present in the index and not too common, rarest first, at most MAX_QUERY_TERMS."""
        if not terms:
            return []
        conn = self._connect()
        if self._size is None:
            self._size = self.count()
        marks = ",".join("?" * len(terms))
        df = dict(conn.execute(f"SELECT term, doc FROM {vocab} WHERE term IN ({marks})", list(terms)).fetchall())
        limit = max(1.0, max_df * self._size)
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
