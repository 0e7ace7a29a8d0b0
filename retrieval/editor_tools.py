"""What editors see before and after publishing: chunk preview, hit test, corpus health.

Hit test: "if this version were published, which chunks would this query retrieve, and at what
rank?" It is answered by running the production ranking on the corpus as it would be:
  * keyword: a snapshot copy of the live keyword index (SQLite backup API) with this document's
    live chunks replaced by the version's, searched with the same BM25 code;
  * dense: the live ANN candidates (without this document) plus the version's chunks scored by
    cosine against the same query embedding;
  * the three lists fused by `hybrid.fuse` with the retriever's weights.
The copy costs time proportional to the index size (well under a second for the starter corpus);
it is an editor action, not a partner query path.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES, Document
from corpus.store import EDITOR_ORIGIN, DocumentRegistry
from corpus.validate import parse_file
from retrieval import tokenize
from retrieval.chunking import ChunkingConfig, chunk_document
from retrieval.hybrid import HybridRetriever, RankedLists, fuse
from retrieval.keyword_index import SqliteKeywordIndex

__all__ = ["corpus_health", "hit_test", "preview"]


def preview(document: Document, chunking: ChunkingConfig | None = None) -> list[dict[str, Any]]:
    """The chunks exactly as indexing would make them."""
    return [
        {"chunk_id": c.chunk_id, "ordinal": c.ordinal, "locator": c.locator, "heading": c.heading, "text": c.text}
        for c in chunk_document(document, chunking)
    ]


def _snapshot(index: SqliteKeywordIndex, target: Path) -> SqliteKeywordIndex:
    source = sqlite3.connect(index.path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return SqliteKeywordIndex(target)


def hit_test(
    retriever: HybridRetriever,
    document: Document,
    query: str,
    *,
    k: int = 10,
    chunking: ChunkingConfig | None = None,
) -> dict[str, Any]:
    """The top-k results for `query` if `document` were published, and the rank of each of its chunks."""
    chunks = chunk_document(document, chunking)
    n = retriever.weights.candidates
    doc_of = {c.chunk_id: c.doc_id for c in chunks}
    with tempfile.TemporaryDirectory(prefix="top-hit-test-") as tmp:
        index = _snapshot(retriever.keyword_index, Path(tmp) / "keyword.sqlite3")
        try:
            index.delete(sorted(index.chunk_ids(document.id)))
            index.upsert(chunks)
            words = index.search("words", tokenize.unique(tokenize.words(query)), k=n)
            grams = index.search("grams", tokenize.unique(tokenize.bigrams(query)), k=n)
            vector = retriever.embedder.embed([query])[0]
            live = retriever.vector_store.search(vector, k=n + len(chunks))
            allowed = retriever.keyword_index.allowed([cid for cid, _ in live], None)
            dense = [(cid, s) for cid, s in live if cid in allowed and cid.split(":", 1)[0] != document.id]
            if chunks:
                scores = retriever.embedder.embed([c.index_text for c in chunks]) @ np.asarray(vector)
                dense += [(c.chunk_id, float(s)) for c, s in zip(chunks, scores)]
            dense = sorted(dense, key=lambda item: -item[1])[:n]
            for cid, _ in words + grams + dense:
                doc_of.setdefault(cid, cid.split(":", 1)[0])
            fused = fuse(RankedLists(words=words, grams=grams, dense=dense), retriever.weights, doc_of)
            top = index.get([cid for cid, _ in fused[:k]])
        finally:
            index.close()
    rank = {cid: i + 1 for i, (cid, _) in enumerate(fused)}
    own = {c.chunk_id for c in chunks}
    results = [
        {
            "rank": i + 1,
            "chunk_id": cid,
            "doc_id": top[cid].doc_id,
            "title": top[cid].metadata.get("title", ""),
            "locator": top[cid].locator,
            "text": top[cid].text[:200],
            "score": round(score, 6),
            "this_document": cid in own,
        }
        for i, (cid, score) in enumerate(fused[:k])
        if cid in top
    ]
    return {
        "query": query,
        "results": results,
        "chunks": [{"chunk_id": c.chunk_id, "locator": c.locator, "rank": rank.get(c.chunk_id)} for c in chunks],
    }


def _review_dates(registry: DocumentRegistry, editor_review_by: dict[str, dt.date | None]) -> dict[str, dt.date]:
    """review_by of every registered document: from the editor's version, or the corpus file."""
    dates: dict[str, dt.date] = {}
    for row in registry.all():
        if row.status != "published":
            continue
        if row.origin == EDITOR_ORIGIN:
            found = editor_review_by.get(row.id)
        else:
            path = Path(row.origin) / row.path
            document = parse_file(path)[0] if row.origin and path.is_file() else None
            found = document.meta.review_by if document else None
        if found is not None:
            dates[row.id] = found
    return dates


def corpus_health(
    *,
    keyword_index: SqliteKeywordIndex,
    registry: DocumentRegistry,
    editor_review_by: dict[str, dt.date | None],
    today: dt.date | None = None,
    industries: Iterable[str] = INDUSTRY_CODES,
) -> dict[str, Any]:
    """Coverage (industry × need, published documents), review dates passed, duplicates."""
    today = today or dt.date.today()
    industries = list(industries)
    matrix = {i: dict.fromkeys(NEED_CATEGORIES, 0) for i in industries}
    published = keyword_index.published_documents()
    for _, _, doc_industries, needs in published:
        covered = industries if "all" in doc_industries else [i for i in doc_industries if i in matrix]
        for industry in covered:
            for need in needs:
                if need in matrix[industry]:
                    matrix[industry][need] += 1
    overdue = sorted((d, doc) for doc, d in _review_dates(registry, editor_review_by).items() if d < today)
    titles: dict[str, list[str]] = {}
    for row in registry.all():
        if row.status == "published":
            titles.setdefault(row.title.strip(), []).append(row.id)
    return {
        "documents": len(published),
        "coverage": matrix,
        "gaps": [{"industry": i, "need": n} for i in industries for n in NEED_CATEGORIES if not matrix[i][n]],
        "past_review": [{"doc_id": doc, "review_by": d.isoformat()} for d, doc in overdue],
        "duplicate_titles": [{"title": t, "doc_ids": sorted(ids)} for t, ids in sorted(titles.items()) if len(ids) > 1],
        "duplicate_passages": [
            {"text": text[:200], "doc_ids": ids} for text, ids in keyword_index.duplicate_passages()
        ],
    }
