"""Hybrid retrieval: jieba-word BM25 + character-bigram BM25 + dense, fused by score.

Why not plain reciprocal rank fusion: on STARD, RRF of dense and BM25 does not
beat BM25 at the top of the list (see bench/). Normalised-score fusion keeps
how *much* better the best keyword match is, the bigram signal catches
segmentation mismatches between a lay question and a statute, and a small
document-level term lifts passages whose document has several good matches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from retrieval import tokenize
from retrieval.embeddings import Embedder
from retrieval.keyword_index import SqliteKeywordIndex
from retrieval.models import Chunk, Hit, SearchFilters
from retrieval.vector_store import ChromaVectorStore


@dataclass(frozen=True)
class FusionWeights:
    words: float = 0.3
    grams: float = 0.3
    dense: float = 0.4
    document: float = 0.2  # weight of the per-document aggregate
    candidates: int = 100  # taken from each retriever before fusion


@dataclass(frozen=True)
class RankedLists:
    words: list[tuple[str, float]]
    grams: list[tuple[str, float]]
    dense: list[tuple[str, float]]


def _max_normalised(scored: list[tuple[str, float]]) -> dict[str, float]:
    if not scored:
        return {}
    top = max(s for _, s in scored) or 1.0
    return {cid: s / top for cid, s in scored}


def _min_max(scored: list[tuple[str, float]]) -> dict[str, float]:
    if not scored:
        return {}
    lo, hi = min(s for _, s in scored), max(s for _, s in scored)
    span = (hi - lo) or 1.0
    return {cid: (s - lo) / span for cid, s in scored}


def fuse(lists: RankedLists, weights: FusionWeights, doc_of: dict[str, str]) -> list[tuple[str, float]]:
    """Weighted sum of normalised scores plus a document-level boost; best first."""
    words, grams, dense = _max_normalised(lists.words), _max_normalised(lists.grams), _min_max(lists.dense)
    fused: dict[str, float] = {}
    for cid in set(words) | set(grams) | set(dense):
        fused[cid] = (
            weights.words * words.get(cid, 0.0)
            + weights.grams * grams.get(cid, 0.0)
            + weights.dense * dense.get(cid, 0.0)
        )
    if weights.document and fused:
        per_doc: dict[str, list[float]] = defaultdict(list)
        for cid, score in fused.items():
            per_doc[doc_of.get(cid, cid)].append(score)
        doc_score = {d: sum(sorted(v, reverse=True)[:3]) for d, v in per_doc.items()}
        best = max(doc_score.values()) or 1.0
        for cid in fused:
            fused[cid] += weights.document * doc_score[doc_of.get(cid, cid)] / best
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def _doc_of(chunk_id: str) -> str:
    # chunk ids are "<doc_id>:<hash>", so the document is known without a lookup
    return chunk_id.split(":", 1)[0]


class HybridRetriever:
    """The retrieval API: `search(query, k=..., filters=...) -> list[Hit]`."""

    def __init__(
        self,
        *,
        keyword_index: SqliteKeywordIndex,
        vector_store: ChromaVectorStore,
        embedder: Embedder,
        weights: FusionWeights | None = None,
    ) -> None:
        self.keyword_index = keyword_index
        self.vector_store = vector_store
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.dense_overfetch = 4
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="retrieval")
        # Called before each read: a replica's keyword copy catches up with the feed (retrieval/keyword_feed.py).
        self.before_read: Callable[[], object] | None = None

    def _catch_up(self) -> None:
        if self.before_read is not None:
            self.before_read()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def browse(self, filters: SearchFilters, *, heading_contains: str | None = None) -> list[Chunk]:
        """Every published chunk passing the filters, in document order: structured reads (one industry
        profile, the sections of a few documents) that need no ranking and no embedding."""
        self._catch_up()
        return self.keyword_index.browse(filters, heading_contains=heading_contains)

    @property
    def generation(self) -> int:
        """A number that changes whenever the indexed content changes, in any process: a cache key."""
        self._catch_up()
        return self.keyword_index.generation()

    def _dense(self, query: str, n: int, filters: SearchFilters | None) -> list[tuple[str, float]]:
        """Nearest chunks, filtered in SQLite after an unfiltered ANN query.

        With filters the ANN query over-fetches so that enough candidates
        survive; published-only is enforced here too, at the retrieval level.
        """
        vector = self.embedder.embed([query])[0]
        self.vector_store.follow(self.keyword_index.generation())  # another worker may have changed the index
        fetch = n if filters is None or filters.empty else n * self.dense_overfetch
        found = self.vector_store.search(vector, k=fetch)
        allowed = self.keyword_index.allowed([cid for cid, _ in found], filters)
        kept = [(cid, score) for cid, score in found if cid in allowed][:n]
        if filters is not None and (filters.doc_ids or filters.kinds) and len(kept) < n // 4:
            # A selective filter left few survivors: ask Chroma for exactly those documents/kinds.
            found = self.vector_store.search(vector, k=n, filters=filters)
            allowed = self.keyword_index.allowed([cid for cid, _ in found], filters)
            kept = [(cid, score) for cid, score in found if cid in allowed]
        return kept

    def ranked_lists(self, query: str, *, filters: SearchFilters | None = None, n: int | None = None) -> RankedLists:
        """The three candidate lists, computed in parallel (SQLite and numpy release the GIL)."""
        n = n or self.weights.candidates
        self._catch_up()
        words = tokenize.unique(tokenize.words(query))
        grams = tokenize.unique(tokenize.bigrams(query))
        f_words = self._pool.submit(self.keyword_index.search, "words", words, k=n, filters=filters)
        f_grams = self._pool.submit(self.keyword_index.search, "grams", grams, k=n, filters=filters)
        dense = self._dense(query, n, filters) if query.strip() else []
        return RankedLists(words=f_words.result(), grams=f_grams.result(), dense=dense)

    def search(self, query: str, *, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        """Top-k published passages for a query, best first."""
        if not query.strip() or k <= 0:
            return []
        lists = self.ranked_lists(query, filters=filters)
        fused = fuse(lists, self.weights, doc_of={cid: _doc_of(cid) for cid, _ in lists.words + lists.grams + lists.dense})
        top = fused[:k]
        chunks = self.keyword_index.get([cid for cid, _ in top])
        dense_rank = {cid: i + 1 for i, (cid, _) in enumerate(lists.dense)}
        keyword_rank = {cid: i + 1 for i, (cid, _) in enumerate(lists.words)}
        return [
            Hit(chunk=chunks[cid], score=score, dense_rank=dense_rank.get(cid), keyword_rank=keyword_rank.get(cid))
            for cid, score in top
            if cid in chunks
        ]
