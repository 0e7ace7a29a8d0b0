"""Staged publishing in the keyword index (see retrieval/publishing.py): a new version's chunks are first
written with status `staging` under the id `<chunk_id>#staging` (never retrievable: every read filters
`status = 'published'`), then `swap` promotes them and deletes the old version's rows in one transaction,
which also writes a `publish_journal` row for the registry update that follows.

A mixin of SqliteKeywordIndex (retrieval/keyword_index.py), whose connection, lock and row helpers it uses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from retrieval.models import Chunk

STAGED_SUFFIX = "#staging"  # never part of a real chunk id ("<doc_id>:<hex>[-n]")


class StagingLost(RuntimeError):
    """The staged rows of a publish are not all there (another process rolled them back)."""


class PublishStaging:
    _connect: Any
    _write_lock: Any
    _insert: Any
    _delete_rows: Any
    _changed: Any
    _size: int | None

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
