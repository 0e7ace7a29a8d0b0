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

    def close(self) -> None:
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
) -> RetrievalStack:
    """Open (and migrate) the registry, open both indexes, and wire indexer and retriever."""
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
    if keyword_feed:  # replicas on several machines: this copy of the keyword index follows the database
        from retrieval.keyword_feed import KeywordFeed

        feed = KeywordFeed(engine, keyword_index)
        feed.start()
        retriever.before_read = feed.follow
    return RetrievalStack(registry, keyword_index, vector_store, embedder, indexer, retriever)
