"""The keyword index's change feed in the application database, so every replica keeps its own FTS5 copy.

The SQLite keyword index (retrieval/keyword_index.py) is a file on one machine. With replicas on several
machines, each has its own copy, kept current from the database:

- a writer (ingest, publish, retire, in any replica or the CLI) records every document whose live rows
  changed: `keyword_feed` holds one row per document (its rows and tokens, or none once it is gone), and
  a changed document's row is replaced, so it gets the newest `generation`. Writers append one at a time
  (an advisory lock in PostgreSQL; SQLite writes one at a time anyway), so generations are committed in
  order and a reader never skips one;
- a reader (`follow`, at most every `interval` seconds, before a search or browse) applies the rows with a
  generation above the one its copy has applied (kept inside the copy, so workers sharing a file apply
  each change once), replacing each document's live rows. Applying is idempotent: the writer's own copy
  re-applies its own change once;
- on start (`start`), an empty copy is rebuilt from the feed, and an existing index whose feed is empty
  (the first start with the feed on) seeds the feed with every document.

Staged rows and the publish journal stay local to the writer (retrieval/publishing.py).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import BigInteger, Engine, Integer, String, Text, delete, func, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from corpus.store import migrate
from retrieval.keyword_index import SqliteKeywordIndex

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "retrieval_alembic_version"
FEED_LOCK = 0x70A0_0002  # PostgreSQL advisory lock key held while a change is appended
ROW_COLUMNS = "chunk_id, doc_id, ordinal, kind, status, industries, needs, locator, heading, text, metadata"


class FeedBase(DeclarativeBase):
    pass


class FeedRow(FeedBase):
    __tablename__ = "keyword_feed"

    generation: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                                            autoincrement=True)  # fmt: skip
    doc_id: Mapped[str] = mapped_column(String(200), unique=True)
    rows_json: Mapped[str] = mapped_column(Text)


def migrate_feed(engine: Engine) -> None:
    migrate(engine, MIGRATIONS)


class KeywordFeed:
    """Connects one keyword index copy to the feed: `attach` records its writes, `follow` applies others'."""

    def __init__(self, engine: Engine, index: SqliteKeywordIndex, *, interval: float = 1.0) -> None:
        self.engine = engine
        self.index = index
        self.interval = interval
        self._checked = 0.0
        self._lock = threading.Lock()
        migrate_feed(engine)
        with index._write_lock, index._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS feed_state (id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL)")
            conn.execute("INSERT OR IGNORE INTO feed_state(id, applied) VALUES (1, 0)")

    def start(self) -> int:
        """Seed an empty feed from this copy, or bring this copy up to the feed; then record its writes.
        Returns how many documents were applied."""
        with self.engine.connect() as conn:
            empty = conn.scalar(select(func.count()).select_from(FeedRow)) == 0
        if empty and self.index.count():
            self.record(self._documents())
        applied = self.follow(force=True)
        self.index.on_change = self.record
        return applied

    # -- writing --------------------------------------------------------------------------------
    def record(self, doc_ids: Iterable[str]) -> None:
        """Append the current live rows of these documents (none: the document is gone)."""
        changes = [(doc_id, json.dumps(self._rows(doc_id), ensure_ascii=False)) for doc_id in sorted(set(doc_ids))]
        if not changes:
            return
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({FEED_LOCK})")
            conn.execute(delete(FeedRow).where(FeedRow.doc_id.in_([d for d, _ in changes])))
            conn.execute(insert(FeedRow), [{"doc_id": d, "rows_json": rows} for d, rows in changes])

    def _documents(self) -> list[str]:
        return [r[0] for r in self.index._connect().execute("SELECT DISTINCT doc_id FROM chunks WHERE status != 'staging'")]

    def _rows(self, doc_id: str) -> list[list[object]]:
        conn = self.index._connect()
        rows = conn.execute(
            f"SELECT c.rowid, {ROW_COLUMNS} FROM chunks c WHERE doc_id = ? AND status != 'staging' ORDER BY ordinal", (doc_id,)
        ).fetchall()
        out = []
        for rowid, *columns in rows:
            words = conn.execute("SELECT tokens FROM fts_words WHERE rowid = ?", (rowid,)).fetchone()
            grams = conn.execute("SELECT tokens FROM fts_grams WHERE rowid = ?", (rowid,)).fetchone()
            out.append([*columns, words[0] if words else "", grams[0] if grams else ""])
        return out

    # -- reading --------------------------------------------------------------------------------
    def applied(self) -> int:
        return int(self.index._connect().execute("SELECT applied FROM feed_state WHERE id = 1").fetchone()[0])

    def follow(self, *, force: bool = False) -> int:
        """Apply the changes this copy has not seen; returns how many documents changed."""
        now = time.monotonic()
        if not force and now - self._checked < self.interval:
            return 0
        with self._lock:
            self._checked = now
            applied = self.applied()
            with self.engine.connect() as conn:
                changes = conn.execute(
                    select(FeedRow.generation, FeedRow.doc_id, FeedRow.rows_json)
                    .where(FeedRow.generation > applied).order_by(FeedRow.generation)
                ).all()  # fmt: skip
            if changes:
                self._apply([(int(g), str(d), str(r)) for g, d, r in changes])
            return len(changes)

    def _apply(self, changes: list[tuple[int, str, str]]) -> None:
        index = self.index
        conn = index._connect()
        with index._write_lock, conn:
            for generation, doc_id, rows_json in changes:
                index._delete_rows(conn, "doc_id = ? AND status != 'staging'", [doc_id])
                for row in json.loads(rows_json):
                    _insert_row(conn, row)
                conn.execute("UPDATE feed_state SET applied = max(applied, ?) WHERE id = 1", (generation,))
        index._size = None


def _insert_row(conn: sqlite3.Connection, row: list[object]) -> None:
    *columns, words, grams = row
    cur = conn.execute(f"INSERT INTO chunks({ROW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", columns)
    conn.execute("INSERT INTO fts_words(rowid, tokens) VALUES (?,?)", (cur.lastrowid, words))
    conn.execute("INSERT INTO fts_grams(rowid, tokens) VALUES (?,?)", (cur.lastrowid, grams))
