"""Retrieval: Chinese-aware chunking, embeddings, Chroma, FTS5 BM25 and hybrid fusion."""

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
