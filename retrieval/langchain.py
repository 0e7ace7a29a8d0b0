"""Our hybrid search as a LangChain `BaseRetriever`, for anyone's LangChain chain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings as LangChainEmbeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.embeddings import Embedder
from retrieval.hybrid import HybridRetriever
from retrieval.models import Hit, SearchFilters


def hit_to_document(hit: Hit) -> LCDocument:
    data = hit.as_dict()
    text = data.pop("text")
    return LCDocument(page_content=text, metadata=data, id=hit.chunk.chunk_id)


class TopAdvisorRetriever(BaseRetriever):
    """`retriever.invoke("医院 等保三级")` -> Documents with doc_id, chunk_id, title, kind, source, score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: Any  # HybridRetriever; Any keeps pydantic from inspecting it
    k: int = 10
    filters: SearchFilters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        hybrid: HybridRetriever = self.hybrid
        return [hit_to_document(h) for h in hybrid.search(query, k=self.k, filters=self.filters)]


class LangChainEmbedder(LangChainEmbeddings):
    """Our embedder behind LangChain's interface, e.g. for langchain-chroma."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.embed([text])[0].tolist()
