"""Ingest a corpus directory into the registry, the keyword index and the vector store.

The registry decides: an unchanged document (same content hash) is skipped, a
changed one gets its new chunks written before its stale ones are deleted and
its registry row updated last, and a document gone from its corpus directory
is removed. A crash between those steps leaves chunks the registry does not
list; `reconcile()` (run at the start of every full ingest) deletes them.

Editor-managed documents (registry origin `editor`) go through `publish` and
`retire` instead, which swap atomically (retrieval/publishing.py); directory
ingests leave them alone even when a file with the same id exists.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from corpus.document import Document, Status
from corpus.store import EDITOR_ORIGIN, DocumentRegistry
from corpus.validate import Problem, load_corpus
from retrieval.chunking import ChunkingConfig, chunk_document
from retrieval.embeddings import Embedder
from retrieval.keyword_index import SqliteKeywordIndex, index_tokens
from retrieval.models import Chunk
from retrieval.preparer import ChunkPreparer, Prepared
from retrieval.publishing import RecoveryReport, SafePublisher
from retrieval.vector_store import ChromaVectorStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, current document id)

BATCH_CHUNKS = 512
# Below this many chunks, starting worker processes (~2 s) costs more than it saves.
PARALLEL_MIN_CHUNKS = 400


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    editor_owned: list[str] = field(default_factory=list)  # managed in the editor: the file is ignored
    problems: list[Problem] = field(default_factory=list)
    chunks_written: int = 0
    orphans_removed: int = 0  # chunks no registry row listed (an interrupted ingest)
    seconds: float = 0.0

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_written / self.seconds if self.seconds else 0.0


class Indexer:
    """Keeps the keyword index and the vector store in step with the registry."""

    def __init__(
        self,
        *,
        registry: DocumentRegistry,
        keyword_index: SqliteKeywordIndex,
        vector_store: ChromaVectorStore,
        embedder: Embedder,
        chunking: ChunkingConfig | None = None,
        workers: int | None = None,
    ) -> None:
        self.registry = registry
        self.keyword_index = keyword_index
        self.vector_store = vector_store
        self.chunking = chunking or ChunkingConfig()
        self.preparer = ChunkPreparer(embedder, workers)
        self.publisher = SafePublisher(self)
        self._after_ingest: list[Callable[[IngestReport], object]] = []

    def after_ingest(self, listener: Callable[[IngestReport], object]) -> None:
        """Call `listener` with the report at the end of every directory ingest (the editor's list of
        file documents follows the registry this way)."""
        self._after_ingest.append(listener)

    def is_empty(self) -> bool:
        return not self.registry.all()

    # -- single documents -------------------------------------------------------------
    def prepare(self, chunks: list[Chunk]) -> Callable[[], tuple[list[Chunk], Prepared]]:
        """Start embedding the chunks the vector store does not have yet; the returned call waits for
        (fresh chunks, their embeddings and tokens). The publisher stages one document this way.

        Chunk ids hash the passage, so an id already stored means the same
        text: only its metadata may have changed, and no embedding is needed.
        """
        stored = self.vector_store.existing([c.chunk_id for c in chunks]) if chunks else set()
        fresh = [c for c in chunks if c.chunk_id not in stored]
        result = self.preparer.submit(fresh)
        return lambda: (fresh, result())

    def _write(self, chunks: list[Chunk], fresh: list[Chunk], prepared: Prepared) -> None:
        if not chunks:
            return
        emb, tokens = prepared
        fresh_ids = {c.chunk_id for c in fresh}
        kept = [c for c in chunks if c.chunk_id not in fresh_ids]
        self.vector_store.upsert(fresh, emb)
        self.vector_store.update_metadata(kept)
        tokens.update({c.chunk_id: index_tokens(c) for c in kept})
        self.keyword_index.upsert(chunks, tokens)

    def _drop_stale(self, doc_id: str, keep: set[str]) -> None:
        row = self.registry.get(doc_id)
        stale = set(row.chunk_ids if row else []) - keep
        if stale:
            self.vector_store.delete(sorted(stale))
            self.keyword_index.delete(sorted(stale))

    def remove_document(self, doc_id: str) -> None:
        self._drop_stale(doc_id, keep=set())
        self.registry.remove(doc_id)

    def _commit(self, document: Document, chunks: list[Chunk], origin: str) -> None:
        keep = {c.chunk_id for c in chunks}
        self._drop_stale(document.id, keep)
        self.registry.save(
            doc_id=document.id,
            title=document.meta.title,
            kind=document.meta.kind.value,
            version=document.meta.version,
            status=document.meta.status.value,
            content_hash=document.content_hash,
            origin=origin,
            path=document.path or "",
            chunk_ids=[c.chunk_id for c in chunks],
        )

    # -- editor-managed documents: atomic swap (retrieval/publishing.py) -----------------
    def publish(self, document: Document, *, path: str = "") -> list[str]:
        """Index a published version and swap it in; the previous version serves until the swap."""
        return self.publisher.publish(document, origin=EDITOR_ORIGIN, path=path)

    def retire(self, doc_id: str) -> bool:
        """Take a document out of retrieval in one transaction."""
        return self.publisher.retire(doc_id)

    def recover(self) -> RecoveryReport:
        """Finish or roll back publishes a dead process left half done; run at every start."""
        return self.publisher.recover()

    # -- whole directories ----------------------------------------------------------
    def reconcile(self) -> tuple[int, set[str]]:
        """Make the stores agree with the registry.

        Deletes chunks no registry row lists (left by an interrupted ingest)
        and returns the documents with chunks missing from a store (e.g. a
        deleted Chroma directory), which the caller must re-index.
        """
        with self.publisher.lock.hold():  # a publish in flight has vectors no registry row lists yet
            listed = self.registry.indexed_chunk_ids()
            in_kw, in_vec = self.keyword_index.chunk_ids(), self.vector_store.chunk_ids()
            orphans_kw, orphans_vec = in_kw - listed, in_vec - listed
            if orphans_kw:
                self.keyword_index.delete(sorted(orphans_kw))
            if orphans_vec:
                self.vector_store.delete(sorted(orphans_vec))
        missing = listed - (in_kw & in_vec)
        damaged = {cid.split(":", 1)[0] for cid in missing}
        return len(orphans_kw | orphans_vec), damaged

    def ingest(self, root: Path, *, progress: Progress | None = None, prune: bool = True) -> IngestReport:
        started = time.perf_counter()
        root = root.resolve()
        origin = str(root)
        report = IngestReport()
        report.orphans_removed, damaged = self.reconcile()
        if not root.exists():
            # Never prune on a missing directory (an unmounted volume, a typo): that would wipe the index.
            report.problems = [Problem(str(root), 1, "path", "no such file or directory; nothing was changed")]
            report.seconds = time.perf_counter() - started
            return report
        loaded = load_corpus(root)
        report.problems = loaded.problems
        known = {row.id: row for row in self.registry.all()}

        todo: list[Document] = []
        for document in loaded.documents:
            row = known.get(document.id)
            if row is not None and row.origin == EDITOR_ORIGIN:
                report.editor_owned.append(document.id)
            elif row is not None and row.content_hash == document.content_hash and document.id not in damaged:
                report.unchanged.append(document.id)
                self.registry.relocate(document.id, origin=origin, path=document.path or "")
            else:
                todo.append(document)

        planned = {d.id: chunk_document(d, self.chunking) if d.meta.status is Status.published else [] for d in todo}
        total = sum(len(c) for c in planned.values())
        if total >= PARALLEL_MIN_CHUNKS:
            self.preparer.start_pool()
        batches: list[tuple[list[Chunk], list[tuple[Document, list[Chunk]]]]] = [([], [])]
        for document in todo:
            chunks = planned[document.id]
            if len(batches[-1][0]) >= BATCH_CHUNKS:
                batches.append(([], []))
            batches[-1][0].extend(chunks)
            batches[-1][1].append((document, chunks))
        done = 0
        try:
            # Two batches in flight: workers never wait for the writer between batches.
            in_flight = [self.prepare(b[0]) for b in batches[:2]]
            for i, (batch, pending) in enumerate(batches):
                fresh, prepared = in_flight.pop(0)()
                if i + 2 < len(batches):
                    in_flight.append(self.prepare(batches[i + 2][0]))
                self._write(batch, fresh, prepared)
                self._record(pending, origin, known, report)
                report.chunks_written += len(batch)
                done += len(batch)
                if progress:
                    progress(done, total, pending[-1][0].id if pending else "")
        finally:
            self.preparer.close()

        if prune:
            present = {d.id for d in loaded.documents}
            bad_paths = set(loaded.bad_files)
            for row in self.registry.by_origin(origin):
                # A file that failed validation keeps its last good version indexed.
                if row.id not in present and row.path not in bad_paths:
                    self.remove_document(row.id)
                    report.removed.append(row.id)
        report.seconds = time.perf_counter() - started
        for listener in self._after_ingest:
            listener(report)
        return report

    def _record(
        self,
        pending: list[tuple[Document, list[Chunk]]],
        origin: str,
        known: Mapping[str, object],
        report: IngestReport,
    ) -> None:
        for document, chunks in pending:
            self._commit(document, chunks, origin)
            if document.meta.status is not Status.published:
                report.unpublished.append(document.id)
            (report.updated if document.id in known else report.added).append(document.id)
