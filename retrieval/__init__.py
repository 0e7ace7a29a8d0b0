"""Retrieval: Chinese-aware chunking, embeddings, Chroma, FTS5 BM25 and hybrid fusion.

The names below load on first use (PEP 562), so a process that needs one
light module, such as an ingest worker, does not import Chroma and LangChain.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ChunkingConfig": "retrieval.chunking",
    "chunk_document": "retrieval.chunking",
    "Embedder": "retrieval.embeddings",
    "UseEmbedder": "retrieval.embeddings",
    "FusionWeights": "retrieval.hybrid",
    "HybridRetriever": "retrieval.hybrid",
    "Indexer": "retrieval.indexer",
    "IngestReport": "retrieval.indexer",
    "SqliteKeywordIndex": "retrieval.keyword_index",
    "TopAdvisorRetriever": "retrieval.langchain",
    "Chunk": "retrieval.models",
    "Hit": "retrieval.models",
    "SearchFilters": "retrieval.models",
    "RecoveryReport": "retrieval.publishing",
    "SafePublisher": "retrieval.publishing",
    "RetrievalStack": "retrieval.stack",
    "open_stack": "retrieval.stack",
    "ChromaConfig": "retrieval.vector_store",
    "ChromaVectorStore": "retrieval.vector_store",
    "VectorStoreError": "retrieval.vector_store",
    "make_chroma_client": "retrieval.vector_store",
}

__all__ = [
    "ChromaConfig",
    "ChromaVectorStore",
    "Chunk",
    "ChunkingConfig",
    "Embedder",
    "FusionWeights",
    "Hit",
    "HybridRetriever",
    "Indexer",
    "IngestReport",
    "RecoveryReport",
    "RetrievalStack",
    "SafePublisher",
    "SearchFilters",
    "SqliteKeywordIndex",
    "TopAdvisorRetriever",
    "UseEmbedder",
    "VectorStoreError",
    "chunk_document",
    "make_chroma_client",
    "open_stack",
]

if TYPE_CHECKING:
    from retrieval.chunking import ChunkingConfig, chunk_document
    from retrieval.embeddings import Embedder, UseEmbedder
    from retrieval.hybrid import FusionWeights, HybridRetriever
    from retrieval.indexer import Indexer, IngestReport
    from retrieval.keyword_index import SqliteKeywordIndex
    from retrieval.langchain import TopAdvisorRetriever
    from retrieval.models import Chunk, Hit, SearchFilters
    from retrieval.publishing import RecoveryReport, SafePublisher
    from retrieval.stack import RetrievalStack, open_stack
    from retrieval.vector_store import ChromaConfig, ChromaVectorStore, VectorStoreError, make_chroma_client


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
