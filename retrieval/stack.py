"""Wire the retrieval components around one registry, one embedder and one Chroma client.

The API container and the tests both build through `open_stack`, so there is
one place that decides how the pieces fit together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.store import DocumentRegistry, make_engine, migrate
from retrieval.embeddings import Embedder
from retrieval.hybrid import HybridRetriever
from retrieval.index_changes import IndexChanges
from retrieval.indexer import Indexer
from retrieval.keyword_index import SqliteKeywordIndex
from retrieval.vector_store import COLLECTION, ChromaVectorStore


@dataclass(frozen=True)
class RetrievalStack:
    registry: DocumentRegistry
    keyword_index: SqliteKeywordIndex
    vector_store: ChromaVectorStore
    embedder: Embedder
    indexer: Indexer
    retriever: HybridRetriever
    changes: IndexChanges | None = None  # announced over Redis pub/sub (retrieval/index_changes.py)

    def close(self) -> None:
        if self.changes is not None:
            self.changes.close()
        self.retriever.close()
        self.keyword_index.close()
        self.registry.engine.dispose()


def open_stack(
    *,
    database_url: str,
    keyword_index_path: Path,
    chroma_client: Any,
    embedder: Embedder,
    collection: str = COLLECTION,
    ingest_workers: int | None = None,
    chroma_reopen: Callable[[], Any] | None = None,
    keyword_feed: bool = False,
    redis_client: Any = None,
) -> RetrievalStack:
    """Open (and migrate) the registry, open both indexes, and wire indexer and retriever.
    With `redis_client`, index changes are announced to, and heard from, the other replicas at once."""
    engine = make_engine(database_url)
    migrate(engine)
    registry = DocumentRegistry(engine)
    vector_store = ChromaVectorStore(chroma_client, embedder, collection=collection, reopen=chroma_reopen)
    keyword_index = SqliteKeywordIndex(keyword_index_path)
    indexer = Indexer(
        registry=registry,
        keyword_index=keyword_index,
        vector_store=vector_store,
        embedder=embedder,
        workers=ingest_workers,
    )
    retriever = HybridRetriever(keyword_index=keyword_index, vector_store=vector_store, embedder=embedder)
    follow: Callable[..., object] | None = None
    if keyword_feed:  # replicas on several machines: this copy of the keyword index follows the database
        from retrieval.keyword_feed import KeywordFeed

        feed = KeywordFeed(engine, keyword_index)
        feed.start()
        retriever.before_read = follow = feed.follow
    changes = None
    if redis_client is not None:
        changes = announce_changes(redis_client, keyword_index, vector_store, follow)
    return RetrievalStack(registry, keyword_index, vector_store, embedder, indexer, retriever, changes)


def announce_changes(client: Any, keyword_index: SqliteKeywordIndex, vector_store: ChromaVectorStore,
                     follow: Callable[..., object] | None, *, channel: str | None = None) -> IndexChanges:  # fmt: skip
    """Announce this copy's committed writes (after the feed recorded them); on another's, catch up now."""

    def catch_up() -> None:
        if follow is not None:
            follow(force=True)
        vector_store.follow(keyword_index.generation())

    changes = IndexChanges(client, catch_up, **({"channel": channel} if channel else {}))
    recorded = keyword_index.on_change

    def changed(doc_ids: set[str]) -> None:
        if recorded is not None:
            recorded(doc_ids)
        changes.announce(keyword_index.generation())

    keyword_index.on_change = changed
    changes.start()
    return changes
