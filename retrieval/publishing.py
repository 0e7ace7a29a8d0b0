"""Publish and retire single documents without ever serving a half-written version.

    publish(document):  chunks → vectors + keyword rows with status `staging` (not retrievable)
                        → ONE keyword-index transaction: old rows out, staged rows published, journal row in
                        → registry row updated, old vectors deleted, journal row cleared
    retire(doc_id):     ONE keyword-index transaction deletes every row of the document (out of retrieval
                        at once) and writes a journal row → registry row marked retired, vectors deleted

Dense hits are always filtered through the keyword index (`allowed()`), so a vector without a
published keyword row is never returned: the keyword-index transaction is the single commit point.

Recovery (`recover()`, run by `api.container.build_container` at every start) is deterministic:
  * a journal row means the swap committed: the registry update is finished (rolled forward);
  * `staging` rows mean a publish died before its swap: they are deleted (rolled back), and the
    document keeps serving its last published version;
  * vectors no registry row lists (of a rolled-back publish) are deleted: a full `reconcile()` runs
    when the intent file (`<keyword index>.publishing`, written before a publish touches the stores
    and removed after it finished) says a publish was interrupted, so clean starts stay cheap.
Publishes, ingest reconciliation and recovery hold one lock: a thread lock plus an `flock` on a file
beside the keyword index. The kernel drops an `flock` when its process dies, so a recovering process
that gets the lock knows no publish is in flight, and never rolls back another process's live publish.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.document import Document, Status
from corpus.store import EDITOR_ORIGIN
from retrieval.chunking import chunk_document
from retrieval.keyword_index import index_tokens

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: the thread lock alone (one process per data dir)
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from retrieval.indexer import Indexer

# (phase, doc_id) after "vectors", "staged" and "swapped": a seam for crash tests, no-op in production.
Checkpoint = Callable[[str, str], None]


class PublishLock:
    """Serialises publishes across threads and processes (flock on `path`, if given); re-entrant per thread."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._thread_lock = threading.Lock()
        self._local = threading.local()

    @contextmanager
    def hold(self, *, wait: bool = True) -> Iterator[bool]:
        """Yields True while holding the lock; with wait=False yields False if someone else holds it."""
        if getattr(self._local, "depth", 0):
            self._local.depth += 1
            try:
                yield True
            finally:
                self._local.depth -= 1
            return
        if not self._thread_lock.acquire(blocking=wait):
            yield False
            return
        try:
            with self._file_lock(wait) as held:
                if held:
                    self._local.depth = 1
                try:
                    yield held
                finally:
                    self._local.depth = 0
        finally:
            self._thread_lock.release()

    @contextmanager
    def _file_lock(self, wait: bool) -> Iterator[bool]:
        if self.path is None or fcntl is None:
            yield True
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclass
class RecoveryReport:
    rolled_forward: list[str] = field(default_factory=list)  # documents whose committed swap was finished
    rolled_back: int = 0  # staged chunks of publishes that died before their swap
    orphans_removed: int = 0
    busy: bool = False  # another process was publishing: nothing was touched


class SafePublisher:
    """Publish/retire one document at a time with an atomic swap; see the module docstring."""

    def __init__(self, indexer: Indexer) -> None:
        self.ix = indexer
        path = indexer.keyword_index.path
        self.lock = PublishLock(None if path == ":memory:" else Path(path + ".publish.lock"))
        self.intent = None if path == ":memory:" else Path(path + ".publishing")
        self.checkpoint: Checkpoint | None = None

    def _reached(self, phase: str, doc_id: str) -> None:
        if self.checkpoint is not None:
            self.checkpoint(phase, doc_id)

    def publish(self, document: Document, *, origin: str = EDITOR_ORIGIN, path: str = "") -> list[str]:
        """Index `document` (its meta.status must be published) and swap it in; returns its chunk ids."""
        if document.meta.status is not Status.published:
            raise ValueError(f"{document.id}: only a document with status published can be published")
        ix = self.ix
        chunks = chunk_document(document, ix.chunking)
        with self.lock.hold():
            self._intend(document.id)
            fresh, (emb, tokens) = ix.prepare(chunks)()
            fresh_ids = {c.chunk_id for c in fresh}
            ix.vector_store.upsert(fresh, emb)
            self._reached("vectors", document.id)
            tokens.update({c.chunk_id: index_tokens(c) for c in chunks if c.chunk_id not in fresh_ids})
            ix.keyword_index.stage(chunks, tokens)
            self._reached("staged", document.id)
            payload: dict[str, Any] = {
                "action": "publish",
                "doc_id": document.id,
                "title": document.meta.title,
                "kind": document.meta.kind.value,
                "version": document.meta.version,
                "status": Status.published.value,
                "content_hash": document.content_hash,
                "origin": origin,
                "path": path or document.path or "",
                "chunk_ids": [c.chunk_id for c in chunks],
            }
            ix.keyword_index.swap(document.id, expected=len(chunks), journal=payload)
            self._reached("swapped", document.id)
            self._finish(payload)
            self._intend(None)
        return payload["chunk_ids"]

    def _intend(self, doc_id: str | None) -> None:
        """Record (or clear) the publish under way, so recovery knows to look for its leftovers."""
        if self.intent is None:
            return
        if doc_id is None:
            self.intent.unlink(missing_ok=True)
        else:
            self.intent.write_text(doc_id, encoding="utf-8")

    def interrupted(self) -> bool:
        return self.intent is None or self.intent.exists()

    def retire(self, doc_id: str) -> bool:
        """Take a document out of retrieval at once; False if it was not indexed."""
        with self.lock.hold():
            row = self.ix.registry.get(doc_id)
            if row is None or (not row.chunk_ids and row.status == Status.retired.value):
                return False
            payload: dict[str, Any] = {
                "action": "retire",
                "doc_id": doc_id,
                "title": row.title,
                "kind": row.kind,
                "version": row.version,
                "status": Status.retired.value,
                "content_hash": row.content_hash,
                "origin": EDITOR_ORIGIN,
                "path": row.path,
                "chunk_ids": [],
            }
            self.ix.keyword_index.withdraw(doc_id, journal=payload)
            self._finish(payload)
        return True

    def _finish(self, payload: dict[str, Any]) -> None:
        """The registry half of a committed swap; idempotent, so recovery may repeat it."""
        ix, doc_id = self.ix, str(payload["doc_id"])
        row = ix.registry.get(doc_id)
        stale = set(row.chunk_ids if row else []) - set(payload["chunk_ids"])
        ix.registry.save(**{k: v for k, v in payload.items() if k != "action"})
        if stale:
            ix.vector_store.delete(sorted(stale))
        ix.keyword_index.clear_journal(doc_id)

    def recover(self) -> RecoveryReport:
        """Finish committed swaps, roll back uncommitted publishes, drop orphans; see the module docstring."""
        report = RecoveryReport()
        with self.lock.hold(wait=False) as held:
            if not held:
                report.busy = True
                return report
            for payload in self.ix.keyword_index.journal():
                self._finish(payload)
                report.rolled_forward.append(str(payload["doc_id"]))
            report.rolled_back = self.ix.keyword_index.clear_staged()
            if self.interrupted() or report.rolled_back or report.rolled_forward:
                report.orphans_removed, _ = self.ix.reconcile()
                self._intend(None)
        return report
