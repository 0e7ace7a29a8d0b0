"""Numbered sources: the passages a reply cites, numbered in order of first use ([n] markers)."""

from __future__ import annotations

from assistant.models import Claim, SourceRef
from retrieval.models import Chunk

__all__ = ["number_sources", "source_ref"]


def number_sources(claims: list[Claim], chunks: dict[str, Chunk]) -> list[SourceRef]:
    """Number the cited chunks in order of first use; `[n]` markers refer to these numbers."""
    order: list[str] = []
    for claim in claims:
        for chunk_id in (claim.chunk_id, *claim.also):
            if chunk_id in chunks and chunk_id not in order:
                order.append(chunk_id)
    return [source_ref(n, chunks[cid]) for n, cid in enumerate(order, start=1)]


def source_ref(n: int, chunk: Chunk) -> SourceRef:
    meta = chunk.metadata
    return SourceRef(
        n=n,
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=str(meta.get("title", chunk.doc_id)),
        kind=str(meta.get("kind", "")),
        locator=chunk.locator if chunk.locator != meta.get("title") else "",
        issuer=str(meta.get("issuer", "")),
        document_number=str(meta.get("document_number", "")),
        url=str(meta.get("url", "")),
        vendor=str(meta.get("vendor") or "") or None,
        illustrative=bool(meta.get("illustrative", False)),
        text=chunk.text,
    )
