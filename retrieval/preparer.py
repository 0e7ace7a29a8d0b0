"""Embedding and tokenising chunks for the index, in worker processes for large ingests.

A worker receives passage texts and returns their embeddings and keyword-index
strings. It imports only this module, the embedder and the tokenizer (not
Chroma, LangChain or SQLAlchemy), so it is ready in about a second.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import TYPE_CHECKING

import numpy as np

from retrieval.embeddings import Embedder, UseEmbedder
from retrieval.tokenize import index_strings

if TYPE_CHECKING:
    from retrieval.models import Chunk

log = logging.getLogger(__name__)

Prepared = tuple[np.ndarray, dict[str, tuple[str, str]]]  # embeddings in chunk order, chunk id -> index strings

_worker_embedder: UseEmbedder | None = None


def _worker_init() -> None:
    global _worker_embedder
    # One BLAS thread per process: USE gains nothing from a second thread,
    # so two single-threaded workers use both cores.
    _worker_embedder = UseEmbedder(threads=1)
    _worker_embedder.warm_up()


def _worker_prepare(texts: list[str]) -> tuple[np.ndarray, list[tuple[str, str]]]:
    assert _worker_embedder is not None
    return _worker_embedder.embed(texts), [index_strings(t) for t in texts]


class ChunkPreparer:
    """Embeds and tokenises chunks; uses a process pool for large ingests."""

    def __init__(self, embedder: Embedder, workers: int | None = None) -> None:
        self.embedder = embedder
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def start_pool(self) -> None:
        if self._pool is None and self.workers > 1:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=get_context("spawn"), initializer=_worker_init
            )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def submit(self, chunks: Sequence[Chunk]) -> Callable[[], Prepared]:
        """Start preparing chunks; call the returned function for the result.

        With a pool the work runs in the workers while the caller writes the
        previous batch to the stores, so embedding and writing overlap.
        """
        chunks = list(chunks)
        if not chunks:
            empty: Prepared = (np.zeros((0, self.embedder.dim), dtype=np.float32), {})
            return lambda: empty
        if self._pool is None or len(chunks) < 2 * self.workers:
            emb = self.embedder.embed([c.index_text for c in chunks])
            ready = (emb, {c.chunk_id: index_strings(c.index_text) for c in chunks})
            return lambda: ready
        # Several small parts per worker keep both busy when parts differ in length.
        size = max(16, -(-len(chunks) // (4 * self.workers)))
        parts = [chunks[i : i + size] for i in range(0, len(chunks), size)]
        try:
            futures = [self._pool.submit(_worker_prepare, [c.index_text for c in part]) for part in parts]
        except (BrokenProcessPool, RuntimeError) as exc:
            return self._give_up_pool(exc, chunks)

        def result() -> Prepared:
            try:
                outputs = [f.result() for f in futures]
            except (BrokenProcessPool, RuntimeError) as exc:
                return self._give_up_pool(exc, chunks)()
            emb = np.concatenate([o[0] for o in outputs])
            tokens: dict[str, tuple[str, str]] = {}
            for part, (_, toks) in zip(parts, outputs):
                tokens.update({c.chunk_id: t for c, t in zip(part, toks)})
            return emb, tokens

        return result

    def _give_up_pool(self, exc: BaseException, chunks: list[Chunk]) -> Callable[[], Prepared]:
        # Worker processes cannot start, e.g. a script without an `if __name__ == "__main__"`
        # guard under the spawn start method: carry on in this process, only slower.
        log.warning("ingest worker processes unavailable (%s); embedding in-process", exc)
        self.close()
        return self.submit(chunks)

    def prepare(self, chunks: Sequence[Chunk]) -> Prepared:
        return self.submit(chunks)()
