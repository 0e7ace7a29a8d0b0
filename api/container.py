"""Build every component once from settings; the CLI and the app share it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from api.settings import Settings
from corpus.store import DocumentRegistry, make_engine, migrate
from retrieval.embeddings import UseEmbedder
from retrieval.hybrid import HybridRetriever
from retrieval.indexer import Indexer
from retrieval.keyword_index import SqliteKeywordIndex
from retrieval.vector_store import ChromaVectorStore, make_chroma_client

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@dataclass(frozen=True)
class Container:
    settings: Settings
    registry: DocumentRegistry
    keyword_index: SqliteKeywordIndex
    vector_store: ChromaVectorStore
    embedder: UseEmbedder
    indexer: Indexer
    retriever: HybridRetriever

    def close(self) -> None:
        self.retriever.close()
        self.keyword_index.close()
        self.registry.engine.dispose()


def build_container(settings: Settings) -> Container:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    registry = DocumentRegistry(engine)
    embedder = UseEmbedder(threads=settings.embedding_threads)
    config = settings.chroma_config
    vector_store = ChromaVectorStore(make_chroma_client(config), embedder, collection=config.collection)
    keyword_index = SqliteKeywordIndex(settings.keyword_index_path)
    indexer = Indexer(
        registry=registry,
        keyword_index=keyword_index,
        vector_store=vector_store,
        embedder=embedder,
        workers=settings.ingest_workers,
    )
    retriever = HybridRetriever(keyword_index=keyword_index, vector_store=vector_store, embedder=embedder)
    return Container(
        settings=settings,
        registry=registry,
        keyword_index=keyword_index,
        vector_store=vector_store,
        embedder=embedder,
        indexer=indexer,
        retriever=retriever,
    )
